"""Search results as one cube in intake 2: :class:`CDSECubeReader`.

Two ways to it, both giving a reader whose ``read()`` (or ``to_dask()``: the cube is lazy) is
:func:`cdse_intake.load` of the products:

.. code-block:: python

    entry = cat.sentinel2_l2a(area=[2.3, 48.8, 2.4, 48.9], since="2023-05-01")
    cube = entry.to_cube(bands=["B04", "B08"], resolution=20).read()  # search, then load

    found = entry.read()                                   # the products as a catalogue
    cube = found.to_cube(bands="B04,B08", mask="cloud").read()  # those products, no new search

The reader keeps plain values only (the search's keywords and ``load``, the keywords of
:func:`cdse_intake.load`), so it pickles, goes into catalogue files and dask graphs; the
search's area is the cube's ``bbox`` unless ``load`` gives its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from .datatypes import CDSECollection, CDSEProducts
from .readers import REFUSED, _CDSEReader, _search_keywords, search_collection

__all__ = ["CDSECubeReader"]


def _checked_load(load: Any) -> dict[str, Any]:
    """``load`` as a dict; secrets and endpoints refused by name, as every reader does."""
    if load is None:
        return {}
    if not isinstance(load, Mapping):
        raise TypeError(
            f"CDSECubeReader load={load!r}: expected a mapping of cdse_intake.load keywords, "
            "e.g. {'bands': ['B04', 'B08'], 'resolution': 20}"
        )
    for name in load:
        if name in REFUSED:
            raise ValueError(f"CDSECubeReader load: refusing the keyword {name!r}: {REFUSED[name]}")
    return dict(load)


class CDSECubeReader(_CDSEReader):
    """A collection's search, or a search's products, as one lazy (time, y, x) Dataset.

    Keywords: the search's (``bbox``, ``start``, ``end``, ``cloud``, ``product_type``, ...,
    as :class:`~.readers.CDSESearchReader`; none for :class:`~.datatypes.CDSEProducts`) and
    ``load``, the keywords of :func:`cdse_intake.load` (``bands``/``variables``, ``crs``,
    ``resolution``, ``bbox``, ``groupby``, ``mask``, ``chunks``, ``resampling``, ``remote``,
    ``via`` and the family's options). ``read(load={...})`` updates the reader's ``load``.
    """

    implements: ClassVar[set[type]] = {CDSECollection, CDSEProducts}
    imports: ClassVar[set[str]] = {"xarray", "dask"}
    output_instance = "xarray:Dataset"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "load" in kwargs:
            kwargs["load"] = _checked_load(kwargs["load"])
        super().__init__(*args, **kwargs)

    @classmethod
    def _accepted(cls) -> frozenset[str]:
        return _search_keywords() | {"load"}

    def read(self, *args: Any, **kwargs: Any) -> Any:
        """The cube; ``load={...}`` here updates the reader's ``load`` keywords for this call."""
        if "load" in kwargs:
            kwargs["load"] = {**self.kwargs.get("load", {}), **_checked_load(kwargs["load"])}
        return super().read(*args, **kwargs)

    def _read(
        self,
        data: CDSECollection | CDSEProducts,
        load: dict[str, Any] | None = None,
        product_type: Any = None,
        **search_kwargs: Any,
    ) -> Any:
        from ..cubes import load as load_cube

        options = dict(load or {})
        if isinstance(data, CDSEProducts):
            if search_kwargs or product_type is not None:
                given = sorted([*search_kwargs, *(["product_type"] if product_type else [])])
                raise TypeError(
                    f"CDSECubeReader: {', '.join(given)} would search again; these products "
                    "were found already (put cube keywords in load={...})"
                )
            from ..product import Product

            source: Any = [Product.from_dict(record) for record in data.records]
            area = None if data.bbox is None else tuple(data.bbox)
        else:
            source = search_collection(data, product_type, search_kwargs)
            geometry = source.query.geometry
            area = None if geometry is None else tuple(float(v) for v in geometry.bounds)
        options.setdefault("bbox", area)
        return load_cube(source, **options)

    def to_dask(self, **kwargs: Any) -> Any:
        """The cube with dask arrays: the same as :meth:`read`, which is lazy already."""
        return self.read(**kwargs)


def products_cube(catalog: Any, load: dict[str, Any]) -> CDSECubeReader:
    """A :class:`CDSECubeReader` of the products in a search's catalogue (its product entries'
    records and the search's area)."""
    from ..query import Query

    records = []
    for name in catalog:
        data = catalog[name].kwargs.get("data")
        if getattr(data, "record", None) is None:
            raise ValueError(
                f"entry {name!r} is not a product found by a search; to_cube() reads the "
                "catalogue a search entry reads to (entry.read().to_cube(...))"
            )
        records.append(data.record)
    if not records:
        raise ValueError("this catalogue lists no product: nothing to load as a cube")
    query = catalog.metadata.get("query") or {}
    geometry = Query(geometry=query["geometry"]).geometry if query.get("geometry") else None
    bbox = None if geometry is None else [float(v) for v in geometry.bounds]
    return CDSECubeReader(
        data=CDSEProducts(records, bbox), metadata=dict(catalog.metadata), load=load
    )
