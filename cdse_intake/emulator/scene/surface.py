"""Land cover and Sentinel-2 surface reflectance of the synthetic Earth.

Each place gets a class (:data:`CLASSES`) from its climate (belts, continentality, dryness), a
low-frequency noise field that decides which of the climate's covers it is, the city list and the
snow line of the day. Reflectance mixes two spectra per class, a dormant and a green one (for water:
deep and turbid; bare ground: sand and rock), by a green fraction that follows the season
(phenology peaks in the local summer, with a per-field crop calendar), times a brightness texture.
Spectra are typical values at the Sentinel-2 band centres: vegetation dark in red and bright in
NIR, water dark and near zero in SWIR, soil rising with wavelength, snow bright except in SWIR.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import places
from .climate import When, climate, day_of_year, dryness, greenness, temperature
from .landmask import chunked, land_fraction, land_from_fraction
from .noise import cell_hash, fbm, hash_u32, seed_of

__all__ = [
    "BANDS",
    "CLASSES",
    "WAVELENGTHS",
    "band_index",
    "cover_and_climate",
    "land_cover",
    "ndvi",
    "ndvi_of",
    "surface_class",
    "surface_reflectance",
]

BANDS = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B10", "B11", "B12")
#: Central wavelengths in nm (ESA, Sentinel-2B MSI).
WAVELENGTHS = (442.3, 492.3, 559.0, 665.0, 703.8, 739.1, 779.7, 833.0, 864.0, 943.2, 1376.9,
               1610.4, 2185.7)  # fmt: skip
CLASSES = ("water", "forest", "cropland", "grassland", "bare", "urban", "snow")
WATER, FOREST, CROPLAND, GRASSLAND, BARE, URBAN, SNOW = range(7)
VEGETATED = (FOREST, CROPLAND, GRASSLAND)

_S = {  # reflectance at the 13 band centres, B01 .. B12
    "deep water": (0.045, 0.040, 0.030, 0.012, 0.008, 0.005, 0.004, 0.003, 0.003, 0.002, 0.001,
                   0.001, 0.0005),
    "turbid water": (0.050, 0.055, 0.065, 0.040, 0.032, 0.016, 0.011, 0.008, 0.007, 0.005, 0.001,
                     0.002, 0.001),
    "green leaves": (0.030, 0.035, 0.080, 0.035, 0.120, 0.300, 0.380, 0.420, 0.440, 0.400, 0.008,
                     0.220, 0.100),
    "green canopy": (0.020, 0.025, 0.050, 0.022, 0.080, 0.220, 0.280, 0.310, 0.320, 0.300, 0.006,
                     0.150, 0.065),
    "bare branches": (0.035, 0.050, 0.065, 0.080, 0.090, 0.110, 0.125, 0.135, 0.140, 0.135, 0.006,
                      0.180, 0.120),
    "tilled soil": (0.060, 0.075, 0.100, 0.125, 0.150, 0.170, 0.190, 0.200, 0.210, 0.210, 0.008,
                    0.290, 0.230),
    "dry grass": (0.060, 0.080, 0.110, 0.140, 0.180, 0.220, 0.250, 0.270, 0.280, 0.270, 0.008,
                  0.340, 0.260),
    "sand": (0.140, 0.180, 0.270, 0.370, 0.410, 0.440, 0.460, 0.480, 0.500, 0.500, 0.020, 0.600,
             0.550),
    "rock": (0.070, 0.090, 0.130, 0.180, 0.210, 0.230, 0.250, 0.270, 0.280, 0.280, 0.010, 0.340,
             0.300),
    "roofs and roads": (0.075, 0.085, 0.095, 0.105, 0.120, 0.135, 0.145, 0.155, 0.160, 0.160,
                        0.008, 0.190, 0.170),
    "snow": (0.920, 0.930, 0.920, 0.900, 0.880, 0.860, 0.840, 0.810, 0.800, 0.720, 0.050, 0.090,
             0.060),
}  # fmt: skip
#: (band, class) spectra at green fraction 0 and 1.
DORMANT = np.array([_S[k] for k in ("deep water", "bare branches", "tilled soil", "dry grass",
                                    "sand", "roofs and roads", "snow")], np.float32).T  # fmt: skip
GREEN = np.array([_S[k] for k in ("turbid water", "green canopy", "green leaves", "green leaves",
                                  "rock", "green leaves", "snow")], np.float32).T  # fmt: skip

_COVER_SEED, _TEXTURE_SEED, _FIELD_SEED = seed_of("cover"), seed_of("texture"), seed_of("fields")
#: Field lattice (degrees): cells of about 400 m x 330 m, some split in two.
FIELD_LON, FIELD_LAT = 360 / 2**16, 180 / 2**16


def _fields(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three uniform [0, 1) values constant per field (a lattice cell or half of one)."""
    x, y = lon / FIELD_LON, lat / FIELD_LAT
    ix, iy = np.floor(x), np.floor(y)
    cell = hash_u32(ix.astype(np.int64) % 2**16, iy.astype(np.int64), _FIELD_SEED)
    cut = (cell & 0xFF) * (0.5 / 256) + 0.25
    side = np.where(cell & 0x100, x - ix > cut, y - iy > cut)
    h = hash_u32(cell, side.astype(np.int64), _FIELD_SEED)
    scale = 1.0 / 1024
    return (h & 0x3FF) * scale, ((h >> 11) & 0x3FF) * scale, (h >> 22) * scale


def _urban(lon: np.ndarray, lat: np.ndarray, u: np.ndarray, u_field: np.ndarray) -> np.ndarray:
    """Built-up: inside a city's ragged, star-shaped outline (but for its woods and parks, where
    the cover noise ``u`` is lowest), or a field in its suburban ring."""
    urban = np.zeros(lon.shape, bool)
    for k in places.nearby(lon, lat, 30.0):
        radius = places.radius_km(k)
        if radius == 0:
            continue
        east, north = places.offsets_km(lon, lat, k)
        dist = np.hypot(east, north)
        near = dist < 2.5 * radius
        if not near.any():
            continue
        c = east / np.maximum(dist, 1e-6)
        star = 1.0 + 0.25 * c * (5.0 + c * c * (16.0 * c * c - 20.0))  # 1 + cos(5 bearing) / 4
        rel = dist / (radius * (0.5 + 0.6 * u) * star)
        suburb = (rel < 1.8) & (u_field < 0.7 * (1.8 - rel))
        urban |= near & (((rel < 1.0) & (u >= 0.08)) | suburb)
    return urban


def _crop_calendar(lat: np.ndarray, when: When, peak: np.ndarray, width: np.ndarray) -> np.ndarray:
    """0..1 crop development: a bell around each field's peak day in the local year."""
    doy = day_of_year(when) - np.where(lat < 0, 182.6, 0.0)
    d = (doy - 135.0 - 80.0 * peak + 182.6) % 365.2425 - 182.6
    bell = np.exp(-((d / (40.0 + 25.0 * width)) ** 2))
    tropical = np.clip(1.0 - np.abs(lat) / 15.0, 0.0, 1.0)
    return bell + tropical * (0.7 - bell)


def land_cover(
    lon: np.ndarray, lat: np.ndarray, when: When
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(class index uint8, green fraction float32, per-field brightness offset) at flat points.

    The green fraction mixes each class's two spectra (:data:`DORMANT`, :data:`GREEN`).
    """
    return cover_and_climate(lon, lat, when)[:3]


def cover_and_climate(
    lon: np.ndarray, lat: np.ndarray, when: When
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`land_cover` and the :func:`.climate` planes it used."""
    frac = land_fraction(lon, lat)
    land = land_from_fraction(lon, lat, frac)
    clim = climate(lon, lat)
    cls = np.full(lon.shape, WATER, np.uint8)
    f = np.clip(frac * 3.0, 0.0, 1.0)  # water: turbid near coasts
    shade = np.zeros(lon.shape, np.float32)
    sea_ice = (temperature(lat, when, clim, lag=30.0) < 266.0) & (np.abs(lat) > 50.0)
    cls[sea_ice] = SNOW
    if land.all():
        cls, f, shade = _land(lon, lat, when, clim)
    elif land.any():
        on = np.flatnonzero(land)
        cls[on], f[on], shade[on] = _land(lon[on], lat[on], when, clim[:, on])
    return cls, f.astype(np.float32), shade, clim


def _land(
    lon: np.ndarray, lat: np.ndarray, when: When, clim: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`land_cover` of land points, given their :func:`.climate`."""
    mean, dry = clim[0], clim[2]
    temp = temperature(lat, when, clim)
    n = fbm(lon, lat, _COVER_SEED, 360 / 512, 7, gain=0.55)
    u = (1.0 / (1.0 + np.exp(-14.0 * (n - 0.5)))).astype(np.float32)  # ~uniform 0..1
    u_peak, u_vigour, u_misc = _fields(lon, lat)

    bare = np.clip((dry - 0.55) / 0.4, 0.0, 1.0)
    tropical = (mean > 293.0) & (dry < 0.4)
    boreal = np.clip((283.0 - mean) / 8.0, 0.0, 1.0)
    tundra = np.clip((268.0 - mean) / 5.0, 0.0, 1.0)
    wooded = np.clip(1.0 - 1.6 * dry, 0.0, 1.0) * (1.0 - tundra)
    forest = np.where(tropical, 0.8, 0.3 + 0.45 * boreal) * wooded
    crop = np.where(tropical, 0.15, 0.6 * (1.0 - boreal)) * (1.0 - bare) * (dry < 0.7)
    cls = np.full(lon.shape, GRASSLAND, np.uint8)
    cls[u < forest] = FOREST
    cls[(u >= forest) & (u < forest + crop)] = CROPLAND
    cls[u > 1.0 - bare] = BARE
    cls[(cls == CROPLAND) & (u_misc < 0.015)] = URBAN  # villages
    cls[_urban(lon, lat, u, u_misc)] = URBAN
    # Mountains: the cover noise stands in for altitude, ridges (high u) colder than valleys.
    snow_line = 271.0 + (6.0 + 24.0 * clim[4]) * (u - 0.5) - 3.0 * (cls == URBAN)
    cls[(mean < 262.0) | (temp < snow_line)] = SNOW

    green = greenness(temp, dryness(lat, when, clim))
    evergreen = np.where(tropical, 1.0, 0.05 + 0.6 * boreal)
    f = np.where(cls == FOREST, evergreen + (1.0 - evergreen) * green, 0.0)
    crops = np.flatnonzero(cls == CROPLAND)
    calendar = _crop_calendar(lat[crops], when, u_peak[crops], u_vigour[crops])
    f[crops] = (0.75 + 0.25 * u_vigour[crops]) * green[crops] * calendar
    f = np.where(cls == GRASSLAND, (0.6 + 0.3 * u_vigour) * green, f)
    f = np.where(cls == URBAN, 0.35 * u_vigour * green, f)
    f = np.where(cls == BARE, u, f)  # sand to rock
    contrast = np.where((cls == CROPLAND) | (cls == URBAN), 0.3, 0.08)
    return cls, f, contrast * (u_misc - 0.5)


@chunked
def _class(lon: np.ndarray, lat: np.ndarray, when: When) -> np.ndarray:
    return land_cover(lon, lat, when)[0]


def surface_class(lon: np.ndarray, lat: np.ndarray, when: When) -> np.ndarray:
    """Land-cover class index (see :data:`CLASSES`) per point, uint8."""
    return _class(lon, lat, when)


@chunked
def _reflectance(lon: np.ndarray, lat: np.ndarray, when: When, bands: tuple[int, ...]):
    cls, f, shade = land_cover(lon, lat, when)
    tex = fbm(lon, lat, _TEXTURE_SEED, 360 / 8192, 5, gain=0.6)  # ~5 km down to ~300 m
    tex += 0.05 * cell_hash(lon, lat, 360 / 2**21, _TEXTURE_SEED) + shade  # ~20 m grain
    calm = np.where((cls == WATER) | (cls == SNOW), 0.3, 1.0)
    bright = (1.0 + 1.1 * (tex - 0.525) * calm).astype(np.float32)
    out = np.empty((len(bands), lon.size), np.float32)
    for row, b in enumerate(bands):
        dormant, green = DORMANT[b][cls], GREEN[b][cls]
        out[row] = bright * (dormant + f * (green - dormant))
    return np.clip(out, 0.0, 1.0)


def band_index(band: str) -> int:
    """Position of a band name (``B04``, ``b4``, ``B8A``) in :data:`BANDS`."""
    name = band.upper()
    if len(name) == 2 and name != "B8A":
        name = f"B0{name[1]}"
    try:
        return BANDS.index(name)
    except ValueError:
        raise ValueError(f"unknown Sentinel-2 band {band!r}; expected one of {BANDS}") from None


def surface_reflectance(
    band: str | Sequence[str], lon: np.ndarray, lat: np.ndarray, when: When
) -> np.ndarray:
    """Bottom-of-atmosphere reflectance (float32, 0..1) of one band, or of several (bands first)."""
    names = [band] if isinstance(band, str) else list(band)
    out = _reflectance(lon, lat, when, tuple(band_index(b) for b in names))
    return out[0] if isinstance(band, str) else out


def ndvi_of(cls: np.ndarray, green: np.ndarray) -> np.ndarray:
    """NDVI of the untextured surface from :func:`land_cover` output (texture scales both bands)."""
    red = DORMANT[3][cls] + green * (GREEN[3][cls] - DORMANT[3][cls])
    nir = DORMANT[7][cls] + green * (GREEN[7][cls] - DORMANT[7][cls])
    return (nir - red) / np.maximum(nir + red, 1e-6)


def ndvi(lon: np.ndarray, lat: np.ndarray, when: When) -> np.ndarray:
    """(B08 - B04) / (B08 + B04) of :func:`surface_reflectance`, float32."""
    red, nir = surface_reflectance(("B04", "B08"), lon, lat, when)
    return ((nir - red) / np.maximum(nir + red, 1e-6)).astype(np.float32)
