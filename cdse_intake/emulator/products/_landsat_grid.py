"""Where a Landsat product's pixels lie: a north-up UTM grid over the record's footprint.

Real Collection 2 scenes are ~7,600 x 7,800 pixels of 30 m (15 m panchromatic) in the UTM zone of
the record's ``proj:epsg``, north up, the rotated scene inside with fill around it. The emulator
keeps that layout at a coarse cell: the footprint's UTM bounding box in about :data:`PIXELS`
pixels a side, the cell a multiple of 30 m (~1.5 km for a 185 km scene), the panchromatic grid
at half the cell, pixel centres on multiples of the cell (real grids: on multiples of 30 m);
pixels outside the footprint are fill, as the corners of real scenes are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from ._geo import footprint_quad

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["PIXELS", "Grid", "grid_of"]

PIXELS = 128


@dataclass(frozen=True)
class Grid:
    """A north-up grid: upper-left pixel edge ``(x0, y0)``, ``cell`` metres, EPSG code, and the
    footprint quad's corners in that CRS (SW, SE, NE, NW) that bound the valid pixels."""

    epsg: int
    x0: float
    y0: float
    cell: float
    width: int
    height: int
    quad: tuple[tuple[float, float], ...]

    def half(self) -> Grid:
        """The panchromatic grid: same extent, half the cell."""
        return Grid(
            self.epsg, self.x0, self.y0, self.cell / 2, 2 * self.width, 2 * self.height, self.quad
        )

    def transform(self):
        from affine import Affine

        return Affine(self.cell, 0.0, self.x0, 0.0, -self.cell, self.y0)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Pixel-centre coordinates (x, y) along each axis."""
        x = self.x0 + self.cell * (np.arange(self.width) + 0.5)
        y = self.y0 - self.cell * (np.arange(self.height) + 0.5)
        return x, y


def grid_of(entry: Entry) -> Grid:
    """The product's grid (reflective bands) in the record's ``proj:epsg``."""
    epsg = int(entry.attribute("proj:epsg"))
    q = footprint_quad(entry)
    return _grid(epsg, (q.sw, q.se, q.ne, q.nw))


@lru_cache(maxsize=256)
def _grid(epsg: int, corners: tuple[tuple[float, float], ...]) -> Grid:
    from rasterio.warp import transform

    xs, ys = transform(
        "EPSG:4326", f"EPSG:{epsg}", [c[0] for c in corners], [c[1] for c in corners]
    )
    extent = max(max(xs) - min(xs), max(ys) - min(ys))
    cell = 30.0 * math.ceil(extent / (PIXELS - 1) / 30.0)
    left, right = cell * math.floor(min(xs) / cell), cell * math.ceil(max(xs) / cell)
    bottom, top = cell * math.floor(min(ys) / cell), cell * math.ceil(max(ys) / cell)
    return Grid(
        epsg=epsg,
        x0=left - cell / 2,
        y0=top + cell / 2,
        cell=cell,
        width=round((right - left) / cell) + 1,
        height=round((top - bottom) / cell) + 1,
        quad=tuple(zip(xs, ys, strict=True)),
    )


@lru_cache(maxsize=16)
def lonlat(grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of every pixel centre (read-only ``(height, width)`` arrays).

    Projected exactly on about one node per 8 pixels and interpolated bilinearly in between
    (the projection is smooth to far below a pixel over 8 cells of ~1.5 km).
    """
    from rasterio.warp import transform

    x, y = grid.centres()
    at_x, at_y = _nodes(grid.width), _nodes(grid.height)
    xx, yy = np.meshgrid(np.interp(at_x, np.arange(grid.width), x),
                         np.interp(at_y, np.arange(grid.height), y))  # fmt: skip
    lon, lat = (
        np.asarray(v).reshape(xx.shape)
        for v in transform(f"EPSG:{grid.epsg}", "EPSG:4326", xx.ravel(), yy.ravel())
    )
    lon = lon[0, 0] + (lon - lon[0, 0] + 180.0) % 360.0 - 180.0  # continuous across ±180°
    out = []
    for plane in (lon, lat):
        across = np.stack([np.interp(np.arange(grid.width), at_x, row) for row in plane])
        full = np.stack([np.interp(np.arange(grid.height), at_y, col) for col in across.T], axis=1)
        out.append(full)
    out[0] = (out[0] + 180.0) % 360.0 - 180.0
    for a in out:
        a.flags.writeable = False
    return out[0], out[1]


def _nodes(n: int) -> np.ndarray:
    return np.linspace(0.0, n - 1.0, min(n, 2 + n // 8))


@lru_cache(maxsize=16)
def valid(grid: Grid) -> np.ndarray:
    """Pixels whose centre lies inside the footprint quad (the rest is fill)."""
    x, y = grid.centres()
    xx, yy = np.meshgrid(x, y)
    inside = np.ones(xx.shape, bool)
    quad = grid.quad
    for (ax, ay), (bx, by) in zip(quad, quad[1:] + quad[:1], strict=True):
        inside &= (bx - ax) * (yy - ay) - (by - ay) * (xx - ax) >= 0
    inside.flags.writeable = False
    return inside
