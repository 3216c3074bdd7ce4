"""``/odata/v1/DeletedProducts`` (cdse-api.md §1.1, DOC-ODATA): shape, options and filters
against a brute-force pass over the emulator's deleted records; products deleted or reprocessed
at run time disappear from /Products, STAC, S3 and downloads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests
import shapely

from cdse_intake.emulator import Emulator
from cdse_intake.emulator.deleted import CAUSES, deleted_for
from cdse_intake.emulator.odata.deleted import DELETED_FIELDS

JAN, MAR, JUL = (datetime(y, m, 1, tzinfo=UTC) for y, m in ((2024, 1), (2023, 3), (2024, 7)))
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    emulator = Emulator(scale=0.02, deliver="all").start()
    yield emulator
    emulator.stop()


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def get(emu: Emulator, http: requests.Session, path: str, params=None) -> requests.Response:
    return http.get(emu.endpoints.catalogue + path, params=params)


def deleted(emu: Emulator) -> list[tuple[object, object]]:
    """Every deleted record with its deletion, in the store's order (the brute-force side)."""
    state = deleted_for(emu.catalogue).state
    return [(e, state.deletions[e.id]) for e in state.catalogue.entries]


def every(emu, http, params) -> list[dict]:
    """All records of a query, paging with $skip."""
    out, skip = [], 0
    while True:
        page = get(emu, http, "/DeletedProducts", {**params, "$top": "7", "$skip": str(skip)})
        assert page.status_code == 200, page.text
        out += page.json()["value"]
        if len(page.json()["value"]) < 7:
            return out
        skip += 7


def test_generated_records_cover_every_cause_and_are_not_products(emu, http):
    records = deleted(emu)
    assert len(records) >= 12
    assert {d.cause for _, d in records} == set(CAUSES)
    listed = emu.catalogue.by_id
    assert not any(e.id in listed for e, _ in records)
    body = get(emu, http, "/DeletedProducts", {"$count": "true", "$top": "0"}).json()
    assert body["@odata.count"] == len(records)
    assert body == {"@odata.context": "$metadata#DeletedProducts", "@odata.count": len(records),
                    "value": []}  # fmt: skip


def test_record_shape_and_key_order(emu, http):
    body = get(emu, http, "/DeletedProducts", {"$top": "3", "$expand": "Attributes"}).json()
    assert body["@odata.context"] == "$metadata#DeletedProducts(Attributes())"
    assert len(body["value"]) == 3 and "@odata.nextLink" in body
    assert "/DeletedProducts?" in body["@odata.nextLink"]
    for record in body["value"]:
        assert list(record) == ["@odata.mediaContentType", *DELETED_FIELDS, "Attributes"]
        assert TIME.fullmatch(record["DeletionDate"]) and TIME.fullmatch(record["OriginDate"])
        assert record["DeletionCause"] in CAUSES
        assert record["Attributes"][0]["@odata.type"].startswith("#OData.CSC.")
        if record["DeletionCause"] == "Missing checksum":
            assert record["Checksum"] == []
    one = body["value"][0]
    single = get(emu, http, f"/DeletedProducts({one['Id']})").json()
    assert single["@odata.context"] == "$metadata#DeletedProducts/$entity"
    assert {k: v for k, v in single.items() if k != "@odata.context"} == {
        k: v for k, v in one.items() if k != "Attributes"
    }
    picked = get(emu, http, "/DeletedProducts", {"$select": "Name,DeletionCause"}).json()
    assert list(picked["value"][0]) == ["@odata.mediaContentType", "Id", "Name", "DeletionCause"]


@pytest.mark.parametrize(
    ("flt", "keep"),
    [
        (
            "Collection/Name eq 'SENTINEL-2' and DeletionCause eq 'Obsolete product or Other'",
            lambda e, d: e.collection == "SENTINEL-2" and d.cause == "Obsolete product or Other",
        ),
        (
            "DeletionDate ge 2024-01-01T00:00:00.000Z and DeletionDate lt 2024-07-01",
            lambda e, d: (
                datetime(2024, 1, 1, tzinfo=UTC) <= d.date < datetime(2024, 7, 1, tzinfo=UTC)
            ),
        ),
        (
            "ContentDate/Start lt 2023-03-01T00:00:00Z or DeletionCause ne 'Corrupted product'",
            lambda e, d: (
                e.start < datetime(2023, 3, 1, tzinfo=UTC) or d.cause != "Corrupted product"
            ),
        ),
        (
            "Attributes/OData.CSC.StringAttribute/any(att:att/Name eq 'productType' and "
            "att/OData.CSC.StringAttribute/Value eq 'S2MSI2A')",
            lambda e, d: e.attribute("productType") == "S2MSI2A",
        ),
        ("contains(Name,'_MSIL1C_')", lambda e, d: "_MSIL1C_" in e.name),
    ],
)
def test_filters_match_a_brute_force_pass(emu, http, flt, keep):
    expected = {e.id for e, d in deleted(emu) if keep(e, d)}
    assert 0 < len(expected) < len(deleted(emu))  # the filter tells records apart
    got = every(emu, http, {"$filter": flt})
    assert {r["Id"] for r in got} == expected
    count = get(emu, http, "/DeletedProducts", {"$filter": flt, "$count": "1", "$top": "1"})
    assert count.json()["@odata.count"] == len(expected)


def test_intersects_matches_shapely(emu, http):
    entry = next(e for e, _ in deleted(emu) if e.footprint)
    area = shapely.geometry.shape(entry.footprint).centroid.buffer(0.1)
    expected = {
        e.id for e, _ in deleted(emu)
        if e.footprint and shapely.geometry.shape(e.footprint).intersects(area)
    }  # fmt: skip
    wkt = shapely.to_wkt(area, rounding_precision=6)
    flt = f"OData.CSC.Intersects(area=geography'SRID=4326;{wkt}')"
    assert {r["Id"] for r in every(emu, http, {"$filter": flt})} == expected
    assert entry.id in expected


@pytest.mark.parametrize("field", ["DeletionDate", "ContentDate/Start", "ContentDate/End"])
def test_orderby_pages_in_order(emu, http, field):
    got = every(emu, http, {"$orderby": f"{field} desc"})
    key = {
        "DeletionDate": lambda e, d: d.date,
        "ContentDate/Start": lambda e, d: e.start,
        "ContentDate/End": lambda e, d: e.end,
    }[field]
    records = deleted(emu)
    assert len({key(*r) for r in records}) > 5
    # descending by the field, then the implicit secondary key Id ascending (§1.3)
    ordered = sorted(records, key=lambda r: r[0].id)
    ordered.sort(key=lambda r: key(*r), reverse=True)
    assert [r["Id"] for r in got] == [e.id for e, _ in ordered]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"$orderby": "PublicationDate"},
            "Invalid value: Invalid field name in the order by clause. "
            "Please use only 'asc' or 'desc' for sorting.",
        ),
        ({"$orderby": "DeletionDate sideways"}, "Invalid value: sideways"),
        ({"$expand": "Assets"}, "Expand parameter only accepts following values: Attributes."),
        ({"$select": "S3Path"}, "Invalid field in select: S3Path"),
    ],
)
def test_bad_options_are_400s(emu, http, params, message):
    answer = get(emu, http, "/DeletedProducts", params)
    assert answer.status_code == 400
    assert answer.json()["detail"]["message"] == message


@pytest.mark.parametrize("prop", ["Online eq true", "PublicationDate gt 2023-01-01"])
def test_properties_deleted_records_lack_are_refused_by_name(emu, http, prop):
    answer = get(emu, http, "/DeletedProducts", {"$filter": prop})
    assert answer.status_code == 400
    assert repr(prop.split()[0]) in answer.json()["detail"]["message"]


def test_paging_limits_and_unknown_ids(emu, http):
    assert get(emu, http, "/DeletedProducts", {"$top": "1001"}).status_code == 422
    assert get(emu, http, "/DeletedProducts", {"$skip": "10001"}).status_code == 422
    missing = get(emu, http, "/DeletedProducts(00000000-0000-4000-8000-000000000000)")
    assert missing.status_code == 404
    assert get(emu, http, "/DeletedProducts(not-a-uuid)").status_code == 422
    product = emu.catalogue.entries[0]  # listed, so not deleted
    assert get(emu, http, f"/DeletedProducts({product.id})").status_code == 404


def _token(emu: Emulator, http: requests.Session) -> str:
    answer = http.post(
        emu.endpoints.identity + "/protocol/openid-connect/token",
        data={
            "client_id": "cdse-public",
            "grant_type": "password",
            "username": emu.username,
            "password": emu.password,
        },
    )
    return answer.json()["access_token"]


def test_a_deleted_product_is_gone_from_every_service(emu, http):
    import boto3

    entry = next(e for e in emu.catalogue.materialised if e.name.startswith("S2"))
    env = emu.env()
    s3 = boto3.session.Session().client(
        "s3",
        endpoint_url=env["CDSE_S3_ENDPOINT"],
        aws_access_key_id=env["CDSE_S3_ACCESS_KEY"],
        aws_secret_access_key=env["CDSE_S3_SECRET_KEY"],
        region_name="default",
    )

    def in_s3() -> int:
        found = s3.list_objects_v2(Bucket="eodata", Prefix=entry.s3_key + "/", MaxKeys=1)
        return found["KeyCount"]

    def in_stac() -> int:
        found = http.get(emu.endpoints.stac + "/search", params={"ids": entry.stem})
        return len(found.json()["features"])

    value = f"{emu.endpoints.download}/Products({entry.id})/$value"
    headers = {"Authorization": f"Bearer {_token(emu, http)}"}
    assert get(emu, http, f"/Products({entry.id})").status_code == 200
    assert in_s3() == 1 and in_stac() == 1
    with http.get(value, headers=headers, stream=True) as before:
        assert before.status_code == 200

    with pytest.raises(ValueError, match="'Lost'"):
        emu.delete_product(entry.id, cause="Lost")
    emu.delete_product(entry.name, cause="Duplicated product")

    assert get(emu, http, f"/Products({entry.id})").status_code == 404
    names = get(emu, http, "/Products", {"$filter": f"Name eq '{entry.name}'"}).json()
    assert names["value"] == []
    assert in_s3() == 0 and in_stac() == 0
    assert http.get(value, headers=headers).status_code == 404
    record = get(emu, http, f"/DeletedProducts({entry.id})").json()
    assert (record["Name"], record["DeletionCause"]) == (entry.name, "Duplicated product")
    with pytest.raises(KeyError, match=entry.id):
        emu.delete_product(entry.id)


def test_a_reprocessed_product_is_replaced_by_a_newer_name(emu, http):
    old = [e for e in emu.catalogue.materialised if e.name.startswith("S2")][-1]
    new = emu.reprocess_product(old.id)
    assert new.name != old.name and new.id != old.id
    assert (new.start, new.end, new.footprint) == (old.start, old.end, old.footprint)
    assert new.name[:27] == old.name[:27]  # S2B_MSIL1C_<sensing>_
    assert int(new.name[28:32]) > int(old.name[28:32])  # the processing baseline
    listed = get(emu, http, f"/Products({new.id})", {"$expand": "Attributes"}).json()
    assert listed["Name"] == new.name and listed["ContentLength"] > 0
    baseline = next(a["Value"] for a in listed["Attributes"] if a["Name"] == "processingBaseline")
    assert baseline == f"{new.name[28:30]}.{new.name[30:32]}"
    flt = f"Name eq '{old.name}'"
    gone = get(emu, http, "/DeletedProducts", {"$filter": flt}).json()["value"]
    assert [(r["Id"], r["DeletionCause"]) for r in gone] == [(old.id, "Obsolete product or Other")]
    assert get(emu, http, f"/Products({old.id})").status_code == 404
    with pytest.raises(ValueError, match="cannot reprocess"):
        emu.reprocess_product(next(e.name for e in emu.catalogue if e.name.startswith("S5P")))
