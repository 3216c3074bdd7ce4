"""The emulated Keycloak realm: grants, Keycloak's error bodies, TOTP, sessions, discovery, JWKS.

Spoken to over HTTP with urllib only (no cdse_intake client code), as any client would.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator

import jwt
import pyotp
import pytest

from cdse_intake.emulator import identity
from cdse_intake.emulator.server import Emulator

TOKEN = "/protocol/openid-connect/token"
LOGOUT = "/protocol/openid-connect/logout"
TOKEN_PATH = "/auth/realms/CDSE" + TOKEN
REAL_ISSUER = "https://identity.dataspace.copernicus.eu/auth/realms/CDSE"
KEY_ORDER = [
    "access_token",
    "expires_in",
    "refresh_expires_in",
    "refresh_token",
    "token_type",
    "not-before-policy",
    "session_state",
    "scope",
]


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(s3=False) as emulator:
        yield emulator


def call(
    emu: Emulator,
    path: str,
    form: dict[str, str] | list[tuple[str, str]] | None = None,
    *,
    body: bytes | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> tuple[int, object, bytes]:
    data = body if body is not None else urllib.parse.urlencode(form or {}).encode()
    request = urllib.request.Request(
        emu.urls.identity + path,
        data=data if form is not None or body is not None else None,
        headers={"Content-Type": content_type},
        method="POST" if form is not None or body is not None else "GET",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def login(emu: Emulator, username: str | None = None, password: str | None = None, **extra: str):
    form = {
        "client_id": "cdse-public",
        "username": username or emu.username,
        "password": password or emu.password,
        "grant_type": "password",
        **extra,
    }
    return call(emu, TOKEN, form)


def refresh(emu: Emulator, refresh_token: str):
    form = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": "cdse-public",
    }
    return call(emu, TOKEN, form)


def new_user(emu: Emulator, **kw) -> tuple[str, str]:
    username, password = f"{uuid.uuid4().hex[:8]}@example.org", uuid.uuid4().hex
    emu.add_account(username, password, **kw)
    return username, password


def error_body(error: str, description: str) -> bytes:
    return json.dumps(
        {"error": error, "error_description": description}, separators=(",", ":")
    ).encode()


# -- password and refresh grants ------------------------------------------------------------------
def test_password_grant_body_and_headers_match_cdse(emu: Emulator):
    emu.state.reset_counters()
    status, headers, raw = login(emu)
    assert status == 200
    body = json.loads(raw)
    assert list(body) == KEY_ORDER
    assert body["expires_in"] == 600 and body["refresh_expires_in"] == 3600
    assert body["token_type"] == "Bearer" and body["not-before-policy"] == 0
    assert body["scope"] == "AUDIENCE_PUBLIC openid email profile ondemand_processing user-context"
    uuid.UUID(body["session_state"])
    assert jwt.get_unverified_header(body["refresh_token"])["alg"] == "HS256"
    assert headers["cache-control"] == "no-store"
    assert headers["pragma"] == "no-cache"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "ALLOW-FROM https://www.google.com"
    assert headers["content-type"] == "application/json"
    cookies = [c.split("=", 1)[0] for c in headers.get_all("set-cookie")]
    assert cookies == ["KEYCLOAK_LOCALE", "KC_RESTART", "KC_AUTH_STATE", "SERVERID"]
    (record,) = emu.state.requests(path=TOKEN_PATH)
    assert (record.user, record.grant_type, record.status) == (emu.username, "password", 200)


def test_access_token_verifies_against_the_published_jwks(emu: Emulator):
    body = json.loads(login(emu)[2])
    status, _, raw = call(emu, "/protocol/openid-connect/certs")
    assert status == 200
    keys = jwt.PyJWKSet.from_dict(json.loads(raw))
    kid = jwt.get_unverified_header(body["access_token"])["kid"]
    (key,) = [k for k in keys.keys if k.key_id == kid]
    claims = jwt.decode(
        body["access_token"],
        key.key,
        algorithms=["RS256"],
        audience="CLOUDFERRO_PUBLIC",
        issuer=emu.urls.identity,
    )
    assert claims["azp"] == "cdse-public" and claims["typ"] == "Bearer"
    assert claims["preferred_username"] == emu.username
    assert claims["session_state"] == body["session_state"]
    assert claims["exp"] - claims["iat"] == 600


def test_refresh_grant_keeps_the_session_and_its_end(emu: Emulator):
    first = json.loads(login(emu)[2])
    emu.state.reset_counters()
    status, headers, raw = refresh(emu, first["refresh_token"])
    assert status == 200 and headers["cache-control"] == "no-store"
    second = json.loads(raw)
    assert list(second) == KEY_ORDER
    assert second["session_state"] == first["session_state"]
    assert second["access_token"] != first["access_token"]
    assert 3598 <= second["refresh_expires_in"] <= first["refresh_expires_in"]
    emu.tokens.verify_access(second["access_token"])
    (record,) = emu.state.requests(path=TOKEN_PATH)
    assert (record.user, record.grant_type) == (emu.username, "refresh_token")


def test_username_is_case_insensitive_like_keycloak(emu: Emulator):
    status, _, raw = login(emu, emu.username.upper())
    assert status == 200
    assert json.loads(raw)["access_token"]


def test_fractional_test_lifetimes_are_reported_exactly(cdse_emulator_factory):
    emu = cdse_emulator_factory(access_lifetime=2, refresh_lifetime=5.5, s3=False)
    body = json.loads(login(emu)[2])
    assert body["expires_in"] == 2
    assert 5.4 <= body["refresh_expires_in"] <= 5.5


# -- errors: Keycloak's exact bodies --------------------------------------------------------------
OK = {"client_id": "cdse-public", "grant_type": "password"}


@pytest.mark.parametrize(
    ("form", "status", "error", "description"),
    [
        ({**OK, "password": "wrong"}, 401, "invalid_grant", "Invalid user credentials"),
        (
            {**OK, "username": "nobody@example.org"},
            401,
            "invalid_grant",
            "Invalid user credentials",
        ),
        ({**OK, "username": None}, 401, "invalid_request", "Missing parameter: username"),
        ({**OK, "password": None}, 401, "invalid_grant", "Invalid user credentials"),
        (
            {**OK, "client_id": "sh-1234"},
            401,
            "invalid_client",
            "Invalid client or Invalid client credentials",
        ),
        ({**OK, "client_id": None}, 400, "invalid_client", "Missing client_id parameter"),
        ({**OK, "grant_type": None}, 400, "invalid_request", "Missing form parameter: grant_type"),
        ({**OK, "grant_type": "magic"}, 400, "unsupported_grant_type", "Unsupported grant_type"),
        (
            {**OK, "grant_type": "client_credentials"},
            401,
            "unauthorized_client",
            "Public client not allowed to retrieve service account",
        ),
        (
            {**OK, "grant_type": "refresh_token"},
            400,
            "invalid_request",
            "Missing form parameter: refresh_token",
        ),
        (
            {**OK, "grant_type": "refresh_token", "refresh_token": "not.a.token"},
            400,
            "invalid_grant",
            "Invalid refresh token",
        ),
    ],
)
def test_token_errors(emu: Emulator, form, status, error, description):
    full = {"username": emu.username, "password": emu.password, **form}
    full = {k: v for k, v in full.items() if v is not None}
    got_status, headers, raw = call(emu, TOKEN, full)
    assert (got_status, raw) == (status, error_body(error, description))
    assert headers["content-type"] == "application/json"


def test_non_form_body_and_duplicated_parameters_are_invalid_requests(emu: Emulator):
    body = json.dumps({"grant_type": "password"}).encode()
    status, _, raw = call(emu, TOKEN, body=body, content_type="application/json")
    assert (status, raw) == (
        400,
        error_body("invalid_request", "Missing form parameter: grant_type"),
    )
    form = [
        ("client_id", "cdse-public"),
        ("grant_type", "password"),
        ("username", emu.username),
        ("password", "a"),
        ("password", emu.password),
    ]
    status, _, raw = call(emu, TOKEN, form)
    assert (status, raw) == (400, error_body("invalid_request", "duplicated parameter"))


def test_refresh_token_past_the_session_end_is_not_active(emu: Emulator):
    body = json.loads(login(emu)[2])
    # The session reached its 60-minute end (without waiting an hour).
    emu.tokens.sessions[body["session_state"]].refresh_expires = time.time() - 1
    status, _, raw = refresh(emu, body["refresh_token"])
    assert (status, raw) == (400, error_body("invalid_grant", "Token is not active"))


def test_refresh_token_is_refused_once_the_session_is_gone(emu: Emulator):
    body = json.loads(login(emu)[2])
    emu.tokens.end_session(body["session_state"])
    status, _, raw = refresh(emu, body["refresh_token"])
    assert (status, raw) == (400, error_body("invalid_grant", "Session not active"))


def test_refresh_token_of_another_emulator_is_invalid(emu: Emulator, cdse_emulator_factory):
    other = cdse_emulator_factory(s3=False)
    foreign = json.loads(login(other)[2])["refresh_token"]
    status, _, raw = refresh(emu, foreign)
    assert (status, raw) == (400, error_body("invalid_grant", "Invalid refresh token"))


# -- TOTP -----------------------------------------------------------------------------------------
def test_two_factor_account_needs_a_valid_totp(emu: Emulator):
    secret = pyotp.random_base32()
    username, password = new_user(emu, totp_secret=secret)
    totp = pyotp.TOTP(secret)
    refused = (401, error_body("invalid_grant", "Invalid user credentials"))
    assert login(emu, username, password)[::2] == refused  # no code: eodag#1538
    now = time.time()
    valid = {totp.at(now + step * 30) for step in (-1, 0, 1)}
    wrong = next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in valid)
    assert login(emu, username, password, totp=wrong)[::2] == refused
    assert login(emu, username, password, totp="abcdef")[::2] == refused
    assert login(emu, username, "bad", totp=totp.now())[::2] == refused
    assert login(emu, username, password, totp=totp.now())[0] == 200
    # valid_window=1: the previous step's code still works (clock skew), older ones do not
    assert login(emu, username, password, totp=totp.at(now - 30))[0] == 200
    old = totp.at(now - 120)
    if old not in valid:
        assert login(emu, username, password, totp=old)[::2] == refused


# -- logout ---------------------------------------------------------------------------------------
def test_logout_ends_the_session(emu: Emulator):
    body = json.loads(login(emu)[2])
    form = {"client_id": "cdse-public", "refresh_token": body["refresh_token"]}
    status, _, raw = call(emu, LOGOUT, form)
    assert (status, raw) == (204, b"")
    assert body["session_state"] not in emu.tokens.sessions
    assert refresh(emu, body["refresh_token"])[::2] == (
        400,
        error_body("invalid_grant", "Session not active"),
    )
    assert call(emu, LOGOUT, form)[0] == 204  # idempotent
    bad = {"client_id": "cdse-public", "refresh_token": "x.y.z"}
    assert call(emu, LOGOUT, bad)[::2] == (
        400,
        error_body("invalid_grant", "Invalid refresh token"),
    )
    missing = {"client_id": "cdse-public"}
    assert call(emu, LOGOUT, missing)[::2] == (
        400,
        error_body("invalid_request", "No refresh token"),
    )


# -- the 100-session cap (§2.4) -------------------------------------------------------------------
def user_sessions(emu: Emulator, username: str) -> set[str]:
    return {s.id for s in list(emu.tokens.sessions.values()) if s.username == username}


def test_session_cap_terminates_the_least_recently_refreshed_session(emu: Emulator):
    username, password = new_user(emu)
    bodies = [json.loads(login(emu, username, password)[2]) for _ in range(100)]
    assert len(user_sessions(emu, username)) == 100
    # refreshing the oldest makes the second oldest the one Keycloak terminates
    assert refresh(emu, bodies[0]["refresh_token"])[0] == 200
    assert login(emu, username, password)[0] == 200
    sessions = user_sessions(emu, username)
    assert len(sessions) == 100
    assert bodies[0]["session_state"] in sessions
    assert bodies[1]["session_state"] not in sessions
    assert refresh(emu, bodies[1]["refresh_token"])[::2] == (
        400,
        error_body("invalid_grant", "Session not active"),
    )
    assert refresh(emu, bodies[2]["refresh_token"])[0] == 200
    # other users are not affected
    assert login(emu)[0] == 200


def test_session_cap_can_deny_new_logins(monkeypatch, cdse_emulator_factory):
    monkeypatch.setattr(identity, "SESSION_LIMIT", 3)
    monkeypatch.setattr(identity, "SESSION_LIMIT_BEHAVIOUR", "deny")
    emu = cdse_emulator_factory(s3=False)
    bodies = [json.loads(login(emu)[2]) for _ in range(3)]
    assert login(emu)[::2] == (
        403,
        error_body("sessionLimitExceeded", "There are too many sessions"),
    )
    assert refresh(emu, bodies[0]["refresh_token"])[0] == 200  # existing sessions live on
    form = {"client_id": "cdse-public", "refresh_token": bodies[0]["refresh_token"]}
    assert call(emu, LOGOUT, form)[0] == 204
    assert login(emu)[0] == 200


def test_expired_sessions_do_not_count(monkeypatch, cdse_emulator_factory):
    monkeypatch.setattr(identity, "SESSION_LIMIT", 2)
    monkeypatch.setattr(identity, "SESSION_LIMIT_BEHAVIOUR", "deny")
    emu = cdse_emulator_factory(s3=False)
    bodies = [json.loads(login(emu)[2]) for _ in range(2)]
    for body in bodies:
        emu.tokens.sessions[body["session_state"]].refresh_expires = time.time() - 1
    assert login(emu)[0] == 200
    assert len(user_sessions(emu, emu.username)) == 1


# -- discovery and keys ---------------------------------------------------------------------------
def test_discovery_document_mirrors_cdse(emu: Emulator, reference_dir):
    status, headers, raw = call(emu, "/.well-known/openid-configuration")
    assert status == 200 and headers["content-type"] == "application/json"
    doc = json.loads(raw)
    real_text = (reference_dir / "samples/api/CDSETool/openid-configuration.json").read_text()
    real = json.loads(real_text.replace(REAL_ISSUER, emu.urls.identity))
    assert list(doc) == list(real)
    assert doc == real
    assert doc["issuer"] == emu.urls.identity
    assert doc["token_endpoint"] == emu.urls.identity + TOKEN
    assert call(emu, doc["jwks_uri"].removeprefix(emu.urls.identity))[0] == 200


def test_jwks_has_the_signing_key(emu: Emulator):
    status, _, raw = call(emu, "/protocol/openid-connect/certs")
    assert status == 200
    (key,) = json.loads(raw)["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert key["kid"] == emu.tokens.kid


def test_unknown_behaviour_setting_is_refused(monkeypatch):
    monkeypatch.setattr(identity, "SESSION_LIMIT_BEHAVIOUR", "shrug")
    with pytest.raises(ValueError, match="'shrug'; expected 'terminate_oldest' or 'deny'"):
        identity.routes(None)
