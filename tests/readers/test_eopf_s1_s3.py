"""EOPF Zarr reader on Sentinel-1 GRD and Sentinel-3 OLCI EFR products: the DataTree, values
equal to the zarr library's (raw and scaled), radar axes without a CRS, OLCI's lat/lon as
coordinates, ``variables=``."""

from __future__ import annotations

import numpy as np
import pytest
import rioxarray  # noqa: F401  (the .rio accessor, to check no CRS is claimed)
import zarr

from cdse_intake.emulator.products import eopf_s1, eopf_s3
from cdse_intake.readers import open_product

from .conftest import write_product

S1_CONDITIONS = {
    "antenna_pattern", "attitude", "azimuth_fm_rate", "coordinate_conversion",
    "doppler_centroid", "gcp", "orbit", "reference_replica", "replica", "terrain_height",
}  # fmt: skip


@pytest.fixture
def s1(entries):
    return entries("eopf_s1_grd")[0]


@pytest.fixture
def s3(entries):
    return entries("eopf_s3_olci_efr")[0]


def _zarr(entry, tmp_path) -> zarr.Group:
    """The product as the zarr library reads it (extracted folder)."""
    folder = write_product(entry, tmp_path / "plain", "folder")
    return zarr.open_consolidated(str(folder), mode="r", zarr_format=2)


def _points(shape, n=25, seed=3):
    rng = np.random.default_rng(seed)
    return tuple(rng.integers(0, size, n) for size in shape)


def test_s1_grd_opens_per_polarisation(s1, tmp_path):
    tree = open_product(write_product(s1, tmp_path))
    groups = eopf_s1.groups(s1)
    assert set(tree.children) == set(groups.values())
    for group in groups.values():
        node = tree[group]
        assert set(node["conditions"].children) == S1_CONDITIONS
        assert {"calibration", "noise_range", "noise_azimuth"} <= set(node["quality"].children)
        ds = node["measurements"].to_dataset()
        assert ds.grd.dims == ("azimuth_time", "ground_range")
        assert {"line", "pixel", "azimuth_time", "ground_range"} <= set(ds.coords)
        assert ds.azimuth_time.dtype.kind == "M"
        assert ds.azimuth_time.values[0] == np.datetime64(s1.start.replace(tzinfo=None), "ns")
        # radar geometry: no map grid, so no CRS is claimed anywhere
        assert "spatial_ref" not in ds.variables and ds.rio.crs is None
        assert {"line", "pixel"} <= set(node["conditions/gcp"].to_dataset().coords)
    assert "crs" not in tree.attrs
    assert tree.attrs["product_type"] == "S01SIWGRH"
    assert tree.attrs["platform"] == f"sentinel-1{s1.extra['legacy_name'][2].lower()}"


@pytest.mark.parametrize("scale", [True, False])
def test_s1_values_equal_the_zarr_library(s1, tmp_path, scale):
    plain = _zarr(s1, tmp_path)
    tree = open_product(write_product(s1, tmp_path), scale=scale)
    for pol, group in eopf_s1.groups(s1).items():
        raw = plain[f"{group}/measurements/grd"][...]
        np.testing.assert_array_equal(raw, eopf_s1.expected_grd(s1, pol))
        grd = tree[f"{group}/measurements/grd"]
        rows, cols = _points(raw.shape)
        got = grd.values[rows, cols]
        if scale:  # 0 is no data: NaN, the rest the stored counts
            assert grd.dtype.kind == "f"
            want = np.where(raw[rows, cols] == 0, np.nan, raw[rows, cols])
            np.testing.assert_array_equal(got, want)
            assert np.isnan(grd.values[:, : eopf_s1.BORDER]).all()
        else:
            assert grd.dtype == np.uint16
            np.testing.assert_array_equal(got, raw[rows, cols])
        lat = plain[f"{group}/conditions/gcp/latitude"][...]
        np.testing.assert_array_equal(tree[f"{group}/conditions/gcp/latitude"].values, lat)


def test_s3_olci_opens_with_lat_lon_coordinates(s3, tmp_path):
    tree = open_product(write_product(s3, tmp_path, "nosuffix"))
    ds = tree["measurements"].to_dataset()
    assert sorted(n for n in ds.data_vars if n.endswith("_radiance")) == [
        f"{b}_radiance" for b in eopf_s3.BANDS
    ]
    assert {"latitude", "longitude", "time_stamp"} <= set(ds.coords)
    assert ds.oa08_radiance.dims == ("rows", "columns")
    assert ds.time_stamp.dtype.kind == "M"
    assert "spatial_ref" not in ds.variables and "crs" not in tree.attrs
    assert {"geometry", "meteorology", "image", "instrument"} <= set(tree["conditions"].children)
    assert "quality_flags" in tree["quality"].to_dataset()
    assert tree.attrs["product_type"] == "S03OLCEFR"
    bbox = tree.attrs["stac_discovery"]["bbox"]
    lat = ds.latitude.values
    assert bbox[1] - 0.01 <= lat.min() and lat.max() <= bbox[3] + 0.01


@pytest.mark.parametrize("band", ["oa01", "oa17"])
def test_s3_values_equal_the_zarr_library(s3, tmp_path, band):
    plain = _zarr(s3, tmp_path)
    raw_array = plain[f"measurements/{band}_radiance"]
    raw = raw_array[...]
    np.testing.assert_array_equal(raw, eopf_s3.expected_dn(s3, band))
    factor = raw_array.attrs["scale_factor"]
    rows, cols = _points(raw.shape)
    scaled = open_product(write_product(s3, tmp_path))[f"measurements/{band}_radiance"]
    want = np.where(raw == eopf_s3.FILL, np.nan, raw * factor)
    np.testing.assert_allclose(scaled.values[rows, cols], want[rows, cols], rtol=1e-12)
    assert np.isnan(scaled.values[:, :2]).all() and not np.isnan(scaled.values[:, 2:]).any()
    stored = open_product(write_product(s3, tmp_path), scale=False)
    counts = stored[f"measurements/{band}_radiance"]
    assert counts.dtype == np.uint16
    np.testing.assert_array_equal(counts.values[rows, cols], raw[rows, cols])
    lat = stored["measurements"].to_dataset().latitude
    np.testing.assert_array_equal(lat.values, plain["measurements/latitude"][...])
    np.testing.assert_allclose(
        scaled["latitude"].values, plain["measurements/latitude"][...] * 1e-6, rtol=1e-12
    )


def test_variables_selects_by_name_and_path(s1, s3, tmp_path):
    tree = open_product(write_product(s3, tmp_path), variables=["oa04_radiance"])
    ds = tree["measurements"].to_dataset()
    assert list(ds.data_vars) == ["oa04_radiance"]
    assert {"latitude", "longitude"} <= set(ds.coords)  # the coordinates come along
    assert "conditions" not in tree.children
    vv = eopf_s1.groups(s1)["VV"]
    tree = open_product(write_product(s1, tmp_path), variables=[f"{vv}/measurements/grd"])
    assert list(tree.children) == [vv]
    assert list(tree[f"{vv}/measurements"].to_dataset().data_vars) == ["grd"]
    both = open_product(write_product(s1, tmp_path), variables="grd")
    assert set(both.children) == set(eopf_s1.groups(s1).values())
    with pytest.raises(ValueError, match="no data variable"):
        open_product(write_product(s3, tmp_path), variables=["oa22_radiance"])
