"""Secrets of ``cdse://`` filesystems: shared logins, safe instance caching, plain options.

- One :class:`~cdse_intake.auth.TokenProvider` per account and process (:func:`token_provider`):
  every filesystem of the account shares its login, so opening many files never logs in again
  (each login is one of the account's 100 sessions, cdse-api.md §2.4).
- A filesystem's ``storage_options`` (what ``to_json``, pickles and dask carry) name the account
  by its username and the S3 keys by their access key, nothing more. Rebuilt in this process
  (zarr rebuilds filesystems from JSON) they find the secrets given earlier, which this module
  remembers; in another process they come from its environment or ``.netrc``.
- fsspec caches instances by the repr of their arguments, which hides secrets;
  :class:`InstanceCache` adds a fingerprint of them (a keyed hash, its key never leaves the
  process), so the same user with another password gets another instance, and it resolves the
  endpoints up front, so differently configured services never share one.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from typing import Any

from fsspec.asyn import AsyncFileSystem

from ..auth import Credentials, S3Keys
from ..auth.client_credentials import ClientCredentials
from ..auth.shared import fingerprint, remember, secret_of, shared_provider
from ..config import Endpoints, Settings
from ..errors import AuthenticationError, ConfigurationError

__all__ = [
    "FINGERPRINT",
    "InstanceCache",
    "public_options",
    "s3_keys",
    "token_provider",
]

#: The keyword the fingerprint travels under into fsspec's cache token (never stored).
FINGERPRINT = "_secrets"

_lock = threading.Lock()
_keys: dict[str, S3Keys] = {}
_clients: dict[str, ClientCredentials] = {}


# -- arguments in every accepted form -----------------------------------------------------------
def coerce_credentials(value: Any) -> Credentials | ClientCredentials | str | None:
    """``credentials=``: Credentials / (username, password) / mapping -> Credentials; a
    username alone stays a string (its password is looked up when first needed); an OAuth
    client stays, and ``{"client_id": ...}`` (its public form) finds its secret again."""
    if value is None or isinstance(value, str | ClientCredentials):
        return value
    if isinstance(value, Mapping) and set(value) == {"client_id"}:
        with _lock:
            known = _clients.get(value["client_id"])
        return known or ClientCredentials.resolve(value["client_id"])
    return Credentials.resolve(value)


def coerce_s3_keys(value: Any) -> S3Keys | str | None:
    """``s3_keys=``: S3Keys / (access, secret) / mapping -> S3Keys; an access key alone stays."""
    if value is None or isinstance(value, (S3Keys, str)):
        return value
    if isinstance(value, tuple) and len(value) == 2:
        return S3Keys.resolve(*value)
    if isinstance(value, Mapping) and set(value) == {"access_key", "secret_key"}:
        return S3Keys.resolve(value["access_key"], value["secret_key"])
    raise ConfigurationError(
        "s3_keys must be S3Keys, an (access_key, secret_key) tuple, a mapping with exactly "
        f"'access_key' and 'secret_key', or an access key; got {type(value).__name__}"
    )


def public_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Storage options without secrets, as plain JSON values (what to_json and pickles carry)."""
    # None means "the default" anyway, and fsspec's JSON encoder (zarr's FsspecStore.from_mapper
    # goes through to_json) cannot serialise it
    out = {k: v for k, v in options.items() if k != FINGERPRINT and v is not None}
    if isinstance(out.get("endpoints"), Endpoints):
        out["endpoints"] = dataclasses.asdict(out["endpoints"])
    if isinstance(out.get("settings"), Settings):
        settings = dataclasses.asdict(out["settings"])
        out["settings"] = {**settings, "cache_dir": str(settings["cache_dir"])}
    credentials = coerce_credentials(out.get("credentials"))
    if isinstance(credentials, Credentials):
        out["credentials"] = credentials.username
    elif isinstance(credentials, ClientCredentials):
        out["credentials"] = {"client_id": credentials.client_id}
    keys = coerce_s3_keys(out.get("s3_keys"))
    if isinstance(keys, S3Keys):
        out["s3_keys"] = keys.access_key
    return out


class InstanceCache(type(AsyncFileSystem)):  # type: ignore[misc]
    """fsspec's instance cache, keyed also by the secrets that reprs hide."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        endpoints = Endpoints.coerce(kwargs.get("endpoints"))
        kwargs["endpoints"] = endpoints
        credentials = coerce_credentials(kwargs.get("credentials"))
        keys = coerce_s3_keys(kwargs.get("s3_keys"))
        hidden: list[str | None] = []
        if isinstance(credentials, Credentials):
            kwargs["credentials"] = credentials
            remember(credentials, endpoints.identity)
            hidden.append(secret_of(credentials))
        elif isinstance(credentials, ClientCredentials):
            kwargs["credentials"] = credentials
            with _lock:
                _clients[credentials.client_id] = credentials
            hidden.append(secret_of(credentials))
        if isinstance(keys, S3Keys):
            kwargs["s3_keys"] = keys
            with _lock:
                _keys[keys.access_key] = keys
            hidden.append(keys.secret_key)
        if hidden:
            kwargs[FINGERPRINT] = fingerprint(*hidden)
        return super().__call__(*args, **kwargs)


# -- what requests use --------------------------------------------------------------------------
token_provider = shared_provider  # one login per account and process (cdse_intake.auth.shared)


async def s3_keys_or_temporary(keys: S3Keys | str | None, credentials: Any, fs: Any) -> S3Keys:
    """:func:`s3_keys`; when none are configured but a CDSE login is, the process's temporary
    keys made with its token (:mod:`cdse_intake.auth.temporary_keys`)."""
    from ..auth.temporary_keys import process_s3_keys_async
    from ..errors import CredentialsMissing

    try:
        return s3_keys(keys)
    except CredentialsMissing as missing:
        if keys is not None:
            raise
        try:
            tokens = token_provider(credentials, fs.endpoints, fs.settings)
        except AuthenticationError:
            raise missing from None
        return await process_s3_keys_async(tokens)


def s3_keys(keys: S3Keys | str | None) -> S3Keys:
    """The S3 keys to use: given, remembered for this access key, or the environment's."""
    if isinstance(keys, S3Keys):
        return keys
    if keys is None:
        return S3Keys.resolve()
    with _lock:
        known = _keys.get(keys)
    if known is not None:
        return known
    found = S3Keys.resolve()
    if found.access_key != keys:
        raise AuthenticationError(
            f"the S3 secret of access key {keys[:4]}… is not known in this process (secrets are "
            "never pickled) and CDSE_S3_ACCESS_KEY holds another key; set CDSE_S3_ACCESS_KEY and "
            "CDSE_S3_SECRET_KEY for it"
        )
    return found
