"""GeoTIFF reader: CLMS NDVI values, grid, CRS, scaling and flags; any other GeoTIFF."""

from __future__ import annotations

import copy
import pickle
import zipfile
from datetime import UTC, datetime

import numpy as np
import pytest
import rasterio
import xarray as xr
from affine import Affine

from cdse_intake.emulator.products import geotiff as emu
from cdse_intake.errors import UnsupportedProduct
from cdse_intake.readers import geotiff, open_product
from cdse_intake.readers.source import from_local

from .conftest import write_product

FLAGS = (emu.SEA, emu.NODATA)


def _physical(dn: np.ndarray) -> np.ndarray:
    return np.where(np.isin(dn, FLAGS), np.nan, dn * emu.SCALE + emu.OFFSET)


def _check_clms(ds: xr.Dataset, entry, rows=slice(0, 40), cols=slice(0, 40)) -> None:
    assert list(ds.data_vars) == ["NDVI", "flags"]
    ndvi = ds.NDVI
    assert ndvi.dims == ("y", "x") and ndvi.dtype == np.float32
    r, c = np.mgrid[rows, cols]
    dn = emu.expected_dn(entry, r, c)
    assert (dn < 251).any()
    np.testing.assert_allclose(ndvi[rows, cols].values, _physical(dn), atol=1e-6)
    np.testing.assert_array_equal(ds.flags[rows, cols].values, dn)
    # the grid: 1/336 degree pixels whose centres sit on multiples of 1/336 degree
    west, north = emu.window_origin(entry.extra["lon"], entry.extra["lat"])
    assert ds.sizes == {"y": emu.SIZE, "x": emu.SIZE}
    np.testing.assert_allclose(ds.x.values, west + (np.arange(emu.SIZE) + 0.5) * emu.PIXEL)
    np.testing.assert_allclose(ds.y.values, north - (np.arange(emu.SIZE) + 0.5) * emu.PIXEL)
    np.testing.assert_allclose(ds.x * 336, np.round(ds.x * 336), atol=1e-6)
    np.testing.assert_allclose(ds.y * 336, np.round(ds.y * 336), atol=1e-6)
    assert ds.rio.crs.to_epsg() == 4326 and ndvi.rio.crs.to_epsg() == 4326
    assert ds.x.attrs["standard_name"] == "longitude"
    assert ds.time.values == np.datetime64(datetime.strptime(entry.name[14:26], "%Y%m%d%H%M"))


def test_clms_values_grid_crs_and_time(entries, local_source):
    (entry,) = entries("clms_geotiff")
    ds = geotiff.open(local_source(entry))
    assert ds.NDVI.chunks is not None
    _check_clms(ds, entry)
    _check_clms(ds, entry, rows=slice(300, 340), cols=slice(0, 512))
    ndvi = ds.NDVI
    assert ndvi.attrs["long_name"] == "Normalized Difference Vegetation Index"
    np.testing.assert_allclose(ndvi.attrs["valid_range"], [-0.08, 0.92], atol=1e-6)
    assert "flag_values" not in ndvi.attrs  # flagged pixels are NaN; see the flags variable
    assert ndvi.encoding["scale_factor"] == emu.SCALE
    assert ndvi.encoding["add_offset"] == emu.OFFSET
    assert ndvi.encoding["_FillValue"] == emu.NODATA
    assert ndvi.encoding["dtype"] == np.uint8
    assert list(ds.flags.attrs["flag_values"]) == list(FLAGS)
    assert ds.flags.attrs["flag_meanings"] == "sea missing"
    assert ds.attrs["time_coverage_start"] == entry.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    # physical values stay in the documented range
    assert float(ndvi.min()) >= -0.08 - 1e-6 and float(ndvi.max()) <= 0.92 + 1e-6


def test_flagged_pixels_are_nan_and_kept_in_flags(entries, tmp_path):
    """A window on a coast in the polar night: sea (254) and missing (255) pixels."""
    entry = copy.copy(entries("clms_geotiff")[0])
    entry.extra = {**entry.extra, "lon": 10.75, "lat": 59.9}  # Oslo fjord, early January
    path = tmp_path / entry.name
    path.write_bytes(emu.build_ndvi(entry)[entry.name])
    ds = geotiff.open(from_local(path), chunks=None)
    dn = emu.expected_dn(entry, *np.indices((emu.SIZE, emu.SIZE)))
    assert set(FLAGS) <= set(np.unique(dn))
    np.testing.assert_array_equal(ds.flags.values, dn)
    np.testing.assert_allclose(ds.NDVI.values, _physical(dn), atol=1e-6)


def test_raw_digital_numbers_with_cf_attributes(entries, local_source):
    (entry,) = entries("clms_geotiff")
    ds = geotiff.open(local_source(entry), scale=False)
    assert list(ds.data_vars) == ["NDVI"]
    dn = ds.NDVI
    assert dn.dtype == np.uint8
    np.testing.assert_array_equal(dn.values, emu.expected_dn(entry, *np.indices(dn.shape)))
    assert dn.attrs["_FillValue"] == emu.NODATA
    assert (dn.attrs["scale_factor"], dn.attrs["add_offset"]) == (emu.SCALE, emu.OFFSET)
    assert list(dn.attrs["flag_values"]) == list(FLAGS)
    assert list(dn.attrs["valid_range"]) == [0, 250]
    # CF decoding by xarray itself: scale and _FillValue (it ignores flag_values)
    decoded = xr.decode_cf(ds).NDVI.values
    expected = np.where(dn.values == emu.NODATA, np.nan, dn.values * emu.SCALE + emu.OFFSET)
    np.testing.assert_allclose(decoded, expected, atol=1e-6)


def test_remote_reads_the_same_and_pickles(entries, remote_source):
    (entry,) = entries("clms_geotiff")
    ds = pickle.loads(pickle.dumps(geotiff.open(remote_source(entry))))
    _check_clms(ds, entry, rows=slice(0, 20), cols=slice(0, 20))
    _check_clms(ds, entry, rows=slice(200, 220), cols=slice(250, 270))


@pytest.mark.parametrize("chunks", [None, {"x": 100, "y": 64}, "auto"])
def test_chunks(entries, local_source, chunks):
    (entry,) = entries("clms_geotiff")
    ds = geotiff.open(local_source(entry), chunks=chunks)
    if chunks is None:
        assert ds.NDVI.chunks is None
        for var in ("NDVI", "flags"):  # lazy, nothing read yet
            assert not isinstance(ds[var].variable._data, np.ndarray)
    elif chunks == "auto":
        assert all(size % 256 == 0 for size in ds.NDVI.chunks[0] + ds.NDVI.chunks[1])
    else:
        assert ds.NDVI.chunks[1][0] == 100 and ds.NDVI.chunks[0][0] == 64
    _check_clms(ds, entry, rows=slice(60, 70), cols=slice(95, 105))
    # an outer (orthogonal) selection decodes the right pixels
    rows, cols = [3, 70, 500], [1, 2, 300]
    picked = ds.NDVI.isel(y=rows, x=cols).values
    expected = _physical(emu.expected_dn(entry, *np.ix_(rows, cols)))
    np.testing.assert_allclose(picked, expected, atol=1e-6)
    one = ds.NDVI.isel(y=10, x=20)  # a single pixel
    assert float(one) == pytest.approx(emu.expected_dn(entry, 10, 20) * emu.SCALE + emu.OFFSET)


def test_options(entries, local_source):
    (entry,) = entries("clms_geotiff")
    source = local_source(entry)
    assert list(geotiff.open(source, name="ndvi").data_vars) == ["ndvi", "flags"]
    with pytest.raises(ValueError, match="scale='yes'"):
        geotiff.open(source, scale="yes")
    with pytest.raises(ValueError, match="name=''"):
        geotiff.open(source, name="")


def test_read_metadata(entries, local_source):
    (entry,) = entries("clms_geotiff")
    meta = geotiff.read_metadata(local_source(entry))
    assert meta.variable == "NDVI"
    assert (meta.width, meta.height, meta.count, meta.dtype) == (emu.SIZE, emu.SIZE, 1, "uint8")
    assert meta.crs == "EPSG:4326"
    assert meta.transform[0] == pytest.approx(emu.PIXEL)
    assert (meta.scale, meta.offset, meta.nodata) == (emu.SCALE, emu.OFFSET, emu.NODATA)
    assert meta.valid_range == (0, 250)
    assert meta.flag_values == FLAGS
    assert meta.flag_meanings == ("sea", "missing")
    assert meta.clms is not None
    assert meta.clms.product == "NDVI300" and meta.clms.version == "V2.0.1"
    assert meta.clms.time == datetime.strptime(entry.name[14:26], "%Y%m%d%H%M").replace(tzinfo=UTC)


def test_open_product_detects_the_family(entries, tmp_path):
    (entry,) = entries("clms_geotiff")
    ds = open_product(write_product(entry, tmp_path))
    assert isinstance(ds, xr.Dataset)
    assert ds.attrs["cdse_family"] == "geotiff"
    _check_clms(ds, entry, rows=slice(0, 8), cols=slice(0, 8))


@pytest.mark.parametrize(
    ("name", "variable", "when"),
    [
        ("c_gls_NDVI300_202301010000_GLOBE_OLCI_V2.0.1.tif", "NDVI", "202301010000"),
        ("c_gls_NDVI300-NDVI_202404010000_GLOBE_OLCI_V2.0.1.tiff", "NDVI", "202404010000"),
        ("c_gls_NDVI300-UNC_202505110000_X18Y03_OLCI_V2.0.1.tiff", "UNC", "202505110000"),
        ("c_gls_FAPAR300-RT0_202404100000_GLOBE_OLCI_V1.1.2.nc", "FAPAR", "202404100000"),
        ("c_gls_LST10-DC_202505110000_GLOBE_GEO_V2.1.1.nc", "DC", "202505110000"),
    ],
)
def test_clms_names(name, variable, when):
    parsed = geotiff.clms_name(name)
    assert parsed is not None
    assert parsed.variable == variable
    assert parsed.time == datetime.strptime(when, "%Y%m%d%H%M").replace(tzinfo=UTC)
    assert geotiff.clms_name("S2A_T31UDQ_20230101T105441_B04.tif") is None


def _utm_tiff(path, nodata=None) -> np.ndarray:
    data = (np.arange(3 * 96 * 128, dtype=np.uint32).reshape(3, 96, 128) * 7 % 65000).astype(
        np.uint16
    )
    profile = {
        "driver": "GTiff",
        "width": 128,
        "height": 96,
        "count": 3,
        "dtype": "uint16",
        "crs": "EPSG:32631",
        "transform": Affine(10.0, 0.0, 600000.0, 0.0, -10.0, 5400000.0),
        "tiled": True,
        "blockxsize": 64,
        "blockysize": 32,
        "compress": "deflate",
    }
    if nodata is not None:
        profile["nodata"] = nodata
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
    return data


def test_a_plain_multiband_utm_geotiff(tmp_path):
    path = tmp_path / "scene.tif"
    data = _utm_tiff(path)
    ds = geotiff.open(from_local(path))
    assert list(ds.data_vars) == ["band_data"]
    da = ds.band_data
    assert da.dims == ("band", "y", "x") and da.dtype == np.uint16  # nothing to decode
    assert list(ds.band.values) == [1, 2, 3]
    assert da.chunks == ((1, 1, 1), (96,), (128,))  # whole tiles (the file is small)
    np.testing.assert_array_equal(da.values, data)
    np.testing.assert_allclose(ds.x.values, 600000 + 5 + 10 * np.arange(128))
    np.testing.assert_allclose(ds.y.values, 5400000 - 5 - 10 * np.arange(96))
    assert ds.rio.crs.to_epsg() == 32631
    assert ds.x.attrs["standard_name"] == "projection_x_coordinate"
    assert "time" not in ds.coords
    assert geotiff.read_metadata(from_local(path)).variable == "band_data"
    named = pickle.loads(pickle.dumps(geotiff.open(from_local(path), name="reflectance")))
    np.testing.assert_array_equal(named.reflectance[1, 10:20, 5:9].values, data[1, 10:20, 5:9])


def test_nodata_of_a_plain_geotiff_becomes_nan(tmp_path):
    path = tmp_path / "scene.tif"
    data = _utm_tiff(path, nodata=0)
    assert (data == 0).any()
    ds = geotiff.open(from_local(path), chunks=None)
    values = ds.band_data.values
    assert values.dtype == np.float32
    np.testing.assert_array_equal(values, np.where(data == 0, np.nan, data))
    np.testing.assert_array_equal(geotiff.open(from_local(path), scale=False).band_data, data)


def test_a_geotiff_in_a_zip_and_unreadable_files(entries, tmp_path):
    (entry,) = entries("clms_geotiff")
    archive = tmp_path / "clms.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"clms/{entry.name}", entry.payload.data)
        zf.writestr("clms/readme.txt", "NDVI")
    _check_clms(geotiff.open(from_local(archive)), entry, rows=slice(0, 8), cols=slice(0, 8))
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("x/readme.txt", "nothing")
    with pytest.raises(UnsupportedProduct, match=r"exactly one GeoTIFF.*none"):
        geotiff.open(from_local(empty))
    junk = tmp_path / "c_gls_NDVI300_202301010000_GLOBE_OLCI_V2.0.1.tif"
    junk.write_bytes(b"II*\x00 not a tiff at all")
    with pytest.raises(UnsupportedProduct, match="not a readable GeoTIFF"):
        geotiff.open(from_local(junk))
