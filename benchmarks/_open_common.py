"""What the parts of ``open_products.py`` share: products from the emulator into the cache, a
timer, a failure's status, and finding and checking B04 in whatever a reader returns."""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["MB", "check_values", "download_all", "failed", "find_band", "product_of", "timed"]

MB = 1_000_000


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
