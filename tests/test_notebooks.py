"""The tutorial notebooks run top to bottom, offline, and are committed without outputs.

Each notebook is executed with nbclient in a kernel of this interpreter (a kernelspec written to a
temporary directory, so neither a user's kernels nor ``python`` on PATH are used), with
matplotlib's non-GUI inline backend (Agg rendering to PNG outputs, which the tests inspect).

The ``CDSE_*`` variables are unset (the autouse fixture of conftest.py), so the notebook's first
cell starts its own emulator exactly as it does for a reader: that path is the one under test,
and the notebooks may use the emulator object (its request log for the bytes a remote read cost,
a fault to show a resumed download). It costs a catalogue load (~2 s) per notebook. Each runs
in a temporary copy of the repository layout (``notebooks/`` beside ``catalog.yaml``), so its
``output/`` folder never lands in the working tree.

Offline: a first cell added to the executed copy makes the kernel refuse TCP connections to
anything but loopback and DNS lookups of other names; a last cell reports what was refused, which
must be nothing.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import multiprocessing
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from ._offline import GUARD
from .conftest import KEPT_VARIABLES

# nbformat and nbclient are imported where used: nbformat's jsonschema import costs ~5 s, paid
# by every process that collects this file otherwise.
if importlib.util.find_spec("nbformat") is None or importlib.util.find_spec("nbclient") is None:
    pytest.skip("nbformat and nbclient are needed to run the notebooks", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "notebooks"
NOTEBOOKS = (
    "01_catalog_tour.ipynb",
    "02_search_and_download.ipynb",
    "03_open_products.ipynb",
    "04_search_panel.ipynb",
    "05_clms.ipynb",
    "06_cubes.ipynb",
)
KERNEL = "cdse-intake-notebook-tests"
CELL_TIMEOUT = 120  # seconds per cell; a whole notebook takes 10-20 s

REPORT = 'print("OFFLINE-BLOCKED:", _offline_blocked)'


@pytest.fixture(scope="module")
def kernel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kernelspec running ipykernel in this interpreter (the venv's), with a non-GUI backend."""
    kernels = tmp_path_factory.mktemp("kernels")
    (kernels / KERNEL).mkdir()
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "cdse_intake notebook tests",
        "language": "python",
        # Jupyter's inline backend: non-GUI (it renders with Agg), figures become PNG outputs
        "env": {
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        },
    }
    (kernels / KERNEL / "kernel.json").write_text(json.dumps(spec))
    return kernels


def execute(name: str, workdir: Path, kernel_dir: Path) -> Any:
    """Run notebook ``name`` in ``workdir/notebooks`` (``catalog.yaml`` beside it); the result."""
    import nbclient
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    here = workdir / "notebooks"
    here.mkdir()
    shutil.copy(ROOT / "catalog.yaml", workdir / "catalog.yaml")
    nb = nbformat.read(FOLDER / name, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(GUARD, id="offline-guard"))
    nb.cells.append(nbformat.v4.new_code_cell(REPORT, id="offline-report"))
    specs = KernelSpecManager(kernel_dirs=[str(kernel_dir)], ensure_native_kernel=False)
    manager = KernelManager(kernel_name=KERNEL, kernel_spec_manager=specs)
    client = nbclient.NotebookClient(
        nb,
        km=manager,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT,
        startup_timeout=60,
        shutdown_kernel="immediate",  # the worker process may exit right after
        resources={"metadata": {"path": str(here)}},
    )
    client.execute()  # raises CellExecutionError (with the traceback) if a cell fails
    return nb


def _execute_isolated(name: str, workdir: Path, kernel_dir: Path, home: Path) -> Any:
    """:func:`execute` in a worker process, with the isolation conftest's autouse fixture gives
    a test: no user config, credentials or ``.netrc``; the kernel inherits this environment."""
    os.environ["HOME"] = str(home)
    os.environ["CDSE_CONFIG"] = str(home / "no-config.toml")
    os.environ["CDSE_CACHE_DIR"] = str(home / "cache")
    for key in list(os.environ):
        if key.startswith("CDSE_") and key not in KEPT_VARIABLES:
            del os.environ[key]
    os.environ.pop("NETRC", None)
    return execute(name, workdir, kernel_dir)


#: The executed notebook each test checks.
RUNS = {
    "test_catalog_tour_runs": "01_catalog_tour.ipynb",
    "test_search_and_download_runs": "02_search_and_download.ipynb",
    "test_open_products_runs": "03_open_products.ipynb",
    "test_search_panel_runs": "04_search_panel.ipynb",
    "test_clms_runs": "05_clms.ipynb",
    "test_cubes_runs": "06_cubes.ipynb",
}


@pytest.fixture(scope="module")
def executed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, kernel_dir: Path
) -> Iterator[Callable[[str], tuple[Any, Path]]]:
    """``executed(name)``: the notebook run to its end and the folder it ran in.

    The notebooks the session selected run two at a time in worker processes, started at the
    first test that asks: a notebook's kernel spends most of its time on one core, so two
    overlap on the suite's two cores instead of waiting for each other (~1 min of the suite).
    """
    wanted = sorted({RUNS[item.originalname] for item in request.session.items
                     if item.originalname in RUNS and item.module is request.module})  # fmt: skip
    context = multiprocessing.get_context("spawn")  # no forked copy of pytest's threads
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        runs = {}
        for name in wanted:
            workdir = tmp_path_factory.mktemp(name.split("_")[0])
            home = tmp_path_factory.mktemp("home")
            runs[name] = (pool.submit(_execute_isolated, name, workdir, kernel_dir, home), workdir)

        def result(name: str) -> tuple[Any, Path]:
            future, workdir = runs[name]
            return future.result(), workdir

        yield result


def text_of(nb: Any) -> str:
    """Everything the code cells printed or returned as plain text."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                parts.append(output.text)
            elif output.output_type in ("execute_result", "display_data"):
                parts.append(output.data.get("text/plain", ""))
    return "\n".join(parts)


def check_ran_offline(nb: Any) -> str:
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    text = text_of(nb)
    assert "OFFLINE-BLOCKED: []" in text
    assert "catalogue: http://127.0.0.1:" in text  # the notebook started its own emulator
    return text


def pngs(nb: Any) -> list[bytes]:
    return [
        base64.b64decode(output.data["image/png"])
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if output.output_type in ("display_data", "execute_result") and "image/png" in output.data
    ]


def number(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in the notebook's output"
    return float(found.group(1).replace(",", ""))


# -- the committed files -------------------------------------------------------------------------


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_has_no_outputs(name):
    import nbformat

    nb = nbformat.read(FOLDER / name, as_version=4)
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code
    for cell in code:
        assert cell.outputs == [], cell.source[:60]
        assert cell.execution_count is None, cell.source[:60]
    assert nb.metadata.kernelspec.name == "python3"
    first_code = code[0].source
    assert "CDSE_CATALOGUE_URL" in first_code and "Emulator().start()" in first_code
    assert "CDSE_CACHE_DIR" in first_code


def test_committed_notebooks_are_what_the_generator_writes():
    spec = importlib.util.spec_from_file_location("notebooks_build", FOLDER / "_build.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert set(build.NOTEBOOKS) == set(NOTEBOOKS)
    for name in NOTEBOOKS:
        assert (FOLDER / name).read_text() == build.render(name), (
            f"run notebooks/_build.py ({name})"
        )


# -- executed --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_catalog_tour_runs(executed):
    nb, tmp_path = executed("01_catalog_tour.ipynb")
    text = check_ran_offline(nb)
    assert "sentinel2_l2a   Sentinel-2 MSI Level-2A" in text
    assert re.search(r"S2\w+_MSIL2A_\w+\.SAFE: verified \((BLAKE3|MD5)\)", text)
    assert 0 < number(r"mean red reflectance \(B04\): ([\d.]+)", text) < 1
    assert "CRS: EPSG:326" in text
    images = pngs(nb)
    assert images and all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in images)
    saved = tmp_path / "notebooks" / "output" / "quicklook.png"
    assert saved.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert saved.stat().st_size > 10_000


@pytest.mark.slow
def test_search_and_download_runs(executed):
    import pandas as pd

    nb, tmp_path = executed("02_search_and_download.ipynb")
    text = check_ran_offline(nb)
    assert "same products: True" in text
    assert "same from STAC: True" in text
    assert number(r"([\d,]+) products\n", text) > 10_000  # beyond CDSE's paging cap
    assert "unique: True | in order: True" in text
    assert "4 products restored; same: True" in text  # 2 S2, 1 S1, 1 S5P (one per orbit)
    assert "4 verified, 0 skipped, 0 failed" in text  # every product, one after a reset
    assert "0 verified, 4 skipped, 0 failed" in text  # the re-run skips what is verified
    assert "latitude 116.2 is outside -90..90" in text
    assert "tile='31XYZ' is not a Sentinel-2 MGRS tile" in text

    manifest = pd.read_csv(tmp_path / "notebooks" / "output" / "paris.csv", comment="#")
    assert sorted(manifest.Downloaded.fillna("")) == ["verified"] * 4
    downloads = [
        o for c in nb.cells for o in c.get("outputs", []) if "text/html" in o.get("data", {})
    ]
    retried = [o for o in downloads if "<th>retries</th>" in o.data["text/html"]]
    assert retried, "the download report table is shown"


@pytest.mark.slow
def test_open_products_runs(executed):
    nb, _ = executed("03_open_products.ipynb")
    text = check_ran_offline(nb)
    assert "r10m {" in text and "r60m {" in text
    # the same digital number, two processing baselines: reflectance = (DN + offset) / 10000
    for baseline, offset in (("03.00", 0), ("05.09", -1000)):
        dn = number(rf"{baseline}: DN (\d+) ->", text)
        value = number(rf"{baseline}: DN \d+ -> ([\d.]+)", text)
        assert value == pytest.approx((dn + offset) / 10_000, abs=1e-4)
    assert "groups: ['gcp', 'orbit'" in text
    assert "measurements" in text and "tie_points" in text
    assert number(r"(\d+) with qa_value >= 0.75", text) < number(r"(\d+) pixels, ", text)
    assert "EPSG:32631" in text  # EOPF r10m georeferenced
    opened = number(r"bytes read: ([\d,]+) to open", text)
    window = number(r"to open, ([\d,]+) for a 64 x 64 window", text)
    size = number(r"the product is ([\d,]+) bytes", text)
    assert 0 < opened + window < size
    sources = re.findall(r"source: (\S+)", text)
    assert any(s.startswith("cdse://S2") and "_MSIL1C_2023010" in s for s in sources), sources
    assert -1 <= number(r"NDVI computed on the cluster: mean (-?[\d.]+)", text) <= 1
    assert len(pngs(nb)) == 2


def test_search_panel_runs(executed):
    nb, _ = executed("04_search_panel.ipynb")
    text = check_ran_offline(nb)
    # the panel rendered as widgets, the state searched, downloaded (verified) and opened
    views = [
        o
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.output_type in ("display_data", "execute_result")
        and "application/vnd.jupyter.widget-view+json" in o.data
    ]
    assert views
    assert "verified" in text
    assert "cdse_intake.search(" in text  # "show code"


def test_clms_runs(executed):
    nb, tmp_path = executed("05_clms.ipynb")
    text = check_ran_offline(nb)
    assert "Normalised Difference Vegetation Index 2020-present (raster 300 m)" in text
    assert "Finished_ok" in text
    assert -0.08 <= number(r"mean NDVI: (-?[\d.]+)", text) <= 0.92
    assert number(r"over ([\d,]+) valid pixels", text) > 1000
    tasks = re.findall(r"(?:first task|again|task from the catalogue): *(\d+)", text)
    assert len(tasks) == 3 and len(set(tasks)) == 1, tasks  # one task, picked up twice
    assert "same files: True" in text
    assert "POSTs to @datarequest_post: 1" in text
    assert "CDSE collection: clms_ndvi_global_300m_10daily_v2_nc" in text
    assert re.search(r"2023-06-\d\d c_gls_NDVI300_", text)
    images = pngs(nb)
    assert len(images) == 1 and images[0].startswith(b"\x89PNG\r\n\x1a\n")
    saved = tmp_path / "notebooks" / "output" / "clms_ndvi.png"
    assert saved.stat().st_size > 10_000


def test_cubes_runs(executed):
    nb, tmp_path = executed("06_cubes.ipynb")
    text = check_ran_offline(nb)
    steps = number(r"products -> time steps: (\d+)", text)
    assert steps >= 20
    assert "CRS: EPSG:32631 | pixel: 10.0 m" in text
    served = re.findall(r"bytes read: ([\d,]+) of ([\d,]+)", text)[0]
    read, total = (int(n.replace(",", "")) for n in served)
    assert 0 < read < total / 2
    low, high = (float(x) for x in re.findall(r"NDVI range: (-?[\d.]+) \.\. (-?[\d.]+)", text)[0])
    assert -1 <= low < high <= 1
    assert "grid: EPSG:3035" in text and "pixel: 20.0 m" in text
    assert number(r"(\d+) orbits, ", text) >= 5
    assert 1 <= number(r"mean NO2: ([\d.]+) umol/m2", text) <= 500
    assert number(r"(\d+) acquisitions; VV sigma0 median", text) >= 5
    assert -30 <= number(r"VV sigma0 median (-?[\d.]+) dB", text) <= 10
    assert number(r"most connections at once: (\d+)", text) <= 4
    images = pngs(nb)
    assert len(images) == 4 and all(i.startswith(b"\x89PNG\r\n\x1a\n") for i in images)
    for name in ("cube_ndvi_series", "cube_ndvi_composite", "cube_no2", "cube_s1_series"):
        assert (tmp_path / "notebooks" / "output" / f"{name}.png").stat().st_size > 10_000
