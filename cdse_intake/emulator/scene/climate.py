"""Climate of the synthetic Earth: time, seasons, temperature and dryness per place.

Annual mean temperature falls with latitude and, away from the tropics, with continentality; the
seasonal swing grows with both (maritime Paris ~8 K, Siberia ~20 K); the season peaks around
19 July in the north and six months later in the south. Dryness peaks in the subtropical
high-pressure belts (~24°) deep inside continents and on their west coasts, and a few regional
corrections (monsoon Asia wet, Atacama and Taklamakan dry, ...) stand in for the rest of the
general circulation. All of it depends on location only (plus the date), and is precomputed on a
0.5° grid the first time it is needed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import numpy as np

from .landmask import continentality, padded, sample_grid
from .noise import fbm, seed_of

__all__ = [
    "When",
    "climate",
    "day_of_year",
    "describe",
    "dryness",
    "epoch_seconds",
    "greenness",
    "season",
    "sun_position",
    "temperature",
    "utc_hours",
]

When = datetime | date | np.datetime64 | str | float | int
CELL = 0.5
#: Day of the year of the northern mid-summer (temperature peak).
PEAK_DAY = 200.0
#: (lon, lat, radius in degrees, dryness added, kelvin added, summer drought) where belts and
#: coasts are not enough: monsoons, deserts, ice sheets, mountains, Mediterranean climates.
REGIONS = (
    (78.0, 22.0, 9.0, -0.45, 0.0, 0.0),  # Indian monsoon
    (113.0, 27.0, 9.0, -0.5, 0.0, 0.0),  # southern China
    (-84.0, 33.0, 8.0, -0.45, 0.0, 0.0),  # south-east United States
    (-92.0, 42.0, 8.0, -0.4, 0.0, 0.0),  # US Midwest
    (-112.0, 32.0, 6.0, 0.35, 0.0, 0.0),  # Sonoran and Mojave
    (-70.0, -23.0, 4.0, 0.6, 0.0, 0.0),  # Atacama
    (17.0, -23.0, 6.0, 0.2, 0.0, 0.0),  # Namib and Kalahari
    (30.0, -27.0, 5.0, -0.35, 0.0, 0.0),  # Highveld grasslands
    (47.0, 23.0, 9.0, 0.3, 0.0, 0.0),  # Arabia
    (14.0, 24.0, 16.0, 0.35, 0.0, 0.0),  # Sahara
    (28.0, 27.0, 7.0, 0.7, 0.0, 0.0),  # Egypt and Libya
    (133.0, -25.0, 10.0, 0.25, 0.0, 0.0),  # inland Australia
    (150.0, -28.0, 5.0, -0.45, 0.0, 0.0),  # eastern Australia
    (-47.0, -20.0, 8.0, -0.4, 0.0, 0.0),  # south-east Brazil
    (-58.0, -27.0, 9.0, -0.55, 0.0, 0.0),  # Paraguay, Chaco and Pampas
    (104.0, 43.0, 8.0, 0.3, 0.0, 0.0),  # Gobi
    (83.0, 39.0, 5.0, 0.45, 0.0, 0.0),  # Taklamakan
    (-69.0, -45.0, 4.0, 0.25, 0.0, 0.0),  # Patagonia
    (46.0, 6.0, 6.0, 0.4, 0.0, 0.0),  # Horn of Africa
    (-5.0, 8.0, 7.0, -0.3, 0.0, 0.0),  # Guinea coast
    (-42.0, 74.0, 10.0, 0.0, -18.0, 0.0),  # Greenland ice sheet
    (88.0, 33.0, 7.0, 0.1, -16.0, 0.0),  # Tibetan plateau
    (84.0, 29.0, 3.0, 0.0, -12.0, 0.0),  # Himalaya
    (73.0, 38.5, 3.0, 0.0, -12.0, 0.0),  # Pamir
    (6.8, 45.3, 0.8, 0.0, -10.0, 0.0),  # western Alps
    (8.6, 46.3, 0.8, 0.0, -11.0, 0.0),  # Valais and Ticino
    (10.6, 46.6, 0.9, 0.0, -11.0, 0.0),  # central Alps
    (12.6, 47.0, 0.9, 0.0, -10.0, 0.0),  # Tyrol and the Tauern
    (14.6, 47.2, 0.7, 0.0, -7.0, 0.0),  # eastern Alps
    (0.5, 42.7, 0.9, 0.0, -7.0, 0.0),  # Pyrenees
    (24.5, 47.0, 2.0, 0.0, -5.0, 0.0),  # Carpathians
    (43.5, 42.8, 1.6, 0.0, -10.0, 0.0),  # Caucasus
    (13.0, 64.0, 3.5, 0.0, -6.0, 0.0),  # Scandinavian mountains
    (-113.0, 46.0, 5.0, 0.0, -9.0, 0.0),  # northern Rockies
    (-107.0, 39.0, 3.5, 0.0, -10.0, 0.0),  # Colorado Rockies
    (-68.0, -17.0, 5.0, 0.0, -10.0, 0.0),  # Altiplano
    (-70.0, -32.0, 3.0, 0.0, -12.0, 0.0),  # central Andes
    (-77.0, -8.0, 3.0, 0.0, -9.0, 0.0),  # Peruvian Andes
    (39.0, 9.0, 3.0, 0.0, -6.0, 0.0),  # Ethiopian highlands
    (16.0, 39.0, 10.0, 0.0, 0.0, 0.9),  # Mediterranean
    (-4.0, 39.0, 5.0, 0.0, 0.0, 0.6),  # Iberia
    (-121.0, 37.0, 5.0, 0.0, 0.0, 0.9),  # California
    (-71.0, -34.0, 4.0, 0.0, 0.0, 0.9),  # central Chile
    (117.0, -32.0, 5.0, 0.0, 0.0, 0.8),  # south-west Australia
    (19.5, -33.5, 3.0, 0.0, 0.0, 0.8),  # Cape
)


def epoch_seconds(when: When) -> float:
    """Seconds since 1970-01-01 UTC; naive datetimes and strings are taken as UTC."""
    if isinstance(when, int | float):
        return float(when)
    if isinstance(when, np.datetime64):
        return float(when.astype("datetime64[ms]").astype(np.int64)) / 1000.0
    if isinstance(when, str):
        when = datetime.fromisoformat(when.replace("Z", "+00:00"))
    if not isinstance(when, datetime):
        when = datetime(when.year, when.month, when.day)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def day_of_year(when: When) -> float:
    """Fractional day of the (mean, 365.2425-day) year, 0 at 1 January 00:00 UTC."""
    days = epoch_seconds(when) / 86400.0
    return float(days % 365.2425)


def utc_hours(when: When) -> float:
    """Hour of the day in UTC, 0..24."""
    return float(epoch_seconds(when) % 86400.0 / 3600.0)


def sun_position(lon: np.ndarray, lat: np.ndarray, when: When) -> tuple[np.ndarray, np.ndarray]:
    """(zenith, azimuth clockwise from north) of the sun in degrees, from local solar time."""
    declination = np.radians(-23.44 * np.cos(2.0 * np.pi * (day_of_year(when) + 10.0) / 365.2425))
    hour_angle = np.radians(15.0 * (utc_hours(when) + np.asarray(lon) / 15.0 - 12.0))
    phi = np.radians(np.asarray(lat))
    cos_zenith = np.sin(phi) * np.sin(declination) + np.cos(phi) * np.cos(declination) * np.cos(
        hour_angle
    )
    east = -np.cos(declination) * np.sin(hour_angle)
    north = np.sin(declination) * np.cos(phi) - np.cos(declination) * np.sin(phi) * np.cos(
        hour_angle
    )
    zenith = np.degrees(np.arccos(np.clip(cos_zenith, -1.0, 1.0)))
    return zenith, np.degrees(np.arctan2(east, north)) % 360.0


def season(lat: np.ndarray, when: When, lag: float = 0.0) -> np.ndarray:
    """+1 at the local mid-summer, -1 at mid-winter; fading to 0 at the equator."""
    phase = np.cos(2.0 * np.pi * (day_of_year(when) - PEAK_DAY - lag) / 365.2425)
    return (phase * np.clip(np.asarray(lat, np.float32) / 8.0, -1.0, 1.0)).astype(np.float32)


@cache
def _climate_grid() -> np.ndarray:
    """Planes (annual mean K, seasonal half-swing K, dryness, summer drought, relief) on a 0.5°
    grid."""
    lat = 90.0 - CELL * (np.arange(round(180 / CELL)) + 0.5)
    lon = -180.0 + CELL * (np.arange(round(360 / CELL)) + 0.5)
    lon, lat = np.meshgrid(lon, lat)
    cont = continentality(lon, lat).astype(np.float64)
    x2 = (np.abs(lat) / 90.0) ** 2
    mean = 301.0 - 52.0 * x2 - 10.0 * cont * x2 - 22.0 * np.clip((-lat - 62.0) / 10.0, 0, 1)
    swing = 1.0 + np.sqrt(x2) * (6.0 + 18.0 * cont**3)
    # Continents west of a place (its west coast) shows as continentality rising eastward.
    east = np.roll(cont, -4, axis=1) - np.roll(cont, 4, axis=1)
    belt = np.exp(-(((np.abs(lat) - 24.0) / 9.0) ** 2))
    interior = np.exp(-(((np.abs(lat) - 43.0) / 7.0) ** 2)) * np.clip(cont - 0.8, 0, None) * 3.0
    dry = belt * (0.15 + 0.9 * cont**2 + 1.2 * np.clip(east, 0, None)) + interior
    dry += 0.3 * (fbm(lon, lat, seed_of("dryness"), 360 / 64, 4) - 0.5)
    summer, relief = np.zeros(lat.shape), np.zeros(lat.shape)
    for rlon, rlat, radius, ddry, dkelvin, dsummer in REGIONS:
        dlon = (lon - rlon + 180.0) % 360.0 - 180.0
        bump = np.exp(-(dlon**2 * np.cos(np.radians(rlat)) ** 2 + (lat - rlat) ** 2) / radius**2)
        dry += ddry * bump
        mean += dkelvin * bump
        summer = np.maximum(summer, dsummer * bump)
        if radius < 6.0:  # mountain ranges, not plateaus or ice sheets
            relief = np.maximum(relief, -dkelvin / 10.0 * bump)
    planes = [mean, swing, np.clip(dry, 0.0, 1.5), summer, np.clip(relief, 0.0, 1.0)]
    return padded(np.stack(planes, axis=-1).astype(np.float32))


def climate(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Planes (annual mean temperature K, seasonal half-swing K, dryness 0..1.5, summer drought
    0..1, mountain relief 0..1) at each point."""
    return sample_grid(_climate_grid(), lon, lat, CELL)


def dryness(lat: np.ndarray, when: When, clim: np.ndarray) -> np.ndarray:
    """Dryness of the day: the place's, plus its summer drought in the local summer."""
    return clim[2] + clim[3] * np.clip(season(lat, when, lag=-15.0), 0.0, 1.0)


def temperature(lat: np.ndarray, when: When, clim: np.ndarray, lag: float = 0.0) -> np.ndarray:
    """Daily-mean near-surface temperature (K) from :func:`climate` planes."""
    return clim[0] + clim[1] * season(lat, when, lag)


def greenness(temp: np.ndarray, dry: np.ndarray) -> np.ndarray:
    """How green vegetation is (0 dormant .. 1 full), from warmth and dryness."""
    warm = np.clip((temp - 276.0) / 11.0, 0.0, 1.0)
    return (warm * warm * (3.0 - 2.0 * warm) * np.clip(1.1 - 0.8 * dry, 0.1, 1.0)).astype(
        np.float32
    )


def describe(lon: float, lat: float, when: When) -> dict[str, Any]:
    """The climate at one place and date, for looking at the model."""
    clim = climate(np.array([lon]), np.array([lat]))[:, 0]
    temp = float(temperature(np.array([lat]), when, clim[:, None])[0])
    return {"mean_k": float(clim[0]), "swing_k": float(clim[1]), "dryness": float(clim[2]),
            "summer_drought": float(clim[3]), "temperature_k": temp}  # fmt: skip
