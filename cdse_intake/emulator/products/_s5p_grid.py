"""Sentinel-5P L2 swath grid: its size, pixel positions and the arrays every build reuses.

Pixel positions follow :func:`geolocation`: the swath spans the catalogue footprint, scanline 0
is its southern edge (S5P flies ascending), ground pixel 0 its western.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from ._geo import footprint_quad

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
    "expected_qa",
    "frozen",
    "geolocation",
    "ground_pixels",
    "pixel_grid",
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


def expected_qa(scanline: Any, ground_pixel: Any) -> Any:
    """Raw ``qa_value`` (uint8; the file's ``scale_factor`` 0.01 makes it 0..1):
    ``(scanline + 2*ground_pixel) % 101``."""
    s = np.asarray(scanline, dtype=np.int64)
    g = np.asarray(ground_pixel, dtype=np.int64)
    return ((s + 2 * g) % 101).astype(np.uint8)


def geolocation(entry: Entry, scanline: Any, ground_pixel: Any) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of a pixel; pass ``x.0`` for its centre and ``x ± 0.5`` for its corners."""
    quad = footprint_quad(entry)
    u = (np.asarray(ground_pixel, float) + 0.5) / ground_pixels(entry.product_type)
    v = (np.asarray(scanline, float) + 0.5) / SCANLINES
    return quad.interpolate(u, v)


def frozen(array: np.ndarray) -> np.ndarray:
    """``array`` made read-only (cached arrays are shared between builds)."""
    array.flags.writeable = False
    return array


@lru_cache(maxsize=8)
def pixel_grid(pixels: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.indices((SCANLINES, pixels))``, read-only."""
    s, p = np.indices((SCANLINES, pixels))
    return frozen(s), frozen(p)


@lru_cache(maxsize=64)
def constant(shape: tuple[int, ...], value: float, dtype: str) -> np.ndarray:
    """A read-only array of ``shape`` filled with ``value``."""
    return frozen(np.full(shape, value, dtype=dtype))
