"""``cdse://`` reads over S3 are bounded by the size the listing gives, as over HTTPS.

s3fs reads a whole ``GetObject`` body into memory: a hostile (or broken) S3 endpoint that
answers a 5-byte object with an endless body, ignoring ``Range``, used to fill the memory. A
small S3-like server in the test (127.0.0.6, an OS-chosen port: ``HEAD`` says 5 bytes, ``GET``
sends without end) plays the ``eodata`` bucket; the catalogue is the emulator's. Each read ends
quickly with a clear :class:`ServiceError`, having taken in at most what it expected.
"""

from __future__ import annotations

import asyncio
import threading
import time
import tracemalloc

import pytest
from aiohttp import web

from cdse_intake.errors import ServiceError
from cdse_intake.fs import CDSEFileSystem

pytest.importorskip("s3fs")

HOST = "127.0.0.6"
ENDLESS = 200 * 2**20  # what the hostile server is ready to send (never sent in full)
PIECE = 64 * 1024
TINY = b"12345"


@pytest.fixture(autouse=True)
def _fresh_instances():
    CDSEFileSystem.clear_instance_cache()
    yield
    CDSEFileSystem.clear_instance_cache()


class HostileBucket:
    """An S3 endpoint on its own thread: every object is 5 bytes by HEAD, endless by GET."""

    def __init__(self) -> None:
        self.sent = 0
        self.honest = False
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_route("HEAD", "/{key:.*}", self.head)
        app.router.add_get("/{key:.*}", self.get, allow_head=False)
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
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @staticmethod
    def _headers() -> dict[str, str]:
        return {
            "ETag": '"827ccb0eea8a706c4c34a16891f84e7b"',
            "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT",
            "Content-Type": "application/octet-stream",
        }

    async def head(self, request: web.Request) -> web.Response:
        return web.Response(body=TINY, headers=self._headers())

    async def get(self, request: web.Request) -> web.StreamResponse:
        if self.honest and "Range" not in request.headers:
            return web.Response(body=TINY, headers=self._headers())
        if self.honest:
            start, end = request.headers["Range"].removeprefix("bytes=").split("-")
            part = TINY[int(start) : int(end) + 1]
            headers = {**self._headers(), "Content-Range": f"bytes {start}-{end}/{len(TINY)}"}
            return web.Response(status=206, body=part, headers=headers)
        # Range ignored, no Content-Length (chunked): as a server that lies would send it.
        response = web.StreamResponse(status=200, headers=self._headers())
        await response.prepare(request)
        piece = b"x" * PIECE
        try:
            for _ in range(0, ENDLESS, PIECE):
                await response.write(piece)
                self.sent += PIECE
        except (ConnectionError, RuntimeError):
            pass  # the client stopped reading: what a bounded read does
        return response


@pytest.fixture
def bucket(cdse_emulator):
    entry = next(e for e in cdse_emulator.catalogue.materialised if e.content_length)
    server = HostileBucket()
    yield server, entry
    server.close()


def filesystem(emu, server: HostileBucket) -> CDSEFileSystem:
    urls = emu.endpoints
    return CDSEFileSystem(
        via="s3",
        s3_keys=("hostile-access", "hostile-secret"),
        endpoints={
            "identity": urls.identity,
            "catalogue": urls.catalogue,
            "download": urls.download,
            "stac": urls.stac,
            "s3": server.url,
        },
        settings={"retries": 0, "timeout": 10},
        skip_instance_cache=True,
    )


def test_a_small_s3_object_with_an_endless_body(cdse_emulator, bucket):
    server, entry = bucket
    fs = filesystem(cdse_emulator, server)
    server.honest = True  # a first read loads botocore's models (MBs) before the measure
    assert fs.cat_file(f"cdse://{entry.name}/tiny.txt") == TINY
    server.honest = False
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(ServiceError, match="more than the 5 bytes"):
            fs.cat_file(f"cdse://{entry.name}/tiny.txt")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 10
    assert peak < 16 * 2**20, peak  # the server was ready to send 200 MiB
    assert server.sent < 32 * 2**20  # the client stopped at once (socket buffers aside)


def test_a_range_of_an_s3_object_answered_with_an_endless_body(cdse_emulator, bucket):
    server, entry = bucket
    fs = filesystem(cdse_emulator, server)
    with pytest.raises(ServiceError, match="more than the 2 bytes"):
        fs.cat_file(f"cdse://{entry.name}/tiny.txt", start=1, end=3)
    assert server.sent < 32 * 2**20


def test_get_file_over_s3_stops_past_the_expected_size(cdse_emulator, bucket, tmp_path):
    server, entry = bucket
    fs = filesystem(cdse_emulator, server)
    target = tmp_path / "tiny.txt"
    with pytest.raises(ServiceError, match="more than the 5 bytes"):
        fs.get_file(f"cdse://{entry.name}/tiny.txt", str(target))
    assert not target.exists()  # a failed copy leaves nothing
    assert server.sent < 32 * 2**20


def test_an_honest_s3_object_still_reads(cdse_emulator, bucket, tmp_path):
    server, entry = bucket
    server.honest = True
    fs = filesystem(cdse_emulator, server)
    assert fs.cat_file(f"cdse://{entry.name}/tiny.txt") == TINY
    assert fs.cat_file(f"cdse://{entry.name}/tiny.txt", start=1, end=3) == b"23"
    fs.get_file(f"cdse://{entry.name}/tiny.txt", str(tmp_path / "t"))
    assert (tmp_path / "t").read_bytes() == TINY
