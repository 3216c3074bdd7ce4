"""CDSE account credentials and where they come from.

Precedence: explicit argument > environment (``CDSE_USERNAME``/``CDSE_PASSWORD``, with
``CDSE_TOTP_SECRET`` for 2FA accounts) > ``.netrc`` (``$NETRC`` or ``~/.netrc``; see
:mod:`.netrc_file` for the hosts read). ``CDSE_USERNAME`` alone selects which ``.netrc`` login to
use. Logins stored for the real CDSE hosts are only used when the identity service *is* CDSE: a
configured emulator or other host only gets its own ``machine`` entry.

Secrets stay in memory: the repr shows the username only, and a pickle carries the username only.
Unpickling looks the password up again in the receiving process's environment or ``.netrc``
(a dask worker on the same cluster usually has both); when it cannot be found there, unpickling
raises :class:`~cdse_intake.errors.AuthenticationError` saying so.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Union
from urllib.parse import urlsplit

from ..errors import AuthenticationError, ConfigurationError, CredentialsMissing
from .client_credentials import is_client_id
from .netrc_file import CDSE_NETRC_HOSTS, netrc_entries, netrc_path
from .totp import check_code, check_secret

__all__ = ["Credentials", "CredentialsLike", "accounts"]

ENV_USERNAME = "CDSE_USERNAME"
ENV_PASSWORD = "CDSE_PASSWORD"  # noqa: S105 - the variable's name, not a password
ENV_TOTP_SECRET = "CDSE_TOTP_SECRET"  # noqa: S105

REGISTER_URL = "https://dataspace.copernicus.eu"


@dataclass(frozen=True, repr=False)
class Credentials:
    """A CDSE account: username (e-mail), password and, for 2FA accounts, a TOTP secret or code.

    ``totp_secret`` (base32, shown when 2FA was set up) lets the client make a code for every
    login; ``totp`` is a single 6-digit code for one login. ``source`` says where they were found.
    """

    username: str
    password: str
    totp_secret: str | None = None
    totp: str | None = None
    source: str = field(default="argument", compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.username, str) or not self.username.strip():
            raise ConfigurationError(
                f"username must be the e-mail address of a CDSE account, got {self.username!r}"
            )
        object.__setattr__(self, "username", self.username.strip())
        if not isinstance(self.password, str) or not self.password:
            raise ConfigurationError(
                f"the password of CDSE account {self.username!r} is empty or not a string"
            )
        if self.totp_secret is not None and self.totp is not None:
            raise ConfigurationError(
                f"give either totp_secret or a one-time totp code for {self.username!r}, not both"
            )
        if self.totp_secret is not None:
            object.__setattr__(self, "totp_secret", check_secret(self.totp_secret))
        if self.totp is not None:
            object.__setattr__(self, "totp", check_code(self.totp))

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unpickle, (self.username,))

    def __copy__(self) -> Credentials:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Credentials:
        return self

    @property
    def two_factor(self) -> bool:
        """Whether logins send a TOTP code."""
        return self.totp_secret is not None or self.totp is not None

    @classmethod
    def resolve(
        cls,
        credentials: CredentialsLike | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        totp_secret: str | None = None,
        totp: str | None = None,
        identity_url: str | None = None,
    ) -> Credentials:
        """The credentials to use: argument > environment > ``.netrc``.

        ``identity_url`` is the configured identity service (``Endpoints.identity``); it decides
        which ``.netrc`` machines are read. Raises :class:`AuthenticationError` naming every
        place looked in when nothing is found.
        """
        if credentials is not None:
            if any(v is not None for v in (username, password, totp_secret, totp)):
                raise ConfigurationError(
                    "give either credentials or username/password/totp_secret/totp, not both"
                )
            return _coerce(credentials)
        if username is not None and password is not None:
            return cls(username, password, totp_secret=totp_secret, totp=totp)
        if password is not None:
            raise ConfigurationError("a password was given without its username")
        search = _Search(identity_url, wanted=username)
        found = search.environment() or search.netrc()
        if found is None:
            raise search.failure()
        if totp_secret is not None or totp is not None:
            return cls(found.username, found.password, totp_secret, totp, source=found.source)
        return found


CredentialsLike = Union[Credentials, tuple[str, str], Mapping[str, str]]  # noqa: UP007


def accounts(
    *items: CredentialsLike | Iterable[CredentialsLike], identity_url: str | None = None
) -> tuple[Credentials, ...]:
    """Several accounts, e.g. to spread downloads over them (each has its own CDSE quotas).

    With arguments: each a :class:`Credentials`, a ``(username, password)`` tuple or a mapping
    with ``username``/``password`` (and optional ``totp_secret``/``totp``), or one list of them.
    Without: the environment's account and every distinct login of the ``.netrc`` CDSE machines.
    The same username twice is an error.
    """
    if len(items) == 1 and not (isinstance(items[0], (Credentials, Mapping)) or _is_pair(items[0])):
        items = tuple(items[0])  # one iterable of accounts
    if items:
        found = [_coerce(item) for item in items]  # type: ignore[arg-type]
    else:
        search = _Search(identity_url, wanted=None)
        found = [c for c in [search.environment(), *search.netrc_all()] if c is not None]
        if not found:
            raise search.failure()
        unique: dict[str, Credentials] = {}
        for cred in found:  # the same login under several machines is one account
            unique.setdefault(cred.username.casefold(), cred)
        return tuple(unique.values())
    seen: set[str] = set()
    for cred in found:
        key = cred.username.casefold()
        if key in seen:
            raise ConfigurationError(f"account {cred.username!r} is listed more than once")
        seen.add(key)
    return tuple(found)


# -- internals -----------------------------------------------------------------------------------
def _is_pair(value: object) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _coerce(value: CredentialsLike) -> Credentials:
    if isinstance(value, Credentials):
        return value
    if _is_pair(value):
        return Credentials(value[0], value[1])
    if isinstance(value, Mapping):
        unknown = set(value) - {"username", "password", "totp_secret", "totp"}
        if unknown or "username" not in value or "password" not in value:
            raise ConfigurationError(
                "an account mapping needs the keys 'username' and 'password' (optionally "
                f"'totp_secret' or 'totp'); got keys {sorted(value)}"
            )
        return Credentials(**value)
    raise ConfigurationError(
        "credentials must be Credentials, a (username, password) tuple or a mapping with "
        f"'username' and 'password'; got {type(value).__name__}"
    )


def _identity_host(identity_url: str | None) -> str | None:
    return urlsplit(identity_url).hostname if identity_url else None


class _Search:
    """One look-up through the environment and ``.netrc``, remembering what it saw."""

    def __init__(self, identity_url: str | None, wanted: str | None) -> None:
        host = _identity_host(identity_url)
        # CDSE logins go to CDSE only; another identity service gets its own machine entry.
        self.hosts = CDSE_NETRC_HOSTS if host in (None, *CDSE_NETRC_HOSTS) else (host,)
        self.wanted = wanted
        self.env_user = os.environ.get(ENV_USERNAME) or None
        self.env_password = os.environ.get(ENV_PASSWORD) or None
        self.env_totp = os.environ.get(ENV_TOTP_SECRET) or None
        if self.wanted is None and self.env_user and not self.env_password:
            self.wanted = self.env_user  # CDSE_USERNAME alone picks the .netrc login
        self.path = netrc_path()
        self.netrc_note = ""

    def _matches(self, username: str) -> bool:
        return self.wanted is None or username.casefold() == self.wanted.casefold()

    def _totp_for(self, username: str) -> str | None:
        if self.env_totp and (
            self.env_user is None or self.env_user.casefold() == username.casefold()
        ):
            return self.env_totp
        return None

    def environment(self) -> Credentials | None:
        if self.env_user and self.env_password and self._matches(self.env_user):
            return Credentials(
                self.env_user,
                self.env_password,
                totp_secret=self._totp_for(self.env_user),
                source=f"environment ({ENV_USERNAME}/{ENV_PASSWORD})",
            )
        return None

    def netrc_all(self) -> list[Credentials]:
        entries = netrc_entries(self.hosts, self.path)
        if not self.path.is_file():
            self.netrc_note = "no such file"
        elif not entries:
            self.netrc_note = "no entry for machine " + ", ".join(self.hosts)
        out = []
        for entry in entries:
            if is_client_id(entry.login):  # an OAuth client's line: see client_credentials
                continue
            if self._matches(entry.login):
                out.append(
                    Credentials(
                        entry.login,
                        entry.password,
                        totp_secret=self._totp_for(entry.login),
                        source=f"{self.path} (machine {entry.host})",
                    )
                )
        if entries and not out:
            self.netrc_note = f"no login {self.wanted!r} for machine " + ", ".join(self.hosts)
        return out

    def netrc(self) -> Credentials | None:
        found = self.netrc_all()
        return found[0] if found else None

    def failure(self) -> AuthenticationError:
        if self.env_user and self.env_password:
            env = f"set for {self.env_user!r}, not {self.wanted!r}"
        elif self.env_user:
            env = f"{ENV_USERNAME} is set but {ENV_PASSWORD} is not"
        elif self.env_password:
            env = f"{ENV_PASSWORD} is set but {ENV_USERNAME} is not"
        else:
            env = "not set"
        who = f" for {self.wanted!r}" if self.wanted else ""
        host = self.hosts[0]
        return CredentialsMissing(
            f"no CDSE credentials found{who}. Looked in: (1) the arguments (credentials=, or "
            f"username= and password=): not given; (2) environment variables {ENV_USERNAME} and "
            f"{ENV_PASSWORD}: {env}; (3) {self.path}: {self.netrc_note or 'not read'}. "
            f"Provide them in one of these ways: pass Credentials(username, password); or "
            f"export {ENV_USERNAME}=<e-mail> {ENV_PASSWORD}=<password>; or add the line "
            f"'machine {host} login <e-mail> password <password>' to {self.path} (chmod 600). "
            f"Accounts with 2FA also need totp_secret= or {ENV_TOTP_SECRET}. "
            f"No account yet? Register at {REGISTER_URL}."
        )


def _unpickle(username: str) -> Credentials:
    """Rebuild pickled credentials from this process's environment or ``.netrc``."""
    try:
        return Credentials.resolve(username=username)
    except AuthenticationError as err:
        raise AuthenticationError(
            f"credentials for {username!r} were pickled without their password (secrets never "
            f"leave the process holding them) and none were found here. {err.message}"
        ) from None
