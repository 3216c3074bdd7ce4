"""The files of a CLMS result put together: grouped by grid, stacked in time, merged by layer.

A grid is a CRS, an affine transform (equal to a millionth of a pixel), a shape and the names
of its two axes. Files on one grid merge into one Dataset, never resampled: the files of one
layer (the same data variables) stack along ``time`` in date order, the layers merge side by
side (an outer join on ``time``: a layer missing a date is NaN there). Two files of one layer on
one grid with the same date, or several without a date, cannot be told apart and are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from ._partial import listed

__all__ = ["Grid", "Opened", "grid_of", "group", "stack"]


@dataclass(frozen=True)
class Grid:
    """Where a file's pixels are."""

    crs: Any
    """The CRS (``rasterio.crs.CRS``), ``None`` when the file has none."""
    transform: tuple[float, ...]
    """The affine transform ``(a, b, c, d, e, f)`` of the pixel edges."""
    shape: tuple[int, int]
    """``(height, width)``."""
    dims: tuple[str, str]
    """The names of the ``(y, x)`` dimensions (``lat``/``lon`` in netCDF files)."""

    def same(self, other: Grid) -> bool:
        if (self.crs, self.shape, self.dims) != (other.crs, other.shape, other.dims):
            return False
        pixel = min(abs(self.transform[0]), abs(self.transform[4])) or 1.0
        return bool(np.allclose(self.transform, other.transform, rtol=0, atol=pixel * 1e-6))

    @property
    def label(self) -> str:
        """``EPSG:4326 512x512+10.5+46`` (CRS, width x height, west and north edges), and the
        dimensions' names unless they are ``y``/``x`` (``… lat/lon``)."""
        if self.crs is None:
            crs = "no CRS"
        else:
            epsg = self.crs.to_epsg()
            crs = f"EPSG:{epsg}" if epsg else self.crs.to_string()
        a, _, c, _, e, f = self.transform[:6]
        west = c if a > 0 else c + a * self.shape[1]
        north = f if e < 0 else f + e * self.shape[0]
        label = f"{crs} {self.shape[1]}x{self.shape[0]}{west:+.10g}{north:+.10g}"
        return label if self.dims == ("y", "x") else f"{label} {'/'.join(self.dims)}"


@dataclass(frozen=True)
class Opened:
    """One file of the result, opened (lazily) with its date and grid."""

    name: str
    ds: xr.Dataset
    grid: Grid


def grid_of(ds: xr.Dataset, where: str) -> Grid:
    """The grid of a file's Dataset; a file without two spatial dimensions is refused."""
    from rioxarray.exceptions import RioXarrayError

    try:
        rio = ds.rio
        dims = (rio.y_dim, rio.x_dim)
        transform = tuple(rio.transform())[:6]
        crs = rio.crs
    except RioXarrayError as err:
        raise UnsupportedProduct(f"{where} is not a georeferenced raster: {err}") from err
    return Grid(crs, transform, (ds.sizes[dims[0]], ds.sizes[dims[1]]), dims)


def group(files: list[Opened]) -> list[tuple[Grid, list[Opened]]]:
    """``files`` by grid, in the order their grids first appear."""
    groups: list[tuple[Grid, list[Opened]]] = []
    for f in files:
        for grid, members in groups:
            if grid.same(f.grid):
                members.append(f)
                break
        else:
            groups.append((f.grid, [f]))
    return groups


def stack(files: list[Opened], location: str) -> xr.Dataset:
    """The files of one grid as one Dataset (see the module docstring)."""
    ref = files[0]
    y, x = ref.grid.dims
    layers: dict[tuple[str, ...], list[Opened]] = {}
    for f in files:
        # the same coordinates for every file: grids equal to a millionth of a pixel
        f = Opened(
            f.name, f.ds.assign_coords({y: ref.ds[y].variable, x: ref.ds[x].variable}), f.grid
        )
        layers.setdefault(tuple(sorted(str(v) for v in f.ds.data_vars)), []).append(f)
    _refuse_shared_names(layers, location)
    parts = [_stack_layer(members, location) for members in layers.values()]
    if len(parts) == 1:
        return parts[0]
    return xr.merge(
        parts, join="outer", compat="override", combine_attrs="drop_conflicts", fill_value=np.nan
    )


def _stack_layer(files: list[Opened], location: str) -> xr.Dataset:
    if len(files) == 1:
        return files[0].ds
    undated = [f.name for f in files if "time" not in f.ds.dims]
    variables = ", ".join(str(v) for v in files[0].ds.data_vars)
    if undated:
        raise UnsupportedProduct(
            f"{location}: {len(files)} files hold {variables} on one grid but "
            f"{listed(undated)} carry no date (in the name, tags or a time variable): they "
            "cannot be stacked in time"
        )
    # several files stack through dask, also with chunks=None (one chunk per file then)
    datasets = [f.ds if f.ds.chunks else f.ds.chunk() for f in files]
    out = xr.concat(
        datasets,
        dim="time",
        data_vars="all",
        coords="minimal",
        compat="override",
        join="override",
        combine_attrs="drop_conflicts",
    )
    times = out.indexes["time"]
    if times.has_duplicates:
        twice = times[times.duplicated()][0]
        named = [f.name for f in files if twice in f.ds.indexes["time"]]
        raise UnsupportedProduct(
            f"{location}: {listed(named)} hold {variables} for the same date "
            f"{twice:%Y-%m-%d %H:%M} on one grid (two versions of one product?): open them "
            "separately"
        )
    return out.sortby("time")


def _refuse_shared_names(layers: dict[tuple[str, ...], list[Opened]], location: str) -> None:
    """Two layers (files of different variable sets) may not share a variable name."""
    seen: dict[str, str] = {}
    for names, members in layers.items():
        for name in names:
            if name in seen:
                raise UnsupportedProduct(
                    f"{location}: variable {name} is in {seen[name]} and in {members[0].name}, "
                    "files of different contents on one grid: open them separately"
                )
            seen[name] = members[0].name
