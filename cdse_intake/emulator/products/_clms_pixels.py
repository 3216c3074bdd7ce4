"""CLMS NDVI 300 m pixels: the synthetic Earth's vegetation (:mod:`..scene`) as the dekadal
NDVI product encodes it.

Every pixel centre of the window is a point of the scene, seen on the middle day of the product's
period (its ten-day composite):

- sea (the scene's land mask, :func:`..scene.is_land`): flag 254, as CLMS flags sea;
- no observation (flag 255) where the sun at local noon stays below :data:`MIN_SUN_ELEVATION`
  (the polar night: OLCI sees nothing). Assumed: the real cut-off is unverified;
- land: the scene's NDVI, ``(B08 - B04) / (B08 + B04)`` of its surface reflectance
  (:func:`..scene.ndvi`, with its phenology: green in the local summer, bare fields in winter),
  as ``DN = round((NDVI + 0.08) / 0.004)`` clipped to 0..250. It is computed from the land cover
  and green fraction (:func:`..scene.surface.ndvi_of`): the reflectance's brightness texture
  scales both bands and cancels in the ratio, and skipping it saves a fifth of the time.

The land mask of a window is the same on every date and cached per window.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np

__all__ = ["MIN_SUN_ELEVATION", "Encoding", "dn_window", "lonlat", "middle"]

#: Below this noon sun elevation (degrees) a dekad has no observation.
MIN_SUN_ELEVATION = 10.0
#: ``(scale, offset, last valid DN, sea flag, missing flag)``: ``NDVI = DN * scale + offset``.
Encoding = tuple[float, float, int, int, int]
CHUNK = 65536


def lonlat(west: float, north: float, size: int, pixel: float) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of the pixel centres of the ``size`` x ``size`` window whose upper-left corner
    is ``(west, north)``: a column of longitudes and a row of latitudes (broadcasting)."""
    index = np.arange(size) + 0.5
    return (west + index * pixel)[None, :], (north - index * pixel)[:, None]


@lru_cache(maxsize=16)
def _land(west: float, north: float, size: int, pixel: float) -> np.ndarray:
    """The scene's land mask on the window (read-only): the same on every date."""
    from ..scene import is_land

    lon, lat = lonlat(west, north, size, pixel)
    land = is_land(lon, lat)
    land.flags.writeable = False
    return land


def _dark_rows(lat: np.ndarray, when: datetime) -> np.ndarray:
    """Rows whose noon sun is below :data:`MIN_SUN_ELEVATION` on ``when``'s day."""
    from ..scene.climate import sun_position

    noon = datetime(when.year, when.month, when.day, 12)
    zenith, _ = sun_position(np.zeros_like(lat), lat, noon)  # local noon at 0°: UTC noon
    return 90.0 - zenith < MIN_SUN_ELEVATION


@lru_cache(maxsize=8)
def dn_window(
    west: float, north: float, size: int, pixel: float, when: datetime, encoding: Encoding
) -> np.ndarray:
    """The window's digital numbers (uint8, read-only) on ``when``."""
    from ..scene.surface import land_cover, ndvi_of

    scale, offset, top, sea, missing = encoding
    lon, lat = lonlat(west, north, size, pixel)
    land = _land(west, north, size, pixel)
    out = np.full((size, size), sea, np.uint8)
    dark = _dark_rows(lat[:, 0], when)
    out[dark[:, None] & land] = missing
    rows, cols = np.nonzero(land & ~dark[:, None])
    for part in range(0, rows.size, CHUNK):  # slices: temporaries stay in cache
        r, c = rows[part : part + CHUNK], cols[part : part + CHUNK]
        cls, green, _ = land_cover(lon[0, c], lat[r, 0], when)
        dn = np.rint((ndvi_of(cls, green) - offset) / scale)
        out[r, c] = np.clip(dn, 0, top)
    out.flags.writeable = False
    return out


def middle(start: datetime, end: datetime) -> datetime:
    """The middle of a composite's period, to the second, without its time zone."""
    mid = start + (end - start) / 2
    return (mid - timedelta(microseconds=mid.microsecond)).replace(tzinfo=None)
