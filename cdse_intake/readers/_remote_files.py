"""Remote raster files kept open between reads, each with its header cached.

GDAL reads a remote raster through rasterio's Python opener, and a read opens, reads and closes
the dataset in one call (see :mod:`.raster`): every read parses the file's header again. For a
JPEG 2000 tile of Sentinel-2 that is a 64 kB range request per read, as much as the pixels a
small window needs. Here the fsspec file objects outlive the dataset: the last
:data:`KEEP` files a process read stay open, keyed by their filesystem and path (a product's
files never change on CDSE: a reprocessing is a new product), and each keeps its first block (the
header) for its lifetime besides fsspec's read-ahead. A file is lent to one reader at a time,
with, for one read, an overlay of bytes fetched ahead (a JPEG 2000 window's tile-parts: see
:mod:`._jp2_window`) that answers the reads it can before the network is asked.
"""

from __future__ import annotations

import collections
import os
import threading
from typing import Any

from fsspec.caching import ReadAheadCache, register_cache

__all__ = ["KEEP", "REMOTE_BLOCK", "HeadReadahead", "borrow", "forget", "service_of"]

#: Read-ahead of remote raster files: a JPEG 2000 main header is a few kB and each tile-part
#: header a few bytes, so small read-aheads keep a small window's transfer close to its need.
REMOTE_BLOCK = 2**16
#: Remote files kept open per process (each holds at most two blocks: its head, its read-ahead).
KEEP = 64


class HeadReadahead(ReadAheadCache):
    """fsspec's read-ahead, plus the file's first block kept for good (GDAL re-reads the header
    each time it opens the file)."""

    name = "cdse-head-readahead"

    def __init__(self, blocksize: int, fetcher: Any, size: int) -> None:
        super().__init__(blocksize, fetcher, size)
        self.head = b""

    def _fetch(self, start: int | None, end: int | None) -> bytes:
        start = 0 if start is None else start
        end = self.size if end is None or end > self.size else end
        if self.head and start < len(self.head):
            self.hit_count += 1
            if end <= len(self.head):
                return self.head[start:end]
            return self.head[start:] + super()._fetch(len(self.head), end)
        out = super()._fetch(start, end)
        if not self.head and self.start == 0:
            self.head = self.cache[: max(self.blocksize, end)]
        return out


register_cache(HeadReadahead, clobber=True)

_lock = threading.Lock()
_idle: collections.OrderedDict[tuple[Any, str], Any] = collections.OrderedDict()


def borrow(fs: Any, path: str, overlay: Any = None) -> _Borrowed:
    """An open file of ``path`` on ``fs``, the one a previous read left if any; closing it
    returns it for the next read. ``overlay``: an object whose ``read_at(pos, size)`` gives
    the bytes it knows from ``pos`` on (``b""``: none), asked before the file."""
    if path == "test":
        # rasterio probes a callable opener with the path "test" when it registers it: on
        # CDSE that was a catalogue search for a product named "test" at every open
        raise FileNotFoundError(path)
    key = (service_of(fs), path)
    with _lock:
        f = _idle.pop(key, None)
    if f is None or f.closed:
        f = fs.open(path, "rb", block_size=REMOTE_BLOCK, cache_type=HeadReadahead.name)
    return _Borrowed(f, key, overlay)


def service_of(fs: Any) -> str:
    """Which service ``fs`` reads (its class and options, hashed): equal for every copy of one
    filesystem (dask tasks unpickle their own), different for two services."""
    from fsspec.utils import tokenize

    return tokenize(type(fs).__qualname__, getattr(fs, "storage_options", id(fs)))


def forget() -> None:
    """Close every kept file (after a fork, or to free their buffers)."""
    with _lock:
        files = list(_idle.values())
        _idle.clear()
    for f in files:
        f.close()


def _give_back(key: tuple[Any, str], f: Any) -> None:
    evicted = []
    with _lock:
        old = _idle.pop(key, None)
        if old is not None and old is not f:
            evicted.append(old)
        _idle[key] = f
        while len(_idle) > KEEP:
            evicted.append(_idle.popitem(last=False)[1])
    for old in evicted:
        old.close()


class _Borrowed:
    """The file as GDAL sees it: reads go to the overlay, then the file; ``close`` gives it
    back."""

    def __init__(self, f: Any, key: tuple[Any, str], overlay: Any = None) -> None:
        self._f = f
        self._key = key
        self._overlay = overlay
        self.closed = False
        f.seek(0)

    def read(self, size: int = -1) -> bytes:
        if self._overlay is not None and size is not None and size > 0:
            pos = self._f.tell()
            # possibly fewer bytes than asked (GDAL's readers ask again for the rest)
            data = self._overlay.read_at(pos, size)
            if data:
                self._f.seek(pos + len(data))
                return data
        return self._f.read(size)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._f.seek(offset, whence)

    def tell(self) -> int:
        return self._f.tell()

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            _give_back(self._key, self._f)

    def __enter__(self) -> _Borrowed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)


if hasattr(os, "register_at_fork"):  # a child must not share the parent's connections' files
    os.register_at_fork(after_in_child=lambda: _idle.clear())
