"""The Sentinel-1 reader on wave-mode SLC products: one DataTree node per imagette (WV1_001,
WV2_002...), complex samples read, calibration, geolocation from the grid, imagette choice."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from cdse_intake.emulator.products import sentinel1_wv as wv
from cdse_intake.readers import open_product
from tests.emulator.test_products_s1_wv import wv_entries

xr = pytest.importorskip("xarray")


@pytest.fixture(scope="module")
def entry():
    return wv_entries(2)[1]


@pytest.fixture(scope="module")
def product(entry, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("wv") / f"{entry.name.removesuffix('.SAFE')}.zip"
    with zipfile.ZipFile(path, "w") as z:
        for rel, data in wv.build(entry).items():
            z.writestr(f"{entry.name}/{rel}", data)
    return str(path)


def test_one_node_per_imagette(entry, product):
    tree = open_product(product)
    assert tree.attrs["instrument_mode"] == "WV"
    assert tree.attrs["swaths"] == ["WV1", "WV2"]
    names = [f"WV{1 + k % 2}_{k + 1:03d}" for k in range(wv.IMAGETTES)]
    assert sorted(tree.children) == sorted(names)
    pol = wv.facts(entry).polarisations[0]
    node = tree["WV2_004"]
    assert node.attrs["swath"] == "WV2" and node.attrs["image_number"] == "004"
    data = node[pol]
    assert data.dims == ("y", "x") and data.dtype == np.complex64
    np.testing.assert_array_equal(data.values, wv.expected_dn(entry, 4))
    assert {"calibration", "noise_range", "gcp", "orbit"} <= set(node.children)


def test_geolocation_and_times(entry, product):
    node = open_product(product)["WV1_003"].to_dataset()
    im = wv.imagettes(entry)[2]
    lon, lat = wv.geolocation(entry, 3, [0, 20, 47], [0, 33, 55])
    np.testing.assert_allclose(node.latitude.values[[0, 20, 47], [0, 33, 55]], lat, atol=1e-6)
    np.testing.assert_allclose(node.longitude.values[[0, 20, 47], [0, 33, 55]], lon, atol=1e-6)
    first = np.datetime64(im.start.replace(tzinfo=None), "ns")
    assert abs(node.azimuth_time.values[0] - first) < np.timedelta64(1, "ms")
    assert node.slant_range_time.values[0] == pytest.approx(wv.SWATHS["WV1"].slant_range_time)


def test_chosen_imagette_calibrated(entry, product):
    tree = open_product(product, imagettes=[1, "002"], calibration="sigma0")
    assert sorted(tree.children) == ["WV1_001", "WV2_002"]
    pol = wv.facts(entry).polarisations[0]
    sigma0 = tree["WV1_001"][pol].values
    expected = wv.expected_sigma0(entry, 1)
    big = np.abs(wv.expected_dn(entry, 1)) > 20
    np.testing.assert_allclose(10 * np.log10(sigma0[big]), expected[big], atol=0.5)


def test_bad_imagettes(product, tmp_path):
    with pytest.raises(ValueError, match="imagettes"):
        open_product(product, imagettes=42)
    with pytest.raises(ValueError, match="not an imagette number"):
        open_product(product, imagettes="first")
