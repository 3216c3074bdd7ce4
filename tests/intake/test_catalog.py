"""The top-level catalogue file: entries, user parameters, keyword checks, the live collections
entry and the notebook display, against the emulator."""

from __future__ import annotations

import re

import pytest
import yaml
from intake.readers.entry import Catalog

from cdse_intake.errors import QueryError
from cdse_intake.intake_plugin import CDSESearchReader, TableCatalog, open_catalog
from cdse_intake.intake_plugin.readers import REFUSED

from .conftest import CATALOG, around

ENTRIES = {
    "sentinel1_grd",
    "sentinel2_l1c",
    "sentinel2_l2a",
    "sentinel3_olci",
    "sentinel5p_l2",
    "clms",
    "collections",
    "clms_datasets",
}
PARIS = [2.2, 48.7, 2.5, 49.0]


def test_every_entry_is_listed_and_is_a_cdse_reader(catalog):
    assert set(catalog) == ENTRIES  # listed through aliases, which intake 2 iterates
    assert set(catalog.entries) == ENTRIES
    for name in ENTRIES - {"collections", "clms_datasets"}:  # not searches of CDSE
        reader = catalog[name]
        assert isinstance(reader, CDSESearchReader)
        assert reader.metadata["title"]
        assert reader.output_instance.endswith(":TableCatalog")


def test_default_parameters_fill_the_search_keywords(catalog):
    assert catalog.sentinel2_l2a.kwargs | {"data": None} == {
        "data": None,
        "bbox": None,
        "start": None,
        "end": None,
        "cloud": None,
        "product_type": None,
        "limit": 50,
        "sort": "-start",
    }
    assert "cloud" not in catalog.sentinel1_grd.kwargs  # SAR: no cloud cover
    olci = catalog.sentinel3_olci.data
    assert (olci.collection, olci.product_type) == ("SENTINEL-3", "OL_1_EFR___")


def test_parameter_overrides_reach_every_entry(catalog):
    chosen = catalog(area="2.2, 48.7, 2.5, 49", since="2023-01-01", max_cloud="30", max_items="5")
    assert isinstance(chosen, Catalog)
    for name in ("sentinel2_l2a", "sentinel1_grd", "clms"):
        kwargs = chosen[name].kwargs
        assert kwargs["bbox"] == PARIS
        assert kwargs["start"] == "2023-01-01"
        assert kwargs["limit"] == 5
    assert chosen.sentinel2_l2a.kwargs["cloud"] == 30.0
    kind = catalog(product_kind="OL_2_LFR___").sentinel3_olci.kwargs["product_type"]
    assert kind == "OL_2_LFR___"


@pytest.mark.parametrize(
    ("parameter", "value", "shown"),
    [
        ("area", [1, 2, 3], "(1, 2, 3)"),
        ("area", "north-west", "north-west"),
        ("since", "yesterday", "yesterday"),
        ("until", "2024-13-45", "2024-13-45"),
        ("max_cloud", 150, "150"),
        ("max_cloud", "lots", "lots"),
        ("max_items", 0, "0"),
        ("max_items", "many", "many"),
        ("product_kind", 5, "5"),
    ],
)
def test_bad_parameter_values_fail_naming_the_value(catalog, parameter, value, shown):
    with pytest.raises(QueryError) as err:
        catalog(**{parameter: value}).sentinel2_l2a  # noqa: B018 - access resolves the parameters
    assert shown in str(err.value)


def test_no_parameter_is_named_like_a_reader_keyword():
    """intake 2 would try to coerce the template string "{cloud}" with the parameter itself."""
    text = yaml.safe_load(CATALOG.read_text())
    keywords = {k for entry in text["entries"].values() for k in entry["kwargs"]}
    assert not set(text["user_parameters"]) & keywords
    assert all(
        re.fullmatch(r"\{\w+\}", v) or k in ("data", "sort")
        for entry in text["entries"].values()
        for k, v in entry["kwargs"].items()
    )


def test_the_file_holds_no_address_and_no_secret():
    text = yaml.safe_dump(yaml.safe_load(CATALOG.read_text()))  # the content, not the comments
    assert not re.search(r"https?://(?!dataspace\.copernicus\.eu\s)", text)
    assert not re.search(r"password|token|secret|access_key|127\.0\.0", text, re.IGNORECASE)


@pytest.mark.parametrize("keyword", ["password", "credentials", "s3_keys", "endpoints"])
def test_keywords_that_would_carry_secrets_or_addresses_are_refused(catalog, keyword):
    with pytest.raises(ValueError, match=keyword) as err:
        catalog.sentinel2_l2a(**{keyword: "hunter2-very-secret"})
    assert "hunter2" not in str(err.value)
    assert keyword in REFUSED
    with pytest.raises(ValueError, match=keyword):
        catalog.sentinel2_l2a(open_options={keyword: "hunter2-very-secret"})
    with pytest.raises(ValueError, match=keyword):
        catalog.sentinel2_l2a.read(open_options={keyword: "hunter2-very-secret"})


def test_unknown_keywords_are_named(catalog):
    with pytest.raises(TypeError, match="'clouds'"):
        catalog.sentinel2_l2a(clouds=20)


def test_bad_search_values_fail_before_any_request(catalog, cdse_emulator):
    cdse_emulator.state.reset_counters()
    with pytest.raises(QueryError, match="'plenty'"):
        catalog.sentinel2_l2a(cloud="plenty").read()
    with pytest.raises(QueryError, match="S2MSI1C"):
        catalog.sentinel2_l2a(product_type="S2MSI1C").read()
    assert [r for r in cdse_emulator.state.requests() if "/Products" in r.path] == []


def test_a_search_gives_a_catalogue_of_products_with_their_metadata(catalog, materialised):
    wanted = [materialised("sentinel2_l2a")]
    found = catalog.sentinel2_l2a(bbox=PARIS, start="2023-01-01", end="2023-01-06").read()
    assert isinstance(found, TableCatalog)
    names = list(found)
    assert wanted[0].name in names
    assert len(names) == len(found.entries) == found.metadata["products"]
    starts = [found[n].metadata["start"] for n in names]
    assert starts == sorted(starts, reverse=True)  # sort: "-start" in the file
    meta = found[wanted[0].name].metadata
    entry = wanted[0]
    assert meta["id"] == entry.id
    assert meta["start"].startswith(entry.start.strftime("%Y-%m-%dT%H:%M:%S"))
    assert meta["size"] == entry.payload.size
    assert meta["cloud_cover"] == pytest.approx(
        dict((n, v) for n, _, v in entry.attributes)["cloudCover"]
    )
    west, south, east, north = meta["bounds"]
    assert west < 2.35 < east and south < 48.85 < north
    assert meta["footprint"]["type"] in ("Polygon", "MultiPolygon")
    assert found.metadata["query"]["collection"] == "SENTINEL-2"
    assert found.metadata["title"] == "Sentinel-2 MSI Level-2A"


def test_user_parameters_drive_the_search(catalog, materialised):
    entry = materialised("clms_geotiff")
    window = around(entry)
    found = catalog(area=PARIS, since=window["start"], until=window["end"]).clms.read()
    assert list(found) == [entry.name]


def test_the_collections_entry_lists_the_live_catalogue(catalog, cdse_emulator, materialised):
    live = catalog.collections.read()
    assert {"sentinel_2_l2a", "sentinel_1_grd", "sentinel_5p_l2_no2_offl"} <= set(live)
    assert live.sentinel_2_l2a.data.collection == "sentinel-2-l2a"
    assert live.sentinel_2_l2a.metadata["title"] == "Sentinel-2 Level-2A"
    # every listed collection is searched by its own id (CLMS datasets share their type)
    ndvi = next(n for n in live if n.startswith("clms_ndvi"))
    assert live[ndvi].data.collection == live[ndvi].metadata["stac_id"]
    entry = materialised("clms_geotiff")
    found = live[ndvi](bbox=PARIS, **around(entry)).read()
    assert list(found) == [entry.name]
    # the catalogue's parameters are handed to every collection
    assert catalog(max_items=3).collections.read().sentinel_1_grd.kwargs["limit"] == 3


def test_catalogues_render_as_html_tables(cdse_env, materialised):
    top = open_catalog(str(CATALOG))
    page = top._repr_html_()
    assert page.count("<tr>") == len(ENTRIES) + 1
    assert "Sentinel-2 MSI Level-2A" in page
    assert "OL_1_EFR___" in page  # the entry's own product type
    assert "area, max_cloud, max_items, product_kind, since, until" in page
    assert isinstance(top(max_items=2), TableCatalog)  # keeps its display with new parameters

    entry = materialised("sentinel2_l2a")
    found = top(area=PARIS, since="2023-01-01", until="2023-01-06").sentinel2_l2a.read()
    page = found._repr_html_()
    assert entry.name in page
    assert f"{entry.payload.size / 1e6:,.1f}" in page
    assert "Sentinel-2 MSI Level-2A" in page
    assert page.count("<tr>") == len(found) + 1
