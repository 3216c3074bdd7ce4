"""OAuth2 client credentials of a service client (cdse-api.md §3).

CDSE's Keycloak issues tokens to OAuth clients registered in the Sentinel Hub dashboard (User
settings, "OAuth clients"; client ids ``sh-<uuid>``) with ``grant_type=client_credentials``,
``client_id`` and ``client_secret`` in the form (CDSE documentation, "Sentinel Hub /
Authentication"). There is no refresh token: a new grant is made ahead of expiry. Such tokens
are accepted by the catalogue and Sentinel Hub, but the download service refuses them with
``401 {"code":"DAT-ZIP-609","message":"Token audience not allowed"}`` (seen by many users; the
audience of ``sh-`` tokens is not ``CLOUDFERRO_PUBLIC``): downloads need a ``cdse-public``
password-grant login or S3 keys.

Precedence: argument > environment (``CDSE_CLIENT_ID``/``CDSE_CLIENT_SECRET``) > ``.netrc``
(a ``machine`` of the identity service whose login is a client id ``sh-…``). The secret never
appears in a repr, log line, error or pickle (a pickle carries the client id; the receiving
process finds the secret in its own environment or ``.netrc``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from ..errors import AuthenticationError, ConfigurationError, CredentialsMissing
from .netrc_file import CDSE_NETRC_HOSTS, netrc_entries, netrc_path

__all__ = ["AUDIENCE_HELP", "ClientCredentials", "is_client_id"]

ENV_CLIENT_ID = "CDSE_CLIENT_ID"
ENV_CLIENT_SECRET = "CDSE_CLIENT_SECRET"  # noqa: S105 - the variable's name
#: Where service clients are registered (CDSE documentation, Sentinel Hub authentication).
CLIENTS_URL = "https://shapps.dataspace.copernicus.eu/dashboard/#/account/settings"
#: Client ids of Sentinel Hub OAuth clients on CDSE start with this.
CLIENT_PREFIX = "sh-"

#: What to do when the download service refuses a token's audience (DAT-ZIP-609).
AUDIENCE_HELP = (
    "CDSE's download service refuses tokens of OAuth service clients (client credentials, "
    "client ids 'sh-…'): downloads need the login of a CDSE account (the 'cdse-public' "
    "password grant: credentials=(e-mail, password), or CDSE_USERNAME and CDSE_PASSWORD, or "
    "~/.netrc) or S3 keys with via='s3' (s3_keys=, or CDSE_S3_ACCESS_KEY and "
    "CDSE_S3_SECRET_KEY). Searches work with the client's token"
)


def is_client_id(login: str) -> bool:
    """Whether ``login`` looks like a Sentinel Hub OAuth client id rather than an e-mail."""
    return login.startswith(CLIENT_PREFIX) and "@" not in login


@dataclass(frozen=True, repr=False)
class ClientCredentials:
    """An OAuth client id and its secret (``client_credentials`` grant)."""

    client_id: str
    client_secret: str
    source: str = field(default="argument", compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.client_id, str) or not self.client_id.strip():
            raise ConfigurationError(
                f"client_id must be the id of an OAuth client (such as 'sh-…' from the Sentinel "
                f"Hub dashboard, {CLIENTS_URL}), got {self.client_id!r}"
            )
        object.__setattr__(self, "client_id", self.client_id.strip())
        if not isinstance(self.client_secret, str) or not self.client_secret.strip():
            raise ConfigurationError(
                f"the client secret of OAuth client {self.client_id!r} is empty or not a string"
            )

    @property
    def username(self) -> str:
        """The name the client's budgets and logs use: its client id."""
        return self.client_id

    def __repr__(self) -> str:
        return f"ClientCredentials(client_id={self.client_id!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unpickle, (self.client_id,))

    def __copy__(self) -> ClientCredentials:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> ClientCredentials:
        return self

    @classmethod
    def resolve(
        cls,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        identity_url: str | None = None,
    ) -> ClientCredentials:
        """Argument > environment > ``.netrc``; :class:`CredentialsMissing` naming each place."""
        if client_secret is not None:
            if client_id is None:
                raise ConfigurationError("a client secret was given without its client_id")
            return cls(client_id, client_secret)
        env_id = os.environ.get(ENV_CLIENT_ID) or None
        env_secret = os.environ.get(ENV_CLIENT_SECRET) or None
        wanted = client_id or env_id
        if env_id and env_secret and (client_id is None or client_id == env_id):
            return cls(env_id, env_secret, source=f"environment ({ENV_CLIENT_ID})")
        path = netrc_path()
        hosts = _hosts(identity_url)
        for entry in netrc_entries(hosts, path):
            if is_client_id(entry.login) and wanted in (None, entry.login):
                return cls(entry.login, entry.password, source=f"{path} (machine {entry.host})")
        env = (
            "not set"
            if not (env_id or env_secret)
            else f"{ENV_CLIENT_SECRET} is not set"
            if env_id and not env_secret
            else f"{ENV_CLIENT_ID} is not set"
            if not env_id
            else f"set for {env_id!r}, not {wanted!r}"
        )
        raise CredentialsMissing(
            f"no OAuth client credentials found{f' for {wanted!r}' if wanted else ''}. Looked "
            f"in: (1) the arguments client_id= and client_secret=: not given; (2) environment "
            f"variables {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET}: {env}; (3) {path}: no "
            f"'sh-…' login for machine {hosts[0]}. Create a client at {CLIENTS_URL} and "
            f"export {ENV_CLIENT_ID}=<client id> {ENV_CLIENT_SECRET}=<secret>."
        )


def client_form(credentials: ClientCredentials) -> dict[str, str]:
    """The token request's form (client_secret_post, as CDSE's documentation shows)."""
    from .keycloak import _Form

    return _Form(
        grant_type="client_credentials",
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
    )


def _hosts(identity_url: str | None) -> tuple[str, ...]:
    from urllib.parse import urlsplit

    host = urlsplit(identity_url).hostname if identity_url else None
    return CDSE_NETRC_HOSTS if host in (None, *CDSE_NETRC_HOSTS) else (host,)


def refused(
    status: int, error: str | None, description: str, source: str, client_id: str, url: str
) -> AuthenticationError:
    """Why Keycloak refused a client-credentials grant, and what to check."""
    text = f"CDSE refused the OAuth client {client_id!r} (credentials from {source}): {description}"
    if error in ("invalid_client", "unauthorized_client"):
        text += (
            f". Check the client id and secret (shown once when the client was created at "
            f"{CLIENTS_URL}), and that the client has not expired"
        )
    return AuthenticationError(text, status=status, code=error, url=url)


def _unpickle(client_id: str) -> ClientCredentials:
    try:
        return ClientCredentials.resolve(client_id)
    except AuthenticationError as err:
        raise AuthenticationError(
            f"client credentials of {client_id!r} were pickled without their secret and none "
            f"were found here. {err.message}"
        ) from None
