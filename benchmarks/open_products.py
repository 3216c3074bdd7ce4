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
and repeats (3) on it. Prints a table, then one ``JSON:`` line.

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
import time
import traceback
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

MB = 1_000_000
WINDOW = 512
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


def product_of(entry: Any) -> Any:
    """The client's Product record of an emulator entry (what a search would return)."""
    from cdse_intake.product import Product

    return Product(
        id=entry.id,
        name=entry.name,
        collection=entry.collection,
        product_type=entry.product_type,
        start=entry.start,
        end=entry.end,
        size=entry.content_length,
        checksums={"MD5": entry.md5, "BLAKE3": entry.blake3},
        s3_path=entry.s3_path,
        online=True,
    )


def download_all(entries: list[Any]) -> dict[str, Path]:
    """Download ``entries`` into the cache (``CDSE_CACHE_DIR``); name -> local path."""
    from cdse_intake import download

    report = download([product_of(e) for e in entries], progress=False)
    paths: dict[str, Path] = {}
    for outcome in report:
        if not outcome.ok or outcome.path is None:
            raise RuntimeError(f"download of {outcome.name} failed: {outcome.reason}")
        paths[outcome.name] = Path(outcome.path)
    return paths


def failed(err: BaseException) -> str:
    """The status of a measurement that raised (the traceback goes to stderr)."""
    traceback.print_exc(file=sys.stderr)
    return f"error: {type(err).__name__}: {err}"[:300]


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


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


# -- finding the band in whatever the reader returns -------------------------------------------


def find_band(result: Any, band: str, size: int) -> Any:
    """The ``(y, x)`` DataArray of ``band`` at full resolution (``size`` x ``size``) in a Dataset
    or DataTree, whether bands are variables (``B04``, ``b04``, ``B04_10m``) or a ``band``
    coordinate; singleton dimensions squeezed."""
    import xarray as xr

    datasets = (
        [node.to_dataset() for node in result.subtree]
        if isinstance(result, xr.DataTree)
        else [result]
    )
    seen: list[str] = []
    want = band.lower()
    for ds in datasets:
        for name, da in ds.data_vars.items():
            seen.append(f"{name}{dict(da.sizes)}")
            candidate = None
            if str(name).lower() in (want, f"{want}_10m", f"{want}_r10m"):
                candidate = da
            else:
                for dim in da.dims:
                    coord = da.coords.get(dim)
                    if coord is not None and coord.dtype.kind in "UO":
                        labels = [str(v).lower() for v in coord.values]
                        if want in labels:
                            candidate = da.isel({dim: labels.index(want)})
                            break
            if candidate is None:
                continue
            candidate = candidate.squeeze(drop=True)
            if candidate.ndim == 2 and candidate.shape == (size, size):
                return candidate
    raise LookupError(f"no {band} at {size} x {size} pixels among: {', '.join(seen)[:600]}")


def check_values(values: np.ndarray, row0: int, col0: int) -> str:
    """``"raw DN"`` or ``"reflectance"`` when ``values`` are B04's at that offset; else raise."""
    from cdse_intake.emulator.products import sentinel2
    from cdse_intake.emulator.products.large_s2 import expected_dn

    rows, cols = np.mgrid[row0 : row0 + values.shape[0], col0 : col0 + values.shape[1]]
    dn = expected_dn("B04", rows, cols, 10)
    if values.dtype.kind in "ui" and np.array_equal(values, dn):
        return "raw DN"
    reflectance = (dn.astype(np.float64) + sentinel2.BOA_OFFSET) / sentinel2.QUANTIFICATION
    if values.dtype.kind == "f" and np.allclose(values, reflectance, atol=1e-6, equal_nan=False):
        return "reflectance"
    raise AssertionError(f"B04 values at ({row0}, {col0}) are neither DN nor reflectance")


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


# -- (3) a remote window -------------------------------------------------------------------------


def traffic(emu: Any) -> tuple[int, int, int]:
    """Since the last reset: product bytes the emulator sent (``$value`` bodies, ranges
    included), ``$value`` requests, and all requests (catalogue look-ups, ``Nodes`` listings)."""
    records = emu.state.requests()
    data = [r for r in records if r.path.endswith("/$value")]
    return sum(r.bytes_sent for r in records), len(data), len(records)


def measure_remote(emu: Any, entry: Any, size: int) -> dict[str, Any]:
    import rasterio

    from cdse_intake.emulator.products.large_s2 import codestream_tiles
    from cdse_intake.fs import CDSEFileSystem

    (rel,) = [r for r in entry.payload.files if r.endswith("_B04_10m.jp2")]
    tiles = codestream_tiles(entry.payload.files[rel])
    row0 = col0 = size // 2 - WINDOW // 2
    hit = tiles.tiles_for(row0, col0, WINDOW, WINDOW)
    needed = tiles.header[1] + tiles.tile_bytes(hit)
    out: dict[str, Any] = {
        "product_mb": entry.content_length / MB,
        "band_mb": len(entry.payload.files[rel]) / MB,
        "window": [row0, col0, WINDOW, WINDOW],
        "tiles_hit": len(hit),
        "needed_mb": needed / MB,
        "raw_window_mb": WINDOW * WINDOW * 2 / MB,
    }

    # Floor: plain rasterio on the cdse:// filesystem (fresh, so no cached blocks). One GDAL
    # thread: multi-threaded JPEG 2000 decoding through a Python opener returns garbage for
    # multi-tile windows (rasterio 1.4.4; readers/raster.py does the same).
    fs = CDSEFileSystem("https", skip_instance_cache=True)
    emu.state.reset_counters()
    with (
        rasterio.Env(GDAL_NUM_THREADS="1"),
        rasterio.open(f"{entry.name}/{rel}", opener=fs) as ds,
    ):
        window = ds.read(1, window=((row0, row0 + WINDOW), (col0, col0 + WINDOW)))
    sent, requests, _ = traffic(emu)
    check_values(window, row0, col0)
    out["rasterio_sent_mb"], out["rasterio_requests"] = sent / MB, requests
    out["rasterio_over_needed"] = sent / needed

    out.update(measure_index_build(emu, entry, rel))
    out["readers"] = {
        label: measure_remote_reader(emu, entry, size, chunks, needed)
        for label, chunks in CHUNKINGS.items()
    }
    out.update(measure_gdal(emu, entry, rel, size, needed))
    return out


def measure_index_build(emu: Any, entry: Any, rel: str) -> dict[str, Any]:
    """The tile-part index's first build for the band (no file kept, no index anywhere): its
    requests, bytes and time; later reads load it from the cache folder."""
    from cdse_intake.fs import CDSEFileSystem
    from cdse_intake.readers import _jp2_window, _remote_files

    fs = CDSEFileSystem("https", skip_instance_cache=True)
    for kept in (Path(fs.settings.cache_dir) / "indexes" / "jp2").glob("*.json"):
        kept.unlink()
    _remote_files.forget()
    _jp2_window.forget_indexes()
    emu.state.reset_counters()
    index, build_s = timed(lambda: _jp2_window.index_of(fs, f"{entry.name}/{rel}"))
    sent, requests, _ = traffic(emu)
    _remote_files.forget()
    _jp2_window.forget_indexes()  # the readers below load it from disk, as another process
    return {
        "index_build_requests": requests,
        "index_build_sent_kb": sent / 1000,
        "index_build_s": build_s,
        "index_tile_parts": len(index.parts),
    }


def bearer_token(emu: Any) -> str:
    """An access token of the emulator's demo user (the password grant, as any client)."""
    import urllib.parse
    import urllib.request

    form = urllib.parse.urlencode(
        {
            "grant_type": "password",
            "client_id": "cdse-public",
            "username": emu.username,
            "password": emu.password,
        }
    ).encode()
    url = f"{emu.endpoints.identity}/protocol/openid-connect/token"
    with urllib.request.urlopen(url, data=form, timeout=30) as resp:  # loopback only
        return json.loads(resp.read())["access_token"]


def measure_gdal(emu: Any, entry: Any, rel: str, size: int, needed: int) -> dict[str, Any]:
    """GDAL's ``/vsicurl/`` on the member's Nodes ``$value`` URL (the one our reads used),
    GDAL's defaults otherwise: requests and bytes from the emulator's log."""
    import rasterio

    row0 = col0 = size // 2 - WINDOW // 2
    tail = rel.rsplit("/", 1)[-1]
    mine = [r for r in emu.state.requests() if r.path.endswith("/$value") and tail in r.path]
    if not mine:
        return {"gdal_status": "error: no request of ours names the member's URL"}
    base = emu.endpoints.download.split("/odata")[0]
    url = f"/vsicurl/{base}{mine[-1].path}"
    out: dict[str, Any] = {}
    try:
        with rasterio.Env(
            GDAL_HTTP_AUTH="BEARER",
            GDAL_HTTP_BEARER=bearer_token(emu),
            GDAL_DISABLE_READDIR_ON_OPEN="EMPTY_DIR",
        ):
            emu.state.reset_counters()
            with rasterio.open(url) as ds:
                values, read_s = timed(
                    lambda: ds.read(1, window=((row0, row0 + WINDOW), (col0, col0 + WINDOW)))
                )
            records = [r for r in emu.state.requests() if r.path == mine[-1].path]
    except Exception as err:
        return {"gdal_status": failed(err)}
    sent = sum(r.bytes_sent for r in records)
    out.update(
        gdal_status="ok",
        gdal_values=check_values(values, row0, col0),
        gdal_requests=len(records),
        gdal_sent_mb=sent / MB,
        gdal_over_needed=sent / needed,
        gdal_read_s=read_s,
    )
    return out


#: ``open_product`` chunks tried for the remote window: the default (for a remote product, one
#: JPEG 2000 tile per dask chunk), four tiles per chunk, and no dask (xarray's lazy indexing).
CHUNKINGS: dict[str, Any] = {"auto": "auto", "2048": {"y": 2048, "x": 2048}, "none": None}


def measure_remote_reader(emu: Any, entry: Any, size: int, chunks: Any, needed: int) -> dict:
    """Open remotely with ``chunks``, read the centre window; bytes and time of both steps."""
    from cdse_intake import open_product
    from cdse_intake.readers import _jp2_window

    row0 = col0 = size // 2 - WINDOW // 2
    out: dict[str, Any] = {}
    try:
        _jp2_window.forget_indexes()  # as a new process: the index from the cache folder
        emu.state.reset_counters()
        ds, open_s = timed(lambda: open_product(f"cdse://{entry.name}", remote=True, chunks=chunks))
        sent, requests, every = traffic(emu)
        out.update(open_s=open_s, open_sent_mb=sent / MB, open_requests=requests, open_all=every)
        band = find_band(ds, "B04", size)
        out["chunks"] = [max(c) for c in band.chunks] if band.chunks else None
        emu.state.reset_counters()
        y, x = band.dims
        values, read_s = timed(
            lambda: band.isel({y: slice(row0, row0 + WINDOW), x: slice(col0, col0 + WINDOW)}).values
        )
        sent, requests, _ = traffic(emu)
    except Exception as err:
        out["status"] = failed(err)
        return out
    out.update(
        status="ok",
        values=check_values(values, row0, col0),
        read_s=read_s,
        sent_mb=sent / MB,
        requests=requests,
        sent_over_needed=sent / needed,
        sent_over_raw_window=sent / (WINDOW * WINDOW * 2),
        sent_over_product=sent / entry.content_length,
    )
    return out


# -- report ----------------------------------------------------------------------------------------


def rounded(value: Any) -> Any:
    """``value`` with floats rounded to 4 digits, nested dicts included (for the JSON line)."""
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return round(value, 4) if isinstance(value, float) else value


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


def remote_summary(remote: dict[str, dict]) -> dict[str, Any]:
    """The JSON's ``remote_window``: the figures of issue 19's goal (the ESA-like file, default
    chunks) on top, every file's rows under ``files``."""
    row = next(iter(remote.values()))
    ours = row["readers"].get("auto", {})
    top: dict[str, Any] = {
        key: row.get(key) for key in ("needed_mb", "tiles_hit", "index_build_requests")
    }
    top.update(
        requests=ours.get("requests"),
        sent_mb=ours.get("sent_mb"),
        sent_over_needed=ours.get("sent_over_needed"),
        gdal_requests=row.get("gdal_requests"),
        gdal_sent_mb=row.get("gdal_sent_mb"),
        gdal_over_needed=row.get("gdal_over_needed"),
    )
    return rounded({**top, "files": remote})


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
