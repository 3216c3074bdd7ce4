"""Which STAC collection each catalogue entry belongs to, and what each collection is.

The real STAC catalogue has one collection per mission, product level and timeliness
(cdse-api.md §4), where OData has one per mission told apart by ``productType`` and the
``timeliness``/``processingMode`` attributes. :data:`SPECS` holds every collection of the real
catalogue (:data:`..catalogue_list.ROWS`), served whether or not the catalogue holds items of
it; :func:`collection_id` maps an entry to its collection by OData collection, product type and
stream, as the table lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalogue import Entry
from ..catalogue_list import PROVIDERS, ROWS, CollectionRow

__all__ = ["SPECS", "CollectionSpec", "collection_id", "stream_of"]


@dataclass(frozen=True)
class CollectionSpec:
    """One STAC collection: its id, texts and the facts its items share."""

    id: str
    title: str
    description: str
    family: str
    """``s1``, ``s2``, ``s3``, ``s5p``, ``clms`` or ``generic``: selects the item layout."""
    constellation: str | None
    """The items' ``constellation``."""
    instruments: tuple[str, ...]
    processing_level: str | None
    timeliness: str | None
    """``product:timeliness`` (ISO 8601 duration) shared by the items, None when not given."""
    timeliness_category: str | None
    keywords: tuple[str, ...]
    mission_url: str
    row: CollectionRow
    """The table row: everything the collection document shows."""
    gsd: float | None = None
    doi: str | None = None


def _spec(row: CollectionRow) -> CollectionSpec:
    # S5P items say "sentinel-5p" where the collections say "sentinel-5" (EOMETA stac_s5p.py
    # against collections.py).
    constellation = "sentinel-5p" if row.family == "s5p" else row.constellation
    return CollectionSpec(
        id=row.id,
        title=row.title,
        description=row.description,
        family=row.family,
        constellation=constellation,
        instruments=row.instruments,
        processing_level=row.level,
        timeliness=row.timeliness,
        timeliness_category=row.timeliness_category,
        keywords=row.keywords,
        mission_url=PROVIDERS[row.provider][0].get("url", ""),
        row=row,
        gsd=row.gsd,
        doi=row.doi,
    )


SPECS: dict[str, CollectionSpec] = {row.id: _spec(row) for row in ROWS}

#: (OData collection, product type, stream) -> STAC collection id.
_LOOKUP: dict[tuple[str, str, str | None], str] = {
    (row.odata, product_type, row.stream): row.id
    for row in ROWS
    for product_type in row.product_types
}


def stream_of(entry: Entry) -> str | None:
    """What tells an entry's STAC collection apart among those of its product type: the
    ``timeliness`` of Sentinel-3 and -6, the ``processingMode`` of Sentinel-5P, the dataset and
    format of CLMS (from the S3 path and name: ``ndvi_global_300m_10daily_v2_cog``)."""
    if entry.collection in ("SENTINEL-3", "SENTINEL-6"):
        return entry.attribute("timeliness")
    if entry.collection == "SENTINEL-5P":
        return entry.attribute("processingMode")
    if entry.collection == "CLMS":
        dataset = entry.s3_key.split("/")[3]
        return f"{dataset}_{'nc' if entry.name.endswith(('.nc', '_nc')) else 'cog'}"
    return None


def collection_id(entry: Entry) -> str | None:
    """The STAC collection of a catalogue entry; None when the STAC catalogue has no such items.

    None for: Sentinel-1 auxiliary files (``AUX_*``: no footprint, and CDSE's STAC lists no AUX
    collection), Sentinel-3 Synergy products labelled ``NR`` (Synergy has only NTC and STC
    collections), and the OData-only collections (SMOS, Envisat, Landsat, ...). EOPF ``.zarr``
    products share ``sentinel-2-l2a`` with the SAFE ones (same product type; their STAC
    placement on CDSE is unverified), so an OData and a STAC search for S2MSI2A return the same
    products.
    """
    return _LOOKUP.get((entry.collection, entry.product_type, stream_of(entry)))
