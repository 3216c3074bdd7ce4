"""open_product end to end: products found in the cache, downloaded, or read remotely; every way
of naming a product; detection; errors; the xarray engine; the CLI; dask workers."""

from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np
import pytest
import xarray as xr

import cdse_intake
from cdse_intake.cache import ProductCache
from cdse_intake.config import Settings
from cdse_intake.emulator.products import geotiff as clms
from cdse_intake.emulator.products import sentinel2 as s2
from cdse_intake.errors import ProductNotFound, UnsupportedProduct
from cdse_intake.fs import CDSEFileSystem
from cdse_intake.readers import FAMILIES, open_product
from cdse_intake.readers.xarray_backend import CDSEBackendEntrypoint

from .conftest import write_product


def _product(entry):
    return CDSEFileSystem(skip_instance_cache=True).product(entry.name)


def _downloads(emu) -> list:
    """Whole-product downloads (``Products(<id>)/$value``), not the per-file ``Nodes`` reads."""
    return [
        r for r in emu.state.requests() if r.path.endswith(")/$value") and "/Nodes(" not in r.path
    ]


def _b04_corner(ds) -> np.ndarray:
    return ds["B04"].isel(x=slice(0, 8), y=slice(0, 8)).values


def _expected_b04(entry) -> np.ndarray:
    rows, cols = np.mgrid[0:8, 0:8]
    dn = s2.expected_dn(entry, "B04", rows, cols, 10).astype("float32")
    offset = s2.BOA_OFFSET if s2.has_offset(entry.extra["baseline"]) else 0
    return (dn + offset) / s2.QUANTIFICATION


def test_a_product_is_downloaded_once_then_opened_from_the_cache(cdse_env, cdse_emulator, entries):
    entry = entries("sentinel2_l2a")[0]
    product = _product(entry)
    ds = open_product(product, resolution=10)
    assert len(_downloads(cdse_emulator)) == 1
    cached = ProductCache(Settings.from_env().cache_dir).lookup(product)
    assert cached is not None
    assert ds.attrs["cdse_source"] == str(cached)
    assert ds.attrs["cdse_id"] == product.id
    np.testing.assert_allclose(_b04_corner(ds), _expected_b04(entry), rtol=1e-6)

    cdse_emulator.state.reset_counters()
    again = open_product(product, resolution=10)  # the same, from the cache
    assert _downloads(cdse_emulator) == []
    np.testing.assert_array_equal(_b04_corner(again), _b04_corner(ds))


def test_remote_reads_only_parts_and_leaves_the_cache_empty(cdse_env, cdse_emulator, entries):
    entry = entries("sentinel2_l2a")[0]
    product = _product(entry)
    ds = open_product(product, remote=True, resolution=10)
    np.testing.assert_allclose(_b04_corner(ds), _expected_b04(entry), rtol=1e-6)
    assert _downloads(cdse_emulator) == []
    sent = sum(r.bytes_sent for r in cdse_emulator.state.requests())
    assert sent < entry.payload.size
    assert ProductCache(Settings.from_env().cache_dir).lookup(product) is None
    assert ds.attrs["cdse_source"] == f"cdse://{entry.name}"


@pytest.mark.parametrize("form", ["name", "id", "url"])
def test_every_way_of_naming_a_product(cdse_env, entries, form):
    entry = entries("clms_geotiff")[0]
    key = {
        "name": entry.name,
        "id": entry.id,
        "url": f"cdse://{entry.name}",
    }[form]
    ds = open_product(key)
    assert ds.attrs["cdse_product"] == entry.name
    assert ds.attrs["cdse_family"] == "geotiff"
    var = next(iter(ds.data_vars))
    dn = clms.expected_dn(entry, 10, 20)
    assert float(ds[var].isel(y=10, x=20)) == pytest.approx(dn * clms.SCALE + clms.OFFSET)


def test_local_paths_of_each_form_open(tmp_path, entries):
    entry = entries("sentinel2_l1c")[0]
    for layout in ("cdse", "folder"):
        folder = tmp_path / layout
        folder.mkdir()
        tree = open_product(write_product(entry, folder, layout))
        assert isinstance(tree, xr.DataTree)
        assert tree.attrs["cdse_family"] == "sentinel-2"
        assert tree.attrs["cdse_product"] == entry.name


def test_group_selection_and_its_errors(tmp_path, entries):
    path = write_product(entries("sentinel2_l2a")[0], tmp_path)
    ds = open_product(path, group="r20m")
    assert isinstance(ds, xr.Dataset)
    assert "SCL" in ds
    assert ds.attrs["cdse_family"] == "sentinel-2"  # the root's attributes come along
    with pytest.raises(UnsupportedProduct, match=r"group='r15m'.*r10m"):
        open_product(path, group="r15m")
    tif = write_product(entries("clms_geotiff")[0], tmp_path)
    with pytest.raises(UnsupportedProduct, match="single Dataset"):
        open_product(tif, group="r10m")


def test_unknown_formats_name_the_supported_families(tmp_path):
    junk = tmp_path / "notes.zip"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("notes/readme.txt", "hello")
    junk.write_bytes(buf.getvalue())
    with pytest.raises(UnsupportedProduct, match="Supported: ") as err:
        open_product(junk)
    assert all(f.title in str(err.value) for f in FAMILIES)
    text = tmp_path / "data.bin"
    text.write_bytes(b"not a product")
    with pytest.raises(UnsupportedProduct, match="supported family"):
        open_product(text)
    with pytest.raises(UnsupportedProduct, match="family='sentinel-9'"):
        open_product(text, family="sentinel-9")


def test_bad_arguments_are_named(tmp_path, entries):
    path = write_product(entries("clms_geotiff")[0], tmp_path)
    with pytest.raises(TypeError, match=r"no option 'resolution'.*accepts"):
        open_product(path, resolution=10)
    with pytest.raises(ProductNotFound, match="no such file"):
        open_product(tmp_path / "absent.zip")
    with pytest.raises(TypeError, match="expected a Product"):
        open_product(42)  # type: ignore[arg-type]
    with pytest.raises(UnsupportedProduct, match="file inside a product"):
        open_product("cdse://S2A_X/GRANULE/a.jp2")


def test_a_name_that_is_not_a_product(cdse_env):
    with pytest.raises(ProductNotFound, match="neither a local file nor a CDSE product"):
        open_product("S2A_MSIL2A_20990101T000000_N0509_R001_T31UNE_20990101T000000")


def test_xarray_engine(tmp_path, entries):
    entry = entries("sentinel2_l2a")[0]
    path = write_product(entry, tmp_path)
    backend = CDSEBackendEntrypoint()
    assert backend.guess_can_open(str(path))
    assert backend.guess_can_open(f"cdse://{entry.name}")
    assert not backend.guess_can_open("some/other.nc")
    ds = xr.open_dataset(path, engine="cdse", group="r10m", chunks={})
    assert ds["B04"].chunks is not None
    np.testing.assert_allclose(_b04_corner(ds), _expected_b04(entry), rtol=1e-6)
    only = xr.open_dataset(path, engine="cdse", resolution=20, drop_variables=["SCL"])
    assert "SCL" not in only and "B05" in only
    with pytest.raises(ValueError, match="pass group= one of"):
        xr.open_dataset(path, engine="cdse")
    tree = xr.open_datatree(path, engine="cdse")
    assert {"r10m", "r20m", "r60m"} <= set(tree.children)


def test_search_results_open(cdse_env, cdse_emulator, entries):
    entry = entries("sentinel2_l2a")[0]
    results = cdse_intake.search(
        "SENTINEL-2", name_contains=entry.name[:-5], start="2000-01-01", end="2100-01-01"
    )
    assert len(results) == 1
    (ds,) = results.open(resolution=10, progress=False)
    np.testing.assert_allclose(_b04_corner(ds), _expected_b04(entry), rtol=1e-6)
    single = results.open(0, resolution=10)
    assert single.attrs["cdse_id"] == entry.id
    with pytest.raises(TypeError, match="which='all'"):
        results.open("all")


def test_cli_open(tmp_path, entries, capsys):
    from cdse_intake.cli import main

    path = write_product(entries("sentinel2_l2a")[0], tmp_path)
    assert main(["open", str(path), "-g", "r10m"]) == 0
    assert "B04" in capsys.readouterr().out
    assert main(["open", str(path), "-o", "resolution=20"]) == 0
    assert "SCL" in capsys.readouterr().out
    assert main(["open", str(path), "-o", "nonsense=1"]) == 2
    assert "no option 'nonsense'" in capsys.readouterr().err
    assert main(["open", str(tmp_path / "absent.zip")]) == 5  # ExitCode.ERROR


@pytest.fixture
def process_cluster(cdse_env):
    """A dask cluster of worker *processes* (tasks really travel pickled), started after
    ``cdse_env`` so the workers inherit the emulator's endpoints and credentials."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=2,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            worker_dashboard_address="127.0.0.1:0",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_datasets_pickle_and_compute_on_dask_workers(entries, process_cluster):
    entry = entries("sentinel2_l2a")[0]
    for remote in (True, False):  # remote first: the cache is still empty
        ds = open_product(_product(entry), remote=remote, resolution=10)
        assert ds.attrs["cdse_source"].startswith("cdse://") == remote
        local = ds["B04"][:32, :32].values
        assert pickle.loads(pickle.dumps(ds))["B04"][:32, :32].values.tolist() == local.tolist()
        # the worker process reads the product itself (from the cache, or from the emulator
        # with the credentials it inherited): nothing but the task graph travels
        on_workers = process_cluster.compute(ds["B04"][:32, :32]).result()
        np.testing.assert_array_equal(on_workers.values, local)


def test_a_damaged_local_product_names_itself(tmp_path):
    """A product cut short gets an UnsupportedProduct naming the file and its family, not a
    bare library error (here a netCDF file whose second half is missing)."""
    from cdse_intake.emulator.products import BUILDERS
    from cdse_intake.emulator.records.table import table_entries
    from cdse_intake.errors import UnsupportedProduct

    entry = next(e for e in table_entries(2026, 0.05) if e.collection == "CAMS")
    data = BUILDERS["cams"](entry)[entry.name]
    path = tmp_path / entry.name
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnsupportedProduct, match=rf"cannot read .*{entry.name}.* damaged"):
        open_product(path)
