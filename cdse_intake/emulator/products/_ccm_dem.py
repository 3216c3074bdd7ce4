"""CCM DEM tiles (``SAR_DGE_10/30/90``, ``SAR_DTE_30``, ``SAR_INS_10``): one Copernicus DEM
1° tile in the layout of the Copernicus DEM Product Handbook::

    <tile>/DEM/<tile>_DEM.tif              heights (float32 GeoTIFF; DTED: <tile>_DEM.dt2, int16)
    <tile>/AUXFILES/<tile>_EDM.tif         editing mask (uint8)
    <tile>/AUXFILES/<tile>_FLM.tif         filling mask (uint8)
    <tile>/AUXFILES/<tile>_HEM.tif         height error mask (float32, m)
    <tile>/AUXFILES/<tile>_WBM.tif         water body mask (uint8: 0 land, 1 ocean, 2 lake, 3 river)
    <tile>/INFO/<tile>.xml                 ISO 19115 metadata of the tile
    <tile>/PREVIEW/<tile>_DEM_QL.tif       quick-look (uint8 shaded heights)

``<tile>`` is ``Copernicus_DSM_<spacing>_<N|S>dd_00_<E|W>ddd_00`` with spacing ``10`` (1", GLO-30),
``30`` (3", GLO-90) and ``04`` (0.4", EEA-10; inferred). Real: the tile naming of the handbook
and of the GLO-30/90 tiles seen on the AWS open-data mirror, the folder names, the point grid
(first pixel centred on the tile's north-west corner, the last on its south-east one: tiles
share a row and a column, ``AREA_OR_POINT=Point``), the longitude spacing widening by 1.5, 2, 3,
5 and 10 beyond 50°, 60°, 70°, 80° and 85° of latitude, ocean heights 0 m, void -32767, and the
WBM codes. Inferred: the mask codes other than WBM's, the INFO XML's content, the EEA-10
spacing code, EEA-10 INSPIRE (``SAR_INS_10``) on ETRS89 (EPSG:4258), and DTED aux layers as
GeoTIFF. Decimated: a tile has :data:`POINTS` rows (GLO-30: 121, i.e. 30" not 1"), so a tile is
~100 kB; the DTED heights are written by GDAL's DTED driver, which only takes level-0 sizes at
that spacing (its header says ``DTED0``), with DTED's own longitude zones.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from . import _xml
from ._ccm_pixels import elevation, is_sea
from ._raster import raster_bytes

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["POINTS", "VOID", "build_dem", "grid", "tile_name"]

VOID = -32767.0
#: Product type -> (spacing code of the tile name, rows of the decimated tile, CRS).
POINTS: dict[str, tuple[str, int, str]] = {
    "SAR_DGE_10": ("04", 181, "EPSG:4326"),
    "SAR_INS_10": ("04", 181, "EPSG:4258"),
    "SAR_DGE_30": ("10", 121, "EPSG:4326"),
    "SAR_DTE_30": ("10", 121, "EPSG:4326"),
    "SAR_DGE_90": ("30", 61, "EPSG:4326"),
}
#: (lowest |latitude| of a tile, longitude spacing factor): the handbook's table.
_WIDENING = ((85, 10), (80, 5), (70, 3), (60, 2), (50, 1.5), (0, 1))
#: The same for DTED (MIL-PRF-89020B zones, which GDAL's DTED driver enforces).
_DTED_WIDENING = ((80, 6), (75, 4), (70, 3), (50, 2), (0, 1))


def tile_name(product_type: str, west: int, south: int) -> str:
    """``Copernicus_DSM_10_N47_00_E008_00`` of the tile whose south-west corner is given."""
    code = POINTS[product_type][0]
    ns = f"{'N' if south >= 0 else 'S'}{abs(south):02d}"
    ew = f"{'E' if west >= 0 else 'W'}{abs(west):03d}"
    return f"Copernicus_DSM_{code}_{ns}_00_{ew}_00"


def grid(product_type: str, west: int, south: int) -> tuple[int, int, object]:
    """``(rows, columns, affine transform)`` of a tile's point grid (pixel edges half a spacing
    outside the tile)."""
    from affine import Affine

    rows = POINTS[product_type][1]
    edge = min(abs(south), abs(south + 1))
    table = _DTED_WIDENING if product_type == "SAR_DTE_30" else _WIDENING
    factor = next(f for lat, f in table if edge >= lat)
    cols = round((rows - 1) / factor) + 1
    dx, dy = 1.0 / (cols - 1), 1.0 / (rows - 1)
    return rows, cols, Affine(dx, 0.0, west - dx / 2, 0.0, -dy, south + 1 + dy / 2)


def _tile_of(entry: Entry) -> tuple[int, int]:
    ring = entry.footprint["coordinates"][0] if entry.footprint else None
    if ring:
        return round(min(p[0] for p in ring)), round(min(p[1] for p in ring))
    return math.floor(entry.extra["lon"]), math.floor(entry.extra["lat"])


def build_dem(entry: Entry) -> dict[str, bytes]:
    """The files of a DEM tile product, under the tile's folder."""
    from affine import Affine

    product_type = entry.product_type
    west, south = _tile_of(entry)
    tile = tile_name(product_type, west, south)
    rows, cols, transform = grid(product_type, west, south)
    crs = POINTS[product_type][2]
    lon = west + np.arange(cols) / (cols - 1)
    lat = south + 1 - np.arange(rows) / (rows - 1)
    lon2, lat2 = np.meshgrid(lon, lat)
    height = elevation(lon2, lat2)
    sea = is_sea(lon2, lat2)
    from ..scene.noise import hash_u32, seed_of

    jitter = hash_u32(np.arange(rows)[:, None], np.arange(cols)[None, :], seed_of("hem", tile))
    hem = np.where(sea, 0.0, 0.5 + 2.5 * (jitter / np.float64(2**32))).astype(np.float32)
    masks = {
        "EDM": np.where(sea, 2, 1).astype(np.uint8),
        "FLM": np.where(sea, 1, 2).astype(np.uint8),
        "HEM": hem,
        "WBM": np.where(sea, 1, 0).astype(np.uint8),
    }
    tags = {"AREA_OR_POINT": "Point", "TIFFTAG_SOFTWARE": "Copernicus DEM"}

    def tif(data: np.ndarray, nodata: float | None, at: object = transform, **more: str) -> bytes:
        return raster_bytes(
            data, driver="GTiff", crs=crs, transform=at, nodata=nodata,
            tags={**tags, **more}, COMPRESS="DEFLATE",
        )  # fmt: skip

    files: dict[str, bytes] = {}
    if product_type == "SAR_DTE_30":
        files[f"{tile}/DEM/{tile}_DEM.dt2"] = _dted(np.rint(height).astype(np.int16), transform)
    else:
        files[f"{tile}/DEM/{tile}_DEM.tif"] = tif(height, VOID, units="m")
    for key, data in masks.items():
        nodata = None if key != "HEM" else VOID
        files[f"{tile}/AUXFILES/{tile}_{key}.tif"] = tif(data, nodata)
    files[f"{tile}/INFO/{tile}.xml"] = _info(entry, tile, west, south, rows, cols, crs)
    shade = np.clip(np.sqrt(np.maximum(height, 0.0)) * 4.0, 0, 255).astype(np.uint8)
    # every other point: the same corners, twice the spacing
    a, e = transform.a, transform.e  # type: ignore[attr-defined]
    half = Affine(2 * a, 0.0, transform.c - a / 2, 0.0, 2 * e, transform.f - e / 2)  # type: ignore[attr-defined]
    files[f"{tile}/PREVIEW/{tile}_DEM_QL.tif"] = tif(shade[::2, ::2], None, half)
    return files


def _dted(heights: np.ndarray, transform: object) -> bytes:
    """A DTED file of ``heights`` through GDAL's DTED driver (CreateCopy from a GeoTIFF)."""
    from rasterio.io import MemoryFile
    from rasterio.shutil import copy

    tiff = raster_bytes(heights, driver="GTiff", crs="EPSG:4326", transform=transform)
    with MemoryFile(tiff, filename="dem.tif") as src, MemoryFile(filename="dem.dt2") as dst:
        copy(src.name, dst.name, driver="DTED")
        return dst.read()


def _info(entry: Entry, tile: str, west: int, south: int, rows: int, cols: int, crs: str) -> bytes:
    """The tile's ISO 19115 metadata (a short gmd:MD_Metadata; inferred content)."""
    start, end = _xml.iso(entry.start, 0), _xml.iso(entry.end, 0)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" '
        'xmlns:gco="http://www.isotc211.org/2005/gco" xmlns:gml="http://www.opengis.net/gml">',
        f"  <gmd:fileIdentifier><gco:CharacterString>{tile}</gco:CharacterString>"
        "</gmd:fileIdentifier>",
        "  <gmd:identificationInfo><gmd:MD_DataIdentification>",
        f"    <gmd:citation><gmd:CI_Citation><gmd:title><gco:CharacterString>{tile}"
        "</gco:CharacterString></gmd:title></gmd:CI_Citation></gmd:citation>",
        f"    <gmd:abstract><gco:CharacterString>Copernicus DEM tile, {entry.product_type}, "
        f"{rows} x {cols} points, heights in metres (EGM2008)</gco:CharacterString>"
        "</gmd:abstract>",
        "    <gmd:extent><gmd:EX_Extent>",
        "      <gmd:geographicElement><gmd:EX_GeographicBoundingBox>",
        f"        <gmd:westBoundLongitude><gco:Decimal>{west}</gco:Decimal>"
        "</gmd:westBoundLongitude>",
        f"        <gmd:eastBoundLongitude><gco:Decimal>{west + 1}</gco:Decimal>"
        "</gmd:eastBoundLongitude>",
        f"        <gmd:southBoundLatitude><gco:Decimal>{south}</gco:Decimal>"
        "</gmd:southBoundLatitude>",
        f"        <gmd:northBoundLatitude><gco:Decimal>{south + 1}</gco:Decimal>"
        "</gmd:northBoundLatitude>",
        "      </gmd:EX_GeographicBoundingBox></gmd:geographicElement>",
        "      <gmd:temporalElement><gmd:EX_TemporalExtent><gmd:extent>",
        f'        <gml:TimePeriod gml:id="t1"><gml:beginPosition>{start}</gml:beginPosition>'
        f"<gml:endPosition>{end}</gml:endPosition></gml:TimePeriod>",
        "      </gmd:extent></gmd:EX_TemporalExtent></gmd:temporalElement>",
        "    </gmd:EX_Extent></gmd:extent>",
        "  </gmd:MD_DataIdentification></gmd:identificationInfo>",
        "  <gmd:referenceSystemInfo><gmd:MD_ReferenceSystem><gmd:referenceSystemIdentifier>",
        f"    <gmd:RS_Identifier><gmd:code><gco:CharacterString>{crs}</gco:CharacterString>"
        "</gmd:code></gmd:RS_Identifier>",
        "  </gmd:referenceSystemIdentifier></gmd:MD_ReferenceSystem></gmd:referenceSystemInfo>",
        "</gmd:MD_Metadata>",
        "",
    ]
    return "\n".join(lines).encode()
