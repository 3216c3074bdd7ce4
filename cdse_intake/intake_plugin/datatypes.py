"""The intake 2 datatypes of CDSE: the catalogue, a collection to search, and one product.

They hold no endpoint and no secret: the service roots and credentials are read from the
environment (``CDSE_*``, ``~/.netrc``) when a reader reads, so one catalogue file serves the real
CDSE and the emulator, and every datatype pickles and serialises to YAML as plain values.
"""

from __future__ import annotations

from typing import Any, ClassVar

from intake.readers import datatypes

__all__ = ["CDSECatalogue", "CDSECollection", "CDSECollections", "CDSEProduct", "CDSEProducts"]


class CDSECollections(datatypes.Catalog):
    """The collections of the CDSE catalogue configured by the environment (``CDSE_STAC_URL``)."""

    structure: ClassVar[set[str]] = {"catalog"}

    def __init__(self, metadata: dict[str, Any] | None = None) -> None:
        super().__init__(metadata=metadata)


#: The name before 0.1 (catalogue files written then still load).
CDSECatalogue = CDSECollections


class CDSECollection(datatypes.Catalog):
    """Products of one CDSE collection, to be searched.

    ``collection`` is an OData name (``SENTINEL-2``) or a STAC id (``sentinel-2-l2a``), or None
    when ``product_type`` alone says what to find (collections cdse_intake does not know by name).
    ``product_type`` narrows the collection (``OL_1_EFR___``) unless the search gives its own.
    """

    structure: ClassVar[set[str]] = {"catalog"}

    def __init__(
        self,
        collection: str | None = None,
        product_type: str | list[str] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.collection = collection
        self.product_type = product_type
        super().__init__(metadata=metadata)


class CDSEProduct(datatypes.BaseData):
    """One CDSE product: its catalogue ``record`` (:meth:`cdse_intake.Product.to_dict`), or only
    its ``name`` (a product name, id or ``cdse://`` URL, looked up in the catalogue when read).

    The record carries the size and checksums the download is verified against.
    """

    structure: ClassVar[set[str]] = {"array"}

    def __init__(
        self,
        name: str,
        record: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.record = record
        super().__init__(metadata=metadata)


class CDSEProducts(datatypes.BaseData):
    """Products a search found, to be read together (as a cube): their catalogue ``records``
    (:meth:`cdse_intake.Product.to_dict`) and ``bbox``, the search's area as
    ``[west, south, east, north]`` (None: no area)."""

    structure: ClassVar[set[str]] = {"array"}

    def __init__(
        self,
        records: list[dict[str, Any]],
        bbox: list[float] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.records = records
        self.bbox = bbox
        super().__init__(metadata=metadata)
