"""Authenticated GETs: CDSE's cross-host redirect, no token for foreign hosts, 401 refresh."""

from __future__ import annotations

import asyncio
import hashlib

import pytest
from aiohttp import web

from cdse_intake.auth import Credentials, TokenProvider
from cdse_intake.config import Endpoints
from cdse_intake.errors import AuthenticationError, ProductNotFound
from cdse_intake.net.http import new_session
from cdse_intake.net.transport import Transport


def fetch(emu, url, tokens=True, **kw):
    async def go():
        provider = (
            TokenProvider(Credentials(emu.username, emu.password), emu.endpoints)
            if tokens
            else None
        )
        async with new_session() as session:
            transport = Transport(session, emu.endpoints, provider)
            async with transport.get(url, **kw) as resp:
                return resp.status, await resp.read()

    return asyncio.run(go())


def materialised(emu):
    return next(e for e in emu.catalogue.materialised if not e.payload.single_file)


def test_value_through_the_cross_host_redirect(cdse_emulator):
    entry = materialised(cdse_emulator)
    status, body = fetch(
        cdse_emulator, f"{cdse_emulator.urls.catalogue}/Products({entry.id})/$value"
    )
    assert status == 200
    assert hashlib.md5(body).hexdigest() == entry.md5
    hosts = [r.host.split(":")[0] for r in cdse_emulator.state.requests(path="/odata/v1/Products*")]
    assert hosts == ["127.0.0.1", cdse_emulator.download_host]


def test_range(cdse_emulator):
    entry = materialised(cdse_emulator)
    url = f"{cdse_emulator.urls.download}/Products({entry.id})/$value"
    status, body = fetch(cdse_emulator, url, start=100, end=200)
    assert status == 206
    assert body == entry.payload.data[100:200]


def test_expired_token_is_refreshed_once(cdse_emulator):
    entry = materialised(cdse_emulator)
    cdse_emulator.faults.add("token_expiry", product=entry.id, times=1)
    status, _ = fetch(cdse_emulator, f"{cdse_emulator.urls.download}/Products({entry.id})/$value")
    assert status == 200
    cdse_emulator.faults.add("token_expiry", product=entry.id, times=2)
    with pytest.raises(AuthenticationError) as info:
        fetch(cdse_emulator, f"{cdse_emulator.urls.download}/Products({entry.id})/$value")
    assert info.value.code == "DAT-ZIP-109"


def test_without_credentials_the_service_says_token_not_found(cdse_emulator):
    entry = materialised(cdse_emulator)
    with pytest.raises(AuthenticationError) as info:
        fetch(cdse_emulator, f"{cdse_emulator.urls.catalogue}/Products({entry.id})/$value",
              tokens=False)  # fmt: skip
    assert info.value.code == "DAT-ZIP-604"


def test_unknown_product_is_not_found(cdse_emulator):
    url = f"{cdse_emulator.urls.download}/Products(00000000-0000-4000-8000-000000000000)/$value"
    with pytest.raises(ProductNotFound):
        fetch(cdse_emulator, url)


def test_token_never_goes_to_a_foreign_host(cdse_emulator):
    """A CDSE host redirecting elsewhere: the other host must not see the bearer token."""
    seen: dict[str, str | None] = {}

    async def go():
        async def foreign(request):
            seen["authorization"] = request.headers.get("Authorization")
            return web.Response(body=b"elsewhere")

        foreign_app = web.Application()
        foreign_app.router.add_get("/file", foreign)
        runner_f = web.AppRunner(foreign_app)
        await runner_f.setup()
        site_f = web.TCPSite(runner_f, "127.0.0.3", 0)
        await site_f.start()
        foreign_url = f"http://127.0.0.3:{site_f._server.sockets[0].getsockname()[1]}/file"

        async def bouncer(request):
            seen["bouncer"] = request.headers.get("Authorization")
            raise web.HTTPFound(foreign_url)

        app = web.Application()
        app.router.add_get("/odata/v1/x", bouncer)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.4", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        endpoints = Endpoints(
            identity=cdse_emulator.endpoints.identity,
            catalogue=f"http://127.0.0.4:{port}/odata/v1",
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
            await runner_f.cleanup()

    assert asyncio.run(go()) == b"elsewhere"
    assert seen["bouncer"].startswith("Bearer ")  # the configured CDSE host gets it
    assert seen["authorization"] is None  # the foreign one does not
