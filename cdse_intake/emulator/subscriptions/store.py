"""Subscriptions and their notification queues, per user (DOC-Subscriptions).

Documented: fields and defaults (Status ``running``, SubscriptionEvent ``["created"]``,
StageOrder true, Priority fixed to 1, FilterParam empty: every new product), at most 1 running
and 10 running or paused subscriptions per user, PULL queues of at most 100,000 notifications
(the oldest dropped), ``Read`` of 1 notification by default and 20 at most, ``Ack`` of an AckId
acknowledging it and every notification before it, ``cancelled`` meaning deleted (404 after),
PUSH retried three times on failure. Not documented, so chosen here [unverified]: the limit
errors' status and wording (400, the OData app's ``detail`` shape), the errors for a bad
FilterParam/Status/event, a Read on a PUSH subscription (400), and the emulator's own rule that
PUSH endpoints must be loopback addresses (it never sends anywhere else).
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
import weakref
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from ..catalogue import Catalogue, Entry
from ..odata.columns import columns_for
from ..odata.errors import ODataError
from ..odata.evaluate import Evaluator
from ..odata.parser import parse_filter

__all__ = ["MAX_RUNNING", "MAX_TOTAL", "Notification", "Subscription", "SubscriptionStore"]

MAX_RUNNING = 1
MAX_TOTAL = 10
MAX_QUEUE = 100_000
READ_MAX = 20
STATUSES = ("running", "paused", "cancelled")
EVENTS = ("created",)
RUNNING_LIMIT = (
    "Maximum number of running subscriptions reached: a user may have 1 running "
    "subscription. Pause or delete it first."
)
TOTAL_LIMIT = (
    "Maximum number of subscriptions reached: a user may have 10 subscriptions "
    "(running and paused). Delete one first."
)


def _stamp(when: datetime) -> str:
    """``2024-03-13T09:39:49.404Z``: milliseconds, as the documented examples."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


@dataclass
class Notification:
    """One queued notification of a PULL subscription."""

    ack_id: str
    seq: int
    product_id: str
    product_name: str
    date: datetime
    record: bytes  # the product's record, with Attributes, Assets and Locations


@dataclass
class Subscription:
    id: str
    user: str
    filter: str
    status: str
    submitted: datetime
    stage_order: bool = True
    events: list[str] = field(default_factory=lambda: list(EVENTS))
    endpoint: str | None = None
    ep_username: str | None = field(default=None, repr=False)
    ep_password: str | None = field(default=None, repr=False)
    last_notification: datetime | None = None
    queue: deque[Notification] = field(default_factory=deque, repr=False)
    seq: int = 0

    def body(self) -> dict[str, Any]:
        """The entity as the service shows it (the endpoint's credentials never)."""
        out: dict[str, Any] = {
            "Id": self.id,
            "FilterParam": self.filter,
            "StageOrder": self.stage_order,
            "Priority": 1,
            "Status": self.status,
        }
        if self.endpoint:
            out["NotificationEndpoint"] = self.endpoint
        if self.last_notification is not None:
            out["LastNotificationDate"] = _stamp(self.last_notification)
        out["SubscriptionEvent"] = list(self.events)
        out["SubmissionDate"] = _stamp(self.submitted)
        out["@odata.context"] = "$metadata#OData.CSC.Subscription"
        return out


class SubscriptionStore:
    """Every user's subscriptions over one catalogue. Timings are attributes, so tests make
    them short: ``push_attempts`` (1 + 3 retries, as documented), ``push_retry_delay`` and
    ``push_timeout`` in seconds."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = weakref.ref(catalogue)
        self._lock = threading.Lock()
        self.subscriptions: dict[str, Subscription] = {}
        self.max_queue = MAX_QUEUE
        self.push_attempts = 4
        self.push_retry_delay = 1.0
        self.push_timeout = 10.0
        self.pushes: list[dict[str, Any]] = []  # what was delivered (tests read it)
        self.render: Any = None  # set by the routes: entry -> record bytes

    # -- the entity ------------------------------------------------------------------------------
    def create(self, user: str, body: Any) -> Subscription:
        if not isinstance(body, dict):
            raise ODataError("The request body must be a JSON object.", 422)
        known = {
            "FilterParam", "StageOrder", "Priority", "Status", "SubscriptionEvent",
            "NotificationEndpoint", "NotificationEpUsername", "NotificationEpPassword",
        }  # fmt: skip
        unknown = sorted(set(body) - known)
        if unknown:
            raise ODataError(f"Unknown subscription field(s): {', '.join(unknown)}.", 422)
        text = body.get("FilterParam") or ""
        if not isinstance(text, str):
            raise ODataError("FilterParam must be a string.", 422)
        self.check_filter(text)
        status = _status(body.get("Status", "running"), creating=True)
        events = body.get("SubscriptionEvent", list(EVENTS))
        if not isinstance(events, list) or not events or any(e not in EVENTS for e in events):
            raise ODataError(f"Invalid SubscriptionEvent: {events!r}; allowed: created.", 422)
        endpoint = body.get("NotificationEndpoint") or None
        if endpoint is not None:
            check_endpoint(endpoint)
        sub = Subscription(
            id=str(uuid.uuid4()),
            user=user,
            filter=text,
            status=status,
            submitted=datetime.now(UTC),
            stage_order=bool(body.get("StageOrder", True)),
            events=list(events),
            endpoint=endpoint,
            ep_username=body.get("NotificationEpUsername") or None,
            ep_password=body.get("NotificationEpPassword") or None,
        )
        with self._lock:
            mine = self.of(user)
            if len(mine) >= MAX_TOTAL:
                raise ODataError(TOTAL_LIMIT, 400)
            if status == "running" and any(s.status == "running" for s in mine):
                raise ODataError(RUNNING_LIMIT, 400)
            self.subscriptions[sub.id] = sub
        return sub

    def check_filter(self, text: str) -> None:
        """A FilterParam that parses and evaluates (against one product), else ODataError."""
        if not text:
            return
        node = parse_filter(text)
        catalogue = self._catalogue()
        if catalogue is not None and len(catalogue):
            _mask(Catalogue(catalogue.entries[:1]), text, node)

    def of(self, user: str) -> list[Subscription]:
        return [s for s in self.subscriptions.values() if s.user == user]

    def get(self, user: str, key: str) -> Subscription:
        sub = self.subscriptions.get(key.strip("'").lower())
        if sub is None or sub.user != user:
            raise ODataError(f"Subscription with id {key} not found.", 404)
        return sub

    def update(self, user: str, key: str, body: Any) -> Subscription | None:
        """PATCH: Status (PULL and PUSH), the endpoint and its credentials (PUSH only);
        ``cancelled`` deletes (returns None)."""
        sub = self.get(user, key)
        if not isinstance(body, dict) or not body:
            raise ODataError("The request body must be a JSON object with fields to change.", 422)
        allowed = {"Status"}
        if sub.endpoint:
            allowed |= {"NotificationEndpoint", "NotificationEpUsername", "NotificationEpPassword"}
        refused = sorted(set(body) - allowed)
        if refused:
            raise ODataError(f"Field(s) that cannot be updated: {', '.join(refused)}.", 422)
        if "NotificationEndpoint" in body:
            check_endpoint(body["NotificationEndpoint"])
        with self._lock:
            if "Status" in body:
                status = _status(body["Status"], creating=False)
                if status == "cancelled":
                    del self.subscriptions[sub.id]
                    return None
                others = [s for s in self.of(user) if s.id != sub.id]
                if status == "running" and any(s.status == "running" for s in others):
                    raise ODataError(RUNNING_LIMIT, 400)
                sub.status = status
            sub.endpoint = body.get("NotificationEndpoint", sub.endpoint)
            sub.ep_username = body.get("NotificationEpUsername", sub.ep_username)
            sub.ep_password = body.get("NotificationEpPassword", sub.ep_password)
        return sub

    def delete(self, user: str, key: str) -> None:
        sub = self.get(user, key)
        with self._lock:
            self.subscriptions.pop(sub.id, None)

    # -- PULL --------------------------------------------------------------------------------------
    def read(self, user: str, key: str, top: int) -> list[Notification]:
        sub = self.get(user, key)
        if sub.endpoint:
            raise ODataError("Read is available for PULL subscriptions only.", 400)
        with self._lock:
            return list(sub.queue)[:top]

    def ack(self, user: str, key: str, ack_id: str) -> dict[str, Any]:
        sub = self.get(user, key)
        with self._lock:
            target = next((n for n in sub.queue if n.ack_id == ack_id), None)
            if target is None:
                raise ODataError(f"Invalid ackid: {ack_id[:100]}", 400)
            count = 0
            while sub.queue and sub.queue[0].seq <= target.seq:
                sub.queue.popleft()
                count += 1
            sub.last_notification = datetime.now(UTC)
            return {
                "@odata.context": "$metadata#Notification/$entity",
                "AckMessagesNum": count,
                "CurrentQueueLength": len(sub.queue),
                "MaxQueueLength": self.max_queue,
            }

    # -- a product was published -----------------------------------------------------------------
    def matching(self, entry: Entry) -> list[Subscription]:
        """The running subscriptions whose FilterParam selects ``entry``."""
        with self._lock:
            running = [s for s in self.subscriptions.values() if s.status == "running"]
        one = Catalogue([entry])
        return [s for s in running if not s.filter or _mask(one, s.filter, None)]

    def enqueue(self, sub: Subscription, entry: Entry, record: bytes) -> Notification:
        now = datetime.now(UTC)
        with self._lock:
            sub.seq += 1
            raw = f"{int(time.time() * 1000)}-{sub.seq}:{sub.id}".encode()
            note = Notification(
                base64.b64encode(raw).decode(), sub.seq, entry.id, entry.name, now, record
            )
            if not sub.endpoint:
                sub.queue.append(note)
                while len(sub.queue) > self.max_queue:  # the oldest are lost (documented)
                    sub.queue.popleft()
            return note


def notification_body(sub: Subscription, note: Notification, *, ack: bool) -> bytes:
    """A notification as JSON bytes: the documented keys in their order, ``value`` last."""
    import orjson

    head: dict[str, Any] = {
        "@odata.context": "$metadata#Notification/$entity",
        "SubscriptionEvent": "created",
        "ProductId": note.product_id,
        "ProductName": note.product_name,
        "SubscriptionId": sub.id,
        "NotificationDate": _stamp(note.date),
    }
    if ack:
        head["AckId"] = note.ack_id
    value = b'{"@odata.context":"$metadata#Products(Attributes(),Assets(),Locations())/$entity",'
    return orjson.dumps(head)[:-1] + b',"value":' + value + note.record[1:] + b"}"


def check_endpoint(url: Any) -> None:
    """A PUSH endpoint: an http(s) URL; the emulator delivers to loopback addresses only."""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ODataError(f"Invalid NotificationEndpoint: {str(url)[:200]!r}.", 422)
    host = parts.hostname
    if not (host.startswith("127.") or host in ("localhost", "::1")):
        raise ODataError(
            f"NotificationEndpoint {url!r}: this emulator delivers to loopback addresses only.",
            400,
        )


def _status(value: Any, *, creating: bool) -> str:
    allowed = ("running", "paused") if creating else STATUSES
    if value not in allowed:
        raise ODataError(f"Invalid Status: {value!r}; allowed: {', '.join(allowed)}.", 422)
    return value


def _mask(catalogue: Catalogue, text: str, node: Any) -> bool:
    node = node if node is not None else parse_filter(text)
    return bool(Evaluator(columns_for(catalogue), text, lambda: catalogue.online).mask(node)[0])


_STORES: weakref.WeakKeyDictionary[Catalogue, SubscriptionStore] = weakref.WeakKeyDictionary()
_STORES_LOCK = threading.Lock()


def store_for(catalogue: Catalogue) -> SubscriptionStore:
    """The subscriptions of the emulator serving ``catalogue`` (made when first asked)."""
    with _STORES_LOCK:
        store = _STORES.get(catalogue)
        if store is None:
            store = _STORES[catalogue] = SubscriptionStore(catalogue)
        return store
