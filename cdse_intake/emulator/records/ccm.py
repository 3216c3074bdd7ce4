"""Copernicus Contributing Missions records: the CCM DEM, optical and SAR collections.
Metadata only.

Names as eometadatatool's CCM examples show them: ``<mission>_<product type>_<start>_<stop>_
<centre>_<number>_<check>`` (``PH1A_PHR_MS___3_…_TOU_1234_6d9f``, ``TX01_SAR_SC_GEC_…_NSG_023149_
4659``, ``DEM1_SAR_DGE_30_…_ADS_000000_0728_85f7b923``); S3Path under ``/eodata/CCM/<dataset>/``
as CDSE's CCM page lists the datasets (``VHR_IMAGE_2021``, ``COP-DEM_GLO-30-DGED``; the SAR
dataset name is inferred). Optical and SAR scenes are seconds long and ~20 km wide; DEM tiles
are 1° and span the years of their acquisitions. Attributes: the generic set.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .attributes import typed
from .common import common_times, fmt_time, footprint, hex_digits, new_entry, stamp
from .shapes import period_times, tile

if TYPE_CHECKING:
    from ..catalogue import Entry
    from ..catalogue_list import CollectionRow

__all__ = ["ccm_entry"]

#: Product type -> (mission code, platform, instrument, centre, gsd m, dataset).
_MISSIONS = {
    "PHR_MS___3": ("PH1A", "PLEIADES-1A", "PHR", "TOU", 2, "VHR_IMAGE_2021"),
    "GIS_MS4_OR": ("GY01", "GEOEYE-1", "GIS", "TOU", 2, "VHR_IMAGE_2021"),
    "WV3_MS4_OR": ("EW03", "WORLDVIEW-3", "WV3", "TOU", 2, "VHR_IMAGE_2021"),
    "HRS_MS4_1C": ("DM02", "DEIMOS-2", "HRS", "TOU", 4, "VHR_IMAGE_2021"),
    "AIS_MSP_1G": ("KS03", "KOMPSAT-3", "AIS", "TOU", 2, "VHR_IMAGE_2021"),
    "SAR_SC_GEC": ("TX01", "TERRASAR-X", "SAR", "NSG", 18, "SAR_IMAGE_2021"),
    "SAR_WS_EEC": ("TX01", "TERRASAR-X", "SAR", "NSG", 40, "SAR_IMAGE_2021"),
    "SAR_SN_SCN": ("RS02", "RADARSAT-2", "SAR", "GAT", 50, "SAR_IMAGE_2021"),
    "SAR_HIM_1B": ("CS00", "COSMO-SKYMED-1", "SAR", "MAT", 3, "SAR_IMAGE_2021"),
    "SAR_SC__GR": ("IE00", "ICEYE", "SAR", "FFF", 15, "SAR_IMAGE_2021"),
}


def ccm_entry(
    row: CollectionRow, rng: random.Random, when: datetime, lon: float, lat: float, k: int
) -> Entry:
    """One scene (optical, SAR) or DEM tile of ``row`` near ``(lon, lat)``."""
    product_type = row.product_types[k % len(row.product_types)]
    if row.id == "ccm-dem":
        metres = int(product_type[-2:])
        west, south = math.floor(lon), math.floor(lat)
        first = datetime.fromisoformat(row.start) + timedelta(days=rng.uniform(0, 300))
        times = period_times(rng, first, first + timedelta(days=rng.uniform(300, 1200)))
        name = (
            f"DEM1_{product_type}_{stamp(times['start'])}_{stamp(times['end'])}_ADS_000000_"
            f"{rng.randint(0, 9999):04d}_{hex_digits(rng, 8)}"
        )
        shape, platform, instrument, level = tile(west, south), "TANDEM-X", "SAR", None
        dataset = f"COP-DEM_GLO-{metres}-{'DTED' if '_DTE_' in product_type else 'DGED'}"
        mean_mb, cloud = 30.0, None
    else:
        mission, platform, instrument, centre, metres, dataset = _MISSIONS[product_type]
        times = common_times(rng, when, rng.uniform(3, 30))
        name = (
            f"{mission}_{product_type}_{stamp(times['start'])}_{stamp(times['end'])}_{centre}_"
            f"{rng.randint(1000, 99999)}_{hex_digits(rng, 4)}"
        )
        shape = footprint(lon, lat, 0.1, 0.09, skew=0.01)
        level = "L1" if product_type.endswith(("_1B", "_1C", "_1G", "_GEC", "_EEC")) else "L2"
        optical = not product_type.startswith("SAR")
        mean_mb, cloud = (900.0, round(rng.uniform(0, 30), 2)) if optical else (1500.0, None)
    attrs = typed(
        "CCM",
        {
            "productType": product_type,
            "platformShortName": platform,
            "instrumentShortName": instrument,
            "processingLevel": level,
            "spatialResolution": metres,
            "cloudCover": cloud,
            "beginningDateTime": fmt_time(times["start"]),
            "endingDateTime": fmt_time(times["end"]),
        },
    )
    return new_entry(
        rng,
        name=name,
        collection="CCM",
        product_type=product_type,
        footprint=shape,
        attributes=attrs,
        s3_path=f"/eodata/CCM/{dataset}/{product_type}/{times['start']:%Y/%m/%d}/{name}",
        mean_mb=mean_mb,
        extra={"lon": lon, "lat": lat},
        **times,
    )
