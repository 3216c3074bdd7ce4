"""Opaque CLMS access tokens, as the ``@@oauth2-token`` endpoint issues them.

Real (ftw.tokenauth ``pas/plugin.py``): the token is 64 random bytes, urlsafe-base64 encoded,
stored with its issue time, lifetime (default 3600 s: ``expires_in``) and key; an unknown or
revoked token authenticates nobody (the request goes on anonymously: protected endpoints then
answer 401); an expired one answers 401 ``{"error": "invalid_token", "error_description":
"Access token expired"}`` on any request, the body locked by the plugin. Revoking a key
removes its tokens.
"""

from __future__ import annotations

import base64
import os
import threading
from dataclasses import dataclass

from .clock import Clock

__all__ = ["AccessToken", "AccessTokens", "TokenExpired"]


class TokenExpired(Exception):
    """The bearer token was valid once and has expired."""


@dataclass
class AccessToken:
    token: str
    key_id: str
    user_id: str
    issued: float
    lifetime: float

    def expired(self, now: float) -> bool:
        return self.issued + self.lifetime < now


class AccessTokens:
    """Issued access tokens; ``lifetime`` (seconds) applies to tokens issued from then on."""

    def __init__(self, clock: Clock, lifetime: float = 3600.0) -> None:
        self.lifetime = lifetime
        self._clock = clock
        self._tokens: dict[str, AccessToken] = {}
        self._lock = threading.Lock()

    def issue(self, key_id: str, user_id: str) -> AccessToken:
        token = base64.urlsafe_b64encode(os.urandom(64)).decode()
        record = AccessToken(token, key_id, user_id, self._clock.now(), self.lifetime)
        with self._lock:
            self._tokens[token] = record
        return record

    def user(self, token: str | None) -> str | None:
        """The user a bearer token authenticates (None: unknown or no token).

        Raises :class:`TokenExpired` for an expired token."""
        if not token:
            return None
        with self._lock:
            record = self._tokens.get(token)
        if record is None:
            return None
        if record.expired(self._clock.now()):
            raise TokenExpired(token)
        return record.user_id

    def expire_all(self) -> None:
        """Every token issued so far is expired from now on."""
        now = self._clock.now()
        with self._lock:
            for record in self._tokens.values():
                record.lifetime = min(record.lifetime, now - record.issued - 1e-3)

    def drop_key(self, key_id: str) -> None:
        """Forget the tokens of a revoked key (they authenticate nobody any more)."""
        with self._lock:
            self._tokens = {t: r for t, r in self._tokens.items() if r.key_id != key_id}
