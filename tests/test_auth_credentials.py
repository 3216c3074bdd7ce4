"""Credentials: argument > environment > .netrc, several accounts, TOTP checks, S3 keys."""

from __future__ import annotations

import copy
import logging
import os
import pickle
from pathlib import Path

import pytest

from cdse_intake.auth import Credentials, S3Keys, accounts
from cdse_intake.errors import AuthenticationError, ConfigurationError

EMULATOR_IDENTITY = "http://127.0.0.1:8123/auth/realms/CDSE"
SECRET = "JBSWY3DPEHPK3PXP"


def write_netrc(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HOME"])


def test_argument_beats_environment_and_netrc(monkeypatch, home):
    monkeypatch.setenv("CDSE_USERNAME", "env@example.org")
    monkeypatch.setenv("CDSE_PASSWORD", "env-pw")
    write_netrc(
        home / ".netrc", "machine identity.dataspace.copernicus.eu login n@x.org password n\n"
    )
    cred = Credentials.resolve(username="arg@example.org", password="arg-pw")
    assert (cred.username, cred.password, cred.source) == ("arg@example.org", "arg-pw", "argument")
    assert Credentials.resolve(("t@x.org", "t")).username == "t@x.org"
    assert Credentials.resolve({"username": "m@x.org", "password": "m"}).username == "m@x.org"
    given = Credentials("c@x.org", "c")
    assert Credentials.resolve(given) is given


def test_environment_beats_netrc(monkeypatch, home):
    write_netrc(
        home / ".netrc", "machine identity.dataspace.copernicus.eu login n@x.org password n\n"
    )
    monkeypatch.setenv("CDSE_USERNAME", "env@example.org")
    monkeypatch.setenv("CDSE_PASSWORD", "env-pw")
    monkeypatch.setenv("CDSE_TOTP_SECRET", SECRET)
    cred = Credentials.resolve()
    assert (cred.username, cred.password, cred.totp_secret) == ("env@example.org", "env-pw", SECRET)
    assert "environment" in cred.source
    monkeypatch.delenv("CDSE_USERNAME")
    monkeypatch.delenv("CDSE_PASSWORD")
    cred = Credentials.resolve()
    assert (cred.username, cred.password) == ("n@x.org", "n")
    assert cred.totp_secret == SECRET  # CDSE_TOTP_SECRET applies to the netrc account too
    assert str(home / ".netrc") in cred.source


@pytest.mark.parametrize(
    "host",
    [
        "identity.dataspace.copernicus.eu",
        "download.dataspace.copernicus.eu",
        "zipper.dataspace.copernicus.eu",
        "catalogue.dataspace.copernicus.eu",
    ],
)
def test_netrc_machines_used_by_cdse_tools(home, host):
    write_netrc(home / ".netrc", f'machine {host}\n  login me@x.org\n  password "p w"\n')
    cred = Credentials.resolve()
    assert (cred.username, cred.password) == ("me@x.org", "p w")
    assert host in cred.source


def test_identity_machine_is_preferred(home):
    write_netrc(
        home / ".netrc",
        "machine zipper.dataspace.copernicus.eu login z@x.org password z\n"
        "machine identity.dataspace.copernicus.eu login i@x.org password i\n",
    )
    assert Credentials.resolve().username == "i@x.org"


def test_netrc_env_variable_is_honoured(monkeypatch, tmp_path):
    path = write_netrc(
        tmp_path / "my-netrc", "machine identity.dataspace.copernicus.eu login e@x.org password e\n"
    )
    monkeypatch.setenv("NETRC", str(path))
    assert Credentials.resolve().username == "e@x.org"


def test_configured_identity_host_gets_its_own_entry_only(home):
    write_netrc(
        home / ".netrc",
        "machine identity.dataspace.copernicus.eu login real@x.org password real\n"
        "machine 127.0.0.1 login emu@x.org password emu\n",
    )
    cred = Credentials.resolve(identity_url=EMULATOR_IDENTITY)
    assert (cred.username, cred.password) == ("emu@x.org", "emu")
    (home / ".netrc").write_text(
        "machine identity.dataspace.copernicus.eu login r@x.org password r\n"
    )
    # CDSE's login is never sent to another identity service
    with pytest.raises(AuthenticationError, match=r"no entry for machine 127\.0\.0\.1"):
        Credentials.resolve(identity_url=EMULATOR_IDENTITY)
    assert (
        Credentials.resolve(
            identity_url="https://identity.dataspace.copernicus.eu/auth/realms/CDSE"
        ).username
        == "r@x.org"
    )


def test_netrc_default_entry_is_ignored(home):
    write_netrc(home / ".netrc", "default login any@x.org password any\n")
    with pytest.raises(AuthenticationError):
        Credentials.resolve()


def test_username_alone_selects_the_netrc_login(monkeypatch, home):
    write_netrc(
        home / ".netrc",
        "machine identity.dataspace.copernicus.eu login a@x.org password a\n"
        "machine download.dataspace.copernicus.eu login b@x.org password b\n",
    )
    assert Credentials.resolve(username="b@x.org").password == "b"
    monkeypatch.setenv("CDSE_USERNAME", "B@x.org")
    assert Credentials.resolve().password == "b"
    monkeypatch.setenv("CDSE_USERNAME", "c@x.org")
    with pytest.raises(AuthenticationError, match=r"no login 'c@x.org'"):
        Credentials.resolve()


def test_missing_credentials_name_every_place_and_the_remedy(home):
    with pytest.raises(AuthenticationError) as info:
        Credentials.resolve()
    text = str(info.value)
    for expected in (
        "credentials=",
        "CDSE_USERNAME",
        "CDSE_PASSWORD",
        str(home / ".netrc"),
        "no such file",
        "machine identity.dataspace.copernicus.eu login <e-mail> password <password>",
        "chmod 600",
        "CDSE_TOTP_SECRET",
    ):
        assert expected in text
    assert isinstance(info.value, PermissionError)


def test_half_set_environment_is_reported(monkeypatch):
    monkeypatch.setenv("CDSE_PASSWORD", "lonely")
    with pytest.raises(AuthenticationError, match="CDSE_PASSWORD is set but CDSE_USERNAME is not"):
        Credentials.resolve()


def test_broken_netrc_names_the_line_but_not_its_text(home):
    write_netrc(
        home / ".netrc",
        "machine identity.dataspace.copernicus.eu login a password\n\nhunter2-secret oops\n",
    )
    with pytest.raises(ConfigurationError) as info:
        Credentials.resolve()
    assert "line" in str(info.value) and ".netrc" in str(info.value)
    assert "hunter2" not in repr(info.value)
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_world_readable_netrc_warns_without_secrets(home, caplog):
    path = home / ".netrc"
    path.write_text("machine identity.dataspace.copernicus.eu login a@x.org password pw-in-file\n")
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="cdse_intake.auth"):
        assert Credentials.resolve().username == "a@x.org"
    assert "chmod 600" in caplog.text and "pw-in-file" not in caplog.text


def test_validation_names_the_problem_not_the_secret():
    with pytest.raises(ConfigurationError, match="e-mail"):
        Credentials("", "pw")
    with pytest.raises(ConfigurationError, match="empty"):
        Credentials("a@x.org", "")
    with pytest.raises(ConfigurationError, match="base32") as info:
        Credentials("a@x.org", "pw", totp_secret="not-base32!!")
    assert "not-base32" not in str(info.value)
    with pytest.raises(ConfigurationError, match="6-digit"):
        Credentials("a@x.org", "pw", totp="12345")
    with pytest.raises(ConfigurationError, match="either"):
        Credentials("a@x.org", "pw", totp_secret=SECRET, totp="123456")
    assert Credentials("a@x.org", "pw", totp_secret="jbsw y3dp ehpk 3pxp").totp_secret == SECRET
    with pytest.raises(ConfigurationError, match="without its username"):
        Credentials.resolve(password="pw")
    with pytest.raises(ConfigurationError, match="not both"):
        Credentials.resolve(("a", "b"), username="c")
    with pytest.raises(ConfigurationError, match="got int"):
        Credentials.resolve(42)


def test_repr_shows_the_username_only():
    cred = Credentials("a@x.org", "pw-9d8f7", totp_secret=SECRET)
    assert repr(cred) == str(cred) == "Credentials(username='a@x.org')"
    assert cred.two_factor and not Credentials("a@x.org", "pw").two_factor
    assert copy.deepcopy(cred) is cred


def test_pickle_carries_no_password_and_resolves_again(monkeypatch):
    cred = Credentials("a@x.org", "pw-9d8f7")
    data = pickle.dumps(cred)
    assert b"pw-9d8f7" not in data
    monkeypatch.setenv("CDSE_USERNAME", "a@x.org")
    monkeypatch.setenv("CDSE_PASSWORD", "pw-9d8f7")
    assert pickle.loads(data) == cred
    monkeypatch.delenv("CDSE_PASSWORD")
    with pytest.raises(AuthenticationError, match="pickled without their password"):
        pickle.loads(data)


def test_accounts_from_arguments_and_from_the_environment(monkeypatch, home):
    found = accounts(
        ("a@x.org", "a"), {"username": "b@x.org", "password": "b"}, Credentials("c@x.org", "c")
    )
    assert [c.username for c in found] == ["a@x.org", "b@x.org", "c@x.org"]
    assert accounts([("a@x.org", "a"), ("b@x.org", "b")])[1].password == "b"
    pair = (Credentials("a@x.org", "a"), Credentials("b@x.org", "b"))
    assert accounts(pair) == pair and accounts(("a@x.org", "a"))[0].username == "a@x.org"
    with pytest.raises(ConfigurationError, match="more than once"):
        accounts(("a@x.org", "1"), ("A@x.org", "2"))
    with pytest.raises(ConfigurationError, match="'username' and 'password'"):
        accounts({"user": "a"})
    write_netrc(
        home / ".netrc",
        "machine identity.dataspace.copernicus.eu login n1@x.org password 1\n"
        "machine download.dataspace.copernicus.eu login n2@x.org password 2\n"
        "machine zipper.dataspace.copernicus.eu login n1@x.org password 1\n",
    )
    monkeypatch.setenv("CDSE_USERNAME", "env@x.org")
    monkeypatch.setenv("CDSE_PASSWORD", "e")
    assert [c.username for c in accounts()] == ["env@x.org", "n1@x.org", "n2@x.org"]


def test_no_accounts_anywhere_is_an_error():
    with pytest.raises(AuthenticationError, match="no CDSE credentials found"):
        accounts()


# -- S3 keys --------------------------------------------------------------------------------------
def test_s3_keys_argument_then_environment(monkeypatch):
    keys = S3Keys.resolve("AKIAEXAMPLE", "s3-secret-1")
    assert keys.storage_options() == {"key": "AKIAEXAMPLE", "secret": "s3-secret-1"}
    assert repr(keys) == "S3Keys(access_key='AKIA…')" and "s3-secret" not in str(keys)
    monkeypatch.setenv("CDSE_S3_ACCESS_KEY", "ENVKEY")
    monkeypatch.setenv("CDSE_S3_SECRET_KEY", "env-secret")
    assert S3Keys.resolve() == S3Keys("ENVKEY", "env-secret")
    assert S3Keys.resolve("A", "B").access_key == "A"
    data = pickle.dumps(S3Keys.resolve())
    assert b"env-secret" not in data and pickle.loads(data).secret_key == "env-secret"
    with pytest.raises(ConfigurationError, match="secret_key is missing"):
        S3Keys.resolve(access_key="A")


def test_missing_s3_keys_say_where_to_get_them(monkeypatch):
    with pytest.raises(AuthenticationError) as info:
        S3Keys.resolve()
    text = str(info.value)
    assert "CDSE_S3_ACCESS_KEY" in text and "CDSE_S3_SECRET_KEY" in text
    assert "eodata-s3keysmanager.dataspace.copernicus.eu" in text
    monkeypatch.setenv("CDSE_S3_ACCESS_KEY", "K")
    with pytest.raises(
        AuthenticationError, match="CDSE_S3_ACCESS_KEY is set but CDSE_S3_SECRET_KEY"
    ):
        S3Keys.resolve()
