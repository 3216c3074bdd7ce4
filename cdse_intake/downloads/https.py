"""One product over HTTPS: ``GET <download>/Products(<id>)/$value`` with Range resume.

The request goes to the download host directly (``Endpoints.download``, as CDSETool does;
``reference/cdse-api.md`` §2.1) through :class:`~cdse_intake.transport.Transport`, which follows
any redirect by hand, sends the token to CDSE hosts only and refreshes it once on a 401.

Resume (§2.2): with ``n`` bytes in the ``.part``, the request carries ``Range: bytes=n-``. A 206
must start at ``n`` (``Content-Range``); a 200 means the server ignored the Range, and that body
is the whole product: the ``.part`` is emptied and filled from it, no second request needed.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from ..errors import ChecksumMismatch, ServiceError
from .accounts import Account
from .partfile import CHUNK, PartFile
from .retry import Restart, Stats, Truncated, transfer_verified

__all__ = ["fetch_https", "product_url"]

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
async def _get(account: Account, url: str, offset: int) -> AsyncIterator[Any]:
    """``transport.get`` from ``offset``; 416 (nothing left past ``offset``) means Restart."""
    try:
        async with account.transport.get(url, start=offset) as resp:
            yield resp
    except ServiceError as err:
        if err.status != 416:
            raise
        # The .part is no prefix the server can continue (a product of unknown size that was
        # complete already, or one that shrank): fetch it again from the start.
        raise Restart(f"the server cannot continue from byte {offset}: {err}") from err


async def _transfer(url: str, account: Account, part: PartFile, stats: Stats, bar: Any) -> None:
    """One GET: append the rest of the product to ``part``."""
    offset = part.length
    async with _get(account, url, offset) as resp:
        _note_session_limit(resp.headers, account)
        if resp.status == 206:
            start = _range_start(resp.headers.get("Content-Range"))
            if start != offset:
                raise Restart(f"asked for bytes from {offset}, the server sent from {start}")
        elif offset:
            # 200 to a Range request: the server ignored it and sends everything (§2.2).
            stats.restarts += 1
            await part.restart()
            bar.reset(total=part.expected.size)
        size = part.expected.size
        pending: list[bytes] = []
        held = 0
        try:
            async for data in resp.content.iter_any():
                pending.append(data)
                held += len(data)
                if held >= CHUNK:
                    await part.write(b"".join(pending) if len(pending) > 1 else pending[0])
                    stats.bytes += held
                    bar.update(held)
                    pending, held = [], 0
                    if size is not None and part.length > size:
                        raise ChecksumMismatch(f"the server sent more than the {size} bytes")
        finally:
            # Bytes that arrived before a reset are good: keep them for the resume.
            if pending:
                await part.write(b"".join(pending))
                stats.bytes += held
                bar.update(held)
            await part.drain()
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
) -> str:
    """Download the rest of the product into ``part`` and verify it; returns the digest."""
    url = product_url(download_root, product_id)
    return await transfer_verified(
        lambda: _transfer(url, account, part, stats, bar), account, part, stats, bar, retries
    )
