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

    def open(self) -> BinaryIO:
        """The decompressed bytes (the caller closes the stream)."""
        with open(self.path, "rb") as f:
            magic = f.read(6)
        for prefix, opener in _OPENERS:
            if magic.startswith(prefix):
                return opener(self.path)
        if magic.startswith(_ZSTD_MAGIC):
            raise BootlagError(
                f"{self.name}: zstd-compressed; decompress it first (zstd -d), "
                "the Python standard library cannot read zstd before 3.14"
            )
        return open(self.path, "rb")


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


def read_head(stream: BinaryIO, size: int = 1 << 16) -> tuple[bytes, BinaryIO]:
    """Peek at the first `size` bytes; returns them and a stream that still starts at 0."""
    head = stream.read(size)
    if stream.seekable():
        stream.seek(0)
        return head, stream
    return head, io.BufferedReader(_Rewound(head, stream), buffer_size=1 << 20)  # type: ignore[arg-type]


class _Rewound(io.RawIOBase):
    """A stream that replays `head` and then continues with `rest` (for non-seekable inputs)."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._rest.close()
        super().close()
