"""A true-colour picture of the synthetic Earth, for looking at it (and at what the writers see)."""

from __future__ import annotations

import numpy as np

from .climate import When
from .clouds import observed_reflectance

__all__ = ["grid", "render_quicklook"]


def grid(
    lon_range: tuple[float, float],
    lat_range: tuple[float, float],
    step: float | None = None,
    size: int = 512,
) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre lon/lat arrays, north row first, ``step`` degrees apart (else ``size`` wide)."""
    west, east = lon_range
    south, north = lat_range
    if step is None:
        step = max(east - west, north - south) / size
    lon = west + step * (np.arange(max(1, round((east - west) / step))) + 0.5)
    lat = north - step * (np.arange(max(1, round((north - south) / step))) + 0.5)
    return np.meshgrid(lon, lat)


def render_quicklook(
    lon_range: tuple[float, float],
    lat_range: tuple[float, float],
    when: When,
    cover: float = 0.0,
    step: float | None = None,
    size: int = 512,
) -> np.ndarray:
    """(rows, cols, 3) uint8 RGB of B04/B03/B02 with clouds, stretched like a Sentinel-2 TCI."""
    lon, lat = grid(lon_range, lat_range, step, size)
    rgb = observed_reflectance(("B04", "B03", "B02"), lon, lat, when, cover)
    scaled = np.clip(rgb / 0.28, 0.0, 1.0) ** (1.0 / 1.25)
    return np.moveaxis(np.rint(scaled * 255.0), 0, -1).astype(np.uint8)
