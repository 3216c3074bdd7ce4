"""The Bursts endpoints (cdse-api.md §1.1, §1.9): search and one burst on the catalogue host,
``POST /Bursts(<id>)/$value`` redirected to the download host, which extracts and serves it.

Search takes the options of ``/Products`` that §1.9 lists (``$filter``, ``$orderby`` on
``ContentDate/Start|End``, ``$top`` 0..1000 default 20, ``$skip`` 0..10000, ``$count``) with the
same error shapes (422 for option values, 400 for the app's checks), and pages with
``@odata.nextLink`` the same way.

Extraction: phidown (ESA's client) POSTs to the catalogue host with ``allow_redirects=False``,
POSTs again to the ``Location`` of a 3xx with the token re-attached, and resumes a ``.part``
with ``Range: bytes=<n>-``, restarting when the answer is not a 206. The emulator answers 307
(the method kept) to the download host, which checks the token like product downloads
(DAT-ZIP-604 without one), counts the account's download sessions, and serves the burst's zip
with ``accept-ranges: bytes``. The status code of the real redirect is [unverified].
"""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson
from aiohttp import web

from ..download import responses as r
from ..download.ranges import Unsatisfiable, parse_range
from ..download.stream import BodyPlan, send_body
from ..http import USER, bearer_token, json_response, odata_error
from ..odata.errors import ODataError, ValidationFailure
from ..odata.options import ORDERBY_FIELD_ERROR, SKIP_MAX, next_link, parse_options
from ..tokens import TokenError
from .evaluate import burst_mask
from .extract import burst_zip, zip_name
from .records import Burst, BurstTable, table_for
from .render import entity

if TYPE_CHECKING:
    from ..server import ServiceContext

__all__ = ["download_routes", "routes"]

_OPTIONS = ("$filter", "$top", "$skip", "$orderby", "$count")
_ORDERABLE = {"ContentDate/Start": "start_us", "ContentDate/End": "end_us"}
_VALUE = "/Bursts({key})/$value"
#: A UUID that names no burst (wording [unverified]; the zipper's 404 family).
BURST_NOT_FOUND = (404, "DAT-ZIP-106", "Burst not found")


def routes(ctx: ServiceContext) -> list[web.RouteDef]:
    """The catalogue host's Bursts routes (relative to ``/odata/v1``)."""
    service = BurstService(ctx)
    return [
        web.route("GET", "/Bursts", service.search),
        web.route("GET", "/Bursts({key})", service.one),
        web.route("POST", _VALUE, service.redirect),
    ]


def download_routes(ctx: ServiceContext) -> list[web.RouteDef]:
    """The download host's extraction route (mounted before its catch-all)."""
    service = BurstService(ctx)
    return [web.route("POST", _VALUE, service.extract)]


class BurstService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def table(self) -> BurstTable:
        """The burst table, built off the event loop the first time (seconds at full scale)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, table_for, self.ctx.catalogue)

    # -- GET /Bursts -----------------------------------------------------------------------------
    async def search(self, request: web.Request) -> web.StreamResponse:
        try:
            opts = parse_options(request.query, _OPTIONS)
            if any(field not in _ORDERABLE for field, _ in opts.orderby):
                raise ODataError(ORDERBY_FIELD_ERROR)
            table = await self.table()
            rows = np.flatnonzero(burst_mask(table, opts.filter))
        except ValidationFailure as err:
            return json_response(request, err.body(), 422)
        except ODataError as err:
            return odata_error(request, err.status, err.message)
        if opts.orderby and len(rows) > 1:
            keys: list[np.ndarray] = [table.id_rank[rows]]
            for field, descending in reversed(opts.orderby):
                column = getattr(table, _ORDERABLE[field])[rows]
                keys.append(-column if descending else column)
            rows = rows[np.lexsort(keys)]
        page = rows[opts.skip : opts.skip + opts.top]
        body: dict[str, Any] = {"@odata.context": "$metadata#Bursts"}
        if opts.count:
            body["@odata.count"] = len(rows)
        body["value"] = [entity(table.bursts[i]) for i in page]
        # As /Products (§1.3): a full page links on unless the next $skip passes 10000.
        if opts.top and len(page) == opts.top and opts.skip + opts.top <= SKIP_MAX:
            body["@odata.nextLink"] = next_link(
                f"{self.ctx.urls.catalogue}/Bursts", request.query.items(), opts.skip + opts.top
            )
        return json_response(request, body)

    # -- GET /Bursts(<id>) -----------------------------------------------------------------------
    async def one(self, request: web.Request) -> web.StreamResponse:
        try:
            parse_options(request.query, (), paging=False)
            burst = await self._find(request.match_info["key"])
        except ValidationFailure as err:
            return json_response(request, err.body(), 422)
        except ODataError as err:
            return odata_error(request, err.status, err.message)
        if burst is None:
            return odata_error(request, 404, "Burst not found")  # wording [unverified]
        body = b'{"@odata.context":"$metadata#Bursts/$entity",' + orjson.dumps(entity(burst))[1:]
        return json_response(request, orjson.Fragment(body))

    async def _find(self, key: str) -> Burst | None:
        try:
            canonical = str(uuid.UUID(key.strip("'")))
        except ValueError:
            raise ValidationFailure(
                [
                    ValidationFailure.item(
                        "uuid_parsing", ["path", "Id"], "Input should be a valid UUID", key
                    )
                ]
            ) from None
        return (await self.table()).by_id.get(canonical)

    # -- POST /Bursts(<id>)/$value on the catalogue host -----------------------------------------
    async def redirect(self, request: web.Request) -> web.Response:
        try:
            burst = await self._find(request.match_info["key"])
        except ValidationFailure as err:
            return json_response(request, err.body(), 422)
        if burst is None:
            return odata_error(request, 404, "Burst not found")
        location = f"{self.ctx.urls.download}/Bursts({burst.id})/$value"
        if request.query_string:
            location += f"?{request.query_string}"
        return web.Response(status=307, headers=r.redirect_headers(request, location))

    # -- POST /Bursts(<id>)/$value on the download host ------------------------------------------
    async def extract(self, request: web.Request) -> web.StreamResponse:
        try:
            return await self._extract(request)
        except r.Problem as problem:
            return r.problem_response(request, problem)

    async def _extract(self, request: web.Request) -> web.StreamResponse:
        try:
            claims = self.ctx.tokens.verify_access(bearer_token(request))
        except TokenError as err:
            problem = r.TOKEN_NOT_FOUND if err.reason == "missing" else r.TOKEN_INVALID
            if err.reason == "expired":
                problem = r.TOKEN_EXPIRED
            elif err.reason == "audience":
                problem = r.AUDIENCE_NOT_ALLOWED
            raise r.Problem(*problem) from err
        user = request[USER] = claims["preferred_username"]
        try:
            burst = await self._find(request.match_info["key"])
        except ValidationFailure:
            raise r.Problem(*r.BAD_UUID) from None
        if burst is None:
            raise r.Problem(*BURST_NOT_FOUND)
        parent = burst.parent
        faults = self.ctx.faults
        keys = (burst.id, burst.name)
        if parent.payload is None or not parent.online or faults.peek("offline", parent.id):
            raise r.Problem(*r.NO_OBJECTS)
        if fault := faults.take("status", *keys):
            return r.status_response(request, fault.status, fault.retry_after)
        data = await asyncio.get_running_loop().run_in_executor(None, burst_zip, burst)
        view = memoryview(data)
        size = len(view)
        requested = request.headers.get("Range")
        if requested and faults.take("ignore_range", *keys):
            requested = None
        try:
            span = parse_range(requested, size)
        except Unsatisfiable:
            headers = {**r.download_headers(request), "Content-Range": f"bytes */{size}"}
            return web.Response(status=416, headers=headers)
        start, stop = span if span is not None else (0, size)
        state = self.ctx.state
        if not state.begin_download(user):
            raise r.Problem(*r.SESSION_LIMIT)
        try:
            response = web.StreamResponse(
                status=200 if span is None else 206,
                headers={
                    **r.download_headers(request),
                    "accept-ranges": "bytes",
                    "content-disposition": f"attachment; filename={zip_name(burst)}",
                },
            )
            if span is not None:
                response.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
            response.content_type = "application/zip"
            response.content_length = stop - start
            try:
                await response.prepare(request)
                await send_body(request, response, view[start:stop], self._plan(keys))
            except ConnectionResetError:
                return response
            await response.write_eof()
            return response
        finally:
            state.end_download(user)

    def _plan(self, keys: tuple[str, ...]) -> BodyPlan:
        take = self.ctx.faults.take
        cut = cut_after = None
        if fault := take("reset", *keys):
            cut, cut_after = "reset", fault.after_bytes
        elif fault := take("truncate", *keys):
            cut, cut_after = "truncate", fault.after_bytes
        return BodyPlan(rate=self.ctx.state.throttle or None, cut=cut, cut_after=cut_after or 0)
