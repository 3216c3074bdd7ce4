"""Which writer (``Entry.family``, a key of :data:`..products.BUILDERS`) makes the products of
the collections :mod:`.table` fills.

A record whose family has no writer is metadata only (``payloads.deliverable``); the mission
modules set the family of their own records.
"""

from __future__ import annotations

__all__ = ["writer_family"]

#: OData collection -> family of all its table records.
_BY_COLLECTION = {
    "SENTINEL-1": "sentinel1_wv",  # the table fills only the wave-mode SLC collection
    "SENTINEL-3": "sentinel3_more",
    "SENTINEL-5P": "sentinel5p_more",
    "SENTINEL-6": "sentinel6",
    "COP-DEM": "gridded",
    "GLOBAL-MOSAICS": "gridded",
    "CLMS": "gridded",
    "S2GLC": "gridded",
    "CEMS": "gridded",
    "SENTINEL-1-RTC": "gridded",
    "CCM": "ccm",
    "LANDSAT-5": "landsat",
    "LANDSAT-7": "landsat",
    "LANDSAT-8": "landsat",
    "LANDSAT-9": "landsat",
    "ENVISAT": "envisat",
    "SMOS": "smos",
    "TERRAAQUA": "modis",
    "CAMS": "cams",
}


def writer_family(collection: str) -> str | None:
    """The family of a table record of OData collection ``collection`` (None: no writer)."""
    return _BY_COLLECTION.get(collection)
