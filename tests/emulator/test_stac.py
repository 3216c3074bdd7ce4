"""The emulated STAC API through a real client (pystac-client): discovery, search, paging, errors.

Expected result sets are computed by brute force over ``catalogue.entries`` with shapely, one
entry at a time, independently of the emulator's vectorised search.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import shapely.geometry
from pystac_client import Client
from pystac_client.exceptions import APIError
from pystac_client.stac_api_io import StacApiIO
from urllib3.util.retry import Retry

from cdse_intake.emulator.catalogue import Entry
from cdse_intake.emulator.catalogue_list import BY_ID
from cdse_intake.emulator.server import Emulator

L2A = ("SENTINEL-2", "S2MSI2A")
GRD = ("SENTINEL-1", "IW_GRDH_1S")
#: Every product type of ``sentinel-1-grd`` (IW, EW, the stripmap beams).
ALL_GRD = ("SENTINEL-1", BY_ID["sentinel-1-grd"].product_types)


@pytest.fixture
def client(cdse_emulator: Emulator) -> Client:
    return Client.open(cdse_emulator.urls.stac)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def brute_force(
    emu: Emulator,
    kind: tuple[str, str | tuple[str, ...]],
    geometry: Any = None,
    start: str | None = None,
    end: str | None = None,
    keep: Callable[[Entry], bool] = lambda e: True,
) -> set[str]:
    """Item ids an exact search should return, computed entry by entry."""
    lo = _utc(start) if start else None
    hi = _utc(end) if end else None
    out = set()
    collection, types = kind
    types = (types,) if isinstance(types, str) else types
    for entry in emu.catalogue.entries:
        if entry.collection != collection or entry.product_type not in types:
            continue
        if entry.footprint is None:
            continue
        if lo is not None and entry.end < lo:
            continue
        if hi is not None and entry.start > hi:
            continue
        if geometry is not None and not shapely.geometry.shape(entry.footprint).intersects(
            geometry
        ):
            continue
        if keep(entry):
            out.add(entry.stem)
    return out


def _s2_platforms(emu: Emulator) -> list[str]:
    serials = {
        e.attribute("platformSerialIdentifier")
        for e in emu.catalogue.entries
        if (e.collection, e.product_type) == L2A
    }
    return sorted(f"sentinel-2{s.lower()}" for s in serials)


def ids_of(items: Iterable[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


# -- discovery -----------------------------------------------------------------------------------


def test_landing_page_and_conformance(client: Client, cdse_emulator: Emulator):
    root = cdse_emulator.urls.stac
    for name in ("ITEM_SEARCH", "FILTER", "SORT", "FIELDS", "QUERY", "COLLECTIONS"):
        assert client.conforms_to(name), name
    rels = [(link.rel, link.extra_fields.get("method")) for link in client.links]
    assert ("search", "GET") in rels and ("search", "POST") in rels
    assert {"self", "root", "conformance", "data"} <= {rel for rel, _ in rels}
    assert "http://www.opengis.net/def/rel/ogc/1.0/queryables" in {rel for rel, _ in rels}
    conformance = requests.get(f"{root}/conformance", timeout=30).json()["conformsTo"]
    assert "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text" in conformance
    assert "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions" in conformance


def test_collections_are_derived_from_the_catalogue(client: Client, cdse_emulator: Emulator):
    ids = {c.id for c in client.get_collections()}
    assert {
        "sentinel-2-l1c",
        "sentinel-2-l2a",
        "sentinel-1-grd",
        "sentinel-1-slc",
        "sentinel-3-olci-1-efr-nrt",
        "sentinel-3-olci-1-efr-ntc",
        "sentinel-3-sl-2-lst-nrt",
        "sentinel-3-sl-2-lst-ntc",
        "sentinel-3-syn-2-syn-ntc",
        "sentinel-5p-l2-no2-offl",
        "sentinel-5p-l2-no2-nrti",
        "sentinel-5p-l2-co-offl",
        "sentinel-5p-l2-co-nrti",
    } <= ids
    assert "clms_ndvi_global_300m_10daily_v2_cog" in ids
    l2a = client.get_collection("sentinel-2-l2a")
    starts = [
        e.start for e in cdse_emulator.catalogue.entries if (e.collection, e.product_type) == L2A
    ]
    interval = l2a.extent.temporal.intervals[0]
    assert interval[0] == min(starts) and interval[1] is None
    assert l2a.summaries.get_list("platform") == _s2_platforms(cdse_emulator)
    assert "B04_10m" in l2a.extra_fields["item_assets"]
    rels = {link.rel for link in l2a.links}
    assert {"items", "self", "root", "parent", "license"} <= rels


def test_collection_items_endpoint_pages_through_one_collection(client: Client):
    collection = client.get_collection("sentinel-5p-l2-no2-nrti")
    items = list(collection.get_items())
    assert items and all(item.collection_id == "sentinel-5p-l2-no2-nrti" for item in items)
    assert len({item.id for item in items}) == len(items)
    one = collection.get_item(items[3].id)
    assert one is not None and one.id == items[3].id


def test_queryables(cdse_emulator: Emulator):
    root = cdse_emulator.urls.stac
    glob = requests.get(f"{root}/queryables", timeout=30).json()
    assert glob["title"] == "STAC Queryables." and glob["additionalProperties"] is True
    assert glob["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert list(glob)[:4] == ["$id", "type", "title", "$schema"]
    props = glob["properties"]
    assert "sentinel-1a" in props["platform"]["enum"] and "S2MSI2A" in props["product:type"]["enum"]
    assert props["eo:cloud_cover"]["maximum"] == 100
    s2 = requests.get(f"{root}/collections/sentinel-2-l2a/queryables", timeout=30).json()
    assert s2["$id"].endswith("/collections/sentinel-2-l2a/queryables")
    assert "grid:code" in s2["properties"] and "sar:instrument_mode" not in s2["properties"]
    assert s2["properties"]["platform"]["enum"] == _s2_platforms(cdse_emulator)


# -- searching -----------------------------------------------------------------------------------


def test_paging_yields_every_match_exactly_once(client: Client, cdse_emulator: Emulator):
    bbox = [0.0, 40.0, 20.0, 55.0]
    window = ("2024-03-01T00:00:00Z", "2024-09-01T00:00:00Z")
    expected = brute_force(cdse_emulator, L2A, shapely.geometry.box(*bbox), *window)
    assert 150 < len(expected) < 1500
    search = client.search(
        collections=["sentinel-2-l2a"], bbox=bbox, datetime="/".join(window), limit=100
    )
    pages = list(search.pages_as_dicts())
    got = [item["id"] for page in pages for item in page["features"]]
    assert len(got) == len(set(got)), "an item came twice"
    assert set(got) == expected
    assert len(pages) == -(-len(expected) // 100)
    # numberReturned only, as stac-fastapi-pgstac answers with pgstac's context off.
    assert [page["numberReturned"] for page in pages] == [len(p["features"]) for p in pages]
    assert not any("numberMatched" in page or "context" in page for page in pages)
    with pytest.warns(UserWarning, match="numberMatched"):
        assert search.matched() is None


def test_default_order_is_datetime_then_id_descending(client: Client):
    search = client.search(collections=["sentinel-1-grd"], bbox=[-10, 35, 30, 60], limit=50)
    items = list(search.items_as_dicts())
    keys = [(i["properties"]["datetime"], i["id"]) for i in items]
    assert keys == sorted(keys, reverse=True)


def test_get_and_post_give_the_same_pages(client: Client):
    kwargs: dict[str, Any] = {
        "collections": ["sentinel-2-l1c"],
        "bbox": [-5, 40, 10, 50],
        "datetime": "2024-01-01T00:00:00Z/2024-06-30T23:59:59Z",
        "filter": "eo:cloud_cover < 40",
        "filter_lang": "cql2-text",
        "sortby": "-properties.eo:cloud_cover",
        "limit": 37,
    }
    post = ids_of(client.search(method="POST", **kwargs).items_as_dicts())
    get = ids_of(client.search(method="GET", **kwargs).items_as_dicts())
    assert post and post == get


def test_antimeridian_bbox(client: Client, cdse_emulator: Emulator):
    """west > east: the bbox spans 170°E..180 and -180..170°W."""
    area = shapely.geometry.MultiPolygon(
        [shapely.geometry.box(170, -30, 180, 70), shapely.geometry.box(-180, -30, -170, 70)]
    )
    expected = brute_force(cdse_emulator, ("SENTINEL-3", "SL_2_LST___"), area)
    expected &= {
        e.stem
        for e in cdse_emulator.catalogue.entries
        if e.product_type == "SL_2_LST___" and e.attribute("timeliness") == "NT"
    }
    assert expected
    items = client.search(
        collections=["sentinel-3-sl-2-lst-ntc"], bbox=[170, -30, -170, 70], limit=200
    ).items_as_dicts()
    got = ids_of(items)
    assert len(got) == len(set(got)) and set(got) == expected
    # An antimeridian footprint's own bbox crosses it too (west > east).
    crossing = [
        i
        for i in client.search(ids=sorted(expected)).items_as_dicts()
        if i["geometry"]["type"] == "MultiPolygon"
    ]
    assert crossing and all(i["bbox"][0] > i["bbox"][2] for i in crossing)


def test_intersects_and_six_number_bbox(client: Client, cdse_emulator: Emulator):
    paris = shapely.geometry.Polygon([(2.0, 48.6), (2.7, 48.6), (2.7, 49.1), (2.0, 49.1)])
    expected = brute_force(cdse_emulator, GRD, paris)
    got = ids_of(
        client.search(
            collections=["sentinel-1-grd"], intersects=shapely.geometry.mapping(paris), limit=100
        ).items_as_dicts()
    )
    assert expected and set(got) == expected and len(got) == len(expected)
    six = requests.get(
        f"{client.self_href.rstrip('/')}/search",
        params={
            "collections": "sentinel-1-grd",
            "bbox": "2.0,48.6,-100,2.7,49.1,100",
            "limit": 100,
        },
        timeout=30,
    ).json()
    assert set(ids_of(six["features"])) == set(
        brute_force(cdse_emulator, GRD, shapely.geometry.box(2.0, 48.6, 2.7, 49.1))
    )


@pytest.mark.parametrize(
    "interval",
    [
        "2023-05-01T00:00:00Z/2023-05-20T00:00:00Z",
        "../2023-01-20T00:00:00Z",
        "2023-12-10T00:00:00+02:00/..",
    ],
)
def test_datetime_intervals(client: Client, cdse_emulator: Emulator, interval: str):
    start, end = (None if p in ("", "..") else p for p in interval.split("/"))
    expected = brute_force(cdse_emulator, ALL_GRD, None, start, end)
    got = ids_of(
        client.search(collections=["sentinel-1-grd"], datetime=interval, limit=500).items_as_dicts()
    )
    assert expected and set(got) == expected and len(got) == len(expected)


def test_single_instant_datetime(cdse_emulator: Emulator):
    entry = next(
        e for e in cdse_emulator.catalogue.entries if (e.collection, e.product_type) == GRD
    )
    middle = entry.start + (entry.end - entry.start) / 2
    r = requests.get(
        f"{cdse_emulator.urls.stac}/search",
        params={"collections": "sentinel-1-grd", "datetime": middle.isoformat()},
        timeout=30,
    )
    assert r.status_code == 200
    assert entry.stem in ids_of(r.json()["features"])


def test_filter_query_and_sortby(client: Client, cdse_emulator: Emulator):
    def cloudy(e: Entry) -> bool:
        return e.attribute("cloudCover") < 15 and e.attribute("platformSerialIdentifier") == "A"

    bbox = [0.0, 45.0, 15.0, 55.0]
    expected = brute_force(cdse_emulator, L2A, shapely.geometry.box(*bbox), keep=cloudy)
    assert expected
    common: dict[str, Any] = {
        "collections": ["sentinel-2-l2a"],
        "bbox": bbox,
        "limit": 200,
        "fields": ["-assets"],  # smaller pages: this test is about which items match
    }
    text = client.search(
        filter="eo:cloud_cover < 15 AND platform = 'sentinel-2a'",
        filter_lang="cql2-text",
        **common,
    )
    as_json = client.search(
        filter={
            "op": "and",
            "args": [
                {"op": "<", "args": [{"property": "eo:cloud_cover"}, 15]},
                {"op": "=", "args": [{"property": "platform"}, "sentinel-2a"]},
            ],
        },
        **common,
    )
    query = client.search(
        query={"eo:cloud_cover": {"lt": 15}, "platform": {"eq": "sentinel-2a"}}, **common
    )
    results = [set(ids_of(s.items_as_dicts())) for s in (text, as_json, query)]
    assert all(r == expected for r in results)
    by_cloud = list(
        client.search(
            sortby="+properties.eo:cloud_cover", query={"eo:cloud_cover": {"lt": 15}}, **common
        ).items_as_dicts()
    )
    clouds = [i["properties"]["eo:cloud_cover"] for i in by_cloud]
    assert clouds == sorted(clouds)


def test_filter_with_spatial_and_temporal_functions(client: Client, cdse_emulator: Emulator):
    box = shapely.geometry.box(10, 45, 20, 55)
    expected = brute_force(cdse_emulator, GRD, box, "2023-03-01T00:00:00Z", "2023-07-01T00:00:00Z")
    got = ids_of(
        client.search(
            collections=["sentinel-1-grd"],
            filter="S_INTERSECTS(geometry, POLYGON((10 45, 20 45, 20 55, 10 55, 10 45))) AND "
            "datetime >= TIMESTAMP('2023-03-01T00:00:00Z') AND "
            "datetime <= TIMESTAMP('2023-07-01T00:00:00Z')",
            filter_lang="cql2-text",
            limit=100,
        ).items_as_dicts()
    )
    assert expected and set(got) == expected


def test_pgstac_style_comparison_names_are_accepted(cdse_emulator: Emulator):
    """The live service took ``"op": "lt"`` in cql2-json [NB-MIG]."""
    body = {
        "collections": ["sentinel-2-l2a"],
        "filter": {"op": "lt", "args": [{"property": "eo:cloud_cover"}, 15]},
        "fields": {"exclude": ["geometry"]},
    }
    r = requests.post(f"{cdse_emulator.urls.stac}/search", json=body, timeout=30)
    assert r.status_code == 200
    features = r.json()["features"]
    assert features and all(f["properties"]["eo:cloud_cover"] < 15 for f in features)
    assert all("geometry" not in f for f in features)


def test_fields_extension(client: Client):
    common: dict[str, Any] = {"collections": ["sentinel-1-grd"], "max_items": 5}
    without = list(client.search(fields=["-geometry"], **common).items_as_dicts())
    assert without and all("geometry" not in i and "properties" in i for i in without)
    only = list(
        client.search(fields=["id", "properties.sat:orbit_state"], **common).items_as_dicts()
    )
    assert only and all(set(i) == {"id", "properties", "links"} for i in only)
    assert all(set(i["properties"]) == {"sat:orbit_state"} for i in only)
    r = requests.get(
        f"{client.self_href.rstrip('/')}/search",
        params={"collections": "sentinel-1-grd", "fields": "assets", "limit": 2},
        timeout=30,
    ).json()
    assert [list(f) for f in r["features"]] == [["assets", "links"]] * 2  # as the live answers


def test_max_items_and_ids(client: Client):
    search = client.search(collections=["sentinel-2-l1c"], max_items=25, limit=10)
    items = list(search.items_as_dicts())
    assert len(items) == 25 and len({i["id"] for i in items}) == 25
    picked = [items[3]["id"], items[17]["id"]]
    again = ids_of(client.search(ids=picked).items_as_dicts())
    assert sorted(again) == sorted(picked)


def test_previous_links_walk_back(cdse_emulator: Emulator):
    root = cdse_emulator.urls.stac
    first = requests.get(
        f"{root}/search", params={"collections": "sentinel-3-syn-2-syn-ntc", "limit": 7}, timeout=30
    ).json()
    nxt = next(link for link in first["links"] if link["rel"] == "next")
    second = requests.get(nxt["href"], timeout=30).json()
    prev = next(link for link in second["links"] if link["rel"] == "previous")
    back = requests.get(prev["href"], timeout=30).json()
    assert ids_of(back["features"]) == ids_of(first["features"])
    assert not set(ids_of(second["features"])) & set(ids_of(first["features"]))


def test_post_next_link_carries_the_body(cdse_emulator: Emulator):
    root = cdse_emulator.urls.stac
    body = {
        "collections": ["sentinel-3-olci-1-efr-ntc"],
        "limit": 5,
        "sortby": [{"field": "properties.sat:absolute_orbit", "direction": "asc"}],
    }
    first = requests.post(f"{root}/search", json=body, timeout=30).json()
    nxt = next(link for link in first["links"] if link["rel"] == "next")
    assert nxt["method"] == "POST" and nxt["merge"] is True
    assert nxt["body"]["collections"] == body["collections"]
    assert nxt["body"]["token"].startswith("next:sentinel-3-olci-1-efr-ntc:")
    second = requests.post(nxt["href"], json=nxt["body"], timeout=30).json()
    orbits = [f["properties"]["sat:absolute_orbit"] for f in first["features"] + second["features"]]
    assert orbits == sorted(orbits)


# -- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "1,2,3,4,5"}, "bbox"),
        ({"bbox": "0,60,10,50"}, "south"),
        ({"bbox": "0,0,200,10"}, "longitude"),
        ({"datetime": "2024-13-01T00:00:00Z"}, "datetime"),
        ({"datetime": "2024-01-01"}, "datetime"),
        ({"datetime": "../.."}, "open"),
        ({"datetime": "2024-02-01T00:00:00Z/2024-01-01T00:00:00Z"}, "after"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"filter": "eo:cloud_cover <"}, "filter"),
        ({"filter": "NOSUCHFN(eo:cloud_cover) = 1"}, "nosuchfn"),
        ({"query": "{not json"}, "query"),
        ({"query": '{"eo:cloud_cover": {"below": 3}}'}, "below"),
        ({"token": "next:sentinel-2-l2a:no-such-item"}, "token"),
    ],
)
def test_bad_parameters_are_400_naming_the_problem(
    cdse_emulator: Emulator, params: dict[str, str], needle: str
):
    r = requests.get(f"{cdse_emulator.urls.stac}/search", params=params, timeout=30)
    assert r.status_code == 400, r.text
    body = r.json()
    assert set(body) == {"code", "description"}
    assert needle.lower() in body["description"].lower()


def test_sentinel_2_l2a_pages_are_capped_at_200(cdse_emulator: Emulator):
    root = cdse_emulator.urls.stac
    r = requests.post(
        f"{root}/search", json={"collections": ["sentinel-2-l2a"], "limit": 1000}, timeout=30
    )
    assert r.status_code == 400 and "200" in r.json()["description"]
    ok = requests.post(
        f"{root}/search", json={"collections": ["sentinel-2-l2a"], "limit": 200}, timeout=60
    )
    assert ok.status_code == 200 and len(ok.json()["features"]) == 200
    l1c = requests.get(
        f"{root}/search", params={"collections": "sentinel-2-l1c", "limit": 1000}, timeout=60
    )
    assert l1c.status_code == 200 and len(l1c.json()["features"]) == 1000


def test_unknown_collection_and_item_are_404(client: Client, cdse_emulator: Emulator):
    root = cdse_emulator.urls.stac
    for url in (
        f"{root}/collections/sentinel-9",
        f"{root}/collections/sentinel-9/items",
        f"{root}/collections/sentinel-2-l2a/items/S2Z_NOPE",
        f"{root}/collections/sentinel-9/queryables",
    ):
        r = requests.get(url, timeout=30)
        assert r.status_code == 404, url
        assert r.json()["code"] == "NotFoundError"
    assert client.get_collection("sentinel-9") is None  # pystac-client's answer to a 404


def test_waf_rate_limit_reaches_the_client(cdse_emulator: Emulator):
    cdse_emulator.faults.add("status", product="stac", status=429, times=1)
    with pytest.raises(APIError) as err:
        Client.open(cdse_emulator.urls.stac)
    assert err.value.status_code == 429
    assert json.loads(str(err.value)) == {
        "error": "WAF",
        "message": "Rate limit exceeded",
        "status": 429,
    }


def test_clients_retrying_on_429_get_through(cdse_emulator: Emulator):
    # With a Retry-After, urllib3 (under pystac-client's default adapter) waits and retries.
    cdse_emulator.faults.add("status", product="stac", status=429, retry_after=0, times=2)
    assert Client.open(cdse_emulator.urls.stac).conforms_to("ITEM_SEARCH")
    # Without one, only a client told to retry on 429 (as CDSE's forum advises) does.
    cdse_emulator.faults.add("status", product="stac", status=429, times=2)
    retry = Retry(total=3, status_forcelist=[429], allowed_methods=None, backoff_factor=0)
    client = Client.open(cdse_emulator.urls.stac, stac_io=StacApiIO(max_retries=retry))
    assert client.conforms_to("ITEM_SEARCH")
    statuses = [rec.status for rec in cdse_emulator.state.requests(path="/stac/v1*")]
    assert statuses == [429, 429, 200, 429, 429, 200]


def test_retry_after_header(cdse_emulator: Emulator):
    cdse_emulator.faults.add("status", product="stac", status=429, retry_after=12)
    r = requests.get(f"{cdse_emulator.urls.stac}/collections", timeout=30)
    assert r.status_code == 429 and r.headers["Retry-After"] == "12"
    cdse_emulator.faults.add("status", product="stac", status=503)
    r = requests.get(f"{cdse_emulator.urls.stac}/search", timeout=30)
    assert r.status_code == 503


def test_products_added_to_the_catalogue_are_served(cdse_emulator_factory):
    emu = cdse_emulator_factory(seed=1234, scale=0.02, s3=False)  # a private, small catalogue
    root = emu.urls.stac
    params = {"collections": "sentinel-1-grd", "limit": 1000, "fields": "id"}

    def count() -> int:
        return len(requests.get(f"{root}/search", params=params, timeout=30).json()["features"])

    before = count()
    template = next(e for e in emu.catalogue.entries if e.product_type == "IW_GRDH_1S")
    name = template.stem[:-4] + "FFFF.SAFE"
    added = dataclasses.replace(
        template,
        id=str(uuid.UUID(int=1234, version=4)),
        name=name,
        s3_path=template.s3_path.rsplit("/", 1)[0] + "/" + name,
        attributes=list(template.attributes),
        payload=None,
    )
    emu.catalogue.add(added)
    assert before < 1000 and count() == before + 1
    item = requests.get(f"{root}/collections/sentinel-1-grd/items/{added.stem}", timeout=30).json()
    assert item["assets"]["Product"]["href"].endswith(f"/Products({added.id})/$value")
