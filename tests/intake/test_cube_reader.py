"""Search entries and search catalogues read as one cube (CDSECubeReader): the same cube as
``cdse_intake.load``, no second search, plain values (pickle, YAML), secrets refused."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import xarray as xr
from intake.readers.entry import Catalog

import cdse_intake
from cdse_intake.intake_plugin import CDSECubeReader, CDSEProducts

#: Tile 31UNE's granule south of Paris; January 2023 holds two showcase products with data.
BBOX = [2.3, 48.82, 2.4, 48.88]
WHEN = {"start": "2023-01-01", "end": "2023-01-06"}
CUBE = {"bands": ["B04", "B08"], "resolution": 20}


@pytest.fixture
def entry(catalog):
    return catalog.sentinel2_l2a(bbox=BBOX, **WHEN)


@pytest.fixture
def expected(cdse_env):
    results = cdse_intake.search("sentinel-2-l2a", bbox=BBOX, **WHEN)
    assert len(results) == 2
    return results.load(bbox=BBOX, **CUBE).compute()


def _same(got: xr.Dataset, want: xr.Dataset) -> None:
    got = got.compute()
    assert set(got.data_vars) == set(want.data_vars)
    assert dict(got.sizes) == dict(want.sizes)
    for name in want.data_vars:
        np.testing.assert_array_equal(got[name].values, want[name].values)
    np.testing.assert_array_equal(got.time.values, want.time.values)


def _searches(emu) -> int:
    """Catalogue searches the emulator answered (not the look-ups of one product by name)."""
    return sum(
        "Collection/Name" in r.query or r.path.endswith("/search") for r in emu.state.requests()
    )


def test_a_search_entry_reads_as_the_cube_of_load(entry, expected):
    reader = entry.to_cube(**CUBE)
    assert isinstance(reader, CDSECubeReader)
    assert reader.output_instance == "xarray:Dataset"
    assert reader.kwargs["bbox"] == BBOX and reader.kwargs["load"] == CUBE
    assert reader.metadata["title"] == entry.metadata["title"]
    cube = reader.read()
    assert isinstance(cube, xr.Dataset)
    assert cube.B04.chunks is not None  # lazy: dask arrays
    _same(cube, expected)  # the search's area is the cube's bbox
    _same(reader.to_dask(), expected)


def test_a_search_catalogue_reads_as_a_cube_without_searching_again(entry, expected, cdse_emulator):
    found = entry.read()
    assert len(found) == 2
    reader = found.to_cube(**CUBE)
    assert isinstance(reader.data, CDSEProducts)
    assert reader.data.bbox == pytest.approx(BBOX)
    assert sorted(r["name"] for r in reader.data.records) == sorted(found)
    before = _searches(cdse_emulator)
    assert len(cdse_intake.search("sentinel-2-l2a", bbox=BBOX, cache=False, **WHEN)) == 2
    assert _searches(cdse_emulator) > before  # a search is counted
    before = _searches(cdse_emulator)
    _same(reader.read(), expected)
    assert _searches(cdse_emulator) == before
    one = reader.read(load={"bands": ["B08"]})  # read(load=...) updates the reader's load
    assert list(one.data_vars) == ["B08"]
    assert abs(one.odc.geobox.resolution.x) == 20  # resolution kept from the reader's load


def test_the_reader_is_plain_values_pickle_and_yaml(entry, expected, tmp_path):
    reader = entry.to_cube(**CUBE)
    _same(pickle.loads(pickle.dumps(reader)).read(), expected)
    path = tmp_path / "cube.yaml"
    reader.to_cat("paris_cube").to_yaml_file(str(path))
    again = Catalog.from_yaml_file(str(path))["paris_cube"]
    assert type(again).__name__ == "CDSECubeReader"
    _same(again.read(), expected)


def test_intake_finds_the_reader_for_a_collection_as_a_dataset(entry):
    reader = entry.data.to_reader("xarray:Dataset", load=CUBE, bbox=BBOX, **WHEN)
    assert isinstance(reader, CDSECubeReader)


def test_secrets_unknown_keywords_and_bad_values_are_refused(entry, catalog):
    with pytest.raises(ValueError, match="refusing the keyword 'password'"):
        entry.to_cube(password="hunter2")
    reader = entry.to_cube(**CUBE)
    with pytest.raises(ValueError, match="refusing the keyword 'endpoints'"):
        reader.read(load={"endpoints": {"catalogue": "http://elsewhere"}})
    with pytest.raises(TypeError, match="has no option 'colour'"):
        reader.read(colour="red")
    with pytest.raises(TypeError, match="expected a mapping"):
        reader.read(load=["B04"])
    with pytest.raises(ValueError, match="resolution=-1: expected a positive pixel size"):
        entry.to_cube(resolution=-1).read()
    found = entry.read()
    with pytest.raises(TypeError, match="cloud would search again"):
        found.to_cube(**CUBE).read(cloud=10)
    with pytest.raises(ValueError, match="not a product found by a search"):
        _not_products(catalog)


def _not_products(catalog) -> None:
    from cdse_intake.intake_plugin import TableCatalog

    listing = TableCatalog.from_catalog(catalog)  # entries are searches, not products
    listing.to_cube()
