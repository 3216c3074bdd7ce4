"""What opening products costs: lazy opens, one full band, and a remote window's bytes.

Against the emulator (in this process, ``scale=0.02`` so every family has a materialised
product), with the ``CDSE_*`` environment pointed at it as a user would:

1. per family (S2 L1C, S2 L2A, S1 GRD, S3 OLCI, S5P, EOPF, GeoTIFF): the product downloaded
   into a temporary cache with ``cdse_intake.download``, then ``open_product(path)`` (lazy:
   metadata only) timed; the first open (imports, zip index) apart from the median of the next
   ``--runs``;
2. a full-size Sentinel-2 L2A product (``emulator.products.large_s2``: ``--size`` px at 10 m,
   JPEG 2000 tiled 1024 like ESA's, written once to ``$CDSE_BENCH_DIR``): download, then one
   whole 10 m band (B04) from the cache, ``open_product`` + ``.values``, against plain rasterio
   reading the same JP2 extracted to disk, and through GDAL's ``/vsizip/``; the values checked;
3. remote: the same product opened with ``open_product("cdse://…", remote=True)`` and a
   512 x 512 window of B04 read by range requests. The bytes the emulator sent (its request
   log) are set against the bytes needed (the compressed JPEG 2000 tiles the window intersects,
   from the file's tile-part headers, plus its main header), the raw window (512 x 512 x 2) and
   the whole product; the values checked. The reader is tried with its default chunks
   (``"auto"``: one tile per chunk for a remote product), four tiles per chunk and
   ``chunks=None``; the same
   window through plain rasterio on the ``cdse://`` filesystem gives the floor it sits on. Our
   reader reads a remote JPEG 2000 window from the file's tile-part index (built once per file
   and kept in the cache: its first build, the first block plus one small request per
   tile-part, is measured apart, and the windows read with it loaded from disk); the peer is
   GDAL's ``/vsicurl/`` on the same member's Nodes URL, with the emulator's bearer token.

Exits 1 when a reader raised.

``--tlm`` also builds the product with TLM markers (a tile-part index, absent from ESA's files)
and repeats (3) on it. Prints a table, then one ``JSON:`` line. Part (3) is measured in
``_remote_window.py``, with the helpers the parts share in ``_open_common.py``.

    python benchmarks/open_products.py [--size 5490] [--runs 5] [--band-runs 3] [--tlm]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from _open_common import (
    MB,
    check_values,
    download_all,
    failed,
    find_band,
    product_of,
    timed,
)
from _remote_window import (
    CHUNKINGS,
    WINDOW,
    bearer_token,
    measure_gdal,
    measure_index_build,
    measure_remote,
    measure_remote_reader,
    remote_summary,
    rounded,
    traffic,
)

#: The names other code imports from this script, wherever they are defined.
__all__ = [
    "CHUNKINGS",
    "FAMILIES",
    "MB",
    "WINDOW",
    "bearer_token",
    "check_values",
    "download_all",
    "failed",
    "find_band",
    "main",
    "measure_band",
    "measure_gdal",
    "measure_index_build",
    "measure_opens",
    "measure_remote",
    "measure_remote_reader",
    "print_report",
    "product_of",
    "remote_summary",
    "rounded",
    "timed",
    "traffic",
]

#: Benchmark label -> the emulator's family key (``Entry.family``).
FAMILIES = {
    "S2 L1C": "sentinel2_l1c",
    "S2 L2A": "sentinel2_l2a",
    "S1 GRD": "sentinel1_grd",
    "S3 OLCI": "sentinel3_olci_efr",
    "S5P": "sentinel5p_l2",
    "EOPF": "eopf_zarr",
    "GeoTIFF": "clms_geotiff",
}


# -- (1) lazy opens --------------------------------------------------------------------------------


def measure_opens(emu: Any, runs: int) -> dict[str, dict[str, Any]]:
    from cdse_intake import open_product

    entries = {}
    for label, family in FAMILIES.items():
        found = [e for e in emu.catalogue.materialised if e.family == family]
        if not found:
            raise RuntimeError(f"the emulator materialises no {family} product")
        entries[label] = found[0]
    paths = download_all(list(entries.values()))
    out: dict[str, dict[str, Any]] = {}
    for label, entry in entries.items():
        path = paths[entry.name]
        row: dict[str, Any] = {"product": entry.name, "mb": entry.content_length / MB}
        try:
            result, first = timed(lambda p=path: open_product(p))
            kind = type(result).__name__
            times = [timed(lambda p=path: open_product(p))[1] for _ in range(runs)]
        except Exception as err:
            row["status"] = failed(err)
            out[label] = row
            continue
        row.update(
            status="ok",
            kind=kind,
            first_ms=first * 1000,
            median_ms=statistics.median(times) * 1000,
        )
        out[label] = row
    return out


# -- (2) one full band from the cache ----------------------------------------------------------


def measure_band(path: Path, entry: Any, size: int, runs: int, work: Path) -> dict[str, Any]:
    import rasterio

    (rel,) = [r for r in entry.payload.files if r.endswith("_B04_10m.jp2")]
    member = f"{entry.name}/{rel}"
    extracted = work / "B04_10m.jp2"
    with zipfile.ZipFile(path) as zf, zf.open(member) as src, open(extracted, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)

    def plain(target: str) -> np.ndarray:
        with rasterio.open(target) as ds:
            return ds.read(1)

    row: dict[str, Any] = {}
    values, first = timed(lambda: plain(str(extracted)))
    check_values(values, 0, 0)
    row["rasterio_extracted_s"] = statistics.median(
        [timed(lambda: plain(str(extracted)))[1] for _ in range(runs)]
    )
    row["rasterio_vsizip_s"] = statistics.median(
        [timed(lambda: plain(f"/vsizip/{path}/{member}"))[1] for _ in range(runs)]
    )
    from cdse_intake import open_product

    def through_reader() -> np.ndarray:
        return find_band(open_product(path), "B04", size).values

    try:
        values, first = timed(through_reader)
        times = [timed(through_reader)[1] for _ in range(runs)]
    except Exception as err:
        row["status"] = failed(err)
        return row
    row.update(
        status="ok",
        values=check_values(values, 0, 0),
        open_values_first_s=first,
        open_values_s=statistics.median(times),
    )
    row["ratio_to_rasterio"] = row["open_values_s"] / row["rasterio_extracted_s"]
    return row


# -- report ----------------------------------------------------------------------------------------


def print_report(opens: dict, band: dict, remote: dict[str, dict], built: dict) -> None:
    print("Lazy open_product(path) from the cache (ms):")
    print(f"  {'family':<9} {'MB':>6} {'first':>8} {'median':>8}  result")
    for label, row in opens.items():
        if row["status"] == "ok":
            print(
                f"  {label:<9} {row['mb']:>6.2f} {row['first_ms']:>8.1f} "
                f"{row['median_ms']:>8.1f}  {row['kind']}"
            )
        else:
            print(f"  {label:<9} {row['mb']:>6.2f} {'-':>8} {'-':>8}  {row['status']}")
    print()
    print(f"Large S2 L2A ({built['size']} px at 10 m, {built['product_mb']:.0f} MB zip):")
    print(f"  built/reused in {built['build_s']:.1f} s, downloaded in {built['download_s']:.2f} s")
    print(f"  B04 whole band, rasterio on the extracted JP2 : {band['rasterio_extracted_s']:.2f} s")
    print(f"  B04 whole band, rasterio through /vsizip/     : {band['rasterio_vsizip_s']:.2f} s")
    if band["status"] == "ok":
        print(
            f"  B04 whole band, open_product + .values       : {band['open_values_s']:.2f} s "
            f"(first {band['open_values_first_s']:.2f} s; x{band['ratio_to_rasterio']:.2f} "
            f"rasterio; {band['values']} checked)"
        )
    else:
        print(f"  B04 whole band, open_product + .values       : {band['status']}")
    for label, row in remote.items():
        print()
        print(
            f"Remote {WINDOW}x{WINDOW} window of B04 ({label}): {row['tiles_hit']} tile(s), "
            f"needed {row['needed_mb']:.2f} MB compressed (raw window "
            f"{row['raw_window_mb']:.2f} MB; band {row['band_mb']:.1f} MB; product "
            f"{row['product_mb']:.0f} MB)"
        )
        print(
            f"  plain rasterio on cdse://   window {row['rasterio_sent_mb']:6.2f} MB in "
            f"{row['rasterio_requests']:3d} requests = x{row['rasterio_over_needed']:.2f} needed"
        )
        if "index_build_requests" in row:
            print(
                f"  tile-part index, first build : {row['index_build_requests']:3d} requests, "
                f"{row['index_build_sent_kb']:.1f} kB, {row['index_build_s']:.2f} s for "
                f"{row['index_tile_parts']} tile-parts (then kept in the cache folder)"
            )
        if row.get("gdal_status") == "ok":
            print(
                f"  GDAL /vsicurl/ (peer)       window {row['gdal_sent_mb']:6.2f} MB in "
                f"{row['gdal_requests']:3d} requests = x{row['gdal_over_needed']:.2f} needed, "
                f"{row['gdal_read_s']:.2f} s ({row['gdal_values']} checked)"
            )
        elif "gdal_status" in row:
            print(f"  GDAL /vsicurl/ (peer)       {row['gdal_status']}")
        for chunking, r in row["readers"].items():
            head = f"  open_product chunks={chunking:<6}"
            if r.get("status") != "ok":
                print(f"{head} {r.get('status')}")
                continue
            print(
                f"{head} open   {r['open_sent_mb']:6.2f} MB in {r['open_requests']:3d} requests "
                f"({r['open_all']} in all), {r['open_s']:.2f} s"
            )
            chunk = "x".join(map(str, r["chunks"])) if r["chunks"] else "none"
            print(
                f"  {'':<27} window {r['sent_mb']:6.2f} MB in {r['requests']:3d} requests = "
                f"x{r['sent_over_needed']:.2f} needed, x{r['sent_over_raw_window']:.1f} raw, "
                f"{100 * r['sent_over_product']:.2f}% of the product, {r['read_s']:.2f} s "
                f"(dask chunk {chunk}; {r['values']} checked)"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5490, help="10 m pixels per side (<= 10980)")
    parser.add_argument("--runs", type=int, default=5, help="opens per family after the first")
    parser.add_argument("--band-runs", type=int, default=3, help="whole-band reads per method")
    parser.add_argument("--tlm", action="store_true", help="also a product with TLM markers")
    options = parser.parse_args()

    from cdse_intake.emulator import Emulator
    from cdse_intake.emulator.products.large_s2 import add_large_s2

    directory = os.environ.get("CDSE_BENCH_DIR") or os.path.join(
        tempfile.gettempdir(), "cdse-emulator-bench"
    )
    work = Path(tempfile.mkdtemp(prefix="cdse-open-bench-"))
    emu = Emulator(s3=False, scale=0.02)
    large, build_s = timed(lambda: add_large_s2(emu.catalogue, directory, options.size))
    variants = {"as ESA, no TLM": large}
    if options.tlm:
        variants["with TLM"] = add_large_s2(emu.catalogue, directory, options.size, tlm=True)
    saved = dict(os.environ)
    try:
        with emu:
            for key in [k for k in os.environ if k.startswith("CDSE_")]:
                del os.environ[key]
            os.environ.update(emu.env())  # what `eval "$(cdse-intake emulator)"` does
            os.environ["CDSE_CACHE_DIR"] = str(work / "cache")
            os.environ["CDSE_CONFIG"] = str(work / "no-config.toml")

            opens = measure_opens(emu, options.runs)
            paths, download_s = timed(lambda: download_all([large]))
            built = {
                "size": options.size,
                "product_mb": large.content_length / MB,
                "build_s": build_s,
                "download_s": download_s,
            }
            band = measure_band(paths[large.name], large, options.size, options.band_runs, work)
            remote = {
                label: measure_remote(emu, entry, options.size) for label, entry in variants.items()
            }
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(work, ignore_errors=True)

    print_report(opens, band, remote, built)
    figures = {
        "open_status": {k: v["status"] for k, v in opens.items()},
        "open_first_ms": {k: round(v["first_ms"], 2) for k, v in opens.items() if "first_ms" in v},
        "open_median_ms": {
            k: round(v["median_ms"], 2) for k, v in opens.items() if "median_ms" in v
        },
        "large": {k: round(v, 3) if isinstance(v, float) else v for k, v in built.items()},
        "band_b04": {k: round(v, 3) if isinstance(v, float) else v for k, v in band.items()},
        "remote_window": remote_summary(remote),
    }
    print("JSON: " + json.dumps(figures))
    failed = [
        status
        for status in [
            *figures["open_status"].values(),
            band["status"],
            *(r.get("status", "") for row in remote.values() for r in row["readers"].values()),
            *(row.get("gdal_status", "") for row in remote.values()),
        ]
        if status.startswith("error")
    ]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
