"""Turn what the user named (files, directories, globs) into readable byte streams.

No parsing happens here: a `Source` knows its display name, how to open its
decompressed bytes, the file's modification time (the fallback for the year
of year-less ``short`` text), and, inside a sosreport, what the report says
about the host (`bootlag.sos.Context`). Tarballs are read in place, never
extracted to disk.

Pipes (``-`` for stdin, ``/dev/stdin``, a shell's ``<(…)``) can be read only
once and not seeked, while sniffing and the binary reader need to look at
the start again: they are copied once to a private temporary file
(`spool`), removed when the process exits, and read from there like any file.
"""

from __future__ import annotations

import atexit
import bz2
import glob
import gzip
import io
import itertools
import lzma
import os
import posixpath
import shutil
import stat
import sys
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import BinaryIO, Protocol

from . import sos
from .records import BootlagError, NoSuchInput


class Readable(Protocol):
    """What `InputStream` reads from: a file, a decompressor, a tar member, a span."""

    def read1(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


# Magic numbers of the compressions the standard library can read.
_OPENERS: tuple[tuple[bytes, Callable[[str], Readable]], ...] = (
    (b"\x1f\x8b", gzip.GzipFile),
    (b"\xfd7zXZ\x00", lzma.LZMAFile),
    (b"BZh", bz2.BZ2File),
)
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_SKIP_NAMES = {".git", "__pycache__", ".ipynb_checkpoints"}
_TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2")
INFLATE_RATIO = 200  # compressed journals shrink 5-30x; this is far past any of them
INFLATE_FLOOR = 1 << 30  # below this, any ratio is fine
_SMALL = 1 << 16  # context files (hostname, date, timedatectl) are read up to this size
STDIN = "-"  # the path that means standard input, as for journalctl and most tools
STDIN_NAME = "<stdin>"  # how standard input is named in the `source` column and messages
# Where journald keeps the local journal: persistent, then volatile (as journalctl reads).
LOCAL_JOURNAL_DIRS = ("/var/log/journal", "/run/log/journal")
_JOURNAL_SUFFIXES = (".journal", ".journal~")


@dataclass(frozen=True)
class Source:
    """A readable input: a file, decompressed on the fly when it is compressed."""

    name: str
    path: str
    mtime: float
    member: str | None = None  # a member of the tar archive at `path`
    context: sos.Context = field(default_factory=sos.Context)
    error: str | None = None  # why this source cannot be read (found while listing it)
    span: tuple[int, int] | None = None  # read only the lines starting in these bytes
    extent: tuple[int, int] | None = None  # a plain tar's member: its data's offset and size

    def open(self) -> InputStream:
        """The decompressed bytes (the caller closes the stream)."""
        if self.error is not None:
            raise BootlagError(self.error)
        if self.member is not None and self.extent is not None:
            return InputStream(_Extent(self.path, *self.extent))
        if self.member is not None:
            return InputStream(_TarMember(self.path, self.member))
        if self.span is not None:
            return InputStream(_FileSpan(self.path, *self.span))
        with open(self.path, "rb") as f:
            magic = f.read(6)
        # Decompressed data may not outgrow the file by more than a (generous)
        # ratio: a small file that inflates to terabytes is a bomb, not a journal.
        limit = max(INFLATE_FLOOR, INFLATE_RATIO * os.path.getsize(self.path))
        if magic.startswith(_ZSTD_MAGIC):
            return InputStream(_zstd_reader(self.path, self.name), limit=limit)
        for prefix, opener in _OPENERS:
            if magic.startswith(prefix):
                return InputStream(opener(self.path), limit=limit)
        return InputStream(open(self.path, "rb"), path=self.path)


def _zstd_reader(path: str, name: str) -> Readable:
    try:
        import zstandard
    except ImportError:
        raise BootlagError(f"{name}: zstd-compressed; install the optional zstd support "
                           "(pip install 'bootlag[journal]') or decompress it (zstd -d)"
                           ) from None
    return zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), closefd=True)


def expand(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Source]:
    """Every file under `paths`, in a stable (sorted) order.

    A path may be a file, a directory (searched recursively, hidden files
    skipped) or a glob pattern; a sosreport directory or a tarball yields its
    journal files. A name that matches nothing raises `BootlagError`, since a
    typo should not read as "no boots"; an unreadable archive is listed as a
    source whose `open` raises, so the others are still read.
    """
    seen: set[tuple[str, str | None]] = set()
    for raw in paths:
        path = os.fspath(raw)
        if path == STDIN:
            found: Iterable[Source] = _spooled(sys.stdin.buffer, STDIN_NAME)
        elif os.path.isdir(path):
            found = _walk(path)
        elif os.path.exists(path):
            found = _file(path)
        else:
            matches = sorted(p for p in glob.glob(path, recursive=True) if os.path.isfile(p))
            if not matches:
                raise NoSuchInput(f"{path}: no such file, directory or matching glob")
            found = (s for m in matches for s in _file(m))
        for source in found:
            key = (os.path.realpath(source.path), source.member)
            if key not in seen:
                seen.add(key)
                yield source


def _file(path: str, named: bool = True) -> Iterator[Source]:
    """The sources of one file; a pipe or device is read only when named (not when found
    in a directory, where a FIFO would block the scan)."""
    if not stat.S_ISREG(os.stat(path).st_mode):  # a pipe, /dev/stdin, <(…): read it once
        if not named:
            return
        try:
            with open(path, "rb") as stream:
                yield from _spooled(stream, path)
        except OSError as exc:
            yield Source(name=path, path=path, mtime=0.0, error=f"{path}: {exc.strerror}")
        return
    if path.endswith(_TAR_SUFFIXES) or _is_plain_tar(path):
        yield from _tar(path)
    else:
        yield Source(name=path, path=path, mtime=os.stat(path).st_mtime)


_spool_dir: str | None = None


def spool(stream: BinaryIO, name: str) -> Source:
    """A source holding everything `stream` delivers, copied to a temporary file.

    The file lives in a private directory (mode 0700) that is removed when the
    process exits; worker processes read it by path like any file. Its
    modification time is now: the year of year-less text is that of the copy.
    """
    global _spool_dir
    if _spool_dir is None:
        _spool_dir = tempfile.mkdtemp(prefix="bootlag-")
        atexit.register(shutil.rmtree, _spool_dir, ignore_errors=True)
    fd, path = tempfile.mkstemp(dir=_spool_dir, suffix=".input")
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(stream, out, 1 << 20)
    return Source(name=name, path=path, mtime=time.time())


def _spooled(stream: BinaryIO, name: str) -> Iterator[Source]:
    """The sources of a pipe: its copy, or the journal files of a tarball piped in
    (``ssh host cat sosreport.tar.xz | bootlag scan -``), named after `name`."""
    source = spool(stream, name)
    if _is_tar(source.path):
        yield from _tar(source.path, name)
    else:
        yield source


def _is_tar(path: str) -> bool:
    """A tar archive, compressed or not: tarfile reads only its first header to tell."""
    try:
        with tarfile.open(path, "r:*"):
            return True
    except (tarfile.TarError, OSError, EOFError):
        return False


def journal_files(directories: Iterable[str] = LOCAL_JOURNAL_DIRS) -> tuple[list[str], list[str]]:
    """The journal files (``*.journal``, ``*.journal~``) under `directories`, searched
    recursively as journalctl does: (readable files, files that cannot be opened).

    Missing directories are skipped; a file that cannot be opened (journald's
    files are readable by root and the ``systemd-journal`` group only) is
    listed apart, so the caller can say why nothing was read.
    """
    readable: list[str] = []
    denied: list[str] = []
    for top in directories:
        for root, dirs, names in os.walk(top):
            dirs.sort()
            for name in sorted(names):
                if name.endswith(_JOURNAL_SUFFIXES) and not name.startswith("."):
                    path = os.path.join(root, name)
                    (readable if os.access(path, os.R_OK) else denied).append(path)
    return readable, denied


def _is_plain_tar(path: str) -> bool:
    """An uncompressed tar archive whatever its name (its header says "ustar")."""
    try:
        with open(path, "rb") as f:
            return f.read(262)[257:262] == b"ustar"
    except OSError:
        return False


def _walk(top: str) -> Iterator[Source]:
    for root, dirs, names in os.walk(top):
        if "sos_commands" in dirs:
            dirs[:] = []
            yield from _sos_dir(root)
            continue
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_NAMES and not d.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                yield from _file(os.path.join(root, name), named=False)


def _sos_dir(root: str) -> Iterator[Source]:
    """The journal files of a sosreport directory (symlinks may not leave it)."""
    top = os.path.realpath(root)
    names: set[str] = set()
    for here, _, files in os.walk(root):
        rel = os.path.relpath(here, root).replace(os.sep, "/")
        names.update(posixpath.normpath(f"{rel}/{f}") for f in files)

    def read(name: str) -> bytes | None:
        real = os.path.realpath(os.path.join(root, name))
        if not real.startswith(top + os.sep) or not os.path.isfile(real):
            return None
        with open(real, "rb") as f:
            return f.read(_SMALL)

    chosen, context = sos.plan(root, names, read)
    for name in chosen:
        path = os.path.join(root, name)
        real = os.path.realpath(path)
        if real.startswith(top + os.sep) and os.path.isfile(real):
            yield Source(name=path, path=real, mtime=os.stat(real).st_mtime, context=context)


def _tar(path: str, shown: str | None = None) -> Iterator[Source]:
    """Members of a tar archive: a sosreport's journal files, or every regular file.

    `shown` is the archive's name in messages and the source column, when `path` is a
    temporary copy of a pipe."""
    name_of = shown or path
    plain = _is_plain_tar(path)

    def extent(m: tarfile.TarInfo) -> tuple[int, int] | None:
        """Where a plain archive holds a member's bytes: read in place, not by reopening and
        listing the archive for every member."""
        return (m.offset_data, m.size) if plain and m.isreg() and not m.issparse() else None

    try:
        with tarfile.open(path, "r:*") as archive:
            members = {m.name.removeprefix("./"): m for m in archive.getmembers()}
            root = next((n.split("sos_commands/")[0] for n in members
                         if "sos_commands/" in n and n.count("/") >= 1), None)
            if root is None:
                for name, m in sorted(members.items()):
                    unsafe = _unsafe_member(m)
                    if unsafe:
                        yield Source(name=f"{name_of}:{name}", path=path, mtime=m.mtime,
                                     member=m.name, error=f"{name_of}:{name}: {unsafe}; skipped")
                    elif m.isfile():
                        yield Source(name=f"{name_of}:{name}", path=path, mtime=m.mtime,
                                     member=m.name, extent=extent(m))
                return
            names = {n[len(root):]: m for n, m in members.items() if n.startswith(root)}

            def member(name: str, depth: int = 0) -> tarfile.TarInfo | None:
                m = names.get(name)
                if m is not None and m.issym() and depth < 8:
                    target = sos.resolve_link(name, m.linkname)
                    return member(target, depth + 1) if target else None
                return m if m is not None and m.isfile() else None

            def read(name: str) -> bytes | None:
                m = member(name)
                f = archive.extractfile(m) if m is not None else None
                return f.read(_SMALL) if f is not None else None

            chosen, context = sos.plan(root or name_of, set(names), read)
            for name in chosen:
                found = member(name)
                if found is not None:
                    yield Source(name=f"{name_of}:{root}{name}", path=path, mtime=found.mtime,
                                 member=found.name, context=context, extent=extent(found))
    except (tarfile.TarError, OSError, EOFError) as exc:
        yield Source(name=name_of, path=path, mtime=0.0,
                     error=f"{name_of}: not a readable tar archive ({exc})")


def _unsafe_member(m: tarfile.TarInfo) -> str | None:
    """Why a member is not read (nothing is ever extracted, but such members are suspect)."""
    if _climbs(m.name) or (m.islnk() and _climbs(m.linkname)):
        return "a name that climbs out of the archive"
    if m.issym() and sos.resolve_link(m.name, m.linkname) is None:
        return "a link that points out of the archive"
    if m.isdev() or m.isfifo():
        return "a device or pipe, not a file"
    return None


def _climbs(name: str) -> bool:
    return name.startswith("/") or ".." in name.split("/")


class _TarMember(io.RawIOBase):
    """One member of a tar archive, read in place."""

    def __init__(self, path: str, member: str) -> None:
        self._archive = tarfile.open(path, "r:*")  # noqa: SIM115 (closed by close())
        stream = self._archive.extractfile(member)
        if stream is None:
            self._archive.close()
            raise BootlagError(f"{path}:{member}: not a regular file")
        self._stream = stream

    def readable(self) -> bool:
        return True

    def read1(self, size: int = -1) -> bytes:
        return self._stream.read(size)

    read = read1

    def close(self) -> None:
        self._archive.close()
        super().close()


class _Extent(io.RawIOBase):
    """`size` bytes of a file from `offset`: a member of an uncompressed tar, in place."""

    def __init__(self, path: str, offset: int, size: int) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 (closed by close())
        self._file.seek(offset)
        self._left = size

    def readable(self) -> bool:
        return True

    def read1(self, size: int = -1) -> bytes:
        size = self._left if size < 0 else min(size, self._left)
        data = self._file.read(size) if size > 0 else b""
        self._left -= len(data)
        return data

    read = read1

    def close(self) -> None:
        self._file.close()
        super().close()


def split(source: Source, parts: int) -> list[Source]:
    """`source` as `parts` sources of about equal size, cut at line boundaries.

    For one large line-per-entry file (json), so several processes can read it;
    every line belongs to exactly one part (see `_FileSpan`).
    """
    size = os.path.getsize(source.path)
    cuts = [size * k // parts for k in range(parts + 1)]
    return [replace(source, span=(a, b)) for a, b in itertools.pairwise(cuts) if b > a]


class _FileSpan(_Extent):
    """The lines of a plain file that start within [start, end).

    Both ends move forward to the next line start, so spans that tile a file
    read every line once. `lines_before` says how many lines precede the
    span, to number lines as in the whole file.
    """

    def __init__(self, path: str, start: int, end: int) -> None:
        super().__init__(path, 0, 0)
        begin = self._line_start(start)
        self._left = self._line_start(end) - begin
        self.lines_before = self._newlines_before(begin)
        self._file.seek(begin)

    def _line_start(self, offset: int) -> int:
        """The first line start at or after `offset`."""
        if offset == 0:
            return 0
        self._file.seek(offset - 1)
        return offset - 1 + len(self._file.readline())

    def _newlines_before(self, offset: int) -> int:
        self._file.seek(0)
        newlines, left = 0, offset
        while left > 0 and (chunk := self._file.read(min(1 << 23, left))):
            newlines += chunk.count(b"\n")
            left -= len(chunk)
        return newlines


class InputStream(io.RawIOBase):
    """The decompressed bytes of a source, with a peek at its head.

    A compressed file that was cut off (a partial copy) ends here like a
    normal end of file instead of raising, so the lines before the cut are
    kept; `cut_off` then says why, and `newlines` how many lines came before.
    """

    def __init__(self, inner: Readable, path: str | None = None,
                 limit: int | None = None) -> None:
        self._inner = inner
        self.path = path  # the file itself, when its bytes are not transformed (for mmap)
        self.lines_before: int = getattr(inner, "lines_before", 0)  # for a part of a file
        self._left = limit  # bytes it may still deliver (None: no limit)
        self._head = memoryview(b"")
        self.cut_off: str | None = None
        self._newlines = 0  # counted as read, unless the bytes are a plain file's
        self._delivered = 0

    @property
    def newlines(self) -> int:
        """Newlines delivered so far (where a cut-off stream ended)."""
        if self.path is None:
            return self._newlines
        count, left = 0, self._delivered  # a plain file: counted only if it is asked for
        with open(self.path, "rb") as f:
            while left > 0 and (chunk := f.read(min(1 << 23, left))):
                count += chunk.count(b"\n")
                left -= len(chunk)
        return count

    def read_block(self, size: int) -> bytes:
        """Up to `size` bytes with as few copies as the source allows (one read1 of it)."""
        if self._head:
            data = self._head[:size].tobytes()
            self._head = self._head[len(data):]
            if len(data) < size:  # the head, and a full block after it
                data += self._read_inner(size - len(data))
        else:
            data = self._read_inner(size)
        self._delivered += len(data)
        if self.path is None:
            self._newlines += data.count(b"\n")
        return data

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
            data = self._inner.read1(size)
        except (EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
            self.cut_off = str(exc) or type(exc).__name__
            return b""
        if self._left is not None:
            self._left -= len(data)
            if self._left < 0:
                self.cut_off = (f"it inflates to more than {INFLATE_RATIO} times its size; "
                                "a decompression bomb, or decompress it yourself")
                return data[:self._left]
        return data

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self._head:
            data = self._head[: len(buffer)]
            self._head = self._head[len(data):]
        else:
            data = memoryview(self._read_inner(len(buffer)))
        buffer[: len(data)] = data
        self._delivered += len(data)
        if self.path is None:
            self._newlines += data.tobytes().count(b"\n")
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()
