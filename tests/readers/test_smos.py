"""SMOS reader: the Earth Explorer product (.HDR + .DBL) as a Dataset of grid points with the
values the writer put in, from a folder or a zip as CDSE delivers it."""

from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np
import pytest

from cdse_intake.emulator.products import BUILDERS
from cdse_intake.emulator.products._smos_values import patch
from cdse_intake.emulator.records.table import table_entries
from cdse_intake.errors import PartialProductWarning, UnsupportedProduct
from cdse_intake.readers import open_product
from cdse_intake.readers import smos as reader
from cdse_intake.readers.families import detect
from cdse_intake.readers.source import from_local

TYPES = ["MIR_SMUDP2", "MIR_OSUDP2", "MIR_SC_F1B"]


@pytest.fixture(scope="module")
def entries():
    found = {}
    for entry in table_entries(2026, 1.0):
        if entry.collection == "SMOS":
            found.setdefault(entry.product_type, entry)
    return found


def _zip(entry, directory):
    path = directory / f"{entry.name}.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for rel, data in BUILDERS["smos"](entry).items():
            zf.writestr(f"{entry.name}/{rel}", data)
    return path


@pytest.mark.parametrize("kind", TYPES)
def test_open_as_cdse_delivers(entries, kind, tmp_path):
    entry = entries[kind]
    path = _zip(entry, tmp_path)
    assert detect(from_local(path)).key == "smos"
    ds = open_product(path)
    view = patch(entry.extra["lon"], entry.extra["lat"], entry.start)
    assert ds.sizes["grid_point"] == view.ids.size
    np.testing.assert_array_equal(ds.grid_point_id.values, view.ids)
    np.testing.assert_allclose(ds.latitude.values, view.lat, atol=1e-4)
    np.testing.assert_allclose(ds.longitude.values, view.lon, atol=1e-4)
    assert ds.attrs["File_Type"] == kind and ds.attrs["File_Name"] == entry.name
    if kind == "MIR_SMUDP2":
        sm = ds.Soil_Moisture.values
        assert np.isnan(sm[~view.land]).all()
        np.testing.assert_allclose(sm[view.land], view.soil_moisture[view.land], rtol=1e-6)
        assert ds.Soil_Moisture.attrs["units"] == "m3 m-3"
        np.testing.assert_allclose(
            ds.Surface_Temperature.values, view.surface_temperature, rtol=1e-6
        )
        expected = np.array([np.datetime64(t.replace(tzinfo=None), "ns") for t in view.times])
        assert (np.abs(ds.time.values - expected) <= np.timedelta64(1, "us")).all()
    elif kind == "MIR_OSUDP2":
        sss = ds.SSS1.values
        assert np.isnan(sss[view.land]).all()
        np.testing.assert_allclose(sss[~view.land], view.sss[~view.land] - 0.05, rtol=1e-5)
        first = np.datetime64(view.times[0].replace(tzinfo=None), "ns")
        assert abs(ds.time.values[0] - first) < np.timedelta64(60, "s")  # float32 days
    else:
        counts = ds.BT_Data_Counter.values
        assert ds.sizes["measurement"] == counts.max()
        assert np.isnan(ds.BT_Value_Real.values[counts < counts.max(), -1]).all()
        incidence = ds.Incidence_Angle.values
        assert np.nanmin(incidence) >= 4.9 and np.nanmax(incidence) <= 55.1
        assert (ds.BT_Value_Real.values[:, 0] > 50).all()
        assert ds.sizes["snapshot"] > 0


def test_pickles_and_folder(entries, tmp_path):
    entry = entries["MIR_SMUDP2"]
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(_zip(entry, tmp_path)) as zf:
        zf.extractall(folder)
    ds = open_product(folder / entry.name)
    again = pickle.loads(pickle.dumps(ds))
    np.testing.assert_array_equal(again.Soil_Moisture.values, ds.Soil_Moisture.values)


def test_broken_products(entries, tmp_path):
    entry = entries["MIR_SMUDP2"]
    files = BUILDERS["smos"](entry)
    folder = tmp_path / entry.name
    folder.mkdir()
    (folder / f"{entry.name}.HDR").write_bytes(files[f"{entry.name}.HDR"])
    with pytest.warns(PartialProductWarning, match=r"\.DBL"):  # the header only: metadata
        assert not reader.open(from_local(folder)).data_vars
    (folder / f"{entry.name}.DBL").write_bytes(files[f"{entry.name}.DBL"][:1000])
    with pytest.raises(UnsupportedProduct, match="records"):
        reader.open(from_local(folder))
    other = io.BytesIO(files[f"{entry.name}.HDR"]).read().replace(b"MIR_SMUDP2<", b"MIR_XXXXX2<")
    (folder / f"{entry.name}.HDR").write_bytes(other)
    (folder / f"{entry.name}.DBL").write_bytes(files[f"{entry.name}.DBL"])
    with pytest.raises(UnsupportedProduct, match="MIR_XXXXX2"):
        reader.open(from_local(folder))
