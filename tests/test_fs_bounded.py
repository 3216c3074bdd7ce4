"""``cdse://`` reads are bounded: by the size expected, or by a documented limit (listings).

A hostile (or broken) download service answers a 5-byte node with an endless body, a small
product with more than its catalogue size, a ``Nodes`` listing without end. Each read ends quickly
with a clear :class:`ServiceError`, having taken in at most the bytes it expected (plus one read).
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from aiohttp import web

from cdse_intake.errors import ServiceError
from cdse_intake.fs import CDSEFileSystem, nodes

HOST = "127.0.0.5"
ENDLESS = 200 * 2**20  # what the hostile server is ready to send (never sent in full)
PIECE = 64 * 1024


@pytest.fixture(autouse=True)
def _fresh_instances():
    CDSEFileSystem.clear_instance_cache()
    yield
    CDSEFileSystem.clear_instance_cache()


class Hostile:
    """A download service on its own thread that answers every read with an endless body."""

    def __init__(self, product_name: str) -> None:
        self.name = product_name
        self.sent = 0
        self.listing_endless = False
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_get("/odata/v1/Products({id})/Nodes", self.top)
        app.router.add_get("/odata/v1/Products({id})/Nodes({a})/Nodes", self.inner)
        app.router.add_get("/odata/v1/Products({id})/$value", self.endless)
        app.router.add_get("/odata/v1/Products({id})/Nodes({a})/Nodes({b})/$value", self.endless)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, HOST, 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    @property
    def download(self) -> str:
        return f"http://{HOST}:{self.port}/odata/v1"

    async def top(self, request: web.Request) -> web.StreamResponse:
        if self.listing_endless:
            return await self._stream(request, b'{"result": [')
        node = {"Name": self.name, "ContentLength": 0, "ChildrenNumber": 1}
        return web.json_response({"result": [node]})

    async def inner(self, request: web.Request) -> web.Response:
        node = {"Name": "tiny.txt", "ContentLength": 5, "ChildrenNumber": 0}
        return web.json_response({"result": [node]})

    async def endless(self, request: web.Request) -> web.StreamResponse:
        return await self._stream(request, None)

    async def _stream(self, request: web.Request, head: bytes | None) -> web.StreamResponse:
        # No Content-Length: chunked, as a server that does not know (or lies) would send it.
        response = web.StreamResponse(status=200)
        await response.prepare(request)
        piece = b"x" * PIECE if head is None else b" " * PIECE  # a listing: endless blanks
        try:
            if head is not None:
                await response.write(head)
            for _ in range(0, ENDLESS, PIECE):
                await response.write(piece)
                self.sent += PIECE
        except (ConnectionError, RuntimeError):
            pass  # the client stopped reading: what a bounded read does
        return response


@pytest.fixture
def hostile(cdse_emulator):
    entry = next(e for e in cdse_emulator.catalogue.materialised if e.content_length)
    server = Hostile(entry.name)
    yield server, entry
    server.close()


def filesystem(emu, server: Hostile) -> CDSEFileSystem:
    urls = emu.endpoints
    endpoints = {
        "identity": urls.identity,
        "catalogue": urls.catalogue,
        "download": server.download,
        "stac": urls.stac,
        "s3": urls.s3,
    }
    return CDSEFileSystem(
        credentials=(emu.username, emu.password),
        endpoints=endpoints,
        settings={"retries": 0, "timeout": 10},
        skip_instance_cache=True,
    )


def test_a_small_node_with_an_endless_body(cdse_emulator, hostile):
    server, entry = hostile
    fs = filesystem(cdse_emulator, server)
    started = time.monotonic()
    with pytest.raises(ServiceError, match="more than the 5 bytes"):
        fs.cat_file(f"cdse://{entry.name}/tiny.txt")
    assert time.monotonic() - started < 10
    # The client stopped at once: what the server got out is what socket buffers take.
    assert server.sent < 32 * 2**20


def test_a_product_longer_than_its_catalogue_size(cdse_emulator, hostile):
    server, entry = hostile
    fs = filesystem(cdse_emulator, server)
    with pytest.raises(ServiceError, match=f"more than the {entry.content_length} bytes"):
        fs.cat_file(f"cdse://{entry.name}")
    assert server.sent < 32 * 2**20 + entry.content_length


def test_a_range_answered_with_the_whole_endless_body(cdse_emulator, hostile):
    # 200 to a Range request: the client reads up to the end of its range and stops.
    server, entry = hostile
    fs = filesystem(cdse_emulator, server)
    assert fs.cat_file(f"cdse://{entry.name}/tiny.txt", start=1, end=3) == b"xx"
    assert server.sent < 32 * 2**20


def test_an_endless_nodes_listing_stops_at_the_documented_limit(cdse_emulator, hostile):
    server, entry = hostile
    server.listing_endless = True
    fs = filesystem(cdse_emulator, server)
    with pytest.raises(ServiceError, match="listing"):
        fs.ls(f"cdse://{entry.name}")
    limit = getattr(nodes, "MAX_LISTING_BYTES", 16 * 2**20)
    assert limit <= server.sent < limit + 32 * 2**20


def test_get_file_stops_past_the_expected_size(cdse_emulator, hostile, tmp_path):
    server, entry = hostile
    fs = filesystem(cdse_emulator, server)
    target = tmp_path / "tiny.txt"
    with pytest.raises(ServiceError, match="more than the 5 bytes"):
        fs.get_file(f"cdse://{entry.name}/tiny.txt", str(target))
    assert not target.exists()  # a failed copy leaves nothing
    assert server.sent < 32 * 2**20
