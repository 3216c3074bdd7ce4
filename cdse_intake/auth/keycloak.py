"""One exchange with CDSE's Keycloak token endpoint, and what its answer means (§3).

Nothing here logs a request or a response: forms hold passwords, bodies hold tokens. The aiohttp
session is made with ``trust_env=False`` because aiohttp's ``trust_env=True`` would also read
``~/.netrc`` and send the CDSE password as a Basic ``Authorization`` header (Keycloak then
takes the e-mail for a client id: ``invalid_client``); proxies from the environment are applied
by hand instead, never for loopback hosts.
"""

from __future__ import annotations

import math
import time
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..errors import AuthenticationError, RateLimited, ServiceError

__all__ = [
    "CLIENT_ID",
    "Grant",
    "Rejected",
    "logout_form",
    "password_form",
    "post_form",
    "refresh_form",
    "request_grant",
]

#: CDSE's public client for password grants (no secret), §3.
CLIENT_ID = "cdse-public"

_MAX_BODY = 1 << 20  # a token response is a few kB


@dataclass(frozen=True, repr=False)
class Grant:
    """A token response. Times are ``time.monotonic()`` seconds, taken when the request left."""

    access_token: str
    expires_in: float
    refresh_token: str | None
    refresh_expires_in: float | None
    """None when Keycloak gives 0 (no limit) or nothing."""
    session_state: str | None
    obtained: float

    def __repr__(self) -> str:
        return f"Grant(expires_in={self.expires_in}, session_state={self.session_state!r})"

    def __reduce__(self) -> Any:
        # Tokens never leave the process that obtained them (a TokenProvider pickles without).
        raise TypeError("a Grant holds bearer tokens and is never pickled")


class Rejected(Exception):
    """The token endpoint answered with an OAuth2 error (4xx); mapped by the caller."""

    def __init__(self, status: int, error: str | None, description: str) -> None:
        super().__init__(status, error, description)
        self.status = status
        self.error = error
        self.description = description


class _Form(dict):
    """A form whose repr names its fields only (it may sit in a traceback's locals)."""

    def __repr__(self) -> str:
        return f"<form fields={sorted(self)}>"


def password_form(username: str, password: str, totp: str | None) -> dict[str, str]:
    form = _Form(client_id=CLIENT_ID, username=username, password=password, grant_type="password")
    if totp is not None:
        form["totp"] = totp
    return form


def refresh_form(refresh_token: str) -> dict[str, str]:
    return _Form(grant_type="refresh_token", refresh_token=refresh_token, client_id=CLIENT_ID)


def logout_form(refresh_token: str) -> dict[str, str]:
    return _Form(client_id=CLIENT_ID, refresh_token=refresh_token)


async def post_form(url: str, form: dict[str, str], timeout: float) -> tuple[int, Any, Any]:
    """POST ``form`` urlencoded; (status, parsed JSON body or None, headers). No redirects."""
    import aiohttp

    client_timeout = aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=timeout)
    try:
        async with (
            aiohttp.ClientSession(timeout=client_timeout, trust_env=False) as session,
            session.post(url, data=form, allow_redirects=False, proxy=_proxy_for(url)) as resp,
        ):
            raw = await resp.content.read(_MAX_BODY)
            body = None
            if resp.content_type == "application/json":
                try:
                    import json

                    body = json.loads(raw)
                except ValueError:
                    body = None
            return resp.status, body, resp.headers
    except (TimeoutError, aiohttp.ClientError, OSError) as err:
        reason = f"no answer within {timeout:g} s" if isinstance(err, TimeoutError) else err
        raise ServiceError(
            f"cannot reach CDSE's identity service at {url}: {reason}", url=url
        ) from err


async def request_grant(url: str, form: dict[str, str], timeout: float) -> Grant:
    """Exchange ``form`` for tokens; :class:`Rejected` for an OAuth2 error, else CDSE errors."""
    sent = time.monotonic()
    status, body, headers = await post_form(url, form, timeout)
    if status == 200:
        return _parse_grant(body, sent, url)
    raise answer_error(status, body, headers, url)


def answer_error(status: int, body: Any, headers: Any, url: str) -> Exception:
    """The exception for a non-200 answer of the identity service."""
    if status == 429:
        return RateLimited(
            "CDSE's identity service is rate limiting requests",
            status=429,
            retry_after=_retry_after(headers),
            url=url,
        )
    if status >= 500 or status < 400:
        what = "redirected the token request" if 300 <= status < 400 else "failed"
        return ServiceError(
            f"CDSE's identity service {what} (HTTP {status})",
            status=status,
            code=_error_code(body),
            url=url,
        )
    code = _error_code(body)
    description = body.get("error_description") if isinstance(body, dict) else None
    if not isinstance(description, str):
        description = f"HTTP {status}"
    return Rejected(status, code, description)


def _parse_grant(body: Any, sent: float, url: str) -> Grant:
    def bad(what: str) -> ServiceError:
        return ServiceError(f"malformed token response from {url}: {what}", status=200, url=url)

    if not isinstance(body, dict):
        raise bad("not a JSON object")
    access, expires_in = body.get("access_token"), body.get("expires_in")
    if not isinstance(access, str) or not access:
        raise bad("no access_token")
    if str(body.get("token_type", "")).lower() != "bearer":
        raise bad(f"token_type {body.get('token_type')!r}, expected 'Bearer'")
    if not _positive(expires_in):
        raise bad(f"expires_in {expires_in!r}, expected seconds > 0")
    refresh = body.get("refresh_token")
    refresh_in = body.get("refresh_expires_in")
    return Grant(
        access_token=access,
        expires_in=float(expires_in),
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        refresh_expires_in=float(refresh_in) if _positive(refresh_in) else None,
        session_state=body.get("session_state")
        if isinstance(body.get("session_state"), str)
        else None,
        obtained=sent,
    )


def rejection_error(
    rejected: Rejected, *, username: str, source: str, two_factor: bool, url: str
) -> AuthenticationError:
    """An :class:`AuthenticationError` explaining why a login was refused."""
    text = f"CDSE refused the login of {username!r} (credentials from {source}): "
    text += rejected.description
    if rejected.status == 403 and rejected.error == "sessionLimitExceeded":
        text += (
            ". The account has too many active sessions (CDSE allows 100; each login opens one "
            "for up to 60 minutes). Reuse one TokenProvider per account instead of logging in "
            "repeatedly, or wait for old sessions to end"
        )
    elif rejected.error == "invalid_grant":
        text += (
            ". Check the password and the TOTP secret or code (codes depend on the clock)"
            if two_factor
            else ". Check the password; if the account has two-factor authentication, also give "
            "totp_secret= (or CDSE_TOTP_SECRET)"
        )
    elif rejected.error in ("invalid_client", "unauthorized_client"):
        text += f". The client id {CLIENT_ID!r} was refused: is the identity URL right ({url})?"
    return AuthenticationError(text, status=rejected.status, code=rejected.error, url=url)


def _error_code(body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"]
    return None


def _positive(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _proxy_for(url: str) -> str | None:
    """The environment's proxy for ``url`` (``*_proxy``/``no_proxy``); never for loopback."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host == "localhost" or host.startswith("127.") or host == "::1":
        return None
    proxies = urllib.request.getproxies_environment()
    if not proxies or urllib.request.proxy_bypass_environment(host, proxies):
        return None
    return proxies.get(parts.scheme) or proxies.get("all")
