"""What every mission's records share: the sites, footprints, tile ids, record times, CDSE's
datetime format and the record factory.

Every generator takes a seeded :class:`random.Random` and draws from it in a fixed order: the
same seed gives the same records, byte for byte. A footprint crossing the antimeridian is a
MultiPolygon split at ±180°, as CDSE stores such footprints.
"""

from __future__ import annotations

import functools
import math
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..catalogue import Entry

#: ``EvictionDate`` of a product that is never evicted (every product outside a rolling archive).
NEVER_EVICTED = "9999-12-31T23:59:59.999999Z"

#: Tile / scene centres: Europe, Africa, the Americas, Asia, and two by the antimeridian.
SITES = [
    (2.35, 48.85),
    (13.4, 52.5),
    (-3.7, 40.4),
    (12.5, 41.9),
    (21.0, 52.2),
    (4.9, 52.4),
    (16.4, 48.2),
    (24.9, 60.2),
    (-9.1, 38.7),
    (23.7, 37.98),
    (10.75, 59.9),
    (18.1, 59.3),
    (-0.13, 51.5),
    (14.4, 50.1),
    (19.0, 47.5),
    (26.1, 44.4),
    (-6.3, 53.3),
    (8.5, 47.4),
    (30.5, 50.45),
    (-17.4, 14.7),
    (36.8, -1.3),
    (31.2, 30.0),
    (28.0, -26.2),
    (3.4, 6.5),
    (-47.9, -15.8),
    (-58.4, -34.6),
    (-74.1, 4.7),
    (-99.1, 19.4),
    (-77.0, 38.9),
    (-122.4, 37.8),
    (-123.1, 49.3),
    (-70.6, -33.4),
    (77.2, 28.6),
    (116.4, 39.9),
    (139.7, 35.7),
    (103.8, 1.35),
    (151.2, -33.9),
    (144.9, -37.8),
    (174.8, -41.3),
    (106.8, -6.2),
    (100.5, 13.75),
    (55.3, 25.2),
    (44.4, 33.3),
    (-155.5, 19.6),
    (-21.9, 64.1),
    (178.45, -18.1),
    (-179.6, 65.0),
    (69.2, 41.3),
]


def fmt_time(value: datetime) -> str:
    """CDSE's datetime format since 2024-09-02: six-digit microseconds and ``Z``."""
    v = value.astimezone(UTC) if value.tzinfo is not UTC else value
    # Formatted by hand: strftime was most of the catalogue's generation time.
    return (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}"
        f".{v.microsecond:06d}Z"
    )


def stamp(v: datetime) -> str:
    """``YYYYMMDDTHHMMSS``, the time format of product names."""
    return f"{v.year:04d}{v.month:02d}{v.day:02d}T{v.hour:02d}{v.minute:02d}{v.second:02d}"


def new_uuid(rng: random.Random) -> str:
    """A version-4 UUID drawn from ``rng`` (product ``Id``, quick-look id)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def hex_digits(rng: random.Random, n: int) -> str:
    """``n`` lowercase hex digits drawn from ``rng``."""
    return f"{rng.getrandbits(4 * n):0{n}x}"


def box(lon: float, lat: float, half_w: float, half_h: float, skew: float = 0.0) -> list:
    """A closed ring around ``(lon, lat)``, sheared by ``skew`` (bottom east, top west: a tilt)."""
    ring = [
        [lon - half_w + skew, lat - half_h],
        [lon + half_w + skew, lat - half_h],
        [lon + half_w - skew, lat + half_h],
        [lon - half_w - skew, lat + half_h],
    ]
    ring = [[round(x, 4), round(y, 4)] for x, y in ring]
    return [*ring, ring[0]]


def footprint(lon: float, lat: float, half_w: float, half_h: float, skew: float = 0.0) -> dict:
    """A Polygon, or a MultiPolygon split at the antimeridian as CDSE stores such footprints.

    ``half_w`` is in degrees at the equator, widened by latitude so the ground width holds.
    """
    half_w = half_w / max(math.cos(math.radians(lat)), 0.2)
    ring = box(lon, lat, half_w, half_h, skew)
    xs = [p[0] for p in ring]
    if max(xs) <= 180 and min(xs) >= -180:
        return {"type": "Polygon", "coordinates": [ring]}
    ys = [p[1] for p in ring]
    south, north = round(min(ys), 4), round(max(ys), 4)
    if max(xs) > 180:
        east_part = (min(xs), 180.0)
        west_part = (-180.0, round(max(xs) - 360, 4))
    else:
        east_part = (round(min(xs) + 360, 4), 180.0)
        west_part = (-180.0, max(xs))

    def rect(w: float, e: float) -> list:
        return [[[w, south], [e, south], [e, north], [w, north], [w, south]]]

    return {"type": "MultiPolygon", "coordinates": [rect(*east_part), rect(*west_part)]}


def mgrs(lon: float, lat: float) -> str:
    """A plausible MGRS tile id for a site: the real zone and band, letters fixed per site."""
    site_rng = random.Random(f"tile:{lon:.4f}:{lat:.4f}")  # one tile per site, every product
    zone = int((lon + 180) // 6) + 1
    band = "CDEFGHJKLMNPQRSTUVWX"[min(int((lat + 80) // 8), 19)]
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return f"{zone:02d}{band}{site_rng.choice(letters)}{site_rng.choice(letters[:20])}"


def common_times(rng: random.Random, start: datetime, duration: float) -> dict[str, Any]:
    """A record's dates in the real order: sensing ``start``-``end`` (``duration`` seconds),
    then ``origin`` 1-30 h later, publication minutes after, modification up to 30 days after,
    the checksum seconds after publication."""
    start = start.replace(microsecond=rng.randint(0, 999) * 1000)
    end = start + timedelta(seconds=duration)
    origin = end + timedelta(hours=rng.uniform(1, 30), microseconds=rng.randint(0, 999_999))
    publication = origin + timedelta(minutes=rng.uniform(5, 600), microseconds=rng.randint(0, 999))
    modification = publication + timedelta(minutes=rng.uniform(0, 60 * 24 * 30))
    return {
        "start": start,
        "end": end,
        "origin": origin,
        "publication": publication,
        "modification": modification,
        "checksum_date": publication + timedelta(seconds=rng.uniform(1, 30)),
    }


def new_entry(rng: random.Random, **kw: Any) -> Entry:
    """An online record (``Id`` set later) with a size about ``mean_mb`` and random checksums
    (what a record keeps unless its bytes are deliverable, see :mod:`.delivery`)."""
    size = int(rng.uniform(0.6, 1.4) * kw.pop("mean_mb") * 1_000_000)
    md5, b3 = hex_digits(rng, 32), hex_digits(rng, 64)
    return _entry_type()(
        id="",
        online=True,
        eviction=kw.pop("eviction", NEVER_EVICTED),
        content_length=size,
        md5=md5,
        blake3=b3,
        **kw,
    )


@functools.cache
def _entry_type() -> type[Entry]:
    """:class:`..catalogue.Entry`, imported when first needed: the catalogue imports this module."""
    from ..catalogue import Entry

    return Entry
