"""The public search functions: ``search(...)``, ``start_search(...)`` (the same, off the
caller's thread, cancellable) and ``search_many(table)``."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any

from .config import Endpoints, Settings
from .errors import QueryError
from .jobs import CancelledError, Job
from .product import Product
from .query import LOCAL_SORT_FIELDS, Query
from .results import SearchResults

__all__ = ["collections", "search", "search_many", "start_search"]


def search(
    collection: str | None = None,
    *,
    product_type: str | tuple[str, ...] | None = None,
    bbox: Any = None,
    geometry: Any = None,
    start: Any = None,
    end: Any = None,
    cloud: Any = None,
    tile: str | None = None,
    orbit: int | None = None,
    relative_orbit: int | None = None,
    orbit_direction: str | None = None,
    platform: str | None = None,
    name_contains: str | None = None,
    online: bool | None = None,
    attributes: Any = None,
    sort: Any = "start",
    limit: int | None = None,
    backend: str = "odata",
    query: Query | None = None,
    endpoints: Endpoints | None = None,
    settings: Settings | None = None,
    cache: bool = True,
    progress: bool = False,
    validate: bool = True,
    **more: Any,
) -> SearchResults:
    """Search CDSE; returns :class:`SearchResults`, streamed as pages arrive.

    Every keyword is a :class:`~cdse_intake.query.Query` field (``more`` takes the rest:
    ``processing_level``, ``processing_baseline``, ``timeliness``, ``name_startswith``,
    ``name_endswith``, ``min_sea_percent``, ``min_land_percent``); or pass a ready ``query=``.
    ``backend`` is ``"odata"`` (default; every collection, online state) or ``"stac"``, or
    ``"usgs"`` for Landsat through USGS's M2M API (:mod:`cdse_intake.usgs`; then also
    ``credentials=``, the USGS account; WRS path/row as ``attributes={"wrsPath": 198}``). Invalid
    input raises :class:`~cdse_intake.errors.QueryError` before any request. With ``cache`` an
    identical query within ``settings.query_cache_age`` seconds reuses the previous results.
    ``progress`` shows a bar (terminal or notebook) counting products as they arrive.
    ``validate`` checks the query against what the catalogue offers
    (:mod:`.catalogue.validate`: product types, processing levels, attribute names and types of
    the collection) before any search request; ``validate=False`` sends it as given.
    """
    usgs_account = more.pop("credentials", None) if backend == "usgs" else None
    fields = {
        "collection": collection,
        "product_type": product_type,
        "bbox": bbox,
        "geometry": geometry,
        "start": start,
        "end": end,
        "cloud": cloud,
        "tile": tile,
        "orbit": orbit,
        "relative_orbit": relative_orbit,
        "orbit_direction": orbit_direction,
        "platform": platform,
        "name_contains": name_contains,
        "online": online,
        "attributes": attributes or (),
        "sort": sort,
        "limit": limit,
        **more,
    }
    if query is not None:
        given = {k: v for k, v in fields.items() if v not in (None, (), "start")}
        if given:
            raise QueryError(f"give either query= or query fields, not both (got {sorted(given)})")
    else:
        unknown = set(more) - set(Query.__dataclass_fields__) - {"bbox"}
        if unknown:
            raise QueryError(
                f"unknown search parameter(s) {sorted(unknown)}; expected Query fields such as "
                "collection, bbox, start, end, cloud, tile, orbit, platform, attributes"
            )
        query = Query(**fields)
    if backend == "usgs":
        from .usgs import search as usgs_search

        found = usgs_search(query, credentials=usgs_account, endpoints=endpoints, settings=settings)
        usgs = SearchResults(query, backend="usgs", endpoints=endpoints, products=found)
        usgs.warn_empty = False  # explain() asks CDSE's catalogue, not USGS
        return usgs
    return _results(
        query, backend, Endpoints.coerce(endpoints), settings, cache, progress, validate=validate
    )


def start_search(
    *,
    on_products: Callable[[list[Product]], Any] | None = None,
    every: float = 0.25,
    name: str = "cdse-search",
    **search_kwargs: Any,
) -> Job[SearchResults]:
    """Start :func:`search` on a thread of its own; returns the running :class:`~.jobs.Job`.

    ``search_kwargs`` are :func:`search`'s; invalid ones raise here, before any request.
    ``on_products(found)`` (on the job's thread; keep it quick) gets the products found so far
    at most every ``every`` seconds while pages arrive, and once more when the search ends,
    also when it was cancelled or failed. The job's result is the complete
    :class:`SearchResults` (when it is empty, its ``explain()`` says why); ``job.cancel()``
    stops requesting pages and ``job.result()`` then raises
    :class:`concurrent.futures.CancelledError`.
    """
    if isinstance(every, bool) or not isinstance(every, (int, float)) or every < 0:
        raise QueryError(f"every={every!r} is invalid; expected seconds >= 0")
    results = search(**search_kwargs)
    results.warn_empty = False  # a warning on the job's thread reaches nobody: explain() says it

    def run(job: Job[SearchResults]) -> SearchResults:
        job.on_cancel(results.close)  # no more pages are requested once cancelled
        found: list[Product] = []
        last = time.monotonic()
        try:
            for product in results:
                if job.cancelled():
                    break
                found.append(product)
                if on_products is not None and time.monotonic() - last >= every:
                    last = time.monotonic()
                    on_products(list(found))
        finally:
            if on_products is not None:
                on_products(list(found))
        if job.cancelled():
            raise CancelledError(f"{name} was cancelled")
        return results

    return Job(run, name=name).start()


def _results(
    query: Query,
    backend: str,
    endpoints: Endpoints,
    settings: Settings | None,
    cache: bool,
    progress: bool = False,
    *,
    validate: bool = True,
) -> SearchResults:
    from .catalogue import backend_class, query_cache

    cls = backend_class(backend)
    settings = Settings.coerce(settings)
    if validate:
        query = checked(query, endpoints, settings)
    # A sort no catalogue does (cloud cover): everything in start order, sorted here.
    local_sort = query.sort[0] in LOCAL_SORT_FIELDS
    asked = query.replace(sort="start", limit=None) if local_sort else query
    if backend == "stac":
        cls(asked, endpoints=endpoints, settings=settings)  # validates what STAC can express
    endpoint = endpoints.stac if backend == "stac" else endpoints.catalogue
    key = query_cache.cache_key(query, backend, endpoint)
    if cache:
        cached = query_cache.load(settings.cache_dir, key, settings.query_cache_age)
        if cached is not None:
            return SearchResults(query, backend=backend, endpoints=endpoints, products=cached)

    async def fetched() -> AsyncIterator[Product]:
        import asyncio

        from .landsea import passes
        from .net.http import new_session

        # Land/sea bounds are applied here, on the catalogue's products (no catalogue knows
        # them): the catalogue must not stop at the limit, the products kept do.
        bounds = {
            "min_sea_percent": query.min_sea_percent,
            "min_land_percent": query.min_land_percent,
        }
        bounded = any(v is not None for v in bounds.values())
        wanted = asked.replace(limit=None) if bounded else asked
        kept = 0
        async with new_session(timeout=settings.timeout) as session:
            searcher = cls(wanted, endpoints=endpoints, settings=settings, session=session)
            found = searcher.products()
            try:
                async for product in found:
                    if bounded:
                        # The mask loads (~1 s) and samples off the event loop.
                        land = await asyncio.to_thread(getattr, product, "land_fraction")
                        if not passes(land, **bounds):
                            continue
                    yield product
                    kept += 1
                    if bounded and asked.limit is not None and kept >= asked.limit:
                        return
            finally:
                await found.aclose()

    async def ordered() -> AsyncIterator[Product]:
        found = [product async for product in fetched()]
        for product in sort_locally(found, query)[: query.limit]:
            yield product

    async def stream() -> AsyncIterator[Product]:
        bar = _progress_bar(query) if progress else None
        try:
            async for product in ordered() if local_sort else fetched():
                if bar is not None:
                    bar.update(1)
                yield product
            if bar is not None:
                bar.total = bar.n  # the total is known now
                bar.refresh()
        finally:
            if bar is not None:
                bar.close()

    def remember(results: SearchResults) -> None:
        if cache and settings.query_cache_age > 0:
            query_cache.store(settings.cache_dir, key, list(results))

    return SearchResults(
        query, backend=backend, endpoints=endpoints, stream=stream, on_complete=remember
    )


def checked(query: Query, endpoints: Endpoints, settings: Settings) -> Query:
    """``query`` checked against the vocabulary of the catalogue at ``endpoints``,
    ``processing_level`` turned into product types. What is known without a request (the
    service's answer kept from earlier, else the shipped snapshot) is tried first; a query it
    refuses is checked again against the service's own answer (a collection or product type
    newer than the snapshot), asked at most once a day."""
    from .catalogue.live_vocabulary import current, known
    from .catalogue.validate import check

    first = known(endpoints.stac, endpoints.catalogue, settings.cache_dir)
    try:
        return check(query, first)
    except QueryError:
        live = current(
            endpoints.stac, endpoints.catalogue, settings.cache_dir, min(settings.timeout, 30.0)
        )
        if live is first:
            raise
        return check(query, live)


def sort_locally(products: list[Product], query: Query) -> list[Product]:
    """``products`` in the order of ``query.sort`` (a :data:`~.query.LOCAL_SORT_FIELDS` key);
    products without the value come last whichever the direction, in start order."""
    key, direction = query.sort
    name = LOCAL_SORT_FIELDS[key]

    def number(product: Product) -> float | None:
        got = getattr(product, name)
        return None if got is None else float(got)

    having = [p for p in products if number(p) is not None]
    missing = [p for p in products if number(p) is None]
    having.sort(key=lambda p: number(p) or 0.0, reverse=direction == "desc")  # stable
    return having + missing


def _progress_bar(query: Query) -> Any:
    from tqdm.auto import tqdm

    return tqdm(desc=f"searching {query.collection or 'CDSE'}", unit=" products", total=query.limit)


def search_many(
    table: Any,
    *,
    backend: str = "odata",
    endpoints: Endpoints | None = None,
    settings: Settings | None = None,
    cache: bool = True,
    parallel: bool = False,
    max_workers: int = 4,
) -> SearchResults:
    """Run several queries and concatenate their results, with a ``query_id`` per product.

    ``table`` is a pandas DataFrame or an iterable of mappings; each row holds search keywords
    (``collection``, ``start``, ``end``, ``geometry``/``bbox``, ``product_type``, ...) and an
    optional ``query_id`` (default: the row number). Large queries are split in time
    automatically, as every search is. ``parallel=True`` runs up to ``max_workers`` queries at
    once; the products come in the same order either way (query by query, in table order).
    The results remember every query (``results.queries``), and so do their manifests.
    """
    if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
        raise QueryError(f"max_workers={max_workers!r} is invalid; expected a whole number >= 1")
    rows = _rows(table)
    endpoints = Endpoints.coerce(endpoints)
    queries: list[tuple[str, Query]] = []
    for number, row in enumerate(rows):
        params = {k: v for k, v in row.items() if not _missing(v)}
        query_id = str(params.pop("query_id", number))
        try:
            query = Query(**params)
        except QueryError as err:
            raise QueryError(f"query {query_id!r} (row {number}): {err.message}") from err
        except TypeError as err:
            raise QueryError(f"query {query_id!r} (row {number}): {err}") from err
        queries.append((query_id, query))

    def fetch(query: Query) -> list[Product]:
        found = _results(query, backend, endpoints, settings, cache)
        found.warn_empty = False  # an empty slice of a table of queries is no news
        return list(found)

    if parallel and len(queries) > 1:
        from concurrent.futures import ThreadPoolExecutor

        # Each thread only waits: the requests of every query run on the one I/O event loop.
        workers = min(max_workers, len(queries))
        with ThreadPoolExecutor(workers, thread_name_prefix="cdse-search-many") as pool:
            found = list(pool.map(fetch, [query for _, query in queries]))  # in table order
    else:
        found = [fetch(query) for _, query in queries]
    products: list[Product] = []
    ids: list[str] = []
    for (query_id, _), got in zip(queries, found, strict=True):
        products.extend(got)
        ids.extend([query_id] * len(got))
    combined = Query(sort=queries[0][1].sort if queries else "start")
    return SearchResults(
        combined,
        backend=backend,
        endpoints=endpoints,
        products=products,
        query_ids=ids,
        queries=queries,
    )


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import math

        return isinstance(value, float) and math.isnan(value)
    except TypeError:
        return False


def _rows(table: Any) -> list[Mapping[str, Any]]:
    if hasattr(table, "to_dict") and hasattr(table, "columns"):
        return table.to_dict(orient="records")
    if isinstance(table, Iterable) and not isinstance(table, (str, bytes, Mapping)):
        rows = list(table)
        if all(isinstance(r, Mapping) for r in rows):
            return rows
    raise QueryError(
        f"search_many() needs a DataFrame or a list of dicts of search keywords, got {type(table)}"
    )


def collections(endpoints: Endpoints | None = None) -> list[dict[str, Any]]:
    """The live catalogue's collections: STAC id, title, OData name and product types."""
    from pystac_client import Client
    from pystac_client.exceptions import APIError

    from .collections import STAC_COLLECTIONS
    from .errors import ServiceError

    endpoints = Endpoints.coerce(endpoints)
    try:
        client = Client.open(endpoints.stac)
        found = list(client.get_collections())
    except (APIError, OSError) as err:
        raise ServiceError(f"cannot list the collections of {endpoints.stac}: {err}") from err
    out = []
    for coll in found:
        known = STAC_COLLECTIONS.get(coll.id)
        summaries = coll.summaries.to_dict() if coll.summaries else {}
        types = summaries.get("product:type") or (list(known.product_types) if known else [])
        constellation = (summaries.get("constellation") or [""])[0]
        out.append(
            {
                "id": coll.id,
                "title": coll.title or "",
                "odata": known.odata if known else str(constellation).upper() or None,
                "product_types": list(types),
            }
        )
    return sorted(out, key=lambda c: c["id"])
