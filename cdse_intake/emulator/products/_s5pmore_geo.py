"""A small swath grid of its own size for the L1B and NPP-VIIRS files of :mod:`.sentinel5p_more`.

Placed like the L2 swath (:mod:`._s5p_grid`): the grid spans the catalogue footprint
(:func:`._s5p_grid.strip_quad`), scanline 0 at its southern edge, ground pixel 0 at its western;
only the numbers of scanlines and ground pixels differ. Corners in the files' order (as
:func:`._s5p_pixels.corners`). Scanline times run from the sensing start to its end, in
milliseconds since the day's start (``delta_time``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np

from ..scene.climate import epoch_seconds, sun_position
from ._s5p_grid import strip_quad

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["Grid", "grid"]


@dataclass(frozen=True)
class Grid:
    """Pixel positions ``(scanline, ground_pixel)`` and scanline times of a swath."""

    lon: np.ndarray
    lat: np.ndarray
    lon_bounds: np.ndarray
    """``(scanline, ground_pixel, corner)``."""
    lat_bounds: np.ndarray
    solar_zenith: np.ndarray
    solar_azimuth: np.ndarray
    delta_ms: np.ndarray
    """``(scanline,)`` int32, milliseconds since the sensing day's 00:00 UTC."""
    stamps: list[str]
    """``time_utc`` of each scanline."""


def grid(entry: Entry, scanlines: int, pixels: int) -> Grid:
    """The :class:`Grid` of ``scanlines`` x ``pixels`` over ``entry``'s footprint."""
    quad = strip_quad(entry)
    s, p = np.indices((scanlines, pixels), dtype=np.float64)

    def at(ds: float, dp: float) -> tuple[np.ndarray, np.ndarray]:
        return quad.interpolate((p + 0.5 + dp) / pixels, (s + 0.5 + ds) / scanlines)

    lon, lat = at(0.0, 0.0)
    bounds = [at(ds, dp) for ds, dp in ((-0.5, -0.5), (-0.5, 0.5), (0.5, 0.5), (0.5, -0.5))]
    zenith, azimuth = sun_position(lon, lat, epoch_seconds(entry.start))
    day = entry.start.replace(hour=0, minute=0, second=0, microsecond=0)
    start = (entry.start - day) / timedelta(milliseconds=1)
    span = (entry.end - entry.start) / timedelta(milliseconds=1)
    delta = np.round(start + span * np.arange(scanlines) / max(scanlines - 1, 1))
    delta = delta.astype(np.int32)
    stamps = [
        (day + timedelta(milliseconds=int(t))).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        for t in delta
    ]
    return Grid(
        lon=lon.astype(np.float32),
        lat=lat.astype(np.float32),
        lon_bounds=np.stack([b[0] for b in bounds], axis=-1).astype(np.float32),
        lat_bounds=np.stack([b[1] for b in bounds], axis=-1).astype(np.float32),
        solar_zenith=zenith.astype(np.float32),
        solar_azimuth=(azimuth - 180.0).astype(np.float32),
        delta_ms=delta,
        stamps=stamps,
    )
