"""When to try a product's download again, and how long to wait first.

Retried (``reference/cdse-api.md`` §2.3, §2.4): 429 (Retry-After honoured; DAT-ZIP-100 is the
session limit), 408/5xx, connection resets, timeouts, bodies cut short, and a second expired
token (401 DAT-ZIP-109 right after the transport's refresh). Final at once: 404 (including
DAT-ZIP-915 for products the store does not hold), other 401/403, 400/422, and local disk
errors. A checksum mismatch restarts the product from scratch once; the second one is final.

The retry budget (``Settings.retries``) counts consecutive failed attempts, and an attempt that
added bytes to the ``.part`` starts a new series: a flaky connection that keeps moving forward
finishes the product, one that fails without progress gives up (``retries=0``: never retried).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..errors import (
    AuthenticationError,
    ChecksumMismatch,
    DownloadError,
    RateLimited,
    ServiceError,
)
from ..net.http import RETRY_STATUSES, backoff_delay

__all__ = ["Restart", "Stats", "Truncated", "retry_delay", "with_retries"]

#: Longest Retry-After honoured, in seconds (a larger one is capped, not obeyed).
MAX_RETRY_AFTER = 300.0


class Truncated(DownloadError):
    """The body ended before the product's size (a cut connection that looked clean)."""


class Restart(DownloadError):
    """The server answered a range other than the one asked for: start the product over."""


@dataclass
class Stats:
    """Counters of one product in this run."""

    bytes: int = 0
    retries: int = 0
    restarts: int = 0


def _connection_errors() -> tuple[type[BaseException], ...]:
    import aiohttp

    return (
        aiohttp.ClientPayloadError,
        aiohttp.ClientConnectionError,
        ConnectionError,
        TimeoutError,
        Truncated,
    )


def retry_delay(err: BaseException, failures: int) -> float | None:
    """Seconds to wait before retrying after ``err``; None when ``err`` is final."""
    if isinstance(err, RateLimited):
        if err.retry_after is not None:
            return min(err.retry_after, MAX_RETRY_AFTER)
        return backoff_delay(failures)
    if isinstance(err, AuthenticationError):
        # Expired again right after a refresh (a clock skew, a very short lifetime): the
        # transport refreshes on the next 401. Anything else (refused login, bad audience) is final.
        return 0.0 if err.code == "DAT-ZIP-109" else None
    if isinstance(err, ServiceError):
        if err.status is None or err.status in RETRY_STATUSES:
            return backoff_delay(failures)
        return None
    if isinstance(err, _connection_errors()):
        return backoff_delay(failures)
    return None


async def with_retries(
    attempt: Callable[[], Awaitable[str]],
    part: Any,
    stats: Stats,
    *,
    retries: int,
    on_restart: Callable[[], None] = lambda: None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> str:
    """Run ``attempt`` (one connection: transfer the rest of ``part``, then verify; returns the
    digest) until it succeeds or fails for good. ``on_restart`` runs when ``part`` is emptied.
    """
    failures = 0
    mismatches = 0
    best = part.length
    while True:
        try:
            return await attempt()
        except ChecksumMismatch:
            mismatches += 1
            if mismatches > 1:
                raise
            stats.retries += 1
            stats.restarts += 1
            await part.restart()
            on_restart()
            best = 0
            continue
        except Restart:
            stats.retries += 1
            stats.restarts += 1
            failures += 1
            if failures > retries:
                raise
            await part.restart()
            on_restart()
            best = 0
            continue
        except Exception as err:
            delay = retry_delay(err, failures)
            if delay is None:
                raise
            if part.length > best:
                # Progress: this failure is the first of a new series.
                best = part.length
                failures = 1
                delay = retry_delay(err, 0) if not isinstance(err, RateLimited) else delay
            else:
                failures += 1
            if failures > retries:
                raise DownloadError(f"gave up after {stats.retries + 1} attempts: {err}") from err
            stats.retries += 1
        await sleep(delay or 0.0)


async def transfer_verified(
    transfer: Callable[[], Awaitable[None]],
    account: Any,
    part: Any,
    stats: Stats,
    bar: Any,
    retries: int,
) -> str:
    """Move the rest of ``part`` with ``transfer`` (HTTPS or S3) and verify it; the digest.

    A connection slot of ``account`` is held only while bytes flow, not while verifying; failures
    are retried as :func:`with_retries` says, and a restart resets the file's progress bar.
    """

    async def attempt() -> str:
        if not part.complete:
            async with account.connection():
                await transfer()
        return await part.verify()

    return await with_retries(
        attempt,
        part,
        stats,
        retries=retries,
        on_restart=lambda: bar.reset(total=part.expected.size),
    )
