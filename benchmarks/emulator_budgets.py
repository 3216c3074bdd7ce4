"""The emulator's budgets (issue 13): start, a 1000-record page of never-built products, the
first byte of a never-built product, memory. Prints each figure with its ceiling and the ratio
(figure / ceiling: above 1 misses the budget), then one JSON line.

    python benchmarks/emulator_budgets.py            # deliver="all" (every product deliverable)
    python benchmarks/emulator_budgets.py showcase   # only the showcase products deliverable
    python benchmarks/emulator_budgets.py realistic  # the realistic size profile's product

``realistic`` builds one full-size product of each family of the ``sizes="realistic"`` profile
(Sentinel-2 L2A, Sentinel-1 GRD: :mod:`cdse_intake.emulator.sizes`) and prints its size (floor:
100 MB, "hundreds of MB"), the seconds its first listing waits for the build, and the seconds a
verified download of it takes.

Cold means cold: the emulator's cache folder (``CDSE_EMULATOR_CACHE``: the memo of computed
sums, the disk tier of built products, the generated catalogue) is a new empty one, so a
listing finds sizes and checksums only in the shipped packs (``make sums``; a stale pack is
named in the output and its products are built to be listed). ``start_s`` generates the
catalogue (and keeps it); ``start_kept_catalogue_s`` is a second process's start, reading it.
"""

from __future__ import annotations

import http.client
import json
import os
import resource
import sys
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

CEILINGS = {
    "start_s": 10.0,
    "start_kept_catalogue_s": 10.0,
    "odata_page_1000_cold_s": 0.5,
    "stac_page_1000_cold_s": 0.5,
    "stac_page_1000_cold_s_olci_efr": 0.5,
    "stac_page_1000_cold_s_s2_l1c": 0.5,
    "stac_page_200_cold_s_s2_l2a": 0.5,
    "first_byte_never_built_s": 2.0,
    "max_rss_mb": 1024.0,
    "scene_granule_ms": 100.0,
}

#: The synthetic Earth's functions a product writer samples, timed on a 366 x 366 granule.
SCENE_WINDOW = "2024-07-15T10:30:00"


def scene_granule_ms() -> float:
    """The slowest scene function on a 10 m granule at Lisbon (coast, city, fields, sea), in
    milliseconds (best of three each); its name is printed."""
    import numpy as np

    from cdse_intake.emulator import scene

    w = SCENE_WINDOW
    functions = {
        "land_fraction": lambda x, y: scene.land_fraction(x, y),
        "surface_class": lambda x, y: scene.surface_class(x, y, w),
        "surface_reflectance": lambda x, y: scene.surface_reflectance("B04", x, y, w),
        "ndvi": lambda x, y: scene.ndvi(x, y, w),
        "scl": lambda x, y: scene.scl(x, y, w, 0.3),
        "sigma0_db": lambda x, y: scene.sigma0_db(x, y, w, "VV"),
        "land_surface_temperature": lambda x, y: scene.land_surface_temperature(x, y, w),
        "no2_column": lambda x, y: scene.no2_column(x, y, w),
    }
    step = 10.0 / 111_320.0
    lons = -9.45 + np.arange(366) * step / np.cos(np.radians(38.76))
    x, y = np.meshgrid(lons, 38.76 - np.arange(366) * step)
    best: dict[str, float] = {}
    for name, fn in functions.items():
        fn(x, y)
        times = []
        for _ in range(3):
            started = time.perf_counter()
            fn(x, y)
            times.append(time.perf_counter() - started)
        best[name] = min(times) * 1e3
    slowest = max(best, key=best.__getitem__)
    rounded = {k: round(v, 1) for k, v in best.items()}
    print(f"  scene functions on a granule (ms): {json.dumps(rounded)}")
    print(f"  slowest: {slowest}")
    return best[slowest]


#: STAC search pages measured cold: folder products, whose items list every file with its size
#: and checksum (``sentinel-2-l2a`` pages hold at most 200 items, as on CDSE).
STAC_PAGES = {
    "stac_page_1000_cold_s": ("sentinel-1-grd", 1000),
    "stac_page_1000_cold_s_olci_efr": ("sentinel-3-olci-1-efr-ntc", 1000),
    "stac_page_1000_cold_s_s2_l1c": ("sentinel-2-l1c", 1000),
    "stac_page_200_cold_s_s2_l2a": ("sentinel-2-l2a", 200),
}


def _get(url: str, headers: dict[str, str] | None = None, first_byte: bool = False) -> float:
    """Seconds to the whole body (or to its first byte)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    try:
        started = time.perf_counter()
        conn.request(
            "GET", parts.path + ("?" + parts.query if parts.query else ""), headers=headers or {}
        )
        response = conn.getresponse()
        if response.status >= 300:
            raise RuntimeError(f"HTTP {response.status} for {url}: {response.read(300)!r}")
        if first_byte:
            response.read(1)
        else:
            response.read()
        return time.perf_counter() - started
    finally:
        conn.close()


def _token(emu: Any) -> str:
    import requests

    answer = requests.post(
        f"{emu.urls.identity}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "cdse-public",
            "username": emu.username,
            "password": emu.password,
        },
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()["access_token"]


def run(deliver: str) -> dict[str, float]:
    from cdse_intake.emulator.payloads import LAZY, deliverable
    from cdse_intake.emulator.server import Emulator

    started = time.perf_counter()
    emu = Emulator(deliver=deliver, s3=False).start()
    figures: dict[str, float] = {"start_s": time.perf_counter() - started}
    try:
        odata = (
            emu.urls.catalogue
            + "/Products?"
            + urlencode(
                {
                    "$filter": "Collection/Name eq 'SENTINEL-2'",
                    "$top": "1000",
                    "$skip": "3000",
                    "$orderby": "ContentDate/Start asc",
                }
            )
        )
        figures["odata_page_1000_cold_s"] = _get(odata)
        for figure, (collection, limit) in STAC_PAGES.items():
            query = urlencode({"collections": collection, "limit": str(limit)})
            figures[figure] = _get(f"{emu.urls.stac}/search?{query}")
        never = next(  # a product whose size is still unknown: never built, never listed
            e
            for e in reversed(emu.catalogue.entries)
            if e.online and deliverable(e) and e.__dict__.get("_content_length") is LAZY
        )
        headers = {"Authorization": f"Bearer {_token(emu)}"}
        figures["first_byte_never_built_s"] = _get(
            f"{emu.urls.download}/Products({never.id})/$value", headers, first_byte=True
        )
    finally:
        emu.stop()
    figures["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["scene_granule_ms"] = scene_granule_ms()
    figures["start_kept_catalogue_s"] = _start_in_new_process(deliver)
    from cdse_intake.emulator.payloads import STORE

    if STORE.disk is not None:
        figures["disk_cache_mb"] = STORE.disk.used / 1e6
        CEILINGS["disk_cache_mb"] = STORE.disk.max_bytes / 1e6
    return figures


def _start_in_new_process(deliver: str) -> float:
    """A second emulator process's start, which reads the catalogue the first one kept."""
    import subprocess

    code = (
        "import time; t = time.perf_counter()\n"
        "from cdse_intake.emulator.server import Emulator\n"
        f"emu = Emulator(deliver={deliver!r}, s3=False).start()\n"
        "print(time.perf_counter() - t); emu.stop()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return float(done.stdout.split()[-1])


def realistic() -> dict[str, float]:
    """The realistic profile: one full-size product of each family listed (built), then
    downloaded."""
    import tempfile
    from pathlib import Path

    from cdse_intake import Settings, download, search
    from cdse_intake.emulator.server import Emulator

    figures: dict[str, float] = {}
    with Emulator(scale=0.02, sizes="realistic", s3=False) as emu:
        first: dict[str, Any] = {}
        for entry in emu.catalogue.materialised:
            if entry.extra.get("sizes"):
                first.setdefault(entry.family, entry)
        for family, entry in sorted(first.items()):
            settings = Settings(cache_dir=Path(tempfile.mkdtemp()) / "cache", query_cache_age=0)
            started = time.perf_counter()
            found = list(
                search(
                    collection=entry.collection,
                    name_contains=entry.stem,
                    endpoints=emu.endpoints,
                    settings=settings,
                )
            )  # a search is lazy: its pages are listed when iterated
            listed = time.perf_counter() - started
            started = time.perf_counter()
            report = download(
                found,
                Path(tempfile.mkdtemp()),
                endpoints=emu.endpoints,
                settings=settings,
                credentials=(emu.username, emu.password),
                progress=False,
            )
            if report.failed:
                raise RuntimeError(f"{family}: the download failed: {report.failed[0].reason}")
            figures[f"{family}_full_size_mb"] = entry.content_length / 1e6
            figures[f"{family}_first_listing_with_build_s"] = listed
            figures[f"{family}_verified_download_s"] = time.perf_counter() - started
    return figures


def main() -> int:
    # Before the emulator's modules are imported: no memo of sums from earlier runs, and a
    # disk tier of built products of its own (measured: it stays within its bound).
    import atexit
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="cdse-emulator-bench-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ["CDSE_EMULATOR_CACHE"] = folder
    from cdse_intake.emulator.products import BUILDERS
    from cdse_intake.emulator.sums_pack import fresh_pack

    deliver = sys.argv[1] if len(sys.argv) > 1 else "all"
    if deliver == "realistic":
        figures = realistic()
        print("emulator realistic size profile")
        for name, value in figures.items():
            print(f"  {name:28s} {value:10.3f}")
        for name, value in figures.items():
            if name.endswith("_full_size_mb"):
                print(f"  {name} floor 100 MB: {'ok' if value >= 100 else 'UNDER'}")
        print("JSON:", json.dumps({k: round(v, 3) for k, v in figures.items()}))
        return 0
    stale = [family for family in BUILDERS if fresh_pack(family) is None]
    figures = run(deliver)
    print(f"emulator budgets, deliver={deliver!r}")
    print(f"  families without a fresh sums pack: {', '.join(stale) or 'none'}")
    out: dict[str, Any] = {"deliver": deliver, "stale_packs": stale}
    for name, value in figures.items():
        ceiling = CEILINGS[name]
        ratio = value / ceiling
        verdict = "ok" if ratio <= 1 else "OVER"
        print(
            f"  {name:28s} {value:10.3f}   ceiling {ceiling:8.1f}   ratio {ratio:6.2f}  {verdict}"
        )
        out[name] = round(value, 4)
        out[f"{name}_ratio"] = round(ratio, 3)
    print("JSON:", json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
