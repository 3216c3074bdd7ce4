"""Two-factor codes for CDSE accounts with 2FA (Keycloak's ``totp`` form parameter, §3).

CDSE's 2FA is standard TOTP (RFC 6238: 6 digits, 30 s, SHA-1) as set up with an authenticator
app. Either keep the base32 secret shown at set-up (``totp_secret``, ``CDSE_TOTP_SECRET``) and let
the client generate codes as logins need them, or give one code by hand (``totp``), which serves a
single login. Validation errors never repeat the value.
"""

from __future__ import annotations

import base64
import binascii
import re

from ..errors import ConfigurationError

__all__ = ["check_code", "check_secret", "current_code"]

_BASE32 = re.compile(r"^[A-Z2-7]+=*$")


def check_secret(secret: str) -> str:
    """The secret normalised (no spaces, upper case) after checking it is base32."""
    if not isinstance(secret, str):
        raise ConfigurationError(
            f"totp_secret must be a base32 string, got {type(secret).__name__}"
        )
    normal = re.sub(r"[\s-]", "", secret).upper()
    if not normal or not _BASE32.match(normal):
        raise ConfigurationError(
            "totp_secret is not a base32 TOTP secret (letters A-Z and digits 2-7, as shown when "
            "2FA was set up on the CDSE account)"
        )
    bare = normal.rstrip("=")
    try:
        base64.b32decode(bare + "=" * (-len(bare) % 8))
    except (binascii.Error, ValueError):
        raise ConfigurationError("totp_secret is not valid base32") from None
    return bare


def check_code(code: str) -> str:
    """A one-time code: exactly 6 digits."""
    text = str(code).strip()
    if not (len(text) == 6 and text.isdigit()):
        raise ConfigurationError(
            f"totp must be the 6-digit code of your authenticator app (got {len(text)} characters)"
        )
    return text


def current_code(secret: str) -> str:
    """The code of the current 30-second step for ``secret``."""
    import pyotp

    return pyotp.TOTP(secret).now()
