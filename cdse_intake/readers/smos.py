"""SMOS products (Earth Explorer ``.HDR`` + ``.DBL``) as an xarray Dataset of grid points.

A SMOS product is a folder ``<Name>/`` with the XML header ``<Name>.HDR`` (its
``Fixed_Header`` names the ``File_Type``; its ``List_of_Data_Sets`` gives the measurement data
set's record count and size) and the binary data block ``<Name>.DBL`` (little-endian; layouts
in :mod:`._smos_layouts`). Supported: the L2 soil moisture (``MIR_SMUDP2``) and ocean salinity
(``MIR_OSUDP2``) user data products and the L1C full-polarisation swath (``MIR_SC_F1B``,
``MIR_SCLF1C``).

The Dataset has one ``grid_point`` dimension: coordinates ``grid_point_id``, ``latitude``,
``longitude`` (and ``altitude``, ``time`` where the product has them); every scalar field of
the record is a variable named as ESA's schema names it, ``-999`` (no retrieval) as NaN in
float fields. L1C brightness temperatures are ragged per grid point: they become
``(grid_point, measurement)`` variables padded with NaN up to the largest
``BT_Data_Counter``, angles and accuracies scaled to degrees, K and km. The header's fields
are attributes (``File_Type``, ``Validity_Start`` …).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from . import _smos_layouts as layouts
from .source import ProductSource
from .xml import find, findall, parse, text

__all__ = ["open", "read_header"]

MISSING = -999.0
_EPOCH = np.datetime64("2000-01-01T00:00:00", "ns")
_UNITS = {"Soil_Moisture": "m3 m-3", "Surface_Temperature": "K", "SSS1": "psu", "SSS2": "psu"}
_UNITS |= {"SSS3": "psu", "SST": "degC", "WS": "m s-1", "Latitude": "degrees_north"}


def open(source: ProductSource, *, chunks: Any = "auto") -> xr.Dataset:
    """The SMOS product of ``source`` as a Dataset (see the module docstring)."""
    hdr_rel = source.find_one("*.HDR", "SMOS Earth Explorer header (.HDR)")
    header = read_header(source, hdr_rel)
    dbl_rel = hdr_rel[: -len(".HDR")] + ".DBL"
    if not source.exists(dbl_rel):
        raise UnsupportedProduct(f"{source.location}: {dbl_rel!r} (the data block) is missing")
    data = source.read_bytes(dbl_rel)
    kind = header["File_Type"]
    if kind == "MIR_SMUDP2":
        ds = _udp(data, layouts.SM, dbl_rel)
    elif kind == "MIR_OSUDP2":
        ds = _udp(data, layouts.OS, dbl_rel)
    elif kind in ("MIR_SC_F1B", "MIR_SCLF1C"):
        ds = _l1c(data, dbl_rel)
    else:
        raise UnsupportedProduct(
            f"{source.location}: SMOS File_Type {kind!r} is not supported; "
            "expected MIR_SMUDP2, MIR_OSUDP2 or MIR_SC_F1B"
        )
    ds.attrs = {k: v for k, v in header.items() if k != "datasets"}
    if chunks is not None:
        ds = ds.chunk({"grid_point": -1} if chunks == "auto" else chunks)
    return ds


def read_header(source: ProductSource, rel: str) -> dict[str, Any]:
    """The header's main fields and its data sets (``datasets``: one dict each)."""
    root = parse(source.read_bytes(rel), f"{source.location}/{rel}")
    fixed = find(root, "Fixed_Header")
    if fixed is None:
        raise UnsupportedProduct(f"{source.location}/{rel} is not an Earth Explorer header")
    out: dict[str, Any] = {
        name: text(fixed, path, "")
        for name, path in (
            ("File_Name", "File_Name"),
            ("File_Description", "File_Description"),
            ("Mission", "Mission"),
            ("File_Class", "File_Class"),
            ("File_Type", "File_Type"),
            ("Validity_Start", "Validity_Period/Validity_Start"),
            ("Validity_Stop", "Validity_Period/Validity_Stop"),
            ("Creator", "Source/Creator"),
            ("Creator_Version", "Source/Creator_Version"),
        )
    }
    out["Abs_Orbit"] = text(root, "//Orbit_Information/Abs_Orbit", "")
    out["datasets"] = [
        {c.tag.rsplit("}", 1)[-1]: (c.text or "").strip() for c in ds}
        for ds in findall(root, "//List_of_Data_Sets/Data_Set")
    ]
    return out


def _count(data: bytes, at: int, where: str) -> int:
    if len(data) < at + 4:
        raise UnsupportedProduct(f"{where} is truncated at byte {at}")
    return int(np.frombuffer(data, "<u4", 1, at)[0])


def _records(data: bytes, dtype: np.dtype, at: int, where: str) -> tuple[np.ndarray, int]:
    n = _count(data, at, where)
    end = at + 4 + n * dtype.itemsize
    if len(data) < end:
        raise UnsupportedProduct(
            f"{where}: {n} records of {dtype.itemsize} bytes need {end} bytes, found {len(data)}"
        )
    return np.frombuffer(data, dtype, n, at + 4), end


def _flatten(records: np.ndarray) -> dict[str, np.ndarray]:
    """Every scalar field of structured ``records``, nested structs flattened by name."""
    out = {}
    for name in records.dtype.names or ():
        column = records[name]
        if column.dtype.names and name not in ("Mean_Acq_Time", "Snapshot_Time"):
            out |= _flatten(column)
        else:
            out[name] = column
    return out


def _times(utc: np.ndarray) -> np.ndarray:
    days = utc["Days"].astype("i8") * 86_400_000_000_000
    rest = utc["Seconds"].astype("i8") * 1_000_000_000 + utc["Microseconds"].astype("i8") * 1000
    return _EPOCH + (days + rest).astype("timedelta64[ns]")


def _variable(name: str, values: np.ndarray) -> xr.Variable:
    attrs = {"units": _UNITS[name]} if name in _UNITS else {}
    if values.dtype.kind == "f":
        values = np.where(values == MISSING, np.nan, values).astype(values.dtype)
    return xr.Variable("grid_point", values, attrs)


def _coords(fields: dict[str, np.ndarray]) -> dict[str, Any]:
    coords: dict[str, Any] = {
        "grid_point_id": ("grid_point", fields.pop("Grid_Point_ID")),
        "latitude": ("grid_point", fields.pop("Latitude"), {"units": "degrees_north"}),
        "longitude": ("grid_point", fields.pop("Longitude"), {"units": "degrees_east"}),
    }
    if "Altitude" in fields:
        coords["altitude"] = ("grid_point", fields.pop("Altitude"), {"units": "m"})
    if "Mean_Acq_Time" in fields:
        coords["time"] = ("grid_point", _times(fields.pop("Mean_Acq_Time")))
    elif "Mean_acq_time" in fields:  # OS: float32 days since 2000 (to ~40 s)
        days = fields.pop("Mean_acq_time").astype("f8")
        coords["time"] = ("grid_point", _EPOCH + (days * 86400e9).astype("timedelta64[ns]"))
    return coords


def _udp(data: bytes, dtype: np.dtype, where: str) -> xr.Dataset:
    records, end = _records(data, dtype, 0, where)
    if end != len(data):
        raise UnsupportedProduct(f"{where}: {len(data) - end} bytes after the last record")
    fields = _flatten(records)
    coords = _coords(fields)
    return xr.Dataset({k: _variable(k, v) for k, v in fields.items()}, coords=coords)


def _l1c(data: bytes, where: str) -> xr.Dataset:
    snapshots, at = _records(data, layouts.SNAPSHOT, 0, where)
    n = _count(data, at, where)
    at += 4
    heads, chunks = [], []
    head_size, bt_size = layouts.L1C_HEAD.itemsize, layouts.BT.itemsize
    for _ in range(n):
        head = np.frombuffer(data, layouts.L1C_HEAD, 1, at)
        count = int(head["BT_Data_Counter"][0])
        end = at + head_size + count * bt_size
        if end > len(data):
            raise UnsupportedProduct(f"{where}: grid point {len(heads)} is truncated")
        heads.append(head)
        chunks.append(np.frombuffer(data, layouts.BT, count, at + head_size))
        at = end
    head = np.concatenate(heads) if heads else np.zeros(0, layouts.L1C_HEAD)
    fields = _flatten(head)
    coords = _coords(fields)
    width = max((len(c) for c in chunks), default=0)
    bt_vars = {}
    for name in layouts.BT.names:
        padded = np.full((n, width), np.nan)
        for i, chunk in enumerate(chunks):
            padded[i, : len(chunk)] = chunk[name] * layouts.BT_SCALES.get(name, 1.0)
        bt_vars[name] = (("grid_point", "measurement"), padded)
    variables = {k: _variable(k, v) for k, v in fields.items()} | bt_vars
    ds = xr.Dataset(variables, coords=coords)
    ds.coords["snapshot_time"] = ("snapshot", _times(snapshots["Snapshot_Time"]))
    ds["Snapshot_ID"] = ("snapshot", snapshots["Snapshot_ID"])
    return ds
