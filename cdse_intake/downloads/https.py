"""One product over HTTPS: ``GET <download>/Products(<id>)/$value`` with Range resume.

The request goes to the download host directly (``Endpoints.download``, as CDSETool does;
``reference/cdse-api.md`` §2.1) through :class:`~cdse_intake.transport.Transport`, which follows
any redirect by hand, sends the token to CDSE hosts only and refreshes it once on a 401.

Resume (§2.2): with ``n`` bytes in the ``.part``, the request carries ``Range: bytes=n-``. A 206
must start at ``n`` (``Content-Range``); a 200 means the server ignored the Range, and that body
is the whole product: the ``.part`` is emptied and filled from it, no second request needed.

The server is not trusted about sizes: an answer that declares a size other than the catalogue's
(Content-Length, Content-Range), a body that runs past it, and a 416 before it (the server's
copy is shorter) are a :class:`~.retry.SizeMismatch` of the product, final; a body slower than
the minimum rate is abandoned (:class:`~.retry.TooSlow`) and retried within the bounds of
:mod:`.retry`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from ..errors import ServiceError
from .accounts import Account
from .partfile import MAX_BUFFERS, WRITE_SIZE, PartFile
from .retry import (
    Limits,
    Restart,
    SizeMismatch,
    Stats,
    Truncated,
    check_declared,
    check_more,
    rate_guard,
    transfer_verified,
)

__all__ = ["fetch_https", "fetch_url", "product_url"]

_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


def product_url(download_root: str, product_id: str) -> str:
    """``<download root>/Products(<id>)/$value`` (the id quoted: it comes from the server)."""
    return f"{download_root}/Products({quote(product_id, safe='-')})/$value"


def _range_start(header: str | None) -> int | None:
    match = _CONTENT_RANGE.fullmatch((header or "").strip())
    return int(match[1]) if match else None


def _note_session_limit(headers: Any, account: Account) -> None:
    """Follow the account's real session limit (``x-cf-sessionlimit-limit``, §2.2)."""
    value = headers.get("x-cf-sessionlimit-limit", "")
    if value.isdigit():
        account.gate.lower(int(value))


@contextlib.asynccontextmanager
async def _get(
    account: Account, url: str, part: PartFile, method: str = "GET"
) -> AsyncIterator[Any]:
    """``transport.get`` from the end of ``part``; a 416 is a Restart or a SizeMismatch."""
    offset = part.length
    try:
        async with account.transport.get(url, start=offset, method=method) as resp:
            yield resp
    except ServiceError as err:
        if err.status != 416:
            raise
        size = part.expected.size
        if size is not None and 0 < offset < size:
            # Nothing past ``offset``, yet the catalogue's product is longer: the server's copy
            # is shorter than the catalogue says. Fetching it again would end the same way.
            raise SizeMismatch(
                f"{part.final.name}: the server has no bytes past {offset} (HTTP 416), the "
                f"catalogue says {size} bytes: the product cannot be verified (size mismatch)"
            ) from err
        # The .part is no prefix the server can continue (a product of unknown size that was
        # complete already): fetch it again from the start.
        raise Restart(f"the server cannot continue from byte {offset}: {err}") from err


def _declared_total(resp: Any, offset: int) -> int | None:
    """The product size the answer declares: Content-Range's total, else offset + length.

    None when it declares none, or when a Content-Encoding makes Content-Length the size of
    the encoded body.
    """
    if resp.status == 206:
        match = _CONTENT_RANGE.fullmatch((resp.headers.get("Content-Range") or "").strip())
        if match and match[3] != "*":
            return int(match[3])
    if resp.headers.get("Content-Encoding", "identity").lower() != "identity":
        return None
    length = resp.content_length
    if length is None:
        return None
    return (offset if resp.status == 206 else 0) + length


async def _transfer(
    url: str,
    account: Account,
    part: PartFile,
    stats: Stats,
    bar: Any,
    limits: Limits,
    method: str = "GET",
) -> None:
    """One GET: append the rest of the product to ``part``, bounded by its expected size."""
    offset = part.length
    async with _get(account, url, part, method) as resp:
        _note_session_limit(resp.headers, account)
        if resp.status == 206:
            start = _range_start(resp.headers.get("Content-Range"))
            if start != offset:
                raise Restart(f"asked for bytes from {offset}, the server sent from {start}")
        check_declared(part, _declared_total(resp, offset), "Content-Length or Content-Range")
        if resp.status != 206 and offset:
            # 200 to a Range request: the server ignored it and sends everything (§2.2).
            stats.restarts += 1
            await part.restart()
            bar.reset(total=part.expected.size)
        size = part.expected.size
        guard = rate_guard(limits, part)
        pending: list[bytes] = []
        held = 0
        try:
            async for data in resp.content.iter_any():
                check_more(part, held + len(data))  # never write past the expected size
                pending.append(data)
                held += len(data)
                if held >= WRITE_SIZE or len(pending) >= MAX_BUFFERS:
                    # the chunks as they are (no joined copy), written while the next arrive
                    await part.write(pending)
                    stats.bytes += held
                    bar.update(held)
                    pending, held = [], 0
                guard.update(part.length + held)
        finally:
            # Bytes that arrived before a reset are good: keep them for the resume (the last
            # write reaches the file after the connection slot is free: transfer_verified).
            if pending:
                await part.write(pending)
                stats.bytes += held
                bar.update(held)
    if size is not None and part.length < size:
        raise Truncated(f"the body ended at byte {part.length} of {size}")


async def fetch_https(
    download_root: str,
    product_id: str,
    account: Account,
    part: PartFile,
    stats: Stats,
    bar: Any,
    retries: int,
    limits: Limits | None = None,
) -> str:
    """Download the rest of the product into ``part`` and verify it; returns the digest.

    ``limits`` (default: :class:`~.retry.Limits` with the session's read timeout as the rate
    window) bound the time the product may take and the rate it must keep.
    """
    url = product_url(download_root, product_id)
    return await fetch_url(url, account, part, stats, bar, retries, limits)


async def fetch_url(
    url: str,
    account: Account,
    part: PartFile,
    stats: Stats,
    bar: Any,
    retries: int,
    limits: Limits | None = None,
    method: str = "GET",
) -> str:
    """:func:`fetch_https` of any URL (``method`` ``POST``: a burst extracted on request)."""
    if limits is None:
        window = getattr(getattr(account.transport.session, "timeout", None), "sock_read", None)
        limits = Limits(window=window or Limits.window)
    chosen = limits
    return await transfer_verified(
        lambda: _transfer(url, account, part, stats, bar, chosen, method),
        account,
        part,
        stats,
        bar,
        retries,
        chosen,
    )
