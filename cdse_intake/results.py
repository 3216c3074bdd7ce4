"""SearchResults: the products of a search, streamed as they arrive and kept once fetched.

Iterating starts with the first page; ``len()``, indexing past what has arrived, tables and
manifests wait for the rest. The search runs on fsspec's I/O event loop (one background thread,
shared with the filesystems), with backpressure: it fetches at most :data:`AHEAD` products
beyond what has been asked for, so looking at the first few products of a huge query costs a few
pages, not all of them.
"""

from __future__ import annotations

import asyncio
import html
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, overload

from .config import Endpoints, Settings
from .errors import CDSEError
from .product import Product
from .query import Query

__all__ = ["AHEAD", "SearchResults"]

#: Products fetched ahead of the consumer before the search pauses.
AHEAD = 5_000
#: Products an iterator takes from the stream at once (what has arrived, up to this many).
ITER_STEP = 256


class _Stream:
    """Products from an async generator on the I/O loop, handed to any number of threads."""

    def __init__(self, factory: Callable[[], AsyncIterator[Product]]) -> None:
        self.items: list[Product] = []
        self.done = False
        self.error: BaseException | None = None
        self._factory = factory
        self._cond = threading.Condition()
        self._wanted = 0
        self._resume: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started = False
        self._future: Any = None
        self.closed = False

    def _start(self) -> None:
        if self._started:
            return
        self._started = True
        from fsspec.asyn import get_loop

        self._loop = get_loop()
        self._future = asyncio.run_coroutine_threadsafe(self._run(), self._loop)

    def close(self) -> None:
        """Stop fetching: the products that arrived stay, and waiting consumers wake up."""
        with self._cond:
            self.closed = True
            if self._future is None:  # never started: nothing to cancel
                self._started = True
                self.done = True
            self._cond.notify_all()
        if self._future is not None:
            self._future.cancel()  # cancels the task on the I/O loop (thread-safe)

    async def _run(self) -> None:
        self._resume = asyncio.Event()
        try:
            async for product in self._factory():
                with self._cond:
                    self.items.append(product)
                    self._cond.notify_all()
                    pause = len(self.items) >= self._wanted + AHEAD
                if pause:
                    self._resume.clear()
                    with self._cond:
                        pause = len(self.items) >= self._wanted + AHEAD
                    if pause:
                        await self._resume.wait()
        except BaseException as err:  # handed to the consumer thread
            if not self.closed:
                self.error = err
        finally:
            with self._cond:
                self.done = True
                self._cond.notify_all()

    def _want(self, count: float) -> None:
        with self._cond:
            if count <= self._wanted:
                return
            self._wanted = int(min(count, 1 << 62))
        if self._loop is not None and self._resume is not None:
            self._loop.call_soon_threadsafe(self._resume.set)

    def get(self, index: int) -> Product | None:
        """The product at ``index``, waiting for it; None past the end."""
        found = self.get_many(index, 1)
        return found[0] if found else None

    def get_many(self, index: int, most: int) -> list[Product]:
        """Up to ``most`` products from ``index`` on, waiting for the first; [] past the end.

        Iterating takes what has arrived in one step, not one lock and possibly one thread
        wake-up per product (which showed in profiles of long enumerations)."""
        self._start()
        self._want(index + most)
        with self._cond:
            while len(self.items) <= index and not (self.done or self.closed):
                self._cond.wait()
            if len(self.items) > index:
                return self.items[index : index + most]
            if self.closed:
                return []
        if self.error is not None:
            raise self.error
        return []

    def all(self) -> list[Product]:
        self._start()
        self._want(float("inf"))
        with self._cond:
            while not (self.done or self.closed):
                self._cond.wait()
            if self.closed:
                return list(self.items)
        if self.error is not None:
            raise self.error
        return self.items


class SearchResults(Sequence[Product]):
    """The products found by a search, in the query's order.

    Made by :func:`cdse_intake.search` (lazily streamed) or :meth:`from_manifest` (restored).
    """

    def __init__(
        self,
        query: Query,
        *,
        backend: str = "odata",
        endpoints: Endpoints | None = None,
        stream: Callable[[], AsyncIterator[Product]] | None = None,
        products: Sequence[Product] | None = None,
        query_ids: Sequence[str] | None = None,
        on_complete: Callable[[SearchResults], None] | None = None,
        queries: Sequence[tuple[str, Query]] | None = None,
    ) -> None:
        if (stream is None) == (products is None):
            raise ValueError("give exactly one of stream= and products=")
        self.query = query
        self.backend = backend
        self.endpoints = Endpoints.coerce(endpoints)
        self._stream = _Stream(stream) if stream is not None else None
        self._products = list(products) if products is not None else None
        self._query_ids = list(query_ids) if query_ids is not None else None
        #: ``(query_id, Query)`` of each query of a multi-query search (``search_many``), else [].
        self.queries: list[tuple[str, Query]] = list(queries or ())
        self._on_complete = on_complete
        self._explanation: str | None = None
        #: Whether finding nothing warns (:class:`~cdse_intake.errors.NothingFoundWarning`,
        #: with :meth:`explain`'s answer).
        self.warn_empty = True

    # -- sequence --------------------------------------------------------------------------------
    @property
    def complete(self) -> bool:
        """Whether every product has arrived (``len()`` and tables are then free)."""
        return self._products is not None

    def _all(self) -> list[Product]:
        if self._products is None:
            assert self._stream is not None
            products = self._stream.all()
            if self._stream.closed:  # cut short: what arrived, never cached as complete
                return products
            self._products = products
            if self._on_complete is not None:
                self._on_complete(self)
            if not products and self.warn_empty:
                import warnings

                from .errors import NothingFoundWarning

                warnings.warn(NothingFoundWarning(self.explain()), stacklevel=3)
        return self._products

    def explain(self) -> str:
        """Why the search found nothing: which of its constraints, dropped alone, finds products
        (a few ``limit=1`` searches, made once); empty when products were found."""
        if self._products is None:
            self._all()
        if self._products:
            return ""
        if self._explanation is None:
            from .catalogue.explain import explain_empty

            settings = Settings.coerce(None)
            self._explanation = explain_empty(self.query, self.endpoints, settings)
        return self._explanation

    def close(self) -> None:
        """Stop a search still streaming (e.g. a user's cancel): no more pages are requested.

        The products that arrived stay available; iteration ends after them, and the results
        are never stored in the query cache as complete. Nothing happens once complete.
        """
        if self._products is None and self._stream is not None:
            self._stream.close()

    def __iter__(self) -> Iterator[Product]:
        if self._products is not None:
            yield from self._products
            return
        assert self._stream is not None
        index = 0
        while True:
            products = self._stream.get_many(index, ITER_STEP)
            if not products:
                if not self._stream.closed:
                    self._all()
                return
            yield from products
            index += len(products)

    def __len__(self) -> int:
        return len(self._all())

    @overload
    def __getitem__(self, index: int) -> Product: ...

    @overload
    def __getitem__(self, index: slice) -> list[Product]: ...

    def __getitem__(self, index: int | slice) -> Product | list[Product]:
        if isinstance(index, slice) or index < 0 or self._stream is None:
            return self._all()[index]
        if self._products is not None:
            return self._products[index]
        product = self._stream.get(index)
        if product is None:
            raise IndexError(f"index {index} is past the {len(self)} products found")
        return product

    def __bool__(self) -> bool:
        if self._products is not None:
            return bool(self._products)
        assert self._stream is not None
        return self._stream.get(0) is not None

    def __repr__(self) -> str:
        count = f"{len(self._products)} products" if self._products is not None else "streaming"
        return f"<SearchResults {self.backend}: {count}; {self.query.to_dict()}>"

    @property
    def query_ids(self) -> list[str]:
        """The id of the query that found each product (multi-query searches), else ''."""
        return self._query_ids or [""] * len(self)

    # -- tables ----------------------------------------------------------------------------------
    def to_dataframe(self, land_fraction: bool | None = None) -> Any:
        """A pandas DataFrame, one row per product, with a shapely ``geometry`` column.

        ``land_fraction`` adds that column (:attr:`Product.land_fraction`, 0..1; needs the
        ``landsea`` extra): True always (the first use loads the mask, ~1.5 s and ~420 MB, then
        ~10-20 ms per footprint), False never, None (default) when the query had
        ``min_sea_percent`` or ``min_land_percent`` (the values are then already computed).
        """
        from .tables import products_frame

        if land_fraction is None:
            q = self.query
            land_fraction = q.min_sea_percent is not None or q.min_land_percent is not None
        return products_frame(
            self._all(), self.query_ids, self.endpoints.download, land_fraction=land_fraction
        )

    def to_geodataframe(self) -> Any:
        """A geopandas GeoDataFrame (EPSG:4326); needs geopandas."""
        try:
            import geopandas
        except ImportError as err:
            raise ImportError(
                "to_geodataframe() needs geopandas: pip install geopandas "
                "(to_dataframe() works without it)"
            ) from err
        frame = self.to_dataframe()
        return geopandas.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")

    def to_pystac(self) -> Any:
        """The products as a ``pystac.ItemCollection`` (for odc-stac, stackstac; needs pystac):
        CDSE's STAC ids, properties and assets plus a ``product`` asset (the download service's
        ``$value``); see :mod:`cdse_intake.stac_items`."""
        from .stac_items import item_collection

        e = self.endpoints
        return item_collection(self._all(), e.download, e.stac, self.query.collection)

    # -- manifests -------------------------------------------------------------------------------
    def to_manifest(self, path: str | Path) -> Path:
        """Write the query and products to a manifest file, merged into it if it exists (rows
        keep their download state; see :func:`cdse_intake.manifest.merge_manifest`)."""
        from .manifest import merge_manifest

        products = self._all()
        return merge_manifest(path, products, self.query_ids, **self.manifest_header())

    def manifest_header(self) -> dict[str, Any]:
        """What a manifest of these results records above its rows: query, backend, endpoint."""
        header = {
            "query": self.query.to_dict(),
            "backend": self.backend,
            "endpoint": self.search_endpoint,
        }
        if self.queries:  # search_many: every query, by its query_id
            header["queries"] = {qid: q.to_dict() for qid, q in self.queries}
        return header

    def download(self, dest: str | Path | None = None, **kwargs: Any) -> Any:
        """Download every product: :func:`cdse_intake.download` with these results.

        Returns its :class:`~cdse_intake.downloads.DownloadReport`; keywords (``progress``,
        ``via``, ``manifest``, ``max_connections``, ``credentials``, ...) are passed on.
        """
        from .downloads import download

        return download(self, dest, **kwargs)

    def open(self, which: int | slice | None = None, **kwargs: Any) -> Any:
        """Open products lazily as xarray (:func:`cdse_intake.open_product` keywords).

        ``which``: an index (one Dataset/DataTree), a slice or None (all: a list, in result
        order). Products not yet in the cache are downloaded first in one batch, within the
        connection quota, unless ``remote=True``.
        """
        from .readers import open_product

        if isinstance(which, int):
            return open_product(self[which], **kwargs)
        if which is not None and not isinstance(which, slice):
            raise TypeError(
                f"which={which!r} is not a result index; expected an int, a slice or None (all)"
            )
        products = self[which] if which is not None else list(self)
        if not kwargs.get("remote"):
            self._fetch(products, kwargs)
        return [open_product(p, **kwargs) for p in products]

    def load(self, **kwargs: Any) -> Any:
        """These products as one lazy (time, y, x) cube: :func:`cdse_intake.load` keywords.

        The endpoints default to this search's.
        """
        from .cubes import load

        kwargs.setdefault("endpoints", self.endpoints)
        return load(self, **kwargs)

    def _fetch(self, products: list[Product], kwargs: dict[str, Any]) -> None:
        """Download the products the cache lacks, together (open_product then finds them)."""
        from .config import resolve
        from .downloads import ensure_local

        context = resolve(
            endpoints=kwargs.get("endpoints") or self.endpoints,
            settings=kwargs.get("settings"),
            credentials=kwargs.get("credentials"),
            via=kwargs.get("via"),
        )
        ensure_local(products, context, progress=kwargs.get("progress", True))

    @property
    def search_endpoint(self) -> str:
        """The catalogue root the search used (recorded in manifests)."""
        return self.endpoints.stac if self.backend == "stac" else self.endpoints.catalogue

    @classmethod
    def from_manifest(cls, path: str | Path) -> SearchResults:
        """The results recorded in a manifest (no request is made)."""
        from .manifest import ManifestError, read_manifest

        manifest = read_manifest(path)
        try:
            query = Query(**_query_kwargs(manifest.query))
        except CDSEError as err:
            raise ManifestError(f"{str(path)!r}: its query header is not valid: {err}") from err
        try:
            queries = [(qid, Query(**_query_kwargs(q))) for qid, q in manifest.queries.items()]
        except CDSEError as err:
            raise ManifestError(f"{str(path)!r}: its queries header is not valid: {err}") from err
        return cls(
            query,
            backend=manifest.backend,
            products=[row.product for row in manifest.rows],
            query_ids=[row.query_id for row in manifest.rows],
            queries=queries,
        )

    # -- notebook display ------------------------------------------------------------------------
    def _repr_html_(self) -> str:
        products = self._all()
        shown = products[:50]
        rows = []
        for p in shown:
            when = p.start.strftime("%Y-%m-%d %H:%M") if p.start else ""
            cloud = "" if p.cloud_cover is None else f"{p.cloud_cover:.1f}"
            size = "" if p.size is None else f"{p.size / 1e6:,.1f}"
            bounds = p.geometry.bounds if p.footprint else None
            where = "" if bounds is None else "{:.2f}, {:.2f} … {:.2f}, {:.2f}".format(*bounds)
            rows.append(
                "<tr>"
                + "".join(
                    f"<td>{html.escape(str(v))}</td>"
                    for v in (
                        p.name,
                        when,
                        cloud,
                        size,
                        "" if p.online is None else p.online,
                        where,
                    )
                )
                + "</tr>"
            )
        more = f"<p>… and {len(products) - len(shown)} more</p>" if len(products) > 50 else ""
        head = "".join(
            f"<th>{h}</th>"
            for h in ("name", "sensing start", "cloud %", "MB", "online", "footprint (W S … E N)")
        )
        return (
            f"<p><b>{len(products)} products</b> from {html.escape(self.backend)}</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"
        )


def _query_kwargs(saved: dict[str, Any]) -> dict[str, Any]:
    """Query keyword arguments from :meth:`Query.to_dict` output (lists back to tuples)."""
    from datetime import datetime

    from .query import AttributeFilter

    out: dict[str, Any] = {}
    for key, value in saved.items():
        if key == "attributes":
            value = tuple(
                AttributeFilter(
                    name, op, datetime.fromisoformat(v) if vtype == "DateTimeOffset" else v, vtype
                )
                for name, op, v, vtype in value
            )
        elif isinstance(value, list):
            value = tuple(value)
        out[key] = value
    return out
