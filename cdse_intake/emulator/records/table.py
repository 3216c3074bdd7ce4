"""Sample records of every collection the mission modules do not fill: :data:`PER_COLLECTION`
records per collection of :data:`..catalogue_list.ROWS` that names a generator (``records``),
and per OData-only collection (:data:`..catalogue_list.ODATA_ONLY`).

Each collection's records are spread evenly over its window: the catalogue's two years
(:data:`WINDOW`) where the collection's life overlaps them, else its own life (Envisat,
Landsat-5/7, COP-DEM). Each record draws from its own generator, seeded by the seed, the
collection and its number, so the records do not depend on one another nor on the rest of the
catalogue; their ids come from a generator of their own too, after the rest's.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..catalogue_list import ODATA_ONLY, ROWS
from . import (
    ccm,
    clms_more,
    complementary,
    dem,
    mosaics,
    sentinel1_wv,
    sentinel3_more,
    sentinel5p_more,
    sentinel6,
)
from .common import SITES, new_uuid
from .families import writer_family

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["PER_COLLECTION", "WINDOW", "table_entries"]

#: Records per collection at ``scale=1``.
PER_COLLECTION = 24
#: The period the mission modules' records cover (from the catalogue's start, 2023-01-01).
WINDOW = (datetime(2023, 1, 1, tzinfo=UTC), datetime(2024, 12, 31, tzinfo=UTC))

#: ``CollectionRow.records`` -> the record factory ``(row, rng, when, lon, lat, k) -> Entry``.
MAKERS: dict[str, Callable[..., Entry]] = {
    "s1_wv": sentinel1_wv.wv_entry,
    "s3": sentinel3_more.s3_entry,
    "s5p": sentinel5p_more.s5p_entry,
    "s6": sentinel6.s6_entry,
    "s1_mosaic": mosaics.s1_mosaic,
    "s2_mosaic": mosaics.s2_mosaic,
    "landsat_mosaic": mosaics.landsat_mosaic,
    "cop_dem": dem.cop_dem,
    "ccm": ccm.ccm_entry,
    "clms": clms_more.clms_entry,
}


def _instant(text: str | None, default: datetime) -> datetime:
    if not text:
        return default
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def window(start: str, end: str | None) -> tuple[datetime, datetime]:
    """Where a collection living ``start``-``end`` gets its records (see the module doc)."""
    first, last = _instant(start, WINDOW[0]), _instant(end, WINDOW[1])
    if first <= WINDOW[1] and last >= WINDOW[0]:
        return max(first, WINDOW[0]), min(last, WINDOW[1])
    return first, last


def _spread(
    seed: int, key: str, n: int, start: str, end: str | None, make: Callable[..., Entry], item: Any
) -> list[Entry]:
    first, last = window(start, end)
    span = (last - first).total_seconds()
    offset = zlib.crc32(key.encode())
    out = []
    for k in range(n):
        rng = random.Random(f"{seed}:{key}:{k}")
        when = first + timedelta(seconds=span * (k + rng.random()) / n)
        lon, lat = SITES[(offset + 5 * k) % len(SITES)]
        out.append(make(item, rng, when, lon, lat, k))
    return out


def table_entries(seed: int, scale: float = 1.0) -> list[Entry]:
    """The records of the collections :mod:`..catalogue_list` gives a generator, ids set."""
    n = max(1, round(PER_COLLECTION * scale))
    entries: list[Entry] = []
    for row in ROWS:
        if row.records is not None:
            entries += _spread(seed, row.id, n, row.start, row.end, MAKERS[row.records], row)
    for only in ODATA_ONLY:
        make = complementary.odata_only_entry
        entries += _spread(seed, only.odata, n, only.start, only.end, make, only)
    rng = random.Random(f"{seed}:table")
    for entry in entries:
        entry.id = new_uuid(rng)
        entry.quicklook_id = new_uuid(rng) if entry.footprint else None
        entry.family = entry.family or writer_family(entry.collection)
    return entries
