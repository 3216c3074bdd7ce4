"""The Sentinel-5P reader on every other product type: L1B radiances, L2 swaths, the O3_TCL grid
and the NPP-VIIRS clouds, as the emulator writes them."""

from __future__ import annotations

import copy
from datetime import UTC

import numpy as np
import pytest
import xarray as xr

from cdse_intake.emulator.catalogue import Entry, build_catalogue
from cdse_intake.emulator.products import BUILDERS
from cdse_intake.emulator.products._s5pmore_air import swath_fields
from cdse_intake.emulator.products._s5pmore_geo import grid
from cdse_intake.emulator.products._s5pmore_l1b import expected_radiance
from cdse_intake.emulator.products._s5pmore_nppc import expected_nppc
from cdse_intake.emulator.products.sentinel5p import geolocation
from cdse_intake.errors import UnsupportedProduct
from cdse_intake.readers import open_product, sentinel5p
from cdse_intake.readers.families import detect
from cdse_intake.readers.source import from_local

pytest.importorskip("h5netcdf")

WANTED = ("L1B_RA_BD1", "L1B_RA_BD7", "L2__AER_AI", "L2__CLOUD_", "L2__CH4___", "L2__O3__PR",
          "L2__O3_TCL", "L2__NP_BD3", "L2__NP_BD7")  # fmt: skip
MAIN = {
    "L2__AER_AI": "aerosol_index_354_388",
    "L2__CLOUD_": "cloud_fraction",
    "L2__CH4___": "methane_mixing_ratio",
    "L2__O3__PR": "ozone_profile",
}


@pytest.fixture(scope="module")
def products(tmp_path_factory) -> dict[str, tuple[Entry, str]]:
    """Product type -> (entry, path of its written file)."""
    root = tmp_path_factory.mktemp("s5p_more")
    found: dict[str, tuple[Entry, str]] = {}
    for entry in build_catalogue(materialise=False).entries:
        kind = entry.product_type
        if entry.family == "sentinel5p_more" and kind in WANTED and kind not in found:
            entry = copy.copy(entry)
            path = root / entry.name
            path.write_bytes(BUILDERS[entry.family](entry)[entry.name])
            found[kind] = (entry, str(path))
    assert set(found) == set(WANTED)
    return found


def _naive(value) -> np.datetime64:
    return np.datetime64(value.astimezone(UTC).replace(tzinfo=None), "ns")


@pytest.mark.parametrize("kind", ["L1B_RA_BD1", "L1B_RA_BD7"])
def test_l1b_radiance_opens_with_positions_and_times(products, kind):
    entry, path = products[kind]
    assert detect(from_local(path)).key == "sentinel-5p"
    tree = open_product(path)
    assert isinstance(tree, xr.DataTree)
    band = int(kind[-1])
    obs = tree[f"BAND{band}_RADIANCE/STANDARD_MODE/OBSERVATIONS"].to_dataset()
    radiance = obs.radiance
    assert radiance.dims == ("scanline", "ground_pixel", "spectral_channel")
    assert radiance.chunks is not None  # lazy
    np.testing.assert_array_equal(radiance.values, expected_radiance(entry))
    g = grid(entry, radiance.sizes["scanline"], radiance.sizes["ground_pixel"])
    # positions live in GEODATA; the reader gives them to OBSERVATIONS too
    np.testing.assert_array_equal(obs.latitude.values, g.lat)
    np.testing.assert_array_equal(obs.longitude.values, g.lon)
    assert obs.time.dims == ("scanline",)
    assert abs(obs.time.values[0] - _naive(entry.start)) <= np.timedelta64(1, "ms")
    geo = tree[f"BAND{band}_RADIANCE/STANDARD_MODE/GEODATA"].to_dataset()
    np.testing.assert_array_equal(geo.time.values, obs.time.values)
    wavelength = tree[f"BAND{band}_RADIANCE/STANDARD_MODE/INSTRUMENT"].nominal_wavelength
    assert wavelength.dims == ("ground_pixel", "spectral_channel")
    meta = sentinel5p.read_metadata(from_local(path))
    assert meta.product_type == kind and meta.main_group == f"BAND{band}_RADIANCE"
    assert meta.orbit == entry.attribute("orbitNumber") and meta.processing_mode == "NRTI"


@pytest.mark.parametrize("kind", list(MAIN))
def test_l2_swath_main_variable_and_coordinates(products, kind):
    entry, path = products[kind]
    product = open_product(path)["PRODUCT"].to_dataset()
    values = product[MAIN[kind]]
    assert values.dims[:2] == ("scanline", "ground_pixel")
    np.testing.assert_array_equal(values.values, swath_fields(entry)[MAIN[kind]])
    s, p = np.indices(values.shape[:2])
    lon, lat = geolocation(entry, s, p)
    np.testing.assert_allclose(product.latitude.values, lat, atol=1e-4)
    np.testing.assert_allclose(product.longitude.values, lon, atol=1e-4)
    assert {"latitude", "longitude", "time"} <= set(values.coords)
    masked = sentinel5p.open(from_local(path), min_qa=0.75)["PRODUCT"][MAIN[kind]].values
    low = product.qa_value.values < 0.75
    assert np.isnan(masked[low]).all()


def test_o3_tcl_grid_opens_on_latitude_and_longitude(products):
    entry, path = products["L2__O3_TCL"]
    tree = open_product(path)
    product = tree["PRODUCT"].to_dataset()
    column = product.ozone_tropospheric_vertical_column
    assert column.dims == ("latitude_ccd", "longitude_ccd")
    assert float(column.latitude_ccd[0]) == -19.75 and float(column.longitude_ccd[-1]) == 179.5
    assert column.attrs["units"] == "mol m-2"
    assert float(column.min()) > 0.004 and float(column.max()) < 0.025
    assert product.time_reference.values == _naive(
        entry.start.replace(hour=0, minute=0, second=0, microsecond=0)
    )
    mixing = product.ozone_upper_tropospheric_mixing_ratio
    assert mixing.dims == ("latitude_csa", "longitude_csa")
    masked = sentinel5p.open(from_local(path), min_qa=0.8)["PRODUCT"]
    low = product.qa_value.values < 0.8
    assert low.any() and np.isnan(masked.ozone_tropospheric_vertical_column.values[low]).all()
    assert not np.isnan(masked.ozone_tropospheric_vertical_column.values[~low]).any()


@pytest.mark.parametrize("kind", ["L2__NP_BD3", "L2__NP_BD7"])
def test_nppc_clouds_open_with_positions(products, kind):
    entry, path = products[kind]
    band = int(kind[-1])
    tree = open_product(path)
    obs = tree[f"BAND{band}_NPPC/STANDARD_MODE/OBSERVATIONS"].to_dataset()
    cloudy = obs.vcm_confidently_cloudy
    assert cloudy.dims == ("scanline", "ground_pixel", "scaled_field_of_view")
    np.testing.assert_array_equal(cloudy.values, expected_nppc(entry)["vcm_confidently_cloudy"])
    g = grid(entry, cloudy.sizes["scanline"], cloudy.sizes["ground_pixel"])
    np.testing.assert_array_equal(obs.latitude.values, g.lat)
    np.testing.assert_array_equal(obs.longitude.values, g.lon)
    assert np.issubdtype(obs.time.dtype, np.datetime64)
    meta = sentinel5p.read_metadata(from_local(path))
    assert meta.main_group == f"BAND{band}_NPPC" and meta.product_type == kind
    with pytest.raises(UnsupportedProduct, match="qa_value"):
        sentinel5p.open(from_local(path), min_qa=0.5)
