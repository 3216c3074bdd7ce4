"""Copernicus Land Monitoring Service records: the global dekadal NDVI 300 m (V2) GeoTIFFs.

Follows the real catalogue: names ``c_gls_NDVI300_<YYYYMMDD>0000_X<col>Y<row>_OLCI_V2.0.1.tif``
under ``CLMS/bio-geophysical/vegetation_indices/ndvi_global_300m_10daily_v2/``; one product per
ten-day period (dekad) from midnight; Sentinel-3 OLCI input; level L3.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .common import common_times, fmt_time, footprint, new_entry

if TYPE_CHECKING:
    from ..catalogue import Entry


def ndvi_entry(
    rng: random.Random, when: datetime, lon: float, lat: float, tile: str, site: int, k: int
) -> Entry:
    """One dekad's NDVI 300 m tile near ``(lon, lat)``."""
    when = when.replace(hour=0, minute=0, second=0, microsecond=0)
    times = common_times(rng, when, 10 * 86400 - 1)
    name = f"c_gls_NDVI300_{when:%Y%m%d}0000_X{site:02d}Y{k % 10:02d}_OLCI_V2.0.1.tif"
    attrs: list[tuple[str, str, Any]] = [
        ("productType", "String", "NDVI300"),
        ("platformShortName", "String", "SENTINEL-3"),
        ("instrumentShortName", "String", "OLCI"),
        ("processingLevel", "String", "L3"),
        ("spatialResolution", "Integer", 300),
        ("beginningDateTime", "DateTimeOffset", fmt_time(times["start"])),
        ("endingDateTime", "DateTimeOffset", fmt_time(times["end"])),
    ]
    day = f"{when:%Y/%m/%d}"
    return new_entry(
        rng,
        name=name,
        collection="CLMS",
        product_type="NDVI300",
        footprint=footprint(lon, lat, 5.0, 5.0),
        attributes=attrs,
        s3_path=f"/eodata/CLMS/bio-geophysical/vegetation_indices/ndvi_global_300m_10daily_v2/"
        f"{day}/{name}",
        mean_mb=40,
        family="clms_geotiff",
        extra={"lon": lon, "lat": lat},
        **times,
    )
