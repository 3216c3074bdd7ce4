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
Positions follow :func:`geolocation`.

Radiances are the synthetic Earth (:mod:`..scene`) at each pixel on the sensing start, with
clouds over the record's ``cloudCover`` (:mod:`._s3_pixels`): its reflectance interpolated to the
band centres, seen through a clear atmosphere (Rayleigh and aerosol path reflectance, two-way
transmittance, oxygen and water vapour absorption: the Sentinel-2 L1C writer's model at OLCI's
wavelengths), lit by :data:`SOLAR_FLUX` at the sun zenith angle of ``tie_geometries.nc``
(``L = reflectance * flux * cos(SZA) / pi``) and counted in steps of :data:`SCALE_FACTORS`
(:func:`expected_dn`). ``quality_flags`` (:func:`expected_flags`) mark land and coastline from the
scene's land mask, bright pixels (reflectance above 0.3 at 490 nm: clouds, snow) and saturated
counts. Radiances and flags are written for each product; the other files once per family or
site and patched per product (:func:`._sen3.render`).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _s3_pixels, _sen3, _xml
from ._netcdf import NcGroup
from ._sen3 import Product, Swath, Unit, degrees, variable

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "BANDS",
    "COLUMNS",
    "ROWS",
    "SCALE_FACTORS",
    "SOLAR_FLUX",
    "build_efr",
    "expected_dn",
    "expected_flags",
    "geolocation",
    "toa_reflectance",
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
#: In-band solar irradiance (mW m-2 nm-1), ``instrument_data.nc``'s ``solar_flux``: the solar
#: spectrum (Thuillier 2003) at the band centres, rounded; exact per-detector values unverified.
SOLAR_FLUX = (
    1715, 1850, 1890, 1950, 1910, 1830, 1690, 1530, 1505, 1480, 1410, 1270, 1260, 1250, 1240,
    1180, 955, 925, 890, 815, 700,
)  # fmt: skip
#: A clear atmosphere as the Sentinel-2 L1C writer's (AOT 0.15 at 550 nm, air mass ~2.2):
#: Rayleigh and aerosol optical depths, and the gases' two-way transmittance per band (ozone
#: around 600 nm, the oxygen A band in Oa13-Oa15, water vapour in Oa11 and Oa18-Oa20; rough).
_UM = np.array([w for w, _ in WAVELENGTHS]) / 1000
_RAYLEIGH = 0.008569 * _UM**-4 * (1 + 0.0113 * _UM**-2 + 0.00013 * _UM**-4)
_AEROSOL = 0.15 * (0.55 / _UM) ** 1.3
_GAS = np.array([1.0, 1.0, 1.0, 0.99, 0.98, 0.96, 0.96, 0.97, 0.98, 0.98, 0.96, 0.99, 0.2, 0.45,
                 0.7, 0.99, 0.99, 0.9, 0.8, 0.4, 0.97])  # fmt: skip
PATH = (0.9 * (0.5 * _RAYLEIGH + 0.2 * _AEROSOL) * _GAS).astype(np.float32)
TRANSMITTANCE = (np.exp(-1.1 * (_RAYLEIGH + _AEROSOL)) * _GAS).astype(np.float32)
#: Top-of-atmosphere reflectance at 490 nm (Oa04) above which a pixel is flagged ``bright``.
BRIGHT = 0.3
MAX_COUNT = 65534
FLAG_MEANINGS = (
    "land coastline fresh_inland_water tidal_region bright straylight_risk invalid cosmetic "
    "duplicated sun-glint_risk dubious " + " ".join(f"saturated@{b}" for b in BANDS)
)
_IMAGE = ("rows", "columns")
_TIE = ("tie_rows", "tie_columns")
_COORDINATES = "time_stamp altitude latitude longitude"


def _band_number(band: str | int) -> int:
    n = int(band[2:]) if isinstance(band, str) else int(band)
    if not 1 <= n <= 21:
        raise ValueError(f"OLCI band must be Oa01..Oa21 (or 1..21), got {band!r}")
    return n


def expected_dn(entry: Entry, band: str | int, row: Any, col: Any) -> np.ndarray:
    """Raw count (uint16) of ``OaNN_radiance`` at image ``(row, col)`` of ``entry``'s product;
    the radiance is the count times ``SCALE_FACTORS[n - 1]`` (0..65534, saturated at 65534)."""
    n = _band_number(band)
    return _radiometry(_look(entry))[0][n - 1][np.asarray(row), np.asarray(col)]


def expected_flags(entry: Entry, row: Any, col: Any) -> np.ndarray:
    """``quality_flags`` (uint32) at image ``(row, col)``: land (bit 31), coastline (30), bright
    (27) and saturated@OaNN (bit 21 - NN)."""
    return _radiometry(_look(entry))[1][np.asarray(row), np.asarray(col)]


def toa_reflectance(entry: Entry) -> np.ndarray:
    """Top-of-atmosphere reflectance ``(band, row, column)`` the radiances encode (float32)."""
    return _toa(_look(entry))


def geolocation(entry: Entry, row: Any, col: Any) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of image pixel ``(row, col)`` (before the 1e-6 quantisation of the files)."""
    return _product(entry).swath.lonlat(row, col, ROWS, COLUMNS)


def _product(entry: Entry) -> Product:
    return Product(entry, "OL_1_EFR___", "OLCI EFR")


def _look(entry: Entry) -> _s3_pixels.Look:
    return _s3_pixels.look(_product(entry), ROWS, COLUMNS)


def _sun_zenith(rows: Any) -> np.ndarray:
    """Sun zenith angle (degrees) of image rows, as ``tie_geometries.nc`` gives it."""
    return 40 + 0.05 * np.asarray(rows)


@functools.lru_cache(maxsize=4)
def _toa(view: _s3_pixels.Look) -> np.ndarray:
    ground = _s3_pixels.at_wavelengths(_s3_pixels.observed(view), [w for w, _ in WAVELENGTHS])
    toa = PATH[:, None, None] + TRANSMITTANCE[:, None, None] * ground
    return _s3_pixels.frozen(toa.astype(np.float32))


@functools.lru_cache(maxsize=4)
def _radiometry(view: _s3_pixels.Look) -> tuple[np.ndarray, np.ndarray]:
    """Counts ``(band, row, column)`` and quality flags ``(row, column)`` of a product."""
    toa = _toa(view)
    sun = np.cos(np.radians(_sun_zenith(np.arange(ROWS))))[:, None]
    per_count = np.array(SOLAR_FLUX) / (np.pi * np.array(SCALE_FACTORS))
    counts = np.rint(toa * (per_count[:, None, None] * sun))
    saturated = counts > MAX_COUNT
    land = _s3_pixels.land(view.swath, ROWS, COLUMNS)
    flags = (
        np.where(land, np.uint32(1 << 31), np.uint32(0))
        | np.where(_s3_pixels.coast(land), np.uint32(1 << 30), np.uint32(0))
        | np.where(toa[3] > BRIGHT, np.uint32(1 << 27), np.uint32(0))
    )
    for i in np.flatnonzero(saturated.any(axis=(1, 2))):
        flags |= np.where(saturated[i], np.uint32(1 << (20 - i)), np.uint32(0))
    counts = np.clip(counts, 0, MAX_COUNT).astype(np.uint16)
    return _s3_pixels.frozen(counts), _s3_pixels.frozen(flags.astype(np.uint32))


def build_efr(entry: Entry, cached: bool = True) -> dict[str, bytes]:
    """The files of an OLCI EFR SEN3 product (``cached=False``: written afresh, same bytes)."""
    product = _product(entry)
    attrs = {
        **product.common_attrs(_xml.iso(product.created, 0)),
        "ac_subsampling_factor": np.array([AC_SUBSAMPLING], dtype=np.uint16),
        "al_subsampling_factor": np.array([1], dtype=np.uint16),
        "references": "S3IPF PDS 004.1 - i2r4 - Product Data Format Specification - OLCI "
        "Level 1, S3IPF PDS 002 - i1r7 - Product Data Format Specification - Product "
        "Structures, S3IPF DPM 002 - i2r5 - Detailed Processing Model - OLCI Level 1",
        "resolution": "[ 270 294 ]",
        "source": "IPF-OL-1-EO 06.17",
    }
    files = _sen3.render(product, _write, attrs, ROWS, cached, _measurements)
    files["xfdumanifest.xml"] = _sen3.manifest(product, _SPEC, _UNITS, olci_info(), files).encode()
    return files


# -- the files ---------------------------------------------------------------------------------


_IMAGE_SIZE = {"rows": ROWS, "columns": COLUMNS}


def _nc(attrs: dict[str, Any], title: str, dims: dict[str, int], body: Any) -> bytes:
    return _sen3.nc(dims, body, {**attrs, "title": f"OLCI Level 1b Product, {title}"})


def _write(swath: Swath | None, attrs: dict[str, Any], stamps: np.ndarray) -> dict[str, bytes]:
    """The netCDF files on ``swath`` (positions), or with ``swath=None`` the others but the
    measurements."""
    image = _IMAGE_SIZE
    tie = {"tie_rows": ROWS, "tie_columns": TIE_COLUMNS}
    if swath is not None:
        lon, lat = _s3_pixels.lonlat(swath, ROWS, COLUMNS)
        tie_rows, tie_cols = np.indices((ROWS, TIE_COLUMNS))
        tie_lon, tie_lat = swath.lonlat(tie_rows, tie_cols * AC_SUBSAMPLING, ROWS, COLUMNS)
        return {
            "geo_coordinates.nc": _nc(
                attrs, "Geo Coordinates Data Set", image, lambda g: _geo(g, lon, lat, image=True)
            ),
            "tie_geo_coordinates.nc": _nc(
                attrs,
                "Tie-Point Geo Coordinates Data Set",
                tie,
                lambda g: _geo(g, tie_lon, tie_lat, image=False),
            ),
        }
    return {
        "time_coordinates.nc": _nc(
            attrs,
            "Time Stamps Data Set",
            {"rows": ROWS},
            lambda g: _sen3.time_stamps(g, stamps, compress=False),
        ),
        "tie_geometries.nc": _nc(attrs, "Tie-Point Geometries Data Set", tie, _angles),
        "tie_meteo.nc": _nc(
            attrs,
            "Tie-Point Meteo Data Set",
            {**tie, "tie_pressure_levels": 25, "wind_vectors": 2},
            _meteo,
        ),
        "instrument_data.nc": _nc(
            attrs,
            "Instrument Data Set",
            {**image, "bands": len(BANDS), "detectors": DETECTORS},
            _instrument,
        ),
        "removed_pixels.nc": _nc(
            attrs, "Removed Pixels Data Set", {"removed_pixels": 4, "bands": len(BANDS)}, _removed
        ),
    }


def _measurements(product: Product, attrs: dict[str, Any]) -> dict[str, bytes]:
    """The files of what the product sees: the 21 radiances and the quality flags."""
    counts, flags = _radiometry(_s3_pixels.look(product, ROWS, COLUMNS))
    files = {
        f"{band}_radiance.nc": _nc(
            attrs,
            f"Radiance {band} Data Set",
            _IMAGE_SIZE,
            lambda g, i=i, band=band: variable(
                g,
                f"{band}_radiance",
                _IMAGE,
                counts[i],
                np.uint16,
                fill=np.uint16(65535),
                ancillary_variables=f"{band}_radiance_err",
                coordinates=_COORDINATES,
                long_name=f"TOA radiance for OLCI acquisition band {band.lower()}",
                standard_name="toa_upwelling_spectral_radiance",
                units="mW.m-2.sr-1.nm-1",
                scale_factor=np.float32(SCALE_FACTORS[i]),
                add_offset=np.float32(0.0),
                valid_max=np.uint16(65534),
                valid_min=np.uint16(0),
            ),
        )
        for i, band in enumerate(BANDS)
    }
    files["qualityFlags.nc"] = _nc(
        attrs, "Classification and Quality Flags Data Set", _IMAGE_SIZE, lambda g: _flags(g, flags)
    )
    return files


def _geo(g: NcGroup, lon: np.ndarray, lat: np.ndarray, image: bool) -> None:
    dims = _IMAGE if image else _TIE
    if image:
        variable(
            g,
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
        degrees(
            g,
            name,
            dims,
            values,
            limit,
            long_name=f"DEM corrected {name}" if image else name,
            standard_name=name,
            units=f"degrees_{'north' if name == 'latitude' else 'east'}",
        )


def _flags(g: NcGroup, flags: np.ndarray) -> None:
    masks = np.array([1 << b for b in range(31, -1, -1)], dtype=np.uint32)
    variable(
        g,
        "quality_flags",
        _IMAGE,
        flags,
        np.uint32,
        fill=np.uint32(4294967295),
        coordinates=_COORDINATES,
        flag_masks=masks,
        flag_meanings=FLAG_MEANINGS,
        long_name="Classification and quality flags",
    )


def _angles(g: NcGroup) -> None:
    rows, cols = np.indices((ROWS, TIE_COLUMNS))
    values = {
        "OAA": ("observation azimuth", 100 + 5 * cols),
        "OZA": ("observation zenith", 10 + 20 * cols),
        "SAA": ("sun azimuth", 150 + 0.1 * rows),
        "SZA": ("sun zenith", _sun_zenith(rows)),
    }
    for key, (name, data) in values.items():
        variable(
            g,
            key,
            _TIE,
            np.round(data * 1e6),
            np.int32 if key.endswith("AA") else np.uint32,
            long_name=f"{name.capitalize()} angle",
            scale_factor=1e-06,
            standard_name=f"{name.replace(' ', '_')}_angle",
            units="degree",
        )


def _meteo(g: NcGroup) -> None:
    shape = (ROWS, TIE_COLUMNS)
    levels = np.linspace(1000, 1, 25, dtype=np.float32)
    variable(
        g,
        "reference_pressure_level",
        ("tie_pressure_levels",),
        levels,
        np.float32,
        long_name="Atmospheric pressure levels",
        units="hPa",
    )
    variable(
        g,
        "atmospheric_temperature_profile",
        (*_TIE, "tie_pressure_levels"),
        np.broadcast_to(288 - 60 * (1 - levels / 1000), (*shape, 25)),
        np.float32,
        long_name="Atmospheric temperature profile",
        units="K",
    )
    variable(
        g,
        "horizontal_wind",
        (*_TIE, "wind_vectors"),
        np.full((*shape, 2), 3.5),
        np.float32,
        long_name="Horizontal wind vector at 10m altitude",
        units="m s-1",
    )
    for name, value, long_name, units in (
        ("sea_level_pressure", 1013.25, "Mean sea level pressure", "hPa"),
        ("total_columnar_water_vapour", 15.0, "Total column water vapour", "kg.m-2"),
        ("total_ozone", 0.0065, "Total column ozone", "kg.m-2"),
    ):
        variable(g, name, _TIE, np.full(shape, value), np.float32, long_name=long_name, units=units)


def _instrument(g: NcGroup) -> None:
    cols = np.indices((ROWS, COLUMNS))[1]
    centres = np.array([w for w, _ in WAVELENGTHS], dtype=np.float32)
    widths = np.array([b for _, b in WAVELENGTHS], dtype=np.float32)
    variable(
        g,
        "detector_index",
        _IMAGE,
        cols * (DETECTORS // COLUMNS),
        np.int16,
        fill=np.int16(-1),
        coordinates=_COORDINATES,
        long_name="Detector index",
        valid_max=np.int16(3699),
        valid_min=np.int16(0),
    )
    variable(
        g,
        "frame_offset",
        _IMAGE,
        np.zeros((ROWS, COLUMNS)),
        np.int8,
        long_name="Re-sampling along-track frame offset",
    )
    per_band = (len(BANDS), DETECTORS)
    for name, data, long_name, units in (
        ("lambda0", centres, "Detector wavelength", "nm"),
        ("FWHM", widths, "Full width at half maximum", "nm"),
        ("solar_flux", np.array(SOLAR_FLUX, dtype=np.float32), "In-band solar irradiance, "
         "seasonally corrected", "mW.m-2.nm-1"),
    ):  # fmt: skip
        variable(
            g,
            name,
            ("bands", "detectors"),
            np.broadcast_to(data[:, None], per_band),
            np.float32,
            long_name=long_name,
            units=units,
        )


def _removed(g: NcGroup) -> None:
    # Layout of removed_pixels.nc beyond its global attributes is unverified.
    variable(g, "rows", ("removed_pixels",), np.arange(4), np.int32, long_name="Row index")
    variable(g, "columns", ("removed_pixels",), np.zeros(4), np.int32, long_name="Column index")


# -- manifest --------------------------------------------------------------------------------

_SPEC = _sen3.Spec(
    namespaces='xmlns:olci="http://www.esa.int/safe/sentinel/sentinel-3/olci/1.0"',
    version="esa/safe/sentinel/sentinel-3/olci/level-1/1.0",
    package_text="SENTINEL-3 OLCI Level 1 Earth Observation Full Resolution Product",
    package_dmd="acquisitionPeriod platform measurementOrbitReference "
    "measurementQualityInformation processing measurementFrameSet generalProductInformation "
    "olciProductInformation",
    instrument=("OLCI", "Ocean Land Colour Instrument"),
    facility="Land OLCI Processing and Archiving Centre",
    level="1",
)
_RADIANCE_DMD = "geoCoordinatesAnnotation timeCoordinatesAnnotation qualityFlagsAnnotation"


def _annotation(path: str, key: str, text: str, dmd: str) -> Unit:
    return Unit(path, f"{key}Data", f"{key}Unit", False, text, dmd, f"{key}Annotation")


#: The units as the real manifest lists them; the dmdID of each (a metadataObject, or as
#: instrumentData's, a dataObject).
_UNITS = (
    *(
        Unit(
            f"{band}_radiance.nc",
            f"{band}_radianceData",
            f"{band}_radianceUnit",
            True,
            f"TOA radiance for OLCI acquisition band {band}",
            _RADIANCE_DMD,
        )
        for band in BANDS
    ),
    _annotation(
        "geo_coordinates.nc",
        "geoCoordinates",
        "Geo Coordinates Annotations",
        "timeCoordinatesAnnotation",
    ),
    _annotation(
        "instrument_data.nc",
        "instrumentData",
        "Instrument Annotation",
        "geoCoordinatesAnnotation timeCoordinatesAnnotation qualityFlagsData",
    ),
    _annotation(
        "qualityFlags.nc",
        "qualityFlags",
        "Quality flags",
        "timeCoordinatesAnnotation geoCoordinatesAnnotation",
    ),
    Unit(
        "removed_pixels.nc",
        "removedPixelsData",
        "removedPixelsUnit",
        True,
        "Removed Pixels information used for SYN L1c reconstruction",
        "timeCoordinatesAnnotation",
    ),
    _annotation(
        "tie_geo_coordinates.nc",
        "tieGeoCoordinates",
        "Tie-Point Geo Coordinate Annotations",
        "timeCoordinatesAnnotation",
    ),
    _annotation(
        "tie_geometries.nc",
        "tieGeometries",
        "Tie-Point Geometries Annotations",
        "tieGeoCoordinatesAnnotation timeCoordinatesAnnotation",
    ),
    _annotation(
        "tie_meteo.nc",
        "tieMeteo",
        "Tie-Point Meteo Annotations",
        "timeCoordinatesAnnotation tieGeoCoordinatesAnnotation",
    ),
    _annotation("time_coordinates.nc", "timeCoordinates", "Time Coordinates Annotations", ""),
)


def olci_info(rows: int = ROWS, columns: int = COLUMNS, sampling: bool = True) -> list[str]:
    """The manifest's ``olciProductInformation``: image size, the sampling parameters (full
    resolution products) and the bands."""
    return _sen3.metadata_object(
        "olciProductInformation",
        "Olci Product Information",
        [
            "<olci:olciProductInformation>",
            "  <olci:imageSize>",
            f"    <sentinel3:rows>{rows}</sentinel3:rows>",
            f"    <sentinel3:columns>{columns}</sentinel3:columns>",
            "  </olci:imageSize>",
            *(f"  {line}" for line in (olci_sampling() if sampling else [])),
            *(f"  {line}" for line in olci_bands()),
            "</olci:olciProductInformation>",
        ],
    )


def olci_sampling() -> list[str]:
    """The ``olci:samplingParameters`` of full-resolution products (EFR, and SYN's inputs)."""
    return [
        "<olci:samplingParameters>",
        "  <olci:alTimeSampling>44001</olci:alTimeSampling>",
        "  <olci:alSpatialSampling>294</olci:alSpatialSampling>",
        "  <olci:acSpatialSampling>270</olci:acSpatialSampling>",
        "  <olci:rowsPerTiePoint>1</olci:rowsPerTiePoint>",
        f"  <olci:columnsPerTiePoint>{AC_SUBSAMPLING}</olci:columnsPerTiePoint>",
        "</olci:samplingParameters>",
    ]


def olci_bands() -> list[str]:
    """The ``olci:bandDescriptions`` of the 21 bands."""
    bands = [(b, c, w) for b, (c, w) in zip(BANDS, WAVELENGTHS, strict=True)]
    return _sen3.band_lines("olci:bandDescriptions", bands)
