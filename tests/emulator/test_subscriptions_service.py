"""The emulator's Subscriptions service over HTTP, as DOC-Subscriptions describes it: the
entity, the limits, PULL Read/Ack, PUSH delivery with credentials and retries, and
``Emulator.publish`` making a new product searchable, downloadable and notified."""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from cdse_intake.emulator import Emulator
from cdse_intake.emulator.subscriptions import store_for


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    emulator = Emulator(scale=0.02, deliver="all").start()
    store = store_for(emulator.catalogue)
    store.push_retry_delay = 0.05
    store.push_timeout = 2.0
    yield emulator
    emulator.stop()


def _token(emu: Emulator, username: str | None = None, password: str | None = None) -> str:
    data = urllib.parse.urlencode(
        {
            "client_id": "cdse-public",
            "grant_type": "password",
            "username": username or emu.username,
            "password": password or emu.password,
        }
    ).encode()
    with urllib.request.urlopen(emu.urls.identity + "/protocol/openid-connect/token", data) as r:
        return json.load(r)["access_token"]


class Client:
    def __init__(self, emu: Emulator, token: str | None) -> None:
        self.root = emu.urls.catalogue
        self.token = token

    def __call__(self, method: str, path: str, body: object = None) -> tuple[int, object]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.root + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request) as resp:
                raw = resp.read()
                return resp.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")


@pytest.fixture
def call(emu: Emulator) -> Iterator[Client]:
    client = Client(emu, _token(emu))
    yield client
    _, found = client("GET", "/Subscriptions/Info")
    for sub in found or []:
        client("DELETE", f"/Subscriptions({sub['Id']})")


def _l2a(emu: Emulator):
    return next(
        e
        for e in emu.catalogue
        if e.product_type == "S2MSI2A" and e.family and not e.extra.get("metadata_only")
    )


def _tile_filter(entry) -> str:
    tile = entry.attribute("tileId")
    return (
        "Collection/Name eq 'SENTINEL-2' and Attributes/OData.CSC.StringAttribute/any("
        f"att:att/Name eq 'tileId' and att/OData.CSC.StringAttribute/Value eq '{tile}')"
    )


def test_create_get_list_patch_delete(call):
    status, sub = call("POST", "/Subscriptions", {"FilterParam": "Collection/Name eq 'SENTINEL-1'"})
    assert status == 201
    assert list(sub) == [
        "Id", "FilterParam", "StageOrder", "Priority", "Status", "SubscriptionEvent",
        "SubmissionDate", "@odata.context",
    ]  # fmt: skip
    assert (sub["Status"], sub["Priority"], sub["SubscriptionEvent"]) == ("running", 1, ["created"])
    assert sub["@odata.context"] == "$metadata#OData.CSC.Subscription"
    assert call("GET", f"/Subscriptions({sub['Id']})") == (200, sub)
    assert call("GET", "/Subscriptions/Info") == (200, [sub])
    status, paused = call("PATCH", f"/Subscriptions({sub['Id']})", {"Status": "paused"})
    assert (status, paused["Status"]) == (200, "paused")
    assert call("DELETE", f"/Subscriptions({sub['Id']})") == (204, None)
    status, body = call("GET", f"/Subscriptions({sub['Id']})")
    assert status == 404
    assert body["detail"]["message"] == f"Subscription with id {sub['Id']} not found."


def test_patch_cancelled_deletes(call):
    _, sub = call("POST", "/Subscriptions", {})
    assert sub["FilterParam"] == ""  # none given: every new product
    assert call("PATCH", f"/Subscriptions({sub['Id']})", {"Status": "cancelled"})[0] == 204
    assert call("GET", "/Subscriptions/Info") == (200, [])


def test_the_limits_one_running_ten_in_all(call):
    assert call("POST", "/Subscriptions", {})[0] == 201
    status, body = call("POST", "/Subscriptions", {})
    assert status == 400 and "1 running" in body["detail"]["message"]
    for _ in range(9):
        assert call("POST", "/Subscriptions", {"Status": "paused"})[0] == 201
    status, body = call("POST", "/Subscriptions", {"Status": "paused"})
    assert status == 400 and "10 subscriptions" in body["detail"]["message"]
    _, subs = call("GET", "/Subscriptions/Info")
    paused = next(s for s in subs if s["Status"] == "paused")
    status, body = call("PATCH", f"/Subscriptions({paused['Id']})", {"Status": "running"})
    assert status == 400 and "1 running" in body["detail"]["message"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"FilterParam": "Name eq"}, 400, "Invalid filter"),
        ({"FilterParam": "Nonsense eq 1"}, 400, "Nonsense"),
        ({"Status": "sleeping"}, 422, "Invalid Status"),
        ({"SubscriptionEvent": ["deleted"]}, 422, "SubscriptionEvent"),
        ({"NotificationEndpoint": "ftp://x"}, 422, "NotificationEndpoint"),
        ({"NotificationEndpoint": "https://example.org/n"}, 400, "loopback"),
        ({"Colour": 1}, 422, "Colour"),
    ],
)
def test_bad_bodies(call, body, status, words):
    answer_status, answer = call("POST", "/Subscriptions", body)
    assert answer_status == status
    assert words in answer["detail"]["message"]


def test_every_endpoint_needs_a_token_and_sees_only_its_users_subscriptions(emu, call):
    _, sub = call("POST", "/Subscriptions", {})
    anonymous = Client(emu, None)
    assert anonymous("GET", "/Subscriptions/Info")[0] == 401
    assert anonymous("POST", "/Subscriptions", {})[0] == 401
    emu.add_account("other@example.org", "secret-pw-1")
    other = Client(emu, _token(emu, "other@example.org", "secret-pw-1"))
    assert other("GET", "/Subscriptions/Info") == (200, [])
    assert other("GET", f"/Subscriptions({sub['Id']})")[0] == 404
    assert other("DELETE", f"/Subscriptions({sub['Id']})")[0] == 404


def test_pull_sees_what_is_published_after_and_matches(emu, call):
    template = _l2a(emu)
    before = emu.publish(template.id)  # published before the subscription: never notified
    _, sub = call("POST", "/Subscriptions", {"FilterParam": _tile_filter(template)})
    sid = sub["Id"]
    other = next(e for e in emu.catalogue if e.product_type == "IW_GRDH_1S" and e.family)
    emu.publish(other.id)  # does not match the filter
    new = emu.publish(template.id)
    status, notes = call("GET", f"/Subscriptions({sid})/Read?$top=20")
    assert status == 200 and [n["ProductId"] for n in notes] == [new.id]
    note = notes[0]
    assert list(note)[:7] == [
        "@odata.context", "SubscriptionEvent", "ProductId", "ProductName", "SubscriptionId",
        "NotificationDate", "AckId",
    ]  # fmt: skip
    assert (note["ProductName"], note["SubscriptionId"]) == (new.name, sid)
    assert base64.b64decode(note["AckId"]).decode().endswith(f":{sid}")
    assert note["value"]["Id"] == new.id and note["value"]["Attributes"]
    assert before.id != new.id
    # The new product is a product like any other: searchable and downloadable.
    status, record = call("GET", f"/Products({new.id})")
    assert status == 200 and record["Name"] == new.name
    # Read does not remove; Ack does, with every notification before it.
    assert call("GET", f"/Subscriptions({sid})/Read")[1] == notes[:1]
    status, acked = call("POST", f"/Subscriptions({sid})/Ack?$ackid={note['AckId']}")
    assert status == 200
    assert acked == {
        "@odata.context": "$metadata#Notification/$entity",
        "AckMessagesNum": 1,
        "CurrentQueueLength": 0,
        "MaxQueueLength": 100000,
    }
    assert call("GET", f"/Subscriptions({sid})/Read?$top=5") == (200, [])


def test_paused_subscriptions_are_not_fed_and_ack_takes_earlier_ones(emu, call):
    template = _l2a(emu)
    _, sub = call("POST", "/Subscriptions", {"FilterParam": _tile_filter(template)})
    sid = sub["Id"]
    call("PATCH", f"/Subscriptions({sid})", {"Status": "paused"})
    emu.publish(template.id)
    assert call("GET", f"/Subscriptions({sid})/Read?$top=5") == (200, [])
    call("PATCH", f"/Subscriptions({sid})", {"Status": "running"})
    ids = [emu.publish(template.id).id for _ in range(3)]
    _, notes = call("GET", f"/Subscriptions({sid})/Read?$top=3")
    assert [n["ProductId"] for n in notes] == ids
    _, acked = call("POST", f"/Subscriptions({sid})/Ack?$ackid={notes[1]['AckId']}")
    assert (acked["AckMessagesNum"], acked["CurrentQueueLength"]) == (2, 1)


@pytest.mark.parametrize(("top", "kind"), [("21", "less_than_equal"), ("0", "greater_than_equal"),
                                           ("x", "int_parsing")])  # fmt: skip
def test_read_top_is_1_to_20(call, top, kind):
    _, sub = call("POST", "/Subscriptions", {})
    status, body = call("GET", f"/Subscriptions({sub['Id']})/Read?$top={top}")
    assert status == 422 and body["detail"][0]["type"] == kind


def test_ack_needs_a_known_ackid(call):
    _, sub = call("POST", "/Subscriptions", {})
    assert call("POST", f"/Subscriptions({sub['Id']})/Ack")[0] == 422
    assert call("POST", f"/Subscriptions({sub['Id']})/Ack?$ackid=bm9wZQ==")[0] == 400


class _Endpoint(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str | None, dict]]] = []
    failures = 0

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if type(self).failures > 0:
            type(self).failures -= 1
            self.send_response(503)
        else:
            type(self).received.append((self.headers.get("Authorization"), body))
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[str]:
    _Endpoint.received = []
    _Endpoint.failures = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/notify"
    server.shutdown()
    server.server_close()


def _wait(condition, seconds: float = 5.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def test_push_posts_with_the_endpoints_credentials_and_retries(emu, call, endpoint):
    template = _l2a(emu)
    body = {
        "FilterParam": _tile_filter(template),
        "NotificationEndpoint": endpoint,
        "NotificationEpUsername": "hook",
        "NotificationEpPassword": "hook-secret",
    }
    status, sub = call("POST", "/Subscriptions", body)
    assert status == 201 and sub["NotificationEndpoint"] == endpoint
    assert "hook-secret" not in json.dumps(sub) and "NotificationEpPassword" not in sub
    assert call("GET", f"/Subscriptions({sub['Id']})/Read")[0] == 400  # push: no queue
    _Endpoint.failures = 2  # unavailable twice: the third attempt delivers
    new = emu.publish(template.id)
    _wait(lambda: _Endpoint.received)
    auth, note = _Endpoint.received[0]
    assert auth == "Basic " + base64.b64encode(b"hook:hook-secret").decode()
    assert (note["ProductId"], note["SubscriptionId"]) == (new.id, sub["Id"])
    assert "AckId" not in note and note["value"]["Name"] == new.name
    store = store_for(emu.catalogue)
    _wait(lambda: any(p["product"] == new.id for p in store.pushes))
    outcome = next(p for p in store.pushes if p["product"] == new.id)
    assert (outcome["attempts"], outcome["delivered"]) == (3, True)


def test_push_gives_up_after_three_retries(emu, call, endpoint):
    template = _l2a(emu)
    body = {"FilterParam": _tile_filter(template), "NotificationEndpoint": endpoint}
    call("POST", "/Subscriptions", body)
    _Endpoint.failures = 10
    new = emu.publish(template.id)
    store = store_for(emu.catalogue)
    _wait(lambda: any(p["product"] == new.id for p in store.pushes))
    outcome = next(p for p in store.pushes if p["product"] == new.id)
    assert (outcome["attempts"], outcome["delivered"], outcome["status"]) == (4, False, 503)
    assert _Endpoint.received == []


def test_publish_refuses_what_it_cannot_model(emu):
    with pytest.raises(KeyError, match="no product"):
        emu.publish("S2X_NOT_A_PRODUCT")
    with pytest.raises(ValueError, match="already in the catalogue"):
        emu.publish(_l2a(emu))
    with pytest.raises(TypeError, match="Entry or a product id"):
        emu.publish(42)
