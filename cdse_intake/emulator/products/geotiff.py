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
site, inside the catalogue footprint. Its pixels are the synthetic Earth's NDVI on the middle day
of the product's period, the sea flagged 254 and the polar night 255 (:mod:`._clms_pixels`);
:func:`expected_dn` is the oracle: what the writer encodes, for a catalogue entry.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ._clms_pixels import dn_window, middle
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


def expected_dn(entry: Entry, row: Any, col: Any) -> Any:
    """DN (uint8) at ``(row, col)`` of ``entry``'s window: ``round((NDVI + 0.08) / 0.004)`` of
    the scene's NDVI (0..250) on land, 254 on the sea, 255 where the dekad has no observation.
    Works on arrays."""
    return _dn(entry)[np.asarray(row), np.asarray(col)]


def _dn(entry: Entry) -> np.ndarray:
    """The entry's whole DN window (read-only, cached by :func:`._clms_pixels.dn_window`)."""
    west, north = window_origin(entry.extra["lon"], entry.extra["lat"])
    when = middle(entry.start, entry.end)
    return dn_window(west, north, SIZE, PIXEL, when, (SCALE, OFFSET, 250, SEA, NODATA))


def window_origin(lon: float, lat: float) -> tuple[float, float]:
    """Upper-left corner (west, north) of the window around ``(lon, lat)``, on the grid's edges
    (half a pixel off the multiples of 1/336 degree)."""
    west = (math.floor(lon / PIXEL) - SIZE // 2 - 0.5) * PIXEL
    north = (math.floor(lat / PIXEL) + SIZE // 2 + 0.5) * PIXEL
    west = min(max(west, -180 - PIXEL / 2), 180 - SIZE * PIXEL)
    north = max(min(north, 80 + PIXEL / 2), -60 + SIZE * PIXEL)
    return west, north


def build_ndvi(entry: Entry) -> dict[str, bytes]:
    """The product's single GeoTIFF, keyed by the product name."""
    if not entry.name.endswith(".tif"):
        raise ValueError(f"CLMS GeoTIFF product name (.tif) expected, got {entry.name!r}")
    west, north = window_origin(entry.extra["lon"], entry.extra["lat"])
    start = entry.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    end = entry.end.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {entry.name: _encode(_dn(entry), west, north, start, end)}


def _encode(dn: np.ndarray, west: float, north: float, start: str, end: str) -> bytes:
    """Encode the GeoTIFF of the window ``dn`` at ``(west, north)`` covering ``start``..``end``."""
    from affine import Affine

    return raster_bytes(
        dn,
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
