"""Orders of offline products end to end on the emulator: order, wait, download, verify;
the job file across a restart; cancel; failed and expired orders; the quota; bad input."""

from __future__ import annotations

import asyncio
import itertools
import json

import pytest

from cdse_intake import download
from cdse_intake.config import Endpoints, Settings
from cdse_intake.downloads.keys import lookup_products
from cdse_intake.downloads.orders import (
    OrderExpired,
    OrderFailed,
    OrderRefused,
    OrderTimeout,
    cancel_order,
    list_orders,
    order,
)
from cdse_intake.emulator import Emulator
from cdse_intake.emulator.odp import order_book
from cdse_intake.emulator.odp.book import set_online
from cdse_intake.errors import ConfigurationError, ProductNotFound, ServiceError
from cdse_intake.manifest import ManifestRow, write_manifest

DELAY = 0.1  # seconds per order stage (queued, in progress)
_users = itertools.count()


@pytest.fixture(scope="module")
def emu():
    with Emulator(scale=0.02, deliver="all") as emu:
        book = order_book(emu.state, emu.catalogue)
        book.delay = DELAY
        yield emu


@pytest.fixture(scope="module")
def offline(emu):
    """Offline products with a writer, handed out one by one (an order puts one online): the
    catalogue's offline share, then small orbit files taken offline (as the LTA holds them)."""
    faulty = [e for e in emu.catalogue if e.extra.get("fault") == "offline" and e.family]
    small = [
        e
        for e in emu.catalogue
        if e.online and e.family and e.product_type.startswith("AUX_") and not e.extra.get("fault")
    ][:12]
    for entry in small:
        set_online(emu.catalogue, entry, False, entry.eviction)
    return iter([emu.catalogue.by_id[e.id] for e in small] + faulty)


@pytest.fixture
def book(emu):
    book = order_book(emu.state, emu.catalogue)
    book.delay, book.max_active, book.available_for = DELAY, 1, 3600.0
    return book


@pytest.fixture
def ctx(emu, tmp_path):
    """Endpoints, a fresh cache and a fresh account (quotas are per account)."""
    user = f"orders{next(_users)}@example.org"
    emu.add_account(user, "pw")
    return {
        "endpoints": emu.endpoints,
        "settings": Settings(cache_dir=tmp_path / "cache"),
        "credentials": (user, "pw"),
    }


def posts(emu) -> int:
    return len(
        emu.state.requests(method="POST", path="/odp/odata/v1/ProductionOrder/OData.CSC.Order")
    )


def test_ordered_waited_downloaded_and_verified(emu, offline, ctx, book):
    entry = next(offline)
    other = next(e for e in emu.catalogue if e.online and e.family == entry.family)
    book.delay = 0.3
    report = download([entry.id, other.id], order_offline=True, progress=False, **ctx)
    log = list(emu.state.log)
    fetched = [i for i, r in enumerate(log) if other.id in r.path and r.path.endswith("$value")]
    polls = [i for i, r in enumerate(log) if r.path.startswith("/odp/odata/v1/ProductionOrders(")]
    assert fetched and polls and fetched[0] < polls[-1]  # the online one was not held up
    by_id = {o.id: o for o in report}
    assert by_id[entry.id].status == "verified", by_id[entry.id].reason
    assert by_id[entry.id].reason.startswith("ordered (order ")
    assert by_id[entry.id].algorithm in ("BLAKE3", "MD5")
    assert by_id[other.id].status in ("verified", "skipped")
    assert emu.catalogue.by_id[entry.id].online  # online until its EvictionDate


def test_download_without_ordering_still_fails_offline(offline, ctx):
    entry = next(offline)
    (outcome,) = download([entry.id], progress=False, **ctx)
    assert outcome.status == "failed" and outcome.error == "ProductOffline"


def test_job_file_resumes_after_restart_without_ordering_twice(emu, offline, ctx, book):
    entry = next(offline)
    before = posts(emu)
    (first,) = order([entry.name], **ctx)  # a process places the order, then "dies"
    assert first.status == "queued" and first.id
    assert posts(emu) == before + 1
    # A new process object with the same cache finds the order and keeps waiting for it.
    (again,) = order([entry.name], **ctx)
    assert again.id == first.id
    (done,) = order([entry.name], wait=True, timeout=10, **ctx)
    assert done.status == "completed" and done.id == first.id
    assert posts(emu) == before + 1
    records = list((ctx["settings"].cache_dir / "orders").glob("*.json"))
    assert len(records) == 1
    text = records[0].read_text()
    assert json.loads(text)["id"] == first.id and "pw" not in text


def test_wait_on_the_order_object(offline, ctx, book):
    (placed,) = order([next(offline).id], **ctx)
    assert placed.wait(timeout=10).status == "completed"
    assert "pw" not in repr(placed)


def test_quota_keeps_orders_pending_locally(emu, offline, ctx, book):
    entries = [next(offline), next(offline)]
    placed = order([e.id for e in entries], **ctx)
    assert [o.status for o in placed] == ["queued", "pending"]
    done = order([e.id for e in entries], wait=True, timeout=20, **ctx)
    assert [o.status for o in done] == ["completed", "completed"]
    mine = [o for o in book.orders.values() if o.user == ctx["credentials"][0]]
    assert len(mine) == 2  # each placed once, one at a time


def test_quota_reached_on_the_service(emu, offline, ctx, book):
    book.delay = 5.0  # the first order stays queued
    (first,) = order([next(offline).id], **ctx)
    # Another cache (another machine) of the same account: the service refuses with 429.
    other = dict(ctx, settings=Settings(cache_dir=ctx["settings"].cache_dir.parent / "other"))
    (waiting,) = order([next(offline).id], **other)
    assert waiting.status == "pending" and "concurrent orders" in waiting.message
    with pytest.raises(OrderTimeout, match="not completed within"):
        order([waiting.product_id], wait=True, timeout=0.05, **other)
    cancel_order(first.id, **ctx)
    book.delay = DELAY
    (done,) = order([waiting.product_id], wait=True, timeout=10, **other)
    assert done.status == "completed"


def test_cancel(emu, offline, ctx, book):
    book.delay = 5.0
    (placed,) = order([next(offline).id], **ctx)
    cancelled = placed.cancel()
    assert cancelled.status == "cancelled"
    with pytest.raises(OrderFailed, match="cancelled"):
        placed.wait(timeout=5)
    listed = list_orders("cancelled", **ctx)
    assert [o.id for o in listed] == [placed.id]
    with pytest.raises(OrderRefused, match="already ended"):
        cancel_order(placed.id, **ctx)


def test_failed_order(emu, offline, ctx, book):
    entry = next(offline)
    book.fail(entry.id, "L0 input not retrievable from the LTA")
    with pytest.raises(OrderFailed, match="L0 input not retrievable"):
        order([entry.id], wait=True, timeout=10, **ctx)
    (outcome,) = download([entry.id], order_offline=True, progress=False, **ctx)
    assert outcome.status == "failed" and outcome.error == "OrderFailed"


def test_expired_output_fails_clearly(emu, offline, ctx, book):
    book.available_for = 0.0  # evicted as soon as produced: before any download
    entry = next(offline)
    (outcome,) = download([entry.id], order_offline=True, progress=False, **ctx)
    assert outcome.status == "failed" and outcome.error == "OrderExpired"
    assert "evicted" in outcome.reason and "ordered (order" in outcome.reason


def test_bad_input_before_any_order(emu, ctx, book):
    before = posts(emu)
    online = next(e for e in emu.catalogue if e.online and e.family)
    with pytest.raises(OrderRefused, match="needs no order"):
        order([online.id], **ctx)
    with pytest.raises(ProductNotFound, match="no-such-product"):
        order(["no-such-product"], **ctx)
    with pytest.raises(ConfigurationError, match="max_orders"):
        order([online.id], max_orders=0, **ctx)
    with pytest.raises(ConfigurationError, match="status"):
        list_orders("done", **ctx)
    with pytest.raises(ConfigurationError, match="order id"):
        cancel_order(" ", **ctx)
    assert posts(emu) == before


def test_expired_is_a_failed_order():
    assert issubclass(OrderExpired, OrderFailed) and issubclass(OrderExpired, FileNotFoundError)


def test_nonsense_status_from_the_service_is_a_clear_error(emu, offline, ctx, book):
    book.delay = 5.0
    (placed,) = order([next(offline).id], **ctx)
    book.orders[placed.id].status = "teleported"  # a hostile or broken service
    with pytest.raises(ServiceError, match="unknown status 'teleported'"):
        placed.wait(timeout=5)
    book.orders[placed.id].status = "cancelled"


def test_damaged_job_file_is_set_aside(emu, offline, ctx, book):
    entry = next(offline)
    order([entry.id], **ctx)
    (record,) = (ctx["settings"].cache_dir / "orders").glob("*.json")
    record.write_text('{"status": "queued", "id": "../../etc"}')
    (again,) = order([entry.id], wait=True, timeout=10, **ctx)  # ordered anew, not trusted
    assert again.status == "completed"
    assert list(record.parent.glob("*.damaged-*"))


def test_cli_order_orders_cancel_and_download(emu, offline, tmp_path, monkeypatch, book, capsys):
    from cdse_intake.cli.app import main

    for key, value in emu.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CDSE_CACHE_DIR", str(tmp_path / "cache"))
    entry, other = next(offline), next(offline)
    assert main(["order", entry.name, "--wait", "--timeout", "10"]) == 0
    assert "\tcompleted\t" + entry.name in capsys.readouterr().out
    assert main(["orders", "--status", "completed"]) == 0
    assert entry.name in capsys.readouterr().out
    book.delay = 5.0
    assert main(["order", other.id]) == 0
    ident = capsys.readouterr().out.split("\t")[0]
    assert main(["order", "cancel", ident]) == 0
    assert "\tcancelled\t" in capsys.readouterr().out
    assert main(["order", "cancel"]) == 2
    online = next(e for e in emu.catalogue if e.online and e.family)
    assert main(["order", online.id]) == 2
    assert "needs no order" in capsys.readouterr().err
    assert main(["orders", "--status", "done"]) == 2
    book.delay = DELAY
    manifest = tmp_path / "m.csv"
    third = next(offline)
    found = asyncio.run(
        lookup_products([third.id], Endpoints.coerce(emu.endpoints), Settings(cache_dir=tmp_path))
    )
    write_manifest(manifest, [ManifestRow(product=found[third.id])])
    assert main(["download", str(manifest), "--quiet"]) == 8  # offline: not without ordering
    assert main(["download", str(manifest), "--quiet", "--order-offline"]) == 0
    assert "ordered (order " in manifest.read_text()
