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
from collections.abc import Iterable, Mapping
from typing import Any

from ..config import Endpoints, Settings
from ..errors import CredentialsMissing
from .client_credentials import ClientCredentials
from .credentials import Credentials
from .tokens import TokenProvider

__all__ = [
    "fingerprint",
    "public_credentials",
    "remember",
    "secret_of",
    "shared_provider",
    "token_providers",
]

_KEY = secrets.token_bytes(32)  # never leaves the process
_lock = threading.Lock()
_credentials: dict[tuple[str, str], Credentials] = {}
_providers: dict[tuple[str, str, str], TokenProvider] = {}


def fingerprint(*values: str | None) -> str:
    """A keyed hash of secrets: tells them apart without revealing them."""
    text = "\x00".join(v or "" for v in values).encode()
    return hmac.new(_KEY, text, hashlib.sha256).hexdigest()[:24]


def secret_of(credentials: Credentials | ClientCredentials) -> str:
    if isinstance(credentials, ClientCredentials):
        return fingerprint("client", credentials.client_secret)
    return fingerprint(credentials.password, credentials.totp_secret, credentials.totp)


def remember(credentials: Credentials, identity_url: str) -> None:
    """Keep ``credentials`` for later lookups of its username in this process."""
    with _lock:
        _credentials[(identity_url, credentials.username.casefold())] = credentials


def shared_provider(
    credentials: Credentials | ClientCredentials | str | None,
    endpoints: Endpoints,
    settings: Settings,
) -> TokenProvider:
    """The process's provider for this account.

    A username alone uses the credentials given for it earlier in this process, else those of
    the environment or ``.netrc``; None uses the environment's or ``.netrc``'s account, else
    (none at all) the OAuth client of ``CDSE_CLIENT_ID``/``CDSE_CLIENT_SECRET``.
    """
    if isinstance(credentials, ClientCredentials):
        pass
    elif isinstance(credentials, str):
        with _lock:
            known = _credentials.get((endpoints.identity, credentials.casefold()))
        credentials = known or Credentials.resolve(
            username=credentials, identity_url=endpoints.identity
        )
    elif credentials is None:
        try:
            credentials = Credentials.resolve(identity_url=endpoints.identity)
        except CredentialsMissing as missing:
            try:  # a service client only: searches (and S3 keys) work, downloads do not
                credentials = ClientCredentials.resolve(identity_url=endpoints.identity)
            except CredentialsMissing:
                raise missing from None
    key = (endpoints.identity, credentials.username.casefold(), secret_of(credentials))
    with _lock:
        provider = _providers.get(key)
        if provider is None:
            provider = _providers[key] = TokenProvider(credentials, endpoints, settings)
        return provider


def public_credentials(credentials: Any, identity_url: str) -> Any:
    """``credentials`` in a form whose pickle holds no secret, for objects that travel to dask
    workers or other processes (:func:`cdse_intake.config.public_credentials`: each account by
    its username; TokenProviders and Credentials as they are, their pickles hold none).

    The accounts given here are remembered in this process first, so an object unpickled in
    this same process (an in-process dask worker) logs in with them; another process finds the
    password in its own environment or ``.netrc``.
    """
    from ..config import public_credentials as public

    several = isinstance(credentials, list | tuple) and not _is_pair(credentials)
    for item in credentials if several else [credentials]:
        if isinstance(item, Credentials | Mapping) or _is_pair(item):
            remember(Credentials.resolve(item), identity_url)
    return public(credentials)


def _is_pair(value: Any) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)


def token_providers(
    credentials: Any, endpoints: Endpoints, settings: Settings
) -> list[TokenProvider]:
    """One TokenProvider per account of ``credentials``: None (the environment's or
    ``.netrc``'s), a username, Credentials, ``(user, password)``, a mapping, a TokenProvider, or
    a list of these (AuthenticationError when none can be found)."""
    from .credentials import accounts

    if credentials is None or isinstance(credentials, str | ClientCredentials):
        # The process's login for this account: repeated runs (a notebook, a dask worker) reuse it.
        return [shared_provider(credentials, endpoints, settings)]
    if isinstance(credentials, TokenProvider):
        return [credentials]
    if isinstance(credentials, list | tuple) and any(
        isinstance(c, TokenProvider | str) for c in credentials
    ):
        if _is_pair(credentials):
            return [shared_provider(Credentials(*credentials), endpoints, settings)]  # a pair
        return [
            c
            if isinstance(c, TokenProvider)
            else shared_provider(c, endpoints, settings)
            if isinstance(c, str)
            else TokenProvider(c, endpoints, settings)
            for c in credentials
        ]
    items: Iterable[Any] = accounts(credentials, identity_url=endpoints.identity)
    return [shared_provider(c, endpoints, settings) for c in items]
