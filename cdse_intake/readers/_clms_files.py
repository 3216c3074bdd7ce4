"""One raster file of a CLMS result as a Dataset, named, dated and placed on its grid.

GeoTIFFs open through :func:`.geotiff.open`, netCDF-4 files through :func:`.gridded.open`, so
packing and flags follow those readers. What this adds:

- ``<var>_flags``: with ``scale=True`` the raw DNs of a scaled layer that declares
  ``flag_values`` (NDVI: 254 sea, 255 missing), which are NaN in the values; the GeoTIFF
  reader's ``flags`` renamed so that several layers can sit side by side.
- Categorical layers (``flag_values`` but no scale or offset: land cover, CLC, HRL classes) keep
  their codes: there the flag values are the legend, not invalid pixels; only nodata becomes
  NaN (``scale=True``), and ``flag_values``/``flag_meanings`` stay on the variable.
- Names: a GeoTIFF's variable after its file (:mod:`._clms_names`); a netCDF keeps its
  variables' names but GDAL's ``Band1``… (named after the file).
- ``time``: from the file name, else tags/global attributes, else the netCDF's own ``time``
  (a one-step ``time`` of the file takes the name's date); none when nothing gives one.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from . import geotiff, gridded
from ._clms_names import time_from_attrs, time_from_name, variable_from_name
from ._clms_stack import Opened, grid_of
from ._closing import closing
from ._members import damaged
from .source import ProductSource

__all__ = ["NETCDF", "TIFF", "open_file"]

TIFF = (".tif", ".tiff")
NETCDF = (".nc",)
#: Names GDAL (and xarray) give data that say nothing of it.
_GENERIC = ("band_data", "__xarray_dataarray_variable__")
_TIME_ATTRS = {"standard_name": "time", "long_name": "start of the product's period"}
_FLAG_ATTRS = ("flag_values", "flag_meanings", "flag_masks")


def open_file(view: ProductSource, chunks: Any, scale: bool) -> Opened:
    """The one file of ``view`` as a Dataset with its variable names, date and grid."""
    rel = view.files()[0]
    if isinstance(chunks, Mapping):  # applied to the result, where every dimension exists
        chunks = "auto"
    netcdf = view.name.lower().endswith(NETCDF)
    try:
        ds = _open_netcdf(view, chunks, scale) if netcdf else _open_tiff(view, chunks, scale)
    except UnsupportedProduct:
        raise
    except (OSError, ValueError, RuntimeError) as err:
        kind = "netCDF-4/HDF5" if netcdf else "GeoTIFF"
        raise damaged(view, rel, err, f"a {kind} file of a CLMS result", kind) from err
    ds = closing(_with_time(ds, view.name), [ds])
    return Opened(rel, ds, grid_of(ds, f"{view.location}: {rel}"))


def _open_tiff(view: ProductSource, chunks: Any, scale: bool) -> xr.Dataset:
    var = variable_from_name(view.name)
    var = "band_data" if var == "flags" else var
    meta = geotiff.read_metadata(view)
    categorical = bool(meta.flag_values) and meta.scale == 1.0 and meta.offset == 0.0
    ds = geotiff.open(view, chunks=chunks, scale=scale and not categorical, name=var)
    if scale and categorical and "_FillValue" in ds[var].attrs:
        # xarray's CF masking, lazy also without dask: nodata as NaN, the class codes kept
        ds = xr.decode_cf(ds, decode_times=False, decode_coords=False)
    if "flags" in ds.data_vars:
        ds = ds.rename({"flags": f"{var}_flags"})
        ds[var].attrs["ancillary_variables"] = f"{var}_flags"
    return ds.drop_vars("time", errors="ignore")  # dated again by :func:`_with_time`


def _open_netcdf(view: ProductSource, chunks: Any, scale: bool) -> xr.Dataset:
    raw = gridded.open(view, chunks=chunks, scale=False)
    parts = [raw]  # whose files close with the result
    if "time" in raw.coords and raw["time"].ndim == 0:
        raw = raw.drop_vars("time")  # the gridded reader's date from the name: redone here
    raw.attrs.pop("product_name", None)
    generic = [str(v) for v in raw.data_vars if _is_generic(str(v))]
    var = variable_from_name(view.name)
    names = [var] if len(generic) == 1 else [f"{var}_{i}" for i in range(1, len(generic) + 1)]
    raw = raw.rename(dict(zip(generic, names, strict=True)))
    return closing(_decode(raw) if scale else raw, parts)


def _decode(raw: xr.Dataset) -> xr.Dataset:
    """CF decoding (lazy), as the GeoTIFF reader decodes: float32 values for <= 16-bit DNs,
    ``valid_range`` in physical units, and the flag values of a scaled variable masked too
    (whatever ``valid_range`` says), its raw DNs kept in ``<var>_flags``."""
    ds = raw.copy()
    for name, da in raw.data_vars.items():
        attrs = dict(da.attrs)
        scaled = attrs.get("scale_factor", 1) != 1 or attrs.get("add_offset", 0) != 0
        if not scaled:  # an identity scale (categorical layers): masked, no float64 on top
            if {"scale_factor", "add_offset"} & set(attrs):
                ds[name] = da.variable.copy(deep=False)
                ds[name].attrs = {
                    k: v for k, v in attrs.items() if k not in ("scale_factor", "add_offset")
                }
            continue
        if da.dtype.kind in "iu" and da.dtype.itemsize <= 2:
            attrs.update(
                {k: np.float32(attrs[k]) for k in ("scale_factor", "add_offset") if k in attrs}
            )
        if "valid_range" in attrs:
            valid = np.asarray(attrs["valid_range"], np.float64)
            attrs["valid_range"] = valid * attrs.get("scale_factor", 1) + attrs.get("add_offset", 0)
        flags = attrs.get("flag_values")
        if flags is not None:
            fill = attrs.get("_FillValue")
            others = [f for f in np.ravel(flags) if fill is None or f != fill]
            if others:
                attrs["missing_value"] = np.array(others, dtype=da.dtype)
            flag = da.variable.copy(deep=False)
            flag.attrs = {k: attrs.pop(k) for k in _FLAG_ATTRS if k in attrs}
            flag.attrs["long_name"] = f"{name} digital numbers: flag_values mark flagged pixels"
            flag.encoding = {}
            ds[f"{name}_flags"] = flag
            attrs["ancillary_variables"] = f"{name}_flags"
        ds[name] = da.variable.copy(deep=False)
        ds[name].attrs = attrs
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "variable .* has (multiple|non-conforming) fill")
        warnings.simplefilter("ignore", xr.SerializationWarning)
        return xr.decode_cf(ds, decode_times=False, decode_coords="all")


def _is_generic(name: str) -> bool:
    return name in _GENERIC or (name.lower().startswith("band") and name[4:].isdigit())


def _with_time(ds: xr.Dataset, name: str) -> xr.Dataset:
    """``ds`` with a ``time`` dimension from the name, else its tags, else its own."""
    when = time_from_name(name) or time_from_attrs(ds.attrs)
    if when is None:
        return ds
    value = np.array([np.datetime64(when, "ns")])
    if "time" in ds.dims:
        if ds.sizes["time"] != 1:
            return ds  # a series in one file keeps its own dates
        return ds.assign_coords(time=("time", value, {**ds["time"].attrs, **_TIME_ATTRS}))
    ds = ds.expand_dims(time=value)
    ds["time"].attrs.update(_TIME_ATTRS)
    return ds
