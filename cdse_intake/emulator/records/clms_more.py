"""CLMS records of the STAC collections :mod:`.clms` does not fill: NDVI 300 m V2 as netCDF,
NDVI 300 m V3 as COG and netCDF, and the CLCplus LULUCF instance. Metadata only.

Names as CDSE's CLMS ingestion writes them (eometadatatool's CLMS attribute notes): the global
dekad file's name with its format as suffix, ``c_gls_NDVI300_<YYYYMMDD>0000_GLOBE_OLCI_
V<version>_<cog|nc>``, a folder under ``/eodata/CLMS/bio-geophysical/vegetation_indices/
<dataset>/<date>/`` holding the file; dekads start on the 1st, 11th and 21st. CLCplus: yearly
100 m tiles of Europe (reference years 2018, 2021-2023); its file naming is inferred.
Attributes: the generic set (§1.7 has no CLMS table).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .attributes import typed
from .common import SITES, fmt_time, footprint, new_entry
from .shapes import globe, period_times

if TYPE_CHECKING:
    from ..catalogue import Entry
    from ..catalogue_list import CollectionRow

__all__ = ["clms_entry"]

#: Reference years of the CLCplus LULUCF instance.
CLCPLUS_YEARS = (2018, 2021, 2022, 2023)


def _dekad(when: datetime) -> tuple[datetime, datetime]:
    day = 1 if when.day < 11 else (11 if when.day < 21 else 21)
    start = datetime(when.year, when.month, day, tzinfo=UTC)
    if day < 21:
        return start, start + timedelta(days=10) - timedelta(microseconds=1)
    following = datetime(when.year + when.month // 12, when.month % 12 + 1, 1, tzinfo=UTC)
    return start, following - timedelta(microseconds=1)


def clms_entry(
    row: CollectionRow, rng: random.Random, when: datetime, lon: float, lat: float, k: int
) -> Entry:
    """One product of ``row``: a global NDVI dekad, or a CLCplus tile of a reference year."""
    stream = str(row.stream)
    dataset, fmt = stream.rsplit("_", 1)
    if dataset.startswith("ndvi"):
        version = "3.0.1" if dataset.endswith("v3") else "2.0.1"
        start, end = _dekad(when)
        name = f"c_gls_NDVI300_{start:%Y%m%d}0000_GLOBE_OLCI_V{version}_{fmt}"
        path = f"/eodata/CLMS/bio-geophysical/vegetation_indices/{dataset}/{start:%Y/%m/%d}"
        shape, metres, mean_mb = globe(-60.0, 80.0), 300, 1800 if fmt == "nc" else 900
        values = {"platformShortName": "SENTINEL-3", "instrumentShortName": "OLCI"}
    else:
        year = CLCPLUS_YEARS[k % len(CLCPLUS_YEARS)]
        start = datetime(year, 1, 1, tzinfo=UTC)
        end = datetime(year + 1, 1, 1, tzinfo=UTC) - timedelta(microseconds=1)
        lon, lat = SITES[k % 19]  # the European sites
        east, north = int(lon // 1 + 180), int(lat // 1 + 90)
        version = "1.0.0"
        name = f"CLMS_CLCPLUS_LULUCF-INSTANCE_{year}_100m_E{east:03d}N{north:03d}_03035_V1_{fmt}"
        path = f"/eodata/CLMS/land-cover/clcplus/{dataset}/{start:%Y/%m/%d}"
        shape, metres, mean_mb = footprint(lon, lat, 4.0, 4.0), 100, 60
        values = {"platformShortName": "MULTIMISSION", "instrumentShortName": "MULTIPLE"}
    times = period_times(rng, start, end)
    attrs = typed(
        "CLMS",
        {
            "productType": row.product_types[0],
            **values,
            "processingLevel": row.level,
            "processingCenter": "VITO",
            "processorVersion": f"V{version}",
            "spatialResolution": metres,
            "beginningDateTime": fmt_time(times["start"]),
            "endingDateTime": fmt_time(times["end"]),
        },
    )
    return new_entry(
        rng,
        name=name,
        collection="CLMS",
        product_type=row.product_types[0],
        footprint=shape,
        attributes=attrs,
        s3_path=f"{path}/{name}",
        mean_mb=mean_mb,
        extra={"lon": lon, "lat": lat},
        **times,
    )
