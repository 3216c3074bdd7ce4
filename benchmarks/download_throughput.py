"""Download throughput of ``cdse_intake.download`` against the emulator, on loopback.

Three figures, each from separate processes (the emulator, the client and the ceiling never share
a GIL):

1. one 1 GB product, verified (BLAKE3 hashed while written, ``.part`` + fsync + rename + cache
   index), against the ceiling: a plain aiohttp streaming copy of the same ``$value`` URL to disk,
   also with a final fsync (the downloader makes the file durable before renaming it), and, for
   scale, the same GET with the bytes dropped (the network alone). On a VM the page cache makes
   the plain copy vary a lot from run to run: best of ``--repeats``;
2. a batch of 20 MB products with the emulator throttled to CDSE's 20 MB/s per connection:
   achieved MB/s against the 80 MB/s that the 4-connection quota allows, without faults and with
   5% of the requests cut by a connection reset (the run's fixed start-up -- imports, login,
   cache index -- counts against the batch);
3. the peak RSS of the process downloading the 1 GB product.

The emulator runs in a child process of this script (``--serve``): the CLI emulator cannot add a
1 GB product or inject faults from outside. Product files are written once to ``$CDSE_BENCH_DIR``
(default: a folder in the temp directory) and reused.

    python benchmarks/download_throughput.py [--size-mb 1000] [--batch 24]
"""

from __future__ import annotations

import argparse
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

# -- the emulator child ------------------------------------------------------------------------


def serve(size_mb: int, batch: int, directory: str) -> None:
    """Emulator with one large product and ``batch`` 20 MB ones; commands on stdin, replies out."""
    from cdse_intake.emulator import Emulator
    from cdse_intake.emulator.blob import add_large_product

    emu = Emulator(s3=False, scale=0.001).start()
    big = add_large_product(emu.catalogue, size_mb * MB, directory)
    small = [add_large_product(emu.catalogue, 20 * MB + i * 1000, directory) for i in range(batch)]

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
        "large": describe(big),
        "batch": [describe(e) for e in small],
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

CLIENT = """
import json, resource, sys, time
import psutil
from cdse_intake.downloads import download

before = psutil.Process().memory_info().rss
started = time.perf_counter()
report = download(sys.argv[1], progress=False)
seconds = time.perf_counter() - started
print(json.dumps({
    "seconds": seconds,
    "bytes": report.bytes,
    "verified": len(report.verified),
    "failed": [o.reason for o in report.failed],
    "retries": sum(o.retries for o in report),
    "rss_before_mb": before / 2**20,
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def run_child(code: str, args: list[str], env: dict[str, str]) -> tuple[dict[str, Any], float]:
    """Run a client child; its JSON line and its peak RSS (MiB) sampled by psutil."""
    import psutil

    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], env=env, stdout=subprocess.PIPE, text=True
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
    out, _ = proc.communicate(timeout=1800)
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}): {out[-2000:]}")
    return json.loads(out.strip().splitlines()[-1]), peak / 2**20


def manifest_for(products: list[dict[str, Any]], path: Path) -> Path:
    from cdse_intake.manifest import rows_for, write_manifest
    from cdse_intake.product import Product

    return write_manifest(path, rows_for([Product.from_dict(p) for p in products]))


def client_env(emu_env: dict[str, str], cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDSE_")}
    env.update(emu_env)
    env["CDSE_CACHE_DIR"] = str(cache)
    env["CDSE_CONFIG"] = str(cache / "no-config.toml")
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=24, help="number of 20 MB products")
    parser.add_argument("--repeats", type=int, default=2)
    options = parser.parse_args()
    directory = os.environ.get("CDSE_BENCH_DIR") or os.path.join(
        tempfile.gettempdir(), "cdse-emulator-bench"
    )
    work = Path(tempfile.mkdtemp(prefix="cdse-download-bench-"))
    emu = EmulatorProcess(options.size_mb, options.batch, directory)
    try:
        figures = measure(emu, options, work)
    finally:
        emu.close()
        shutil.rmtree(work, ignore_errors=True)
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    print("JSON: " + json.dumps(figures))


def measure(emu: EmulatorProcess, options: argparse.Namespace, work: Path) -> dict[str, Any]:
    from cdse_intake.auth import TokenProvider
    from cdse_intake.config import Endpoints, Settings

    hello = emu.hello
    large = hello["large"]
    endpoints = Endpoints(
        identity=hello["env"]["CDSE_IDENTITY_URL"],
        catalogue=hello["env"]["CDSE_CATALOGUE_URL"],
        download=hello["env"]["CDSE_DOWNLOAD_URL"],
        stac=hello["env"]["CDSE_STAC_URL"],
        s3=hello["env"]["CDSE_S3_ENDPOINT"],
    )
    tokens = TokenProvider(
        (hello["env"]["CDSE_USERNAME"], hello["env"]["CDSE_PASSWORD"]),
        endpoints,
        Settings(cache_dir=work),
    )
    url = f"{endpoints.download}/Products({large['id']})/$value"
    size_mb = large["size"] / MB

    # (1) + (3): the large product, ceiling then verified download (each in a fresh process).
    network, ceiling, ceiling_sync, verified, peaks, rss_before = [], [], [], [], [], []

    def plain(target: str, sync: str) -> float:
        out, _ = run_child(CEILING, [url, tokens.get_token(), target, sync], dict(os.environ))
        if target != "-":
            os.unlink(target)
        return out["bytes"] / out["seconds"] / MB

    for i in range(options.repeats):
        network.append(plain("-", "no"))
        ceiling.append(plain(str(work / f"ceiling-{i}.bin"), "no"))
        ceiling_sync.append(plain(str(work / f"ceiling-{i}.bin"), "fsync"))
        cache = work / f"cache-large-{i}"
        manifest = manifest_for([large], work / f"large-{i}.csv")
        out, peak = run_child(CLIENT, [str(manifest)], client_env(hello["env"], cache))
        if out["failed"] or out["verified"] != 1:
            raise RuntimeError(f"the large download failed: {out}")
        verified.append(out["bytes"] / out["seconds"] / MB)
        peaks.append(max(peak, out["maxrss_mb"]))
        rss_before.append(out["rss_before_mb"])
        shutil.rmtree(cache)

    # (2): the throttled batch, without and with 5% connection resets.
    emu.ask(f"throttle {THROTTLE}")
    batch_bytes = sum(p["size"] for p in hello["batch"])
    batch: dict[str, dict[str, Any]] = {}
    for label, faults in (("clean", None), ("resets_5pct", "resets 0.05 8000000")):
        emu.ask("clear")
        if faults:
            emu.ask(faults)
        cache = work / f"cache-{label}"
        manifest = manifest_for(hello["batch"], work / f"batch-{label}.csv")
        out, _ = run_child(CLIENT, [str(manifest)], client_env(hello["env"], cache))
        stats = emu.ask("stats")
        if out["failed"]:
            raise RuntimeError(f"batch {label}: failures {out['failed']}")
        batch[label] = {
            "mb_s": batch_bytes / out["seconds"] / MB,
            "retries": out["retries"],
            "sent_mb": stats["bytes_sent"] / MB,
            "peak_connections": stats["peak"],
            "status_429": stats["statuses"].get("429", 0),
        }
        shutil.rmtree(cache)
    emu.ask("throttle none")
    emu.ask("clear")

    best_ceiling, best_sync, best_verified = max(ceiling), max(ceiling_sync), max(verified)
    quota = QUOTA * THROTTLE / MB
    return {
        "large_product_mb": round(size_mb, 1),
        "network_only_read_mb_s": round(max(network), 1),
        "ceiling_plain_copy_mb_s": round(best_ceiling, 1),
        "ceiling_plain_copy_fsync_mb_s": round(best_sync, 1),
        "verified_download_mb_s": round(best_verified, 1),
        "verified_to_ceiling_ratio": round(best_verified / best_ceiling, 3),
        "verified_to_fsync_ceiling_ratio": round(best_verified / best_sync, 3),
        "peak_rss_mb_during_large_download": round(max(peaks), 1),
        "rss_after_imports_mb": round(max(rss_before), 1),
        "batch_products": len(hello["batch"]),
        "batch_mb": round(batch_bytes / MB, 1),
        "quota_ceiling_mb_s": quota,
        "batch_clean_mb_s": round(batch["clean"]["mb_s"], 1),
        "batch_clean_ratio_to_quota": round(batch["clean"]["mb_s"] / quota, 3),
        "batch_resets_mb_s": round(batch["resets_5pct"]["mb_s"], 1),
        "batch_resets_ratio_to_quota": round(batch["resets_5pct"]["mb_s"] / quota, 3),
        "batch_resets_retries": batch["resets_5pct"]["retries"],
        "batch_resets_sent_over_size": round(
            batch["resets_5pct"]["sent_mb"] / (batch_bytes / MB), 3
        ),
        "batch_peak_connections": max(b["peak_connections"] for b in batch.values()),
        "batch_429": sum(b["status_429"] for b in batch.values()),
    }


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        main()
