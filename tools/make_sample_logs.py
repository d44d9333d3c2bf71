"""Regenerate sample_logs/: a small fleet written through the real systemd tools.

    python tools/make_sample_logs.py [OUTDIR]

Needs systemd-journal-remote (Debian: apt-get install systemd-journal-remote)
and journalctl. Each host's boots come from `bootlag.synth.make_sample_fleet`,
are turned into a real .journal file, and printed with `journalctl -o FORMAT`
in the format listed below, some of them compressed.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import sys
import tempfile
from pathlib import Path

from bootlag import synth

# host -> (journalctl output format, time zone of the text, file suffix)
FORMATS = {
    "web-01": ("json", "UTC", ".json.gz"),
    "web-02": ("export", "UTC", ".export"),
    "web-03": ("short-iso-precise", "Asia/Tokyo", ".log"),
    "db-01": ("json", "UTC", ".json"),
    "db-02": ("short-monotonic", "UTC", ".log"),
    "db-03": ("json", "UTC", ".json.gz"),
    "app-01": ("verbose", "UTC", ".verbose.xz"),
    "app-02": ("json", "UTC", ".json"),
    "legacy-01": ("short-iso", "America/New_York", ".log"),
    "cache-01": ("short-iso-precise", "UTC", ".log.bz2"),
    "sles-01": ("json-seq", "UTC", ".json"),
    "batch-01": ("export", "UTC", ".export.gz"),
    "edge-01": ("json", "UTC", ".json"),
    "lab-01": ("short-monotonic", "UTC", ".log"),
}
_COMPRESS = {".gz": gzip.compress, ".xz": lzma.compress, ".bz2": bz2.compress}


def main(outdir: str = "sample_logs") -> None:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    boots = synth.make_sample_fleet()
    with tempfile.TemporaryDirectory() as tmp:
        for host, (fmt, zone, suffix) in FORMATS.items():
            journal = synth.write_journal(
                synth.to_export([b for b in boots if b.host == host]), f"{tmp}/{host}.journal")
            data = synth.render(journal, fmt, zone)
            compress = _COMPRESS.get(Path(suffix).suffix)
            if compress:
                data = compress(data)
            (out / f"{host}{suffix}").write_bytes(data)
    print(f"wrote {len(FORMATS)} hosts, {len(boots)} boots to {out}/")


if __name__ == "__main__":
    main(*sys.argv[1:2])
