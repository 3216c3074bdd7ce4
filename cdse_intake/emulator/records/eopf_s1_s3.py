"""Sentinel-1 IW GRD and Sentinel-3 OLCI EFR records in the EOPF Zarr format.

As the Sentinel-2 EOPF records (:func:`.sentinel2.eopf_entries`): a few products made as their
SAFE/SEN3 counterparts are (:func:`.sentinel1.grd_entry`, :func:`.sentinel3.efr_entry`), then
renamed to the EOPF product names under ``<type>_EOPF/`` folders, the SAFE/SEN3 name kept in
``extra["legacy_name"]``. The names follow the documented EOPF examples
(``S01SIWGRH_20240201T164915_0025_A146_S750E_VH.zarr``,
``S03OLCEFR_20250416T063751_0180_B248_T893.zarr``): type, start, duration in seconds, unit and
relative orbit, then the SAFE product's id (S1, ``S<id>``) or a drawn ``T<nnn>`` (S3, the field's
meaning is not documented); the S1 product ends with its polarisation pair (``DV``) where the
single-polarisation example ends ``_VH``.

They draw from their own generator and get ids from another, after every other record: adding
them shifts no other record.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .common import SITES, mgrs, new_uuid
from .sentinel1 import grd_entry
from .sentinel3 import efr_entry

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["PER_MISSION", "eopf_s1_s3_entries", "s1_name", "s3_name"]

#: Products of each mission (at any scale), on the first sites, from 420 days after the start.
PER_MISSION = 2


def eopf_s1_s3_entries(seed: int, start: datetime) -> list[Entry]:
    """The EOPF S1 GRD and S3 OLCI EFR records, ids set (see the module doc)."""
    rng = random.Random(f"{seed}:eopf_s1_s3")
    entries: list[Entry] = []
    for k, (lon, lat) in enumerate(SITES[:PER_MISSION]):
        when = start + timedelta(days=420 + k, hours=rng.uniform(0, 20))
        entry = grd_entry(rng, when, lon, lat, mgrs(lon, lat), k, k)
        _rename(entry, s1_name(entry), "eopf_s1_grd")
        entries.append(entry)
    for k, (lon, lat) in enumerate(SITES[:PER_MISSION]):
        when = start + timedelta(days=430 + k, hours=rng.uniform(0, 20))
        entry = efr_entry(rng, when, lon, lat, mgrs(lon, lat), k, k)
        entry.extra["eopf_serial"] = rng.randint(0, 999)
        _rename(entry, s3_name(entry), "eopf_s3_olci_efr")
        entries.append(entry)
    ids = random.Random(f"{seed}:eopf_s1_s3:ids")
    for entry in entries:
        entry.id = new_uuid(ids)
        entry.quicklook_id = None
    return entries


def _attrs(entry: Entry) -> dict[str, Any]:
    return {name: value for name, _, value in entry.attributes}


def s1_name(entry: Entry) -> str:
    """``S01SIWGRH_<start>_<duration s>_<unit><relative orbit>_S<id>_DV.zarr``."""
    attrs = _attrs(entry)
    duration = round((entry.end - entry.start).total_seconds())
    product_id = entry.name.split("_")[-1].split(".")[0]
    return (
        f"S01SIWGRH_{entry.start:%Y%m%dT%H%M%S}_{duration:04d}_"
        f"{attrs['platformSerialIdentifier']}{attrs['relativeOrbitNumber']:03d}_S{product_id}_DV.zarr"
    )


def s3_name(entry: Entry) -> str:
    """``S03OLCEFR_<start>_<duration s>_<unit><relative orbit>_T<nnn>.zarr``."""
    attrs = _attrs(entry)
    duration = round((entry.end - entry.start).total_seconds())
    return (
        f"S03OLCEFR_{entry.start:%Y%m%dT%H%M%S}_{duration:04d}_"
        f"{attrs['platformSerialIdentifier']}{attrs['relativeOrbitNumber']:03d}_"
        f"T{entry.extra['eopf_serial']:03d}.zarr"
    )


def _rename(entry: Entry, name: str, family: str) -> None:
    entry.extra["legacy_name"] = entry.name
    entry.name = name
    folder, _, _ = entry.s3_path.rpartition("/")
    base, _, day = folder.partition(f"/{entry.product_type}/")
    entry.s3_path = f"{base}/{entry.product_type.rstrip('_')}_EOPF/{day}/{entry.name}"
    entry.family = family
