"""Sentinel-5P TROPOMI records: level-2 NO2 and CO, one per half orbit.

Follows the real catalogue: names
``S5P_<mode>_<type>_<start>_<stop>_<orbit>_03_020600_<processing>.nc`` (collection 03, processor
02.06.00); mode OFFL (offline) for four products in five, else NRTI (near-real-time); processed
between the orbit's end and publication; the attributes in the order CDSE lists them; the
footprint a pole-to-pole strip ~2600 km wide, split at the antimeridian when it crosses it.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .common import box, common_times, fmt_time, new_entry, stamp

if TYPE_CHECKING:
    from ..catalogue import Entry


def s5p_entry(
    product_type: str,
    rng: random.Random,
    when: datetime,
    lon: float,
    lat: float,
    tile: str,
    site: int,
    k: int,
) -> Entry:
    """One ``product_type`` record: half of the orbit flown at ``when`` (~101 minutes)."""
    times = common_times(rng, when, 101 * 60)
    orbit = 27000 + int((when - datetime(2023, 1, 1, tzinfo=UTC)).total_seconds() // 6060)
    mode = "OFFL" if k % 5 else "NRTI"
    # Processed after the orbit ends and before publication (origin is ~1-30 h after the end).
    processed = times["end"] + (times["origin"] - times["end"]) / 2
    name = (
        f"S5P_{mode}_{product_type}_{stamp(times['start'])}_{stamp(times['end'])}_{orbit:05d}"
        f"_03_020600_{stamp(processed)}.nc"
    )
    # Half an orbit: a long strip from south to north, ~2600 km wide.
    strip_lon = ((orbit * 24.7 + site * 180) % 340) - 170
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


def no2_entry(*args: Any) -> Entry:
    return s5p_entry("L2__NO2___", *args)


def co_entry(*args: Any) -> Entry:
    return s5p_entry("L2__CO____", *args)
