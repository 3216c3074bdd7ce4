"""Deleted products: CDSE's ``/odata/v1/DeletedProducts`` (cdse-api.md §1.1, DOC-ODATA).

CDSE takes products out of its catalogue (duplicates, products without checksum, corrupted
ones, and "Obsolete product or Other", which is what a reprocessing supersedes) and lists them,
with ``DeletionDate`` and ``DeletionCause``, in a second entity set that takes the same query
options as ``/Products``, except: ``$orderby`` only by ``ContentDate/Start``, ``ContentDate/End``
or ``DeletionDate``; ``$expand`` only ``Attributes``; no ``Online`` (DOC-ODATA's filterable
properties are Name, Id, DeletionDate, DeletionCause, Collection/Name, OriginDate, ContentDate,
the footprint and Attributes). The records have no ``S3Path``, ``Online``, ``PublicationDate``
or ``ModificationDate`` (cdse-dl's ``DeletedProductSearch.select_options`` [client]), so their
collection is the one asked for, if any. STAC lists no deleted products.

:func:`search_deleted` is the query model of :func:`cdse_intake.search` over that set, split in
windows as every OData search is (:mod:`.windowed`); :func:`deleted_product` looks one up by id
or name, :func:`find_deleted` many by name, a few dozen a request.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..config import Endpoints, Settings, resolve
from ..errors import ProductNotFound, QueryError, ServiceError
from ..net.http import get_json, paused_gc, with_retries
from ..product import DELETION_CAUSES, DeletedProduct, is_product_id, name_candidates
from ..query import Query
from ..query_values import parse_time
from .odata import ODataBackend
from .odata_filter import literal
from .records import parse_datetime, product_from_odata, record_error
from .windowed import Window

__all__ = ["DeletedODataBackend", "deleted_from_odata", "deleted_product", "search_deleted"]

#: Names asked in one ``$filter`` (an ``or`` of ``Name eq``: a few kB of URL).
NAMES_PER_REQUEST = 40
_LOCAL_SORTS = {"deletion_date": False, "-deletion_date": True, "deleted": False, "-deleted": True}


def deleted_from_odata(record: Any, collection: str | None = None) -> DeletedProduct:
    """A :class:`DeletedProduct` from one ``/DeletedProducts`` entity."""
    product = product_from_odata(record)
    try:
        fields = {name: getattr(product, name) for name in product.__dataclass_fields__}
        return DeletedProduct(
            **{**fields, "collection": product.collection or collection},
            deletion_date=parse_datetime(record.get("DeletionDate")),
            deletion_cause=record.get("DeletionCause"),
        )
    except (AttributeError, TypeError, ValueError) as err:
        raise record_error(record, err) from err


class DeletedODataBackend(ODataBackend):
    """The products of ``/DeletedProducts`` matching a Query (and deletion bounds), in order."""

    name = "odata-deleted"

    def __init__(self, query: Query, *, deletion_filter: str = "", **kwargs: Any) -> None:
        super().__init__(query, expand=("Attributes",), **kwargs)
        self._base_filter = " and ".join(f for f in (self._base_filter, deletion_filter) if f)

    async def _fetch(
        self, window: Window, skip: int, top: int, desc: bool | None = None
    ) -> list[Any]:
        url = f"{self.endpoints.catalogue}/DeletedProducts"
        params = self._params(window, skip, top, self._desc if desc is None else desc)
        body = await self._request(
            lambda: get_json(self._session, url, params=params), "deleted products search"
        )
        records = body.get("value") if isinstance(body, dict) else None
        if not isinstance(records, list):
            raise ServiceError(f"the catalogue answered without 'value': {str(body)[:200]}")
        with paused_gc():
            return [deleted_from_odata(r, self.query.collection) for r in records]


def deletion_filter(after: Any = None, before: Any = None, causes: Iterable[str] = ()) -> str:
    """``DeletionDate``/``DeletionCause`` clauses: deleted in ``[after, before)``, any cause."""
    parts = []
    if after is not None:
        parts.append(f"DeletionDate ge {literal(parse_time(after, 'deleted_after'))}")
    if before is not None:
        end = parse_time(before, "deleted_before", end_of_day=True)
        parts.append(f"DeletionDate lt {literal(end)}")
    chosen = list(causes)
    if chosen:
        either = " or ".join(f"DeletionCause eq {literal(c)}" for c in chosen)
        parts.append(f"({either})" if len(chosen) > 1 else either)
    return " and ".join(parts)


def _causes(cause: str | Sequence[str] | None) -> tuple[str, ...]:
    chosen = (cause,) if isinstance(cause, str) else tuple(cause or ())
    for value in chosen:
        if value not in DELETION_CAUSES:
            raise QueryError(
                f"cause={value!r} is not a CDSE deletion cause; expected one of "
                f"{', '.join(map(repr, DELETION_CAUSES))}"
            )
    return chosen


def search_deleted(
    collection: str | None = None,
    *,
    deleted_after: Any = None,
    deleted_before: Any = None,
    cause: str | Sequence[str] | None = None,
    sort: Any = "start",
    limit: int | None = None,
    backend: str = "odata",
    endpoints: Endpoints | None = None,
    settings: Settings | None = None,
    **query_fields: Any,
) -> list[DeletedProduct]:
    """Products CDSE deleted from its catalogue, as :class:`DeletedProduct` records.

    ``query_fields`` are :func:`cdse_intake.search`'s (area, time of sensing, product type,
    tile, orbit, attributes, ...); ``deleted_after``/``deleted_before`` bound the deletion date
    (a bare date ``deleted_before`` includes that day), ``cause`` takes one or several of
    :data:`~cdse_intake.product.DELETION_CAUSES`. ``sort``: ``start`` or ``end`` (``-`` for
    descending), or ``deletion_date`` (sorted here). Only the OData catalogue lists deleted
    products: another ``backend`` is a :class:`~cdse_intake.errors.QueryError`, as is any
    invalid input, before any request.
    """
    if backend != "odata":
        if backend == "stac":
            raise QueryError(
                "backend='stac' has no deleted products: CDSE lists them only in the OData "
                "catalogue's DeletedProducts; use backend='odata'"
            )
        raise QueryError(f"backend={backend!r} is not a search backend; use backend='odata'")
    if query_fields.get("online") is not None:
        raise QueryError("online= does not apply to deleted products: they have no Online state")
    unknown = set(query_fields) - set(Query.__dataclass_fields__)
    if unknown:
        raise QueryError(
            f"unknown search parameter(s) {sorted(unknown)}; expected Query fields such as "
            "collection, bbox, start, end, cloud, tile, orbit, platform, attributes"
        )
    local = _LOCAL_SORTS.get(sort) if isinstance(sort, str) else None
    query = Query(
        collection=collection,
        sort="start" if local is not None else sort,
        limit=None if local is not None else limit,
        **query_fields,
    )
    if query.sort[0] not in ("start", "end"):
        raise QueryError(
            f"sort={sort!r}: deleted products sort by start, end or deletion_date "
            "(prefix '-' for descending)"
        )
    clauses = deletion_filter(deleted_after, deleted_before, _causes(cause))
    context = resolve(endpoints=endpoints, settings=settings)  # a public entry point
    endpoints, settings = context.endpoints, context.settings

    async def fetch() -> list[DeletedProduct]:
        from ..net.http import new_session

        async with new_session(timeout=settings.timeout) as session:
            searcher = DeletedODataBackend(
                query,
                deletion_filter=clauses,
                endpoints=endpoints,
                settings=settings,
                session=session,
            )
            return [p async for p in searcher.products()]  # type: ignore[misc]

    found = _run(fetch)
    if local is not None:
        found.sort(key=lambda p: (p.deletion_date is None, p.deletion_date), reverse=local)
        found = found[:limit] if limit is not None else found
    return found


def _run(fetch: Any) -> Any:
    from fsspec.asyn import get_loop, sync

    return sync(get_loop(), fetch)


def deleted_product(
    key: str, *, endpoints: Endpoints | None = None, settings: Settings | None = None
) -> DeletedProduct:
    """The deleted product with this id or name (the latest deletion of a name deleted more
    than once); :class:`~cdse_intake.errors.ProductNotFound` when CDSE lists none."""
    context = resolve(endpoints=endpoints, settings=settings)  # a public entry point
    endpoints, settings = context.endpoints, context.settings

    async def fetch() -> DeletedProduct:
        from ..net.http import new_session

        async with new_session(timeout=settings.timeout) as session:
            if is_product_id(key):
                url = f"{endpoints.catalogue}/DeletedProducts({key.lower()})"
                try:
                    record = await with_retries(
                        lambda: get_json(session, url), retries=settings.retries, what=url
                    )
                except ProductNotFound as err:
                    raise ProductNotFound(
                        f"no deleted CDSE product has the id {key!r}", status=err.status, url=url
                    ) from err
                return deleted_from_odata(record)
            found = await find_deleted(session, endpoints.catalogue, [key], settings.retries)
        if not found:
            tried = " or ".join(map(repr, name_candidates(key)))
            raise ProductNotFound(f"no deleted CDSE product is named {tried}")
        return max(found, key=lambda p: (p.deletion_date is not None, p.deletion_date))

    return _run(fetch)


async def records_by_name(
    session: Any, url: str, names: Sequence[str], retries: int, what: str
) -> list[Any]:
    """The OData records at ``url`` (``/Products``, ``/DeletedProducts``) of these exact
    names, asked a few dozen a request (``$filter`` of ``Name eq`` terms)."""
    found: list[Any] = []
    for i in range(0, len(names), NAMES_PER_REQUEST):
        batch = names[i : i + NAMES_PER_REQUEST]
        params = {
            "$filter": " or ".join(f"Name eq {literal(n)}" for n in batch),
            "$top": "1000",
        }
        body = await with_retries(
            lambda p=params: get_json(session, url, params=p),  # type: ignore[misc]
            retries=retries,
            what=what,
        )
        found.extend((body or {}).get("value") or [])
    return found


async def find_deleted(
    session: Any, catalogue_url: str, names: Sequence[str], retries: int
) -> list[DeletedProduct]:
    """Every deleted record of these names (with or without a folder suffix), in batches."""
    wanted = list(dict.fromkeys(c for name in names for c in name_candidates(name)))
    url = f"{catalogue_url}/DeletedProducts"
    records = await records_by_name(session, url, wanted, retries, "looking up deleted products")
    return [deleted_from_odata(r) for r in records]
