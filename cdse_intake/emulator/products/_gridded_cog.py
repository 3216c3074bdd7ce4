"""Cloud-optimised GeoTIFFs and pixel grids of the gridded products (:mod:`.gridded`).

A COG here is what ``gdal_translate -of COG`` writes for a small raster: tiled (256 x 256
blocks), DEFLATE-compressed (predictor 2 for integers, 3 for floats), with internal overviews
(2, 4) and the band's nodata, scale and offset. GDAL's COG driver also moves the IFDs to the
front of the file; the GTiff driver used here (through :func:`._raster.raster_bytes`) keeps
them where libtiff puts them, which every reader handles alike.

Grids: a :class:`Grid` is a north-up raster (CRS, upper-left corner, pixel size, shape) whose
pixel centres the writers sample the scene (:mod:`..scene`) at.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from ._raster import raster_bytes

__all__ = ["Grid", "cog", "lonlat_of", "userdata"]


@dataclass(frozen=True)
class Grid:
    """A north-up grid: ``crs``, upper-left corner ``(x0, y0)``, pixel ``(dx, dy)``, shape."""

    crs: str
    x0: float
    y0: float
    dx: float
    dy: float
    height: int
    width: int

    @property
    def transform(self) -> Any:
        from affine import Affine

        return Affine(self.dx, 0.0, self.x0, 0.0, -self.dy, self.y0)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Pixel-centre ``x`` (a row) and ``y`` (a column) coordinates, broadcasting."""
        x = self.x0 + self.dx * (np.arange(self.width) + 0.5)
        y = self.y0 - self.dy * (np.arange(self.height) + 0.5)
        return x[None, :], y[:, None]


@lru_cache(maxsize=32)
def lonlat_of(grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of every pixel centre (2-D, float64, read-only).

    Projected grids: exact on a node every 8 pixels, bilinear in between (a few km of a
    projected grid are flat far below a pixel)."""
    x, y = grid.centres()
    if grid.crs == "EPSG:4326":
        lon, lat = np.broadcast_arrays(x, y)
        lon, lat = lon.copy(), lat.copy()
    else:
        from rasterio.warp import transform

        rows = np.unique(np.r_[np.arange(0, grid.height, 8), grid.height - 1])
        cols = np.unique(np.r_[np.arange(0, grid.width, 8), grid.width - 1])
        xx, yy = np.meshgrid(x[0, cols], y[rows, 0])
        lon_n, lat_n = (
            np.asarray(v).reshape(xx.shape)
            for v in transform(grid.crs, "EPSG:4326", xx.ravel(), yy.ravel())
        )
        lon, lat = (_interp(v, rows, cols, grid.height, grid.width) for v in (lon_n, lat_n))
    lon = (lon + 180.0) % 360.0 - 180.0
    for a in (lon, lat):
        a.flags.writeable = False
    return lon, lat


def _interp(nodes: np.ndarray, rows: np.ndarray, cols: np.ndarray, h: int, w: int) -> np.ndarray:
    across = np.stack([np.interp(np.arange(w), cols, r) for r in nodes])
    return np.stack([np.interp(np.arange(h), rows, c) for c in across.T], axis=1)


def cog(
    data: np.ndarray,
    grid: Grid,
    *,
    nodata: float | None = None,
    scale: float | None = None,
    offset: float | None = None,
    tags: dict[str, str] | None = None,
    band_tags: dict[str, str] | None = None,
) -> bytes:
    """``data`` (``(rows, cols)``) on ``grid`` as a tiled, compressed GeoTIFF with overviews."""
    if data.shape != (grid.height, grid.width):
        raise ValueError(f"data of shape {data.shape} for a grid of {grid.height} x {grid.width}")
    small = min(grid.height, grid.width)
    block = 256 if small > 256 else 128
    return raster_bytes(
        data,
        driver="GTiff",
        crs=grid.crs,
        transform=grid.transform,
        nodata=nodata,
        scales=None if scale is None else [scale],
        offsets=None if offset is None else [offset],
        tags=tags,
        band_tags=band_tags,
        overviews=(2, 4),
        TILED="YES",
        blockxsize=block,  # lower case: rasterio overrides BLOCKXSIZE
        blockysize=block,
        COMPRESS="DEFLATE",
        PREDICTOR=3 if data.dtype.kind == "f" else 2,
    )


def userdata(entry: Any) -> bytes:
    """``userdata.json`` of a mosaic: the product's OData record (its JSON fields)."""
    record = {
        "Id": entry.id,
        "Name": entry.name,
        "ContentType": "application/octet-stream",
        "S3Path": entry.s3_path,
        "ContentDate": {
            "Start": entry.start.strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z",
            "End": entry.end.strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z",
        },
        "Footprint": entry.footprint,
        "Attributes": [
            {"Name": name, "Value": value, "ValueType": kind}
            for name, kind, value in entry.attributes
        ],
    }
    return json.dumps(record, indent=2, default=str).encode()
