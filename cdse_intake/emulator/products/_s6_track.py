"""Where a Sentinel-6 product looks and what it sees: its ground track and the synthetic ocean.

The catalogue footprint of a Sentinel-6 record is a narrow quadrilateral from its southern to its
northern end (``records.shapes.track``); the nadir point runs along its centre line, from south to
north on an ascending (odd) pass and from north to south on a descending (even) one, as the
Jason/Sentinel-6 pass numbering has it. Times are spread evenly from the record's start to its
stop. The products are thinned along track (see :data:`RECORDS`): the same span, fewer points.

What the altimeter and radiometer see comes from the emulator's synthetic Earth: land and sea
from :mod:`..scene.landmask` (read-only), mesoscale sea level, waves and wind from its seeded
noise, water vapour by latitude. Every function is a pure function of the entry.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from ..scene.landmask import is_land, land_fraction
from ..scene.noise import fbm, seed_of
from ._geo import footprint_quad

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["EPOCH", "RECORDS", "Ground", "Track", "surface_class"]

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
"""The time origin of every Sentinel-6 netCDF file (``seconds since 2000-01-01 00:00:00.0``)."""
#: Points along track written per product (the real files hold one per second or per 50 ms:
#: 600-67,000 per product; the emulator keeps the span and thins the points).
RECORDS = {"1hz": 300, "20hz_per_1hz": 20, "l1b": 1200, "amr": 300}
#: Orbit: mean altitude above the ellipsoid (m) and its variation with latitude.
ALTITUDE = 1_336_000.0
ALTITUDE_SWING = 18_000.0
#: surface_classification_flag values (Jason/Sentinel-6 convention).
OPEN_OCEAN, LAND, CONTINENTAL_WATER, AQUATIC_VEGETATION, CONTINENTAL_ICE, FLOATING_ICE = range(6)


def _seed(name: str, what: str) -> int:
    return zlib.crc32(f"{name}:{what}".encode()) & 0xFFFFFFFF


@dataclass(frozen=True)
class Ground:
    """Nadir points: time (seconds since 2000), lon (-180..180), lat, and land."""

    time: np.ndarray
    lon: np.ndarray
    lat: np.ndarray

    @cached_property
    def land(self) -> np.ndarray:
        return np.asarray(is_land(self.lon, self.lat), bool)

    @cached_property
    def land_fraction(self) -> np.ndarray:
        return np.asarray(land_fraction(self.lon, self.lat), np.float64)

    @property
    def lon360(self) -> np.ndarray:
        """Longitudes as the files store them, 0..360 degrees east."""
        return np.mod(self.lon, 360.0)


class Track:
    """The ground track of a Sentinel-6 catalogue entry."""

    def __init__(self, entry: Entry) -> None:
        self.entry = entry
        self.quad = footprint_quad(entry)
        self.pass_number = int(entry.attribute("relativeOrbitNumber", entry.extra.get("pass", 1)))
        self.cycle = int(entry.extra.get("cycle", 1))
        self.ascending = self.pass_number % 2 == 1
        self.start = (entry.start - EPOCH).total_seconds()
        self.stop = (entry.end - EPOCH).total_seconds()

    def seed(self, what: str) -> int:
        return _seed(self.entry.name, what)

    def at(self, seconds: np.ndarray) -> Ground:
        """Nadir points at ``seconds`` since 2000 (clipped to the product's span)."""
        t = np.asarray(seconds, np.float64)
        v = np.clip((t - self.start) / (self.stop - self.start), 0.0, 1.0)
        if not self.ascending:
            v = 1.0 - v
        lon, lat = self.quad.interpolate(np.full_like(v, 0.5), v)
        return Ground(t, lon, lat)

    def times(self, n: int) -> np.ndarray:
        """``n`` times evenly from the start to the stop."""
        return np.linspace(self.start, self.stop, n)

    def times_20hz(self, t01: np.ndarray) -> np.ndarray:
        """Twenty measurement times per 1 Hz record, centred on it."""
        per = RECORDS["20hz_per_1hz"]
        step = (t01[1] - t01[0]) if t01.size > 1 else 1.0
        offsets = (np.arange(per) - (per - 1) / 2) / per * step
        return (t01[:, None] + offsets[None, :]).ravel()

    def when(self, seconds: float) -> datetime:
        return EPOCH + timedelta(seconds=float(seconds))

    # -- the synthetic ocean ---------------------------------------------------------------------

    def sea_level_anomaly(self, g: Ground) -> np.ndarray:
        """Mesoscale sea level anomaly (m): eddies of ±0.2 m, calm in the tropics."""
        noise = fbm(g.lon, g.lat, seed_of("s6-ssha", self.cycle), 360 / 256, 5) - 0.5
        energy = 0.15 + 0.35 * np.clip(np.abs(g.lat) / 45.0, 0.0, 1.0)
        return noise * energy

    def wave_height(self, g: Ground) -> np.ndarray:
        """Significant wave height (m): 1-2 m in the tropics, 3-5 m in the roaring forties."""
        noise = fbm(g.lon, g.lat, seed_of("s6-swh", self.cycle), 360 / 64, 4)
        base = 1.2 + 2.8 * np.clip((np.abs(g.lat) - 15.0) / 35.0, 0.0, 1.0)
        return base * (0.6 + 0.8 * noise)

    def wind_speed(self, g: Ground) -> np.ndarray:
        """10 m wind speed (m/s), 2-15."""
        noise = fbm(g.lon, g.lat, seed_of("s6-wind", self.cycle), 360 / 64, 4)
        base = 5.0 + 4.0 * np.clip((np.abs(g.lat) - 20.0) / 30.0, 0.0, 1.0)
        return np.clip(base * (0.4 + 1.2 * noise), 0.5, 20.0)

    def water_vapour(self, g: Ground) -> np.ndarray:
        """Total column water vapour (kg/m²): ~50 at the equator, ~5 near the poles."""
        noise = fbm(g.lon, g.lat, seed_of("s6-vapour", self.cycle), 360 / 128, 4)
        base = 5.0 + 50.0 * np.exp(-((g.lat / 28.0) ** 2))
        return base * (0.75 + 0.5 * noise)

    def mean_sea_surface(self, g: Ground) -> np.ndarray:
        """Mean sea surface above the ellipsoid (m), a geoid-like ±80 m."""
        return (
            -30.0 * np.cos(np.radians(2 * g.lat))
            + 40.0 * np.sin(np.radians(g.lon)) * np.cos(np.radians(g.lat))
            + 60.0 * (fbm(g.lon, g.lat, seed_of("s6-geoid"), 360 / 16, 3) - 0.5)
        )

    def altitude(self, g: Ground) -> np.ndarray:
        """Centre-of-mass altitude above the ellipsoid (m): higher over the poles (flattening)."""
        return ALTITUDE + ALTITUDE_SWING * (np.sin(np.radians(g.lat)) ** 2 - 0.5)


def surface_class(g: Ground) -> np.ndarray:
    """``surface_classification_flag``: open ocean, land, continental ice (land beyond 60°),
    floating ice (sea beyond 63°)."""
    out = np.where(g.land, LAND, OPEN_OCEAN).astype(np.int8)
    out[g.land & (np.abs(g.lat) > 60.0)] = CONTINENTAL_ICE
    out[~g.land & (np.abs(g.lat) > 63.0)] = FLOATING_ICE
    return out
