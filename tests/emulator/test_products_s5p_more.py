"""Sentinel-5P products of every type but NO2/CO: the emulator's files against the real layouts."""

from __future__ import annotations

import copy
import io

import numpy as np
import pytest

from cdse_intake.emulator.catalogue import Entry, build_catalogue
from cdse_intake.emulator.products import BUILDERS, sentinel5p_more
from cdse_intake.emulator.products._s5p_pixels import fields, look
from cdse_intake.emulator.products._s5pmore_air import swath_fields, tcl_grid
from cdse_intake.emulator.products._s5pmore_geo import grid
from cdse_intake.emulator.products._s5pmore_l1b import expected_radiance, wavelengths
from cdse_intake.emulator.products._s5pmore_nppc import VCM_CLASSES, expected_nppc
from cdse_intake.emulator.scene import land_fraction

h5py = pytest.importorskip("h5py")

L1B = [f"L1B_RA_BD{n}" for n in range(1, 9)]
SWATH = ["L2__AER_AI", "L2__AER_LH", "L2__CLOUD_", "L2__HCHO__", "L2__SO2___", "L2__CH4___",
         "L2__O3____", "L2__O3__PR"]  # fmt: skip
NPP = ["L2__NP_BD3", "L2__NP_BD6", "L2__NP_BD7"]
TYPES = [*L1B, *SWATH, "L2__O3_TCL", *NPP]
#: The main variable of each L2 swath type, as the real files name it.
MAIN = {
    "L2__AER_AI": "aerosol_index_354_388",
    "L2__AER_LH": "aerosol_mid_height",
    "L2__CLOUD_": "cloud_fraction",
    "L2__HCHO__": "formaldehyde_tropospheric_vertical_column",
    "L2__SO2___": "sulfurdioxide_total_vertical_column",
    "L2__CH4___": "methane_mixing_ratio_bias_corrected",
    "L2__O3____": "ozone_total_vertical_column",
    "L2__O3__PR": "ozone_profile",
}


@pytest.fixture(scope="module")
def by_type() -> dict[str, Entry]:
    """One catalogue entry of each type of the family."""
    found: dict[str, Entry] = {}
    for entry in build_catalogue(materialise=False).entries:
        if entry.family == "sentinel5p_more" and entry.product_type not in found:
            found[entry.product_type] = copy.copy(entry)
    assert set(TYPES) <= set(found), sorted(set(TYPES) - set(found))
    return found


@pytest.fixture(scope="module")
def files(by_type) -> dict[str, bytes]:
    out = {}
    for kind in TYPES:
        entry = by_type[kind]
        built = BUILDERS["sentinel5p_more"](entry)
        assert list(built) == [entry.name]
        out[kind] = built[entry.name]
    return out


def _open(data: bytes):
    return h5py.File(io.BytesIO(data), "r")


def _filled(values: np.ndarray) -> np.ndarray:
    return np.where(values > 1e30, np.nan, values)


def test_the_family_is_registered_single_file():
    builder = BUILDERS["sentinel5p_more"]
    assert builder is sentinel5p_more.FAMILY_BUILDERS["sentinel5p_more"]
    assert builder.single_file


@pytest.mark.parametrize("kind", TYPES)
def test_every_type_is_a_small_netcdf4_with_its_identity(files, by_type, kind):
    data, entry = files[kind], by_type[kind]
    assert data[:8] == b"\x89HDF\r\n\x1a\n"
    assert len(data) < 400_000
    with _open(data) as f:
        assert f.attrs["id"] == entry.name.removesuffix(".nc")
        assert f.attrs["time_coverage_start"] == entry.start.strftime("%Y-%m-%dT%H:%M:%SZ")
        granule = f["METADATA/GRANULE_DESCRIPTION"].attrs
        assert granule["ProductShortName"] == kind
        assert granule["ProcessLevel"] == ("1b" if kind.startswith("L1B") else "2")
        fixed = f["METADATA/ESA_METADATA/earth_explorer_header/fixed_header"].attrs
        assert fixed["File_Type"] == kind
        assert {"ALGORITHM_SETTINGS", "QA_STATISTICS", "ISO_METADATA", "EOP_METADATA"} <= set(
            f["METADATA"]
        )


@pytest.mark.parametrize("kind", SWATH)
def test_l2_swath_layout_and_main_variable(files, kind):
    with _open(files[kind]) as f:
        product = f["PRODUCT"]
        for name in ("scanline", "ground_pixel", "time", "corner", "latitude", "longitude",
                     "delta_time", "time_utc", "qa_value", MAIN[kind]):  # fmt: skip
            assert name in product, name
        assert set(product["SUPPORT_DATA"]) == {"GEOLOCATIONS", "DETAILED_RESULTS", "INPUT_DATA"}
        main = product[MAIN[kind]]
        dims = [d[0].name.rsplit("/", 1)[-1] for d in main.dims]
        expected = ["time", "scanline", "ground_pixel"] + (["level"] if kind.endswith("PR") else [])
        assert dims == expected
        assert main.shape[:3] == (1, 200, 50)
        assert main.attrs["_FillValue"][0] == np.float32(9.96921e36)
    if kind == "L2__CH4___":
        with _open(files[kind]) as f:
            assert {"methane_mixing_ratio", "methane_mixing_ratio_precision"} <= set(f["PRODUCT"])
            assert f["PRODUCT/layer"].shape == (12,) and f["PRODUCT/level"].shape == (13,)


def test_l2_values_follow_the_scene(files, by_type):
    for kind in SWATH:
        entry = by_type[kind]
        with _open(files[kind]) as f:
            stored = _filled(f[f"PRODUCT/{MAIN[kind]}"][0])
            qa = f["PRODUCT/qa_value"][0]
        np.testing.assert_array_equal(stored, swath_fields(entry)[MAIN[kind]])
        assert 0.0 < np.isnan(stored).mean() < 0.3  # no retrieval only where the sun is low
        np.testing.assert_array_equal(qa, fields(look(entry), "no2").qa)
    cloud = swath_fields(by_type["L2__CLOUD_"])["cloud_fraction"]
    assert np.nanmin(cloud) == 0.0 and np.nanmax(cloud) == 1.0
    ch4 = swath_fields(by_type["L2__CH4___"])["methane_mixing_ratio"]
    assert np.nanmin(ch4) > 1800 and np.nanmax(ch4) < 1950
    ozone = swath_fields(by_type["L2__O3____"])["ozone_total_vertical_column"] / 4.4615e-4
    assert np.nanmin(ozone) > 250 and np.nanmax(ozone) < 400  # Dobson units


def test_aerosol_index_is_higher_over_dry_land_than_over_sea(by_type):
    entry = by_type["L2__AER_AI"]
    ai = swath_fields(entry)["aerosol_index_354_388"]
    from cdse_intake.emulator.products.sentinel5p import geolocation

    s, p = np.indices(ai.shape)
    lon, lat = geolocation(entry, s, p)
    land = land_fraction(lon, lat)
    if (land > 0.9).sum() < 20 or (land < 0.1).sum() < 20:
        pytest.skip("the strip has too little land or sea")
    assert np.nanmax(ai[land > 0.9]) > np.nanmax(ai[land < 0.1])


def test_l1b_radiance_band_layout_and_values(files, by_type):
    for kind in L1B:
        band = int(kind[-1])
        entry = by_type[kind]
        with _open(files[kind]) as f:
            mode = f[f"BAND{band}_RADIANCE/STANDARD_MODE"]
            assert set(mode) >= {"OBSERVATIONS", "GEODATA", "INSTRUMENT", "scanline",
                                 "ground_pixel", "spectral_channel", "time", "corner"}  # fmt: skip
            radiance = mode["OBSERVATIONS/radiance"]
            dims = [d[0].name.rsplit("/", 1)[-1] for d in radiance.dims]
            assert dims == ["time", "scanline", "ground_pixel", "spectral_channel"]
            assert radiance.attrs["units"] == "mol.m-2.nm-1.sr-1.s-1"
            values = _filled(radiance[0])
            np.testing.assert_array_equal(values, expected_radiance(entry))
            nominal = mode["INSTRUMENT/nominal_wavelength"][0, 0]
            np.testing.assert_array_equal(nominal, wavelengths(band))
            g = grid(entry, *values.shape[:2])
            np.testing.assert_array_equal(mode["GEODATA/latitude"][0], g.lat)
            np.testing.assert_array_equal(mode["GEODATA/longitude"][0], g.lon)
        assert np.nanmin(values) > 1e-12 and np.nanmax(values) < 1e-5
    # the near infrared sees land much brighter than the sea (where the sky is clear)
    entry = by_type["L1B_RA_BD6"]
    values = expected_radiance(entry)[..., 0]
    g = grid(entry, *values.shape)
    land = land_fraction(g.lon.astype(float), g.lat.astype(float))
    if (land > 0.9).any() and (land < 0.1).any():
        assert np.nanmedian(values[land > 0.9]) > np.nanmedian(values[land < 0.1])


def test_nppc_layout_and_cloud_mask(files, by_type):
    for kind in NPP:
        band = int(kind[-1])
        with _open(files[kind]) as f:
            mode = f[f"BAND{band}_NPPC/STANDARD_MODE"]
            assert set(mode) == {"GEODATA", "OBSERVATIONS", "time", "scanline", "ground_pixel",
                                 "ncorner", "scaled_field_of_view"}  # fmt: skip
            # as in the real sample: dimensions without coordinate variables
            assert mode["scanline"].attrs["NAME"].startswith(b"This is a netCDF dimension")
            settings = f["METADATA/ALGORITHM_SETTINGS"].attrs
            assert settings["S5P_Band_Number"] == str(band)
            assert settings["VIIRS_Bands"] == "7; 9; 11; "
            cloudy = mode["OBSERVATIONS/vcm_confidently_cloudy"][0]
            assert cloudy.shape[-1] == 4
        values = expected_nppc(by_type[kind])
        np.testing.assert_array_equal(_filled(cloudy), values["vcm_confidently_cloudy"])
        total = sum(values[f"vcm_{c}"] for c in VCM_CLASSES)
        np.testing.assert_allclose(total, 1.0, atol=1e-5)


def test_o3_tcl_is_the_tropical_grid(files, by_type):
    with _open(files["L2__O3_TCL"]) as f:
        product = f["PRODUCT"]
        lat, lon = product["latitude_ccd"][:], product["longitude_ccd"][:]
        assert lat.shape == (80,) and lon.shape == (360,)
        assert lat[0] == -19.75 and lat[-1] == 19.75 and lon[0] == -179.5
        assert product["latitude_csa"].shape == (8,) and product["longitude_csa"].shape == (18,)
        column = product["ozone_tropospheric_vertical_column"]
        assert column.shape == (1, 80, 360)
        dobson = column[0] / 4.4615e-4
        assert dobson.min() > 10 and dobson.max() < 50
        assert "time_coverage_troposphere_start" in f.attrs
        orbits = f["METADATA"].attrs["input_orbits"].split()
        assert int(orbits[-1]) == by_type["L2__O3_TCL"].attribute("orbitNumber")
    # the tropical wave-one: more ozone over the Atlantic than over the Pacific
    grid_ = tcl_grid(0)
    atlantic = grid_["column"][:, (grid_["lon"] > -30) & (grid_["lon"] < 10)].mean()
    pacific = grid_["column"][:, (grid_["lon"] > 150) | (grid_["lon"] < -150)].mean()
    assert atlantic > pacific


def test_builds_are_deterministic(by_type):
    for kind in ("L1B_RA_BD3", "L2__HCHO__", "L2__O3_TCL", "L2__NP_BD7"):
        entry = by_type[kind]
        assert sentinel5p_more.build(copy.copy(entry)) == sentinel5p_more.build(entry)


def test_unknown_types_and_names_are_refused(by_type):
    entry = copy.copy(by_type["L2__HCHO__"])
    entry.product_type = "L2__BRO___"
    with pytest.raises(ValueError, match="L2__BRO___"):
        sentinel5p_more.build(entry)
    entry = copy.copy(by_type["L2__HCHO__"])
    entry.name = "not-s5p.nc"
    with pytest.raises(ValueError, match=r"not-s5p\.nc"):
        sentinel5p_more.build(entry)
