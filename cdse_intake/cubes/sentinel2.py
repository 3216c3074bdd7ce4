"""Sentinel-2 L1C/L2A (SAFE) products as one (time, y, x) cube.

Each band is read from the product's image at the resolution closest to the cube's without being
coarser (an L2A 20 m cube reads ``R20m``'s B04, not the 10 m file; a 10 m cube reads B05 from its
native 20 m file and resamples it), through the Sentinel-2 reader, so values are reflectance
harmonised across processing baselines: ``(DN + offset) / quantification`` with the offset the
product's MTD gives (-1000 from baseline 04.00 on, none before), and no-data (DN 0) as NaN.

``mask=`` applies the Level-2A scene classification (SCL, read at 20 m and put on the grid by
nearest neighbour) before products are mosaicked: a masked pixel is no-data in every variable
(SCL too: 0, its NO_DATA class), so a product of the same solar day fills it where it sees the
ground. Accepted: ``"cloud"`` (drops no data, saturated/defective, cloud shadows, medium and high
probability clouds, thin cirrus: SCL 0, 1, 3, 8, 9, 10), ``"clear"`` (keeps only vegetation, not
vegetated, water, unclassified and snow: 4, 5, 6, 7, 11), or the SCL classes to drop, as numbers
or names (``[3, 8, 9, 10]``, ``["CLOUD_SHADOW", "THIN_CIRRUS"]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from ..readers import sentinel2 as reader
from ..readers._s2_bands import AUXILIARY, BANDS, NATIVE, SCL_CLASSES, band_name
from ..readers._s2_mtd import read_metadata
from .grid import crs_name, most_common_crs, target_geobox
from .mosaic import Layer, stack
from .request import CubeRequest
from .sources import Item
from .warp import onto

__all__ = ["MASKS", "load", "mask_classes"]

#: Named masks: the SCL classes each drops.
MASKS = {
    "cloud": frozenset({0, 1, 3, 8, 9, 10}),
    "clear": frozenset(range(12)) - {4, 5, 6, 7, 11},
}
#: Dask chunks of the product images: Sentinel-2's JPEG 2000 tiles are 1024 x 1024 pixels.
TILE = {"y": 1024, "x": 1024}
#: What a cube holds when ``variables=`` is not given: the 12 reflectance bands of L2A (L1C: 13).
DEFAULT_L2A = tuple(b for b in BANDS if b != "B10")


def mask_classes(mask: Any) -> frozenset[int] | None:
    """The SCL classes ``mask`` drops (None: no mask); a clear error for anything else."""
    if mask is None or mask is False:
        return None
    if isinstance(mask, str) and mask.lower() in MASKS:
        return MASKS[mask.lower()]
    if mask is True:
        return MASKS["cloud"]
    values = [mask] if isinstance(mask, (int, str)) else mask
    names = {n: k for k, n in enumerate(SCL_CLASSES)}
    out: set[int] = set()
    try:
        for v in values:
            if isinstance(v, str) and v.strip().upper() in names:
                out.add(names[v.strip().upper()])
            elif isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 0 <= v <= 11:
                out.add(int(v))
            else:
                raise ValueError(v)
    except (TypeError, ValueError):
        raise ValueError(
            f"mask={mask!r}: expected 'cloud', 'clear', True ('cloud'), or the Sentinel-2 scene "
            f"classes to drop as numbers 0-11 or names ({', '.join(SCL_CLASSES)})"
        ) from None
    return frozenset(out)


def load(items: Sequence[Item], request: CubeRequest) -> xr.Dataset:
    """The cube of ``items`` (Sentinel-2 SAFE products) as ``request`` asks."""
    drop = mask_classes(request.mask)
    metas = [read_metadata(i.source) for i in items]
    levels = {m.level for m in metas}
    wanted = _variables(request.variables, levels)
    if drop is not None and "L1C" in levels:
        raise ValueError(
            "mask= needs the scene classification (SCL) of Level-2A products; these include "
            "Level-1C products, which have none: search sentinel-2-l2a, or leave mask=None"
        )
    native = min(NATIVE.get(v, 20) for v in wanted) if request.resolution is None else None
    boxes = [b for m in metas if (b := _tile_box(m.geocoding)) is not None]
    crs = most_common_crs(boxes) if boxes else None
    if crs is None and request.geobox is None and request.crs is None:
        raise ValueError("no product says where its tile is (MTD_TL.xml): give crs=/geobox=")
    geobox = target_geobox(request, boxes, native_resolution=native or 10, default_crs=crs)
    cell = abs(geobox.resolution.x) if not geobox.crs.geographic else 10.0
    layers = []
    for item, md in zip(items, metas, strict=True):
        layer = _layer(item, md, wanted, drop, cell, geobox, request)
        if layer is not None:
            layers.append(layer)
    if not layers:
        raise ValueError("none of the products covers the cube's area")
    cube = stack(layers, request.groupby)
    cube.attrs.update(
        {
            "title": "Sentinel-2 " + "/".join(sorted(levels)) + " cube",
            "crs": crs_name(geobox.crs),
            "resampling": request.resampling,
            "mask": "none"
            if drop is None
            else "SCL classes dropped: " + ",".join(map(str, sorted(drop))),
            "processing_baselines": ",".join(sorted({m.processing_baseline or "?" for m in metas})),
            "radiometry": "(DN + offset) / quantification per product: baselines harmonised",
        }
    )
    return cube


def _tile_box(geo: Any) -> Any:
    """The tile's grid (the finest MTD_TL.xml gives) as a GeoBox; None when unknown."""
    if geo is None or not geo.sizes:
        return None
    from odc.geo.geobox import GeoBox

    res = min(r for r in geo.sizes if r in geo.origins)
    return GeoBox(geo.sizes[res], geo.transform(res), f"EPSG:{geo.epsg}")


def _variables(asked: tuple[str, ...] | None, levels: set[str]) -> list[str]:
    if asked is None:
        return list(DEFAULT_L2A if levels == {"L2A"} else BANDS)
    out = []
    for name in asked:
        canonical = band_name(name) or name.strip().upper()
        if canonical not in (*BANDS, *AUXILIARY):
            raise ValueError(
                f"variables: {name!r} is not a Sentinel-2 band; expected some of "
                f"{', '.join((*BANDS, *AUXILIARY))} (or common names such as 'red', 'nir')"
            )
        if canonical in AUXILIARY and "L1C" in levels:
            raise ValueError(f"variables: {canonical} is a Level-2A image; Level-1C has none")
        out.append(canonical)
    return list(dict.fromkeys(out))


def _resolution_for(name: str, have: dict[str, set[int]], cell: float) -> int:
    """The product's resolution for ``name``: the coarsest not coarser than the cube's pixels,
    else the finest it has."""
    options = sorted(have.get(name, ()))
    if not options:
        raise KeyError(name)
    finer = [r for r in options if r <= cell + 1e-6]
    return finer[-1] if finer else options[0]


def _layer(
    item: Item,
    md: Any,
    wanted: list[str],
    drop: frozenset[int] | None,
    cell: float,
    geobox: Any,
    request: CubeRequest,
) -> Layer | None:
    have: dict[str, set[int]] = {}
    for image in md.images:
        if image.path is not None:
            have.setdefault(image.name, set()).add(image.resolution)
    names = list(wanted) + (["SCL"] if drop is not None and "SCL" not in wanted else [])
    by_res: dict[int, list[str]] = {}
    for name in names:
        try:
            by_res.setdefault(_resolution_for(name, have, cell), []).append(name)
        except KeyError:
            raise ValueError(
                f"variables: {name!r} is not an image of {item.name}; it has "
                + ", ".join(sorted(have))
            ) from None
    arrays: dict[str, xr.DataArray] = {}
    time = None
    for res, bands in sorted(by_res.items()):
        # remote: "auto" is one file tile per chunk, so a window fetches its tiles only; local:
        # "auto" would make 4096 px chunks (16 tiles decoded per window), so one 1024 px tile
        chunks = "auto" if item.source.origin == "remote" else TILE
        ds = reader.open(item.source, chunks=chunks, resolution=res, bands=bands, scale=True)
        if "time" in ds.coords:
            time = ds["time"].values
        for name in bands:
            method = "nearest" if name in ("SCL", "TCI") else request.resampling
            arrays[name] = onto(
                ds[name].drop_vars("time", errors="ignore"), geobox, resampling=method
            )
    if time is None:
        start = item.start
        if start is None:
            raise ValueError(f"{item.name}: no sensing time in its metadata")
        time = np.datetime64(start.replace(tzinfo=None), "ns")
    keep = None
    if drop is not None:
        scl = arrays["SCL"] if "SCL" in wanted else arrays.pop("SCL")
        keep = ~scl.isin(sorted(drop))
    first = arrays[wanted[0]]
    valid = first.notnull() if np.issubdtype(first.dtype, np.floating) else first != 0
    if first.ndim == 3:  # TCI first: valid where any colour is
        valid = valid.any(first.dims[0])
    if keep is not None:
        valid = valid & keep
        arrays = {n: _masked(a, keep) for n, a in arrays.items()}
    data = xr.Dataset({n: arrays[n] for n in wanted})
    lon = item.centre_lon
    if lon is None:
        lon = float(geobox.geographic_extent.centroid.coords[0][0])
    return Layer(time=np.datetime64(time, "ns"), name=item.name, data=data, valid=valid, lon=lon)


def _masked(da: xr.DataArray, keep: xr.DataArray) -> xr.DataArray:
    if np.issubdtype(da.dtype, np.floating):
        return da.where(keep)
    return da.where(keep, 0).astype(da.dtype)
