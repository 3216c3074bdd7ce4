"""STAC answers are bounded: pystac-client's requests read the answer whole, so a small gzip bomb
from a hostile STAC server used to inflate into memory. A server in the test (127.0.0.1, an
OS-chosen port) serves a landing page and, as chosen per test, a gzip bomb as the ``/search``
answer, as the landing page, or as an error answer; each search ends with a clear ServiceError,
bounded in time and memory. Searches never send ``~/.netrc`` passwords to the STAC host either.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from cdse_intake.catalogue.stac import StacBackend
from cdse_intake.config import Endpoints, Settings
from cdse_intake.errors import CDSEError, ServiceError
from cdse_intake.net.http import MAX_ANSWER_BYTES, new_session
from cdse_intake.query import Query

# imported before any measure: its first import (jsonschema grammars) is seconds under tracemalloc
pytest.importorskip("pystac_client.client")

MB = 1 << 20


def gzip_bomb(expanded: int) -> bytes:
    """~``expanded / 1000`` gzip bytes that inflate to ``expanded`` bytes of (unfinished) JSON."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    head = comp.compress(b'{"type": "FeatureCollection", "features": [') + comp.flush(
        zlib.Z_FULL_FLUSH
    )
    block = comp.compress(b" " * MB) + comp.flush(zlib.Z_FULL_FLUSH)
    return head + block * (expanded // MB)


#: Twice the limit inflated (~0.27 MB on the wire): reading it whole holds >= 2x what is allowed.
BOMB = gzip_bomb(2 * MAX_ANSWER_BYTES + 16 * MB)


@dataclass
class Stac:
    url: str = ""
    bomb: str = ""  # "search", "landing", "error": where the bomb goes
    authorization: list[str] = field(default_factory=list)

    @property
    def endpoints(self) -> Endpoints:
        return Endpoints(
            identity=f"{self.url}/auth/realms/CDSE",
            catalogue=f"{self.url}/odata/v1",
            download=f"{self.url}/odata/v1",
            stac=f"{self.url}/stac/v1",
            s3=self.url,
        )


def _landing(root: str) -> dict[str, Any]:
    return {
        "type": "Catalog",
        "id": "cdse",
        "stac_version": "1.0.0",
        "description": "hostile",
        "conformsTo": [
            "https://api.stacspec.org/v1.0.0/core",
            "https://api.stacspec.org/v1.0.0/item-search",
            "https://api.stacspec.org/v1.0.0/item-search#sort",
            "https://api.stacspec.org/v1.0.0-rc.2/item-search#filter",
            "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
        ],
        "links": [
            {"rel": "self", "href": root, "type": "application/json"},
            {"rel": "root", "href": root, "type": "application/json"},
            {"rel": "search", "href": f"{root}/search", "method": "POST",
             "type": "application/geo+json"},
        ],
    }  # fmt: skip


async def _bomb(request: web.Request, status: int) -> web.StreamResponse:
    resp = web.StreamResponse(
        status=status, headers={"Content-Type": "application/json", "Content-Encoding": "gzip"}
    )
    await resp.prepare(request)
    try:
        view = memoryview(BOMB)
        for offset in range(0, len(view), 1 << 16):
            await resp.write(view[offset : offset + (1 << 16)])
        await resp.write_eof()
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    return resp


def _app(state: Stac) -> web.Application:
    async def landing(request: web.Request) -> web.StreamResponse:
        state.authorization.append(request.headers.get("Authorization", ""))
        if state.bomb == "landing":
            return await _bomb(request, 200)
        return web.json_response(_landing(f"{state.url}/stac/v1"))

    async def search(request: web.Request) -> web.StreamResponse:
        state.authorization.append(request.headers.get("Authorization", ""))
        if state.bomb == "search":
            return await _bomb(request, 200)
        if state.bomb == "error":
            return await _bomb(request, 400)
        return web.json_response({"type": "FeatureCollection", "features": [], "links": []})

    app = web.Application()
    app.router.add_get("/stac/v1", landing)
    app.router.add_post("/stac/v1/search", search)
    return app


@pytest.fixture
def stac() -> Iterator[Stac]:
    state = Stac()
    loop = asyncio.new_event_loop()
    runners: list[web.AppRunner] = []

    async def start() -> None:
        runner = web.AppRunner(_app(state), shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        state.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        runners.append(runner)

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    yield state
    asyncio.run_coroutine_threadsafe(runners[0].cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@dataclass
class Bounded:
    value: Any
    seconds: float
    peak: int


def bounded(fn: Callable[[], Any], limit: float) -> Bounded:
    """``fn()`` in a thread, failing the test after ``limit`` s; with its peak of allocations."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as err:  # the test's outcome, returned
            box["value"] = err

    tracemalloc.start()
    started = time.monotonic()
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(limit)
    seconds = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert not thread.is_alive(), f"still running after {limit} s: unbounded"
    return Bounded(box.get("value"), seconds, peak)


def stac_search(state: Stac) -> list[Any]:
    async def go() -> list[Any]:
        query = Query(collection="sentinel-2-l2a", start="2024-01-01", end="2024-01-02")
        settings = Settings(retries=0, timeout=5, query_cache_age=0)
        async with new_session(timeout=5) as session:
            backend = StacBackend(
                query, endpoints=state.endpoints, settings=settings, session=session
            )
            return [p async for p in backend.products()]

    return asyncio.run(go())


@pytest.mark.parametrize("where", ["search", "landing"])
def test_a_gzip_bomb_as_a_stac_answer_is_refused_within_the_limit(stac, where):
    stac.bomb = where
    run = bounded(lambda: stac_search(stac), 30)
    err = run.value
    assert isinstance(err, ServiceError), repr(err)
    assert "larger than" in str(err) and str(MAX_ANSWER_BYTES) in str(err), err
    assert err.status == 200
    assert run.peak < MAX_ANSWER_BYTES * 1.5, run.peak  # reading it whole holds > 2x
    assert run.seconds < 10, run.seconds


def test_a_gzip_bomb_as_a_stac_error_answer_is_read_only_in_part(stac):
    stac.bomb = "error"
    run = bounded(lambda: stac_search(stac), 30)
    err = run.value
    assert isinstance(err, CDSEError), repr(err)
    assert err.status == 400
    assert run.peak < 16 * MB, run.peak
    assert run.seconds < 10, run.seconds


def test_an_honest_stac_answer_still_reads(stac):
    assert stac_search(stac) == []


def test_stac_searches_send_no_netrc_password(stac, tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    assert stac_search(stac) == []
    assert stac.authorization and not any(stac.authorization), stac.authorization


def test_the_answer_json_is_what_the_server_sent(stac):
    """The bytes held by the hook decode as pystac-client expects (a bytearray, not bytes)."""
    from cdse_intake.catalogue.stac_io import bounded_stac_io

    io = bounded_stac_io(timeout=5, max_retries=None)
    text = io.request(f"{stac.url}/stac/v1")
    assert json.loads(text)["id"] == "cdse"
