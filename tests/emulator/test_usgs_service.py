"""The emulator's USGS M2M API, spoken to directly: the envelope of every answer, its error
codes (bad credentials, no key, expired key, rate limit, unknown dataset, bad filters, unknown
endpoint), download requests that are prepared then available, and the bundle files."""

from __future__ import annotations

import io
import json
import tarfile
import time
import urllib.error
import urllib.request

import pytest

from cdse_intake.emulator import Emulator

ENVELOPE = {"requestId", "version", "sessionId", "data", "errorCode", "errorMessage"}


@pytest.fixture(scope="module")
def emu():
    with Emulator(scale=0.1, deliver="all", s3=False) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _reset(emu):
    yield
    emu.usgs.rate_limit = (30, 1.0)
    emu.usgs.preparation_delay = 0.0


def call(emu, endpoint, payload, key=None, raw=None):
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = {"X-Auth-Token": key} if key else {}
    req = urllib.request.Request(f"{emu.endpoints.usgs}/{endpoint}", data=body, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, answer = resp.status, json.load(resp)
    except urllib.error.HTTPError as err:
        status, answer = err.code, json.load(err)
    assert set(answer) == ENVELOPE and answer["version"] == "stable"
    return status, answer


def login(emu):
    _, answer = call(emu, "login-token", {"username": emu.usgs_username, "token": emu.usgs_token})
    assert answer["errorCode"] is None and isinstance(answer["data"], str)
    return answer["data"]


def test_login_and_its_refusals(emu):
    login(emu)
    _, bad = call(emu, "login-token", {"username": emu.usgs_username, "token": "nope"})
    assert (bad["errorCode"], bad["data"]) == ("AUTH_INVALID", None)
    token = emu.usgs.add_account("no-m2m-user", m2m=False)
    _, refused = call(emu, "login-token", {"username": "no-m2m-user", "token": token})
    assert refused["errorCode"] == "AUTH_UNAUTHROIZED"  # [sic], as the real service spells it
    status, broken = call(emu, "login-token", None, raw=b"{not json")
    assert (status, broken["errorCode"]) == (200, "INPUT_FORMAT")


def test_calls_need_a_live_key(emu):
    _, none = call(emu, "dataset-search", {})
    assert none["errorCode"] == "AUTH_KEY_INVALID"
    key = login(emu)
    assert call(emu, "dataset-search", {}, key)[1]["errorCode"] is None
    emu.usgs.expire_keys()
    assert call(emu, "dataset-search", {}, key)[1]["errorCode"] == "AUTH_KEY_INVALID"
    key = login(emu)
    call(emu, "logout", {}, key)
    assert call(emu, "dataset-search", {}, key)[1]["errorCode"] == "AUTH_KEY_INVALID"


def test_the_rate_limit_answers_rate_limit(emu):
    key = login(emu)
    emu.usgs.rate_limit = (3, 60.0)
    codes = [call(emu, "dataset-search", {}, key)[1]["errorCode"] for _ in range(5)]
    assert codes == [None, None, None, "RATE_LIMIT", "RATE_LIMIT"]


def test_searches_and_their_errors(emu):
    key = login(emu)
    _, page = call(emu, "scene-search", {"datasetName": "landsat_tm_c2_l1", "maxResults": 1}, key)
    data = page["data"]
    assert data["recordsReturned"] == 1 and data["totalHits"] >= 2 and data["nextRecord"] == 2
    (scene,) = data["results"]
    assert scene["displayId"].startswith("LT05_L1") and scene["entityId"].startswith("LT5")
    assert {m["fieldName"] for m in scene["metadata"]} >= {"WRS Path", "WRS Row"}
    _, unknown = call(emu, "scene-search", {"datasetName": "landsat_x"}, key)
    assert unknown["errorCode"] == "DATASET_INVALID" and "landsat_x" in unknown["errorMessage"]
    for bad in (
        {"cloudCoverFilter": {"min": 50, "max": 10}},
        {"acquisitionFilter": {"start": "yesterday", "end": "2020-01-01"}},
        {"spatialFilter": {"filterType": "mbr", "lowerLeft": {"latitude": 99}}},
        {"metadataFilter": {"filterType": "value", "filterId": "nope", "value": "1"}},
    ):
        payload = {"datasetName": "landsat_ot_c2_l1", "sceneFilter": bad}
        assert call(emu, "scene-search", payload, key)[1]["errorCode"] == "INPUT_PARAMETER_INVALID"
    status, missing = call(emu, "no-such-endpoint", {}, key)
    assert (status, missing["errorCode"]) == (404, "NOT_FOUND")


def test_a_download_is_prepared_then_available_and_served_with_ranges(emu):
    key = login(emu)
    emu.usgs.preparation_delay = 0.5
    _, page = call(emu, "scene-search", {"datasetName": "landsat_ot_c2_l1"}, key)
    scene = page["data"]["results"][0]
    ids = [scene["entityId"]]
    _, options = call(
        emu, "download-options", {"datasetName": "landsat_ot_c2_l1", "entityIds": ids}, key
    )
    (option,) = options["data"]
    assert option["available"] and "Bundle" in option["productName"] and option["filesize"] > 0
    request = {"downloads": [{"entityId": ids[0], "productId": option["id"]}], "label": "t1"}
    _, asked = call(emu, "download-request", request, key)
    assert (
        asked["data"]["availableDownloads"] == [] and len(asked["data"]["preparingDownloads"]) == 1
    )
    _, pending = call(emu, "download-retrieve", {"label": "t1"}, key)
    assert pending["data"]["available"] == [] and pending["data"]["requested"][0]["url"] is None
    time.sleep(0.6)
    _, ready = call(emu, "download-retrieve", {"label": "t1"}, key)
    (row,) = ready["data"]["available"]
    assert row["entityId"] == ids[0] and row["statusText"] == "Available"
    with urllib.request.urlopen(row["url"], timeout=30) as resp:
        data = resp.read()
        assert int(resp.headers["Content-Length"]) == len(data) == option["filesize"]
    part = urllib.request.Request(row["url"], headers={"Range": "bytes=1000-"})
    with urllib.request.urlopen(part, timeout=30) as resp:
        assert resp.status == 206 and resp.read() == data[1000:]
    entry = next(e for e in emu.catalogue.entries if e.name == scene["displayId"])
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        assert sorted(tar.getnames()) == sorted(entry.payload.files)
        member = f"{entry.name}_MTL.txt"
        assert tar.extractfile(member).read() == entry.payload.files[member]
    _, failed = call(
        emu, "download-request", {"downloads": [{"entityId": "x", "productId": "y"}]}, key
    )
    assert failed["data"]["numInvalidScenes"] == 1
