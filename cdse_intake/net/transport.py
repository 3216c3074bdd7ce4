"""Authenticated GETs to CDSE: redirects followed by hand, the token sent to CDSE origins only.

CDSE's ``$value`` answers 301 to another host that requires the bearer token; HTTP libraries drop
``Authorization`` on a cross-host redirect (then ``401 DAT-ZIP-604``), and must: re-sending it to
any host would leak the token. :class:`Transport` follows redirects itself and attaches the token
only to the exact origins -- scheme, host and port -- in ``Endpoints.token_origins`` (the
configured endpoints and the real CDSE hosts over https): the same host on another port is
another server, and a redirect from https to http would send the token in clear text. A 401
makes the token provider refresh once and the request is repeated; a second 401 is final.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import urljoin

from ..auth import TokenProvider
from ..config import Endpoints, origin_of
from ..errors import ServiceError
from .http import AUDIENCE_REFUSED, error_from_response, read_error_body

__all__ = ["REDIRECTS", "Transport", "read_bounded"]

REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
_PIECE = 2**20


async def read_bounded(resp: Any, limit: int, what: str) -> bytes:
    """The body of ``resp``, refused once it passes ``limit`` bytes (after any decompression).

    A server (hostile, broken, or a catalogue size that lies) may send without end; what the
    caller expects is known, so no more is ever held in memory. The error is final (it carries
    the answer's 2xx status, which no retry policy repeats): the same request would get the same.
    """
    declared = resp.content_length if not resp.headers.get("Content-Encoding") else None
    if declared is not None and declared > limit:
        raise ServiceError(
            f"{what}: the server announced {declared} bytes, more than the {limit} bytes expected",
            status=resp.status,
        )
    parts: list[bytes] = []
    held = 0
    while piece := await resp.content.read(min(_PIECE, limit - held + 1)):
        held += len(piece)
        if held > limit:
            raise ServiceError(
                f"{what}: the server sent more than the {limit} bytes expected", status=resp.status
            )
        parts.append(piece)
    return b"".join(parts)


class Transport:
    """GETs over an aiohttp session with CDSE's authentication rules."""

    def __init__(
        self, session: Any, endpoints: Endpoints, tokens: TokenProvider | None = None
    ) -> None:
        self.session = session
        self.endpoints = Endpoints.coerce(endpoints, from_env=False)
        self.tokens = tokens
        self._origins = self.endpoints.token_origins

    def may_receive_token(self, url: str) -> bool:
        """Whether ``url``'s origin (scheme, host, port) is one of CDSE's, configured or real."""
        origin = origin_of(url)
        return origin is not None and origin in self._origins

    async def _auth_headers(self, url: str) -> dict[str, str]:
        if self.tokens is None or not self.may_receive_token(url):
            return {}
        return await self.tokens.headers_async()

    @contextlib.asynccontextmanager
    async def get(
        self,
        url: str,
        *,
        start: int = 0,
        end: int | None = None,
        headers: Mapping[str, str] | None = None,
        method: str = "GET",
    ) -> AsyncIterator[Any]:
        """The final response of ``GET url`` (a 200 or 206); error statuses raise CDSEErrors.

        ``start``/``end`` (end exclusive) send a Range header; the answer is not checked:
        callers see ``response.status`` (200 means the server ignored the Range). ``method``:
        ``POST`` for what CDSE makes on request (burst extraction), redirects followed with the
        same method, as its clients do.
        """
        extra = dict(headers or {})
        if start or end is not None:
            last = "" if end is None else str(end - 1)
            extra["Range"] = f"bytes={start}-{last}"
        refreshed = False
        current = url
        redirects = 0
        while True:
            auth = await self._auth_headers(current)
            resp = await self.session.request(
                method, current, headers={**extra, **auth}, allow_redirects=False
            )
            try:
                if resp.status in REDIRECTS:
                    location = resp.headers.get("Location")
                    if not location or redirects >= MAX_REDIRECTS:
                        raise ServiceError(
                            f"too many or broken redirects from {url.split('?')[0]}",
                            status=resp.status,
                        )
                    current = urljoin(current, location)
                    redirects += 1
                    continue
                if resp.status == 401 and auth and not refreshed and self.tokens is not None:
                    body = await read_error_body(resp)
                    if isinstance(body, dict) and body.get("code") == AUDIENCE_REFUSED:
                        # The token's audience is refused (a service client's, DAT-ZIP-609): a
                        # new token has the same audience, so no refresh and no repeat.
                        raise error_from_response(401, body, current, resp.headers)
                    # Expired or revoked: refresh once and repeat from the original URL.
                    self.tokens.invalidate(auth["Authorization"].removeprefix("Bearer "))
                    refreshed = True
                    current, redirects = url, 0
                    continue
                if resp.status >= 400:
                    raise error_from_response(
                        resp.status, await read_error_body(resp), current, resp.headers
                    )
                yield resp
                return
            finally:
                resp.release()
