"""MODIS reader: an HDF-EOS2 tile as a lazy Dataset on the sinusoidal grid, physical values
where the SDS is scaled, raw codes elsewhere, from a file, a zip, the emulator (downloaded and
by range) and refusing a damaged file."""

from __future__ import annotations

import pickle
import zipfile
from datetime import timedelta

import numpy as np
import pytest

from cdse_intake import Settings, download, open_product, search
from cdse_intake.emulator.payloads import deliverable
from cdse_intake.emulator.products import BUILDERS, modis
from cdse_intake.emulator.products._modis_grid import TILE_SIZE
from cdse_intake.emulator.products._modis_layers import KINDS
from cdse_intake.emulator.records.table import table_entries
from cdse_intake.errors import UnsupportedProduct
from cdse_intake.readers import modis as reader
from cdse_intake.readers.families import detect
from cdse_intake.readers.source import from_local

pytest.importorskip("pyhdf")
da = pytest.importorskip("dask.array")


@pytest.fixture(scope="module")
def entries():
    found = {}
    for entry in table_entries(2026, 1.0):
        if entry.collection == "TERRAAQUA":
            found.setdefault(entry.product_type.split(".")[0], entry)
    return found


@pytest.fixture(params=sorted(KINDS))
def written(request, entries, tmp_path):
    entry = entries[request.param]
    path = tmp_path / entry.name
    path.write_bytes(BUILDERS["modis"](entry)[entry.name])
    return entry, path


def _expected(layer, raw: np.ndarray) -> np.ndarray:
    if layer.scale is None:
        return raw
    bad = (raw == layer.fill) | (raw < layer.valid[0]) | (raw > layer.valid[1])
    return np.where(bad, np.nan, raw.astype(np.float32) * np.float32(layer.scale))


def _assert_values(ds, entry) -> None:
    raw = modis.tile_values(entry)
    for layer in KINDS[entry.product_type.split(".")[0]].layers:
        var = ds[layer.name]
        assert var.dims == ("y", "x")
        np.testing.assert_array_equal(var.values, _expected(layer, raw[layer.name]))


def test_values_grid_and_metadata(written):
    entry, path = written
    assert detect(from_local(path)).key == "modis"
    ds = open_product(path)
    short = entry.product_type.split(".")[0]
    assert list(ds.data_vars) == [layer.name for layer in KINDS[short].layers]
    assert all(isinstance(v.data, da.Array) for v in ds.data_vars.values())  # lazy
    _assert_values(ds, entry)
    x, y = modis.tile_of(entry.name, modis.SIZE).centres()
    np.testing.assert_allclose(ds.x.values, x)
    np.testing.assert_allclose(ds.y.values, y)
    assert ds.rio.crs.to_dict()["proj"] == "sinu" and ds.rio.crs.to_dict()["R"] == 6371007.181
    assert ds.rio.transform().a == pytest.approx(TILE_SIZE / modis.SIZE)
    _, day = modis.name_date(entry.name)
    assert ds.attrs["short_name"] == short and ds.attrs["version"] == 61
    assert ds.attrs["tile"] == entry.name.split(".")[2]
    assert ds.attrs["local_granule_id"] == entry.name
    begin, end = ds.attrs["range_beginning"][:10], ds.attrs["range_ending"][:10]
    assert begin <= f"{day:%Y-%m-%d}" <= end and ds.attrs["range_ending"][10:] == "T23:59:59.999999"
    scaled = [layer for layer in KINDS[short].layers if layer.scale is not None]
    for layer in scaled:
        assert ds[layer.name].dtype == np.float32
        assert ds[layer.name].encoding["scale_factor"] == pytest.approx(layer.scale)


def test_window_read(entries, tmp_path):
    entry = entries["MCD43A4"]
    path = tmp_path / entry.name
    path.write_bytes(BUILDERS["modis"](entry)[entry.name])
    ds = open_product(path, chunks=None)
    raw = modis.tile_values(entry)["Nadir_Reflectance_Band2"]
    window = ds["Nadir_Reflectance_Band2"][10:50:3, 7].values
    np.testing.assert_array_equal(window, raw[10:50:3, 7].astype(np.float32) * np.float32(1e-4))


def test_zip_and_pickle(entries, tmp_path):
    entry = entries["MCD12Q1"]
    archive = tmp_path / "modis.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(entry.name, BUILDERS["modis"](entry)[entry.name])
    ds = open_product(archive)
    again = pickle.loads(pickle.dumps(ds))
    np.testing.assert_array_equal(again.LC_Type1.values, modis.tile_values(entry)["LC_Type1"])


def test_damaged_file_is_refused(entries, tmp_path):
    entry = entries["MCD64A1"]
    path = tmp_path / entry.name
    path.write_bytes(BUILDERS["modis"](entry)[entry.name][:2000])
    with pytest.raises(UnsupportedProduct, match="HDF4"):
        open_product(path)


@pytest.fixture(scope="module")
def emu():
    from cdse_intake.emulator.server import Emulator

    with Emulator(seed=2026, scale=0.02, deliver="all") as emulator:
        yield emulator


def test_downloaded_from_the_emulator(emu, tmp_path, monkeypatch):
    entry = next(e for e in emu.catalogue if e.family == "modis" and deliverable(e))
    for key, value in emu.env().items():
        monkeypatch.setenv(key, value)
    settings = Settings(cache_dir=tmp_path / "cache", query_cache_age=0)
    found = search(
        collection="TERRAAQUA",
        product_type=entry.product_type,
        start=entry.start - timedelta(seconds=1),
        end=entry.start + timedelta(seconds=1),
        endpoints=emu.endpoints,
        settings=settings,
    )
    (product,) = [p for p in found if p.id == entry.id]
    report = download(
        [product],
        tmp_path / "out",
        endpoints=emu.endpoints,
        settings=settings,
        credentials=(emu.username, emu.password),
        progress=False,
    )
    (done,) = report.verified
    assert done.path.name == entry.name
    ds = open_product(done.path)
    assert ds.attrs["cdse_family"] == "modis"
    _assert_values(ds, entry)


@pytest.mark.parametrize("via", ["https", "s3"])
def test_read_remotely_from_the_emulator(emu, via):
    from cdse_intake.fs import CDSEFileSystem
    from cdse_intake.readers.source import from_remote

    entry = next(e for e in emu.catalogue if e.family == "modis" and deliverable(e))
    kwargs = {}
    if via == "s3":
        env = emu.env()
        kwargs["s3_keys"] = (env["CDSE_S3_ACCESS_KEY"], env["CDSE_S3_SECRET_KEY"])
    fs = CDSEFileSystem(
        via,
        credentials=(emu.username, emu.password),
        endpoints=emu.endpoints,
        skip_instance_cache=True,
        **kwargs,
    )
    source = from_remote(fs, fs.product(entry.name))
    assert source.single_file
    ds = reader.open(source, chunks=None)
    _assert_values(ds, entry)
