"""The OData catalogue's endpoints (cdse-api.md §1.1): search, one product, FilterList,
attribute tables and quicklooks. Downloads (``$value``, ``$zip``, ``Nodes``) live in download/.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson
from aiohttp import web

from ..http import CORS_HEADERS, json_response, odata_error, request_id, retry_after
from ..records.attributes import attribute_types
from .columns import CatalogueColumns, columns_for
from .errors import ODataError, ValidationFailure
from .evaluate import Evaluator
from .options import SKIP_MAX, QueryOptions, next_link, parse_options
from .parser import parse_filter
from .quicklook import entry_quicklook_png
from .render import Renderer

if TYPE_CHECKING:
    from ..server import ServiceContext

__all__ = ["CatalogueService", "routes"]

_TIME_KEYS = {
    "ContentDate/Start": "start_us",
    "ContentDate/End": "end_us",
    "PublicationDate": "publication_us",
    "ModificationDate": "modification_us",
}
_HEX = re.compile(r"[0-9a-fA-F-]")


def routes(ctx: ServiceContext) -> list[web.RouteDef]:
    """Routes relative to the OData root (``/odata/v1``)."""
    service = CatalogueService(ctx)
    return [
        web.get("/Products", service.products),
        web.get("/Products({key})", service.product),
        web.post("/Products/OData.CSC.FilterList", service.filter_list),
        web.get("/Attributes", service.attributes),
        web.get("/Attributes({collection})", service.collection_attributes),
        web.get("/Assets({key})/$value", service.asset),
    ]


class CatalogueService:
    """Request handlers over one emulator's catalogue, state and URLs."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.renderer = Renderer(ctx.urls.catalogue, ctx.faults)

    @property
    def cols(self) -> CatalogueColumns:
        return columns_for(self.ctx.catalogue)

    # -- GET /Products ---------------------------------------------------------------------------
    async def products(self, request: web.Request) -> web.StreamResponse:
        if (fault := self._fault(request)) is not None:
            return fault
        try:
            opts = parse_options(request.query)
            cols = self.cols
            rows = self._ordered(self._match(opts.filter, cols), opts, cols)
        except ValidationFailure as err:
            return json_response(request, err.body(), 422)
        except ODataError as err:
            return odata_error(request, err.status, err.message)
        page = rows[opts.skip : opts.skip + opts.top]
        body: dict[str, Any] = {"@odata.context": opts.context}
        if opts.count:
            body["@odata.count"] = len(rows)
        body["value"] = self._records(cols, page, opts)
        # §1.3: a full page always links on (even if nothing remains), unless the next $skip
        # would pass 10000. $top=0 gets no link: it would point at itself forever [unverified].
        if opts.top and len(page) == opts.top and opts.skip + opts.top <= SKIP_MAX:
            body["@odata.nextLink"] = next_link(
                f"{self.ctx.urls.catalogue}/Products",
                request.query.items(),
                opts.skip + opts.top,
            )
        return json_response(request, body)

    def _match(self, text: str | None, cols: CatalogueColumns) -> np.ndarray:
        if text is None:
            return np.ones(len(cols.entries), bool)
        return Evaluator(cols, text, self._online).mask(parse_filter(text))

    def _online(self) -> np.ndarray:
        """The Online column as clients see it, with injected ``offline`` faults applied."""
        online = self.ctx.catalogue.online.copy()
        position = self.cols.position
        for fault in self.ctx.faults:
            if fault.kind != "offline" or (fault.times is not None and fault.hits >= fault.times):
                continue
            if fault.product is None:
                online[:] = False
                break
            row = position.get(fault.product)
            if row is not None:
                online[row] = False
        return online

    def _ordered(self, mask: np.ndarray, opts: QueryOptions, cols: CatalogueColumns) -> np.ndarray:
        """Matching rows in answer order.

        With ``$orderby``: by its keys, then by Id (CDSE adds Id as an implicit secondary key,
        §1.3). Without: CDSE promises no order; the emulator uses the catalogue's own order,
        which is stable, so paging without ``$orderby`` still visits every product once.
        """
        rows = np.flatnonzero(mask)
        if not opts.orderby or len(rows) < 2:
            return rows
        keys: list[np.ndarray] = [cols.id_rank[rows]]
        for field, descending in reversed(opts.orderby):
            column = getattr(self.ctx.catalogue, _TIME_KEYS[field])[rows]
            keys.append(-column if descending else column)
        return rows[np.lexsort(keys)]

    def _records(
        self, cols: CatalogueColumns, rows: Any, opts: QueryOptions
    ) -> list[orjson.Fragment]:
        record = self.renderer.record
        entries = cols.entries
        return [orjson.Fragment(record(entries[i], opts.expand, opts.select)) for i in rows]

    # -- GET /Products(<id>) ---------------------------------------------------------------------
    async def product(self, request: web.Request) -> web.StreamResponse:
        if (fault := self._fault(request)) is not None:
            return fault
        key = request.match_info["key"]
        try:
            opts = parse_options(request.query, ("$expand", "$select"), paging=False)
            product_id = _parse_uuid(key)
        except ValidationFailure as err:
            return json_response(request, err.body(), 422)
        except ODataError as err:
            return odata_error(request, err.status, err.message)
        entry = self.ctx.catalogue.by_id.get(product_id)
        if entry is None:
            # Body shape as the app's other errors; wording unverified (cdse-api.md §9.1).
            return odata_error(request, 404, "Product not found")
        record = self.renderer.record(entry, opts.expand, opts.select)
        # Not wrapped in "value" since 2023-10-02 (§1.1); context per §1.3 [no-expand unverified].
        context = opts.context + "/$entity"
        body = b'{"@odata.context":' + orjson.dumps(context) + b"," + record[1:]
        return json_response(request, orjson.Fragment(body))

    # -- POST /Products/OData.CSC.FilterList -----------------------------------------------------
    async def filter_list(self, request: web.Request) -> web.StreamResponse:
        """The products among ``{"FilterProducts": [{"Name": ...}, ...]}`` that exist (§1.1)."""
        if (fault := self._fault(request)) is not None:
            return fault
        try:
            opts = parse_options(request.query, ("$expand", "$select"), paging=False)
            names = _filter_list_names(await request.read())
        except ValidationFailure as err:
            return json_response(request, err.body(), 422)
        except ODataError as err:
            return odata_error(request, err.status, err.message)
        by_name = self.ctx.catalogue.by_name
        seen: set[str] = set()
        record = self.renderer.record
        value = []
        for name in names:
            entry = by_name.get(name)
            if entry is not None and name not in seen:
                seen.add(name)
                value.append(orjson.Fragment(record(entry, opts.expand, opts.select)))
        return json_response(request, {"@odata.context": opts.context, "value": value})

    # -- GET /Attributes, /Attributes(<collection>) ----------------------------------------------
    async def attributes(self, request: web.Request) -> web.StreamResponse:
        """Every collection's attributes: ``{"SENTINEL-1": [{"Name", "ValueType"}, ...], ...}``.

        An object keyed by collection, as cdse-dl reads it (``get_attribute_info``) [client].
        """
        if (fault := self._fault(request)) is not None:
            return fault
        table = self._attribute_table()
        return json_response(request, table)

    async def collection_attributes(self, request: web.Request) -> web.StreamResponse:
        """One collection's attributes as a bare JSON array (§1.1, CDSETool/attributes.json)."""
        if (fault := self._fault(request)) is not None:
            return fault
        collection = request.match_info["collection"]
        table = self._attribute_table()
        if collection not in table:
            # 404 as CDSETool expects; body wording unverified.
            known = ", ".join(table)
            return odata_error(request, 404, f"Unknown collection: {collection}. Known: {known}")
        return json_response(request, table[collection])

    def _attribute_table(self) -> dict[str, list[dict[str, str]]]:
        cols = self.cols
        table = cols.cache.get("attribute_table")
        if table is None:
            # What the real service lists (cdse-api.md §1.7: 32 for SENTINEL-1, also names no
            # record of ours carries, such as processingBaseline) and what the records carry.
            catalogue = self.ctx.catalogue
            table = {}
            for collection in sorted(set(catalogue.collections)):
                names = dict(catalogue.attribute_names(collection))
                names = {**attribute_types(collection), **names}
                table[collection] = [
                    {"Name": name, "ValueType": vtype} for name, vtype in sorted(names.items())
                ]
            cols.cache["attribute_table"] = table
        return table

    # -- GET /Assets(<id>)/$value ----------------------------------------------------------------
    async def asset(self, request: web.Request) -> web.StreamResponse:
        """A product's quicklook image. Served anonymously, like search [unverified]."""
        if (fault := self._fault(request)) is not None:
            return fault
        entry = self.cols.by_quicklook.get(request.match_info["key"].lower())
        if entry is None:
            return odata_error(request, 404, "Asset not found")  # wording unverified
        # tens of ms of numpy for a never-drawn one: off the event loop
        data = await asyncio.get_running_loop().run_in_executor(None, entry_quicklook_png, entry)
        headers = {"request-id": request_id(request), **CORS_HEADERS}
        return web.Response(body=data, content_type="image/png", headers=headers)

    # -- faults ----------------------------------------------------------------------------------
    def _fault(self, request: web.Request) -> web.Response | None:
        """An injected ``status`` fault for the catalogue (``product="odata"`` or any)."""
        fault = self.ctx.faults.take("status", "odata", targeted=True)
        if fault is None:
            return None
        headers = retry_after(fault.retry_after) if fault.retry_after is not None else {}
        if fault.status == 429:
            # The WAF in front of CDSE's catalogues answers this (FORUM-WAF, cdse-api.md §2.4).
            body = {"error": "WAF", "message": "Rate limit exceeded", "status": 429}
            return json_response(request, body, 429, headers)
        reason = web.Response(status=fault.status).reason or "Error"
        body2 = {"detail": {"message": reason, "request_id": request_id(request)}}
        return json_response(request, body2, fault.status, headers)


def _parse_uuid(key: str) -> str:
    """The canonical form of a product key; pydantic's ``uuid_parsing`` 422 if it is not one.

    The path parameter's name in the real app is unknown; messages follow pydantic [unverified].
    """
    try:
        return str(uuid.UUID(key))
    except ValueError:
        pass
    hex_only = key.replace("-", "")
    bad = next((i for i, ch in enumerate(key) if not _HEX.fullmatch(ch)), None)
    if bad is not None and len(key) in (32, 36):
        error = f"invalid character: found `{key[bad]}` at {bad}"
    elif len(hex_only) != 32:
        error = f"invalid length: found {len(key)}"
    else:
        error = "invalid group length"
    raise ValidationFailure(
        [
            ValidationFailure.item(
                "uuid_parsing",
                ["path", "Id"],
                f"Input should be a valid UUID, {error}",
                key,
                {"error": error},
            )
        ]
    )


def _filter_list_names(raw: bytes) -> list[str]:
    """Names from a FilterList body, with FastAPI's 422 shapes for a malformed one."""
    try:
        body = orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError as err:
        raise ValidationFailure(
            [
                ValidationFailure.item(
                    "json_invalid", ["body", err.pos], "JSON decode error", {}, {"error": err.msg}
                )
            ]
        ) from None
    if not isinstance(body, dict) or "FilterProducts" not in body:
        raise ValidationFailure(
            [ValidationFailure.item("missing", ["body", "FilterProducts"], "Field required", body)]
        )
    items = body["FilterProducts"]
    if not isinstance(items, list):
        raise ValidationFailure(
            [
                ValidationFailure.item(
                    "list_type", ["body", "FilterProducts"], "Input should be a valid list", items
                )
            ]
        )
    names: list[str] = []
    problems = []
    for i, item in enumerate(items):
        name = item.get("Name") if isinstance(item, dict) else None
        if not isinstance(name, str):
            problems.append(
                ValidationFailure.item(
                    "missing", ["body", "FilterProducts", i, "Name"], "Field required", item
                )
            )
        else:
            names.append(name)
    if problems:
        raise ValidationFailure(problems)
    return names
