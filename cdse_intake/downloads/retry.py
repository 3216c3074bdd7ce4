"""When to try a product's download again, how long to wait first, and when to stop for good.

Retried (``reference/cdse-api.md`` §2.3, §2.4): 429 (Retry-After honoured; DAT-ZIP-100 is the
session limit), 408/5xx, connection resets, timeouts, bodies cut short, transfers slower than
``Settings.min_rate``, and a second expired token (401 DAT-ZIP-109 right after the transport's
refresh). Final at once: 404 (including DAT-ZIP-915 for products the store does not hold), other
401/403, 400/422, local disk errors, a size the server contradicts (:class:`SizeMismatch`) and
the end of the product's deadline (:class:`DeadlineExceeded`). A checksum mismatch restarts the
product from scratch once; the second one is final.

The retry budget (``Settings.retries``) counts consecutive failed attempts, and an attempt that
added bytes to the ``.part`` starts a new series: a flaky connection that keeps moving forward
finishes the product, one that fails without progress gives up (``retries=0``: never retried).
A transfer abandoned for being too slow never counts as progress. Whatever the failures, one
product's run is bounded three ways (a hostile server cannot keep it, or its connection slot,
forever):

- attempts: at most ``ATTEMPTS_PER_RETRY * (retries + 1)`` in all;
- bytes: at most ``BYTES_FACTOR`` times the product's size (plus two chunks) received in all;
- time: at most ``Settings.transfer_deadline`` seconds holding a connection, all attempts
  together, and no window of ``Settings.timeout`` seconds below ``Settings.min_rate`` bytes/s.
"""

from __future__ import annotations

import asyncio
import time
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
from ..net.http import RETRY_STATUSES, RateGuard, backoff_delay

__all__ = [
    "ATTEMPTS_PER_RETRY",
    "BYTES_FACTOR",
    "DeadlineExceeded",
    "Limits",
    "Restart",
    "SizeMismatch",
    "Stats",
    "TooSlow",
    "Truncated",
    "is_network_error",
    "retry_delay",
    "with_retries",
]

#: Longest Retry-After honoured, in seconds (a larger one is capped, not obeyed).
MAX_RETRY_AFTER = 300.0
#: Attempts of one product in a run, at most, per attempt ``Settings.retries`` allows.
ATTEMPTS_PER_RETRY = 10
#: Bytes received for one product in a run, at most, as a multiple of its size (one whole
#: product, one restart after a checksum mismatch, and room for resumes that overlap).
BYTES_FACTOR = 3


class Truncated(DownloadError):
    """The body ended before the product's size (a cut connection that looked clean)."""


class Restart(DownloadError):
    """The server answered a range other than the one asked for: start the product over."""


class SizeMismatch(ChecksumMismatch):
    """The server's size for the product is not the catalogue's: final, never retried."""


class TooSlow(DownloadError):
    """The transfer fell below the minimum rate: its connection is released and it is retried."""


class DeadlineExceeded(DownloadError):
    """The product held connections longer than its deadline: final (the ``.part`` stays)."""


@dataclass(frozen=True)
class Limits:
    """How long and how slowly one product may transfer (:class:`~cdse_intake.config.Settings`).

    The defaults are the Settings' defaults; ``window`` is ``Settings.timeout``.
    """

    min_rate: float = 1024.0
    """Bytes/s a transfer must average over every ``window`` seconds (0: no minimum)."""
    window: float = 60.0
    """Seconds over which the rate is measured."""
    deadline: float = 21600.0
    """Seconds one product may hold connections in a run, all attempts together (0: none)."""

    @classmethod
    def of(cls, settings: Any) -> Limits:
        """The limits ``settings`` give."""
        return cls(settings.min_rate, settings.timeout or 60.0, settings.transfer_deadline)


@dataclass
class Stats:
    """Counters of one product in this run."""

    bytes: int = 0
    retries: int = 0
    restarts: int = 0
    attempts: int = 0
    held: float = 0.0
    """Seconds spent holding a connection (what the deadline counts)."""
    began: float | None = None
    """``time.monotonic()`` when the product first got a connection slot (None: never): its
    timer starts there, so the wait for a slot while others download is not counted as its
    transfer time."""

    def since_began(self, fallback: float) -> float:
        """Seconds since the first slot was granted (since ``fallback`` if none was)."""
        return time.monotonic() - (fallback if self.began is None else self.began)


def rate_guard(limits: Limits, part: Any) -> RateGuard:
    """A guard that raises :class:`TooSlow` naming ``part``'s file."""

    def too_slow(rate: float) -> Exception:
        return TooSlow(
            f"{part.final.name}: {rate:.0f} bytes/s over the last {limits.window:g} s, below "
            f"the minimum of {limits.min_rate:g} bytes/s (Settings.min_rate): connection "
            "released, to be retried"
        )

    return RateGuard(limits.min_rate, limits.window, too_slow)


def check_declared(part: Any, declared: int | None, how: str) -> None:
    """Raise :class:`SizeMismatch` when the server declares a product size not the catalogue's."""
    size = part.expected.size
    if declared is not None and size is not None and declared != size:
        raise SizeMismatch(
            f"{part.final.name}: the server's {how} says {declared} bytes, the catalogue says "
            f"{size}: the product cannot be verified (size mismatch)"
        )


def check_more(part: Any, incoming: int) -> None:
    """Raise :class:`SizeMismatch` when ``incoming`` more bytes would pass the product's size."""
    size = part.expected.size
    if size is not None and part.length + incoming > size:
        raise SizeMismatch(
            f"{part.final.name}: the server sent more than the {size} bytes the catalogue says "
            "(size mismatch)"
        )


def _connection_errors() -> tuple[type[BaseException], ...]:
    import aiohttp

    return (
        aiohttp.ClientPayloadError,
        aiohttp.ClientConnectionError,
        ConnectionError,
        TimeoutError,
        Truncated,
        TooSlow,
    )


def is_network_error(err: BaseException) -> bool:
    """Whether ``err`` came from the network (the ``.part`` is good to resume), not the disk."""
    import aiohttp

    return isinstance(err, aiohttp.ClientError | ConnectionError | TimeoutError)


def retry_delay(err: BaseException, failures: int) -> float | None:
    """Seconds to wait before retrying after ``err``; None when ``err`` is final."""
    if isinstance(err, SizeMismatch | DeadlineExceeded):
        return None
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


def _bounds(part: Any, stats: Stats, retries: int, err: BaseException) -> None:
    """Raise DownloadError when the product used up its attempts or its bytes."""
    name = part.final.name
    cap = ATTEMPTS_PER_RETRY * (retries + 1)
    if stats.attempts >= cap:
        raise DownloadError(
            f"{name}: gave up after {stats.attempts} attempts (at most {cap} with retries="
            f"{retries}), the last: {err}"
        ) from err
    size = part.expected.size
    if size is not None and stats.bytes > BYTES_FACTOR * size + 2 * (1 << 20):
        raise DownloadError(
            f"{name}: gave up after receiving {stats.bytes} bytes in {stats.attempts} attempts "
            f"for a product of {size} bytes, the last failure: {err}"
        ) from err


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
        stats.attempts += 1
        delay = 0.0
        try:
            return await attempt()
        except (SizeMismatch, DeadlineExceeded):
            raise
        except ChecksumMismatch as err:
            mismatches += 1
            if mismatches > 1:
                raise
            stats.retries += 1
            stats.restarts += 1
            await part.restart()
            on_restart()
            best = 0
            last: BaseException = err
        except Restart as err:
            stats.retries += 1
            stats.restarts += 1
            failures += 1
            if failures > retries:
                raise
            await part.restart()
            on_restart()
            best = 0
            last = err
        except Exception as err:
            found = retry_delay(err, failures)
            if found is None:
                raise
            delay = found
            if part.length > best and not isinstance(err, TooSlow):
                # Progress: this failure is the first of a new series.
                best = part.length
                failures = 1
                delay = retry_delay(err, 0) if not isinstance(err, RateLimited) else delay
            else:
                best = max(best, part.length)
                failures += 1
            if failures > retries:
                raise DownloadError(
                    f"{part.final.name}: gave up after {stats.attempts} attempts: {err}"
                ) from err
            stats.retries += 1
            last = err
        _bounds(part, stats, retries, last)
        await sleep(delay or 0.0)


async def _held(
    transfer: Callable[[], Awaitable[None]], part: Any, stats: Stats, limits: Limits
) -> None:
    """Run ``transfer`` within what is left of the product's deadline; counts the time held."""
    left = limits.deadline - stats.held if limits.deadline else None

    def exceeded() -> DeadlineExceeded:
        size = part.expected.size
        of = f"of {size}" if size is not None else "of an unknown size"
        return DeadlineExceeded(
            f"{part.final.name}: not complete within the transfer deadline of "
            f"{limits.deadline:g} s (Settings.transfer_deadline): {part.length} bytes {of} "
            "received; the .part is kept for a later run"
        )

    if left is not None and left <= 0:
        raise exceeded()
    started = time.monotonic()
    timer = asyncio.timeout(left)
    try:
        async with timer:
            await transfer()
    except TimeoutError as err:
        if timer.expired():
            raise exceeded() from err
        raise
    finally:
        stats.held += time.monotonic() - started


async def transfer_verified(
    transfer: Callable[[], Awaitable[None]],
    account: Any,
    part: Any,
    stats: Stats,
    bar: Any,
    retries: int,
    limits: Limits | None = None,
) -> str:
    """Move the rest of ``part`` with ``transfer`` (HTTPS or S3) and verify it; the digest.

    A connection slot of ``account`` is held only while bytes flow, not while the last ones are
    written nor while verifying, and at most for what is left of the product's deadline
    (``limits``, default :class:`Limits`); failures are retried as :func:`with_retries` says,
    and a restart resets the file's bar.
    """
    limits = limits or Limits()

    async def attempt() -> str:
        if not part.complete:
            try:
                async with account.connection():
                    if stats.began is None:
                        stats.began = time.monotonic()
                    await _held(transfer, part, stats, limits)
            finally:
                # The last bytes are written and hashed once the slot is free for the next
                # product (~1% of a 20 MB product's slot time at 20 MB/s), whatever happened.
                drain = getattr(part, "drain", None)
                if drain is not None:
                    await drain()
        return await part.verify()

    return await with_retries(
        attempt,
        part,
        stats,
        retries=retries,
        on_restart=lambda: bar.reset(total=part.expected.size),
    )
