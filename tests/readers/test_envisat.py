"""Envisat MERIS Level-1b reader: the .N1 as a Dataset of radiances, flags and tie points, with
the values the writer put in (and GDAL's ESAT driver reads), from a file, a zip or pickled."""

from __future__ import annotations

import pickle
import zipfile

import numpy as np
import pytest

from cdse_intake.emulator.products import BUILDERS
from cdse_intake.emulator.products._envisat_pixels import GRIDS, RAD_SCALE, WAVELENGTHS, look
from cdse_intake.emulator.records.table import table_entries
from cdse_intake.errors import UnsupportedProduct
from cdse_intake.readers import envisat, open_product
from cdse_intake.readers.families import FAMILIES, detect
from cdse_intake.readers.source import from_local


@pytest.fixture(scope="module")
def entries():
    found = {}
    for entry in table_entries(2026, 1.0):
        if entry.collection == "ENVISAT":
            found.setdefault(entry.product_type, entry)
    return found


@pytest.fixture(params=["MER_FRS_1P", "MER_RR__1P"])
def written(request, entries, tmp_path):
    entry = entries[request.param]
    path = tmp_path / entry.name
    path.write_bytes(BUILDERS["envisat"](entry)[entry.name])
    return entry, path


def test_values_coordinates_and_metadata(written):
    entry, path = written
    grid = GRIDS[entry.product_type]
    view = look(entry.name, entry.product_type, entry.extra["lon"], entry.extra["lat"], entry.start)
    ds = open_product(path)
    assert ds.sizes["y"] == grid.lines and ds.sizes["x"] == grid.samples
    assert [f"radiance_{b}" for b in range(1, 16)] == [v for v in ds.data_vars][:15]
    for band in (1, 8, 13):
        expected = view.counts[band - 1] * np.float32(RAD_SCALE[band - 1])
        np.testing.assert_allclose(ds[f"radiance_{band}"].values, expected, rtol=1e-6)
        assert ds[f"radiance_{band}"].attrs["wavelength"] == pytest.approx(WAVELENGTHS[band - 1])
    np.testing.assert_array_equal(ds.l1_flags.values & 16 > 0, view.land)
    np.testing.assert_array_equal(ds.l1_flags.values & 32 > 0, view.cloud)
    detectors = ds.detector_index.values
    assert (np.diff(detectors, axis=1) == 1).all() and (detectors == detectors[0]).all()
    # per-pixel positions from the tie points: exact on them, close between
    np.testing.assert_allclose(ds.latitude.values, view.lat, atol=2e-3)
    np.testing.assert_allclose(ds.longitude.values, view.lon, atol=2e-3)
    ties = ds.tie_latitude.values
    np.testing.assert_allclose(ties, view.lat[:: grid.tie_step, :: grid.tie_step], atol=1e-6)
    assert ds.tie_y.values[1] == grid.tie_step and ds.sun_zenith.attrs["units"] == "degrees"
    assert 0 <= float(ds.sun_zenith.min()) <= 180 and 200 < float(ds.ozone.mean()) < 500
    times = ds.time.values
    assert times[0] == np.datetime64(entry.start.replace(tzinfo=None), "ns")
    assert (np.diff(times) == np.timedelta64(grid.line_interval_us, "us")).all()
    assert ds.attrs["MPH_PRODUCT"] == entry.name and ds.attrs["SPH_LINE_LENGTH"] == grid.samples
    assert ds.attrs["MPH_ABS_ORBIT"] == entry.attribute("orbitNumber")


def test_same_values_as_gdal(written):
    rasterio = pytest.importorskip("rasterio")
    _, path = written
    ds = envisat.open(from_local(path), chunks=None)
    with rasterio.open(path) as g:
        counts = g.read(5).astype(np.float32)
    np.testing.assert_allclose(ds.radiance_5.values, counts * np.float32(RAD_SCALE[4]), rtol=1e-6)


def test_lazy_slices_zip_and_pickle(written, tmp_path):
    entry, path = written
    ds = envisat.open(from_local(path), chunks=None)
    whole = ds.radiance_3.values
    np.testing.assert_array_equal(ds.radiance_3[5:40:3, 7:20].values, whole[5:40:3, 7:20])
    np.testing.assert_array_equal(ds.radiance_3[11].values, whole[11])
    archive = tmp_path / "product.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(path, f"{entry.name}")
    zipped = open_product(archive)
    assert pickle.loads(pickle.dumps(zipped)).radiance_3.values.tolist() == whole.tolist()


def test_detection_and_errors(written, tmp_path):
    _, path = written
    family = detect(from_local(path))
    assert family.key == "envisat"
    renamed = tmp_path / "product.bin"
    renamed.write_bytes(path.read_bytes())
    assert detect(from_local(renamed)).key == "envisat"  # by its PRODUCT= magic
    assert any(f.key == "envisat" for f in FAMILIES)
    bad = tmp_path / "MER_RR__1PBAD.N1"
    bad.write_bytes(b"PRODUCT=" + b"x" * 100)
    with pytest.raises(UnsupportedProduct, match="truncated MPH"):
        envisat.open(from_local(bad))
    other = tmp_path / "other.N1"
    other.write_bytes(b"not envisat" * 200)
    with pytest.raises(UnsupportedProduct, match="PRODUCT="):
        envisat.open(from_local(other))


@pytest.mark.parametrize("keep", [1500, 3000, -100])
def test_a_truncated_file_is_named_truncated(written, tmp_path, keep):
    """A file cut short (an interrupted copy) says so, not that a data set is missing."""
    _, path = written
    cut = tmp_path / path.name
    data = path.read_bytes()
    cut.write_bytes(data[:keep])
    with pytest.raises(UnsupportedProduct, match="truncated"):
        envisat.open(from_local(cut))
