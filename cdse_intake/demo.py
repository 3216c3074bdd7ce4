"""``make demo`` / ``cdse-intake demo``: a round trip against the built-in CDSE emulator.

Starts the emulator, logs in (Keycloak password grant), searches the OData catalogue, downloads a
product through CDSE's cross-host redirect with the token re-sent only to CDSE hosts, verifies it
against the catalogue's MD5 and BLAKE3 while streaming, and lists what it wrote. The same calls
work against the real CDSE once the CDSE_* variables are unset and credentials are configured.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

from .auth import Credentials, TokenProvider
from .backends.odata import ODataBackend
from .config import Endpoints, Settings
from .errors import ChecksumMismatch, DownloadError
from .product import Product
from .query import Query

__all__ = ["run_demo"]

OUT = Path("demo-output")


def _say(text: str = "") -> None:
    print(text, flush=True)


async def _search(query: Query, endpoints: Endpoints, settings: Settings) -> list[Product]:
    from ._http import new_session

    async with new_session() as session:
        backend = ODataBackend(query, endpoints=endpoints, settings=settings, session=session)
        return [p async for p in backend.products()]


async def _download(
    product: Product, endpoints: Endpoints, tokens: TokenProvider, dest: Path
) -> tuple[Path, float]:
    """Stream ``product`` to ``dest`` (``.part`` then rename), hashing as it writes."""
    import blake3

    from ._http import error_from_response, new_session

    url = f"{endpoints.catalogue}/Products({product.id})/$value"
    md5, b3 = hashlib.md5(usedforsecurity=False), blake3.blake3()
    part = dest.with_name(dest.name + ".part")
    started = time.perf_counter()
    async with new_session() as session:
        # CDSE answers 301 to another host; follow it by hand so the bearer token goes to CDSE
        # hosts only (clients that let the HTTP library follow it lose the header: DAT-ZIP-604).
        for _ in range(5):
            headers = {}
            if urlsplit(url).hostname in endpoints.token_hosts:
                headers = await tokens.headers_async()
            async with session.get(url, headers=headers, allow_redirects=False) as resp:
                if resp.status in (301, 302, 303, 307, 308):
                    url = resp.headers["Location"]
                    continue
                if resp.status != 200:
                    body = await resp.json(content_type=None)
                    raise error_from_response(resp.status, body, url, resp.headers)
                with part.open("wb") as fh:
                    async for chunk in resp.content.iter_chunked(1 << 20):
                        fh.write(chunk)
                        md5.update(chunk)
                        b3.update(chunk)
                break
        else:
            raise DownloadError(f"too many redirects downloading {product.name}")
    seconds = time.perf_counter() - started
    expected = product.checksums
    if expected.get("MD5") and md5.hexdigest() != expected["MD5"]:
        part.unlink()
        raise ChecksumMismatch(f"{product.name}: MD5 {md5.hexdigest()} != {expected['MD5']}")
    if expected.get("BLAKE3") and b3.hexdigest() != expected["BLAKE3"]:
        part.unlink()
        raise ChecksumMismatch(f"{product.name}: BLAKE3 differs from the catalogue's")
    os.replace(part, dest)
    return dest, seconds


def run_demo() -> int:
    """Run the round trip; returns the process exit code."""
    from .emulator import Emulator

    _say("Starting the built-in CDSE emulator ...")
    with Emulator() as emu:
        endpoints, settings = emu.endpoints, Settings.from_env()
        _say(f"  catalogue  {endpoints.catalogue}")
        _say(f"  download   {endpoints.download}   (a different host, as on CDSE)")
        _say(f"  identity   {endpoints.identity}")
        _say(f"  {len(emu.catalogue):,} products in its catalogue")
        _say()

        tokens = TokenProvider(Credentials(emu.username, emu.password), endpoints, settings)
        tokens.get_token()
        _say(f"Logged in as {tokens.username}; token valid for {tokens.expires_in:.0f} s")
        _say()

        query = Query(
            collection="sentinel-2-l2a",
            bbox=(2.2, 48.8, 2.5, 48.9),
            start="2023-01-01",
            end="2023-01-15",
        )
        _say("Searching: Sentinel-2 L2A over Paris, 1-15 January 2023")
        products = asyncio.run(_search(query, endpoints, settings))
        _say(f"{'name':<66} {'sensing start':<17} {'cloud':>6} {'MB':>8}")
        for p in products:
            when = p.start.strftime("%Y-%m-%d %H:%M") if p.start else "?"
            cloud = f"{p.cloud_cover:.1f}" if p.cloud_cover is not None else "-"
            _say(f"{p.name:<66} {when:<17} {cloud:>6} {(p.size or 0) / 1e6:>8.1f}")
        _say()

        OUT.mkdir(exist_ok=True)
        product = products[0]
        stem = product.stem
        _say(f"Downloading {stem} ...")
        path, seconds = asyncio.run(_download(product, endpoints, tokens, OUT / f"{stem}.zip"))
        size = path.stat().st_size
        _say(f"  {size / 1e6:.1f} MB in {seconds:.2f} s; MD5 and BLAKE3 match the catalogue's")
        _say(f"  written to {path.resolve()}")
        tokens.logout()
    _say()
    _say("The same against the real CDSE: unset the CDSE_*_URL variables and set")
    _say("CDSE_USERNAME/CDSE_PASSWORD (or ~/.netrc machine identity.dataspace.copernicus.eu).")
    return 0
