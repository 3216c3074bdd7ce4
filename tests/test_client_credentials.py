"""OAuth service clients (client_credentials): searches work, downloads fail with DAT-ZIP-609.

End to end on the emulator, whose identity service knows ``sh-`` clients and whose download
service refuses their tokens' audience as CDSE does (cdse-api.md §2.3, §3).
"""

from __future__ import annotations

import logging
import pickle

import pytest

import cdse_intake
from cdse_intake.auth import ClientCredentials, Credentials, TokenProvider
from cdse_intake.config import Endpoints, Settings
from cdse_intake.downloads import download
from cdse_intake.emulator import Emulator
from cdse_intake.errors import AuthenticationError, ConfigurationError, CredentialsMissing

from .test_download_common import materialised

CLIENT_ID = "sh-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
SECRET = "client-secret-Zq9xW2"


@pytest.fixture(scope="module")
def emu():
    with Emulator(scale=0.02, deliver="all") as emulator:
        emulator.state.add_client(CLIENT_ID, SECRET)
        yield emulator


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", retries=3, timeout=10)


@pytest.fixture
def client_env(emu, monkeypatch) -> None:
    """Only the service client in the environment: no account, no S3 keys."""
    for name, value in emu.env().items():
        if name not in {"CDSE_USERNAME", "CDSE_PASSWORD", "CDSE_S3_ACCESS_KEY"}:
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("CDSE_S3_SECRET_KEY", raising=False)
    monkeypatch.setenv("CDSE_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("CDSE_CLIENT_SECRET", SECRET)


TOKEN_PATH = "/auth/realms/CDSE/protocol/openid-connect/token"


def grants(emu, kind: str) -> int:
    return len(emu.state.requests(path=TOKEN_PATH, grant_type=kind))


def value_requests(emu, product, **match) -> list:
    wanted = f"/odata/v1/Products({product.id})/$value"
    return [r for r in emu.state.requests(**match) if r.path == wanted]


def test_a_client_credentials_token_and_a_search(emu, settings):
    before = grants(emu, "client_credentials")
    tokens = TokenProvider(ClientCredentials(CLIENT_ID, SECRET), emu.endpoints, settings)
    assert tokens.get_token() and tokens.is_client and tokens.username == CLIENT_ID
    assert tokens.pending_grant is None  # fresh: no request for the next call
    tokens.get_token()
    assert grants(emu, "client_credentials") == before + 1
    results = cdse_intake.search("SENTINEL-2", limit=3, endpoints=emu.endpoints, cache=False)
    assert len(list(results)) == 3


def test_expiry_makes_a_new_client_grant_not_a_refresh(emu, settings):
    tokens = TokenProvider(ClientCredentials(CLIENT_ID, SECRET), emu.endpoints, settings)
    first = tokens.get_token()
    tokens.invalidate(first)
    assert tokens.pending_grant == "password"  # "a new grant": there is no refresh token
    before = grants(emu, "client_credentials")
    assert tokens.get_token() != first
    assert grants(emu, "client_credentials") == before + 1
    assert not emu.state.requests(path=TOKEN_PATH, user=CLIENT_ID, status=400)


def test_a_download_fails_with_609_saying_what_to_do_and_is_not_retried(emu, settings):
    product = next(p for p in materialised(emu) if p.size < 2_000_000)
    before_grants = grants(emu, "client_credentials")
    before = len(value_requests(emu, product))
    report = download(
        product,
        progress=False,
        settings=settings,
        endpoints=emu.endpoints,
        credentials=ClientCredentials(CLIENT_ID, SECRET),
    )
    [outcome] = report.failed
    reason = str(outcome.reason)
    assert "DAT-ZIP-609" in reason and "Token audience not allowed" in reason
    for hint in ("CDSE_USERNAME", "CDSE_PASSWORD", "via='s3'", "CDSE_S3_ACCESS_KEY"):
        assert hint in reason
    refused = value_requests(emu, product, status=401)
    # One redirect on the catalogue host, one refusal on the download host; no retry storm.
    assert len(value_requests(emu, product)) - before <= 2
    assert len(refused) == 1
    assert grants(emu, "client_credentials") - before_grants == 1
    assert SECRET not in reason


def test_the_environment_s_client_is_used_when_no_account_is_given(emu, settings, client_env):
    product = next(p for p in materialised(emu) if p.size < 2_000_000)
    report = download(product, progress=False, settings=settings)
    [outcome] = report.failed
    assert "DAT-ZIP-609" in str(outcome.reason)
    assert emu.state.requests(path=TOKEN_PATH, user=CLIENT_ID)


def test_a_wrong_secret_is_invalid_client_once(emu, settings):
    tokens = TokenProvider(ClientCredentials(CLIENT_ID, "wrong"), emu.endpoints, settings)
    with pytest.raises(AuthenticationError) as caught:
        tokens.get_token()
    err = caught.value
    assert err.status == 401 and err.code == "invalid_client"
    assert CLIENT_ID in str(err) and "secret" in str(err) and "wrong" not in str(err)
    before = grants(emu, "client_credentials")
    with pytest.raises(AuthenticationError):
        tokens.get_token()  # remembered: no second request that cannot succeed
    assert grants(emu, "client_credentials") == before
    unknown = TokenProvider(ClientCredentials("sh-unknown", SECRET), emu.endpoints, settings)
    with pytest.raises(AuthenticationError, match=r"invalid_client|Invalid client"):
        unknown.get_token()


@pytest.mark.parametrize(
    ("client_id", "secret", "named"),
    [("", SECRET, "client_id"), ("  ", SECRET, "client_id"), (CLIENT_ID, "", CLIENT_ID)],
)
def test_bad_client_credentials_are_refused_before_any_request(client_id, secret, named):
    with pytest.raises(ConfigurationError, match=named):
        ClientCredentials(client_id, secret)


def test_where_client_credentials_come_from(emu, monkeypatch, tmp_path):
    identity = emu.endpoints.identity
    with pytest.raises(CredentialsMissing, match="CDSE_CLIENT_ID") as caught:
        ClientCredentials.resolve(identity_url=identity)
    assert "CDSE_CLIENT_SECRET" in str(caught.value)
    monkeypatch.setenv("CDSE_CLIENT_ID", CLIENT_ID)
    with pytest.raises(CredentialsMissing, match="CDSE_CLIENT_SECRET is not set"):
        ClientCredentials.resolve(identity_url=identity)
    monkeypatch.setenv("CDSE_CLIENT_SECRET", SECRET)
    found = ClientCredentials.resolve(identity_url=identity)
    assert found == ClientCredentials(CLIENT_ID, SECRET) and "environment" in found.source
    monkeypatch.delenv("CDSE_CLIENT_ID")
    monkeypatch.delenv("CDSE_CLIENT_SECRET")
    # .netrc: a line whose login is a client id is the client's, never a password login
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {CLIENT_ID} password {SECRET}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    assert ClientCredentials.resolve(identity_url=identity).client_id == CLIENT_ID
    with pytest.raises(CredentialsMissing):
        Credentials.resolve(identity_url=identity)
    with pytest.raises(ConfigurationError, match="without its client_id"):
        ClientCredentials.resolve(client_secret=SECRET)


def test_the_secret_never_shows(emu, settings, caplog, monkeypatch):
    monkeypatch.setenv("CDSE_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("CDSE_CLIENT_SECRET", SECRET)
    caplog.set_level(logging.DEBUG)
    creds = ClientCredentials(CLIENT_ID, SECRET)
    tokens = TokenProvider(creds, emu.endpoints, settings)
    token = tokens.get_token()
    for text in (repr(creds), str(creds), repr(tokens), caplog.text):
        assert SECRET not in text and token not in text
    for blob in (pickle.dumps(creds), pickle.dumps(tokens)):
        assert SECRET.encode() not in blob and token.encode() not in blob
    again = pickle.loads(pickle.dumps(tokens))  # the secret is found in this environment
    assert again.is_client and again.get_token()
    assert pickle.loads(pickle.dumps(creds)) == creds
    assert Endpoints.coerce(emu.endpoints).keys_manager == emu.endpoints.keys_manager


def test_via_s3_a_service_client_gets_no_temporary_keys(emu, settings, client_env):
    product = next(p for p in materialised(emu) if p.name.endswith(".EOF"))
    report = download(product, via="s3", progress=False, settings=settings)
    [outcome] = report.failed
    assert "S3 keys manager refused" in str(outcome.reason)
    assert "e-mail/password" in str(outcome.reason)
    assert emu.state.temporary_keys.of() == []


def test_cdse_filesystems_with_a_service_client(emu, settings):
    from fsspec import AbstractFileSystem

    from cdse_intake.fs import CDSEFileSystem

    client = ClientCredentials(CLIENT_ID, SECRET)
    fs = CDSEFileSystem(credentials=client, endpoints=emu.endpoints, settings=settings)
    text = fs.to_json()
    assert CLIENT_ID in text and SECRET not in text
    again = AbstractFileSystem.from_json(text)  # this process remembers the client's secret
    product = next(p for p in materialised(emu) if p.name.endswith(".EOF"))
    for each in (fs, again):
        with pytest.raises(PermissionError, match="DAT-ZIP-609"):
            each.cat_file(product.id, start=0, end=10)
