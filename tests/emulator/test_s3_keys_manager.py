"""The emulated S3 keys manager over HTTP (cdse-api.md §6), and the client-credentials grant
of the identity service (§3), without the client."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

CLIENT_ID = "sh-11111111-2222-4333-8444-555555555555"


def call(method: str, url: str, token: str | None = None, form: dict | None = None):
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if form is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as err:
        raw = err.read()
        return err.code, json.loads(raw) if raw else None


def token_of(emu, **form) -> tuple[int, dict]:
    return call("POST", f"{emu.endpoints.identity}/protocol/openid-connect/token", form=form)


@pytest.fixture
def user_token(emu) -> str:
    status, body = token_of(
        emu, client_id="cdse-public", grant_type="password", username=emu.username,
        password=emu.password,
    )  # fmt: skip
    assert status == 200
    return body["access_token"]


def test_create_list_delete(emu, user_token):
    url = f"{emu.endpoints.keys_manager}/api/user/credentials"
    store = emu.state.temporary_keys
    status, made = call("POST", url, user_token)
    assert status == 200 and set(made) == {"access_id", "secret", "expiration_date"}
    assert made["access_id"] in store.of(emu.username)
    assert store.secret_for(made["access_id"]) == made["secret"]  # S3 accepts it
    status, listed = call("GET", url, user_token)
    assert status == 200 and [k["access_id"] for k in listed] == [made["access_id"]]
    assert "secret" not in listed[0]
    gone = f"{url}/access_id/{made['access_id']}"
    assert call("DELETE", gone, user_token) == (204, None)
    assert store.secret_for(made["access_id"]) is None
    assert call("DELETE", gone, user_token)[0] == 404


def test_refusals(emu, user_token):
    url = f"{emu.endpoints.keys_manager}/api/user/credentials"
    assert call("POST", url) == (401, {"detail": "Not authenticated"})
    assert call("POST", url, "not-a-token")[0] == 401
    store = emu.state.temporary_keys
    store.limit = 2
    try:
        made = [call("POST", url, user_token)[1] for _ in range(2)]
        assert call("POST", url, user_token) == (
            403,
            {"detail": "Max number of credentials reached"},
        )
    finally:
        store.limit = 10
        for key in made:
            call("DELETE", f"{url}/access_id/{key['access_id']}", user_token)
    assert store.of() == []


def test_activation_lag(emu, user_token):
    store = emu.state.temporary_keys
    store.activation_lag = 30
    try:
        status, made = call(
            "POST", f"{emu.endpoints.keys_manager}/api/user/credentials", user_token
        )
        assert status == 200 and store.secret_for(made["access_id"]) is None  # not yet
    finally:
        store.activation_lag = 0
        call(
            "DELETE",
            f"{emu.endpoints.keys_manager}/api/user/credentials/access_id/{made['access_id']}",
            user_token,
        )


def test_client_credentials_grant(emu):
    emu.state.add_client(CLIENT_ID, "the-secret")
    status, body = token_of(
        emu, grant_type="client_credentials", client_id=CLIENT_ID, client_secret="the-secret"
    )
    assert status == 200 and body["refresh_expires_in"] == 0 and "refresh_token" not in body
    assert body["token_type"] == "Bearer"
    bad = token_of(emu, grant_type="client_credentials", client_id=CLIENT_ID, client_secret="x")
    assert bad[0] == 401 and bad[1]["error"] == "invalid_client"
    public = token_of(emu, grant_type="client_credentials", client_id="cdse-public")
    assert public[0] == 401 and public[1]["error"] == "unauthorized_client"
    # The keys manager is for users: a service client's token is refused.
    url = f"{emu.endpoints.keys_manager}/api/user/credentials"
    assert call("POST", url, body["access_token"])[0] == 401
