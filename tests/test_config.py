"""Configuration: precedence argument > environment > config file > real CDSE defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdse_intake.config import REAL_CATALOGUE, REAL_IDENTITY, Endpoints, Settings
from cdse_intake.errors import ConfigurationError


def write_config(path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path.write_text(text)
    monkeypatch.setenv("CDSE_CONFIG", str(path))


def test_defaults_are_the_real_cdse():
    ep = Endpoints.from_env()
    assert ep.catalogue == REAL_CATALOGUE
    assert ep.token_url == f"{REAL_IDENTITY}/protocol/openid-connect/token"
    assert ep.stac == "https://stac.dataspace.copernicus.eu/v1"


def test_precedence_argument_env_file(tmp_path, monkeypatch):
    write_config(
        tmp_path / "c.toml",
        '[endpoints]\ncatalogue = "http://file.example/odata/v1"\n'
        'stac = "http://file.example/stac"\n'
        "[settings]\nmax_connections = 7\nretries = 2\n",
        monkeypatch,
    )
    monkeypatch.setenv("CDSE_CATALOGUE_URL", "http://env.example/odata/v1/")
    monkeypatch.setenv("CDSE_RETRIES", "9")
    ep = Endpoints.from_env()
    assert ep.catalogue == "http://env.example/odata/v1"  # env beats file; trailing / dropped
    assert ep.stac == "http://file.example/stac"  # file beats default
    assert Endpoints.from_env(catalogue="http://arg.example/o").catalogue == "http://arg.example/o"
    settings = Settings.from_env()
    assert (settings.max_connections, settings.retries) == (7, 9)
    assert Settings.from_env(retries=0).retries == 0


def test_cache_dir_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("CDSE_CACHE_DIR", str(tmp_path / "c"))
    assert Settings.from_env().cache_dir == tmp_path / "c"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"max_connections": 0}, "max_connections=0"),
        ({"max_connections": "four"}, "max_connections='four'"),
        ({"retries": -1}, "retries=-1"),
        ({"timeout": "soon"}, "timeout='soon'"),
        ({"refresh_margin": -5}, "refresh_margin=-5"),
    ],
)
def test_bad_settings_name_the_value(kwargs, fragment):
    with pytest.raises(ConfigurationError, match=fragment.replace("(", r"\(")):
        Settings(**kwargs)


def test_bad_endpoint_and_unknown_names():
    with pytest.raises(ConfigurationError, match="catalogue='ftp://x'"):
        Endpoints(catalogue="ftp://x")
    with pytest.raises(ConfigurationError, match="catalog"):
        Endpoints.from_env(catalog="http://x")
    with pytest.raises(ConfigurationError, match="unknown setting"):
        Settings.from_env(cache="x")


def test_broken_config_file(tmp_path, monkeypatch):
    write_config(tmp_path / "c.toml", "[endpoints\n", monkeypatch)
    with pytest.raises(ConfigurationError, match=r"c\.toml"):
        Endpoints.from_env()


def test_token_hosts_cover_configured_and_real_hosts():
    ep = Endpoints(catalogue="http://127.0.0.1:9/odata/v1", download="http://127.0.0.2:8/x")
    assert {"127.0.0.1", "127.0.0.2", "zipper.dataspace.copernicus.eu"} <= ep.token_hosts
    assert "example.com" not in ep.token_hosts


def test_env_round_trip(monkeypatch):
    ep = Endpoints(catalogue="http://127.0.0.1:9/odata/v1")
    for key, value in ep.to_env().items():
        monkeypatch.setenv(key, value)
    assert Endpoints.from_env() == ep


# -- one resolution of a call's configuration (config.resolve / Context) ---------------------------
def test_endpoints_coerce_takes_any_object_with_the_five_urls():
    from types import SimpleNamespace

    from cdse_intake.config import Endpoints

    urls = SimpleNamespace(
        identity="http://127.0.0.1:1/auth/realms/CDSE",
        catalogue="http://127.0.0.1:1/odata/v1",
        download="http://127.0.0.2:2/odata/v1",
        stac="http://127.0.0.1:1/stac/v1",
        s3="http://127.0.0.1:3",
    )
    endpoints = Endpoints.coerce(urls)
    assert isinstance(endpoints, Endpoints)
    assert endpoints.download == urls.download
    assert Endpoints.coerce(endpoints) is endpoints
    assert Endpoints.coerce(vars(urls)) == endpoints


def test_endpoints_coerce_names_what_it_expected():
    from cdse_intake.config import Endpoints

    with pytest.raises(
        ConfigurationError, match=r"endpoints=42 is not usable.*identity, catalogue"
    ):
        Endpoints.coerce(42)


def test_resolve_reads_the_environment_once_and_checks_via(monkeypatch, tmp_path):
    from cdse_intake.config import Context, resolve

    monkeypatch.setenv("CDSE_CATALOGUE_URL", "http://127.0.0.1:9/odata/v1")
    monkeypatch.setenv("CDSE_CACHE_DIR", str(tmp_path))
    context = resolve(via="s3", credentials=("user", "secret"))
    assert isinstance(context, Context)
    assert context.endpoints.catalogue == "http://127.0.0.1:9/odata/v1"
    assert context.settings.cache_dir == tmp_path
    assert context.via == "s3"
    assert "secret" not in repr(context)
    # a resolved context is what the layers below keep: the environment no longer matters
    monkeypatch.setenv("CDSE_CATALOGUE_URL", "http://127.0.0.1:10/odata/v1")
    assert resolve(context).endpoints.catalogue == "http://127.0.0.1:9/odata/v1"
    assert resolve(context, via="https").via == "https"
    with pytest.raises(ConfigurationError, match=r"via='ftp' is not a CDSE transport"):
        resolve(via="ftp")


# -- the CLMS API: its own endpoint, its own token ------------------------------------------------
def test_clms_endpoint_from_argument_env_and_file(tmp_path, monkeypatch):
    assert Endpoints().clms == "https://land.copernicus.eu/api"
    config = tmp_path / "config.toml"
    config.write_text(
        '[endpoints]\nclms = "http://127.0.0.3:9/api"\n'
        '[settings]\nclms_service_key = "~/key.json"\nclms_poll_interval = 5\n'
    )
    monkeypatch.setenv("CDSE_CONFIG", str(config))
    assert Endpoints.from_env().clms == "http://127.0.0.3:9/api"
    settings = Settings.from_env()
    assert settings.clms_service_key == str(Path("~/key.json").expanduser())
    assert settings.clms_poll_interval == 5.0
    monkeypatch.setenv("CDSE_CLMS_URL", "http://127.0.0.3:10/api/")
    assert Endpoints.from_env().clms == "http://127.0.0.3:10/api"
    assert Endpoints.from_env(clms="https://land.example/api").clms == "https://land.example/api"
    assert Endpoints().to_env()["CDSE_CLMS_URL"] == "https://land.copernicus.eu/api"


def test_the_cdse_token_never_goes_to_the_clms_api_nor_the_clms_token_to_cdse():
    emulated = Endpoints(
        identity="http://127.0.0.1:8000/auth/realms/CDSE",
        catalogue="http://127.0.0.1:8000/odata/v1",
        clms="http://127.0.0.3:8001/api",
    )
    for endpoints in (Endpoints(), emulated):
        assert ("https", "land.copernicus.eu", 443) not in endpoints.token_origins
        assert not endpoints.token_origins & endpoints.clms_token_origins
        assert ("https", "land.copernicus.eu", 443) in endpoints.clms_token_origins
        assert ("https", "copernicus-fme.eea.europa.eu", 443) not in endpoints.clms_token_origins
    assert ("http", "127.0.0.3", 8001) in emulated.clms_token_origins
    assert ("http", "127.0.0.3", 8001) not in emulated.token_origins
    # a CLMS API configured on a real CDSE host never gets the CLMS token
    shared = Endpoints(clms="https://catalogue.dataspace.copernicus.eu/api")
    assert shared.clms_token_origins == {("https", "land.copernicus.eu", 443)}


def test_endpoints_coerce_accepts_objects_with_or_without_clms():
    class Five:
        identity = "http://127.0.0.1:1/auth/realms/CDSE"
        catalogue = "http://127.0.0.1:1/odata/v1"
        download = "http://127.0.0.2:2/odata/v1"
        stac = "http://127.0.0.1:1/stac/v1"
        s3 = "http://127.0.0.1:3"

    class Six(Five):
        clms = "http://127.0.0.3:4/api"

    assert Endpoints.coerce(Five()).clms == "https://land.copernicus.eu/api"
    empty = Five()
    empty.clms = ""  # an emulator without its CLMS service
    assert Endpoints.coerce(empty).clms == "https://land.copernicus.eu/api"
    assert Endpoints.coerce(Six()).clms == "http://127.0.0.3:4/api"
    with pytest.raises(ConfigurationError, match="clms"):
        Endpoints(clms="ftp://land/api")
