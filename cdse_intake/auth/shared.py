"""One TokenProvider per account and process, shared by everything that talks to CDSE.

Each login is one of the account's 100 sessions (cdse-api.md §2.4): the ``cdse://`` filesystems,
the downloader and every call of them in a process (a notebook, a dask worker) share one login
per account. Credentials given once for a username are remembered (in memory only) so that a
filesystem rebuilt from its secret-free options in this process finds them again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading

from ..config import Endpoints, Settings
from .credentials import Credentials
from .tokens import TokenProvider

__all__ = ["fingerprint", "remember", "secret_of", "shared_provider"]

_KEY = secrets.token_bytes(32)  # never leaves the process
_lock = threading.Lock()
_credentials: dict[tuple[str, str], Credentials] = {}
_providers: dict[tuple[str, str, str], TokenProvider] = {}


def fingerprint(*values: str | None) -> str:
    """A keyed hash of secrets: tells them apart without revealing them."""
    text = "\x00".join(v or "" for v in values).encode()
    return hmac.new(_KEY, text, hashlib.sha256).hexdigest()[:24]


def secret_of(credentials: Credentials) -> str:
    return fingerprint(credentials.password, credentials.totp_secret, credentials.totp)


def remember(credentials: Credentials, identity_url: str) -> None:
    """Keep ``credentials`` for later lookups of its username in this process."""
    with _lock:
        _credentials[(identity_url, credentials.username.casefold())] = credentials


def shared_provider(
    credentials: Credentials | str | None, endpoints: Endpoints, settings: Settings
) -> TokenProvider:
    """The process's provider for this account.

    A username alone uses the credentials given for it earlier in this process, else those of
    the environment or ``.netrc``; None uses the environment's or ``.netrc``'s account.
    """
    if isinstance(credentials, str):
        with _lock:
            known = _credentials.get((endpoints.identity, credentials.casefold()))
        credentials = known or Credentials.resolve(
            username=credentials, identity_url=endpoints.identity
        )
    elif credentials is None:
        credentials = Credentials.resolve(identity_url=endpoints.identity)
    key = (endpoints.identity, credentials.username.casefold(), secret_of(credentials))
    with _lock:
        provider = _providers.get(key)
        if provider is None:
            provider = _providers[key] = TokenProvider(credentials, endpoints, settings)
        return provider
