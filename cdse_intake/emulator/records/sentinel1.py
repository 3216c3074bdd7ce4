"""Sentinel-1 SAR records: IW GRD and SLC scenes, and the orbit files (AUX_POEORB, AUX_RESORB).

Follows the real catalogue: names
``S1<unit>_IW_GRDH_1SDV_<start>_<stop>_<orbit>_<datatake>_<id>.SAFE`` (``IW_SLC__1SDV`` for SLC);
the attributes in the order CDSE lists them; only the units flying that day (:data:`S1_UNITS`:
S1B failed on 2021-12-23, S1C flies from 2024-12-05); 175 orbits every 12 days, relative orbit
``(abs - 73) % 175 + 1``. Orbit files have no footprint, a ``ContentDate`` of their validity
window and the names, windows and creation times of the real files (:mod:`..products.orbits`):
one POEORB a day, one RESORB per orbit for the last :data:`RESORB_DAYS` days.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .common import common_times, fmt_time, footprint, hex_digits, new_entry, stamp

if TYPE_CHECKING:
    from ..catalogue import Entry

#: Sentinel-1 units and the days they fly (S1B failed on 2021-12-23; S1C flies from 2024-12-05).
S1_UNITS = {
    "A": (datetime(2014, 4, 3, tzinfo=UTC), None),
    "B": (datetime(2016, 4, 25, tzinfo=UTC), datetime(2021, 12, 23, tzinfo=UTC)),
    "C": (datetime(2024, 12, 5, tzinfo=UTC), None),
}
#: A reference day and the absolute orbit of each unit then (orbits count on at 175 / 12 days).
S1_ORBIT_EPOCH = {
    "A": (datetime(2023, 1, 1, tzinfo=UTC), 46_531),
    "B": (datetime(2021, 1, 1, tzinfo=UTC), 24_968),
    "C": (datetime(2024, 12, 5, tzinfo=UTC), 1),
}
#: RESORB records are listed for the catalogue's last this many days (one per orbit, ~15 a day
#: per unit); POEORB for every day.
RESORB_DAYS = 90


def _attrs(
    rng: random.Random,
    times: dict[str, Any],
    product_type: str,
    platform: str,
    abs_orbit: int,
    rel_orbit: int,
    direction: str,
    datatake: int,
    processed: datetime,
) -> list[tuple[str, str, Any]]:
    """An IW scene's attributes, in the order the real service lists them."""
    return [
        ("origin", "String", "ESA"),
        ("datatakeID", "Integer", datatake),
        ("timeliness", "String", "Fast-24h"),
        ("cycleNumber", "Integer", 1 + abs_orbit // 175),
        ("orbitNumber", "Integer", abs_orbit),
        ("sliceNumber", "Integer", 1 + rng.randint(0, 20)),
        ("totalSlices", "Integer", 21),
        ("productClass", "String", "S"),
        ("processorName", "String", "Sentinel-1 IPF"),
        ("orbitDirection", "String", direction),
        ("processingDate", "DateTimeOffset", fmt_time(processed)),
        ("operationalMode", "String", "IW"),
        ("processingLevel", "String", "LEVEL1"),
        ("swathIdentifier", "String", "IW1 IW2 IW3"),
        ("processingCenter", "String", "Production Service-SERCO"),
        ("processorVersion", "String", "003.71"),
        ("platformShortName", "String", "SENTINEL-1"),
        ("instrumentShortName", "String", "SAR"),
        ("relativeOrbitNumber", "Integer", rel_orbit),
        ("polarisationChannels", "String", "VV&VH"),
        ("platformSerialIdentifier", "String", platform),
        ("productType", "String", product_type),
        ("beginningDateTime", "DateTimeOffset", fmt_time(times["start"])),
        ("endingDateTime", "DateTimeOffset", fmt_time(times["end"])),
        ("sliceProductFlag", "Boolean", False),
        ("startTimeFromAscendingNode", "Double", round(rng.uniform(0, 6_000_000), 1)),
        ("completionTimeFromAscendingNode", "Double", round(rng.uniform(0, 6_000_000), 1)),
    ]


def s1_entry(
    kind: str,
    rng: random.Random,
    when: datetime,
    lon: float,
    lat: float,
    tile: str,
    site: int,
    k: int,
) -> Entry:
    """One IW scene record, ``kind`` ``"GRD"`` or ``"SLC"``, centred on ``(lon, lat)``."""
    # Only the units flying that day (S1_UNITS): S1A throughout, S1C from its launch on.
    platform = "C" if k % 3 == 0 and when >= S1_UNITS["C"][0] else "A"
    product_type = {"GRD": "IW_GRDH_1S", "SLC": "IW_SLC__1S"}[kind]
    duration = 25 if kind == "GRD" else 27
    times = common_times(rng, when, duration)
    # 175 orbits every 12 days; S1A was at orbit ~46,530 on 2023-01-01, S1C starts from 1.
    first_day, first_orbit = S1_ORBIT_EPOCH[platform]
    abs_orbit = first_orbit + int((when - first_day).total_seconds() / 86400 * 175 / 12)
    rel_orbit = 1 + (abs_orbit - 73) % 175
    datatake = rng.randint(0x40000, 0xFFFFF)
    direction = "ASCENDING" if k % 2 else "DESCENDING"
    processed = times["origin"] - timedelta(minutes=45)
    name = (
        f"S1{platform}_IW_{'GRDH' if kind == 'GRD' else 'SLC_'}_1SDV_{stamp(times['start'])}_"
        f"{stamp(times['end'])}_{abs_orbit:06d}_{datatake:06X}_{hex_digits(rng, 4).upper()}.SAFE"
    )
    attrs = _attrs(
        rng, times, product_type, platform, abs_orbit, rel_orbit, direction, datatake, processed
    )
    day = f"{when:%Y/%m/%d}"
    return new_entry(
        rng,
        name=name,
        collection="SENTINEL-1",
        product_type=product_type,
        footprint=footprint(lon, lat, 1.2, 0.9, skew=0.25 if direction == "ASCENDING" else -0.25),
        attributes=attrs,
        s3_path=f"/eodata/Sentinel-1/SAR/{product_type}/{day}/{name}",
        mean_mb=1700 if kind == "GRD" else 4200,
        family="sentinel1_grd" if kind == "GRD" else "sentinel1_slc",
        extra={"lon": lon, "lat": lat, "orbit": abs_orbit, "direction": direction},
        **times,
    )


def grd_entry(*args: Any) -> Entry:
    return s1_entry("GRD", *args)


def slc_entry(*args: Any) -> Entry:
    return s1_entry("SLC", *args)


def orbit_entries(seed: int, start: datetime, days: int) -> list[Entry]:
    """Orbit files of every flying Sentinel-1 unit: one POEORB per day, RESORBs per orbit.

    Names, validity windows and creation times follow the real files (``products.orbits``).
    """
    from ..products.orbits import orbit_windows

    out: list[Entry] = []
    for k in range(days):
        day = start + timedelta(days=k)
        kinds = ("POEORB", "RESORB") if k >= days - RESORB_DAYS else ("POEORB",)
        for unit, (first, last) in S1_UNITS.items():
            if day < first or (last is not None and day > last):
                continue
            for window in orbit_windows(unit, day.date(), kinds):
                if window.created > datetime(2026, 12, 31, tzinfo=UTC):
                    continue
                rng = random.Random(f"{seed}:{window.name}")
                out.append(_orbit_entry(rng, window))
    return out


def _orbit_entry(rng: random.Random, window: Any) -> Entry:
    """One orbit file's record: no footprint (``Footprint: null``), ``ContentDate`` the validity
    window to the second, the attributes real AUX records carry."""
    published = window.created + timedelta(minutes=1, seconds=rng.uniform(20, 60))
    attrs = [
        ("origin", "String", "ESA"),
        ("platformShortName", "String", "SENTINEL-1"),
        ("instrumentShortName", "String", "SAR"),
        ("platformSerialIdentifier", "String", window.unit),
        ("productType", "String", window.product_type),
        ("beginningDateTime", "DateTimeOffset", fmt_time(window.start)),
        ("endingDateTime", "DateTimeOffset", fmt_time(window.stop)),
    ]
    return new_entry(
        rng,
        name=window.name,
        collection="SENTINEL-1",
        product_type=window.product_type,
        footprint=None,
        attributes=attrs,
        s3_path=window.s3_path,
        mean_mb=4.4 if window.kind == "POEORB" else 0.59,
        start=window.start,
        end=window.stop,
        origin=window.created + timedelta(minutes=1),
        publication=published,
        modification=published,
        checksum_date=published + timedelta(seconds=rng.uniform(1, 30)),
        family="sentinel1_orbit",
    )
