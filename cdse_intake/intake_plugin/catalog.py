"""The catalogues the readers build, as intake 2 Catalogs that display as HTML tables.

- :func:`products_catalog`: search results, one :class:`~.readers.CDSEProductReader` entry per
  product, named by product name, with the product's metadata (time, cloud, size, footprint...);
- :func:`collections_catalog`: the live catalogue's collections, one
  :class:`~.readers.CDSESearchReader` entry each;
- :func:`open_catalog`: a catalogue file (such as the repository's ``catalog.yaml``) loaded as a
  :class:`TableCatalog`, which is intake's ``from_yaml_file`` plus the notebook display.

Every entry gets an alias: intake 2 lists (``list(cat)``, ``len(cat)``) aliases only, and
``cat[name] = reader`` does not make one when the name is the entry's key.
"""

from __future__ import annotations

import re
from typing import Any

from intake.readers.entry import Catalog

from .datatypes import CDSECollection, CDSEProduct
from .readers import CDSEProductReader, CDSESearchReader

__all__ = [
    "CDSECatalog",
    "TableCatalog",
    "collections_catalog",
    "entry_name",
    "open_catalog",
    "output_instance",
    "product_metadata",
    "products_catalog",
]


class TableCatalog(Catalog):
    """An intake 2 Catalog shown in notebooks as a table of its entries or products."""

    @classmethod
    def from_catalog(cls, cat: Catalog) -> TableCatalog:
        """The same entries, data, aliases, parameters and overrides in a TableCatalog."""
        return cls(
            entries=cat.entries,
            aliases=cat.aliases,
            data=cat.data,
            user_parameters=cat.user_parameters,
            parameter_overrides=cat._up_overrides,
            metadata=cat.metadata,
        )

    def __call__(self, **kwargs: Any) -> TableCatalog:
        """A copy with user-parameter values set (intake's returns a plain Catalog)."""
        return type(self).from_catalog(super().__call__(**kwargs))

    def _repr_html_(self) -> str:
        from .html import catalog_html

        return catalog_html(self)

    def to_cube(self, **load: Any) -> Any:
        """The products of this search catalogue as one cube: a
        :class:`~.cube.CDSECubeReader` whose ``read()`` is :func:`cdse_intake.load` of them with
        ``load`` keywords (``bands=``, ``resolution=``, ...; the search's area is the ``bbox``
        unless given). No new search is made."""
        from .cube import products_cube

        return products_cube(self, load)

    @property
    def gui(self) -> Any:
        """A :class:`~cdse_intake.widgets.SearchPanel` for this catalogue (ipywidgets needed):
        filled with its query and products for search results, else with its user parameters."""
        from ..widgets import panel_for_catalog

        return panel_for_catalog(self)


#: The name before 0.1 (catalogue files that name it as ``output_instance`` still load).
CDSECatalog = TableCatalog


def _add(cat: Catalog, name: str, reader: Any) -> None:
    """Add ``reader`` as entry ``name``, listed under that name."""
    cat[name] = reader
    cat.aliases[name] = name


def open_catalog(path: str, **storage_options: Any) -> TableCatalog:
    """Load an intake 2 catalogue file (local or any fsspec URL) as a :class:`TableCatalog`."""
    return TableCatalog.from_catalog(Catalog.from_yaml_file(str(path), **storage_options))


def product_metadata(product: Any) -> dict[str, Any]:
    """What an entry tells about its product: plain values only (YAML, pickle, dask)."""
    record = product.to_dict()
    geometry = product.geometry
    return {
        "id": product.id,
        "name": product.name,
        "collection": product.collection,
        "product_type": product.product_type,
        "start": record["start"],
        "end": record["end"],
        "cloud_cover": product.cloud_cover,
        "size": product.size,
        "online": product.online,
        "bounds": None if geometry is None else [round(v, 6) for v in geometry.bounds],
        "footprint": record["footprint"],
        "attributes": record["attributes"],
    }


def products_catalog(
    results: Any, open_options: dict[str, Any], metadata: dict[str, Any]
) -> TableCatalog:
    """A catalogue of the products in ``results`` (:class:`~cdse_intake.SearchResults`)."""
    cat = TableCatalog(
        metadata={
            **metadata,
            "query": results.query.to_dict(),
            "backend": results.backend,
        }
    )
    for product in results:
        name = product.name if product.name not in cat.aliases else f"{product.name}#{product.id}"
        data = CDSEProduct(product.name, product.to_dict(), metadata=product_metadata(product))
        output = output_instance(product.name, open_options)
        _add(cat, name, CDSEProductReader(data=data, output_instance=output, **open_options))
    cat.metadata["products"] = len(cat.aliases)
    return cat


#: Options with which a family's reader returns one Dataset instead of its DataTree.
_DATASET_OPTIONS = {"sentinel-2": "resolution", "sentinel-3": "grid"}


def output_instance(name: str, options: dict[str, Any]) -> str:
    """What :func:`cdse_intake.open_product` returns for product ``name`` with ``options``.

    Multi-group products open as a DataTree, unless ``group=`` (or the family's own option, such
    as ``resolution=`` for Sentinel-2) selects one Dataset; single rasters open as a Dataset.
    """
    from ..readers.families import FAMILIES

    family = next((f for f in FAMILIES if f.names.search(name)), None)
    if family is None:
        return "xarray:Dataset"  # not known by name: the reader decides on the content
    single = family.key == "geotiff" or options.get("group") is not None
    if single or options.get(_DATASET_OPTIONS.get(family.key, "group")) is not None:
        return "xarray:Dataset"
    return "xarray:DataTree"


def entry_name(collection_id: str) -> str:
    """A Python identifier for a collection id: ``sentinel-2-l2a`` -> ``sentinel_2_l2a``."""
    name = re.sub(r"\W+", "_", collection_id.strip()).strip("_").lower()
    return name if name and not name[0].isdigit() else f"c_{name}"


def collections_catalog(
    collections: list[dict[str, Any]], search_kwargs: dict[str, Any], metadata: dict[str, Any]
) -> TableCatalog:
    """A catalogue of searchable collections (the records of :func:`cdse_intake.api.collections`).

    A collection cdse_intake knows by its STAC id is searched by that id; another one by its
    product types (which name it in the OData catalogue), else by its OData collection; one with
    none of them cannot be searched and is listed in the metadata under ``unsearchable``.
    """
    from ..collections import ODATA_COLLECTIONS, STAC_COLLECTIONS

    cat = TableCatalog(metadata={**metadata, "unsearchable": []})
    for record in collections:
        stac_id = record["id"]
        types = list(record.get("product_types") or [])
        if stac_id in STAC_COLLECTIONS:
            data = CDSECollection(stac_id)
        elif types:
            data = CDSECollection(None, types)
        elif record.get("odata") in ODATA_COLLECTIONS:
            data = CDSECollection(record["odata"])
        else:
            cat.metadata["unsearchable"].append(stac_id)
            continue
        data.metadata = {
            "title": record.get("title") or stac_id,
            "stac_id": stac_id,
            "odata": record.get("odata"),
            "product_types": types,
        }
        _add(cat, entry_name(stac_id), CDSESearchReader(data=data, **search_kwargs))
    return cat
