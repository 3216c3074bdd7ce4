"""Configuration is validated: unknown keys and bad values are errors naming the key, the value
and what is expected (with the closest key for a typo); only ``ConfigurationError`` ever comes
out of a config file, a ``.netrc``, a mapping or the environment, whatever they hold."""

from __future__ import annotations

import contextlib
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdse_intake import config
from cdse_intake.auth.netrc_file import netrc_entries
from cdse_intake.config import Endpoints, Settings
from cdse_intake.errors import ConfigurationError

ENDPOINT_KEYS = tuple(Endpoints._ENV)
SETTING_KEYS = tuple(Settings._ENV)


def write_config(path: Path, content: str | bytes, monkeypatch: pytest.MonkeyPatch) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    monkeypatch.setenv("CDSE_CONFIG", str(path))
    monkeypatch.delenv("CDSE_CACHE_DIR", raising=False)  # the file's own cache_dir counts
    return path


# -- the reported cases ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        # a typo in [endpoints] used to fall back to the real CDSE in silence
        ('[endpoints]\ncatalog = "http://127.0.0.1:9/odata/v1"\n', ["'catalog'", "'catalogue'"]),
        ("[settings]\ntimout = 5\n", ["'timout'", "did you mean 'timeout'"]),
        ("[setings]\ntimeout = 5\n", ["'setings'", "did you mean 'settings'"]),
        ("timeout = 5\n", ["'timeout'", "under [settings]"]),
        ("[settings]\ntimeout = 0\n", ["timeout=0", "> 0"]),
        ("[settings]\ntimeout = -1.5\n", ["timeout=-1.5", "> 0"]),
        ("[settings]\ntimeout = inf\n", ["timeout=inf", "finite"]),
        ("[settings]\ntimeout = true\n", ["timeout=True", "number of seconds"]),
        ("[settings]\nretries = -1\n", ["retries=-1", "whole number"]),
        ("[settings]\nretries = 99999999999999999999\n", ["retries=", "from 0 to 100"]),
        ('[settings]\nretries = "maybe"\n', ["retries='maybe'", "whole number"]),
        ("[settings]\nmax_connections = 4.5\n", ["max_connections=4.5", "whole number"]),
        ("[settings]\ncache_dir = 5\n", ["cache_dir=5", "folder path"]),
        ('[settings]\ncache_dir = ""\n', ["cache_dir=''", "non-empty"]),
        ("[endpoints]\nstac = 5\n", ["stac=5", "http(s) URL"]),
        ('[endpoints]\nstac = "http://[x"\n', ["stac='http://[x'", "malformed"]),
        ('[endpoints]\nstac = "http://x:99999"\n', ["stac='http://x:99999'", "Port"]),
        ("endpoints = 3\n", ["[endpoints] must be a table"]),
    ],
)
def test_a_bad_config_file_names_the_key_the_value_and_what_is_expected(
    tmp_path, monkeypatch, text, fragments
):
    path = write_config(tmp_path / "c.toml", text, monkeypatch)
    with pytest.raises(ConfigurationError) as info:
        config.resolve()  # endpoints and settings
    message = str(info.value)
    assert str(path) in message, message
    for fragment in fragments:
        assert fragment in message, message


def test_a_binary_config_file_is_named(tmp_path, monkeypatch):
    path = write_config(tmp_path / "c.toml", b"\xff\xfe\x00[settings]\x80", monkeypatch)
    with pytest.raises(ConfigurationError, match="not UTF-8") as info:
        Settings.from_env()
    assert str(path) in str(info.value)


def test_a_config_path_that_is_a_folder_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CDSE_CONFIG", str(tmp_path))
    with pytest.raises(ConfigurationError, match=str(tmp_path)):
        Settings.from_env()


def test_a_config_path_that_is_a_device_is_not_read(monkeypatch):
    monkeypatch.setenv("CDSE_CONFIG", "/dev/zero")  # endless: never read whole
    with pytest.raises(ConfigurationError, match="not a file"):
        Settings.from_env()


def test_a_huge_config_file_is_not_read_whole(tmp_path, monkeypatch):
    write_config(tmp_path / "c.toml", "#" * (2 << 20), monkeypatch)
    with pytest.raises(ConfigurationError, match=r"^config file .* is larger than 1048576 bytes"):
        Settings.from_env()


def test_a_binary_netrc_is_named_without_its_content(tmp_path, monkeypatch):
    path = tmp_path / "netrc"
    path.write_bytes(b"machine x login me password s\xe9cr\xff\xfe")
    path.chmod(0o600)
    with pytest.raises(ConfigurationError, match="not UTF-8") as info:
        netrc_entries(("x",), path)
    assert str(path) in str(info.value)
    assert "cr" not in str(info.value).replace(str(path), "")
    assert info.value.__cause__ is None and info.value.__context__ is None


@pytest.mark.parametrize(
    ("cls", "mapping", "fragments"),
    [
        (Settings, {"timout": 1}, ["'timout'", "did you mean 'timeout'"]),
        (Settings, {1: 1}, ["unknown setting 1"]),
        (Settings, {"cache_dir": 5}, ["cache_dir=5"]),
        (Settings, {"cache_dir": None}, ["cache_dir=None"]),
        (Settings, {"timeout": 0}, ["timeout=0"]),
        (Endpoints, {"catalog": "http://x"}, ["'catalog'", "did you mean 'catalogue'"]),
        (Endpoints, {"stac": None}, ["stac=None"]),
    ],
)
def test_a_bad_mapping_given_to_coerce_names_the_key(cls, mapping, fragments):
    with pytest.raises(ConfigurationError) as info:
        cls.coerce(mapping)
    for fragment in fragments:
        assert fragment in str(info.value), info.value


def test_bad_environment_values_name_the_variable(monkeypatch):
    monkeypatch.setenv("CDSE_TIMEOUT", "0")
    with pytest.raises(ConfigurationError, match=r"timeout='0'.*environment variable CDSE_TIMEOUT"):
        Settings.from_env()


def test_unknown_cdse_environment_variables_warn_with_the_closest_name(monkeypatch):
    monkeypatch.setattr(config, "_warned", set())
    monkeypatch.setenv("CDSE_TIMOUT", "5")
    monkeypatch.setenv("CDSE_EMULATOR_CACHE", "/tmp/x")  # the emulator's own: no warning
    with pytest.warns(UserWarning, match=r"CDSE_TIMOUT .*did you mean 'CDSE_TIMEOUT'") as seen:
        Settings.from_env()
    assert not [w for w in seen if "CDSE_EMULATOR" in str(w.message)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Settings.from_env()  # once per process


def test_the_environment_names_auth_reads_are_known():
    from cdse_intake.auth import credentials, s3keys

    names = {
        credentials.ENV_USERNAME,
        credentials.ENV_PASSWORD,
        credentials.ENV_TOTP_SECRET,
        s3keys.ENV_ACCESS_KEY,
        s3keys.ENV_SECRET_KEY,
    }
    assert names <= config.OTHER_ENV


def test_good_values_still_pass(tmp_path, monkeypatch):
    write_config(
        tmp_path / "c.toml",
        '[endpoints]\nstac = "http://127.0.0.1:9/stac/"\n'
        '[settings]\ncache_dir = "~/x"\ntimeout = 0.5\nretries = 0\nquery_cache_age = 0\n'
        "min_rate = 0\ntransfer_deadline = 0\nmax_connections = 20\n",
        monkeypatch,
    )
    monkeypatch.setenv("CDSE_RETRIES", " 3 ")
    s = Settings.from_env()
    assert (s.timeout, s.retries, s.max_connections, s.min_rate) == (0.5, 3, 20, 0.0)
    assert s.cache_dir == Path("~/x").expanduser()
    assert Endpoints.from_env().stac == "http://127.0.0.1:9/stac"


# -- fuzz: only ConfigurationError, whatever the file, mapping or environment holds --------------
KEYS = st.one_of(
    st.sampled_from([*ENDPOINT_KEYS, *SETTING_KEYS, "endpoints", "settings", "catalog", "timout"]),
    st.text(max_size=12),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=8),  # surrogates too
    st.binary(max_size=10),
    st.sampled_from(["http://127.0.0.1:1/x", "http://[x", "https://h:0/", "~", "~nobody9/x", "\0"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=3)),
    max_leaves=6,
)
TOML_VALUES = [
    "0",
    "-1",
    "1e400",
    "nan",
    "inf",
    "true",
    '"maybe"',
    '""',
    "[1]",
    "{a=1}",
    '"http://127.0.0.1:1/x"',
    "1979-05-27",
    "'\\x'",
    '"\\ud800"',
    "0x10",
    '"~nobody9"',
]
TOML_TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.one_of(
            st.sampled_from(["[endpoints]", "[settings]", "[other]", "[[settings]]", "x = [[[["]),
            st.builds(
                lambda k, v: f"{k} = {v}",
                st.sampled_from([*ENDPOINT_KEYS, *SETTING_KEYS, "catalog", "a.b", '"q"']),
                st.sampled_from(TOML_VALUES),
            ),
        ),
        max_size=8,
    ).map("\n".join),
)
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _only_configuration_errors(call: Any) -> None:
    with contextlib.suppress(ConfigurationError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call()


@FUZZ
@given(content=st.one_of(TOML_TEXT, st.binary(max_size=200), TOML_TEXT.map(str.encode)))
def test_fuzz_config_files(content: str | bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.toml"
        try:
            write_config(path, content, monkeypatch)
        except UnicodeEncodeError:  # a lone surrogate cannot even be written as text
            write_config(path, content.encode("utf-8", "surrogatepass"), monkeypatch)
        _only_configuration_errors(Endpoints.from_env)
        _only_configuration_errors(Settings.from_env)
        _only_configuration_errors(config.resolve)


@FUZZ
@given(mapping=st.dictionaries(KEYS, VALUES, max_size=4))
def test_fuzz_mappings(mapping: dict[Any, Any]) -> None:
    _only_configuration_errors(lambda: Settings.coerce(mapping))
    _only_configuration_errors(lambda: Endpoints.coerce(mapping))
    _only_configuration_errors(lambda: config.resolve(settings=mapping, endpoints=mapping))


ENV_NAMES = [*Endpoints._ENV.values(), *Settings._ENV.values(), "CDSE_TIMOUT", "CDSE_X"]


@FUZZ
@given(
    env=st.dictionaries(
        st.sampled_from(ENV_NAMES),
        st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\0")),
        max_size=4,
    )
)
def test_fuzz_environment(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        _only_configuration_errors(Endpoints.from_env)
        _only_configuration_errors(Settings.from_env)


@FUZZ
@given(content=st.one_of(st.binary(max_size=120), st.text(max_size=120)))
def test_fuzz_netrc(content: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "netrc"
        data = content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
        path.write_bytes(data)
        os.chmod(path, 0o600)
        with contextlib.suppress(ConfigurationError):
            netrc_entries(("x", "identity.dataspace.copernicus.eu"), path)
