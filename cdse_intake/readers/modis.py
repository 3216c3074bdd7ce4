"""TerraAqua MODIS land tiles (HDF-EOS2 grid files, HDF4: MCD43A4, MCD15A2H, MCD12Q1, MCD64A1
…) as an xarray Dataset.

The file is read with pyhdf (the HDF4 SD interface). HDF4 reads only from a path: a local file
is read in place; a product in a zip or on CDSE is first copied whole to a private temporary
file (once per process, removed at exit). pyhdf calls are serialised (the HDF4 library is not
thread-safe); every read opens, reads and closes the file, so the Dataset pickles (as the path)
and computes on dask workers of the same machine.

What the Dataset holds:

- one variable per SDS, named as the file names it (``Nadir_Reflectance_Band1``, ``Lai_500m``,
  ``LC_Type1``, ``Burn Date``), on ``(y, x)``, read lazily by window. SDSs with a
  ``scale_factor`` give float32 physical values ``(raw - add_offset) * scale_factor`` (the HDF4
  convention; MODIS land products have ``add_offset`` 0, so it is also CF's), with the fill
  value and raw values outside ``valid_range`` (MCD15A2H's 249..254 class codes) as NaN; the
  packing goes to ``encoding``. Other SDSs (classes, QC bits, burn dates with their negative
  codes) keep their raw integers and ``_FillValue``/``valid_range`` attributes;
- ``x``/``y``: the pixel centres in metres on the MODIS sinusoidal projection, from
  ``StructMetadata.0`` (``UpperLeftPointMtrs``, ``LowerRightMtrs``, ``XDim``, ``YDim``), with
  the CRS and transform in ``spatial_ref`` (``.rio`` works);
- attributes: ``short_name``, ``version``, ``tile`` (``h19v04``), ``range_beginning``,
  ``range_ending``, ``production_time``, ``local_granule_id``, ``grid_name``, ``title`` from
  the ECS metadata (``CoreMetadata.0``, ``ArchiveMetadata.0``) and the name.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from xarray.backends import BackendArray
from xarray.core import indexing

from ..errors import UnsupportedProduct
from ._members import check_file, member_name
from ._subset import check_known, names
from .families import NAMES
from .options import check_bool, check_chunks
from .source import ProductSource

__all__ = ["NAME", "SINUSOIDAL", "Grid", "open", "parse_odl", "parse_struct"]

NAME = NAMES["modis"]
SINUSOIDAL = "+proj=sinu +lon_0=0 +x_0=0 +y_0=0 +R=6371007.181 +units=m +no_defs"
_HDF4 = threading.Lock()
_COPY_LOCK = threading.Lock()
_COPIES: dict[tuple[str, str], str] = {}
#: HDF4 number types (DFNT_*) -> numpy.
_TYPES = {20: "int8", 21: "uint8", 22: "int16", 23: "uint16", 24: "int32", 25: "uint32",
          5: "float32", 6: "float64"}  # fmt: skip
_KEY_VALUE = re.compile(r"^\s*(\w+)=(.*?)\s*$", re.M)
#: An innermost ODL object (containers of other objects are skipped).
_OBJECT = re.compile(
    r"(?<!END_)OBJECT\s*=\s*(\w+)\s*$((?:(?!OBJECT\s*=).)*?)END_OBJECT\s*=\s*\1\s*$", re.M | re.S
)
_VALUE = re.compile(r"^\s*VALUE\s*=\s*(.*?)\s*$", re.M)


@dataclass(frozen=True)
class Grid:
    """The HDF-EOS grid of ``StructMetadata.0``."""

    name: str
    columns: int
    rows: int
    upper_left: tuple[float, float]
    lower_right: tuple[float, float]
    projection: str

    def coordinates(self) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of the pixel centres in metres."""
        (x0, y0), (x1, y1) = self.upper_left, self.lower_right
        dx, dy = (x1 - x0) / self.columns, (y1 - y0) / self.rows
        return x0 + (np.arange(self.columns) + 0.5) * dx, y0 + (np.arange(self.rows) + 0.5) * dy


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    variables: str | Sequence[str] | None = None,
    scale: bool = True,
) -> xr.Dataset:
    """The MODIS tile of ``source`` as a lazy Dataset (see the module docstring).

    ``variables``: only these SDSs (``["Lai_500m"]``). ``scale=False``: scaled SDSs as their
    stored integers with CF ``scale_factor``/``add_offset``/``_FillValue``/``valid_range``
    attributes (``value = stored * scale_factor + add_offset``).
    """
    wanted = names(variables, "['Lai_500m']")
    scale = check_bool("scale", scale)
    chunks = check_chunks(chunks, {"y": "y", "x": "x"}, what="the MODIS layers")
    rel = "" if source.single_file else source.find_one("*.hdf", "MODIS HDF4 file (.hdf)")
    check_file(source, rel)
    path = _local_file(source)
    where = f"{source.location}: {member_name(source, rel)}"
    globals_, layers = _header(path, where)
    grid = parse_struct(globals_.get("StructMetadata.0", ""), source.location)
    dims = ("y", "x")
    data_vars = {}
    for name, (shape, dtype, attrs) in layers.items():
        if shape != (grid.rows, grid.columns):
            continue
        if wanted is not None and name not in wanted:
            continue
        packing = _packing(attrs)
        if scale or packing is None:
            data_vars[name] = _variable(dims, _Sds(path, name, shape, dtype, packing), attrs)
        else:
            data_vars[name] = _stored(dims, _Sds(path, name, shape, dtype, None), attrs, packing)
    if wanted is not None:
        have = [n for n, (shape, _, _) in layers.items() if shape == (grid.rows, grid.columns)]
        check_known(wanted, have, where)
    if not data_vars:
        raise UnsupportedProduct(f"{source.location}: no {grid.rows} x {grid.columns} SDS")
    x, y = grid.coordinates()
    coords = {
        "x": ("x", x, {"units": "m", "standard_name": "projection_x_coordinate"}),
        "y": ("y", y, {"units": "m", "standard_name": "projection_y_coordinate"}),
    }
    ds = xr.Dataset(data_vars, coords=coords)
    ds = _georeference(ds, grid)
    ds.attrs = _attributes(globals_, source.name, grid)
    if chunks is not None:
        ds = ds.chunk({"y": -1, "x": -1} if chunks == "auto" else chunks)
    return ds


def parse_struct(text: str, where: str = "") -> Grid:
    """The first grid of an HDF-EOS2 ``StructMetadata.0`` text."""
    fields = dict(_KEY_VALUE.findall(text.split("END_GROUP=GRID_1", 1)[0]))
    try:
        return Grid(
            name=fields["GridName"].strip('"'),
            columns=int(fields["XDim"]),
            rows=int(fields["YDim"]),
            upper_left=_pair(fields["UpperLeftPointMtrs"]),
            lower_right=_pair(fields["LowerRightMtrs"]),
            projection=fields.get("Projection", ""),
        )
    except (KeyError, ValueError) as err:
        raise UnsupportedProduct(f"{where}: no HDF-EOS grid in StructMetadata.0 ({err})") from None


def parse_odl(text: str) -> dict[str, Any]:
    """``OBJECT`` name -> ``VALUE`` of an ECS ODL text (the first object of each name)."""
    out: dict[str, Any] = {}
    for name, body in _OBJECT.findall(text):
        found = _VALUE.search(body)
        if found is not None and name not in out:
            out[name] = _odl_value(found[1])
    return out


def _odl_value(text: str) -> Any:
    if text.startswith("("):
        return tuple(_odl_value(v.strip()) for v in text.strip("()").split(","))
    if text.startswith('"'):
        return text.strip('"')
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return text


def _pair(text: str) -> tuple[float, float]:
    x, y = text.strip("()").split(",")
    return float(x), float(y)


def _local_file(source: ProductSource) -> str:
    """A path to the HDF4 file on the local disk (a private copy for zipped and remote
    products, made once per process and removed at exit)."""
    rel = "" if source.single_file else source.find_one("*.hdf", "MODIS HDF4 file (.hdf)")
    local = source.local_path(rel)
    if local is not None:
        return local
    key = (source.location, rel)
    with _COPY_LOCK:
        if key not in _COPIES:
            folder = Path(tempfile.mkdtemp(prefix="cdse-intake-hdf4-"))
            atexit.register(shutil.rmtree, folder, True)
            path = folder / (rel.rsplit("/", 1)[-1] or source.name).replace(os.sep, "_")
            path.write_bytes(source.read_bytes(rel))
            _COPIES[key] = str(path)
        return _COPIES[key]


def _header(path: str, where: str) -> tuple[dict[str, Any], dict[str, tuple]]:
    """Global attributes, and per SDS (shape, numpy dtype, attributes), in file order."""
    from pyhdf.error import HDF4Error
    from pyhdf.SD import SD

    try:
        with _HDF4:
            sd = SD(path)
            try:
                globals_ = sd.attributes()
                layers = {}
                for name, (_, shape, kind, index) in sorted(
                    sd.datasets().items(), key=lambda kv: kv[1][3]
                ):
                    if kind not in _TYPES:
                        continue
                    sds = sd.select(index)
                    layers[name] = (tuple(shape), np.dtype(_TYPES[kind]), sds.attributes())
                    sds.endaccess()
            finally:
                sd.end()
    except HDF4Error as err:
        raise UnsupportedProduct(f"cannot read {where} as an HDF4 file: {err}") from err
    return globals_, layers


@dataclass(frozen=True)
class _Packing:
    scale: float
    offset: float
    fill: float | None
    valid: tuple[float, float] | None


def _packing(attrs: dict[str, Any]) -> _Packing | None:
    if "scale_factor" not in attrs:
        return None
    valid = attrs.get("valid_range")
    return _Packing(
        float(attrs["scale_factor"]),
        float(attrs.get("add_offset", 0.0)),
        attrs.get("_FillValue"),
        (float(valid[0]), float(valid[1])) if valid is not None else None,
    )


def _variable(dims: tuple[str, str], array: _Sds, attrs: dict[str, Any]) -> xr.Variable:
    keep = {k: v for k, v in attrs.items() if not k.startswith(("scale_factor", "add_offset"))}
    keep.pop("calibrated_nt", None)
    encoding = {}
    if array.packing is not None:
        for key in ("_FillValue", "valid_range"):
            keep.pop(key, None)
        encoding = {"dtype": array.raw_dtype, "scale_factor": array.packing.scale,
                    "add_offset": array.packing.offset}  # fmt: skip
        if array.packing.fill is not None:
            encoding["_FillValue"] = array.packing.fill
    keep = {k: np.array(v) if isinstance(v, list) else v for k, v in keep.items()}
    var = xr.Variable(dims, indexing.LazilyIndexedArray(array), keep)
    var.encoding = encoding
    return var


def _stored(
    dims: tuple[str, str], array: _Sds, attrs: dict[str, Any], packing: _Packing
) -> xr.Variable:
    """A scaled SDS as stored, with CF attributes: HDF4's ``(raw - offset) * scale`` is CF's
    ``raw * scale_factor + add_offset`` with ``add_offset = -offset * scale``."""
    keep = {k: v for k, v in attrs.items() if k not in ("calibrated_nt", "add_offset_err")}
    keep.pop("scale_factor_err", None)
    keep["scale_factor"] = packing.scale
    keep["add_offset"] = -packing.offset * packing.scale if packing.offset else 0.0
    keep = {k: np.array(v) if isinstance(v, list) else v for k, v in keep.items()}
    return xr.Variable(dims, indexing.LazilyIndexedArray(array), keep)


def _georeference(ds: xr.Dataset, grid: Grid) -> xr.Dataset:
    if grid.projection not in ("GCTP_SNSOID", "HE5_GCTP_SNSOID"):
        return ds
    import rioxarray  # noqa: F401  (registers the .rio accessor)
    from affine import Affine

    (x0, y0), (x1, y1) = grid.upper_left, grid.lower_right
    transform = Affine((x1 - x0) / grid.columns, 0.0, x0, 0.0, (y1 - y0) / grid.rows, y0)
    return ds.rio.write_crs(SINUSOIDAL).rio.write_transform(transform)


def _attributes(globals_: dict[str, Any], name: str, grid: Grid) -> dict[str, Any]:
    core = parse_odl(str(globals_.get("CoreMetadata.0", "")))
    archive = parse_odl(str(globals_.get("ArchiveMetadata.0", "")))
    found = NAME.match(str(core.get("LOCALGRANULEID", name)))
    out = {
        "short_name": core.get("SHORTNAME", found["short"] if found else ""),
        "version": core.get("VERSIONID", found["collection"] if found else ""),
        "tile": f"h{found['h']}v{found['v']}" if found else "",
        "range_beginning": f"{core.get('RANGEBEGINNINGDATE', '')}T"
        f"{core.get('RANGEBEGINNINGTIME', '00:00:00')}",
        "range_ending": f"{core.get('RANGEENDINGDATE', '')}T"
        f"{core.get('RANGEENDINGTIME', '23:59:59')}",
        "production_time": core.get("PRODUCTIONDATETIME", ""),
        "local_granule_id": core.get("LOCALGRANULEID", name),
        "grid_name": grid.name,
        "title": archive.get("LONGNAME", ""),
    }
    return {k: v for k, v in out.items() if v not in ("", "T", None)}


class _Sds(BackendArray):
    """One SDS as a lazy ``(y, x)`` array, read by window (``packing``: decoded to float32)."""

    def __init__(
        self,
        path: str,
        name: str,
        shape: tuple[int, ...],
        dtype: np.dtype,
        packing: _Packing | None,
    ) -> None:
        self.path, self.name, self.shape, self.raw_dtype = path, name, shape, dtype
        self.packing = packing
        self.dtype = np.dtype(np.float32) if packing is not None else dtype

    def __getitem__(self, key: Any) -> Any:
        return indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.BASIC, self._raw
        )

    def _raw(self, key: tuple[Any, ...]) -> np.ndarray:
        from pyhdf.SD import SD

        starts, counts, strides, squeeze = [], [], [], []
        for axis, k in enumerate(key):
            if isinstance(k, slice):
                start, stop, step = k.indices(self.shape[axis])
                starts.append(start)
                counts.append(max(0, -(-(stop - start) // step)))
                strides.append(step)
            else:
                starts.append(int(k))
                counts.append(1)
                strides.append(1)
                squeeze.append(axis)
        if 0 in counts:
            raw = np.empty(counts, self.raw_dtype)
        else:
            with _HDF4:
                sd = SD(self.path)
                try:
                    sds = sd.select(self.name)
                    raw = np.asarray(sds.get(starts, counts, strides)).reshape(counts)
                    sds.endaccess()
                finally:
                    sd.end()
        return self._decode(raw.squeeze(axis=tuple(squeeze)))

    def _decode(self, raw: np.ndarray) -> np.ndarray:
        p = self.packing
        if p is None:
            return raw.astype(self.raw_dtype, copy=False)
        bad = np.zeros(raw.shape, bool) if p.fill is None else raw == p.fill
        if p.valid is not None:
            bad |= (raw < p.valid[0]) | (raw > p.valid[1])
        values = (raw.astype(np.float32) - np.float32(p.offset)) * np.float32(p.scale)
        return np.where(bad, np.float32(np.nan), values)
