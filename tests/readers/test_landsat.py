"""Landsat Collection 2 reader: the USGS bundle (zip as CDSE delivers it, or unzipped) as one
lazy Dataset with the writer's values, scaled by the MTL's factors, on the UTM grid of the
files, at the scene-centre time; clear errors for bad options and incomplete products."""

from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np
import pytest
import xarray as xr

from cdse_intake.emulator.payloads import Payload
from cdse_intake.emulator.products.landsat import build, expected
from cdse_intake.emulator.records.table import table_entries
from cdse_intake.errors import PartialProductWarning
from cdse_intake.readers import landsat, open_product
from cdse_intake.readers.families import detect
from cdse_intake.readers.source import from_local

rasterio = pytest.importorskip("rasterio")


@pytest.fixture(scope="module")
def entries():
    found = {}
    for entry in table_entries(2026, 1.0):
        if entry.family == "landsat":
            found.setdefault(entry.name[:9], entry)
    return found


def _zip(entry, directory):
    """The product as CDSE delivers it: a zip with the ``<Name>/`` folder."""
    path = directory / f"{entry.name}.zip"
    path.write_bytes(Payload.from_files(entry.name, build(entry), False).data)
    return path


def test_level2_values_coordinates_and_time(entries, tmp_path):
    entry = entries["LC08_L2SP"]
    path = _zip(entry, tmp_path)
    assert detect(from_local(path)).key == "landsat"
    ds = open_product(path)
    assert ds.attrs["cdse_family"] == "landsat"
    assert ds.attrs["landsat_product_id"] == entry.name
    assert {"SR_B1", "SR_B7", "ST_B10", "ST_CDIST", "SR_QA_AEROSOL", "QA_PIXEL"} <= set(ds)
    assert ds.SR_B4.chunks is not None  # lazy, on dask
    sr = expected(entry, "SR_B4").astype(np.float64)
    want = np.where(sr == 0, np.nan, sr * 2.75e-05 - 0.2)
    np.testing.assert_allclose(ds.SR_B4.values, want, rtol=1e-6, atol=1e-7)
    st = expected(entry, "ST_B10").astype(np.float64)
    np.testing.assert_allclose(
        ds.ST_B10.values, np.where(st == 0, np.nan, st * 0.00341802 + 149.0), rtol=1e-6
    )
    assert ds.ST_B10.attrs["units"] == "K" and ds.SR_B4.attrs["units"] == "1"
    np.testing.assert_array_equal(ds.QA_PIXEL.values, expected(entry, "QA_PIXEL"))
    # the grid of the files, the record's CRS, the scene-centre time
    with zipfile.ZipFile(path) as zf:
        tif = zf.read(f"{entry.name}/{entry.name}_SR_B4.TIF")
    with rasterio.open(io.BytesIO(tif)) as raster:
        x, y = raster.xy(0, 0)
        assert (float(ds.x[0]), float(ds.y[0])) == (x, y)
        assert ds.rio.crs.to_epsg() == entry.attribute("proj:epsg") == raster.crs.to_epsg()
    middle = entry.start + (entry.end - entry.start) / 2
    assert abs(ds.time.values - np.datetime64(middle.replace(tzinfo=None), "ns")) < np.timedelta64(
        1, "ms"
    )
    # cloud share of QA_PIXEL is the MTL's CLOUD_COVER
    qa = ds.QA_PIXEL.values
    valid = qa != 1
    cover = ((qa & 8) > 0)[valid].mean() * 100
    assert cover == pytest.approx(float(ds.attrs["cloud_cover"]), abs=0.05)


def test_raw_numbers_decode_as_cf_says(entries, tmp_path):
    entry = entries["LC09_L2SP"]
    path = _zip(entry, tmp_path)
    raw = open_product(path, scale=False, chunks=None)
    assert raw.SR_B2.dtype == np.uint16
    np.testing.assert_array_equal(raw.SR_B2.values, expected(entry, "SR_B2"))
    decoded = xr.decode_cf(raw).SR_B2.values
    scaled = open_product(path).SR_B2.values
    np.testing.assert_allclose(decoded, scaled, rtol=1e-6, atol=1e-7)


def test_level1_reflectance_temperature_and_pan(entries, tmp_path):
    entry = entries["LE07_L1TP"]
    ds = open_product(_zip(entry, tmp_path), chunks=None)
    assert {"B1", "B6_VCID_1", "B6_VCID_2", "B8", "SAA", "SZA", "VAA", "VZA"} <= set(ds)
    assert ds.B8.dims == ("y_pan", "x_pan") and ds.sizes["y_pan"] == 2 * ds.sizes["y"]
    mtl = landsat.read_metadata(from_local(_zip(entry, tmp_path / "..")))
    c = mtl["LEVEL1_RADIOMETRIC_RESCALING"]
    elevation = np.radians(float(mtl["IMAGE_ATTRIBUTES"]["SUN_ELEVATION"]))
    dn = expected(entry, "B3").astype(np.float64)
    mult, add = float(c["REFLECTANCE_MULT_BAND_3"]), float(c["REFLECTANCE_ADD_BAND_3"])
    want = np.where(dn == 0, np.nan, (dn * mult + add) / np.sin(elevation))
    np.testing.assert_allclose(ds.B3.values, want, rtol=1e-5)
    assert 180 < float(ds.B6_VCID_1.median()) < 330  # brightness temperature (K)
    sza = ds.SZA.values[expected(entry, "QA_PIXEL") != 1]
    assert float(np.median(sza)) == pytest.approx(90 - entry.attribute("sunElevationAngle"), abs=1)


def test_unzipped_folder_and_band_selection(entries, tmp_path):
    entry = entries["LT05_L1GT"]
    with zipfile.ZipFile(_zip(entry, tmp_path)) as zf:
        zf.extractall(tmp_path / "out")
    ds = open_product(tmp_path / "out" / entry.name, bands=["B4", "QA_PIXEL"])
    assert list(ds.data_vars) == ["B4", "QA_PIXEL"]
    assert pickle.loads(pickle.dumps(ds)).B4.values.shape == expected(entry, "B4").shape
    with pytest.raises(ValueError, match="B9"):
        open_product(tmp_path / "out" / entry.name, bands=["B9"])
    with pytest.raises(ValueError, match="scale"):
        open_product(tmp_path / "out" / entry.name, scale="yes")


def test_a_raster_missing_from_the_product_is_named(entries, tmp_path):
    entry = entries["LC08_L1TP"]
    files = build(entry)
    del files[f"{entry.name}_B5.TIF"]
    folder = tmp_path / entry.name
    folder.mkdir()
    for rel, data in files.items():
        (folder / rel).write_bytes(data)
    with pytest.warns(PartialProductWarning, match=r"_B5\.TIF"):
        ds = open_product(folder)  # the other bands open (issue 14: partial products)
    assert "B5" not in ds.data_vars and "B4" in ds.data_vars


def test_the_zip_as_downloaded_under_the_bare_product_name(entries, tmp_path):
    """CDSE's Content-Disposition names a Landsat zip without ``.zip``: GDAL still reads it."""
    entry = entries["LC09_L1TP"]
    path = tmp_path / entry.name
    _zip(entry, tmp_path).rename(path)
    ds = open_product(path, bands=["B10"], chunks=None)
    np.testing.assert_array_equal(open_product(path, bands=["B10"], scale=False).B10.values,
                                  expected(entry, "B10"))  # fmt: skip
    assert 180 < float(ds.B10.median()) < 330


def test_remote_reads_by_range(cdse_emulator_factory):
    from cdse_intake.fs import CDSEFileSystem
    from cdse_intake.readers.source import from_remote

    emu = cdse_emulator_factory(seed=2026, scale=0.02, deliver="all")
    entry = next(e for e in emu.catalogue if e.family == "landsat" and e.online)
    fs = CDSEFileSystem(
        "https",
        credentials=(emu.username, emu.password),
        endpoints=emu.endpoints,
        skip_instance_cache=True,
    )
    source = from_remote(fs, fs.product(entry.name))
    assert detect(source).key == "landsat"
    ds = landsat.open(source, bands=["B4", "QA_PIXEL"])
    np.testing.assert_array_equal(ds.QA_PIXEL.values, expected(entry, "QA_PIXEL"))
    assert float(ds.B4.mean()) > 0
