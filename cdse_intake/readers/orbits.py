"""Sentinel-1 orbit files (``AUX_POEORB``, ``AUX_RESORB``): Earth Explorer XML, one Dataset.

An orbit file (``S1A_OPER_AUX_POEORB_OPOD_<created>_V<start>_<stop>.EOF``) is one XML document::

    Earth_Explorer_File/
      Earth_Explorer_Header/Fixed_Header   File_Name, Mission, File_Type, Validity_Period, Source…
      Earth_Explorer_Header/Variable_Header  Ref_Frame (EARTH_FIXED), Time_Reference (UTC)
      Data_Block/List_of_OSVs/OSV*         TAI, UTC, UT1 (``UTC=2019-12-31T22:59:42.000000``),
                                           Absolute_Orbit, X/Y/Z (m), VX/VY/VZ (m/s), Quality

CDSE delivers the bare ``.EOF`` (``$value`` is the XML itself); an ``.EOF`` inside a zip or a
folder opens too. As xarray: dimension ``time`` (the OSVs' UTC), coordinates ``tai`` and ``ut1``,
variables ``x, y, z``, ``vx, vy, vz``, ``absolute_orbit`` and ``quality``; the header becomes
attributes. The file is small (a POEORB is 4.4 MB, 9,361 state vectors) and must be parsed to
know its times, so it is read at once; ``chunks`` (not None) wraps the arrays in dask like every
other family's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from . import xml
from ._members import HEAD, member_name
from ._partial import check_member
from ._subset import names, select
from ._times import iso_z, parse_utc
from .options import check_chunks
from .source import ProductSource

__all__ = ["open", "read_eof"]

_VECTORS = {"X": "x", "Y": "y", "Z": "z", "VX": "vx", "VY": "vy", "VZ": "vz"}
_TIMES = ("UTC", "TAI", "UT1")
_KINDS = {"POEORB": "precise", "RESORB": "restituted", "PREORB": "predicted"}


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    variables: str | Sequence[str] | None = None,
) -> xr.Dataset:
    """The orbit file of ``source`` as a Dataset over ``time`` (UTC).

    ``variables``: only these (``["x", "y", "z"]``). An empty, truncated or non-XML file is
    refused naming it.
    """
    wanted = names(variables, "['x', 'y', 'z']")
    chunks = check_chunks(chunks, {"time": "time"}, what="the state vectors")
    rel = "" if source.single_file else source.find_one("*.eof", "orbit file (.EOF)")
    data = source.read_bytes(rel)
    # empty: said so; not XML or cut short: read_eof's parser names the file
    check_member(source.location, member_name(source, rel), data[:HEAD], len(data))
    ds = read_eof(data, where=f"{source.location}/{rel}".rstrip("/"))
    ds = select(ds, wanted, f"{source.location} (an orbit file)")
    return ds if chunks is None else ds.chunk(chunks)


def read_eof(data: bytes, where: str = "EOF") -> xr.Dataset:
    """An Earth Explorer orbit file's bytes as a Dataset (see the module docstring)."""
    root = xml.parse(data, where)
    osvs = xml.findall(root, "Data_Block/List_of_OSVs/OSV")
    if xml.local(root.tag) != "Earth_Explorer_File" or not osvs:
        raise UnsupportedProduct(f"{where} is not an orbit file: no Data_Block/List_of_OSVs/OSV")
    columns: dict[str, list[str]] = {k: [] for k in (*_TIMES, *_VECTORS, "Absolute_Orbit")}
    quality: list[str] = []
    units: dict[str, str] = {}
    for osv in osvs:
        for child in osv:
            tag = xml.local(child.tag)
            if tag in columns:
                columns[tag].append(child.text or "")
            elif tag == "Quality":
                quality.append((child.text or "").strip())
            if tag in _VECTORS and tag not in units:
                units[tag] = child.get("unit", "")
    if any(len(columns[k]) != len(osvs) for k in ("UTC", *_VECTORS)):
        raise UnsupportedProduct(f"{where}: some state vectors lack a time, position or velocity")
    time = _times(columns["UTC"], "UTC")
    coords: dict[str, Any] = {"time": ("time", time, {"long_name": "UTC time of the state"})}
    for scale in ("TAI", "UT1"):
        if len(columns[scale]) == len(osvs):
            coords[scale.lower()] = ("time", _times(columns[scale], scale), {"long_name": scale})
    variables: dict[str, Any] = {}
    for tag, name in _VECTORS.items():
        kind = "velocity" if tag.startswith("V") else "position"
        attrs = {"units": units[tag], "long_name": f"{name[-1]} {kind}, Earth-fixed frame"}
        variables[name] = ("time", np.asarray(columns[tag], dtype=np.float64), attrs)
    if len(columns["Absolute_Orbit"]) == len(osvs):
        orbits = np.asarray([int(v) for v in columns["Absolute_Orbit"]], dtype=np.int32)
        variables["absolute_orbit"] = ("time", orbits, {"long_name": "absolute orbit number"})
    if len(quality) == len(osvs):
        variables["quality"] = ("time", np.asarray(quality, dtype=str))
    return xr.Dataset(variables, coords=coords, attrs=_header(root))


def _times(values: list[str], scale: str) -> np.ndarray:
    """``UTC=2019-12-31T22:59:42.000000`` strings as datetime64[ns] (no time zone)."""
    prefix = f"{scale}="
    try:
        return np.asarray([v.strip().removeprefix(prefix) for v in values], dtype="datetime64[ns]")
    except ValueError as err:
        raise UnsupportedProduct(f"orbit file: unreadable {scale} time: {err}") from err


def _header(root: Any) -> dict[str, Any]:
    fixed = xml.find(root, "Earth_Explorer_Header/Fixed_Header")
    variable = xml.find(root, "Earth_Explorer_Header/Variable_Header")
    if fixed is None:
        return {}
    file_type = xml.text(fixed, "File_Type") or ""
    attrs: dict[str, Any] = {
        "mission": xml.text(fixed, "Mission"),
        "file_name": xml.text(fixed, "File_Name"),
        "file_description": xml.text(fixed, "File_Description"),
        "file_class": xml.text(fixed, "File_Class"),
        "file_type": file_type,
        "orbit_type": _KINDS.get(file_type.removeprefix("AUX_")),
        "file_version": xml.text(fixed, "File_Version"),
        "validity_start": iso_z(parse_utc(xml.text(fixed, "Validity_Period/Validity_Start"))),
        "validity_stop": iso_z(parse_utc(xml.text(fixed, "Validity_Period/Validity_Stop"))),
        "source": xml.text(fixed, "Source/System"),
        "creator": xml.text(fixed, "Source/Creator"),
        "creator_version": xml.text(fixed, "Source/Creator_Version"),
        "creation_date": iso_z(parse_utc(xml.text(fixed, "Source/Creation_Date"))),
    }
    if variable is not None:
        attrs["ref_frame"] = xml.text(variable, "Ref_Frame")
        attrs["time_reference"] = xml.text(variable, "Time_Reference")
    return {k: v for k, v in attrs.items() if v is not None}
