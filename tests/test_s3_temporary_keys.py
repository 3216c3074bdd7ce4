"""Temporary S3 keys made through the S3 keys manager with the user's CDSE token (§6).

End to end on the emulator: keys made for a ``with`` block or for the process, used by
``download(via="s3")`` and ``cdse://`` over S3 with no keys configured, deleted afterwards and
refused then; a hostile keys manager's answers give clear errors; the secret never shows.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import pickle
import threading
import time

import pytest
from aiohttp import web

from cdse_intake.auth import (
    TokenProvider,
    delete_s3_keys,
    list_s3_keys,
    process_s3_keys,
    temporary_s3_keys,
)
from cdse_intake.auth.temporary_keys import forget_process_keys
from cdse_intake.config import Endpoints, Settings
from cdse_intake.downloads import download
from cdse_intake.emulator import Emulator
from cdse_intake.errors import AuthenticationError, ConfigurationError, ServiceError
from cdse_intake.fs import CDSEFileSystem

from .test_download_common import materialised


@pytest.fixture(scope="module")
def emu():
    with Emulator(scale=0.02, deliver="all") as emulator:
        yield emulator


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", retries=2, timeout=10)


@pytest.fixture
def account_env(emu, monkeypatch) -> None:
    """A CDSE login in the environment, no S3 keys."""
    for name, value in emu.env().items():
        if name not in {"CDSE_S3_ACCESS_KEY", "CDSE_S3_SECRET_KEY"}:
            monkeypatch.setenv(name, value)
    yield
    forget_process_keys()
    emu.state.temporary_keys.activation_lag = 0.0
    emu.state.temporary_keys.limit = 10


def single_objects(emu) -> list:
    """Products stored as one S3 object, the orbit file first (the cheapest to build)."""
    found = [p for p in materialised(emu) if p.name.endswith((".nc", ".EOF")) and p.size < 5e6]
    return sorted(found, key=lambda p: not p.name.endswith(".EOF"))[:1]


def s3_requests(emu, **match) -> list:
    return [r for r in emu.state.requests(**match) if r.path.startswith("/eodata/")]


def test_download_via_s3_makes_keys_uses_them_and_they_go_at_exit(emu, settings, account_env):
    products = single_objects(emu)
    assert products and emu.state.temporary_keys.of() == []
    report = download(products, via="s3", progress=False, settings=settings)
    assert report.ok, [(o.name, o.reason) for o in report.failed]
    [access] = emu.state.temporary_keys.of(emu.username)  # one pair for the process
    assert len(s3_requests(emu, status=200)) >= len(products)
    other = dataclasses.replace(settings, cache_dir=settings.cache_dir.parent / "other")
    again = download(products, via="s3", progress=False, settings=other)
    assert again.ok and emu.state.temporary_keys.of() == [access]  # reused, not made again
    keys = process_s3_keys()
    assert keys.access_key == access
    assert forget_process_keys() == 1
    assert emu.state.temporary_keys.of() == []
    refused = CDSEFileSystem("s3", s3_keys=keys, skip_instance_cache=True)
    with pytest.raises(PermissionError):
        refused.info(products[0].id)  # deleted keys are refused by S3


def test_the_context_manager_deletes_its_keys_and_s3_refuses_them_after(emu, account_env):
    with temporary_s3_keys() as keys:
        assert emu.state.temporary_keys.of() == [keys.access_key]
        listed = list_s3_keys()
        assert [k["access_id"] for k in listed] == [keys.access_key]
        assert all("secret" not in k for k in listed)
        fs = CDSEFileSystem("s3", s3_keys=keys, skip_instance_cache=True)
        product = single_objects(emu)[0]
        assert fs.info(product.id)["size"] == product.size
    assert emu.state.temporary_keys.of() == []
    refused = CDSEFileSystem("s3", s3_keys=keys, skip_instance_cache=True)
    with pytest.raises(PermissionError):
        refused.info(product.id)


def test_the_activation_lag_is_waited_for_not_slept(emu, settings, account_env):
    emu.state.temporary_keys.activation_lag = 0.6
    products = single_objects(emu)[:1]
    emu.state.reset_counters()
    started = time.monotonic()
    report = download(products, via="s3", progress=False, settings=settings)
    took = time.monotonic() - started
    assert report.ok, [(o.name, o.reason) for o in report.failed]
    assert 0.6 <= took < 5
    assert s3_requests(emu, status=403)  # refused while being installed, then accepted
    forget_process_keys()
    # cdse:// over S3 waits the same way
    emu.state.temporary_keys.activation_lag = 0.4
    fs = CDSEFileSystem("s3", skip_instance_cache=True)
    assert fs.info(products[0].id)["size"] == products[0].size


def test_the_account_s_key_limit_is_a_clear_error(emu, account_env):
    emu.state.temporary_keys.limit = 1
    with temporary_s3_keys(), pytest.raises(AuthenticationError) as caught, temporary_s3_keys():
        pass
    err = caught.value
    assert err.status == 403 and err.code == "max_credentials"
    assert "Max number of credentials" in str(err) and "delete" in str(err)
    assert emu.state.temporary_keys.of() == []


def test_no_login_and_no_keys_names_both(emu, settings, monkeypatch):
    for name, value in emu.env().items():
        if name.startswith(("CDSE_S3_ACCESS", "CDSE_S3_SECRET", "CDSE_USERNAME", "CDSE_PASSWORD")):
            continue
        monkeypatch.setenv(name, value)
    report = download(single_objects(emu)[:1], via="s3", progress=False, settings=settings)
    [outcome] = report.failed
    assert "CDSE_S3_ACCESS_KEY" in str(outcome.reason)
    tokens = TokenProvider((emu.username, emu.password), emu.endpoints)
    with pytest.raises(ConfigurationError, match="not an S3 access id"):
        delete_s3_keys("a/b", tokens)


# -- a hostile keys manager ----------------------------------------------------------------------
SECRET = "s3cr3t-VALUE-never-shown"


class Hostile:
    """A keys manager on 127.0.0.1 answering what ``answer`` says."""

    def __init__(self) -> None:
        self.answer: tuple[int, bytes, str] = (200, b"{}", "application/json")
        self.url = ""
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait()

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)

        async def handle(request: web.Request) -> web.Response:
            status, body, kind = self.answer
            return web.Response(status=status, body=body, content_type=kind)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handle)
        runner = web.AppRunner(app)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        ready.set()
        self._loop.run_forever()


@pytest.fixture(scope="module")
def hostile() -> Hostile:
    return Hostile()


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((200, b"{}", "application/json"), "no usable 'access_id'"),
        ((200, b"[1, 2]", "application/json"), "not an object"),
        ((200, b"not json " + SECRET.encode(), "text/plain"), "not an object"),
        ((200, b'{"access_id": "AK", "secret": ""}', "application/json"), "no usable 'secret'"),
        (
            (200, b'{"access_id": 7, "secret": "%s"}' % SECRET.encode(), "application/json"),
            "access_id",
        ),
        (
            (200, b'{"access_id": "AK", "secret": "' + b"x" * 100_000 + b'"}', "application/json"),
            "too large",
        ),
        ((500, b'{"detail": "boom"}', "application/json"), "could not create S3 keys: boom"),
        ((401, b'{"detail": "Not authenticated"}', "application/json"), "refused the CDSE token"),
    ],
)
def test_malformed_answers_are_clear_errors(emu, hostile, answer, expected):
    hostile.answer = answer
    endpoints = Endpoints.coerce(
        {**Endpoints.coerce(emu.endpoints).__dict__, "keys_manager": hostile.url}
    )
    tokens = TokenProvider((emu.username, emu.password), endpoints, Settings(timeout=5))
    with pytest.raises((ServiceError, AuthenticationError)) as caught, temporary_s3_keys(tokens):
        pass
    assert expected in str(caught.value)
    assert SECRET not in str(caught.value)


def test_no_secret_in_reprs_logs_errors_or_pickles(emu, account_env, caplog):
    caplog.set_level(logging.DEBUG)
    with temporary_s3_keys() as keys:
        secret = keys.secret_key
        for text in (repr(keys), str(keys), caplog.text):
            assert secret not in text
        assert secret.encode() not in pickle.dumps(keys.access_key)
        with pytest.raises(AuthenticationError) as caught:
            pickle.loads(pickle.dumps(keys))  # another process: the secret is not there
        assert secret not in str(caught.value)
        assert keys.fresh() and keys.expiration


def test_the_command_line(emu, account_env, capsys):
    from cdse_intake.cli.app import main

    assert main(["s3-keys", "create"]) == 0
    out, err = capsys.readouterr()
    lines = dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines())
    access, secret = lines["CDSE_S3_ACCESS_KEY"], lines["CDSE_S3_SECRET_KEY"]
    assert secret not in err and access in err  # the secret on stdout only
    assert emu.state.temporary_keys.of() == [access]
    assert main(["s3-keys", "list"]) == 0
    out, err = capsys.readouterr()
    assert access in out and secret not in out + err
    assert main(["s3-keys", "delete", access]) == 0
    assert emu.state.temporary_keys.of() == []
    assert main(["s3-keys", "delete", access]) == 6  # no such keys: named on stderr
    assert access in capsys.readouterr().err
    assert main(["s3-keys", "create", "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert main(["s3-keys", "delete", made["access_key"]]) == 0
    assert main(["s3-keys"]) == 2
