"""Result sets of any size: a query split into windows of its sort field, fetched concurrently.

CDSE's catalogues cap what one query can page through (OData: ``$top`` 1000, ``$skip`` 10000,
cdse-api.md §1.4; STAC: 1000 items a page, 200 for sentinel-2-l2a). Instead of paging deep, a
backend only ever asks for *the first page of a window* of the sort field:

1. Fetch the first page of a window (ordered by the sort field). A short page is the window.
2. A full page covers the window up to the key ``t`` of its last product: everything strictly
   before ``t`` is final; the rest of the window starts at ``t`` (ties at ``t`` are fetched again
   there, never lost).
3. The page's own density (products per second of key) estimates how many products the rest
   holds; the rest is split into sub-windows of about :data:`TARGET` products each, resolved the
   same way: the current one streamed, the next few fetched concurrently in the background (none
   when the query has a limit), all at a polite request rate.

Windows are half-open, so no product appears twice; they are emitted in the requested order as
soon as each is ready, so iterating starts after the first page. No ``$count`` is ever needed.
If more than a page of products share one exact key (never seen on CDSE, but possible), the
backend pages through that instant its own way.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from ..config import Endpoints, Settings
from ..errors import ServiceError
from ..net.http import with_retries
from ..product import Product
from ..query import SORT_FIELDS, Query

__all__ = ["PAGE_SIZE", "TARGET", "RateLimiter", "Window", "WindowedSearch"]

T = TypeVar("T")

log = logging.getLogger(__name__)

PAGE_SIZE = 1000  # CDSE's maximum page (OData $top, STAC limit)
TARGET = 5_000  # products per sub-window: a few pages each, so splits stay few
MAX_SPLIT = 32
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


class RateLimiter:
    """At most ``rate`` request starts per second (CDSE throttles abusive clients)."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self._interval:
            return
        async with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self._interval
        if delay > 0:
            await asyncio.sleep(delay)


class WindowedSearch:
    """Products matching a Query, in the query's order; subclasses fetch one page of a window."""

    name = "windowed"
    page_size = PAGE_SIZE

    def __init__(
        self,
        query: Query,
        *,
        endpoints: Endpoints | None = None,
        settings: Settings | None = None,
        session: Any = None,
        concurrency: int = 4,
        rate: float = 10.0,
    ) -> None:
        self.query = query
        self.endpoints = Endpoints.coerce(endpoints, from_env=False)
        self.settings = Settings.coerce(settings, from_env=False)
        self._session = session
        self._semaphore = asyncio.Semaphore(concurrency)
        # With a limit, fetch lazily: the next window only when the consumer needs it.
        self._prefetch = 0 if query.limit is not None else max(0, concurrency - 1)
        self._limiter = RateLimiter(rate)
        self._field = SORT_FIELDS[query.sort[0]][0]
        self._attr = _key_attr(query.sort[0])
        self._desc = query.sort[1] == "desc"
        self.requests = 0

    # -- public ----------------------------------------------------------------------------------
    async def products(self) -> AsyncIterator[Product]:
        """Every matching product once, in order; stops at ``query.limit``."""
        limit = self.query.limit
        emitted = 0
        seen: set[str] = set()
        async for batch in self._window(Window(None, None), top_level=True):
            for product in batch:
                if not self._accept(product):
                    continue
                if product.id in seen:  # a safety net: windows are disjoint by construction
                    continue
                seen.add(product.id)
                yield product
                emitted += 1
                if limit is not None and emitted >= limit:
                    return

    # -- windows ---------------------------------------------------------------------------------
    async def _window(
        self, window: Window, top_level: bool = False
    ) -> AsyncIterator[list[Product]]:
        """Batches of the window's products in order (the recursion described in the module)."""
        page_size = self.page_size
        # A limit within the first page ends the search there, unless products are still
        # filtered out here afterwards (then the page must be a full one).
        limited = top_level and self.query.limit is not None and not self.filters_locally
        if limited:
            page_size = min(self.page_size, self.query.limit)
        page = await self._fetch(window, skip=0, top=page_size)
        if len(page) < page_size or (limited and self.query.limit <= page_size):
            yield page
            return
        boundary = self._key(page[-1])
        first = self._key(page[0])
        if boundary == first:
            # More than a page of products share one instant: the backend pages through it.
            yield [*page, *await self._instant(boundary, skip=len(page))]
            rest = self._after(window, boundary, inclusive=False)
        else:
            yield [p for p in page if self._before(self._key(p), boundary)]
            rest = self._after(window, boundary, inclusive=True)
        span_page = abs((boundary - first).total_seconds())
        lo, hi = await self._bounds(rest, boundary)
        parts = self._parts(lo, hi, span_page, len(page))
        windows = rest.split(parts, lo, hi)
        subs = list(reversed(windows)) if self._desc else windows
        # Stream the current sub-window; fetch the next few whole in the background meanwhile.
        pending: dict[int, asyncio.Future[list[Product]]] = {}
        try:
            for i, sub in enumerate(subs):
                for j in range(i + 1, min(i + 1 + self._prefetch, len(subs))):
                    if j not in pending:
                        pending[j] = asyncio.ensure_future(self._collect(subs[j]))
                if i in pending:
                    yield await pending.pop(i)
                else:
                    async for batch in self._window(sub):
                        yield batch
        finally:
            for task in pending.values():
                task.cancel()
            await asyncio.gather(*pending.values(), return_exceptions=True)

    async def _collect(self, window: Window) -> list[Product]:
        out: list[Product] = []
        async for batch in self._window(window):
            out.extend(batch)
        return out

    @staticmethod
    def _parts(lo: datetime, hi: datetime, span_page: float, count: int) -> int:
        """Sub-windows for ``[lo, hi)`` from the density seen on the page (products/second)."""
        span_rest = (hi - lo).total_seconds()
        if span_page <= 0 or span_rest <= 0:
            return 1
        expected = count / span_page * span_rest
        return max(1, min(MAX_SPLIT, math.ceil(expected / TARGET)))

    async def _bounds(self, window: Window, boundary: datetime) -> tuple[datetime, datetime]:
        """Finite bounds of a window, for splitting it: open ends become the data's own range."""
        low, high = window.low, window.high
        if low is None:
            if self.query.start is not None and self._attr == "start":
                low = self.query.start
            else:
                low = await self._earliest() or boundary
        if high is None:
            if self.query.end is not None and self._attr == "start":
                high = self.query.end
            else:
                high = max(datetime.now(UTC) + timedelta(days=1), boundary + ONE_US)
        return low, max(high, low)

    async def _earliest(self) -> datetime | None:
        """The smallest sort key of the whole query (one ``$top=1`` request, cached)."""
        if not hasattr(self, "_earliest_key"):
            page = await self._fetch(Window(None, None), skip=0, top=1, desc=False)
            self._earliest_key = self._key(page[0]) if page else None
        return self._earliest_key

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
            await self._limiter.wait()
            async with self._semaphore:
                self.requests += 1
                return await attempt()

        count = self.settings.retries if retries is None else retries
        return await with_retries(limited, retries=count, what=what)
