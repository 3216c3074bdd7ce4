"""Landsat bundles downloaded from USGS's M2M API (cdse_intake.usgs) on the emulator: downloads
being prepared then available, verified files, resume after a cut connection, the per-product
report, nothing half-written on failure; and the same scene found through CDSE and through
USGS opens to equal arrays."""

from __future__ import annotations

import tarfile

import numpy as np
import pytest

import cdse_intake
from cdse_intake import usgs
from cdse_intake.downloads.report import DownloadReport
from cdse_intake.emulator import Emulator
from cdse_intake.errors import QueryError
from cdse_intake.usgs import api as usgs_api

RETRIEVE = "/usgs/api/api/json/stable/download-retrieve"


@pytest.fixture(scope="module")
def emu():
    with Emulator(scale=0.1, deliver="all", s3=False) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _fresh(emu, monkeypatch):
    monkeypatch.setattr(usgs_api, "BACKOFF", 0.01)
    for key in ("USGS_USERNAME", "USGS_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    yield
    emu.usgs.preparation_delay = 0.0
    emu.usgs.cut_after = None


@pytest.fixture(scope="module")
def found(emu):
    return usgs.search(
        collection="LANDSAT-8",
        credentials=(emu.usgs_username, emu.usgs_token),
        endpoints=emu.endpoints,
    )


def _download(emu, products, dest, **kw):
    kw.setdefault("credentials", (emu.usgs_username, emu.usgs_token))
    kw.setdefault("poll_interval", 0.1)
    return usgs.download(products, dest, endpoints=emu.endpoints, **kw)


def test_a_download_being_prepared_is_polled_until_available(emu, found, tmp_path):
    emu.usgs.preparation_delay = 0.6
    before = len(emu.state.requests(path=RETRIEVE))
    report = _download(emu, found[:1], tmp_path, wait=10)
    assert isinstance(report, DownloadReport) and report.ok, report
    assert len(emu.state.requests(path=RETRIEVE)) - before >= 3  # preparing, then available
    (outcome,) = report
    assert outcome.status == "verified" and outcome.algorithm == "size"
    assert outcome.path == tmp_path / f"{found[0].name}.tar" and outcome.bytes > 0
    with tarfile.open(outcome.path) as tar:
        names = tar.getnames()
    assert f"{found[0].name}_MTL.txt" in names and all("/" not in n for n in names)
    again = _download(emu, found[:1], tmp_path)
    assert [o.status for o in again] == ["skipped"] and again.bytes == 0


def test_a_download_still_preparing_at_the_deadline_fails_with_its_reason(emu, found, tmp_path):
    emu.usgs.preparation_delay = 30
    report = _download(emu, found[:1], tmp_path, poll_interval=0.2, wait=0.5)
    (outcome,) = report.failed
    assert "still preparing" in outcome.reason and "run again later" in outcome.reason
    assert list(tmp_path.iterdir()) == []


def test_a_cut_connection_resumes_where_it_stopped(emu, found, tmp_path):
    emu.usgs.cut_after = 100_000
    before = len(emu.state.requests(path="/usgs/download/*"))
    report = _download(emu, found[-1:], tmp_path)
    assert report.ok, report
    (outcome,) = report
    assert outcome.retries >= 1
    ranges = [r.range for r in emu.state.requests(path="/usgs/download/*")[before:]]
    assert ranges == [None, "bytes=100000-"]
    assert outcome.bytes == outcome.path.stat().st_size  # nothing fetched twice


def test_the_report_has_one_outcome_per_product_in_order(emu, found, tmp_path):
    report = _download(emu, list(reversed(found)), tmp_path)
    assert [o.name for o in report] == [p.name for p in reversed(found)]
    table = report.to_dataframe()
    assert list(table["status"]) == ["verified"] * len(found)
    assert "verified" in report.summary()


def test_refused_credentials_fail_every_product_and_write_nothing(emu, found, tmp_path):
    report = _download(emu, found, tmp_path, credentials=(emu.usgs_username, "wrong-token"))
    assert not report.ok and report.authentication_failed and not report.credentials_missing
    assert all("USGS_TOKEN" in o.reason for o in report.failed)
    assert all("wrong-token" not in o.reason for o in report.failed)
    assert list(tmp_path.iterdir()) == []
    missing = _download(emu, found[:1], tmp_path, credentials=None)
    assert missing.credentials_missing and "USGS_USERNAME" in missing.failed[0].reason


def test_a_broken_transfer_leaves_no_final_file(emu, found, tmp_path):
    emu.usgs.cut_after = 5000
    report = _download(emu, found[:1], tmp_path, settings={"retries": 0})
    (outcome,) = report.failed
    assert outcome.error and not (tmp_path / f"{found[0].name}.tar").exists()
    emu.usgs.cut_after = None
    resumed = _download(emu, found[:1], tmp_path)
    assert resumed.ok and resumed[0].bytes < resumed[0].path.stat().st_size  # the .part resumed


def test_a_damaged_bundle_on_disk_is_fetched_again(emu, found, tmp_path):
    target = tmp_path / f"{found[0].name}.tar"
    target.write_bytes(b"not a tar")
    report = _download(emu, found[:1], tmp_path)
    assert [o.status for o in report] == ["verified"]
    assert tarfile.is_tarfile(target)


def test_only_usgs_products_and_sane_timings_are_taken(emu, found, tmp_path):
    with pytest.raises(QueryError, match="not a USGS product"):
        usgs.download([cdse_intake.Product(id="x", name="y")], tmp_path)
    with pytest.raises(QueryError, match="wait=0"):
        _download(emu, found[:1], tmp_path, wait=0)


def test_the_same_scene_through_cdse_and_through_usgs_opens_to_equal_arrays(emu, found, tmp_path):
    scene = found[0]
    cdse = cdse_intake.search(
        collection=scene.collection, name_contains=scene.name, endpoints=emu.endpoints
    )
    assert [p.name for p in cdse] == [scene.name]
    both = [scene, *cdse]  # one USGS product, one CDSE product: each from its own service
    report = cdse_intake.download(
        both,
        tmp_path,
        progress=False,
        endpoints=emu.endpoints,
        credentials=(emu.username, emu.password),
        usgs_credentials=(emu.usgs_username, emu.usgs_token),
        poll_interval=0.1,
    )
    assert report.ok, report
    via_usgs, via_cdse = report.paths()
    assert via_usgs.suffix == ".tar" and via_cdse.suffix == ".zip"
    a = cdse_intake.open_product(via_usgs)
    b = cdse_intake.open_product(via_cdse)
    assert sorted(a.data_vars) == sorted(b.data_vars) and "B4" in a.data_vars
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values)
    assert a.attrs["landsat_product_id"] == b.attrs["landsat_product_id"] == scene.name
    np.testing.assert_array_equal(a["x"].values, b["x"].values)
    folder = tmp_path / "extracted" / scene.name  # the bundle unpacked opens the same way
    with tarfile.open(via_usgs) as tar:
        tar.extractall(folder, filter="data")
    c = cdse_intake.open_product(folder)
    np.testing.assert_array_equal(c["B4"].values, b["B4"].values)


def _tar(path, members):
    import io

    with tarfile.open(path, "w") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def test_the_bundle_check_refuses_unsafe_or_incomplete_tars(tmp_path):
    from cdse_intake.errors import ChecksumMismatch, UnsafePathError
    from cdse_intake.usgs.bundle import check_bundle

    good = tarfile.TarInfo("LC08_x_MTL.txt")
    good.size = 3
    assert check_bundle(_tar(tmp_path / "ok.tar", [(good, b"abc")])) == 1
    evil = tarfile.TarInfo("../evil.txt")
    evil.size = 3
    with pytest.raises(UnsafePathError):
        check_bundle(_tar(tmp_path / "evil.tar", [(evil, b"abc")]))
    link = tarfile.TarInfo("link")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    with pytest.raises(ChecksumMismatch, match="no file"):
        check_bundle(_tar(tmp_path / "link.tar", [(link, None)]))
    whole = (tmp_path / "ok.tar").read_bytes()
    (tmp_path / "cut.tar").write_bytes(whole[:600])
    with pytest.raises(ChecksumMismatch):
        check_bundle(tmp_path / "cut.tar")
