"""CAMS reader: the GLOBAL/GFAS netCDF as a Dataset of decoded fields on the global grid."""

from __future__ import annotations

import pickle
import zipfile

import numpy as np
import pytest

from cdse_intake.emulator.products import BUILDERS, cams
from cdse_intake.emulator.records.table import table_entries
from cdse_intake.errors import UnsupportedProduct
from cdse_intake.readers import cams as reader
from cdse_intake.readers import open_product
from cdse_intake.readers.families import detect
from cdse_intake.readers.source import from_local


@pytest.fixture(scope="module")
def entries():
    found = {}
    for entry in table_entries(2026, 1.0):
        if entry.collection == "CAMS":
            found.setdefault(entry.product_type, entry)
    return found


@pytest.fixture(params=["GLOBAL", "GFAS"])
def written(request, entries, tmp_path):
    entry = entries[request.param]
    path = tmp_path / entry.name
    path.write_bytes(BUILDERS["cams"](entry)[entry.name])
    return entry, path


def test_values_and_grid(written):
    entry, path = written
    assert detect(from_local(path)).key == "cams"
    ds = open_product(path)
    expected = cams.fields(entry)
    assert list(ds.data_vars) == list(expected)
    for name, values in expected.items():
        var = ds[name]
        assert var.dims == ("time", "latitude", "longitude") and var.chunks is not None
        step = float(var.encoding["scale_factor"])
        np.testing.assert_allclose(var.values, values, atol=step)
        assert var.attrs["long_name"] == cams.LONG_NAMES[name][1]
    assert ds.latitude.attrs["units"] == "degrees_north" and ds.sizes["longitude"] == 360
    times = [np.datetime64(t, "ns") for t in cams.steps(entry)]
    assert list(ds.time.values) == times
    assert ds.attrs["cams_stream"] == ("forecast" if entry.product_type == "GLOBAL" else "analysis")
    # a point read: the value at (lat, lon) of the grid
    lat, lon = 48.0, 2.0
    first = next(iter(expected))
    point = ds[first].sel(latitude=lat, longitude=lon).isel(time=0).values
    assert point == pytest.approx(
        expected[first][0, 90 - 48, 2], abs=float(ds[first].encoding["scale_factor"])
    )
    ds.close()


def test_zip_and_pickle(written, tmp_path):
    entry, path = written
    archive = tmp_path / "cams.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(path, entry.name)
    ds = open_product(archive)
    again = pickle.loads(pickle.dumps(ds))
    name = next(iter(ds.data_vars))
    np.testing.assert_array_equal(again[name].values, ds[name].values)


def test_not_a_cams_grid(tmp_path):
    h5netcdf = pytest.importorskip("h5netcdf")
    path = tmp_path / "z_cams_c_ecmf_20230101000000_prod_fc_sfc_aod550.nc"
    with h5netcdf.File(path, "w") as f:
        f.dimensions = {"x": 2}
        f.create_variable("v", ("x",), data=np.zeros(2))
    with pytest.raises(UnsupportedProduct, match="latitude"):
        reader.open(from_local(path))
