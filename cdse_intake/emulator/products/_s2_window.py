"""Where a Sentinel-2 granule lies: its UTM window and the lon/lat of its pixel centres.

The granule is a 3.66 km window of the tile's real UTM grid (366 x 366 pixels at 10 m), centred
(to 60 m) on the catalogue site, or, when the synthetic Earth's coast passes within
:data:`COAST_REACH_KM` of the site, on the nearest point of that coast: coastal sites then show
land and sea, as a real tile around them does. The window stays well inside the record's
footprint (±0.55° by ±0.45° around the site).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from ._geo import UtmWindow, utm_window

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["COAST_REACH_KM", "WINDOW", "granule_centre", "granule_window", "lonlat"]

WINDOW = 3660  # metres
#: How far (km) a granule moves from its site to show the nearest coast.
COAST_REACH_KM = 20.0
_STEP_KM = 0.5  # spacing of the land samples the coast is looked for on


def granule_window(entry: Entry) -> UtmWindow:
    """The UTM window the granule's rasters cover (see the module docstring)."""
    lon, lat = granule_centre(float(entry.extra["lon"]), float(entry.extra["lat"]))
    return utm_window(entry.extra["tile"], lon, lat, WINDOW)


@lru_cache(maxsize=256)
def granule_centre(lon: float, lat: float) -> tuple[float, float]:
    """The site ``(lon, lat)``, or the nearest coast point within :data:`COAST_REACH_KM`."""
    from ..scene import is_land

    k = math.ceil(COAST_REACH_KM / _STEP_KM)
    km = _STEP_KM * np.arange(-k, k + 1)
    east, north = np.meshgrid(km, km[::-1])
    dlon = east / (111.32 * math.cos(math.radians(lat)))
    dlat = north / 110.57
    land = is_land(lon + dlon, lat + dlat)
    if land.all() or not land.any():
        return lon, lat
    sea = np.pad(~land, 1, mode="edge")
    coast = land & (sea[:-2, 1:-1] | sea[2:, 1:-1] | sea[1:-1, :-2] | sea[1:-1, 2:])
    distance = np.where(coast, np.hypot(east, north), np.inf)
    at = np.unravel_index(np.argmin(distance), distance.shape)
    if not distance[at] <= COAST_REACH_KM:
        return lon, lat
    return (float(lon + dlon[at] + 180.0) % 360.0 - 180.0, float(lat + dlat[at]))


@lru_cache(maxsize=64)
def lonlat(window: UtmWindow, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (float64, read-only) of the pixel centres at ``resolution``.

    Projected exactly on a grid of about one node per 8 pixels and interpolated bilinearly in
    between: over a few kilometres UTM is flat to far below a millimetre, and a 10 m grid costs
    a few milliseconds instead of ~25.
    """
    from rasterio.warp import transform

    n = window.shape(resolution)[0]
    m = min(n, 2 + n // 8)
    nodes = np.linspace(0.0, n - 1.0, m)
    x = window.x0 + resolution * (nodes + 0.5)
    y = window.y0 - resolution * (nodes + 0.5)
    xx, yy = np.meshgrid(x, y)
    lon, lat = (
        np.asarray(v).reshape(m, m)
        for v in transform(f"EPSG:{window.epsg}", "EPSG:4326", xx.ravel(), yy.ravel())
    )
    lon = lon[0, 0] + (lon - lon[0, 0] + 180.0) % 360.0 - 180.0  # continuous across ±180°
    at = np.arange(n) * ((m - 1) / (n - 1))
    cell = np.minimum(at.astype(np.int64), m - 2)
    w = at - cell
    out = []
    for grid in (lon, lat):
        across = grid[:, cell] + w * (grid[:, cell + 1] - grid[:, cell])  # (m, n)
        out.append(across[cell] + w[:, None] * (across[cell + 1] - across[cell]))
    lon_out = (out[0] + 180.0) % 360.0 - 180.0
    for a in (lon_out, out[1]):
        a.flags.writeable = False
    return lon_out, out[1]
