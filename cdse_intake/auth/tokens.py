"""The Keycloak token provider: one login per account, then refresh grants (§3, §2.4).

CDSE access tokens live 10 minutes and can be refreshed for 60; every password grant opens a
session and an account may hold 100 (§2.4), so the provider logs in once, refreshes ahead of expiry
while the refresh token lasts, and logs in again only after that (or when CDSE ends the session).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import logging
import os
import threading
import time
import weakref
from typing import Any, Literal

from ..config import Endpoints, Settings
from ..errors import AuthenticationError, CDSEError, ServiceError
from . import keycloak
from ._loop import in_io_thread, io_loop
from .client_credentials import ClientCredentials, client_form, refused
from .credentials import Credentials, CredentialsLike
from .totp import current_code

__all__ = ["TokenProvider"]

log = logging.getLogger(__name__)

#: For short lifetimes (tests, emulator), refresh when this fraction of the lifetime is left
#: rather than ``Settings.refresh_margin`` (60 s would exceed a 2 s test lifetime).
SHORT_LIFETIME_FRACTION = 0.25

#: Keycloak error codes of a refused login that another identical attempt cannot fix: the
#: provider remembers them instead of retrying (repeated failures lock accounts in Keycloak).
_FINAL_CODES = frozenset(
    {"invalid_grant", "invalid_client", "unauthorized_client", "invalid_request"}
)

GrantKind = Literal["password", "refresh_token"]

_PROVIDERS: weakref.WeakSet[TokenProvider] = weakref.WeakSet()


class TokenProvider:
    """Bearer tokens for one CDSE account, safe to share between threads and event loops.

    ``get_token()`` (sync) and ``await get_token_async()`` return a valid access token, making a
    request only when needed: a password grant the first time, refresh grants ahead of expiry
    (``Settings.refresh_margin``, or a quarter of a short lifetime), a password grant again once
    the refresh token has run out or CDSE refuses it. After a service answered 401, call
    :meth:`invalidate` with the rejected token: the next call refreshes.

    Concurrency: all token HTTP runs on one private event loop in a daemon thread (as fsspec's
    ``sync``), and the state sits behind a ``threading.Lock``. The first caller that finds the
    token due starts the request there; every other caller -- threads blocking on the
    ``concurrent.futures.Future``, tasks on any event loop awaiting it through
    ``asyncio.wrap_future`` (shielded, so a cancelled caller does not cancel the others) -- waits
    for that same request. So any number of concurrent callers cause one token request.

    Errors: refused credentials raise :class:`AuthenticationError` (status, Keycloak code such as
    ``invalid_grant`` and its description) once, and the same error again on later calls without
    a new request; network failures and 5xx raise :class:`ServiceError`, 429
    :class:`RateLimited`, and a later call tries again. There is no retry loop here: callers'
    retry policies apply.

    Secrets: tokens and the password never appear in a repr, log line or error. A pickle holds
    the username, endpoints and settings only: the unpickled provider looks the password up in
    its own process's environment or ``.netrc`` at first use and logs in there (its own session).
    Tokens are never written to disk.
    """

    def __init__(
        self,
        credentials: CredentialsLike | None = None,
        endpoints: Endpoints | None = None,
        settings: Settings | None = None,
    ) -> None:
        self._setup(endpoints, settings)
        if isinstance(credentials, ClientCredentials):  # a service client: client_credentials
            self._credentials: Credentials | ClientCredentials | None = credentials
        else:
            self._credentials = Credentials.resolve(
                credentials, identity_url=self.endpoints.identity
            )
        self._client = isinstance(self._credentials, ClientCredentials)
        self._username = self._credentials.username

    def _setup(self, endpoints: Endpoints | None, settings: Settings | None) -> None:
        self.endpoints = Endpoints.coerce(endpoints)
        self.settings = Settings.coerce(settings)
        self._credentials = None
        self._client = False
        self._username = ""
        self._lock = threading.Lock()
        self._grant: keycloak.Grant | None = None
        self._stale = False
        self._flight: concurrent.futures.Future[str] | None = None
        self._failure: AuthenticationError | None = None
        self._code_used = False
        _PROVIDERS.add(self)

    # -- public ----------------------------------------------------------------------------------
    @property
    def username(self) -> str:
        return self._username

    @property
    def token_url(self) -> str:
        return self.endpoints.token_url

    @property
    def pending_grant(self) -> GrantKind | None:
        """What the next call would request: None (the token is fresh), a refresh or a login."""
        with self._lock:
            return self._due(time.monotonic())

    @property
    def expires_in(self) -> float | None:
        """Seconds until the current access token expires (negative: expired); None: no token."""
        grant = self._grant
        if grant is None:
            return None
        return grant.obtained + grant.expires_in - time.monotonic()

    def get_token(self) -> str:
        """A valid access token (blocking)."""
        pending = self._token_or_flight()
        if isinstance(pending, str):
            return pending
        if in_io_thread():
            raise RuntimeError("get_token() cannot block the token thread; use get_token_async()")
        try:
            return pending.result(timeout=self._wait_limit())
        except concurrent.futures.TimeoutError:
            raise ServiceError(
                f"no token from {self.token_url} within {self._wait_limit():g} s",
                url=self.token_url,
            ) from None

    async def get_token_async(self) -> str:
        """A valid access token, from any event loop."""
        pending = self._token_or_flight()
        if isinstance(pending, str):
            return pending
        return await asyncio.shield(asyncio.wrap_future(pending))

    def headers(self) -> dict[str, str]:
        """``{"Authorization": "Bearer <token>"}`` (blocking)."""
        return {"Authorization": f"Bearer {self.get_token()}"}

    async def headers_async(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.get_token_async()}"}

    def invalidate(self, token: str | None = None) -> None:
        """Forget the access token after a service rejected it (401): the next call refreshes.

        With ``token``, only if it is still the current one, so that many requests failing with
        the same old token cause one refresh, not one each.
        """
        with self._lock:
            grant = self._grant
            if grant is not None and (token is None or token == grant.access_token):
                self._stale = True

    def logout(self) -> None:
        """End the CDSE session (frees one of the account's 100); the next call logs in again."""
        if in_io_thread():
            raise RuntimeError("logout() cannot block the token thread; use logout_async()")
        asyncio.run_coroutine_threadsafe(self._logout(), io_loop()).result(self._wait_limit())

    async def logout_async(self) -> None:
        future = asyncio.run_coroutine_threadsafe(self._logout(), io_loop())
        await asyncio.shield(asyncio.wrap_future(future))

    def __enter__(self) -> TokenProvider:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.logout()
        except CDSEError as err:  # the session then simply ends after its 60 minutes
            log.warning("could not end the CDSE session of %r: %s", self._username, err)

    def __repr__(self) -> str:
        left = self.expires_in
        state = (
            "no token yet"
            if left is None
            else f"token valid {left:.0f} s"
            if left > 0
            else "token expired"
        )
        return (
            f"TokenProvider(username={self._username!r}, identity={self.endpoints.identity!r}, "
            f"{state})"
        )

    @property
    def is_client(self) -> bool:
        """Whether this is a service client's (client credentials; no downloads on CDSE)."""
        return self._client

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (self._username, self.endpoints, self.settings, self._client))

    def __copy__(self) -> TokenProvider:
        return self  # one provider per account and process: copies share the session

    def __deepcopy__(self, memo: dict[int, Any]) -> TokenProvider:
        return self

    # -- state -----------------------------------------------------------------------------------
    def _margin(self, lifetime: float) -> float:
        return min(self.settings.refresh_margin, lifetime * SHORT_LIFETIME_FRACTION)

    def _due(self, now: float) -> GrantKind | None:
        grant = self._grant
        if grant is None:
            return "password"
        if not self._stale and now < grant.obtained + grant.expires_in - self._margin(
            grant.expires_in
        ):
            return None
        if grant.refresh_token is None:
            return "password"
        if grant.refresh_expires_in is None:
            return "refresh_token"
        end = grant.obtained + grant.refresh_expires_in - self._margin(grant.refresh_expires_in)
        return "refresh_token" if now < end else "password"

    def _token_or_flight(self) -> str | concurrent.futures.Future[str]:
        """The fresh token, or the future of the one token request in flight (started if none)."""
        with self._lock:
            kind = self._due(time.monotonic())
            if kind is None:
                assert self._grant is not None
                return self._grant.access_token
            if self._flight is not None:
                return self._flight
            if self._failure is not None:
                raise copy.copy(self._failure)
            credentials = self._resolved_credentials()
            # the Grant, not its refresh token: locals shown in tracebacks must hold no bare secret
            previous = self._grant if kind == "refresh_token" else None
            self._flight = asyncio.run_coroutine_threadsafe(
                self._obtain(credentials, previous), io_loop()
            )
            return self._flight

    def _resolved_credentials(self) -> Credentials | ClientCredentials:
        if self._credentials is None and self._client:  # unpickled: the secret looked up here
            self._credentials = ClientCredentials.resolve(
                self._username, identity_url=self.endpoints.identity
            )
        if self._credentials is None:  # an unpickled provider: look the password up here
            self._credentials = Credentials.resolve(
                username=self._username, identity_url=self.endpoints.identity
            )
        return self._credentials

    def _wait_limit(self) -> float:
        # two requests at most (a refused refresh, then a login), each bounded by the timeout
        return 2 * self.settings.timeout + 5

    # -- requests (on the private loop) ----------------------------------------------------------
    async def _obtain(
        self, credentials: Credentials | ClientCredentials, previous: keycloak.Grant | None
    ) -> str:
        try:
            grant = await self._exchange(credentials, previous)
        except BaseException as err:
            with self._lock:
                self._flight = None
                if isinstance(err, AuthenticationError) and err.code in _FINAL_CODES:
                    self._failure = err
            raise
        with self._lock:
            self._grant = grant
            self._stale = False
            self._flight = None
        return grant.access_token

    async def _exchange(
        self, credentials: Credentials | ClientCredentials, previous: keycloak.Grant | None
    ) -> keycloak.Grant:
        url, timeout = self.token_url, self.settings.timeout
        if isinstance(credentials, ClientCredentials):
            # No refresh token for client credentials (Keycloak's default): a new grant each time.
            log.debug("CDSE token for OAuth client %r (client credentials)", credentials.client_id)
            try:
                return await keycloak.request_grant(url, client_form(credentials), timeout)
            except keycloak.Rejected as rejected:
                raise refused(
                    rejected.status,
                    rejected.error,
                    rejected.description,
                    credentials.source,
                    credentials.client_id,
                    url,
                ) from None
        if previous is not None and previous.refresh_token is not None:
            log.debug("refreshing the CDSE token of %r", credentials.username)
            try:
                return await keycloak.request_grant(
                    url, keycloak.refresh_form(previous.refresh_token), timeout
                )
            except keycloak.Rejected as rejected:
                if rejected.error != "invalid_grant":
                    raise self._refused(rejected, credentials) from None
                # Expired, or the session ended (logout, session cap, restart): log in again.
                log.info(
                    "CDSE no longer accepts the refresh token of %r (%s); logging in again",
                    credentials.username,
                    rejected.description,
                )
        log.debug("logging in to CDSE as %r (password grant)", credentials.username)
        form = keycloak.password_form(
            credentials.username, credentials.password, self._totp_code(credentials)
        )
        try:
            return await keycloak.request_grant(url, form, timeout)
        except keycloak.Rejected as rejected:
            raise self._refused(rejected, credentials) from None

    def _totp_code(self, credentials: Credentials) -> str | None:
        if credentials.totp_secret is not None:
            return current_code(credentials.totp_secret)
        if credentials.totp is None:
            return None
        if self._code_used:
            raise AuthenticationError(
                f"CDSE needs a new login for {credentials.username!r} and the one-time TOTP "
                "code was used by the previous one. Give totp_secret= (or CDSE_TOTP_SECRET) so "
                "codes are made as needed, or a new TokenProvider with a fresh code",
                url=self.token_url,
            )
        self._code_used = True
        return credentials.totp

    def _refused(
        self, rejected: keycloak.Rejected, credentials: Credentials
    ) -> AuthenticationError:
        return keycloak.rejection_error(
            rejected,
            username=credentials.username,
            source=credentials.source,
            two_factor=credentials.two_factor,
            url=self.token_url,
        )

    async def _logout(self) -> None:
        with self._lock:
            grant, self._grant = self._grant, None
        if grant is None or grant.refresh_token is None:
            return
        status, body, headers = await keycloak.post_form(
            f"{self.endpoints.identity}/protocol/openid-connect/logout",
            keycloak.logout_form(grant.refresh_token),
            self.settings.timeout,
        )
        if status >= 500 or status == 429:
            raise keycloak.answer_error(status, body, headers, self.endpoints.identity)
        # 204, or 400 for a session that had already ended: either way it is over.


def _restore(
    username: str, endpoints: Endpoints, settings: Settings, client: bool = False
) -> TokenProvider:
    """Unpickle: same account and endpoints, no secrets; the password is looked up at first use."""
    provider = TokenProvider.__new__(TokenProvider)
    provider._setup(endpoints, settings)
    provider._username = username
    provider._client = client
    return provider


def _after_fork_in_child() -> None:
    for provider in list(_PROVIDERS):
        provider._lock = threading.Lock()
        provider._flight = None  # it belonged to the parent's token thread


os.register_at_fork(after_in_child=_after_fork_in_child)
