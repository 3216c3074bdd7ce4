"""HTTP to the CLMS API: JSON in and out, bounded answers, the service-key token to CLMS only.

The token goes to the configured CLMS API origin and the real one over https
(``Endpoints.clms_token_origins``), never to a CDSE host nor to the result file server (its
links are public). Redirects are not followed with the token: a redirect is an error naming
where it pointed. A 401 makes the token provider sign a new grant once ("Access token
expired"); a second 401 is final. Errors carry what CLMS said, in any of its shapes
(Plone's ``{"error": {"type", "message"}}``, the download tool's ``{"status": "error",
"msg"}``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from ..auth.service_key import ServiceKeyTokens
from ..config import Context, origin_of
from ..errors import (
    CDSEError,
    CLMSAuthenticationError,
    CLMSError,
    CLMSQueryError,
    ProductNotFound,
    RateLimited,
    ServiceError,
)
from ..net.http import (
    MAX_ERROR_BYTES,
    decode_body,
    new_session,
    read_bounded,
    retry_after_seconds,
    with_retries,
)

__all__ = ["CLMSSession", "clms_error"]

log = logging.getLogger("cdse_intake.clms")

#: Largest CLMS JSON answer read (a search batch of 25 datasets is ~50 KB).
MAX_CLMS_ANSWER = 16 << 20
ACCEPT = {"Accept": "application/json"}


def _said(body: Any) -> str | None:
    """What CLMS said in an error answer, whatever its shape."""
    if isinstance(body, Mapping):
        inner = body.get("error")
        if isinstance(inner, Mapping):
            return str(inner.get("message") or inner.get("type") or "") or None
        for key in ("msg", "message", "error_description", "error", "detail"):
            if body.get(key):
                return str(body[key])[:500]
        return None
    return str(body)[:500] if body else None


def clms_error(status: int, body: Any, url: str, headers: Mapping[str, str] | None = None) -> Any:
    """The error for a CLMS answer with ``status`` >= 400."""
    where = url.split("?", 1)[0]
    text = _said(body) or f"HTTP {status}"
    kw: dict[str, Any] = {"status": status, "url": where}
    if status in (400, 422):
        return CLMSQueryError(f"CLMS refused the request: {text}", **kw)
    if status in (401, 403):
        return CLMSAuthenticationError(f"CLMS refused the access token: {text}", **kw)
    if status == 404:
        return _NotFound(f"CLMS has no {where.rsplit('/', 1)[-1]}: {text}", **kw)
    if status == 429:
        after = retry_after_seconds((headers or {}).get("Retry-After"))
        return RateLimited(f"CLMS rate limited the request: {text}", retry_after=after, **kw)
    return ServiceError(f"CLMS failed: {text}", **kw)


class _NotFound(CLMSError, ProductNotFound):
    """A CLMS address or object that does not exist (404)."""


class CLMSSession:
    """One aiohttp session to the CLMS API of ``context`` (``async with``), with the tokens of
    a service key (``tokens``; None: anonymous requests only)."""

    def __init__(self, context: Context, tokens: ServiceKeyTokens | None = None) -> None:
        self.context = context
        self.root = context.endpoints.clms
        self.tokens = tokens
        self._origins = context.endpoints.clms_token_origins
        self._session: Any = None

    def __repr__(self) -> str:
        return f"CLMSSession({self.root!r})"

    async def __aenter__(self) -> CLMSSession:
        self._session = new_session(self.context.settings.timeout)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> Any:
        """The aiohttp session (open only inside ``async with``)."""
        if self._session is None:
            raise RuntimeError("CLMSSession is used outside 'async with'")
        return self._session

    def url(self, endpoint: str) -> str:
        """The URL of ``endpoint`` (``@search``...) under the API root; full URLs are kept."""
        return endpoint if "://" in endpoint else f"{self.root}/{endpoint.lstrip('/')}"

    def may_receive_token(self, url: str) -> bool:
        """Whether ``url`` is on the CLMS API's origin (scheme, host, port)."""
        origin = origin_of(url)
        return origin is not None and origin in self._origins

    async def request(
        self,
        method: str,
        endpoint: str,
        *,
        params: Any = None,
        body: Any = None,
        auth: bool = True,
        retry: bool = True,
    ) -> tuple[int, Any]:
        """``(status, decoded JSON)`` of a 2xx answer; error answers raise CLMS errors.

        ``retry``: 5xx, resets and 429 (after its Retry-After, capped) are retried within
        ``Settings.retries``; without it, they raise at once (the poller has its own pace).
        """

        async def attempt() -> tuple[int, Any]:
            return await self._once(method, self.url(endpoint), params, body, auth)

        if not retry:
            return await attempt()
        return await with_retries(
            attempt, retries=self.context.settings.retries, what=f"CLMS {endpoint.split('?')[0]}"
        )

    async def _once(
        self, method: str, url: str, params: Any, body: Any, auth: bool
    ) -> tuple[int, Any]:
        refreshed = False
        while True:
            headers = dict(ACCEPT)
            if auth:
                headers.update(await self._auth_headers(url))
            data = None
            if body is not None:
                headers["Content-Type"] = "application/json"
                data = json.dumps(body).encode("utf-8")
            async with self.session.request(
                method, url, params=params, data=data, headers=headers, allow_redirects=False
            ) as resp:
                status = resp.status
                if status == 401 and auth and not refreshed and self.tokens is not None:
                    # "Access token expired" (or revoked): one new grant, then the same request.
                    self.tokens.invalidate(headers["Authorization"].removeprefix("Bearer "))
                    refreshed = True
                    continue
                if status in (301, 302, 303, 307, 308):
                    raise ServiceError(
                        f"CLMS redirected {url.split('?')[0]} to "
                        f"{resp.headers.get('Location', '?')}; expected an answer",
                        status=status,
                        url=url.split("?")[0],
                    )
                if status >= 400:
                    raw = await read_bounded(resp, MAX_ERROR_BYTES, truncate=True)
                    raise clms_error(status, decode_body(raw), str(resp.url), resp.headers)
                window = self.context.settings.timeout
                raw = await read_bounded(resp, MAX_CLMS_ANSWER, window=window)
            return status, (decode_body(raw) if raw.strip() else None)

    async def _auth_headers(self, url: str) -> dict[str, str]:
        if self.tokens is None:
            raise CLMSAuthenticationError(
                "this CLMS request needs a service key: pass service_key=, set "
                "CDSE_CLMS_SERVICE_KEY or [settings] clms_service_key in the config file"
            )
        if not self.may_receive_token(url):
            raise CDSEError(f"refused to send the CLMS token to {url.split('?')[0]}")
        return await self.tokens.headers_async(self.session)
