"""Downloads across processes and time: SIGKILL and resume, two processes, expiring tokens."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from cdse_intake.cache import ProductCache
from cdse_intake.config import Settings
from cdse_intake.downloads import download
from cdse_intake.emulator.blob import add_large_product
from cdse_intake.manifest import read_manifest, rows_for, write_manifest

from .test_download_common import (
    assert_final_files_verified,
    bytes_sent_by_product,
    grants,
    materialised,
    product_of,
    value_requests,
)

MB = 1_000_000

#: A separate process downloading a manifest, as a user's script would.
CHILD = (
    "import sys\n"
    "from cdse_intake.downloads import download\n"
    "report = download(sys.argv[1], progress=False)\n"
    "sys.exit(0 if report.ok else 8)\n"
)


@pytest.fixture(scope="module")
def blob_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("blobs")


def child_env(emu, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDSE_")}
    env.update(emu.env())
    env["CDSE_CACHE_DIR"] = str(cache)
    env["CDSE_CONFIG"] = os.environ["CDSE_CONFIG"]  # the test's empty config
    return env


def start_child(manifest: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(manifest)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def assert_manifest_consistent(manifest: Path, emu) -> pd.DataFrame:
    """The manifest parses, and every row it calls verified has its verified file."""
    table = pd.read_csv(manifest, comment="#", keep_default_na=False)
    assert set(table["Downloaded"]) <= {"no", "verified", "skipped", "failed"}
    for _, row in table[table["Downloaded"].isin(["verified", "skipped"])].iterrows():
        path = Path(row["LocalPath"])
        assert path.is_file(), row["Name"]
        assert path.stat().st_size == row["Size"]
    assert read_manifest(manifest).rows  # and our own reader agrees
    return table


def test_sigkill_at_random_points_then_resume(cdse_emulator_factory, blob_dir, tmp_path):
    emu = cdse_emulator_factory(scale=0.01, s3=False)
    large = product_of(add_large_product(emu.catalogue, 24 * MB, blob_dir))
    emu.state.throttle = 4 * MB  # ~6 s for the large product: time to be killed in it
    products = [large, *[p for p in materialised(emu) if p.id != large.id]]
    manifest = write_manifest(tmp_path / "m.csv", rows_for(products))
    cache_dir = tmp_path / "cache"
    env = child_env(emu, cache_dir)
    cache = ProductCache(cache_dir)
    rng = random.Random(20261121)
    kills = 3
    part = cache.part_for(large)
    for _ in range(kills):
        before = size_of(part)
        child = start_child(manifest, env)
        # Once this run moves the large product forward (polled, with a deadline), kill it at
        # a random point.
        deadline = time.monotonic() + 60
        while size_of(part) <= before and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 1.2))
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
        # After every kill: the manifest parses and nothing unverified sits at a final path.
        assert_manifest_consistent(manifest, emu)
        assert_final_files_verified(cache_dir / "products", emu)
    assert part.stat().st_size > 0 and cache.sidecar_for(large).exists()
    child = start_child(manifest, env)
    _out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err.decode()[-3000:]
    table = assert_manifest_consistent(manifest, emu)
    assert set(table["Downloaded"]) == {"verified"}
    assert assert_final_files_verified(cache_dir / "products", emu) == len(products)
    assert not list(cache_dir.rglob("*.part")) and not list(cache_dir.rglob("*.part.json"))
    assert all(cache.lookup(p) is not None for p in products)
    # The large product was resumed from its .part files, not fetched again from the start.
    ranges = [r.range for r in value_requests(emu) if large.id in r.path and r.range]
    assert ranges and all(int(r.removeprefix("bytes=").rstrip("-")) > 0 for r in ranges)
    # A kill loses what was in flight (at most ~1 MiB buffered + a paced chunk), no more.
    assert bytes_sent_by_product(emu)[large.id] <= large.size + kills * 2 * MB


def test_two_processes_share_one_cache_and_budget(cdse_emulator_factory, tmp_path):
    emu = cdse_emulator_factory(scale=0.01, s3=False)
    emu.state.throttle = 1 * MB  # slow enough that both processes are downloading at once
    products = materialised(emu)
    first = write_manifest(tmp_path / "a.csv", rows_for(products[:6]))
    second = write_manifest(tmp_path / "b.csv", rows_for(products[3:]))
    env = child_env(emu, tmp_path / "cache")
    children = [start_child(first, env), start_child(second, env)]
    for child in children:
        _out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err.decode()[-3000:]
    # Each product's bytes were fetched once in total, whichever process got it.
    fetched: dict[str, int] = {}
    for rec in value_requests(emu):
        if rec.status in (200, 206):
            pid = rec.path.split("(")[1].split(")")[0]
            fetched[pid] = fetched.get(pid, 0) + 1
    assert fetched == {p.id: 1 for p in products}
    assert bytes_sent_by_product(emu) == {p.id: p.size for p in products}
    # Never more connections than the account's budget, and so never a DAT-ZIP-100.
    assert emu.state.peak_downloads[emu.username] <= 4
    assert not [r for r in emu.state.log if r.status == 429]
    for manifest in (first, second):
        table = assert_manifest_consistent(manifest, emu)
        assert set(table["Downloaded"]) <= {"verified", "skipped"}
    assert assert_final_files_verified(tmp_path / "cache" / "products", emu) == len(products)


def test_tokens_expiring_every_few_seconds(cdse_emulator_factory, tmp_path, monkeypatch):
    emu = cdse_emulator_factory(access_lifetime=2, refresh_lifetime=60, scale=0.01, s3=False)
    for key, value in emu.env().items():
        monkeypatch.setenv(key, value)
    # The smallest products up to ~3 MB, throttled so that the batch takes ~5 s over two
    # connections: tokens expire two or three times while bytes flow (every product of the
    # emulator, ~24 MB, took 30 s at a fixed throttle and proved nothing more).
    products, total = [], 0
    for product in sorted(materialised(emu), key=lambda p: p.size or 0):
        if total + (product.size or 0) > 3 * MB and len(products) >= 6:
            break
        products.append(product)
        total += product.size or 0
    emu.state.throttle = max(total / 2 / 5.0, 0.1 * MB)  # bytes/s per connection
    stop = threading.Event()

    def revoke_now_and_then() -> None:
        # Besides the 2 s lifetime, the service also declares every token expired at times,
        # so requests meet a 401 that the transport must answer with a refresh.
        while not stop.wait(0.9):
            emu.expire_tokens()

    thread = threading.Thread(target=revoke_now_and_then, daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        report = download(
            products,
            progress=False,
            settings=Settings(cache_dir=tmp_path / "cache"),
            max_connections=2,
        )
        took = time.monotonic() - started
    finally:
        stop.set()
        thread.join()
    assert report.ok, [(o.name, o.reason) for o in report.failed]
    assert grants(emu, "password") == 1  # one login for the whole batch
    assert grants(emu, "refresh_token") >= 2
    assert took > 2 * 2, f"the batch took {took:.1f} s: tokens of 2 s must expire during it"
    assert assert_final_files_verified(tmp_path / "cache" / "products", emu) == len(products)
