"""Quicklooks: the small preview image a catalogue record links to (OData ``QUICKLOOK`` asset,
STAC ``thumbnail``).

Quicklooks are served anonymously, like search, so no token is ever sent (the URL comes from a
record, and a token must only go to CDSE's own hosts). The answer is bounded: a body larger
than ``max_bytes`` is cut off with an error rather than read into memory, and a body that is not
an image (an HTML error page with status 200, a JSON document) is an error too, naming the URL,
so a caller can show why there is no preview instead of a broken image.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..config import Context
from ..errors import ProductNotFound, ServiceError
from ..net.http import error_from_response, new_session, read_error_body, with_retries
from ..product import Product

__all__ = ["MAX_QUICKLOOK", "fetch_quicklook", "quicklook_bytes", "quicklook_url"]

#: The largest quicklook accepted, in bytes (CDSE's are JPEGs of a few hundred kB).
MAX_QUICKLOOK = 8 << 20

#: Leading bytes of the image formats a catalogue serves (PNG, JPEG, GIF, WebP in RIFF).
_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"RIFF")


def quicklook_url(product: Product) -> str | None:
    """The product's quicklook image URL (OData ``QUICKLOOK`` asset, STAC thumbnail), if any."""
    for key, asset in product.assets.items():
        roles = {r.lower() for r in asset.roles}
        if (key.lower() in ("quicklook", "thumbnail") or roles & {"quicklook", "thumbnail"}) and (
            asset.href.startswith(("https://", "http://"))
        ):
            return asset.href
    return None


async def fetch_quicklook(
    session: Any, url: str, *, max_bytes: int = MAX_QUICKLOOK, what: str = "the quicklook"
) -> bytes:
    """GET the image at ``url`` over ``session`` (no credentials), at most ``max_bytes``.

    Raises the mapped :class:`~cdse_intake.errors.CDSEError` for an error status, and
    :class:`~cdse_intake.errors.ServiceError` (status 200, not retried) for a body too large or
    not an image.
    """
    async with session.get(url) as resp:
        if resp.status >= 400:
            body = await read_error_body(resp)  # at most MAX_ERROR_BYTES of it
            raise error_from_response(resp.status, body, url, resp.headers)
        where = url.split("?", 1)[0]
        if resp.content_length is not None and resp.content_length > max_bytes:
            raise ServiceError(
                f"{what} is {resp.content_length} bytes, more than the {max_bytes} bytes "
                f"accepted ({where})",
                status=resp.status,
                url=where,
            )
        data = bytearray()
        async for chunk in resp.content.iter_chunked(1 << 16):
            data += chunk
            if len(data) > max_bytes:  # no or a wrong Content-Length: stop reading here
                raise ServiceError(
                    f"{what} is larger than the {max_bytes} bytes accepted ({where})",
                    status=resp.status,
                    url=where,
                )
        kind = resp.headers.get("Content-Type", "")
        if not (data.startswith(_SIGNATURES) or kind.lower().startswith("image/")):
            raise ServiceError(
                f"{what} is not an image: the answer is {kind or 'of no type'} starting "
                f"{bytes(data[:24])!r} ({where})",
                status=resp.status,
                url=where,
            )
        return bytes(data)


def quicklook_bytes(
    product: Product,
    context: Context,
    *,
    timeout: float | None = None,
    max_bytes: int = MAX_QUICKLOOK,
) -> bytes:
    """The product's quicklook image (PNG or JPEG bytes), fetched from its catalogue record's URL.

    ``context`` gives the retries (429, 5xx and resets are retried as for search) and the
    default ``timeout``: seconds for the whole image, per attempt. Blocks; callable from any
    thread, a notebook's included (the request runs on fsspec's I/O loop, as search does).
    :class:`~cdse_intake.errors.ProductNotFound` when the record links no quicklook.
    """
    from fsspec.asyn import get_loop, sync

    url = quicklook_url(product)
    if url is None:
        raise ProductNotFound(
            f"{product.name} has no quicklook: its catalogue record links no http(s) image"
        )
    seconds = context.settings.timeout if timeout is None else timeout
    what = f"the quicklook of {product.name}"

    async def attempt(session: Any) -> bytes:
        async with asyncio.timeout(seconds):
            return await fetch_quicklook(session, url, max_bytes=max_bytes, what=what)

    async def run() -> bytes:
        async with new_session(timeout=seconds, limit=2) as session:
            return await with_retries(
                lambda: attempt(session), retries=context.settings.retries, what=what
            )

    return sync(get_loop(), run)
