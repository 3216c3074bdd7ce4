"""Reuse the results of an identical recent query, so a re-run notebook does not hammer CDSE.

The key is the normalised query (:meth:`Query.to_dict`), the backend, the catalogue root and the
cdse_intake version; entries live under ``<cache_dir>/queries/`` as gzipped JSON and are used
while younger than ``Settings.query_cache_age`` seconds. Only complete result sets are stored.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

from ..product import Product
from ..query import Query

__all__ = ["cache_key", "load", "store"]


def cache_key(query: Query, backend: str, endpoint: str) -> str:
    from .._version import __version__

    text = json.dumps(
        {
            "query": query.to_dict(),
            "stac": list(query.stac_collections),  # CLMS datasets share an OData query
            "backend": backend,
            "endpoint": endpoint,
            "v": __version__,
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _path(cache_dir: Path, key: str) -> Path:
    return cache_dir / "queries" / f"{key}.json.gz"


def load(cache_dir: Path, key: str, max_age: float) -> list[Product] | None:
    """The cached products, or None when absent, too old or unreadable."""
    if max_age <= 0:
        return None
    path = _path(cache_dir, key)
    try:
        if time.time() - path.stat().st_mtime > max_age:
            return None
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return [Product.from_dict(d) for d in json.load(fh)["products"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a damaged entry is only a cache miss


def store(cache_dir: Path, key: str, products: list[Product]) -> None:
    """Store complete results atomically (a failure to cache is never an error)."""
    path = _path(cache_dir, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8") as fh:
            json.dump({"products": [p.to_dict() for p in products]}, fh)
        os.replace(tmp, path)
    except OSError:
        Path(locals().get("tmp", path.with_suffix(".tmp"))).unlink(missing_ok=True)
