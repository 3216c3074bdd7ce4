"""Cleaning the product cache: partial downloads, files the index does not know, everything.

Never follows a symlink, never touches a file outside the cache root, and never removes the
working files of a download in progress (its product lock is held by another process).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .markers import MARKER
from .safety import ensure_within

if TYPE_CHECKING:
    from .index import ProductCache

__all__ = ["clean", "is_partial"]

log = logging.getLogger("cdse_intake.cache")


def clean(
    cache: ProductCache,
    partial: bool = True,
    unverified: bool = True,
    everything: bool = False,
    *,
    min_age: float = 60.0,
    on_remove: Callable[[Path], None] | None = None,
    on_error: Callable[[Path, OSError], None] | None = None,
) -> int:
    """Remove files from ``cache``; return how many were removed.

    ``partial``: ``.part`` files (and folders) with their ``.part.json`` sidecars, except
    those of a download in progress (its product lock is held). ``unverified``: files under
    ``products/`` with no index entry, and everything in ``quarantine/``. ``everything``: all
    products (their index entries too) and ``indexes/`` (remote files' tile-part indexes). Index
    entries whose file is gone are dropped.

    A file that cannot be tied to a download (no sidecar naming its product) is left alone
    while younger than ``min_age`` seconds, unless ``everything``: a running download may
    have just renamed it into place and not yet recorded it. Only files inside the root
    are touched; symlinks are removed, never followed. ``on_remove`` gets each removed path,
    ``on_error`` each path that could not be removed and why (default: a logged warning; a
    read-only cache is cleaned of nothing, and says so). The folders' markers (:mod:`.markers`)
    stay while their folder holds a product.
    """
    removed = 0
    real_root = Path(os.path.realpath(cache.root))
    indexed = {os.path.realpath(e.path): e for e in cache.entries()}
    cutoff = time.time() - min_age

    def old(path: Path) -> bool:
        try:
            return everything or path.lstat().st_mtime < cutoff
        except OSError:
            return False

    def remove(path: Path) -> bool:
        nonlocal removed
        ensure_within(real_root, path)
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        except OSError as err:
            if on_error is not None:
                on_error(path, err)
            else:
                log.warning("could not remove %s: %s", path, err)
            return False
        removed += 1
        if on_remove:
            on_remove(path)
        return True

    def remove_partial(path: Path) -> None:
        state = _part_state(cache, path)
        if state == "idle" or (state == "unknown" and old(path)):
            remove(path)

    for top in ("products", "quarantine"):
        base = cache.root / top
        if base.is_symlink() or not base.is_dir():
            continue  # a symlinked products/ could point anywhere: never walk it
        for folder, dirs, files in os.walk(base, topdown=True, followlinks=False):
            here = Path(folder)
            for d in list(dirs):
                if (here / d).is_symlink():  # never followed; the link itself is unindexed
                    dirs.remove(d)
                    if unverified or everything:
                        remove(here / d)
                elif d.endswith(".part"):  # an S3 download in progress: never an orphan
                    dirs.remove(d)
                    if partial or everything:
                        remove_partial(here / d)
            for f in sorted(files):
                path = here / f
                if f == MARKER and top == "products" and not path.is_symlink():
                    continue  # the folder's list of verified products: kept while they are
                if is_partial(f):
                    if partial or everything:
                        remove_partial(path)
                    continue
                entry = indexed.get(os.path.realpath(path)) if top == "products" else None
                if path.is_symlink():
                    entry = None  # the index records real files, never links
                if entry is not None and everything:
                    if remove(path):
                        cache.forget(entry.id)
                elif entry is None and (unverified or everything):
                    if _part_state(cache, path.with_name(f + ".part")) == "busy":
                        continue  # being renamed into place by a running download
                    if old(path) and not cache.indexed_now(path):
                        remove(path)
        _prune_empty(base)

    indexes = cache.root / "indexes"  # derived from remote files' headers (readers/_jp2_window)
    if everything and (indexes.is_dir() or indexes.is_symlink()):
        remove(indexes)

    for entry in cache.entries():
        if not os.path.isfile(entry.path):
            cache.forget(entry.id)
    return removed


def _part_state(cache: ProductCache, path: Path) -> str:
    """For a ``.part`` (file or folder) or ``.part.json``: ``busy`` when its sidecar names a
    product whose lock is held, ``idle`` when it names one that nobody downloads now,
    ``unknown`` without a readable sidecar."""
    name = path.name
    if name.endswith(".part.json"):
        sidecar = path
    elif name.endswith(".part"):
        sidecar = path.with_name(name + ".json")
    else:
        return "unknown"
    try:
        product_id = json.loads(sidecar.read_text(encoding="utf-8"))["id"]
    except (OSError, ValueError, KeyError, TypeError):
        return "unknown"
    return "busy" if cache.busy(str(product_id)) else "idle"


def _prune_empty(base: Path) -> None:
    """Remove the empty folders below ``base`` (bottom-up; rmdir refuses non-empty ones); a
    marker left alone in its folder goes first."""
    for folder, _dirs, files in os.walk(base, topdown=False, followlinks=False):
        if files == [MARKER]:
            with contextlib.suppress(OSError):
                os.unlink(Path(folder) / MARKER)
        if Path(folder) != base:
            with contextlib.suppress(OSError):
                os.rmdir(folder)


def is_partial(name: str) -> bool:
    """A download's working file: ``.part``, ``.part.json`` or a sidecar being written."""
    return name.endswith((".part", ".part.json")) or (
        ".part.json." in name and name.endswith(".tmp")
    )
