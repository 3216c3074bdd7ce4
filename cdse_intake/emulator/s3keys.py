"""The emulated S3 keys manager (``s3-keys-manager.cloudferro.com``, cdse-api.md §6).

Mounted at ``/s3-keys-manager`` on the main host; the real service's root is its own host.

- ``POST /api/user/credentials`` with ``Authorization: Bearer <CDSE token>`` → 200
  ``{"access_id", "secret", "expiration_date"}`` (CDSE's documentation checks for 200 and reads
  ``access_id``/``secret``; ``expiration_date`` is what peer clients' fakes return
  [unverified]).
- ``GET /api/user/credentials`` → the user's live keys without secrets [unverified shape].
- ``DELETE /api/user/credentials/access_id/<id>`` → 204 (documented); another user's or an
  unknown key → 404 [unverified].
- No valid token → 401 ``{"detail": "Not authenticated"}`` [unverified: the ``detail`` bodies
  are FastAPI's, as the real 403 below]; a token of an OAuth service client is not a user's
  → 401 too [unverified].
- More than :data:`KEY_LIMIT` live keys → 403 ``{"detail": "Max number of credentials
  reached"}`` (the message phidown checks for; the number is [unverified]).

Keys become usable by the S3 service :attr:`KeyStore.activation_lag` seconds after they are made
(CDSE's documentation waits ~5 s "to ensure the key pair is installed"; 0 by default here).
"""

from __future__ import annotations

import secrets
import string
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from .http import USER, bearer_token, json_response
from .tokens import TokenError

__all__ = ["KEY_LIMIT", "KeyStore", "routes"]

#: Live temporary keys per user before the manager refuses more [unverified number].
KEY_LIMIT = 10
#: Validity reported for a new key [unverified].
LIFETIME = timedelta(hours=8)


@dataclass
class _Key:
    access_id: str
    secret: str
    user: str
    active_from: float
    expires: datetime


class KeyStore:
    """Temporary keys of every user; the S3 service asks :meth:`secret_for`."""

    def __init__(self, activation_lag: float = 0.0, limit: int = KEY_LIMIT) -> None:
        self.activation_lag = activation_lag
        self.limit = limit
        self._keys: dict[str, _Key] = {}
        self._lock = threading.Lock()

    def create(self, user: str) -> _Key | None:
        """A new key for ``user``; None past the limit."""
        alphabet = string.ascii_uppercase + string.digits
        with self._lock:
            if sum(k.user == user for k in self._keys.values()) >= self.limit:
                return None
            key = _Key(
                access_id="".join(secrets.choice(alphabet) for _ in range(32)),
                secret=secrets.token_hex(16),
                user=user,
                active_from=time.monotonic() + self.activation_lag,
                expires=datetime.now(UTC).replace(microsecond=0) + LIFETIME,
            )
            self._keys[key.access_id] = key
            return key

    def delete(self, user: str, access_id: str) -> bool:
        with self._lock:
            key = self._keys.get(access_id)
            if key is None or key.user != user:
                return False
            del self._keys[access_id]
            return True

    def of(self, user: str | None = None) -> list[str]:
        """Access ids of the live keys (of ``user``, or everyone's)."""
        with self._lock:
            return [k.access_id for k in self._keys.values() if user in (None, k.user)]

    def listing(self, user: str) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {"access_id": k.access_id, "expiration_date": _iso(k.expires)}
                for k in self._keys.values()
                if k.user == user
            ]

    def secret_for(self, access_id: str) -> str | None:
        """The secret of an installed key (None: unknown, deleted or not yet active)."""
        key = self._keys.get(access_id)
        if key is None or time.monotonic() < key.active_from:
            return None
        return key.secret


def routes(ctx: Any) -> list[web.RouteDef]:
    """Routes relative to the keys manager's root."""
    if ctx.state.temporary_keys is None:
        ctx.state.temporary_keys = KeyStore()
    manager = _Manager(ctx)
    return [
        web.post("/api/user/credentials", manager.create),
        web.route("GET", "/api/user/credentials", manager.listing),
        web.delete("/api/user/credentials/access_id/{access_id}", manager.delete),
    ]


class _Manager:
    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx

    @property
    def store(self) -> KeyStore:
        return self.ctx.state.temporary_keys

    def _user(self, request: web.Request) -> str:
        try:
            claims = self.ctx.tokens.verify_access(bearer_token(request))
        except TokenError:
            raise _problem(401, "Not authenticated") from None
        user = request[USER] = claims["preferred_username"]
        return user

    async def create(self, request: web.Request) -> web.Response:
        try:
            user = self._user(request)
        except _Problem as problem:
            return problem.response(request)
        key = self.store.create(user)
        if key is None:
            return _problem(403, "Max number of credentials reached").response(request)
        body = {
            "access_id": key.access_id,
            "secret": key.secret,
            "expiration_date": _iso(key.expires),
        }
        return json_response(request, body, catalogue_headers=False)

    async def listing(self, request: web.Request) -> web.Response:
        try:
            user = self._user(request)
        except _Problem as problem:
            return problem.response(request)
        return json_response(request, self.store.listing(user), catalogue_headers=False)

    async def delete(self, request: web.Request) -> web.Response:
        try:
            user = self._user(request)
        except _Problem as problem:
            return problem.response(request)
        if not self.store.delete(user, request.match_info["access_id"]):
            return _problem(404, "Credentials not found").response(request)
        return web.Response(status=204)


class _Problem(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail

    def response(self, request: web.Request) -> web.Response:
        return json_response(
            request, {"detail": self.detail}, status=self.status, catalogue_headers=False
        )


def _problem(status: int, detail: str) -> _Problem:
    return _Problem(status, detail)


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")
