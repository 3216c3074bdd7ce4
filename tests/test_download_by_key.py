"""download() takes what open_product takes: product ids and names, alone or mixed (issue 15)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pandas as pd
import pytest

import cdse_intake
from cdse_intake.cache import ProductCache
from cdse_intake.config import Settings
from cdse_intake.downloads import Downloader, DownloadReport, download
from cdse_intake.errors import ProductNotFound
from cdse_intake.manifest import ManifestError, rows_for, write_manifest
from cdse_intake.product import FOLDER_SUFFIXES

from .test_download_common import materialised, value_requests

UNKNOWN_ID = "0badc0de-0000-4000-8000-000000000000"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", retries=2)


def run(items, settings: Settings, **kw) -> DownloadReport:
    return download(items, progress=False, settings=settings, **kw)


@pytest.fixture
def products(cdse_emulator):
    found = materialised(cdse_emulator)
    safe = [p for p in found if p.name.endswith(".SAFE")]
    single = [p for p in found if not p.name.endswith(FOLDER_SUFFIXES)]
    assert len(safe) >= 4 and single
    return safe[:4] + single[:1]


def test_by_id_and_by_name(cdse_emulator, cdse_env, settings, products):
    by_id, by_name, bare, upper, single = products
    report = run(by_id.id, settings)
    assert [(o.id, o.status) for o in report] == [(by_id.id, "verified")]
    cache = ProductCache(settings.cache_dir)
    assert cache.lookup(by_id) == report[0].path
    assert [o.status for o in run(by_name.name, settings)] == ["verified"]
    assert run(bare.name.removesuffix(".SAFE"), settings)[0].id == bare.id  # without .SAFE
    assert run(upper.id.upper(), settings)[0].id == upper.id
    assert run(single.name, settings)[0].id == single.id  # a one-file product (.nc, .EOF ...)
    assert all(cache.lookup(p) is not None for p in products)
    # known now: skipped, nothing fetched again
    before = len(value_requests(cdse_emulator))
    assert [o.status for o in run([by_id.id, by_name.name], settings)] == ["skipped"] * 2
    assert len(value_requests(cdse_emulator)) == before


def test_a_list_mixing_every_kind(cdse_emulator, cdse_env, settings, products, tmp_path):
    one, two, three, four, five = products
    manifest = write_manifest(tmp_path / "m.csv", rows_for([four]), query={"x": 1})
    results = cdse_intake.search(name_contains=five.name, cache=False)
    assert [p.id for p in results] == [five.id]
    report = run([one, two.id, three.name, str(manifest), results, one.id], settings)
    assert [o.id for o in report] == [p.id for p in (one, two, three, four, five)]
    assert report.ok and {o.status for o in report} == {"verified"}
    table = pd.read_csv(manifest, comment="#")
    assert list(table["Downloaded"]) == ["verified"]  # the manifest given records its product


def test_names_and_ids_with_a_manifest_keyword(cdse_env, settings, products, tmp_path):
    report = run([products[0].id, products[1].name], settings, manifest=tmp_path / "new.csv")
    assert report.ok
    table = pd.read_csv(tmp_path / "new.csv", comment="#")
    assert list(table["Id"]) == [products[0].id, products[1].id]
    assert set(table["Downloaded"]) == {"verified"}


def test_unknown_ids_and_names_are_named_before_any_download(
    cdse_emulator, cdse_env, settings, products
):
    with pytest.raises(ProductNotFound) as caught:
        run([products[0].id, UNKNOWN_ID, "S2A_MSIL2A_NOT_A_PRODUCT"], settings)
    message = str(caught.value)
    assert UNKNOWN_ID in message and "S2A_MSIL2A_NOT_A_PRODUCT" in message
    assert "product id" in message  # says what is expected
    assert not value_requests(cdse_emulator)
    assert ProductCache(settings.cache_dir).entries() == []
    with pytest.raises(ProductNotFound, match="S2B_NOPE"):
        run("S2B_NOPE", settings)


def test_paths_stay_manifests_and_bad_items_are_refused(cdse_env, settings, tmp_path):
    with pytest.raises(ManifestError, match="cannot read manifest"):
        run("missing.csv", settings)
    with pytest.raises(ManifestError, match="cannot read manifest"):
        run(str(tmp_path / "no" / "such"), settings)
    with pytest.raises(ValueError, match="cannot download '  ': expected"):
        run("  ", settings)
    with pytest.raises(ValueError, match=r"item 1 is a int \(3\); expected a Product"):
        run(["S2A_X", 3], settings)
    with pytest.raises(ValueError, match="expected SearchResults"):
        run(b"bytes", settings)


def test_download_async_resolves_names(cdse_emulator, cdse_env, settings, products):
    downloader = Downloader(
        endpoints=cdse_intake.Endpoints.coerce(None), settings=settings, progress=False
    )
    report = asyncio.run(downloader.download_async([products[0].name]))
    assert [o.id for o in report] == [products[0].id] and report.ok
