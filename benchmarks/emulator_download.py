"""How fast the emulator's download service streams a large product over loopback.

An aiohttp client (what the library's downloader uses) fetches a ~200 MB product from the download
host with a bearer token and discards the bytes: unthrottled (one connection, then four at once,
CDSE's session limit), and with the emulator's per-connection throttle at CDSE's 20 MB/s, where the
figure of interest is how close the achieved rate is to the cap. Prints the figures, then one JSON
line.

    python benchmarks/emulator_download.py [size_mb]
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from typing import Any

import aiohttp

MB = 1_000_000
THROTTLE = 20 * MB
#: Bytes fetched (with a Range) at the throttled rate: a few seconds' worth.
THROTTLED_BYTES = 60 * MB


async def _download(session: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> int:
    async with session.get(url, headers=headers) as resp:
        if resp.status not in (200, 206):
            raise RuntimeError(f"HTTP {resp.status}: {(await resp.read())[:300]!r}")
        n = 0
        async for chunk in resp.content.iter_any():
            n += len(chunk)
        if n != resp.content_length:
            raise RuntimeError(f"got {n} bytes, expected {resp.content_length}")
        return n


async def _timed(url: str, headers: dict[str, str], parallel: int = 1) -> tuple[int, float]:
    """Total bytes and seconds for ``parallel`` simultaneous downloads of ``url``."""
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        sizes = await asyncio.gather(*(_download(session, url, headers) for _ in range(parallel)))
        return sum(sizes), time.perf_counter() - started


def run(emulator: Any, size_mb: int = 200, repeats: int = 3) -> dict[str, float]:
    """Figures for a started emulator; adds a ``size_mb`` product to its catalogue.

    The product's file goes to ``$CDSE_BENCH_DIR`` (default: a folder in the temp directory).
    """
    from cdse_intake.emulator.blob import add_large_product

    # One file per size, written on the first run and reused by the next ones.
    directory = os.environ.get("CDSE_BENCH_DIR") or os.path.join(
        tempfile.gettempdir(), "cdse-emulator-bench"
    )
    entry = add_large_product(emulator.catalogue, size_mb * MB, directory)
    tokens = emulator.tokens
    auth = {"Authorization": f"Bearer {tokens.access_token(tokens.new_session(emulator.username))}"}
    url = f"{emulator.urls.download}/Products({entry.id})/$value"
    previous = emulator.state.throttle
    try:
        emulator.state.throttle = None
        asyncio.run(_timed(url, auth))  # warm the page cache and the connection path
        single = [asyncio.run(_timed(url, auth)) for _ in range(repeats)]
        four_bytes, four_s = asyncio.run(_timed(url, auth, parallel=4))
        emulator.state.throttle = THROTTLE
        ranged = {**auth, "Range": f"bytes=0-{THROTTLED_BYTES - 1}"}
        paced_bytes, paced_s = asyncio.run(_timed(url, ranged))
    finally:
        emulator.state.throttle = previous
    rates = [n / s / MB for n, s in single]
    paced = paced_bytes / paced_s / MB
    return {
        "product_mb": round(entry.content_length / MB, 1),
        "unthrottled_median_mb_s": round(statistics.median(rates), 1),
        "unthrottled_best_mb_s": round(max(rates), 1),
        "four_parallel_total_mb_s": round(four_bytes / four_s / MB, 1),
        "throttle_mb_s": THROTTLE / MB,
        "throttled_mb_s": round(paced, 2),
        "throttled_ratio_to_cap": round(paced / (THROTTLE / MB), 3),
    }


def main() -> None:
    from cdse_intake.emulator import Emulator

    size_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with Emulator(s3=False, scale=0.001) as emulator:
        figures = run(emulator, size_mb=size_mb)
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    print("JSON: " + json.dumps(figures))


if __name__ == "__main__":
    main()
