"""Output grids of the land cuts: the requested area in the requested CRS at the dataset's pixel.

Real (CLMS download docs): the area is a NUTS region or a ``BoundingBox`` in EPSG:4326; the
output CRS one of the dataset's projections. Emulated: the area's bounds are transformed to the
CRS and snapped outwards to whole pixels of the dataset's resolution (metres in a projected CRS;
in degrees the CGLS grids: 1/1008° at 100 m, 1/336° at 300 m, 1/112° at 1 km, else the metres
over 111,320 m rounded to a 1/n degree), the CGLS grids with pixel centres (not edges) on
multiples of the pixel, as the products themselves; EPSG:4258 is taken as EPSG:4326 (ETRS89 and
WGS 84 part by less than a metre). An output over :data:`MAX_SIDE` pixels on a side is refused
[unverified: the real limit is an area, checked at request time; FME's own limits are unknown].
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .datasets import Dataset

if TYPE_CHECKING:
    from ..products._gridded_cog import Grid

__all__ = ["GEOGRAPHIC", "MAX_SIDE", "OutputTooLarge", "lonlat", "output_grid", "pixel_size"]

MAX_SIDE = 2000
GEOGRAPHIC = ("EPSG:4326", "EPSG:4258")
_CGLS_DEGREES = {100.0: 1 / 1008, 300.0: 1 / 336, 1000.0: 1 / 112, 5000.0: 1 / 20, 12500.0: 0.1}


class OutputTooLarge(ValueError):
    """The cut would exceed the emulator's output size."""


def pixel_size(ds: Dataset, crs: str) -> float:
    """The dataset's pixel in ``crs`` units (degrees or metres)."""
    if crs not in GEOGRAPHIC:
        return ds.resolution
    return _CGLS_DEGREES.get(ds.resolution) or 1 / max(1, round(111_320 / ds.resolution))


def output_grid(
    bbox: tuple[float, float, float, float], crs: str, ds: Dataset, *, cells: int | None = None
) -> Grid:
    """The grid covering ``bbox`` (west, south, east, north in degrees) in ``crs``.

    ``cells``: at most that many pixels a side, coarser than the dataset (vector outputs)."""
    from ..products._gridded_cog import Grid  # the products package is heavy: import on use

    west, south, east, north = bbox
    if crs in GEOGRAPHIC:
        minx, miny, maxx, maxy = west, south, east, north
    else:
        from rasterio.warp import transform_bounds

        minx, miny, maxx, maxy = transform_bounds("EPSG:4326", crs, west, south, east, north)
    px = pixel_size(ds, crs)
    # the CGLS lat/lon grids have their pixel centres on multiples of the pixel (edges half a
    # pixel off), as the products CDSE holds: a cut keeps the dataset's own grid
    half = 0.5 if crs in GEOGRAPHIC and ds.resolution in _CGLS_DEGREES else 0.0
    i0, i1 = math.floor(minx / px + half + 1e-9), math.ceil(maxx / px + half - 1e-9)
    j0, j1 = math.floor(miny / px + half + 1e-9), math.ceil(maxy / px + half - 1e-9)
    width, height = max(1, i1 - i0), max(1, j1 - j0)
    x0, y1 = (i0 - half) * px, (j1 - half) * px
    if cells is not None:
        n, m = min(cells, width), min(cells, height)
        return Grid(crs, x0, y1, width * px / n, height * px / m, m, n)
    if width > MAX_SIDE or height > MAX_SIDE:
        raise OutputTooLarge(
            f"the requested area is {width} x {height} pixels at {ds.resolution:g} m "
            f"(at most {MAX_SIDE} x {MAX_SIDE}); request a smaller area"
        )
    return Grid(crs, x0, (j0 - half + height) * px, px, px, height, width)


def lonlat(grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of every pixel centre (2-D).

    Geographic grids: the centres exactly as a reader computes them from the geotransform
    (``x0 + dx * (col + 0.5)``), so tests comparing with :func:`.source.values` match bit for bit.
    """
    if grid.crs in GEOGRAPHIC:
        x, y = grid.centres()
        lon, lat = np.broadcast_arrays(x, y)
        return lon, lat
    from ..products._gridded_cog import lonlat_of

    return lonlat_of(grid)
