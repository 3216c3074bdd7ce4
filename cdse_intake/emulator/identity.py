"""The emulated identity service: CDSE's Keycloak realm ``CDSE`` (``reference/cdse-api.md`` §3).

Mounted at ``/auth/realms/CDSE``. Serves the token endpoint (password and refresh grants for the
public client ``cdse-public``, with TOTP for 2FA accounts), logout, the OpenID discovery document
and the JWKS. Error bodies and statuses are Keycloak's own (checked against Keycloak's direct-grant
authenticators and token endpoint); the success body keeps the key order recorded from CDSE.

Sessions: every password grant opens a Keycloak session, refresh grants keep it (and its fixed
60-minute end, §2.4 "refreshable within 60 min"). CDSE allows 100 active sessions per user
(§2.4); see :data:`SESSION_LIMIT_BEHAVIOUR` for what happens past that.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Literal

import orjson
import pyotp
from aiohttp import web

from .http import GRANT_TYPE, USER, json_response
from .state import Account
from .tokens import Session, TokenError

__all__ = ["CLIENT_ID", "SESSION_LIMIT", "SESSION_LIMIT_BEHAVIOUR", "routes"]

#: The only client the emulator knows: CDSE's public client for password grants (§3).
CLIENT_ID = "cdse-public"

#: Active sessions per user (CDSE quota "Active sessions: 100", §2.4).
SESSION_LIMIT = 100

#: What a password grant past :data:`SESSION_LIMIT` does. CDSE does not document it; Keycloak's
#: "User Session Count Limiter" offers both. ``"terminate_oldest"`` (the default here) logs out
#: the least recently refreshed session, whose refresh token then fails with "Session not active"
#: -- it keeps a long test session (one login per test against a shared emulator) working while
#: still punishing clients that log in per request. ``"deny"`` refuses the login with 403
#: ``{"error": "sessionLimitExceeded", ...}`` [unverified body]. Read when ``routes`` is called,
#: so a test may set it before starting an emulator.
SESSION_LIMIT_BEHAVIOUR: Literal["terminate_oldest", "deny"] = "terminate_oldest"

#: Scope of every token (recorded response, §3).
SCOPE = "AUDIENCE_PUBLIC openid email profile ondemand_processing user-context"

#: Headers of the recorded token response (sentineleof cassette 2025-10-13, §3).
_SECURITY_HEADERS = {
    "referrer-policy": "no-referrer",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "x-frame-options": "ALLOW-FROM https://www.google.com",
    "x-xss-protection": "1; mode=block",
}
_NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}
_KEYCLOAK_COOKIES = (
    "KEYCLOAK_LOCALE=; Version=1; Comment=Expiring cookie; Expires=Thu, 01-Jan-1970 00:00:10 GMT; "
    "Max-Age=0; Path=/auth/realms/CDSE/; Secure; HttpOnly",
    "KC_RESTART=; Version=1; Expires=Thu, 01-Jan-1970 00:00:10 GMT; Max-Age=0; "
    "Path=/auth/realms/CDSE/; Secure; HttpOnly",
    "KC_AUTH_STATE=; Version=1; Expires=Thu, 01-Jan-1970 00:00:10 GMT; Max-Age=0; "
    "Path=/auth/realms/CDSE/; Secure",
)
_SERVER_COOKIE = "SERVERID=keycloak001.waw2; path=/"

# Keycloak's error descriptions (TokenEndpoint, direct-grant authenticators, TokenManager).
BAD_CREDENTIALS = "Invalid user credentials"
BAD_CLIENT = "Invalid client or Invalid client credentials"
NOT_ACTIVE = "Token is not active"
SESSION_GONE = "Session not active"
BAD_REFRESH = "Invalid refresh token"


def routes(ctx: Any) -> list[web.RouteDef]:
    """Routes relative to ``/auth/realms/CDSE``."""
    identity = _Identity(ctx, SESSION_LIMIT, SESSION_LIMIT_BEHAVIOUR)
    return [
        web.post("/protocol/openid-connect/token", identity.token),
        web.post("/protocol/openid-connect/logout", identity.logout),
        # web.route, not web.get: the server mounts RouteDefs with router.add_route, which does
        # not take web.get's allow_head keyword.
        web.route("GET", "/protocol/openid-connect/certs", identity.certs),
        web.route("GET", "/.well-known/openid-configuration", identity.discovery),
    ]


class _Identity:
    """Handlers sharing one emulator's token service, accounts and session bookkeeping."""

    def __init__(self, ctx: Any, limit: int, behaviour: str) -> None:
        if behaviour not in ("terminate_oldest", "deny"):
            raise ValueError(
                f"SESSION_LIMIT_BEHAVIOUR={behaviour!r}; expected 'terminate_oldest' or 'deny'"
            )
        self.ctx = ctx
        self.limit = limit
        self.behaviour = behaviour
        # Keycloak terminates the least recently *refreshed* session first.
        self.last_refresh: dict[str, float] = {}

    # -- token endpoint ------------------------------------------------------------------------
    async def token(self, request: web.Request) -> web.Response:
        form = await _form(request)
        if isinstance(form, web.Response):
            return form
        grant_type = form.get("grant_type")
        request[GRANT_TYPE] = grant_type
        if not grant_type:
            return _error(400, "invalid_request", "Missing form parameter: grant_type")
        if grant_type not in ("password", "refresh_token", "client_credentials"):
            # The real realm also lists browser/device/CIBA/token-exchange grants (discovery
            # document); they need flows the emulator does not have, so they are unsupported here.
            return _error(400, "unsupported_grant_type", "Unsupported grant_type")
        if grant_type == "client_credentials" and form.get("client_id") != CLIENT_ID:
            return self._client_grant(request, form)
        client_error = _check_client(form)
        if client_error is not None:
            return client_error
        if grant_type == "client_credentials":
            # Keycloak's answer for a public client (cdse-public has no service account).
            return _error(
                401, "unauthorized_client", "Public client not allowed to retrieve service account"
            )
        if grant_type == "password":
            return self._password_grant(request, form)
        return self._refresh_grant(request, form)

    def _password_grant(self, request: web.Request, form: Mapping[str, str]) -> web.Response:
        username = form.get("username")
        if not username:
            # Keycloak ValidateUsername: 401 invalid_request (not 400).
            return _error(401, "invalid_request", "Missing parameter: username")
        account = _find_account(self.ctx.state.accounts, username)
        request[USER] = account.username if account else username
        if account is None:
            return _error(401, "invalid_grant", BAD_CREDENTIALS)
        if form.get("password") != account.password:
            return _error(401, "invalid_grant", BAD_CREDENTIALS)
        if account.totp_secret:
            # Keycloak ValidateOTP: a missing or wrong code is the same invalid_grant as a wrong
            # password, which is why 2FA users of eodag only see "invalid grant" (eodag#1538).
            # valid_window=1 accepts the previous and next 30 s step (clock skew). Keycloak's
            # "code reusable" policy is not emulated: a code may be used twice.
            code = form.get("totp", "")
            if not (
                code.isdigit() and pyotp.TOTP(account.totp_secret).verify(code, valid_window=1)
            ):
                return _error(401, "invalid_grant", BAD_CREDENTIALS)
        refused = self._make_room(account.username)
        if refused is not None:
            return refused
        session = self.ctx.tokens.new_session(account.username)
        self.last_refresh[session.id] = session.started
        return self._grant(session)

    def _client_grant(self, request: web.Request, form: Mapping[str, str]) -> web.Response:
        """A service client's grant (CDSE's ``sh-`` OAuth clients, §3): the secret in the form
        (client_secret_post, as CDSE documents) or a Basic header; no refresh token."""
        client_id, secret = form.get("client_id"), form.get("client_secret")
        basic = request.headers.get("Authorization", "")
        if basic.startswith("Basic ") and not secret:
            import base64
            from urllib.parse import unquote

            try:
                pair = base64.b64decode(basic[6:]).decode()
            except ValueError:
                pair = ""
            client_id, _, secret = (unquote(p) for p in pair.partition(":"))
        if not client_id:
            return _error(400, "invalid_client", "Missing client_id parameter")
        request[USER] = client_id
        known = self.ctx.state.clients.get(client_id)
        if known is None or secret != known:
            return _error(401, "invalid_client", BAD_CLIENT)
        tokens = self.ctx.tokens
        # Keycloak's client-credentials answer: no refresh token, refresh_expires_in 0.
        body = {
            "access_token": tokens.client_token(client_id),
            "expires_in": _seconds(tokens.access_lifetime),
            "refresh_expires_in": 0,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": "email profile",
        }
        return _json(200, body, {**_NO_STORE, **_SECURITY_HEADERS})

    def _refresh_grant(self, request: web.Request, form: Mapping[str, str]) -> web.Response:
        token = form.get("refresh_token")
        if not token:
            return _error(400, "invalid_request", "Missing form parameter: refresh_token")
        try:
            session = self.ctx.tokens.use_refresh(token)
        except TokenError as err:
            # Standard Keycloak answers [unverified for CDSE, §3].
            description = {"invalid": BAD_REFRESH, "revoked": SESSION_GONE}.get(
                err.reason, NOT_ACTIVE
            )
            return _error(400, "invalid_grant", description)
        request[USER] = session.username
        self.last_refresh[session.id] = time.time()
        return self._grant(session)

    def _grant(self, session: Session) -> web.Response:
        tokens = self.ctx.tokens
        access = tokens.access_token(session)
        refresh = tokens.refresh_token(session)
        # Key order as recorded (§3). Lifetimes are whole seconds on CDSE; the emulator allows
        # fractional test lifetimes and then reports them unrounded. refresh_expires_in is what
        # is left of the session's fixed end, so the client knows when to log in again.
        body = {
            "access_token": access,
            "expires_in": _seconds(tokens.access_lifetime),
            "refresh_expires_in": _remaining(session.refresh_expires, tokens.refresh_lifetime),
            "refresh_token": refresh,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "session_state": session.id,
            "scope": SCOPE,
        }
        response = _json(200, body, {**_NO_STORE, **_SECURITY_HEADERS})
        for cookie in (*_KEYCLOAK_COOKIES, _SERVER_COOKIE):
            response.headers.add("Set-Cookie", cookie)
        return response

    def _make_room(self, username: str) -> web.Response | None:
        """Apply the 100-session cap before a new session opens; an error response if denied."""
        tokens = self.ctx.tokens
        now = time.time()
        live: list[Session] = []
        for session in list(tokens.sessions.values()):
            if session.refresh_expires <= now:  # ended by its 60-minute limit: forget it
                tokens.end_session(session.id)
                self.last_refresh.pop(session.id, None)
            elif session.username == username:
                live.append(session)
        excess = len(live) - (self.limit - 1)
        if excess <= 0:
            return None
        if self.behaviour == "deny":
            return _error(403, "sessionLimitExceeded", "There are too many sessions")
        live.sort(key=lambda s: self.last_refresh.get(s.id, s.started))
        for session in live[:excess]:
            tokens.end_session(session.id)
            self.last_refresh.pop(session.id, None)
        return None

    # -- logout, keys, discovery ---------------------------------------------------------------
    async def logout(self, request: web.Request) -> web.Response:
        """Keycloak's back-channel logout: ``client_id`` + ``refresh_token`` ends the session."""
        form = await _form(request)
        if isinstance(form, web.Response):
            return form
        client_error = _check_client(form)
        if client_error is not None:
            return client_error
        token = form.get("refresh_token")
        if not token:
            return _error(400, "invalid_request", "No refresh token")
        try:
            session = self.ctx.tokens.use_refresh(token)
        except TokenError as err:
            if err.reason == "invalid":
                return _error(400, "invalid_grant", BAD_REFRESH)
            # Keycloak checks the signature only: an expired token or a session already gone
            # is a successful (idempotent) logout.
            return _no_content()
        request[USER] = session.username
        self.ctx.tokens.end_session(session.id)
        self.last_refresh.pop(session.id, None)
        return _no_content()

    async def certs(self, request: web.Request) -> web.Response:
        return json_response(request, self.ctx.tokens.jwks(), catalogue_headers=False)

    async def discovery(self, request: web.Request) -> web.Response:
        return json_response(
            request, discovery_document(self.ctx.urls.identity), catalogue_headers=False
        )


def discovery_document(issuer: str) -> dict[str, Any]:
    """The realm's OpenID configuration, with the keys (and order) of CDSE's real document."""
    oidc = f"{issuer}/protocol/openid-connect"
    algs = ["PS384", "ES384", "RS384", "HS256", "HS512", "ES256", "RS256", "HS384", "ES512"]
    algs += ["PS256", "PS512", "RS512"]
    enc_algs = ["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"]
    enc = ["A256GCM", "A192GCM", "A128GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"]
    auth_methods = [
        "private_key_jwt",
        "client_secret_basic",
        "client_secret_post",
        "tls_client_auth",
        "client_secret_jwt",
    ]
    endpoints = {
        "token_endpoint": f"{oidc}/token",
        "revocation_endpoint": f"{oidc}/revoke",
        "introspection_endpoint": f"{oidc}/token/introspect",
        "device_authorization_endpoint": f"{oidc}/auth/device",
        "registration_endpoint": f"{issuer}/clients-registrations/openid-connect",
        "userinfo_endpoint": f"{oidc}/userinfo",
        "pushed_authorization_request_endpoint": f"{oidc}/ext/par/request",
        "backchannel_authentication_endpoint": f"{oidc}/ext/ciba/auth",
    }
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{oidc}/auth",
        "token_endpoint": endpoints["token_endpoint"],
        "introspection_endpoint": endpoints["introspection_endpoint"],
        "userinfo_endpoint": endpoints["userinfo_endpoint"],
        "end_session_endpoint": f"{oidc}/logout",
        "frontchannel_logout_session_supported": True,
        "frontchannel_logout_supported": True,
        "jwks_uri": f"{oidc}/certs",
        "check_session_iframe": f"{oidc}/login-status-iframe.html",
        "grant_types_supported": [
            "authorization_code",
            "implicit",
            "refresh_token",
            "password",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:device_code",
            "urn:openid:params:grant-type:ciba",
            "urn:ietf:params:oauth:grant-type:token-exchange",
        ],
        "acr_values_supported": ["0", "1"],
        "response_types_supported": [
            "code",
            "none",
            "id_token",
            "token",
            "id_token token",
            "code id_token",
            "code token",
            "code id_token token",
        ],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": algs,
        "id_token_encryption_alg_values_supported": enc_algs,
        "id_token_encryption_enc_values_supported": enc,
        "userinfo_signing_alg_values_supported": [*algs, "none"],
        "userinfo_encryption_alg_values_supported": enc_algs,
        "userinfo_encryption_enc_values_supported": enc,
        "request_object_signing_alg_values_supported": [*algs, "none"],
        "request_object_encryption_alg_values_supported": enc_algs,
        "request_object_encryption_enc_values_supported": enc,
        "response_modes_supported": [
            "query",
            "fragment",
            "form_post",
            "query.jwt",
            "fragment.jwt",
            "form_post.jwt",
            "jwt",
        ],
        "registration_endpoint": endpoints["registration_endpoint"],
        "token_endpoint_auth_methods_supported": auth_methods,
        "token_endpoint_auth_signing_alg_values_supported": algs,
        "introspection_endpoint_auth_methods_supported": auth_methods,
        "introspection_endpoint_auth_signing_alg_values_supported": algs,
        "authorization_signing_alg_values_supported": algs,
        "authorization_encryption_alg_values_supported": enc_algs,
        "authorization_encryption_enc_values_supported": enc,
        "claims_supported": [
            "aud",
            "sub",
            "iss",
            "auth_time",
            "name",
            "given_name",
            "family_name",
            "preferred_username",
            "email",
            "acr",
        ],
        "claim_types_supported": ["normal"],
        "claims_parameter_supported": True,
        "scopes_supported": [
            "openid",
            "additional_scope",
            "acr",
            "web-origins",
            "microprofile-jwt",
            "AUDIENCE_PUBLIC",
            "phone",
            "zipper_session_scope",
            "Geographic_origin",
            "address",
            "openid",  # listed twice in CDSE's document too
            "email",
            "ondemand_processing",
            "offline_access",
            "roles",
            "profile",
            "user-context",
        ],
        "request_parameter_supported": True,
        "request_uri_parameter_supported": True,
        "require_request_uri_registration": True,
        "code_challenge_methods_supported": ["plain", "S256"],
        "tls_client_certificate_bound_access_tokens": True,
        "revocation_endpoint": endpoints["revocation_endpoint"],
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_signing_alg_values_supported": algs,
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "device_authorization_endpoint": endpoints["device_authorization_endpoint"],
        "backchannel_token_delivery_modes_supported": ["poll", "ping"],
        "backchannel_authentication_endpoint": endpoints["backchannel_authentication_endpoint"],
        "backchannel_authentication_request_signing_alg_values_supported": [
            a for a in algs if not a.startswith("HS")
        ],
        "require_pushed_authorization_requests": False,
        "pushed_authorization_request_endpoint": endpoints["pushed_authorization_request_endpoint"],
        "mtls_endpoint_aliases": endpoints,
    }


# -- helpers ---------------------------------------------------------------------------------------
async def _form(request: web.Request) -> dict[str, str] | web.Response:
    """The urlencoded form as a dict; Keycloak rejects a parameter given twice."""
    if request.content_type != "application/x-www-form-urlencoded":
        # Keycloak reads no parameters from another body type, so the grant_type is "missing".
        return _error(400, "invalid_request", "Missing form parameter: grant_type")
    data = await request.post()
    form: dict[str, str] = {}
    for key in data:
        values = data.getall(key)
        if len(values) > 1:
            return _error(400, "invalid_request", "duplicated parameter")
        form[key] = str(values[0])
    return form


def _check_client(form: Mapping[str, str]) -> web.Response | None:
    client_id = form.get("client_id")
    if not client_id:
        return _error(400, "invalid_client", "Missing client_id parameter")
    if client_id != CLIENT_ID:
        return _error(401, "invalid_client", BAD_CLIENT)
    return None


def _find_account(accounts: Mapping[str, Account], username: str) -> Account | None:
    """Keycloak finds users by username or e-mail, case-insensitively."""
    wanted = username.casefold()
    for account in list(accounts.values()):
        if account.username.casefold() == wanted:
            return account
    return None


def _seconds(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _remaining(end: float, lifetime: float) -> int | float:
    """Seconds left until ``end``: whole as on CDSE (3600 right after a login), unless the
    emulator runs with a fractional lifetime (then to the millisecond)."""
    left = max(0.0, end - time.time())
    return round(left) if float(lifetime).is_integer() else round(left, 3)


def _json(status: int, body: dict[str, Any], headers: dict[str, str]) -> web.Response:
    return web.Response(
        body=orjson.dumps(body), status=status, content_type="application/json", headers=headers
    )


def _error(status: int, error: str, description: str) -> web.Response:
    """Keycloak's OAuth2 error body; security headers as on the recorded success [unverified]."""
    response = _json(
        status, {"error": error, "error_description": description}, dict(_SECURITY_HEADERS)
    )
    response.headers.add("Set-Cookie", _SERVER_COOKIE)
    return response


def _no_content() -> web.Response:
    response = web.Response(status=204, headers=dict(_SECURITY_HEADERS))
    response.headers.add("Set-Cookie", _SERVER_COOKIE)
    return response
