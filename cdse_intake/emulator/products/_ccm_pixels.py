"""What the CCM writers sample from the synthetic Earth: elevation, reflectance, X-band radar.

- Elevation (m above the geoid, float32): 0 on the sea (the Copernicus DEM flattens the ocean to
  0 m), on land a few metres on the coast rising inland with the continentality, and mountains
  where the scene's climate has relief (:func:`..scene.climate.climate`, plane 4), textured by
  fractal noise. The scene has no elevation of its own: this model is inferred, only its sea at
  0 m and its land/sea boundary are the scene's.
- Reflectance: the scene's top-of-canopy reflectance with the record's cloud cover
  (:func:`..scene.observed_reflectance`) in the blue, green, red and near-infrared bands the VHR
  multispectral sensors share (Sentinel-2 B02, B03, B04, B08 stand for them).
- Radar: the scene's C-band sigma0 (:func:`..scene.sigma0_db`) stands for X-band, with speckle.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

__all__ = ["VHR_BANDS", "elevation", "is_sea", "reflectance", "sigma0"]

#: VHR multispectral bands (DIMAP ``B0``..``B3``) -> the scene band standing for each.
VHR_BANDS = {"B0": "B02", "B1": "B03", "B2": "B04", "B3": "B08"}


def elevation(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Height (m, float32) at each point: 0 on the sea, > 0 on land."""
    from ..scene import is_land
    from ..scene.climate import climate
    from ..scene.landmask import continentality
    from ..scene.noise import fbm, seed_of

    lon, lat = np.broadcast_arrays(np.asarray(lon, np.float64), np.asarray(lat, np.float64))
    land = is_land(lon, lat)
    relief = climate(lon, lat)[4].astype(np.float64)  # planes first
    hills = fbm(lon, lat, seed_of("ccm", "elevation"), 360 / 2048, 6)
    inland = continentality(lon, lat).astype(np.float64)
    height = 2.0 + 600.0 * inland * hills + 4200.0 * relief * hills**1.5
    return np.where(land, height, 0.0).astype(np.float32)


def is_sea(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """True on the sea (the scene's land mask)."""
    from ..scene import is_land

    return ~is_land(np.asarray(lon, np.float64), np.asarray(lat, np.float64))


def reflectance(lon: np.ndarray, lat: np.ndarray, when: datetime, cover: float) -> np.ndarray:
    """``(4, ...)`` reflectance (float32, 0..1) in the bands of :data:`VHR_BANDS`, clouds at
    ``cover`` (0..1) blended in."""
    from ..scene import observed_reflectance

    return observed_reflectance(list(VHR_BANDS.values()), lon, lat, when, cover)


def sigma0(
    lon: np.ndarray, lat: np.ndarray, when: datetime, pol: str, incidence: float
) -> np.ndarray:
    """Backscatter (dB, float32) with single-look-like speckle (4 looks)."""
    from ..scene import sigma0_db

    return sigma0_db(lon, lat, when, pol, incidence, looks=4)
