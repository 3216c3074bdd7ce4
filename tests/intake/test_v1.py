"""The intake v1 adapters: ``driver: cdse_search`` and ``driver: cdse_product`` in v1 YAML."""

from __future__ import annotations

import pickle

import intake
import numpy as np
import pytest
import xarray as xr

from cdse_intake.intake_plugin.v1 import CDSEProductSource, CDSESearchSource

from .conftest import around


@pytest.fixture
def v1_catalog(cdse_env, materialised, tmp_path):
    clms = materialised("clms_geotiff")
    l2a = materialised("sentinel2_l2a")
    window = around(l2a)
    path = tmp_path / "v1.yaml"
    path.write_text(
        f"""
sources:
  paris_l2a:
    description: Sentinel-2 L2A over Paris
    driver: cdse_search
    args:
      collection: sentinel-2-l2a
      bbox: [2.2, 48.7, 2.5, 49.0]
      start: "{window["start"]}"
      end: "{window["end"]}"
      open_options:
        resolution: 10
  ndvi:
    driver: cdse_product
    args:
      product: {clms.name}
      scale: false
"""
    )
    return intake.open_catalog(str(path))


def test_the_drivers_are_registered():
    assert intake.registry["cdse_search"] is CDSESearchSource
    assert intake.registry["cdse_product"] is CDSEProductSource


def test_a_search_source_lists_products_and_opens_them(v1_catalog, materialised):
    entry = materialised("sentinel2_l2a")
    assert set(v1_catalog) == {"paris_l2a", "ndvi"}
    found = v1_catalog.paris_l2a
    assert isinstance(found, CDSESearchSource)
    assert list(found) == [entry.name]
    source = found[entry.name]
    assert isinstance(source, CDSEProductSource)
    assert source.metadata["id"] == entry.id
    lazy = source.to_dask()
    assert isinstance(lazy, xr.Dataset)  # resolution=10: one Dataset
    assert lazy["B04"].chunks is not None
    loaded = source.read()
    assert loaded["B04"].chunks is None
    np.testing.assert_array_equal(loaded["B04"].values[:5, :5], lazy["B04"].values[:5, :5])
    assert source.discover()["metadata"]["cdse_id"] == entry.id


def test_a_product_source_opens_one_product_by_name_or_id(v1_catalog, materialised):
    entry = materialised("clms_geotiff")
    ds = v1_catalog.ndvi.to_dask()
    assert ds.attrs["cdse_id"] == entry.id
    assert ds.attrs["cdse_family"] == "geotiff"
    name = next(iter(ds.data_vars))
    assert ds[name].dtype == np.uint8  # scale: false reached the reader
    grd = materialised("sentinel1_grd")
    tree = intake.open_cdse_product(product=grd.id).to_dask()  # intake.open_<driver>
    assert isinstance(tree, xr.DataTree)
    assert tree.attrs["cdse_id"] == grd.id


def test_v1_sources_pickle_and_refuse_secrets(v1_catalog, cdse_emulator, materialised):
    entry = materialised("sentinel2_l2a")
    search = pickle.loads(pickle.dumps(v1_catalog.paris_l2a))
    assert list(search) == [entry.name]
    blob = pickle.dumps(search[entry.name])
    assert cdse_emulator.password.encode() not in blob
    assert pickle.loads(blob).to_dask().attrs["cdse_id"] == entry.id
    with pytest.raises(ValueError, match="password"):
        CDSESearchSource("sentinel-2-l2a", password="hunter2")
    with pytest.raises(TypeError, match=r"product= .* or record="):
        CDSEProductSource()
