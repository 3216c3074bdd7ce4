"""CLMS NDVI 300 m products: one tiled, deflate-compressed GeoTIFF in EPSG:4326.

Shaped after the Copernicus Global Land Service NDVI 300 m V2 GeoTIFFs: uint8 digital numbers,
``NDVI = DN * 0.004 - 0.08`` for DN 0..250, flag values 254 (sea) and 255 (missing, also the GDAL
nodata), the 1/336 degree grid whose pixel centres sit on multiples of 1/336 degree (CLMS's
published technical characteristics of NDVI300 V2).

CLMS makes its GeoTIFFs from the netCDF with ``gdal_translate NETCDF:…:NDVI`` (its
``CLMS_NetCDF2COG`` tool): the variable's ``scale_factor``/``add_offset``/``_FillValue`` become the
band's GDAL scale, offset and nodata (and are not repeated as tags); its other attributes become
band tags, list values written ``{a, b}``; the global attributes become dataset tags. This writer
does the same. Unverified: the exact tag set and flag meaning strings of the real files.

The file covers a 512 x 512 pixel window (about 1.5 degrees) of that grid centred on the catalogue
site, inside the catalogue footprint; values follow :func:`expected_dn`.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from ._raster import raster_bytes

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "NODATA",
    "NO_OBSERVATION",
    "OFFSET",
    "PIXEL",
    "SCALE",
    "SEA",
    "SIZE",
    "build_ndvi",
    "expected_dn",
    "window_origin",
]

PIXEL = 1 / 336  # degrees, the 300 m global grid
SIZE = 512
SCALE = 0.004
OFFSET = -0.08
SEA = 254
NO_OBSERVATION = SEA  # the name this flag had before its documented meaning was checked
NODATA = 255


def expected_dn(row: Any, col: Any) -> Any:
    """DN at ``(row, col)``: 255 (missing) on the first 4 rows, 254 (sea) on the first 4 columns
    below them, else ``(3*row + 5*col) % 251`` (NDVI -0.08..0.92)."""
    rows = np.asarray(row, dtype=np.int64)
    cols = np.asarray(col, dtype=np.int64)
    value = (3 * rows + 5 * cols) % 251
    value = np.where(cols < 4, SEA, value)
    return np.where(rows < 4, NODATA, value).astype(np.uint8)


def window_origin(lon: float, lat: float) -> tuple[float, float]:
    """Upper-left corner (west, north) of the window around ``(lon, lat)``, on the grid's edges
    (half a pixel off the multiples of 1/336 degree)."""
    west = (math.floor(lon / PIXEL) - SIZE // 2 - 0.5) * PIXEL
    north = (math.floor(lat / PIXEL) + SIZE // 2 + 0.5) * PIXEL
    west = min(max(west, -180 - PIXEL / 2), 180 - SIZE * PIXEL)
    north = max(min(north, 80 + PIXEL / 2), -60 + SIZE * PIXEL)
    return west, north


#: Stand-ins for the product's times while a site's file is encoded once: the same length as the
#: real values (``%Y-%m-%dT%H:%M:%SZ``), which then replace them byte for byte.
_START = "1111-11-11T11:11:11Z"
_END = "2222-12-22T22:22:22Z"


def build_ndvi(entry: Entry) -> dict[str, bytes]:
    """The product's single GeoTIFF, keyed by the product name.

    Only two tags depend on the product (its start and end); the file is encoded once per site
    with placeholders of the same length in their place (:func:`_site_file`), then patched.
    """
    if not entry.name.endswith(".tif"):
        raise ValueError(f"CLMS GeoTIFF product name (.tif) expected, got {entry.name!r}")
    west, north = window_origin(entry.extra["lon"], entry.extra["lat"])
    start = entry.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    end = entry.end.strftime("%Y-%m-%dT%H:%M:%SZ")
    template = _site_file(west, north)
    placeholders = (_START.encode(), _END.encode())
    if (
        len(start) == len(_START)
        and len(end) == len(_END)
        and all(template.count(p) == 1 for p in placeholders)
    ):
        data = template.replace(placeholders[0], start.encode()).replace(
            placeholders[1], end.encode()
        )
    else:
        data = _encode(west, north, start, end)
    return {entry.name: data}


@lru_cache(maxsize=1)
def _dn() -> np.ndarray:
    """The DN window (the same for every product), read-only."""
    data = expected_dn(*np.indices((SIZE, SIZE)))
    data.flags.writeable = False
    return data


@lru_cache(maxsize=64)
def _site_file(west: float, north: float) -> bytes:
    """The GeoTIFF of the window at ``(west, north)`` with placeholder times."""
    return _encode(west, north, _START, _END)


def _encode(west: float, north: float, start: str, end: str) -> bytes:
    """Encode the GeoTIFF of the window at ``(west, north)`` covering ``start``..``end``."""
    from affine import Affine

    return raster_bytes(
        _dn(),
        driver="GTiff",
        crs="EPSG:4326",
        transform=Affine(PIXEL, 0.0, west, 0.0, -PIXEL, north),
        nodata=NODATA,
        scales=[SCALE],
        offsets=[OFFSET],
        tags={
            "TIFFTAG_SOFTWARE": "CGLS NDVI300 V2.0.1 processing chain",
            "product_version": "V2.0.1",
            "long_name": "Normalized Difference Vegetation Index",
            "time_coverage_start": start,
            "time_coverage_end": end,
        },
        band_tags={
            "long_name": "Normalized Difference Vegetation Index",
            "units": "-",
            "valid_range": "{0, 250}",
            "flag_values": "{254, 255}",
            "flag_meanings": "sea missing",
        },
        overviews=(2, 4),
        TILED="YES",
        blockxsize=256,  # lower case: rasterio overrides BLOCKXSIZE
        blockysize=256,
        COMPRESS="DEFLATE",
    )
