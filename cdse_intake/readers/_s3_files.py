"""The netCDF files of a Sentinel-3 product: found in the product, checked and opened.

Files are located as the manifest names them (or differing in case only, as products of other
processors do); absent ones are returned for the caller to report. Each file is checked
(:mod:`._s3_members`) and opened with :func:`.netcdf.open_netcdf`, CF-decoded except its flag
variables.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from ._s3_members import check_netcdf, damaged
from ._s3_metadata import DataObject
from .netcdf import open_netcdf
from .source import ProductSource

__all__ = ["locate", "open_file"]


def locate(source: ProductSource, objects: list[DataObject]) -> tuple[dict[str, str], list[str]]:
    """The path in the product of each object's file that exists (by href), and the hrefs of
    the objects whose file is absent."""
    found: dict[str, str] = {}
    missing = []
    for obj in objects:
        if source.exists(obj.href):
            found[obj.href] = obj.href
            continue
        # products from other processors differ in case only
        same = [f for f in source.files() if f.lower() == obj.href.lower()]
        if same:
            found[obj.href] = same[0]
        else:
            missing.append(obj.href)
    return found, missing


def open_file(source: ProductSource, rel: str, chunks: Any, parts: list[xr.Dataset]) -> xr.Dataset:
    """One netCDF file, checked first, CF-decoded except its flag variables: bit masks stay
    integers (with ``_FillValue`` among their attributes) so that ``flags & mask`` works. The
    Datasets opened are appended to ``parts``. UnsupportedProduct naming a broken file."""
    check_netcdf(source, rel)
    ds = _open(source, rel, chunks)
    parts.append(ds)
    flags = [
        name
        for name, var in ds.data_vars.items()
        if {"flag_masks", "flag_values", "flag_meanings"} & set(var.attrs)
        and np.issubdtype(var.encoding.get("dtype", var.dtype), np.integer)
        and var.dtype != var.encoding.get("dtype", var.dtype)
    ]
    if not flags:
        return ds
    ds = _open(source, rel, chunks, mask_and_scale={n: False for n in flags})
    parts.append(ds)
    return ds


def _open(source: ProductSource, rel: str, chunks: Any, **kwargs: Any) -> xr.Dataset:
    try:
        return open_netcdf(source, rel, chunks=chunks, **kwargs)
    except (OSError, ValueError) as err:
        # a remote read failing on the network stays a network error (it may pass on a retry)
        if source.origin == "remote" and isinstance(err, ConnectionError):
            raise
        raise damaged(source, rel, err) from err
