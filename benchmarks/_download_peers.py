"""The client children of ``download_throughput.py`` and how they run: the scripts of the
plain copy (the ceiling), ours and the peers (eodag, CDSETool, behind a loopback-only socket
guard), each run as ``python -c`` in a fresh process with its environment, inputs and peak RSS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

__all__ = [
    "CDSETOOL",
    "CEILING",
    "EODAG",
    "GUARD",
    "IMPORTS",
    "OURS",
    "child_env",
    "client_env",
    "manifest_for",
    "products_file",
    "run_child",
]

CEILING = """
import asyncio, json, os, sys, time
import aiohttp

async def main(url, token, path):
    async with aiohttp.ClientSession() as session:
        started = time.perf_counter()
        headers = {"Authorization": f"Bearer {token}"}
        async with session.get(url, headers=headers) as resp:
            resp.raise_for_status()
            size = 0
            if path == "-":  # the network alone: bytes read and dropped
                async for chunk in resp.content.iter_chunked(1 << 20):
                    size += len(chunk)
            else:
                with open(path, "wb") as out:
                    async for chunk in resp.content.iter_chunked(1 << 20):
                        out.write(chunk)
                        size += len(chunk)
                    if SYNC:  # durable on disk, as the downloader makes it before the rename
                        out.flush()
                        os.fsync(out.fileno())
        return size, time.perf_counter() - started

SYNC = sys.argv[4] == "fsync"
size, seconds = asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
print(json.dumps({"bytes": size, "seconds": seconds}))
"""

#: Ours: each argument is one download() call in this same process (a manifest, or a JSON list
#: of products); the first call pays the process's start-up, later ones find it done.
OURS = """
import json, resource, statistics, sys, time
import psutil
from cdse_intake.downloads import download
from cdse_intake.product import Product
# What the first call imports lazily, imported before the timers as the peers' imports are (the
# figure with them, a user's very first call, is ours_s + ours_lazy_imports_s).
import aiohttp, blake3, filelock, sqlite3

def items(path):
    if path.endswith(".csv"):
        return path
    with open(path) as fh:
        return [Product.from_dict(p) for p in json.load(fh)]

before = psutil.Process().memory_info().rss
calls = []
for path in sys.argv[1:]:
    todo = items(path)
    started = time.perf_counter()
    report = download(todo, progress=False)
    seconds = time.perf_counter() - started
    speeds = [o.mb_s for o in report.verified]
    calls.append({
        "seconds": seconds,
        "bytes": report.bytes,
        "verified": len(report.verified),
        "failed": [o.reason for o in report.failed],
        "retries": sum(o.retries for o in report),
        "product_mb_s": [min(speeds or [0]), statistics.median(speeds or [0])],
    })
print(json.dumps({
    "calls": calls,
    "rss_before_mb": before / 2**20,
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""

#: What our first call imports lazily (the peers' imports happen before their timers).
IMPORTS = """
import json, time
from cdse_intake.downloads import download
started = time.perf_counter()
import aiohttp, blake3, filelock, sqlite3
print(json.dumps({"seconds": time.perf_counter() - started}))
"""

#: Peers reach the emulator only: any other address is refused at the socket.
GUARD = """
import socket
_connect = socket.socket.connect
def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else ""
    if self.family in (socket.AF_INET, socket.AF_INET6) and not (
        host.startswith("127.") or host == "::1"
    ):
        raise OSError(f"benchmark peers reach the emulator only, not {address!r}")
    return _connect(self, address)
socket.socket.connect = _loopback_only
"""

EODAG = (
    GUARD
    + """
import json, os, sys, time
conf = json.loads(sys.argv[1])
import eodag.config
os.environ.update({
    # eodag's documented EODAG__<PROVIDER>__<SECTION>__<KEY> overrides: the emulator's identity
    "EODAG__COP_DATASPACE__AUTH__OIDC_CONFIG_URL":
        conf["identity"] + "/.well-known/openid-configuration",
    "EODAG__COP_DATASPACE__AUTH__MATCHING_URL": conf["download_host"],
    "EODAG__COP_DATASPACE__AUTH__CREDENTIALS__USERNAME": conf["username"],
    "EODAG__COP_DATASPACE__AUTH__CREDENTIALS__PASSWORD": conf["password"],
    "EODAG__COP_DATASPACE__SEARCH__API_ENDPOINT": conf["catalogue"] + "/Products",
    "EODAG_CFG_FILE": os.path.join(conf["out"], "eodag.yml"),
    "EODAG_LOCS_CFG_FILE": os.path.join(conf["out"], "locations.yml"),
    # the collections list bundled with eodag, never the one on the web
    "EODAG_EXT_COLLECTIONS_CFG_URI": str(eodag.config.RESOURCES_DIR / "ext_collections.json"),
    "EODAG_STRICT_COLLECTIONS": "1",
})
from eodag import EODataAccessGateway, EOProduct, SearchResult
dag = EODataAccessGateway()
products = []
for p in conf["products"]:
    product = EOProduct("cop_dataspace", {
        "id": p["name"],
        "title": p["name"].removesuffix(".zip"),
        "eodag:download_link": f"{conf['download']}/Products({p['id']})/$value",
        "order:status": "succeeded",
        "geometry": "POLYGON((0 0,1 0,1 1,0 1,0 0))",
    }, collection="S1_SAR_AUX")
    dag._setup_downloader(product)  # what a search does for its products (and download())
    products.append(product)
started = time.perf_counter()
paths = dag.download_all(SearchResult(products), output_dir=conf["out"], extract=False)
seconds = time.perf_counter() - started
size = sum(os.path.getsize(p) for p in paths)
print(json.dumps({"seconds": seconds, "bytes": size, "files": len(paths)}))
"""
)

CDSETOOL = (
    GUARD
    + """
import json, os, sys, time
conf = json.loads(sys.argv[1])
import cdsetool.credentials as credentials
from cdsetool.download import download_features

ROUTES = {
    "https://identity.dataspace.copernicus.eu/auth/realms/CDSE": conf["identity"],
    "https://download.dataspace.copernicus.eu/odata/v1": conf["download"],
}

class ToEmulator(credentials.HTTPAdapter):
    # CDSETool writes the real addresses inline: its adapter is the one seam (as in the tests)
    def send(self, request, *args, **kwargs):
        for real, here in ROUTES.items():
            if request.url.startswith(real + "/"):
                request.url = here + request.url[len(real):]
        kwargs["proxies"] = None
        return super().send(request, *args, **kwargs)

class Quiet:
    def debug(self, *a, **k): pass
    info = warning = debug
    def error(self, msg, *a, **k): print(msg, file=sys.stderr)

credentials.HTTPAdapter = ToEmulator
features = [{"Id": p["id"], "Name": p["name"].removesuffix(".zip")} for p in conf["products"]]
started = time.perf_counter()
login = credentials.Credentials(conf["username"], conf["password"])
options = {"credentials": login, "concurrency": 4, "download_attempts": 1, "logger": Quiet()}
done = [r for r in download_features(features, conf["out"], options) if r]
seconds = time.perf_counter() - started
size = sum(os.path.getsize(os.path.join(conf["out"], r)) for r in done)
print(json.dumps({"seconds": seconds, "bytes": size, "files": len(done)}))
"""
)


def run_child(code: str, args: list[str], env: dict[str, str]) -> tuple[dict[str, Any], float]:
    """Run a client child; its JSON line and its peak RSS (MiB) sampled by psutil."""
    import psutil

    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        child = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                peak = max(peak, child.memory_info().rss)
            except psutil.Error:
                return
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate(timeout=1800)
    done.set()
    sampler.join()
    if proc.returncode != 0 or not out.strip():
        raise RuntimeError(f"child failed ({proc.returncode}): {err.strip()[-1500:]}")
    return json.loads(out.strip().splitlines()[-1]), peak / 2**20


def manifest_for(products: list[dict[str, Any]], path: Path) -> Path:
    from cdse_intake.manifest import rows_for, write_manifest
    from cdse_intake.product import Product

    return write_manifest(path, rows_for([Product.from_dict(p) for p in products]))


def products_file(products: list[dict[str, Any]], path: Path) -> str:
    path.write_text(json.dumps(products))
    return str(path)


def child_env(drop: tuple[str, ...] = ("CDSE_",)) -> dict[str, str]:
    """This environment without ``drop``'s prefixes, with bytecode caching on for every child.

    Without it (``PYTHONDONTWRITEBYTECODE``) each child compiles every module it imports: a cost
    users do not pay, and an unfair one (we import aiohttp lazily, inside the timed call; the
    peers import requests before it). The bytecode goes to a folder of its own, not the tree.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "cdse-bench-pycache")
    env["TQDM_DISABLE"] = "1"
    return env


def client_env(emu_env: dict[str, str], cache: Path) -> dict[str, str]:
    env = child_env()
    env.update(emu_env)
    env["CDSE_CACHE_DIR"] = str(cache)
    env["CDSE_CONFIG"] = str(cache / "no-config.toml")
    return env
