"""How the index degrades instead of aborting: set aside and rebuilt, read-only, in memory.

:class:`~.index.ProductCache` comes here when :func:`.index_db.connect` fails: a damaged index
is set aside and rebuilt from the files (one process at a time, under the ``index`` lock), a
read-only one is opened read-only, and an index that cannot be used at all (damaged in a
read-only cache) is rebuilt in memory once per process. Each says so in one logged line.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import index_db
from .locks import warn_once

if TYPE_CHECKING:
    from .index import ProductCache

__all__ = ["identity", "in_memory", "is_shared", "one_line", "read_only", "repair"]

log = logging.getLogger("cdse_intake.cache")

#: Indexes in memory (a damaged index that cannot be set aside), by path and file identity.
_MEMORY: dict[tuple[str, Any], sqlite3.Connection] = {}
_MEMORY_LOCK = threading.Lock()


def repair(cache: ProductCache, err: BaseException) -> sqlite3.Connection:
    """Set the damaged index aside and rebuild it from the files (one process at a time)."""
    with cache.lock("index"):
        try:  # another process may have rebuilt it meanwhile
            return index_db.connect(cache.index_path, recheck=True)
        except sqlite3.Error as again:
            if index_db.classify(again) != "damaged":
                return in_memory(cache, again)
        try:
            aside = index_db.set_aside(cache.index_path)
            conn = index_db.connect(cache.index_path)
        except (OSError, sqlite3.Error) as move:
            return in_memory(cache, err, f"{one_line(err)}; cannot set it aside: {one_line(move)}")
        indexed, untrusted = index_db.rebuild(conn, cache.root)
    log.warning(
        "the cache index %s was damaged (%s): set aside as %s and rebuilt from the files: "
        "%d products re-verified, %d files not trusted (checked again before any use)",
        cache.index_path,
        one_line(err),
        aside.name,
        indexed,
        untrusted,
    )
    return conn


def read_only(cache: ProductCache, err: BaseException) -> sqlite3.Connection:
    """The index opened read-only: verified products are served, nothing new is recorded."""
    for immutable in (False, True):
        try:
            conn = index_db.connect(cache.index_path, read_only=True, immutable=immutable)
        except sqlite3.Error as again:
            if index_db.classify(again) == "damaged":
                return in_memory(cache, again)
            continue
        warn_once(
            (str(cache.index_path), "read-only"),
            "the cache index %s is read-only (%s): verified products are served, new ones "
            "are not recorded",
            cache.index_path,
            one_line(err),
        )
        return conn
    return in_memory(cache, err)


def in_memory(
    cache: ProductCache, err: BaseException, why: str | None = None
) -> sqlite3.Connection:
    """An index in memory, rebuilt from the files once per process: nothing is kept."""
    key = (str(cache.index_path), identity(cache.index_path))
    with _MEMORY_LOCK:
        conn = _MEMORY.get(key)
        if conn is None:
            conn = index_db.connect(":memory:")
            indexed, untrusted = index_db.rebuild(conn, cache.root)
            _MEMORY[key] = conn
            log.warning(
                "the cache index %s cannot be used (%s): working from an index in memory "
                "rebuilt from the files (%d products re-verified, %d files not trusted); "
                "nothing new is recorded",
                cache.index_path,
                why or one_line(err),
                indexed,
                untrusted,
            )
    return conn


def identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the index file, None when there is none (or it cannot be seen)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def is_shared(conn: sqlite3.Connection) -> bool:
    return any(conn is shared for shared in _MEMORY.values())


def one_line(err: BaseException) -> str:
    """An error as one line: its message (with the type for non-OS errors)."""
    text = str(err) if isinstance(err, OSError) else f"{type(err).__name__}: {err}"
    return " ".join(text.split())
