"""MODIS sinusoidal tiles and composite periods of the TerraAqua records.

Real (LP DAAC, MODIS Land grid): 36 x 18 tiles of 1111950.519667 m (10007554.677 m / 9) on a
sphere of 6371007.181 m, ``h`` counted eastwards from -180 deg and ``v`` southwards from the
pole; the ``A<YYYYDDD>`` date of a composite is the first day of its period (8-day steps from
1 January for MCD15A2H, the year for MCD12Q1, the month for MCD64A1; MCD43A4 is daily) and the
production stamp is ``YYYYDDDHHMMSS``.
"""

from __future__ import annotations

import calendar
import math
from datetime import datetime, timedelta
from typing import Any

__all__ = ["RADIUS", "TILE", "period", "production_stamp", "tile_footprint", "tile_of"]

RADIUS = 6371007.181
TILE = 10007554.677 / 9


def tile_of(lon: float, lat: float) -> tuple[int, int]:
    """``(h, v)`` of the tile holding ``(lon, lat)``."""
    y = RADIUS * math.radians(lat)
    x = RADIUS * math.radians(lon) * math.cos(math.radians(lat))
    return min(int((x + 18 * TILE) // TILE), 35), min(int((9 * TILE - y) // TILE), 17)


def tile_footprint(h: int, v: int) -> dict[str, Any]:
    """The tile's outline in lon/lat (its corners, clamped to the globe's edge)."""
    west = (h - 18) * TILE
    ring = []
    for x, y in ((west, (8 - v) * TILE), (west + TILE, (8 - v) * TILE)):
        ring.append(_lonlat(x, y))
    for x, y in ((west + TILE, (9 - v) * TILE), (west, (9 - v) * TILE)):
        ring.append(_lonlat(x, y))
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _lonlat(x: float, y: float) -> list[float]:
    lat = math.degrees(y / RADIUS)
    cos = math.cos(math.radians(lat))
    lon = math.degrees(x / (RADIUS * cos)) if cos > 1e-9 else math.copysign(180.0, x)
    return [round(max(-180.0, min(180.0, lon)), 6), round(lat, 6)]


def period(short_name: str, day: datetime) -> tuple[datetime, float]:
    """``(first day, seconds)`` of the composite of ``short_name`` holding ``day``."""
    day = day.replace(hour=0, minute=0, second=0, microsecond=0)
    if short_name == "MCD15A2H":
        first = day - timedelta(days=(day.timetuple().tm_yday - 1) % 8)
        last = min(first + timedelta(days=8), day.replace(year=day.year + 1, month=1, day=1))
    elif short_name == "MCD12Q1":
        first = day.replace(month=1, day=1)
        last = first.replace(year=first.year + 1)
    elif short_name == "MCD64A1":
        first = day.replace(day=1)
        last = first + timedelta(days=calendar.monthrange(first.year, first.month)[1])
    else:  # MCD43A4: daily
        first, last = day, day + timedelta(days=1)
    return first, (last - first).total_seconds() - 1


def production_stamp(origin: datetime) -> str:
    """``YYYYDDDHHMMSS`` of the production time."""
    return f"{origin:%Y%j%H%M%S}"
