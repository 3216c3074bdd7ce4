"""What every download of a process shares, made on first use: file threads and cache indexes.

A download call used to start its own thread pool and open its own cache index: each new
thread then opened its own SQLite connection (the index keeps one per thread), so every call
paid the pool's start and the index's opening again -- most of a small product's time in a
second call. Here one pool per process does the file work of every call (its threads keep their
index connections), and one :class:`~cdse_intake.cache.ProductCache` per cache folder serves
them. Both are made lazily, under a lock, and made again in a forked child (a pool's threads
and SQLite connections do not survive a fork). The login is shared the same way, one
:class:`~cdse_intake.auth.TokenProvider` per account and process (:mod:`cdse_intake.auth.shared`).

Recording a verified product in the index also writes its folder's marker under a file lock
that waiters poll every 50 ms: the downloads of a batch, ending together, waited on each other's
lock for most of a small product's time (7 products of 1 MB: 0.04-0.15 s after the last file
was in place). :func:`record_verified` makes them take turns on a lock within the process first,
so the file lock only ever waits for another process. :func:`warm_index` makes a new cache's
index (SQLite's WAL switch and schema: 10-150 ms of fsyncs) while the first bytes arrive, not
after the first file is verified.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..cache import ProductCache
from ..product import Product

__all__ = ["FILE_THREADS", "file_executor", "product_cache", "record_verified", "warm_index"]

#: Threads of the process's file pool (writes, hashing, fsync, the index): a few per connection
#: of a full service account, which is also at most this many index connections per cache.
FILE_THREADS = 32

_lock = threading.Lock()
_pid = -1
_executor: ThreadPoolExecutor | None = None
_caches: dict[Path, ProductCache] = {}
_records: dict[Path, threading.Lock] = {}


def _current() -> None:
    """Forget what a parent process made (call with the lock held)."""
    global _pid, _executor
    if _pid != os.getpid():
        _pid, _executor = os.getpid(), None
        _caches.clear()
        _records.clear()  # a lock held by a thread of the parent would never be released


def file_executor() -> ThreadPoolExecutor:
    """The process's pool for download file work (its threads start as they are needed)."""
    global _executor
    with _lock:
        _current()
        if _executor is None:
            _executor = ThreadPoolExecutor(FILE_THREADS, thread_name_prefix="cdse-download")
        return _executor


def product_cache(root: str | os.PathLike[str]) -> ProductCache:
    """The process's :class:`ProductCache` of the cache folder ``root``."""
    key = Path(root).expanduser().absolute()
    with _lock:
        _current()
        cache = _caches.get(key)
        if cache is None:
            cache = _caches[key] = ProductCache(key)
        return cache


def record_verified(
    cache: ProductCache,
    product: Product,
    path: str | os.PathLike[str],
    algorithm: str,
    checksum: str,
) -> Any:
    """``cache.record(...)``, one call at a time per cache folder in this process (blocks)."""
    with _lock:
        _current()
        turn = _records.setdefault(cache.root, threading.Lock())
    with turn:
        return cache.record(product, path, algorithm, checksum)


def warm_index(cache: ProductCache) -> None:
    """Create ``cache``'s index if it has none yet (blocks; a failure is left for the record
    that follows to meet and handle, so it is not raised here)."""
    from ..cache import index_db

    if cache.index_path.exists():
        return
    try:
        cache.root.mkdir(parents=True, exist_ok=True)
        index_db.connect(cache.index_path).close()
    except Exception:  # noqa: S110 - the index's own error handling runs at the record
        pass
