"""The files of one Sentinel-3 grid merged into one Dataset with its coordinates.

Latitude/longitude (and altitude or elevation) become 2-D coordinates (on regular grids the
1-D ``lat``/``lon`` index their dimensions) and the per-row time stamps a ``time`` coordinate;
OLCI tie points get the image's row times. Attributes are those every file of the grid shares.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from ._s3_files import locate, open_file
from ._s3_manifest import as_int
from ._s3_metadata import DataObject
from .source import ProductSource

__all__ = ["merge", "tie_point_times"]

#: Variables that locate pixels, whatever the instrument names them (``latitude_in`` ...).
_COORD_NAME = re.compile(r"^(lat|lon|latitude|longitude|altitude|elevation)(_[a-z]{1,2})?$")
_TIME_NAME = re.compile(r"^time(_stamp)?(_[a-z]{1,2})?$")


def merge(name: str, parts: list[tuple[DataObject, xr.Dataset]], source: ProductSource) -> Any:
    """The files of one grid as one Dataset, with its coordinates."""
    datasets = [ds for _, ds in parts]
    try:
        # compat="override": a variable found in two files is taken from the first (no read)
        merged = xr.merge(datasets, compat="override", join="exact", combine_attrs="override")
    except ValueError as err:
        files = ", ".join(o.href for o, _ in parts)
        raise UnsupportedProduct(
            f"{source.location}: the files of grid {name!r} ({files}) do not share one grid: {err}"
        ) from err
    merged.attrs = _common_attrs([ds.attrs for ds in datasets])
    return _coordinates(merged)


def _coordinates(ds: xr.Dataset) -> xr.Dataset:
    """Latitude/longitude/altitude as coordinates (as the CF ``coordinates`` attributes of the
    measurements say, or by name), and the per-row time stamps as ``time``."""
    names: set[str] = set()
    for var in ds.variables.values():
        names.update(str(var.encoding.get("coordinates", "")).split())
        names.update(str(var.attrs.get("coordinates", "")).split())
    for name, var in ds.data_vars.items():
        if var.attrs.get("standard_name") in ("latitude", "longitude") or _COORD_NAME.match(
            str(name)
        ):
            names.add(str(name))
    stamps = [
        str(n)
        for n, v in ds.variables.items()
        if _TIME_NAME.match(str(n)) and v.ndim == 1 and np.issubdtype(v.dtype, np.datetime64)
    ]
    names.update(stamps)
    ds = ds.set_coords(sorted(n for n in names if n in ds.data_vars))
    for axis, dim in (("lat", "latitude"), ("lon", "longitude")):
        # regular grids (SYNERGY VEGETATION): index the ``latitude`` dimension by ``lat``
        var = ds.variables.get(axis)
        if var is not None and var.dims == (dim,) and dim not in ds.variables:
            ds = ds.swap_dims({dim: axis})
    if len(stamps) == 1 and stamps[0] != "time" and "time" not in ds.variables:
        ds = ds.rename({stamps[0]: "time"})
    for var in ds.variables.values():
        # the files' lists name variables now renamed; xarray writes the right one itself
        var.encoding.pop("coordinates", None)
        var.attrs.pop("coordinates", None)
    return ds


def tie_point_times(
    datasets: dict[str, xr.Dataset],
    planned: dict[str, list[DataObject]],
    source: ProductSource,
    rels: dict[str, str],
    chunks: Any,
    parts: list[xr.Dataset],
) -> None:
    """OLCI tie points lie on every ``al_subsampling_factor``-th image row: give them the
    image's row times (from ``time_coordinates``, opened for ``grid="tie_points"`` too, when
    its file is present)."""
    tie = datasets.get("tie_points")
    if tie is None or "time" in tie.variables or "tie_rows" not in tie.dims:
        return
    if "measurements" in datasets:
        times = datasets["measurements"].get("time")
    else:
        found = [o for o in planned.get("measurements", []) if o.stem == "time_coordinates"]
        rels.update(locate(source, found)[0])
        if not found or found[0].href not in rels:  # none listed, or its file is absent
            return
        part = _coordinates(open_file(source, rels[found[0].href], chunks, parts))
        times = part.get("time")
    if times is None or times.dims != ("rows",):
        return
    step = as_int(np.asarray(tie.attrs.get("al_subsampling_factor", 1)).ravel()[0]) or 1
    if math.ceil(times.sizes["rows"] / step) != tie.sizes["tie_rows"]:
        return
    picked = times.variable[::step]
    datasets["tie_points"] = tie.assign_coords(
        time=xr.Variable(("tie_rows",), picked.data, picked.attrs, picked.encoding)
    )


def _common_attrs(dicts: list[dict[Any, Any]]) -> dict[Any, Any]:
    """The attributes every file of a grid has with the same value (``title`` differs)."""
    if not dicts:
        return {}
    first, rest = dicts[0], dicts[1:]
    return {k: v for k, v in first.items() if all(k in d and _same(d[k], v) for d in rest)}


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    except (TypeError, ValueError):
        return False
