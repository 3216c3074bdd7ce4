"""The Sentinel-6 reader on the emulator's SEN6 products: zipped as CDSE delivers them, unzipped,
with the L1B file named as in CDSE's products (``measurement.nc``)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cdse_intake.emulator.catalogue import Entry, build_catalogue
from cdse_intake.emulator.products import BUILDERS
from cdse_intake.errors import PartialProductWarning, UnsupportedProduct
from cdse_intake.readers import open_product
from cdse_intake.readers import sentinel6 as reader
from cdse_intake.readers.families import detect
from cdse_intake.readers.source import from_local

h5py = pytest.importorskip("h5py")
xr = pytest.importorskip("xarray")


@pytest.fixture(scope="module")
def products(tmp_path_factory) -> dict[str, tuple[Entry, dict[str, bytes], Path]]:
    """A whole-pass product of each type (ST stream), written as CDSE's zip."""
    root = tmp_path_factory.mktemp("s6")
    out = {}
    for entry in build_catalogue(materialise=False).entries:
        if entry.collection != "SENTINEL-6" or "_ST_F09" not in entry.name:
            continue
        if entry.product_type in out:
            continue
        files = BUILDERS["sentinel6"](entry)
        out[entry.product_type] = (entry, files, _zip(root, entry.name, files))
    assert set(out) == {"P4_2__LR_____", "P4_1B_LR_____", "MW_2__AMR____"}
    return out


def _zip(directory: Path, name: str, files: dict[str, bytes], top: str | None = None) -> Path:
    path = directory / f"{name.removesuffix('.SEN6')}.zip"
    top = name if top is None else top
    with zipfile.ZipFile(path, "w") as zf:
        for rel, data in files.items():
            zf.writestr(f"{top}/{rel}" if top else rel, data)
    return path


def _raw(data: bytes, path: str) -> np.ndarray:
    """A variable decoded by hand from the file (scale, offset, fill)."""
    with h5py.File(io.BytesIO(data)) as f:
        var = f[path]
        values = var[()].astype(np.float64)
        fill = var.attrs.get("_FillValue")
        if fill is not None:
            values[var[()] == fill[0]] = np.nan
        return values * var.attrs.get("scale_factor", 1.0) + var.attrs.get("add_offset", 0.0)


def test_l2_opens_as_a_tree_with_coordinates(products):
    entry, files, path = products["P4_2__LR_____"]
    tree = open_product(path)
    assert isinstance(tree, xr.DataTree)
    assert tree.attrs["cdse_family"] == "sentinel-6"
    assert "_P4_2__LR_STD__ST_" in tree.attrs["product_name"]
    assert {n.path for n in tree.subtree} >= {
        "/data_01", "/data_01/ku", "/data_01/c", "/data_20/ku", "/data_20/c",
    }  # fmt: skip
    d01 = tree["data_01"]
    assert {"time", "latitude", "longitude"} <= set(d01.coords)
    ku = tree["data_01/ku"].to_dataset()
    assert {"time", "latitude", "longitude"} <= set(ku.coords)  # given to the band subgroups
    assert ku["ssha"].chunks is not None  # lazy, with dask
    times = d01["time"].values
    assert np.issubdtype(times.dtype, np.datetime64)
    start = np.datetime64(entry.start.replace(tzinfo=None))
    end = np.datetime64(entry.end.replace(tzinfo=None))
    assert start - np.timedelta64(1, "s") <= times[0] and times[-1] <= end + np.timedelta64(1, "s")
    name = tree.attrs["product_name"]
    np.testing.assert_allclose(ku["ssha"].values, _raw(files[name], "data_01/ku/ssha"))
    np.testing.assert_allclose(d01["latitude"].values, _raw(files[name], "data_01/latitude"))
    lat = d01["latitude"].values
    assert -67 < lat.min() < lat.max() < 67
    assert ((d01["longitude"].values >= 0) & (d01["longitude"].values < 360)).all()
    k20 = tree["data_20/ku"].to_dataset()
    assert k20.sizes["time"] == 20 * d01.sizes["time"]
    assert {"latitude", "longitude"} <= set(k20.coords)
    tree.close()


def test_measurement_and_group_options(products):
    _, _, path = products["P4_2__LR_____"]
    reduced = open_product(path, measurement="reduced")
    assert "_RED__" in reduced.attrs["product_name"]
    assert "data_20" not in reduced.children
    ds = open_product(path, group="data_01/ku")
    assert isinstance(ds, xr.Dataset)
    assert {"ssha", "swh_ocean", "sig0_ocean", "range_ocean"} <= set(ds.data_vars)
    assert {"latitude", "longitude", "time"} <= set(ds.coords)
    with pytest.raises(ValueError, match="measurement='enhanced'"):
        open_product(path, measurement="enhanced")
    with pytest.raises(UnsupportedProduct, match="measurement='standard'"):
        open_product(products["P4_1B_LR_____"][2], measurement="standard")


def test_l1b_waveforms_also_as_measurement_nc(products, tmp_path):
    entry, files, path = products["P4_1B_LR_____"]
    tree = open_product(path)
    wf = tree["data_20/ku"]["power_waveform"]
    assert wf.dims == ("time", "samples") and wf.shape[1] == 256
    assert float(wf.max()) == 65534
    # CDSE's real L1B products call their file measurement.nc
    renamed = {("measurement.nc" if k.endswith(".nc") else k): v for k, v in files.items()}
    other = open_product(_zip(tmp_path, entry.name, renamed))
    np.testing.assert_array_equal(other["data_20/ku"]["power_waveform"].values, wf.values)


def test_amr_brightness_temperatures(products):
    _, _, path = products["MW_2__AMR____"]
    ds = open_product(path, group="data_01")
    for ch in ("187", "238", "340"):
        tb = ds[f"rad_tb_{ch}"].values
        assert np.isfinite(tb).all() and tb.min() > 120 and tb.max() < 320
    assert {"latitude", "longitude"} <= set(ds.coords)


def test_unzipped_folder_and_detection(products, tmp_path):
    entry, _, path = products["MW_2__AMR____"]
    with zipfile.ZipFile(path) as zf:
        zf.extractall(tmp_path)
    source = from_local(tmp_path / entry.name)
    assert detect(source).key == "sentinel-6"
    tree = reader.open(source, chunks=None)
    assert tree["data_01"].sizes["time"] > 0
    assert set(reader.measurement_files(source)) == {"standard"}


def test_a_product_without_measurement_files_opens_as_metadata(products, tmp_path):
    entry, files, _ = products["P4_2__LR_____"]
    bare = {k: v for k, v in files.items() if not k.endswith(".nc")}
    with pytest.warns(PartialProductWarning):
        tree = open_product(_zip(tmp_path, entry.name, bare))
    assert not any(node.data_vars for node in tree.subtree)
    no_manifest = {k: v for k, v in bare.items() if not k.endswith("xfdumanifest.xml")}
    (tmp_path / "bare").mkdir()
    with pytest.raises(UnsupportedProduct, match="no Sentinel-6 measurement file"):
        open_product(_zip(tmp_path / "bare", entry.name, no_manifest))
