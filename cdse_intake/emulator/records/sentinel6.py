"""Sentinel-6 Michael Freilich records: Poseidon-4 altimetry (``P4_1B_LR_____``,
``P4_2__LR_____``) and AMR-C radiometry (``MW_2__AMR____``), in near-real-time, short- and
non-time-critical streams. Metadata only.

Follows the real catalogue (eometadatatool's ``sentinel-6`` examples and CDSE's Sentinel-6 data
page): names ``S6A_<type>_<start>_<stop>_<creation>_<duration>_<cycle>_<pass>_<orbit>_EUM__OPE_
<timeliness>_F09.SEN6``, S3Path ``/eodata/Sentinel-6/<P4|AMR-C>/<type>/<date>/``; 10-minute
granules in near real time, whole passes (~56 minutes) otherwise; 254 passes per 9.9-day repeat
cycle on a 66° orbit, so the footprint is a narrow ground track between ±66°. Near-real-time
and short-time-critical products stay one month (a rolling archive: an eviction date).
Attributes from the SENTINEL-6 table (§1.7).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .attributes import typed
from .common import NEVER_EVICTED, common_times, fmt_time, new_entry, stamp
from .shapes import track

if TYPE_CHECKING:
    from ..catalogue import Entry
    from ..catalogue_list import CollectionRow

__all__ = ["s6_entry"]

#: First day of cycle 1 and the repeat cycle (254 passes in 9.9156 days).
CYCLE_EPOCH = datetime(2020, 12, 1, tzinfo=UTC)
CYCLE_DAYS = 9.9156


def s6_entry(
    row: CollectionRow, rng: random.Random, when: datetime, lon: float, lat: float, k: int
) -> Entry:
    """One granule or pass of ``row``'s product and stream flown at ``when``."""
    product_type, timeliness = row.product_types[0], str(row.stream)
    amr = product_type.startswith("MW")
    duration = 600 if timeliness == "NR" else rng.uniform(3340, 3400)
    times = common_times(rng, when, duration)
    elapsed = (when - CYCLE_EPOCH).total_seconds() / 86400
    cycle = 1 + int(elapsed // CYCLE_DAYS)
    pass_number = 1 + int((elapsed % CYCLE_DAYS) / CYCLE_DAYS * 254)
    created = times["origin"] - timedelta(minutes=30)
    name = (
        f"S6A_{product_type}_{stamp(times['start'])}_{stamp(times['end'])}_{stamp(created)}_"
        f"{int(duration):04d}_{cycle:03d}_{pass_number:03d}_{(pass_number + 1) // 2:03d}_"
        f"EUM__OPE_{timeliness}_F09.SEN6"
    )
    span = 12.0 if timeliness == "NR" else 66.0  # a granule, or a whole pass
    shape = track(lon, span, 0.1, (1 if pass_number % 2 else -1) * span * 1.2)
    attrs = typed(
        "SENTINEL-6",
        {
            "authority": "EUMETSAT",
            "instrumentShortName": "AMR-C" if amr else "POSEIDON-4",
            "operationalMode": "LR",
            "orbitNumber": cycle * 127 + (pass_number + 1) // 2,
            "origin": "EUMETSAT",
            "platformSerialIdentifier": "A",
            "platformShortName": "SENTINEL-6",
            "processingBaseline": "F09",
            "processingCenter": "EUM",
            "processingDate": fmt_time(created),
            "processingLevel": "1B" if "_1B_" in product_type else "2",
            "processorVersion": "5.1",
            "productType": product_type,
            "relativeOrbitNumber": pass_number,
            "source": "OPE",
            "spatialResolution": 25000 if amr else 20000,
            "timeliness": timeliness,
            "beginningDateTime": fmt_time(times["start"]),
            "endingDateTime": fmt_time(times["end"]),
        },
    )
    rolling = timeliness in ("NR", "ST")
    eviction = fmt_time(times["publication"] + timedelta(days=30)) if rolling else NEVER_EVICTED
    folder = "AMR-C" if amr else "P4"
    return new_entry(
        rng,
        name=name,
        collection="SENTINEL-6",
        product_type=product_type,
        footprint=shape,
        attributes=attrs,
        s3_path=f"/eodata/Sentinel-6/{folder}/{product_type}/{when:%Y/%m/%d}/{name}",
        mean_mb=(6 if amr else 60) * (1 if timeliness == "NR" else 5),
        eviction=eviction,
        extra={"lon": lon, "pass": pass_number, "cycle": cycle},
        **times,
    )
