"""CLMS API service keys and the access tokens they give (RS256 JWT-bearer grant).

A service key is the JSON file the CLMS portal shows once (profile, "API tokens"): ``client_id``,
``user_id``, ``token_uri`` and an RSA ``private_key``. The client signs a grant with it
(``iss=client_id``, ``sub=user_id``, ``aud=token_uri``, one hour), posts it as a form to
``token_uri`` and receives an access token of an hour; there is no refresh token, so a new grant
is signed ahead of expiry or when the API answers that the token expired.

Secrets stay in memory: reprs show the file and the client id, a pickle holds the file path
only (the receiving process reads the file again), and no error names more than the file and
what is wrong. pyjwt and cryptography (the ``clms`` extra) are imported when first needed.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import CLMSAuthenticationError, RateLimited, ServiceError, ServiceKeyError

__all__ = ["GRANT_TYPE", "ServiceKey", "ServiceKeyTokens", "check_token_uri"]

log = logging.getLogger(__name__)

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: Lifetime of a signed grant, seconds (CLMS accepts at most an hour).
GRANT_LIFETIME = 3600
#: Largest service key file read (a real one is about 2 KB).
MAX_KEY_BYTES = 64 << 10
#: Largest token answer read.
MAX_TOKEN_ANSWER = 64 << 10
FIELDS = ("client_id", "user_id", "token_uri", "private_key")
INSTALL_HINT = "install the 'clms' extra: pip install 'cdse-intake[clms]'"
_LOOPBACK = {"localhost", "::1"}


def _crypto() -> tuple[Any, Any]:
    try:
        import jwt
        from cryptography.hazmat.primitives import serialization
    except ImportError as err:  # pragma: no cover - the extra is installed in the tests
        raise ImportError(f"CLMS service keys need pyjwt and cryptography: {INSTALL_HINT}") from err
    return jwt, serialization


def check_token_uri(uri: Any, where: str) -> str:
    """``uri`` when it is https, or http to a loopback host (a local emulator); else an error."""
    parts = urlsplit(uri) if isinstance(uri, str) else None
    host = (parts.hostname or "") if parts else ""
    loopback = host in _LOOPBACK or host.startswith("127.")
    if (
        parts is None
        or not host
        or not (parts.scheme == "https" or (parts.scheme == "http" and loopback))
    ):
        raise ServiceKeyError(
            f"service key {where}: token_uri={uri!r} is not an https URL; the grant is only sent "
            "over https (or http to this machine, for a local emulator)"
        )
    return uri


def _is_rsa_pem(pem: str) -> bool:
    """Whether ``pem`` is an unencrypted RSA private key (no error text: it could quote it)."""
    _, serialization = _crypto()
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_pem_private_key(pem.encode("utf-8"), password=None)
    except Exception:  # ValueError, TypeError, cryptography's UnsupportedAlgorithm...
        return False
    return isinstance(key, rsa.RSAPrivateKey)


def _read(path: Path) -> dict[str, Any]:
    where = str(path)
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_KEY_BYTES + 1)
    except FileNotFoundError:
        raise ServiceKeyError(
            f"service key {where} does not exist; create a key on land.copernicus.eu (profile, "
            "API tokens) and save the JSON shown there"
        ) from None
    except OSError as err:
        raise ServiceKeyError(f"cannot read service key {where}: {err.strerror or err}") from None
    if len(raw) > MAX_KEY_BYTES:
        raise ServiceKeyError(f"service key {where} is larger than {MAX_KEY_BYTES} bytes")
    data: Any = None
    line: int | None = None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        line = getattr(err, "lineno", 0)
    del raw  # raised below, outside the handler: no frame of the error holds the file's text
    if line is not None:
        at = f" (line {line})" if line else ""
        raise ServiceKeyError(
            f"service key {where} is not JSON{at}; expected the JSON the CLMS portal showed"
        )
    if not isinstance(data, dict):
        raise ServiceKeyError(f"service key {where} is not a JSON object")
    return data


@dataclass(frozen=True, repr=False, eq=False)
class ServiceKey:
    """A CLMS service key: read from its file (``ServiceKey.load(path)``) or a mapping."""

    client_id: str
    user_id: str
    token_uri: str
    path: Path | None = None
    key_id: str | None = None

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ServiceKey:
        """The service key in the JSON file at ``path``, checked (fields, RSA key, https)."""
        path = Path(path).expanduser()
        return cls.from_mapping(_read(path), path=path)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, path: Path | None = None) -> ServiceKey:
        """The service key in ``data`` (the parsed JSON); ``path``: the file it came from."""
        where = str(path) if path is not None else "(given as a mapping)"
        problem = _problem(data, where)
        if problem is not None:
            del data  # the error's frames must not hold the key
            raise ServiceKeyError(problem)
        key = cls(
            client_id=data["client_id"],
            user_id=data["user_id"],
            token_uri=data["token_uri"],
            path=path,
            key_id=data.get("key_id") if isinstance(data.get("key_id"), str) else None,
        )
        object.__setattr__(key, "_pem", data["private_key"])
        return key

    @classmethod
    def coerce(cls, value: ServiceKey | str | os.PathLike[str] | Mapping[str, Any]) -> ServiceKey:
        """A ServiceKey from itself, a file path or a mapping."""
        if isinstance(value, ServiceKey):
            return value
        if isinstance(value, Mapping):
            return cls.from_mapping(value)
        if isinstance(value, str | os.PathLike):
            return cls.load(value)
        raise ServiceKeyError(
            f"service_key of type {type(value).__name__} is not usable; expected the path of "
            "the service key JSON file"
        )

    def grant(self, now: float | None = None) -> str:
        """A signed JWT-bearer grant (RS256), valid for an hour from ``now``."""
        jwt, _ = _crypto()
        issued = int(time.time() if now is None else now)
        claims = {
            "iss": self.client_id,
            "sub": self.user_id,
            "aud": self.token_uri,
            "iat": issued,
            "exp": issued + GRANT_LIFETIME,
        }
        return jwt.encode(claims, self._pem, algorithm="RS256")  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        where = f"path={str(self.path)!r}, " if self.path is not None else ""
        return f"ServiceKey({where}client_id={self.client_id!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        if self.path is None:
            raise TypeError(
                "a CLMS service key given as a mapping does not pickle (that would copy its "
                "private key); give the path of its file instead"
            )
        return (ServiceKey.load, (str(self.path),))

    def __copy__(self) -> ServiceKey:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> ServiceKey:
        return self


def _problem(data: Mapping[str, Any], where: str) -> str | None:
    """What is wrong with the key ``data`` (None: nothing); never quotes the key."""
    missing = [f for f in FIELDS if not isinstance(data.get(f), str) or not data.get(f)]
    if missing:
        return (
            f"service key {where} lacks {', '.join(missing)} (or they are not text); expected "
            f"the fields {', '.join(FIELDS)}"
        )
    if not _is_rsa_pem(data["private_key"]):
        return (
            f"service key {where}: private_key is not an RSA private key in PEM form "
            "('-----BEGIN RSA PRIVATE KEY-----' ...)"
        )
    try:
        check_token_uri(data["token_uri"], where)
    except ServiceKeyError as err:
        return err.message
    return None


class ServiceKeyTokens:
    """Access tokens of one service key: a grant exchanged when none is valid.

    ``await token_async(session)`` returns a token valid for at least ``margin`` seconds (a
    quarter of a short lifetime), signing a new grant when needed; :meth:`invalidate` after the
    API refused a token. The token request goes to ``token_uri`` only, without Authorization.
    """

    def __init__(
        self, service_key: ServiceKey | str | os.PathLike[str], *, margin: float = 60.0
    ) -> None:
        self.service_key = ServiceKey.coerce(service_key)
        self.margin = float(margin)
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0
        self._lifetime = 0.0

    def __repr__(self) -> str:
        return f"ServiceKeyTokens({self.service_key!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.service_key, self.margin))

    @property
    def client_id(self) -> str:
        """The service key's client id (not a secret: it names the key)."""
        return self.service_key.client_id

    def _valid(self, now: float) -> str | None:
        with self._lock:
            margin = min(self.margin, self._lifetime * 0.25)
            if self._token is not None and now < self._expires - margin:
                return self._token
            return None

    def invalidate(self, token: str | None = None) -> None:
        """Forget ``token`` (or the current one): the next call signs a new grant."""
        with self._lock:
            if token is None or token == self._token:
                self._token, self._expires = None, 0.0

    async def headers_async(self, session: Any) -> dict[str, str]:
        """``{"Authorization": "Bearer <token>"}`` for a CLMS API request."""
        return {"Authorization": f"Bearer {await self.token_async(session)}"}

    async def token_async(self, session: Any) -> str:
        """A valid access token, from the cache or a new grant posted over ``session``."""
        token = self._valid(time.time())
        if token is not None:
            return token
        token, lifetime = await self._exchange(session)
        with self._lock:
            self._token, self._lifetime = token, lifetime
            self._expires = time.time() + lifetime
        return token

    async def _exchange(self, session: Any) -> tuple[str, float]:
        uri = self.service_key.token_uri
        log.debug("CLMS token request to %s for client %s", uri, self.client_id)
        async with session.post(  # the grant is no local: no traceback's frame shows it
            uri,
            data={"grant_type": GRANT_TYPE, "assertion": self.service_key.grant()},
            headers={"Accept": "application/json"},
            allow_redirects=False,
        ) as resp:
            raw = await resp.content.read(MAX_TOKEN_ANSWER)  # a bounded answer: no more is read
            status = resp.status
        try:
            body: Any = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = raw[:200].decode("utf-8", "replace")
        if status in (400, 401, 403):
            detail = _detail(body)
            raise CLMSAuthenticationError(
                f"CLMS refused the service key of client {self.client_id}{detail}; the key may "
                "have been revoked: create a new one on land.copernicus.eu (profile, API tokens)",
                status=status,
                url=uri,
            )
        if status == 429:
            raise RateLimited(f"CLMS token requests are rate limited{_detail(body)}", status=429)
        if status != 200:
            detail = _detail(body)
            raise ServiceError(f"the CLMS token service failed{detail}", status=status, url=uri)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise ServiceError(f"the CLMS token answer of {uri} has no access_token", url=uri)
        lifetime = body.get("expires_in", GRANT_LIFETIME)
        if not isinstance(lifetime, int | float) or isinstance(lifetime, bool) or lifetime <= 0:
            lifetime = GRANT_LIFETIME
        return token, float(lifetime)


def _detail(body: Any) -> str:
    """The service's words from an error answer, short, for a message."""
    if isinstance(body, dict):
        text = body.get("error_description") or body.get("message") or body.get("error")
        if isinstance(body.get("error"), dict):
            inner = body["error"]
            text = inner.get("message") or inner.get("type")
        return f" ({str(text)[:200]})" if text else ""
    return f" ({str(body)[:200]})" if body else ""
