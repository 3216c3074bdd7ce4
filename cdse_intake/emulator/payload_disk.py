"""Built products kept on disk, bounded.

The second tier of :class:`.payloads.PayloadStore`: a product built once is written (atomically)
to ``<folder>/payloads-<fingerprint>/<key>.<zip|bin>`` and later opened from there instead of
being built again, by this process or the next one (read back as bytes, like a freshly built
payload, or memory-mapped from :data:`MAP_FROM_BYTES` on). ``key`` digests everything the writer
reads from the record (:func:`.sums_pack.record_key`) and ``fingerprint`` the writers' code and
libraries (:func:`.sums.fingerprint`), so a file is only ever found for the bytes it holds;
folders of other fingerprints are stale and removed when the tier opens.

The folder is ``$CDSE_EMULATOR_CACHE`` (default ``~/.cache/cdse-intake/emulator``; ``off``: no
disk tier) and its size is bounded by ``$CDSE_EMULATOR_PAYLOAD_DISK`` bytes (default 2 GiB): the
least recently used files go first. Failing to write (a full or read-only disk) only means the
product is built again next time.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import re
import shutil
import struct
import threading
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .payloads import Payload

__all__ = ["DiskTier", "mapped_payload"]

DEFAULT_MAX_BYTES = 2 << 30
#: Kept products this big or bigger are memory-mapped; smaller ones are read back as bytes.
MAP_FROM_BYTES = 64 << 20
_FOLDER = re.compile(r"payloads-[0-9a-f]{16}")


class DiskTier:
    """Payload files under ``folder``, at most ``max_bytes`` in all (least recently used out)."""

    def __init__(self, folder: Path, fingerprint: str, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes={max_bytes}: expected a size in bytes, 0 or more")
        self.root = folder / f"payloads-{fingerprint}"
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self.root.mkdir(parents=True, exist_ok=True)
        for other in folder.iterdir():  # other fingerprints: bytes no writer makes any more
            if other != self.root and other.is_dir() and _FOLDER.fullmatch(other.name):
                shutil.rmtree(other, ignore_errors=True)
        self._sizes: dict[Path, int] = {}
        for path in sorted(self.root.iterdir(), key=_mtime):
            if path.name.startswith("."):  # a write another process did not finish
                with contextlib.suppress(OSError):
                    path.unlink()
                continue
            with contextlib.suppress(OSError):
                self._sizes[path] = path.stat().st_size

    @property
    def used(self) -> int:
        """Bytes the tier holds now."""
        with self._lock:
            return sum(self._sizes.values())

    def _path(self, key: int, single_file: bool) -> Path:
        return self.root / f"{key:016x}.{'bin' if single_file else 'zip'}"

    def get(self, key: int, name: str, single_file: bool) -> Payload | None:
        """The payload kept for ``key``, memory-mapped; None if none is (or it is unreadable)."""
        path = self._path(key, single_file)
        try:
            payload = mapped_payload(path, name, single_file)
            os.utime(path)  # recently used
        except (OSError, ValueError, zipfile.BadZipFile):
            return None
        with self._lock:
            self._sizes.pop(path, None)
            self._sizes[path] = payload.size  # most recent last
        return payload

    def put(self, key: int, name: str, payload: Payload) -> Payload:
        """Keep ``payload``; the kept, memory-mapped one (``payload`` itself if it cannot be
        kept: bigger than the whole tier, or the write failed)."""
        size = payload.size
        if size > self.max_bytes:
            return payload
        path = self._path(key, payload.single_file)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
        try:
            with open(tmp, "wb") as f:
                f.write(payload.view())
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
            return payload
        with self._lock:
            self._sizes.pop(path, None)
            self._sizes[path] = size
            self._evict()
        try:
            return mapped_payload(path, name, payload.single_file)
        except (OSError, ValueError, zipfile.BadZipFile):  # evicted by another process meanwhile
            return payload

    def _evict(self) -> None:
        total = sum(self._sizes.values())
        while total > self.max_bytes and self._sizes:
            oldest = next(iter(self._sizes))
            total -= self._sizes.pop(oldest)
            with contextlib.suppress(OSError):
                oldest.unlink()  # a process that mapped it keeps its mapping


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def mapped_payload(
    path: Path, name: str, single_file: bool, map_from: int = MAP_FROM_BYTES
) -> Payload:
    """The payload in file ``path``: read into memory as bytes (``data`` and ``files``, like a
    freshly built one), or memory-mapped when it has ``map_from`` bytes or more (its ``data``
    and ``files`` are then views of the mapping; a zip's members are stored, so each one's
    bytes are contiguous)."""
    from .payloads import Payload

    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            raise ValueError(f"{path} is empty")
        whole: Any = (
            memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
            if size >= map_from
            else f.read()
        )
    if single_file:
        return Payload(files={name: whole}, data=whole, single_file=True, path=str(path))
    prefix = f"{name}/"
    files: dict[str, Any] = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.is_dir() or not info.filename.startswith(prefix):
                continue
            if info.compress_type != zipfile.ZIP_STORED:
                raise ValueError(f"{path}: {info.filename} is compressed")
            start = info.header_offset
            name_len, extra_len = struct.unpack("<HH", whole[start + 26 : start + 30])
            data = start + 30 + name_len + extra_len
            files[info.filename[len(prefix) :]] = whole[data : data + info.file_size]
    return Payload(files=files, data=whole, single_file=False, path=str(path))
