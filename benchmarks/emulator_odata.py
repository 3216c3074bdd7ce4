"""How fast the emulator's OData catalogue serves full pages.

A client on loopback (one keep-alive HTTP/1.1 connection) asks for 1000-record pages with
``$expand=Attributes`` and a ``Collection/Name`` + ``ContentDate`` filter, as a real harvester does.
"Warm" repeats one page (record fragments already serialised); "cold" walks distinct pages the
server has not rendered before. Prints the figures, then one JSON line.

    python benchmarks/emulator_odata.py
"""

from __future__ import annotations

import http.client
import json
import statistics
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

FILTER = (
    "Collection/Name eq 'SENTINEL-2' and ContentDate/Start ge 2023-01-01T00:00:00.000Z "
    "and ContentDate/Start lt 2024-12-31T00:00:00.000Z"
)


def _params(skip: int) -> dict[str, str]:
    return {
        "$filter": FILTER,
        "$top": "1000",
        "$skip": str(skip),
        "$expand": "Attributes",
        "$orderby": "ContentDate/Start asc",
    }


def _timed_get(conn: http.client.HTTPConnection, path: str) -> tuple[float, int, int, float]:
    """Seconds from request to last byte (parsing excluded), records, bytes, server ms."""
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}: {body[:300]!r}")
    # The catalogue's x-envoy-upstream-service-time: the server's own time to build the answer.
    server_ms = float(response.getheader("x-envoy-upstream-service-time", "nan"))
    return elapsed, len(json.loads(body)["value"]), len(body), server_ms


def run(emulator: Any, repeats: int = 40, cold_pages: int = 9) -> dict[str, float]:
    """Figures for a started emulator (its catalogue needs ~10,000 SENTINEL-2 products)."""
    url = urlsplit(emulator.urls.catalogue)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    root = url.path + "/Products?"
    try:
        # Cold: pages never rendered before (each record serialised for the first time).
        cold = [
            _timed_get(conn, root + urlencode(_params(1000 * (k + 1)))) for k in range(cold_pages)
        ]
        warm_path = root + urlencode(_params(0))
        _timed_get(conn, warm_path)  # render once
        warm = [_timed_get(conn, warm_path) for _ in range(repeats)]
    finally:
        conn.close()
    times = sorted(t for t, *_ in warm)
    records = warm[0][1]
    median = statistics.median(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    cold_times = [t for t, *_ in cold]
    return {
        "records_per_page": records,
        "page_bytes": warm[0][2],
        "warm_median_ms": round(median * 1000, 2),
        "warm_p95_ms": round(p95 * 1000, 2),
        "warm_records_per_s": round(records / median),
        "cold_median_ms": round(statistics.median(cold_times) * 1000, 2),
        "cold_max_ms": round(max(cold_times) * 1000, 2),
        "cold_records_per_s": round(sum(n for _, n, *_ in cold) / sum(cold_times)),
        "warm_server_median_ms": statistics.median(s for *_, s in warm),
        "cold_server_median_ms": statistics.median(s for *_, s in cold),
    }


def main() -> None:
    from cdse_intake.emulator import Emulator

    with Emulator(s3=False) as emulator:
        figures = run(emulator)
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    print("JSON: " + json.dumps(figures))


if __name__ == "__main__":
    main()
