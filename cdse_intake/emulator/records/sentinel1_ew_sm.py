"""Sentinel-1 Extra-Wide swath (EW) and StripMap (SM) records: ``EW_GRDM_1S``, ``EW_SLC__1S``,
``S<n>_GRDH_1S`` and ``S<n>_SLC__1S`` (STAC ``sentinel-1-grd`` and ``sentinel-1-slc``).

Follows the real catalogue: names ``S1A_EW_GRDM_1SDH_<start>_<stop>_<orbit>_<datatake>_<id>.SAFE``
(``S1A_S3_GRDH_1SDV_...`` for a stripmap beam), the attributes of the IW scenes
(:func:`.sentinel1._attrs`) with the mode's ``operationalMode``, ``swathIdentifier``,
``polarisationChannels`` and ``timeliness``; absolute and relative orbits as the IW records
compute them; only the units flying that day (:data:`.sentinel1.S1_UNITS`).

EW (~400 km swath, HH+HV) is acquired mostly over polar seas and sea ice, for the ice services
(near real time: ``NRT-3h``, published within hours): :data:`EW_PER_DAY` GRDM scenes a day of
~60 s over :data:`EW_SITES`, an SLC every :data:`EW_SLC_EVERY` days. StripMap (~80 km swath,
beams S1..S6, 10 m) is rare, over small islands and emergencies (:data:`SM_SITES`): a GRD
every :data:`SM_GRD_EVERY` days, an SLC every :data:`SM_SLC_EVERY`.

Each day draws from its own generator (seeded by the seed and the day) and the records' ids from
one of their own, after every other record's: adding these records shifts no other record.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .common import common_times, footprint, hex_digits, new_entry, new_uuid, stamp
from .sentinel1 import S1_ORBIT_EPOCH, S1_UNITS, _attrs

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["EW_SITES", "MODES", "SM_SITES", "ew_sm_entries", "flying_units"]

#: Polar seas and sea-ice areas EW covers (lon, lat): Svalbard, the Greenland, Barents, Beaufort,
#: Baffin and Kara seas, Hudson Bay, the Gulf of Bothnia, the Sea of Okhotsk; the Weddell and
#: Ross seas and Prydz Bay.
EW_SITES = [
    (15.6, 78.0),
    (-10.0, 74.0),
    (40.0, 75.0),
    (-140.0, 72.5),
    (-65.0, 72.0),
    (70.0, 74.0),
    (-85.0, 60.0),
    (21.0, 63.5),
    (145.0, 55.0),
    (-45.0, -70.0),
    (-175.0, -76.0),
    (75.0, -67.0),
]
#: Small islands and emergencies StripMap covers: the Azores, La Palma, Réunion, Hunga Tonga,
#: the Galápagos, Easter Island, Tristan da Cunha, Jan Mayen.
SM_SITES = [
    (-25.7, 37.8),
    (-17.9, 28.7),
    (55.5, -21.1),
    (-175.4, -20.5),
    (-90.4, -0.7),
    (-109.35, -27.1),
    (-12.3, -37.1),
    (-8.5, 71.0),
]

#: EW GRDM scenes a day (at scale 1), and one EW SLC every this many days.
EW_PER_DAY = 2
EW_SLC_EVERY = 3
#: One stripmap GRD, and one stripmap SLC, every this many days.
SM_GRD_EVERY = 8
SM_SLC_EVERY = 16


#: Per kind of scene: (mode field, resolution and kind field, swaths, swath half-width at the
#: equator and half-length (degrees), duration (s), mean size (MB)).
MODES: dict[str, tuple[str, str, str, float, float, float, float]] = {
    "EW GRD": ("EW", "GRDM", "EW1 EW2 EW3 EW4 EW5", 1.8, 1.8, 60.0, 220),
    "EW SLC": ("EW", "SLC_", "EW1 EW2 EW3 EW4 EW5", 1.8, 1.8, 60.0, 3400),
    "SM GRD": ("S{beam}", "GRDH", "S{beam}", 0.36, 0.8, 25.0, 380),
    "SM SLC": ("S{beam}", "SLC_", "S{beam}", 0.36, 0.8, 25.0, 1400),
}


def flying_units(when: datetime) -> list[str]:
    """The Sentinel-1 units flying at ``when`` (S1B until 2021-12-23, S1C from 2024-12-05)."""
    return [
        unit
        for unit, (first, last) in S1_UNITS.items()
        if first <= when and (last is None or when <= last)
    ]


def ew_sm_entries(seed: int, start: datetime, days: int) -> list[Entry]:
    """The EW and SM records of ``days`` days from ``start``, ids set (see the module doc)."""
    entries: list[Entry] = []
    for day in range(days):
        rng = random.Random(f"{seed}:s1_ew_sm:{day}")
        midnight = start + timedelta(days=day)
        plan = ["EW GRD"] * EW_PER_DAY
        if day % EW_SLC_EVERY == 0:
            plan.append("EW SLC")
        if day % SM_GRD_EVERY == 3:
            plan.append("SM GRD")
        if day % SM_SLC_EVERY == 7:
            plan.append("SM SLC")
        for k, kind in enumerate(plan):
            when = midnight + timedelta(seconds=rng.uniform(0, 86_000))
            entries.append(_entry(rng, kind, when, day * 8 + k))
    ids = random.Random(f"{seed}:s1_ew_sm")
    for entry in entries:
        entry.id = new_uuid(ids)
        entry.quicklook_id = new_uuid(ids)
    return entries


def _entry(rng: random.Random, kind: str, when: datetime, k: int) -> Entry:
    """One EW or SM acquisition of ``kind`` (a :data:`MODES` key; ``SM``: a beam is drawn)."""
    mode_field, type_field, swaths, half_w, half_h, duration, mean_mb = MODES[kind]
    ew = mode_field == "EW"
    beam = str(rng.randint(1, 6))
    mode_field, swaths = mode_field.format(beam=beam), swaths.format(beam=beam)
    lon, lat = rng.choice(EW_SITES if ew else SM_SITES)
    units = flying_units(when)
    platform = units[k % len(units)]
    pols = "DH" if ew else rng.choice(("DV", "DV", "DV", "SH"))
    channels = {"DH": "HH&HV", "DV": "VV&VH", "SH": "HH"}[pols]
    times = common_times(rng, when, duration + rng.uniform(-2.0, 2.0))
    timeliness = "NRT-3h" if ew else "Fast-24h"
    if ew:  # the ice services' near-real-time products: processed within three hours
        times = _near_real_time(rng, times)
    first_day, first_orbit = S1_ORBIT_EPOCH[platform]
    abs_orbit = first_orbit + int((when - first_day).total_seconds() / 86400 * 175 / 12)
    rel_orbit = 1 + (abs_orbit - 73) % 175
    datatake = rng.randint(0x40000, 0xFFFFF)
    direction = "ASCENDING" if rng.random() < 0.5 else "DESCENDING"
    product_type = f"{mode_field}_{type_field}_1S"
    name = (
        f"S1{platform}_{mode_field}_{type_field}_1S{pols}_{stamp(times['start'])}_"
        f"{stamp(times['end'])}_{abs_orbit:06d}_{datatake:06X}_{hex_digits(rng, 4).upper()}.SAFE"
    )
    processed = times["origin"] - timedelta(minutes=20 if ew else 45)
    values: dict[str, Any] = {
        "timeliness": timeliness,
        "operationalMode": "EW" if ew else "SM",
        "swathIdentifier": swaths,
        "polarisationChannels": channels,
    }
    attrs = [
        (n, t, values.get(n, v))
        for n, t, v in _attrs(
            rng, times, product_type, platform, abs_orbit, rel_orbit, direction, datatake, processed
        )
    ]
    skew = half_w * 0.2 * (1 if direction == "ASCENDING" else -1)
    slc = type_field.startswith("SLC")
    return new_entry(
        rng,
        name=name,
        collection="SENTINEL-1",
        product_type=product_type,
        footprint=footprint(lon, lat, half_w, half_h, skew=skew),
        attributes=attrs,
        s3_path=f"/eodata/Sentinel-1/SAR/{product_type}/{when:%Y/%m/%d}/{name}",
        mean_mb=mean_mb,
        family="sentinel1_slc" if slc else "sentinel1_grd",
        extra={"lon": lon, "lat": lat, "orbit": abs_orbit, "direction": direction},
        **times,
    )


def _near_real_time(rng: random.Random, times: dict[str, Any]) -> dict[str, Any]:
    """``times`` with the product made 40-170 minutes after sensing and published minutes
    later (``NRT-3h``)."""
    origin = times["end"] + timedelta(minutes=rng.uniform(40, 170))
    publication = origin + timedelta(minutes=rng.uniform(2, 10))
    return times | {
        "origin": origin,
        "publication": publication,
        "modification": publication + timedelta(minutes=rng.uniform(0, 60 * 24 * 30)),
        "checksum_date": publication + timedelta(seconds=rng.uniform(1, 30)),
    }
