"""Auditing the index: is each verified file ok, missing or corrupt; finding moved ones again.

A file that is gone (its folder moved or deleted) is *missing*: nothing is wrong with the data,
the index only points at the old place. A file that is there but differs (size, checksum, a zip
whose CRC fails) is *corrupt*. :func:`relink` looks for missing files in folders the user names
(through the markers of :mod:`.markers`, else by file name), checks each candidate's size and
checksum, and points the index at it; products listed by a marker that the index forgot are
adopted again. :func:`forget_missing` drops the entries of missing files (no file is touched).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CDSEError, ConfigurationError
from ..product import Product
from . import markers
from .checksums import hash_file
from .safety import check_zip

if TYPE_CHECKING:
    from .index import CacheEntry, ProductCache

__all__ = ["STATUSES", "Relinked", "forget_missing", "is_missing", "relink", "same_file", "status"]

STATUSES = ("ok", "missing", "corrupt")
"""What :func:`status` says of an indexed file."""


@dataclass(frozen=True)
class Relinked:
    """A product found again: ``old`` is where the index had it (None: it was adopted)."""

    id: str
    name: str
    old: Path | None
    new: Path


def is_missing(path: Path) -> bool:
    """Whether nothing is at ``path`` any more (a dangling symlink counts as nothing)."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


def same_file(path: Path, size: int, algorithm: str, checksum: str) -> bool:
    """``path`` is a regular file of ``size`` bytes whose checksum (or zip) checks out."""
    try:
        st = os.lstat(path)  # a symlink is never taken for the file itself
        if not stat.S_ISREG(st.st_mode) or st.st_size != size:
            return False
        if algorithm == "size":
            if path.suffix.lower() == ".zip":
                check_zip(path)
            return True
        return hash_file(path, algorithm) == checksum.lower()
    except (OSError, CDSEError):
        return False


def status(entry: CacheEntry) -> str:
    """``ok``, ``missing`` (no file at the indexed path) or ``corrupt`` (a different file)."""
    if is_missing(entry.path):
        return "missing"
    try:
        if not stat.S_ISREG(os.stat(entry.path).st_mode):
            return "corrupt"
    except OSError:
        return "corrupt"
    return "ok" if same_file(entry.path, entry.size, entry.algorithm, entry.checksum) else "corrupt"


def _folders(look_in: Iterable[str | os.PathLike[str]]) -> list[Path]:
    found = []
    for given in look_in:
        folder = Path(given).expanduser().absolute()
        if not folder.is_dir():
            raise ConfigurationError(
                f"cannot look in {str(given)!r}: not a folder; expected the folder the products "
                "were moved to (or one above it)"
            )
        found.append(folder)
    return found


def relink(
    cache: ProductCache,
    look_in: Iterable[str | os.PathLike[str]],
    ids: Iterable[str] | None = None,
) -> list[Relinked]:
    """Find the missing files of the index (all, or ``ids``) under the ``look_in`` folders.

    Candidates are the files the folders' markers list under the product's id, then files of
    the same name; the first whose size and checksum match becomes the indexed file. Products a
    marker lists and the index lacks are checked the same way and recorded. Symlinks are never
    followed nor taken. Returns what was found, in index order.
    """
    folders = _folders(look_in)
    wanted = None if ids is None else {str(i) for i in ids}
    entries = cache.entries()
    indexed = {e.id for e in entries}
    missing = [e for e in entries if (wanted is None or e.id in wanted) and is_missing(e.path)]
    names = {e.path.name for e in missing}
    marked: dict[str, list[markers.MarkedProduct]] = {}
    by_name: dict[str, list[Path]] = {}
    for folder in folders:
        for here, _dirs, files in os.walk(folder, followlinks=False):
            if markers.MARKER in files:
                for item in markers.read(here):
                    marked.setdefault(item.id, []).append(item)
            for name in names.intersection(files):
                by_name.setdefault(name, []).append(Path(here) / name)
    found: list[Relinked] = []
    for entry in missing:
        candidates = [m.path for m in marked.get(entry.id, ())]
        candidates += by_name.get(entry.path.name, [])
        for candidate in dict.fromkeys(candidates):
            if same_file(candidate, entry.size, entry.algorithm, entry.checksum):
                cache.relocate(entry.id, candidate)
                found.append(Relinked(entry.id, entry.name, entry.path, candidate))
                break
    for product_id, items in marked.items():
        if product_id in indexed or (wanted is not None and product_id not in wanted):
            continue
        for item in items:
            if same_file(item.path, item.size, item.algorithm, item.checksum):
                product = Product(id=product_id, name=item.name, size=item.size)
                cache.record(product, item.path, item.algorithm, item.checksum)
                found.append(Relinked(product_id, item.name, None, item.path))
                break
    return found


def forget_missing(cache: ProductCache, ids: Iterable[str] | None = None) -> list[CacheEntry]:
    """Drop the index entries (all, or ``ids``) whose file is missing; returns them."""
    wanted = None if ids is None else {str(i) for i in ids}
    gone = [e for e in cache.entries() if (wanted is None or e.id in wanted) and is_missing(e.path)]
    for entry in gone:
        cache.forget(entry.id)
    return gone
