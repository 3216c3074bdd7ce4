"""Every collection the real CDSE lists is in the emulator: ``/collections`` lists the whole table
(cdse_intake.emulator.catalogue_list), each document has the real shape and validates, every
collection's items are reachable over STAC and over OData, every record carries its collection's
attributes with the real value types, and no record was acquired outside its mission's life."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pystac
import pystac.validation
import pytest
import requests

from cdse_intake.emulator import Emulator
from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.catalogue_list import BY_ID, ODATA_ONLY, ROWS, THUMBNAILS
from cdse_intake.emulator.records.attributes import attribute_types
from cdse_intake.emulator.records.table import table_entries
from cdse_intake.emulator.stac.collections import collection_id

#: OData ``Collection/Name`` values of cdse-api.md §1.6 the emulator fills (CMEMS: S3 only).
ODATA_NAMES = {
    "SENTINEL-1",
    "SENTINEL-2",
    "SENTINEL-3",
    "SENTINEL-5P",
    "SENTINEL-6",
    "SENTINEL-1-RTC",
    "GLOBAL-MOSAICS",
    "SMOS",
    "ENVISAT",
    "LANDSAT-5",
    "LANDSAT-7",
    "LANDSAT-8",
    "LANDSAT-9",
    "COP-DEM",
    "TERRAAQUA",
    "S2GLC",
    "CCM",
    "CLMS",
    "CEMS",
    "CAMS",
}
#: When each platform delivered products (first day, last day or None), from the missions'
#: pages (ESA, EUMETSAT, USGS).
LIVES = {
    ("SENTINEL-3", "A"): ("2016-02-16", None),
    ("SENTINEL-3", "B"): ("2018-04-25", None),
    ("SENTINEL-5P", "5P"): ("2017-10-13", None),
    ("SENTINEL-6", "A"): ("2020-11-21", None),
    ("SENTINEL-1", "A"): ("2014-04-03", None),
    ("SENTINEL-1", "C"): ("2024-12-05", None),
    ("LANDSAT-5", None): ("1984-03-01", "2013-06-05"),
    ("LANDSAT-7", None): ("1999-04-15", "2025-06-04"),
    ("LANDSAT-8", None): ("2013-02-11", None),
    ("LANDSAT-9", None): ("2021-09-27", None),
    ("ENVISAT", None): ("2002-03-01", "2012-04-08"),
    ("SMOS", None): ("2009-11-02", None),
    ("COP-DEM", None): ("2010-12-12", "2015-01-16"),
}


def _day(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None


@pytest.fixture
def every(cdse_emulator: Emulator) -> dict:
    """``/collections`` (built once per emulator, then cached)."""
    return requests.get(f"{cdse_emulator.urls.stac}/collections", timeout=120).json()


@pytest.fixture(scope="module")
def added() -> list:
    """The table's records (those the mission modules do not make)."""
    return table_entries(42)


def test_the_table_holds_the_real_count():
    assert len(ROWS) >= 118
    assert len(BY_ID) == len(ROWS)  # ids are unique
    assert all(row.source in ("verified", "pattern", "inferred") for row in ROWS)


def test_collections_lists_every_collection_in_one_answer(every: dict):
    ids = [c["id"] for c in every["collections"]]
    assert ids == sorted(BY_ID)  # every one, in id order: CLMS before Sentinel, as live
    assert every["numberMatched"] == every["numberReturned"] == len(ROWS)
    assert "next" not in {link["rel"] for link in every["links"]}


def test_collections_pages_carry_limit_and_offset(cdse_emulator: Emulator, every: dict):
    root = cdse_emulator.urls.stac
    page = requests.get(f"{root}/collections", params={"limit": 50}, timeout=60).json()
    nxt = next(link for link in page["links"] if link["rel"] == "next")
    assert "limit=50" in nxt["href"] and "offset=50" in nxt["href"]
    second = requests.get(nxt["href"], timeout=60).json()
    assert [c["id"] for c in second["collections"]] == sorted(BY_ID)[50:100]


def test_every_document_has_the_real_shape_and_validates(every: dict):
    for doc in every["collections"]:
        row = BY_ID[doc["id"]]
        for key in ("title", "description", "license", "keywords", "providers", "summaries"):
            assert doc[key], (doc["id"], key)
        assert doc["title"] == row.title and doc["description"] == row.description
        assert doc["keywords"] == list(row.keywords)
        assert doc["summaries"]["product:type"]
        if row.thumbnail:
            assert doc["assets"]["thumbnail"]["href"] == THUMBNAILS + row.thumbnail[0]
        west, south, east, north = doc["extent"]["spatial"]["bbox"][0]
        assert -180 <= west <= 180 and -180 <= east <= 180 and -90 <= south < north <= 90
        start, end = doc["extent"]["temporal"]["interval"][0]
        assert start and (end is None) == (row.end is None), doc["id"]
        rels = [link["rel"] for link in doc["links"]]
        assert {"items", "self", "root", "parent"} <= set(rels)
        assert ("license" in rels) == (row.license != "none")
        assert doc["item_assets"], doc["id"]  # every collection holds items
        assert all(url.startswith("https://") for url in doc["stac_extensions"])
        # The core schema is bundled with pystac; the extensions' would be fetched (offline).
        core = pystac.Collection.from_dict({**doc, "stac_extensions": []})
        assert core.validate(), doc["id"]


def test_every_collection_has_items_over_stac(cdse_emulator: Emulator):
    root = cdse_emulator.urls.stac
    with requests.Session() as http:
        for row in ROWS:
            page = http.get(f"{root}/collections/{row.id}/items", params={"limit": 2}).json()
            features = page["features"]
            assert features, row.id
            item = features[0]
            assert item["collection"] == row.id
            assert item["properties"]["product:type"] in row.product_types
            # The core schema (bundled); the extensions' would be fetched (offline).
            pystac.validation.validate_dict({**item, "stac_extensions": []})
            for asset in item["assets"].values():
                assert asset["href"].startswith(
                    ("s3://eodata/", cdse_emulator.urls.download, cdse_emulator.urls.catalogue)
                ), (row.id, asset["href"])


def test_every_odata_collection_has_items(cdse_emulator: Emulator):
    names = ODATA_NAMES | {row.odata for row in ROWS} | {c.odata for c in ODATA_ONLY}
    with requests.Session() as http:
        for name in sorted(names):
            body = http.get(
                f"{cdse_emulator.urls.catalogue}/Products",
                params={
                    "$filter": f"Collection/Name eq '{name}'",
                    "$top": "3",
                    "$expand": "Attributes",
                },
            ).json()
            assert body["value"], name
            table = attribute_types(name)
            for record in body["value"]:
                assert record["S3Path"].startswith("/eodata/"), record["S3Path"]
                for att in record["Attributes"]:
                    if att["Name"] in table:
                        expected = f"#OData.CSC.{table[att['Name']]}Attribute"
                        assert att["@odata.type"] == expected, (name, att)


def test_every_stac_collection_can_be_searched_over_odata(cdse_emulator: Emulator):
    """An item's product is found by its name over OData, in the collection the table names."""
    root = cdse_emulator.urls.stac
    with requests.Session() as http:
        for row in ROWS[::7]:
            item = http.get(f"{root}/collections/{row.id}/items", params={"limit": 1}).json()
            item_id = item["features"][0]["id"]
            found = http.get(
                f"{cdse_emulator.urls.catalogue}/Products",
                params={"$filter": f"startswith(Name,'{item_id}')"},
            ).json()["value"]
            entry = cdse_emulator.catalogue.by_id[found[0]["Id"]]
            assert entry.collection == row.odata and collection_id(entry) == row.id


def test_records_carry_their_collections_attributes_with_the_real_types():
    wrong = []
    for entry in build_catalogue(materialise=False):
        table = attribute_types(entry.collection)
        for name, vtype, value in entry.attributes:
            if name in table and table[name] != vtype:
                wrong.append((entry.collection, name, vtype))
            python = {"Integer": int, "Double": float, "Boolean": bool}.get(vtype, str)
            if not isinstance(value, python) or (python is int and isinstance(value, bool)):
                wrong.append((entry.collection, name, repr(value)))
    assert sorted(set(wrong)) == []


def test_added_records_carry_only_their_tables_attributes(added: list):
    for entry in added:
        table = attribute_types(entry.collection)
        assert {name for name, _, _ in entry.attributes} <= set(table), entry.name
        assert entry.attribute("productType") == entry.product_type


def test_added_records_are_within_their_collections_and_missions_lives(added: list):
    outside = []
    for entry in added:
        cid = collection_id(entry)
        if cid is not None:
            row = BY_ID[cid]
            first = _day(row.start[:10])
            assert first is not None
            if entry.start < first or (row.end and entry.end > _day(row.end[:10]) + timedelta(1)):
                outside.append((cid, entry.name))
        serial = entry.attribute("platformSerialIdentifier")
        life = LIVES.get((entry.collection, serial)) or LIVES.get((entry.collection, None))
        if life is not None:
            first, last = _day(life[0]), _day(life[1])
            assert first is not None
            if entry.start < first or (last is not None and entry.start > last):
                outside.append((entry.collection, entry.name))
    assert outside == []


def test_added_records_are_deterministic_and_unique(added: list):
    again = table_entries(42)
    assert [(e.id, e.name, e.s3_path) for e in again] == [(e.id, e.name, e.s3_path) for e in added]
    assert [e.name for e in table_entries(7)] != [e.name for e in added]
    assert len({e.name for e in added}) == len({e.id for e in added}) == len(added)
    per_collection = defaultdict(int)
    for entry in added:
        per_collection[collection_id(entry) or entry.collection] += 1
    assert min(per_collection.values()) >= 12  # a few dozen per collection


def test_added_records_follow_the_s3_path_scheme(added: list):
    """``/eodata/<mission or service>/…/<name>``, as §1.8 and the data pages show."""
    prefixes = {
        "SENTINEL-1": "/eodata/Sentinel-1/SAR/",
        "SENTINEL-3": "/eodata/Sentinel-3/",
        "SENTINEL-5P": "/eodata/Sentinel-5P/TROPOMI/",
        "SENTINEL-6": "/eodata/Sentinel-6/",
        "GLOBAL-MOSAICS": "/eodata/Global-Mosaics/",
        "COP-DEM": "/eodata/auxdata/CopDEM_COG/copernicus-dem-",
        "CCM": "/eodata/CCM/",
        "CLMS": "/eodata/CLMS/",
        "SMOS": "/eodata/SMOS/",
        "ENVISAT": "/eodata/Envisat/",
        "LANDSAT-8": "/eodata/Landsat-8/",
        "CAMS": "/eodata/CAMS/",
    }
    for entry in added:
        assert entry.s3_path.endswith(f"/{entry.name}"), entry.s3_path
        prefix = prefixes.get(entry.collection, "/eodata/")
        assert entry.s3_path.startswith(prefix), entry.s3_path
