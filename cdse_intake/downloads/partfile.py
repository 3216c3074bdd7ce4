"""A download in progress on disk: the ``.part`` file, its JSON sidecar, hashing while writing.

The bytes of a product go to ``<final>.part`` and through the hasher as they arrive, so no
second pass over the file is needed. The sidecar ``<final>.part.json`` records what the
``.part`` is a prefix of (product id, size, algorithm, expected checksum): a later run resumes
only a ``.part`` whose sidecar matches the product it wants, after rebuilding the hash state by
reading the ``.part`` (hash objects cannot be saved). The file reaches its final name by
``os.replace`` only after :meth:`PartFile.verify` passed, so a final path never holds an
unverified file.

No symlink is followed or kept: the ``.part`` and the sidecar are created with
``O_CREAT | O_EXCL | O_NOFOLLOW`` after removing whatever was at their names (a planted symlink
is removed, its target untouched), a ``.part`` is resumed only when it is a regular file opened
with ``O_NOFOLLOW``, every check reads through the open descriptor (never the name again), the
rename to the final path happens only while the name still holds the file that was written, and
a zip holding a symlink or a device is refused whatever its checksum says.

File work blocks, so it runs in executor threads. Writes are pipelined: at most one is in
flight, and the next bytes are received from the network while the previous ones are written and
hashed (hashlib and blake3 release the GIL on large buffers). A write takes the received chunks
as they are: one ``pwritev`` at the file's known offset, then each chunk through the hasher, so
no chunk is copied into a joined buffer first.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import stat
import threading
import zipfile
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..cache import new_hasher
from ..cache.safety import check_member
from ..errors import ChecksumMismatch, DownloadError, UnsafePathError
from ..product import Product
from .writes import pwrite_all

__all__ = [
    "CHUNK",
    "MAX_BUFFERS",
    "WRITE_SIZE",
    "Expected",
    "PartFile",
    "fsync_dir",
]

#: Bytes read from a file per hashing step.
CHUNK = 1 << 20
#: Bytes gathered from the network before one write: few, large writes and thread hand-offs.
WRITE_SIZE = 4 << 20
#: Received chunks gathered at most before a write, whatever their size: a server sending tiny
#: chunks cannot grow the list (each chunk costs ~40 bytes of bookkeeping) nor pass IOV_MAX.
MAX_BUFFERS = 512
#: Flags of every file this module creates: a new file, never through a symlink.
CREATE = os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
#: The longest sidecar read (a real one is ~200 bytes).
MAX_SIDECAR = 64 << 10
#: Every this many bytes written, the ``.part`` is flushed to disk in the background (at most
#: one flush in flight), so the fsync before the final rename finds little left to write: the
#: disk works while bytes arrive instead of after. At 64 MB a batch of 42 MB products never
#: flushed early and waited ~0.2 s per product in the final fsync (8 x 42 MB: 1.78 s of fsync,
#: 0.25 s at 8 MB, on a disk doing ~250 MB/s).
SYNC_EVERY = 8 << 20


@dataclass(frozen=True)
class Expected:
    """What the verified file must be: ``size`` (None: unknown) and one checksum.

    ``algorithm`` is the best CDSE publishes for the product (BLAKE3, else MD5); ``size`` when it
    publishes none, and then ``checksum`` is the size as text (what the cache index records) and
    a zip must also pass :func:`~cdse_intake.cache.safety.check_zip`.
    """

    id: str
    size: int | None
    algorithm: str
    checksum: str

    @classmethod
    def of(cls, product: Product) -> Expected:
        published = {k.upper(): v for k, v in product.checksums.items() if v}
        for algorithm in ("BLAKE3", "MD5"):
            if published.get(algorithm):
                return cls(product.id, product.size, algorithm, published[algorithm].lower())
        size = "" if product.size is None else str(product.size)
        return cls(product.id, product.size, "size", size)


def create_new(path: Path, flags: int = os.O_RDWR, mode: int = 0o666) -> int:
    """A descriptor of a new, empty regular file at ``path``, never through a symlink.

    Whatever was at ``path`` (a stale file, a planted symlink: unlinking it leaves its target
    alone) is removed first; a name re-planted meanwhile makes the exclusive create fail
    (FileExistsError) rather than follow it.
    """
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return os.open(path, flags | CREATE, mode)


def open_regular(path: Path, flags: int = os.O_RDONLY) -> int:
    """A descriptor of the regular file at ``path``; OSError for a symlink, folder or device,
    and, opened for writing, for a file with other hard links (writing would change them too)."""
    fd = os.open(path, flags | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0) | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path} is not a regular file")
        if flags & (os.O_WRONLY | os.O_RDWR) and info.st_nlink != 1:
            raise OSError(f"{path} has {info.st_nlink} hard links")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a crash after it keeps the new name)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class PartFile:
    """``<final>.part`` and its sidecar for one product; bytes are hashed as they are written."""

    def __init__(self, final: Path, expected: Expected, executor: Executor | None = None) -> None:
        self.final = final
        self.part = final.with_name(final.name + ".part")
        self.sidecar = final.with_name(final.name + ".part.json")
        self.expected = expected
        self.executor = executor
        self.length = 0
        """Bytes in the ``.part`` (including a write still in flight)."""
        self.resumed = 0
        """Bytes found in a matching ``.part`` when it was opened."""
        self._fh: Any = None
        self._hasher: Any = None
        self._pending: asyncio.Future[None] | None = None
        self._io = threading.Lock()  # one file operation at a time, whichever thread runs it
        self._sync = threading.Lock()  # an early fdatasync in flight (close waits for it)
        self._unsynced = 0
        self._end = 0  # where the next write goes (the file's length once writes are done)

    def __repr__(self) -> str:
        return f"PartFile({str(self.part)!r}, {self.length} bytes)"

    @property
    def complete(self) -> bool:
        """Whether every expected byte is there (False when the size is unknown)."""
        return self.expected.size is not None and self.length >= self.expected.size

    async def _call(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    # -- opening ---------------------------------------------------------------------------------
    async def open(self) -> int:
        """Resume a matching ``.part`` (hash state rebuilt from it) or start empty; its length."""
        await self._call(self._open)
        return self.length

    def _sidecar_text(self) -> str:
        return json.dumps(asdict(self.expected), sort_keys=True)

    def _open(self) -> None:
        with self._io:
            self.final.parent.mkdir(parents=True, exist_ok=True)
            if self._sidecar_matches():
                fh = self._resumable()
                if fh is not None:
                    hasher = new_hasher(self.expected.algorithm)
                    length = 0
                    try:
                        while block := fh.read(CHUNK):
                            hasher.update(block)
                            length += len(block)
                        if self.expected.size is not None and length > self.expected.size:
                            raise ValueError("longer than the product")
                    except (OSError, ValueError):
                        fh.close()
                    else:
                        self._fh, self._hasher = fh, hasher
                        self.length = self.resumed = self._end = length
                        return
            # Nothing to resume: the sidecar first (atomically), then an empty .part.
            tmp = self.sidecar.with_name(self.sidecar.name + f".{os.getpid()}.tmp")
            with os.fdopen(create_new(tmp, os.O_WRONLY), "w", encoding="utf-8") as out:
                out.write(self._sidecar_text())
            os.replace(tmp, self.sidecar)  # replaces a symlink there, never writes through it
            self._fh = os.fdopen(create_new(self.part), "w+b")
            self._hasher = new_hasher(self.expected.algorithm)
            self.length = self.resumed = self._end = 0

    def _sidecar_matches(self) -> bool:
        try:
            with os.fdopen(open_regular(self.sidecar), "rb") as fh:
                return json.loads(fh.read(MAX_SIDECAR)) == asdict(self.expected)
        except (OSError, ValueError):
            return False

    def _resumable(self) -> Any:
        """The ``.part`` opened for a resume: a regular file, not through a symlink; else None."""
        try:
            return os.fdopen(open_regular(self.part, os.O_RDWR), "r+b")
        except OSError:
            return None

    # -- writing ---------------------------------------------------------------------------------
    def _write(self, chunks: Sequence[bytes]) -> None:
        with self._io:
            fd = self._fh.fileno()
            start = self._end
            self._end = pwrite_all(fd, chunks, start)
            for chunk in chunks:
                self._hasher.update(chunk)
            self._unsynced += self._end - start
            if self._unsynced < SYNC_EVERY or self.executor is None or self._sync.locked():
                return
            self._unsynced = 0
            fd = self._fh.fileno()
        self.executor.submit(self._sync_early, fd)

    def _sync_early(self, fd: int) -> None:
        with self._sync:  # the file is not closed (nor its descriptor reused) meanwhile
            if self._fh is not None:
                with contextlib.suppress(OSError):
                    os.fdatasync(fd)

    async def write(self, data: bytes | Sequence[bytes]) -> None:
        """Append ``data`` (bytes, or chunks in order): waits for the previous write, then hands
        this one to a thread. The chunks must not be changed until the next write or drain."""
        chunks = [data] if isinstance(data, bytes | bytearray | memoryview) else list(data)
        if self._pending is not None:
            pending, self._pending = self._pending, None
            await pending
        loop = asyncio.get_running_loop()
        self._pending = loop.run_in_executor(self.executor, self._write, chunks)
        self.length += sum(len(c) for c in chunks)

    async def drain(self) -> None:
        """Wait until every write has reached the file (raises a failed write's OSError)."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            await pending

    async def restart(self) -> None:
        """Empty the ``.part`` and the hash: the next bytes are the product's first."""
        with contextlib.suppress(Exception):
            await self.drain()
        await self._call(self._restart)

    def _restart(self) -> None:
        with self._io:
            self._fh.seek(0)
            self._fh.truncate()
            self._hasher = new_hasher(self.expected.algorithm)
            self.length = self._end = 0

    # -- verification and the final rename ---------------------------------------------------------
    async def verify(self) -> str:
        """Check the complete ``.part``; its digest (the size as text for ``size``).

        Raises :class:`ChecksumMismatch` for a wrong checksum or size, :class:`DownloadError`
        for a broken zip where only the size was known, and UnsafePathError for a zip member
        that would leave its folder.
        """
        await self.drain()
        return await self._call(self._verify)

    def _verify(self) -> str:
        with self._io:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            digest = self._hasher.hexdigest()
            reader = _reader(self._fh.fileno())
        exp = self.expected
        if exp.size is not None and self.length != exp.size:
            raise ChecksumMismatch(
                f"{self.final.name}: received {self.length} bytes, CDSE says {exp.size}"
            )
        is_zip = reader.read(4) == b"PK\x03\x04"
        if exp.algorithm == "size":
            if is_zip or self.final.suffix.lower() == ".zip":
                # No checksum published: the archive's own CRCs instead.
                _check_archive(reader, self.final.name, crcs=True)
            return str(self.length)
        if digest.lower() != exp.checksum:
            raise ChecksumMismatch(
                f"{self.final.name}: {exp.algorithm} {digest} does not match CDSE's {exp.checksum}"
            )
        if is_zip:
            _check_archive(reader, self.final.name, crcs=False)
        return digest

    async def commit(self) -> Path:
        """Rename the verified ``.part`` to the final path (atomic) and drop the sidecar."""
        await self.drain()
        return await self._call(self._commit)

    def _commit(self) -> Path:
        with self._io:
            self._check_same_file()
            self._close()
            os.replace(self.part, self.final)
            self.sidecar.unlink(missing_ok=True)
        fsync_dir(self.final.parent)
        return self.final

    async def quarantine(self, target: Path) -> Path:
        """Move the ``.part`` of a product that failed verification twice to ``target``."""
        with contextlib.suppress(Exception):
            await self.drain()
        return await self._call(self._quarantine, target)

    def _quarantine(self, target: Path) -> Path:
        with self._io:
            self._check_same_file()
            self._close()
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.part, target)
            self.sidecar.unlink(missing_ok=True)
        return target

    def discard(self) -> None:
        """Remove the ``.part`` and its sidecar (nothing worth resuming)."""
        with self._io:
            self._close()
            self.part.unlink(missing_ok=True)
            self.sidecar.unlink(missing_ok=True)

    def close(self) -> None:
        """Close the file and keep it with its sidecar for a later resume (safe to repeat).

        Waits for a write still running in a thread (the lock), so the ``.part`` on disk is a
        clean prefix of the product whatever interrupted the download.
        """
        with self._io:
            self._close()

    def _check_same_file(self) -> None:
        """Raise DownloadError unless the ``.part`` name still holds the file written to."""
        if self._fh is None:
            return
        mine = os.fstat(self._fh.fileno())
        try:
            there = os.lstat(self.part)
        except OSError as err:
            raise DownloadError(f"{self.part.name} disappeared during the download") from err
        if (mine.st_dev, mine.st_ino) != (there.st_dev, there.st_ino):
            raise DownloadError(
                f"{self.part.name} was replaced during the download (by "
                f"{'a symlink' if stat.S_ISLNK(there.st_mode) else 'another file'}): refused"
            )

    def _close(self) -> None:
        with self._sync:
            if self._fh is not None:
                with contextlib.suppress(OSError):
                    self._fh.close()
                self._fh = None


class _PositionalReader(io.RawIOBase):
    """Reads a descriptor with ``pread``: the writer's file position is left alone."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = os.pread(self.fd, len(buffer), self.pos)
        buffer[: len(data)] = data
        self.pos += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_END:
            offset += os.fstat(self.fd).st_size
        elif whence == io.SEEK_CUR:
            offset += self.pos
        self.pos = max(0, offset)
        return self.pos

    def tell(self) -> int:
        return self.pos

    def close(self) -> None:  # the descriptor belongs to the PartFile
        super().close()


def _reader(fd: int) -> Any:
    return io.BufferedReader(_PositionalReader(fd), CHUNK)


def _member_kind(info: zipfile.ZipInfo) -> str | None:
    """'symlink' / 'special' when the member's Unix mode says so, None for files and folders."""
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == 0 or kind in (stat.S_IFREG, stat.S_IFDIR):
        return None
    return "symlink" if kind == stat.S_IFLNK else "special"


def _check_archive(reader: Any, name: str, *, crcs: bool) -> None:
    """Every member of a zip is safe to unpack: a plain relative name, no symlink or device.

    Read from the central directory only; ``crcs`` also checks every member's CRC (when no
    checksum was published). Raises UnsafePathError for a hostile member whatever a checksum
    said, DownloadError for an archive that cannot be read (ChecksumMismatch when nothing else
    vouches for the bytes).
    """
    reader.seek(0)
    try:
        with zipfile.ZipFile(reader) as archive:
            for info in archive.infolist():
                check_member(info.filename)
                kind = _member_kind(info)
                if kind:
                    raise UnsafePathError(
                        f"unsafe zip member {info.filename!r} in {name}: a {kind} (mode "
                        f"{info.external_attr >> 16:o}); expected regular files and folders "
                        "only, whatever the checksum says"
                    )
            bad = archive.testzip() if crcs else None
    except UnsafePathError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as err:
        if crcs:
            raise ChecksumMismatch(f"{name}: not a readable zip: {err}") from err
        # The bytes are what CDSE published (the checksum matched): report, do not hide them.
        raise DownloadError(f"{name}: verified by checksum but not a readable zip: {err}") from err
    if bad is not None:
        raise ChecksumMismatch(f"{name}: member {bad!r} fails its CRC check")
