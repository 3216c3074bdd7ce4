"""What every download of a process shares, made on first use: file threads and cache indexes.

A download call used to start its own thread pool and open its own cache index: each new
thread then opened its own SQLite connection (the index keeps one per thread), so every call
paid the pool's start and the index's opening again -- most of a small product's time in a
second call. Here one pool per process does the file work of every call (its threads keep their
index connections), and one :class:`~cdse_intake.cache.ProductCache` per cache folder serves
them. Both are made lazily, under a lock, and made again in a forked child (a pool's threads
and SQLite connections do not survive a fork). The login is shared the same way, one
:class:`~cdse_intake.auth.TokenProvider` per account and process (:mod:`cdse_intake.auth.shared`).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..cache import ProductCache

__all__ = ["FILE_THREADS", "file_executor", "product_cache"]

#: Threads of the process's file pool (writes, hashing, fsync, the index): a few per connection
#: of a full service account, which is also at most this many index connections per cache.
FILE_THREADS = 32

_lock = threading.Lock()
_pid = -1
_executor: ThreadPoolExecutor | None = None
_caches: dict[Path, ProductCache] = {}


def _current() -> None:
    """Forget what a parent process made (call with the lock held)."""
    global _pid, _executor
    if _pid != os.getpid():
        _pid, _executor = os.getpid(), None
        _caches.clear()


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
