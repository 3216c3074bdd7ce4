"""Sentinel-5P L2 reader: the DataTree of the file, decoded swath, qa masking, real samples."""

from __future__ import annotations

import pickle
import zipfile
from datetime import UTC, datetime

import numpy as np
import pytest
import xarray as xr

from cdse_intake.emulator.products import sentinel5p as emu
from cdse_intake.errors import UnsupportedProduct
from cdse_intake.readers import open_product, sentinel5p
from cdse_intake.readers.source import from_local

from .conftest import write_product

S, G = np.indices((emu.SCANLINES, emu.GROUND_PIXELS))


def _naive(value: datetime) -> np.datetime64:
    return np.datetime64(value.astimezone(UTC).replace(tzinfo=None), "ns")


def _close_in_time(a: np.datetime64, b: np.datetime64, ms: int = 1) -> bool:
    return abs(a - b) <= np.timedelta64(ms, "ms")


def _check_product(tree: xr.DataTree, entry) -> None:
    product = tree["PRODUCT"].to_dataset()
    no2 = product.nitrogendioxide_tropospheric_column
    assert no2.dims == ("scanline", "ground_pixel")
    np.testing.assert_array_equal(no2.values, emu.expected_no2(entry, S, G))
    np.testing.assert_allclose(
        product.qa_value.values, emu.expected_qa(entry, S, G) * 0.01, atol=1e-6
    )
    assert product.qa_value.min() >= 0 and product.qa_value.max() <= 1
    lon, lat = emu.geolocation(entry, S, G)
    assert {"latitude", "longitude", "time"} <= set(product.coords)
    np.testing.assert_allclose(product.latitude.values, lat, atol=1e-4)
    np.testing.assert_allclose(product.longitude.values, lon, atol=1e-4)
    times = product.time.values
    assert product.time.dims == ("scanline",)
    assert np.issubdtype(times.dtype, np.datetime64)
    assert _close_in_time(times[0], _naive(entry.start))
    assert _close_in_time(times[-1], _naive(entry.end))
    assert (np.diff(times) > np.timedelta64(0)).all()
    day = entry.start.replace(hour=0, minute=0, second=0, microsecond=0)
    assert product.time_reference.values == _naive(day)
    # the SUPPORT_DATA groups carry the swath coordinates too
    geo = tree["PRODUCT/SUPPORT_DATA/GEOLOCATIONS"].to_dataset()
    assert geo.solar_zenith_angle.dims == ("scanline", "ground_pixel")
    np.testing.assert_allclose(geo.latitude.values, lat, atol=1e-4)
    np.testing.assert_array_equal(geo.time.values, times)
    corner_lon, corner_lat = emu.geolocation(entry, S - 0.5, G - 0.5)
    np.testing.assert_allclose(geo.latitude_bounds.values[..., 0], corner_lat, atol=1e-4)
    np.testing.assert_allclose(geo.longitude_bounds.values[..., 0], corner_lon, atol=1e-4)


def test_values_coordinates_and_time_of_every_product(entries, local_source):
    products = entries("sentinel5p_l2")
    assert len(products) == 2
    for entry in products:
        tree = sentinel5p.open(local_source(entry))
        assert isinstance(tree, xr.DataTree)
        assert tree.attrs["id"] == entry.name.removesuffix(".nc")
        granule = tree["METADATA/GRANULE_DESCRIPTION"].attrs
        assert granule["ProductShortName"] == "L2__NO2___"
        no2 = tree["PRODUCT"].nitrogendioxide_tropospheric_column
        assert no2.chunks is not None  # lazy, dask
        assert no2.attrs["units"] == "mol m-2"
        _check_product(tree, entry)


@pytest.mark.parametrize("min_qa", [0.5, 0.75, 1.0])
def test_min_qa_masks_the_product_variables(entries, local_source, min_qa):
    entry = entries("sentinel5p_l2")[0]
    tree = sentinel5p.open(local_source(entry), min_qa=min_qa)
    product = tree["PRODUCT"]
    raw_qa = emu.expected_qa(entry, S, G)
    keep = raw_qa >= round(min_qa * 100)
    assert keep.any() and not keep.all()
    no2 = product.nitrogendioxide_tropospheric_column
    assert no2.chunks is not None  # masking stays lazy
    expected = np.where(keep, emu.expected_no2(entry, S, G), np.nan)
    np.testing.assert_array_equal(no2.values, expected)
    kernel = product.averaging_kernel.values
    assert np.isnan(kernel[~keep]).all() and not np.isnan(kernel[keep]).any()
    # qa_value itself, the coordinates and the support data are left whole
    np.testing.assert_allclose(product.qa_value.values, raw_qa * 0.01, atol=1e-6)
    assert not np.isnan(product.latitude.values).any()
    total = tree["PRODUCT/SUPPORT_DATA/DETAILED_RESULTS"].nitrogendioxide_total_column.values
    assert np.isnan(total).sum() == np.isnan(emu.expected_no2(entry, S, G)).sum()
    assert no2.attrs["cdse_min_qa"] == min_qa and no2.attrs["units"] == "mol m-2"


def test_a_pixel_exactly_at_the_threshold_is_kept(entries, local_source):
    entry = entries("sentinel5p_l2")[0]
    product = sentinel5p.open(local_source(entry), min_qa=0.75, metadata=False)["PRODUCT"]
    at = emu.expected_qa(entry, S, G) == 75
    assert at.any()
    assert not np.isnan(product.air_mass_factor_total.values[at]).any()


def test_metadata_false_leaves_out_the_metadata_groups(entries, local_source):
    source = local_source(entries("sentinel5p_l2")[0])
    tree = sentinel5p.open(source, metadata=False)
    assert set(tree.children) == {"PRODUCT"}
    assert tree.attrs["processor_version"] == "02.06.00"  # global attributes still there
    assert "SUPPORT_DATA" in tree["PRODUCT"].children


@pytest.mark.parametrize(
    ("option", "value", "match"),
    [
        ("min_qa", 1.5, r"min_qa=1\.5.*between 0 and 1"),
        ("min_qa", -0.1, r"min_qa=-0\.1"),
        ("min_qa", float("nan"), "min_qa=nan"),
        ("min_qa", "0.5", "min_qa='0.5'"),
        ("min_qa", True, "min_qa=True"),
        ("metadata", "no", "metadata='no'"),
    ],
)
def test_bad_options_are_named(entries, local_source, option, value, match):
    source = local_source(entries("sentinel5p_l2")[0])
    with pytest.raises(ValueError, match=match):
        sentinel5p.open(source, **{option: value})


def test_remote_reads_the_same_and_pickles(entries, remote_source):
    entry = entries("sentinel5p_l2")[1]
    tree = sentinel5p.open(remote_source(entry), min_qa=0.5)
    again = pickle.loads(pickle.dumps(tree))
    no2 = again["PRODUCT"].nitrogendioxide_tropospheric_column.values
    keep = emu.expected_qa(entry, S, G) >= 50
    np.testing.assert_array_equal(no2, np.where(keep, emu.expected_no2(entry, S, G), np.nan))
    _check_product(pickle.loads(pickle.dumps(sentinel5p.open(remote_source(entry)))), entry)


def test_without_dask_opening_reads_no_pixels(entries, local_source):
    entry = entries("sentinel5p_l2")[0]
    tree = sentinel5p.open(local_source(entry), chunks=None)
    no2 = tree["PRODUCT"].nitrogendioxide_tropospheric_column
    assert no2.chunks is None
    assert not isinstance(no2.variable._data, np.ndarray)  # still lazy
    _check_product(tree, entry)


def test_read_metadata_of_the_emulator_products(entries, local_source):
    for entry in entries("sentinel5p_l2"):
        meta = sentinel5p.read_metadata(local_source(entry))
        assert meta.name == entry.name.removesuffix(".nc")
        assert meta.product_type == "L2__NO2___"
        assert meta.processing_mode == entry.name.split("_")[1]
        assert meta.orbit == entry.extra["orbit"]
        assert meta.start == entry.start.replace(microsecond=0)
        assert meta.end == entry.end.replace(microsecond=0)
        assert meta.processor_version == "02.06.00"
        assert meta.collection == "03"
        assert meta.main_group == "PRODUCT"
        assert meta.granule["ProcessorVersion"] == "02.06.00"


def test_open_product_detects_the_family_and_selects_a_group(entries, tmp_path):
    entry = entries("sentinel5p_l2")[0]
    path = write_product(entry, tmp_path)
    tree = open_product(path)
    assert isinstance(tree, xr.DataTree)
    assert tree.attrs["cdse_family"] == "sentinel-5p"
    ds = open_product(path, group="PRODUCT/SUPPORT_DATA/INPUT_DATA", min_qa=0.75)
    assert isinstance(ds, xr.Dataset)
    assert ds.surface_pressure.dims == ("scanline", "ground_pixel")
    lon, _ = emu.geolocation(entry, S, G)
    np.testing.assert_allclose(ds.longitude.values, lon, atol=1e-4)  # shared coordinates


def test_a_netcdf_inside_a_zip_opens(entries, tmp_path):
    entry = entries("sentinel5p_l2")[0]
    archive = tmp_path / f"{entry.name.removesuffix('.nc')}.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(entry.name, entry.payload.data)
    tree = sentinel5p.open(from_local(archive), metadata=False)
    _check_product(tree, entry)


def test_unreadable_files_are_unsupported(tmp_path):
    junk = (
        tmp_path
        / "S5P_OFFL_L2__NO2____20230101T000000_20230101T010000_27000_03_020600_20230101T020000.nc"
    )
    junk.write_bytes(b"\x89HDF\r\n\x1a\n but not really")
    with pytest.raises(UnsupportedProduct, match="not a readable netCDF"):
        sentinel5p.open(from_local(junk))
    h5netcdf = pytest.importorskip("h5netcdf")
    only_metadata = tmp_path / "only_metadata.nc"
    with h5netcdf.File(only_metadata, "w") as f:
        f.create_group("METADATA").attrs["objectType"] = "x"
    with pytest.raises(UnsupportedProduct, match="no data group"):
        sentinel5p.open(from_local(only_metadata))


def test_delta_time_without_an_epoch_is_added_to_the_reference_time(tmp_path):
    """Older processors wrote ``delta_time`` in plain milliseconds from ``time``."""
    h5netcdf = pytest.importorskip("h5netcdf")
    path = tmp_path / "old.nc"
    with h5netcdf.File(path, "w") as f:
        g = f.create_group("PRODUCT")
        g.dimensions = {"time": 1, "scanline": 3, "ground_pixel": 2}
        day = (np.datetime64("2020-03-24") - np.datetime64("2010-01-01")) // np.timedelta64(1, "s")
        t = g.create_variable("time", ("time",), "i4", data=[day])
        t.attrs["units"] = "seconds since 2010-01-01 00:00:00"
        d = g.create_variable("delta_time", ("time", "scanline"), "i4", data=[[0, 840, 1680]])
        d.attrs["units"] = "milliseconds"
        for name in ("latitude", "longitude", "qa_value"):
            g.create_variable(
                name, ("time", "scanline", "ground_pixel"), "f4", data=np.ones((1, 3, 2))
            )
    product = sentinel5p.open(from_local(path))["PRODUCT"]
    expected = np.datetime64("2020-03-24T00:00:00") + np.array([0, 840, 1680], "timedelta64[ms]")
    np.testing.assert_array_equal(product.time.values, expected.astype("datetime64[ns]"))
    assert product.latitude.dims == ("scanline", "ground_pixel")


# -- the real samples ------------------------------------------------------------------------


REAL = {
    "CO_____": ("L2__CO____", "PRODUCT", "1.3.2"),
    "NO2____": ("L2__NO2___", "PRODUCT", "1.3.2"),
    "NP_BD3": ("L2__NP_BD3", "BAND3_NPPC", "01.00.02"),
}


@pytest.mark.parametrize("kind", sorted(REAL))
def test_real_samples_metadata_and_structure(reference_dir, kind):
    (path,) = (reference_dir / "samples/products/sentinel-5p").glob(f"S5P_OFFL_L2__{kind}*.nc")
    product_type, main, processor = REAL[kind]
    source = from_local(path)
    meta = sentinel5p.read_metadata(source)
    assert meta.name == path.stem
    assert meta.product_type == product_type
    assert meta.main_group == main
    assert meta.orbit == 12367
    assert meta.processing_mode == "OFFL"
    assert meta.collection == "01"
    assert meta.processor_version == processor
    assert meta.start == datetime(2020, 3, 3, 1, 57, 22, tzinfo=UTC)
    assert meta.end == datetime(2020, 3, 3, 2, 55, 45, tzinfo=UTC)
    assert meta.title and meta.title.startswith("TROPOMI/S5P")
    assert meta.granule["MissionShortName"] == "S5P"

    tree = sentinel5p.open(source)
    assert set(tree.children) == {main, "METADATA"}
    assert tree.attrs["time_coverage_start"] == "2020-03-03T01:57:22Z"
    eop = tree["METADATA/EOP_METADATA/eop:metaDataProperty"].attrs
    assert eop["eop:identifier"] == path.stem
    assert len(list(tree["METADATA"].subtree)) > 50  # the full metadata tree
    assert not tree[main].to_dataset().data_vars  # trimmed samples: dimensions, no variables
    slim = sentinel5p.open(source, metadata=False)
    assert set(slim.children) == {main}
    with pytest.raises(UnsupportedProduct, match="no qa_value"):
        sentinel5p.open(source, min_qa=0.5, metadata=False)
