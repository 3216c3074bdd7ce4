"""``GET /DeletedProducts`` and ``/DeletedProducts(<uuid>)`` (cdse-api.md §1.1, DOC-ODATA).

"Requests should be built the same way as for the OData Products endpoint" (DOC-ODATA): the same
``$filter`` grammar, ``$top``/``$skip``/``$count`` and paging links, over the deleted records of
:mod:`..deleted`. What differs, per the documentation:

* filterable: ``Name``, ``Id``, ``DeletionDate``, ``DeletionCause``, ``Collection/Name``,
  ``OriginDate``, ``ContentDate/Start|End``, the footprint (``Intersects``) and ``Attributes``
  (no ``Online``, ``PublicationDate`` or ``ModificationDate``: the records have none);
* ``$orderby`` only ``ContentDate/Start``, ``ContentDate/End`` and ``DeletionDate`` (others: the
  Products endpoint's "Invalid field name in the order by clause" 400);
* ``$expand`` only ``Attributes``.

The record's fields and their order follow cdse-dl's ``DeletedProductSearch.select_options``
(its Products list is the recorded key order, field for field): ``Id, Name, ContentType,
ContentLength, OriginDate, DeletionDate, DeletionCause, Checksum, ContentDate, Footprint,
GeoFootprint`` [client CDSEDL]. ``@odata.context`` ``$metadata#DeletedProducts...`` and the
wording of the ``$expand`` error are [unverified].
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson
from aiohttp import web
from multidict import MultiDict

from ..catalogue import Entry, fmt_time
from ..deleted import DeletedState, DeletedStore, deleted_for
from ..http import json_response, odata_error
from .columns import columns_for
from .errors import ODataError, ValidationFailure
from .evaluate import _OPS, Evaluator
from .handlers import CatalogueService, _parse_uuid
from .nodes import Literal, Path
from .options import (
    ORDERBY_FIELD_ERROR,
    SKIP_MAX,
    SYSTEM_OPTIONS,
    QueryOptions,
    next_link,
    parse_options,
)
from .parser import parse_filter

if TYPE_CHECKING:
    from ..server import ServiceContext

__all__ = ["DELETED_FIELDS", "DeletedEvaluator", "routes"]

ORDERABLE = ("ContentDate/Start", "ContentDate/End", "DeletionDate")
EXPANDABLE = ("Attributes",)
EXPAND_ERROR = "Expand parameter only accepts following values: Attributes."
DELETED_FIELDS = (
    "Id",
    "Name",
    "ContentType",
    "ContentLength",
    "OriginDate",
    "DeletionDate",
    "DeletionCause",
    "Checksum",
    "ContentDate",
    "Footprint",
    "GeoFootprint",
)
FILTERABLE = (
    "Name", "Id", "DeletionDate", "DeletionCause", "Collection/Name", "OriginDate",
    "ContentDate/Start", "ContentDate/End", "ContentLength",
)  # fmt: skip
_NOT_HERE = ("Online", "PublicationDate", "ModificationDate")
_OWN_OPTIONS = ("$orderby", "$expand", "$select")


def routes(ctx: ServiceContext) -> list[web.RouteDef]:
    """Routes relative to the OData root (``/odata/v1``)."""
    service = DeletedService(ctx)
    return [
        web.get("/DeletedProducts", service.deleted_products),
        web.get("/DeletedProducts({key})", service.deleted_product),
    ]


class DeletedEvaluator(Evaluator):
    """The Products filter grammar over deleted records, with ``DeletionDate`` and
    ``DeletionCause`` and without the properties deleted records lack."""

    def __init__(self, store: DeletedState, text: str) -> None:
        cols = columns_for(store.catalogue)
        super().__init__(cols, text, lambda: np.zeros(len(cols.entries), bool))
        self.store = store

    def _property_compare(self, op: str, path: Path, lit: Literal, pos: int) -> np.ndarray:
        prop = path.dotted
        if prop == "DeletionDate":
            return _OPS[op](self.store.deletion_us, self._datetime(lit, prop))
        if prop == "DeletionCause":
            if op not in ("eq", "ne") or lit.kind != "string":
                raise self.error("DeletionCause is compared with eq or ne and a quoted string", pos)
            mask = np.asarray(self.store.causes == lit.text, bool)
            return mask if op == "eq" else ~mask
        if prop in _NOT_HERE:
            raise self._unknown_property(path)
        return super()._property_compare(op, path, lit, pos)

    def _bare_path(self, node: Path, scope: Any) -> Any:
        if node.dotted in _NOT_HERE:
            raise self._unknown_property(node)
        return super()._bare_path(node, scope)

    def _unknown_property(self, path: Path) -> Any:
        return self.error(
            f"unknown property {path.dotted!r} of deleted products; filterable properties: "
            f"{', '.join(FILTERABLE)}, the footprint (OData.CSC.Intersects) and Attributes",
            path.pos,
        )


class DeletedService(CatalogueService):
    """The DeletedProducts handlers (the catalogue service's faults and renderer)."""

    def store(self) -> DeletedStore:
        return deleted_for(self.ctx.catalogue)

    async def deleted_products(self, request: web.Request) -> web.StreamResponse:
        if (fault := self._fault(request)) is not None:
            return fault
        store = self.store().state
        try:
            opts = _options(request.query, paging=True)
            cols = columns_for(store.catalogue)
            mask = (
                np.ones(len(cols.entries), bool)
                if opts.filter is None
                else DeletedEvaluator(store, opts.filter).mask(parse_filter(opts.filter))
            )
            rows = _ordered(store, mask, opts)
        except ValidationFailure as err:
            return json_response(request, err.body(), 422)
        except ODataError as err:
            return odata_error(request, err.status, err.message)
        page = rows[opts.skip : opts.skip + opts.top]
        body: dict[str, Any] = {"@odata.context": _context(opts)}
        if opts.count:
            body["@odata.count"] = len(rows)
        entries = cols.entries
        body["value"] = [orjson.Fragment(self._deleted(store, entries[i], opts)) for i in page]
        if opts.top and len(page) == opts.top and opts.skip + opts.top <= SKIP_MAX:
            body["@odata.nextLink"] = next_link(
                f"{self.ctx.urls.catalogue}/DeletedProducts",
                request.query.items(),
                opts.skip + opts.top,
            )
        return json_response(request, body)

    async def deleted_product(self, request: web.Request) -> web.StreamResponse:
        if (fault := self._fault(request)) is not None:
            return fault
        try:
            opts = _options(request.query, paging=False)
            product_id = _parse_uuid(request.match_info["key"])
        except ValidationFailure as err:
            return json_response(request, err.body(), 422)
        except ODataError as err:
            return odata_error(request, err.status, err.message)
        store = self.store().state
        entry = store.catalogue.by_id.get(product_id)
        if entry is None:
            return odata_error(request, 404, "Product not found")  # wording unverified
        record = self._deleted(store, entry, opts)
        context = orjson.dumps(_context(opts) + "/$entity")
        return json_response(
            request, orjson.Fragment(b'{"@odata.context":' + context + b"," + record[1:])
        )

    def _deleted(self, store: DeletedState, entry: Entry, opts: QueryOptions) -> bytes:
        """A deleted record: the product record's fields in DeletedProducts' order."""
        full = orjson.loads(self.renderer.record(entry, opts.expand))
        deletion = store.deletions[entry.id]
        full["DeletionDate"] = fmt_time(deletion.date)
        full["DeletionCause"] = deletion.cause
        record: dict[str, Any] = {"@odata.mediaContentType": full["@odata.mediaContentType"]}
        for name in DELETED_FIELDS:
            if opts.select is None or name in opts.select:
                record[name] = full[name]
        if "Attributes" in opts.expand:
            record["Attributes"] = full["Attributes"]
        return orjson.dumps(record)


def _options(query: Any, paging: bool) -> QueryOptions:
    """The Products options, with this endpoint's own ``$orderby``, ``$expand``, ``$select``."""
    own = _OWN_OPTIONS if paging else _OWN_OPTIONS[1:]
    rest = MultiDict((k, v) for k, v in query.items() if k not in own)
    opts = parse_options(rest, SYSTEM_OPTIONS if paging else own, paging=paging)
    expand: list[str] = []
    for value in query.getall("$expand", []):
        for part in value.split(","):
            name = part.strip()
            if name not in EXPANDABLE:
                raise ODataError(EXPAND_ERROR)
            if name not in expand:
                expand.append(name)
    select = None
    if "$select" in query:
        fields = [part.strip() for part in query.getall("$select")[-1].split(",")]
        if "*" not in fields:
            for field in fields:
                if field not in DELETED_FIELDS:
                    raise ODataError(f"Invalid field in select: {field}")
            select = frozenset([*fields, "Id"])
    orderby: list[tuple[str, bool]] = []
    if paging and "$orderby" in query:
        for clause in query.getall("$orderby")[-1].split(","):
            words = clause.split()
            if not words or words[0] not in ORDERABLE:
                raise ODataError(ORDERBY_FIELD_ERROR)
            direction = " ".join(words[1:]) or "asc"
            if direction not in ("asc", "desc"):
                raise ODataError(f"Invalid value: {direction}")
            orderby.append((words[0], direction == "desc"))
    return dataclasses.replace(opts, expand=tuple(expand), select=select, orderby=tuple(orderby))


def _context(opts: QueryOptions) -> str:
    if not opts.expand:
        return "$metadata#DeletedProducts"
    return "$metadata#DeletedProducts(" + ",".join(f"{e}()" for e in opts.expand) + ")"


def _ordered(store: DeletedState, mask: np.ndarray, opts: QueryOptions) -> np.ndarray:
    """Matching rows; with ``$orderby`` by its keys then Id (as on ``/Products``, §1.3)."""
    rows = np.flatnonzero(mask)
    if not opts.orderby or len(rows) < 2:
        return rows
    catalogue = store.catalogue
    columns = {
        "ContentDate/Start": catalogue.start_us,
        "ContentDate/End": catalogue.end_us,
        "DeletionDate": store.deletion_us,
    }
    keys: list[np.ndarray] = [columns_for(catalogue).id_rank[rows]]
    for field, descending in reversed(opts.orderby):
        column = columns[field][rows]
        keys.append(-column if descending else column)
    return rows[np.lexsort(keys)]
