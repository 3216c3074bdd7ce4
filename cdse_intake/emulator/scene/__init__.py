"""A deterministic synthetic Earth for the emulator's product writers to sample.

Pure, vectorised numpy functions of (lon, lat, time): the same place looks the same to every
mission and on every date, apart from the seasons, the weather (clouds, sea wind) and the traffic.
Nothing keeps random-number-generator state: noise is hashed from lattice coordinates and named
seeds, so two processes give the same values.

- :mod:`.landmask`: land and sea from Natural Earth 1:110m Admin 0 countries (public domain,
  https://www.naturalearthdata.com/about/terms-of-use/), rasterised to a 0.1° land-fraction grid
  (``data/landmask.npz``, made by ``tools/make_landmask.py``), with fractal coastlines.
- :mod:`.climate`: temperature, seasons and dryness by latitude, continentality and region.
- :mod:`.surface`: land cover and Sentinel-2 surface reflectance with phenology.
- :mod:`.clouds`: cloud mask at a requested cover, thickness, shadows, L2A scene classification.
- :mod:`.radar`: Sentinel-1 sigma0; :mod:`.atmosphere`: land surface temperature, NO2, CO.

``when`` is a datetime (naive = UTC), date, ``numpy.datetime64``, ISO string or epoch seconds.
"""

from __future__ import annotations

from .atmosphere import co_column, land_surface_temperature, no2_column
from .clouds import (
    SCL_CLASSES,
    cloud_field,
    cloud_mask,
    cloud_optical_thickness,
    cloud_shadow_mask,
    observed_reflectance,
    scl,
)
from .landmask import is_land, land_fraction
from .quicklook import render_quicklook
from .radar import sigma0_db
from .surface import BANDS, CLASSES, WAVELENGTHS, ndvi, surface_class, surface_reflectance

__all__ = [
    "BANDS",
    "CLASSES",
    "SCL_CLASSES",
    "WAVELENGTHS",
    "cloud_field",
    "cloud_mask",
    "cloud_optical_thickness",
    "cloud_shadow_mask",
    "co_column",
    "is_land",
    "land_fraction",
    "land_surface_temperature",
    "ndvi",
    "no2_column",
    "observed_reflectance",
    "render_quicklook",
    "scl",
    "sigma0_db",
    "surface_class",
    "surface_reflectance",
]
