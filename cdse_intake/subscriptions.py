"""Subscriptions to new products: ``subscribe(...)`` with the search's query model.

>>> sub = cdse_intake.subscribe("SENTINEL-2", tile="31UFT")  # doctest: +SKIP
>>> for product in sub.products(poll=30, timeout=3600):  # doctest: +SKIP
...     cdse_intake.download(product)

A subscription is CDSE's (``/odata/v1/Subscriptions``, :mod:`.catalogue.subscriptions`): its
``FilterParam`` is the ``$filter`` a search with the same fields sends, so it selects exactly
the products that search would find, among those published after it was made. CDSE lets a user
have 1 running subscription (10 in all), so :func:`subscribe` reuses the user's subscription
with the same filter and mode when there is one (resuming it if paused): a restarted watch
carries on with its own queue instead of making another.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .catalogue.subscriptions import (
    READ_MAX,
    SubscriptionInfo,
    SubscriptionLimitError,
    SubscriptionService,
    check_id,
)
from .config import Context, Endpoints, Settings, resolve
from .errors import ProductNotFound, QueryError, RateLimited, ServiceError
from .product import Product
from .query import Query

__all__ = [
    "Subscription",
    "SubscriptionInfo",
    "SubscriptionLimitError",
    "get_subscription",
    "list_subscriptions",
    "subscribe",
]

log = logging.getLogger(__name__)
MODES = ("pull", "push")
#: Query fields a subscription cannot carry: what is decided after the catalogue answered.
_NOT_FOR_SUBSCRIPTIONS = ("limit", "min_sea_percent", "min_land_percent")
_sleep = time.sleep  # between polls (Ctrl-C ends it; tests replace it)


def subscribe(
    collection: str | None = None,
    *,
    mode: str = "pull",
    endpoint: str | None = None,
    endpoint_username: str | None = None,
    endpoint_password: str | None = None,
    query: Query | None = None,
    reuse: bool = True,
    validate: bool = True,
    endpoints: Endpoints | None = None,
    settings: Settings | None = None,
    credentials: Any = None,
    **query_fields: Any,
) -> Subscription:
    """Subscribe to products published from now on that match a search's query.

    ``query_fields`` are :func:`cdse_intake.search`'s (area, sensing time, product type,
    tile, orbit, attributes, ...), or pass ``query=``. ``mode``: ``"pull"`` (read with
    :meth:`Subscription.products`) or ``"push"`` (CDSE POSTs each notification to
    ``endpoint``, with ``endpoint_username``/``endpoint_password`` if it needs them).
    ``reuse``: take the user's existing subscription with the same filter and mode. Bad
    input raises :class:`~cdse_intake.errors.QueryError` before any request; CDSE's limits
    (1 running, 10 in all) raise :class:`SubscriptionLimitError`.
    """
    if mode not in MODES:
        raise QueryError(f"mode={mode!r}: expected 'pull' or 'push'")
    body = _endpoint_fields(mode, endpoint, endpoint_username, endpoint_password)
    query = _query(collection, query, query_fields)
    context = resolve(endpoints=endpoints, settings=settings, credentials=credentials)
    if validate:
        from .api import checked

        query = checked(query, context.endpoints, context.settings)
    from .catalogue.odata_filter import build_filter

    body = {"FilterParam": build_filter(query), **body}

    async def work(service: SubscriptionService) -> SubscriptionInfo:
        if reuse:
            for info in await service.list():
                if info.filter == body["FilterParam"] and info.endpoint == body.get(
                    "NotificationEndpoint"
                ):
                    if info.status == "paused":
                        info = await service.update(info.id, {"Status": "running"}) or info
                    return info
        return await service.create(
            {**body, "StageOrder": True, "Status": "running", "SubscriptionEvent": ["created"]}
        )

    return Subscription(_run(context, work), context)


def list_subscriptions(
    *, endpoints: Endpoints | None = None, settings: Settings | None = None, credentials: Any = None
) -> list[Subscription]:
    """The user's subscriptions (running and paused)."""
    context = resolve(endpoints=endpoints, settings=settings, credentials=credentials)
    return [Subscription(info, context) for info in _run(context, lambda s: s.list())]


def get_subscription(
    sub_id: str,
    *,
    endpoints: Endpoints | None = None,
    settings: Settings | None = None,
    credentials: Any = None,
) -> Subscription:
    """The user's subscription with this id (ProductNotFound: none, or cancelled)."""
    sub_id = check_id(sub_id)
    context = resolve(endpoints=endpoints, settings=settings, credentials=credentials)
    return Subscription(_run(context, lambda s: s.get(sub_id)), context)


@dataclass
class Subscription:
    """One of the user's subscriptions: its state when last asked, and what can be done."""

    info: SubscriptionInfo
    context: Context

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def status(self) -> str:
        return self.info.status

    @property
    def mode(self) -> str:
        return self.info.mode

    def __repr__(self) -> str:
        return f"Subscription({self.id}, {self.mode}, {self.status}, filter={self.info.filter!r})"

    def refresh(self) -> Subscription:
        """Ask CDSE for the current state."""
        self.info = _run(self.context, lambda s: s.get(self.id))
        return self

    def pause(self) -> Subscription:
        """Stop notifications; queued ones stay readable."""
        return self._set("paused")

    def resume(self) -> Subscription:
        """Run again (:class:`SubscriptionLimitError` if another one is running)."""
        return self._set("running")

    def delete(self) -> None:
        """Delete the subscription and its queue."""
        _run(self.context, lambda s: s.delete(self.id))

    def _set(self, status: str) -> Subscription:
        info = _run(self.context, lambda s: s.update(self.id, {"Status": status}))
        self.info = info or self.info
        return self

    def products(
        self, poll: float = 30.0, timeout: float | None = None, batch: int = READ_MAX
    ) -> Iterator[Product]:
        """New products as they are published: read, looked up in the catalogue by id, yielded,
        and acknowledged when the next is asked for (a product the loop did not finish is read
        again next time). Reads every ``poll`` seconds while nothing comes (backing off up to
        ten times that while CDSE fails); ends after ``timeout`` seconds, or on Ctrl-C."""
        poll, timeout, batch = _poll_args(poll, timeout, batch)
        if self.mode != "pull":
            raise QueryError(f"subscription {self.id} is a push subscription: it has no queue")
        deadline = None if timeout is None else time.monotonic() + timeout
        failures = 0
        seen: dict[str, None] = {}  # AckIds acknowledged here, oldest first
        try:
            while deadline is None or time.monotonic() < deadline:
                try:
                    found = _run(self.context, lambda s: _read(s, self.id, batch))
                    failures = 0
                except (ServiceError, RateLimited) as err:
                    failures += 1
                    log.warning("reading subscription %s failed (%s); retrying", self.id, err)
                    found = []
                # A server that keeps answering what was acknowledged cannot make this spin:
                # only notifications not seen before count, else the loop waits as if empty.
                found = [(p, a) for p, a in found if a not in seen]
                for product, ack_id in found:
                    yield product
                    _run(self.context, lambda s, a=ack_id: s.ack(self.id, a))
                    seen[ack_id] = None
                    if len(seen) > 10_000:
                        del seen[next(iter(seen))]
                if found:
                    continue
                pause = min(poll * 2 ** min(failures, 10), 10 * poll)
                if deadline is not None:
                    pause = min(pause, max(0.0, deadline - time.monotonic()))
                _sleep(pause)
        except KeyboardInterrupt:
            log.info("watching subscription %s interrupted", self.id)


async def _read(service: SubscriptionService, sub_id: str, batch: int) -> list[tuple[Any, str]]:
    """The queued notifications as (Product, AckId), each product looked up by id in the
    catalogue (its current record, Attributes expanded; the notification's own copy is kept by
    CDSE for three days only). One gone since is skipped, and acknowledged."""
    from .catalogue.records import product_from_odata
    from .net.http import get_json, with_retries

    notes = await service.read(sub_id, batch)
    catalogue = service.root.rsplit("/", 1)[0]
    out: list[tuple[Any, str]] = []
    for note in notes:
        url = f"{catalogue}/Products({check_id(note.product_id)})"
        try:
            record = await with_retries(
                lambda u=url: get_json(  # type: ignore[misc]
                    service.transport.session, u, params={"$expand": "Attributes"}
                ),
                retries=service.retries,
                what=f"looking up {url}",
            )
        except ProductNotFound:
            log.warning("%s is no longer in the catalogue: skipped", note.product_name)
            await service.ack(sub_id, note.ack_id)
            continue
        out.append((product_from_odata(record), note.ack_id))
    return out


def _run(context: Context, work: Any) -> Any:
    """Run ``work(service)`` on the shared event loop, with one session and the account's token."""
    from fsspec.asyn import get_loop, sync

    from .auth.shared import token_providers
    from .net.http import new_session

    endpoints, settings = context.endpoints, context.settings
    provider = token_providers(context.credentials, endpoints, settings)[0]

    async def call() -> Any:
        async with new_session(timeout=settings.timeout) as session:
            return await work(SubscriptionService(session, endpoints, provider, settings.retries))

    return sync(get_loop(), call)


def _query(collection: Any, query: Query | None, fields: dict[str, Any]) -> Query:
    if query is not None:
        if collection is not None or fields:
            raise QueryError("give either query= or query fields, not both")
    else:
        unknown = set(fields) - set(Query.__dataclass_fields__) - {"bbox"}
        if unknown:
            raise QueryError(
                f"unknown subscription parameter(s) {sorted(unknown)}; expected Query fields "
                "such as collection, bbox, start, end, cloud, tile, orbit, platform, attributes"
            )
        query = Query(collection=collection, **fields)
    for name in _NOT_FOR_SUBSCRIPTIONS:
        if getattr(query, name, None) is not None:
            raise QueryError(
                f"{name}={getattr(query, name)!r} does not apply to a subscription: CDSE "
                "notifies every new product its filter selects"
            )
    return query


def _endpoint_fields(mode: str, endpoint: Any, username: Any, password: Any) -> dict[str, str]:
    if mode == "pull":
        if endpoint is not None or username is not None or password is not None:
            raise QueryError("endpoint= and its credentials are for mode='push' only")
        return {}
    parts = urlsplit(endpoint) if isinstance(endpoint, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise QueryError(
            f"endpoint={endpoint!r}: mode='push' needs the http(s) URL CDSE will POST "
            "notifications to, e.g. 'https://example.org/notify'"
        )
    out = {"NotificationEndpoint": endpoint}
    for key, value, name in (
        ("NotificationEpUsername", username, "endpoint_username"),
        ("NotificationEpPassword", password, "endpoint_password"),
    ):
        if value is not None:
            if not isinstance(value, str) or not value:
                raise QueryError(f"{name}: expected a non-empty string")  # the value stays out
            out[key] = value
    return out


def _poll_args(poll: Any, timeout: Any, batch: Any) -> tuple[float, float | None, int]:
    def number(name: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not value == value:
            raise QueryError(f"{name}={value!r}: expected a number of seconds")
        return float(value)

    poll = number("poll", poll)
    if poll <= 0:
        raise QueryError(f"poll={poll!r}: expected a positive number of seconds")
    if timeout is not None:
        timeout = number("timeout", timeout)
        if timeout < 0:
            raise QueryError(f"timeout={timeout!r}: expected seconds >= 0, or None (no end)")
    if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= READ_MAX:
        raise QueryError(f"batch={batch!r}: expected an integer from 1 to {READ_MAX}")
    return poll, timeout, batch
