"""The emulated ``/odata/v1/Bursts`` (cdse-api.md §1.9): the recorded entity's shape, ESA's burst
ids, filters against a brute-force pass over the burst list, paging, errors, and the
authenticated, redirected, ranged extraction."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime

import pytest
import requests
import shapely

from cdse_intake.emulator import Emulator
from cdse_intake.emulator.bursts.records import esa_burst_id, table_for
from cdse_intake.emulator.products import sentinel1_slc as slc

SAMPLE = "samples/api/eu-cdse-documentation/odata_bursts_entity.json"


@pytest.fixture(scope="module")
def emu():
    with Emulator(scale=0.02, deliver="all") as emulator:
        yield emulator


@pytest.fixture(scope="module")
def bursts(emu):
    return table_for(emu.catalogue).bursts


@pytest.fixture(scope="module")
def token(emu):
    answer = requests.post(
        f"{emu.endpoints.identity}/protocol/openid-connect/token",
        data={
            "client_id": "cdse-public",
            "grant_type": "password",
            "username": emu.username,
            "password": emu.password,
        },
        timeout=30,
    )
    return answer.json()["access_token"]


def _get(emu, path: str = "/Bursts", **params) -> requests.Response:
    return requests.get(f"{emu.endpoints.catalogue}{path}", params=params, timeout=60)


def _us(text: str) -> int:
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return int((when - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1e6)


def test_the_entity_has_the_recorded_keys_in_order_and_types(emu, bursts, reference_dir):
    sample = json.loads((reference_dir / SAMPLE).read_text())
    answer = _get(emu, f"/Bursts({bursts[0].id})")
    assert answer.status_code == 200
    mine = answer.json()
    assert list(mine) == list(sample)
    assert mine["@odata.context"] == "$metadata#Bursts/$entity"
    for key, value in sample.items():
        assert type(mine[key]) is type(value), key
    assert list(mine["ContentDate"]) == ["Start", "End"]
    assert re.fullmatch(r"S1[AB]-SLC-\d{8}T\d{6}-\d+-(IW|EW)\d-(VV|VH|HH|HV)-\d{6}", mine["Name"])
    assert mine["S3Path"].startswith(bursts[0].parent.s3_path + "/measurement/")
    assert mine["Footprint"].startswith("geography'SRID=4326;POLYGON ((")


def test_esa_burst_ids_reproduce_the_recorded_sample():
    # The sample: AzimuthAnxTime of the burst's first line, 1508 lines at IW's interval.
    middle = 2120.883319884 + 1508 / 2 * 0.002055556
    assert esa_burst_id(middle, 8) == 15805
    assert esa_burst_id(middle, 55030) == 118199091


def test_records_agree_with_the_parent_annotation(bursts):
    parent = next(b.parent for b in bursts if b.parent.product_type == "IW_SLC__1S")
    files = slc.build_slc(parent)
    mine = [b for b in bursts if b.parent is parent]
    assert len(mine) == sum(s.bursts for s in slc.SWATHS.values()) * 2  # VV and VH
    for burst in mine:
        stem = burst.s3_path.rsplit("/", 1)[1].removesuffix(".tiff")
        text = files[f"annotation/{stem}.xml"].decode()
        found = re.findall(
            r"<azimuthTime>([^<]+)</azimuthTime>\s*<azimuthAnxTime>([^<]+)</azimuthAnxTime>"
            r".*?<byteOffset>(\d+)</byteOffset>.*?<burstId absolute=\"(\d+)\">(\d+)</burstId>",
            text,
            re.DOTALL,
        )[burst.index]
        when, anx, offset, absolute, relative = found
        assert burst.azimuth_time.replace(tzinfo=None).isoformat() == when
        assert burst.azimuth_anx_time == pytest.approx(float(anx), abs=1e-6)
        assert (burst.byte_offset, burst.absolute_burst_id, burst.burst_id) == (
            int(offset),
            int(absolute),
            int(relative),
        )


def _all(emu, flt: str) -> set[str]:
    ids: set[str] = set()
    skip = 0
    while True:
        page = _get(emu, **{"$filter": flt, "$top": "1000", "$skip": str(skip)}).json()
        ids |= {r["Id"] for r in page["value"]}
        if len(page["value"]) < 1000:
            return ids
        skip += 1000


def _filters(bursts):
    one = bursts[len(bursts) // 2]
    start = one.start.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    area = shapely.Polygon(one.footprint).centroid.buffer(0.2)
    two, orbit = ("IW2", "EW5"), one.relative_orbit
    return [
        (f"BurstId eq {one.burst_id}", lambda b: b.burst_id == one.burst_id),
        (
            f"BurstId eq {one.burst_id} and SwathIdentifier eq '{one.swath}' and "
            f"ParentProductType eq '{one.parent.product_type}' and PolarisationChannels eq "
            f"'{one.polarisation}' and OrbitDirection eq '{one.direction}'",
            lambda b: (b.burst_id, b.swath, b.parent.product_type, b.polarisation, b.direction)
            == (one.burst_id, one.swath, one.parent.product_type, one.polarisation, one.direction),
        ),
        ("SwathIdentifier eq 'IW2' or SwathIdentifier eq 'EW5'", lambda b: b.swath in two),
        (f"RelativeOrbitNumber ge {orbit}", lambda b: b.relative_orbit >= orbit),
        (f"ContentDate/Start lt {start}", lambda b: b.start < one.start),
        (f"ContentDate/End ge '{start}'", lambda b: b.end >= one.start),
        ("not (PolarisationChannels eq 'VV')", lambda b: b.polarisation != "VV"),
        (f"ParentProductName eq '{one.parent.name}'", lambda b: b.parent is one.parent),
        (f"ParentProductId eq {one.parent.id}", lambda b: b.parent is one.parent),
        (f"Id eq '{one.id}' or BurstId lt 0", lambda b: b is one),
        (f"contains(Name,'-{one.swath}-')", lambda b: f"-{one.swath}-" in b.name),
        (
            f"OData.CSC.Intersects(area=geography'SRID=4326;{area.wkt}')",
            lambda b: shapely.Polygon(b.footprint).intersects(area),
        ),
    ]  # fmt: skip


def test_filters_match_a_brute_force_pass(emu, bursts):
    for flt, wanted in _filters(bursts):
        expected = {b.id for b in bursts if wanted(b)}
        assert expected, flt  # each filter finds something
        assert _all(emu, flt) == expected, flt


def test_paging_count_order_and_links(emu, bursts):
    first = _get(emu, **{"$top": "7", "$count": "true", "$orderby": "ContentDate/Start desc"})
    body = first.json()
    assert list(body) == ["@odata.context", "@odata.count", "value", "@odata.nextLink"]
    assert body["@odata.context"] == "$metadata#Bursts" and body["@odata.count"] == len(bursts)
    assert "%24skip=7" in body["@odata.nextLink"]
    seen = [r["Id"] for r in body["value"]]
    nxt = requests.get(body["@odata.nextLink"], timeout=60).json()
    seen += [r["Id"] for r in nxt["value"]]
    starts = sorted(((b.start, b.id) for b in bursts), key=lambda x: x[0], reverse=True)
    assert len(set(seen)) == 14
    expected = [b for _, b in starts]
    assert [_us(r["ContentDate"]["Start"]) for r in body["value"]] == sorted(
        (_us(r["ContentDate"]["Start"]) for r in body["value"]), reverse=True
    )
    assert seen[0] in expected[:3]
    assert len(_get(emu).json()["value"]) == 20  # default $top
    assert "@odata.nextLink" not in _get(emu, **{"$top": "0"}).json()


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"$filter": "Foo eq 1"}, 400, "unknown property 'Foo'"),
        ({"$filter": "BurstId eq '15804'"}, 400, "BurstId is a number"),
        ({"$filter": "SwathIdentifier eq IW1"}, 400, "Invalid filter"),
        ({"$filter": "ContentDate/Start gt 2024-13-01"}, 400, "invalid datetime"),
        ({"$filter": "Attributes/any(a:a/Name eq 'x')"}, 400, "Invalid filter"),
        ({"$top": "1001"}, 422, "less than or equal to 1000"),
        ({"$top": "-1"}, 422, "greater than or equal to 0"),
        ({"$skip": "10001"}, 422, "less than or equal to 10000"),
        ({"$orderby": "PublicationDate"}, 400, "Invalid field name in the order by"),
        ({"$expand": "Attributes"}, 400, "Invalid query parameter: $expand"),
    ],
)
def test_bad_requests_are_the_products_endpoint_errors(emu, params, status, words):
    answer = _get(emu, **params)
    assert answer.status_code == status
    assert words in answer.text
    if status == 400:
        assert set(answer.json()["detail"]) == {"message", "request_id"}
    else:
        assert answer.json()["detail"][0]["loc"][0] == "query"


def test_one_burst_errors(emu):
    assert _get(emu, "/Bursts(not-a-uuid)").status_code == 422
    unknown = _get(emu, "/Bursts(0badc0de-0000-4000-8000-000000000000)")
    assert unknown.status_code == 404 and "request_id" in unknown.json()["detail"]


def test_extraction_redirects_needs_the_token_and_serves_ranges(emu, bursts, token):
    burst = next(b for b in bursts if b.swath == "IW2")
    url = f"{emu.endpoints.catalogue}/Bursts({burst.id})/$value"
    first = requests.post(url, allow_redirects=False, timeout=60)
    assert first.status_code == 307
    location = first.headers["Location"]
    assert location.startswith(emu.endpoints.download) and location != url
    anonymous = requests.post(location, timeout=60)
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "DAT-ZIP-604"
    auth = {"Authorization": f"Bearer {token}"}
    whole = requests.post(location, headers=auth, timeout=120)
    assert whole.status_code == 200
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-disposition"] == f"attachment; filename={burst.name}.zip"
    names = zipfile.ZipFile(io.BytesIO(whole.content)).namelist()
    root = f"{burst.name}.SAFE/"
    assert all(n.startswith(root) for n in names)
    assert {n.removeprefix(root).split("/")[0] for n in names} == {
        "manifest.safe",
        "annotation",
        "measurement",
    }
    assert len([n for n in names if n.endswith(".xml")]) == 3  # annotation, calibration, noise
    part = requests.post(location, headers={**auth, "Range": "bytes=100-"}, timeout=60)
    assert part.status_code == 206 and part.content == whole.content[100:]
    assert (
        part.headers["Content-Range"] == f"bytes 100-{len(whole.content) - 1}/{len(whole.content)}"
    )
    past = requests.post(location, headers={**auth, "Range": f"bytes={len(whole.content)}-"})
    assert past.status_code == 416
    assert (
        requests.post(
            f"{emu.endpoints.catalogue}/Bursts(0badc0de-0000-4000-8000-000000000000)/$value",
            allow_redirects=False,
            timeout=60,
        ).status_code
        == 404
    )
