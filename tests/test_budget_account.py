"""One connection budget per account, not per cache: downloads and ``cdse://`` reads of every
process of the user, whatever cache each uses, and of a dask cluster's workers.

The emulator answers a fifth concurrent download of an account with ``429 DAT-ZIP-100`` (as CDSE
does) and records each account's peak of concurrent downloads; the budget holds when no request
was answered 429 and the peak is at most 4.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cdse_intake.downloads import download, download_on_cluster
from cdse_intake.downloads.budget import ConnectionBudget, make_budget
from cdse_intake.fs import CDSEFileSystem
from cdse_intake.manifest import rows_for, write_manifest

from .test_download_common import assert_final_files_verified, materialised

MB = 1_000_000
LIMIT = 4

#: A separate process downloading a manifest into its own cache, as a user's script would.
CHILD = (
    "import sys\n"
    "from cdse_intake.downloads import download\n"
    "report = download(sys.argv[1], progress=False)\n"
    "sys.exit(0 if report.ok else 8)\n"
)


@pytest.fixture(autouse=True)
def _fresh_instances():
    CDSEFileSystem.clear_instance_cache()
    yield
    CDSEFileSystem.clear_instance_cache()


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


def refused(emu) -> list:
    """Requests the emulator answered 429 (DAT-ZIP-100: over the account's session limit)."""
    return [r for r in emu.state.requests() if r.status == 429]


def node_files(emu, count: int) -> list[tuple[str, int]]:
    """``cdse://`` paths of ``count`` files inside folder products (with their sizes)."""
    out = []
    for entry in emu.catalogue.materialised:
        if entry.payload.single_file or not entry.online:
            continue
        for name, data in entry.payload.files.items():
            if "/" not in name and len(data) > 20_000:
                out.append((f"cdse://{entry.stem}/{name}", len(data)))
                break
        if len(out) == count:
            break
    return out


# -- the budget itself --------------------------------------------------------------------------
def test_two_caches_share_the_account_budget(tmp_path: Path) -> None:
    first = make_budget(tmp_path / "cache-a", "acct@example.org", 2)
    second = make_budget(tmp_path / "cache-b", "acct@example.org", 2)
    other = make_budget(tmp_path / "cache-b", "someone@example.org", 2)
    with first.hold(), second.hold():
        assert first.available() == 0  # one budget: the second cache took the last slot
        assert other.available() == 2
    assert first.available() == 2
    # Not in either cache: in the user's own state directory.
    assert not (tmp_path / "cache-a" / "slots").exists()
    assert not (tmp_path / "cache-b" / "slots").exists()


def test_the_account_name_is_case_insensitive(tmp_path: Path) -> None:
    # Keycloak user names are: "Alice@x" and "alice@x" are one account with one quota.
    upper = make_budget(None, "Alice@Example.org", 1)
    lower = make_budget(None, "alice@example.org", 1)
    with upper.hold():
        assert lower.available() == 0


def test_the_download_origin_keeps_services_apart(tmp_path: Path) -> None:
    # The same user name on another service (an emulator, the real CDSE) is another account.
    real = ConnectionBudget(tmp_path, "acct", 1, origin="https://download.dataspace.copernicus.eu")
    emulated = ConnectionBudget(tmp_path, "acct", 1, origin="http://127.0.0.2:5001")
    with real.hold():
        assert emulated.available() == 1


def test_the_slot_folder_is_private(tmp_path: Path) -> None:
    budget = make_budget(None, "acct", 1)
    with budget.hold():
        pass
    root = budget.directory.parent
    assert (root.stat().st_mode & 0o077) == 0
    assert str(Path.home()) in str(root)  # per user (tests run with their own HOME)


# -- processes, downloads and reads against the emulator -------------------------------------------
def test_two_processes_with_two_caches_stay_within_the_account_budget(
    cdse_emulator_factory, tmp_path
):
    emu = cdse_emulator_factory(scale=0.01, s3=False)
    emu.state.throttle = 3 * MB  # slow enough that both processes download at once
    products = sorted(materialised(emu), key=lambda p: -p.size)[:12]
    manifests = [write_manifest(tmp_path / f"{x}.csv", rows_for(products)) for x in "ab"]
    children = [
        start_child(manifest, child_env(emu, tmp_path / f"cache-{i}"))
        for i, manifest in enumerate(manifests)
    ]
    for child in children:
        _out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err.decode()[-3000:]
    for i in range(2):  # each cache got every product, verified
        assert assert_final_files_verified(tmp_path / f"cache-{i}" / "products", emu) == 12
    peak = emu.state.peak_downloads[emu.username]
    print(f"peak concurrent, two processes on two caches: {peak}, 429s: {len(refused(emu))}")
    assert refused(emu) == []
    assert 2 <= peak <= LIMIT


def test_downloads_and_cdse_reads_share_the_budget(cdse_emulator_factory, tmp_path, monkeypatch):
    emu = cdse_emulator_factory(scale=0.01, s3=False)
    for key, value in emu.env().items():
        monkeypatch.setenv(key, value)
    emu.state.throttle = 3 * MB
    products = sorted(materialised(emu), key=lambda p: -p.size)[:10]
    manifest = write_manifest(tmp_path / "m.csv", rows_for(products))
    # Another process downloads into its own cache ...
    child = start_child(manifest, child_env(emu, tmp_path / "child-cache"))
    # ... while this one downloads too (another cache) and reads files remotely on 6 threads.
    files = node_files(emu, 12)
    assert len(files) == 12
    fs = CDSEFileSystem()
    errors: list[BaseException] = []

    def read(path: str, size: int) -> None:
        try:
            assert len(fs.cat_file(path)) == size
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=read, args=f) for f in files]
    for t in threads:
        t.start()
    report = download(products, tmp_path / "here", progress=False, max_connections=LIMIT)
    for t in threads:
        t.join(120)
    _out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err.decode()[-3000:]
    assert report.ok, [o.reason for o in report.failed]
    assert errors == []
    peak = emu.state.peak_downloads[emu.username]
    print(f"peak concurrent, downloads and cdse:// reads: {peak}, 429s: {len(refused(emu))}")
    assert refused(emu) == []
    assert 2 <= peak <= LIMIT


def _read_on_worker(path: str) -> int:
    """A dask task: read a file through cdse:// (credentials from the worker's environment)."""
    return len(CDSEFileSystem().cat_file(path))


def test_a_dask_cluster_downloading_and_reading_stays_within_the_budget(
    cdse_emulator_factory, tmp_path, monkeypatch, dask_client
):
    emu = cdse_emulator_factory(scale=0.01, s3=False)
    for key, value in emu.env().items():
        monkeypatch.setenv(key, value)
    emu.state.throttle = 3 * MB
    products = sorted(materialised(emu), key=lambda p: -p.size)[:10]
    manifest = write_manifest(tmp_path / "m.csv", rows_for(products))
    client = dask_client(n_workers=2, threads_per_worker=4)
    files = node_files(emu, 12)
    reads = client.map(_read_on_worker, [path for path, _ in files], pure=False)
    report = download_on_cluster(client, manifest, tmp_path / "out", max_connections=LIMIT)
    sizes = client.gather(reads)
    assert report.ok, [o.reason for o in report.failed]
    assert sizes == [size for _, size in files]
    peak = emu.state.peak_downloads[emu.username]
    print(f"peak concurrent connections, 2-worker dask cluster: {peak}, 429s: {len(refused(emu))}")
    assert refused(emu) == []
    assert 2 <= peak <= LIMIT
