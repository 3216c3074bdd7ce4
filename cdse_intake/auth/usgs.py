"""USGS machine-to-machine (M2M) credentials: a username and an application token.

USGS retired password logins to the M2M API in February 2025: a client logs in with
``login-token`` and an *application token* made in the user's ERS profile
(``ers.cr.usgs.gov``, "Application Tokens"; the account needs M2M access). Sources, first found
wins, as for CDSE's account:

1. the argument: :class:`UsgsCredentials`, a ``(username, token)`` pair or a mapping with
   ``username`` and ``token``;
2. the environment: ``USGS_USERNAME`` and ``USGS_TOKEN`` (the names usgsxplore uses);
3. ``.netrc``: ``machine m2m.cr.usgs.gov login <username> password <token>`` (or the configured
   M2M host, so that the emulator on 127.0.0.1 works too).

The token never appears in a repr, an error, a log line or a pickle.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConfigurationError, CredentialsMissing
from .netrc_file import netrc_entries, netrc_path

__all__ = ["USGS_ENV", "USGS_NETRC_HOST", "UsgsCredentials", "usgs_credentials"]

USGS_NETRC_HOST = "m2m.cr.usgs.gov"
#: The environment variables of the USGS account (username, application token).
USGS_ENV = ("USGS_USERNAME", "USGS_TOKEN")


@dataclass(frozen=True, repr=False)
class UsgsCredentials:
    """A USGS username and its M2M application token."""

    username: str
    token: str

    def __post_init__(self) -> None:
        for name in ("username", "token"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ConfigurationError(
                    f"the USGS {name} is empty or not text; expected the ERS username and an "
                    "M2M application token (ers.cr.usgs.gov, 'Application Tokens')"
                )

    def __repr__(self) -> str:
        return f"UsgsCredentials(username={self.username!r}, token=***)"

    def __reduce__(self) -> Any:
        raise TypeError("USGS credentials hold an application token and are never pickled")


def usgs_credentials(given: Any = None, api_url: str | None = None) -> UsgsCredentials:
    """The USGS account: ``given``, else the environment, else ``.netrc``; else
    :class:`~cdse_intake.errors.CredentialsMissing` saying where to put them."""
    if isinstance(given, UsgsCredentials):
        return given
    if isinstance(given, tuple) and len(given) == 2:
        return UsgsCredentials(given[0], given[1])
    if isinstance(given, Mapping):
        return UsgsCredentials(given.get("username"), given.get("token"))  # type: ignore[arg-type]
    if given is not None:
        raise ConfigurationError(
            f"credentials of type {type(given).__name__} are not USGS credentials; expected "
            "UsgsCredentials, a (username, application token) pair or a mapping with "
            "'username' and 'token'"
        )
    username, token = (os.environ.get(name, "") for name in USGS_ENV)
    if username and token:
        return UsgsCredentials(username, token)
    hosts = [USGS_NETRC_HOST]
    if api_url:
        host = urlsplit(api_url).hostname
        if host:
            hosts.insert(0, host)
    entries = netrc_entries(tuple(hosts))
    if entries:
        return UsgsCredentials(entries[0].login, entries[0].password)
    half = "USGS_USERNAME is set but USGS_TOKEN is not; " if username and not token else ""
    raise CredentialsMissing(
        f"no USGS credentials: {half}set USGS_USERNAME and USGS_TOKEN (an M2M application "
        "token from ers.cr.usgs.gov, 'Application Tokens'), add 'machine "
        f"{hosts[0]} login <username> password <token>' to {netrc_path()}, or pass "
        "credentials=(username, token)"
    )
