"""Brute-force filters over the emulator's own records (what a compat search must return)."""

from __future__ import annotations

import hashlib
import json
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape


def entries(
    emu: Any,
    *,
    collection: str | None = None,
    product_type: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    area: Any = None,
    cloud_max: float | None = None,
    name_contains: str | None = None,
    tile: str | None = None,
) -> list[Any]:
    """Catalogue entries matching every given condition (sensing start in [start, end))."""
    region = shapely.from_wkt(area) if isinstance(area, str) else area
    found = []
    for e in emu.catalogue:
        if collection is not None and e.collection != collection:
            continue
        if product_type is not None and e.product_type != product_type:
            continue
        if start is not None and e.start < start:
            continue
        if end is not None and e.start >= end:
            continue
        if name_contains is not None and name_contains not in e.name:
            continue
        if tile is not None and e.attribute("tileId") != tile:
            continue
        if cloud_max is not None:
            cloud = e.attribute("cloudCover")
            if cloud is None or cloud > cloud_max:
                continue
        if region is not None and (
            e.footprint is None or not shape(e.footprint).intersects(region)
        ):
            continue
        found.append(e)
    return sorted(found, key=lambda e: e.start)


def md5(path: Path) -> str:
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


def token_response(emu: Any, username: str | None = None, password: str | None = None) -> dict:
    """A password grant from the emulator's identity service (what a token script stores)."""
    form = urllib.parse.urlencode(
        {
            "client_id": "cdse-public",
            "grant_type": "password",
            "username": username or emu.username,
            "password": password or emu.password,
        }
    ).encode()
    url = f"{emu.endpoints.identity}/protocol/openid-connect/token"
    with urllib.request.urlopen(url, data=form, timeout=10) as answer:
        return json.loads(answer.read())


def value_requests(emu: Any, **match: Any) -> list[Any]:
    """The ``$value`` (download) requests the emulator answered."""
    return [r for r in emu.state.requests(**match) if r.path.endswith("/$value")]
