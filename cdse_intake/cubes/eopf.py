"""Sentinel-2 L2A products in CDSE's EOPF Zarr format as one (time, y, x) cube.

The twin of :mod:`.sentinel2` (SAFE) for the same scenes in the new format: the same variables
(upper-case ``B04``, ``B8A``, ``SCL``..., so a SAFE cube and an EOPF cube of the same products
line up variable for variable), the same choice of resolution (each variable is read from the
product's group closest to the cube's pixel size without being coarser: ``r10m``, ``r20m`` or
``r60m``), the same ``mask=`` (:func:`.sentinel2.mask_classes`, SCL from
``conditions/mask/l2a_classification``) and the same values: the EOPF reader's ``scale=True``
reflectance (``DN * 1e-4 - 0.1``, the offset of baselines 04.00 on in the arrays' CF attributes)
as float32, no-data as NaN. The product's tree is opened once, with only the variables the cube
needs (:func:`..readers.eopf.open`); each array is put on the grid by :func:`.warp.onto`. A
product's time is its STAC ``start_datetime`` (the reader's ``time``), which may be seconds
before the SAFE tile's ``SENSING_TIME`` of the same scene: the same solar day, not the same
instant.

Only Sentinel-2 L2A is put in a cube: other EOPF products (Sentinel-1 GRD in radar geometry,
Sentinel-3 OLCI on a swath) are refused with :class:`~cdse_intake.errors.UnsupportedProduct`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from ..readers import eopf as reader
from ..readers._s2_bands import AUXILIARY, BANDS, NATIVE, band_name
from .grid import crs_name, most_common_crs, target_geobox
from .mosaic import Layer, stack
from .request import CubeRequest
from .sentinel2 import DEFAULT_L2A, mask_classes
from .sources import Item
from .warp import onto

__all__ = ["OPTIONS", "SUPPORTED", "load"]

#: Extra keywords: none (as for SAFE Sentinel-2).
OPTIONS: tuple[str, ...] = ()
#: The EOPF product types a cube is made of (``product:type`` of the STAC properties).
SUPPORTED = ("S02MSIL2A",)
#: A group of one resolution: ``.../r10m`` -> 10.
_GROUP = re.compile(r"/r(\d+)m$")
#: Groups whose arrays are cube variables (not the quicklook, angles or meteorology).
_ROOTS = ("/measurements/reflectance/", "/conditions/mask/l2a_classification/", "/quality/")
#: Attributes of the product's arrays that describe the product's own grid, not the cube's.
_GRID_ATTRS = ("proj:", "_eopf_attrs", "grid_mapping")


def load(items: Sequence[Item], request: CubeRequest) -> xr.Dataset:
    """The cube of ``items`` (EOPF Zarr Sentinel-2 L2A products) as ``request`` asks."""
    drop = mask_classes(request.mask)
    metas = [reader.read_metadata(i.source) for i in items]
    for item, md in zip(items, metas, strict=True):
        if md.product_type not in SUPPORTED:
            raise UnsupportedProduct(
                f"{item.name} is an EOPF {md.product_type or 'unknown'} product; load() makes "
                f"cubes of EOPF Sentinel-2 Level-2A products only ({', '.join(SUPPORTED)}): open "
                "it with open_product()"
            )
    wanted = _variables(request.variables)
    names = wanted + (["SCL"] if drop is not None and "SCL" not in wanted else [])
    trees = [_open(item, names) for item in items]
    grids = [_groups(item, tree, names) for item, tree in zip(items, trees, strict=True)]
    boxes = [_finest(tree, have) for tree, have in zip(trees, grids, strict=True)]
    native = min(NATIVE.get(v, 20) for v in wanted) if request.resolution is None else None
    geobox = target_geobox(
        request, boxes, native_resolution=native or 10, default_crs=most_common_crs(boxes)
    )
    cell = abs(geobox.resolution.x) if not geobox.crs.geographic else 10.0
    layers = [
        _layer(item, tree, have, wanted, drop, cell, geobox, request)
        for item, tree, have in zip(items, trees, grids, strict=True)
    ]
    cube = stack(layers, request.groupby)
    cube.attrs.update(
        {
            "title": "Sentinel-2 L2A cube (EOPF Zarr)",
            "crs": crs_name(geobox.crs),
            "resampling": request.resampling,
            "mask": "none"
            if drop is None
            else "SCL classes dropped: " + ",".join(map(str, sorted(drop))),
            "processing_baselines": ",".join(sorted({m.processing_baseline or "?" for m in metas})),
            "radiometry": "the products' CF scale and offset: baselines harmonised",
        }
    )
    return cube


def _variables(asked: tuple[str, ...] | None) -> list[str]:
    if asked is None:
        return list(DEFAULT_L2A)
    out = []
    for name in asked:
        canonical = band_name(name) or name.strip().upper()
        if canonical not in (*BANDS, *AUXILIARY):
            raise ValueError(
                f"variables: {name!r} is not a Sentinel-2 band; expected some of "
                f"{', '.join((*BANDS, *AUXILIARY))} (or common names such as 'red', 'nir')"
            )
        out.append(canonical)
    return list(dict.fromkeys(out))


def _open(item: Item, names: list[str]) -> xr.DataTree:
    """The product's tree with only ``names`` (in every group that has them)."""
    lower = [n.lower() for n in names]
    try:
        return reader.open(item.source, chunks="auto", scale=True, variables=lower)
    except UnsupportedProduct as err:  # a name the product lacks (the reader lists its own)
        raise ValueError(f"variables: {', '.join(names)} of {item.name}: {err}") from err


def _cube_group(path: str) -> bool:
    return path.startswith(_ROOTS) and _GROUP.search(path) is not None


def _groups(item: Item, tree: xr.DataTree, names: list[str]) -> dict[str, dict[int, str]]:
    """Each variable's groups: ``{"B04": {10: "/measurements/reflectance/r10m", ...}}``."""
    have: dict[str, dict[int, str]] = {}
    for node in tree.subtree:
        if not _cube_group(node.path):
            continue
        res = int(_GROUP.search(node.path).group(1))  # type: ignore[union-attr]
        for var in node.data_vars:
            have.setdefault(str(var).upper(), {})[res] = node.path
    missing = [n for n in names if n not in have]
    if missing:
        raise ValueError(
            f"variables: {', '.join(map(repr, missing))} is not an image of {item.name}; it "
            "has " + ", ".join(sorted(have))
        )
    return have


def _finest(tree: xr.DataTree, have: dict[str, dict[int, str]]) -> Any:
    """The product's grid: that of its finest group the cube reads (a GeoBox)."""
    import odc.geo.xr  # noqa: F401  (registers the .odc accessor)

    _, path = min((r, p) for groups in have.values() for r, p in groups.items())
    return tree[path].to_dataset().odc.geobox


def _resolution_for(options: dict[int, str], cell: float) -> int:
    """As :func:`.sentinel2._resolution_for`: the coarsest not coarser than the cube's pixels,
    else the finest."""
    finer = [r for r in sorted(options) if r <= cell + 1e-6]
    return finer[-1] if finer else min(options)


def _layer(
    item: Item,
    tree: xr.DataTree,
    have: dict[str, dict[int, str]],
    wanted: list[str],
    drop: frozenset[int] | None,
    cell: float,
    geobox: Any,
    request: CubeRequest,
) -> Layer:
    names = wanted + (["SCL"] if drop is not None and "SCL" not in wanted else [])
    arrays: dict[str, xr.DataArray] = {}
    time = None
    for name in names:
        path = have[name][_resolution_for(have[name], cell)]
        ds = tree[path].to_dataset()
        if "time" in ds.coords and ds["time"].ndim == 0:
            time = ds["time"].values
        da = ds[name.lower()].drop_vars("time", errors="ignore")
        if da.dtype == np.float64:  # as the SAFE cube: float32 reflectance
            da = da.astype(np.float32)
        da.attrs = {k: v for k, v in da.attrs.items() if not k.startswith(_GRID_ATTRS)}
        method = "nearest" if name in ("SCL", "TCI") else request.resampling
        arrays[name] = onto(da.rename(name), geobox, resampling=method)
    if time is None:
        if item.start is None:
            raise ValueError(f"{item.name}: no sensing time in its metadata")
        time = np.datetime64(item.start.replace(tzinfo=None), "ns")
    first = arrays[wanted[0]]
    valid = first.notnull() if np.issubdtype(first.dtype, np.floating) else first != 0
    if first.ndim == 3:  # TCI first: valid where any colour is
        valid = valid.any(first.dims[0])
    if drop is not None:
        scl = arrays["SCL"] if "SCL" in wanted else arrays.pop("SCL")
        keep = ~scl.isin(sorted(drop))
        valid = valid & keep
        arrays = {n: _masked(a, keep) for n, a in arrays.items()}
    lon = item.centre_lon
    if lon is None:
        lon = float(geobox.geographic_extent.centroid.coords[0][0])
    data = xr.Dataset({n: arrays[n] for n in wanted})
    return Layer(time=np.datetime64(time, "ns"), name=item.name, data=data, valid=valid, lon=lon)


def _masked(da: xr.DataArray, keep: xr.DataArray) -> xr.DataArray:
    if np.issubdtype(da.dtype, np.floating):
        return da.where(keep)
    return da.where(keep, 0).astype(da.dtype)
