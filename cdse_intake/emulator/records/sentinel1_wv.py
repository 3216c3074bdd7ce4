"""Sentinel-1 Wave Mode records: ``WV_SLC__1S`` (STAC ``sentinel-1-slc-wv``), metadata only.

Follows the real catalogue (eometadatatool's ``sentinel-1-slc-wv`` examples): names
``S1<unit>_WV_SLC__1SSV_<start>_<stop>_<orbit>_<datatake>_<id>.SAFE``, single polarisation (VV,
or HH), vignettes along ~7 minutes of orbit over the ocean (the footprint: a long narrow strip),
the attributes of the other Sentinel-1 scenes (:func:`.sentinel1._attrs`) with the wave mode's
swaths, polarisation and product type. Only the units flying that day.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .common import common_times, footprint, hex_digits, new_entry, stamp
from .sentinel1 import S1_ORBIT_EPOCH, S1_UNITS, _attrs

if TYPE_CHECKING:
    from ..catalogue import Entry
    from ..catalogue_list import CollectionRow

__all__ = ["wv_entry"]


def wv_entry(
    row: CollectionRow, rng: random.Random, when: datetime, lon: float, lat: float, k: int
) -> Entry:
    """One wave-mode acquisition near ``(lon, lat)``."""
    platform = "C" if k % 3 == 0 and when >= S1_UNITS["C"][0] else "A"
    times = common_times(rng, when, rng.uniform(380, 460))
    first_day, first_orbit = S1_ORBIT_EPOCH[platform]
    abs_orbit = first_orbit + int((when - first_day).total_seconds() / 86400 * 175 / 12)
    rel_orbit = 1 + (abs_orbit - 73) % 175
    datatake = rng.randint(0x40000, 0xFFFFF)
    direction = "ASCENDING" if k % 2 else "DESCENDING"
    pol = "HH" if k % 7 == 0 else "VV"
    name = (
        f"S1{platform}_WV_SLC__1SS{pol[0]}_{stamp(times['start'])}_{stamp(times['end'])}_"
        f"{abs_orbit:06d}_{datatake:06X}_{hex_digits(rng, 4).upper()}.SAFE"
    )
    processed = times["origin"] - timedelta(minutes=40)
    values = {"operationalMode": "WV", "swathIdentifier": "WV1 WV2", "polarisationChannels": pol}
    attrs = [
        (n, t, values.get(n, v))
        for n, t, v in _attrs(
            rng, times, "WV_SLC__1S", platform, abs_orbit, rel_orbit, direction, datatake, processed
        )
    ]
    # A strip ~20 km wide and ~2,500 km long: the vignettes over the ocean, every 100 km.
    strip = footprint(lon, max(-70.0, min(70.0, lat)), 0.1, 11.0, skew=1.5)
    return new_entry(
        rng,
        name=name,
        collection="SENTINEL-1",
        product_type="WV_SLC__1S",
        footprint=strip,
        attributes=attrs,
        s3_path=f"/eodata/Sentinel-1/SAR/WV_SLC__1S/{when:%Y/%m/%d}/{name}",
        mean_mb=360,
        extra={"lon": lon, "lat": lat, "orbit": abs_orbit, "direction": direction},
        **times,
    )
