"""The netCDF files of a Sentinel-3 product: found in the product and opened.

Files are located as the manifest names them (or differing in case only, as products of other
processors do) and opened with :func:`.netcdf.open_netcdf`, CF-decoded except their flag
variables.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from ._s3_manifest import MANIFEST
from ._s3_metadata import DataObject
from .netcdf import open_netcdf
from .source import ProductSource

__all__ = ["locate", "open_file"]


def locate(source: ProductSource, objects: list[DataObject]) -> dict[str, str]:
    """The path in the product of each object's file; UnsupportedProduct naming the absent."""
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
    if missing:
        raise UnsupportedProduct(
            f"{source.location}: {MANIFEST} lists files the product does not hold: "
            + ", ".join(missing)
        )
    return found


def open_file(source: ProductSource, rel: str, chunks: Any, parts: list[xr.Dataset]) -> xr.Dataset:
    """One netCDF file, CF-decoded except its flag variables: bit masks stay integers (with
    ``_FillValue`` among their attributes) so that ``flags & mask`` works. The Datasets opened
    are appended to ``parts``."""
    ds = open_netcdf(source, rel, chunks=chunks)
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
    ds = open_netcdf(source, rel, chunks=chunks, mask_and_scale={n: False for n in flags})
    parts.append(ds)
    return ds
