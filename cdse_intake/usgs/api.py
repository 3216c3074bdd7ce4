"""The USGS M2M API's calls: login, the JSON envelope, its error codes, retries.

What the M2M documentation (``m2m.cr.usgs.gov/api/docs/json/``) and its well-kept clients
(landsatxplore, usgsxplore, eodag's USGS plugin) show, and what this module does with it:

- every call is ``POST <root>/<endpoint>`` with a JSON body; ``login-token`` takes
  ``{"username", "token"}`` (an application token; password logins were retired in 2025) and
  answers the API key in ``data``; every other call sends it as ``X-Auth-Token``; ``logout``
  ends it. A key lives about two hours.
- every answer is an envelope ``{"requestId", "version", "sessionId", "data", "errorCode",
  "errorMessage"}``, errors too, usually with HTTP 200: the error code is what counts. Codes:
  ``AUTH_INVALID`` (wrong username/token), ``AUTH_UNAUTHROIZED`` [sic] (no M2M access),
  ``AUTH_KEY_INVALID`` (expired key: logged in again once), ``RATE_LIMIT`` (and
  ``RATE_LIMIT_USER_DL``; HTTP 429 alike: retried with growing pauses, ``settings.retries``
  times, then :class:`~cdse_intake.errors.RateLimited`), ``DATASET_INVALID``/
  ``DATASET_UNAUTHORIZED`` and ``INPUT_*`` (a :class:`~cdse_intake.errors.QueryError`),
  ``SERVER_ERROR``/5xx/broken connections (retried, then a ServiceError).
- USGS documents a rate limit without a number here to rely on [inferred]: the client makes
  one call at a time per run and backs off on ``RATE_LIMIT``.

Bodies are bounded (:data:`MAX_BODY`); the token and the API key are masked in every message a
server's text could carry them into.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from ..auth.usgs import UsgsCredentials, usgs_credentials
from ..errors import AuthenticationError, CDSEError, QueryError, RateLimited, ServiceError

__all__ = ["BACKOFF", "M2M", "MAX_BODY"]

log = logging.getLogger(__name__)

#: Largest answer read (a page of 10,000 scenes' summaries is a few MB).
MAX_BODY = 64 << 20
#: First pause after a rate-limited or failed call, doubled each time, at most :data:`MAX_PAUSE`.
BACKOFF = 1.0
MAX_PAUSE = 30.0
_AUTH = {"AUTH_INVALID", "AUTH_UNAUTHROIZED", "AUTH_UNAUTHORIZED"}
_RATE = {"RATE_LIMIT", "RATE_LIMIT_USER_DL"}
_RETRY = {"SERVER_ERROR", "UNKNOWN"}


class _Retry(Exception):
    def __init__(self, error: CDSEError) -> None:
        self.error = error


class M2M:
    """One logged-in use of the M2M API (``async with M2M(...) as m2m: await m2m.call(...)``)."""

    def __init__(self, session: Any, root: str, credentials: Any, retries: int = 5) -> None:
        self.session = session
        self.root = root.rstrip("/")
        #: A :class:`UsgsCredentials` (or what :func:`usgs_credentials` takes).
        self.credentials: UsgsCredentials = usgs_credentials(credentials, self.root)
        self.retries = retries
        self._key: str | None = None
        self.calls = 0

    def __repr__(self) -> str:
        return f"M2M({self.root!r}, user={self.credentials.username!r})"

    async def __aenter__(self) -> M2M:
        await self.login()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.logout()

    def _mask(self, text: str) -> str:
        for secret in (self.credentials.token, self._key):
            if secret:
                text = text.replace(secret, "***")
        return text[:500]

    async def login(self) -> None:
        """``login-token``: the API key for the calls that follow."""
        payload = {"username": self.credentials.username, "token": self.credentials.token}
        data = await self._with_retries("login-token", payload, auth=False)
        if not isinstance(data, str) or not data:
            raise ServiceError(f"USGS login-token at {self.root} answered no API key")
        self._key = data

    async def logout(self) -> None:
        """``logout`` (best effort: a key that cannot be ended expires by itself)."""
        if self._key is None:
            return
        with contextlib.suppress(CDSEError, OSError, TimeoutError, _Retry):
            await self._post("logout", {})
        self._key = None

    async def call(self, endpoint: str, payload: dict[str, Any]) -> Any:
        """The ``data`` of ``endpoint``'s answer; an expired key is renewed once."""
        try:
            return await self._with_retries(endpoint, payload)
        except AuthenticationError as err:
            if err.code != "AUTH_KEY_INVALID":
                raise
            log.info("USGS API key refused (expired?); logging in again")
            await self.login()
            return await self._with_retries(endpoint, payload)

    async def _with_retries(self, endpoint: str, payload: dict[str, Any], auth: bool = True) -> Any:
        pause = BACKOFF
        for attempt in range(self.retries + 1):
            try:
                return await self._post(endpoint, payload, auth)
            except _Retry as retry:
                if attempt == self.retries:
                    raise retry.error from None
                log.info("USGS %s: %s; retrying in %.1f s", endpoint, retry.error.message, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE)
        raise AssertionError("unreachable")

    async def _post(self, endpoint: str, payload: dict[str, Any], auth: bool = True) -> Any:
        from ..net.transport import read_bounded

        url = f"{self.root}/{endpoint}"
        headers = {"Content-Type": "application/json"}
        if auth and self._key:
            headers["X-Auth-Token"] = self._key
        self.calls += 1
        try:
            async with self.session.post(
                url, data=json.dumps(payload), headers=headers, allow_redirects=False
            ) as resp:
                status = resp.status
                body = await read_bounded(resp, MAX_BODY, f"USGS {endpoint}")
        except (TimeoutError, OSError) as err:
            raise _Retry(ServiceError(f"USGS {endpoint}: {type(err).__name__}", url=url)) from None
        try:
            envelope = json.loads(body)
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict) or not ({"data", "errorCode"} & set(envelope)):
            error = ServiceError(
                f"USGS {endpoint} answered HTTP {status} without the M2M envelope",
                status=status, url=url,
            )  # fmt: skip
            if status == 429:
                raise _Retry(RateLimited(f"USGS {endpoint}: rate limited", status=429, url=url))
            raise _Retry(error) if status >= 500 else error
        code = envelope.get("errorCode")
        if not code and status == 429:
            code = "RATE_LIMIT"
        if not code:
            if status >= 400:
                raise ServiceError(f"USGS {endpoint} answered HTTP {status}", status=status)
            return envelope.get("data")
        raise self._error(endpoint, str(code), str(envelope.get("errorMessage") or ""), status)

    def _error(self, endpoint: str, code: str, message: str, status: int) -> Exception:
        said = self._mask(message)
        user = self.credentials.username
        if code in _AUTH:
            fix = (
                f"the account {user!r} has no machine-to-machine access; request it at "
                "ers.cr.usgs.gov/profile/access"
                if code.startswith("AUTH_UNAUTH")
                else f"check the username {user!r} and its application token (USGS_USERNAME/"
                "USGS_TOKEN, .netrc or credentials=): an M2M application token from "
                "ers.cr.usgs.gov, not the password"
            )
            return AuthenticationError(f"USGS refused the login ({said}): {fix}", code=code)
        if code == "AUTH_KEY_INVALID":
            return AuthenticationError(f"USGS refused the API key: {said}", code=code)
        if code in _RATE:
            return _Retry(
                RateLimited(
                    f"USGS rate limit on {endpoint} ({said}): still refused after "
                    f"{self.retries} retries; wait a few minutes and run again",
                    code=code,
                )
            )
        if code.startswith("DATASET_") or code.startswith("INPUT_"):
            return QueryError(f"USGS {endpoint} refused the request: {code}: {said}", code=code)
        error = ServiceError(f"USGS {endpoint} failed: {code}: {said}", code=code, status=status)
        return _Retry(error) if code in _RETRY else error
