"""intake v1 adapters: ``driver: cdse_search`` and ``driver: cdse_product`` in v1-style YAML.

Registered under the ``intake.drivers`` entry point; both delegate to the intake 2 readers, so
searching and opening behave exactly as there. A v1 catalogue file::

    sources:
      paris:
        driver: cdse_search
        args:
          collection: sentinel-2-l2a
          bbox: [2.2, 48.8, 2.5, 48.9]
          start: "2024-05-01"
          end: "2024-05-31"
          cloud: 20
          open_options: {resolution: 10}

``cat.paris`` is a catalogue of the products found (searched when first listed); each product
source's ``to_dask()`` is the lazy dataset and ``read()`` loads it into memory. A single product:
``driver: cdse_product`` with ``args: {product: <name, id or cdse:// URL>}``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from intake.catalog.base import Catalog
from intake.catalog.local import LocalCatalogEntry
from intake.source.base import DataSource, Schema

from .. import __version__
from .datatypes import CDSECollection, CDSEProduct
from .readers import CDSEProductReader, CDSESearchReader

__all__ = ["CDSEProductSource", "CDSESearchSource"]


class CDSEProductSource(DataSource):
    """One CDSE product (``product=`` name, id or ``cdse://`` URL, or its ``record=``)."""

    name = "cdse_product"
    version = __version__
    container = "xarray"
    partition_access = False

    def __init__(
        self,
        product: str | None = None,
        record: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        **options: Any,
    ) -> None:
        if (product is None) == (record is None):
            raise TypeError("cdse_product: give either product= (a name, id or URL) or record=")
        name = product if product is not None else str(record["name"])  # type: ignore[index]
        self._reader = CDSEProductReader(data=CDSEProduct(name, record), **options)
        self._ds: Any = None
        super().__init__(metadata=metadata)

    def to_dask(self) -> Any:
        """The lazy (dask-backed) Dataset or DataTree, opened once."""
        if self._ds is None:
            self._ds = self._reader.read()
        return self._ds

    def read(self) -> Any:
        """The dataset loaded into memory."""
        return self.to_dask().load()

    def _get_schema(self) -> Schema:
        ds = self.to_dask()
        return Schema(dtype=None, shape=None, npartitions=1, extra_metadata=dict(ds.attrs))

    def _get_partition(self, i: int) -> Any:
        return self.to_dask()

    def _close(self) -> None:
        self._ds = None


class _Products(Mapping[str, LocalCatalogEntry]):
    """The products of a search as v1 entries, searched on first use."""

    def __init__(self, reader: CDSESearchReader) -> None:
        self._reader = reader
        self._entries: dict[str, LocalCatalogEntry] | None = None

    def _load(self) -> dict[str, LocalCatalogEntry]:
        if self._entries is None:
            found = self._reader.read()
            entries = {}
            for name in found:
                reader = found[name]
                options = {k: v for k, v in reader.kwargs.items() if k not in ("data", "args")}
                entries[name] = LocalCatalogEntry(
                    name=name,
                    description=f"CDSE product {name}",
                    driver=CDSEProductSource,
                    args={"record": reader.data.record, **options},
                    metadata=dict(reader.data.metadata),
                )
            self._entries = entries
        return self._entries

    def __getitem__(self, key: str) -> LocalCatalogEntry:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


class CDSESearchSource(Catalog):
    """The products a search finds, as a v1 catalogue of :class:`CDSEProductSource` entries.

    Arguments: ``collection`` and the keywords of :func:`cdse_intake.search` (``bbox``, ``start``,
    ``end``, ``cloud``, ``product_type``, ``limit``, ...); ``open_options`` go to every product.
    """

    name = "cdse_search"
    version = __version__
    container = "catalog"
    partition_access = False

    def __init__(
        self,
        collection: str | None = None,
        product_type: str | list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **search_kwargs: Any,
    ) -> None:
        self._reader = CDSESearchReader(
            data=CDSECollection(collection, product_type), **search_kwargs
        )
        super().__init__(name=collection, metadata=metadata)

    def _make_entries_container(self) -> _Products:
        return _Products(self._reader)
