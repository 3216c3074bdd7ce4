"""CLMS service keys and tokens: the JWT bearer grant, expiry, revocation (ftw.tokenauth rules)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import jwt

from . import test_land_support as support
from .test_land_support import Clms, cut

# the fixtures, by name
clms = support.clms
land_emulator = support.land_emulator


def test_service_key_is_shaped_as_the_portal_shows_it(clms: Clms):
    key = clms.key
    assert list(key) == [
        "client_id",
        "ip_range",
        "issued",
        "key_id",
        "private_key",
        "title",
        "token_uri",
        "user_id",
    ]
    assert len(key["client_id"]) == 32 and len(key["key_id"]) == 40 and key["ip_range"] is None
    assert key["private_key"].startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    assert key["token_uri"] == clms.api.removesuffix("/api") + "/@@oauth2-token"
    path = Path(clms.emu.env()["CDSE_CLMS_SERVICE_KEY"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().count(key["client_id"]) == 1


def test_grant_gives_an_opaque_bearer_token(clms: Clms):
    response = clms.exchange(clms.grant())
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert list(body) == ["access_token", "expires_in", "token_type"]
    assert body["expires_in"] == 3600 and body["token_type"] == "Bearer"
    assert len(body["access_token"]) == 88  # 64 random bytes, urlsafe base64
    assert clms.get("@datarequest_search", token=body["access_token"]).status_code == 200


def test_bad_grants_are_refused_as_ftw_tokenauth_does(clms: Clms, land_emulator):
    other = land_emulator.land.issue_key()
    now = int(land_emulator.land.clock.now())
    cases = {
        "No associated key found": clms.grant(iss="0" * 32),
        "Signature verification failed": clms.grant(  # signed with another key's private key
            key={**clms.key, "private_key": other["private_key"]}
        ),
        "Signature has expired": clms.grant(iat=now - 1800, exp=now - 10),
        "JWT expiration is more than an hour after its issue time": clms.grant(exp=now + 7200),
        "JWT issue time is in the future": clms.grant(iat=now + 600, exp=now + 900),
        "Missing 'iat' claim": clms.grant(iat=None),
        "Audience doesn't match": clms.grant(aud="https://land.copernicus.eu/@@oauth2-token"),
    }
    for message, assertion in cases.items():
        response = clms.exchange(assertion)
        assert response.status_code == 400, message
        assert response.json() == {"error": "invalid_grant", "error_description": message}
    hs256 = jwt.encode({"iss": clms.key["client_id"]}, "s" * 32, algorithm="HS256")
    assert clms.exchange(hs256).json() == {
        "error": "invalid_request",
        "error_description": "Only RS256 signature algorithm is supported",
    }
    response = clms.http.post(clms.key["token_uri"], data={"assertion": clms.grant()})
    assert response.json()["error_description"] == "Missing 'grant_type'"
    assert clms.http.get(clms.key["token_uri"]).status_code == 405


def test_expired_token_answers_access_token_expired_everywhere(clms: Clms, land_emulator):
    token = clms.token
    land_emulator.land.expire_tokens()
    expired = {"error": "invalid_token", "error_description": "Access token expired"}
    for response in (
        clms.get("@datarequest_search", token=token),
        clms.get("@search", token=token, portal_type="DataSet"),  # even anonymous services
        clms.post([cut(BoundingBox=[7.6, 45.0, 7.7, 45.1])], token=token),
        clms.http.post(
            clms.key["token_uri"],
            headers={"Authorization": f"Bearer {token}"},
            data={"grant_type": "x"},
        ),  # the docs: send no Authorization there
    ):
        assert response.status_code == 401
        assert response.json() == expired
    fresh = clms.exchange(clms.grant()).json()["access_token"]
    assert clms.get("@datarequest_search", token=fresh).status_code == 200


def test_token_lifetime_is_configurable(clms: Clms, land_emulator):
    land_emulator.land.token_lifetime = 60
    body = clms.exchange(clms.grant()).json()
    assert body["expires_in"] == 60
    land_emulator.land.clock.advance(61)
    response = clms.get("@datarequest_search", token=body["access_token"])
    assert response.json()["error_description"] == "Access token expired"


def test_revoked_key_grants_nothing_and_its_tokens_stop(clms: Clms, land_emulator):
    key = land_emulator.land.issue_key(title="revoke me")
    other = Clms(land_emulator, key)
    token = other.token
    assert other.get("@datarequest_search", token=token).status_code == 200
    land_emulator.land.revoke_key(key["client_id"])
    refused = other.exchange(other.grant())
    assert refused.status_code == 400
    assert refused.json()["error_description"] == "No associated key found"
    anonymous = other.get("@datarequest_search", token=token)  # an unknown token: anonymous
    assert anonymous.status_code == 401
    assert anonymous.json()["type"] == "Unauthorized"
    assert clms.get("@datarequest_search").status_code == 200  # the demo key still works


def test_protected_services_need_a_user(clms: Clms):
    for response in (
        clms.get("@datarequest_search", token=None),
        clms.post([cut(NUTS="ITC11")], token=None),
        clms.get("@get-download-file-urls", token=None, dataset_uid="x"),
    ):
        assert response.status_code == 401
    assert clms.get("@search", token=None, portal_type="DataSet").status_code == 200


def test_key_file_is_private_and_removed_at_stop(cdse_emulator_factory):
    emu = cdse_emulator_factory(s3=False, deliver="showcase", land={"token_lifetime": 5})
    path = Path(emu.env()["CDSE_CLMS_SERVICE_KEY"])
    assert path.is_file() and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert emu.env()["CDSE_CLMS_URL"].endswith("/api")
    emu.stop()
    assert not path.exists() and not os.path.exists(path.parent)
