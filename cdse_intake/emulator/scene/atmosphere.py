"""Thermal and atmospheric fields for the Sentinel-3 and Sentinel-5P writers.

:func:`land_surface_temperature` is the climate's daily mean plus a diurnal cycle peaking at
13:30 local solar time, strong over dry bare ground, damped by vegetation, nearly absent over
water (whose temperature lags the season and swings less); snow and ice stay at or below 0 °C.
:func:`no2_column` is a background (higher in the polluted northern mid-latitudes) plus plumes
around :mod:`.places` (Paris, the Po valley, the Ruhr, Beijing and the North China plain, ...),
lower on weekends and higher in winter, stirred by a daily transport field. :func:`co_column`
follows the hemispheres, the northern spring maximum and the biomass-burning seasons.
Columns are in mol/m², as in the Sentinel-5P L2 products.
"""

from __future__ import annotations

import numpy as np

from . import places
from .climate import (
    When,
    day_of_year,
    dryness,
    epoch_seconds,
    season,
    temperature,
    utc_hours,
)
from .landmask import chunked
from .noise import fbm, seed_of
from .surface import SNOW, URBAN, WATER, cover_and_climate

__all__ = ["FIRES", "co_column", "land_surface_temperature", "no2_column", "weekday"]

#: Biomass burning: (lon, lat, half-widths in lon and lat (deg), peak day, days, mol/m² added).
FIRES = (
    (20.0, 8.0, 15.0, 6.0, 15.0, 40.0, 0.030),  # northern African savannas, Dec-Feb
    (22.0, -10.0, 12.0, 7.0, 228.0, 45.0, 0.035),  # southern African savannas, Jul-Sep
    (-58.0, -10.0, 10.0, 6.0, 255.0, 35.0, 0.030),  # southern Amazon, Aug-Oct
    (100.0, 18.0, 8.0, 5.0, 85.0, 30.0, 0.020),  # mainland South-East Asia, Mar-Apr
    (110.0, -2.0, 10.0, 5.0, 270.0, 30.0, 0.020),  # Indonesia, Sep-Oct
    (115.0, 60.0, 20.0, 7.0, 205.0, 30.0, 0.015),  # Siberian forest fires, Jul
)
#: NO2 emissions relative to a weekday, Monday first.
WEEK = (1.0, 1.0, 1.0, 1.0, 0.95, 0.75, 0.6)


def weekday(when: When) -> int:
    """Day of the week, 0 = Monday (1 January 1970 was a Thursday)."""
    return int((epoch_seconds(when) // 86400 + 3) % 7)


@chunked
def land_surface_temperature(lon: np.ndarray, lat: np.ndarray, when: When) -> np.ndarray:
    """Skin temperature in K (float32): latitude, continentality, season, hour and cover."""
    cls, f, shade, clim = cover_and_climate(lon, lat, when)
    dry = np.clip(dryness(lat, when, clim), 0.0, 1.0)
    solar = utc_hours(when) + lon / 15.0
    diurnal = np.cos(2.0 * np.pi * (solar - 13.5) / 24.0).astype(np.float32)
    sunny = 0.7 + 0.3 * season(lat, when)
    amplitude = (3.0 + 14.0 * dry) * (1.0 - 0.5 * f) * sunny + 2.0 * (cls == URBAN)
    lst = temperature(lat, when, clim) + amplitude * diurnal + 1.5 * (cls == URBAN) + 10 * shade
    water = cls == WATER
    sea = clim[0] + 0.5 * clim[1] * season(lat, when, lag=40.0) + 0.5 * diurnal
    lst = np.where(water, np.maximum(sea, 271.3), lst)
    lst = np.where(cls == SNOW, np.minimum(lst, 273.15), lst)
    return lst.astype(np.float32)


def _transport(lon: np.ndarray, lat: np.ndarray, when: When, name: str) -> np.ndarray:
    """A smooth daily field around 1 that stirs the columns."""
    day = int(epoch_seconds(when) // 86400)
    return fbm(lon, lat, seed_of(name, day), 360 / 512, 4)


@chunked
def no2_column(lon: np.ndarray, lat: np.ndarray, when: When) -> np.ndarray:
    """Tropospheric NO2 column in mol/m² (float32): ~1.5e-5 background, ~1e-4 over big cities."""
    background = 1.2e-5 + 1.0e-5 * np.exp(-(((lat - 40.0) / 18.0) ** 2))
    plumes = np.zeros(lon.shape)
    for k in places.nearby(lon, lat, 3.0 * places.SPREAD_KM):
        radius = places.radius_km(k)
        width = places.SPREAD_KM if radius == 0 else max(2.0 * radius, 25.0)
        near = places.squared_km(lon, lat, k)
        plumes += places.weight(k) * 1.0e-4 * np.exp(near / -(width**2))
    stir = 0.6 + 0.8 * _transport(lon, lat, when, "no2")
    winter = 1.0 - 0.3 * season(lat, when)
    total = background + plumes * WEEK[weekday(when)] * winter * stir
    return total.astype(np.float32)


@chunked
def co_column(lon: np.ndarray, lat: np.ndarray, when: When) -> np.ndarray:
    """Total CO column in mol/m² (float32): ~0.025 south to ~0.04 north, fires up to ~0.07."""
    doy = day_of_year(when)
    total = 0.030 + 0.006 * np.tanh(lat / 20.0)
    total += 0.004 * np.cos(2.0 * np.pi * (doy - 95.0) / 365.2425) * np.clip(lat / 30.0, 0.0, 1.0)
    for flon, flat, wlon, wlat, peak, days, amount in FIRES:
        dt = (doy - peak + 182.6) % 365.2425 - 182.6
        when_factor = np.exp(-((dt / days) ** 2))
        if when_factor > 0.01:
            dlon = (lon - flon + 180.0) % 360.0 - 180.0
            spread = (dlon / wlon) ** 2 + ((lat - flat) / wlat) ** 2
            total += amount * when_factor * np.exp(-spread)
    for k in places.nearby(lon, lat, 150.0):
        total += 0.004 * places.weight(k) * np.exp(places.squared_km(lon, lat, k) / -3600.0)
    return (total * (0.9 + 0.2 * _transport(lon, lat, when, "co"))).astype(np.float32)
