"""Sentinel-2 MSI records: L1C and L2A tiles, products of the older baselines, EOPF Zarr.

Follows the real catalogue: names
``S2<unit>_MSI<level>_<sensing>_N<baseline>_R<relative orbit>_T<tile>_<processing>.SAFE``; the
attributes (:data:`S2_ATTRS`) in the order CDSE lists them; sensing at ~10:30 local solar time
(sun-synchronous, descending node); S2A/S2B flying before 2025, S2B/S2C from 2025; baseline 05.09
in 2023, 05.10 after; 143 relative orbits. The legacy records carry
baselines before 04.00 (no radiometric offset); the EOPF records are L2A in the new Zarr format
under ``L2A_EOPF/``.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .common import SITES, common_times, fmt_time, footprint, mgrs, new_entry, new_uuid, stamp

if TYPE_CHECKING:
    from ..catalogue import Entry

#: The attributes of a Sentinel-2 record, in the order the real service lists them.
S2_ATTRS = [
    "origin",
    "tileId",
    "cloudCover",
    "datastripId",
    "orbitNumber",
    "processingDate",
    "productGroupId",
    "operationalMode",
    "processingLevel",
    "processorVersion",
    "platformShortName",
    "instrumentShortName",
    "relativeOrbitNumber",
    "platformSerialIdentifier",
    "productType",
    "beginningDateTime",
    "endingDateTime",
    "processingBaseline",
    "processingCenter",
    "qualityStatus",
    "illuminationZenithAngle",
]


def s2_entry(
    level: str,
    rng: random.Random,
    when: datetime,
    lon: float,
    lat: float,
    tile: str,
    site: int,
    k: int,
) -> Entry:
    """One ``level`` (``"L1C"``/``"L2A"``) tile record sensed on ``when``'s day at ``tile``."""
    platform = "AB"[k % 2] if when.year < 2025 else "BC"[k % 2]
    # Sentinel-2 is sun-synchronous with a 10:30 descending node: local solar time ~10:30.
    utc_hours = (10.5 - lon / 15.0) % 24
    when = datetime(when.year, when.month, when.day, tzinfo=UTC) + timedelta(
        hours=utc_hours, seconds=rng.randint(0, 300)
    )
    rel_orbit = 1 + (site * 7 + k * 3) % 143
    abs_orbit = 30000 + int((when - datetime(2023, 1, 1, tzinfo=UTC)).days * 14.3) + site
    baseline = "05.09" if when.year == 2023 else "05.10"
    times = common_times(rng, when, 0)
    processed = times["origin"] - timedelta(minutes=30)
    product_type = "S2MSI1C" if level == "L1C" else "S2MSI2A"
    name = (
        f"S2{platform}_MSI{level}_{stamp(when)}_N{baseline.replace('.', '')}_R{rel_orbit:03d}"
        f"_T{tile}_{stamp(processed)}.SAFE"
    )
    cloud = round(min(100.0, max(0.0, rng.betavariate(0.6, 1.2) * 100)), 12)
    datastrip = (
        f"S2{platform}_OPER_MSI_{level}_DS_2BPS_{stamp(processed)}_S{stamp(when)}_N{baseline}"
    )
    values = {
        "origin": ("String", "ESA"),
        "tileId": ("String", tile),
        "cloudCover": ("Double", cloud),
        "datastripId": ("String", datastrip),
        "orbitNumber": ("Integer", abs_orbit),
        "processingDate": ("DateTimeOffset", fmt_time(processed)),
        "productGroupId": ("String", f"GS2{platform}_{stamp(when)}_{abs_orbit:06d}_N{baseline}"),
        "operationalMode": ("String", "INS-NOBS"),
        "processingLevel": ("String", product_type),
        "processorVersion": ("String", baseline),
        "platformShortName": ("String", "SENTINEL-2"),
        "instrumentShortName": ("String", "MSI"),
        "relativeOrbitNumber": ("Integer", rel_orbit),
        "platformSerialIdentifier": ("String", platform),
        "productType": ("String", product_type),
        "beginningDateTime": ("DateTimeOffset", fmt_time(times["start"])),
        "endingDateTime": ("DateTimeOffset", fmt_time(times["end"])),
        "processingBaseline": ("String", baseline),
        "processingCenter": ("String", "ESA"),
        "qualityStatus": ("String", "NOMINAL"),
        "illuminationZenithAngle": ("Double", round(abs(lat) * 0.6 + rng.uniform(15, 25), 6)),
    }
    attrs = [(n, *values[n]) for n in S2_ATTRS]
    day = f"{when:%Y/%m/%d}"
    return new_entry(
        rng,
        name=name,
        collection="SENTINEL-2",
        product_type=product_type,
        footprint=footprint(lon, lat, 0.55, 0.45),
        attributes=attrs,
        s3_path=f"/eodata/Sentinel-2/MSI/{level}/{day}/{name}",
        mean_mb=800 if level == "L1C" else 1000,
        family=f"sentinel2_{level.lower()}",
        extra={"tile": tile, "lon": lon, "lat": lat, "baseline": baseline},
        **times,
    )


def l1c_entry(*args: Any) -> Entry:
    return s2_entry("L1C", *args)


def l2a_entry(*args: Any) -> Entry:
    return s2_entry("L2A", *args)


def eopf_entries(rng: random.Random, start: datetime) -> list[Entry]:
    """A few products in the new EOPF Zarr format (Sentinel-2 L2A)."""
    out = []
    for k, (lon, lat) in enumerate(SITES[:3]):
        when = start + timedelta(days=400 + k)
        entry = s2_entry("L2A", rng, when, lon, lat, mgrs(lon, lat), k, k)
        entry.name = entry.name.replace(".SAFE", ".zarr")
        entry.s3_path = entry.s3_path.replace(".SAFE", ".zarr").replace("/L2A/", "/L2A_EOPF/")
        entry.family = "eopf_zarr"
        entry.id = new_uuid(rng)
        entry.quicklook_id = None
        out.append(entry)
    return out


def legacy_entries(rng: random.Random) -> list[Entry]:
    """Sentinel-2 products of processing baselines before 04.00 (no radiometric offset), in the
    showcase."""
    out = []
    for level, baseline in (("L1C", "03.01"), ("L2A", "03.00")):
        lon, lat = SITES[0]
        when = datetime(2021, 6, 12, 10, 56, tzinfo=UTC)
        entry = s2_entry(level, rng, when, lon, lat, mgrs(lon, lat), 0, 0)
        old = f"N{baseline.replace('.', '')}"
        entry.name = entry.name.replace(f"N{entry.extra['baseline'].replace('.', '')}", old)
        entry.s3_path = entry.s3_path.rsplit("/", 1)[0] + "/" + entry.name
        entry.extra["baseline"] = baseline
        entry.attributes = [
            (n, t, baseline if n in ("processingBaseline", "processorVersion") else v)
            for n, t, v in entry.attributes
        ]
        entry.id = new_uuid(rng)
        entry.quicklook_id = new_uuid(rng)
        entry.extra["showcase"] = True
        out.append(entry)
    return out
