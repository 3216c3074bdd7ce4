"""The Sentinel-3 reader on the emulator's products of every other type (OLCI ERR and Level 2,
SLSTR RBT/FRP/WST/AOD, SYNERGY AOD and VEGETATION, SRAL Level 1 and 2), zipped as CDSE delivers
them: found by name, opened lazily, values read; swaths with latitude/longitude coordinates,
VEGETATION grids indexed by lat/lon, altimetry as along-track series with time/lat/lon."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cdse_intake.emulator.catalogue import Entry, build_catalogue
from cdse_intake.emulator.products import sentinel3_more
from cdse_intake.readers import open_product
from cdse_intake.readers.families import detect
from cdse_intake.readers.source import from_local

xr = pytest.importorskip("xarray")
h5py = pytest.importorskip("h5py")


@pytest.fixture(scope="module")
def products(tmp_path_factory) -> dict[str, tuple[Entry, dict[str, bytes], Path]]:
    """The first product of each type, written as CDSE's zip (``<Name>/`` top folder)."""
    root = tmp_path_factory.mktemp("s3more")
    out: dict[str, tuple[Entry, dict[str, bytes], Path]] = {}
    for entry in build_catalogue(materialise=False).entries:
        if entry.family != "sentinel3_more" or entry.product_type in out:
            continue
        files = sentinel3_more.build(entry)
        path = root / f"{entry.name.removesuffix('.SEN3')}.zip"
        with zipfile.ZipFile(path, "w") as zf:
            for rel, data in files.items():
                zf.writestr(f"{entry.name}/{rel}", data)
        out[entry.product_type] = (entry, files, path)
    assert set(out) == set(sentinel3_more.PRODUCT_TYPES)
    return out


def _stored(files: dict[str, bytes], name: str, variable: str) -> np.ndarray:
    """A variable as the file stores it, decoded by xarray on its own."""
    with xr.open_dataset(io.BytesIO(files[name]), engine="h5netcdf") as ds:
        return ds[variable].values


def _naive(when) -> np.datetime64:
    return np.datetime64(when.replace(tzinfo=None), "us")


@pytest.mark.parametrize("product_type", sentinel3_more.PRODUCT_TYPES)
def test_every_type_is_found_by_name_and_opens_with_values(products, product_type):
    entry, _, path = products[product_type]
    source = from_local(path)
    assert detect(source).key == "sentinel-3"
    tree = open_product(path)
    assert tree.attrs["product_type"] == product_type
    assert tree.attrs["product_name"] == entry.name
    read, located = 0, 0
    for node in tree.subtree:
        ds = node.to_dataset()
        for var in ds.data_vars.values():
            if var.dtype.kind == "f" and var.size:
                read += int(np.isfinite(var.values).sum())
        located += any(str(c).startswith("lat") for c in ds.coords) and bool(ds.data_vars)
    assert read > 0 and located > 0
    tree.close()


def test_olci_level2_measurements_have_coordinates_and_the_files_values(products):
    entry, files, path = products["OL_2_WFR___"]
    ds = open_product(path, grid="measurements")
    assert {"latitude", "longitude", "time"} <= set(ds.coords)
    assert ds.latitude.dims == ("rows", "columns")
    np.testing.assert_array_equal(
        ds.Oa08_reflectance.values, _stored(files, "Oa08_reflectance.nc", "Oa08_reflectance")
    )
    assert ds.Oa08_reflectance.attrs["central_wavelength_nm"] == 665
    assert ds.time.values[0] >= _naive(entry.start)
    assert ds.WQSF.dtype == np.uint64  # flags stay integers
    lfr = open_product(products["OL_2_LFR___"][2], variables=["GIFAPAR", "IWV"])
    assert set(lfr["measurements"].data_vars) == {"GIFAPAR", "IWV"}


def test_slstr_grids_and_single_file_products(products):
    rbt = open_product(products["SL_1_RBT___"][2])
    assert {"an", "ao", "bn", "bo", "in", "io", "fn", "fo", "tx"} <= set(rbt.children)
    an = rbt["an"].to_dataset()
    assert {"latitude_an", "longitude_an", "time"} <= set(an.coords)
    assert an.S1_radiance_an.dims == ("rows", "columns")
    assert float(rbt["in"].to_dataset().S8_BT_in.min()) > 200
    wst = open_product(products["SL_2_WST___"][2], grid="L2P")
    assert {"lat", "lon", "time"} <= set(wst.coords)
    assert np.isfinite(wst.sea_surface_temperature.values).any()
    frp = open_product(products["SL_2_FRP___"][2], grid="in")
    assert frp.sizes["fires"] >= 1 and (frp.FRP_MWIR.values > 0).all()


def test_vegetation_grids_are_indexed_by_lat_and_lon(products):
    _, files, path = products["SY_2_V10___"]
    tree = open_product(path)
    assert set(tree.children) == {"measurements", "ancillary"}
    ds = tree["measurements"].to_dataset()
    assert ds.NDVI.dims == ("lat", "lon")
    assert set(ds.indexes) >= {"lat", "lon"}
    np.testing.assert_array_equal(ds.NDVI.values, _stored(files, "NDVI.nc", "NDVI"))
    centre = ds.sel(lat=float(ds.lat.mean()), lon=float(ds.lon.mean()), method="nearest")
    assert centre.B0.dims == ()
    vgp = open_product(products["SY_2_VGP___"][2])
    # the VGP angles lie on a coarser grid: their own group
    assert vgp["ancillary"].sizes["lon"] < vgp["measurements"].sizes["lon"]


def test_altimetry_is_read_as_along_track_series(products):
    entry, files, path = products["SR_2_WAT___"]
    tree = open_product(path)
    assert "standard_measurement/01" in [n.lstrip("/") for n in tree.groups]
    one_hz = tree["standard_measurement/01"].to_dataset()
    assert one_hz.ssha_01_ku.dims == ("time",)
    assert {"time", "lat", "lon"} <= set(one_hz.coords)
    times = one_hz.time.values
    assert _naive(entry.start) <= times[0] and times[-1] <= _naive(entry.end)
    np.testing.assert_array_equal(
        one_hz.lat.values, _stored(files, "standard_measurement.nc", "lat_01")
    )
    ku = open_product(path, grid="enhanced_measurement/20_ku")
    assert ku.waveform_20_ku.dims == ("time", "echo_sample_ind")
    assert ku.sizes["time"] == 20 * one_hz.sizes["time"]
    l1b = open_product(products["SR_1_SRA___"][2], grid="measurement_l1b/l1b_echo_sar_ku")
    assert {"time", "lat", "lon"} <= set(l1b.coords)
    assert float(l1b.i2q2_meas_ku_l1b_echo_sar_ku.max()) > 0


def test_a_wrong_altimetry_series_is_named_with_the_right_ones(products):
    path = products["SR_2_LAN___"][2]
    with pytest.raises(ValueError, match=r"standard_measurement/20_ku"):
        open_product(path, grid="standard_measurement")
    with pytest.raises(ValueError, match="grid='nothing'"):
        open_product(path, grid="nothing")
