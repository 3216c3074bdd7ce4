"""Processes that open products exit cleanly: status 0, not a crash at interpreter shutdown.

A process that had opened a Sentinel-3 product, or read a Sentinel-5P product remotely, used to
die with SIGSEGV (exit status 139) after all its work succeeded: the HDF5 files were still open
when Python finalised, and HDF5's own exit handler closed them through h5py's Python-file driver
after the interpreter was gone. Here real processes open a product of every family from the
cache, from an unzipped folder and remotely, through the API, the CLI, xarray's ``engine="cdse"``
(``open_dataset`` and ``open_datatree``) and intake, compute one value, keep everything open and
exit normally. The Sentinel-3 and Sentinel-5P paths run 5+ times each: the crash can be
intermittent (threads racing with shutdown). Also in process: closing or dropping a product
closes its files, and a close on an event loop's thread never blocks that loop.
"""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

#: family -> (group, variable) to compute: the mean of a 4x4 window at its centre.
FAMILIES: dict[str, tuple[str | None, str]] = {
    "sentinel1_grd": ("/", "VV"),
    "sentinel2_l2a": ("r10m", "B04"),
    "sentinel3_olci_efr": ("measurements", "Oa01_radiance"),
    "sentinel5p_l2": ("PRODUCT", "nitrogendioxide_tropospheric_column"),
    "eopf_zarr": ("measurements/reflectance/r10m", "b04"),
    "clms_geotiff": (None, "NDVI"),
}
#: What the product cache holds after a download (a remote read must leave none).
DOWNLOADS = (".zip", ".nc", ".tif", ".part")
#: Families whose files are netCDF-4/HDF5 (the ones that crashed).
HDF5 = ("sentinel3_olci_efr", "sentinel5p_l2")
#: How the child opens a product: the Python API, xarray's engine, xarray's datatree, intake.
ENTRY_POINTS = ("api", "engine", "datatree") + (
    ("intake",) if importlib.util.find_spec("intake") else ()
)

#: The child process: opens each product of the job list (argv[1], JSON), prints one value per
#: product and exits normally with every product still open.
CHILD = r"""
import json, sys

def centre_mean(obj, group, var):
    arr = obj[var if group in (None, "/") else f"{group}/{var}"]
    centre = arr.isel({dim: slice(n // 2, n // 2 + 4) for dim, n in arr.sizes.items()})
    return float(centre.astype("float64").mean())

kept = []  # alive until the interpreter shuts down
for job in json.loads(sys.argv[1]):
    target, group, var, entry, remote = (
        job["target"], job["group"], job["var"], job["entry"], job["remote"]
    )
    if entry == "api":
        import cdse_intake
        obj = cdse_intake.open_product(target, remote=remote)
    elif entry == "engine":
        import xarray as xr
        obj = xr.open_dataset(target, engine="cdse", group=group, remote=remote)
        group = None
    elif entry == "datatree":
        import xarray as xr
        obj = xr.open_datatree(target, engine="cdse", remote=remote)
    elif entry == "intake":
        from cdse_intake.intake_plugin import CDSEProduct, CDSEProductReader
        obj = CDSEProductReader(CDSEProduct(target), remote=remote).read()
    else:
        raise SystemExit(f"unknown entry point {entry!r}")
    print("VALUE", job["label"], repr(centre_mean(obj, group, var)), flush=True)
    kept.append(obj)
"""


# -- set-up -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def emulator():
    """A private emulator without S3 (the reads go over HTTPS), for this module's processes."""
    from cdse_intake.emulator import Emulator

    with Emulator(s3=False) as emu:
        yield emu


@pytest.fixture(scope="module")
def products(emulator, tmp_path_factory) -> dict[str, Any]:
    """One product of every family in a product cache (and unzipped beside it), the child
    processes' environments, and each product's expected value computed in this process."""
    import cdse_intake

    root = tmp_path_factory.mktemp("clean-exit")
    settings = cdse_intake.Settings(cache_dir=root / "cache")
    credentials = (emulator.username, emulator.password)
    names = {}
    for family in FAMILIES:
        entry = next(e for e in emulator.catalogue.materialised if e.family == family)
        names[family] = entry.name
    fs = cdse_intake.CDSEFileSystem(
        credentials=credentials, endpoints=emulator.endpoints, skip_instance_cache=True
    )
    records = [fs.product(name) for name in names.values()]
    report = cdse_intake.download(
        records,
        progress=False,
        endpoints=emulator.endpoints,
        settings=settings,
        credentials=credentials,
    )
    assert all(o.ok for o in report.outcomes), [o.reason for o in report.outcomes]
    cached = {f: Path(o.path) for f, o in zip(FAMILIES, report.outcomes, strict=True)}

    folders = {}  # the folder products, unzipped
    for family, path in cached.items():
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                zf.extractall(root / "unzipped")
            folders[family] = root / "unzipped" / names[family]
            assert folders[family].is_dir()

    expected = {}
    for family, (group, var) in FAMILIES.items():
        with cdse_intake.open_product(cached[family]) as obj:
            expected[family] = _centre_mean(obj, group, var)
        assert math.isfinite(expected[family]), family

    home = root / "home"
    home.mkdir()
    base = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CDSE_")},
        **emulator.env(),
        "HOME": str(home),
        "CDSE_CONFIG": str(home / "no-config.toml"),
        "PYTHONFAULTHANDLER": "1",
    }
    (root / "empty-cache").mkdir()
    return {
        "names": names,
        "cached": cached,
        "folders": folders,
        "expected": expected,
        "env": {
            "cache": {**base, "CDSE_CACHE_DIR": str(settings.cache_dir)},
            # remote reads with an empty cache: nothing to find there, and nothing downloaded
            "remote": {**base, "CDSE_CACHE_DIR": str(root / "empty-cache")},
        },
        "empty_cache": root / "empty-cache",
    }


def _centre_mean(obj: Any, group: str | None, var: str) -> float:
    """What the child computes (see ``CHILD``): the mean of a 4x4 window at the centre."""
    arr = obj[var if group in (None, "/") else f"{group}/{var}"]
    centre = arr.isel({dim: slice(n // 2, n // 2 + 4) for dim, n in arr.sizes.items()})
    return float(centre.astype("float64").mean())


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("cdse-intake")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cdse_intake.cli"]


def _jobs(products: dict[str, Any]) -> list[dict[str, Any]]:
    """Every process to run: what it opens, its command line and environment."""
    names, jobs = products["names"], []

    def python(label: str, transport: str, items: list[dict[str, Any]]) -> None:
        env = products["env"][transport]
        command = [sys.executable, "-c", CHILD, json.dumps(items)]
        jobs.append({"label": label, "command": command, "env": env, "items": items})

    for transport in ("cache", "remote"):
        remote = transport == "remote"
        for entry in ENTRY_POINTS:
            items = []
            if entry == "api" and not remote:  # and the unzipped folders, by path
                items += [
                    {
                        "label": f"{family}/folder/api",
                        "family": family,
                        "target": str(path),
                        "group": FAMILIES[family][0],
                        "var": FAMILIES[family][1],
                        "entry": "api",
                        "remote": False,
                    }
                    for family, path in products["folders"].items()
                ]
            for family, (group, var) in FAMILIES.items():
                target = names[family]
                if remote and entry in ("engine", "datatree"):
                    target = f"cdse://{target}"  # the URL form (always remote)
                items.append(
                    {
                        "label": f"{family}/{transport}/{entry}",
                        "family": family,
                        "target": target,
                        "group": group,
                        "var": var,
                        "entry": entry,
                        "remote": remote,
                    }
                )
            python(f"{entry} {transport}", transport, items)
    # The CLI (a thin wrapper of the API, ~3 s of imports per process): the HDF5 families from
    # the cache and remotely, the others once each, from the cache and remotely in turn.
    others = [f for f in FAMILIES if f not in HDF5]
    cli = [(f, t) for f in HDF5 for t in ("cache", "remote")]
    cli += [(f, ("cache", "remote")[i % 2]) for i, f in enumerate(others)]
    for family, transport in cli:
        group, var = FAMILIES[family]
        command = [*_cli(), "open", names[family]]
        command += ["--remote"] if transport == "remote" else []
        command += ["-g", group] if group else []
        jobs.append(
            {
                "label": f"cli {transport} {family}",
                "command": command,
                "env": products["env"][transport],
                "cli_var": var,
            }
        )
    return jobs


def _run(job: dict[str, Any]) -> dict[str, Any]:
    started = time.monotonic()
    try:
        done = subprocess.run(
            job["command"], env=job["env"], capture_output=True, text=True, timeout=180
        )
    except subprocess.TimeoutExpired as err:
        return {**job, "returncode": "timeout", "stdout": str(err.stdout), "stderr": ""}
    return {
        **job,
        "returncode": done.returncode,
        "stdout": done.stdout,
        "stderr": done.stderr,
        "seconds": time.monotonic() - started,
    }


# -- the processes ----------------------------------------------------------------------------


def test_every_family_transport_and_entry_point_exits_cleanly(products):
    jobs = _jobs(products)
    # Sentinel-3 and Sentinel-5P (the HDF5 families) each exit from the cache and remotely
    # five times or more: through four entry points and the CLI.
    for family in HDF5:
        for transport in ("cache", "remote"):
            runs = [
                j
                for j in jobs
                if any(i["label"].startswith(f"{family}/{transport}/") for i in j.get("items", []))
                or j["label"] == f"cli {transport} {family}"
            ]
            assert len(runs) >= 5, (family, transport)

    workers = max(2, min(4, os.cpu_count() or 2))
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(_run, jobs))

    failures = []
    for r in results:
        what = f"{r['label']}: exit status {r['returncode']}"
        if isinstance(r["returncode"], int) and r["returncode"] < 0:  # 139 in a shell
            what += f" ({signal.Signals(-r['returncode']).name})"
        if r["returncode"] != 0:
            failures.append(
                f"{what}\n--- stdout\n{r['stdout'][-1500:]}\n--- stderr\n{r['stderr'][-3000:]}"
            )
            continue
        for noise in ("Traceback", "Exception ignored", "Fatal Python error"):
            if noise in r["stderr"]:
                failures.append(f"{what}, but stderr says {noise}:\n{r['stderr'][-3000:]}")
        if "cli_var" in r:
            if not re.search(rf"\b{re.escape(r['cli_var'])}\b", r["stdout"]):
                failures.append(f"{what}, but {r['cli_var']} is not in its output")
            continue
        printed = dict(re.findall(r"^VALUE (\S+) (\S+)$", r["stdout"], flags=re.M))
        for item in r["items"]:
            got = printed.get(item["label"])
            want = products["expected"][item["family"]]
            if got is None or not math.isclose(float(got), want, rel_tol=1e-6):
                failures.append(f"{what}, but {item['label']} printed {got}, expected {want!r}")
    assert not failures, "\n\n".join(failures)
    downloaded = [p for p in products["empty_cache"].rglob("*") if p.suffix in DOWNLOADS]
    assert not downloaded, f"a remote read downloaded {downloaded}"


# -- in process -------------------------------------------------------------------------------


def _open_hdf5_files() -> set[int]:
    """The ids of every open HDF5 file of the process (of other tests too: compare sets)."""
    import h5py

    return {fid.id for fid in h5py.h5f.get_obj_ids(types=h5py.h5f.OBJ_FILE)}


@pytest.mark.parametrize("family", HDF5)
@pytest.mark.parametrize("transport", ["cache", "remote"])
def test_closing_or_dropping_a_product_closes_its_files(products, monkeypatch, family, transport):
    import xarray as xr

    import cdse_intake

    for key, value in products["env"][transport].items():
        if key.startswith("CDSE_"):
            monkeypatch.setenv(key, value)
    name, remote = products["names"][family], transport == "remote"
    group, var = FAMILIES[family]

    def opened(make: Any) -> tuple[Any, set[int]]:
        before = _open_hdf5_files()
        obj = make()
        files = _open_hdf5_files() - before
        assert files, "the product opened no HDF5 file"
        return obj, files

    obj, files = opened(lambda: cdse_intake.open_product(name, remote=remote))
    assert _centre_mean(obj, group, var) == products["expected"][family]
    obj.close()
    assert not files & _open_hdf5_files(), "close() left files open"
    # a closed product still reads: xarray's file manager reopens its files
    assert _centre_mean(obj, group, var) == products["expected"][family]
    del obj
    gc.collect()

    # a group's Dataset closes the whole product's files, as its tree would
    ds, files = opened(lambda: cdse_intake.open_product(name, remote=remote, group=group))
    ds.close()
    assert not files & _open_hdf5_files(), "close() of a group left files open"
    del ds
    gc.collect()

    # through xarray's engine too (drop_variables: xarray's drop_vars loses the closer)
    for how in (
        lambda: xr.open_dataset(name, engine="cdse", group=group, remote=remote),
        lambda: xr.open_dataset(
            name, engine="cdse", group=group, remote=remote, drop_variables=["no"]
        ),
        lambda: xr.open_datatree(name, engine="cdse", remote=remote, drop_variables="no"),
    ):
        obj, files = opened(how)
        obj.close()
        assert not files & _open_hdf5_files(), "close() through xarray left files open"
        del obj
        gc.collect()

    obj, files = opened(lambda: cdse_intake.open_product(name, remote=remote))
    del obj
    gc.collect()
    assert not files & _open_hdf5_files(), "garbage collection left files open"


def test_a_close_on_an_event_loop_thread_does_not_wait_for_h5py(products):
    """The deadlock the closer thread avoids: a thread reading a remote file holds h5py's lock
    while it waits for the event loop, so the loop's thread must never wait for that lock.
    Closing a file there (explicitly or by garbage collection) hands it to the closer thread."""
    from h5py._objects import phil

    from cdse_intake.readers.netcdf import _h5file
    from cdse_intake.readers.source import from_local

    source = from_local(products["cached"]["sentinel3_olci_efr"])  # zip members: file objects
    rel = source.find("*.nc")[0]
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        explicit, collected = _h5file(source, rel), _h5file(source, rel)
        watch = collected._cdse_unclosed  # emptied when the file is closed

        async def close_and_drop() -> None:
            nonlocal collected
            explicit.close()
            collected = None  # the last reference: __del__ runs here, on the loop's thread

        with phil:  # as the reading thread would
            future = asyncio.run_coroutine_threadsafe(close_and_drop(), loop)
            future.result(timeout=10)  # a close waiting for h5py's lock would hang here
            assert not explicit._closed
        deadline = time.monotonic() + 10
        while (not explicit._closed or watch) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert explicit._closed and not watch, "the closer thread did not close the files"
        threads = [t for t in threading.enumerate() if t.name == "cdse-h5-close"]
        assert len(threads) == 1
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_the_exit_hook_also_closes_hdf5_files_others_read_through_file_objects(tmp_path):
    """Any HDF5 file read through a Python file object crashes the exit if it is still open
    then, whoever opened it: the exit hook closes those too (files on a path are left to HDF5,
    which closes them without Python). In a subprocess: the hook stops the closer thread."""
    code = f"""
import io, h5py
from cdse_intake.readers import netcdf
with h5py.File({str(tmp_path / "on-disk.h5")!r}, "w") as f:
    f["x"] = [1, 2, 3]
data = open({str(tmp_path / "on-disk.h5")!r}, "rb").read()
theirs = h5py.File(io.BytesIO(data), "r")  # e.g. xarray's own h5netcdf engine on a file object
on_path = h5py.File({str(tmp_path / "on-disk.h5")!r}, "r")
x = theirs["x"]
netcdf._close_at_exit()
print("VALID", bool(theirs.id.valid), bool(x.id.valid), bool(on_path.id.valid))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "VALID False False True" in done.stdout, done.stdout + done.stderr
