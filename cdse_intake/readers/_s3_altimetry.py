"""SRAL altimetry files split into along-track series, one per rate.

A SRAL file (``standard_measurement.nc``, ``measurement_l1b.nc`` ...) holds several series:
one per time dimension (``time_01`` at 1 Hz, ``time_20_ku`` and ``time_20_c`` at 20 Hz,
``time_l1b_echo_sar_ku`` ...), each with its own ``time_<rate>``, ``lat_<rate>`` and
``lon_<rate>``. Each series becomes a Dataset named ``<file>/<rate>`` with the dimension
``time`` and the coordinates ``time``, ``lat`` and ``lon``.
"""

from __future__ import annotations

import xarray as xr

__all__ = ["split_rates"]

_PREFIX = "time_"


def split_rates(name: str, ds: xr.Dataset) -> dict[str, xr.Dataset]:
    """The series of one file (``{name}/{rate}`` -> Dataset); the file itself when it has no
    time dimension."""
    dims = [str(d) for d in ds.dims if str(d).startswith(_PREFIX)]
    if not dims:
        return {name: ds}
    out = {}
    for dim in dims:
        rate = dim[len(_PREFIX) :]
        names = [v for v, var in ds.variables.items() if dim in var.dims]
        part = ds[names]
        renames = {f"{axis}_{rate}": axis for axis in ("time", "lat", "lon")}
        renames = {old: new for old, new in renames.items() if old in part.variables}
        part = part.rename(renames)
        if dim in part.dims:  # no time variable named after the dimension
            part = part.rename_dims({dim: "time"})
        part = part.set_coords([c for c in ("lat", "lon") if c in part.data_vars])
        out[f"{name}/{rate}"] = part
    return out
