"""Keycloak-style tokens for the emulator: RS256 access tokens, HS256 refresh tokens.

The claims follow real CDSE access tokens (``reference/cdse-api.md`` §3): audience
``CLOUDFERRO_PUBLIC``, ``azp: cdse-public``, realm roles, group membership. Lifetimes are set per
emulator (600 s / 3600 s like CDSE by default, seconds in tests).
"""

from __future__ import annotations

import base64
import math
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["TokenError", "TokenService"]


class TokenError(Exception):
    """A token is missing, malformed, expired or revoked; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "missing" | "invalid" | "expired" | "revoked" | "audience"


@dataclass
class Session:
    """One Keycloak session (a password grant); refreshes keep it alive."""

    id: str
    username: str
    started: float
    refresh_expires: float
    refresh_jti: str


@dataclass
class TokenService:
    """Issues and verifies tokens for one emulator instance."""

    issuer: str
    access_lifetime: float = 600.0
    refresh_lifetime: float = 3600.0
    kid: str = field(default_factory=lambda: secrets.token_hex(8))

    def __post_init__(self) -> None:
        # 2048 bits as Keycloak; generated once per process would be faster but a fresh key per
        # emulator keeps two emulators from accepting each other's tokens.
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._hmac = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self.sessions: dict[str, Session] = {}
        self._revoked_before = 0.0

    # -- issuing -------------------------------------------------------------------------------
    def new_session(self, username: str) -> Session:
        now = time.time()
        session = Session(
            id=str(uuid.uuid4()),
            username=username,
            started=now,
            refresh_expires=now + self.refresh_lifetime,
            refresh_jti="",
        )
        with self._lock:
            self.sessions[session.id] = session
        return session

    def access_token(self, session: Session) -> str:
        now = int(time.time())
        user = session.username
        claims: dict[str, Any] = {
            "exp": now + int(self.access_lifetime),
            "iat": now,
            "jti": str(uuid.uuid4()),
            "iss": self.issuer,
            "aud": ["CLOUDFERRO_PUBLIC", "account"],
            "sub": str(uuid.uuid5(uuid.NAMESPACE_DNS, user)),
            "typ": "Bearer",
            "azp": "cdse-public",
            "session_state": session.id,
            "allowed-origins": ["https://dataspace.copernicus.eu"],
            "realm_access": {
                "roles": [
                    "offline_access",
                    "uma_authorization",
                    "default-roles-cdas",
                    "copernicus-general",
                ]
            },
            "resource_access": {
                "account": {"roles": ["manage-account", "manage-account-links", "view-profile"]}
            },
            "scope": "AUDIENCE_PUBLIC openid email profile ondemand_processing user-context",
            "sid": session.id,
            "group_membership": [
                "/access_groups/user_typology/copernicus_general",
                f"/organizations/default-{uuid.uuid5(uuid.NAMESPACE_URL, user)}/regular_user",
            ],
            "email_verified": True,
            "organizations": [f"default-{uuid.uuid5(uuid.NAMESPACE_URL, user)}"],
            "name": "Emulator User",
            "user_context_id": str(uuid.uuid5(uuid.NAMESPACE_OID, user)),
            "context_roles": {},
            "context_groups": {},
            "preferred_username": user,
            "given_name": "Emulator",
            "family_name": "User",
            "user_context": f"default-{uuid.uuid5(uuid.NAMESPACE_URL, user)}",
            "email": user,
        }
        # Lifetimes may be fractional in tests and JWT times are whole seconds: keep the exact
        # issue and expiry times in private claims (expire_all compares against emu_iat).
        issued = time.time()
        claims["emu_iat"] = issued
        claims["emu_exp"] = issued + self.access_lifetime
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def client_token(self, client_id: str) -> str:
        """An access token of an OAuth service client (client_credentials grant).

        Its audience is not ``CLOUDFERRO_PUBLIC`` (that of ``cdse-public`` logins), so the
        download service refuses it with DAT-ZIP-609 as CDSE does for ``sh-`` clients; the
        exact claims of real ``sh-`` tokens are [unverified]. No session: nothing to refresh.
        """
        now = int(time.time())
        issued = time.time()
        claims: dict[str, Any] = {
            "exp": now + int(self.access_lifetime),
            "iat": now,
            "jti": str(uuid.uuid4()),
            "iss": self.issuer,
            "aud": ["account"],
            "sub": str(uuid.uuid5(uuid.NAMESPACE_DNS, client_id)),
            "typ": "Bearer",
            "azp": client_id,
            "scope": "email profile",
            "clientId": client_id,
            "preferred_username": f"service-account-{client_id}",
            "emu_iat": issued,
            "emu_exp": issued + self.access_lifetime,
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def refresh_token(self, session: Session) -> str:
        jti = str(uuid.uuid4())
        with self._lock:
            session.refresh_jti = jti
        now = int(time.time())
        claims = {
            # Rounded up: the session's own expiry (checked in use_refresh) is the exact one.
            "exp": math.ceil(session.refresh_expires),
            "iat": now,
            "jti": jti,
            "iss": self.issuer,
            "aud": self.issuer,
            "sub": str(uuid.uuid5(uuid.NAMESPACE_DNS, session.username)),
            "typ": "Refresh",
            "azp": "cdse-public",
            "session_state": session.id,
            "scope": "AUDIENCE_PUBLIC openid email profile ondemand_processing user-context",
            "sid": session.id,
        }
        return jwt.encode(claims, self._hmac, algorithm="HS256")

    # -- verifying -----------------------------------------------------------------------------
    def verify_access(self, token: str | None) -> dict[str, Any]:
        """Claims of a valid access token, else :class:`TokenError`."""
        if not token:
            raise TokenError("missing")
        try:
            claims = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=["RS256"],
                audience="CLOUDFERRO_PUBLIC",
                options={"verify_exp": False},
            )
        except jwt.InvalidAudienceError as err:
            raise TokenError("audience") from err  # a service client's token
        except jwt.PyJWTError as err:
            raise TokenError("invalid") from err
        if claims.get("emu_exp", 0) <= time.time():
            raise TokenError("expired")
        if claims.get("emu_iat", claims["iat"]) < self._revoked_before:
            raise TokenError("expired")
        if claims["session_state"] not in self.sessions:
            raise TokenError("revoked")
        return claims

    def use_refresh(self, token: str) -> Session:
        """The session a refresh token belongs to; rotates nothing (Keycloak's default)."""
        try:
            claims = jwt.decode(
                token, self._hmac, algorithms=["HS256"], options={"verify_aud": False}
            )
        except jwt.ExpiredSignatureError as err:
            raise TokenError("expired") from err
        except jwt.PyJWTError as err:
            raise TokenError("invalid") from err
        session = self.sessions.get(claims.get("session_state", ""))
        if session is None:
            raise TokenError("revoked")
        if session.refresh_expires <= time.time():
            raise TokenError("expired")
        return session

    def expire_all(self) -> None:
        """Make every access token issued so far expired (fault injection: token expiry)."""
        self._revoked_before = time.time()

    def end_session(self, session_id: str) -> None:
        with self._lock:
            self.sessions.pop(session_id, None)

    # -- publishing ----------------------------------------------------------------------------
    def jwks(self) -> dict[str, Any]:
        numbers = self._key.public_key().public_numbers()

        def b64(value: int) -> str:
            raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        return {
            "keys": [
                {
                    "kid": self.kid,
                    "kty": "RSA",
                    "alg": "RS256",
                    "use": "sig",
                    "n": b64(numbers.n),
                    "e": b64(numbers.e),
                }
            ]
        }
