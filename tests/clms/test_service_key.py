"""CLMS service keys: clear errors that never show the key, the JWT grant's claims, pickles."""

from __future__ import annotations

import copy
import pickle
import traceback

import pytest

from cdse_intake.auth.service_key import GRANT_LIFETIME, ServiceKey, ServiceKeyTokens
from cdse_intake.errors import ConfigurationError, ServiceKeyError

from .conftest import key_dict


def _body(pem: str) -> str:
    """A piece of the key's base64 body: what must never appear anywhere."""
    return pem.splitlines()[5]


def test_a_key_loads_and_shows_only_its_file_and_client(key_file, pem):
    path = key_file()
    key = ServiceKey.load(path)
    assert (key.client_id, key.user_id) == ("36cf0c684995c843b580f3110eb29765", "n00015mf")
    text = repr(key) + str(key) + repr(ServiceKeyTokens(key))
    assert str(path) in text and _body(pem) not in text
    blob = pickle.dumps(key)
    assert _body(pem).encode() not in blob and str(path).encode() in blob
    again = pickle.loads(blob)
    assert again.client_id == key.client_id and again.grant()  # the file was read again
    assert copy.deepcopy(key) is key
    assert _body(pem).encode() not in pickle.dumps(ServiceKeyTokens(path))


def test_the_grant_has_the_claims_clms_checks(key_file, pem):
    import jwt
    from cryptography.hazmat.primitives import serialization

    key = ServiceKey.load(key_file())
    grant = key.grant(now=1_700_000_000)
    assert jwt.get_unverified_header(grant)["alg"] == "RS256"
    public = serialization.load_pem_private_key(pem.encode(), None).public_key()
    claims = jwt.decode(
        grant,
        public,
        algorithms=["RS256"],
        audience=key.token_uri,
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims == {
        "iss": key.client_id,
        "sub": key.user_id,
        "aud": key.token_uri,
        "iat": 1_700_000_000,
        "exp": 1_700_000_000 + GRANT_LIFETIME,
    }


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "is not JSON"),
        ("[1, 2]", "is not a JSON object"),
        ("", "is not JSON"),
    ],
)
def test_a_broken_file_is_named_with_what_is_wrong(tmp_path, content, words):
    path = tmp_path / "key.json"
    path.write_text(content)
    with pytest.raises(ServiceKeyError, match=words) as info:
        ServiceKey.load(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_a_missing_file_says_where_to_make_one(tmp_path):
    with pytest.raises(ServiceKeyError, match=r"does not exist.*land\.copernicus\.eu"):
        ServiceKey.load(tmp_path / "absent.json")


def test_missing_fields_are_listed(key_file):
    with pytest.raises(ServiceKeyError, match="lacks user_id, private_key"):
        ServiceKey.load(key_file(user_id=..., private_key=...))


def _load_error(path) -> ServiceKeyError:
    """The error of loading ``path``, raised in a frame that holds nothing but the path."""
    try:
        ServiceKey.load(path)
    except ServiceKeyError as err:
        return err
    raise AssertionError(f"{path} loaded")


def test_a_key_that_is_not_rsa_pem_is_refused_without_echoing_it(key_file, pem):
    garbled = pem.replace(pem.splitlines()[3], pem.splitlines()[3][::-1])
    for bad in ("not a key at all, SECRET-canary-123", garbled):
        err = _load_error(key_file(private_key=bad))
        assert "not an RSA private key" in str(err)
        frames = traceback.TracebackException.from_exception(err, capture_locals=True)
        texts = [str(err), repr(err), "".join(frames.format())]
        assert not any("SECRET-canary" in t or _body(pem) in t for t in texts)


@pytest.mark.parametrize(
    "uri",
    [
        "http://land.copernicus.eu/@@oauth2-token",
        "ftp://x/y",
        "land.copernicus.eu",
        "http://10.0.0.1/t",
    ],
)
def test_a_token_uri_that_is_not_https_is_refused(key_file, uri):
    with pytest.raises(ServiceKeyError, match="not an https URL"):
        ServiceKey.load(key_file(token_uri=uri))


def test_loopback_http_is_accepted_for_a_local_emulator(key_file):
    assert ServiceKey.load(key_file(token_uri="http://127.0.0.3:8080/api/@@oauth2-token"))


def test_a_key_given_as_a_mapping_refuses_to_pickle(pem):
    key = ServiceKey.coerce(key_dict(pem))
    with pytest.raises(TypeError, match="path of its file"):
        pickle.dumps(key)


def test_the_setting_takes_a_path_from_env_or_file(monkeypatch, tmp_path):
    from cdse_intake.config import Settings

    monkeypatch.setenv("CDSE_CLMS_SERVICE_KEY", str(tmp_path / "k.json"))
    monkeypatch.setenv("CDSE_CLMS_POLL_INTERVAL", "0.5")
    settings = Settings.from_env()
    assert settings.clms_service_key == str(tmp_path / "k.json")
    assert Settings().clms_service_key == ""
    assert settings.clms_poll_interval == 0.5
    with pytest.raises(ConfigurationError, match="clms_poll_interval"):
        Settings(clms_poll_interval=0)
    with pytest.raises(ConfigurationError, match="clms_service_key"):
        Settings(clms_service_key=" ")
