"""Sentinel-5P TROPOMI Level-1B and Level-2 products: one netCDF-4 file of groups, a DataTree.

An L2 product (``S5P_OFFL_L2__NO2____<start>_<end>_<orbit>_<collection>_<processor>_<made>.nc``)
is a single netCDF-4 file::

    /                  global attributes (id, orbit, time_coverage_start/end, processor_version…)
    PRODUCT/           the swath: dims time (1), scanline, ground_pixel (+ corner, layer…);
                       latitude, longitude, delta_time, time_utc, qa_value, the geophysical columns
    PRODUCT/SUPPORT_DATA/GEOLOCATIONS|DETAILED_RESULTS|INPUT_DATA
    METADATA/          GRANULE_DESCRIPTION, QA_STATISTICS, ALGORITHM_SETTINGS and the ISO/EOP/ESA
                       metadata trees as group attributes (hundreds of groups in real files)

The main data group is ``PRODUCT`` in the TROPOMI L2 products, ``BAND<n>_NPPC`` (with
``STANDARD_MODE`` under it) in the NPP-VIIRS cloud products ``L2__NP_BD3/6/7`` and
``BAND<n>_RADIANCE`` (``STANDARD_MODE/OBSERVATIONS|GEODATA|INSTRUMENT``) in the L1B radiance
products ``L1B_RA_BD1..8``: the reader takes whichever top-level group is not ``METADATA``.
The gridded tropospheric ozone ``L2__O3_TCL`` has no swath: its ``PRODUCT`` is on the 1-D
coordinates ``latitude_ccd``/``longitude_ccd`` (and ``latitude_csa``/``longitude_csa``).

As xarray: the DataTree of the file, one node per group, root attributes the global attributes.
Every swath variable carries a leading ``time`` dimension of length 1 (the orbit's reference
day); it is dropped, so variables are ``(scanline, ground_pixel, …)``, the reference day becomes
the scalar coordinate ``time_reference`` and ``time`` is the per-scanline measurement time
(``time_reference + delta_time``). ``latitude``/``longitude`` (pixel centres) are 2-D
coordinates; the SUPPORT_DATA groups carry them (and ``time``) too. In L1B and NPP files the
positions are in ``GEODATA`` and the scanline times in ``OBSERVATIONS`` (L1B) or ``GEODATA``
(NPP): every group of the mode gets the swath coordinates of its sibling groups. ``qa_value``
is decoded to 0..1 (the file stores uint8 with ``scale_factor`` 0.01); ESA recommends ignoring
pixels below a product-specific threshold (0.75 for NO2, 0.5 for CO and most others), which
``min_qa`` applies.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import xarray as xr

from ..errors import ProductNotFound, UnsupportedProduct
from ._closing import closing
from ._subset import names, select_tree
from ._times import parse_utc
from .families import NAMES
from .netcdf import checked_chunks, checked_manager, group_paths, open_netcdf, open_netcdf_tree
from .options import check_bool
from .source import ProductSource

__all__ = ["S5PMetadata", "main_group", "open", "read_metadata"]

METADATA_GROUP = "METADATA"

NAME = NAMES["sentinel-5p"]

#: Coordinates of the main group that its SUPPORT_DATA groups get too.
SWATH_COORDS = ("latitude", "longitude", "time", "time_reference")

#: qa_value steps are 0.01 stored as float32: compare with this much slack so that a pixel at
#: exactly ``min_qa`` is kept.
_QA_SLACK = 1e-6


@dataclass(frozen=True)
class S5PMetadata:
    """What an S5P L2 file says about itself (global attributes and ``GRANULE_DESCRIPTION``)."""

    name: str
    """The product's identifier (the file name without ``.nc``)."""
    product_type: str
    """E.g. ``L2__NO2___``, ``L2__CO____``, ``L2__NP_BD3``, ``L1B_RA_BD3``."""
    processing_mode: str | None
    """``OFFL``, ``NRTI``, ``RPRO`` or ``PAL_`` (from the name, else the metadata)."""
    orbit: int | None
    start: datetime | None
    """``time_coverage_start`` (UTC)."""
    end: datetime | None
    processor_version: str | None
    product_version: str | None
    collection: str | None
    """The data collection (``01``, ``02``, ``03``…), from the product name."""
    title: str | None
    main_group: str
    """The group holding the data: ``PRODUCT`` (``BAND<n>_NPPC`` in NPP-VIIRS cloud products,
    ``BAND<n>_RADIANCE`` in L1B products)."""
    attributes: dict[str, Any] = field(default_factory=dict, repr=False)
    """Every global attribute, as xarray decodes them."""
    granule: dict[str, Any] = field(default_factory=dict, repr=False)
    """The attributes of ``METADATA/GRANULE_DESCRIPTION``."""


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    variables: str | Sequence[str] | None = None,
    scale: bool = True,
    min_qa: float | None = None,
    metadata: bool = True,
) -> xr.DataTree:
    """The S5P L2 file of ``source`` as a lazy DataTree (see the module docstring).

    ``variables``: only these data variables (``["nitrogendioxide_tropospheric_column"]``), in
    whichever groups hold them (the other groups keep their coordinates and attributes).
    ``scale=False``: the stored numbers (``qa_value`` as its uint8 0..100, fill values kept)
    with their ``scale_factor``/``add_offset``/``_FillValue`` attributes.
    ``min_qa``: set the main group's pixel variables to NaN where ``qa_value < min_qa`` (lazy
    with dask; without dask, ``chunks=None``, the masked variables are computed when opened).
    ``metadata=False`` leaves out the ``METADATA`` groups (hundreds of groups in real files).
    An empty, foreign or truncated file is refused naming it.
    """
    threshold = _check_min_qa(min_qa)
    metadata = check_bool("metadata", metadata)
    scale = check_bool("scale", scale)
    wanted = names(variables, "['nitrogendioxide_tropospheric_column']")
    if threshold is not None and not scale:
        raise ValueError(
            f"min_qa={min_qa!r} with scale=False: masking puts NaN in the stored integers; "
            "expected scale=True (the default) with min_qa, or min_qa=None"
        )
    rel = _netcdf_file(source)
    # one open file for the listing and every group; refused naming it if empty or damaged
    manager = checked_manager(source, rel, "a Sentinel-5P netCDF-4 file")
    paths = _group_paths(source, rel, manager)
    main = main_group(paths, source)
    wanted_groups = [p for p in paths if metadata or not _in_group(p, METADATA_GROUP)]
    chunks = checked_chunks(chunks, source, rel, manager, wanted_groups, "the product's variables")
    tree = open_netcdf_tree(
        source, rel, chunks=chunks, groups=wanted_groups, manager=manager, mask_and_scale=scale
    )
    datasets: dict[str, xr.Dataset] = {}
    shared: dict[str, dict[str, xr.Variable]] = {}
    masked = False
    for node in tree.subtree:  # parents before children
        ds = node.to_dataset(inherit=False)
        parent = node.parent.path if node.parent is not None else ""
        if _in_group(node.path, main):
            ds, shared[node.path] = _decode_swath(ds, shared.get(parent, {}))
            if threshold is not None and "qa_value" in ds.data_vars:
                ds = _mask(ds, threshold)
                masked = True
        datasets[node.path] = ds
    _share_siblings(datasets, main)
    if threshold is not None and not masked:
        raise UnsupportedProduct(
            f"min_qa={min_qa!r}: {source.location} has no qa_value variable in its {main} "
            "group to mask with"
        )
    datasets = select_tree(datasets, wanted, source.location)
    result = xr.DataTree.from_dict(datasets)
    result.attrs = dict(tree.attrs)
    return closing(result, [tree])


def read_metadata(source: ProductSource) -> S5PMetadata:
    """The product's identity from its global and granule attributes (no pixel read)."""
    rel = _netcdf_file(source)
    paths = _group_paths(source, rel)
    main = main_group(paths, source)
    with open_netcdf(source, rel, chunks=None) as root:
        attrs = dict(root.attrs)
    granule: dict[str, Any] = {}
    if "/METADATA/GRANULE_DESCRIPTION" in paths:
        with open_netcdf(source, rel, group="/METADATA/GRANULE_DESCRIPTION", chunks=None) as g:
            granule = dict(g.attrs)
    name = _text(attrs.get("id")) or source.name.removesuffix(".nc")
    parsed = NAME.match(name) or NAME.match(source.name)
    fields = parsed.groupdict() if parsed else {}
    product_type = _text(granule.get("ProductShortName")) or fields.get("product_type")
    if not product_type:
        raise UnsupportedProduct(
            f"{source.location}: no product type (METADATA/GRANULE_DESCRIPTION "
            "ProductShortName) and a name that is not an S5P product name"
        )
    orbit = _integer(attrs.get("orbit"))
    if orbit is None and fields.get("orbit"):
        orbit = int(fields["orbit"])
    return S5PMetadata(
        name=name,
        product_type=product_type,
        processing_mode=fields.get("mode") or _text(granule.get("ProcessingMode")),
        orbit=orbit,
        start=parse_utc(_text(attrs.get("time_coverage_start") or granule.get("GranuleStart"))),
        end=parse_utc(_text(attrs.get("time_coverage_end") or granule.get("GranuleEnd"))),
        processor_version=_text(attrs.get("processor_version"))
        or _text(granule.get("ProcessorVersion")),
        product_version=_text(attrs.get("product_version")),
        collection=fields.get("collection"),
        title=_text(attrs.get("title")),
        main_group=main,
        attributes=attrs,
        granule=granule,
    )


def main_group(paths: list[str], source: ProductSource | None = None) -> str:
    """The data group among the file's ``paths``: the first top-level group that is not
    ``METADATA`` (``PRODUCT``; ``BAND<n>_NPPC`` in NPP-VIIRS cloud products,
    ``BAND<n>_RADIANCE`` in L1B products)."""
    for path in paths:
        parts = path.strip("/").split("/")
        if len(parts) == 1 and parts[0] and parts[0] != METADATA_GROUP:
            return parts[0]
    where = source.location if source is not None else "the file"
    raise UnsupportedProduct(
        f"{where} has no data group (expected PRODUCT, BAND<n>_NPPC for NP_BD* products or "
        "BAND<n>_RADIANCE for L1B products); "
        f"groups: {', '.join(paths)}"
    )


# -- helpers -----------------------------------------------------------------------------------


def _check_min_qa(min_qa: Any) -> float | None:
    if min_qa is None:
        return None
    if isinstance(min_qa, bool) or not isinstance(min_qa, (int, float, np.integer, np.floating)):
        raise ValueError(f"min_qa={min_qa!r}: expected a number between 0 and 1, or None")
    value = float(min_qa)
    if not (0.0 <= value <= 1.0) or math.isnan(value):
        raise ValueError(
            f"min_qa={min_qa!r}: qa_value runs from 0 (no data) to 1 (full quality); expected a "
            "threshold between 0 and 1 (ESA recommends 0.75 for NO2, 0.5 for CO)"
        )
    return value


def _netcdf_file(source: ProductSource) -> str:
    """The netCDF file of the product: the source itself, or the one ``.nc`` in a folder/zip."""
    return "" if source.single_file else source.find_one("*.nc", "Sentinel-5P netCDF file")


def _group_paths(source: ProductSource, rel: str, manager: Any = None) -> list[str]:
    try:
        return group_paths(source, rel, manager)
    except ProductNotFound:
        raise
    except (OSError, ValueError) as err:
        raise UnsupportedProduct(
            f"{source.location}{'/' + rel if rel else ''} is not a readable netCDF-4/HDF5 "
            f"file: {err}"
        ) from err


def _in_group(path: str, group: str) -> bool:
    path = path.strip("/")
    return path == group or path.startswith(group + "/")


def _decode_swath(
    ds: xr.Dataset, inherited: dict[str, xr.Variable]
) -> tuple[xr.Dataset, dict[str, xr.Variable]]:
    """Drop the length-1 ``time`` dimension, turn ``delta_time`` into a per-scanline ``time``
    coordinate, make latitude/longitude coordinates, and give the group the swath coordinates
    of its parent groups (DataTree only inherits indexed coordinates). Returns the dataset and
    the coordinates its children share."""
    if "time" in ds.dims and ds.sizes["time"] == 1:
        ds = ds.isel(time=0)
        if "time" in ds.variables:
            ds = ds.rename_vars(time="time_reference")
    if "time_reference" in ds.variables:
        reference = ds["time_reference"].values
    elif "time_reference" in inherited:
        reference = inherited["time_reference"].values
    else:
        reference = None
    coords = [
        name for name in ("latitude", "longitude", "delta_time", "time_utc") if name in ds.data_vars
    ]
    ds = ds.set_coords(coords)
    if "delta_time" in ds.variables and ds["delta_time"].dims == ("scanline",):
        times = _scanline_times(ds["delta_time"], reference)
        if times is not None:
            # the Variable, not .data: without dask, .data would read the values now
            variable = times.variable.copy(deep=False)
            variable.attrs = {"long_name": "start time of the scanline's measurements"}
            variable.encoding = {}
            ds = ds.assign_coords(time=variable)
    if "scanline" in ds.dims:
        ds = ds.assign_coords(
            {
                name: var
                for name, var in inherited.items()
                if name not in ds.variables
                and all(ds.sizes.get(d) == n for d, n in var.sizes.items())
            }
        )
    shared = {name: ds[name].variable for name in SWATH_COORDS if name in ds.coords}
    return ds, {**inherited, **shared}


def _share_siblings(datasets: dict[str, xr.Dataset], main: str) -> None:
    """Give each group of the ``main`` tree the swath coordinates (:data:`SWATH_COORDS`) its
    sibling groups have and it lacks (L1B/NPP: positions in ``GEODATA``, scanline times in
    ``OBSERVATIONS``), where the sizes agree. In place."""
    families: dict[str, list[str]] = {}
    for path in datasets:
        if _in_group(path, main) and path.strip("/") != main:
            families.setdefault(path.rstrip("/").rsplit("/", 1)[0], []).append(path)
    for paths in families.values():
        offered: dict[str, xr.Variable] = {}
        for path in paths:
            for name in SWATH_COORDS:
                if name in datasets[path].coords:
                    offered.setdefault(name, datasets[path][name].variable)
        for path in paths:
            ds = datasets[path]
            extra = {
                name: var
                for name, var in offered.items()
                if name not in ds.variables
                and "scanline" in ds.dims
                and all(ds.sizes.get(d) == n for d, n in var.sizes.items())
            }
            if extra:
                datasets[path] = ds.assign_coords(extra)


def _scanline_times(delta: xr.DataArray, reference: Any) -> xr.DataArray | None:
    """``delta_time`` as datetimes: decoded by xarray when its units name an epoch
    (``milliseconds since 2020-03-03 00:00:00``), else added to the reference time."""
    if np.issubdtype(delta.dtype, np.datetime64):
        return delta
    if reference is None or not np.issubdtype(np.asarray(reference).dtype, np.datetime64):
        return None
    if np.issubdtype(delta.dtype, np.timedelta64):
        return reference + delta
    units = str(delta.attrs.get("units", "milliseconds")).split()[0].lower()
    unit = {"milliseconds": "ms", "seconds": "s", "microseconds": "us"}.get(units)
    if unit is None or not np.issubdtype(delta.dtype, np.number):
        return None
    return reference + (delta * np.timedelta64(1, unit).astype("timedelta64[ns]")).astype(
        "timedelta64[ns]"
    )


def _mask(ds: xr.Dataset, threshold: float) -> xr.Dataset:
    """NaN where ``qa_value < threshold`` in every pixel variable (qa_value itself kept): the
    variables over qa_value's dimensions (scanline and ground_pixel; the O3_TCL grid's
    latitude_ccd and longitude_ccd)."""
    keep = ds["qa_value"] >= threshold - _QA_SLACK
    pixel = set(ds["qa_value"].dims)
    masked = {}
    for name, var in ds.data_vars.items():
        if name != "qa_value" and pixel <= set(var.dims):
            masked[name] = var.where(keep)
            masked[name].attrs = dict(var.attrs)
            masked[name].attrs["cdse_min_qa"] = threshold
    out = ds.assign(masked)
    out.attrs["cdse_min_qa"] = threshold
    return out


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray):
        if value.size != 1:
            return None
        return _text(value.reshape(()).item())
    text = str(value).strip()
    return text or None


def _integer(value: Any) -> int | None:
    if value is None:
        return None
    array = np.asarray(value)
    if array.size != 1:
        return None
    item = array.reshape(()).item()
    if isinstance(item, bytes):
        item = item.decode("ascii", "replace")
    try:
        return int(str(item).strip())
    except ValueError:
        return None
