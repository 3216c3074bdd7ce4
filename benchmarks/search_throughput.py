"""Search throughput: enumerating a 25,000+ product result through cdse_intake vs the raw ceiling.

The emulator runs in its own process (``cdse-intake emulator``) so neither side shares a GIL with
it. The ceiling is a minimal sequential loop of ``GET /Products`` pages (``$top=1000``, keyset
pagination on ``ContentDate/Start``, the JSON decoded and nothing else). The client is
``cdse_intake.search(...)`` iterated to the end: windowed splitting, concurrency, Product records.

    python benchmarks/search_throughput.py
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import requests


def start_emulator() -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "cdse_intake.cli", "emulator", "--no-s3"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    env = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("#"):
            break
        key, _, value = line.removeprefix("export ").strip().partition("=")
        env[key] = value.strip("'")
    return proc, env


def raw_ceiling(catalogue: str) -> tuple[int, float]:
    """Sequential pages, keyset on the start time; returns (products, seconds)."""
    session = requests.Session()
    last = None
    seen: set[str] = set()
    started = time.perf_counter()
    while True:
        flt = "Collection/Name eq 'SENTINEL-2'"
        if last:
            flt += f" and ContentDate/Start ge {last}"
        # The same data the client asks for: attributes and assets.
        params = [("$filter", flt), ("$top", "1000"), ("$orderby", "ContentDate/Start asc"),
                  ("$expand", "Attributes"), ("$expand", "Assets")]  # fmt: skip
        records = session.get(f"{catalogue}/Products", params=params, timeout=120).json()["value"]
        new = [r for r in records if r["Id"] not in seen]
        seen.update(r["Id"] for r in new)
        if len(records) < 1000 or not new:
            break
        last = records[-1]["ContentDate"]["Start"]
    return len(seen), time.perf_counter() - started


def client(env: dict[str, str]) -> tuple[int, float]:
    os.environ.update(env)
    import cdse_intake

    list(cdse_intake.search("SENTINEL-2", limit=10, cache=False))  # imports, loop, session
    started = time.perf_counter()
    results = cdse_intake.search("SENTINEL-2", cache=False)
    count = sum(1 for _ in results)
    return count, time.perf_counter() - started


def main() -> None:
    proc, env = start_emulator()
    try:
        raw_ceiling(env["CDSE_CATALOGUE_URL"])  # warms the emulator's render cache
        raw_count, raw_seconds = raw_ceiling(env["CDSE_CATALOGUE_URL"])
        count, seconds = client(env)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    figures = {
        "products": count,
        "raw_products": raw_count,
        "raw_products_per_s": round(raw_count / raw_seconds),
        "client_products_per_s": round(count / seconds),
        "client_vs_raw_ratio": round((count / seconds) / (raw_count / raw_seconds), 2),
        "client_overhead_us_per_product": round((seconds - raw_seconds) / count * 1e6, 1),
    }
    for key, value in figures.items():
        print(f"{key:<32} {value}")
    print("JSON:", json.dumps(figures))


if __name__ == "__main__":
    main()
