"""``cube:dimensions`` and ``cube:variables`` of a Sentinel-5P item, read from its netCDF.

The generator copies them from the file's ``PRODUCT`` group (EOMETA ``stac_s5p.py``: the mapping's
``dimensions`` and ``variables``); the NO2 example shows their shape: every dimension of the group
(``scanline`` spatial ``y``, ``ground_pixel`` spatial ``x``, ``time`` temporal with its date, the
others ``other``) with ``extent [0, size]``, and every variable of the group and its subgroups
with its dimensions, ``long_name`` as description, ``units`` (not ``1``), the fill value (the
netCDF default when the file sets none) and ``data_type`` (``other`` for floats and strings, as
the real items say). ``proj:shape`` is ``[scanline, ground_pixel]``.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from ..catalogue import Entry

__all__ = ["s5p_cube"]

#: netCDF's default fill values by numpy dtype kind and size.
_DEFAULT_FILL = {
    "i1": -127,
    "u1": 255,
    "i2": -32767,
    "u2": 65535,
    "i4": -2147483647,
    "u4": 4294967295,
    "i8": -9223372036854775806,
    "u8": 18446744073709551614,
    "f4": 9.969209968386869e36,
    "f8": 9.969209968386869e36,
}
_AUXILIARY = {"scanline", "ground_pixel", "time", "corner"}
_AUXILIARY |= {"latitude", "longitude", "delta_time", "time_utc"}
_EXTENTS = {"latitude": [-90.0, 90.0], "longitude": [-180.0, 180.0]}
_EPOCH_2010 = datetime(2010, 1, 1, tzinfo=UTC)

_cache: OrderedDict[str, dict[str, Any]] = OrderedDict()
_variables_by_type: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}
_lock = threading.Lock()
_CACHE_SIZE = 256


def s5p_cube(entry: Entry) -> dict[str, Any]:
    """``proj:shape``, ``cube:dimensions`` and ``cube:variables`` of ``entry``'s netCDF.

    Empty when the entry has no bytes (a metadata-only record) or they cannot be read. The
    variable list is read in full once per product type and file layout; per file only the
    ``PRODUCT`` dimensions and the reference time are read (a few ms).
    """
    payload = entry.payload
    if payload is None or not payload.single_file:
        return {}
    with _lock:
        cached = _cache.get(entry.id)
        if cached is not None:
            _cache.move_to_end(entry.id)
            return cached
    try:
        found = _read(bytes(payload.view()), entry.product_type)
    except (OSError, KeyError, ValueError):
        found = {}
    with _lock:
        _cache[entry.id] = found
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return found


def _read(data: bytes, product_type: str) -> dict[str, Any]:
    import h5py

    with h5py.File(io.BytesIO(data), "r") as f:
        product = f["PRODUCT"]
        dims = {
            name: int(obj.shape[0])
            for name, obj in product.items()
            if isinstance(obj, h5py.Dataset) and obj.attrs.get("CLASS") == b"DIMENSION_SCALE"
        }
        descriptions = {name: _text(product[name].attrs.get("long_name")) for name in dims}
        time = int(product["time"][0]) if dims.get("time") == 1 else None
    key = (product_type, tuple(dims))
    variables = _variables_by_type.get(key)
    if variables is None:
        variables = _variables_by_type[key] = _all_variables(data)
    variables = dict(variables)
    if time is not None and "time" in variables:
        variables["time"] = {**variables["time"], "values": [time]}
    out: dict[str, Any] = {}
    if "scanline" in dims and "ground_pixel" in dims:
        out["proj:shape"] = [dims["scanline"], dims["ground_pixel"]]
    out["cube:dimensions"] = {
        name: _dimension(name, size, descriptions[name], time) for name, size in dims.items()
    }
    out["cube:variables"] = variables
    return out


def _all_variables(data: bytes) -> dict[str, Any]:
    import h5netcdf

    with h5netcdf.File(io.BytesIO(data), "r") as nc:
        variables: dict[str, Any] = {}
        _variables(nc["PRODUCT"], variables)
    return variables


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else str(value)


def _variables(group: Any, out: dict[str, Any]) -> None:
    for name, var in group.variables.items():
        out.setdefault(name, _variable(name, var))
    for sub in group.groups.values():
        _variables(sub, out)


def _variable(name: str, var: Any) -> dict[str, Any]:
    attrs = var.attrs
    dtype = var.dtype
    entry: dict[str, Any] = {
        "dimensions": list(var.dimensions),
        "type": "auxiliary" if name in _AUXILIARY else "data",
    }
    if name in _EXTENTS:
        entry["extent"] = _EXTENTS[name]
    if name == "time" and var.shape == (1,):
        entry["values"] = [int(var[0])]
    if "long_name" in attrs:
        entry["description"] = str(attrs["long_name"])
    units = attrs.get("units")
    if units is not None and str(units) != "1":
        entry["unit"] = str(units)
    kind = f"{dtype.kind}{dtype.itemsize}" if isinstance(dtype, np.dtype) else ""
    if kind in _DEFAULT_FILL:
        fill = attrs.get("_FillValue")
        entry["nodata"] = _DEFAULT_FILL[kind] if fill is None else _number(fill)
    entry["data_type"] = str(dtype) if kind and kind[0] in "iu" else "other"
    return entry


def _dimension(name: str, size: int, description: str, time: int | None) -> dict[str, Any]:
    out: dict[str, Any]
    if name in ("scanline", "ground_pixel"):
        out = {"type": "spatial", "axis": "y" if name == "scanline" else "x"}
    elif name == "time":
        out = {"type": "temporal"}
    else:
        out = {"type": "other"}
    if description:
        out["description"] = description
    out["extent"] = [0, size]
    if name == "time" and time is not None:
        when = _EPOCH_2010 + timedelta(seconds=time)
        out["values"] = [when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")]
    return out


def _number(value: Any) -> int | float:
    """A fill value as JSON number (float32 9.96921e36 reads back as 9.969209968386869e36)."""
    item = np.asarray(value).item()
    return item if isinstance(item, int | float) else float(item)
