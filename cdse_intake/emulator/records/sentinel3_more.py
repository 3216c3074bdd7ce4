"""Sentinel-3 records of the product types and streams :mod:`.sentinel3` does not make: OLCI
ERR/LFR/LRR/WFR/WRR, SLSTR RBT/AOD/FRP/WST, SRAL level 1 and 2, Synergy AOD and vegetation
products, each in the streams CDSE's STAC lists (:mod:`..catalogue_list`). Metadata only.

Names as the real ones: ``S3<unit>_<type>_<start>_<stop>_<processing>_<duration>_<cycle>_
<relative orbit>_<frame>_<centre>_O_<timeliness>_<baseline>.SEN3`` (altimetry has no frame:
``____``); 385 orbits per 27-day cycle. Footprints: 3-minute frames for full-resolution OLCI and
SLSTR, half-orbit strips for reduced resolution, narrow ground tracks for SRAL, continental
tiles for the vegetation syntheses. Near-real-time products carry an eviction date 30 days after
publication (rolling archive); attributes from the SENTINEL-3 table (§1.7).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .attributes import typed
from .common import NEVER_EVICTED, common_times, fmt_time, footprint, new_entry, stamp
from .shapes import track

if TYPE_CHECKING:
    from ..catalogue import Entry
    from ..catalogue_list import CollectionRow

__all__ = ["s3_entry"]

_INSTRUMENT = {"OL": "OLCI", "SL": "SLSTR", "SR": "SRAL", "SY": "SYNERGY"}
#: Processing centre by stream (real names: ``MAR``, ``LN3``, ``PS1``/``PS2`` for NT).
_CENTRE = {"NR": "MAR", "ST": "LN3", "NT": "PS1"}


def _shape(product_type: str, lon: float, lat: float, k: int) -> tuple[dict[str, Any], float]:
    """Footprint and duration (s) of one product."""
    if product_type.startswith("SR_"):
        return track(lon, 78.0, 0.15, 24.0 if k % 2 else -24.0), 3000.0
    if product_type.startswith("SY_2_V"):  # 1- or 10-day syntheses over a continent-sized tile
        days = 10 if product_type.startswith("SY_2_V10") else 1
        return footprint(lon, max(-60.0, min(60.0, lat)), 15.0, 15.0), days * 86400.0 - 1
    if product_type.endswith("RR___") or product_type.startswith("SY_2_AOD"):
        return footprint(lon, 0.0, 7.0, 80.0, skew=6.0), 2640.0
    return footprint(lon, lat, 5.5, 5.0, skew=0.8), 180.0


def s3_entry(
    row: CollectionRow, rng: random.Random, when: datetime, lon: float, lat: float, k: int
) -> Entry:
    """One record of ``row``'s product type and stream near ``(lon, lat)``."""
    product_type, timeliness = row.product_types[0], str(row.stream)
    instrument = _INSTRUMENT[product_type[:2]]
    level = product_type[3]
    platform = "AB"[k % 2]
    shape, duration = _shape(product_type, lon, lat, k)
    times = common_times(rng, when, duration)
    abs_orbit = 35000 + int((when - datetime(2023, 1, 1, tzinfo=UTC)).days * 14.26) + k
    rel_orbit = 1 + abs_orbit % 385
    processed = times["origin"] - timedelta(minutes=20)
    frame = "____" if instrument == "SRAL" else f"{rng.randint(1, 6) * 900:04d}"
    baseline = {"NR": "004", "ST": "004", "NT": "005"}[timeliness]
    name = (
        f"S3{platform}_{product_type}_{stamp(times['start'])}_{stamp(times['end'])}_"
        f"{stamp(processed)}_{int(duration) % 10000:04d}_{90 + abs_orbit // 385:03d}_"
        f"{rel_orbit:03d}_{frame}_{_CENTRE[timeliness]}_O_{timeliness}_{baseline}.SEN3"
    )
    covers: dict[str, Any]
    if instrument == "SRAL":
        ocean = rng.randint(40, 90)
        covers = {
            "openOceanCover": ocean,
            "closedSeaCover": rng.randint(0, 100 - ocean),
            "continentalIceCover": rng.randint(0, 5),
            "landCover": round(rng.uniform(0, 100 - ocean), 6),
        }
    else:
        covers = {
            "cloudCover": round(rng.uniform(0, 100), 6),
            "landCover": round(rng.uniform(0, 100), 6),
        }
    attrs = typed(
        "SENTINEL-3",
        {
            "cycleNumber": 90 + abs_orbit // 385,
            "orbitNumber": abs_orbit,
            "timeliness": timeliness,
            **covers,
            "processorName": {"OL": "PUG", "SL": "SL2", "SR": "SR2", "SY": "SYN"}[product_type[:2]],
            "orbitDirection": ("ASCENDING", "DESCENDING")[k % 2],
            "processingDate": fmt_time(processed),
            "operationalMode": "EO",
            "processingLevel": level,
            "processingCenter": _CENTRE[timeliness],
            "processorVersion": "06.17",
            "platformShortName": "SENTINEL-3",
            "instrumentShortName": instrument,
            "relativeOrbitNumber": rel_orbit,
            "platformSerialIdentifier": platform,
            "productType": product_type,
            "beginningDateTime": fmt_time(times["start"]),
            "endingDateTime": fmt_time(times["end"]),
        },
    )
    eviction = (
        fmt_time(times["publication"] + timedelta(days=30)) if timeliness == "NR" else NEVER_EVICTED
    )
    return new_entry(
        rng,
        name=name,
        collection="SENTINEL-3",
        product_type=product_type,
        footprint=shape,
        attributes=attrs,
        s3_path=f"/eodata/Sentinel-3/{instrument}/{product_type}/{when:%Y/%m/%d}/{name}",
        mean_mb=600 if level == "1" else 120,
        eviction=eviction,
        extra={"lon": lon, "lat": lat},
        **times,
    )
