"""The Subscriptions endpoints on the OData root (DOC-Subscriptions): every one needs a token.

``POST /Subscriptions`` (201), ``GET /Subscriptions/Info`` (a bare array; ``GET
/Subscriptions`` answers the same [unverified]), ``GET``/``PATCH``/``DELETE
/Subscriptions(<id>)`` (DELETE: 204), ``GET /Subscriptions(<id>)/Read?$top=`` (1 by default,
20 at most; a bare array of notifications) and ``POST /Subscriptions(<id>)/Ack?$ackid=``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web

from ..http import USER, bearer_token, json_response, odata_error
from ..odata.errors import ODataError, ValidationFailure
from ..odata.render import Renderer
from ..tokens import TokenError
from .store import READ_MAX, SubscriptionStore, notification_body, store_for

if TYPE_CHECKING:
    from ..server import ServiceContext

__all__ = ["routes"]

EXPAND = ("Attributes", "Assets", "Locations")


def routes(ctx: ServiceContext) -> list[web.RouteDef]:
    """Routes relative to the OData root (``/odata/v1``)."""
    store = store_for(ctx.catalogue)
    renderer = Renderer(ctx.urls.catalogue, ctx.faults)
    store.render = lambda entry: renderer.record(entry, EXPAND)
    h = _Handlers(ctx, store)
    return [
        web.post("/Subscriptions", h.create),
        web.get("/Subscriptions", h.info),
        web.get("/Subscriptions/Info", h.info),
        web.get("/Subscriptions({key})", h.get),
        web.patch("/Subscriptions({key})", h.patch),
        web.delete("/Subscriptions({key})", h.delete),
        web.get("/Subscriptions({key})/Read", h.read),
        web.post("/Subscriptions({key})/Ack", h.ack),
    ]


class _Handlers:
    def __init__(self, ctx: ServiceContext, store: SubscriptionStore) -> None:
        self.ctx = ctx
        self.store = store

    def _user(self, request: web.Request) -> str:
        try:
            claims = self.ctx.tokens.verify_access(bearer_token(request))
        except TokenError as err:
            # The catalogue's own 401 wording is not documented for Subscriptions [unverified].
            raise ODataError("Not authenticated" if err.reason == "missing" else
                             f"Invalid token ({err.reason})", 401) from err  # fmt: skip
        user = request[USER] = claims["preferred_username"]
        return user

    async def _json(self, request: web.Request) -> Any:
        raw = await request.read()
        try:
            return orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            raise ODataError("The request body is not valid JSON.", 422) from None

    async def _answer(self, request: web.Request, work: Any) -> web.StreamResponse:
        try:
            return await work(self._user(request))
        except ValidationFailure as err:
            return json_response(request, err.body(), 422)
        except ODataError as err:
            return odata_error(request, err.status, err.message)

    async def create(self, request: web.Request) -> web.StreamResponse:
        async def work(user: str) -> web.StreamResponse:
            sub = self.store.create(user, await self._json(request))
            return json_response(request, sub.body(), 201)

        return await self._answer(request, work)

    async def info(self, request: web.Request) -> web.StreamResponse:
        async def work(user: str) -> web.StreamResponse:
            return json_response(request, [s.body() for s in self.store.of(user)])

        return await self._answer(request, work)

    async def get(self, request: web.Request) -> web.StreamResponse:
        async def work(user: str) -> web.StreamResponse:
            return json_response(request, self.store.get(user, request.match_info["key"]).body())

        return await self._answer(request, work)

    async def patch(self, request: web.Request) -> web.StreamResponse:
        async def work(user: str) -> web.StreamResponse:
            key = request.match_info["key"]
            sub = self.store.update(user, key, await self._json(request))
            return web.Response(status=204) if sub is None else json_response(request, sub.body())

        return await self._answer(request, work)

    async def delete(self, request: web.Request) -> web.StreamResponse:
        async def work(user: str) -> web.StreamResponse:
            self.store.delete(user, request.match_info["key"])
            return web.Response(status=204)

        return await self._answer(request, work)

    async def read(self, request: web.Request) -> web.StreamResponse:
        async def work(user: str) -> web.StreamResponse:
            top = _top(request.query.get("$top", "1"))
            key = request.match_info["key"]
            sub = self.store.get(user, key)
            notes = self.store.read(user, key, top)
            parts = [notification_body(sub, n, ack=True) for n in notes]
            return json_response(request, orjson.Fragment(b"[" + b",".join(parts) + b"]"))

        return await self._answer(request, work)

    async def ack(self, request: web.Request) -> web.StreamResponse:
        async def work(user: str) -> web.StreamResponse:
            ack_id = request.query.get("$ackid")
            if not ack_id:
                raise ODataError("The $ackid parameter is required.", 422)
            key = request.match_info["key"]
            return json_response(request, self.store.ack(user, key, ack_id))

        return await self._answer(request, work)


def _top(raw: str) -> int:
    """``$top`` of Read: 1..20, pydantic's 422 shape otherwise (as ``/Products``' $top)."""
    try:
        top = int(raw)
    except ValueError:
        raise ValidationFailure(
            [{"type": "int_parsing", "loc": ["query", "$top"], "input": raw,
              "msg": "Input should be a valid integer, unable to parse string as an integer"}]
        ) from None  # fmt: skip
    if not 1 <= top <= READ_MAX:
        bound = "less_than_equal" if top > READ_MAX else "greater_than_equal"
        limit = READ_MAX if top > READ_MAX else 1
        word = "less" if top > READ_MAX else "greater"
        raise ValidationFailure(
            [{"type": bound, "loc": ["query", "$top"], "input": raw, "ctx": {"error": {}},
              "msg": f"Input should be {word} than or equal to {limit}"}]
        )  # fmt: skip
    return top
