"""The CCM reader on the emulator's CCM products: DEM tiles, DIMAP optical and SAR scenes open
lazily as one Dataset with x/y, the CRS (or GCPs) in spatial_ref and the files' values."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from cdse_intake.errors import UnsupportedProduct
from cdse_intake.readers import open_product
from cdse_intake.readers.families import detect
from cdse_intake.readers.source import from_local
from tests.emulator.test_products_ccm import entry_of

xr = pytest.importorskip("xarray")
pytest.importorskip("rioxarray")

from cdse_intake.emulator.products import _ccm_optical as optical  # noqa: E402
from cdse_intake.emulator.products import _ccm_sar as sar  # noqa: E402
from cdse_intake.emulator.products import ccm  # noqa: E402


def write_zip(tmp_path, entry) -> str:
    path = tmp_path / f"{entry.name}.zip"
    with zipfile.ZipFile(path, "w") as z:
        for rel, data in ccm.build(entry).items():
            z.writestr(f"{entry.name}/{rel}", data)
    return str(path)


def write_folder(tmp_path, entry) -> str:
    root = tmp_path / entry.name
    for rel, data in ccm.build(entry).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return str(root)


def test_family_by_name_and_by_content(tmp_path):
    entry = entry_of("SAR_DGE_30")
    assert detect(from_local(write_zip(tmp_path, entry))).key == "ccm"
    renamed = tmp_path / "renamed.zip"
    (tmp_path / f"{entry.name}.zip").rename(renamed)
    assert detect(from_local(renamed)).key == "ccm"  # the DEM/ marker


@pytest.mark.parametrize("product_type", ["SAR_DGE_30", "SAR_DTE_30", "SAR_INS_10"])
def test_dem_tile(tmp_path, product_type):
    ds = open_product(write_zip(tmp_path, entry_of(product_type)))
    assert isinstance(ds, xr.Dataset)
    assert list(ds.data_vars) == ["DEM", "EDM", "FLM", "HEM", "WBM"]
    assert ds.DEM.dims == ("y", "x") and ds.DEM.chunks is not None  # lazy
    assert ds.rio.crs.to_epsg() == (4258 if product_type == "SAR_INS_10" else 4326)
    # pixel centres on the tile's edges (point grid)
    assert float(ds.x[0]) == pytest.approx(4.0) and float(ds.x[-1]) == pytest.approx(5.0)
    assert float(ds.y[0]) == pytest.approx(53.0) and float(ds.y[-1]) == pytest.approx(52.0)
    dem, wbm = ds.DEM.values, ds.WBM.values
    assert np.all(dem[wbm == 1] == 0) and np.all(dem[wbm == 0] > 0)
    assert ds.attrs["product_type"] == product_type
    assert str(ds.time.values).startswith("20")


def test_optical_bands(tmp_path):
    entry = entry_of("PHR_MS___3")
    folder = write_folder(tmp_path, entry)
    ds = open_product(folder, scale=False)
    assert list(ds.data_vars) == ["B0", "B1", "B2", "B3"]
    assert ds.rio.crs.to_epsg() == 32631
    assert ds.x.attrs["standard_name"] == "projection_x_coordinate"
    expected = optical.expected_dn(entry)
    np.testing.assert_array_equal(ds.B3.values, expected[3])
    assert ds.B0.attrs["scale_factor"] == pytest.approx(optical.DN_SCALE)
    scaled = open_product(folder)  # the default: reflectance, as every reader's scale=True
    np.testing.assert_allclose(scaled.B3.values, expected[3] * optical.DN_SCALE, rtol=1e-6)


@pytest.mark.parametrize("product_type", ["SAR_WS_EEC", "SAR_SN_SCN", "SAR_SC__GR", "SAR_HIM_1B"])
def test_sar_scene(tmp_path, product_type):
    entry = entry_of(product_type)
    ds = open_product(write_zip(tmp_path, entry))
    pol = sar.LAYOUTS[product_type].polarisation
    assert list(ds.data_vars) == [pol]
    dn = ds[pol].values.astype(float)
    sigma = 10 * np.log10(sar.CAL_FACTOR * dn**2 * np.sin(np.radians(sar.INCIDENCE)))
    np.testing.assert_allclose(sigma, sar.expected_sigma0(entry), atol=0.2)
    if sar.LAYOUTS[product_type].geocoded:
        assert ds.rio.crs.to_epsg() == 32631
    else:  # radar geometry: pixel indices and the GCPs
        assert int(ds.x[-1]) == ds.sizes["x"] - 1
        assert "gcps" in ds.spatial_ref.attrs


def test_chunks_and_errors(tmp_path):
    path = write_zip(tmp_path, entry_of("SAR_DGE_90"))
    ds = open_product(path, chunks={"y": 16})
    assert ds.DEM.chunks[0][0] == 16
    assert open_product(path, chunks=None).DEM.chunks is None
    with pytest.raises(ValueError, match="band"):
        open_product(path, chunks={"band": 1, "z": 2})
    empty = tmp_path / "TX01_SAR_SC_GEC_20210601T000000_20210601T000026_NSG_1_abcd"
    (empty / "ANNOTATION").mkdir(parents=True)
    (empty / "ANNOTATION" / "GEOREF.xml").write_text("<georef/>")
    with pytest.raises(UnsupportedProduct, match="no CCM raster"):
        open_product(str(empty))
