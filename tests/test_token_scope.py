"""The bearer token goes only to the exact origins (scheme, host, port) the configuration names.

A redirect from a configured endpoint to the same host on another port, or from https to http on
the same host, is another origin (another server, or the token in clear text): it must not see
the token. The redirect itself is still followed.
"""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from cdse_intake.auth import Credentials, TokenProvider
from cdse_intake.config import Endpoints
from cdse_intake.net.http import new_session
from cdse_intake.net.transport import Transport

HOST = "127.0.0.4"


def test_origins_are_scheme_host_and_port():
    ep = Endpoints(
        catalogue="https://cat.example.org/odata/v1",
        download="http://127.0.0.2:8081/odata/v1",
    )
    transport = Transport(None, ep)
    allowed = transport.may_receive_token
    assert allowed("https://cat.example.org/odata/v1/Products")
    assert allowed("https://CAT.example.org:443/x")  # the default port, any case of the host
    assert not allowed("http://cat.example.org/x")  # https -> http: the token in clear text
    assert not allowed("https://cat.example.org:8443/x")  # another port, another server
    assert allowed("http://127.0.0.2:8081/odata/v1/Products(x)/$value")
    assert not allowed("http://127.0.0.2:8082/x")
    assert not allowed("https://127.0.0.2:8081/x")
    assert not allowed("http://127.0.0.2/x")
    # the real CDSE hosts over https only
    assert allowed("https://zipper.dataspace.copernicus.eu/odata/v1/Products(x)/$value")
    assert not allowed("http://zipper.dataspace.copernicus.eu/odata/v1/Products(x)/$value")
    assert not allowed("https://zipper.dataspace.copernicus.eu:444/x")
    assert not allowed("https://example.com/x")
    assert not allowed("file:///etc/passwd")
    assert not allowed("http://[::1/x")  # unparsable: never


async def _serve(app: web.Application, port: int = 0) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, HOST, port)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]


@pytest.mark.parametrize("target", ["other-port", "same-port-other-path"])
def test_redirect_to_another_port_of_the_same_host_gets_no_token(cdse_emulator, target):
    seen: dict[str, str | None] = {}

    async def go() -> bytes:
        async def landing(request: web.Request) -> web.Response:
            seen["landing"] = request.headers.get("Authorization")
            return web.Response(body=b"landed")

        other = web.Application()
        other.router.add_get("/file", landing)
        other_runner, other_port = await _serve(other)

        async def bouncer(request: web.Request) -> web.Response:
            seen["bouncer"] = request.headers.get("Authorization")
            port = other_port if target == "other-port" else request.url.port
            raise web.HTTPFound(f"http://{HOST}:{port}/file")

        app = web.Application()
        app.router.add_get("/odata/v1/x", bouncer)
        app.router.add_get("/file", landing)
        runner, port = await _serve(app)
        endpoints = Endpoints(
            identity=cdse_emulator.endpoints.identity, catalogue=f"http://{HOST}:{port}/odata/v1"
        )
        tokens = TokenProvider(
            Credentials(cdse_emulator.username, cdse_emulator.password), endpoints
        )
        try:
            async with new_session() as session:
                transport = Transport(session, endpoints, tokens)
                async with transport.get(f"{endpoints.catalogue}/x") as resp:
                    return await resp.read()
        finally:
            await runner.cleanup()
            await other_runner.cleanup()

    assert asyncio.run(go()) == b"landed"
    assert seen["bouncer"].startswith("Bearer ")  # the configured origin gets it
    if target == "other-port":
        assert seen["landing"] is None  # same host, another port: not the configured origin
    else:
        assert seen["landing"].startswith("Bearer ")  # same origin, another path: still CDSE's
