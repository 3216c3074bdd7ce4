"""Swath products (Sentinel-5P Level 2, Sentinel-3 OLCI Level 1 EFR/ERR) binned into a regular
latitude/longitude cube.

Each product's pixels go to the cells of an EPSG:4326 grid (dims ``latitude``, ``longitude``)
by their centres (:mod:`._binning`): a cell holds the mean of the pixel values whose centres fall
in it and ``count``, how many there were; no pixel is split or interpolated. Products of one time
step (``groupby``: the same solar day at the cube's centre longitude, or UTC day) are binned
together, every pixel weighing the same. A mean over several steps weighs each by its ``count``:
:func:`temporal_mean` (``temporal_mean(cube, "1MS")``: monthly), which is

    ``(cube[v].fillna(0) * cube["count"]).resample(time="1MS").sum()
    / cube["count"].resample(time="1MS").sum()``.

Grid: ``crs`` EPSG:4326 only (anything else is refused: reproject the cube afterwards);
``resolution`` in degrees, default 0.05 for Sentinel-5P (TROPOMI pixels are 5.5 x 3.5 km) and
0.003 (about 300 m) for OLCI. Extent: ``bbox=`` (or ``geobox=``). Sentinel-5P needs it: an
orbit runs pole to pole, its footprint is half the globe. OLCI defaults to the union of the
products' footprints, refused beyond :data:`MAX_DEFAULT_CELLS` cells per step.

Sentinel-5P: ``variables`` default to the product type's main column (:data:`S5P_VARIABLES`:
``nitrogendioxide_tropospheric_column`` for ``L2__NO2___``); any 2-D pixel variable of the
file may be asked for, ``PRODUCT/SUPPORT_DATA`` ones included. ``min_qa`` drops pixels whose
``qa_value`` is below it (the reader's 0..1 scale and slack): default ESA's recommendation for
the product type (:data:`S5P_MIN_QA`: 0.75 for the NO2 tropospheric column, 0.8 for the
aerosol index, else 0.5); ``min_qa=None`` keeps every pixel. OLCI: ``variables`` default to
:data:`OLCI_VARIABLES` (blue, green, red and near-infrared radiances; any ``OaNN_radiance`` of
the image grid may be asked for); pixels flagged ``invalid`` in ``quality_flags`` are dropped.
A pixel counts only where every variable asked for has a value, so all means are over the
pixels ``count`` counts.

Lazy: each product is one dask task that reads its latitude/longitude, then only the scanlines
(rows) with a pixel centre in the grid, of the variables asked for; each time step one more
task summing its products. :func:`load` reads only headers: the first product's (the
variables' attributes, and that they exist), and for products given as local paths their
sensing time (and OLCI footprint), which the catalogue gives otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from ._binning import Plan, bin_product, combine, describe
from .grid import target_geobox
from .mosaic import Layer, group_key, stack
from .request import CubeRequest
from .sources import Item

__all__ = [
    "MAX_DEFAULT_CELLS",
    "OLCI_VARIABLES",
    "OPTIONS",
    "S5P_MIN_QA",
    "S5P_VARIABLES",
    "load",
    "temporal_mean",
]

#: The keyword options :func:`~cdse_intake.load` takes for these families.
OPTIONS = ("min_qa",)
#: Default cell sizes, degrees.
S5P_RESOLUTION = 0.05
OLCI_RESOLUTION = 0.003
#: The main variable of each Sentinel-5P Level-2 product type (the default of ``variables``).
S5P_VARIABLES = {
    "L2__NO2___": "nitrogendioxide_tropospheric_column",
    "L2__CO____": "carbonmonoxide_total_column",
    "L2__O3____": "ozone_total_vertical_column",
    "L2__SO2___": "sulfurdioxide_total_vertical_column",
    "L2__HCHO__": "formaldehyde_tropospheric_vertical_column",
    "L2__CH4___": "methane_mixing_ratio_bias_corrected",
    "L2__AER_AI": "aerosol_index_354_388",
    "L2__AER_LH": "aerosol_mid_height",
    "L2__CLOUD_": "cloud_fraction",
}
#: ESA's recommended ``qa_value`` thresholds (product user manuals); others 0.5.
S5P_MIN_QA = {"L2__NO2___": 0.75, "L2__AER_AI": 0.8}
#: OLCI radiances of a cube when ``variables`` is not given: 490, 560, 665 and 865 nm.
OLCI_VARIABLES = ("Oa04_radiance", "Oa06_radiance", "Oa08_radiance", "Oa17_radiance")
#: OLCI products this module bins (the image grid ``measurements`` of Level 1).
OLCI_TYPES = ("OL_1_EFR___", "OL_1_ERR___")
#: The largest grid (cells per step) built from the products' footprints without ``bbox=``.
MAX_DEFAULT_CELLS = 50_000_000
_COUNT_ATTRS = {"long_name": "number of pixel centres in the cell", "units": "1"}
_BINNING = "mean of pixel centres per cell"


def load(items: Sequence[Item], request: CubeRequest) -> xr.Dataset:
    """The binned cube of ``items`` (Sentinel-5P L2 or Sentinel-3 OLCI products) as ``request``
    asks (see the module docstring)."""
    import dask
    import dask.array as dsa
    from odc.geo.xr import xr_coords

    kind, product_type = _kind(items)
    min_qa = _min_qa(kind, product_type, request.options)
    names = _variables(kind, product_type, request.variables)
    geobox = _grid(items, request, kind)
    attrs, dtype, invalid_bit = describe(items[0].source, kind, names, min_qa)
    shape = (int(geobox.shape.y), int(geobox.shape.x))
    plan = Plan(kind, names, min_qa, invalid_bit, geobox.affine, shape)
    centre = float(geobox.extent.centroid.coords[0][0])
    groups: dict[Any, list[tuple[np.datetime64, Item]]] = {}
    for time, item in sorted(((_time(i, kind), i) for i in items), key=lambda p: (p[0], p[1].name)):
        probe = Layer(
            time=time, name=item.name, data=xr.Dataset(), valid=xr.DataArray(), lon=centre
        )
        groups.setdefault(group_key(probe, request.groupby), []).append((time, item))
    coords = xr_coords(geobox)
    dims = tuple(geobox.dimensions)
    layers = []
    for members in groups.values():
        parts = [dask.delayed(bin_product)(item.source, plan) for _, item in members]
        done = dask.delayed(combine, nout=2)(parts, shape, dtype)
        means = dsa.from_delayed(done[0], (len(names), *shape), dtype=dtype)
        count = dsa.from_delayed(done[1], shape, dtype="int32")
        data = xr.Dataset(
            {
                **{n: (dims, means[k], attrs[n]) for k, n in enumerate(names)},
                "count": (dims, count, dict(_COUNT_ATTRS)),
            },
            coords=coords,
        )
        label = ",".join(item.name for _, item in members)
        layers.append(Layer(members[0][0], label, data, data["count"] > 0, lon=centre))
    cube = stack(layers, request.groupby)
    cube = cube.assign_coords(products=("time", [len(m) for m in groups.values()]))
    cube["products"].attrs["long_name"] = "products binned into the step"
    cube.attrs.update(_dataset_attrs(kind, product_type, geobox, min_qa, invalid_bit))
    return cube  # load() applies chunks= (y/x are latitude/longitude here)


def temporal_mean(cube: xr.Dataset, freq: str = "1MS") -> xr.Dataset:
    """The count-weighted mean of a binned ``cube`` per period of ``freq`` (a pandas offset:
    ``"1MS"`` calendar months, ``"7D"`` weeks...): every pixel of the period weighs the same,
    whichever day it was seen, and ``count`` is the period's total."""
    if "count" not in cube.data_vars or "time" not in cube.dims:
        raise ValueError(
            "temporal_mean() needs a binned swath cube (with a time dimension and a 'count' "
            "variable, from load() of Sentinel-5P or Sentinel-3 OLCI products); got one with "
            f"dims {tuple(cube.dims)} and variables {sorted(map(str, cube.data_vars))}"
        )
    along = [n for n, c in cube.coords.items() if n != "time" and "time" in c.dims]
    cube = cube.drop_vars(along)
    count = cube["count"].fillna(0)
    total = count.resample(time=freq).sum()
    out = {}
    for name, var in cube.data_vars.items():
        if name == "count" or var.dims != count.dims:
            continue
        summed = (var.fillna(0) * count).resample(time=freq).sum()
        out[name] = (summed / total.where(total > 0)).astype(var.dtype)
        out[name].attrs = dict(var.attrs)
    out["count"] = total.astype("int32")
    out["count"].attrs = dict(cube["count"].attrs)
    result = xr.Dataset(out, attrs=dict(cube.attrs))
    result.attrs["temporal_mean"] = f"count-weighted mean of the time steps per {freq}"
    return result


# -- what the products are ----------------------------------------------------------------------


def _kind(items: Sequence[Item]) -> tuple[str, str]:
    """``("s5p" | "olci", product type)``, the same for every item, else a clear error."""
    found: dict[tuple[str, str], str] = {}
    for item in items:
        if item.family.key == "sentinel-5p":
            from ..readers.families import NAMES

            match = NAMES["sentinel-5p"].match(item.name)
            ptype = match.group("product_type") if match else _s5p_type(item)
            if not ptype.startswith("L2__"):
                raise UnsupportedProduct(
                    f"{item.name}: a {ptype} product; Sentinel-5P cubes are made of Level-2 "
                    "products (L2__NO2___, L2__CO____...)"
                )
            found.setdefault(("s5p", ptype), item.name)
        else:
            ptype = item.name[4:15]
            if ptype not in OLCI_TYPES:
                raise UnsupportedProduct(
                    f"{item.name}: Sentinel-3 cubes are made of OLCI Level-1 products "
                    f"({', '.join(OLCI_TYPES)}); open other Sentinel-3 products with "
                    "open_product()"
                )
            found.setdefault(("olci", ptype), item.name)
    if len(found) > 1:
        kinds = ", ".join(f"{t} (e.g. {n})" for (_, t), n in found.items())
        raise ValueError(
            f"load(): the products are of several types ({kinds}); a swath cube holds one "
            "product type: search one"
        )
    return next(iter(found))


def _s5p_type(item: Item) -> str:
    from ..readers import sentinel5p

    return sentinel5p.read_metadata(item.source).product_type


def _min_qa(kind: str, product_type: str, options: Any) -> float | None:
    if "min_qa" not in options:
        return S5P_MIN_QA.get(product_type, 0.5) if kind == "s5p" else None
    value = options["min_qa"]
    if kind == "olci":
        raise ValueError(
            f"min_qa={value!r}: Sentinel-3 OLCI products have no qa_value (their pixels flagged "
            "invalid are dropped); min_qa applies to Sentinel-5P products"
        )
    if value is None:
        return None
    number = math.nan
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        number = float(value)
    if not 0.0 <= number <= 1.0:
        raise ValueError(
            f"min_qa={value!r}: expected a qa_value threshold between 0 and 1 (ESA recommends "
            "0.75 for the NO2 tropospheric column, 0.5 for CO), or None to keep every pixel"
        )
    return number


def _variables(kind: str, product_type: str, asked: tuple[str, ...] | None) -> tuple[str, ...]:
    if asked is not None:
        reserved = [n for n in asked if n in ("count", "qa_value", "latitude", "longitude")]
        if reserved:
            raise ValueError(
                f"variables: {reserved!r} cannot be binned (count is the cube's own; qa_value, "
                "latitude and longitude say where and how good the pixels are); expected "
                "measurements such as 'nitrogendioxide_tropospheric_column' or 'Oa08_radiance'"
            )
        return asked
    if kind == "olci":
        return OLCI_VARIABLES
    if product_type not in S5P_VARIABLES:
        raise ValueError(
            f"{product_type} products have no default variable here; give variables= (e.g. "
            "the names open_product() shows in its PRODUCT group)"
        )
    return (S5P_VARIABLES[product_type],)


def _time(item: Item, kind: str) -> np.datetime64:
    start: datetime | None = item.start
    if start is None:
        if kind == "s5p":
            from ..readers import sentinel5p as reader
        else:
            from ..readers import sentinel3 as reader  # type: ignore[no-redef]
        start = reader.read_metadata(item.source).start
    if start is None:
        raise ValueError(f"{item.name}: no sensing time in its catalogue record or metadata")
    return np.datetime64(start.replace(tzinfo=None), "ns")


# -- the grid -----------------------------------------------------------------------------------


def _grid(items: Sequence[Item], request: CubeRequest, kind: str) -> Any:
    from odc.geo import CRS

    crs = request.geobox.crs if request.geobox is not None else request.crs
    if crs is not None and crs.epsg != 4326:
        raise ValueError(
            f"crs={str(crs)!r}: swath products are binned onto a latitude/longitude grid; "
            "expected crs=None or 'EPSG:4326' (reproject the cube afterwards if needed)"
        )
    if request.resolution is not None and request.resolution > 5:
        raise ValueError(
            f"resolution={request.resolution!r}: swath cubes are in degrees (EPSG:4326); "
            "expected a cell size such as 0.05 (about 5 km) or 0.003 (about 300 m)"
        )
    native = S5P_RESOLUTION if kind == "s5p" else OLCI_RESOLUTION
    if request.geobox is not None or request.bbox is not None:
        return target_geobox(request, [], native_resolution=native, default_crs=CRS("EPSG:4326"))
    if kind == "s5p":
        raise ValueError(
            "bbox=(west, south, east, north) is needed for Sentinel-5P: an orbit runs pole to "
            "pole (half the globe: 7200 x 3600 cells at 0.05 degrees per step); give the area "
            "of interest in degrees, e.g. bbox=(-5, 42, 10, 52)"
        )
    bounds = np.array([_footprint_bounds(i) for i in items])
    bbox = (
        max(float(bounds[:, 0].min()), -180.0),
        max(float(bounds[:, 1].min()), -90.0),
        min(float(bounds[:, 2].max()), 180.0),
        min(float(bounds[:, 3].max()), 90.0),
    )
    geobox = target_geobox(
        replace(request, bbox=bbox), [], native_resolution=native, default_crs=CRS("EPSG:4326")
    )
    if geobox.shape.x * geobox.shape.y > MAX_DEFAULT_CELLS:
        raise ValueError(
            f"the products' footprints span {bbox} (degrees): {geobox.shape.y} x "
            f"{geobox.shape.x} cells per step; give bbox= (the area of interest) or a coarser "
            "resolution="
        )
    return geobox


def _footprint_bounds(item: Item) -> tuple[float, float, float, float]:
    footprint = item.product.footprint if item.product is not None else None
    if footprint:
        from shapely.geometry import shape

        return tuple(shape(footprint).bounds)  # type: ignore[return-value]
    from ..readers import sentinel3

    ring = sentinel3.read_metadata(item.source).footprint
    if not ring:
        raise ValueError(
            f"{item.name}: no footprint in its catalogue record or manifest; give bbox="
        )
    lons, lats = zip(*ring, strict=True)
    return min(lons), min(lats), max(lons), max(lats)


def _dataset_attrs(
    kind: str, product_type: str, geobox: Any, min_qa: float | None, invalid_bit: int | None
) -> dict[str, Any]:
    mission = "Sentinel-5P" if kind == "s5p" else "Sentinel-3 OLCI"
    out = {
        "title": f"{mission} {product_type} binned onto a {abs(geobox.resolution.x):g} degree grid",
        "crs": str(geobox.crs),
        "binning": _BINNING,
    }
    if kind == "s5p":
        out["min_qa"] = "none" if min_qa is None else min_qa
    else:
        out["quality"] = (
            "pixels flagged invalid in quality_flags dropped"
            if invalid_bit is not None
            else "no quality_flags 'invalid' bit found: no pixel dropped"
        )
    return out
