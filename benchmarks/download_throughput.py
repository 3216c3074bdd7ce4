"""Download throughput of ``cdse_intake.download`` on the emulator, beside its ceiling and peers.

One run prints every figure of issue 19's download rows, each from separate processes (the
emulator, our client, the ceiling and the peers never share a GIL):

1. ``large``: one 1 GB product, verified (BLAKE3 hashed while written, ``.part`` + fsync + rename
   + cache index), against a plain aiohttp streaming copy of the same ``$value`` URL to disk
   (also with a final fsync, as the downloader makes the file durable before renaming it) and,
   for scale, the same GET with the bytes dropped (the network alone);
2. ``batch_unthrottled``: 8 products of 42 MB with 4 connections: ours (verified) against eodag's
   ``download_all`` (provider ``cop_dataspace``) and CDSETool's ``download_features``, both
   pointed at the emulator, neither verifying a checksum;
3. ``small``: 7 products of 1 MB: ours in a fresh process (its first call: login, cache index,
   budget) and a warm second call in the same process (7 other products), against the same
   peers, each in a fresh process with its imports done before the timer (our lazy imports,
   which a user's very first call also pays, are shown apart as ``ours_lazy_imports_s``);
4. ``throttled``: a batch of 20 MB products with the emulator throttled to CDSE's 20 MB/s per
   connection: achieved MB/s as a fraction of the 80 MB/s the 4-connection quota allows, without
   faults and with 5% of the requests cut by a connection reset (the run's fixed start-up counts
   against the batch); the spread of the per-product speeds the report gives;
5. ``peak_rss_mb``: the peak RSS of the process downloading the 1 GB product.

Noisy figures are the best of ``--repeats`` fresh processes. Ratios are >= 1.0 when we are at
least as good (throughput: ours / theirs; time: theirs / ours). Peers run with a socket guard
that refuses any address but loopback, and are pointed at the emulator as
``tests/emulator/test_third_party_downloads.py`` does (CDSETool) or through eodag's own
environment configuration plus ``EOProduct`` objects carrying the emulator's download link. A peer
that fails is reported with its error, not hidden.

The emulator runs in a child process of this script (``--serve``): the CLI emulator cannot add a
1 GB product or inject faults from outside. Product files are written once to ``$CDSE_BENCH_DIR``
(default: a folder in the temp directory) and reused.

    python benchmarks/download_throughput.py [--size-mb 1000] [--batch 24] [--only small,large]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

MB = 1_000_000
THROTTLE = 20 * MB  # CDSE: 20 MB/s per connection (cdse-api.md §2.4)
QUOTA = 4  # connections per account
UNTHROTTLED = (8, 42 * MB)  # products, bytes each
SMALL = (7, 1 * MB)  # products per call (twice as many are served: a warm second call)
SECTIONS = ("large", "batch_unthrottled", "small", "throttled")

# -- the emulator child ------------------------------------------------------------------------


def serve(size_mb: int, batch: int, directory: str) -> None:
    """Emulator with every product group; commands on stdin, replies on stdout."""
    from cdse_intake.emulator import Emulator
    from cdse_intake.emulator.blob import add_large_product

    emu = Emulator(s3=False, scale=0.001).start()

    def group(count: int, size: int) -> list[Any]:
        # distinct sizes: the product name (and id) is made from the size
        return [add_large_product(emu.catalogue, size + i * 1000, directory) for i in range(count)]

    def describe(e: Any) -> dict[str, Any]:
        return {
            "id": e.id,
            "name": e.name,
            "collection": e.collection,
            "start": e.start.isoformat(),
            "size": e.content_length,
            "checksums": {"MD5": e.md5, "BLAKE3": e.blake3},
            "s3_path": e.s3_path,
            "online": True,
        }

    hello = {
        "env": emu.env(),
        "large": describe(add_large_product(emu.catalogue, size_mb * MB, directory)),
        "batch": [describe(e) for e in group(batch, 20 * MB)],
        "unthrottled": [describe(e) for e in group(*UNTHROTTLED)],
        "small": [describe(e) for e in group(2 * SMALL[0], SMALL[1])],
    }
    print(json.dumps(hello), flush=True)
    for line in sys.stdin:
        command, *args = line.split()
        if command == "throttle":
            emu.state.throttle = float(args[0]) if args[0] != "none" else None
        elif command == "resets":
            emu.faults.add(
                "reset", after_bytes=int(args[1]), times=None, probability=float(args[0])
            )
        elif command == "clear":
            emu.faults.clear()
            emu.state.reset_counters()
        elif command == "stats":
            log = list(emu.state.log)
            statuses: dict[str, int] = {}
            for rec in log:
                statuses[str(rec.status)] = statuses.get(str(rec.status), 0) + 1
            reply = {
                "statuses": statuses,
                "bytes_sent": sum(r.bytes_sent for r in log),
                "peak": emu.state.peak_downloads[emu.username],
            }
            print(json.dumps(reply), flush=True)
            continue
        print(json.dumps({"ok": command}), flush=True)
    emu.stop()


class EmulatorProcess:
    def __init__(self, size_mb: int, batch: int, directory: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(size_mb), str(batch), directory],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.hello = json.loads(self.proc.stdout.readline())

    def ask(self, command: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


# -- client children ---------------------------------------------------------------------------

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


class Bench:
    """The measurements of one run, on one emulator."""

    def __init__(self, emu: EmulatorProcess, options: argparse.Namespace, work: Path) -> None:
        self.emu, self.options, self.work = emu, options, work
        self.hello = emu.hello
        self.env = self.hello["env"]
        self.runs = 0

    def folder(self, label: str) -> Path:
        self.runs += 1
        path = self.work / f"{label}-{self.runs}"
        path.mkdir()
        return path

    def ours(self, label: str, calls: list[str]) -> tuple[dict[str, Any], float]:
        cache = self.folder(label)
        out, peak = run_child(OURS, calls, client_env(self.env, cache))
        for call in out["calls"]:
            if call["failed"] or not call["verified"]:
                raise RuntimeError(f"{label}: our download failed: {call}")
        shutil.rmtree(cache)
        return out, peak

    def peer(self, code: str, label: str, products: list[dict[str, Any]]) -> float:
        """Seconds the peer took for ``products``; RuntimeError naming what went wrong."""
        out_dir = self.folder(label)
        download = self.env["CDSE_DOWNLOAD_URL"]
        conf = {
            "identity": self.env["CDSE_IDENTITY_URL"],
            "catalogue": self.env["CDSE_CATALOGUE_URL"],
            "download": download,
            "download_host": download.split("/odata/")[0],
            "username": self.env["CDSE_USERNAME"],
            "password": self.env["CDSE_PASSWORD"],
            "products": products,
            "out": str(out_dir),
        }
        env = child_env(("CDSE_", "EODAG"))
        env["TMPDIR"] = str(out_dir)  # CDSETool's temporary folder: same file system, a rename
        out, _ = run_child(code, [json.dumps(conf)], env)
        want = sum(p["size"] for p in products)
        if out["files"] != len(products) or out["bytes"] != want:
            raise RuntimeError(f"{label}: {out['files']} files, {out['bytes']} of {want} bytes")
        shutil.rmtree(out_dir)
        return out["seconds"]

    def peers(self, label: str, products: list[dict[str, Any]]) -> dict[str, Any]:
        """Best seconds of eodag and CDSETool (None and an ``_error`` when one cannot run)."""
        found: dict[str, Any] = {}
        for name, code in (("eodag", EODAG), ("cdsetool", CDSETOOL)):
            try:
                found[name] = min(
                    self.peer(code, f"{label}-{name}", products)
                    for _ in range(self.options.repeats)
                )
            except RuntimeError as err:
                found[name], found[f"{name}_error"] = None, str(err)
        return found

    def warm_up(self) -> None:
        """One throw-away run of every child, so that the measured ones find their bytecode."""
        one = self.hello["small"][:1]
        with contextlib.suppress(RuntimeError):
            self.ours("warm-up", [products_file(one, self.work / "warm-up.json")])
        for code in (EODAG, CDSETOOL):
            with contextlib.suppress(RuntimeError):
                self.peer(code, "warm-up", one)

    # -- sections ------------------------------------------------------------------------------
    def large(self) -> dict[str, Any]:
        from cdse_intake.auth import TokenProvider
        from cdse_intake.config import Endpoints, Settings

        large, env = self.hello["large"], self.env
        endpoints = Endpoints(
            identity=env["CDSE_IDENTITY_URL"],
            catalogue=env["CDSE_CATALOGUE_URL"],
            download=env["CDSE_DOWNLOAD_URL"],
            stac=env["CDSE_STAC_URL"],
            s3=env["CDSE_S3_ENDPOINT"],
        )
        tokens = TokenProvider(
            (env["CDSE_USERNAME"], env["CDSE_PASSWORD"]), endpoints, Settings(cache_dir=self.work)
        )
        url = f"{endpoints.download}/Products({large['id']})/$value"

        def plain(target: str, sync: str) -> float:
            out, _ = run_child(CEILING, [url, tokens.get_token(), target, sync], child_env())
            if target != "-":
                os.unlink(target)
            return out["bytes"] / out["seconds"] / MB

        network, ceiling, ceiling_sync, verified, peaks = [], [], [], [], []
        for i in range(self.options.repeats):
            network.append(plain("-", "no"))
            ceiling.append(plain(str(self.work / f"ceiling-{i}.bin"), "no"))
            ceiling_sync.append(plain(str(self.work / f"ceiling-{i}.bin"), "fsync"))
            manifest = manifest_for([large], self.work / f"large-{i}.csv")
            out, peak = self.ours("large", [str(manifest)])
            verified.append(out["calls"][0]["bytes"] / out["calls"][0]["seconds"] / MB)
            peaks.append(max(peak, out["maxrss_mb"]))
        self.peak_rss = max(peaks)
        return {
            "product_mb": round(large["size"] / MB, 1),
            "ours_mb_s": round(max(verified), 1),
            "plain_copy_mb_s": round(max(ceiling), 1),
            "ratio": round(max(verified) / max(ceiling), 3),
            "plain_copy_fsync_mb_s": round(max(ceiling_sync), 1),
            "ratio_vs_fsync_copy": round(max(verified) / max(ceiling_sync), 3),
            "network_only_mb_s": round(max(network), 1),
        }

    def batch_unthrottled(self) -> dict[str, Any]:
        products = self.hello["unthrottled"]
        size = sum(p["size"] for p in products) / MB
        path = products_file(products, self.work / "unthrottled.json")
        ours = max(
            size / self.ours("unthrottled", [path])[0]["calls"][0]["seconds"]
            for _ in range(self.options.repeats)
        )
        found = self.peers("unthrottled", products)
        speeds = {k: round(size / v, 1) if v else None for k, v in found.items() if "_" not in k}
        best = max((v for v in speeds.values() if v), default=None)
        return {
            "products": len(products),
            "ours_mb_s": round(ours, 1),
            "eodag_mb_s": speeds["eodag"],
            "cdsetool_mb_s": speeds["cdsetool"],
            "ratio_vs_best_peer": round(ours / best, 3) if best else None,
            **{k: v for k, v in found.items() if k.endswith("_error")},
        }

    def small(self) -> dict[str, Any]:
        n = SMALL[0]
        first, second = self.hello["small"][:n], self.hello["small"][n:]
        calls = [
            products_file(first, self.work / "small-1.json"),
            products_file(second, self.work / "small-2.json"),
        ]
        runs = [self.ours("small", calls)[0]["calls"] for _ in range(self.options.repeats)]
        cold = min(r[0]["seconds"] for r in runs)
        warm = min(r[1]["seconds"] for r in runs)
        imports = min(
            run_child(IMPORTS, [], child_env())[0]["seconds"] for _ in range(self.options.repeats)
        )
        found = self.peers("small", first)
        best = min((v for k, v in found.items() if "_" not in k and v), default=None)

        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "products": n,
            "ours_s": r(cold),
            "ours_warm_s": r(warm),
            "ours_lazy_imports_s": r(imports),  # before the timer, as the peers' imports
            "eodag_s": r(found["eodag"]),
            "cdsetool_s": r(found["cdsetool"]),
            "ratio_vs_best_peer": round(best / cold, 3) if best else None,
            "warm_ratio_vs_best_peer": round(best / warm, 3) if best else None,
            **{k: v for k, v in found.items() if k.endswith("_error")},
        }

    def throttled(self) -> dict[str, Any]:
        emu, batch_products = self.emu, self.hello["batch"]
        emu.ask(f"throttle {THROTTLE}")
        batch_bytes = sum(p["size"] for p in batch_products)
        quota = QUOTA * THROTTLE / MB
        found: dict[str, dict[str, Any]] = {}
        for label, faults in (("clean", None), ("resets", "resets 0.05 8000000")):
            emu.ask("clear")
            if faults:
                emu.ask(faults)
            manifest = manifest_for(batch_products, self.work / f"batch-{label}.csv")
            call = self.ours(label, [str(manifest)])[0]["calls"][0]
            stats = emu.ask("stats")
            found[label] = {**call, **stats, "mb_s": batch_bytes / call["seconds"] / MB}
        emu.ask("throttle none")
        emu.ask("clear")
        clean, resets = found["clean"], found["resets"]
        return {
            "products": len(batch_products),
            "quota_mb_s": quota,
            "fraction_of_quota": round(clean["mb_s"] / quota, 3),
            "fraction_with_resets": round(resets["mb_s"] / quota, 3),
            "resets_retries": resets["retries"],
            "resets_sent_over_size": round(resets["bytes_sent"] / batch_bytes, 3),
            # each product's own speed: near 20 MB/s when its timer excludes the queueing
            "product_mb_s_min_median": [round(v, 1) for v in clean["product_mb_s"]],
            "peak_connections": max(clean["peak"], resets["peak"]),
            "status_429": sum(f["statuses"].get("429", 0) for f in found.values()),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=24, help="number of 20 MB products")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections, comma-separated")
    options = parser.parse_args()
    sections = [s.strip() for s in options.only.split(",") if s.strip()]
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {unknown}; expected some of {list(SECTIONS)}")
    directory = os.environ.get("CDSE_BENCH_DIR") or os.path.join(
        tempfile.gettempdir(), "cdse-emulator-bench"
    )
    work = Path(tempfile.mkdtemp(prefix="cdse-download-bench-"))
    emu = EmulatorProcess(options.size_mb, options.batch, directory)
    figures: dict[str, Any] = {}
    try:
        bench = Bench(emu, options, work)
        bench.warm_up()
        for section in sections:
            figures[section] = getattr(bench, section)()
        if "large" in sections:
            figures["peak_rss_mb"] = round(bench.peak_rss, 1)
    finally:
        emu.close()
        shutil.rmtree(work, ignore_errors=True)
    for section, values in figures.items():
        if not isinstance(values, dict):
            print(f"{section}: {values}")
            continue
        print(f"{section}:")
        width = max(map(len, values))
        for key, value in values.items():
            print(f"  {key:<{width}}  {value}")
    print("JSON: " + json.dumps(figures))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        main()
