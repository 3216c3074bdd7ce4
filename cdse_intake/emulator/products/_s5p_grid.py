"""Sentinel-5P L2 swath grid: its size, pixel positions and the arrays every build reuses.

Pixel positions follow :func:`geolocation`: the swath spans the catalogue footprint, scanline 0
is its southern edge (S5P flies ascending), ground pixel 0 its western.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from ._geo import Quad, footprint_quad

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "DIMS3",
    "EPOCH_2010",
    "FILL_FLOAT",
    "FILL_INT32",
    "GROUND_PIXELS",
    "SCANLINES",
    "constant",
    "filled",
    "frozen",
    "geolocation",
    "ground_pixels",
    "lonlat",
]

SCANLINES = 200
GROUND_PIXELS = 50
#: Ground pixels across the swath per product type: real files have 450 (band 4, NO2) and 215
#: (band 7, CO); these keep that ratio.
SWATH_WIDTH = {"L2__CO____": 24}
FILL_FLOAT = np.float32(9.96921e36)
FILL_INT32 = np.int32(-2147483647)
EPOCH_2010 = datetime(2010, 1, 1, tzinfo=UTC)
DIMS3 = ("time", "scanline", "ground_pixel")


def ground_pixels(product_type: str) -> int:
    """Ground pixels across the swath of ``product_type`` (50, CO 24)."""
    return SWATH_WIDTH.get(product_type, GROUND_PIXELS)


def geolocation(entry: Entry, scanline: Any, ground_pixel: Any) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of a pixel; pass ``x.0`` for its centre and ``x ± 0.5`` for its corners."""
    return lonlat(strip_quad(entry), ground_pixels(entry.product_type), scanline, ground_pixel)


def strip_quad(entry: Entry) -> Quad:
    """The swath's four corners: the footprint's own, also for a strip the catalogue split at
    the antimeridian (its parts, unwrapped around the orbit's longitude, make the sheared
    strip again; a bounding box would put pixels outside the footprint)."""
    footprint = entry.footprint or {}
    if footprint.get("type") == "MultiPolygon":
        import shapely

        centre = float(entry.extra.get("lon", 0.0))
        points = [
            (lon + 360.0 * round((centre - lon) / 360.0), lat)
            for polygon in footprint["coordinates"]
            for lon, lat in polygon[0]
        ]
        hull = shapely.MultiPoint(points).convex_hull.simplify(1e-3)
        corners = list(hull.exterior.coords)[:-1] if hull.geom_type == "Polygon" else []
        if len(corners) == 4:
            by_lat = sorted(corners, key=lambda p: p[1])
            (sw, se), (nw, ne) = sorted(by_lat[:2]), sorted(by_lat[2:])
            return Quad(sw=sw, se=se, ne=ne, nw=nw)
    return footprint_quad(entry)


def lonlat(
    quad: Quad, pixels: int, scanline: Any, ground_pixel: Any
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`geolocation` on a footprint ``quad`` with ``pixels`` ground pixels across."""
    u = (np.asarray(ground_pixel, float) + 0.5) / pixels
    v = (np.asarray(scanline, float) + 0.5) / SCANLINES
    return quad.interpolate(u, v)


def frozen(array: np.ndarray) -> np.ndarray:
    """``array`` made read-only (cached arrays are shared between builds)."""
    array.flags.writeable = False
    return array


def filled(values: np.ndarray) -> np.ndarray:
    """``values`` with the fill value for NaN, with a leading ``time`` axis of 1."""
    return np.where(np.isnan(values), FILL_FLOAT, values)[None]


@lru_cache(maxsize=64)
def constant(shape: tuple[int, ...], value: float, dtype: str) -> np.ndarray:
    """A read-only array of ``shape`` filled with ``value``."""
    return frozen(np.full(shape, value, dtype=dtype))
