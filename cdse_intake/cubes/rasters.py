"""Gridded raster products (CLMS NDVI/CLCplus, COP-DEM, mosaics; GeoTIFF or netCDF) as a cube.

Each product opens through its reader (``gridded`` or ``geotiff``) as a Dataset on a regular grid,
``x``/``y`` with a CRS or ``lat``/``lon`` (EPSG:4326, what CF files without a grid mapping
mean); its 2-D variables (a leading ``time`` of one step is dropped: the product's time is the
layer's) are put on the cube's grid by :func:`~.warp.onto`: pasted when the grid is the
product's own, else warped (classes and flags: give ``resampling="nearest"``, the default).
Values are the reader's (scaled, no-data as NaN for floats; integer layers keep their codes and
0 as no-data). A pixel is valid where the first variable is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from .grid import crs_name, most_common_crs, target_geobox
from .mosaic import Layer, stack
from .request import CubeRequest
from .sources import Item
from .warp import onto

__all__ = ["OPTIONS", "load"]

#: Extra keywords: none; the readers' own options are not needed for a cube.
OPTIONS: tuple[str, ...] = ()


def load(items: Sequence[Item], request: CubeRequest) -> xr.Dataset:
    """The cube of ``items`` (gridded raster products) as ``request`` asks."""
    opened = [_open(item) for item in items]
    names = _variables(request.variables, opened, items)
    boxes = [ds.odc.geobox for ds in opened]
    native = min(abs(b.resolution.x) for b in boxes)
    geobox = target_geobox(
        request, boxes, native_resolution=native, default_crs=most_common_crs(boxes)
    )
    layers = []
    for item, ds in zip(items, opened, strict=True):
        arrays = {n: onto(ds[n], geobox, resampling=request.resampling) for n in names}
        first = arrays[names[0]]
        valid = first.notnull() if np.issubdtype(first.dtype, np.floating) else first != 0
        time = ds.attrs.get("_cube_time")
        layers.append(
            Layer(
                time=np.datetime64(time, "ns"),
                name=item.name,
                data=xr.Dataset(arrays),
                valid=valid,
                lon=item.centre_lon or float(geobox.geographic_extent.centroid.coords[0][0]),
            )
        )
    cube = stack(layers, request.groupby)
    titles = {str(ds.attrs.get("title", "")) for ds in opened} - {""}
    cube.attrs.update(
        {
            "title": (titles.pop() if len(titles) == 1 else "gridded products") + " cube",
            "crs": crs_name(geobox.crs),
            "resampling": request.resampling,
        }
    )
    return cube


def _open(item: Item) -> xr.Dataset:
    """The product's Dataset: one 2-D grid with a CRS, its time in ``attrs["_cube_time"]``."""
    from odc.geo.xr import assign_crs

    result = item.family.opener()(item.source, chunks="auto")
    if isinstance(result, xr.DataTree):
        raise ValueError(
            f"{item.name} opens as a tree of groups; a cube of it needs its group: open it with "
            "open_product(..., group=...)"
        )
    ds = result
    if "lat" in ds.dims and "lon" in ds.dims:
        ds = ds.rename({"lat": "y", "lon": "x"})
        if ds.odc.crs is None:
            ds = assign_crs(ds, "EPSG:4326")
    if ds.odc.crs is None or ds.odc.geobox is None:
        raise ValueError(f"{item.name} has no CRS or regular grid: it cannot be put in a cube")
    time = None
    if "time" in ds.dims:
        if ds.sizes["time"] != 1:
            raise ValueError(f"{item.name} holds {ds.sizes['time']} times; a cube layer is one")
        time = ds["time"].values[0]
        ds = ds.isel(time=0, drop=True)
    elif "time" in ds.coords:
        time = ds["time"].values
        ds = ds.drop_vars("time")
    if time is None:
        if item.start is None:
            raise ValueError(f"{item.name}: no time in the file or the catalogue")
        time = np.datetime64(item.start.replace(tzinfo=None), "ns")
    # the file's own grid mapping (netCDF ``crs``) becomes odc-geo's ``spatial_ref``
    crs = ds.odc.crs
    ds = ds.drop_vars([c for c in ds.coords if ds[c].ndim == 0])
    for var in ds.data_vars.values():
        var.attrs.pop("grid_mapping", None)
        var.encoding.pop("grid_mapping", None)
    ds = assign_crs(ds, crs)
    ds.attrs["_cube_time"] = time
    return ds


def _variables(
    asked: tuple[str, ...] | None, opened: list[xr.Dataset], items: Sequence[Item]
) -> list[str]:
    grids = [
        {n for n, v in ds.data_vars.items() if v.dims[-2:] == ("y", "x") and v.ndim == 2}
        for ds in opened
    ]
    common = set.intersection(*grids)
    if asked is None:
        if not common:
            raise ValueError("the products share no 2-D variable; give variables=")
        first = [n for n in opened[0].data_vars if n in common]
        return first
    for name in asked:
        for item, have in zip(items, grids, strict=True):
            if name not in have:
                raise ValueError(
                    f"variables: {name!r} is not a 2-D variable of {item.name}; it has "
                    + ", ".join(sorted(have))
                )
    return list(asked)
