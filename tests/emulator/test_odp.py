"""The emulated On-Demand Production API over plain HTTP: the documented shapes, the order's
life (queued -> in progress -> completed, the product online until evicted), the user's quota,
cancel, filters and errors."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from cdse_intake.emulator import Emulator
from cdse_intake.emulator.odp import order_book


@pytest.fixture(scope="module")
def odp():
    with Emulator(scale=0.02, deliver="all") as emu:
        yield emu


def call(url: str, token: str | None = None, body: object = None, method: str = "GET"):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def token(emu: Emulator, user: str) -> str:
    emu.add_account(user, "pw")
    form = urllib.parse.urlencode(
        {"client_id": "cdse-public", "grant_type": "password", "username": user, "password": "pw"}
    ).encode()
    url = f"{emu.endpoints.identity}/protocol/openid-connect/token"
    with urllib.request.urlopen(urllib.request.Request(url, data=form), timeout=10) as resp:
        return json.loads(resp.read())["access_token"]


def test_order_life_shapes_and_quota(odp):
    book = order_book(odp.state, odp.catalogue)
    book.delay, book.available_for, book.max_active = 0.1, 0.5, 1
    root = odp.endpoints.odp
    tok = token(odp, "odp1@example.org")
    first, second = [e for e in odp.catalogue if e.extra.get("fault") == "offline"][:2]
    body = {"Name": "mine", "InputProductReference": {"Reference": first.name}, "Priority": 1}
    status, created = call(f"{root}/ProductionOrder/OData.CSC.Order", tok, body, "POST")
    assert status == 201 and created["@odata.context"] == "$metadata#OData.CSC.Order"
    order = created["value"]
    assert order["Status"] == "queued" and order["Name"] == "mine" and order["Priority"] == 1
    assert order["InputProductReference"] == {"Reference": first.name, "ContentDate": None}
    assert order["SubmissionDate"].endswith("Z") and len(order["SubmissionDate"]) == 24
    # The quota: one order of offline data at a time (a Copernicus General user's).
    body2 = {"InputProductReference": {"Reference": second.name}}
    status, refused = call(f"{root}/ProductionOrder/OData.CSC.Order", tok, body2, "POST")
    assert status == 429 and "concurrent orders" in refused["detail"]["message"]
    time.sleep(0.12)
    assert (
        call(f"{root}/ProductionOrders({order['Id']})", tok)[1]["value"]["Status"] == "in progress"
    )
    time.sleep(0.12)
    status, done = call(f"{root}/ProductionOrders({order['Id']})", tok)
    assert done["value"]["Status"] == "completed" and done["value"]["EvictionDate"]
    assert odp.catalogue.by_id[first.id].online
    status, listed = call(f"{root}/ProductionOrders?$filter=Status%20eq%20completed", tok)
    assert [o["Id"] for o in listed["value"]] == [order["Id"]]
    assert call(f"{root}/ProductionOrders?$filter=Status%20eq%20'queued'", tok)[1]["value"] == []
    time.sleep(0.55)
    call(f"{root}/ProductionOrders", tok)  # the clock moves on when the book is read
    assert not odp.catalogue.by_id[first.id].online  # evicted again


def test_cancel_errors_and_users(odp):
    book = order_book(odp.state, odp.catalogue)
    book.delay, book.max_active = 5.0, 1
    root = odp.endpoints.odp
    tok, other = token(odp, "odp2@example.org"), token(odp, "odp3@example.org")
    entry = [e for e in odp.catalogue if e.extra.get("fault") == "offline"][5]
    online = next(e for e in odp.catalogue if e.online)
    url = f"{root}/ProductionOrder/OData.CSC.Order"
    assert call(url, None, {"InputProductReference": {"Reference": entry.name}}, "POST")[0] == 401
    assert call(url, tok, {"Priority": 1}, "POST")[0] == 422
    assert call(url, tok, {"InputProductReference": {"Reference": "nope"}}, "POST")[0] == 404
    status, body = call(url, tok, {"InputProductReference": {"Reference": online.name}}, "POST")
    assert status == 400 and "needs no order" in body["detail"]["message"]
    status, created = call(url, tok, {"InputProductReference": {"Reference": entry.id}}, "POST")
    ident = created["value"]["Id"]
    assert call(f"{root}/ProductionOrders({ident})", other)[0] == 404  # not another user's
    status, cancelled = call(f"{root}/ProductionOrder({ident})/OData.CSC.Cancel", tok, {}, "POST")
    assert status == 200 and cancelled["value"]["Status"] == "cancelled"
    status, again = call(f"{root}/ProductionOrder({ident})/OData.CSC.Cancel", tok, {}, "POST")
    assert status == 400 and "cannot cancel" in again["detail"]["message"]
    assert call(f"{root}/ProductionOrders?$filter=Bogus%20eq%201", tok)[0] == 400
    assert not odp.catalogue.by_id[entry.id].online
