"""The Sentinel-1 reader on Extra-Wide swath (EW) and StripMap (SM) products: EW GRD's HH and HV
on radar axes with the geolocation grid, calibrated to finite sigma0; EW SLC one node per
sub-swath EW1..EW5; stripmap GRD and SLC (one swath ``S<n>``, no bursts)."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime

import numpy as np
import pytest

from cdse_intake.emulator.products import BUILDERS
from cdse_intake.emulator.products import sentinel1 as grd
from cdse_intake.emulator.products import sentinel1_slc as slc
from cdse_intake.emulator.records.sentinel1_ew_sm import ew_sm_entries
from cdse_intake.readers import open_product

xr = pytest.importorskip("xarray")

#: (line, pixel) checked: corners and inside.
PIXELS = [(0, 0), (0, grd.SAMPLES - 1), (grd.LINES - 1, 0), (137, 411), (250, 101)]


@pytest.fixture(scope="module")
def records() -> list:
    return ew_sm_entries(42, datetime(2023, 1, 1, tzinfo=UTC), 40)


def _first(records, prefix: str, kind: str):
    return next(e for e in records if e.product_type.startswith(prefix) and kind in e.product_type)


def _zip(entry, directory) -> str:
    path = directory / f"{entry.name.removesuffix('.SAFE')}.zip"
    with zipfile.ZipFile(path, "w") as z:
        for rel, data in BUILDERS[entry.family](entry).items():
            z.writestr(f"{entry.name}/{rel}", data)
    return str(path)


@pytest.fixture(scope="module")
def ew_grd(records, tmp_path_factory):
    entry = _first(records, "EW", "GRD")
    return entry, _zip(entry, tmp_path_factory.mktemp("ew-grd"))


@pytest.fixture(scope="module")
def ew_slc(records, tmp_path_factory):
    entry = _first(records, "EW", "SLC")
    return entry, _zip(entry, tmp_path_factory.mktemp("ew-slc"))


def test_ew_grd_hh_hv_on_radar_axes(ew_grd):
    entry, path = ew_grd
    tree = open_product(path)
    assert tree.attrs["instrument_mode"] == "EW" and tree.attrs["swaths"] == ["EW"]
    assert tree.attrs["polarisations"] == ["HH", "HV"]
    assert tree.attrs["resolution_class"] == "M"
    ds = tree.to_dataset()
    assert set(ds.data_vars) == {"HH", "HV"}
    for pol in ("HH", "HV"):
        da = ds[pol]
        assert da.dims == ("y", "x") and da.dtype == np.uint16
        assert da.shape == (grd.LINES, grd.SAMPLES)
        got = np.array([da[line, pixel].values for line, pixel in PIXELS])
        want = np.array([grd.expected_dn(entry, pol, line, pixel) for line, pixel in PIXELS])
        np.testing.assert_array_equal(got, want)
    assert "spatial_ref" not in ds.coords  # radar geometry, no CRS
    for name in ("gcp_latitude", "gcp_longitude", "gcp_incidence_angle"):
        assert ds[name].dims == ("gcp_line", "gcp_pixel"), name
    # EW's incidence range (18.9-47 degrees), not IW's (30.7-46)
    incidence = ds["gcp_incidence_angle"].values
    assert incidence.min() == pytest.approx(18.9) and incidence.max() == pytest.approx(47.0)
    lines, pixels = np.array(PIXELS).T
    lon, lat = grd.geolocation(entry, lines, pixels)
    np.testing.assert_allclose(ds.latitude.values[lines, pixels], lat, atol=1e-6)
    np.testing.assert_allclose(ds.longitude.values[lines, pixels], lon, atol=1e-6)
    assert abs(lat).min() >= 50  # over the polar seas


def test_ew_grd_calibrates_to_finite_sigma0(ew_grd):
    entry, path = ew_grd
    ds = open_product(path, calibration="sigma0").to_dataset()
    for pol in ("HH", "HV"):
        sigma0 = ds[pol].values
        assert sigma0.dtype == np.float32 and np.isfinite(sigma0).all() and (sigma0 > 0).all()
        lines, pixels = np.array(PIXELS).T
        expected = grd.expected_sigma0(entry, pol, lines, pixels)
        np.testing.assert_allclose(10 * np.log10(sigma0[lines, pixels]), expected, atol=0.5)
    # cross-polarisation returns less than co-polarisation
    assert np.median(ds["HV"].values) < np.median(ds["HH"].values)
    # the azimuth noise LUT of the first of EW's five sub-swaths, over its fifth of the range
    noise = open_product(path)["noise_azimuth/HH"]
    assert noise.attrs["swath"] == "EW1"
    assert noise.attrs["lastRangeSample"] == grd.SAMPLES // 5 - 1


def test_ew_slc_one_node_per_sub_swath(ew_slc):
    entry, path = ew_slc
    tree = open_product(path)
    assert tree.attrs["instrument_mode"] == "EW"
    assert sorted(tree.children) == ["EW1", "EW2", "EW3", "EW4", "EW5"]
    for swath in ("EW1", "EW3", "EW5"):
        node = tree[swath].to_dataset()
        lines, samples = slc.swath_shape(swath)
        for pol in ("HH", "HV"):
            da = node[pol]
            assert da.dtype == np.complex64 and da.shape == (lines, samples)
            np.testing.assert_array_equal(
                da.values, slc.expected_dn(entry, swath, pol, *np.indices((lines, samples)))
            )
        assert node["burst"].values.max() == slc.MODE_SWATHS["EW"][swath].bursts - 1
        np.testing.assert_array_equal(
            node.azimuth_time.values, slc.azimuth_time(entry, swath, np.arange(lines))
        )
    calibrated = open_product(path, calibration="sigma0")["EW2"].to_dataset()
    sigma0 = calibrated["HV"].values
    valid = np.abs(slc.expected_dn(entry, "EW2", "HV", *np.indices(sigma0.shape))) > 20
    assert np.isfinite(sigma0).all()
    expected = slc.expected_sigma0(entry, "EW2", "HV", *np.indices(sigma0.shape))
    np.testing.assert_allclose(10 * np.log10(sigma0[valid]), expected[valid], atol=0.5)


def test_ew_slc_rejects_another_modes_swath(ew_slc):
    entry, _ = ew_slc
    with pytest.raises(ValueError, match="EW1, EW2, EW3, EW4, EW5"):
        slc.expected_dn(entry, "IW1", "HH", 0, 0)


@pytest.mark.parametrize("kind", ["GRD", "SLC"])
def test_stripmap_opens(records, tmp_path, kind):
    entry = _first(records, "S", kind)
    beam = entry.name[4:6]
    tree = open_product(_zip(entry, tmp_path), calibration="sigma0")
    assert tree.attrs["instrument_mode"] == "SM" and tree.attrs["swaths"] == [beam]
    pols = tree.attrs["polarisations"]
    node = tree if kind == "GRD" else tree[beam]
    assert kind == "GRD" or sorted(tree.children) == [beam]
    ds = node.to_dataset()
    assert set(ds.data_vars) == set(pols)
    for pol in pols:
        values = ds[pol].values
        if kind == "GRD":
            assert np.isfinite(values).all() and (values > 0).all()
        else:  # no bursts: regular azimuth times, only the edge samples invalid
            assert "burst" not in ds.coords
            assert (np.diff(ds.azimuth_time.values) > np.timedelta64(0)).all()
            dn = slc.expected_dn(entry, beam, pol, *np.indices(values.shape))
            valid = np.abs(dn) > 20
            expected = slc.expected_sigma0(entry, beam, pol, *np.indices(values.shape))
            np.testing.assert_allclose(10 * np.log10(values[valid]), expected[valid], atol=0.5)
            # no burst edges: the first and last lines hold data (TOPS bursts' are zero)
            inner = dn[[0, -1], slc.FIRST_VALID_SAMPLE : -slc.INVALID_FAR_SAMPLES]
            assert np.count_nonzero(inner) > 0.95 * inner.size
