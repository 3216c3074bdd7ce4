"""``subscribe`` and ``cdse-intake subscriptions``/``watch`` end to end on the emulator: the
query model as FilterParam, the limits as clear errors, a pull subscription's products (only
what is published after it and matches, acknowledged), reuse on restart, bad inputs."""

from __future__ import annotations

import pickle
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cdse_intake import (
    QueryError,
    Subscription,
    SubscriptionLimitError,
    get_subscription,
    list_subscriptions,
    subscribe,
)
from cdse_intake.cli.app import main
from cdse_intake.config import Settings
from cdse_intake.emulator import Emulator
from cdse_intake.errors import AuthenticationError, ProductNotFound


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    emulator = Emulator(scale=0.02, deliver="all").start()
    yield emulator
    emulator.stop()


@pytest.fixture(scope="module")
def options(emu: Emulator, tmp_path_factory: pytest.TempPathFactory) -> dict:
    settings = Settings(cache_dir=tmp_path_factory.mktemp("cache"), retries=1)
    return {
        "endpoints": emu.endpoints,
        "settings": settings,
        "credentials": (emu.username, emu.password),
    }


@pytest.fixture(autouse=True)
def _clean(options: dict) -> Iterator[None]:
    yield
    for sub in list_subscriptions(**options):
        sub.delete()


def _l2a(emu: Emulator):
    return next(
        e
        for e in emu.catalogue
        if e.product_type == "S2MSI2A" and e.family and not e.extra.get("metadata_only")
    )


def _later(seconds: float, work) -> threading.Timer:
    timer = threading.Timer(seconds, work)
    timer.start()
    return timer


def test_subscribe_sends_the_searchs_filter(emu, options):
    tile = _l2a(emu).attribute("tileId")
    sub = subscribe("SENTINEL-2", product_type="S2MSI2A", tile=tile, **options)
    assert isinstance(sub, Subscription) and (sub.mode, sub.status) == ("pull", "running")
    assert "Collection/Name eq 'SENTINEL-2'" in sub.info.filter
    assert f"Value eq '{tile}'" in sub.info.filter and "'S2MSI2A'" in sub.info.filter
    assert [s.id for s in list_subscriptions(**options)] == [sub.id]
    assert get_subscription(sub.id, **options).info == sub.info
    assert sub.pause().status == "paused"
    assert sub.resume().status == "running"
    assert sub.refresh().status == "running"
    sub.delete()
    with pytest.raises(ProductNotFound, match="not found"):
        get_subscription(sub.id, **options)


def test_a_restarted_watch_reuses_its_subscription(options):
    first = subscribe("SENTINEL-1", **options)
    first.pause()
    again = subscribe("SENTINEL-1", **options)
    assert again.id == first.id and again.status == "running"  # resumed, not a second one
    assert len(list_subscriptions(**options)) == 1


def test_the_limits_are_clear_errors(options):
    subscribe("SENTINEL-1", **options)
    with pytest.raises(SubscriptionLimitError, match="1 running") as info:
        subscribe("SENTINEL-2", **options)
    assert info.value.status == 400
    assert pickle.loads(pickle.dumps(info.value)).status == 400
    list_subscriptions(**options)[0].pause()
    for k in range(9):
        subscribe("SENTINEL-3", orbit=k + 1, **options).pause()
    with pytest.raises(SubscriptionLimitError, match="10 subscriptions in all"):
        subscribe("SENTINEL-5P", **options)


def test_pull_products_only_new_and_matching_then_acked(emu, options):
    template = _l2a(emu)
    emu.publish(template.id)  # before: not notified
    sub = subscribe(
        "SENTINEL-2", product_type="S2MSI2A", tile=template.attribute("tileId"), **options
    )
    grd = next(e for e in emu.catalogue if e.product_type == "IW_GRDH_1S" and e.family)
    emu.publish(grd.id)  # does not match
    new = emu.publish(template.id)
    found = list(sub.products(poll=0.05, timeout=0.3))
    assert [(p.id, p.name) for p in found] == [(new.id, new.name)]
    assert found[0].attributes["tileId"] == template.attribute("tileId")
    assert list(sub.products(poll=0.05, timeout=0.1)) == []  # acknowledged


def test_products_arrive_while_polling(emu, options):
    template = _l2a(emu)
    sub = subscribe("SENTINEL-2", tile=template.attribute("tileId"), **options)
    timer = _later(0.3, lambda: emu.publish(template.id))
    started = time.monotonic()
    found = []
    for product in sub.products(poll=0.05, timeout=5):
        found.append(product)
        break  # a loop that stops: the product was yielded, and is acked only when asked on
    timer.join()
    assert len(found) == 1 and time.monotonic() - started < 4
    again = list(sub.products(poll=0.05, timeout=0.2))
    assert [p.id for p in again] == [found[0].id]  # not acked: read again


def test_push_subscription_needs_an_endpoint_and_has_no_queue(options):
    sub = subscribe(
        "SENTINEL-2",
        mode="push",
        endpoint="http://127.0.0.1:9/notify",
        endpoint_username="hook",
        endpoint_password="hook-secret",
        **options,
    )
    assert sub.mode == "push" and sub.info.endpoint == "http://127.0.0.1:9/notify"
    assert "hook-secret" not in repr(sub) and "hook-secret" not in repr(sub.info)
    with pytest.raises(QueryError, match="push subscription"):
        next(sub.products(poll=0.1, timeout=0))


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"mode": "poll"}, "mode='poll'"),
        ({"mode": "push"}, "endpoint=None"),
        ({"mode": "push", "endpoint": "ftp://host/x"}, "ftp://host/x"),
        ({"endpoint": "http://127.0.0.1/x"}, "mode='push' only"),
        ({"mode": "push", "endpoint": "http://127.0.0.1/x", "endpoint_password": ""}, "password"),
        ({"limit": 3}, "limit=3 does not apply"),
        ({"min_sea_percent": 50}, "does not apply"),
        ({"colour": "red"}, "colour"),
        ({"cloud": "lots"}, "cloud"),
        ({"collection": "SENTINEL-9"}, "SENTINEL-9"),
    ],
)
def test_bad_inputs_before_any_request(emu, options, kwargs, words):
    before = len(emu.state.requests(path="/odata/v1/Subscriptions*"))
    with pytest.raises(QueryError, match=words.replace("(", r"\(").replace(")", r"\)")):
        subscribe(**kwargs, **options)
    assert len(emu.state.requests(path="/odata/v1/Subscriptions*")) == before


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"poll": 0}, "poll=0"),
        ({"poll": "fast"}, "poll='fast'"),
        ({"timeout": -1}, "timeout=-1"),
        ({"batch": 21}, "batch=21"),
    ],
)
def test_bad_poll_arguments(options, kwargs, words):
    sub = subscribe("SENTINEL-1", **options)
    with pytest.raises(QueryError, match=words):
        next(sub.products(**kwargs))


def test_bad_ids_and_refused_credentials(options):
    with pytest.raises(QueryError, match="expected a UUID"):
        get_subscription("42", **options)
    wrong = {**options, "credentials": ("nobody@example.org", "wrong-password")}
    with pytest.raises(AuthenticationError):
        list_subscriptions(**wrong)


# -- the command line -----------------------------------------------------------------------------
@pytest.fixture
def env(emu: Emulator, options: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in emu.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CDSE_CACHE_DIR", str(options["settings"].cache_dir))


def test_cli_create_list_pause_resume_delete(env, capsys):
    assert main(["subscriptions", "create", "--collection", "SENTINEL-1"]) == 0
    sub_id = capsys.readouterr().out.split()[3]
    assert main(["subscriptions", "list"]) == 0
    out = capsys.readouterr().out
    assert sub_id in out and "running" in out and "SENTINEL-1" in out
    assert main(["subscriptions", "pause", sub_id]) == 0
    assert "paused" in capsys.readouterr().out
    assert main(["subscriptions", "resume", sub_id]) == 0
    assert "running" in capsys.readouterr().out
    assert main(["subscriptions", "create", "--collection", "SENTINEL-2"]) == 5
    assert "1 running" in capsys.readouterr().err
    assert main(["subscriptions", "delete", sub_id]) == 0
    assert main(["subscriptions", "delete", "not-an-id"]) == 2
    assert "expected a UUID" in capsys.readouterr().err


def test_cli_push_password_comes_from_the_environment(env, capsys, monkeypatch):
    args = ["subscriptions", "create", "--push", "http://127.0.0.1:9/n", "--push-username", "u"]
    assert main([*args, "--push-password-env", "HOOK_PW"]) == 2
    assert "HOOK_PW" in capsys.readouterr().err
    monkeypatch.setenv("HOOK_PW", "hook-secret")
    assert main([*args, "--push-password-env", "HOOK_PW"]) == 0
    assert "push subscription" in capsys.readouterr().out


def test_watch_downloads_and_verifies_a_new_product(emu, env, capsys, tmp_path: Path):
    template = _l2a(emu)
    tile = template.attribute("tileId")
    published: list = []
    timer = _later(0.5, lambda: published.append(emu.publish(template.id)))
    code = main(
        ["watch", "--collection", "SENTINEL-2", "--tile", tile, "--download",
         "--dest", str(tmp_path), "--poll", "0.1", "--timeout", "2"]
    )  # fmt: skip
    timer.join()
    out = capsys.readouterr().out
    assert code == 0, out
    new = published[0]
    assert f"new: {new.name}" in out
    assert "1 new product(s), 1 downloaded and verified, 0 failed" in out
    assert "verified (BLAKE3)" in out or "verified (MD5)" in out
    files = list(tmp_path.rglob(f"{new.stem}*"))
    assert files and files[0].stat().st_size == new.content_length


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["watch", "--timeout", "-1"], "invalid seconds"),
        (["watch", "--poll", "0"], "invalid seconds"),
        (["watch", "--limit", "3"], "does not apply"),
        (["subscriptions", "frobnicate"], "invalid choice"),
    ],
)
def test_cli_bad_arguments(env, capsys, argv, words):
    assert main(argv) == 2
    assert words in capsys.readouterr().err


def test_no_password_in_a_pickled_subscription(emu, options):
    sub = subscribe("SENTINEL-1", **options)
    assert emu.password.encode() not in pickle.dumps(sub)
    assert emu.password not in repr(sub)


def test_a_server_that_never_forgets_cannot_make_the_reader_spin(emu, options, monkeypatch):
    from cdse_intake.emulator.subscriptions.store import SubscriptionStore

    monkeypatch.setattr(SubscriptionStore, "ack", lambda self, user, key, ack_id: {})
    template = _l2a(emu)
    sub = subscribe("SENTINEL-2", tile=template.attribute("tileId"), **options)
    emu.publish(template.id)
    reads = len(emu.state.requests(path=f"/odata/v1/Subscriptions({sub.id})/Read"))
    found = list(sub.products(poll=0.1, timeout=0.5))
    assert len(found) == 1  # yielded once, though the queue keeps it
    reads = len(emu.state.requests(path=f"/odata/v1/Subscriptions({sub.id})/Read")) - reads
    assert reads <= 8  # one read a poll, not a busy loop


def test_watch_stops_cleanly_on_ctrl_c(env, capsys, monkeypatch):
    import cdse_intake.subscriptions as module

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "_sleep", interrupted)
    assert main(["watch", "--collection", "SENTINEL-1", "--poll", "0.1"]) == 0
    out = capsys.readouterr().out
    assert "watching with subscription" in out and "0 new product(s)" in out and "kept" in out
