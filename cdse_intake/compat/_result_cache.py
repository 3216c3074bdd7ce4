"""A folder of search results, one JSON file per query: ``fetch_data(cache_dir=...)``.

The file is named by the MD5 of the query's keywords; it holds the products' records (times as
``{"$time": iso}``) and is reused without any request. A damaged file is ignored (asked again).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..product import Product

__all__ = ["cache_file", "cache_load", "cache_store"]


def cache_file(cache: Path | None, row: dict[str, Any]) -> Path | None:
    if cache is None:
        return None
    text = json.dumps(row, sort_keys=True, default=str)
    return cache / f"{hashlib.md5(text.encode()).hexdigest()}.json"  # noqa: S324 - a key


_TIMES = ("start", "end", "published", "modified")
_KEPT = ("id", "name", "collection", "product_type", "footprint", "size", "s3_path", "online")


def cache_load(cache: Path | None, row: dict[str, Any]) -> list[Product] | None:
    from datetime import datetime

    path = cache_file(cache, row)
    if path is None or not path.is_file():
        return None

    def when(value: Any) -> Any:
        return datetime.fromisoformat(value["$time"]) if isinstance(value, dict) else value

    try:
        return [
            Product(
                **{k: r[k] for k in _KEPT},
                **{k: when(r[k]) for k in _TIMES},
                checksums=r["checksums"],
                attributes={k: when(v) for k, v in r["attributes"].items()},
            )
            for r in json.loads(path.read_text(encoding="utf-8"))
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # unreadable: asked again


def cache_store(cache: Path | None, row: dict[str, Any], products: list[Product]) -> None:
    path = cache_file(cache, row)
    if path is None:
        return

    def plain(value: Any) -> Any:
        return {"$time": value.isoformat()} if hasattr(value, "isoformat") else value

    records = [
        {
            **{k: getattr(p, k) for k in _KEPT},
            **{k: plain(getattr(p, k)) for k in _TIMES},
            "footprint": dict(p.footprint) if p.footprint else None,
            "checksums": dict(p.checksums),
            "attributes": {k: plain(v) for k, v in p.attributes.items()},
        }
        for p in products
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(records), encoding="utf-8")
    tmp.replace(path)  # a crash leaves no half-written cache entry
