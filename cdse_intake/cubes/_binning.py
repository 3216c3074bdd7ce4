"""Swath pixels into the cells of a regular latitude/longitude grid, by pixel centre (NumPy).

A pixel goes to the one cell that holds its centre: column ``floor((lon - west) / dx)``, row
``floor((lat - north) / dy)`` (``dy < 0``: rows run from the north), the grid's affine read
backwards. Cells are half-open, ``[west, east) x (south, north]``: a centre on the edge between
two cells goes to the one east, or south, of it. Pixels are not split between cells (no area
weighting): a cell's value is the plain mean of the pixel values whose centres fall in it, and
``count`` says how many did, so means over several products or days can be weighted by it.
Everything is vectorised (``np.bincount`` on flat cell indices); no Python loop over pixels.

:func:`bin_product` does it for one product (a dask task: its inputs pickle): it reads the
swath's latitude/longitude, then only the rows (scanlines) holding a pixel centre in the grid,
of the variables asked for and of what filters the pixels (Sentinel-5P ``qa_value``, OLCI
``quality_flags``), through the family's reader, without dask (xarray's lazy indexing reads
just those rows).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

__all__ = [
    "Plan",
    "bin_product",
    "bin_sums",
    "cell_index",
    "combine",
    "describe",
    "swath_rows",
]


def _axes(affine: Any) -> tuple[float, float, float, float]:
    """``(west, dx, north, dy)`` of a north-up grid's affine; a rotated one is refused."""
    a, b, c, d, e, f = (float(v) for v in tuple(affine)[:6])
    if b != 0 or d != 0 or a <= 0 or e >= 0:
        raise ValueError(
            f"swaths are binned onto north-up grids (affine with no rotation, x growing east, "
            f"y growing south); this grid's affine is {tuple(affine)[:6]}"
        )
    return c, a, f, e


def cell_index(lon: np.ndarray, lat: np.ndarray, affine: Any, shape: tuple[int, int]) -> np.ndarray:
    """The flat cell index (``row * width + column``, int64) of each pixel centre; -1 outside
    the grid or where the position is not finite."""
    west, dx, north, dy = _axes(affine)
    height, width = shape
    with np.errstate(invalid="ignore"):
        col = np.floor((np.asarray(lon, dtype="float64") - west) / dx)
        row = np.floor((np.asarray(lat, dtype="float64") - north) / dy)
        inside = (col >= 0) & (col < width) & (row >= 0) & (row < height)
    out = np.full(np.shape(col), -1, dtype="int64")
    out[inside] = row[inside].astype("int64") * width + col[inside].astype("int64")
    return out


def swath_rows(
    lon: np.ndarray, lat: np.ndarray, affine: Any, shape: tuple[int, int]
) -> slice | None:
    """The rows (first axis: scanlines) of a swath holding a pixel centre inside the grid, as
    one slice (None: no centre is inside), so only those rows of the variables are read."""
    inside = cell_index(lon, lat, affine, shape) >= 0
    rows = np.flatnonzero(inside.reshape(inside.shape[0], -1).any(axis=1))
    if rows.size == 0:
        return None
    return slice(int(rows[0]), int(rows[-1]) + 1)


def bin_sums(
    index: np.ndarray, values: Sequence[np.ndarray], keep: np.ndarray | None, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per-cell sums of ``values`` (``(len(values), size)`` float64) and pixel counts
    (``(size,)`` int64) over the pixels with a cell (``index >= 0``), ``keep`` (None: all) and a
    finite value in every one of ``values``: every variable's mean is then over the same pixels,
    the ones ``count`` counts."""
    use = index >= 0
    if keep is not None:
        use &= keep
    arrays = [np.asarray(v, dtype="float64") for v in values]
    for array in arrays:
        use &= np.isfinite(array)
    cells = index[use]
    count = np.bincount(cells, minlength=size)
    sums = np.zeros((len(arrays), size), dtype="float64")
    for k, array in enumerate(arrays):
        sums[k] = np.bincount(cells, weights=array[use], minlength=size)
    return sums, count


def combine(
    parts: Sequence[tuple[np.ndarray, np.ndarray]], shape: tuple[int, int], dtype: Any
) -> tuple[np.ndarray, np.ndarray]:
    """The binned means (``(n, *shape)`` of ``dtype``, NaN in empty cells) and counts
    (``shape``, int32) of several products' ``(sums, count)`` (:func:`bin_sums`) together:
    every pixel weighs the same, whichever product it came from."""
    parts = list(parts)
    if not parts:
        raise ValueError("no binned product to combine")
    sums = np.sum([p[0] for p in parts], axis=0)
    count = np.sum([p[1] for p in parts], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(count > 0, sums / np.maximum(count, 1), np.nan)
    return (
        means.reshape((sums.shape[0], *shape)).astype(dtype),
        count.reshape(shape).astype("int32"),
    )


#: qa_value is stored in steps of 0.01 as float32; as the reader, keep a pixel at ``min_qa``.
_QA_SLACK = 1e-6


@dataclass(frozen=True)
class Plan:
    """What each product's task needs (picklable: it goes to dask workers)."""

    kind: str
    """``"s5p"`` or ``"olci"``."""
    names: tuple[str, ...]
    min_qa: float | None
    invalid_bit: int | None
    """OLCI ``quality_flags`` bit of ``invalid`` (None: no flag filter)."""
    affine: Any
    shape: tuple[int, int]


def open_swath(source: Any, kind: str, names: Sequence[str]) -> Any:
    """The product, lazily and without dask (reads happen on ``.values``)."""
    if kind == "s5p":
        from ..readers import sentinel5p

        return sentinel5p.open(source, chunks=None, variables=list(names), metadata=False)
    from ..readers import sentinel3

    return sentinel3.open(source, chunks=None, grid="measurements", variables=list(names))


def find(opened: Any, name: str, where: str) -> xr.Dataset:
    """The Dataset (group) of ``opened`` holding the 2-D pixel variable ``name``."""
    groups = [opened] if isinstance(opened, xr.Dataset) else [n.ds for n in opened.subtree]
    for ds in groups:
        if name in ds.data_vars:
            var = ds[name]
            if "latitude" not in ds.coords or var.dims != ds["latitude"].dims:
                raise ValueError(
                    f"variables: {name!r} of {where} is not on the swath's pixels "
                    f"(its dims {var.dims}); expected a 2-D pixel variable like latitude's"
                )
            return ds
    raise ValueError(f"variables: {name!r} is not in {where}")


def describe(
    source: Any, kind: str, names: Sequence[str], min_qa: float | None
) -> tuple[dict[str, dict[str, Any]], Any, int | None]:
    """The attributes of ``names`` (the reader's units, long_name...), the cube's dtype for
    their means and OLCI's ``invalid`` flag bit, from one product's headers; a clear error for
    a variable the product lacks or that is not on its pixels."""
    extra = ["qa_value"] if min_qa is not None else []
    extra += ["quality_flags"] if kind == "olci" else []
    opened = open_swath(source, kind, [*names, *extra])
    try:
        attrs, types = {}, []
        for name in names:
            var = find(opened, name, source.name)[name]
            keys = ("long_name", "standard_name", "units", "central_wavelength_nm")
            attrs[name] = {k: var.attrs[k] for k in keys if k in var.attrs}
            attrs[name]["cell_methods"] = "area: mean (pixel centres)"
            types.append(var.dtype)
        bit = _invalid_bit(find(opened, "quality_flags", source.name)) if kind == "olci" else None
    finally:
        opened.close()
    return attrs, np.result_type(np.float32, *types), bit


def _invalid_bit(ds: xr.Dataset) -> int | None:
    flags = ds["quality_flags"].attrs
    meanings = str(flags.get("flag_meanings", "")).split()
    masks = np.atleast_1d(flags.get("flag_masks", []))
    if "invalid" in meanings and len(masks) == len(meanings):
        return int(masks[meanings.index("invalid")])
    return None


_READING = threading.Lock()


def bin_product(source: Any, plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """One product's per-cell sums and counts (:func:`bin_sums`, flat), read as the module
    docstring says."""
    size = plan.shape[0] * plan.shape[1]
    extra = ["qa_value"] if plan.min_qa is not None else []
    extra += ["quality_flags"] if plan.invalid_bit is not None else []
    # One product read at a time per process: HDF5 serialises every call on its global lock
    # anyway, and two threads each holding an h5py file read through fsspec stalled each other
    # until the service's socket timed out (13 cold S5P orbits, dask's threads).
    with _READING:
        values, keep, lon, lat, rows = _read(source, plan, extra)
    if rows is None:
        return np.zeros((len(plan.names), size)), np.zeros(size, dtype="int64")
    index = cell_index(lon[rows], lat[rows], plan.affine, plan.shape)
    return bin_sums(index, values, keep, size)


def _read(source: Any, plan: Plan, extra: list[str]) -> tuple[Any, Any, Any, Any, Any]:
    """The swath's values, quality mask, lon, lat and the rows inside the grid (None: none)."""
    opened = open_swath(source, plan.kind, [*plan.names, *extra])
    try:
        first = find(opened, plan.names[0], source.name)
        lon, lat = first["longitude"].values, first["latitude"].values
        rows = swath_rows(lon, lat, plan.affine, plan.shape)
        if rows is None:
            return None, None, lon, lat, None
        along = first["latitude"].dims[0]

        def read(name: str) -> np.ndarray:
            return find(opened, name, source.name)[name].isel({along: rows}).values

        values = [read(n) for n in plan.names]
        keep = None
        if plan.min_qa is not None:
            keep = read("qa_value") >= plan.min_qa - _QA_SLACK
        if plan.invalid_bit is not None:
            keep = (read("quality_flags") & np.uint32(plan.invalid_bit)) == 0
    finally:
        opened.close()
    return values, keep, lon, lat, rows
