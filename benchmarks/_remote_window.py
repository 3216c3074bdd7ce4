"""Part (3) of ``open_products.py``: a remote window of B04 read by range requests, its bytes and
requests against the compressed tiles it needs -- plain rasterio on ``cdse://``, the tile-part
index's first build, ``open_product(remote=True)`` per chunking, and GDAL's ``/vsicurl/``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from _open_common import MB, check_values, failed, find_band, timed

__all__ = [
    "CHUNKINGS",
    "WINDOW",
    "bearer_token",
    "measure_gdal",
    "measure_index_build",
    "measure_remote",
    "measure_remote_reader",
    "remote_summary",
    "rounded",
    "traffic",
]

WINDOW = 512


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
