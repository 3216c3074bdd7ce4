"""Footprints and content periods the per-mission modules do not have: altimeter and
radiometer ground tracks, whole-degree tiles, the whole globe, and fixed periods (months,
quarters, dekads) with the record dates that follow them.

Tracks stay within ±180° of longitude (their start is chosen so), so they need no split.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from .common import box

__all__ = ["globe", "period_times", "tile", "track"]


def track(lon: float, lat_span: float, width: float, drift: float) -> dict[str, Any]:
    """A ground track ``width`` degrees wide from ``-lat_span`` to ``lat_span`` degrees of
    latitude, drifting ``drift`` degrees east on the way (the Earth turning under the orbit);
    placed so that it stays on one side of the antimeridian."""
    west = max(-180.0 + width, min(180.0 - width - abs(drift), lon - abs(drift) / 2))
    ring = [
        [west - width, -lat_span],
        [west + width, -lat_span],
        [west + abs(drift) + width, lat_span],
        [west + abs(drift) - width, lat_span],
    ]
    ring = [[round(x, 4), round(y, 4)] for x, y in ring]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def tile(west: float, south: float, size: float = 1.0) -> dict[str, Any]:
    """The ``size``-degree tile whose south-west corner is ``(west, south)``."""
    ring = box(west + size / 2, south + size / 2, size / 2, size / 2)
    return {"type": "Polygon", "coordinates": [ring]}


def globe(south: float = -90.0, north: float = 90.0) -> dict[str, Any]:
    """The whole globe between two latitudes (global products: CAMS fields, CLMS maps)."""
    ring = [[-180.0, south], [180.0, south], [180.0, north], [-180.0, north], [-180.0, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def period_times(rng: random.Random, start: datetime, end: datetime) -> dict[str, Any]:
    """A record's dates for a product covering exactly ``start``-``end`` (a month, a quarter,
    a dekad): made days after the period, published minutes after, modified up to a week
    after, the checksum seconds after publication."""
    origin = end + timedelta(days=rng.uniform(2, 20), microseconds=rng.randint(0, 999_999))
    publication = origin + timedelta(minutes=rng.uniform(5, 600))
    return {
        "start": start,
        "end": end,
        "origin": origin,
        "publication": publication,
        "modification": publication + timedelta(minutes=rng.uniform(0, 60 * 24 * 7)),
        "checksum_date": publication + timedelta(seconds=rng.uniform(1, 30)),
    }
