"""Background work of the panel: a cancellable job, and fetching a quicklook image."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

from ..product import Product

__all__ = ["MAX_QUICKLOOK", "Job", "get_bytes", "quicklook_url"]

#: The largest quicklook image fetched, in bytes.
MAX_QUICKLOOK = 8 << 20


class Job:
    """One background task (search, download, open): its thread and how to cancel it."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.cancelled = threading.Event()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task[Any] | None = None
        self.results: Any = None
        """The streaming SearchResults of a search job, closed on cancel."""

    def cancel(self) -> None:
        """Stop the work: the flag for loops, a closed result stream for a search (no more
        pages requested), and a cancelled task for a running download."""
        with self.lock:
            self.cancelled.set()
            if self.results is not None:
                self.results.close()
            if self.loop is not None and self.task is not None:
                with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                    self.loop.call_soon_threadsafe(self.task.cancel)

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


def quicklook_url(product: Product) -> str | None:
    """The product's quicklook image URL (OData ``QUICKLOOK`` asset, STAC thumbnail), if any."""
    for key, asset in product.assets.items():
        roles = {r.lower() for r in asset.roles}
        if (key.lower() in ("quicklook", "thumbnail") or roles & {"quicklook", "thumbnail"}) and (
            asset.href.startswith(("https://", "http://"))
        ):
            return asset.href
    return None


def get_bytes(url: str, timeout: float) -> bytes:
    """GET a small public file (a quicklook) without credentials; at most MAX_QUICKLOOK bytes."""
    from ..net.http import decode_body, error_from_response, new_session

    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) URL: {url!r}")

    async def get() -> bytes:
        async with new_session(timeout=timeout) as session, session.get(url) as resp:
            if resp.status >= 400:
                body = decode_body(await resp.read())
                raise error_from_response(resp.status, body, url, resp.headers)
            data = bytearray()
            async for chunk in resp.content.iter_chunked(1 << 16):
                data += chunk
                if len(data) > MAX_QUICKLOOK:
                    raise ValueError(f"the image is larger than {MAX_QUICKLOOK} bytes")
            return bytes(data)

    return asyncio.run(get())
