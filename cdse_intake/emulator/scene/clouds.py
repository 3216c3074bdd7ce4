"""Clouds, their shadows, what a Sentinel-2 sees through them, and the L2A scene classification.

A cloud field is fractal noise seeded by the hour of the acquisition (same hour, same clouds for
every mission; the next pass, other clouds), from weather-system scale (~150 km) down to ~300 m.
:func:`cloud_mask` thresholds it at its own quantile over the pixels asked for, so exactly
``round(cover * n)`` pixels are cloudy. Optical thickness grows from the cloud edges inwards; the
shadow is the cloud mask moved away from the sun by a cloud height of 1.5 km.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .climate import When, epoch_seconds, sun_position
from .landmask import chunked
from .noise import fbm, seed_of
from .surface import (
    SNOW,
    VEGETATED,
    WATER,
    band_index,
    land_cover,
    ndvi_of,
    surface_reflectance,
)

__all__ = [
    "CLOUD_SPECTRUM",
    "SCL_CLASSES",
    "cloud_field",
    "cloud_mask",
    "cloud_optical_thickness",
    "cloud_shadow_mask",
    "observed_reflectance",
    "scl",
]

#: Reflectance of a thick cloud per band: flat and bright, lower where water and ice absorb.
CLOUD_SPECTRUM = np.array([0.78, 0.78, 0.79, 0.80, 0.80, 0.80, 0.80, 0.79, 0.79, 0.72, 0.40,
                           0.58, 0.42], np.float32)  # fmt: skip
SCL_CLASSES = ("NO_DATA", "SATURATED_OR_DEFECTIVE", "DARK_AREA_PIXELS", "CLOUD_SHADOWS",
               "VEGETATION", "NOT_VEGETATED", "WATER", "UNCLASSIFIED", "CLOUD_MEDIUM_PROBABILITY",
               "CLOUD_HIGH_PROBABILITY", "THIN_CIRRUS", "SNOW")  # fmt: skip
CLOUD_HEIGHT_KM = 1.5
#: Optical thickness at the cloud core and the SCL thresholds (thin cirrus, medium, high).
TAU_MAX, TAU_THIN, TAU_HIGH = 40.0, 2.0, 8.0


def _seed(when: When) -> int:
    return seed_of("clouds", int(epoch_seconds(when) // 3600))


@chunked
def _field(lon: np.ndarray, lat: np.ndarray, seed: int) -> np.ndarray:
    return fbm(lon, lat, seed, 360 / 256, 10, gain=0.6)


def cloud_field(lon: np.ndarray, lat: np.ndarray, when: When) -> np.ndarray:
    """The smooth field whose high values are cloud (0..1, pointwise)."""
    return _field(lon, lat, _seed(when))


def _threshold(field: np.ndarray, cover: float) -> tuple[np.ndarray, float]:
    """Mask of the ``round(cover * n)`` highest values of ``field`` and the lowest of them."""
    if not 0.0 <= cover <= 1.0:
        raise ValueError(f"cover must be within 0..1, not {cover}")
    flat = field.ravel()
    k = round(cover * flat.size)
    mask = np.zeros(flat.size, bool)
    if k == 0:
        return mask.reshape(field.shape), np.inf
    top = np.argpartition(flat, flat.size - k)[flat.size - k :]
    mask[top] = True
    return mask.reshape(field.shape), float(flat[top].min())


def cloud_mask(lon: np.ndarray, lat: np.ndarray, when: When, cover: float) -> np.ndarray:
    """Cloudy pixels: exactly ``round(cover * n)`` of the ``n`` points, in coherent shapes."""
    return _threshold(cloud_field(lon, lat, when), cover)[0]


def _thickness(field: np.ndarray, mask: np.ndarray, thr: float) -> np.ndarray:
    """Thin at the edge, thickest two standard deviations of the field above it."""
    core = np.clip((field - thr) / (2.0 * float(np.std(field)) + 1e-4), 0.0, 1.0)
    return np.where(mask, np.maximum(TAU_MAX * core**1.5, 0.3), 0.0).astype(np.float32)


def cloud_optical_thickness(
    lon: np.ndarray, lat: np.ndarray, when: When, cover: float
) -> np.ndarray:
    """Cloud optical thickness (0 clear, ~0.3 at cloud edges, up to 40 in the cores)."""
    field = cloud_field(lon, lat, when)
    mask, thr = _threshold(field, cover)
    return _thickness(field, mask, thr)


def _sun_offset(lon: np.ndarray, lat: np.ndarray, when: When) -> tuple[float, float]:
    """(east, north) in degrees from a shadow to the cloud top that casts it (scene centre)."""
    mid_lon, mid_lat = float(np.mean(lon)), float(np.mean(lat))
    zenith, azimuth = sun_position(np.array(mid_lon), np.array(mid_lat), when)
    reach = CLOUD_HEIGHT_KM * np.tan(np.radians(min(float(zenith), 80.0)))
    east = reach * np.sin(np.radians(float(azimuth))) / (111.32 * np.cos(np.radians(mid_lat)))
    return east, reach * np.cos(np.radians(float(azimuth))) / 110.57


def _clouds(
    lon: np.ndarray, lat: np.ndarray, when: When, cover: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cloud mask, optical thickness, shadow mask): a pixel is shaded when the point towards
    the sun at cloud height is cloud, and it is not cloud itself."""
    lon, lat = np.broadcast_arrays(np.asarray(lon, np.float64), np.asarray(lat, np.float64))
    east, north = _sun_offset(lon, lat, when)
    # One call for both, so the noise lattice over the pair is hashed once.
    field, sunward = cloud_field(np.stack([lon, lon + east]), np.stack([lat, lat + north]), when)
    mask, thr = _threshold(field, cover)
    shadow = (sunward >= thr) & ~mask if np.isfinite(thr) else np.zeros(mask.shape, bool)
    return mask, _thickness(field, mask, thr), shadow


def cloud_shadow_mask(lon: np.ndarray, lat: np.ndarray, when: When, cover: float) -> np.ndarray:
    """Cloud-shadow pixels (never cloudy themselves; clouds just outside may cast them)."""
    return _clouds(lon, lat, when, cover)[2]


def observed_reflectance(
    band: str | Sequence[str], lon: np.ndarray, lat: np.ndarray, when: When, cover: float
) -> np.ndarray:
    """Surface reflectance with clouds blended over it and cloud shadows darkening it."""
    lon, lat = np.broadcast_arrays(np.asarray(lon, np.float64), np.asarray(lat, np.float64))
    names = [band] if isinstance(band, str) else list(band)
    surface = surface_reflectance(names, lon, lat, when)
    if cover > 0:
        _, tau, shadow = _clouds(lon, lat, when, cover)
        shade = np.where(shadow, np.float32(0.35), np.float32(1.0))
        albedo = 0.15 * tau / (2.0 + 0.15 * tau)  # two-stream, asymmetry 0.85
        spectrum = CLOUD_SPECTRUM[[band_index(b) for b in names]] / np.float32(0.8)
        shape = (len(names),) + (1,) * lon.ndim
        surface = albedo * spectrum.reshape(shape) + (1.0 - albedo) * shade * surface
    out = surface.astype(np.float32)
    return out[0] if isinstance(band, str) else out


@chunked
def _clear_scl(lon: np.ndarray, lat: np.ndarray, when: When) -> np.ndarray:
    cls, f, _ = land_cover(lon, lat, when)
    out = np.full(lon.shape, 5, np.uint8)
    vegetated = np.isin(cls, VEGETATED) & (ndvi_of(cls, f) > 0.4)
    out[vegetated] = 4
    out[cls == WATER] = 6
    out[cls == SNOW] = 11
    return out


def scl(lon: np.ndarray, lat: np.ndarray, when: When, cover: float) -> np.ndarray:
    """Sentinel-2 L2A scene classification (uint8, ESA's values; :data:`SCL_CLASSES`).

    Clouds (8 medium, 9 high, 10 thin cirrus by optical thickness) are exactly
    :func:`cloud_mask`; 3 is :func:`cloud_shadow_mask`; elsewhere 4 vegetation, 5 not vegetated,
    6 water, 11 snow and ice follow the surface; points with a non-finite lon or lat are 0.
    """
    lon, lat = np.broadcast_arrays(np.asarray(lon, np.float64), np.asarray(lat, np.float64))
    valid = np.isfinite(lon) & np.isfinite(lat)
    if not valid.all():
        out = np.zeros(lon.shape, np.uint8)
        out[valid] = scl(lon[valid], lat[valid], when, cover)
        return out
    out = _clear_scl(lon, lat, when)
    if cover > 0:
        mask, tau, shadow = _clouds(lon, lat, when, cover)
        out[shadow] = 3
        out[mask] = np.where(tau[mask] > TAU_HIGH, 9, np.where(tau[mask] > TAU_THIN, 8, 10))
    return out
