"""Whether products are still in CDSE's catalogue: current, deleted, or replaced by a newer
processing; a few dozen products a request.

Products are asked by name (``Name eq`` clauses joined with ``or``, as :mod:`.lookup` does for
one) and matched by id: a name CDSE lists under another id is the same product ingested again,
and the id held here was deleted. The ones missing from ``/Products`` are looked up in
``/DeletedProducts`` (:mod:`.deleted`). A product deleted as ``Obsolete product or Other`` is
usually superseded by a reprocessing (a newer processing baseline or time: same sensing, a newer
name); its successor is searched among the products sensed at the same instant whose name
differs only in the processing fields (:func:`lineage`), the most recently published first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ..net.http import get_json, with_retries
from ..product import DeletedProduct, Product
from .deleted import find_deleted, records_by_name
from .odata_filter import literal
from .odata_product import products_from_odata

__all__ = ["OBSOLETE", "STATES", "Standing", "lineage", "standings"]

OBSOLETE = "Obsolete product or Other"
STATES = ("current", "deleted", "obsolete", "unknown")
"""``current`` (listed under its id), ``deleted`` (in DeletedProducts), ``obsolete`` (deleted,
and a newer processing of it is listed), ``unknown`` (in neither: another catalogue's id)."""


@dataclass(frozen=True)
class Standing:
    """What the catalogue says of one product id."""

    state: str
    deleted: DeletedProduct | None = None
    """The deleted record (``deleted``, ``obsolete``)."""
    replaced_by: Product | None = None
    """The newer processing (``obsolete``)."""


#: What stays the same across processings of one product, per mission's naming convention:
#: Sentinel-2 drops the baseline (``N0509``) and processing time; Sentinel-3 the processing
#: time and baseline collection; Sentinel-1 the product unique id (its CRC); Sentinel-5P the
#: processing mode, collection, processor version and processing time.
_LINEAGES = (
    re.compile(r"^(S2[A-D]_MSI\w{3}_\d{8}T\d{6})_N\d{4}(_R\d{3}_T\w{5})_\d{8}T\d{6}"),
    re.compile(
        r"^(S3[A-D]_\w{11}_\d{8}T\d{6}_\d{8}T\d{6})_\d{8}T\d{6}(_.+?)(?:_\d{3})?(?:\.SEN3)?$"
    ),
    re.compile(r"^(S1[A-D]_\w+?_\d{8}T\d{6}_\d{8}T\d{6}_\d{6}_[0-9A-F]{6})_[0-9A-F]{4}"),
    re.compile(r"^(S5P)_(?:NRTI|OFFL|RPRO)(_\w{10}_\d{8}T\d{6}_\d{8}T\d{6}_\d{5})_\d{2}_\d{6}_"),
)


def lineage(name: str) -> str | None:
    """The part of ``name`` every processing of the product shares (None: not known)."""
    for pattern in _LINEAGES:
        if match := pattern.match(name):
            return "".join(match.groups())
    return None


async def _by_names(session: Any, url: str, names: Sequence[str], retries: int) -> list[Product]:
    records = await records_by_name(session, url, names, retries, "looking up products")
    return products_from_odata(records)


async def successor(
    session: Any, catalogue_url: str, old: DeletedProduct, retries: int
) -> Product | None:
    """The most recently published product of ``old``'s lineage sensed at its start."""
    key = lineage(old.name)
    if key is None or old.start is None:
        return None
    second = timedelta(seconds=1)
    params = {
        "$filter": (
            f"startswith(Name,{literal(old.name.split('_')[0] + '_')}) and "
            f"ContentDate/Start ge {literal(old.start - second)} and "
            f"ContentDate/Start lt {literal(old.start + second)}"
        ),
        "$top": "1000",
    }
    body = await with_retries(
        lambda: get_json(session, f"{catalogue_url}/Products", params=params),
        retries=retries,
        what=f"looking for a newer processing of {old.name}",
    )
    candidates = [
        p
        for p in products_from_odata((body or {}).get("value") or [])
        if p.id != old.id and p.name != old.name and lineage(p.name) == key
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda p: (p.published is not None, p.published, p.name))


async def standings(
    session: Any, catalogue_url: str, products: Sequence[tuple[str, str]], retries: int
) -> dict[str, Standing]:
    """The :class:`Standing` of each ``(id, name)``, keyed by id."""
    names = list(dict.fromkeys(name for _, name in products))
    listed = await _by_names(session, f"{catalogue_url}/Products", names, retries)
    current = {p.id for p in listed}
    out = {pid: Standing("current") for pid, _ in products if pid in current}
    gone = [(pid, name) for pid, name in products if pid not in current]
    if not gone:
        return out
    deleted = {
        p.id: p for p in await find_deleted(session, catalogue_url, [n for _, n in gone], retries)
    }
    for pid, _ in gone:
        record = deleted.get(pid)
        if record is None:
            out[pid] = Standing("unknown")
            continue
        newer = None
        if record.deletion_cause == OBSOLETE:
            newer = await successor(session, catalogue_url, record, retries)
        out[pid] = Standing("obsolete" if newer else "deleted", record, newer)
    return out
