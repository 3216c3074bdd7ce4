"""Landsat search through USGS's M2M API (cdse_intake.usgs) against the emulator: every filter
against a brute-force pass over the emulator's Landsat scenes, paging, the credential sources,
bad credentials, rate limits and bad input with clear errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
import shapely

import cdse_intake
from cdse_intake import usgs
from cdse_intake.emulator import Emulator
from cdse_intake.errors import AuthenticationError, CredentialsMissing, QueryError, RateLimited
from cdse_intake.usgs import api as usgs_api


@pytest.fixture(scope="module")
def emu():
    with Emulator(scale=0.1, deliver="all", s3=False) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _fast(emu, monkeypatch):
    monkeypatch.setattr(usgs_api, "BACKOFF", 0.01)
    for key in ("USGS_USERNAME", "USGS_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    emu.usgs.force_rate_limit = 0
    yield
    emu.usgs.force_rate_limit = 0


@pytest.fixture(scope="module")
def scenes(emu):
    """The emulator's Landsat entries USGS lists (L1 and L2 of Landsat 5-9)."""
    return [e for e in emu.catalogue.entries if e.collection.startswith("LANDSAT-")]


def _search(emu, **criteria):
    creds = (emu.usgs_username, emu.usgs_token)
    return usgs.search(credentials=creds, endpoints=emu.endpoints, **criteria)


def test_a_collection_search_finds_the_catalogue_scenes_in_time_order(emu, scenes):
    for collection in ("LANDSAT-5", "LANDSAT-7", "LANDSAT-8", "LANDSAT-9"):
        found = _search(emu, collection=collection)
        wanted = sorted((e for e in scenes if e.collection == collection), key=lambda e: e.start)
        assert [p.name for p in found] == [e.name for e in wanted]
        assert all(p.id.startswith("usgs:landsat_") and usgs.is_usgs(p) for p in found)
    newest = _search(emu, collection="LANDSAT-9", sort="-start")
    assert [p.start for p in newest] == sorted((p.start for p in newest), reverse=True)


def _cases(scene):
    centre = shapely.geometry.shape(scene.footprint).centroid
    box = (centre.x - 0.2, centre.y - 0.2, centre.x + 0.2, centre.y + 0.2)
    cloud = scene.attribute("cloudCover")
    path, row = scene.attribute("pathNumber"), scene.attribute("rowNumber")

    def inside(e):
        return shapely.geometry.shape(e.footprint).intersects(shapely.box(*box))

    def wrs(e):
        return e.attribute("pathNumber"), e.attribute("rowNumber")

    hour = timedelta(hours=1)
    return [
        ({"bbox": box}, inside),
        (
            {"start": scene.start - hour, "end": scene.start + hour},
            lambda e: abs(e.start - scene.start) < hour,
        ),
        ({"cloud": cloud + 0.01}, lambda e: e.attribute("cloudCover") <= cloud + 0.01),
        ({"cloud": (cloud - 0.01, 100)}, lambda e: e.attribute("cloudCover") >= cloud - 0.01),
        ({"path": path}, lambda e: wrs(e)[0] == path),
        ({"path": path, "row": row}, lambda e: wrs(e) == (path, row)),
        ({"attributes": {"wrsRow": scene.attribute("wrsRow")}}, lambda e: wrs(e)[1] == row),
        ({"product_type": scene.product_type}, lambda e: e.product_type == scene.product_type),
    ]


def test_every_filter_finds_what_a_brute_force_pass_finds(emu, scenes):
    scene = next(e for e in scenes if e.collection == "LANDSAT-8")
    pool = [e for e in scenes if e.collection == "LANDSAT-8"]
    for criteria, keep in _cases(scene):
        found = _search(emu, collection="LANDSAT-8", **criteria)
        wanted = sorted((e for e in pool if keep(e)), key=lambda e: e.start)
        assert [p.name for p in found] == [e.name for e in wanted], criteria
        assert scene.name in {p.name for p in found}, criteria
    (one,) = [p for p in _search(emu, collection="LANDSAT-8") if p.name == scene.name]
    assert one.attributes["cloudCover"] == pytest.approx(scene.attribute("cloudCover"))
    assert one.attributes["wrsPath"] == scene.attribute("wrsPath")
    assert one.collection == "LANDSAT-8" and one.product_type == scene.product_type
    assert one.start.replace(microsecond=0) == scene.start.replace(microsecond=0)


def test_paging_goes_past_the_first_page(emu):
    before = len(emu.state.requests(path="/usgs/api/api/json/stable/scene-search"))
    paged = _search(emu, collection="LANDSAT-5", page_size=1)
    calls = len(emu.state.requests(path="/usgs/api/api/json/stable/scene-search")) - before
    assert len(paged) >= 2 and calls >= len(paged)
    assert [p.name for p in paged] == [p.name for p in _search(emu, collection="LANDSAT-5")]
    assert len(_search(emu, collection="LANDSAT-5", limit=1, page_size=1)) == 1


def test_the_public_search_takes_the_usgs_backend(emu):
    creds = (emu.usgs_username, emu.usgs_token)
    results = cdse_intake.search(
        collection="LANDSAT-9", backend="usgs", credentials=creds, endpoints=emu.endpoints
    )
    assert isinstance(results, cdse_intake.SearchResults) and results.backend == "usgs"
    assert [p.name for p in results] == [p.name for p in _search(emu, collection="LANDSAT-9")]


def test_credentials_come_from_the_environment_and_netrc(emu, monkeypatch, tmp_path):
    monkeypatch.setenv("USGS_USERNAME", emu.usgs_username)
    monkeypatch.setenv("USGS_TOKEN", emu.usgs_token)
    assert usgs.search(collection="LANDSAT-9", endpoints=emu.endpoints)
    monkeypatch.delenv("USGS_TOKEN")
    with pytest.raises(CredentialsMissing, match="USGS_TOKEN is not") as missing:
        usgs.search(collection="LANDSAT-9", endpoints=emu.endpoints)
    assert "m2m.cr.usgs.gov" in str(missing.value) or "127.0.0.1" in str(missing.value)
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {emu.usgs_username} password {emu.usgs_token}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    assert usgs.search(collection="LANDSAT-9", endpoints=emu.endpoints)


def test_bad_credentials_say_what_to_fix_and_never_show_the_token(emu):
    wrong = "not-the-token-" + "x" * 20
    with pytest.raises(AuthenticationError) as err:
        usgs.search(
            collection="LANDSAT-8", credentials=(emu.usgs_username, wrong), endpoints=emu.endpoints
        )
    text = str(err.value)
    assert "USGS_TOKEN" in text and "application token" in text and emu.usgs_username in text
    assert wrong not in text and err.value.code == "AUTH_INVALID"
    token = emu.usgs.add_account("no-m2m", m2m=False)
    with pytest.raises(AuthenticationError, match="machine-to-machine access") as err:
        usgs.search(collection="LANDSAT-8", credentials=("no-m2m", token), endpoints=emu.endpoints)
    assert token not in str(err.value) and token not in repr(err.value)
    with pytest.raises(cdse_intake.ConfigurationError, match="token"):
        usgs.search(
            collection="LANDSAT-8", credentials=(emu.usgs_username, ""), endpoints=emu.endpoints
        )


def test_a_rate_limit_is_retried_then_a_clear_error(emu):
    emu.usgs.force_rate_limit = 2
    assert _search(emu, collection="LANDSAT-9")
    assert emu.usgs.force_rate_limit == 0
    emu.usgs.force_rate_limit = 100
    searches = "/usgs/api/api/json/stable/scene-search"
    before = len(emu.state.requests(path=searches))
    with pytest.raises(RateLimited, match=r"rate limit.*still refused after 2 retries") as err:
        _search(emu, collection="LANDSAT-9", settings={"retries": 2})
    assert err.value.code == "RATE_LIMIT"
    assert len(emu.state.requests(path=searches)) - before == 3  # the first try and 2 retries


def test_an_expired_api_key_is_renewed_once(emu):
    from cdse_intake.config import Endpoints
    from cdse_intake.downloads.runner import run_sync
    from cdse_intake.net.http import new_session

    async def run():
        async with new_session() as session:
            m2m = usgs_api.M2M(session, Endpoints.coerce(emu.endpoints).usgs,
                               (emu.usgs_username, emu.usgs_token))  # fmt: skip
            async with m2m:
                emu.usgs.expire_keys()
                return await m2m.call("dataset-search", {"datasetName": "landsat_ot"})

    assert {d["datasetAlias"] for d in run_sync(run)} == {"landsat_ot_c2_l1", "landsat_ot_c2_l2"}


@pytest.mark.parametrize(
    ("criteria", "named"),
    [
        ({"dataset": "landsat_nope"}, "landsat_nope"),
        ({"collection": "SENTINEL-2"}, "SENTINEL-2"),
        ({"collection": "LANDSAT-8", "cloud": 150}, "150"),
        ({"collection": "LANDSAT-8", "path": 999}, "999"),
        ({"collection": "LANDSAT-8", "row": "abc"}, "abc"),
        ({"collection": "LANDSAT-8", "attributes": {"cloudCover": 3}}, "cloudCover"),
        ({"collection": "LANDSAT-8", "tile": "31UFT"}, "tile"),
        ({"collection": "LANDSAT-8", "page_size": 0}, "page_size=0"),
        ({"collection": "LANDSAT-8", "no_such_field": 1}, "no_such_field"),
    ],
)
def test_bad_input_names_the_value(emu, criteria, named):
    with pytest.raises(QueryError) as err:
        _search(emu, **criteria)
    assert named in str(err.value)


def test_the_service_s_own_refusals_are_query_errors(emu):
    from cdse_intake.config import Endpoints
    from cdse_intake.downloads.runner import run_sync
    from cdse_intake.net.http import new_session

    async def run(payload):
        async with new_session() as session:
            root = Endpoints.coerce(emu.endpoints).usgs
            async with usgs_api.M2M(session, root, (emu.usgs_username, emu.usgs_token)) as m2m:
                return await m2m.call("scene-search", payload)

    with pytest.raises(QueryError, match=r"DATASET_INVALID.*nope"):
        run_sync(lambda: run({"datasetName": "nope"}))
    bad = {"datasetName": "landsat_ot_c2_l1", "sceneFilter": {"cloudCoverFilter": {"max": 300}}}
    with pytest.raises(QueryError, match="INPUT_PARAMETER_INVALID"):
        run_sync(lambda: run(bad))


def test_the_cli_searches_usgs_and_refuses_what_it_cannot_do(emu, scenes, monkeypatch, capsys):
    from cdse_intake.cli.app import main

    for key, value in emu.env().items():  # the endpoints and the demo USGS account
        monkeypatch.setenv(key, value)
    one = next(e for e in scenes if e.collection == "LANDSAT-8")
    day = one.start.strftime("%Y-%m-%d")
    code = main(["search", "--backend", "usgs", "--collection", "LANDSAT-8",
                 "--start", day, "--end", day, "--no-cache"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert one.name in out and "products" in err
    assert main(["search", "--backend", "usgs", "--collection", "LANDSAT-8", "-o", "m.csv"]) == 2
    assert "manifests list CDSE products" in capsys.readouterr().err
    assert main(["load", "--backend", "usgs", "--collection", "LANDSAT-8", "-o", "c.zarr"]) == 2
    assert "cubes are loaded from CDSE's products" in capsys.readouterr().err
