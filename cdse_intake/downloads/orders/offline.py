"""``download(..., order_offline=True)``: offline products ordered, waited for, then downloaded
and verified like any other, while the online products download meanwhile.

Each order's product is downloaded as soon as its order completes (its record looked up again:
CDSE puts it ``Online: true`` until its ``EvictionDate``); its outcome and the manifest say
``ordered (order <id>)``. A failed or cancelled order fails its product with
:class:`~.errors.OrderFailed`, an output evicted before the download with
:class:`~.errors.OrderExpired`, a deadline passed with :class:`~.errors.OrderTimeout` (the order
goes on; the job file lets a rerun wait for it instead of ordering again).
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING

from ...config import Context
from ...errors import CDSEError
from ...product import Product
from .. import outcomes
from ..core import _Run
from ..plan import Plan, Request
from ..report import DownloadReport, Outcome
from ._api import DEFAULT_MAX_ORDERS, _Session, drive, place
from .errors import OrderExpired, OrderFailed, OrderTimeout
from .model import Order

if TYPE_CHECKING:
    from ..core import Downloader

__all__ = ["download_ordering"]


class _OrderedRun(_Run):
    """A run of one ordered product: its outcome's reason names the order."""

    def __init__(self, downloader: Downloader, plan: Plan, note: str) -> None:
        super().__init__(downloader, plan)
        self.note = note

    def finish(self, outcome: Outcome) -> None:
        reason = f"{self.note}; {outcome.reason}" if outcome.reason else self.note
        super().finish(dataclasses.replace(outcome, reason=reason))


async def download_ordering(
    downloader: Downloader,
    request: Request,
    *,
    max_orders: int = DEFAULT_MAX_ORDERS,
    timeout: float | None = None,
) -> DownloadReport:
    """:meth:`Downloader.download` with the offline products of ``request`` ordered first."""
    from ..keys import lookup_products

    d = downloader
    found = await lookup_products(request.keys, d.endpoints, d.settings) if request.keys else {}
    plan = request.plan(found)
    offline = [p for p in plan.products if p.online is False and d.cache.lookup(p) is None]
    ids = {p.id for p in offline}
    main = _Run(
        d, dataclasses.replace(plan, products=[p for p in plan.products if p.id not in ids])
    )
    done: dict[str, Outcome] = {}

    def sub(product: Product) -> Plan:
        return dataclasses.replace(plan, products=[product])

    def fail(product: Product, err: BaseException, note: str = "") -> None:
        run = _OrderedRun(d, sub(product), note or "ordered")
        run.finish(outcomes.failed(product, err))
        for recorder in run.plan.recorders:
            recorder.flush()
        run.bars.close()
        done[product.id] = run.outcomes[product.id]

    async def fetch(order: Order, product: Product) -> None:
        note = f"ordered (order {order.id})"
        if order.status != "completed":
            why = f"the order {order.id} of {product.name} {order.status}: {order.message}"
            fail(product, OrderFailed(why), note)
            return
        fresh = (await lookup_products([product.id], d.endpoints, d.settings))[product.id]
        if fresh.online is not True:
            fail(product, OrderExpired(_expired(order, product)), note)
            return
        run = _OrderedRun(d, sub(fresh), note)
        report = await run.run()
        outcome = report[0]
        if outcome.error == "ProductOffline" or "DAT-ZIP-915" in outcome.reason:
            fail(product, OrderExpired(_expired(order, product)), note)
            return
        done[product.id] = outcome

    async def ordered() -> None:
        if not offline:
            return
        context = Context(d.endpoints, d.settings, d.credentials, d.via)
        by_id = {p.id: p for p in offline}
        try:
            async with _Session(context) as s, asyncio.TaskGroup() as group:
                placed = [await place(s, p) for p in offline]

                async def on_end(order: Order) -> None:
                    group.create_task(fetch(order, by_id[order.product_id]))

                await drive(s, placed, timeout=timeout, max_orders=max_orders, on_end=on_end)
        except* (OrderTimeout, CDSEError, OSError) as errors:
            err = errors.exceptions[0]
            for product in offline:
                if product.id not in done:
                    fail(product, err)

    report, _ = await asyncio.gather(main.run(), ordered())
    done.update({o.id: o for o in report})
    return DownloadReport(
        [done[p.id] for p in plan.products if p.id in done],
        credentials_missing=report.credentials_missing,
        authentication_failed=report.authentication_failed,
    )


def _expired(order: Order, product: Product) -> str:
    return (
        f"the order {order.id} of {product.name} completed, but its output was evicted again "
        f"(EvictionDate {order.eviction}) before it was downloaded; order it again"
    )
