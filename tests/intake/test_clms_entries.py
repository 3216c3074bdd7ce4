"""CLMS datasets as catalogue entries: ``cat.clms_datasets`` lists land.copernicus.eu datasets,
and an entry's ``read()`` requests a cut, waits, downloads once and opens it, against the
emulator's CLMS API."""

from __future__ import annotations

import pickle

import pytest

from cdse_intake.errors import QueryError
from cdse_intake.intake_plugin import CLMSLandDatasetReader, TableCatalog, open_catalog

from .._land import posts
from .conftest import CATALOG

#: NDVI 300 m, version 2 (the entry named after its page), over the Po valley in June 2023.
NDVI_V2 = "normalised_difference_vegetation_index_2020_present_v2_300m"
PO_VALLEY = [10.0, 44.5, 11.5, 45.5]


def test_the_entry_lists_datasets_with_the_catalogue_s_parameters(catalog, land):
    chosen = catalog(area=PO_VALLEY, since="2023-06-01", until="2023-06-30", land_crs=4326)
    found = chosen.clms_datasets(text="NDVI").read()
    assert isinstance(found, TableCatalog)
    assert NDVI_V2 in found and len(found) == found.metadata["datasets"] >= 3
    entry = found[NDVI_V2]
    assert isinstance(entry, CLMSLandDatasetReader)
    assert entry.kwargs | {"data": None} == {
        "data": None,
        "bbox": PO_VALLEY,
        "start": "2023-06-01",
        "end": "2023-06-30",
        "output_format": "Geotiff",
        "crs": "EPSG:4326",
    }
    assert entry.metadata["formats"] == ["Netcdf"] and len(entry.metadata["uid"]) == 32
    assert "version 2" in entry.metadata["title"]
    assert pickle.loads(pickle.dumps(entry)).kwargs == entry.kwargs  # plain values (dask)
    assert "Vegetation Index" in found._repr_html_()
    everything = catalog.clms_datasets.read()
    assert len(everything) > len(found) and "clms_datasets" in open_catalog(str(CATALOG))


def test_reading_an_entry_requests_waits_downloads_once_and_opens(catalog, land, cdse_emulator):
    chosen = catalog(area=PO_VALLEY, since="2023-06-01", until="2023-06-30")
    entry = chosen.clms_datasets(text="NDVI").read()[NDVI_V2]
    ds = entry.read()
    assert ds.sizes["time"] == 3 and {"x", "y"} <= set(ds.sizes)
    assert ds.attrs["DATASET_UID"] == entry.metadata["uid"]
    mean = float(ds.NDVI.mean())
    assert -0.08 <= mean <= 0.92
    assert float(ds.x.min()) >= 10.0 - 0.01 and float(ds.y.max()) <= 45.5 + 0.01
    task = ds.attrs["clms_task_id"]
    fetched = len(cdse_emulator.state.requests(path="/clmsdatadownload/*"))
    again = entry.read(chunks=None)  # the same request: the same task, the kept result
    assert again.attrs["clms_task_id"] == task and entry.job().task_id == task
    assert posts(cdse_emulator) == 1
    assert len(cdse_emulator.state.requests(path="/clmsdatadownload/*")) == fetched == 1


def test_bad_values_fail_before_any_request(catalog, land, cdse_emulator):
    with pytest.raises(QueryError, match="mercator"):
        catalog(land_crs="mercator").clms_datasets  # noqa: B018 - access resolves the parameters
    entries = catalog(area=PO_VALLEY).clms_datasets(text="NDVI").read()
    with pytest.raises(QueryError, match=r"output_format='GPKG'"):
        entries[NDVI_V2].read(output_format="GPKG")
    with pytest.raises(QueryError, match="needs a start"):
        entries[NDVI_V2].read(end="2023-06-30")
    with pytest.raises(ValueError, match="CDSE_CLMS_SERVICE_KEY"):
        entries[NDVI_V2](service_key="/somewhere/key.json")
    with pytest.raises(TypeError, match="'area'"):
        entries[NDVI_V2](area=PO_VALLEY)
    assert posts(cdse_emulator) == 0
