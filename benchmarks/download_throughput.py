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

The emulator runs in a child process (``_download_emulator.py --serve``; this script's own
``--serve`` still starts it): the CLI emulator cannot add a 1 GB product or inject faults from
outside. Product files are written once to ``$CDSE_BENCH_DIR`` (default: a folder in the temp
directory) and reused. The client children's scripts and how they are run are in
``_download_peers.py``; this script measures and reports.

    python benchmarks/download_throughput.py [--size-mb 1000] [--batch 24] [--only small,large]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from _download_emulator import MB, SMALL, UNTHROTTLED, EmulatorProcess, serve
from _download_peers import (
    CDSETOOL,
    CEILING,
    EODAG,
    GUARD,
    IMPORTS,
    OURS,
    child_env,
    client_env,
    manifest_for,
    products_file,
    run_child,
)

#: The names other code imports from this script, wherever they are defined.
__all__ = [
    "CDSETOOL",
    "CEILING",
    "EODAG",
    "GUARD",
    "IMPORTS",
    "MB",
    "OURS",
    "QUOTA",
    "SECTIONS",
    "SMALL",
    "THROTTLE",
    "UNTHROTTLED",
    "Bench",
    "EmulatorProcess",
    "child_env",
    "client_env",
    "main",
    "manifest_for",
    "products_file",
    "run_child",
    "serve",
]

THROTTLE = 20 * MB  # CDSE: 20 MB/s per connection (cdse-api.md §2.4)
QUOTA = 4  # connections per account
SECTIONS = ("large", "batch_unthrottled", "small", "throttled")


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
