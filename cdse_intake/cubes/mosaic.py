"""Layers (one product each, on the cube's grid) into time steps: grouped, mosaicked, stacked.

Products of one group (the same solar day: neighbouring tiles or orbit segments of one overpass)
become one time step. Where several have a valid pixel, the first in (sensing time, product name)
order wins, for every variable alike (a pixel's bands all come from the same product); the order
is fixed whatever order the catalogue answered in, so a cube is reproducible. A pixel is valid
where the layer's ``valid`` mask says so (set by the family: not no-data and not masked).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

__all__ = ["Layer", "group_key", "stack"]


@dataclass(frozen=True)
class Layer:
    """One product on the cube's grid."""

    time: np.datetime64
    """Sensing time (UTC, ns)."""
    name: str
    data: xr.Dataset
    """The variables on the grid (no ``time`` dimension)."""
    valid: xr.DataArray
    """Where the product has a usable pixel (bool, grid dims); ``data`` already holds no-data
    wherever this is False (masked pixels included)."""
    lon: float = 0.0
    """Centre longitude (degrees east), for the local solar day."""


def group_key(layer: Layer, groupby: str | None) -> Any:
    """The time step of ``layer``: its solar day, its UTC day, or itself (None)."""
    if groupby is None:
        return (layer.time, layer.name)
    if groupby == "day":
        return layer.time.astype("datetime64[D]")
    if groupby == "solar_day":  # local mean solar time: 1 hour per 15 degrees of longitude
        shift = np.timedelta64(round(float(layer.lon) / 15.0 * 3600), "s")
        return (layer.time + shift).astype("datetime64[D]")
    raise ValueError(f"groupby={groupby!r}")


def stack(layers: Sequence[Layer], groupby: str | None) -> xr.Dataset:
    """One Dataset with a ``time`` dimension: a mosaic per group, in time order.

    Coordinates along ``time``: ``product`` (the names mosaicked, comma-separated, in the order
    they take precedence) and ``products`` (how many).
    """
    if not layers:
        raise ValueError("no product to stack")
    groups: dict[Any, list[Layer]] = {}
    for layer in sorted(layers, key=lambda lay: (lay.time, lay.name)):
        groups.setdefault(group_key(layer, groupby), []).append(layer)
    steps = []
    for members in groups.values():
        mosaic = _mosaic(members)
        mosaic = mosaic.expand_dims(time=[members[0].time])
        mosaic = mosaic.assign_coords(
            product=("time", [",".join(m.name for m in members)]),
            products=("time", [len(members)]),
        )
        steps.append(mosaic)
    out = xr.concat(steps, dim="time", join="exact", combine_attrs="drop_conflicts")
    out = out.sortby("time")
    out["time"].attrs.update(
        {"long_name": "sensing time of the first product of each step", "standard_name": "time"}
    )
    return out


def _mosaic(members: Sequence[Layer]) -> xr.Dataset:
    first = members[0]
    if len(members) == 1:
        return first.data
    out = first.data
    taken = first.valid
    for layer in members[1:]:
        use = ~taken & layer.valid
        out = xr.Dataset(
            {
                name: xr.where(use, layer.data[name], var, keep_attrs=True).astype(var.dtype)
                for name, var in out.data_vars.items()
            },
            coords=out.coords,
            attrs=out.attrs,
        )
        taken = taken | layer.valid
    return out
