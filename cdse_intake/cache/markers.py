"""The marker file of a destination folder: which verified products were downloaded there.

``download(..., dest="data/")`` records each verified product in the cache index with its
absolute path, and in ``data/.cdse-products.json`` with its file name, size and checksum (the
cache's own product folders carry one too: a damaged index is rebuilt from them,
:mod:`.index_db`). The marker moves with the folder, so a moved folder can be found again
(``cdse-intake cache relink NEWDIR``, :func:`~cdse_intake.cache.audit.relink`): the index
learns the new paths, and products
the index forgot meanwhile are adopted again, each checked by size and checksum first::

    {"cdse_intake": "verified products downloaded into this folder", "version": 1,
     "products": {"<id>": {"name": ..., "file": ..., "size": ..., "algorithm": ...,
                           "checksum": ..., "verified_at": ...}}}

Written atomically under a lock (several downloads may end in one folder at once); a marker
that cannot be written costs only this convenience, never a download.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["MARKER", "MarkedProduct", "note", "read"]

MARKER = ".cdse-products.json"
"""The marker's file name in a destination folder."""

_TITLE = "verified products downloaded into this folder"

log = logging.getLogger("cdse_intake.cache")


@dataclass(frozen=True)
class MarkedProduct:
    """A product a marker lists: its id and what its file in the marker's folder must be."""

    id: str
    name: str
    path: Path
    size: int
    algorithm: str
    checksum: str


def read(folder: str | os.PathLike[str]) -> list[MarkedProduct]:
    """The products the marker of ``folder`` lists (none when it has no readable marker)."""
    folder = Path(folder)
    try:
        body = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        products = body["products"]
        return [
            MarkedProduct(
                id=str(product_id),
                name=str(item["name"]),
                path=folder / _plain_name(item["file"]),
                size=int(item["size"]),
                algorithm=str(item["algorithm"]),
                checksum=str(item["checksum"]),
            )
            for product_id, item in products.items()
        ]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        log.warning("ignoring the unreadable marker %s: %s", folder / MARKER, err)
        return []


def _plain_name(name: Any) -> str:
    """A marker's file name, refused unless it is one plain component (never a path)."""
    text = str(name)
    if not text or text in (".", "..") or "/" in text or "\\" in text or "\0" in text:
        raise ValueError(f"file {text!r} is not a plain file name")
    return text


def note(
    lock_folder: Path,
    path: Path,
    product_id: str,
    *,
    name: str,
    size: int,
    algorithm: str,
    checksum: str,
    verified_at: str,
) -> None:
    """Add (or update) one verified product in the marker of ``path``'s folder.

    ``lock_folder`` holds the lock that serialises writers of that marker. Failures are logged,
    not raised: the download they follow succeeded.
    """
    from .locks import SafeLock

    folder = path.parent
    key = hashlib.sha256(str(folder).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    try:
        with SafeLock(lock_folder / f"marker-{key}.lock"):
            body = _load(folder / MARKER)
            body["products"][product_id] = {
                "name": name,
                "file": path.name,
                "size": size,
                "algorithm": algorithm,
                "checksum": checksum,
                "verified_at": verified_at,
            }
            _write(folder / MARKER, body)
    except OSError as err:
        from .locks import warn_once

        warn_once(
            (str(folder), "marker"), "could not note %s in %s: %s", path.name, folder / MARKER, err
        )


def _load(marker: Path) -> dict[str, Any]:
    try:
        body = json.loads(marker.read_text(encoding="utf-8"))
        if isinstance(body, dict) and isinstance(body.get("products"), dict):
            return body
        log.warning("replacing the marker %s: not a cdse_intake marker", marker)
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as err:
        log.warning("replacing the unreadable marker %s: %s", marker, err)
    return {"cdse_intake": _TITLE, "version": 1, "products": {}}


def _write(marker: Path, body: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f"{marker.name}.", suffix=".tmp", dir=marker.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(body, fh, indent=1, sort_keys=True)
            fh.write("\n")
        os.replace(tmp, marker)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
