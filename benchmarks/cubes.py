"""A one-month Sentinel-2 L2A cube, ``cdse_intake.load()`` against odc-stac: seconds and bytes
read, cold (remote) and warm (cache), in one run.

Against the emulator (in this process, ``deliver="all"``, its S3 server on), with the ``CDSE_*``
environment pointed at it as a user would. The cube: B04, B08 and SCL at 10 m on a 10 km x 10 km
GeoBox (1000 x 1000 pixels, EPSG:32631) centred on the emulator's first site (Paris, tile 31UNE),
every L2A product of one month (``--month``), a time step per product (``groupby=None``). Both
tools are given the same GeoBox. odc-stac is loaded as CDSE's users load it: pystac-client on the
STAC API, ``odc.stac.load(items, bands=["B04_10m", "B08_10m", "SCL_20m"], geobox=...,
chunks=...)`` reading the ``s3://eodata`` hrefs through GDAL's ``/vsis3/`` (``AWS_S3_ENDPOINT``
the emulator's S3 server), computed with dask's threads as ours is.

The four runs, each timed from the ``load`` call to the computed arrays:

1. ours, cold: an empty product cache, products read by range from the download service
   (``remote=None``: only the file tiles the grid needs);
2. ours, warm: the month's products downloaded into our cache first (``results.download()``,
   not timed), then the same ``load(...).compute()``: nothing is expected from the service;
3. odc-stac, cold: its first load in this process: GDAL's caches empty;
4. odc-stac, warm: the same load again in the same process, with GDAL's process-wide
   ``/vsicurl/`` region cache (``CPL_VSIL_CURL_CACHE_SIZE``, set to 512 MB) and per-file
   ``VSI_CACHE`` on. odc-stac has no product cache: "warm" is what GDAL still holds in memory
   from the first load, lost with the process; a new session pays the cold cost again.

Bytes read: product bytes the emulator sent (its request log: the download service's ``$value``
bodies, ranges included, and the S3 server's object bodies), between the start and the end of a
run; requests counted alike (catalogue look-ups and ``Nodes`` listings send no product bytes but
count as requests). The values of both cubes are compared (odc-stac's digital numbers with the
assets' ``raster:scale``/``raster:offset`` against our reflectance; SCL equal).

``--sizes realistic`` (the default) is the emulator's full-size profile: the showcase's two
January 2023 products over Paris are full-size (5490 x 5490 pixels at 10 m, ~190 MB each,
built once, ~2 minutes each, into the emulator's cache folder and reused); the month's other
products are the small ones (366 x 366 pixels: a 3.66 km window, ~1.4 MB). ``--sizes small``
makes them all small (most of the 10 km box is then no-data). Prints a table, then one
``JSON:`` line.

    python benchmarks/cubes.py [--month 2023-01] [--sizes realistic|small]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

MB = 1_000_000
#: Our variables -> the STAC assets odc-stac loads.
ASSETS = {"B04": "B04_10m", "B08": "B08_10m", "SCL": "SCL_20m"}
SIDE_M = 10_000
CHUNKS = {"y": 1024, "x": 1024}


def gdal_env(env: dict[str, str]) -> dict[str, str]:
    """GDAL's configuration for CDSE's ``s3://eodata`` hrefs on the emulator's S3 server."""
    return {
        "AWS_S3_ENDPOINT": env["CDSE_S3_ENDPOINT"].removeprefix("http://"),
        "AWS_HTTPS": "NO",
        "AWS_VIRTUAL_HOSTING": "FALSE",
        "AWS_ACCESS_KEY_ID": env["CDSE_S3_ACCESS_KEY"],
        "AWS_SECRET_ACCESS_KEY": env["CDSE_S3_SECRET_KEY"],
        "AWS_NO_SIGN_REQUEST": "NO",
        "AWS_REGION": "default",
        "AWS_CONFIG_FILE": "/nonexistent/aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
        "CPL_AWS_AUTODETECT_EC2": "NO",
        "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
        "CPL_VSIL_CURL_CACHE_SIZE": str(512 * MB),
        "VSI_CACHE": "TRUE",
        "VSI_CACHE_SIZE": str(64 * MB),
    }


def cube_geobox(lon: float, lat: float) -> Any:
    """A ``SIDE_M`` square at 10 m in the site's UTM zone (31N), centred on the site."""
    from odc.geo.geobox import GeoBox
    from odc.geo.geom import point

    x, y = point(lon, lat, "EPSG:4326").to_crs("EPSG:32631").coords[0]
    x, y = round(x, -1), round(y, -1)  # on the tiles' 10 m pixel edges: exactly 1000 x 1000
    half = SIDE_M / 2
    return GeoBox.from_bbox((x - half, y - half, x + half, y + half), "EPSG:32631", resolution=10)


def month_range(month: str) -> tuple[str, str]:
    year, mon = map(int, month.split("-"))
    after = f"{year + mon // 12}-{mon % 12 + 1:02d}-01"
    return f"{year}-{mon:02d}-01", after


def run(emu: Any, fn: Callable[[], Any]) -> tuple[Any, dict[str, Any]]:
    """``fn()`` timed, with the product bytes and requests the emulator served meanwhile."""
    emu.state.reset_counters()
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    records = emu.state.requests()
    return result, {
        "seconds": seconds,
        "bytes": sum(r.bytes_sent for r in records),
        "requests": len(records),
        "s3_requests": sum(1 for r in records if r.host == emu.env()["CDSE_S3_ENDPOINT"][7:]),
    }


def compare(ours: Any, theirs: Any, items: list[Any]) -> dict[str, Any]:
    """Where both have data: our reflectance against odc-stac's DN with the assets' scale and
    offset (max difference), SCL (pixels that differ), no-data pixels that differ."""
    worst, scl_diff, nodata_diff = 0.0, 0, 0
    for step, item in enumerate(items):
        for band in ("B04", "B08"):
            asset = item.assets[ASSETS[band]].extra_fields
            dn = theirs[ASSETS[band]].isel(time=step).values
            mine = ours[band].isel(time=step).values
            valid = dn != asset.get("nodata", 0)
            nodata_diff += int((np.isnan(mine) != ~valid).sum())
            both = valid & ~np.isnan(mine)
            if both.any():
                careful = dn[both] * asset["raster:scale"] + asset["raster:offset"]
                worst = max(worst, float(np.abs(mine[both] - careful).max()))
        scl = theirs[ASSETS["SCL"]].isel(time=step).values
        scl_diff += int((ours["SCL"].isel(time=step).values != scl).sum())
    return {
        "max_abs_diff": worst,
        "scl_pixels_differ": scl_diff,
        "nodata_pixels_differ": nodata_diff,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default="2023-01", help="YYYY-MM (default 2023-01)")
    parser.add_argument("--sizes", default="realistic", choices=("realistic", "small"))
    options = parser.parse_args()

    from cdse_intake.emulator import Emulator
    from cdse_intake.emulator.records.common import SITES

    lon, lat = SITES[0]
    start, end = month_range(options.month)
    work = Path(tempfile.mkdtemp(prefix="cdse-cube-bench-"))
    saved = dict(os.environ)
    emu = Emulator(deliver="all", sizes=options.sizes)
    rows: dict[str, dict[str, Any]] = {}
    try:
        with emu:
            for key in [k for k in os.environ if k.startswith(("CDSE_", "AWS_"))]:
                del os.environ[key]
            env = emu.env()
            os.environ.update(env)  # what `eval "$(cdse-intake emulator)"` does
            os.environ.update(gdal_env(env))  # what CDSE's odc-stac users set
            os.environ["CDSE_CACHE_DIR"] = str(work / "cache")
            os.environ["CDSE_CONFIG"] = str(work / "no-config.toml")

            import odc.stac
            import pystac_client

            import cdse_intake

            geobox = cube_geobox(lon, lat)
            west, south, east, north = geobox.geographic_extent.boundingbox
            bbox = (west, south, east, north)
            results = cdse_intake.search(
                "SENTINEL-2", product_type="S2MSI2A", bbox=bbox, start=start, end=end
            )
            names = sorted(p.name.removesuffix(".SAFE") for p in results)
            catalog = pystac_client.Client.open(env["CDSE_STAC_URL"])
            found = catalog.search(
                collections=["sentinel-2-l2a"], bbox=bbox, datetime=f"{start}/{end}"
            )
            items = sorted(
                (i for i in found.items() if i.id in names), key=lambda i: (i.datetime, i.id)
            )
            if [i.id for i in sorted(items, key=lambda i: i.id)] != names:
                raise RuntimeError("the STAC search and ours found different products")
            sizes = [p.size or 0 for p in results]

            def ours() -> Any:
                return cdse_intake.load(
                    results,
                    bands=list(ASSETS),
                    geobox=geobox,
                    groupby=None,
                    chunks={"time": 1, **CHUNKS},
                ).compute()

            def theirs() -> Any:
                return odc.stac.load(
                    items, bands=list(ASSETS.values()), geobox=geobox, groupby="id", chunks=CHUNKS
                ).compute()

            # The emulator builds a product's bytes when first asked for them (full-size ones:
            # or reads them from its cache folder): all are built before any clock runs, or
            # the first tool to touch a product would be timed with the build.
            wanted = {p.name for p in results}
            for entry in emu.catalogue.entries:
                if entry.name in wanted:
                    entry.payload.data  # noqa: B018

            # Both tools' modules imported before the clocks run (ours loads them lazily).
            importlib.import_module("cdse_intake.cubes.sentinel2")
            importlib.import_module("odc.loader._rio")

            cube, rows["ours, cold (remote)"] = run(emu, ours)
            _, download = run(emu, lambda: results.download(progress=False))
            cube_warm, rows["ours, warm (cache)"] = run(emu, ours)
            stac_cube, rows["odc-stac, cold"] = run(emu, theirs)
            stac_warm, rows["odc-stac, warm (GDAL cache)"] = run(emu, theirs)
            check = compare(cube, stac_cube.sortby("time"), items)
            same_warm = bool(
                cube.equals(cube_warm) and stac_cube.equals(stac_warm)  # warm = cold, values
            )
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(work, ignore_errors=True)

    full = sum(1 for s in sizes if s > 100 * MB)
    load = os.getloadavg()[0]
    print(
        f"One-month Sentinel-2 L2A cube, {options.month}: {len(sizes)} products "
        f"({full} full-size, {sum(sizes) / MB:.0f} MB zipped in all; sizes={options.sizes}), "
        f"B04/B08/SCL at 10 m on {geobox.shape.y} x {geobox.shape.x} px ({SIDE_M // 1000} km); "
        f"{os.cpu_count()} CPUs, load average {load:.1f} at the end (one run each: noisy when "
        "the machine is busy)"
    )
    print(f"  {'run':<28} {'seconds':>8} {'MB read':>9} {'requests':>9}")
    for label, row in rows.items():
        print(
            f"  {label:<28} {row['seconds']:>8.2f} {row['bytes'] / MB:>9.2f} {row['requests']:>9d}"
        )
    ratios = {}
    for kind, a, b in (
        ("cold", "ours, cold (remote)", "odc-stac, cold"),
        ("warm", "ours, warm (cache)", "odc-stac, warm (GDAL cache)"),
    ):
        ra, rb = rows[a], rows[b]
        ratios[f"{kind}_seconds"] = ra["seconds"] / rb["seconds"]
        ratios[f"{kind}_bytes"] = ra["bytes"] / rb["bytes"] if rb["bytes"] else None
    warm_bytes = (
        f"x{ratios['warm_bytes']:.2f} bytes"
        if ratios["warm_bytes"] is not None
        else f"bytes {rows['ours, warm (cache)']['bytes']} vs 0"
    )
    print(
        f"  ours/odc-stac: cold x{ratios['cold_seconds']:.2f} time, "
        f"x{ratios['cold_bytes']:.2f} bytes; warm x{ratios['warm_seconds']:.2f} time, {warm_bytes}"
    )
    print(
        f"  (download into our cache between: {download['seconds']:.2f} s, "
        f"{download['bytes'] / MB:.1f} MB; not in the warm figure)"
    )
    print(
        f"  values: reflectance max |ours - (DN x scale + offset)| {check['max_abs_diff']:.2g}, "
        f"SCL pixels differing {check['scl_pixels_differ']}, no-data pixels differing "
        f"{check['nodata_pixels_differ']}; warm runs equal cold: {same_warm}"
    )
    figures = {
        "month": options.month,
        "sizes": options.sizes,
        "products": len(sizes),
        "full_size_products": full,
        "grid": [geobox.shape.y, geobox.shape.x],
        "load_average": round(load, 2),
        "runs": {
            label: {
                "seconds": round(r["seconds"], 3),
                "bytes": r["bytes"],
                "requests": r["requests"],
            }
            for label, r in rows.items()
        },
        "ratios_ours_over_odc_stac": {
            k: (round(v, 3) if v is not None else None) for k, v in ratios.items()
        },
        "download_s": round(download["seconds"], 3),
        "download_bytes": download["bytes"],
        "values": {**check, "warm_equals_cold": same_warm},
    }
    print("JSON: " + json.dumps(figures))
    bad = check["max_abs_diff"] > 1e-6 or check["scl_pixels_differ"] or not same_warm
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
