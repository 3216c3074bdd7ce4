"""The ``@@oauth2-token`` endpoint's checks of a JWT bearer grant (RFC 7523).

Real (ftw.tokenauth ``oauth2_token.py`` and ``jwt_grants.py``, which the CLMS portal runs): POST
only (else 405); form ``grant_type`` (``invalid_request: Missing 'grant_type'`` or ``Only grant
type '...' is supported``) and ``assertion`` (``Missing 'assertion'``); header ``alg`` RS256
(``Only RS256 signature algorithm is supported``); the key is looked up by ``iss`` (client_id)
and ``sub`` (user_id) (``invalid_grant: No associated key found``); then signature, ``aud`` =
token_uri, ``exp`` present and in the future (at most a day ahead), no ``nbf``, ``iat`` present,
at most an hour old and at most a minute ahead, no ``scope``. Errors answer 400
``{"error": "invalid_request"|"invalid_grant", "error_description": <message>}`` with
``Cache-Control: no-store`` and ``Pragma: no-cache``; PyJWT's own messages pass through.

Assumed [unverified]: ``exp`` more than 3600 s after ``iat`` is refused (the CLMS docs state the
one-hour maximum; ftw.tokenauth's code only refuses a day); an assertion that is not a JWT answers
400 ``invalid_request`` (the real view lets PyJWT's DecodeError through, a 500).
"""

from __future__ import annotations

from collections.abc import Mapping

from .clock import Clock
from .keys import KeyStore, ServiceKey

__all__ = ["GRANT_TYPE", "GrantError", "verify_grant"]

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: Longest grant lifetime (exp - iat) the CLMS docs allow, seconds.
MAX_GRANT_LIFETIME = 3600
CLOCK_SKEW = 60


class GrantError(Exception):
    """A refused token request: ``error`` (RFC 6749 code), ``description``, HTTP ``status``."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def verify_grant(method: str, form: Mapping[str, str], keys: KeyStore, clock: Clock) -> ServiceKey:
    """The service key a valid token request proves; :class:`GrantError` otherwise."""
    import jwt

    if method.upper() != "POST":
        raise GrantError("invalid_request", "POST only", 405)
    grant_type = form.get("grant_type")
    if grant_type is None:
        raise GrantError("invalid_request", "Missing 'grant_type'")
    if grant_type != GRANT_TYPE:
        raise GrantError("invalid_request", f"Only grant type {GRANT_TYPE!r} is supported")
    assertion = form.get("assertion")
    if not assertion:
        raise GrantError("invalid_request", "Missing 'assertion'")
    try:
        header = jwt.get_unverified_header(assertion)
        unverified = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError as err:
        raise GrantError("invalid_request", str(err)) from err
    if header.get("alg") != "RS256":
        raise GrantError("invalid_request", "Only RS256 signature algorithm is supported")
    key = keys.get(str(unverified.get("iss")))
    if key is None or key.user_id != unverified.get("sub"):
        raise GrantError("invalid_grant", "No associated key found")
    try:
        claims = jwt.decode(
            assertion,
            key.public_pem,
            algorithms=["RS256"],
            audience=key.token_uri,
            # time claims are checked below against the land service's clock
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.PyJWTError as err:
        raise GrantError("invalid_grant", str(err)) from err
    _check_claims(claims, key, clock.now())
    return key


def _check_claims(claims: Mapping[str, object], key: ServiceKey, now: float) -> None:
    def refuse(message: str) -> GrantError:
        return GrantError("invalid_grant", message)

    if claims["iss"] != key.client_id:
        raise refuse("JWT issuer doesn't match client_id of service key")
    if claims["sub"] != key.user_id:
        raise refuse("JWT subject doesn't match user_id of service key")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not exp:
        raise refuse("Missing 'exp' claim")
    if not isinstance(exp, int | float) or exp <= now:
        raise refuse("Signature has expired")
    if exp - now > 86400:
        raise refuse("JWT expiration is more than a day in the future")
    if "nbf" in claims:
        raise refuse("The 'nbf' claim is not suppported")  # sic, as the real message
    if not iat or not isinstance(iat, int | float):
        raise refuse("Missing 'iat' claim")
    if now - iat > 3600:
        raise refuse("JWT was issued more than an hour in the past")
    if iat - now > CLOCK_SKEW:
        raise refuse("JWT issue time is in the future")
    if exp - iat > MAX_GRANT_LIFETIME:
        raise refuse("JWT expiration is more than an hour after its issue time")
    if "scope" in claims:
        raise refuse("Scopes are not supported yet")
