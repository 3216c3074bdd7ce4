"""Search throughput: cdse_intake against the bare page loop and the peers, on one emulator.

The emulator runs in its own process (``cdse-intake emulator --no-s3``) so no side shares a GIL
with it. Every side asks for the same records: ``$expand=Attributes`` and ``$expand=Assets``.

1. ``deep``: every SENTINEL-2 product (27,845 at the emulator's default scale: beyond CDSE's
   10,000 ``$skip``). Ours is ``cdse_intake.search("SENTINEL-2")`` iterated to the end (Product
   records; their fields read on first access); the bare loop is a minimal sequential loop of
   ``GET /Products`` pages (``$top=1000``, keyset on ``ContentDate/Start``, the JSON decoded with
   requests and nothing else).
2. ``full_records``: S2MSI2A started 2023-01-01 .. 2023-06-30 (3,470 products). Ours as above, and
   again with every field of every product read (``ours_decoded_per_s``); cdsetool's
   ``query_features`` (raw OData dicts, sequential ``$skip`` pages of 1000 with ``$count``; its
   URL pointed at the emulator and ``$expand=Assets`` added, as our records have assets); eodag's
   ``search_all`` on provider ``cop_dataspace`` (its OData endpoint overridden through eodag's
   documented ``EODAG__COP_DATASPACE__...`` variables; EOProduct records with eodag's mapped
   properties), in a child process that can reach loopback addresses only.

Best of :data:`REPEATS` runs per side, the sides alternating; the counts are checked equal.

    python benchmarks/search_throughput.py
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import requests

REPEATS = 3
DEEP = {"collection": "SENTINEL-2"}
FULL = {
    "collection": "SENTINEL-2",
    "product_type": "S2MSI2A",
    "start": "2023-01-01",
    "end": "2023-06-30",  # a date-only end is inclusive: before 2023-07-01
}
EXPAND = [("$expand", "Attributes"), ("$expand", "Assets")]

#: eodag in a child: the emulator's URLs through eodag's own overrides, loopback only.
EODAG = """
import json, os, socket, sys, time
_connect, _resolve = socket.socket.connect, socket.getaddrinfo
def _loopback(host):
    if not (str(host).startswith("127.") or host in ("localhost", "::1")):
        raise OSError(f"benchmark peers reach the emulator only, not {host!r}")
def _connect_guard(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _loopback(address[0])
    return _connect(self, address)
def _resolve_guard(host, *args, **kwargs):
    _loopback(host)
    return _resolve(host, *args, **kwargs)
socket.socket.connect, socket.getaddrinfo = _connect_guard, _resolve_guard
conf = json.loads(sys.argv[1])
import eodag.config
os.environ.update({
    "EODAG__COP_DATASPACE__SEARCH__API_ENDPOINT": conf["catalogue"] + "/Products",
    "EODAG__COP_DATASPACE__AUTH__OIDC_CONFIG_URL":
        conf["identity"] + "/.well-known/openid-configuration",
    "EODAG__COP_DATASPACE__AUTH__MATCHING_URL": conf["download_host"],
    "EODAG_CFG_FILE": os.path.join(conf["out"], "eodag.yml"),
    "EODAG_LOCS_CFG_FILE": os.path.join(conf["out"], "locations.yml"),
    "EODAG_EXT_COLLECTIONS_CFG_URI": str(eodag.config.RESOURCES_DIR / "ext_collections.json"),
    "EODAG_STRICT_COLLECTIONS": "1",
})
from eodag import EODataAccessGateway
dag = EODataAccessGateway()
kwargs = dict(provider="cop_dataspace", collection="S2_MSI_L2A", limit=1000,
              start="2023-01-01", end="2023-07-01")
dag.search(**{**kwargs, "limit": 1})  # warm: plugins, configuration, the first connection
started = time.perf_counter()
found = dag.search_all(**kwargs)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "products": len(found),
                  "ids": sorted(p.properties["id"] for p in found)}))
"""


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


# -- the sides ---------------------------------------------------------------------------------
def bare_loop(catalogue: str) -> tuple[set[str], float]:
    """Sequential pages, keyset on the start time; (ids, seconds)."""
    session = requests.Session()
    last = None
    seen: set[str] = set()
    started = time.perf_counter()
    while True:
        flt = "Collection/Name eq 'SENTINEL-2'"
        if last:
            flt += f" and ContentDate/Start ge {last}"
        params = [("$filter", flt), ("$top", "1000"), ("$orderby", "ContentDate/Start asc")]
        url = f"{catalogue}/Products"
        records = session.get(url, params=params + EXPAND, timeout=120).json()["value"]
        new = [r for r in records if r["Id"] not in seen]
        seen.update(r["Id"] for r in new)
        if len(records) < 1000 or not new:
            break
        last = records[-1]["ContentDate"]["Start"]
    return seen, time.perf_counter() - started


def ours(query: dict[str, Any], decode: bool = False) -> tuple[set[str], float]:
    """cdse_intake.search iterated to the end (``decode``: every field of each product read)."""
    import cdse_intake
    from cdse_intake.product import Product

    fields = list(Product.__dataclass_fields__)
    started = time.perf_counter()
    ids = set()
    for product in cdse_intake.search(**query, cache=False):
        ids.add(product.id)
        if decode:
            for name in fields:
                getattr(product, name)
    return ids, time.perf_counter() - started


def cdsetool(catalogue: str) -> tuple[set[str], float]:
    """CDSETool's query_features, every page (its own URL swapped for the emulator's)."""
    from cdsetool.query import FeatureQuery

    real = "https://catalogue.dataspace.copernicus.eu/odata/v1"

    class EmulatedFeatureQuery(FeatureQuery):
        def _build_query_url(self, include_count: bool = False) -> str:
            url = super()._build_query_url(include_count)
            return catalogue + url.removeprefix(real) + "&$expand=Assets"

    terms = {
        "productType": "S2MSI2A",
        "contentDateStartGe": "2023-01-01",
        "contentDateStartLt": "2023-07-01",
        "top": 1000,
    }
    started = time.perf_counter()
    features = list(EmulatedFeatureQuery("SENTINEL-2", terms, options={"expand_attributes": True}))
    seconds = time.perf_counter() - started
    return {f["Id"] for f in features}, seconds


def eodag(env: dict[str, str], folder: str) -> tuple[set[str], float]:
    """eodag's search_all in a child process; the names it found (its ids) and its seconds."""
    conf = {
        "catalogue": env["CDSE_CATALOGUE_URL"],
        "identity": env["CDSE_IDENTITY_URL"],
        "download_host": env["CDSE_DOWNLOAD_URL"].split("/odata/")[0],
        "out": folder,
    }
    child_env = {k: v for k, v in os.environ.items() if not k.startswith(("CDSE_", "EODAG"))}
    proc = subprocess.run(
        [sys.executable, "-c", EODAG, json.dumps(conf)],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"eodag failed: {proc.stderr[-2000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return set(out["ids"]), out["seconds"]


# -- the run -----------------------------------------------------------------------------------
def best(runs: dict[str, list[tuple[set[str], float]]], side: str) -> tuple[int, float]:
    """(products, products per second) of the side's best run."""
    counts = {len(ids) for ids, _ in runs[side]}
    if len(counts) != 1:
        raise RuntimeError(f"{side} found different counts in its runs: {sorted(counts)}")
    count = counts.pop()
    return count, count / min(seconds for _, seconds in runs[side])


def alternate(sides: dict[str, Callable[[], tuple[set[str], float]]]) -> dict[str, list[Any]]:
    runs: dict[str, list[Any]] = {name: [] for name in sides}
    for round_ in range(REPEATS):
        for name, side in sides.items():
            ids, seconds = side()
            runs[name].append((ids, seconds))
            print(f"  run {round_ + 1} {name:<14} {len(ids):>6} products in {seconds:6.2f} s")
    return runs


def main() -> None:
    proc, env = start_emulator()
    catalogue = env["CDSE_CATALOGUE_URL"]
    figures: dict[str, Any] = {}
    try:
        os.environ.update(env)
        import cdse_intake

        list(cdse_intake.search("SENTINEL-2", limit=10, cache=False))  # imports, loop, session
        bare_loop(catalogue)  # warms the emulator's render cache
        print("deep: every SENTINEL-2 product")
        runs = alternate({"ours": lambda: ours(DEEP), "bare_loop": lambda: bare_loop(catalogue)})
        if runs["ours"][0][0] != runs["bare_loop"][0][0]:
            raise RuntimeError("ours and the bare loop found different products")
        count, ours_rate = best(runs, "ours")
        _, bare_rate = best(runs, "bare_loop")
        figures["deep"] = {
            "products": count,
            "ours_per_s": round(ours_rate),
            "bare_loop_per_s": round(bare_rate),
            "ratio": round(ours_rate / bare_rate, 2),
        }

        print("full_records: S2MSI2A 2023-01-01 .. 2023-06-30, Attributes and Assets")
        cdsetool(catalogue)  # warms the emulator's render cache for these pages
        with tempfile.TemporaryDirectory(prefix="bench-eodag-") as folder:
            sides: dict[str, Callable[[], tuple[set[str], float]]] = {
                "ours": lambda: ours(FULL),
                "ours_decoded": lambda: ours(FULL, decode=True),
                "cdsetool": lambda: cdsetool(catalogue),
                "eodag": lambda: eodag(env, folder),
            }
            runs = alternate(sides)
        ours_ids = runs["ours"][0][0]
        if runs["cdsetool"][0][0] != ours_ids or runs["ours_decoded"][0][0] != ours_ids:
            raise RuntimeError("ours and cdsetool found different products")
        count, ours_rate = best(runs, "ours")
        _, decoded_rate = best(runs, "ours_decoded")
        _, tool_rate = best(runs, "cdsetool")
        eodag_count, eodag_rate = best(runs, "eodag")
        figures["full_records"] = {
            "products": count,
            "ours_per_s": round(ours_rate),
            "ours_decoded_per_s": round(decoded_rate),
            "cdsetool_per_s": round(tool_rate),
            "ratio_vs_cdsetool": round(ours_rate / tool_rate, 2),
            "ratio_decoded_vs_cdsetool": round(decoded_rate / tool_rate, 2),
            "eodag_products": eodag_count,
            "eodag_per_s": round(eodag_rate),
            "ratio_vs_eodag": round(ours_rate / eodag_rate, 2),
        }
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    for section, values in figures.items():
        for key, value in values.items():
            print(f"{section + '.' + key:<40} {value}")
    print("JSON:", json.dumps(figures))


if __name__ == "__main__":
    main()
