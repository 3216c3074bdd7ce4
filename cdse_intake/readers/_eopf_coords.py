"""The coordinates EOPF names per array, made xarray coordinates.

EOPF lists each array's coordinates in its ``_eopf_attrs["coordinates"]`` (not in a CF
``coordinates`` attribute xarray would read), so arrays that are coordinates of others open as
data variables: Sentinel-3 OLCI's ``measurements/latitude``/``longitude``/``time_stamp`` (on the
image's ``rows``/``columns``), Sentinel-1's ``line``/``pixel`` (on ``azimuth_time`` and
``ground_range``). Made coordinates, they follow the data variables they locate, also through
``variables=``. Sentinel-2's lists name only dimension coordinates (``x``, ``y``, ``band``):
nothing changes there.
"""

from __future__ import annotations

from collections.abc import Mapping

import xarray as xr

__all__ = ["promote_coordinates"]


def promote_coordinates(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with the data variables another one lists as an EOPF coordinate set as
    coordinates (only those whose dimensions are all among that variable's)."""
    found: set[str] = set()
    for name, var in ds.data_vars.items():
        eopf = var.attrs.get("_eopf_attrs")
        listed = eopf.get("coordinates") if isinstance(eopf, Mapping) else None
        if not isinstance(listed, list):
            continue
        for coord in listed:
            if coord != name and coord in ds.data_vars and set(ds[coord].dims) <= set(var.dims):
                found.add(coord)
    return ds.set_coords(sorted(found)) if found else ds
