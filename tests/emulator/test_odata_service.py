"""The OData catalogue's options, paging, record shape, single entity, Attributes, FilterList,
quicklooks and faults, checked over HTTP against the recorded responses of the real service."""

from __future__ import annotations

import json
import re
import struct
import zlib
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import shapely

from cdse_intake.emulator.odata.options import next_link

REAL_ROOT = "https://catalogue.dataspace.copernicus.eu/odata/v1"
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
S1_MARCH = (
    "Collection/Name eq 'SENTINEL-1' and ContentDate/Start ge 2023-03-01T00:00:00.000Z "
    "and ContentDate/Start lt 2023-03-08T00:00:00.000Z"
)


@pytest.fixture(scope="module")
def http() -> requests.Session:
    with requests.Session() as session:
        yield session


def get(emu, http, path: str = "/Products", params=None) -> requests.Response:
    return http.get(emu.urls.catalogue + path, params=params)


def sample(reference_dir, name: str) -> dict:
    return json.loads((reference_dir / "samples/api" / name).read_text())


# -- $top, $skip, $count, $orderby, $expand, $select --------------------------------------------


@pytest.mark.parametrize(
    ("params", "item"),
    [
        (
            {"$top": "1001"},
            {
                "type": "less_than_equal",
                "loc": ["query", "$top"],
                "msg": "Input should be less than or equal to 1000",
                "input": "1001",
                "ctx": {"error": {}},
            },
        ),
        (
            {"$top": "-1"},
            {
                "type": "greater_than_equal",
                "loc": ["query", "$top"],
                "msg": "Input should be greater than or equal to 0",
                "input": "-1",
                "ctx": {"error": {}},
            },
        ),
        (
            {"$skip": "10001", "$top": "1"},
            {
                "type": "less_than_equal",
                "loc": ["query", "$skip"],
                "msg": "Input should be less than or equal to 10000",
                "input": "10001",
                "ctx": {"error": {}},
            },
        ),
        (
            {"$skip": "-1", "$top": "1"},
            {
                "type": "greater_than_equal",
                "loc": ["query", "$skip"],
                "msg": "Input should be greater than or equal to 0",
                "input": "-1",
                "ctx": {"error": {}},
            },
        ),
        (
            {"$top": "ten"},
            {
                "type": "int_parsing",
                "loc": ["query", "$top"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "ten",
            },
        ),
        (
            {"$count": "maybe"},
            {
                "type": "bool_parsing",
                "loc": ["query", "$count"],
                "msg": "Input should be a valid boolean, unable to interpret input",
                "input": "maybe",
            },
        ),
    ],
)
def test_limits_answer_pydantic_422_bodies(cdse_emulator, http, params, item):
    r = get(cdse_emulator, http, params=params)
    assert r.status_code == 422
    assert r.text == json.dumps({"detail": [item]}, separators=(",", ":"))  # exact bytes, order


def test_limits_edges_are_allowed(cdse_emulator, http):
    r = get(cdse_emulator, http, params={"$top": "1000", "$skip": "10000"})
    assert r.status_code == 200 and len(r.json()["value"]) == 1000
    assert "@odata.nextLink" not in r.json()  # the next $skip would pass 10000
    assert len(get(cdse_emulator, http).json()["value"]) == 20  # default $top
    r = get(cdse_emulator, http, params={"$top": "0", "$count": "1"})
    n = len(cdse_emulator.catalogue)
    assert r.json() == {"@odata.context": "$metadata#Products", "@odata.count": n, "value": []}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"$expand": "test"},
            "Expand parameter only accepts following values: Assets, Attributes, Locations.",
        ),
        (
            {"$expand": "Attributes,Nodes"},
            "Expand parameter only accepts following values: Assets, Attributes, Locations.",
        ),
        (
            {"$orderby": "test"},
            "Invalid value: Invalid field name in the order by clause. Please use only 'asc' or "
            "'desc' for sorting.",
        ),
        ({"$orderby": "ContentDate/Start test"}, "Invalid value: test"),
        ({"$select": "test"}, "Invalid field in select: test"),
        ({"$select": "Name, Attributes"}, "Invalid field in select: Attributes"),
        (
            {"$search": "S2A"},
            "Invalid query parameter: $search. Supported query options: "
            "$filter, $top, $skip, $orderby, $count, $expand, $select.",
        ),
    ],
)
def test_option_errors_are_the_apps_400s(cdse_emulator, http, params, message):
    r = get(cdse_emulator, http, params={"$top": "1", **params})
    assert r.status_code == 400
    assert r.json() == {"detail": {"message": message, "request_id": r.headers["request-id"]}}


@pytest.mark.parametrize("value", ["True", "true", "1", "False", "false", "0"])
def test_count_values_and_position(cdse_emulator, http, value):
    r = get(cdse_emulator, http, params={"$filter": S1_MARCH, "$top": "2", "$count": value})
    body = r.json()
    if value in ("True", "true", "1"):
        assert list(body) == ["@odata.context", "@odata.count", "value", "@odata.nextLink"]
        lo, hi = datetime(2023, 3, 1, tzinfo=UTC), datetime(2023, 3, 8, tzinfo=UTC)
        want = [
            e
            for e in cdse_emulator.catalogue
            if e.collection == "SENTINEL-1" and lo <= e.start < hi
        ]
        assert body["@odata.count"] == len(want)
    else:
        assert list(body) == ["@odata.context", "value", "@odata.nextLink"]


@pytest.mark.parametrize(
    ("orderby", "key", "reverse"),
    [
        ("ContentDate/Start", "start", False),
        ("ContentDate/Start asc", "start", False),
        ("ContentDate/End desc", "end", True),
        ("PublicationDate desc", "publication", True),
        ("ModificationDate asc", "modification", False),
    ],
)
def test_orderby_with_implicit_id_tiebreak(cdse_emulator, http, orderby, key, reverse):
    r = get(cdse_emulator, http, params={"$filter": S1_MARCH, "$orderby": orderby, "$top": "1000"})
    got = [p["Id"] for p in r.json()["value"]]
    want = [e for e in cdse_emulator.catalogue if e.id in set(got)]
    want.sort(key=lambda e: e.id)
    want.sort(key=lambda e: getattr(e, key), reverse=reverse)  # stable: Id ascending within ties
    assert got == [e.id for e in want]
    times = [p["ContentDate"]["Start"] for p in r.json()["value"]]
    if key == "start":
        assert times == sorted(times)


def test_expand_and_context(cdse_emulator, http):
    flt = {"$filter": S1_MARCH, "$top": "3"}
    cases = [
        ([], "$metadata#Products", []),
        ([("$expand", "Attributes")], "$metadata#Products(Attributes())", ["Attributes"]),
        (
            [("$expand", "Attributes"), ("$expand", "Assets")],
            "$metadata#Products(Attributes(),Assets())",
            ["Attributes", "Assets"],
        ),
        (
            [("$expand", "Attributes,Locations, Assets")],
            "$metadata#Products(Attributes(),Locations(),Assets())",
            ["Attributes", "Assets", "Locations"],
        ),
        (
            [("$expand", "Locations"), ("$expand", "Attributes")],
            "$metadata#Products(Locations(),Attributes())",
            ["Attributes", "Locations"],
        ),
    ]
    for expand, context, keys in cases:
        body = get(cdse_emulator, http, params=[*flt.items(), *expand]).json()
        assert body["@odata.context"] == context
        record = body["value"][0]
        assert list(record)[-1] == (keys[-1] if keys else "GeoFootprint")
        assert [k for k in record if k in ("Attributes", "Assets", "Locations")] == keys


def test_select(cdse_emulator, http):
    params = {"$filter": S1_MARCH, "$top": "2", "$select": "ContentDate, Name,S3Path"}
    record = get(cdse_emulator, http, params=params).json()["value"][0]
    assert list(record) == ["@odata.mediaContentType", "Id", "Name", "S3Path", "ContentDate"]
    params["$select"] = "*"
    assert len(get(cdse_emulator, http, params=params).json()["value"][0]) == 15


# -- paging -------------------------------------------------------------------------------------


@pytest.mark.parametrize("orderby", [None, "ContentDate/Start desc"])
def test_following_next_links_visits_every_product_once(cdse_emulator, http, orderby):
    flt = (
        "Collection/Name eq 'SENTINEL-2' and ContentDate/Start ge 2023-03-01 "
        "and ContentDate/Start lt 2023-05-01"
    )
    params = {"$filter": flt, "$top": "500", "$count": "true"}
    if orderby:
        params["$orderby"] = orderby
    url: str | None = cdse_emulator.urls.catalogue + "/Products"
    seen: list[str] = []
    pages = 0
    while url:
        r = http.get(url, params=params)
        body = r.json()
        seen += [p["Id"] for p in body["value"]]
        url, params, pages = body.get("@odata.nextLink"), None, pages + 1
        if url:
            assert len(body["value"]) == 500 and url.startswith(cdse_emulator.urls.catalogue)
    lo, hi = datetime(2023, 3, 1, tzinfo=UTC), datetime(2023, 5, 1, tzinfo=UTC)
    want = {
        e.id for e in cdse_emulator.catalogue if e.collection == "SENTINEL-2" and lo <= e.start < hi
    }
    assert len(want) > 2000
    assert len(seen) == len(set(seen)) == len(want) and set(seen) == want
    assert body["@odata.count"] == len(want)  # $count kept in nextLinks, as recorded
    assert pages == len(want) // 500 + 1


def test_full_last_page_still_links_on(cdse_emulator, http):
    entry = cdse_emulator.catalogue.entries[10]
    params = {
        "$filter": f"Name eq '{entry.name}'",
        "$top": "1",
        "$orderby": "ContentDate/Start asc",
    }
    body = get(cdse_emulator, http, params=params).json()
    assert body["value"][0]["Id"] == entry.id
    assert body["@odata.nextLink"] == (
        f"{cdse_emulator.urls.catalogue}/Products?%24filter=Name+eq+%27{entry.name}%27&%24top=1"
        "&%24orderby=ContentDate%2FStart+asc&%24skip=1"
    )
    nxt = http.get(body["@odata.nextLink"]).json()
    assert nxt["value"] == [] and "@odata.nextLink" not in nxt


@pytest.mark.parametrize(
    ("name", "skip_in_request"),
    [("eodag/cop_dataspace_search.json", True), ("CDSETool/odata_page_1.json", False)],
)
def test_next_link_format_matches_recordings(reference_dir, name, skip_in_request):
    recorded = sample(reference_dir, name)["@odata.nextLink"]
    query = parse_qsl(urlsplit(recorded).query, keep_blank_values=True)
    skip = int(dict(query)["$skip"])
    top = int(dict(query)["$top"])
    # The request that produced it: same parameters, $skip one page back (or absent).
    request = [(k, str(skip - top) if k == "$skip" else v) for k, v in query]
    if not skip_in_request:
        request = [(k, v) for k, v in request if k != "$skip"]
    assert next_link(REAL_ROOT + "/Products", request, skip) == recorded


# -- record shape vs the real samples -----------------------------------------------------------


def _record(emu, http, expand: list[str], collection: str = "SENTINEL-2") -> dict:
    params = [("$filter", f"Collection/Name eq '{collection}'"), ("$top", "1")]
    params += [("$expand", e) for e in expand]
    return get(emu, http, params=params).json()["value"][0]


@pytest.mark.parametrize(
    ("name", "expand"),
    [
        ("eodag/cop_dataspace_search.json", ["Attributes", "Assets"]),
        ("CDSETool/odata_page_1.json", ["Attributes"]),
        (
            "eu-cdse-documentation/odata_products_expand_attributes_locations_assets_context_new_2024-09.json",
            ["Attributes", "Locations", "Assets"],
        ),
    ],
)
def test_key_order_equals_the_recordings(cdse_emulator, http, reference_dir, name, expand):
    real = sample(reference_dir, name)
    params = [("$top", "1"), ("$count", "true"), *(("$expand", e) for e in expand)]
    ours_page = get(cdse_emulator, http, params=params).json()
    assert [k for k in ours_page if k in real] == list(real)
    real_rec, ours = real["value"][0], _record(cdse_emulator, http, expand)
    assert list(ours) == list(real_rec)
    if real_rec["Checksum"]:
        assert [list(c) for c in ours["Checksum"]] == [list(c) for c in real_rec["Checksum"]]
        assert [c["Algorithm"] for c in ours["Checksum"]] == ["MD5", "BLAKE3"]
    assert list(ours["ContentDate"]) == list(real_rec["ContentDate"])
    for part in ("Attributes", "Assets", "Locations"):
        if real_rec.get(part):
            assert list(ours[part][0]) == list(real_rec[part][0]), part


def test_record_values(cdse_emulator, http):
    rec = _record(cdse_emulator, http, ["Attributes", "Assets", "Locations"])
    entry = cdse_emulator.catalogue.by_id[rec["Id"]]
    for key in ("OriginDate", "PublicationDate", "ModificationDate", "EvictionDate"):
        assert TIME.fullmatch(rec[key]), key
    assert all(TIME.fullmatch(rec["ContentDate"][k]) for k in ("Start", "End"))
    assert all(TIME.fullmatch(c["ChecksumDate"]) for c in rec["Checksum"])
    assert rec["Checksum"][0]["Value"] == entry.md5 and rec["Checksum"][1]["Value"] == entry.blake3
    assert rec["Footprint"].startswith("geography'SRID=4326;POLYGON ((")
    wkt = rec["Footprint"][len("geography'SRID=4326;") : -1]
    assert shapely.from_wkt(wkt).equals(shapely.geometry.shape(rec["GeoFootprint"]))
    for att in rec["Attributes"]:
        assert att["@odata.type"] == f"#OData.CSC.{att['ValueType']}Attribute"
        assert att["Value"] == entry.attribute(att["Name"])
    (asset,) = rec["Assets"]
    assert asset == {
        "Type": "QUICKLOOK",
        "Id": entry.quicklook_id,
        "DownloadLink": f"{cdse_emulator.urls.catalogue}/Assets({entry.quicklook_id})/$value",
        "S3Path": entry.s3_path,
    }
    (location,) = rec["Locations"]
    assert location["DownloadLink"] == f"{cdse_emulator.urls.catalogue}/Products({entry.id})/$value"
    assert location["S3Path"] == entry.s3_path


def test_footprints_null_and_multipolygon(cdse_emulator, http):
    params = {"$filter": "startswith(Name,'S1A_OPER_AUX_POEORB')", "$top": "1", "$expand": "Assets"}
    aux = get(cdse_emulator, http, params=params).json()["value"][0]
    assert aux["Footprint"] is None and aux["GeoFootprint"] is None and aux["Assets"] == []
    multi = next(
        e for e in cdse_emulator.catalogue if e.footprint and e.footprint["type"] == "MultiPolygon"
    )
    rec = get(cdse_emulator, http, f"/Products({multi.id})").json()
    assert rec["Footprint"].startswith("geography'SRID=4326;MULTIPOLYGON (((")
    assert shapely.from_wkt(rec["Footprint"][20:-1]).equals(shapely.geometry.shape(multi.footprint))


# -- single entity ------------------------------------------------------------------------------


def test_single_entity(cdse_emulator, http, reference_dir):
    entry = cdse_emulator.catalogue.entries[99]
    plain = get(cdse_emulator, http, f"/Products({entry.id})").json()
    assert "value" not in plain and plain["@odata.context"] == "$metadata#Products/$entity"
    expanded = get(cdse_emulator, http, f"/Products({entry.id})", {"$expand": "Attributes"}).json()
    name = "odata_product_entity_expand_attributes_precision6_post-2024-09-02.json"
    real = sample(reference_dir, f"eu-cdse-documentation/{name}")
    assert list(expanded) == list(real)
    assert (
        expanded["@odata.context"]
        == real["@odata.context"]
        == "$metadata#Products(Attributes())/$entity"
    )
    listed = _first_by_name(cdse_emulator, http, entry.name)
    assert {k: v for k, v in plain.items() if k != "@odata.context"} == listed


def _first_by_name(emu, http, name: str) -> dict:
    return get(emu, http, params={"$filter": f"Name eq '{name}'"}).json()["value"][0]


def test_single_entity_errors(cdse_emulator, http):
    r = get(cdse_emulator, http, "/Products(00000000-0000-4000-8000-000000000000)")
    assert r.status_code == 404
    assert r.json() == {
        "detail": {"message": "Product not found", "request_id": r.headers["request-id"]}
    }
    r = get(cdse_emulator, http, "/Products(not-a-uuid)")
    assert r.status_code == 422
    (item,) = r.json()["detail"]
    assert item["type"] == "uuid_parsing" and item["input"] == "not-a-uuid"
    assert (
        get(
            cdse_emulator,
            http,
            f"/Products({cdse_emulator.catalogue.entries[0].id})",
            {"$expand": "Nodes"},
        ).status_code
        == 400
    )


# -- Attributes, FilterList, quicklooks ---------------------------------------------------------


def test_attributes_of_a_collection_is_a_bare_array(cdse_emulator, http, reference_dir):
    real = sample(reference_dir, "CDSETool/attributes.json")
    ours = get(cdse_emulator, http, "/Attributes(SENTINEL-1)").json()
    assert isinstance(ours, list) and [list(a) for a in ours] == [list(real[0])] * len(ours)
    real_types = {a["Name"]: a["ValueType"] for a in real}
    shared = [a for a in ours if a["Name"] in real_types]
    assert len(shared) >= 20 and all(real_types[a["Name"]] == a["ValueType"] for a in shared)
    r = get(cdse_emulator, http, "/Attributes(SENTINEL-9)")
    assert r.status_code == 404


def test_attributes_of_every_collection(cdse_emulator, http):
    table = get(cdse_emulator, http, "/Attributes").json()
    assert set(table) == set(cdse_emulator.catalogue.collections)
    assert table["SENTINEL-1"] == get(cdse_emulator, http, "/Attributes(SENTINEL-1)").json()
    assert {"Name": "cloudCover", "ValueType": "Double"} in table["SENTINEL-2"]


def test_filter_list(cdse_emulator, http):
    a, b = cdse_emulator.catalogue.entries[5], cdse_emulator.catalogue.entries[-5]
    body = {"FilterProducts": [{"Name": b.name}, {"Name": "xxxxxxxx.06.tar"}, {"Name": a.name}]}
    url = cdse_emulator.urls.catalogue + "/Products/OData.CSC.FilterList"
    got = http.post(url, json=body).json()
    assert got["@odata.context"] == "$metadata#Products"
    assert [p["Name"] for p in got["value"]] == [b.name, a.name]
    got = http.post(url, json=body, params={"$expand": "Attributes"}).json()
    assert "Attributes" in got["value"][0]
    r = http.post(url, json={"Products": []})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "FilterProducts"]
    assert http.post(url, data=b"{not json").status_code == 422


def test_quicklook_is_a_real_png(cdse_emulator, http):
    rec = _record(cdse_emulator, http, ["Assets"])
    r = http.get(rec["Assets"][0]["DownloadLink"])
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/png"
    data = r.content
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    idat_len = struct.unpack(">I", data[33:37])[0]
    assert data[37:41] == b"IDAT"
    pixels = zlib.decompress(data[41 : 41 + idat_len])
    assert len(pixels) == height * (width * 3 + 1)
    assert http.get(rec["Assets"][0]["DownloadLink"]).content == data  # deterministic
    missing = cdse_emulator.urls.catalogue + "/Assets(00000000-0000-4000-8000-000000000000)/$value"
    assert http.get(missing).status_code == 404


# -- faults -------------------------------------------------------------------------------------


def test_status_faults(cdse_emulator, http):
    cdse_emulator.faults.add("status", "odata", status=429, retry_after=2)
    r = get(cdse_emulator, http, params={"$top": "1"})
    assert r.status_code == 429 and r.headers["Retry-After"] == "2"
    assert r.json() == {"error": "WAF", "message": "Rate limit exceeded", "status": 429}
    assert get(cdse_emulator, http, params={"$top": "1"}).status_code == 200  # used up
    cdse_emulator.faults.add("status", "odata", status=503)
    r = get(cdse_emulator, http, "/Attributes(SENTINEL-1)")
    assert r.status_code == 503 and r.json()["detail"]["message"] == "Service Unavailable"


def test_catalogue_side_faults_show_in_records_and_filters(cdse_emulator, http):
    entry = cdse_emulator.catalogue.entries[321]
    cdse_emulator.faults.add("no_checksum", entry.id, times=None)
    cdse_emulator.faults.add("offline", entry.name, times=None)
    rec = _first_by_name(cdse_emulator, http, entry.name)
    assert rec["Checksum"] == [] and rec["Online"] is False
    params = {"$filter": "Online eq false", "$expand": "Locations"}
    offline = get(cdse_emulator, http, params=params).json()["value"]
    assert [p["Id"] for p in offline] == [entry.id] and offline[0]["Locations"][0]["Checksum"] == []
    cdse_emulator.faults.clear()
    rec = _first_by_name(cdse_emulator, http, entry.name)
    assert rec["Online"] is True and len(rec["Checksum"]) == 2
