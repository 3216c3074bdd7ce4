"""Calls to the On-Demand Production API (``Endpoints.odp``): submit, look up, list, cancel.

The order body is the documented ``ProductionOrder/OData.CSC.Order`` one: ``Name``,
``InputProductReference.Reference`` (the product's name) and ``Priority``. [assumed] The
documentation gives no ``WorkflowName`` for the retrieval of an offline product (the Data
Workspace's "Order offline products"), so none is sent. A submission is never retried (a lost
answer could otherwise order twice: the job file and a listing by name find such an order);
look-ups are, on 429/5xx, with backoff. Answers are read within a bound.
"""

from __future__ import annotations

from typing import Any

from ...config import Endpoints
from ...errors import ServiceError
from ...net.http import (
    decode_body,
    error_from_response,
    read_bounded,
    read_error_body,
    with_retries,
)
from ...net.transport import Transport
from ...product import Product
from .model import Order, parse_order

__all__ = ["OrderService"]

#: Largest order answer read (a listing of a few hundred orders is well under it).
MAX_ORDERS_ANSWER = 8 << 20
#: Orders listed at most (one page: the service's own listing is per user and small).
MAX_LISTED = 1000


class OrderService:
    """One account's view of the ODP API over an aiohttp session."""

    def __init__(self, session: Any, endpoints: Endpoints, tokens: Any, retries: int) -> None:
        self.root = endpoints.odp.rstrip("/")
        self.transport = Transport(session, endpoints, tokens)
        self.session = session
        self.tokens = tokens
        self.retries = retries

    async def _call(self, method: str, path: str, *, json: Any = None, params: Any = None) -> Any:
        url = f"{self.root}/{path}"
        refreshed = False
        while True:
            headers = {"Accept": "application/json"}
            if self.transport.may_receive_token(url):
                headers.update(await self.tokens.headers_async())
            async with self.session.request(
                method, url, json=json, params=params, headers=headers, allow_redirects=False
            ) as resp:
                if resp.status == 401 and not refreshed and "Authorization" in headers:
                    self.tokens.invalidate(headers["Authorization"].removeprefix("Bearer "))
                    refreshed = True
                    continue
                if resp.status >= 300:
                    body = await read_error_body(resp) if resp.status >= 400 else None
                    if resp.status < 400:
                        raise ServiceError(
                            f"the order service redirected {url} "
                            f"(HTTP {resp.status}): not followed",
                            status=resp.status,
                        )
                    raise error_from_response(resp.status, body, url, resp.headers)
                return decode_body(await read_bounded(resp, MAX_ORDERS_ANSWER))

    async def submit(self, product: Product, priority: int = 50) -> Order:
        """Order ``product``; its queued :class:`Order`. 429 (the quota) raises RateLimited."""
        body = {
            "Name": product.name,
            "InputProductReference": {"Reference": product.name},
            "Priority": priority,
        }
        answer = await self._call("POST", "ProductionOrder/OData.CSC.Order", json=body)
        return _with_product(parse_order(answer), product.id, product.name)

    async def get(self, order_id: str, product_id: str = "", name: str = "") -> Order:
        answer = await with_retries(
            lambda: self._call("GET", f"ProductionOrders({order_id})"),
            retries=self.retries,
            what=f"order {order_id}",
        )
        return _with_product(parse_order(answer), product_id, name)

    async def list(self, status: str | None = None) -> list[Order]:
        params = {"$filter": f"Status eq '{status}'"} if status else None
        answer = await with_retries(
            lambda: self._call("GET", "ProductionOrders", params=params),
            retries=self.retries,
            what="the order listing",
        )
        values = answer.get("value") if isinstance(answer, dict) else None
        if not isinstance(values, list):
            raise ServiceError(f"the order service answered no order list: {str(answer)[:80]!r}")
        return [parse_order(v) for v in values[:MAX_LISTED]]

    async def cancel(self, order_id: str, product_id: str = "", name: str = "") -> Order:
        answer = await self._call("POST", f"ProductionOrder({order_id})/OData.CSC.Cancel")
        return _with_product(parse_order(answer), product_id, name)


def _with_product(order: Order, product_id: str, name: str) -> Order:
    import dataclasses

    return dataclasses.replace(
        order, product_id=product_id or order.product_id, product_name=order.product_name or name
    )
