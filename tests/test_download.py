"""The downloader against the emulator: every fault alone and mixed, resume, skips, refusals."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pytest

import cdse_intake
from cdse_intake.cache import ProductCache, file_name
from cdse_intake.cache.markers import MARKER
from cdse_intake.config import Settings
from cdse_intake.downloads import DownloadReport, download
from cdse_intake.downloads.partfile import Expected
from cdse_intake.emulator.blob import add_large_product
from cdse_intake.manifest import ManifestError, read_manifest, rows_for, write_manifest
from cdse_intake.product import Product

from .test_download_common import (
    assert_final_files_verified,
    bytes_sent_by_product,
    final_files,
    grants,
    materialised,
    product_of,
    value_requests,
)

MB = 1_000_000


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", retries=5)


@pytest.fixture(scope="session")
def blob_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("blobs")


def run(items, settings: Settings, **kw) -> DownloadReport:
    return download(items, progress=False, settings=settings, **kw)


def assert_all_verified(report: DownloadReport, count: int) -> None:
    assert len(report) == count
    assert report.ok, [(o.name, o.reason) for o in report.failed]
    assert [o.status for o in report] == ["verified"] * count


# -- the plain batch, and what a second run does ---------------------------------------------------
def test_batch_is_verified_and_indexed(cdse_emulator, cdse_env, settings):
    products = materialised(cdse_emulator)
    report = run(products, settings)
    assert_all_verified(report, len(products))
    cache = ProductCache(settings.cache_dir)
    assert assert_final_files_verified(settings.cache_dir, cdse_emulator) == len(products)
    for outcome, product in zip(report, products, strict=True):
        assert outcome.path == cache.path_for(product) == cache.lookup(product)
        assert outcome.algorithm == "BLAKE3"
        assert outcome.bytes == product.size
        assert outcome.retries == 0
    assert not list(settings.cache_dir.rglob("*.part*"))
    # At most one login (the process's shared one may predate this test), each product fetched
    # once, whole.
    assert grants(cdse_emulator, "password") <= 1
    sent = bytes_sent_by_product(cdse_emulator)
    assert sent == {p.id: p.size for p in products}
    frame = report.to_dataframe()
    assert list(frame["status"]) == ["verified"] * len(products)
    assert "verified" in report._repr_html_()
    assert f"{len(products)} verified" in repr(report)


def test_second_run_skips_without_any_request(cdse_emulator, cdse_env, settings):
    products = materialised(cdse_emulator)[:4]
    run(products, settings)
    before = len(cdse_emulator.state.log)
    report = run(products, settings)
    assert [o.status for o in report] == ["skipped"] * 4
    assert len(cdse_emulator.state.log) == before  # no token, no download, nothing


def test_dest_folder_and_copy_from_cache(cdse_emulator, cdse_env, settings, tmp_path):
    products = materialised(cdse_emulator)[:3]
    dest = tmp_path / "out"
    report = run(products, settings, dest=dest)
    assert_all_verified(report, 3)
    files = sorted(p.name for p in dest.iterdir() if p.name != MARKER)
    assert files == sorted(file_name(p) for p in products)
    assert ProductCache(settings.cache_dir).lookup(products[0]) == dest / file_name(products[0])
    # Already verified elsewhere: placed in another folder without a transfer.
    before = len(value_requests(cdse_emulator))
    other = tmp_path / "other"
    report = run(products, settings, dest=other)
    assert [o.status for o in report] == ["skipped"] * 3
    assert len(value_requests(cdse_emulator)) == before
    assert_final_files_verified(other, cdse_emulator)


def test_file_already_at_its_place_is_adopted_or_replaced(cdse_emulator, cdse_env, settings):
    good, bad = materialised(cdse_emulator)[:2]
    run([good, bad], settings)
    cache = ProductCache(settings.cache_dir)
    cache.forget(good.id)
    cache.forget(bad.id)
    cache.path_for(bad).write_bytes(b"not the product")
    before = len(value_requests(cdse_emulator))
    report = run([good, bad], settings)
    assert [o.status for o in report] == ["skipped", "verified"]
    assert len(value_requests(cdse_emulator)) == before + 1  # only the damaged one again
    assert (settings.cache_dir / "quarantine" / file_name(bad)).read_bytes() == b"not the product"
    assert_final_files_verified(settings.cache_dir / "products", cdse_emulator)


# -- every fault alone -----------------------------------------------------------------------------
FAULTS = {
    "reset": {"after_bytes": 100_000, "times": 6},
    "truncate": {"after_bytes": 60_000, "times": 6},
    "status-429": {"kind": "status", "status": 429, "retry_after": 0.05, "times": 4},
    "status-503": {"kind": "status", "status": 503, "times": 6},
    "slow": {"rate": 4 * MB, "times": 4},
    "token_expiry": {"times": 3},
}


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_each_fault_alone_is_survived(cdse_emulator, cdse_env, settings, name):
    params = dict(FAULTS[name])
    kind = params.pop("kind", name)
    fault = cdse_emulator.faults.add(kind, **params)
    products = materialised(cdse_emulator)
    report = run(products, settings)
    assert_all_verified(report, len(products))
    assert fault.hits == params["times"]
    assert assert_final_files_verified(settings.cache_dir, cdse_emulator) == len(products)
    log = value_requests(cdse_emulator)
    if name in ("reset", "truncate"):
        assert sum(o.retries for o in report) >= fault.hits
        resumed = [r for r in log if r.status == 206]
        assert resumed and all(r.range.startswith("bytes=") for r in resumed)
        # Resumed, not restarted: no product was sent twice over.
        sent = bytes_sent_by_product(cdse_emulator)
        assert all(sent[p.id] <= p.size + (1 << 20) for p in products)
    elif name.startswith("status"):
        assert sum(1 for r in log if r.status == int(name[-3:])) == fault.hits
        assert sum(o.retries for o in report) == fault.hits
    elif name == "token_expiry":
        assert sum(1 for r in log if r.status == 401) == fault.hits
        assert grants(cdse_emulator, "password") <= 1  # refreshed, not a new login
        assert grants(cdse_emulator, "refresh_token") >= 1


def test_corrupt_once_restarts_twice_quarantines(cdse_emulator, cdse_env, settings):
    once, twice, clean = materialised(cdse_emulator)[:3]
    cdse_emulator.faults.add("corrupt", product=once.id, after_bytes=1000, times=1)
    cdse_emulator.faults.add("corrupt", product=twice.id, after_bytes=5000, times=2)
    report = run([once, twice, clean], settings)
    assert [o.status for o in report] == ["verified", "failed", "verified"]
    assert report[0].retries == 1
    failed = report[1]
    assert failed.error == "ChecksumMismatch"
    assert "does not match" in failed.reason and "quarantined" in failed.reason
    cache = ProductCache(settings.cache_dir)
    assert not cache.path_for(twice).exists()
    assert cache.quarantine_for(twice).stat().st_size == twice.size
    assert cache.lookup(twice) is None
    assert_final_files_verified(settings.cache_dir, cdse_emulator)


def test_ignored_range_restarts_cleanly(cdse_emulator, cdse_env, settings):
    product = max(materialised(cdse_emulator), key=lambda p: p.size)
    cdse_emulator.faults.add("reset", product=product.id, after_bytes=300_000, times=1)
    cdse_emulator.faults.add("ignore_range", product=product.id, times=1)
    report = run([product], settings)
    assert_all_verified(report, 1)
    first, second = value_requests(cdse_emulator)
    assert (first.status, first.bytes_sent) == (200, 300_000)
    assert second.range and second.range.startswith("bytes=") and second.status == 200
    # The 200 body replaced the prefix kept from the first answer (what survived the reset).
    kept = int(second.range.removeprefix("bytes=").rstrip("-"))
    assert 0 < kept <= 300_000
    assert report[0].bytes == kept + product.size
    assert_final_files_verified(settings.cache_dir, cdse_emulator)


def test_no_checksum_means_size_and_zip_integrity(cdse_emulator, cdse_env, settings):
    entries = [e for e in cdse_emulator.catalogue.materialised if e.online][:3]
    for entry in entries:
        cdse_emulator.faults.add("no_checksum", product=entry.id, times=None)
    folder = next(e for e in entries if not e.payload.single_file)
    # Bit flips in a stored zip fail its CRCs: the only check left without a checksum.
    cdse_emulator.faults.add("corrupt", product=folder.id, after_bytes=2000, times=1)
    found = [cdse_intake.search(name_contains=e.name, cache=False)[0] for e in entries]
    assert all(p.checksums == {} for p in found)
    report = run(found, settings)
    assert_all_verified(report, 3)
    assert {o.algorithm for o in report} == {"size"}
    assert report[[p.id for p in found].index(folder.id)].retries == 1
    entry = ProductCache(settings.cache_dir).entry(found[0])
    assert (entry.algorithm, entry.checksum) == ("size", str(found[0].size))
    assert_final_files_verified(settings.cache_dir, cdse_emulator)


def test_offline_and_missing_products_are_reported_not_retried(cdse_emulator, cdse_env, settings):
    first, second, fine = materialised(cdse_emulator)[:3]
    cdse_emulator.faults.add("offline", product=first.id, times=None)
    cdse_emulator.faults.add("offline", product=second.id, times=None)
    listed = cdse_intake.search(name_contains=first.name, cache=False)[0]
    assert listed.online is False
    ghost = Product(id="00000000-0000-4000-8000-000000000000", name="S2A_GHOST.SAFE", size=10)
    # `second` still says Online: True (a stale manifest): the server answers 404 DAT-ZIP-915.
    report = run([listed, second, ghost, fine], settings)
    assert [o.status for o in report] == ["failed", "failed", "failed", "verified"]
    assert report[0].error == "ProductOffline" and "offline" in report[0].reason
    assert report[1].error == "ProductNotFound" and "DAT-ZIP-915" in report[1].reason
    assert report[2].error == "ProductNotFound" and "status=404" in report[2].reason
    counts = {p.id: 0 for p in (listed, second, ghost)}
    for rec in value_requests(cdse_emulator):
        for pid in counts:
            counts[pid] += pid in rec.path
    assert counts == {listed.id: 0, second.id: 1, ghost.id: 1}
    assert all(o.retries == 0 for o in report)
    assert not list(settings.cache_dir.rglob("*.part*"))


def test_mixed_faults_over_the_batch(cdse_emulator, cdse_env, settings):
    faults = cdse_emulator.faults
    faults.add("reset", after_bytes=80_000, times=None, probability=0.3)
    faults.add("truncate", after_bytes=150_000, times=None, probability=0.15)
    faults.add("corrupt", after_bytes=10_000, times=None, probability=0.1)
    faults.add("status", status=503, times=None, probability=0.1)
    faults.add("status", status=429, retry_after=0.02, times=None, probability=0.1)
    faults.add("ignore_range", times=None, probability=0.3)
    faults.add("token_expiry", times=None, probability=0.1)
    faults.add("slow", rate=5 * MB, times=None, probability=0.2)
    products = materialised(cdse_emulator)
    report = run(products, settings)
    assert len(report) == len(products)
    for outcome in report:
        assert outcome.status in ("verified", "failed")
        if outcome.status == "failed":
            assert outcome.reason and outcome.error
    cache = ProductCache(settings.cache_dir)
    for outcome, product in zip(report, products, strict=True):
        assert cache.path_for(product).exists() == (outcome.status == "verified")
    assert len(report.verified) >= len(products) // 2
    assert assert_final_files_verified(settings.cache_dir, cdse_emulator) == len(report.verified)
    # A second run finishes what the first could not, resuming its .part files.
    faults.clear()
    again = run(products, settings)
    assert again.ok
    assert assert_final_files_verified(settings.cache_dir, cdse_emulator) == len(products)


# -- resume ----------------------------------------------------------------------------------------
@pytest.fixture
def large(cdse_emulator_factory, blob_dir, monkeypatch):
    emu = cdse_emulator_factory(scale=0.01, s3=False)
    entry = add_large_product(emu.catalogue, 40 * MB, blob_dir)
    # CDSE's per-connection cap (§2.4), doubled. Unthrottled, a loopback sender runs far ahead of
    # the client, and a reset then discards megabytes queued in both kernels: bytes a real
    # 20 MB/s connection never has in flight.
    emu.state.throttle = 40 * MB
    for key, value in emu.env().items():
        monkeypatch.setenv(key, value)
    return emu, product_of(entry)


def test_reset_at_60_percent_resumes_within_10_percent(large, settings):
    emu, product = large
    emu.faults.add("reset", product=product.id, after_bytes=24 * MB, times=1)
    report = run(product, settings)
    assert_all_verified(report, 1)
    outcome = report[0]
    assert outcome.retries == 1
    sent = bytes_sent_by_product(emu)[product.id]
    assert product.size <= sent <= 1.1 * product.size
    assert product.size <= outcome.bytes <= 1.1 * product.size
    second = value_requests(emu)[1]
    assert second.status == 206
    # Resumed from what reached the disk (a TCP reset also drops what the kernel still held).
    assert int(second.range.removeprefix("bytes=").rstrip("-")) >= 0.5 * product.size
    assert_final_files_verified(settings.cache_dir, emu)


def test_part_file_from_an_earlier_run_is_resumed(large, settings):
    emu, product = large
    # The first run gives up (no retries) after 60% with its .part on disk...
    emu.faults.add("reset", product=product.id, after_bytes=24 * MB, times=1)
    failed = run(product, Settings(cache_dir=settings.cache_dir, retries=0))
    assert failed[0].status == "failed" and failed[0].reason
    cache = ProductCache(settings.cache_dir)
    part = cache.part_for(product)
    assert 0 < part.stat().st_size <= 24 * MB
    assert cache.sidecar_for(product).exists() and not cache.path_for(product).exists()
    kept = part.stat().st_size
    # ...the next one rebuilds the hash from it and asks for the rest only.
    report = run(product, settings)
    assert_all_verified(report, 1)
    assert report[0].bytes == product.size - kept
    assert value_requests(emu)[-1].range == f"bytes={kept}-"
    assert bytes_sent_by_product(emu)[product.id] <= 1.1 * product.size
    assert_final_files_verified(settings.cache_dir, emu)


def test_part_file_of_another_product_version_is_not_resumed(large, settings):
    emu, product = large
    cache = ProductCache(settings.cache_dir)
    part = cache.part_for(product)
    part.parent.mkdir(parents=True)
    part.write_bytes(b"x" * 1000)
    cache.sidecar_for(product).write_text('{"id": "someone else"}')
    report = run(product, settings)
    assert_all_verified(report, 1)
    assert value_requests(emu)[0].range is None
    assert_final_files_verified(settings.cache_dir, emu)


# -- quota -----------------------------------------------------------------------------------------
def test_default_budget_never_hits_the_session_limit(cdse_emulator, cdse_env, settings):
    cdse_emulator.state.throttle = 4 * MB
    products = materialised(cdse_emulator)
    report = run(products, settings)
    assert_all_verified(report, len(products))
    assert not [r for r in cdse_emulator.state.log if r.status == 429]
    assert cdse_emulator.state.peak_downloads[cdse_emulator.username] == 4


def test_lower_server_limit_is_retried_and_learned(cdse_emulator, cdse_env, settings):
    user, password = "two-sessions@cdse-emulator.local", "pw-two-sessions"
    cdse_emulator.add_account(user, password, max_sessions=2)
    cdse_emulator.state.throttle = 4 * MB
    products = materialised(cdse_emulator)
    report = run(products, settings, credentials=(user, password))
    assert_all_verified(report, len(products))
    refused = [r for r in value_requests(cdse_emulator) if r.status == 429]
    assert refused, "four workers against a limit of two: some 429 DAT-ZIP-100 expected"
    assert len(refused) <= 8  # x-cf-sessionlimit-limit taught the run to stay at two
    assert cdse_emulator.state.peak_downloads[user] == 2
    assert sum(o.retries for o in report) == len(refused)


# -- refusals and inputs ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    ["../../escape.SAFE", "a/b.nc", "evil\x00.nc", "..", "x" * 300 + ".nc", "back\\slash.nc"],
)
def test_unsafe_names_are_refused_without_a_request(cdse_emulator, cdse_env, settings, name):
    entry = cdse_emulator.catalogue.materialised[0]
    product = Product(id=entry.id, name=name, size=entry.content_length, collection="SENTINEL-2")
    report = run(product, settings)
    assert report[0].status == "failed" and report[0].error == "UnsafePathError"
    assert repr(name)[1:8] in report[0].reason or "unsafe" in report[0].reason
    assert not value_requests(cdse_emulator)
    assert not final_files(settings.cache_dir)


def test_manifest_is_updated_after_every_product(cdse_emulator, cdse_env, settings, tmp_path):
    products = materialised(cdse_emulator)[:5]
    offline = products[4]
    cdse_emulator.faults.add("offline", product=offline.id, times=None)
    manifest = write_manifest(tmp_path / "m.csv", rows_for(products), query={"x": 1})
    report = run(manifest, settings)
    assert [o.status for o in report] == ["verified"] * 4 + ["failed"]
    table = pd.read_csv(manifest, comment="#", keep_default_na=False)
    assert list(table["Downloaded"]) == ["verified"] * 4 + ["failed"]
    for path in table["LocalPath"][:4]:
        assert Path(path).is_file()
    assert table["LocalPath"][4] == "" and "DAT-ZIP-915" in table["Reason"][4]
    assert read_manifest(manifest).query == {"x": 1}
    # Next run: the verified rows stay verified (skipped, no transfer), the failure is retried.
    cdse_emulator.faults.clear()
    report = run(manifest, settings)
    assert [o.status for o in report] == ["skipped"] * 4 + ["verified"]
    assert list(pd.read_csv(manifest, comment="#")["Downloaded"]) == ["verified"] * 5


def test_manifest_keyword_writes_a_new_manifest(cdse_emulator, cdse_env, settings, tmp_path):
    wanted = next(p for p in materialised(cdse_emulator) if p.name.startswith("S5P_"))
    results = cdse_intake.search(name_contains=wanted.name, cache=False)
    assert len(results) == 1
    report = results.download(progress=False, settings=settings, manifest=tmp_path / "new.csv")
    assert report.ok
    table = pd.read_csv(tmp_path / "new.csv", comment="#")
    assert set(table["Downloaded"]) == {"verified"} and len(table) == len(results)
    assert "name_contains" in (tmp_path / "new.csv").read_text()


def test_bad_items_are_refused_before_any_request(cdse_env, settings):
    with pytest.raises(ValueError, match="expected a Product"):
        run([1, 2], settings)
    with pytest.raises(ValueError, match="expected SearchResults"):
        run(42, settings)
    with pytest.raises(ValueError, match="via='ftp'"):
        run([], settings, via="ftp")
    with pytest.raises(ValueError, match="max_connections=0"):
        run([], settings, max_connections=0)
    with pytest.raises(ManifestError, match="cannot read manifest"):
        run(Path("/nonexistent/m.csv"), settings)


def test_missing_credentials_are_reported(cdse_emulator, cdse_env, settings, monkeypatch):
    monkeypatch.delenv("CDSE_PASSWORD")
    report = run(materialised(cdse_emulator)[:2], settings)
    assert report.credentials_missing and not report.ok
    assert all("no CDSE credentials found" in o.reason for o in report)
    assert not cdse_emulator.state.log


def test_refused_login_is_an_authentication_failure(cdse_emulator, cdse_env, settings):
    report = run(materialised(cdse_emulator)[:3], settings, credentials=("nobody@x.y", "wrong"))
    assert report.authentication_failed and len(report.failed) == 3
    assert grants(cdse_emulator, "password") <= 1  # refused once, not once per product


def test_several_accounts_share_the_work(cdse_emulator, cdse_env, settings):
    other = ("second@cdse-emulator.local", "pw-second")
    cdse_emulator.add_account(*other)
    demo = (cdse_emulator.username, cdse_emulator.password)
    cdse_emulator.state.throttle = 4 * MB
    products = materialised(cdse_emulator)
    report = run(products, settings, credentials=[demo, other], max_connections=2)
    assert_all_verified(report, len(products))
    users = {r.user for r in value_requests(cdse_emulator)}
    assert users == {demo[0], other[0]}
    assert cdse_emulator.state.peak_downloads[demo[0]] <= 2
    assert cdse_emulator.state.peak_downloads[other[0]] <= 2


# -- S3 --------------------------------------------------------------------------------------------
def test_via_s3_single_objects_from_the_bucket(cdse_emulator, cdse_env, settings):
    products = materialised(cdse_emulator)
    report = run(products, settings, via="s3")
    assert_all_verified(report, len(products))
    single = {p.id for p in products if cdse_emulator.catalogue.by_id[p.id].payload.single_file}
    assert single
    over_https = {r.path.split("(")[1].split(")")[0] for r in value_requests(cdse_emulator)}
    assert over_https == {p.id for p in products} - single
    assert assert_final_files_verified(settings.cache_dir, cdse_emulator) == len(products)


def test_via_s3_resumes_a_part_file(cdse_emulator, cdse_env, settings):
    product = next(
        p for p in materialised(cdse_emulator) if p.name.endswith(".nc") and p.size > 100_000
    )
    cache = ProductCache(settings.cache_dir)
    run(product, settings, via="s3")
    whole = cache.path_for(product).read_bytes()
    cache.forget(product.id)
    cache.path_for(product).unlink()
    cache.part_for(product).write_bytes(whole[:50_000])
    cache.sidecar_for(product).write_text(json.dumps(asdict(Expected.of(product))))
    report = run(product, settings, via="s3")
    assert_all_verified(report, 1)
    assert report[0].bytes == product.size - 50_000  # the rest only, by a ranged GetObject
    assert assert_final_files_verified(settings.cache_dir, cdse_emulator) == 1


def test_complete_part_of_unknown_size_restarts_after_416(cdse_emulator, cdse_env, settings):
    entry = cdse_emulator.catalogue.materialised[0]
    known = product_of(entry)
    product = Product.from_dict({**known.to_dict(), "size": None})  # no ContentLength known
    run(known, settings)
    cache = ProductCache(settings.cache_dir)
    whole = cache.path_for(product).read_bytes()
    cache.forget(product.id)
    cache.path_for(product).unlink()
    cache.part_for(product).write_bytes(whole)
    cache.sidecar_for(product).write_text(json.dumps(asdict(Expected.of(product))))
    cdse_emulator.state.reset_counters()
    report = run(product, settings)
    assert_all_verified(report, 1)
    first, second = value_requests(cdse_emulator)
    assert (first.status, first.range) == (416, f"bytes={len(whole)}-")
    assert (second.status, second.range) == (200, None)


def test_called_from_a_running_event_loop(cdse_emulator, cdse_env, settings):
    """As in Jupyter: the loop of the calling thread is busy, the run goes to a background one."""
    products = materialised(cdse_emulator)[:2]

    async def notebook_cell() -> DownloadReport:
        return run(products, settings)

    report = asyncio.run(notebook_cell())
    assert_all_verified(report, 2)


def test_progress_bars(cdse_emulator, cdse_env, settings, capsys):
    report = download(materialised(cdse_emulator)[:2], settings=settings)
    assert report.ok
    err = capsys.readouterr().err
    assert "products" in err and "2 verified" in err
