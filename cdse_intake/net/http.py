"""The client's HTTP plumbing: sessions, CDSE error mapping, retries honouring Retry-After.

Every service error becomes the matching :class:`~cdse_intake.errors.CDSEError` with the status,
the service's own code and message, and the request id, whichever of CDSE's error shapes it used:

- OData app:      ``{"detail": {"message": ..., "request_id": ...}}``
- OData/FastAPI:  ``{"detail": [{"loc": [...], "msg": ..., ...}]}`` (422)
- download:       ``{"code": "DAT-ZIP-100", "message": ...}``
- Keycloak:       ``{"error": "invalid_grant", "error_description": ...}``
- STAC:           ``{"code": "...", "description": ...}``; rate limit
  ``{"error": "WAF", "message": "Rate limit exceeded", "status": 429}``

Sessions never use ``trust_env`` (aiohttp would then send ``~/.netrc`` passwords as Basic auth).

Every answer body read here is bounded, counted after decompression (a small gzip answer can
inflate a thousandfold): a search or metadata answer by :data:`MAX_ANSWER_BYTES` (a larger one is
a final :class:`~cdse_intake.errors.ServiceError`, not retried), an error answer by
:data:`MAX_ERROR_BYTES` (the rest is not read), and both by a minimum rate of
:data:`MIN_ANSWER_RATE` bytes/s over every read-timeout window once bytes flow (a server dripping
an answer is abandoned like a silent one). Product downloads are bounded by their expected size
instead (:mod:`cdse_intake.downloads`).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import gc
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, TypeVar

from ..auth.client_credentials import AUDIENCE_HELP
from ..errors import (
    AuthenticationError,
    CDSEError,
    ProductNotFound,
    QueryError,
    RateLimited,
    ServiceError,
)

#: The download service's code for a token whose audience it refuses (a service client's).
AUDIENCE_REFUSED = "DAT-ZIP-609"

__all__ = [
    "MAX_ANSWER_BYTES",
    "MAX_ERROR_BYTES",
    "MIN_ANSWER_RATE",
    "RateGuard",
    "decode_body",
    "error_from_response",
    "get_json",
    "new_session",
    "paused_gc",
    "read_bounded",
    "read_error_body",
    "retry_after_seconds",
    "with_retries",
]

log = logging.getLogger("cdse_intake.http")

T = TypeVar("T")

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

#: Largest search or metadata answer read, in bytes after decompression (a 1000-record OData
#: page with attributes and footprints is a few MB to ~30 MB).
MAX_ANSWER_BYTES = 128 << 20
#: Most bytes of an error answer read (its message is in the first few hundred).
MAX_ERROR_BYTES = 64 << 10
#: Bytes/s an answer must keep up, once it started, over every read-timeout window.
MIN_ANSWER_RATE = 1024.0


class RateGuard:
    """Raises when a body's bytes arrive slower than ``min_rate`` bytes/s over a ``window``.

    The first window starts with the first bytes (time to the first byte is the read
    timeout's); each later one where the previous ended. ``error(rate)`` makes the exception.
    ``min_rate`` 0: no minimum.
    """

    def __init__(self, min_rate: float, window: float, error: Callable[[float], Exception]):
        self.min_rate = min_rate
        self.window = window if window and window > 0 else 60.0
        self.error = error
        self._since: float | None = None
        self._seen = 0

    def update(self, total: int) -> None:
        """Note that ``total`` bytes have arrived so far; raise if the last window was slow."""
        now = time.monotonic()
        if self._since is None:
            self._since, self._seen = now, total
            return
        elapsed = now - self._since
        if elapsed < self.window:
            return
        rate = (total - self._seen) / elapsed
        if self.min_rate and rate < self.min_rate:
            raise self.error(rate)
        self._since, self._seen = now, total


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a page is decoded into records.

    A 1000-record page is ~60,000 small acyclic objects; with tens of thousands of products
    already held, each automatic collection rescans them all, which doubled the cost of a page.
    Nothing made here is cyclic, so collecting after the page loses nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def new_session(timeout: float = 60.0, limit: int = 16) -> Any:
    """An aiohttp session for CDSE (no trust_env, bounded connection pool)."""
    import aiohttp

    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=timeout),
        connector=aiohttp.TCPConnector(limit=limit),
        trust_env=False,
        headers={"User-Agent": _user_agent()},
    )


def _user_agent() -> str:
    from .._version import __version__

    return f"cdse-intake/{__version__}"


def _message(body: Any) -> tuple[str | None, str | None, str | None]:
    """(message, code, request_id) from any of CDSE's error bodies."""
    if not isinstance(body, Mapping):
        return (str(body)[:500] if body else None), None, None
    detail = body.get("detail")
    if isinstance(detail, Mapping):
        return (
            detail.get("message") or detail.get("ErrorMessage"),
            str(detail.get("ErrorCode")) if detail.get("ErrorCode") else None,
            detail.get("request_id") or detail.get("RequestID"),
        )
    if isinstance(detail, list) and detail:
        parts = []
        for item in detail:
            if isinstance(item, Mapping):
                loc = ".".join(str(p) for p in item.get("loc", []))
                parts.append(f"{loc}: {item.get('msg')}" if loc else str(item.get("msg")))
        first = detail[0] if isinstance(detail[0], Mapping) else {}
        return "; ".join(parts), first.get("type"), None
    if "error_description" in body or ("error" in body and "message" not in body):
        return body.get("error_description"), body.get("error"), None
    message = body.get("message") or body.get("description")
    code = body.get("code") or body.get("error")
    return message, (str(code) if code is not None else None), body.get("trace-id")


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date)."""
    if not value:
        return None
    with contextlib.suppress(ValueError):
        return max(0.0, float(value))
    with contextlib.suppress(TypeError, ValueError):
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    return None


def error_from_response(
    status: int, body: Any, url: str, headers: Mapping[str, str] | None = None
) -> CDSEError:
    """The CDSEError for an HTTP error answer."""
    message, code, request_id = _message(body)
    headers = headers or {}
    request_id = request_id or headers.get("request-id")
    text = message or f"HTTP {status}"
    where = url.split("?", 1)[0]
    kwargs: dict[str, Any] = {
        "status": status,
        "code": code,
        "request_id": request_id,
        "url": where,
    }
    if status in (400, 422):
        return QueryError(f"the service refused the request: {text}", **kwargs)
    if status in (401, 403):
        if code == AUDIENCE_REFUSED:  # a service client's token: refreshing cannot help
            return AuthenticationError(
                f"not authorised: {text} ({code}). {AUDIENCE_HELP}", **kwargs
            )
        return AuthenticationError(f"not authorised: {text}", **kwargs)
    if status == 404:
        return ProductNotFound(f"not found: {text} ({where})", **kwargs)
    if status == 429:
        return RateLimited(
            f"rate limited: {text}",
            retry_after=retry_after_seconds(headers.get("Retry-After")),
            **kwargs,
        )
    return ServiceError(f"service error: {text}", **kwargs)


def backoff_delay(attempt: int, base: float = 0.5, cap: float = 60.0) -> float:
    """Exponential backoff with full jitter (attempt 0 -> up to ``base`` seconds)."""
    return random.uniform(0, min(cap, base * 2**attempt))  # jitter, not cryptography


async def with_retries(
    attempt_fn: Callable[[], Awaitable[T]],
    *,
    retries: int,
    what: str,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run ``attempt_fn`` again on retryable failures: 429/5xx (honouring Retry-After), resets.

    Query, authentication and not-found errors are final and raised at once.
    """
    import aiohttp

    attempt = 0
    while True:
        try:
            return await attempt_fn()
        except (RateLimited, ServiceError) as err:
            if attempt >= retries or (err.status is not None and err.status not in RETRY_STATUSES):
                raise
            delay = getattr(err, "retry_after", None)
            delay = backoff_delay(attempt) if delay is None else min(delay, 300.0)
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, TimeoutError) as err:
            if attempt >= retries:
                raise ServiceError(f"{what} failed after {attempt + 1} attempts: {err}") from err
            delay = backoff_delay(attempt)
        attempt += 1
        log.info("%s: retry %d in %.1f s", what, attempt, delay)
        await sleep(delay)


def decode_body(raw: bytes | bytearray) -> Any:
    """JSON of a response body (orjson: several times faster than json on 1000-record pages,
    the client's hot spot), else its first 500 characters as text (error pages)."""
    import orjson

    try:
        with paused_gc():
            return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw[:500].decode("utf-8", "replace")


def answer_too_large(where: str, limit: int, status: int | None, declared: Any = None) -> Any:
    """The error for an answer over ``limit`` bytes (``declared``: its Content-Length, else it
    was found while reading, after decompression); with the status: final, not retried."""
    if declared is not None:
        text = f"the answer of {where} is {declared} bytes, larger than the {limit} bytes accepted"
    else:
        text = (
            f"the answer of {where} is larger than the {limit} bytes accepted after decompression"
        )
    return ServiceError(
        f"{text} (cdse_intake.net.http.MAX_ANSWER_BYTES): refused", status=status, url=where
    )


def answer_too_slow(where: str, rate: float, min_rate: float) -> Any:
    """The error for an answer arriving slower than ``min_rate`` (no status: retried)."""
    return ServiceError(
        f"the answer of {where} arrives at {rate:.0f} bytes/s, below the minimum of "
        f"{min_rate:g} bytes/s: abandoned",
        url=where,
    )


async def read_bounded(
    resp: Any,
    limit: int = MAX_ANSWER_BYTES,
    *,
    truncate: bool = False,
    min_rate: float = MIN_ANSWER_RATE,
    window: float | None = None,
) -> bytearray:
    """The body of ``resp``, at most ``limit`` bytes after decompression.

    A longer body raises :class:`~cdse_intake.errors.ServiceError` (with the answer's status:
    not retried), or with ``truncate`` is cut at ``limit`` (error answers). A body slower than
    ``min_rate`` bytes/s over ``window`` seconds (the session's read timeout; default 60)
    raises ServiceError too (retried: no status).
    """
    where = str(resp.url).split("?", 1)[0]
    declared = resp.content_length if not resp.headers.get("Content-Encoding") else None
    if declared is not None and declared > limit and not truncate:
        raise answer_too_large(where, limit, resp.status, declared)
    guard = RateGuard(min_rate, window or 60.0, lambda rate: answer_too_slow(where, rate, min_rate))
    data = bytearray()
    async for chunk in resp.content.iter_chunked(1 << 16):
        data += chunk
        if len(data) > limit:
            if truncate:
                del data[limit:]
                break
            raise answer_too_large(where, limit, resp.status)
        guard.update(len(data))
    return data


async def read_error_body(resp: Any) -> Any:
    """The decoded error answer of ``resp``, its first :data:`MAX_ERROR_BYTES` bytes only."""
    return decode_body(await read_bounded(resp, MAX_ERROR_BYTES, truncate=True))


async def get_json(
    session: Any,
    url: str,
    params: Any = None,
    headers: Mapping[str, str] | None = None,
    *,
    max_bytes: int = MAX_ANSWER_BYTES,
) -> Any:
    """GET ``url`` and decode JSON; raises the mapped CDSEError for an error answer.

    The answer is read up to ``max_bytes`` after decompression (default
    :data:`MAX_ANSWER_BYTES`): a larger one raises ServiceError, never fills the memory.
    """
    async with session.get(url, params=params, headers=headers) as resp:
        if resp.status >= 400:
            body = await read_error_body(resp)
            raise error_from_response(resp.status, body, str(resp.url), resp.headers)
        window = getattr(getattr(session, "timeout", None), "sock_read", None)
        return decode_body(await read_bounded(resp, max_bytes, window=window))
