"""netCDF4 files written in memory with h5py, following the netCDF-4 HDF5 conventions.

netCDF-4 is HDF5 plus conventions: every dimension is an HDF5 dimension scale (a coordinate
variable of the same name, or a placeholder dataset whose ``NAME`` says "This is a netCDF
dimension but not a netCDF variable."), variables attach their dimensions' scales, and
``_FillValue`` is both the HDF5 fill value and an attribute. Writing those directly with h5py is
several times faster than through h5netcdf, which matters because every emulator start writes
about thirty of these files; the result opens with h5netcdf, xarray and netCDF-C alike.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["NcGroup", "netcdf_bytes", "variable"]


class NcGroup:
    """A netCDF group being written: dimensions, attributes, variables and child groups."""

    def __init__(self, h5group: Any, parent: NcGroup | None, counter: list[int]) -> None:
        self._h5 = h5group
        self._parent = parent
        self._counter = counter  # next _Netcdf4Dimid, shared by the whole file
        self._sizes: dict[str, int] = {}
        self._scales: dict[str, Any] = {}

    @property
    def attrs(self) -> Any:
        return self._h5.attrs

    @property
    def dimensions(self) -> dict[str, int]:
        """This group's dimensions (name -> size); assign a dict to define them."""
        return dict(self._sizes)

    @dimensions.setter
    def dimensions(self, sizes: dict[str, int]) -> None:
        self._sizes.update(sizes)

    def create_group(self, name: str) -> NcGroup:
        return NcGroup(self._h5.create_group(name, track_order=True), self, self._counter)

    def _next_dimid(self) -> np.int32:
        self._counter[0] += 1
        return np.int32(self._counter[0] - 1)

    def _scale(self, name: str) -> Any:
        """The dimension scale of ``name``, from this group or an ancestor (netCDF scoping)."""
        if name in self._sizes:
            if name not in self._scales:
                size = self._sizes[name]
                scale = self._h5.create_dataset(name, (size,), dtype=">f4", track_order=True)
                scale.make_scale(
                    f"This is a netCDF dimension but not a netCDF variable. {size:>10d}"
                )
                scale.attrs["_Netcdf4Dimid"] = self._next_dimid()
                self._scales[name] = scale
            return self._scales[name]
        if self._parent is None:
            raise ValueError(f"dimension {name!r} is not defined in this group or its parents")
        return self._parent._scale(name)

    def create_variable(
        self,
        name: str,
        dims: tuple[str, ...],
        data: np.ndarray,
        dtype: Any,
        fill: Any,
        compress: bool,
    ) -> Any:
        kwargs: dict[str, Any] = {}
        if compress and data.ndim and data.size > 64:
            kwargs.update(compression="gzip", compression_opts=4, shuffle=True)
        if fill is not None:
            kwargs["fillvalue"] = fill
        coordinate = dims == (name,) and name in self._sizes
        if coordinate and name in self._scales:
            raise ValueError(f"coordinate variable {name!r} must be written before its users")
        var = self._h5.create_dataset(name, data=data, dtype=dtype, track_order=True, **kwargs)
        if fill is not None:
            var.attrs["_FillValue"] = np.array([fill], dtype=data.dtype)
        if coordinate:
            var.make_scale(name)
            var.attrs["_Netcdf4Dimid"] = self._next_dimid()
            self._scales[name] = var
        else:
            for axis, dim in enumerate(dims):
                var.dims[axis].attach_scale(self._scale(dim))
        return var


def netcdf_bytes(write: Callable[[NcGroup], None]) -> bytes:
    """Run ``write(root)`` on a new in-memory netCDF4 file and return its bytes."""
    import h5py

    buffer = io.BytesIO()
    # Creation order is tracked, as netCDF-C does: variables and attributes list in the
    # order they were written.
    with h5py.File(buffer, "w", libver="earliest", track_order=True) as h5:
        root = NcGroup(h5, None, [0])
        write(root)
        h5.attrs["_NCProperties"] = np.bytes_(
            f"version=2,h5py={h5py.__version__},hdf5={h5py.version.hdf5_version}"
        )
    return buffer.getvalue()


def variable(
    group: NcGroup,
    name: str,
    dims: tuple[str, ...],
    data: Any,
    dtype: Any = None,
    fill: Any = None,
    compress: bool = True,
    **attrs: Any,
) -> Any:
    """Create a variable with ``data``, an optional ``_FillValue`` and attributes (in order)."""
    array = np.asarray(data, dtype=dtype)
    if array.shape and len(dims) != array.ndim:
        raise ValueError(f"{name}: {len(dims)} dimensions {dims} for data of shape {array.shape}")
    var = group.create_variable(name, dims, array, dtype or array.dtype, fill, compress)
    for key, value in attrs.items():
        var.attrs[key] = value
    return var
