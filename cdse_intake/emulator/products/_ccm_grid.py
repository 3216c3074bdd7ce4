"""The map grid of a CCM optical or geocoded SAR scene: its footprint's bounding box in the UTM
zone of its centre, at the record's ground sampling distance times :data:`DECIMATION`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ._geo import footprint_quad

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["DECIMATION", "SceneGrid", "scene_grid"]

#: One written pixel stands for this many real ones along each axis (2 m VHR -> 100 m).
DECIMATION = 50


@dataclass(frozen=True)
class SceneGrid:
    """A north-up UTM grid: EPSG code, upper-left corner, pixel size and shape."""

    epsg: int
    x0: float
    y0: float
    pixel: float
    rows: int
    cols: int

    @property
    def crs(self) -> str:
        return f"EPSG:{self.epsg}"

    @property
    def transform(self) -> Any:
        from affine import Affine

        return Affine(self.pixel, 0.0, self.x0, 0.0, -self.pixel, self.y0)

    def lonlat(self) -> tuple[np.ndarray, np.ndarray]:
        """(lon, lat) of every pixel centre, ``(rows, cols)``."""
        from rasterio.warp import transform

        x = self.x0 + self.pixel * (np.arange(self.cols) + 0.5)
        y = self.y0 - self.pixel * (np.arange(self.rows) + 0.5)
        xx, yy = np.meshgrid(x, y)
        lon, lat = transform(self.crs, "EPSG:4326", xx.ravel(), yy.ravel())
        return np.reshape(lon, xx.shape), np.reshape(lat, xx.shape)


def scene_grid(entry: Entry, gsd: float, across: int | None = None) -> SceneGrid:
    """The grid covering ``entry``'s footprint at ``gsd * DECIMATION`` metres, or (``across``)
    at the multiple of ``gsd`` giving about ``across`` pixels over its width."""
    from rasterio.warp import transform

    quad = footprint_quad(entry)
    lon = sum(c[0] for c in (quad.sw, quad.se, quad.ne, quad.nw)) / 4
    lat = sum(c[1] for c in (quad.sw, quad.se, quad.ne, quad.nw)) / 4
    zone = min(60, int((lon + 180) // 6) + 1)
    epsg = (32600 if lat >= 0 else 32700) + zone
    xs, ys = transform(
        "EPSG:4326",
        f"EPSG:{epsg}",
        [quad.sw[0], quad.se[0], quad.ne[0], quad.nw[0]],
        [quad.sw[1], quad.se[1], quad.ne[1], quad.nw[1]],
    )
    pixel = float(gsd * DECIMATION)
    if across:
        pixel = float(gsd * max(1, round((max(xs) - min(xs)) / across / gsd)))
    x0 = math.floor(min(xs) / pixel) * pixel
    y0 = math.ceil(max(ys) / pixel) * pixel
    cols = max(8, math.ceil((max(xs) - x0) / pixel))
    rows = max(8, math.ceil((y0 - min(ys)) / pixel))
    return SceneGrid(epsg, x0, y0, pixel, rows, cols)
