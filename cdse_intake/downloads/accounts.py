"""The accounts a run downloads with, each with its token provider and connection budget.

CDSE counts concurrent downloads per account (4 for general users, 20 for service accounts;
``reference/cdse-api.md`` §2.4) and answers a fifth with ``429 DAT-ZIP-100``. Each account here
holds one :class:`~cdse_intake.auth.TokenProvider` (one login for the whole run, then refresh
grants) and one budget from :func:`~cdse_intake.budget.make_budget`, shared with every other
process using the same cache. A connection is opened only while holding a slot.

The :class:`Gate` adds an in-process limit that follows what the server says: CDSE sends the
account's limit in ``x-cf-sessionlimit-limit`` (§2.2); an account whose limit is lower than
configured (or a DAT-ZIP-100 answer) lowers it, so the run stops asking for sessions it cannot
have instead of collecting 429s.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Account", "Gate", "start_login", "start_logins"]


class Gate:
    """At most ``limit`` connections of this process at once; the limit can only go down."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.active = 0
        self._changed = asyncio.Condition()

    def lower(self, limit: int) -> None:
        """Allow at most ``limit`` from now on (connections already open finish normally)."""
        if 1 <= limit < self.limit:
            self.limit = limit

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        async with self._changed:
            await self._changed.wait_for(lambda: self.active < self.limit)
            self.active += 1
        try:
            yield
        finally:
            async with self._changed:
                self.active -= 1
                self._changed.notify_all()


@dataclass
class Account:
    """One account of the run: its name, budget, gate, and token provider / transport."""

    name: str
    budget: Any
    limit: int
    tokens: Any = None
    transport: Any = None
    s3: Any = None
    gate: Gate = field(init=False)

    def __post_init__(self) -> None:
        self.gate = Gate(self.limit)

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[None]:
        """Hold an in-process place and a cross-process budget slot for one connection."""
        async with self.gate.hold(), self.budget.slot():
            yield


def start_login(tokens: Any) -> asyncio.Future[Any]:
    """Start the account's login (or take its valid token) now, while the first files are
    opened: the first request finds it done. Its failure is the first request's to report."""
    task = asyncio.ensure_future(tokens.headers_async())
    task.add_done_callback(lambda t: t.cancelled() or t.exception())
    return task


def start_logins(accounts: Iterable[Account]) -> Callable[[], None]:
    """:func:`start_login` for every account that fetches over HTTPS; what cancels them."""
    logins = [start_login(a.tokens) for a in accounts if a.tokens is not None and a.s3 is None]

    def cancel() -> None:
        for task in logins:
            task.cancel()

    return cancel
