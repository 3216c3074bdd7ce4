"""Cities and industrial regions: where the synthetic Earth is built up and where NO2 comes from.

Each place is (name, longitude, latitude, built-up radius in km, NO2 emission weight). A radius of
0 marks an emission region that is not one city (Po valley, Ruhr, Highveld); its weight spreads
over ``SPREAD_KM`` around the point.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "PLACES",
    "SPREAD_KM",
    "distances_km",
    "nearby",
    "offsets_km",
    "radius_km",
    "squared_km",
    "weight",
]

PLACES: tuple[tuple[str, float, float, float, float], ...] = (
    ("Paris", 2.35, 48.86, 17.0, 1.0),
    ("London", -0.12, 51.51, 16.0, 1.0),
    ("Berlin", 13.40, 52.52, 12.0, 0.6),
    ("Madrid", -3.70, 40.42, 10.0, 0.8),
    ("Rome", 12.50, 41.90, 8.0, 0.5),
    ("Milan", 9.19, 45.46, 9.0, 0.9),
    ("Po valley", 10.5, 45.1, 0.0, 1.2),
    ("Ruhr", 7.10, 51.45, 0.0, 1.4),
    ("Essen", 7.01, 51.46, 8.0, 0.4),
    ("Cologne", 6.96, 50.94, 7.0, 0.4),
    ("Brussels", 4.35, 50.85, 7.0, 0.5),
    ("Amsterdam", 4.90, 52.37, 7.0, 0.5),
    ("Rotterdam", 4.48, 51.92, 6.0, 0.7),
    ("Munich", 11.58, 48.14, 8.0, 0.4),
    ("Vienna", 16.37, 48.21, 8.0, 0.4),
    ("Warsaw", 21.01, 52.23, 8.0, 0.5),
    ("Prague", 14.42, 50.08, 6.0, 0.3),
    ("Barcelona", 2.17, 41.39, 7.0, 0.5),
    ("Lisbon", -9.14, 38.72, 6.0, 0.3),
    ("Lyon", 4.84, 45.76, 6.0, 0.3),
    ("Marseille", 5.37, 43.30, 6.0, 0.3),
    ("Toulouse", 1.44, 43.60, 5.0, 0.2),
    ("Hamburg", 9.99, 53.55, 8.0, 0.4),
    ("Moscow", 37.62, 55.75, 18.0, 1.0),
    ("Istanbul", 28.98, 41.01, 14.0, 0.8),
    ("Athens", 23.73, 37.98, 8.0, 0.3),
    ("Cairo", 31.24, 30.04, 14.0, 0.9),
    ("Tehran", 51.39, 35.69, 12.0, 1.0),
    ("Riyadh", 46.72, 24.71, 12.0, 0.6),
    ("Delhi", 77.10, 28.70, 16.0, 1.2),
    ("Mumbai", 72.88, 19.08, 12.0, 0.8),
    ("Kolkata", 88.36, 22.57, 10.0, 0.8),
    ("Beijing", 116.40, 39.90, 18.0, 2.0),
    ("North China plain", 115.5, 37.5, 0.0, 2.5),
    ("Shanghai", 121.47, 31.23, 18.0, 1.8),
    ("Guangzhou", 113.26, 23.13, 16.0, 1.4),
    ("Seoul", 126.98, 37.57, 14.0, 1.2),
    ("Tokyo", 139.69, 35.69, 22.0, 1.3),
    ("Bangkok", 100.50, 13.76, 12.0, 0.6),
    ("Jakarta", 106.85, -6.21, 14.0, 0.8),
    ("Sydney", 151.21, -33.87, 12.0, 0.4),
    ("Johannesburg", 28.05, -26.20, 10.0, 0.5),
    ("Highveld", 29.2, -26.3, 0.0, 1.6),
    ("Lagos", 3.38, 6.52, 12.0, 0.5),
    ("New York", -74.01, 40.71, 18.0, 1.3),
    ("Chicago", -87.63, 41.88, 14.0, 0.8),
    ("Los Angeles", -118.24, 34.05, 20.0, 1.2),
    ("Houston", -95.37, 29.76, 14.0, 0.7),
    ("Mexico City", -99.13, 19.43, 16.0, 1.0),
    ("Sao Paulo", -46.63, -23.55, 18.0, 0.9),
    ("Buenos Aires", -58.38, -34.60, 14.0, 0.6),
    ("Santiago", -70.67, -33.45, 9.0, 0.5),
)
#: How far a regional (radius 0) emission spreads, in km.
SPREAD_KM = 120.0
_LON = np.array([p[1] for p in PLACES])
_LAT = np.array([p[2] for p in PLACES])
_RADIUS = np.array([p[3] for p in PLACES])
_WEIGHT = np.array([p[4] for p in PLACES])


def nearby(lon: np.ndarray, lat: np.ndarray, reach_km: float) -> np.ndarray:
    """Indices of the places within ``reach_km`` (+ their radius) of the points' bounding box."""
    if lon.size == 0:
        return np.zeros(0, dtype=np.int64)
    margin = (reach_km + _RADIUS) / 111.0
    south, north = float(np.nanmin(lat)), float(np.nanmax(lat))
    coslat = max(np.cos(np.radians(max(abs(south), abs(north)))), 0.05)
    west, east = float(np.nanmin(lon)), float(np.nanmax(lon))
    dlon = (_LON - (west + east) / 2.0 + 180.0) % 360.0 - 180.0
    half = (east - west) / 2.0
    near_lon = np.abs(dlon) <= half + margin / coslat
    near_lat = (south - margin <= _LAT) & (north + margin >= _LAT)
    return np.flatnonzero(near_lon & near_lat)


def offsets_km(lon: np.ndarray, lat: np.ndarray, index: int) -> tuple[np.ndarray, np.ndarray]:
    """(east, north) km from place ``index`` to each point (equirectangular)."""
    dlon = lon - _LON[index]
    if dlon.size and np.abs(dlon).max() > 180.0:
        dlon = (dlon + 180.0) % 360.0 - 180.0
    return dlon * (111.32 * np.cos(np.radians(_LAT[index]))), (lat - _LAT[index]) * 110.57


def distances_km(lon: np.ndarray, lat: np.ndarray, index: int) -> np.ndarray:
    """Approximate distance (km) from each point to place ``index``."""
    return np.sqrt(squared_km(lon, lat, index))


def squared_km(lon: np.ndarray, lat: np.ndarray, index: int) -> np.ndarray:
    """Squared distance (km²) from each point to place ``index``."""
    east, north = offsets_km(lon, lat, index)
    return east * east + north * north


def radius_km(index: int) -> float:
    """Built-up radius of place ``index`` (0 for regions)."""
    return float(_RADIUS[index])


def weight(index: int) -> float:
    """NO2 emission weight of place ``index``."""
    return float(_WEIGHT[index])
