"""Temporary S3 keys made with the user's CDSE token (cdse-api.md §6).

CDSE's S3 keys manager (``Endpoints.keys_manager``: ``https://s3-keys-manager.cloudferro.com``)
makes keys of the ``eodata`` bucket for the bearer of a CDSE token: ``POST /api/user/credentials`` →
200 ``{"access_id", "secret", ...}``; ``DELETE /api/user/credentials/access_id/<id>`` → 204
(CDSE's documented download script). A new pair needs a few seconds before S3 accepts it (the
script sleeps 5 s "to ensure the key pair is installed"): users of these keys retry their first
request on ``InvalidAccessKeyId`` for :data:`ACTIVATION_WAIT` seconds instead of sleeping.
Accounts have a cap on live keys: past it the manager answers 403 ``{"detail": "Max number of
credentials reached"}`` (what phidown checks for; the number is not documented).

- :func:`temporary_s3_keys`: a context manager, the keys deleted at its end.
- :func:`process_s3_keys`: one pair per account for the whole process, deleted at exit; what
  ``download(via="s3")`` and ``cdse://`` over S3 use when no S3 keys are configured.

The secret never appears in a repr, log line or error (an answer's body is never quoted).
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import AuthenticationError, CDSEError, ServiceError
from ._loop import in_io_thread, io_loop
from .s3keys import S3Keys
from .tokens import TokenProvider

__all__ = [
    "ACTIVATION_WAIT",
    "TemporaryS3Keys",
    "create_s3_keys",
    "delete_s3_keys",
    "list_s3_keys",
    "process_s3_keys",
    "process_s3_keys_async",
    "temporary_s3_keys",
]

log = logging.getLogger(__name__)

#: Seconds after creation during which S3 refusing the key means "not installed yet".
ACTIVATION_WAIT = 10.0
_MAX_BODY = 1 << 16  # an answer is a few hundred bytes; a listing of keys a few kB
_PATH = "/api/user/credentials"


@dataclass(frozen=True, repr=False)
class TemporaryS3Keys(S3Keys):
    """S3 keys made by the keys manager; :meth:`fresh` while S3 may not know them yet."""

    created: float = field(default_factory=time.monotonic, compare=False)
    expiration: str | None = field(default=None, compare=False)

    def __repr__(self) -> str:
        return f"TemporaryS3Keys(access_key={self.access_key[:4] + '…'!r})"

    def fresh(self, now: float | None = None) -> bool:
        """Whether S3 may still be installing the key (a refusal is then worth a retry): made
        less than :data:`ACTIVATION_WAIT` seconds ago, and not deleted by this process."""
        if self.access_key in _deleted:
            return False
        return (now if now is not None else time.monotonic()) - self.created < ACTIVATION_WAIT


#: Access ids this process deleted: a refusal of them is final, not an installation delay.
_deleted: set[str] = set()


def _url(tokens: TokenProvider) -> str:
    return tokens.endpoints.keys_manager.rstrip("/") + _PATH


async def _request(tokens: TokenProvider, method: str, url: str) -> tuple[int, Any]:
    """One request with the account's token (refreshed once on 401); (status, parsed body)."""
    import json

    import aiohttp

    from .keycloak import _proxy_for

    timeout = tokens.settings.timeout
    client_timeout = aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=timeout)
    for attempt in range(2):
        token = await tokens.get_token_async()
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        try:
            async with (
                aiohttp.ClientSession(timeout=client_timeout, trust_env=False) as session,
                session.request(
                    method, url, headers=headers, allow_redirects=False, proxy=_proxy_for(url)
                ) as resp,
            ):
                raw = await resp.content.read(_MAX_BODY + 1)
                status = resp.status
        except (TimeoutError, aiohttp.ClientError, OSError) as err:
            reason = f"no answer within {timeout:g} s" if isinstance(err, TimeoutError) else err
            raise ServiceError(f"cannot reach the S3 keys manager at {url}: {reason}") from None
        if status == 401 and attempt == 0:
            tokens.invalidate(token)  # expired meanwhile? one new token, one more try
            continue
        if len(raw) > _MAX_BODY:
            raise ServiceError(f"the S3 keys manager's answer from {url} is too large")
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        return status, body
    raise AssertionError("unreachable")  # pragma: no cover


def _failure(status: int, body: Any, url: str, tokens: TokenProvider, what: str) -> CDSEError:
    detail = body.get("detail") if isinstance(body, dict) else None
    detail = detail if isinstance(detail, str) and len(detail) < 300 else f"HTTP {status}"
    kwargs: dict[str, Any] = {"status": status, "url": url}
    if status == 401:
        text = f"the S3 keys manager refused the CDSE token of {tokens.username!r} ({detail})"
        if tokens.is_client:
            text += "; it makes keys for CDSE accounts: log in with an account's e-mail/password"
        return AuthenticationError(text, **kwargs)
    if status == 403 and "max number of credentials" in detail.lower():
        return AuthenticationError(
            f"{tokens.username!r} has as many S3 keys as CDSE allows ({detail}): delete unused "
            "ones ('cdse-intake s3-keys list' / 'delete', or the keys manager's web page)",
            code="max_credentials",
            **kwargs,
        )
    if status in (401, 403):
        return AuthenticationError(f"the S3 keys manager refused to {what}: {detail}", **kwargs)
    return ServiceError(f"the S3 keys manager could not {what}: {detail}", **kwargs)


async def create_s3_keys_async(tokens: TokenProvider) -> TemporaryS3Keys:
    """New temporary keys for the account of ``tokens``."""
    url = _url(tokens)
    status, body = await _request(tokens, "POST", url)
    if status not in (200, 201):
        raise _failure(status, body, url, tokens, "create S3 keys")
    sent = time.monotonic()
    if not isinstance(body, dict):
        raise ServiceError(f"malformed answer from the S3 keys manager at {url}: not an object")
    access, secret = body.get("access_id"), body.get("secret")
    for name, value in (("access_id", access), ("secret", secret)):
        if not isinstance(value, str) or not value.strip() or len(value) > 256:
            raise ServiceError(
                f"malformed answer from the S3 keys manager at {url}: no usable {name!r}",
                status=status,
                url=url,
            )
    expiration = body.get("expiration_date")
    log.info("made temporary S3 keys %s… for %r", access[:4], tokens.username)
    return TemporaryS3Keys(
        access,
        secret,
        source=f"temporary (S3 keys manager, {tokens.username})",
        created=sent,
        expiration=expiration if isinstance(expiration, str) else None,
    )


async def delete_s3_keys_async(keys: S3Keys | str, tokens: TokenProvider) -> bool:
    """Delete the keys (or access id); False when the manager no longer had them (404)."""
    from urllib.parse import quote

    access = keys if isinstance(keys, str) else keys.access_key
    if not isinstance(access, str) or not access.strip() or "/" in access:
        from ..errors import ConfigurationError

        raise ConfigurationError(f"{access!r} is not an S3 access id; expected the key's id")
    url = f"{_url(tokens)}/access_id/{quote(access.strip(), safe='')}"
    _deleted.add(access.strip())
    status, body = await _request(tokens, "DELETE", url)
    if status in (200, 204):
        log.info("deleted temporary S3 keys %s…", access[:4])
        return True
    if status == 404:
        return False
    raise _failure(status, body, url, tokens, "delete S3 keys")


async def list_s3_keys_async(tokens: TokenProvider) -> list[dict[str, Any]]:
    """The account's keys as the manager lists them (access ids, expiry; never secrets)."""
    url = _url(tokens)
    status, body = await _request(tokens, "GET", url)
    if status != 200:
        raise _failure(status, body, url, tokens, "list S3 keys")
    items = body.get("credentials") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise ServiceError(f"malformed answer from the S3 keys manager at {url}: not a list")
    return [
        {"access_id": i["access_id"], "expiration_date": i.get("expiration_date")}
        for i in items
        if isinstance(i, dict) and isinstance(i.get("access_id"), str)
    ]


# -- sync faces, run on the auth loop -----------------------------------------------------------
def account(credentials: Any = None, endpoints: Any = None, settings: Any = None) -> TokenProvider:
    """The token provider of ``credentials`` (a TokenProvider, Credentials, ``(user, password)``,
    a username, or None: the environment's or ``.netrc``'s account), endpoints and settings
    resolved as every public entry point does (argument > environment > config file)."""
    if isinstance(credentials, TokenProvider):
        return credentials
    from ..config import Endpoints, Settings
    from .shared import token_providers

    found = token_providers(credentials, Endpoints.coerce(endpoints), Settings.coerce(settings))
    return found[0]


def _run(coro: Any, tokens: TokenProvider) -> Any:
    if in_io_thread():
        coro.close()
        raise RuntimeError("temporary S3 keys cannot be made blocking on the token thread")
    future = asyncio.run_coroutine_threadsafe(coro, io_loop())
    return future.result(timeout=4 * tokens.settings.timeout + 5)


def create_s3_keys(credentials: Any = None, **where: Any) -> TemporaryS3Keys:
    """New temporary keys (blocking); delete them with :func:`delete_s3_keys`.

    ``credentials`` as for :func:`account`; ``endpoints=``/``settings=`` as everywhere.
    """
    tokens = account(credentials, **where)
    return _run(create_s3_keys_async(tokens), tokens)


def delete_s3_keys(keys: S3Keys | str, credentials: Any = None, **where: Any) -> bool:
    """Delete temporary keys (or an access id; blocking); False when they were already gone."""
    tokens = account(credentials, **where)
    return _run(delete_s3_keys_async(keys, tokens), tokens)


def list_s3_keys(credentials: Any = None, **where: Any) -> list[dict[str, Any]]:
    """The account's S3 keys (blocking): access ids and expiry dates, never secrets."""
    tokens = account(credentials, **where)
    return _run(list_s3_keys_async(tokens), tokens)


@contextlib.contextmanager
def temporary_s3_keys(credentials: Any = None, **where: Any) -> Iterator[TemporaryS3Keys]:
    """Keys for the ``with`` block, deleted at its end (also after an error).

    >>> with temporary_s3_keys() as keys:  # doctest: +SKIP
    ...     fs = CDSEFileSystem("s3", s3_keys=keys)
    """
    tokens = account(credentials, **where)
    keys = create_s3_keys(tokens)
    try:
        yield keys
    finally:
        try:
            delete_s3_keys(keys, tokens)
        except CDSEError as err:
            log.warning("could not delete temporary S3 keys %s…: %s", keys.access_key[:4], err)


# -- one pair per account and process ------------------------------------------------------------
_lock = threading.Lock()
_made: dict[tuple[str, str], concurrent.futures.Future[TemporaryS3Keys]] = {}
_owners: dict[tuple[str, str], TokenProvider] = {}


def _key(tokens: TokenProvider) -> tuple[str, str]:
    return (tokens.endpoints.keys_manager, tokens.username.casefold())


def _flight(tokens: TokenProvider) -> concurrent.futures.Future[TemporaryS3Keys]:
    key = _key(tokens)
    with _lock:
        future = _made.get(key)
        if future is None or (future.done() and future.exception() is not None):
            future = asyncio.run_coroutine_threadsafe(create_s3_keys_async(tokens), io_loop())
            _made[key], _owners[key] = future, tokens
        return future


def process_s3_keys(credentials: Any = None, **where: Any) -> TemporaryS3Keys:
    """This process's temporary keys for the account (made once, deleted at exit)."""
    tokens = account(credentials, **where)
    return _flight(tokens).result(timeout=4 * tokens.settings.timeout + 5)


async def process_s3_keys_async(tokens: TokenProvider) -> TemporaryS3Keys:
    """:func:`process_s3_keys` from any event loop."""
    return await asyncio.shield(asyncio.wrap_future(_flight(tokens)))


def forget_process_keys(tokens: TokenProvider | None = None) -> int:
    """Delete the process's temporary keys now (of one account, or all); how many were."""
    with _lock:
        keys = [k for k in _made if tokens is None or k == _key(tokens)]
        taken = [(_made.pop(k), _owners.pop(k)) for k in keys]
    deleted = 0
    for future, owner in taken:
        if not future.done() or future.exception() is not None:
            continue
        try:
            deleted += delete_s3_keys(future.result(), owner)
        except (CDSEError, RuntimeError, concurrent.futures.TimeoutError) as err:
            log.warning("could not delete temporary S3 keys at exit: %s", err)
    return deleted


atexit.register(forget_process_keys)


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()
    _made.clear()  # the parent's keys: the parent deletes them, never a child
    _owners.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)
