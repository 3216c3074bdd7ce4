"""A download in progress on disk: the ``.part`` file, its JSON sidecar, hashing while writing.

The bytes of a product go to ``<final>.part`` and through the hasher as they arrive, so no
second pass over the file is needed. The sidecar ``<final>.part.json`` records what the
``.part`` is a prefix of (product id, size, algorithm, expected checksum): a later run resumes
only a ``.part`` whose sidecar matches the product it wants, after rebuilding the hash state by
reading the ``.part`` (hash objects cannot be saved). The file reaches its final name by
``os.replace`` only after :meth:`PartFile.verify` passed, so a final path never holds an
unverified file.

File work blocks, so it runs in executor threads. Writes are pipelined: at most one is in
flight, and the next chunk is received from the network while the previous one is written and
hashed (hashlib and blake3 release the GIL on large buffers).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
import zipfile
from concurrent.futures import Executor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..cache import new_hasher
from ..cache.safety import check_member, check_zip
from ..errors import ChecksumMismatch, DownloadError, UnsafePathError
from ..product import Product

__all__ = ["CHUNK", "Expected", "PartFile", "fsync_dir"]

#: Bytes read from a file per hashing step, and the least handed to a write.
CHUNK = 1 << 20
#: Every this many bytes written, the ``.part`` is flushed to disk in the background, so the
#: fsync before the final rename finds little left to write (a large product's writeback then
#: overlaps its transfer instead of following it).
SYNC_EVERY = 64 << 20


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
            try:
                matches = json.loads(self.sidecar.read_text("utf-8")) == asdict(self.expected)
            except (OSError, ValueError):
                matches = False
            if matches and self.part.is_file():
                hasher = new_hasher(self.expected.algorithm)
                length = 0
                fh = open(self.part, "r+b")  # noqa: SIM115 - kept open for the download
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
                    self.length = self.resumed = length
                    return
            # Nothing to resume: the sidecar first (atomically), then an empty .part.
            tmp = self.sidecar.with_name(self.sidecar.name + f".{os.getpid()}.tmp")
            tmp.write_text(self._sidecar_text(), "utf-8")
            os.replace(tmp, self.sidecar)
            self._fh = open(self.part, "wb")  # noqa: SIM115 - kept open for the download
            self._hasher = new_hasher(self.expected.algorithm)
            self.length = self.resumed = 0

    # -- writing ---------------------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        with self._io:
            self._fh.write(data)
            self._hasher.update(data)
            self._unsynced += len(data)
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

    async def write(self, data: bytes) -> None:
        """Append ``data``: waits for the previous write, then hands this one to a thread."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            await pending
        self._pending = asyncio.get_running_loop().run_in_executor(self.executor, self._write, data)
        self.length += len(data)

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
            self.length = 0

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
        exp = self.expected
        if exp.size is not None and self.length != exp.size:
            raise ChecksumMismatch(
                f"{self.final.name}: received {self.length} bytes, CDSE says {exp.size}"
            )
        if exp.algorithm == "size":
            if _is_zip(self.part) or self.final.suffix.lower() == ".zip":
                try:
                    check_zip(self.part)  # no checksum published: the archive's own CRCs instead
                except UnsafePathError:
                    raise
                except DownloadError as err:
                    raise ChecksumMismatch(f"{self.final.name}: {err.message}") from err
            return str(self.length)
        if digest.lower() != exp.checksum:
            raise ChecksumMismatch(
                f"{self.final.name}: {exp.algorithm} {digest} does not match CDSE's {exp.checksum}"
            )
        if _is_zip(self.part):
            _check_members(self.part)
        return digest

    async def commit(self) -> Path:
        """Rename the verified ``.part`` to the final path (atomic) and drop the sidecar."""
        await self.drain()
        return await self._call(self._commit)

    def _commit(self) -> Path:
        with self._io:
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

    def _close(self) -> None:
        with self._sync:
            if self._fh is not None:
                with contextlib.suppress(OSError):
                    self._fh.close()
                self._fh = None


def _is_zip(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _check_members(path: Path) -> None:
    """Every member name of a verified zip is safe to unpack (the central directory only)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        # The bytes are what CDSE published (the checksum matched): report, do not hide them.
        raise DownloadError(
            f"{path.name}: verified by checksum but not a readable zip: {err}"
        ) from err
    for name in names:
        check_member(name)
