"""Sentinel-5P TROPOMI records: level-2 NO2 and CO, one per orbit and product type.

Follows the real catalogue: Sentinel-5P flies 14.2 orbits a day (101.4 minutes each; orbit
27000 began on 2023-01-01, as the real numbering has it within a few dozen), and each orbit
gives one file per level-2 product type, named
``S5P_<mode>_<type>_<start>_<stop>_<orbit>_03_020600_<processing>.nc`` (collection 03,
processor 02.06.00); mode OFFL (offline) for four orbits in five, else NRTI (near-real-time);
processed between the orbit's end and publication; the attributes in the order CDSE lists
them. The footprint is the orbit's sunlit half: a pole-to-pole strip ~2600 km wide, centred
where the orbit crosses the equator northwards at 13:30 local solar time (the mission's
ascending node), split at the antimeridian when it crosses it.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .common import box, common_times, fmt_time, new_entry, stamp

if TYPE_CHECKING:
    from ..catalogue import Entry

#: One orbit (14.2 a day), the first orbit of the catalogue's period, the product types.
ORBIT_SECONDS = 6084
FIRST_ORBIT = 27000
PRODUCT_TYPES = ("L2__NO2___", "L2__CO____")
#: Local solar time of the ascending node (13:30) in hours.
ASCENDING_NODE_HOURS = 13.5


def orbit_entries(seed: int, start: datetime, days: int) -> list[Entry]:
    """Every orbit flown in ``days`` days from ``start``, one record per product type."""
    out: list[Entry] = []
    for product_type in PRODUCT_TYPES:  # by type: the showcase takes the first NO2 ones
        for k in range(int(days * 86400 // ORBIT_SECONDS)):
            when = start + timedelta(seconds=k * ORBIT_SECONDS)
            rng = random.Random(f"{seed}:s5p:{product_type}:{k}")
            out.append(s5p_entry(product_type, rng, when, FIRST_ORBIT + k))
    return out


def equator_longitude(when: datetime) -> float:
    """Where the orbit starting at ``when`` crosses the equator northwards (a quarter orbit
    later, at 13:30 local solar time), in [-180, 180)."""
    crossing = when + timedelta(seconds=ORBIT_SECONDS / 4)
    hours = crossing.hour + crossing.minute / 60 + crossing.second / 3600
    return ((ASCENDING_NODE_HOURS - hours) * 15 + 180) % 360 - 180


def s5p_entry(product_type: str, rng: random.Random, when: datetime, orbit: int) -> Entry:
    """One ``product_type`` record of the orbit flown from ``when`` (101.4 minutes)."""
    times = common_times(rng, when, ORBIT_SECONDS)
    mode = "OFFL" if orbit % 5 else "NRTI"
    # Processed after the orbit ends and before publication (origin is ~1-30 h after the end).
    processed = times["end"] + (times["origin"] - times["end"]) / 2
    name = (
        f"S5P_{mode}_{product_type}_{stamp(times['start'])}_{stamp(times['end'])}_{orbit:05d}"
        f"_03_020600_{stamp(processed)}.nc"
    )
    strip_lon = round(equator_longitude(when), 4)
    attrs: list[tuple[str, str, Any]] = [
        ("orbitNumber", "Integer", orbit),
        ("processingDate", "DateTimeOffset", fmt_time(processed)),
        ("processingMode", "String", mode),
        ("processingLevel", "String", "L2"),
        ("processorVersion", "String", "02.06.00"),
        ("platformShortName", "String", "SENTINEL-5P"),
        ("instrumentShortName", "String", "TROPOMI"),
        ("platformSerialIdentifier", "String", "5P"),
        ("productType", "String", product_type),
        ("processingBaseline", "String", "020600"),
        ("baselineCollection", "String", "03"),
        ("beginningDateTime", "DateTimeOffset", fmt_time(times["start"])),
        ("endingDateTime", "DateTimeOffset", fmt_time(times["end"])),
    ]
    day = f"{when:%Y/%m/%d}"
    return new_entry(
        rng,
        name=name,
        collection="SENTINEL-5P",
        product_type=product_type,
        footprint=_strip(strip_lon),
        attributes=attrs,
        s3_path=f"/eodata/Sentinel-5P/TROPOMI/{product_type}/{day}/{name}",
        mean_mb=450 if "NO2" in product_type else 60,
        family="sentinel5p_l2",
        extra={"orbit": orbit, "lon": strip_lon},
        **times,
    )


def _strip(lon: float) -> dict:
    """Half an orbit (~2600 km wide, pole to pole), split at the antimeridian when it crosses."""
    ring = box(lon, 0.0, 12.0, 84.0, 6.0)
    xs = [x for x, _ in ring]
    if min(xs) >= -180 and max(xs) <= 180:
        return {"type": "Polygon", "coordinates": [ring]}
    import json

    import shapely
    import shapely.affinity

    poly = shapely.Polygon(ring)
    shift = -360 if max(xs) > 180 else 360
    inside = poly.intersection(shapely.box(-180, -90, 180, 90))
    outside = shapely.affinity.translate(
        poly.difference(shapely.box(-180, -90, 180, 90)), xoff=shift
    )
    parts = [inside, outside]
    polys = [g for p in parts for g in getattr(p, "geoms", [p]) if not g.is_empty]
    rounded = shapely.set_precision(shapely.MultiPolygon(polys), 1e-4)
    return json.loads(shapely.to_geojson(rounded))  # plain lists, like every other footprint
