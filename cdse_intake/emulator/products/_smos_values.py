"""What SMOS products see of the synthetic Earth, on a patch of grid points around the site.

The real products hold a half orbit (~100 000 points of the ISEA 4H9 grid, ~15 km apart); these
hold a :data:`SIDE` x :data:`SIDE` patch of points :data:`SPACING` degrees apart (in latitude;
in longitude widened by 1/cos(latitude) as the DGG's cells are) around the catalogue site.
Grid point ids are a row-major numbering of a global 1/8-degree grid (inferred: the DGG's own
ids are not derived here). The satellite passes at the record's start time; a point's time is
the start plus 8.6 s per degree of latitude from the patch's southern edge (ascending pass).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np

__all__ = ["SIDE", "SPACING", "Patch", "patch"]

SIDE = 24
SPACING = 0.135  # degrees, ~15 km
MISSING = -999.0


@dataclass(frozen=True)
class Patch:
    """A product's grid points and the scene's fields on them (1-D arrays, read-only)."""

    ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    altitude: np.ndarray
    times: tuple[datetime, ...]
    land: np.ndarray
    soil_moisture: np.ndarray
    """m3/m3 on land, :data:`MISSING` on the sea."""
    optical_thickness: np.ndarray
    surface_temperature: np.ndarray
    """K."""
    sss: np.ndarray
    """psu on the sea, :data:`MISSING` on land."""
    sst: np.ndarray
    """degrees C."""
    wind: np.ndarray
    """m/s."""


@lru_cache(maxsize=8)
def patch(lon0: float, lat0: float, start: datetime) -> Patch:
    """The patch around ``(lon0, lat0)`` seen at ``start``."""
    from .. import scene
    from ..scene.climate import climate

    lat0 = float(np.clip(lat0, -80.0, 80.0))
    offsets = (np.arange(SIDE) - (SIDE - 1) / 2) * SPACING
    lat = np.repeat(lat0 + offsets, SIDE)
    lon = np.tile(offsets, SIDE) / np.cos(np.radians(lat)) + lon0
    lon = (lon + 180.0) % 360.0 - 180.0
    ids = (np.floor((90 - lat) * 8) * 2880 + np.floor((lon + 180) * 8) + 1).astype(np.uint32)
    when = start.replace(tzinfo=None)
    land = scene.is_land(lon, lat)
    dry = climate(lon, lat)[2]
    skin = scene.land_surface_temperature(lon, lat, when).astype(np.float64)
    ndvi = np.clip(scene.ndvi(lon, lat, when).astype(np.float64), 0.0, 1.0)
    soil = np.clip(0.42 - 0.22 * dry + 0.03 * np.cos(np.radians(lon * 7)), 0.02, 0.5)
    sst = np.clip(28.0 * np.cos(np.radians(lat)) ** 2 - 1.5, -1.8, 30.0)
    sss = 34.6 + 1.6 * np.exp(-(((np.abs(lat) - 25.0) / 12.0) ** 2)) - 0.8 * (np.abs(lat) > 55)
    wind = 7.0 + 3.0 * np.sin(np.radians(3 * lat)) + np.cos(np.radians(2 * lon))
    base = lat.min()
    times = tuple(start + timedelta(seconds=round(float(v - base) * 8.6, 3)) for v in lat)
    arrays = {
        "ids": ids,
        "lon": lon,
        "lat": lat,
        "altitude": np.where(land, 150.0 + 600.0 * np.clip(dry - 0.8, 0, None), 0.0),
        "land": land,
        "soil_moisture": np.where(land, soil, MISSING),
        "optical_thickness": np.where(land, 0.05 + 0.6 * ndvi, MISSING),
        "surface_temperature": skin,
        "sss": np.where(land, MISSING, sss),
        "sst": sst,
        "wind": wind,
    }
    for array in arrays.values():
        array.flags.writeable = False
    return Patch(times=times, **arrays)
