"""The emulator's Sentinel-3 products of every other type (family ``sentinel3_more``): the real
file sets and variable names, a manifest that lists every file with its size and MD5, positions
inside the catalogue footprint, values that follow the synthetic Earth (water products over
water, land products over land, altimetry heights that add up), deterministic and small."""

from __future__ import annotations

import hashlib
import io
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from cdse_intake.emulator import scene
from cdse_intake.emulator.catalogue import Entry, build_catalogue
from cdse_intake.emulator.products import BUILDERS, sentinel3_more
from cdse_intake.emulator.stac.layouts import virtual_files

h5py = pytest.importorskip("h5py")
xr = pytest.importorskip("xarray")
shapely = pytest.importorskip("shapely.geometry")
ET = pytest.importorskip("defusedxml.ElementTree")

OLCI_WATER = ("Oa01", "Oa02", "Oa03", "Oa04", "Oa05", "Oa06", "Oa07", "Oa08", "Oa09", "Oa10",
              "Oa11", "Oa12", "Oa16", "Oa17", "Oa18", "Oa21")  # fmt: skip
OLCI_COMMON = {"geo_coordinates.nc", "instrument_data.nc", "time_coordinates.nc",
               "tie_geo_coordinates.nc", "tie_geometries.nc", "tie_meteo.nc"}  # fmt: skip
WATER = OLCI_COMMON | {f"{b}_reflectance.nc" for b in OLCI_WATER} | {
    f"{s}.nc" for s in ("chl_nn", "chl_oc4me", "iop_nn", "iwv", "par", "trsp", "tsm_nn",
                        "w_aer", "wqsf")}  # fmt: skip
LAND = OLCI_COMMON | {"gifapar.nc", "iwv.nc", "lqsf.nc", "otci.nc", "rc_gifapar.nc"}
VGT = {"B0.nc", "B2.nc", "B3.nc", "MIR.nc", "ag.nc", "og.nc", "saa.nc", "sm.nc", "sza.nc",
       "vaa.nc", "vza.nc", "wvg.nc"}  # fmt: skip
SRAL_L2 = {"standard_measurement.nc", "enhanced_measurement.nc", "reduced_measurement.nc"}


def _rbt() -> set[str]:
    files = {"viscal.nc", "met_tx.nc", "geometry_tn.nc", "geometry_to.nc", "geodetic_tx.nc",
             "cartesian_tx.nc", "time_an.nc", "time_bn.nc", "time_in.nc"}  # fmt: skip
    grids = ("an", "ao", "bn", "bo", "in", "io", "fn", "fo")
    files |= {f"{kind}_{g}.nc" for kind in ("geodetic", "cartesian", "indices", "flags")
              for g in grids}  # fmt: skip
    bands = {"S1": "an ao", "S2": "an ao", "S3": "an ao", "S4": "an ao bn bo",
             "S5": "an ao bn bo", "S6": "an ao bn bo"}  # fmt: skip
    for band, codes in bands.items():
        files |= {
            f"{band}_{part}_{c}.nc" for c in codes.split() for part in ("radiance", "quality")
        }
    thermal = {"S7": "in io", "S8": "in io", "S9": "in io", "F1": "fn fo", "F2": "in io"}
    for band, codes in thermal.items():
        files |= {f"{band}_{part}_{c}.nc" for c in codes.split() for part in ("BT", "quality")}
    return files


def expected_files(entry: Entry) -> set[str]:
    """The measurement files of ``entry``'s product type, as the real products hold them."""
    kind = entry.product_type
    if kind == "OL_1_ERR___":
        radiances = {f"Oa{i:02d}_radiance.nc" for i in range(1, 22)}
        return OLCI_COMMON | radiances | {"qualityFlags.nc", "removed_pixels.nc"}
    if kind.startswith("OL_2_W"):
        return WATER
    if kind.startswith("OL_2_L"):
        return LAND
    if kind == "SL_1_RBT___":
        return _rbt()
    if kind == "SL_2_FRP___":
        grids = {
            f"{k}_{g}.nc"
            for k in ("geodetic", "cartesian", "indices", "flags")
            for g in ["in", "fn"]
        }
        tie = {"met_tx.nc", "geometry_tn.nc", "geodetic_tx.nc", "cartesian_tx.nc"}
        return {"FRP_in.nc", "time_in.nc"} | tie | grids
    if kind == "SL_2_WST___":
        start, created = entry.name.split("_")[7], entry.name.split("_")[9]
        return {f"{start.replace('T', '')}-MAR-L2P_GHRSST-SSTskin-SLSTR{entry.name[2]}-"
                f"{created.replace('T', '')}-v02.0-fv01.0.nc"}  # fmt: skip
    if kind.endswith("AOD___"):
        return {"NRT_AOD.nc" if "_O_NR_" in entry.name else "NTC_AOD.nc"}
    if kind in ("SY_2_V10___", "SY_2_VG1___"):
        return VGT | {"NDVI.nc", "tg.nc"}
    if kind == "SY_2_VGP___":
        return VGT
    if kind == "SR_1_SRA___":
        return {"measurement_l1b.nc"}
    if kind == "SR_1_SRA_A_":
        return {"measurement_l1a.nc"}
    return SRAL_L2


@pytest.fixture(scope="module")
def entries() -> dict[str, list[Entry]]:
    found: dict[str, list[Entry]] = defaultdict(list)
    for entry in build_catalogue(materialise=False).entries:
        if entry.family == "sentinel3_more":
            found[entry.product_type].append(entry)
    return found


@pytest.fixture(scope="module")
def built(entries) -> dict[str, tuple[Entry, dict[str, bytes]]]:
    """The first product of each type, built."""
    return {t: (entries[t][0], sentinel3_more.build(entries[t][0])) for t in entries}


def nc(files: dict[str, bytes], name: str) -> Any:
    return xr.open_dataset(io.BytesIO(files[name]), engine="h5netcdf")


def raw(files: dict[str, bytes], name: str) -> Any:
    """The file opened without decoding (flags and packed values as stored)."""
    return xr.open_dataset(io.BytesIO(files[name]), engine="h5netcdf", mask_and_scale=False)


# -- registration and file sets ---------------------------------------------------------------


def test_the_family_writes_every_type_the_records_make(entries):
    assert set(entries) == set(sentinel3_more.PRODUCT_TYPES)
    assert BUILDERS["sentinel3_more"].build is sentinel3_more.build
    assert not BUILDERS["sentinel3_more"].single_file


def test_another_type_is_refused_by_name(entries):
    entry = entries["SR_2_WAT___"][0]
    other = SimpleNamespace(name=entry.name, product_type="SL_2_LST___")
    with pytest.raises(ValueError, match="SL_2_LST___"):
        sentinel3_more.build(other)  # type: ignore[arg-type]


@pytest.mark.parametrize("product_type", sentinel3_more.PRODUCT_TYPES)
def test_files_are_the_real_ones_and_the_stac_listing_is_among_them(built, product_type):
    entry, files = built[product_type]
    assert set(files) == expected_files(entry) | {"xfdumanifest.xml"}
    listed = {rel for rel, _ in virtual_files(entry, "s3")}
    assert listed <= set(files)
    if not product_type.endswith(("WST___", "AOD___")):  # their file is named per product
        assert listed == set(files)  # a never-built product's STAC item lists the same files
    assert sum(map(len, files.values())) < 2_000_000


@pytest.mark.parametrize("product_type", sentinel3_more.PRODUCT_TYPES)
def test_manifest_lists_every_file_with_size_and_md5(built, product_type):
    entry, files = built[product_type]
    root = ET.fromstring(files["xfdumanifest.xml"])
    hrefs = set()
    for obj in root.iter("dataObject"):
        stream = obj.find("byteStream")
        href = stream.find("fileLocation").get("href").removeprefix("./")
        hrefs.add(href)
        assert int(stream.get("size")) == len(files[href])
        assert stream.findtext("checksum") == hashlib.md5(files[href]).hexdigest()
    assert hrefs == set(files) - {"xfdumanifest.xml"}
    ns = {"sentinel3": "http://www.esa.int/safe/sentinel/sentinel-3/1.0"}
    assert root.findtext(".//sentinel3:productType", namespaces=ns) == product_type
    assert root.findtext(".//sentinel3:productName", namespaces=ns) == entry.name
    units = [u.get("unitType") for u in root.iter("{urn:ccsds:schema:xfdu:1}contentUnit")]
    assert "Measurement Data Unit" in units


@pytest.mark.parametrize("product_type", sentinel3_more.PRODUCT_TYPES)
def test_every_file_carries_the_products_global_attributes(built, product_type):
    entry, files = built[product_type]
    for name, data in files.items():
        if name.endswith(".nc"):
            with h5py.File(io.BytesIO(data)) as f:
                assert f.attrs["product_name"].decode() == entry.name, name
                assert int(f.attrs["absolute_orbit_number"][0]) == entry.attribute("orbitNumber")


def test_a_product_is_built_the_same_twice(entries):
    for product_type in ("OL_2_WFR___", "SL_1_RBT___", "SY_2_V10___", "SR_2_LAN___"):
        entry = entries[product_type][1]
        assert sentinel3_more.build(entry) == sentinel3_more.build(entry)


# -- real variables, positions ----------------------------------------------------------------


def _inside(entry: Entry, lon: np.ndarray, lat: np.ndarray) -> bool:
    shape = shapely.shape(entry.footprint).buffer(0.05)
    points = shapely.MultiPoint(np.column_stack([np.ravel(lon), np.ravel(lat)]))
    return shape.contains(points)


@pytest.mark.parametrize("product_type", ["OL_1_ERR___", "OL_2_WFR___", "OL_2_LRR___"])
def test_olci_variables_are_on_the_image_grid_inside_the_footprint(built, product_type):
    entry, files = built[product_type]
    geo = nc(files, "geo_coordinates.nc")
    assert geo.latitude.dims == ("rows", "columns")
    assert _inside(entry, geo.longitude.values, geo.latitude.values)
    stamps = nc(files, "time_coordinates.nc").time_stamp.values
    assert stamps[0] >= np.datetime64(entry.start.replace(tzinfo=None))
    names = {
        "OL_1_ERR___": ("Oa01_radiance.nc", "Oa01_radiance"),
        "OL_2_WFR___": ("Oa01_reflectance.nc", "Oa01_reflectance"),
        "OL_2_LRR___": ("gifapar.nc", "GIFAPAR"),
    }
    path, variable = names[product_type]
    assert nc(files, path)[variable].dims == ("rows", "columns")


def test_slstr_variables_carry_their_grid_suffix(built):
    _, files = built["SL_1_RBT___"]
    an = nc(files, "S1_radiance_an.nc")
    assert set(an.data_vars) == {"S1_radiance_an", "S1_exception_an"}
    assert an.S1_radiance_an.shape == (40, 48)
    assert nc(files, "S8_BT_in.nc").S8_BT_in.shape == (20, 24)
    assert "time_stamp_a" in nc(files, "time_an.nc")
    assert {"latitude_io", "longitude_io", "elevation_io"} <= set(nc(files, "geodetic_io.nc"))


def test_sral_files_have_the_real_dimensions(built):
    entry, files = built["SR_2_WAT___"]
    enhanced = raw(files, "enhanced_measurement.nc")
    assert set(enhanced.sizes) == {"time_01", "time_20_ku", "time_20_c", "echo_sample_ind"}
    assert enhanced.sizes["echo_sample_ind"] == 128
    assert set(raw(files, "reduced_measurement.nc").sizes) == {"time_01"}
    std = nc(files, "standard_measurement.nc")
    for rate in ("01", "20_ku", "20_c"):
        assert std[f"lat_{rate}"].dims == (f"time_{rate}",)
        assert _inside(entry, std[f"lon_{rate}"].values, std[f"lat_{rate}"].values)
        times = std[f"time_{rate}"].values
        assert (np.diff(times) > np.timedelta64(0)).all()
        assert times[0] >= np.datetime64(entry.start.replace(tzinfo=None))
        assert times[-1] <= np.datetime64(entry.end.replace(tzinfo=None))
    l1b = nc(built["SR_1_SRA___"][1], "measurement_l1b.nc")
    assert l1b.i2q2_meas_ku_l1b_echo_sar_ku.dims == ("time_l1b_echo_sar_ku", "echo_sample_ind")


def test_vegetation_products_are_regular_grids_over_the_footprint(built):
    entry, files = built["SY_2_V10___"]
    ndvi = nc(files, "NDVI.nc")
    assert ndvi.NDVI.dims == ("latitude", "longitude")
    lat, lon = ndvi.lat.values, ndvi.lon.values
    assert (np.diff(lat) < 0).all() and np.allclose(np.diff(lon), lon[1] - lon[0])
    grid_lon, grid_lat = np.meshgrid(lon, lat)
    assert _inside(entry, grid_lon, grid_lat)
    vgp = built["SY_2_VGP___"][1]
    assert nc(vgp, "sza.nc").sizes["longitude"] < nc(vgp, "B0.nc").sizes["longitude"]


# -- values follow the synthetic Earth --------------------------------------------------------


def _mixed(entries: list[Entry], files_of: Any, land_of: Any) -> tuple[Entry, dict[str, bytes]]:
    """The first product whose pixels see both land and sea."""
    for entry in entries:
        files = files_of(entry)
        land = land_of(files)
        if 0.1 < land.mean() < 0.9:
            return entry, files
    raise AssertionError("no product over a coast")


def test_water_products_see_water_and_land_products_land(entries):
    def land(files: dict[str, bytes]) -> np.ndarray:
        geo = nc(files, "geo_coordinates.nc")
        return scene.is_land(geo.longitude.values, geo.latitude.values)

    _, wfr = _mixed(entries["OL_2_WFR___"], sentinel3_more.build, land)
    is_land = land(wfr)
    rho = nc(wfr, "Oa06_reflectance.nc").Oa06_reflectance.values
    assert np.isnan(rho[is_land]).all() and np.isfinite(rho[~is_land]).any()
    assert np.nanmax(rho) < 0.2
    wqsf = raw(wfr, "wqsf.nc").WQSF
    land_bit = np.uint64(1) << np.uint64(wqsf.flag_meanings.split().index("LAND"))
    assert ((wqsf.values & land_bit) != 0).tolist() == is_land.tolist()

    _, lfr = _mixed(entries["OL_2_LFR___"], sentinel3_more.build, land)
    fapar = nc(lfr, "gifapar.nc").GIFAPAR.values
    assert np.isnan(fapar[~land(lfr)]).all() and np.isfinite(fapar[land(lfr)]).any()
    assert np.nanmin(fapar) >= 0 and np.nanmax(fapar) <= 1


def test_sea_surface_temperature_is_over_the_sea(built):
    _, files = built["SL_2_WST___"]
    (name,) = [n for n in files if n.endswith(".nc")]
    l2p = nc(files, name)
    sst = l2p.sea_surface_temperature.values[0]
    over_land = scene.is_land(l2p.lon.values, l2p.lat.values)
    assert np.isnan(sst[over_land]).all()
    assert np.nanmin(sst) > 265 and np.nanmax(sst) < 310


def test_brightness_temperatures_and_radiances_are_physical(built):
    _, files = built["SL_1_RBT___"]
    bt = nc(files, "S8_BT_in.nc").S8_BT_in.values
    assert bt.min() > 200 and bt.max() < 335
    radiance = nc(files, "S2_radiance_an.nc").S2_radiance_an.values
    assert (radiance >= 0).all() and radiance.max() < 700


def test_fires_are_on_land(built):
    _, files = built["SL_2_FRP___"]
    frp = nc(files, "FRP_in.nc")
    assert frp.sizes["fires"] >= 1
    assert scene.is_land(frp.longitude.values, frp.latitude.values).all()
    assert (frp.FRP_MWIR.values > 0).all()


def test_altimetry_heights_add_up_and_follow_land_and_sea(entries):
    def land(files: dict[str, bytes]) -> np.ndarray:
        std = nc(files, "standard_measurement.nc")
        return scene.is_land(std.lon_01.values, std.lat_01.values)

    _, files = _mixed(entries["SR_2_LAN___"], sentinel3_more.build, land)
    std = nc(files, "standard_measurement.nc")
    is_land = land(files)
    assert (std.surf_type_01.values[is_land] == 3).all()
    assert (std.surf_type_01.values[~is_land] == 0).all()
    assert np.isnan(std.ssha_01_ku.values[is_land]).all()
    assert np.nanmax(np.abs(std.ssha_01_ku.values)) < 1.0
    # range = altitude - surface elevation over land (to the packing's 0.1 mm)
    total = std.elevation_ocog_01_ku + std.range_ocog_01_ku - std.alt_01
    assert float(np.nanmax(np.abs(total.values))) < 1e-3
    assert float(std.alt_20_ku.min()) > 780e3 and float(std.alt_20_ku.max()) < 840e3


def test_ndvi_is_over_land_and_the_status_map_says_so(built):
    _, files = built["SY_2_V10___"]
    ndvi = nc(files, "NDVI.nc")
    lon, lat = np.meshgrid(ndvi.lon.values, ndvi.lat.values)
    is_land = scene.is_land(lon, lat)
    values = ndvi.NDVI.values
    assert np.isnan(values[~is_land]).all()
    assert np.nanmin(values) >= -0.08 and np.nanmax(values) <= 0.94
    status = raw(files, "sm.nc").SM.values
    assert ((status & 8) != 0).tolist() == is_land.tolist()
