"""Sentinel-3 records: OLCI EFR (level 1), SLSTR LST and Synergy SYN (level 2).

Follows the real catalogue: names
``S3<unit>_<type>_<start>_<stop>_<processing>_<duration>_…_<centre>_O_<timeliness>_<baseline>.SEN3``
(relative orbit and frame in the ``…``); the attributes in the order CDSE lists them; 385 orbits per
27-day cycle; timeliness NT (non-time-critical) for three products in four, else NR
(near-real-time), or ST (short-time-critical) for Synergy, which has no near-real-time products
on CDSE; near-real-time products live in a rolling archive and carry an eviction date 30 days
after publication.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .common import NEVER_EVICTED, common_times, fmt_time, footprint, new_entry, stamp

if TYPE_CHECKING:
    from ..catalogue import Entry

#: The writer of each Sentinel-3 product type (``products.BUILDERS`` keys).
S3_FAMILIES = {
    "OL_1_EFR___": "sentinel3_olci_efr",
    "SL_2_LST___": "sentinel3_slstr_lst",
    "SY_2_SYN___": "sentinel3_syn",
}


def s3_entry(
    product_type: str,
    instrument: str,
    level: str,
    rng: random.Random,
    when: datetime,
    lon: float,
    lat: float,
    tile: str,
    site: int,
    k: int,
) -> Entry:
    """One ``product_type`` record, a 3-minute frame centred on ``(lon, lat)``."""
    platform = "AB"[k % 2]
    times = common_times(rng, when, 180)
    abs_orbit = 35000 + int((when - datetime(2023, 1, 1, tzinfo=UTC)).days * 14.26) + site
    rel_orbit = 1 + abs_orbit % 385
    # Synergy has no near-real-time products on CDSE: non-time-critical or short-time-critical.
    if product_type.startswith("SY_"):
        timeliness = "NT" if k % 4 else "ST"
    else:
        timeliness = "NT" if k % 4 else "NR"
    processed = times["origin"] - timedelta(minutes=20)
    direction = (
        "DESCENDING" if product_type.startswith("OL") else ("ASCENDING", "DESCENDING")[k % 2]
    )
    centre = "LN1" if level == "1" else "LN2"
    name = (
        f"S3{platform}_{product_type}_{stamp(times['start'])}_{stamp(times['end'])}_"
        f"{stamp(processed)}_0179_{rel_orbit % 100:03d}_{rel_orbit:03d}_"
        f"{rng.randint(1, 6) * 900:04d}"
        f"_{centre}_O_{timeliness}_{'002' if level == '1' else '004'}.SEN3"
    )
    attrs: list[tuple[str, str, Any]] = [
        ("origin", "String", "ESA"),
        ("cycleNumber", "Integer", 90 + abs_orbit // 385),
        ("orbitNumber", "Integer", abs_orbit),
        ("timeliness", "String", timeliness),
        ("cloudCover", "Double", round(rng.uniform(0, 100), 6)),
        ("landCover", "Double", round(rng.uniform(0, 100), 6)),
        ("processorName", "String", "PUG" if instrument == "OLCI" else "SL2"),
        ("orbitDirection", "String", direction),
        ("processingDate", "DateTimeOffset", fmt_time(processed)),
        ("operationalMode", "String", "EO"),
        ("processingLevel", "String", level),
        ("processingCenter", "String", centre),
        ("processorVersion", "String", "06.17"),
        ("platformShortName", "String", "SENTINEL-3"),
        ("instrumentShortName", "String", instrument),
        ("relativeOrbitNumber", "Integer", rel_orbit),
        ("platformSerialIdentifier", "String", platform),
        ("productType", "String", product_type),
        ("beginningDateTime", "DateTimeOffset", fmt_time(times["start"])),
        ("endingDateTime", "DateTimeOffset", fmt_time(times["end"])),
    ]
    day = f"{when:%Y/%m/%d}"
    # Near-real-time products live in a rolling archive and carry a real eviction date.
    eviction = (
        fmt_time(times["publication"] + timedelta(days=30)) if timeliness == "NR" else NEVER_EVICTED
    )
    return new_entry(
        rng,
        name=name,
        collection="SENTINEL-3",
        product_type=product_type,
        footprint=footprint(lon, lat, 5.5, 5.0, skew=0.8),
        attributes=attrs,
        s3_path=f"/eodata/Sentinel-3/{instrument}/{product_type}/{day}/{name}",
        mean_mb=600 if level == "1" else 80,
        eviction=eviction,
        family=S3_FAMILIES.get(product_type),
        extra={"lon": lon, "lat": lat},
        **times,
    )


def efr_entry(*args: Any) -> Entry:
    return s3_entry("OL_1_EFR___", "OLCI", "1", *args)


def lst_entry(*args: Any) -> Entry:
    return s3_entry("SL_2_LST___", "SLSTR", "2", *args)


def syn_entry(*args: Any) -> Entry:
    return s3_entry("SY_2_SYN___", "SYNERGY", "2", *args)
