"""CLMS service keys: the RSA key pairs users issue in their profile ("API tokens").

Real (ftw.tokenauth ``key_generation.py``, which the CLMS portal runs; CLMS API docs,
"Authentication"): a 2048-bit RSA key pair per key; ``client_id`` is 16 random bytes in hex,
``key_id`` the SHA-1 of the public key's PEM (SubjectPublicKeyInfo); the private key is shown once
as PEM "BEGIN RSA PRIVATE KEY" (TraditionalOpenSSL); the JSON the user saves has the keys
``client_id, ip_range, issued, key_id, private_key, title, token_uri, user_id`` (in that order,
as the sanitized sample). Revoking a key deletes it, and with it its access tokens.
Assumed: ``issued`` in naive UTC (the portal writes its local time) [unverified].
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from .clock import Clock

__all__ = ["KeyStore", "ServiceKey", "new_private_key"]


def new_private_key() -> Any:
    """A 2048-bit RSA private key (about 60 ms), as the portal generates for every key."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class ServiceKey:
    """One issued key: what the server keeps (the public key) and the JSON shown to the user."""

    client_id: str
    key_id: str
    user_id: str
    title: str
    token_uri: str
    issued: str
    public_pem: bytes
    private_pem: str

    def as_json(self) -> dict[str, Any]:
        """The service key JSON the portal shows once (the user's file)."""
        return {
            "client_id": self.client_id,
            "ip_range": None,
            "issued": self.issued,
            "key_id": self.key_id,
            "private_key": self.private_pem,
            "title": self.title,
            "token_uri": self.token_uri,
            "user_id": self.user_id,
        }


class KeyStore:
    """The service keys of every user, by ``client_id``."""

    def __init__(self, token_uri: str, clock: Clock) -> None:
        self.token_uri = token_uri
        self._clock = clock
        self._keys: dict[str, ServiceKey] = {}
        self._lock = threading.Lock()

    def issue(self, user_id: str, title: str = "Token Name 1", private: Any = None) -> ServiceKey:
        """A new key pair for ``user_id`` (``private``: an RSA key made beforehand)."""
        from cryptography.hazmat.primitives import serialization

        private = private or new_private_key()
        private_pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode()
        public_pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        key = ServiceKey(
            client_id=secrets.token_hex(16),
            key_id=hashlib.sha1(public_pem).hexdigest(),  # noqa: S324 - an id, as the portal's
            user_id=user_id,
            title=title,
            token_uri=self.token_uri,
            issued=Clock.iso(self._clock.now()),
            public_pem=public_pem,
            private_pem=private_pem,
        )
        with self._lock:
            self._keys[key.client_id] = key
        return key

    def get(self, client_id: str) -> ServiceKey | None:
        with self._lock:
            return self._keys.get(client_id)

    def by_key_id(self, key_id: str) -> ServiceKey | None:
        with self._lock:
            return next((k for k in self._keys.values() if k.key_id == key_id), None)

    def revoke(self, client_id: str) -> ServiceKey:
        """Delete the key (KeyError if unknown); its grants and tokens stop working."""
        with self._lock:
            return self._keys.pop(client_id)
