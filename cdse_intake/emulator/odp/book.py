"""The On-Demand Production service's orders: one book per emulator, on a clock tests pace.

An order of an offline product (``Online: false``) goes ``queued`` -> ``in progress`` ->
``completed`` (or ``failed``), ``delay`` seconds each; on completion the product is put
``Online: true`` in the catalogue with an ``EvictionDate`` ``available_for`` seconds later, and
taken offline again once that passes. Transitions happen when the book is read (every ODP
request, and :meth:`OrderBook.advance`), so nothing runs in the background and tests are
deterministic. Real CDSE facts (eu-cdse/documentation ``APIs/On-Demand Production API.qmd``,
``Quotas.qmd``, ``Applications/DataWorkspace.qmd``): offline (DAD) products are ordered through
the Data Workspace / ODP; once the order is completed the product is in the catalogue and
downloads like any other; ODP outputs stay 14 days; a Copernicus General user has 1 concurrent
order of offline data (Copernicus Services users: 5) and 2 orders "in progress" at once.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..catalogue import Catalogue, Entry

__all__ = ["Order", "OrderBook", "QuotaReached", "order_book"]

#: The real output's life in the temporary storage (ODP documentation: 14 days).
FOURTEEN_DAYS = 14 * 86_400.0
#: Statuses as the documentation spells them (plus ``cancelled``, from the ODIP ICD's enum).
ACTIVE = ("queued", "in progress")
MESSAGES = {
    "queued": "queued",
    "in progress": "in progress",
    "completed": "requested output product is available",
    "cancelled": "order cancelled by the user",
}


class QuotaReached(Exception):
    """The user's concurrent-order quota is full."""


def stamp(seconds: float) -> str:
    """ODP's datetime form: milliseconds and ``Z`` (``2024-05-21T05:34:52.840Z``)."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Order:
    """One production order of one offline product."""

    id: str
    user: str
    entry_id: str
    reference: str
    name: str
    priority: int
    notification: str | None
    submitted: float
    delay: float
    status: str = "queued"
    message: str = "queued"
    completed: float | None = None
    evicts: float | None = None
    fail_with: str | None = None

    def entity(self) -> dict[str, Any]:
        """The ``ProductionOrder`` entity, keys in the documented order."""
        body: dict[str, Any] = {
            "Id": self.id,
            "Status": self.status,
            "StatusMessage": self.message,
            "SubmissionDate": stamp(self.submitted),
            "Name": self.name,
            "EstimatedDate": stamp(self.submitted + 2 * self.delay),
            "CompletedDate": stamp(self.completed) if self.completed else None,
            "EvictionDate": stamp(self.evicts) if self.evicts else None,
            "InputProductReference": {"Reference": self.reference, "ContentDate": None},
            "WorkflowOptions": [],
            "WorkflowName": None,
            "WorkflowId": None,
            "Priority": self.priority,
            "NotificationEndpoint": self.notification,
        }
        return body


@dataclass
class OrderBook:
    """Every user's orders, the pace and the quotas; the test-facing controls."""

    catalogue: Catalogue
    delay: float = 5.0
    """Seconds an order stays in each of ``queued`` and ``in progress``."""
    available_for: float = FOURTEEN_DAYS
    """Seconds a completed order's product stays online before it is evicted again."""
    max_active: int = 1
    """Orders a user may have queued or in progress at once (the real general-user quota)."""
    orders: dict[str, Order] = field(default_factory=dict)
    posts: int = 0
    """Order submissions received (accepted or not): what a resumed client must not repeat."""
    _failing: dict[str, str] = field(default_factory=dict)
    _next: int = 2_322_968
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    # -- controls --------------------------------------------------------------------------------
    def fail(self, product: str, message: str = "processing failed: input not retrievable") -> None:
        """Make the next orders of ``product`` (id or name) fail with ``message``."""
        with self._lock:
            self._failing[product] = message

    def evict(self, product: str) -> None:
        """Take ``product`` (id or name) offline again now (its order's output expired)."""
        with self._lock:
            entry = self.catalogue.by_id.get(product) or self.catalogue.by_name.get(product)
            if entry is not None:
                set_online(self.catalogue, entry, False, entry.eviction)

    def advance(self, now: float | None = None) -> None:
        """Move every order to where the clock says it is."""
        now = time.time() if now is None else now
        with self._lock:
            for order in self.orders.values():
                self._step(order, now)

    # -- the service -----------------------------------------------------------------------------
    def submit(self, user: str, entry: Entry, reference: str, **options: Any) -> Order:
        with self._lock:
            self.posts += 1
            self.advance()
            active = [o for o in self.orders.values() if o.user == user and o.status in ACTIVE]
            if len(active) >= self.max_active:
                raise QuotaReached(self.max_active)
            self._next += 1
            order = Order(
                id=str(self._next),
                user=user,
                entry_id=entry.id,
                reference=reference,
                submitted=time.time(),
                delay=self.delay,
                fail_with=self._failing.get(entry.id) or self._failing.get(entry.name),
                **options,
            )
            self.orders[order.id] = order
            return order

    def of(self, user: str) -> list[Order]:
        with self._lock:
            self.advance()
            return [o for o in self.orders.values() if o.user == user]

    def cancel(self, order: Order) -> bool:
        """Cancel a queued or running order; False when it has already ended."""
        with self._lock:
            self.advance()
            if order.status not in ACTIVE:
                return False
            order.status, order.message = "cancelled", MESSAGES["cancelled"]
            return True

    def _step(self, order: Order, now: float) -> None:
        if order.status in ACTIVE:
            if now >= order.submitted + 2 * order.delay:
                self._finish(order, order.submitted + 2 * order.delay)
            elif now >= order.submitted + order.delay:
                order.status = order.message = "in progress"
        if order.status == "completed" and order.evicts is not None and now >= order.evicts:
            entry = self.catalogue.by_id.get(order.entry_id)
            if entry is not None and entry.online:
                set_online(self.catalogue, entry, False, entry.eviction)
            order.evicts = None if entry is None else order.evicts

    def _finish(self, order: Order, when: float) -> None:
        order.completed = when
        entry = self.catalogue.by_id.get(order.entry_id)
        if order.fail_with is not None or entry is None:
            order.status = "failed"
            order.message = order.fail_with or "input product no longer in the archive"
            return
        order.status, order.message = "completed", MESSAGES["completed"]
        order.evicts = when + self.available_for
        set_online(self.catalogue, entry, True, stamp(order.evicts)[:-1] + "000Z")


def set_online(catalogue: Catalogue, entry: Entry, online: bool, eviction: str) -> None:
    """Put a copy of ``entry`` with ``online``/``eviction`` in its place, the index's online
    column too. ``Catalogue.replace`` keeps indexed fields by design, and ``Entry`` is left
    as it is (its source is fingerprinted by the sums packs): a shallow copy, whose derived
    fields (sizes, checksums, payload) come along as they are."""
    new = copy.copy(entry)
    new.online = online
    new.eviction = eviction
    index = next(i for i, e in enumerate(catalogue.entries) if e is entry)
    entries = list(catalogue.entries)
    entries[index] = new
    catalogue.entries = entries
    catalogue.by_id[new.id] = catalogue.by_name[new.name] = new
    column = catalogue.online.copy()  # a catalogue.copy() shares the array: never write it
    column[index] = online
    catalogue.online = column


def order_book(state: Any, catalogue: Catalogue | None = None) -> OrderBook:
    """The emulator's order book (made on first use; kept on its ``EmulatorState``)."""
    book = state.__dict__.get("_odp_book")
    if book is None:
        if catalogue is None:
            raise RuntimeError("the emulator is not started: its order book has no catalogue")
        book = state.__dict__["_odp_book"] = OrderBook(catalogue)
    return book
