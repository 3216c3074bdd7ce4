"""Landsat Collection 2 (Level-1 and Level-2 USGS bundles) as one (time, y, x) cube.

Each band is read through the Landsat reader with its product's own MTL scale and offset (see
:mod:`..readers._landsat_scaling`): Level-2 ``SR_B*`` surface reflectance
(``REFLECTANCE_MULT * DN + REFLECTANCE_ADD``), ``ST_B*`` surface temperature in K
(``TEMPERATURE_MULT * DN + TEMPERATURE_ADD``); Level-1 ``B*`` top-of-atmosphere reflectance
(divided by the sine of the scene's sun elevation) or thermal brightness temperature (K); the fill
(DN 0) as NaN. ``QA_PIXEL`` and the other QA bands stay integer bit fields. Bands are named as the
reader names them (``SR_B4``, ``ST_B10``, ``B4``, ``QA_PIXEL``) or by common name (``red``,
``nir``, ``swir16``, ``lwir``: the band of each product's sensor and level).

The grid is the UTM zone most products are in, at their 30 m (their own cell), reprojected with
:func:`.warp.onto` (pasted, bit for bit, where a product is already on the grid's pixels).
``mask=`` drops pixels by their ``QA_PIXEL`` bits (:mod:`._landsat_qa`: ``"cloud"`` drops fill,
dilated cloud, cirrus, cloud and cloud shadow) before products are mosaicked; a masked pixel is
NaN in the measurements and 1 (the fill bit) in ``QA_PIXEL``. One cube holds one processing level
(Level-1 and Level-2 bands differ) and one band layout (OLI/TIRS, or TM/ETM+).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from ..readers import landsat as reader
from ..readers._landsat_mtl import group
from ..readers._landsat_scaling import scaling_of
from ._landsat_qa import bits_mask, describe, mask_bits
from .grid import crs_name, most_common_crs, target_geobox
from .mosaic import Layer, stack
from .request import CubeRequest
from .sources import Item
from .warp import onto

__all__ = ["COMMON_NAMES", "load"]

#: Common names -> band number, for OLI/TIRS (Landsat 8-9) and for TM/ETM+ (Landsat 4-7).
COMMON_NAMES = {
    "OLI": {"coastal": 1, "blue": 2, "green": 3, "red": 4, "nir": 5, "nir08": 5, "swir16": 6,
            "swir22": 7, "pan": 8, "cirrus": 9, "lwir": 10, "lwir11": 10, "lwir12": 11},
    "TM": {"blue": 1, "green": 2, "red": 3, "nir": 4, "nir08": 4, "swir16": 5, "swir22": 7,
           "lwir": 6, "pan": 8},
}  # fmt: skip
_MEASUREMENTS = {"L2": re.compile(r"S[RT]_B\d+"), "L1": re.compile(r"B\d+(_VCID_\d)?")}


@dataclass(frozen=True)
class _Meta:
    """What a product's MTL says: its level (``L1``/``L2``), sensor, rasters and scaling."""

    name: str
    level: str
    product_level: str
    sensor: str
    spacecraft: str
    rasters: dict[str, str]
    """Raster suffix -> its MTL band label (``SR_B4`` -> ``4``)."""
    mtl: dict[str, Any]

    @property
    def layout(self) -> str:
        return "OLI" if self.sensor.startswith(("OLI", "TIRS")) else "TM"


def load(items: Sequence[Item], request: CubeRequest) -> xr.Dataset:
    """The cube of ``items`` (Landsat Collection 2 products) as ``request`` asks."""
    import odc.geo.xr  # noqa: F401  (registers the .odc accessor)

    bits = mask_bits(request.mask)
    metas = [_meta(i) for i in items]
    _one_kind(metas)
    wanted = _variables(request.variables, metas)
    names = [*wanted, *(["QA_PIXEL"] if bits is not None and "QA_PIXEL" not in wanted else [])]
    per_item = [[_suffix(n, m) for n in names] for m in metas]
    datasets = [
        reader.open(i.source, chunks="auto", bands=sorted(set(s)), scale=True)
        for i, s in zip(items, per_item, strict=True)
    ]
    reference = next((k for k, n in enumerate(names) if n not in ("B8", "pan")), 0)
    boxes = [_xy(ds[s[reference]]).odc.geobox for ds, s in zip(datasets, per_item, strict=True)]
    crs = most_common_crs(boxes)
    cell = min(abs(b.resolution.x) for b in boxes if b.crs == crs)
    geobox = target_geobox(request, boxes, native_resolution=cell, default_crs=crs)
    layers = []
    for item, ds, suffixes in zip(items, datasets, per_item, strict=True):
        layers.append(_layer(item, ds, dict(zip(names, suffixes, strict=True)), wanted, bits,
                             geobox, request))  # fmt: skip
    cube = stack(layers, request.groupby)
    for name in wanted:
        cube[name].attrs["scale_applied"] = _scaling_text(name, metas)
    cube.attrs.update(
        {
            "title": f"Landsat Collection 2 Level-{metas[0].level[1]} cube",
            "crs": crs_name(geobox.crs),
            "resampling": request.resampling,
            "mask": describe(bits),
            "platforms": ",".join(sorted({m.spacecraft for m in metas})),
            "sensor": ",".join(sorted({m.sensor for m in metas})),
            "processing_levels": ",".join(sorted({m.product_level for m in metas})),
            "radiometry": "each product's MTL scale and offset (REFLECTANCE/TEMPERATURE_MULT and "
            "_ADD; Level-1: / sin(SUN_ELEVATION), thermal K1/K2); fill as NaN",
        }
    )
    return cube


def _meta(item: Item) -> _Meta:
    mtl = reader.read_metadata(item.source)
    contents = group(mtl, "PRODUCT_CONTENTS")
    image = group(mtl, "IMAGE_ATTRIBUTES")
    product_id = contents.get("LANDSAT_PRODUCT_ID", item.name)
    rasters = {}
    for key, file_name in contents.items():
        if key.startswith("FILE_NAME_") and file_name.upper().endswith(".TIF"):
            suffix = file_name[: -len(".TIF")].removeprefix(f"{product_id}_")
            rasters[suffix] = key.removeprefix("FILE_NAME_").removeprefix("BAND_")
    level = contents.get("PROCESSING_LEVEL", "")
    if level[:2] not in ("L1", "L2"):
        raise ValueError(f"{item.name}: processing level {level!r} is neither Level-1 nor -2")
    return _Meta(
        item.name,
        level[:2],
        level,
        image.get("SENSOR_ID", "?"),
        image.get("SPACECRAFT_ID", "?"),
        rasters,
        mtl,
    )


def _one_kind(metas: Sequence[_Meta]) -> None:
    """One processing level and one band layout per cube, else a clear error."""
    for what, key, hint in (
        ("processing levels", "level", "search one processing_level ('L1' or 'L2')"),
        ("band layouts (sensors)", "layout", "OLI/TIRS and TM/ETM+ band numbers differ"),
    ):
        kinds: dict[str, str] = {}
        for m in metas:
            kinds.setdefault(getattr(m, key), m.name)
        if len(kinds) > 1:
            raise ValueError(
                f"load(): the Landsat products mix {what}: "
                + ", ".join(f"{k} (e.g. {n})" for k, n in sorted(kinds.items()))
                + f"; a cube holds one: {hint}, or load them separately"
            )


def _variables(asked: tuple[str, ...] | None, metas: Sequence[_Meta]) -> list[str]:
    first = metas[0]
    if asked is None:
        pattern = _MEASUREMENTS[first.level]
        return [s for s in first.rasters if pattern.fullmatch(s) and s != "B8"]
    out = []
    for name in asked:
        key = name.strip()
        if key.lower() in COMMON_NAMES[first.layout]:
            out.append(key.lower())
        elif key.upper() in first.rasters:
            out.append(key.upper())
        else:
            raise ValueError(
                f"variables: {name!r} is not a band of {first.name} (Level-{first.level[1]}, "
                f"{first.sensor}); expected some of {', '.join(first.rasters)} or common names "
                f"({', '.join(COMMON_NAMES[first.layout])})"
            )
    return list(dict.fromkeys(out))


def _suffix(name: str, meta: _Meta) -> str:
    """The raster of ``meta``'s product that ``name`` (a suffix or common name) is."""
    number = COMMON_NAMES[meta.layout].get(name)
    if number is None:
        candidates = [name]
    elif meta.level == "L2":
        candidates = [f"SR_B{number}", f"ST_B{number}"]
    else:
        candidates = [f"B{number}", f"B{number}_VCID_1"]
    found = next((c for c in candidates if c in meta.rasters), None)
    if found is None:
        raise ValueError(
            f"variables: {name!r} is not a band of {meta.name} (Level-{meta.level[1]}, "
            f"{meta.sensor}); it has {', '.join(meta.rasters)}"
        )
    return found


def _xy(da: xr.DataArray) -> xr.DataArray:
    """The panchromatic band on ``y``/``x`` like the others (its own coordinates kept)."""
    return da.rename({"y_pan": "y", "x_pan": "x"}) if "y_pan" in da.dims else da


def _layer(
    item: Item,
    ds: xr.Dataset,
    suffixes: dict[str, str],
    wanted: list[str],
    bits: frozenset[int] | None,
    geobox: Any,
    request: CubeRequest,
) -> Layer:
    arrays: dict[str, xr.DataArray] = {}
    for name, suffix in suffixes.items():
        da = _xy(ds[suffix]).drop_vars("time", errors="ignore")
        integer = np.issubdtype(da.dtype, np.integer)
        method = "nearest" if integer else request.resampling
        arrays[name] = onto(da, geobox, resampling=method).rename(name)
    first = arrays[wanted[0]]
    valid = _valid(first, suffixes[wanted[0]])
    if bits is not None:
        qa = arrays["QA_PIXEL"] if "QA_PIXEL" in wanted else arrays.pop("QA_PIXEL")
        valid = valid & ((qa & bits_mask(bits)) == 0)
    data = xr.Dataset({n: _masked(arrays[n], valid, suffixes[n]) for n in wanted})
    time = ds["time"].values if "time" in ds.coords else None
    if time is None:
        if item.start is None:
            raise ValueError(f"{item.name}: no acquisition time in its MTL")
        time = np.datetime64(item.start.replace(tzinfo=None), "ns")
    lon = item.centre_lon
    if lon is None:
        lon = float(geobox.geographic_extent.centroid.coords[0][0])
    return Layer(time=np.datetime64(time, "ns"), name=item.name, data=data, valid=valid, lon=lon)


def _valid(da: xr.DataArray, suffix: str) -> xr.DataArray:
    """Where ``da`` (on the grid) has data: not NaN; QA_PIXEL: not the fill bit (nor 0 outside
    the product); other integers: not 0."""
    if np.issubdtype(da.dtype, np.floating):
        return da.notnull()
    if suffix == "QA_PIXEL":
        return (da != 0) & ((da & 1) == 0)
    return da != 0


def _masked(da: xr.DataArray, valid: xr.DataArray, suffix: str) -> xr.DataArray:
    """``da`` with no data where ``valid`` is False: NaN, QA_PIXEL's fill bit (1), else 0."""
    if np.issubdtype(da.dtype, np.floating):
        return da.where(valid)
    return da.where(valid, 1 if suffix == "QA_PIXEL" else 0).astype(da.dtype)


def _scaling_text(name: str, metas: Sequence[_Meta]) -> str:
    """How ``name``'s DN became values, the same for all products or ``per product``."""
    texts = set()
    for m in metas:
        suffix = _suffix(name, m)
        s = scaling_of(suffix, m.rasters[suffix], m.product_level, m.mtl)
        if s is None:
            texts.add("none (bit field)" if suffix.startswith("QA") else "none")
        else:
            linear = f"{s.mult:g} * DN {'-' if s.add < 0 else '+'} {abs(s.add):g}"
            if s.k1 is not None:
                linear = f"K2 / ln(K1 / ({linear}) + 1), K1 {s.k1:g}, K2 {s.k2:g}"
            elif s.divisor != 1.0:
                linear = f"({linear}) / sin(SUN_ELEVATION)"
            texts.add(linear)
    return texts.pop() if len(texts) == 1 else "per product (MTL): " + "; ".join(sorted(texts))
