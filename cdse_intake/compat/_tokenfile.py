"""A token file (``CopernicusDataspace_token.json``) as a :class:`~cdse_intake.auth.TokenProvider`.

The OData scripts keep Keycloak's token response in a JSON file and refresh it with its refresh
token. This provider starts from that file's grant (its age taken from the file's modification
time), refreshes it the same way, and writes the new grant back (as the scripts do, so their next
run starts from it). It never logs in with a password: once the refresh token is refused or has
expired, it raises :class:`~cdse_intake.errors.AuthenticationError`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from ..auth import TokenProvider, keycloak
from ..config import Endpoints, Settings
from ..errors import AuthenticationError

__all__ = ["TOKEN_FILE", "TokenFileError", "TokenFileProvider"]

#: The file name the OData scripts read their token from (in the working folder).
TOKEN_FILE = "CopernicusDataspace_token.json"  # noqa: S105 - a file name


class TokenFileError(AuthenticationError):
    """The token file cannot be read or holds no token."""


class TokenFileProvider(TokenProvider):
    """Bearer tokens from a Keycloak token file, refreshed with its refresh token."""

    def __init__(
        self, path: str | os.PathLike[str], endpoints: Endpoints, settings: Settings
    ) -> None:
        self._setup(endpoints, settings)
        self.path = Path(path)
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            age = max(0.0, time.time() - self.path.stat().st_mtime)
            access = data["access_token"]
            if not isinstance(access, str) or not access:
                raise ValueError("access_token is empty")
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise TokenFileError(
                f"cannot use the token file {str(self.path)!r}: {err}; expected the JSON token "
                "response of CDSE's identity service (access_token, refresh_token, expires_in)"
            ) from err
        refresh = data.get("refresh_token")
        self._grant = keycloak.Grant(
            access_token=access,
            expires_in=_seconds(data.get("expires_in"), 600.0),
            refresh_token=refresh if isinstance(refresh, str) and refresh else None,
            refresh_expires_in=_seconds(data.get("refresh_expires_in"), None),
            session_state=data.get("session_state"),
            obtained=time.monotonic() - age,
        )
        self._username = _token_user(access) or f"token file {self.path.name}"

    def _resolved_credentials(self) -> Any:
        return None  # only refresh grants: no password is ever needed

    async def _exchange(self, credentials: Any, previous: keycloak.Grant | None) -> keycloak.Grant:
        if previous is None or previous.refresh_token is None:
            raise AuthenticationError(
                f"the token of {str(self.path)!r} has expired and cannot be refreshed any more; "
                "fetch a new token file, or give credentials",
                url=self.token_url,
            )
        try:
            grant = await keycloak.request_grant(
                self.token_url, keycloak.refresh_form(previous.refresh_token), self.settings.timeout
            )
        except keycloak.Rejected as rejected:
            raise AuthenticationError(
                f"CDSE refused to refresh the token of {str(self.path)!r}: {rejected.description}",
                status=rejected.status,
                code=rejected.error,
                url=self.token_url,
            ) from None
        await asyncio.to_thread(_write_grant, self.path, grant)
        return grant


def _seconds(value: Any, default: float | None) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


def _token_user(token: str) -> str | None:
    """The account a JWT access token names (unverified: only to share the account's budget)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return None
    user = (
        claims.get("preferred_username") or claims.get("email")
        if isinstance(claims, dict)
        else None
    )
    return user if isinstance(user, str) and user else None


def _write_grant(path: Path, grant: keycloak.Grant) -> None:
    """Replace the token file with ``grant`` (owner-only, atomic), as the scripts do."""
    body = {
        "access_token": grant.access_token,
        "expires_in": grant.expires_in,
        "refresh_token": grant.refresh_token,
        "refresh_expires_in": grant.refresh_expires_in or 0,
        "token_type": "Bearer",
        "session_state": grant.session_state,
    }
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(body, fh)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)  # the old file stays; the grant is still used
