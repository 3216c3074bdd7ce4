"""Orders of offline products: place them within the account's quota, wait, cancel, list.

Each order is kept in the job file (:mod:`.store`) before and after every call to the service,
so a process that restarts finds its orders (placed or still pending) and waits for them again
instead of ordering twice. Beyond the account's concurrent-order quota (``max_orders``: 1 for a
Copernicus General user, 5 for Copernicus Services users, per CDSE's quota table) orders stay
``pending`` here and are placed as earlier ones end; a 429 from the service (its own count,
orders placed elsewhere) leaves them pending too. Polling backs off from :data:`FIRST_POLL` to
:data:`LAST_POLL` seconds, never past the deadline: no busy loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from ...config import Context, resolve
from ...errors import ConfigurationError, RateLimited
from ...product import Product
from ..runner import run_sync
from .errors import OrderFailed, OrderRefused, OrderTimeout
from .model import ACTIVE, Order
from .service import OrderService
from .store import OrderStore

__all__ = ["cancel_order", "list_orders", "order", "refresh_order", "wait_orders"]

FIRST_POLL = 0.05
LAST_POLL = 60.0
#: The real quota of a Copernicus General user: 1 order of offline data at a time.
DEFAULT_MAX_ORDERS = 1


class _Session:
    """An aiohttp session, the account's token provider, its job file and the ODP calls."""

    def __init__(self, context: Context) -> None:
        from ...auth.shared import token_providers

        self.context = context
        self.tokens = token_providers(context.credentials, context.endpoints, context.settings)[0]
        self.store = OrderStore(context.settings.cache_dir, self.tokens.username)

    async def __aenter__(self) -> _Session:
        from ...net.http import new_session

        self._cm = new_session(timeout=self.context.settings.timeout)
        session = await self._cm.__aenter__()
        self.service = OrderService(
            session, self.context.endpoints, self.tokens, self.context.settings.retries
        )
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._cm.__aexit__(*exc)

    def keep(self, order: Order) -> Order:
        order = dataclasses.replace(order, _context=self.context)
        self.store.write(order)
        return order


def _context(context: Context | None, **given: Any) -> Context:
    return resolve(context, **given)


def _check_max(max_orders: Any) -> int:
    if isinstance(max_orders, bool) or not isinstance(max_orders, int) or max_orders < 1:
        raise ConfigurationError(
            f"max_orders={max_orders!r} is invalid; expected a whole number >= 1 (CDSE's quota: "
            "1 concurrent order for a Copernicus General user)"
        )
    return max_orders


async def _products(items: Any, context: Context) -> list[Product]:
    """The products of ``items`` (ids and names looked up): every bad one named, no order."""
    from ..keys import lookup_products
    from ..plan import collect

    if isinstance(items, str | Product):
        items = [items]
    request = collect(items, None)
    found = {}
    if request.keys:
        found = await lookup_products(request.keys, context.endpoints, context.settings)
    return request.plan(found).products


async def place(s: _Session, product: Product) -> Order:
    """The product's kept order if it still holds (no request), else a new pending one."""
    async with s.store.locked(product.id):
        kept = s.store.read(product.id, s.context)
        if kept is not None and kept.status in (*ACTIVE, "pending"):
            return kept  # placed (or queued here) by an earlier process: wait for it
        if product.online is True:
            if kept is not None and kept.status == "completed":
                return kept  # its output is online: download it
            raise OrderRefused(
                f"{product.name} is online (Online: true): it needs no order; download it"
            )
        return s.keep(Order("", product.id, product.name, "pending", "not placed yet"))


async def _advance(s: _Session, order: Order, max_orders: int) -> Order:
    """One step: place a pending order when the quota has room, else look the order up."""
    if order.status == "pending":
        async with s.store.locked(order.product_id):
            kept = s.store.read(order.product_id, s.context) or order
            if kept.status != "pending":
                return kept  # another process placed it meanwhile
            active = sum(o.status in ACTIVE for o in s.store.all())
            if active >= max_orders:
                return kept
            product = Product(id=order.product_id, name=order.product_name)
            try:
                placed = await s.service.submit(product)
            except RateLimited as err:  # the service's count is full (orders placed elsewhere)
                return s.keep(dataclasses.replace(kept, message=f"waiting: {err}"))
            return s.keep(placed)
    if order.status in ACTIVE:
        fresh = await s.service.get(order.id, order.product_id, order.product_name)
        return s.keep(fresh)
    return order


async def drive(
    s: _Session,
    orders: Sequence[Order],
    *,
    timeout: float | None,
    max_orders: int,
    on_end: Callable[[Order], Awaitable[None]] | None = None,
) -> list[Order]:
    """Advance ``orders`` until each has ended (or the deadline: :class:`OrderTimeout`)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    current = list(orders)
    reported: set[int] = set()
    delay = FIRST_POLL
    while True:
        for i, order in enumerate(current):
            if not order.done:
                current[i] = order = await _advance(s, order, max_orders)
            if order.done and i not in reported:
                reported.add(i)
                if on_end is not None:
                    await on_end(order)
        if all(o.done for o in current):
            return current
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            waiting = ", ".join(f"{o.product_name} ({o.status})" for o in current if not o.done)
            raise OrderTimeout(
                f"orders not completed within {timeout:g} s: {waiting}; they go on: wait again "
                "later (the job file under the cache keeps them)"
            )
        await asyncio.sleep(delay if left is None else min(delay, left))
        delay = min(delay * 1.6, LAST_POLL)


def _raise_ended(orders: Sequence[Order]) -> None:
    for order in orders:
        if order.status in ("failed", "cancelled"):
            raise OrderFailed(
                f"the order {order.id} of {order.product_name} {order.status}: {order.message}"
            )


def order(
    items: Any,
    *,
    wait: bool = False,
    timeout: float | None = None,
    max_orders: int = DEFAULT_MAX_ORDERS,
    context: Context | None = None,
    endpoints: Any = None,
    settings: Any = None,
    credentials: Any = None,
) -> list[Order]:
    """Order offline products (``Online: false``) through CDSE's On-Demand Production API.

    ``items``: Products, SearchResults, product ids or names (looked up first: unknown ones
    raise ProductNotFound before any order; an online product raises :class:`OrderRefused`:
    it needs no order). Orders already kept in the job file are reused, never placed twice. At
    most ``max_orders`` are placed at once (CDSE's quota); the others stay ``pending`` until
    :meth:`Order.wait` (or ``wait=True``) places them. ``wait``: block until all have ended
    (``timeout`` seconds; :class:`OrderTimeout`), raising :class:`OrderFailed` for a failed one.
    """
    ctx = _context(context, endpoints=endpoints, settings=settings, credentials=credentials)
    limit = _check_max(max_orders)

    async def run() -> list[Order]:
        products = await _products(items, ctx)
        async with _Session(ctx) as s:
            placed = [await place(s, p) for p in products]
            placed = [await _advance(s, o, limit) for o in placed]
            if wait:
                placed = await drive(s, placed, timeout=timeout, max_orders=limit)
        return placed

    result = run_sync(run)
    if wait:
        _raise_ended(result)
    return result


def wait_orders(
    orders: Sequence[Order],
    *,
    timeout: float | None = None,
    max_orders: int = DEFAULT_MAX_ORDERS,
    context: Context | None = None,
) -> list[Order]:
    """Wait until ``orders`` have ended; OrderFailed for a failed or cancelled one."""
    ctx = _context(context)
    limit = _check_max(max_orders)

    async def run() -> list[Order]:
        async with _Session(ctx) as s:
            return await drive(s, orders, timeout=timeout, max_orders=limit)

    result = run_sync(run)
    _raise_ended(result)
    return result


def refresh_order(order: Order, *, context: Context | None = None) -> Order:
    """``order`` as the service (or, while pending, the job file) has it now."""
    ctx = _context(context)

    async def run() -> Order:
        async with _Session(ctx) as s:
            if order.status == "pending":
                return s.store.read(order.product_id, ctx) or order
            return await _advance(s, order, 1) if order.status in ACTIVE else order

    return run_sync(run)


def cancel_order(key: str, *, context: Context | None = None, **given: Any) -> Order:
    """Cancel the order with CDSE id ``key`` (or the kept order of the product with that id)."""
    ctx = _context(context, **given)
    if not isinstance(key, str) or not key.strip():
        raise ConfigurationError(
            f"order id {key!r} is invalid; expected an order id such as 2322969"
        )

    async def run() -> Order:
        async with _Session(ctx) as s:
            kept = next((o for o in s.store.all(ctx) if key in (o.id, o.product_id)), None)
            if kept is not None and kept.status == "pending":
                return s.keep(dataclasses.replace(kept, status="cancelled", message="not placed"))
            if kept is None:
                return dataclasses.replace(await s.service.cancel(key.strip()), _context=ctx)
            if kept.done:
                raise OrderRefused(
                    f"the order {kept.id} of {kept.product_name} has already ended "
                    f"({kept.status}): nothing to cancel"
                )
            return s.keep(await s.service.cancel(kept.id, kept.product_id, kept.product_name))

    return run_sync(run)


def list_orders(
    status: str | None = None, *, context: Context | None = None, **given: Any
) -> list[Order]:
    """The account's orders as the service lists them (``status``: only those)."""
    from .model import STATUSES

    if status is not None and status not in STATUSES[1:]:
        raise ConfigurationError(
            f"status={status!r} is invalid; expected one of {', '.join(STATUSES[1:])}"
        )
    ctx = _context(context, **given)

    async def run() -> list[Order]:
        async with _Session(ctx) as s:
            listed = await s.service.list(status)
            kept = {o.id: o for o in s.store.all(ctx) if o.id}
            return [
                dataclasses.replace(o, product_id=kept[o.id].product_id, _context=ctx)
                if o.id in kept
                else dataclasses.replace(o, _context=ctx)
                for o in listed
            ]

    return run_sync(run)
