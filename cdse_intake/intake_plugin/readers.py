"""The intake 2 readers of CDSE: collections -> search -> products -> xarray.

- :class:`CDSECollectionsReader` lists the collections the live catalogue offers (a catalogue of
  :class:`CDSESearchReader` entries);
- :class:`CDSESearchReader` searches one collection (:func:`cdse_intake.search`) and gives a
  catalogue with one :class:`CDSEProductReader` entry per product, named by product name;
- :class:`CDSEProductReader` downloads the product (verified, into the cache) unless it is cached
  or ``remote=True``, and opens it lazily with :func:`cdse_intake.open_product`: the variables are
  dask arrays, so ``read()`` and ``to_dask()`` are the same and cost only metadata reads.

The readers hold only plain keyword values. Service addresses come from ``CDSE_*`` variables and
credentials from ``CDSE_USERNAME``/``CDSE_PASSWORD`` or ``~/.netrc`` when a reader reads; a
keyword that would carry a secret or an endpoint is refused, since reader keywords end up in
catalogue files, pickles and dask graphs. Importing this module imports nothing heavy.
"""

from __future__ import annotations

from typing import Any, ClassVar

from intake.readers.readers import BaseReader

from .datatypes import CDSECollection, CDSECollections, CDSEProduct

__all__ = ["CDSECollectionsReader", "CDSEProductReader", "CDSESearchReader", "search_collection"]

_CREDENTIALS = (
    "credentials come from CDSE_USERNAME/CDSE_PASSWORD or ~/.netrc, never from reader "
    "arguments (they would be stored in catalogue files, pickles and dask graphs)"
)
_ENDPOINTS = "the service addresses come from the CDSE_* environment variables at read time"

#: Keywords refused by every reader, with the reason given in the error.
REFUSED: dict[str, str] = {
    **dict.fromkeys(
        (
            "credentials",
            "username",
            "password",
            "token",
            "access_token",
            "refresh_token",
            "totp",
            "totp_secret",
            "s3_keys",
            "access_key",
            "secret_key",
        ),
        _CREDENTIALS,
    ),
    "service_key": "the CLMS service key comes from CDSE_CLMS_SERVICE_KEY or clms_service_key "
    "in the config file, never from reader arguments",
    "endpoints": _ENDPOINTS,
    "settings": "settings come from the CDSE_* environment variables and the config file",
}

#: Keywords of :func:`cdse_intake.search` beyond the Query fields.
_SEARCH_EXTRAS = frozenset({"bbox", "backend", "cache", "progress", "open_options"})


def _search_keywords() -> frozenset[str]:
    from ..query import Query

    fields = set(Query.__dataclass_fields__) - {"stac_collections", "collection"}
    return frozenset(fields | _SEARCH_EXTRAS)


def _check_keywords(reader: str, given: dict[str, Any], accepted: frozenset[str] | None) -> None:
    """Refuse secrets and endpoints (naming the keyword, never its value) and unknown names."""
    nested = dict(given.get("open_options") or {})  # the product entries' keywords
    for where, names in ((reader, given), (f"{reader} open_options", nested)):
        for name in names:
            if name in REFUSED:
                raise ValueError(f"{where}: refusing the keyword {name!r}: {REFUSED[name]}")
    if accepted is not None:
        unknown = sorted(set(given) - accepted - {"data", "args"})
        if unknown:
            raise TypeError(
                f"{reader} has no option {', '.join(map(repr, unknown))}; it accepts "
                + ", ".join(sorted(accepted))
            )


class _CDSEReader(BaseReader):
    """Keyword checks when made and when read; ``reader(**changes)`` keeps the entry's metadata."""

    def __init__(
        self,
        *args: Any,
        metadata: dict[str, Any] | None = None,
        output_instance: str | None = None,
        **kwargs: Any,
    ) -> None:
        _check_keywords(type(self).__name__, kwargs, self._accepted())
        super().__init__(*args, metadata=metadata, output_instance=output_instance, **kwargs)

    @classmethod
    def _accepted(cls) -> frozenset[str] | None:
        """The keyword names this reader takes (None: any, checked when reading)."""
        return None

    def read(self, *args: Any, **kwargs: Any) -> Any:
        """Read, with ``kwargs`` overriding the reader's keywords for this call."""
        _check_keywords(type(self).__name__, kwargs, self._accepted())
        return super().read(*args, **kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """A new reader with some keywords changed (intake's drops the metadata; this keeps it)."""
        kw = self.kwargs.copy()
        kw.update(kwargs)
        if args:
            kw["args"] = args
        return type(self)(metadata=self.metadata, output_instance=self.output_instance, **kw)


class CDSEProductReader(_CDSEReader):
    """One product as a lazy xarray Dataset (or DataTree for multi-group products).

    Keywords are those of :func:`cdse_intake.open_product`: ``chunks``, ``remote``, ``via``,
    ``group``, ``family``, ``progress`` and the family reader's options (``resolution=``, ...).
    """

    implements: ClassVar[set[type]] = {CDSEProduct}
    imports: ClassVar[set[str]] = {"xarray", "dask"}
    output_instance = "xarray:Dataset"

    def _read(self, data: CDSEProduct, **options: Any) -> Any:
        from ..product import Product
        from ..readers import open_product

        target = Product.from_dict(data.record) if data.record else data.name
        return open_product(target, **options)

    def to_dask(self, **options: Any) -> Any:
        """The dataset with dask arrays: the same as :meth:`read`, which is lazy already."""
        return self.read(**options)


class CDSESearchReader(_CDSEReader):
    """Searches a collection; reads to a catalogue of its products, named by product name.

    Keywords are :func:`cdse_intake.search`'s (``bbox``, ``geometry``, ``start``, ``end``,
    ``cloud``, ``product_type``, ``limit``, ``tile``, ``orbit``, ``sort``, ``backend``, ...) and
    ``open_options``, the :class:`CDSEProductReader` keywords given to every product entry.
    """

    implements: ClassVar[set[type]] = {CDSECollection}
    output_instance = "cdse_intake.intake_plugin.catalog:TableCatalog"

    @classmethod
    def _accepted(cls) -> frozenset[str]:
        return _search_keywords()

    def _read(
        self,
        data: CDSECollection,
        product_type: str | list[str] | None = None,
        open_options: dict[str, Any] | None = None,
        **search_kwargs: Any,
    ) -> Any:
        from .catalog import products_catalog

        results = search_collection(data, product_type, search_kwargs)
        return products_catalog(
            results,
            open_options=dict(open_options or {}),
            metadata=dict(self.metadata),
        )

    def to_cube(self, **load: Any) -> Any:
        """This search read as one cube: a :class:`~.cube.CDSECubeReader` with the same search,
        whose ``read()`` gives :func:`cdse_intake.load` of its results with ``load`` keywords
        (``bands=``, ``crs=``, ``resolution=``, ``mask=`` ...; the search's area is the cube's
        ``bbox`` unless given)."""
        from .cube import CDSECubeReader

        search = {k: v for k, v in self.kwargs.items() if k not in ("data", "open_options")}
        return CDSECubeReader(data=self.data, metadata=self.metadata, load=load, **search)


def search_collection(
    data: CDSECollection, product_type: Any, search_kwargs: dict[str, Any]
) -> Any:
    """:func:`cdse_intake.search` of ``data``'s collection (``product_type``: the search's own,
    else the collection entry's)."""
    from ..api import search

    wanted = product_type or data.product_type
    return search(
        data.collection,
        product_type=tuple(wanted) if isinstance(wanted, list) else wanted,
        **search_kwargs,
    )


class CDSECollectionsReader(_CDSEReader):
    """Every collection of the live catalogue (:func:`cdse_intake.api.collections`).

    Reads to a catalogue with one :class:`CDSESearchReader` per collection, named by its STAC id
    with ``_`` for ``-`` (``sentinel_2_l2a``); its keywords (any of the search's) are given to
    every collection entry, e.g. ``bbox``, ``start``, ``end`` and ``limit``.
    """

    implements: ClassVar[set[type]] = {CDSECollections}
    imports: ClassVar[set[str]] = {"pystac_client"}
    output_instance = "cdse_intake.intake_plugin.catalog:TableCatalog"

    @classmethod
    def _accepted(cls) -> frozenset[str]:
        return _search_keywords()

    def _read(self, data: CDSECollections, **search_kwargs: Any) -> Any:
        from ..api import collections
        from .catalog import collections_catalog

        return collections_catalog(collections(), search_kwargs, metadata=dict(self.metadata))
