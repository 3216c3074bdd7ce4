"""The files of a land cut: GeoTIFF, netCDF or (for vector formats) GeoJSON, and their names.

Real: CLMS raster cuts are GeoTIFF (or netCDF) files named after the product (CGLS
``c_gls_<PRODUCT>_<YYYYMMDDHHMM>_GLOBE_<SENSOR>_V<version>``; EEA layers after their source
file, e.g. ``U2018_CLC2018_V2020_20u1``). Emulated [unverified]: the GeoTIFF carries the
product's nodata, scale and offset and the band tags of the CDSE CLMS COGs (``long_name``,
``units``, ``flag_values``, ``flag_meanings``) plus dataset tags; the netCDF holds one variable
named after the layer on ``lat``/``lon`` (or ``y``/``x``) with a ``crs`` grid mapping; vector
outputs (GDB, GPKG, Shapefile, GML, WFS, Geojson) are one GeoJSON file of square cells (at most
:data:`VECTOR_CELLS` a side) carrying the dataset's code at each cell centre.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from .datasets import Dataset
from .encodings import Encoding
from .grids import GEOGRAPHIC

if TYPE_CHECKING:
    from ..products._gridded_cog import Grid

__all__ = ["VECTOR_CELLS", "VECTOR_FORMATS", "file_name", "geojson", "geotiff", "netcdf"]

VECTOR_FORMATS = ("GDB", "GPKG", "Shapefile", "GML", "WFS", "Geojson")
VECTOR_CELLS = 64


def file_name(ds: Dataset, when: date | None, output_format: str) -> str:
    """``c_gls_NDVI300_202307010000_GLOBE_OLCI_V2.0.1.tif``-like: the file's name."""
    stem = ds.stem.format(date=when.strftime("%Y%m%d0000")) if when else ds.stem
    if output_format in VECTOR_FORMATS:
        return stem + ".geojson"
    return stem + (".nc" if output_format == "Netcdf" else ".tif")


def _tags(ds: Dataset, when: date | None) -> dict[str, str]:
    tags = {"TITLE": ds.title, "DATASET_UID": ds.uid, "PRODUCER": "CLMS emulator"}
    tags["DATE"] = when.isoformat() if when else str(ds.epoch)
    return tags


def geotiff(data: np.ndarray, grid: Grid, enc: Encoding, ds: Dataset, when: date | None) -> bytes:
    from ..products._raster import raster_bytes

    tiled = {"TILED": "YES", "blockxsize": 256, "blockysize": 256} if min(data.shape) > 256 else {}
    return raster_bytes(
        data, driver="GTiff", crs=grid.crs, transform=grid.transform, nodata=enc.nodata,
        scales=[enc.scale], offsets=[enc.offset], tags=_tags(ds, when), band_tags=enc.tags(),
        COMPRESS="DEFLATE", **tiled,
    )  # fmt: skip


def netcdf(data: np.ndarray, grid: Grid, enc: Encoding, ds: Dataset, when: date | None) -> bytes:
    from rasterio.crs import CRS

    from ..products._netcdf import netcdf_bytes, variable

    x, y = grid.centres()
    geographic = grid.crs in GEOGRAPHIC
    ydim, xdim = ("lat", "lon") if geographic else ("y", "x")
    wkt = CRS.from_string(grid.crs).to_wkt()
    transform = f"{grid.x0!r} {grid.dx!r} 0 {grid.y0!r} 0 {-grid.dy!r}"

    def write(root) -> None:
        root.dimensions = {ydim: grid.height, xdim: grid.width}
        root.attrs["Conventions"] = "CF-1.6"
        for key, value in _tags(ds, when).items():
            root.attrs[key.lower()] = value
        if geographic:
            variable(root, "lat", ("lat",), y[:, 0], np.float64, standard_name="latitude",
                     units="degrees_north", axis="Y")  # fmt: skip
            variable(root, "lon", ("lon",), x[0], np.float64, standard_name="longitude",
                     units="degrees_east", axis="X")  # fmt: skip
        else:
            variable(root, "y", ("y",), y[:, 0], np.float64,
                     standard_name="projection_y_coordinate", units="m", axis="Y")  # fmt: skip
            variable(root, "x", ("x",), x[0], np.float64,
                     standard_name="projection_x_coordinate", units="m", axis="X")  # fmt: skip
        variable(root, "crs", (), np.int32(0), spatial_ref=wkt, crs_wkt=wkt,
                 GeoTransform=transform)  # fmt: skip
        attrs = {k: v for k, v in enc.tags().items() if k not in ("flag_values",)}
        if enc.flag_values:
            attrs["flag_values"] = np.array(enc.flag_values, data.dtype)
        variable(root, enc.layer, (ydim, xdim), data, data.dtype,
                 fill=np.array(enc.nodata, data.dtype), scale_factor=enc.scale,
                 add_offset=enc.offset, grid_mapping="crs", **attrs)  # fmt: skip

    return netcdf_bytes(write)


def geojson(cells: np.ndarray, grid: Grid, enc: Encoding, ds: Dataset, when: date | None) -> bytes:
    """Square cells of ``grid`` (already coarse) as polygons with the code at their centre."""
    features = []
    for row in range(grid.height):
        top = grid.y0 - row * grid.dy
        for col in range(grid.width):
            left = grid.x0 + col * grid.dx
            ring = [[left, top], [left + grid.dx, top], [left + grid.dx, top - grid.dy],
                    [left, top - grid.dy], [left, top]]  # fmt: skip
            features.append({"type": "Feature", "properties": {"code": int(cells[row, col])},
                             "geometry": {"type": "Polygon", "coordinates": [ring]}})  # fmt: skip
    crs = {"type": "name", "properties": {"name": grid.crs}}
    body = {"type": "FeatureCollection", "name": ds.stem, "crs": crs, "features": features}
    return json.dumps(body, separators=(",", ":")).encode()
