"""Sentinel-2 MSI Level-1C and Level-2A products in the SAFE layout.

Shaped after the real SAFE products in ``reference/samples/products/sentinel-2`` (baselines 03.01,
02.12, 04.00) and CDSE's December 2024 ``manifest.safe``::

    <Name>.SAFE/
      manifest.safe
      MTD_MSIL1C.xml | MTD_MSIL2A.xml
      DATASTRIP/DS_<centre>_<processed>_S<sensed>/MTD_DS.xml
      GRANULE/L1C_T<tile>_A<orbit>_<sensed>/MTD_TL.xml
        IMG_DATA/T<tile>_<sensed>_B04.jp2               (L1C: 13 bands + TCI, native resolution)
        IMG_DATA/R10m|R20m|R60m/T<tile>_<sensed>_B04_10m.jp2   (L2A, with SCL, AOT, WVP, TCI)

The granule is a 3.66 km window of the tile's real UTM grid around the catalogue site, or on the
nearest coast (:mod:`._s2_window`; 366 x 366 pixels at 10 m, 183 at 20 m, 61 at 60 m);
``MTD_TL.xml`` describes that window, so the metadata and the JPEG 2000 georeferencing agree. The
pixels are the synthetic Earth seen on the sensing date with the record's cloud cover
(:mod:`._s2_pixels`): :func:`expected_dn`, :func:`expected_scl` and :func:`expected_tci` give
them exactly, so a reader's output can be checked.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from . import _xml
from ._raster import raster_bytes
from ._s2_pixels import (
    BANDS,
    BOA_OFFSET,
    NATIVE_RESOLUTION,
    QUANTIFICATION,
    View,
    expected_dn,
    expected_scl,
    expected_tci,
    has_offset,
    image,
    view_of,
)
from ._s2_window import WINDOW, granule_window

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "BANDS",
    "BOA_OFFSET",
    "NATIVE_RESOLUTION",
    "QUANTIFICATION",
    "WINDOW",
    "build_l1c",
    "build_l2a",
    "expected_dn",
    "expected_scl",
    "expected_tci",
    "granule_window",
    "has_offset",
]

#: (MIN, MAX, CENTRAL) wavelength in nm, from the real S2B MTD_MSIL2A (baseline 04.00).
WAVELENGTHS = {
    "B01": (411, 456, 442.3), "B02": (456, 532, 492.3), "B03": (536, 582, 559),
    "B04": (646, 685, 665), "B05": (694, 714, 703.8), "B06": (730, 748, 739.1),
    "B07": (766, 794, 779.7), "B08": (774, 907, 833), "B8A": (848, 880, 864),
    "B09": (930, 957, 943.2), "B10": (1339, 1415, 1376.9), "B11": (1538, 1679, 1610.4),
    "B12": (2065, 2303, 2185.7),
}  # fmt: skip
SOLAR_IRRADIANCE = (1874.3, 1959.75, 1824.93, 1512.79, 1425.78, 1291.13, 1175.57, 1041.28,
                    953.93, 817.58, 365.41, 247.08, 87.75)  # fmt: skip
PHYSICAL_GAINS = (
    3.95942012,
    3.80300429,
    4.20863105,
    4.74331253,
    5.15359023,
    5.05407048,
    4.73380259,
    6.77730823,
    5.72039368,
    9.30245353,
    56.4099857,
    37.16690955,
    108.56188356,
)
SCL_CLASSES = ("NODATA", "SATURATED_DEFECTIVE", "DARK_FEATURE_SHADOW", "CLOUD_SHADOW",
               "VEGETATION", "NOT_VEGETATED", "WATER", "UNCLASSIFIED", "CLOUD_MEDIUM_PROBA",
               "CLOUD_HIGH_PROBA", "THIN_CIRRUS", "SNOW_ICE")  # fmt: skip

#: What each L2A resolution folder holds (ESA products from baseline 04.00 on; B01 at 20 m was
#: added with 04.00, the 02.12 sample's R20m has no B01).
L2A_CONTENT = {
    10: ("B02", "B03", "B04", "B08", "AOT", "WVP", "TCI"),
    20: ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B8A", "B11", "B12",
         "SCL", "AOT", "WVP", "TCI"),
    60: ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B8A", "B09", "B11", "B12",
         "SCL", "AOT", "WVP", "TCI"),
}  # fmt: skip


@lru_cache(maxsize=1)
def _spectral_information() -> tuple[str, ...]:
    """The ``Spectral_Information`` lines of MTD_MSIL1C/2A: the same in every product."""
    lines: list[str] = []
    for i, band in enumerate(BANDS):
        lo, hi, centre = WAVELENGTHS[band]
        # A smooth synthetic response over the real band limits, 1 nm steps.
        steps = np.linspace(0, np.pi, hi - lo + 1)
        values = " ".join(f"{v:.8g}" for v in np.clip(np.sin(steps) ** 0.5, 1e-3, 1))
        physical = band.replace("B0", "B")
        lines += [
            f'<Spectral_Information bandId="{i}" physicalBand="{physical}">',
            f"  {_xml.el('RESOLUTION', NATIVE_RESOLUTION[band])}",
            "  <Wavelength>",
            f"    {_xml.el('MIN', lo, unit='nm')}",
            f"    {_xml.el('MAX', hi, unit='nm')}",
            f"    {_xml.el('CENTRAL', centre, unit='nm')}",
            "  </Wavelength>",
            "  <Spectral_Response>",
            f"    {_xml.el('STEP', 1, unit='nm')}",
            f"    {_xml.el('VALUES', values)}",
            "  </Spectral_Response>",
            "</Spectral_Information>",
        ]
    return tuple(lines)


#: Encoded images kept in memory (bytes and SHA3-256): an L2A product has 35 (~1.3 MB).
IMAGE_CACHE_SIZE = 128


@lru_cache(maxsize=IMAGE_CACHE_SIZE)
def encoded_image(view: View, name: str, resolution: int) -> tuple[bytes, str]:
    """The JPEG 2000 file of image ``name`` (a band, ``SCL`` or ``TCI``) at ``resolution`` of
    the product ``view``, and its SHA3-256."""
    data = image(view, name, resolution)
    block = min(256, data.shape[-1])
    encoded = raster_bytes(
        data,
        driver="JP2OpenJPEG",
        crs=f"EPSG:{view.window.epsg}",
        transform=view.window.transform(resolution),
        QUALITY=100,
        REVERSIBLE="YES",
        # Raw (not arithmetic-coded) lower bit-planes: standard JPEG 2000 every decoder reads,
        # twice as fast to write real-looking pixels, files ~15 % bigger.
        CODEBLOCK_STYLE="BYPASS",
        blockxsize=block,  # lower case: rasterio overrides BLOCKXSIZE
        blockysize=block,
    )
    return encoded, _xml.sha3(encoded)


def build_l1c(entry: Entry) -> dict[str, bytes]:
    """The files of a Level-1C SAFE product."""
    return _Product(entry, "L1C").files()


def build_l2a(entry: Entry) -> dict[str, bytes]:
    """The files of a Level-2A SAFE product."""
    return _Product(entry, "L2A").files()


class _Product:
    """Names and metadata of one SAFE product, derived from its catalogue entry."""

    def __init__(self, entry: Entry, level: str) -> None:
        parts = entry.name.removesuffix(".SAFE").split("_")
        if len(parts) != 7 or not parts[1].startswith("MSI"):
            raise ValueError(f"Sentinel-2 product name expected, got {entry.name!r}")
        self.entry = entry
        self.level = level
        self.platform = parts[0][2]  # S2A -> A
        self.sensed = parts[2]
        self.processed = parts[6]
        self.tile = entry.extra["tile"]
        self.baseline = entry.extra["baseline"]
        self.orbit = int(entry.attribute("orbitNumber", 0))
        self.rel_orbit = int(entry.attribute("relativeOrbitNumber", int(parts[4][1:])))
        self.datastrip_id = entry.attribute("datastripId") or (
            f"S2{self.platform}_OPER_MSI_{level}_DS_2BPS_{self.processed}_S{self.sensed}"
            f"_N{self.baseline}"
        )
        centre = self.datastrip_id.split("_")[5]
        self.datastrip_dir = f"DS_{centre}_{self.processed}_S{self.sensed}"
        self.granule = f"{level}_T{self.tile}_A{self.orbit:06d}_{self.sensed}"
        self.granule_id = (
            f"S2{self.platform}_OPER_MSI_{level}_TL_{centre}_{self.processed}_A{self.orbit:06d}"
            f"_T{self.tile}_N{self.baseline}"
        )
        self.window = granule_window(entry)
        self.offset = has_offset(self.baseline)
        self.view = view_of(entry)
        #: SHA3-256 of the images :meth:`images` returned, by path (the manifest needs them).
        self.digests: dict[str, str] = {}

    # -- rasters -----------------------------------------------------------------------------

    def _image(self, path: str, name: str, resolution: int) -> tuple[bytes, str, int]:
        data, self.digests[path] = encoded_image(self.view, name, resolution)
        return data, name, resolution

    def image_names(self) -> dict[str, tuple[str, int]]:
        """``path -> (image name, resolution)`` of the granule's IMG_DATA."""
        base = f"GRANULE/{self.granule}/IMG_DATA"
        stem = f"T{self.tile}_{self.sensed}"
        if self.level == "L1C":
            out = {f"{base}/{stem}_{b}.jp2": (b, NATIVE_RESOLUTION[b]) for b in BANDS}
            out[f"{base}/{stem}_TCI.jp2"] = ("TCI", 10)
            return out
        return {
            f"{base}/R{res}m/{stem}_{name}_{res}m.jp2": (name, res)
            for res, names in L2A_CONTENT.items()
            for name in names
            if not (name == "B01" and res == 20 and not self.offset)
        }

    def images(self) -> dict[str, tuple[bytes, str, int]]:
        """``path -> (bytes, image name, resolution)`` of the granule's IMG_DATA."""
        from rasterio import Env

        # One GDAL environment for all: each encoding would set up (and tear down) its own.
        with Env():
            return {path: self._image(path, *how) for path, how in self.image_names().items()}

    # -- metadata ----------------------------------------------------------------------------

    def files(self) -> dict[str, bytes]:
        images = self.images()
        files: dict[str, bytes] = {path: data for path, (data, _, _) in images.items()}
        files[f"GRANULE/{self.granule}/MTD_TL.xml"] = self.tile_metadata().encode()
        files[f"DATASTRIP/{self.datastrip_dir}/MTD_DS.xml"] = self.datastrip_metadata().encode()
        files[f"MTD_MSI{self.level}.xml"] = self.product_metadata(images).encode()
        files["manifest.safe"] = self.manifest(files, images).encode()
        return files

    @property
    def start(self) -> datetime:
        return self.entry.start

    def _footprint_text(self) -> str:
        geometry = self.entry.footprint or {}
        if geometry.get("type") == "MultiPolygon":
            ring = geometry["coordinates"][0][0]
        else:
            ring = geometry.get("coordinates", [[]])[0]
        return " ".join(f"{lat} {lon}" for lon, lat in ring) + " "

    def _spectral_information(self) -> list[str]:
        return list(_spectral_information())

    def _radiometry(self) -> list[str]:
        """Quantification values and, from baseline 04.00 on, the per-band offsets."""
        if self.level == "L1C":
            lines = [_xml.el("QUANTIFICATION_VALUE", QUANTIFICATION, unit="none")]
            if self.offset:
                # PSD 14.9 (baseline 04.00): offsets follow QUANTIFICATION_VALUE.
                lines += ["<Radiometric_Offset_List>"]
                lines += [
                    "  " + _xml.el("RADIO_ADD_OFFSET", BOA_OFFSET, band_id=i)
                    for i in range(len(BANDS))
                ]
                lines += ["</Radiometric_Offset_List>"]
            return lines
        lines = [
            "<QUANTIFICATION_VALUES_LIST>",
            "  " + _xml.el("BOA_QUANTIFICATION_VALUE", QUANTIFICATION, unit="none"),
            "  " + _xml.el("AOT_QUANTIFICATION_VALUE", "1000.0", unit="none"),
            "  " + _xml.el("WVP_QUANTIFICATION_VALUE", "1000.0", unit="cm"),
            "</QUANTIFICATION_VALUES_LIST>",
        ]
        if self.offset:
            lines += ["<BOA_ADD_OFFSET_VALUES_LIST>"]
            lines += [
                "  " + _xml.el("BOA_ADD_OFFSET", BOA_OFFSET, band_id=i) for i in range(len(BANDS))
            ]
            lines += ["</BOA_ADD_OFFSET_VALUES_LIST>"]
        return lines

    def product_metadata(self, images: dict[str, tuple[bytes, str, int]]) -> str:
        level = self.level
        kind = "1C" if level == "L1C" else "2A"
        ns = f"https://psd-14.sentinel2.eo.esa.int/PSD/User_Product_Level-{kind}.xsd"
        start = _xml.iso(self.start, 3)
        generation = datetime.strptime(self.processed, "%Y%m%dT%H%M%S")
        image_files = [path.removesuffix(".jp2") for path in images]
        cloud = self.entry.attribute("cloudCover", 0.0)
        day = self.sensed[:8]
        ecmwf = f"S2__OPER_AUX_ECMWFD_PDMC_{day}T000000_V{day}T000000_{day}T120000"
        lines = [
            "<?xml version='1.0' encoding='UTF-8'?>",
            f'<n1:Level-{kind}_User_Product xmlns:n1="{ns}" '
            f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="{ns}">',
            "  <n1:General_Info>",
            "    <Product_Info>",
            f"      {_xml.el('PRODUCT_START_TIME', start)}",
            f"      {_xml.el('PRODUCT_STOP_TIME', start)}",
            f"      {_xml.el('PRODUCT_URI', self.entry.name)}",
            f"      {_xml.el('PROCESSING_LEVEL', f'Level-{kind}')}",
            f"      {_xml.el('PRODUCT_TYPE', self.entry.product_type)}",
            f"      {_xml.el('PROCESSING_BASELINE', self.baseline)}",
            f"      {_xml.el('PRODUCT_DOI', 'https://doi.org/10.5270/S2_-742ikth')}",
            f"      {_xml.el('GENERATION_TIME', _xml.iso(generation.replace(tzinfo=self.start.tzinfo)))}",  # noqa: E501
            "      <PREVIEW_IMAGE_URL>Not applicable</PREVIEW_IMAGE_URL>",
            "      <PREVIEW_GEO_INFO>Not applicable</PREVIEW_GEO_INFO>",
            f'      <Datatake datatakeIdentifier="GS2{self.platform}_{self.sensed}_'
            f'{self.orbit:06d}_N{self.baseline}">',
            f"        {_xml.el('SPACECRAFT_NAME', f'Sentinel-2{self.platform}')}",
            "        <DATATAKE_TYPE>INS-NOBS</DATATAKE_TYPE>",
            f"        {_xml.el('DATATAKE_SENSING_START', start)}",
            f"        {_xml.el('SENSING_ORBIT_NUMBER', self.rel_orbit)}",
            "        <SENSING_ORBIT_DIRECTION>DESCENDING</SENSING_ORBIT_DIRECTION>",
            "      </Datatake>",
            '      <Query_Options completeSingleTile="true">',
            "        <PRODUCT_FORMAT>SAFE_COMPACT</PRODUCT_FORMAT>",
            "      </Query_Options>",
            "      <Product_Organisation>",
            "        <Granule_List>",
            f'          <Granule datastripIdentifier="{self.datastrip_id}" '
            f'granuleIdentifier="{self.granule_id}" imageFormat="JPEG2000">',
            *(f"            {_xml.el('IMAGE_FILE', f)}" for f in image_files),
            "          </Granule>",
            "        </Granule_List>",
            "      </Product_Organisation>",
            "    </Product_Info>",
            "    <Product_Image_Characteristics>",
            "      <Special_Values>",
            "        <SPECIAL_VALUE_TEXT>NODATA</SPECIAL_VALUE_TEXT>",
            "        <SPECIAL_VALUE_INDEX>0</SPECIAL_VALUE_INDEX>",
            "      </Special_Values>",
            "      <Special_Values>",
            "        <SPECIAL_VALUE_TEXT>SATURATED</SPECIAL_VALUE_TEXT>",
            "        <SPECIAL_VALUE_INDEX>65535</SPECIAL_VALUE_INDEX>",
            "      </Special_Values>",
            "      <Image_Display_Order>",
            "        <RED_CHANNEL>3</RED_CHANNEL>",
            "        <GREEN_CHANNEL>2</GREEN_CHANNEL>",
            "        <BLUE_CHANNEL>1</BLUE_CHANNEL>",
            "      </Image_Display_Order>",
            _xml.join(self._radiometry(), 6),
            "      <Reflectance_Conversion>",
            f"        <U>{1 - 0.0167 * np.cos(2 * np.pi * (self.start.timetuple().tm_yday - 3) / 365.25):.14f}</U>",  # noqa: E501
            "        <Solar_Irradiance_List>",
            *(
                f"          {_xml.el('SOLAR_IRRADIANCE', v, bandId=i, unit='W/m²/µm')}"
                for i, v in enumerate(SOLAR_IRRADIANCE)
            ),
            "        </Solar_Irradiance_List>",
            "      </Reflectance_Conversion>",
            "      <Spectral_Information_List>",
            _xml.join(self._spectral_information(), 8),
            "      </Spectral_Information_List>",
            *(
                f"      {_xml.el('PHYSICAL_GAINS', g, bandId=i)}"
                for i, g in enumerate(PHYSICAL_GAINS)
            ),
            "      <REFERENCE_BAND>3</REFERENCE_BAND>",
        ]
        if level == "L2A":
            lines += ["      <Scene_Classification_List>"]
            for i, name in enumerate(SCL_CLASSES):
                lines += [
                    "        <Scene_Classification_ID>",
                    f"          {_xml.el('SCENE_CLASSIFICATION_TEXT', f'SC_{name}')}",
                    f"          {_xml.el('SCENE_CLASSIFICATION_INDEX', i)}",
                    "        </Scene_Classification_ID>",
                ]
            lines += ["      </Scene_Classification_List>"]
        lines += [
            "    </Product_Image_Characteristics>",
            "  </n1:General_Info>",
            "  <n1:Geometric_Info>",
            "    <Product_Footprint>",
            "      <Product_Footprint>",
            "        <Global_Footprint>",
            f"          {_xml.el('EXT_POS_LIST', self._footprint_text())}",
            "        </Global_Footprint>",
            "      </Product_Footprint>",
            "      <RASTER_CS_TYPE>POINT</RASTER_CS_TYPE>",
            "      <PIXEL_ORIGIN>1</PIXEL_ORIGIN>",
            "    </Product_Footprint>",
            "    <Coordinate_Reference_System>",
            '      <GEO_TABLES version="1">EPSG</GEO_TABLES>',
            "      <HORIZONTAL_CS_TYPE>GEOGRAPHIC</HORIZONTAL_CS_TYPE>",
            "    </Coordinate_Reference_System>",
            "  </n1:Geometric_Info>",
            "  <n1:Auxiliary_Data_Info>",
            "    <GIPP_List/>",
            "    <PRODUCTION_DEM_TYPE>COPERNICUS_90</PRODUCTION_DEM_TYPE>",
            f"    {_xml.el('ECMWF_DATA_REF', ecmwf)}",
            "  </n1:Auxiliary_Data_Info>",
            "  <n1:Quality_Indicators_Info>",
            f"    {_xml.el('Cloud_Coverage_Assessment', cloud)}",
            "    <Technical_Quality_Assessment>",
            "      <DEGRADED_ANC_DATA_PERCENTAGE>0.0</DEGRADED_ANC_DATA_PERCENTAGE>",
            "      <DEGRADED_MSI_DATA_PERCENTAGE>0</DEGRADED_MSI_DATA_PERCENTAGE>",
            "    </Technical_Quality_Assessment>",
            "    <Quality_Control_Checks>",
            "      <Quality_Inspections>",
            *(
                f'        <quality_check checkType="{check}">PASSED</quality_check>'
                for check in (
                    "FORMAT_CORRECTNESS",
                    "GENERAL_QUALITY",
                    "GEOMETRIC_QUALITY",
                    "RADIOMETRIC_QUALITY",
                    "SENSOR_QUALITY",
                )
            ),
            "      </Quality_Inspections>",
            "      <Failed_Inspections/>",
            "    </Quality_Control_Checks>",
            "  </n1:Quality_Indicators_Info>",
            f"</n1:Level-{kind}_User_Product>",
            "",
        ]
        return "\n".join(lines)

    def tile_metadata(self) -> str:
        kind = "1C" if self.level == "L1C" else "2A"
        ns = f"https://psd-14.sentinel2.eo.esa.int/PSD/S2_PDI_Level-{kind}_Tile_Metadata.xsd"
        w = self.window
        sizes, positions = [], []
        for res in (10, 20, 60):
            n = w.shape(res)[0]
            sizes += [
                f'<Size resolution="{res}">',
                f"  <NROWS>{n}</NROWS>",
                f"  <NCOLS>{n}</NCOLS>",
                "</Size>",
            ]
            positions += [
                f'<Geoposition resolution="{res}">',
                f"  <ULX>{w.x0:.0f}</ULX>",
                f"  <ULY>{w.y0:.0f}</ULY>",
                f"  <XDIM>{res}</XDIM>",
                f"  <YDIM>-{res}</YDIM>",
                "</Geoposition>",
            ]
        zenith = float(self.entry.attribute("illuminationZenithAngle", 40.0))
        cloud = self.entry.attribute("cloudCover", 0.0)
        sensing = self.start + timedelta(seconds=8.8)
        lines = [
            "<?xml version='1.0' encoding='UTF-8'?>",
            f'<n1:Level-{kind}_Tile_ID xmlns:n1="{ns}" '
            f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="{ns}">',
            "  <n1:General_Info>",
            f'    <TILE_ID metadataLevel="Brief">{self.granule_id}</TILE_ID>',
            f'    <DATASTRIP_ID metadataLevel="Standard">{self.datastrip_id}</DATASTRIP_ID>',
            '    <DOWNLINK_PRIORITY metadataLevel="Standard">NOMINAL</DOWNLINK_PRIORITY>',
            f'    <SENSING_TIME metadataLevel="Standard">{_xml.iso(sensing)}</SENSING_TIME>',
            '    <Archiving_Info metadataLevel="Expertise">',
            "      <ARCHIVING_CENTRE>2BPS</ARCHIVING_CENTRE>",
            f"      {_xml.el('ARCHIVING_TIME', _xml.iso(self.entry.origin))}",
            "    </Archiving_Info>",
            "  </n1:General_Info>",
            "  <n1:Geometric_Info>",
            '    <Tile_Geocoding metadataLevel="Brief">',
            f"      {_xml.el('HORIZONTAL_CS_NAME', w.zone_name)}",
            f"      {_xml.el('HORIZONTAL_CS_CODE', f'EPSG:{w.epsg}')}",
            _xml.join(sizes, 6),
            _xml.join(positions, 6),
            "    </Tile_Geocoding>",
            '    <Tile_Angles metadataLevel="Standard">',
            "      <Mean_Sun_Angle>",
            f'        <ZENITH_ANGLE unit="deg">{zenith}</ZENITH_ANGLE>',
            '        <AZIMUTH_ANGLE unit="deg">158.5</AZIMUTH_ANGLE>',
            "      </Mean_Sun_Angle>",
            "    </Tile_Angles>",
            "  </n1:Geometric_Info>",
            '  <n1:Quality_Indicators_Info metadataLevel="Standard">',
            "    <Image_Content_QI>",
            f"      {_xml.el('CLOUDY_PIXEL_PERCENTAGE', cloud)}",
            "      <DEGRADED_MSI_DATA_PERCENTAGE>0</DEGRADED_MSI_DATA_PERCENTAGE>",
            "    </Image_Content_QI>",
            "  </n1:Quality_Indicators_Info>",
            f"</n1:Level-{kind}_Tile_ID>",
            "",
        ]
        return "\n".join(lines)

    def datastrip_metadata(self) -> str:
        kind = "1C" if self.level == "L1C" else "2A"
        ns = f"https://psd-14.sentinel2.eo.esa.int/PSD/S2_PDI_Level-{kind}_Datastrip_Metadata.xsd"
        start = _xml.iso(self.start)
        return "\n".join(
            [
                "<?xml version='1.0' encoding='UTF-8'?>",
                f'<n1:Level-{kind}_DataStrip_ID xmlns:n1="{ns}">',
                "  <n1:General_Info>",
                f'    <DATASTRIP_ID metadataLevel="Brief">{self.datastrip_id}</DATASTRIP_ID>',
                '    <Datatake_Info datatakeIdentifier="'
                f'GS2{self.platform}_{self.sensed}_{self.orbit:06d}_N{self.baseline}">',
                f"      {_xml.el('DATATAKE_SENSING_START', start)}",
                f"      {_xml.el('SENSING_ORBIT_NUMBER', self.rel_orbit)}",
                "      <SENSING_ORBIT_DIRECTION>DESCENDING</SENSING_ORBIT_DIRECTION>",
                "    </Datatake_Info>",
                f"    {_xml.el('PROCESSING_BASELINE', self.baseline)}",
                "  </n1:General_Info>",
                f"</n1:Level-{kind}_DataStrip_ID>",
                "",
            ]
        )

    def manifest(self, files: dict[str, bytes], images: dict[str, tuple[bytes, str, int]]) -> str:
        """``manifest.safe``: every file with its size and SHA3-256 (as CDSE's 2024 manifests)."""
        from . import _xfdu

        kind = "1C" if self.level == "L1C" else "2A"
        ids: dict[str, str] = {
            f"MTD_MSI{self.level}.xml": f"S2_Level-{kind}_Product_Metadata",
            f"DATASTRIP/{self.datastrip_dir}/MTD_DS.xml": f"S2_Level-{kind}_Datastrip1_Metadata",
            f"GRANULE/{self.granule}/MTD_TL.xml": f"S2_Level-{kind}_Tile1_Metadata",
        }
        counters: dict[int, int] = {}
        for path, (_, name, res) in images.items():
            if name in ("TCI", "SCL", "AOT", "WVP"):
                ids[path] = (
                    "IMG_DATA_Band_TCI_Tile1_Data"
                    if self.level == "L1C"
                    else f"{name}_DATA_{res}m_Tile1_Data"
                )
                continue
            counters[res] = counters.get(res, 0) + 1
            ids[path] = (
                f"IMG_DATA_Band_{res}m_{counters[res]}_Tile1_Data"
                if self.level == "L1C"
                else f"IMG_DATA_{res}m_Band{counters[res]}_Tile1_Data"
            )
        safe = "http://www.esa.int/safe/sentinel/1.1"
        level_name = f"Level-{kind}"
        p = self.processed
        bodies = {
            ("acquisitionPeriod", "Acquisition Period"): [
                "<safe:acquisitionPeriod>",
                f"  {_xml.el('safe:startTime', _xml.iso(self.start, 3))}",
                "</safe:acquisitionPeriod>",
            ],
            ("measurementOrbitReference", "Orbit Reference"): [
                "<safe:orbitReference>",
                '  <safe:orbitNumber groundTrackDirection="descending" type="start">'
                f"{self.orbit:06d}</safe:orbitNumber>",
                f'  <safe:relativeOrbitNumber type="start">{self.rel_orbit:03d}'
                "</safe:relativeOrbitNumber>",
                "</safe:orbitReference>",
            ],
            ("platform", "Platform Description"): [
                "<safe:platform>",
                "  <safe:nssdcIdentifier>2015-000A</safe:nssdcIdentifier>",
                "  <safe:familyName>SENTINEL</safe:familyName>",
                f"  <safe:number>2{self.platform}</safe:number>",
                "  <safe:instrument>",
                '    <safe:familyName abbreviation="MSI">Multi-Spectral Instrument'
                "</safe:familyName>",
                "  </safe:instrument>",
                "</safe:platform>",
            ],
            ("processing", "Processing"): [
                f'<safe:processing xmlns="{safe}" name="Generation of {level_name} User Product" '
                f'start="{p[:4]}-{p[4:6]}-{p[6:8]}T{p[9:11]}:{p[11:13]}:{p[13:15]}.000000Z">',
                "</safe:processing>",
            ],
            ("measurementFrameSet", "Frame Set"): [
                "<safe:frameSet>",
                '  <safe:footPrint srsName="http://www.opengis.net/gml/srs/epsg.xml#4326">',
                f"    {_xml.el('gml:coordinates', self._footprint_text())}",
                "  </safe:footPrint>",
                "</safe:frameSet>",
            ],
        }
        doc = _xfdu.XFDU(
            namespaces=(
                ("gml", "http://www.opengis.net/gml"),
                ("safe", safe),
                ("xfdu", "urn:ccsds:schema:xfdu:1"),
            ),
            version=f"esa/safe/sentinel/1.1/sentinel-2/msi/archive_l{kind.lower()}_user_product",
            package=_xfdu.Package(
                f"Product_{level_name}",
                f"SENTINEL-2 MSI {level_name} User Product",
                dmd="acquisitionPeriod platform",
                pdi="processing",
            ),
            units=[
                _xfdu.ContentUnit(
                    oid,
                    "Metadata Unit" if path.endswith(".xml") else "Measurement Data Unit",
                    ident=f"{oid}_Unit",
                )
                for path, oid in ids.items()
            ],
            metadata=[
                _xfdu.MetadataObject(
                    ident,
                    _xfdu.Wrap(text, body),
                    *(("PROVENANCE", "PDI") if ident == "processing" else ()),
                )
                for (ident, text), body in bodies.items()
            ],
            objects=[
                _xfdu.DataObject(
                    oid,
                    path,
                    files[path],
                    "text/xml" if path.endswith(".xml") else "application/octet-stream",
                    digest=self.digests.get(path),
                )
                for path, oid in ids.items()
            ],
        )
        # The real manifests' attributes are in alphabetical order.
        order = {tag: tuple(sorted(names)) for tag, names in _xfdu.ORDER.items()}
        declaration = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
        return _xfdu.render(doc, _xfdu.Style(_xfdu.SHA3_256, order, declaration=declaration))
