"""Shared test set-up. The emulator fixtures come from cdse_intake's pytest plugin."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

# The emulator keeps generated catalogues, products' sizes and checksums on disk
# (cdse_intake.emulator.sums, .catalogue_disk): in a folder of this run's, not the user's
# ~/.cache, shared by xdist's workers and the processes tests start (they inherit it), removed
# when the process that made it (xdist's controller) ends.
_RUN_FOLDER = "PYTEST_CDSE_EMULATOR_CACHE"
if _RUN_FOLDER not in os.environ:
    os.environ[_RUN_FOLDER] = tempfile.mkdtemp(prefix="cdse-emulator-sums-")
    atexit.register(shutil.rmtree, os.environ[_RUN_FOLDER], ignore_errors=True)
os.environ["CDSE_EMULATOR_CACHE"] = os.environ[_RUN_FOLDER]
# Keep every catalogue the run generates (a user's folder keeps 4): the suite uses about six
# full-size variants, and one pruned while still needed was generated again (~25 s each time).
os.environ["CDSE_EMULATOR_CACHE_KEEP"] = "64"

#: The real CDSE material beside the repository (``../shared/reference``), when present.
REFERENCE = Path(
    os.environ.get("CDSE_REFERENCE_DIR", Path(__file__).resolve().parents[2] / "shared/reference")
)


#: The variables every test keeps: the first two are set to its own, the emulator's cache is
#: the run's (without it, each emulator a test starts would generate its catalogue again).
KEPT_VARIABLES = (
    "CDSE_CONFIG",
    "CDSE_CACHE_DIR",
    "CDSE_EMULATOR_CACHE",
    "CDSE_EMULATOR_CACHE_KEEP",
)


#: The slowest files (their tests' seconds in a full run, 2 workers), sent to xdist's workers
#: first: with ``--dist loadfile`` a long file that starts last leaves the other core idle until
#: it ends. The other files follow, most tests first. Keep roughly in step with ``--durations``.
SLOW_FIRST = (
    "test_notebooks.py",  # ~150 s (two kernels at a time)
    "test_clean_exit.py",  # ~100
    "emulator/test_deliver_all.py",  # ~60
    "test_readme.py",  # ~57
    "readers/test_sentinel3_more.py",
    "emulator/test_third_party_downloads.py",
    "test_search_fields.py",
    "readers/test_sentinel2_partial.py",
    "test_download.py",
    "emulator/test_sums_pack.py",
    "test_cli_emulator.py",
    "readers/test_sentinel3_partial.py",
    "emulator/test_odata_filter.py",
    "cubes/test_cube_sentinel2.py",
    "intake/test_read.py",
    "emulator/test_odata_properties.py",
    "emulator/test_stac.py",
    "test_landsea.py",
    "test_demo.py",
    "test_download_processes.py",
    "test_cli_load.py",
    "browser/test_panel_browser.py",
    "cubes/test_cube_odc_stac.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slowest files first (:data:`SLOW_FIRST`), then by number of tests; a file's tests keep
    their order (the sort is stable and keys on the file only)."""
    here = Path(__file__).resolve().parent
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    files = [_relative(item, here) for item in items]
    counts: dict[str, int] = {}
    for name in files:
        counts[name] = counts.get(name, 0) + 1
    order = {id(item): (rank.get(name, len(rank)), -counts[name], name)
             for item, name in zip(items, files, strict=True)}  # fmt: skip
    items.sort(key=lambda item: order[id(item)])


def _relative(item: pytest.Item, here: Path) -> str:
    try:
        return Path(item.path).resolve().relative_to(here).as_posix()
    except ValueError:  # a test outside tests/ (a user's own, in a plugin test)
        return str(item.path)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """``../shared/reference``; tests that need it skip when it is absent."""
    if not REFERENCE.is_dir():
        pytest.skip(f"reference material not found at {REFERENCE}")
    return REFERENCE


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Keep the user's own CDSE settings, credentials and ~/.netrc out of every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("CDSE_CONFIG", str(home / "no-config.toml"))
    monkeypatch.setenv("CDSE_CACHE_DIR", str(home / "cache"))
    for key in list(os.environ):
        if key.startswith("CDSE_") and key not in KEPT_VARIABLES:
            monkeypatch.delenv(key)
    monkeypatch.delenv("NETRC", raising=False)


@pytest.fixture(autouse=True)
def _no_remote_files_kept():
    """Remote files are kept open between reads, keyed by service and path (a product on CDSE
    never changes); tests change what the emulator serves under one name (faults), so each test
    starts with none kept."""
    yield
    from cdse_intake.readers._remote_files import forget

    forget()


@pytest.fixture
def dask_client():
    """Start in-process dask clusters (loopback only); ``dask_client(n_workers, threads)``."""
    distributed = pytest.importorskip("distributed")
    started = []

    def make(n_workers: int = 1, threads_per_worker: int = 4):
        try:
            cluster = distributed.LocalCluster(
                processes=False,
                n_workers=n_workers,
                threads_per_worker=threads_per_worker,
                # in-process (inproc:// transport); the HTTP servers it starts stay on loopback
                dashboard_address="127.0.0.1:0",
                worker_dashboard_address="127.0.0.1:0",
            )
        except Exception as err:  # pragma: no cover - environment-specific
            pytest.skip(f"cannot start a dask LocalCluster: {err}")
        client = distributed.Client(cluster)
        started.append((cluster, client))
        return client

    yield make
    for cluster, client in started:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def landsat_emulator() -> Any:
    """A small emulator with a Landsat time series added (:mod:`tests._landsat_series`: the
    default catalogue has at most one scene per path/row), and the records added."""
    from ._landsat_series import emulator_with_series

    emu, added = emulator_with_series()
    with emu:
        yield emu, added


@pytest.fixture
def landsat_series(landsat_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The records :func:`landsat_emulator` added, with the environment pointing at it."""
    emu, added = landsat_emulator
    for key, value in emu.env().items():
        monkeypatch.setenv(key, value)
    return added


@pytest.fixture
def background_emulators(tmp_path_factory: pytest.TempPathFactory):
    """An environment whose ``cdse-intake emulator start`` keeps its state in a private TMPDIR;
    any emulator a test started and did not stop (a script that failed midway) is stopped after
    the test, so none outlives it."""
    import subprocess
    import sys

    tmp = tmp_path_factory.mktemp("emulators")
    yield {**os.environ, "TMPDIR": str(tmp)}
    for state in tmp.glob("cdse-emulator-*"):
        subprocess.run(
            [sys.executable, "-m", "cdse_intake.cli", "emulator", "stop", "--state", str(state)],
            capture_output=True,
            timeout=60,
            check=False,
        )


@pytest.fixture
def land(cdse_emulator: Any, cdse_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The emulator's CLMS, fast (tasks end within 0.4 s, the client polls every 0.2 s), with
    the environment pointing the client at it; nothing of the test left pending after it."""
    service = cdse_emulator.land
    assert cdse_env["CDSE_CLMS_SERVICE_KEY"] == str(service.service_key_path)
    monkeypatch.setenv("CDSE_CLMS_POLL_INTERVAL", "0.2")
    service.reset()
    service.delays = (0.1, 0.3)
    yield service
    service.reset()
    service.clock.advance(60)
