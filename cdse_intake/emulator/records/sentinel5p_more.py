"""Sentinel-5P records of the product types and modes :mod:`.sentinel5p` does not make: every
level-1B radiance band and level-2 product of CDSE's STAC collections, in their modes
(NRTI, OFFL, RPRO). Reprocessed NO2 and CO are written by the same writer as the other NO2 and
CO products (deliverable); the rest are metadata only.

Orbits, names and footprints as :mod:`.sentinel5p` makes them (one file per orbit and type,
``S5P_<mode>_<type>_<start>_<stop>_<orbit>_<collection>_<processor>_<processing>.nc``, the
orbit's sunlit half); reprocessed products are of the orbits just before the catalogue's
period, carry the reprocessing's processor (02.04.00) and were processed long after sensing.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .attributes import typed
from .common import common_times, fmt_time, new_entry, stamp
from .sentinel5p import FIRST_ORBIT, ORBIT_SECONDS, _strip, equator_longitude

if TYPE_CHECKING:
    from ..catalogue import Entry
    from ..catalogue_list import CollectionRow

__all__ = ["s5p_entry"]

#: When orbit :data:`.sentinel5p.FIRST_ORBIT` began (the catalogue's start).
ORBITS_FROM = datetime(2023, 1, 1, tzinfo=UTC)
#: Product types the Sentinel-5P writer builds (``products.sentinel5p.WRITERS``).
WRITTEN = ("L2__NO2___", "L2__CO____")


def s5p_entry(
    row: CollectionRow, rng: random.Random, when: datetime, lon: float, lat: float, k: int
) -> Entry:
    """One half-orbit record of ``row``'s product type and mode flown at ``when``."""
    product_type, mode = row.product_types[0], str(row.stream)
    # The orbit flown at ``when``, numbered and timed as :mod:`.sentinel5p` numbers its own;
    # reprocessed products are of the orbits just before the ones it makes (the reprocessing
    # campaign covers the past), one after another.
    number = int((when - ORBITS_FROM).total_seconds() // ORBIT_SECONDS)
    if mode == "RPRO":
        number = -(k + 1)
    when = ORBITS_FROM + timedelta(seconds=number * ORBIT_SECONDS)
    orbit = FIRST_ORBIT + number
    times = common_times(rng, when, ORBIT_SECONDS)
    if mode == "RPRO":
        processed = times["end"] + timedelta(days=rng.uniform(200, 400))
        version = "02.04.00"
    else:
        processed = times["end"] + (times["origin"] - times["end"]) / 2
        version = "02.06.00"
    name = (
        f"S5P_{mode}_{product_type}_{stamp(times['start'])}_{stamp(times['end'])}_{orbit:05d}"
        f"_03_{version.replace('.', '')}_{stamp(processed)}.nc"
    )
    strip_lon = round(equator_longitude(when), 4)
    attrs = typed(
        "SENTINEL-5P",
        {
            "orbitNumber": orbit,
            "processingDate": fmt_time(processed),
            "processingMode": mode,
            "processingLevel": "L1B" if product_type.startswith("L1B") else "L2",
            "processorVersion": version,
            "platformShortName": "SENTINEL-5P",
            "instrumentShortName": "TROPOMI",
            "platformSerialIdentifier": "5P",
            "productType": product_type,
            "processingBaseline": version.replace(".", ""),
            "baselineCollection": "03",
            "beginningDateTime": fmt_time(times["start"]),
            "endingDateTime": fmt_time(times["end"]),
        },
    )
    if mode == "RPRO":  # published with the reprocessing campaign, long after sensing
        shift = processed + timedelta(hours=rng.uniform(2, 48)) - times["origin"]
        for key in ("origin", "publication", "modification", "checksum_date"):
            times[key] += shift
    level1 = product_type.startswith("L1B")
    return new_entry(
        rng,
        name=name,
        collection="SENTINEL-5P",
        product_type=product_type,
        footprint=_strip(strip_lon),
        attributes=attrs,
        s3_path=f"/eodata/Sentinel-5P/TROPOMI/{product_type}/{when:%Y/%m/%d}/{name}",
        mean_mb=1800 if level1 else 90,
        family="sentinel5p_l2" if product_type in WRITTEN else None,
        extra={"orbit": orbit, "lon": strip_lon},
        **times,
    )
