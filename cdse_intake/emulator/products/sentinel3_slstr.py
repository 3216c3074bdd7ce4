"""Sentinel-3 SLSTR Level-2 land surface temperature (``SL_2_LST___``) products, SEN3 layout.

Shaped after the real ``S3A_SL_2_LST____…SEN3`` in ``reference/samples/products/sentinel-3``
(its complete manifest and every file's global attributes: same files, data objects, IDs and
texts) and the SLSTR Level-2 land format description: the measurement on the 1 km nadir grid
``in``, the Level-1 annotations of that grid, and the 16 km tie-point grid ``tx``/``tn``::

    <Name>.SEN3/
      xfdumanifest.xml
      LST_in.nc            LST, LST_uncertainty (int16, scaled, K), exception (uint16 flags)
      LST_ancillary_ds.nc  NDVI, biome (GlobCover class), fraction, TCWV
      geodetic_in.nc       latitude_in, longitude_in (int32, 1e-6), elevation_in
      cartesian_in.nc      x_in, y_in (m)
      flags_in.nc          confidence_in, cloud_in, bayes_in, pointing_in (bit flags)
      indices_in.nc        scan_in, pixel_in, detector_in
      time_in.nc           time_stamp_i(rows) (microseconds since 2000)
      geodetic_tx.nc, cartesian_tx.nc, met_tx.nc   the tie-point grid (rows, tie columns)
      geometry_tn.nc       solar and satellite zenith/azimuth angles, nadir view

Small: 50 rows x 60 columns spanning the catalogue footprint (row 0 acquired first: the north
edge of a descending pass, the south of an ascending one); the tie grid keeps every row and
has a column every 16 image columns, from 8 columns left of the image (``track_offset``: the
nadir track lies on image column 40 and tie column 3, as 998 and 64 of 1500 and 130 in real
products).

What the product sees is the synthetic Earth (:mod:`..scene`) at each pixel on the sensing
start (:mod:`._s3_pixels`): LST is :func:`..scene.land_surface_temperature` (its climate, season,
hour of the day and land cover) over land, fill over the sea (:func:`is_land`, the scene's land
mask) as in the real product, and fill under the clouds, which cover the record's ``cloudCover``
of the image (:func:`is_cloudy`); :func:`expected_lst` gives the values as stored. The
ancillary NDVI, vegetation fraction and GlobCover biome follow the scene's land cover; the
flags its land, coast, snow, clouds and daylight; the solar angles its sun. Those files are
written for each product, the others once per family or site (:func:`._sen3.render`). Scale
factors, fill values and the met/flag variable lists are of the real kind; exact values
unverified.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .. import scene
from ..scene.climate import sun_position
from ..scene.surface import CLASSES, land_cover, ndvi_of
from . import _s3_pixels, _sen3
from ._netcdf import NcGroup
from ._sen3 import Product, Swath, Unit, degrees, variable

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "COLUMNS",
    "ROWS",
    "TIE_COLUMNS",
    "build_lst",
    "expected_lst",
    "geolocation",
    "is_cloudy",
    "is_land",
]

ROWS = 50
COLUMNS = 60
OBLIQUE_COLUMNS = 36
TIE_STEP = 16  # image columns per tie column (16 km / 1 km)
TIE_COLUMNS = 6
TRACK_OFFSET = 40  # image column of the nadir track
TIE_TRACK_OFFSET = 3  # tie column of the nadir track
LST_SCALE, LST_OFFSET = 0.002, 290.0
EXCEPTIONS = (
    "ISP_absent pixel_absent not_decompressed no_signal saturation invalid_radiance "
    "no_parameters unfilled_pixel LST_underflow LST_overflow biome"
)
CONFIDENCE = (
    "coastline ocean tidal land inland_water unfilled spare spare cosmetic duplicate day "
    "twilight sun_glint snow summary_cloud summary_pointing"
)
CLOUD = (
    "visible 1.37_threshold 1.6_small_histogram 1.6_large_histogram 2.25_small_histogram "
    "2.25_large_histogram 11_spatial_coherence gross_cloud thin_cirrus medium_high "
    "fog_low_stratus 11_12_view_difference 3.7_11_view_difference thermal_histogram spare spare"
)
_BIOME_NAMES = (
    "open_ocean irrigated_cropland rainfed_cropland mosaic_cropland mosaic_vegetation "
    "broadleaved_evergreen_forest closed_broadleaved_deciduous_forest "
    "open_broadleaved_deciduous_forest closed_needleleaved_forest open_needleleaved_forest "
    "mixed_forest mosaic_forest mosaic_grassland shrubland herbaceous sparse_vegetation "
    "flooded_forest saline_flooded_forest flooded_grassland artificial bare_areas water_bodies "
    "permanent_snow_ice"
)
_BIOME_CODES = (0, 11, 14, 20, 30, 40, 50, 60, 70, 90, 100, 110, 120, 130, 140, 150, 160, 170,
                180, 190, 200, 210, 220)  # fmt: skip
#: GlobCover classes of the ``biome`` annotation (0: open ocean).
BIOMES = dict(zip(_BIOME_CODES, _BIOME_NAMES.split(), strict=True))
#: GlobCover biome of each scene class (:data:`..scene.CLASSES`) on land; forests by latitude.
_BIOME_OF = {"water": 210, "cropland": 14, "grassland": 140, "bare": 200, "urban": 190,
             "snow": 220}  # fmt: skip
_IMAGE = ("rows", "columns")
_L1_TITLE = "S3 SLSTR L1 Radiance and Brightness Temperatures Product. (Measurements + Annotations)"


def is_land(entry: Entry, row: Any, col: Any) -> np.ndarray:
    """Land pixels: the scene's land mask at the pixels' positions."""
    return _s3_pixels.land(_product(entry).swath, ROWS, COLUMNS)[np.asarray(row), np.asarray(col)]


def is_cloudy(entry: Entry, row: Any, col: Any) -> np.ndarray:
    """Cloudy pixels: the scene's clouds at the sensing start, over ``cloudCover`` of the image."""
    return _s3_pixels.clouds(_look(entry))[np.asarray(row), np.asarray(col)]


def geolocation(entry: Entry, row: Any, col: Any) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of ``in``-grid pixel ``(row, col)`` (before the 1e-6 quantisation); tie
    column ``j`` lies on image column ``TIE_STEP * (j - TIE_TRACK_OFFSET) + TRACK_OFFSET``."""
    return _product(entry).swath.lonlat(row, col, ROWS, COLUMNS)


def expected_lst(entry: Entry, row: Any, col: Any) -> np.ndarray:
    """LST (K) at ``(row, col)`` as stored (``0.002`` K steps from 290 K); NaN over the sea and
    under the clouds."""
    counts = _surface(_look(entry)).counts[np.asarray(row), np.asarray(col)]
    return np.where(counts == _FILL, np.nan, counts * LST_SCALE + LST_OFFSET)


def build_lst(entry: Entry, cached: bool = True) -> dict[str, bytes]:
    """The files of an SLSTR LST SEN3 product (``cached=False``: written afresh, same bytes)."""
    product = _product(entry)
    attrs = {
        **product.common_attrs(f"{product.created:%Y%m%dT%H%M%S}Z"),
        "references": "S3IPF PDS 005.2 - i2r8 - Product Data Format Specification - SLSTR "
        "Level 2 Land, S3IPF PDS 002 - i1r7 - Product Data Format Specification - Product "
        "Structures, S3IPF DPM 007 - i1r9 - Detailed Processing Model - SLSTR Level 2",
        "source": "IPF-SL-2 06.16",
        "start_offset": np.array([_start_offset(product)], dtype=np.int32),
    }
    files = _sen3.render(product, _write, attrs, ROWS, cached, _measurements)
    info = _info(product)
    files["xfdumanifest.xml"] = _sen3.manifest(product, _SPEC, _UNITS, info, files).encode()
    return files


def _product(entry: Entry) -> Product:
    return Product(entry, "SL_2_LST___", "SLSTR LST")


def _look(entry: Entry) -> _s3_pixels.Look:
    return _s3_pixels.look(_product(entry), ROWS, COLUMNS)


def _start_offset(product: Product) -> int:
    """Along-track offset of the first row (the real 78859 for frame 5760)."""
    return int(product.name["frame"]) * 40 // 3 + 2059


_FILL = -32768


class _Surface(NamedTuple):
    """What a product sees, on the image grid."""

    counts: np.ndarray  # LST, int16 counts, fill over the sea and under clouds
    land: np.ndarray
    cloud: np.ndarray
    snow: np.ndarray
    ndvi: np.ndarray  # of the untextured land cover, NaN over the sea
    biome: np.ndarray  # GlobCover code, 0 over the sea
    day: np.ndarray  # sun above the horizon


@functools.lru_cache(maxsize=4)
def _surface(view: _s3_pixels.Look) -> _Surface:
    lon, lat = _s3_pixels.lonlat(view.swath, ROWS, COLUMNS)
    land = _s3_pixels.land(view.swath, ROWS, COLUMNS)
    cloud = _s3_pixels.clouds(view)
    kelvin = scene.land_surface_temperature(lon, lat, view.when)
    counts = np.clip(np.rint((kelvin - LST_OFFSET) / LST_SCALE), -32767, 32767)
    counts = np.where(land & ~cloud, counts, _FILL).astype(np.int16)
    cls, green, _ = land_cover(lon.ravel(), lat.ravel(), view.when)
    cls, green = cls.reshape(lon.shape), green.reshape(lon.shape)
    codes = np.array([_BIOME_OF.get(name, 0) for name in CLASSES], dtype=np.uint8)
    forest = np.where(np.abs(lat) > 50, 70, np.where(np.abs(lat) < 15, 40, 50))
    biome = np.where(cls == CLASSES.index("forest"), forest, codes[cls])
    zenith, _ = sun_position(lon, lat, view.when)
    fields = _Surface(
        counts=counts,
        land=land,
        cloud=cloud,
        snow=cls == CLASSES.index("snow"),
        ndvi=np.where(land, ndvi_of(cls, green), np.nan),
        biome=np.where(land, biome, 0).astype(np.uint8),
        day=zenith < 90,
    )
    for array in fields:
        _s3_pixels.frozen(array)
    return fields


# -- the files ---------------------------------------------------------------------------------


_TITLE = "SLSTR Level 2 Product, Land Surface Temperature"


def _nc(attrs: dict[str, Any], dims: dict[str, int], body: Any, title: str = _L1_TITLE) -> bytes:
    tie_grid = dims.get("columns") == TIE_COLUMNS
    return _sen3.nc(
        dims,
        body,
        {
            **attrs,
            "resolution": "[ 16000 1000 ]" if tie_grid else "[ 1000 1000 ]",
            "title": title,
            "track_offset": np.array(
                [TIE_TRACK_OFFSET if tie_grid else TRACK_OFFSET], dtype=np.int32
            ),
        },
    )


def _tie_grid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns and image columns of the tie points."""
    trow, tcol = np.indices((ROWS, TIE_COLUMNS))
    return trow, tcol, TIE_STEP * (tcol - TIE_TRACK_OFFSET) + TRACK_OFFSET


def _write(swath: Swath | None, attrs: dict[str, Any], stamps: np.ndarray) -> dict[str, bytes]:
    """The netCDF files on ``swath`` (positions, elevation, meteorology), or with
    ``swath=None`` the others that do not change from product to product."""
    image = {"rows": ROWS, "columns": COLUMNS}
    tie = {"rows": ROWS, "columns": TIE_COLUMNS}
    rows, cols = np.indices((ROWS, COLUMNS))
    trow, _, tie_image_col = _tie_grid()
    if swath is None:
        return {
            "cartesian_in.nc": _nc(
                attrs, image, lambda g: _cartesian(g, "in", cols - TRACK_OFFSET, rows)
            ),
            "indices_in.nc": _nc(attrs, image, _indices),
            "time_in.nc": _nc(
                attrs,
                {"rows": ROWS},
                lambda g: _sen3.time_stamps(g, stamps, "time_stamp_i", "Time of the row", False),
            ),
            "cartesian_tx.nc": _nc(
                attrs, tie, lambda g: _cartesian(g, "tx", tie_image_col - TRACK_OFFSET, trow)
            ),
        }
    lon, lat = _s3_pixels.lonlat(swath, ROWS, COLUMNS)
    land = _s3_pixels.land(swath, ROWS, COLUMNS)
    tlon, tlat = swath.lonlat(trow, tie_image_col, ROWS, COLUMNS)
    return {
        "geodetic_in.nc": _nc(attrs, image, lambda g: _geodetic(g, "in", lon, lat, land)),
        "geodetic_tx.nc": _nc(attrs, tie, lambda g: _geodetic(g, "tx", tlon, tlat, None)),
        "met_tx.nc": _nc(attrs, {**tie, "p_atmos": 5}, lambda g: _met(g, tlat)),
    }


def _measurements(product: Product, attrs: dict[str, Any]) -> dict[str, bytes]:
    """The files of what the product sees: LST, ancillary, flags and the sun's angles."""
    view = _s3_pixels.look(product, ROWS, COLUMNS)
    fields = _surface(view)
    image = {"rows": ROWS, "columns": COLUMNS}
    trow, tcol, tie_image_col = _tie_grid()
    tlon, tlat = product.swath.lonlat(trow, tie_image_col, ROWS, COLUMNS)
    sun = sun_position(tlon, tlat, view.when)
    return {
        "LST_in.nc": _nc(attrs, image, lambda g: _lst(g, fields), f"{_TITLE} measurement"),
        "LST_ancillary_ds.nc": _nc(
            attrs, image, lambda g: _ancillary(g, fields), f"{_TITLE} ancillary measurement"
        ),
        "flags_in.nc": _nc(attrs, image, lambda g: _flags(g, fields)),
        "geometry_tn.nc": _nc(
            attrs, {"rows": ROWS, "columns": TIE_COLUMNS}, lambda g: _geometry(g, tcol, sun)
        ),
    }


def _scaled(g: NcGroup, name: str, values: Any, scale: float, offset: float, **attrs: Any) -> None:
    """An int16 variable ``values`` (float, NaN for fill) stored as ``(v - offset) / scale``."""
    counts = np.where(np.isnan(values), -32768, np.round((values - offset) / scale))
    extra = {"add_offset": np.float32(offset)} if offset else {}
    variable(
        g,
        name,
        _IMAGE,
        counts,
        np.int16,
        fill=np.int16(-32768),
        **attrs,
        scale_factor=np.float32(scale),
        **extra,
    )


def _lst(g: NcGroup, fields: _Surface) -> None:
    valid = fields.counts != _FILL
    variable(
        g,
        "LST",
        _IMAGE,
        fields.counts,
        np.int16,
        fill=np.int16(_FILL),
        long_name="Gridded Land Surface Temperature",
        standard_name="surface_temperature",
        units="K",
        scale_factor=np.float32(LST_SCALE),
        add_offset=np.float32(LST_OFFSET),
    )
    # Less certain over bare ground, whose emissivity varies more than vegetation's.
    uncertainty = np.where(valid, 0.8 + 1.2 * (1 - _fraction(fields.ndvi)), np.nan)
    _scaled(
        g,
        "LST_uncertainty",
        uncertainty,
        0.001,
        0.0,
        long_name="Gridded Land Surface Temperature uncertainty",
        units="K",
    )
    variable(
        g,
        "exception",
        _IMAGE,
        np.where(fields.land, 0, 1 << 10),
        np.uint16,
        flag_masks=np.array([1 << b for b in range(11)], dtype=np.uint16),
        flag_meanings=EXCEPTIONS,
        long_name="Gridded Land Surface Temperature exception",
    )


def _fraction(ndvi: np.ndarray) -> np.ndarray:
    """Fractional vegetation cover from NDVI (bare soil ~0.1, full cover ~0.8)."""
    return np.clip((ndvi - 0.1) / 0.7, 0, 1)


def _ancillary(g: NcGroup, fields: _Surface) -> None:
    rows = np.indices((ROWS, COLUMNS))[0]
    _scaled(g, "NDVI", fields.ndvi, 0.0001, 0.0,
            long_name="Normalised Difference Vegetation Index")  # fmt: skip
    variable(
        g,
        "biome",
        _IMAGE,
        fields.biome,
        np.uint8,
        flag_values=np.array(list(BIOMES), dtype=np.uint8),
        flag_meanings=" ".join(BIOMES.values()),
        long_name="GlobCover surface classification",
    )
    _scaled(g, "fraction", _fraction(fields.ndvi), 0.0001, 0.0,
            long_name="Fractional vegetation cover")  # fmt: skip
    _scaled(g, "TCWV", 12.0 + 0.1 * rows, 0.01, 0.0, long_name="Total column water vapour",
            units="kg.m-2")  # fmt: skip


def _geodetic(
    g: NcGroup, grid: str, lon: np.ndarray, lat: np.ndarray, land: np.ndarray | None
) -> None:
    dims = _IMAGE
    if land is not None:  # the 1 km grid has the DEM elevation
        variable(
            g,
            f"elevation_{grid}",
            dims,
            np.where(land, 40 + 3 * (np.indices(lon.shape)[0] % 30), 0),
            np.int16,
            fill=np.int16(-32768),
            long_name="Elevation above ellipsoid",
            standard_name="height_above_reference_ellipsoid",
            units="m",
        )
    degrees(g, f"latitude_{grid}", dims, lat, 90, long_name="Latitude",
            standard_name="latitude", units="degrees_north")  # fmt: skip
    degrees(g, f"longitude_{grid}", dims, lon, 180, long_name="Longitude",
            standard_name="longitude", units="degrees_east")  # fmt: skip


def _cartesian(g: NcGroup, grid: str, across: np.ndarray, along: np.ndarray) -> None:
    """Distances from the nadir track (across) and from the product's first row (along)."""
    for axis, values, long_name in (
        ("x", across, "Across-track distance"),
        ("y", along, "Along-track distance"),
    ):
        variable(
            g,
            f"{axis}_{grid}",
            _IMAGE,
            values * 1000,
            np.int32,
            fill=np.int32(-2147483648),
            long_name=long_name,
            units="m",
        )


def _flags(g: NcGroup, fields: _Surface) -> None:
    land, cloud = fields.land, fields.cloud
    confidence = (
        np.where(land, 1 << 3, 1 << 1)
        | np.where(_s3_pixels.coast(land), 1, 0)
        | np.where(fields.day, 1 << 10, 0)
        | np.where(fields.snow, 1 << 13, 0)
        | np.where(cloud, 1 << 14, 0)
    )
    variable(g, "confidence_in", _IMAGE, confidence, np.uint16,
             flag_masks=np.array([1 << b for b in range(16)], dtype=np.uint16),
             flag_meanings=CONFIDENCE, long_name="Confidence flags")  # fmt: skip
    variable(g, "cloud_in", _IMAGE, np.where(cloud, 1 << 7, 0), np.uint16,
             flag_masks=np.array([1 << b for b in range(16)], dtype=np.uint16),
             flag_meanings=CLOUD, long_name="Cloud flags")  # fmt: skip
    variable(g, "bayes_in", _IMAGE, np.where(cloud, 2, 0), np.uint8,
             flag_masks=np.array([1, 2, 4, 8], dtype=np.uint8),
             flag_meanings="single_low single_moderate dual_low dual_moderate",
             long_name="Bayesian cloud flags")  # fmt: skip
    variable(g, "pointing_in", _IMAGE, np.zeros((ROWS, COLUMNS)), np.uint8,
             flag_masks=np.array([1 << b for b in range(8)], dtype=np.uint8),
             flag_meanings="FlipMirrorAbsoluteError FlipMirrorIntegratedError "
             "FlipMirrorRMSError ScanMirrorAbsoluteError ScanMirrorIntegratedError "
             "ScanMirrorRMSError ScanTimeError Platform_Mode",
             long_name="Pointing flags")  # fmt: skip


def _indices(g: NcGroup) -> None:
    rows, cols = np.indices((ROWS, COLUMNS))
    for name, values, dtype, fill, long_name in (
        ("detector_in", rows % 2, np.uint8, np.uint8(255), "Detector index"),
        ("pixel_in", cols + 300, np.int16, np.int16(-1), "Instrument pixel index"),
        ("scan_in", rows // 2 + 1000, np.int16, np.int16(-1), "Instrument scan number"),
    ):
        variable(g, name, _IMAGE, values, dtype, fill=fill, long_name=long_name)


def _met(g: NcGroup, lat: np.ndarray) -> None:
    shape = lat.shape
    cold = np.abs(lat)
    for name, values, long_name, units in (
        ("total_column_water_vapour_tx", 30 - 0.3 * cold, "Total column water vapour", "kg.m-2"),
        ("total_column_ozone_tx", np.full(shape, 0.0065), "Total column ozone", "kg.m-2"),
        ("surface_pressure_tx", np.full(shape, 101_325.0), "Surface pressure", "Pa"),
        ("skin_temperature_tx", 300 - 0.45 * cold, "Skin temperature", "K"),
        ("u_wind_tx", np.full(shape, 3.0), "10 metre U wind component", "m s-1"),
        ("v_wind_tx", np.full(shape, -1.5), "10 metre V wind component", "m s-1"),
    ):
        variable(g, name, _IMAGE, values, np.float32, long_name=long_name, units=units)
    levels = np.array([1000, 850, 700, 500, 250], dtype=np.float32)
    profile = (288 - 0.45 * cold)[None] - 60 * (1 - levels[:, None, None] / 1000)
    variable(g, "temperature_profile_tx", ("p_atmos", *_IMAGE), profile, np.float32,
             long_name="Temperature profile", units="K")  # fmt: skip


def _geometry(g: NcGroup, tcol: np.ndarray, sun: tuple[np.ndarray, np.ndarray]) -> None:
    across = TIE_STEP * (tcol - TIE_TRACK_OFFSET)  # km from nadir
    for name, values, long_name in (
        ("sat_azimuth_tn", np.where(across < 0, 100.0, 280.0), "Satellite azimuth angle"),
        ("sat_zenith_tn", np.abs(across) * 0.04, "Satellite zenith angle"),
        ("solar_azimuth_tn", sun[1], "Solar azimuth angle"),
        ("solar_zenith_tn", sun[0], "Solar zenith angle"),
    ):
        variable(g, name, _IMAGE, values, np.float32, long_name=long_name, units="degrees")


# -- manifest --------------------------------------------------------------------------------

_SPEC = _sen3.Spec(
    namespaces='xmlns:slstr="http://www.esa.int/safe/sentinel/sentinel-3/slstr/1.0"',
    version="esa/safe/sentinel/sentinel-3/slstr/level-2/1.0",
    package_text="SENTINEL-3 SLSTR Level 2 Land Product",
    package_dmd="acquisitionPeriod platform measurementOrbitReference "
    "measurementQualityInformation processing measurementFrameSet generalProductInformation "
    "slstrProductInformation",
    instrument=("SLSTR", "Sea and Land Surface Temperature Radiometer"),
    facility="Land SLSTR and SYN Processing and Archiving Centre",
    level="2",
)


def _slstr(path: str, text: str) -> Unit:
    key = "SLSTR_" + path.removesuffix(".nc").upper()
    return Unit(path, f"{key}_Data", f"{key}_Unit", False, text, "", f"{key}_Annotation")


_GRID = "for the 1km TIR grid, nadir view"
#: The files in the real manifest's order, with its IDs and texts.
_UNITS = (
    Unit("LST_ancillary_ds.nc", "LST_ANCILLARY_DS_Data", "LST_ANCILLARY_DS_Unit", False,
         "LST ancillary measurement dataset"),
    Unit("LST_in.nc", "LST_IN_Data", "LST_IN_Unit", True, "LST_in Data Set"),
    _slstr("cartesian_in.nc", f"Full resolution cartesian coordinates {_GRID}"),
    _slstr("cartesian_tx.nc", "16km cartesian coordinates"),
    _slstr("flags_in.nc", f"Global flags {_GRID}"),
    _slstr("geodetic_in.nc", f"Full resolution geodetic coordinates {_GRID}"),
    _slstr("geodetic_tx.nc", "16km geodetic coordinates"),
    _slstr("geometry_tn.nc", "16km solar and satellite geometry annotations, nadir view"),
    _slstr("indices_in.nc", f"Scan, pixel and detector annotations {_GRID}"),
    _slstr("met_tx.nc", "Meteorological parameters regridded onto the 16km tie points"),
    _slstr("time_in.nc", "Time annotations for the 1 KM grid"),
)  # fmt: skip


def _info(product: Product) -> list[str]:
    fields = _surface(_s3_pixels.look(product, ROWS, COLUMNS))
    land, cloudy = fields.land, fields.cloud
    coast = _s3_pixels.coast(land)
    start = _start_offset(product)

    def size(view: str, track: int, columns: int) -> list[str]:
        return [
            f"  <slstr:{view}ImageSize>",
            f"    <sentinel3:startOffset>{start}</sentinel3:startOffset>",
            f"    <sentinel3:trackOffset>{track}</sentinel3:trackOffset>",
            f"    <sentinel3:rows>{ROWS}</sentinel3:rows>",
            f"    <sentinel3:columns>{columns}</sentinel3:columns>",
            f"  </slstr:{view}ImageSize>",
        ]

    def share(mask: np.ndarray) -> str:
        return f'percentage="{100 * mask.mean():.6f}"'

    return _sen3.metadata_object(
        "slstrProductInformation",
        "Slstr Product Information",
        [
            "<slstr:slstrProductInformation>",
            "  <slstr:classificationSummary>",
            f"    <sentinel3:salineWaterPixels {share(~land)}/>",
            f"    <sentinel3:landPixels {share(land)}/>",
            f"    <sentinel3:coastalPixels {share(coast)}/>",
            '    <sentinel3:freshInlandWaterPixels percentage="0.000000"/>',
            '    <sentinel3:tidalRegionPixels percentage="0.000000"/>',
            f"    <sentinel3:cloudyPixels {share(cloudy)}/>",
            "  </slstr:classificationSummary>",
            "  <slstr:resolution>",
            "    <slstr:spatialResolution>1000</slstr:spatialResolution>",
            "  </slstr:resolution>",
            *size("nadir", TRACK_OFFSET, COLUMNS),
            *size("oblique", TRACK_OFFSET * OBLIQUE_COLUMNS // COLUMNS, OBLIQUE_COLUMNS),
            "  <slstr:measurementAccuracy>~2% S1-S6, ~0.1K S7-S9, ~1K F1-F2"
            "</slstr:measurementAccuracy>",
            "  <slstr:accuracyReference>[PDS-SL]</slstr:accuracyReference>",
            '  <slstr:ecmwfType timeRelevance="0">ANALYSIS</slstr:ecmwfType>',
            "</slstr:slstrProductInformation>",
        ],
    )
