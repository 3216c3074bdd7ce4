"""Sentinel-3 SYNERGY Level-2 surface reflectance (``SY_2_SYN___``) products, SEN3 layout.

Shaped after the real ``S3A_SY_2_SYN____…SEN3`` in ``reference/samples/products/sentinel-3``
(its complete manifest, with the real IDs, texts and order, and every file's global
attributes) and the SYNERGY format description: on the OLCI image grid, one file per band of
surface directional reflectance (16 OLCI channels, SLSTR S1-S3, S5, S6 in nadir and oblique
views), aerosol files, flags, geolocation and time; OLCI, SLSTR nadir, SLSTR oblique and meteo
tie points as 1-D lists; the removed-pixel files on their own grid::

    <Name>.SEN3/
      xfdumanifest.xml
      Syn_Oa01_reflectance.nc … Syn_S6O_reflectance.nc   SDR_<band>, SDR_<band>_err (int16)
      Syn_AOT550.nc (T550, T550_err), Syn_Angstrom_exp550.nc (A550), Syn_AMIN.nc (AMIN)
      flags.nc          CLOUD_flags, OLC_flags, SLN_flags, SLO_flags, SYN_flags
      geolocation.nc    lat, lon (int32, 1e-6), altitude
      time.nc           time_stamp(rows)
      tiepoints_olci.nc, tiepoints_slstr_n.nc, tiepoints_slstr_o.nc, tiepoints_meteo.nc
      Syn_SDR_removed_pixel.nc, Syn_annot_rem.nc            (rows, removed_pixels)

Small: 50 rows x 65 columns spanning the catalogue footprint (row 0 acquired first), OLCI tie
points every 64 columns as in the real products (2 per row), SLSTR tie points every 5 rows and
~21 columns.

Reflectances are the synthetic Earth's surface (:mod:`..scene`) at each pixel on the sensing
start (:mod:`._s3_pixels`), interpolated to the band centres as the OLCI EFR writer does (so the
two agree on a place and date, and with Sentinel-2's), the oblique view 5 % darker; fill over
the sea (:func:`is_land`, the scene's land mask), as SYN retrieves land surfaces, and under the
clouds, which cover the record's ``cloudCover`` of the image (:func:`is_cloudy`).
:func:`expected_sdr` gives the values as stored. The flags mark the same land and clouds.
Reflectances and flags are written for each product, the other files once per family or site
(:func:`._sen3.render`). Scale factors, fill values and the tie-point and flag variable lists
are of the real kind; exact values unverified.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _s3_pixels, _sen3, _xml, sentinel3, sentinel3_slstr
from ._netcdf import NcGroup
from ._sen3 import Product, Swath, Unit, degrees, variable

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "BANDS",
    "COLUMNS",
    "ROWS",
    "build_syn",
    "expected_sdr",
    "geolocation",
    "is_cloudy",
    "is_land",
]

ROWS = 50
COLUMNS = 65
AC_SUBSAMPLING = 64
OLC_TIE_COLUMNS = (COLUMNS - 1) // AC_SUBSAMPLING + 1
SL_TIE_ROWS, SL_TIE_COLUMNS = 10, 4  # SLSTR tie points: every 5 rows, 4 across the image
REMOVED = 2  # removed pixels per row (none is removed: fill)
SCALE = 0.0001
FILL = -10000
#: SYN bands: (SDR band, SYN band, central wavelength nm, bandwidth nm), as the real manifest.
SYN_BANDS = (
    ("Oa01", 400, 15), ("Oa02", 412.5, 10), ("Oa03", 442.5, 10), ("Oa04", 490, 10),
    ("Oa05", 510, 10), ("Oa06", 560, 10), ("Oa07", 620, 10), ("Oa08", 665, 10),
    ("Oa09", 673.75, 7.5), ("Oa10", 681.25, 7.5), ("Oa11", 708.75, 10), ("Oa12", 753.75, 7.5),
    ("Oa16", 778.5, 15), ("Oa17", 865, 20), ("Oa18", 885, 10), ("Oa21", 1020, 40),
    ("S1N", 555, 20), ("S2N", 659, 20), ("S3N", 865, 20), ("S5N", 1610, 60), ("S6N", 2250, 50),
    ("S1O", 555, 20), ("S2O", 659, 20), ("S3O", 865, 20), ("S5O", 1610, 60), ("S6O", 2250, 50),
)  # fmt: skip
BANDS = tuple(b for b, _, _ in SYN_BANDS)
_WAVELENGTH = {b: w for b, w, _ in SYN_BANDS}
_WAVELENGTHS = tuple(w for _, w, _ in SYN_BANDS)
#: The oblique view sees the surface 5 % darker than the nadir ones (a stand-in for its BRDF).
_VIEW = np.array([0.95 if b[0] == "S" and b[-1] == "O" else 1.0 for b in BANDS], np.float32)
#: SLSTR bands of the manifest's slstrProductInformation (name, centre, width).
SLSTR_BANDS = (
    ("S1", 554.27, 19.26), ("S2", 659.47, 19.25), ("S3", 868, 20.6), ("S4", 1374.8, 20.8),
    ("S5", 1613.4, 60.68), ("S6", 2255.7, 50.15), ("S7", 3742, 398), ("S8", 10854, 776),
    ("S9", 12022.5, 905), ("F1", 3742, 398), ("F2", 10854, 776),
)  # fmt: skip
SYN_FLAGS = (
    "SYN_cloud SYN_snow_risk SYN_shadow SYN_cloud_filled SYN_land SYN_no_olc SYN_no_sln "
    "SYN_no_slo SYN_no_sdr SYN_aerosol_filled SYN_high_error SYN_OLC_saturated "
    "SYN_SLN_saturated SYN_SLO_saturated SYN_partly_cloudy SYN_partly_water"
)
_IMAGE = ("rows", "columns")
_REM = ("rows", "removed_pixels")


def is_land(entry: Entry, row: Any, col: Any) -> np.ndarray:
    """Land pixels: the scene's land mask at the pixels' positions."""
    return _s3_pixels.land(_product(entry).swath, ROWS, COLUMNS)[np.asarray(row), np.asarray(col)]


def is_cloudy(entry: Entry, row: Any, col: Any) -> np.ndarray:
    """Cloudy pixels: the scene's clouds at the sensing start, over ``cloudCover`` of the image."""
    return _s3_pixels.clouds(_look(entry))[np.asarray(row), np.asarray(col)]


def expected_sdr(entry: Entry, band: str, row: Any, col: Any) -> np.ndarray:
    """Surface reflectance of ``SDR_<band>`` at ``(row, col)`` as stored (1e-4 steps); NaN over
    the sea and under the clouds."""
    if band not in _WAVELENGTH:
        raise ValueError(f"SYN band must be one of {', '.join(BANDS)}; got {band!r}")
    counts = _counts(_look(entry))[BANDS.index(band)][np.asarray(row), np.asarray(col)]
    return np.where(counts == FILL, np.nan, counts * SCALE)


def geolocation(entry: Entry, row: Any, col: Any) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of image pixel ``(row, col)`` (before the 1e-6 quantisation)."""
    return _product(entry).swath.lonlat(row, col, ROWS, COLUMNS)


def build_syn(entry: Entry, cached: bool = True) -> dict[str, bytes]:
    """The files of a SYNERGY SYN SEN3 product (``cached=False``: written afresh, same bytes)."""
    product = _product(entry)
    attrs = {
        **product.common_attrs(_xml.iso(product.created, 0)),
        "references": "S3IPF PDS 006 - i1r12 - Product Data Format Specification - SYNERGY, "
        "S3IPF PDS 002 - i1r7 - Product Data Format Specification - Product Structures, "
        "S3IPF DPM 004 - i1r9 - Detailed Processing Model - SYN",
        "source": "IPF-SY-2 06.20",
    }
    files = _sen3.render(product, _write, attrs, ROWS, cached, _measurements)
    info = _info(_look(entry))
    files["xfdumanifest.xml"] = _sen3.manifest(product, _SPEC, _UNITS, info, files).encode()
    return files


def _product(entry: Entry) -> Product:
    return Product(entry, "SY_2_SYN___", "SYNERGY SYN")


def _look(entry: Entry) -> _s3_pixels.Look:
    return _s3_pixels.look(_product(entry), ROWS, COLUMNS)


@functools.lru_cache(maxsize=4)
def _counts(view: _s3_pixels.Look) -> np.ndarray:
    """``(band, row, column)`` int16 counts of every SDR band, fill over sea and clouds."""
    surface = _s3_pixels.at_wavelengths(_s3_pixels.surface(view), _WAVELENGTHS)
    surface *= _VIEW[:, None, None]
    valid = _s3_pixels.land(view.swath, ROWS, COLUMNS) & ~_s3_pixels.clouds(view)
    counts = np.clip(np.rint(surface / SCALE), 0, 32767)
    return _s3_pixels.frozen(np.where(valid, counts, FILL).astype(np.int16))


# -- the files ---------------------------------------------------------------------------------


def _nc(
    attrs: dict[str, Any], dims: dict[str, int], title: str, body: Any, tie: bool = False
) -> bytes:
    resolution = "[ 16000 300 ]" if tie else "[ 300 300 ]"
    return _sen3.nc(dims, body, {**attrs, "resolution": resolution, "title": f"SYN L2, {title}"})


def _write(swath: Swath | None, attrs: dict[str, Any], stamps: np.ndarray) -> dict[str, bytes]:
    """The netCDF files on ``swath`` (geolocation, tie points), or with ``swath=None`` the
    others that do not change from product to product."""
    image = {"rows": ROWS, "columns": COLUMNS}

    def nc(dims: dict[str, int], title: str, body: Any, tie: bool = False) -> bytes:
        return _nc(attrs, dims, title, body, tie)

    if swath is not None:
        return _on_swath(swath, nc)
    files = {}
    files["Syn_AOT550.nc"] = nc(image, "aerosol optical thickness", _aot)
    files["Syn_Angstrom_exp550.nc"] = nc(image, "aerosol Angstrom exponent", _angstrom)
    files["Syn_AMIN.nc"] = nc(image, "aerosol index number", _amin)
    files["time.nc"] = nc(
        {"rows": ROWS},
        "time stamp annotations",
        lambda g: _sen3.time_stamps(g, stamps, compress=False),
    )
    removed = {"removed_pixels": REMOVED, "rows": ROWS}
    files["Syn_SDR_removed_pixel.nc"] = nc(
        removed,
        "surface directional reflectance and aerosol parameters associated with removed pixel",
        _removed_sdr,
    )
    files["Syn_annot_rem.nc"] = nc(
        removed, "annotations parameters associated with removed pixel", _removed_annotations
    )
    return files


def _measurements(product: Product, attrs: dict[str, Any]) -> dict[str, bytes]:
    """The files of what the product sees: the reflectances and the flags."""
    view = _s3_pixels.look(product, ROWS, COLUMNS)
    counts = _counts(view)
    image = {"rows": ROWS, "columns": COLUMNS}
    files = {}
    for i, band in enumerate(BANDS):
        if band.startswith("Oa"):
            about = f"OLCI channel {band[2:]}"
        else:
            v = "nadir" if band.endswith("N") else "oblique"
            about = f"SLSTR channel 0{band[1]} acquired in {v} view"
        files[f"Syn_{band}_reflectance.nc"] = _nc(
            attrs,
            image,
            f"surface directional reflectance associated with {about}",
            lambda g, i=i, band=band, about=about: _sdr(g, band, about, counts[i]),
        )
    land = _s3_pixels.land(view.swath, ROWS, COLUMNS)
    files["flags.nc"] = _nc(
        attrs,
        image,
        "classification and quality flags associated with OLCI, SLSTR and SYNERGY products",
        lambda g: _flags(g, land, _s3_pixels.clouds(view)),
    )
    return files


def _on_swath(swath: Swath, nc: Any) -> dict[str, bytes]:
    """The files of positions and angles: geolocation and the tie-point lists."""
    lon, lat = _s3_pixels.lonlat(swath, ROWS, COLUMNS)
    files = {
        "geolocation.nc": nc(
            {"rows": ROWS, "columns": COLUMNS},
            "high resolution georeferencing data",
            lambda g: _geolocation(g, lon, lat),
        )
    }
    about = "low resolution georeferencing data and Sun and View angles associated with"
    for name, prefix, text in (
        ("tiepoints_olci", "OLC", "OLCI products"),
        ("tiepoints_slstr_n", "SLN", "SLSTR nadir products"),
        ("tiepoints_slstr_o", "SLO", "SLSTR oblique products"),
    ):
        tie_lon, tie_lat = _tie_points(swath, prefix)
        dim = {"OLC": "olc_number_tp", "SLN": "sln_number_tp", "SLO": "slo_number_tp"}[prefix]
        files[f"{name}.nc"] = nc(
            {dim: tie_lon.size},
            f"{about} {text}",
            lambda g, p=prefix, d=dim, lo=tie_lon, la=tie_lat: _tie_file(g, p, d, lo, la),
            tie=True,
        )
    _, olc_lat = _tie_points(swath, "OLC")
    files["tiepoints_meteo.nc"] = nc(
        {"number_tp": olc_lat.size}, "ECMWF meteorology data", lambda g: _meteo(g, olc_lat),
        tie=True,
    )  # fmt: skip
    return files


def _int16(g: NcGroup, name: str, dims: tuple[str, ...], counts: Any, **attrs: Any) -> None:
    variable(g, name, dims, counts, np.int16, fill=np.int16(FILL), **attrs,
             scale_factor=np.float32(SCALE), add_offset=np.float32(0))  # fmt: skip


def _sdr(g: NcGroup, band: str, about: str, counts: np.ndarray) -> None:
    errors = np.where(counts != FILL, 50 + counts // 50, FILL)
    reflectance = f"Surface directional reflectance associated with {about}"
    _int16(g, f"SDR_{band}", _IMAGE, counts, long_name=reflectance, units="dl")
    _int16(g, f"SDR_{band}_err", _IMAGE, errors, long_name=f"Error estimate of {reflectance}",
           units="dl")  # fmt: skip


def _aot(g: NcGroup) -> None:
    rows, cols = np.indices((ROWS, COLUMNS))
    aot = 500 + 20 * ((rows + cols) % 50)
    _int16(g, "T550", _IMAGE, aot, long_name="Aerosol optical thickness at 550 nm", units="dl")
    _int16(g, "T550_err", _IMAGE, aot // 10, long_name="Aerosol optical thickness error "
           "estimate", units="dl")  # fmt: skip


def _angstrom(g: NcGroup) -> None:
    rows = np.indices((ROWS, COLUMNS))[0]
    _int16(g, "A550", _IMAGE, 10000 + 100 * (rows % 10), long_name="Aerosol Angstrom "
           "exponent at 550 nm", units="dl")  # fmt: skip


def _amin(g: NcGroup) -> None:
    cols = np.indices((ROWS, COLUMNS))[1]
    variable(g, "AMIN", _IMAGE, 1 + cols % 40, np.uint8, fill=np.uint8(255),
             long_name="Aerosol model index number")  # fmt: skip


def _flags(g: NcGroup, land: np.ndarray, cloudy: np.ndarray) -> None:
    syn = np.where(land, 1 << 4, 1 << 8) | np.where(cloudy, 1, 0)
    slstr = np.where(land, 1 << 3, 1 << 1) | np.where(cloudy, 1 << 14, 0)
    for name, values, dtype, meanings in (
        ("CLOUD_flags", np.where(cloudy, 1 << 7, 0), np.uint16, sentinel3_slstr.CLOUD),
        ("OLC_flags", np.where(land, 1 << 31, 0), np.uint32, sentinel3.FLAG_MEANINGS),
        ("SLN_flags", slstr, np.uint16, sentinel3_slstr.CONFIDENCE),
        ("SLO_flags", slstr, np.uint16, sentinel3_slstr.CONFIDENCE),
        ("SYN_flags", syn, np.uint16, SYN_FLAGS),
    ):
        bits = np.dtype(dtype).itemsize * 8
        # OLCI flags count from the top bit (land is bit 31), the others from bit 0
        order = range(bits - 1, -1, -1) if name == "OLC_flags" else range(bits)
        variable(g, name, _IMAGE, values, dtype, long_name=name.replace("_", " "),
                 flag_masks=np.array([1 << b for b in order], dtype=dtype),
                 flag_meanings=meanings)  # fmt: skip


def _geolocation(g: NcGroup, lon: np.ndarray, lat: np.ndarray) -> None:
    variable(g, "altitude", _IMAGE, np.zeros(lon.shape), np.int16, fill=np.int16(-32768),
             long_name="DEM corrected altitude", standard_name="height_above_reference_ellipsoid",
             units="m")  # fmt: skip
    degrees(g, "lat", _IMAGE, lat, 90, long_name="DEM corrected latitude",
            standard_name="latitude", units="degrees_north")  # fmt: skip
    degrees(g, "lon", _IMAGE, lon, 180, long_name="DEM corrected longitude",
            standard_name="longitude", units="degrees_east")  # fmt: skip


def _removed_sdr(g: NcGroup) -> None:
    for band in BANDS:
        _int16(g, f"SDR_{band}", _REM, np.full((ROWS, REMOVED), FILL), units="dl",
               long_name=f"Surface directional reflectance {band} of removed pixels")  # fmt: skip
    for name in ("T550", "A550"):
        _int16(g, name, _REM, np.full((ROWS, REMOVED), FILL), units="dl",
               long_name=f"{name} of removed pixels")  # fmt: skip


def _removed_annotations(g: NcGroup) -> None:
    variable(g, "column", _REM, np.full((ROWS, REMOVED), -1), np.int16, fill=np.int16(-1),
             long_name="Image column of the removed pixel")  # fmt: skip
    for name in ("lat", "lon"):
        variable(g, name, _REM, np.full((ROWS, REMOVED), -2147483648), np.int32,
                 fill=np.int32(-2147483648), long_name=f"{name} of the removed pixel",
                 standard_name="latitude" if name == "lat" else "longitude",
                 units="degrees_north" if name == "lat" else "degrees_east",
                 scale_factor=1e-06)  # fmt: skip


def _tie_points(swath: Swath, prefix: str) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of a tie-point list: OLCI every 64th column of every row; SLSTR every 5th
    row and a few columns across (views share positions)."""
    if prefix == "OLC":
        rows, cols = np.indices((ROWS, OLC_TIE_COLUMNS))
        cols = cols * AC_SUBSAMPLING
    else:
        rows, cols = np.indices((SL_TIE_ROWS, SL_TIE_COLUMNS))
        rows = rows * (ROWS // SL_TIE_ROWS)
        cols = cols * (COLUMNS - 1) / (SL_TIE_COLUMNS - 1)
    lon, lat = swath.lonlat(rows, cols, ROWS, COLUMNS)
    return lon.ravel(), lat.ravel()


def _tie_file(g: NcGroup, prefix: str, dim: str, lon: np.ndarray, lat: np.ndarray) -> None:
    dims = (dim,)
    degrees(g, f"{prefix}_TP_lat", dims, lat, 90, long_name="Latitude",
            standard_name="latitude", units="degrees_north")  # fmt: skip
    degrees(g, f"{prefix}_TP_lon", dims, lon, 180, long_name="Longitude",
            standard_name="longitude", units="degrees_east")  # fmt: skip
    n = np.arange(lon.size)
    view = 55.0 if prefix == "SLO" else 5.0 + 20.0 * (n % 2)
    angles = {
        "SAA": ("Sun azimuth angle", np.full(lon.size, 150.0)),
        "SZA": ("Sun zenith angle", 35 + 0.4 * np.abs(lat)),
        "VAA" if prefix != "OLC" else "OAA": ("View azimuth angle", 100 + 180.0 * (n % 2)),
        "VZA" if prefix != "OLC" else "OZA": ("View zenith angle", np.full(lon.size, view)),
    }
    for key, (long_name, values) in angles.items():
        variable(g, key, dims, np.round(values * 1e6), np.int32, long_name=long_name,
                 scale_factor=1e-06, units="degree")  # fmt: skip


def _meteo(g: NcGroup, lat: np.ndarray) -> None:
    dims = ("number_tp",)
    for name, values, long_name, units in (
        ("air_pressure", np.full(lat.size, 1013.25), "Mean sea level pressure", "hPa"),
        ("ozone", np.full(lat.size, 0.0065), "Total column ozone", "kg.m-2"),
        ("water_vapour", 3.0 - 0.03 * np.abs(lat), "Total column water vapour", "g.cm-2"),
    ):
        variable(g, name, dims, values, np.float32, long_name=long_name, units=units)


# -- manifest --------------------------------------------------------------------------------

_NS = "http://www.esa.int/safe/sentinel/sentinel-3"
_SPEC = _sen3.Spec(
    namespaces=f'xmlns:syn="{_NS}/synergy/1.0" xmlns:olci="{_NS}/olci/1.0" '
    f'xmlns:slstr="{_NS}/slstr/1.0"',
    version="esa/safe/sentinel/sentinel-3/synergy/level-2/1.0",
    package_text="SENTINEL-3 Synergy Level 2 package",
    package_dmd="acquisitionPeriod platform measurementOrbitReference "
    "measurementQualityInformation processing measurementFrameSet generalProductInformation "
    "synProductInformation olciProductInformation slstrProductInformation",
    instrument=("SYNERGY", "Synergy"),
    facility="Land SLSTR and SYN Processing and Archiving Centre",
    level="2",
)
#: Real contentUnit numbers of the SLSTR bands (nadir 017-021, oblique 022-026).
_S_UNIT = {"S1N": 17, "S2N": 18, "S3N": 19, "S5N": 20, "S6N": 21,
           "S1O": 22, "S2O": 23, "S3O": 24, "S5O": 25, "S6O": 26}  # fmt: skip
_TIE = "Low resolution georeferencing data and Sun and View angles associated with"


def _band_unit(band: str) -> Unit:
    number = _S_UNIT.get(band) or BANDS.index(band) + 1
    if band.startswith("Oa"):
        text = f"OLCI channel {band[2:]}"
    else:
        text = (
            f"SLSTR channel 0{band[1]} acquired in {'nadir' if band[-1] == 'N' else 'oblique'} view"
        )
    return Unit(f"Syn_{band}_reflectance.nc", f"Syn_{band}_reflectance_Data",
                f"SYNERGY_{number:03d}_Unit", True,
                f"Surface directional reflectance associated with {text}")  # fmt: skip


def _unit(number: int, path: str, ident: str, measurement: bool, text: str) -> Unit:
    return Unit(path, f"{ident}_Data", f"SYNERGY_{number:03d}_Unit", measurement, text)


#: The files in the real manifest's order, with its IDs (``Syn_ATO550_Data`` sic) and texts.
_UNITS = (
    _unit(30, "Syn_AMIN.nc", "Syn_AMIN", False, "L2 Aerosol model index number data"),
    _unit(27, "Syn_AOT550.nc", "Syn_ATO550", True, "Aerosol Optical Thickness Data Set"),
    _unit(28, "Syn_Angstrom_exp550.nc", "Syn_Angstrom_exp550", True,
          "Aerosol Angstrom Exponent Data Set"),
    *(_band_unit(b) for b in BANDS[:16]),
    *(_band_unit(f"S{n}{v}") for n in (1, 2, 3, 5, 6) for v in "NO"),
    _unit(29, "Syn_SDR_removed_pixel.nc", "Syn_SDR_removed_pixels", True,
          "Surface directional reflectance and aerosol parameters associated with removed pixel"),
    _unit(31, "flags.nc", "Syn_flags", False,
          "Classification and quality Flags associated with OLCI, SLSTR and SYNERGY products"),
    _unit(34, "Syn_annot_rem.nc", "annotations_removed_pixels", False,
          "Annotations parameters associated with removed pixel"),
    _unit(32, "geolocation.nc", "geolocation", False, "High resolution georeferencing data"),
    _unit(38, "tiepoints_meteo.nc", "tiepoints_meteo", False, "ECMWF meteorology data"),
    _unit(35, "tiepoints_olci.nc", "tiepoints_olci", False, f"{_TIE} OLCI products"),
    _unit(36, "tiepoints_slstr_n.nc", "tiepoints_slstr_n", False,
          f"{_TIE} SLSTR nadir view products"),
    _unit(37, "tiepoints_slstr_o.nc", "tiepoints_slstr_o", False,
          f"{_TIE} SLSTR oblique view products"),
    _unit(33, "time.nc", "time", False, "Time stamps annotation"),
)  # fmt: skip


def _info(view: _s3_pixels.Look) -> list[str]:
    land = _s3_pixels.land(view.swath, ROWS, COLUMNS)
    coast = _s3_pixels.coast(land)
    cloudy = _s3_pixels.clouds(view)

    def share(tag: str, mask: Any) -> str:
        return f'  <sentinel3:{tag} percentage="{100 * np.mean(mask):.6f}"/>'

    channels = []
    for band in BANDS:
        olci = band if band.startswith("Oa") else "-"
        nadir = band[:2] if band.endswith("N") and band.startswith("S") else "-"
        oblique = band[:2] if band.endswith("O") and band.startswith("S") else "-"
        channels.append([
            f"<sentinel3:olciChannels>{olci}</sentinel3:olciChannels>",
            f"<sentinel3:slstrNadirChannels>{nadir}</sentinel3:slstrNadirChannels>",
            f"<sentinel3:slstrObliqueChannels>{oblique}</sentinel3:slstrObliqueChannels>",
        ])  # fmt: skip
    syn_bands = [(f"SYN{i:02d}", w, width) for i, (_, w, width) in enumerate(SYN_BANDS, 1)]
    grids = (("1 km", 1000), ("0.5 km stripe A", 500), ("0.5 km stripe B", 500), ("F1", 1000),
             ("Tie Points", 16000))  # fmt: skip
    return [
        *_sen3.metadata_object("synProductInformation", "Synergy Product Information", [
            "<syn:synProductInformation>",
            "  <syn:classificationSummary>",
            share("salineWaterPixels", ~land),
            share("coastalPixels", coast),
            share("freshInlandWaterPixels", 0),
            share("tidalRegionPixels", 0),
            share("landPixels", land),
            share("cloudyPixels", cloudy),
            "  </syn:classificationSummary>",
            *(f"  {line}" for line in _sen3.band_lines("syn:bandDescriptions", syn_bands,
                                                        channels)),
            "</syn:synProductInformation>",
        ]),
        *_sen3.metadata_object("olciProductInformation", "Olci Product Information", [
            "<olci:olciProductInformation>",
            "  <olci:measurementAccuracy>2.000000</olci:measurementAccuracy>",
            "  <olci:accuracyReference>0</olci:accuracyReference>",
            '  <olci:ecmwfType timeRelevance="0">FORECAST</olci:ecmwfType>',
            "  <olci:oclStatus>true</olci:oclStatus>",
            *(f"  {line}" for line in sentinel3.olci_sampling()),
            *(f"  {line}" for line in sentinel3.olci_bands()),
            "</olci:olciProductInformation>",
        ]),
        *_sen3.metadata_object("slstrProductInformation", "Slstr Product Information", [
            "<slstr:slstrProductInformation>",
            *(line for grid, metres in grids for line in (
                f'  <slstr:resolution grid="{grid}">',
                f"    <slstr:spatialResolution>{metres}</slstr:spatialResolution>",
                "  </slstr:resolution>",
            )),
            "  <slstr:measurementAccuracy>2.000000</slstr:measurementAccuracy>",
            "  <slstr:accuracyReference>[PDS-SL]</slstr:accuracyReference>",
            '  <slstr:ecmwfType timeRelevance="0">FORECAST</slstr:ecmwfType>',
            *(f"  {line}" for line in _sen3.band_lines("slstr:bandDescriptions", SLSTR_BANDS)),
            "</slstr:slstrProductInformation>",
        ]),
    ]  # fmt: skip
