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

A product whose ``.DBL`` is absent (only the header fetched) opens as metadata only: a Dataset of
the header's attributes (with the L2 products' ``Start_Lat``/``Stop_Long`` … location), no
variable, and one :class:`~cdse_intake.errors.PartialProductWarning` naming the data block. An
empty header or data block, or a data block whose size is not the header's ``Datablock_Size``
(truncated, another product's), is refused naming the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from . import _smos_layouts as layouts
from ._partial import check_member, warn_missing
from ._subset import names, select
from .options import check_bool, check_chunks
from .source import ProductSource
from .xml import find, findall, parse, text

__all__ = ["open", "read_header"]

MISSING = -999.0
_EPOCH = np.datetime64("2000-01-01T00:00:00", "ns")
_UNITS = {"Soil_Moisture": "m3 m-3", "Surface_Temperature": "K", "SSS1": "psu", "SSS2": "psu"}
_UNITS |= {"SSS3": "psu", "SST": "degC", "WS": "m s-1", "Latitude": "degrees_north"}
_DIMS = {name: name for name in ("grid_point", "measurement", "snapshot")}
#: The ``kind`` of :func:`._partial.warn_missing` when the data block is absent.
METADATA_ONLY = "data block (opened as metadata only: the header's attributes)"


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    variables: str | Sequence[str] | None = None,
    scale: bool = True,
) -> xr.Dataset:
    """The SMOS product of ``source`` as a Dataset (see the module docstring).

    ``variables``: only these data variables (``["Soil_Moisture"]``), coordinates kept.
    ``scale=False``: the stored numbers: ``-999`` kept in float fields (``_FillValue``), L1C
    angles and accuracies as their uint16 counts (float, NaN padding) with ``scale_factor``.
    """
    wanted = names(variables, "['Soil_Moisture']")
    scale = check_bool("scale", scale)
    chunks = check_chunks(chunks, _DIMS, what="the SMOS arrays")
    hdr_rel = source.find_one("*.HDR", "SMOS Earth Explorer header (.HDR)")
    header = read_header(source, hdr_rel)
    dbl_rel = hdr_rel[: -len(".HDR")] + ".DBL"
    attrs = {k: v for k, v in header.items() if k != "datasets"}
    if not source.exists(dbl_rel):
        if wanted is not None:
            raise UnsupportedProduct(
                f"{source.location}: variables={wanted!r} were asked for but the data block "
                f"{dbl_rel} is absent (a partial product: only the header is there)"
            )
        warn_missing(source.location, [dbl_rel], METADATA_ONLY)
        return xr.Dataset(attrs={**attrs, "cdse_metadata_only": f"no data block: {hdr_rel}"})
    data = source.read_bytes(dbl_rel)
    where = f"{source.location}: {dbl_rel}"
    check_member(source.location, dbl_rel, data[:16], len(data))
    _check_size(data, header, where)
    kind = header["File_Type"]
    if kind == "MIR_SMUDP2":
        ds = _udp(data, layouts.SM, where, scale)
    elif kind == "MIR_OSUDP2":
        ds = _udp(data, layouts.OS, where, scale)
    elif kind in ("MIR_SC_F1B", "MIR_SCLF1C"):
        ds = _l1c(data, where, scale)
    else:
        raise UnsupportedProduct(
            f"{source.location}: SMOS File_Type {kind!r} is not supported; "
            "expected MIR_SMUDP2, MIR_OSUDP2 or MIR_SC_F1B"
        )
    ds = select(ds, wanted, f"{source.location} ({kind})")
    ds.attrs = attrs
    if chunks is not None:
        if chunks == "auto":
            chunks = {"grid_point": -1}
        elif isinstance(chunks, dict):
            chunks = {d: n for d, n in chunks.items() if d in ds.dims}
        ds = ds.chunk(chunks)
    return ds


def read_header(source: ProductSource, rel: str) -> dict[str, Any]:
    """The header's main fields and its data sets (``datasets``: one dict each); an empty or
    foreign header is refused naming it."""
    data = source.read_bytes(rel)
    check_member(source.location, rel, data[:16], len(data))
    root = parse(data, f"{source.location}/{rel}")
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
    size = text(root, "//Main_Info/Datablock_Size")
    if size is not None and size.isdigit():
        out["Datablock_Size"] = int(size)
    for name in ("Start_Lat", "Start_Long", "Stop_Lat", "Stop_Long"):
        value = text(root, f"//L2_Product_Location/{name}") or ""
        if value.lstrip("+-").replace(".", "", 1).isdigit():
            out[name] = float(value)
    out["datasets"] = [
        {c.tag.rsplit("}", 1)[-1]: (c.text or "").strip() for c in ds}
        for ds in findall(root, "//List_of_Data_Sets/Data_Set")
    ]
    return out


def _check_size(data: bytes, header: dict[str, Any], where: str) -> None:
    """Refuse a data block whose size is not the header's ``Datablock_Size``: truncated, or
    another product's."""
    expected = header.get("Datablock_Size")
    if expected is None or len(data) == expected:
        return
    records = [
        f"{int(d['Num_DSR'])} records of {int(d['DSR_Size'])} bytes"
        for d in header["datasets"]
        if d.get("DS_Type") == "M"
        and d.get("Num_DSR", "").isdigit()
        and d.get("DSR_Size", "").isdigit()
        and int(d["DSR_Size"]) > 0  # L1C records vary in size: 0
    ]
    raise UnsupportedProduct(
        f"{where} has {len(data)} bytes but the header's Datablock_Size is {expected}"
        + (f" ({records[0]})" if records else "")
        + (": truncated" if len(data) < expected else ": not this header's data block")
        + "; expected the product's whole .DBL (download the product again)"
    )


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


def _variable(name: str, values: np.ndarray, scale: bool = True) -> xr.Variable:
    attrs: dict[str, Any] = {"units": _UNITS[name]} if name in _UNITS else {}
    if values.dtype.kind == "f":
        if scale:
            values = np.where(values == MISSING, np.nan, values).astype(values.dtype)
        else:
            attrs["_FillValue"] = values.dtype.type(MISSING)
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


def _udp(data: bytes, dtype: np.dtype, where: str, scale: bool = True) -> xr.Dataset:
    records, end = _records(data, dtype, 0, where)
    if end != len(data):
        raise UnsupportedProduct(f"{where}: {len(data) - end} bytes after the last record")
    fields = _flatten(records)
    coords = _coords(fields)
    return xr.Dataset({k: _variable(k, v, scale) for k, v in fields.items()}, coords=coords)


def _l1c(data: bytes, where: str, scale: bool = True) -> xr.Dataset:
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
        factor = layouts.BT_SCALES.get(name)
        padded = np.full((n, width), np.nan)
        for i, chunk in enumerate(chunks):
            padded[i, : len(chunk)] = chunk[name] * (factor if scale and factor else 1.0)
        attrs = {"scale_factor": factor} if factor and not scale else {}
        bt_vars[name] = (("grid_point", "measurement"), padded, attrs)
    variables = {k: _variable(k, v, scale) for k, v in fields.items()} | bt_vars
    ds = xr.Dataset(variables, coords=coords)
    ds.coords["snapshot_time"] = ("snapshot", _times(snapshots["Snapshot_Time"]))
    ds["Snapshot_ID"] = ("snapshot", snapshots["Snapshot_ID"])
    return ds
