"""The On-Demand Production API's order routes (``https://odp.dataspace.copernicus.eu/odata/v1``).

Shapes from eu-cdse/documentation ``APIs/On-Demand Production API.qmd``: ``POST
ProductionOrder/OData.CSC.Order`` answers ``{"@odata.context": "$metadata#OData.CSC.Order",
"value": {<order>}}``; ``GET ProductionOrders`` ``{"@odata.context": ..., "value": [...]}``,
filterable by ``Status`` and ``Name`` (the documentation writes ``Status eq completed``
unquoted; quoted values are taken too); ``ProductionOrders(<id>)`` one order (the documentation
writes the singular ``ProductionOrder(<id>)`` for cancel and ``/Product``: both are served);
``ProductionOrder(<id>)/OData.CSC.Cancel``. [assumed where the documentation is silent:] the
status codes (201 on creation), the single order wrapped in ``value`` as on creation, error
bodies in the FastAPI family the ODP API and the Browser's client show (``{"detail":
{"message", "request_id"}}``; 422 ``{"detail": [{"loc", "msg", "type"}]}``), 429 for the
concurrent-order quota, 404 for an unknown product or order, 400 for an online product (it
needs no order) and for cancelling an order that has ended. Orders are per user: another
user's order is 404.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from aiohttp import web

from ..http import bearer_token, json_response, odata_error, request_id
from ..tokens import TokenError
from .book import ACTIVE, QuotaReached, order_book

__all__ = ["routes"]

_FILTER = re.compile(r"\s*(Status|Name|Id)\s+eq\s+'?([^']*?)'?\s*$")
_STATUSES = (*ACTIVE, "completed", "failed", "cancelled")


def routes(ctx: Any) -> list[web.RouteDef]:
    """The ODP routes, under the service root."""

    def book() -> Any:
        return order_book(ctx.state, ctx.catalogue)

    def user_of(request: web.Request) -> str:
        try:
            return ctx.tokens.verify_access(bearer_token(request))["preferred_username"]
        except TokenError as err:
            raise _Answer(
                odata_error(request, 401, f"Not authenticated: token {err.reason}")
            ) from err

    def invalid(request: web.Request, loc: list[str], msg: str) -> web.Response:
        body = {"detail": [{"loc": loc, "msg": msg, "type": "value_error"}]}
        return json_response(request, body, 422, {"request-id": request_id(request)})

    async def create(request: web.Request) -> web.Response:
        user = user_of(request)
        try:
            body = await request.json(loads=orjson.loads)
        except ValueError:
            return invalid(request, ["body"], "JSON decode error")
        if not isinstance(body, dict):
            return invalid(request, ["body"], "Input should be a valid dictionary")
        ref = body.get("InputProductReference")
        reference = ref.get("Reference") if isinstance(ref, dict) else None
        if not isinstance(reference, str) or not reference:
            return invalid(
                request, ["body", "InputProductReference", "Reference"], "Field required"
            )
        priority = body.get("Priority", 50)
        if isinstance(priority, bool) or not isinstance(priority, int) or not 0 <= priority <= 100:
            return invalid(request, ["body", "Priority"], "Input should be an integer 0..100")
        cat = ctx.catalogue
        entry = cat.by_name.get(reference) or cat.by_id.get(reference)
        if entry is None:
            return odata_error(request, 404, f"Product {reference} not found")
        if entry.online:
            return odata_error(
                request, 400, f"Product {entry.name} is online: it needs no order (download it)"
            )
        notification = body.get("NotificationEndpoint")
        try:
            order = book().submit(
                user,
                entry,
                reference,
                name=str(body.get("Name") or entry.name),
                priority=priority,
                notification=notification if isinstance(notification, str) else None,
            )
        except QuotaReached as quota:
            return odata_error(
                request, 429, f"Maximum number of concurrent orders ({quota.args[0]}) reached"
            )
        context = "$metadata#OData.CSC.Order"
        return json_response(request, {"@odata.context": context, "value": order.entity()}, 201)

    async def listing(request: web.Request) -> web.Response:
        orders = book().of(user_of(request))
        text = request.query.get("$filter")
        if text:
            for clause in re.split(r"\s+and\s+", text):
                match = _FILTER.fullmatch(clause)
                if match is None:
                    return odata_error(request, 400, f"Invalid filter: {text}")
                key, value = match.groups()
                if key == "Status" and value not in _STATUSES:
                    return odata_error(request, 400, f"Invalid value: {value}")
                field = {"Status": "status", "Name": "name", "Id": "id"}[key]
                orders = [o for o in orders if getattr(o, field) == value]
        body = {
            "@odata.context": "$metadata#ProductionOrder",
            "value": [o.entity() for o in orders],
        }
        return json_response(request, body)

    def find(request: web.Request) -> Any:
        user = user_of(request)
        order = next((o for o in book().of(user) if o.id == request.match_info["id"]), None)
        if order is None:
            ident = request.match_info["id"]
            raise _Answer(odata_error(request, 404, f"Production order {ident} not found"))
        return order

    async def one(request: web.Request) -> web.Response:
        body = {
            "@odata.context": "$metadata#ProductionOrder/$entity",
            "value": find(request).entity(),
        }
        return json_response(request, body)

    async def cancel(request: web.Request) -> web.Response:
        order = find(request)
        if not book().cancel(order):
            return odata_error(request, 400, f"Order {order.id} is {order.status}: cannot cancel")
        body = {"@odata.context": "$metadata#ProductionOrder/$entity", "value": order.entity()}
        return json_response(request, body)

    entity = r"/{kind:ProductionOrders?}({id:[^)]*})"
    return [
        web.post("/ProductionOrder/OData.CSC.Order", _answering(create)),
        web.get("/ProductionOrders", _answering(listing)),
        web.get(entity, _answering(one)),
        web.post(entity + "/OData.CSC.Cancel", _answering(cancel)),
        web.get(entity + "/OData.CSC.Cancel", _answering(cancel)),  # the documentation's curl
    ]


class _Answer(Exception):
    """An error answer raised from a helper (aiohttp's HTTP exceptions with a body are
    deprecated)."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


def _answering(handler: Any) -> Any:
    async def wrapped(request: web.Request) -> web.Response:
        try:
            return await handler(request)
        except _Answer as answer:
            return answer.response

    return wrapped
