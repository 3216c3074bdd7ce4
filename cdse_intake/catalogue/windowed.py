"""Result sets of any size: a query split into windows of its sort field, fetched concurrently.

CDSE's catalogues cap what one query can page through (OData: ``$top`` 1000, ``$skip`` 10000,
cdse-api.md §1.4; STAC: 1000 items a page, 200 for sentinel-2-l2a). Instead of paging deep, a
backend only ever asks for *the first page of a window* of the sort field:

1. Fetch the first page of a window (ordered by the sort field). A short page is the window.
2. A full page covers the window up to the key ``t`` of its last product: everything strictly
   before ``t`` is final; the rest of the window starts at ``t`` (ties at ``t`` are fetched again
   there, never lost).
3. The page's own density (products per second of key, over its last nine tenths) estimates
   how many products the rest holds; the rest is split into sub-windows planned to hold
   :data:`FILL` of a page each, so most are one request and none waits for another; at most
   :data:`HORIZON` of them, then the remainder as one window, planned from its own first page
   (the density changes, the data have gaps). An open end is bounded for the cut by the data's
   own first or last key (one ``$top=1`` request).
4. The windows wait in order; the first few are always being fetched (none ahead when the
   query has a limit), within the concurrency bound and a request rate CDSE accepts; a window
   whose page is full after all is split again in its place.

Windows are half-open, so no product appears twice; they are emitted in the requested order as
soon as each is ready, so iterating starts after the first page. No ``$count`` is ever needed.
If more than a page of products share one exact key (never seen on CDSE, but possible), the
backend pages through that instant its own way.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from ..config import Endpoints, Settings
from ..errors import ServiceError
from ..net.http import with_retries
from ..product import Product
from ..query import SORT_FIELDS, Query

__all__ = [
    "FILL",
    "HORIZON",
    "PAGE_SIZE",
    "RateLimiter",
    "Window",
    "WindowedSearch",
    "shared_limiter",
]

T = TypeVar("T")

log = logging.getLogger(__name__)

PAGE_SIZE = 1000  # CDSE's maximum page (OData $top, STAC limit)
FILL = 0.8  # share of a page a sub-window is planned to hold: most are then one request
HORIZON = 16  # windows planned from one page at most; a remainder is planned from its own page
ONE_US = timedelta(microseconds=1)
#: Lower bound of an open window: before any Copernicus product (Sentinel-1A launched 2014).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _key_attr(sort_key: str) -> str:
    return {"start": "start", "end": "end", "published": "published", "modified": "modified"}[
        sort_key
    ]


@dataclass(frozen=True)
class Window:
    """Half-open interval ``[low, high)`` of the sort field; None is unbounded."""

    low: datetime | None
    high: datetime | None

    def split(self, parts: int, lowest: datetime, highest: datetime) -> list[Window]:
        """``parts`` consecutive windows covering this one (open ends clamped for the cut)."""
        low = self.low or lowest
        high = self.high or highest
        if parts <= 1 or high - low <= ONE_US * parts:
            return [self]
        step = (high - low) / parts
        cuts = [low + step * i for i in range(1, parts)]
        bounds = [self.low, *cuts, self.high]
        return [Window(bounds[i], bounds[i + 1]) for i in range(parts)]

    def holds(self, key: datetime) -> bool:
        """Whether ``key`` is in the window."""
        return (self.low is None or key >= self.low) and (self.high is None or key < self.high)

    def horizon(self, step: timedelta, count: int, backwards: bool = False) -> list[Window]:
        """``count`` windows of ``step`` from the low end (from the high end ``backwards``),
        then the remainder, in that order; the end they start from must be finite."""
        if backwards:
            assert self.high is not None
            cuts = [self.high - step * i for i in range(count + 1)]
            return [Window(cuts[i + 1], cuts[i]) for i in range(count)] + [
                Window(self.low, cuts[-1])
            ]
        assert self.low is not None
        cuts = [self.low + step * i for i in range(count + 1)]
        return [Window(cuts[i], cuts[i + 1]) for i in range(count)] + [Window(cuts[-1], self.high)]


class RateLimiter:
    """At most ``rate`` request starts per second on average and ``burst`` at once (a token
    bucket, as the generic cell rate algorithm): in any ``T`` seconds at most
    ``burst + rate * T`` starts (CDSE throttles abusive clients)."""

    def __init__(self, rate: float, burst: int = 1) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._slack = (max(1, burst) - 1) * self._interval
        self._tat = 0.0  # when the next start would be due at exactly the rate
        self._lock = asyncio.Lock()

    def _delay(self, now: float) -> float:
        """Seconds the start asked at ``now`` must wait (and the start booked)."""
        tat = max(self._tat, now)
        self._tat = tat + self._interval
        return tat - now - self._slack

    async def wait(self) -> None:
        if not self._interval:
            return
        async with self._lock:
            delay = self._delay(time.monotonic())
        if delay > 0:
            await asyncio.sleep(delay)


#: Per event loop, one limiter per service and rate: concurrent searches (``search_many``'s
#: threads share the one I/O loop) keep to the service's rate together, not each on its own.
_LIMITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Any, RateLimiter]] = (
    weakref.WeakKeyDictionary()
)


def shared_limiter(service: str, rate: float, burst: int = 1) -> RateLimiter:
    """The running loop's :class:`RateLimiter` for ``service`` at ``rate`` (made once)."""
    limiters = _LIMITERS.setdefault(asyncio.get_running_loop(), {})
    key = (service, rate, burst)
    if key not in limiters:
        limiters[key] = RateLimiter(rate, burst)
    return limiters[key]


class WindowedSearch:
    """Products matching a Query, in the query's order; subclasses fetch one page of a window."""

    name = "windowed"
    page_size = PAGE_SIZE
    #: Request starts per second when none is given (a backend knows its service's limit),
    #: and how many may start at once within it.
    default_rate = 10.0
    burst = 1

    def __init__(
        self,
        query: Query,
        *,
        endpoints: Endpoints | None = None,
        settings: Settings | None = None,
        session: Any = None,
        concurrency: int = 4,
        rate: float | None = None,
    ) -> None:
        self.query = query
        self.endpoints = Endpoints.coerce(endpoints, from_env=False)
        self.settings = Settings.coerce(settings, from_env=False)
        self._session = session
        self._semaphore = asyncio.Semaphore(concurrency)
        # With a limit, fetch lazily: the next window only when the consumer needs it; else
        # keep twice the connections' worth of windows started, so a freed one is used at once.
        self._prefetch = 0 if query.limit is not None else max(0, 2 * concurrency - 1)
        self._rate = self.default_rate if rate is None else rate
        self._field = SORT_FIELDS[query.sort[0]][0]
        self._attr = _key_attr(query.sort[0])
        self._desc = query.sort[1] == "desc"
        self.requests = 0
        self._extremes: dict[bool, datetime | None] = {}

    # -- public ----------------------------------------------------------------------------------
    async def products(self) -> AsyncIterator[Product]:
        """Every matching product once, in order; stops at ``query.limit``."""
        limit = self.query.limit
        emitted = 0
        seen: set[str] = set()
        accept = self._accept if self.filters_locally else None
        async for batch in self._batches():
            for product in batch:
                if accept is not None and not accept(product):
                    continue
                if product.id in seen:  # a safety net: windows are disjoint by construction
                    continue
                seen.add(product.id)
                yield product
                emitted += 1
                if limit is not None and emitted >= limit:
                    return

    # -- windows ---------------------------------------------------------------------------------
    async def _batches(self) -> AsyncIterator[list[Product]]:
        """Batches of products in order: the windows of the module's plan, fetched ahead."""
        top = self.page_size
        # A limit within the first page ends the search there, unless products are still
        # filtered out here afterwards (then the page must be a full one).
        limited = self.query.limit is not None and not self.filters_locally
        if limited:
            top = min(top, self.query.limit)
        whole = Window(None, None)
        # Windows still to emit, in order, each with the task fetching its first page once
        # started; the first ``depth`` are always being fetched (all of them are needed).
        todo: deque[list[Any]] = deque([[whole, self._page(whole, top)]])
        depth = self._prefetch + 1
        try:
            while todo:
                for entry in itertools.islice(todo, depth):
                    if entry[1] is None:
                        entry[1] = self._page(entry[0])
                window, task = todo.popleft()
                page = await task
                if window is whole and (len(page) < top or (limited and self.query.limit <= top)):
                    yield page  # the whole result (or all the limit asks for) in one page
                    return
                if len(page) < self.page_size:
                    yield page
                    continue
                done, subs = await self._split_full(window, page)
                yield done
                todo.extendleft([w, None] for w in reversed(subs))
                if len(subs) > HORIZON and self._prefetch:  # the remainder: its page plans
                    todo[HORIZON][1] = self._page(todo[HORIZON][0])  # the next windows
        finally:
            tasks = [entry[1] for entry in todo if entry[1] is not None]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _page(self, window: Window, top: int | None = None) -> asyncio.Future[list[Product]]:
        """The task fetching the first page of ``window``."""
        return asyncio.ensure_future(self._fetch(window, skip=0, top=top or self.page_size))

    async def _split_full(
        self, window: Window, page: list[Product]
    ) -> tuple[list[Product], list[Window]]:
        """A full first page of ``window``: its final products, and the rest as sub-windows in
        the order they are emitted, each expected to fit a page by the page's own density."""
        boundary = self._key(page[-1])
        first = self._key(page[0])
        if not (window.holds(first) and window.holds(boundary)):
            # Each split must shrink the window: a catalogue answering outside it would not.
            raise ServiceError(
                f"the catalogue answered products from {first} to {boundary} for the window "
                f"[{window.low}, {window.high}) of {self._field}: refused"
            )
        if boundary == first:
            # More than a page of products share one instant: the backend pages through it.
            done = [*page, *await self._instant(boundary, skip=len(page))]
            rest = self._after(window, boundary, inclusive=False)
        else:
            done = [p for p in page if self._before(self._key(p), boundary)]
            rest = self._after(window, boundary, inclusive=True)
        lo, hi = await self._bounds(rest, boundary)
        density = self._density(page)
        parts = self._parts(lo, hi, density, self.page_size)
        if parts <= HORIZON:
            windows = rest.split(parts, lo, hi)
            return done, list(reversed(windows)) if self._desc else windows
        # Too many to plan from one page (the density may change, or the data have a gap):
        # the next HORIZON windows, then the remainder, planned when its own page arrives.
        step = max(ONE_US, timedelta(seconds=FILL * self.page_size / density))
        return done, rest.horizon(step, HORIZON, backwards=self._desc)

    def _density(self, page: list[Product]) -> float:
        """Products per second of sort key on a full page, from its last nine tenths: a few
        outliers at its start (old products before a dense archive) do not dilute it."""
        skip = len(page) // 10
        span = abs((self._key(page[-1]) - self._key(page[skip])).total_seconds())
        return (len(page) - 1 - skip) / span if span > 0 else 0.0

    @staticmethod
    def _parts(lo: datetime, hi: datetime, density: float, page_size: int) -> int:
        """Sub-windows for ``[lo, hi)``: each expected to hold :data:`FILL` of a page, so most
        are one request and all can be fetched at once."""
        span_rest = (hi - lo).total_seconds()
        if density <= 0 or span_rest <= 0:
            return 1
        expected = density * span_rest
        return max(1, min(HORIZON + 1, math.ceil(expected / (FILL * page_size))))

    async def _bounds(self, window: Window, boundary: datetime) -> tuple[datetime, datetime]:
        """Finite bounds of a window, for splitting it: open ends become the data's own range
        (only the cuts use them; the first and last sub-windows stay open)."""
        low, high = window.low, window.high
        if low is None:
            if self.query.start is not None and self._attr == "start":
                low = self.query.start
            else:
                low = await self._extreme(last=False) or boundary
        if high is None:
            if self.query.end is not None and self._attr == "start":
                high = self.query.end
            else:
                latest = await self._extreme(last=True)
                high = latest + ONE_US if latest else datetime.now(UTC) + timedelta(days=1)
            high = max(high, boundary + ONE_US)
        return low, max(high, low)

    async def _extreme(self, last: bool) -> datetime | None:
        """The smallest (or largest) sort key of the whole query: one ``$top=1`` request, once."""
        if last not in self._extremes:
            page = await self._fetch(Window(None, None), skip=0, top=1, desc=last)
            self._extremes[last] = self._key(page[0]) if page else None
        return self._extremes[last]

    def _after(self, window: Window, boundary: datetime, inclusive: bool) -> Window:
        """What remains of ``window`` once everything before ``boundary`` (in order) is done."""
        if self._desc:  # remaining: keys <= boundary (inclusive) or < boundary
            return Window(window.low, boundary + ONE_US if inclusive else boundary)
        return Window(boundary if inclusive else boundary + ONE_US, window.high)

    def _before(self, key: datetime, boundary: datetime) -> bool:
        return key > boundary if self._desc else key < boundary

    def _key(self, product: Product) -> datetime:
        value = getattr(product, self._attr)
        if value is None:
            raise ServiceError(f"product {product.name} has no {self._field}; cannot page by it")
        return value

    async def _instant(self, instant: datetime, skip: int) -> list[Product]:
        """The products at exactly ``instant`` beyond the first ``skip`` (backend-specific)."""
        raise NotImplementedError

    # -- what a backend provides ------------------------------------------------------------------
    def _service(self) -> str:
        """The root URL the rate applies to (searches of one service share it)."""
        return self.endpoints.catalogue

    async def _fetch(
        self, window: Window, skip: int, top: int, desc: bool | None = None
    ) -> list[Product]:
        """The first ``top`` products of ``window`` (after ``skip``), in order."""
        raise NotImplementedError

    #: Whether :meth:`_accept` drops products the server returned (filters it cannot apply).
    filters_locally = False

    def _accept(self, product: Product) -> bool:
        """Whether a fetched product is part of the result (filters the server cannot apply)."""
        return True

    async def _request(
        self, attempt: Callable[[], Awaitable[T]], what: str, retries: int | None = None
    ) -> T:
        """Run one catalogue request within the rate, the concurrency bound and the retries."""

        async def limited() -> T:
            # The rate spaces the requests' real starts: a slot is taken once a connection is.
            async with self._semaphore:
                await shared_limiter(self._service(), self._rate, self.burst).wait()
                self.requests += 1
                return await attempt()

        count = self.settings.retries if retries is None else retries
        return await with_retries(limited, retries=count, what=what)
