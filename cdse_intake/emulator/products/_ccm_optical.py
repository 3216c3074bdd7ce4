"""CCM optical VHR scenes (``PHR_MS___3``, ``GIS_MS4_OR``, ``WV3_MS4_OR``, ``HRS_MS4_1C``,
``AIS_MSP_1G``) as DIMAP V2 products::

    DIM_<SAT>_MS_<yyyymmddhhmmssd>_<LEVEL>_<job>-001.XML        the DIMAP document
    IMG_<SAT>_MS_<yyyymmddhhmmssd>_<LEVEL>_<job>-001_R1C1.TIF   4 bands B0..B3, uint16, UTM

Real (Airbus's Pléiades DIMAP V2 user guide): the ``DIM_``/``IMG_`` names with their ``-001``
and ``_R1C1`` tile suffixes, the document's main sections (``Metadata_Identification``,
``Dataset_Identification``, ``Dataset_Content``, ``Product_Information``,
``Coordinate_Reference_System``, ``Geoposition``, ``Raster_Data``, ``Radiometric_Data``), the
band order B0 blue, B1 green, B2 red, B3 NIR and the 12-bit-in-16 encoding. Inferred: the same
DIMAP layout for the non-Pléiades missions (GeoEye, WorldView, DEIMOS-2 and KOMPSAT-3 deliver
their own formats), the DN scale (reflectance x 10000), the level codes (``ORT``, ``PRJ``).
Decimated: one pixel stands for :data:`._ccm_grid.DECIMATION` real ones (2 m -> 100 m), so a
~20 km scene is ~200 x 200 pixels. Pixels: the synthetic Earth's reflectance with the record's
cloud cover.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from . import _xml
from ._ccm_grid import scene_grid
from ._ccm_pixels import VHR_BANDS, reflectance
from ._raster import raster_bytes

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["DN_SCALE", "build_optical", "expected_dn", "file_stem"]

#: DN = reflectance / DN_SCALE.
DN_SCALE = 1e-4
#: Mission code of the record name -> DIMAP satellite id.
_SATELLITES = {"PH1A": "PHR1A", "GY01": "GE01", "EW03": "WV03", "DM02": "DE2", "KS03": "K3"}
_NAME = re.compile(r"^(?P<mission>[A-Z0-9]{4})_.*_(?P<job>\d+)_[0-9a-f]{4}$")


def file_stem(entry: Entry) -> str:
    """``PHR1A_MS_202410230655194_ORT_44059-001``: the part after ``DIM_``/``IMG_``."""
    m = _NAME.match(entry.name)
    if m is None:
        raise ValueError(f"CCM optical product name expected, got {entry.name!r}")
    sat = _SATELLITES.get(m.group("mission"), m.group("mission"))
    level = "PRJ" if entry.product_type.endswith("_1G") else "ORT"
    when = f"{entry.start:%Y%m%d%H%M%S}{entry.start.microsecond // 100_000}"
    return f"{sat}_MS_{when}_{level}_{m.group('job')}-001"


def _gsd(entry: Entry) -> float:
    return float(entry.attribute("spatialResolution", 2) or 2)


def expected_dn(entry: Entry) -> np.ndarray:
    """The ``(4, rows, cols)`` uint16 digital numbers the writer encodes."""
    grid = scene_grid(entry, _gsd(entry))
    lon, lat = grid.lonlat()
    cover = float(entry.attribute("cloudCover", 0.0) or 0.0) / 100.0
    refl = reflectance(lon, lat, entry.start, cover)
    return np.clip(np.rint(refl / DN_SCALE), 1, 65535).astype(np.uint16)


def build_optical(entry: Entry) -> dict[str, bytes]:
    """The DIMAP document and its image."""
    stem = file_stem(entry)
    grid = scene_grid(entry, _gsd(entry))
    dn = expected_dn(entry)
    image = f"IMG_{stem}_R1C1.TIF"
    tif = raster_bytes(
        dn, driver="GTiff", crs=grid.crs, transform=grid.transform, nodata=0,
        scales=[DN_SCALE] * 4, tags={"TIFFTAG_SOFTWARE": "CCM VHR processor"},
        TILED="YES", blockxsize=128, blockysize=128, COMPRESS="DEFLATE",
    )  # fmt: skip
    return {f"DIM_{stem}.XML": _dimap(entry, stem, image, grid, dn.shape[0]), image: tif}


def _dimap(entry: Entry, stem: str, image: str, grid, bands: int) -> bytes:
    from rasterio.warp import transform

    x = [grid.x0, grid.x0 + grid.cols * grid.pixel] * 2
    y = [grid.y0] * 2 + [grid.y0 - grid.rows * grid.pixel] * 2
    lon, lat = transform(grid.crs, "EPSG:4326", x, y)
    vertices = "".join(
        f"<Vertex><LON>{lo:.8f}</LON><LAT>{la:.8f}</LAT><COL>{c}</COL><ROW>{r}</ROW></Vertex>"
        for lo, la, c, r in zip(
            lon, lat, (1, grid.cols, 1, grid.cols), (1, 1, grid.rows, grid.rows), strict=True
        )
    )
    sat = stem.split("_")[0]
    cloud = entry.attribute("cloudCover", 0.0) or 0.0
    band_info = "".join(
        f"<Spectral_Band_Info><BAND_ID>{band}</BAND_ID><MEASURE_UNIT>reflectance"
        f"</MEASURE_UNIT><SCALE>{DN_SCALE}</SCALE><SCENE_BAND>{scene}</SCENE_BAND>"
        "</Spectral_Band_Info>"
        for band, scene in VHR_BANDS.items()
    )
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<Dimap_Document name="' + f"DIM_{stem}.XML" + '">',
        "  <Metadata_Identification>",
        '    <METADATA_FORMAT version="2.0">DIMAP</METADATA_FORMAT>',
        "    <METADATA_PROFILE>PHR_ORTHO</METADATA_PROFILE>",
        "  </Metadata_Identification>",
        "  <Dataset_Identification>",
        f"    {_xml.el('DATASET_NAME', f'DS_{stem}')}",
        f"    {_xml.el('DATASET_QL_PATH', href='')}",
        "  </Dataset_Identification>",
        "  <Dataset_Content>",
        f"    <Dataset_Extent>{vertices}</Dataset_Extent>",
        f'    <CLOUD_COVERAGE unit="percent">{cloud}</CLOUD_COVERAGE>',
        "  </Dataset_Content>",
        "  <Product_Information>",
        f"    {_xml.el('PRODUCT_TYPE', entry.product_type)}",
        f"    {_xml.el('PRODUCT_CODE', entry.name)}",
        f"    {_xml.el('MISSION', str(entry.attribute('platformShortName', sat)))}",
        f"    {_xml.el('IMAGING_DATE', f'{entry.start:%Y-%m-%d}')}",
        f"    {_xml.el('IMAGING_TIME', f'{entry.start:%H:%M:%S.%f}')}",
        "  </Product_Information>",
        "  <Coordinate_Reference_System>",
        "    <Projected_CRS>",
        f"      {_xml.el('PROJECTED_CRS_CODE', f'urn:ogc:def:crs:EPSG::{grid.epsg}')}",
        "    </Projected_CRS>",
        "  </Coordinate_Reference_System>",
        "  <Geoposition>",
        "    <Geoposition_Insert>",
        f'      <ULXMAP unit="m">{grid.x0 + grid.pixel / 2}</ULXMAP>',
        f'      <ULYMAP unit="m">{grid.y0 - grid.pixel / 2}</ULYMAP>',
        f'      <XDIM unit="m">{grid.pixel}</XDIM>',
        f'      <YDIM unit="m">{grid.pixel}</YDIM>',
        "    </Geoposition_Insert>",
        "  </Geoposition>",
        "  <Raster_Data>",
        "    <Data_Access>",
        "      <DATA_FILE_FORMAT>image/tiff</DATA_FILE_FORMAT>",
        "      <DATA_FILE_TILES>false</DATA_FILE_TILES>",
        f'      <Data_Files><Data_File tile_R="1" tile_C="1">'
        f"{_xml.el('DATA_FILE_PATH', href=image)}</Data_File></Data_Files>",
        "    </Data_Access>",
        "    <Raster_Dimensions>",
        f"      <NROWS>{grid.rows}</NROWS><NCOLS>{grid.cols}</NCOLS><NBANDS>{bands}</NBANDS>",
        "    </Raster_Dimensions>",
        "    <Raster_Encoding>",
        "      <DATA_TYPE>INTEGER</DATA_TYPE><NBITS>16</NBITS><SIGN>UNSIGNED</SIGN>",
        "    </Raster_Encoding>",
        "    <Raster_Display><Band_Display_Order><RED_CHANNEL>B2</RED_CHANNEL>"
        "<GREEN_CHANNEL>B1</GREEN_CHANNEL><BLUE_CHANNEL>B0</BLUE_CHANNEL>"
        "</Band_Display_Order></Raster_Display>",
        "  </Raster_Data>",
        "  <Radiometric_Data>",
        "    <Radiometric_Processing>REFLECTANCE</Radiometric_Processing>",
        f"    <Spectral_Band_Info_List>{band_info}</Spectral_Band_Info_List>",
        "  </Radiometric_Data>",
        "</Dimap_Document>",
        "",
    ]
    return "\n".join(lines).encode()
