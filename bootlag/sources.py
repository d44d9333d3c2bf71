"""Turn what the user named (files, directories, globs) into readable byte streams.

No parsing happens here: a `Source` knows its display name, how to open its
decompressed bytes, and the file's modification time (the fallback for the
year of year-less ``short`` text).
"""

from __future__ import annotations

import bz2
import glob
import gzip
import io
import lzma
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .records import BootlagError

# Magic numbers of the compressions the standard library can read.
_OPENERS: tuple[tuple[bytes, Callable[..., BinaryIO]], ...] = (
    (b"\x1f\x8b", gzip.GzipFile),
    (b"\xfd7zXZ\x00", lzma.LZMAFile),
    (b"BZh", bz2.BZ2File),
)
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_SKIP_NAMES = {".git", "__pycache__", ".ipynb_checkpoints"}


@dataclass(frozen=True)
class Source:
    """A readable input: a file, decompressed on the fly when it is compressed."""

    name: str
    path: str
    mtime: float

    def open(self) -> InputStream:
        """The decompressed bytes (the caller closes the stream)."""
        with open(self.path, "rb") as f:
            magic = f.read(6)
        if magic.startswith(_ZSTD_MAGIC):
            raise BootlagError(
                f"{self.name}: zstd-compressed; decompress it first (zstd -d), "
                "the Python standard library cannot read zstd before 3.14"
            )
        for prefix, opener in _OPENERS:
            if magic.startswith(prefix):
                return InputStream(opener(self.path))
        return InputStream(open(self.path, "rb"))


def expand(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Source]:
    """Every file under `paths`, in a stable (sorted) order.

    A path may be a file, a directory (searched recursively, hidden files
    skipped) or a glob pattern. A name that matches nothing raises
    `BootlagError`, since a typo should not read as "no boots".
    """
    seen: set[str] = set()
    for raw in paths:
        path = os.fspath(raw)
        if os.path.isdir(path):
            found: Iterable[str] = _walk(path)
        elif os.path.exists(path):
            found = [path]
        else:
            found = sorted(p for p in glob.glob(path, recursive=True) if os.path.isfile(p))
            if not found:
                raise BootlagError(f"{path}: no such file, directory or matching glob")
        for file in found:
            real = os.path.realpath(file)
            if real in seen:
                continue
            seen.add(real)
            yield Source(name=file, path=file, mtime=os.stat(file).st_mtime)


def _walk(top: str) -> list[str]:
    files: list[str] = []
    for root, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_NAMES and not d.startswith("."))
        files.extend(os.path.join(root, n) for n in sorted(names) if not n.startswith("."))
    return files


class InputStream(io.RawIOBase):
    """The decompressed bytes of a source, with a peek at its head.

    A compressed file that was cut off (a partial copy) ends here like a
    normal end of file instead of raising, so the lines before the cut are
    kept; `cut_off` then says why, and `newlines` how many lines came before.
    """

    def __init__(self, inner: BinaryIO) -> None:
        self._inner = inner
        self._head = memoryview(b"")
        self.cut_off: str | None = None
        self.newlines = 0

    def readable(self) -> bool:
        return True

    def head(self, size: int = 1 << 16) -> bytes:
        """The first `size` bytes (or fewer); reading starts from them again afterwards."""
        chunks, have = [], 0
        while have < size:
            chunk = self._read_inner(size - have)
            if not chunk:
                break
            chunks.append(chunk)
            have += len(chunk)
        data = b"".join(chunks)
        self._head = memoryview(data)
        return data

    def _read_inner(self, size: int) -> bytes:
        if self.cut_off is not None:
            return b""
        try:  # read1: one decompression step, so a cut-off stream loses nothing before the cut
            return self._inner.read1(size)  # type: ignore[attr-defined]
        except (EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
            self.cut_off = str(exc) or type(exc).__name__
            return b""

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self._head:
            data = self._head[: len(buffer)]
            self._head = self._head[len(data):]
        else:
            data = memoryview(self._read_inner(len(buffer)))
        buffer[: len(data)] = data
        self.newlines += data.tobytes().count(b"\n")
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()
