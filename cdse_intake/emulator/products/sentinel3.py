"""Sentinel-3 OLCI Level-1 EFR products in the SEN3 layout (netCDF4 files + xfdumanifest.xml).

Shaped after the real ``S3A_OL_1_EFR____…SEN3`` in ``reference/samples/products/sentinel-3``
(complete manifest; each ``.nc`` there holds the real global attributes) and the OLCI Level-1
product data format specification::

    <Name>.SEN3/
      xfdumanifest.xml
      Oa01_radiance.nc … Oa21_radiance.nc    OaNN_radiance(rows, columns) uint16, scaled
      geo_coordinates.nc                     latitude, longitude (int32, 1e-6), altitude
      time_coordinates.nc                    time_stamp(rows)
      qualityFlags.nc                        quality_flags(rows, columns) uint32
      tie_geo_coordinates.nc, tie_geometries.nc, tie_meteo.nc (tie_rows, tie_columns)
      instrument_data.nc, removed_pixels.nc

Small (120 rows x 129 columns, tie points every 64 columns as in real EFR). The image spans the
catalogue footprint: row 0 is its northern edge (OLCI flies descending), column 0 its western.
Radiance counts follow :func:`expected_dn`; positions follow :func:`geolocation`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from . import _xml
from ._geo import footprint_quad
from ._netcdf import netcdf_bytes, variable

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "BANDS",
    "COLUMNS",
    "ROWS",
    "SCALE_FACTORS",
    "build_efr",
    "expected_dn",
    "geolocation",
]

ROWS = 120
COLUMNS = 129
AC_SUBSAMPLING = 64  # tie-point columns, as real EFR (ac_subsampling_factor)
TIE_COLUMNS = (COLUMNS - 1) // AC_SUBSAMPLING + 1
DETECTORS = 3700
BANDS = tuple(f"Oa{i:02d}" for i in range(1, 22))
#: (central wavelength, bandwidth) in nm, from the real manifest.
WAVELENGTHS = (
    (400, 15), (412.5, 10), (442.5, 10), (490, 10), (510, 10), (560, 10), (620, 10), (665, 10),
    (673.75, 7.5), (681.25, 7.5), (708.75, 10), (753.75, 7.5), (761.25, 2.5), (764.375, 3.75),
    (767.5, 2.5), (778.75, 15), (865, 20), (885, 10), (900, 10), (940, 20), (1020, 40),
)  # fmt: skip
#: Radiance scale factors per band (of the order of the real ones; exact values unverified).
SCALE_FACTORS = (
    0.0133873, 0.0121481, 0.0115198, 0.0100953, 0.0095098, 0.0081388, 0.0063499, 0.0056333,
    0.0054935, 0.0054460, 0.0048635, 0.0042183, 0.0040940, 0.0040690, 0.0040293, 0.0039024,
    0.0033206, 0.0032163, 0.0030659, 0.0028058, 0.0022846,
)  # fmt: skip
FLAG_MEANINGS = (
    "land coastline fresh_inland_water tidal_region bright straylight_risk invalid cosmetic "
    "duplicated sun-glint_risk dubious " + " ".join(f"saturated@{b}" for b in BANDS)
)
_NAME = re.compile(
    r"^S3(?P<platform>[AB])_OL_1_EFR____(?P<start>\d{8}T\d{6})_(?P<stop>\d{8}T\d{6})_"
    r"(?P<created>\d{8}T\d{6})_(?P<duration>\d{4})_(?P<cycle>\d{3})_(?P<rel>\d{3})_"
    r"(?P<frame>\d{4})_(?P<centre>\w{3})_O_(?P<timeliness>\w\w)_(?P<baseline>\d{3})\.SEN3$"
)


def expected_dn(band: str | int, row: Any, col: Any) -> Any:
    """Raw count of ``OaNN_radiance`` at ``(row, col)``: ``1 + (97*n + 11*row + 7*col) % 60000``
    with ``n`` the band number (1..21); radiance is the count times ``SCALE_FACTORS[n - 1]``."""
    n = int(band[2:]) if isinstance(band, str) else int(band)
    if not 1 <= n <= 21:
        raise ValueError(f"OLCI band must be Oa01..Oa21 (or 1..21), got {band!r}")
    rows = np.asarray(row, dtype=np.int64)
    cols = np.asarray(col, dtype=np.int64)
    return (1 + (97 * n + 11 * rows + 7 * cols) % 60000).astype(np.uint16)


def geolocation(entry: Entry, row: Any, col: Any) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of image pixel ``(row, col)`` (before the 1e-6 quantisation of the files)."""
    quad = footprint_quad(entry)
    u = np.asarray(col, float) / (COLUMNS - 1)
    v = 1 - np.asarray(row, float) / (ROWS - 1)
    return quad.interpolate(u, v)


def build_efr(entry: Entry) -> dict[str, bytes]:
    """The files of an OLCI EFR SEN3 product."""
    return _Product(entry).files()


class _Product:
    def __init__(self, entry: Entry) -> None:
        match = _NAME.match(entry.name)
        if not match:
            raise ValueError(f"Sentinel-3 OLCI EFR product name expected, got {entry.name!r}")
        self.entry = entry
        self.name = match.groupdict()
        self.orbit = int(entry.attribute("orbitNumber", 0))
        self.created = datetime.strptime(self.name["created"], "%Y%m%dT%H%M%S").replace(
            tzinfo=entry.start.tzinfo
        )

    def global_attributes(self, title: str) -> dict[str, Any]:
        """The real files' global attributes, in their order."""
        return {
            "absolute_orbit_number": np.array([self.orbit], dtype=np.uint32),
            "ac_subsampling_factor": np.array([AC_SUBSAMPLING], dtype=np.uint16),
            "al_subsampling_factor": np.array([1], dtype=np.uint16),
            "comment": " ",
            "contact": "eosupport@copernicus.esa.int",
            "creation_time": _xml.iso(self.created, 0),
            "history": f"  {_xml.iso(self.created, 0)}: PUGCoreProcessor JobOrder.xml",
            "institution": self.name["centre"],
            "netCDF_version": "4.2 of Mar 13 2018 10:14:33 $",
            "product_name": self.entry.name,
            "references": "S3IPF PDS 004.1 - i2r4 - Product Data Format Specification - OLCI "
            "Level 1, S3IPF PDS 002 - i1r7 - Product Data Format Specification - Product "
            "Structures, S3IPF DPM 002 - i2r5 - Detailed Processing Model - OLCI Level 1",
            "resolution": "[ 270 294 ]",
            "source": "IPF-OL-1-EO 06.17",
            "start_time": _xml.iso(self.entry.start),
            "stop_time": _xml.iso(self.entry.end),
            "title": f"OLCI Level 1b Product, {title}",
        }

    def _nc(self, title: str, dims: dict[str, int], body: Any) -> bytes:
        def write(nc: Any) -> None:
            nc.dimensions = dims
            body(nc)
            for key, value in self.global_attributes(title).items():
                nc.attrs[key] = value

        return netcdf_bytes(write)

    # -- the files ---------------------------------------------------------------------------

    def files(self) -> dict[str, bytes]:
        image = {"rows": ROWS, "columns": COLUMNS}
        tie = {"tie_rows": ROWS, "tie_columns": TIE_COLUMNS}
        rows, cols = np.indices((ROWS, COLUMNS))
        files: dict[str, bytes] = {}
        for i, band in enumerate(BANDS):
            files[f"{band}_radiance.nc"] = self._nc(
                f"Radiance {band} Data Set",
                image,
                lambda nc, i=i, band=band: variable(
                    nc,
                    f"{band}_radiance",
                    ("rows", "columns"),
                    expected_dn(band, rows, cols),
                    np.uint16,
                    fill=np.uint16(65535),
                    ancillary_variables=f"{band}_radiance_err",
                    coordinates="time_stamp altitude latitude longitude",
                    long_name=f"TOA radiance for OLCI acquisition band {band.lower()}",
                    standard_name="toa_upwelling_spectral_radiance",
                    units="mW.m-2.sr-1.nm-1",
                    scale_factor=np.float32(SCALE_FACTORS[i]),
                    add_offset=np.float32(0.0),
                    valid_max=np.uint16(65534),
                    valid_min=np.uint16(0),
                ),
            )
        lon, lat = geolocation(self.entry, rows, cols)
        files["geo_coordinates.nc"] = self._nc(
            "Geo Coordinates Data Set", image, lambda nc: self._geo(nc, lon, lat, image=True)
        )
        files["time_coordinates.nc"] = self._nc("Time Stamps Data Set", {"rows": ROWS}, self._time)
        files["qualityFlags.nc"] = self._nc(
            "Classification and Quality Flags Data Set", image, self._flags
        )
        tie_rows, tie_cols = np.indices((ROWS, TIE_COLUMNS))
        tie_lon, tie_lat = geolocation(self.entry, tie_rows, tie_cols * AC_SUBSAMPLING)
        files["tie_geo_coordinates.nc"] = self._nc(
            "Tie-Point Geo Coordinates Data Set",
            tie,
            lambda nc: self._geo(nc, tie_lon, tie_lat, image=False),
        )
        files["tie_geometries.nc"] = self._nc("Tie-Point Geometries Data Set", tie, self._angles)
        files["tie_meteo.nc"] = self._nc(
            "Tie-Point Meteo Data Set",
            {**tie, "tie_pressure_levels": 25, "wind_vectors": 2},
            self._meteo,
        )
        files["instrument_data.nc"] = self._nc(
            "Instrument Data Set",
            {**image, "bands": len(BANDS), "detectors": DETECTORS},
            self._instrument,
        )
        files["removed_pixels.nc"] = self._nc(
            "Removed Pixels Data Set", {"removed_pixels": 4, "bands": len(BANDS)}, self._removed
        )
        files["xfdumanifest.xml"] = self.manifest(files).encode()
        return files

    def _geo(self, nc: Any, lon: np.ndarray, lat: np.ndarray, image: bool) -> None:
        dims = ("rows", "columns") if image else ("tie_rows", "tie_columns")
        if image:
            variable(
                nc,
                "altitude",
                dims,
                np.zeros(lon.shape),
                np.int16,
                fill=np.int16(-32768),
                long_name="DEM corrected altitude",
                standard_name="height_above_reference_ellipsoid",
                units="m",
                valid_max=np.int16(9000),
                valid_min=np.int16(-1000),
            )
        for name, values, limit in (("latitude", lat, 90), ("longitude", lon, 180)):
            variable(
                nc,
                name,
                dims,
                np.round(values * 1e6),
                np.int32,
                fill=np.int32(-2147483648),
                long_name=f"DEM corrected {name}" if image else name,
                standard_name=name,
                units=f"degrees_{'north' if name == 'latitude' else 'east'}",
                scale_factor=1e-06,
                valid_max=np.int32(limit * 1_000_000),
                valid_min=np.int32(-limit * 1_000_000),
            )

    def _time(self, nc: Any) -> None:
        epoch = datetime(2000, 1, 1, tzinfo=self.entry.start.tzinfo)
        start = (self.entry.start - epoch) // timedelta(microseconds=1)
        total = (self.entry.end - self.entry.start) // timedelta(microseconds=1)
        stamps = start + total * np.arange(ROWS, dtype=np.int64) // (ROWS - 1)
        variable(
            nc,
            "time_stamp",
            ("rows",),
            stamps,
            np.int64,
            long_name="Elapsed time since 01 Jan 2000 0h",
            standard_name="time",
            units="microseconds since 2000-01-01 00:00:00",
        )

    def _flags(self, nc: Any) -> None:
        rows, cols = np.indices((ROWS, COLUMNS))
        # land (bit 31) on the western half, bright (bit 27) on every 7th row.
        flags = np.where(cols < COLUMNS // 2, 1 << 31, 0) | np.where(rows % 7 == 0, 1 << 27, 0)
        masks = np.array(
            [
                1 << 31,
                1 << 30,
                1 << 29,
                1 << 28,
                1 << 27,
                1 << 26,
                1 << 25,
                1 << 24,
                1 << 23,
                1 << 22,
                1 << 21,
                *(1 << b for b in range(20, -1, -1)),
            ],
            dtype=np.uint32,
        )
        variable(
            nc,
            "quality_flags",
            ("rows", "columns"),
            flags,
            np.uint32,
            fill=np.uint32(4294967295),
            coordinates="time_stamp altitude latitude longitude",
            flag_masks=masks,
            flag_meanings=FLAG_MEANINGS,
            long_name="Classification and quality flags",
        )

    def _angles(self, nc: Any) -> None:
        rows, cols = np.indices((ROWS, TIE_COLUMNS))
        values = {
            "OAA": 100 + 5 * cols,
            "OZA": 10 + 20 * cols,
            "SAA": 150 + 0.1 * rows,
            "SZA": 40 + 0.05 * rows,
        }
        names = {
            "OAA": "observation azimuth",
            "OZA": "observation zenith",
            "SAA": "sun azimuth",
            "SZA": "sun zenith",
        }
        for key, data in values.items():
            dtype = np.int32 if key.endswith("AA") else np.uint32
            variable(
                nc,
                key,
                ("tie_rows", "tie_columns"),
                np.round(data * 1e6),
                dtype,
                long_name=f"{names[key].capitalize()} angle",
                scale_factor=1e-06,
                standard_name=f"{names[key].replace(' ', '_')}_angle",
                units="degree",
            )

    def _meteo(self, nc: Any) -> None:
        shape = (ROWS, TIE_COLUMNS)
        levels = np.linspace(1000, 1, 25, dtype=np.float32)
        variable(
            nc,
            "reference_pressure_level",
            ("tie_pressure_levels",),
            levels,
            np.float32,
            long_name="Atmospheric pressure levels",
            units="hPa",
        )
        variable(
            nc,
            "atmospheric_temperature_profile",
            ("tie_rows", "tie_columns", "tie_pressure_levels"),
            np.broadcast_to(288 - 60 * (1 - levels / 1000), (*shape, 25)),
            np.float32,
            long_name="Atmospheric temperature profile",
            units="K",
        )
        variable(
            nc,
            "horizontal_wind",
            ("tie_rows", "tie_columns", "wind_vectors"),
            np.full((*shape, 2), 3.5),
            np.float32,
            long_name="Horizontal wind vector at 10m altitude",
            units="m s-1",
        )
        variable(
            nc,
            "sea_level_pressure",
            ("tie_rows", "tie_columns"),
            np.full(shape, 1013.25),
            np.float32,
            long_name="Mean sea level pressure",
            units="hPa",
        )
        variable(
            nc,
            "total_columnar_water_vapour",
            ("tie_rows", "tie_columns"),
            np.full(shape, 15.0),
            np.float32,
            long_name="Total column water vapour",
            units="kg.m-2",
        )
        variable(
            nc,
            "total_ozone",
            ("tie_rows", "tie_columns"),
            np.full(shape, 0.0065),
            np.float32,
            long_name="Total column ozone",
            units="kg.m-2",
        )

    def _instrument(self, nc: Any) -> None:
        cols = np.indices((ROWS, COLUMNS))[1]
        centres = np.array([w for w, _ in WAVELENGTHS], dtype=np.float32)
        widths = np.array([b for _, b in WAVELENGTHS], dtype=np.float32)
        variable(
            nc,
            "detector_index",
            ("rows", "columns"),
            cols * (DETECTORS // COLUMNS),
            np.int16,
            fill=np.int16(-1),
            coordinates="time_stamp altitude latitude longitude",
            long_name="Detector index",
            valid_max=np.int16(3699),
            valid_min=np.int16(0),
        )
        variable(
            nc,
            "frame_offset",
            ("rows", "columns"),
            np.zeros((ROWS, COLUMNS)),
            np.int8,
            long_name="Re-sampling along-track frame offset",
        )
        variable(
            nc,
            "lambda0",
            ("bands", "detectors"),
            np.broadcast_to(centres[:, None], (len(BANDS), DETECTORS)),
            np.float32,
            long_name="Detector wavelength",
            units="nm",
        )
        variable(
            nc,
            "FWHM",
            ("bands", "detectors"),
            np.broadcast_to(widths[:, None], (len(BANDS), DETECTORS)),
            np.float32,
            long_name="Full width at half maximum",
            units="nm",
        )
        variable(
            nc,
            "solar_flux",
            ("bands", "detectors"),
            np.broadcast_to((1900 - 1.2 * (centres - 400))[:, None], (len(BANDS), DETECTORS)),
            np.float32,
            long_name="In-band solar irradiance, seasonally corrected",
            units="mW.m-2.nm-1",
        )

    def _removed(self, nc: Any) -> None:
        # Layout of removed_pixels.nc beyond its global attributes is unverified.
        variable(nc, "rows", ("removed_pixels",), np.arange(4), np.int32, long_name="Row index")
        variable(
            nc, "columns", ("removed_pixels",), np.zeros(4), np.int32, long_name="Column index"
        )

    # -- manifest ----------------------------------------------------------------------------

    DATA_UNITS = (
        (
            "geo_coordinates.nc",
            "geoCoordinates",
            "Annotation Data Unit",
            "Geo Coordinates Annotations",
        ),
        ("instrument_data.nc", "instrumentData", "Annotation Data Unit", "Instrument Annotation"),
        ("qualityFlags.nc", "qualityFlags", "Annotation Data Unit", "Quality flags"),
        (
            "removed_pixels.nc",
            "removedPixels",
            "Measurement Data Unit",
            "Removed Pixels information used for SYN L1c reconstruction",
        ),
        (
            "tie_geo_coordinates.nc",
            "tieGeoCoordinates",
            "Annotation Data Unit",
            "Tie-Point Geo Coordinate Annotations",
        ),
        (
            "tie_geometries.nc",
            "tieGeometries",
            "Annotation Data Unit",
            "Tie-Point Geometries Annotations",
        ),
        ("tie_meteo.nc", "tieMeteo", "Annotation Data Unit", "Tie-Point Meteo Annotations"),
        (
            "time_coordinates.nc",
            "timeCoordinates",
            "Annotation Data Unit",
            "Time Coordinates Annotations",
        ),
    )

    #: The annotations each unit links to (``dmdID``), as in the real manifest; the reference
    #: may be a metadataObject (``…Annotation``) or, as instrumentData's, a dataObject.
    DMD: ClassVar[dict[str, str]] = {
        "radiance": "geoCoordinatesAnnotation timeCoordinatesAnnotation qualityFlagsAnnotation",
        "geoCoordinates": "timeCoordinatesAnnotation",
        "instrumentData": "geoCoordinatesAnnotation timeCoordinatesAnnotation qualityFlagsData",
        "qualityFlags": "timeCoordinatesAnnotation geoCoordinatesAnnotation",
        "removedPixels": "timeCoordinatesAnnotation",
        "tieGeoCoordinates": "timeCoordinatesAnnotation",
        "tieGeometries": "tieGeoCoordinatesAnnotation timeCoordinatesAnnotation",
        "tieMeteo": "timeCoordinatesAnnotation tieGeoCoordinatesAnnotation",
    }

    def manifest(self, files: dict[str, bytes]) -> str:
        units = [
            (
                f"{band}_radiance.nc",
                f"{band}_radiance",
                "Measurement Data Unit",
                f"TOA radiance for OLCI acquisition band {band}",
            )
            for band in BANDS
        ] + list(self.DATA_UNITS)
        quad = footprint_quad(self.entry)
        pos_list = " ".join(f"{lat:g} {lon:g}" for lon, lat in quad.ring())
        entry = self.entry
        level1 = self.name
        platform = level1["platform"]
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<xfdu:XFDU xmlns:xfdu="urn:ccsds:schema:xfdu:1" '
            'xmlns:sentinel-safe="http://www.esa.int/safe/sentinel/1.1" '
            'xmlns:gml="http://www.opengis.net/gml" '
            'xmlns:sentinel3="http://www.esa.int/safe/sentinel/sentinel-3/1.0" '
            'xmlns:olci="http://www.esa.int/safe/sentinel/sentinel-3/olci/1.0" '
            'version="esa/safe/sentinel/sentinel-3/olci/level-1/1.0">',
            "  <informationPackageMap>",
            '    <xfdu:contentUnit ID="packageUnit" unitType="Information Package" '
            'textInfo="SENTINEL-3 OLCI Level 1 Earth Observation Full Resolution Product" '
            'dmdID="acquisitionPeriod platform measurementOrbitReference '
            "measurementQualityInformation processing measurementFrameSet "
            'generalProductInformation olciProductInformation" pdiID="processing">',
        ]
        for _, key, unit_type, text in units:
            dmd = self.DMD.get(key, self.DMD["radiance"] if key.endswith("_radiance") else "")
            dmd_id = f' dmdID="{dmd}"' if dmd else ""
            lines += [
                f'      <xfdu:contentUnit ID="{key}Unit" unitType="{unit_type}" textInfo="{text}"'
                f"{dmd_id}>",
                f'        <dataObjectPointer dataObjectID="{key}Data"/>',
                "      </xfdu:contentUnit>",
            ]
        size = sum(len(v) for v in files.values())
        lines += [
            "    </xfdu:contentUnit>",
            "  </informationPackageMap>",
            "  <metadataSection>",
            '    <metadataObject ID="acquisitionPeriod" classification="DESCRIPTION" '
            'category="DMD">',
            '      <metadataWrap mimeType="text/xml" vocabularyName="Sentinel-SAFE" '
            'textInfo="Acquisition Period">',
            "        <xmlData>",
            "          <sentinel-safe:acquisitionPeriod>",
            f"            {_xml.el('sentinel-safe:startTime', _xml.iso(entry.start))}",
            f"            {_xml.el('sentinel-safe:stopTime', _xml.iso(entry.end))}",
            "          </sentinel-safe:acquisitionPeriod>",
            "        </xmlData>",
            "      </metadataWrap>",
            "    </metadataObject>",
            '    <metadataObject ID="platform" classification="DESCRIPTION" category="DMD">',
            '      <metadataWrap mimeType="text/xml" vocabularyName="Sentinel-SAFE" '
            'textInfo="Platform Description">',
            "        <xmlData>",
            "          <sentinel-safe:platform>",
            "            <sentinel-safe:nssdcIdentifier>"
            f"{'2016-011A' if platform == 'A' else '2018-039A'}</sentinel-safe:nssdcIdentifier>",
            "            <sentinel-safe:familyName>Sentinel-3</sentinel-safe:familyName>",
            f"            <sentinel-safe:number>{platform}</sentinel-safe:number>",
            "            <sentinel-safe:instrument>",
            '              <sentinel-safe:familyName abbreviation="OLCI">Ocean Land Colour '
            "Instrument</sentinel-safe:familyName>",
            '              <sentinel-safe:mode identifier="EO">Earth Observation'
            "</sentinel-safe:mode>",
            "            </sentinel-safe:instrument>",
            "          </sentinel-safe:platform>",
            "        </xmlData>",
            "      </metadataWrap>",
            "    </metadataObject>",
            '    <metadataObject ID="measurementFrameSet" classification="DESCRIPTION" '
            'category="DMD">',
            '      <metadataWrap mimeType="text/xml" vocabularyName="Sentinel-SAFE" '
            'textInfo="Frame Set">',
            "        <xmlData>",
            "          <sentinel-safe:frameSet>",
            '            <sentinel-safe:footPrint srsName="http://www.opengis.net/def/crs/EPSG/0/'
            '4326">',
            f"              {_xml.el('gml:posList', pos_list)}",
            "            </sentinel-safe:footPrint>",
            "          </sentinel-safe:frameSet>",
            "        </xmlData>",
            "      </metadataWrap>",
            "    </metadataObject>",
            '    <metadataObject ID="generalProductInformation" classification="DESCRIPTION" '
            'category="DMD">',
            '      <metadataWrap mimeType="text/xml" vocabularyName="Sentinel-SAFE" '
            'textInfo="General Product Information">',
            "        <xmlData>",
            "          <sentinel3:generalProductInformation>",
            f"            {_xml.el('sentinel3:productName', entry.name)}",
            "            <sentinel3:productType>OL_1_EFR___</sentinel3:productType>",
            f"            {_xml.el('sentinel3:timeliness', level1['timeliness'])}",
            f"            {_xml.el('sentinel3:baselineCollection', level1['baseline'])}",
            f"            {_xml.el('sentinel3:creationTime', level1['created'])}",
            f"            {_xml.el('sentinel3:productSize', size)}",
            "            <sentinel3:dispositionMode>Operational</sentinel3:dispositionMode>",
            "            <sentinel3:productUnit>",
            "              <sentinel3:type>FRAME</sentinel3:type>",
            f"              {_xml.el('sentinel3:duration', int(level1['duration']))}",
            f"              {_xml.el('sentinel3:alongtrackCoordinate', int(level1['frame']))}",
            "            </sentinel3:productUnit>",
            "          </sentinel3:generalProductInformation>",
            "        </xmlData>",
            "      </metadataWrap>",
            "    </metadataObject>",
            '    <metadataObject ID="olciProductInformation" classification="DESCRIPTION" '
            'category="DMD">',
            '      <metadataWrap mimeType="text/xml" vocabularyName="Sentinel-SAFE" '
            'textInfo="Olci Product Information">',
            "        <xmlData>",
            "          <olci:olciProductInformation>",
            "            <olci:imageSize>",
            f"              <sentinel3:rows>{ROWS}</sentinel3:rows>",
            f"              <sentinel3:columns>{COLUMNS}</sentinel3:columns>",
            "            </olci:imageSize>",
            "            <olci:samplingParameters>",
            "              <olci:alTimeSampling>44001</olci:alTimeSampling>",
            "              <olci:alSpatialSampling>294</olci:alSpatialSampling>",
            "              <olci:acSpatialSampling>270</olci:acSpatialSampling>",
            "              <olci:rowsPerTiePoint>1</olci:rowsPerTiePoint>",
            f"              <olci:columnsPerTiePoint>{AC_SUBSAMPLING}</olci:columnsPerTiePoint>",
            "            </olci:samplingParameters>",
            f'            <olci:bandDescriptions bands="{len(BANDS)}">',
        ]
        for band, (centre, width) in zip(BANDS, WAVELENGTHS, strict=True):
            lines += [
                f'              <sentinel3:band name="{band}">',
                f"                {_xml.el('sentinel3:centralWavelength', f'{centre:g}')}",
                f"                {_xml.el('sentinel3:bandwidth', f'{width:g}')}",
                "              </sentinel3:band>",
            ]
        lines += [
            "            </olci:bandDescriptions>",
            "          </olci:olciProductInformation>",
            "        </xmlData>",
            "      </metadataWrap>",
            "    </metadataObject>",
            '    <metadataObject ID="measurementOrbitReference" classification="DESCRIPTION" '
            'category="DMD">',
            '      <metadataWrap mimeType="text/xml" vocabularyName="Sentinel-SAFE" '
            'textInfo="Orbit Reference">',
            "        <xmlData>",
            "          <sentinel-safe:orbitReference>",
            '            <sentinel-safe:orbitNumber type="start" groundTrackDirection="descending">'
            f"{self.orbit}</sentinel-safe:orbitNumber>",
            '            <sentinel-safe:relativeOrbitNumber type="start" '
            f'groundTrackDirection="descending">{int(level1["rel"])}'
            "</sentinel-safe:relativeOrbitNumber>",
            f"            {_xml.el('sentinel-safe:cycleNumber', int(level1['cycle']))}",
            "            <sentinel-safe:phaseIdentifier>1</sentinel-safe:phaseIdentifier>",
            "          </sentinel-safe:orbitReference>",
            "        </xmlData>",
            "      </metadataWrap>",
            "    </metadataObject>",
            '    <metadataObject ID="measurementQualityInformation" classification="DESCRIPTION" '
            'category="DMD">',
            '      <metadataWrap mimeType="text/xml" vocabularyName="Sentinel-SAFE" '
            'textInfo="Quality Information">',
            "        <xmlData>",
            "          <sentinel-safe:qualityInformation>",
            "            <sentinel-safe:extension>",
            "              <sentinel3:productQuality>",
            "                <sentinel3:onlineQualityCheck>PASSED</sentinel3:onlineQualityCheck>",
            "              </sentinel3:productQuality>",
            "            </sentinel-safe:extension>",
            "          </sentinel-safe:qualityInformation>",
            "        </xmlData>",
            "      </metadataWrap>",
            "    </metadataObject>",
            '    <metadataObject ID="processing" classification="PROVENANCE" category="PDI">',
            '      <metadataWrap mimeType="text/xml" vocabularyName="Sentinel-SAFE" '
            'textInfo="Processing">',
            "        <xmlData>",
            '          <sentinel-safe:processing name="DataProcessing" outputLevel="1" '
            f'start="{_xml.iso(self.created, 6, zulu=False)}" '
            f'stop="{_xml.iso(self.created + timedelta(seconds=4), 6, zulu=False)}">',
            f'            <sentinel-safe:facility name="Land OLCI Processing and Archiving Centre '
            f'[{level1["centre"]}]" organisation="European Space Agency" '
            'site="Cloud Service Provider" country="EU">',
            '              <sentinel-safe:software name="PUG" version="03.39"/>',
            "            </sentinel-safe:facility>",
            "          </sentinel-safe:processing>",
            "        </xmlData>",
            "      </metadataWrap>",
            "    </metadataObject>",
        ]
        for _, key, unit_type, _ in self.DATA_UNITS:
            if unit_type == "Annotation Data Unit":
                lines += [
                    f'    <metadataObject ID="{key}Annotation" classification="DESCRIPTION" '
                    'category="DMD">',
                    f'      <dataObjectPointer dataObjectID="{key}Data"/>',
                    "    </metadataObject>",
                ]
        lines += ["  </metadataSection>", "  <dataObjectSection>"]
        for path, key, _, text in units:
            data = files[path]
            lines += [
                f'    <dataObject ID="{key}Data">',
                f'      <byteStream mimeType="application/x-netcdf" size="{len(data)}">',
                f'        <fileLocation locatorType="URL" textInfo="{text}" href="./{path}"/>',
                f'        <checksum checksumName="MD5">{_xml.md5(data)}</checksum>',
                "      </byteStream>",
                "    </dataObject>",
            ]
        lines += ["  </dataObjectSection>", "</xfdu:XFDU>", ""]
        return "\n".join(lines)
