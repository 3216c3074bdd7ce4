"""EOPF Zarr products (CDSE's new product format) as one lazy :class:`xarray.DataTree`.

ESA's Earth Observation Processing Framework (EOPF) re-packages Sentinel products as a Zarr
hierarchy in a ``<Name>.zarr`` folder (zipped when downloaded). What matters for reading it:

- Current products are Zarr v2 with consolidated metadata (``.zmetadata`` at the root, besides
  ``.zgroup``/``.zattrs``/``.zarray`` per node); Zarr v3 (``zarr.json``, consolidated inside it)
  reads the same way. The format is found from those files, never from the name.
- The hierarchy holds every resolution in its own group with its own ``x``/``y`` (Sentinel-2
  L2A: ``measurements/reflectance/r10m|r20m|r60m``, ``conditions/mask/l2a_classification/r20m``,
  ``conditions/geometry`` on a 5 km angle grid, ``conditions/meteorology/cams|ecmwf`` on
  lat/lon, ``quality/atmosphere|probability|mask|l2a_quicklook/...``). Dimensions come from the
  arrays' ``_ARRAY_DIMENSIONS``, as xarray writes them. Sentinel-1 GRD holds one sub-product
  group per polarisation (``S01SIWGRD_..._VV/measurements/grd`` on ``azimuth_time``/
  ``ground_range``: radar axes, no CRS); Sentinel-3 OLCI EFR ``measurements/oa01_radiance``..
  on ``rows``/``columns`` with ``latitude``/``longitude`` arrays beside them.
- Arrays carry CF encodings: reflectance is ``uint16`` with ``scale_factor`` 1e-4,
  ``add_offset`` -0.1 (the -1000 DN offset of processing baselines 04.00 and later) and Zarr
  ``fill_value`` 0 (no data). EOPF repeats the encoding in ``_eopf_attrs`` (``scale_factor``,
  ``add_offset``, ``fill_value`` with ``eopf_is_masked``), and the grid of every gridded array
  in STAC ``proj:epsg``/``proj:wkt2``/``proj:transform``/``proj:shape`` attributes.
- The root attributes are ``stac_discovery`` (the STAC item: ``properties`` with platform,
  ``eopf:baseline``, ``eo:cloud_cover``, orbits, ``start_datetime``/``end_datetime``; its
  ``datetime`` is null) and ``other_metadata`` (``horizontal_CRS_code``, mean sensing time,
  band descriptions, quality flags...).

How it maps to xarray: :func:`open` returns the whole hierarchy as a DataTree read through the
source's fsspec mapper (a local zip read in place, a folder, or ``cdse://`` by range; zarr 3
wraps synchronous filesystems in fsspec's ``AsyncFileSystemWrapper``), with dask chunks equal to
the Zarr chunks. With ``scale=True`` values are physical (reflectance as reflectance, no-data as
NaN), from the CF attributes or, where only EOPF's ``_eopf_attrs`` has them, from those. Gridded
groups (``x``/``y`` dimensions) get a ``spatial_ref`` coordinate (CRS and transform, what
rioxarray's ``.rio`` reads); every group with data gets a scalar ``time`` coordinate (the STAC
``datetime``, else ``start_datetime``) unless it has its own (the meteorology groups' forecast
time); the arrays an array's ``_eopf_attrs["coordinates"]`` names become coordinates
(:mod:`._eopf_coords`); the root attributes add a flat summary of the STAC properties to EOPF's own
``stac_discovery``/``other_metadata``.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import xarray as xr
from zarr.storage import FsspecStore

from ..errors import ProductNotFound, UnsupportedProduct
from ._eopf_coords import promote_coordinates
from ._eopf_select import select
from ._partial import check_member, warn_missing
from ._times import parse_utc
from .options import check_bool, check_chunks, check_names
from .raster import axis_attrs
from .source import ProductSource

__all__ = ["EOPFMetadata", "open", "read_metadata"]

#: Root metadata files, in the order they are looked for: (file, Zarr format, consolidated).
_ROOTS = ((".zmetadata", 2, True), ("zarr.json", 3, None), (".zgroup", 2, False))


@dataclass(frozen=True)
class EOPFMetadata:
    """The essentials of an EOPF product, from its root attributes (no array is read)."""

    id: str | None
    """The STAC item id (EOPF keeps the SAFE name, e.g. ``S2A_MSIL2A_…_T32TQM_….SAFE``)."""
    product_type: str | None
    """EOPF product type, e.g. ``S02MSIL2A``."""
    platform: str | None
    constellation: str | None
    instrument: str | None
    processing_level: str | None
    processing_baseline: str | None
    """``eopf:baseline``, e.g. ``05.11``."""
    start: datetime | None
    end: datetime | None
    time: datetime | None
    """The acquisition time: STAC ``datetime``, else ``start_datetime`` (UTC)."""
    mean_sensing_time: datetime | None
    cloud_cover: float | None
    snow_cover: float | None
    absolute_orbit: int | None
    relative_orbit: int | None
    orbit_state: str | None
    data_take_id: str | None
    crs: str | None
    """The product's CRS as ``EPSG:<code>`` (from ``proj:epsg`` or ``horizontal_CRS_code``)."""
    bbox: tuple[float, ...] | None
    geometry: dict[str, Any] | None
    zarr_format: int
    consolidated: bool
    properties: dict[str, Any] = field(repr=False)
    """All of ``stac_discovery.properties``."""
    other_metadata: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class _Root:
    zarr_format: int
    consolidated: bool
    attrs: dict[str, Any]
    arrays: dict[str, str] = field(default_factory=dict)
    """Consolidated products: each array's path -> the metadata file its folder must hold."""


def read_metadata(source: ProductSource, root: _Root | None = None) -> EOPFMetadata:
    """The product's STAC properties and ``other_metadata`` essentials (reads 1-2 JSON files;
    ``root``: the root metadata when already read)."""
    root = root or _root(source)
    stac = root.attrs.get("stac_discovery") or {}
    other = root.attrs.get("other_metadata") or {}
    if not isinstance(stac, Mapping) or not isinstance(other, Mapping):
        raise UnsupportedProduct(
            f"{source.location}: the root attributes stac_discovery/other_metadata are not "
            "objects; is this an EOPF product?"
        )
    props = dict(stac.get("properties") or {})
    start = parse_utc(props.get("start_datetime"))
    epsg = props.get("proj:epsg")
    crs = f"EPSG:{epsg}" if epsg else other.get("horizontal_CRS_code")
    bbox = stac.get("bbox")
    return EOPFMetadata(
        id=stac.get("id"),
        product_type=props.get("product:type"),
        platform=props.get("platform"),
        constellation=props.get("constellation"),
        instrument=props.get("instrument"),
        processing_level=props.get("processing:level"),
        processing_baseline=props.get("eopf:baseline"),
        start=start,
        end=parse_utc(props.get("end_datetime")),
        time=parse_utc(props.get("datetime")) or start,
        mean_sensing_time=parse_utc(other.get("mean_sensing_time")),
        cloud_cover=_number(props.get("eo:cloud_cover"), float),
        snow_cover=_number(props.get("eo:snow_cover"), float),
        absolute_orbit=_number(props.get("sat:absolute_orbit"), int),
        relative_orbit=_number(props.get("sat:relative_orbit"), int),
        orbit_state=props.get("sat:orbit_state"),
        data_take_id=props.get("eopf:data_take_id"),
        crs=crs,
        bbox=tuple(float(v) for v in bbox) if bbox else None,
        geometry=stac.get("geometry"),
        zarr_format=root.zarr_format,
        consolidated=root.consolidated,
        properties=props,
        other_metadata=dict(other),
    )


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    scale: bool = True,
    variables: Sequence[str] | str | None = None,
    decode: bool | None = None,
) -> xr.DataTree:
    """The whole EOPF product as a lazy DataTree (groups as in the product).

    ``chunks``: ``"auto"`` (one dask chunk per Zarr chunk), a dict of dimension sizes (one no
    array has is refused) or an int, or None (lazy, no dask). ``scale``: physical values
    (scale/offset applied, no-data as NaN); False keeps the stored numbers with their
    ``scale_factor``/``add_offset``/``_FillValue`` attributes (``decode``: its former name).
    ``variables``: only these data variables, by path (``"measurements/reflectance/r10m/b04"``)
    or bare name (``"b04"``: that name in every group); the tree keeps the groups holding them
    and their parents' coordinates. A name or path the product lacks is refused, listing its own.

    Absent arrays: in a consolidated product (``.zmetadata``, or a ``zarr.json`` with
    consolidated metadata) read from a local zip or folder, an array the metadata lists whose
    folder lacks its metadata file (``.zarray``/``zarr.json``) is left out and named in one
    ``PartialProductWarning`` (not when ``variables`` left it out; asked for by path, refused).
    Not detected: absent chunk files of an array whose metadata is there (Zarr omits chunks of
    fill values, so they read as the fill value), unconsolidated and remote products.
    """
    if decode is not None:
        warnings.warn(
            "the EOPF reader's decode= is now scale=, as for the other readers",
            DeprecationWarning,
            stacklevel=2,
        )
        scale = check_bool("decode", decode)
    decode = check_bool("scale", scale)
    wanted = check_names("variables", variables, "['b04', 'b08'] or 'measurements/.../b04'")
    dask_chunks = _dask_chunks(chunks)
    root = _root(source)
    meta = read_metadata(source, root)
    try:
        tree = xr.open_datatree(
            _store(source),
            engine="zarr",
            consolidated=meta.consolidated,
            zarr_format=meta.zarr_format,
            chunks=dask_chunks,
            mask_and_scale=decode,
        )
    except (FileNotFoundError, KeyError, ValueError) as err:
        raise UnsupportedProduct(
            f"{source.location}: cannot open the Zarr hierarchy: {err}"
        ) from err
    if isinstance(chunks, Mapping):
        dims = {str(d) for node in tree.subtree for d in node.dims}
        check_chunks(chunks, {d: d for d in dims}, what="the product's arrays")
    absent = _absent_arrays(source, root)
    time = np.datetime64(meta.time.replace(tzinfo=None), "ns") if meta.time else None
    datasets = {
        node.path: promote_coordinates(node.to_dataset(inherit=False)) for node in tree.subtree
    }
    for path in absent:
        group, _, name = f"/{path}".rpartition("/")
        ds = datasets.get(group or "/")
        if ds is not None and name in ds.variables:
            datasets[group or "/"] = ds.drop_vars(name)
    if wanted is not None:
        datasets = select(source, datasets, wanted, absent)
    else:
        warn_missing(source.location, [f"{p}/" for p in absent], "arrays")
    groups = {path: _finish(ds, meta, time, decode) for path, ds in datasets.items()}
    root_ds = groups["/"]
    root_ds.attrs = {**_summary(meta), **root_ds.attrs}
    if time is not None and "time" not in root_ds.variables:
        groups["/"] = root_ds.assign_coords(time=time)
    return xr.DataTree.from_dict(groups, name=tree.name)


def _absent_arrays(source: ProductSource, root: _Root) -> list[str]:
    """The arrays the consolidated metadata lists whose metadata file is absent (see open)."""
    files = set(source.files()) if root.arrays and source.origin != "remote" else None
    return [p for p, rel in root.arrays.items() if rel not in files] if files else []


# -- the root --------------------------------------------------------------------------------------
def _root(source: ProductSource) -> _Root:
    """Which Zarr format the product is and its root attributes, from its root metadata file."""
    if source.single_file:
        raise UnsupportedProduct(
            f"{source.location} is a single file, not an EOPF Zarr product folder"
        )
    for rel, zarr_format, consolidated in _ROOTS:
        try:
            raw = source.read_bytes(rel)
        except ProductNotFound:
            continue
        doc = _json(source, rel, raw)
        if rel == ".zmetadata":
            metadata = doc.get("metadata")
            if not isinstance(metadata, dict):
                raise UnsupportedProduct(
                    f"{source.location}: {rel} has no 'metadata' object (not consolidated Zarr)"
                )
            arrays = {key[: -len("/.zarray")]: key for key in metadata if key.endswith("/.zarray")}
            return _Root(2, True, dict(metadata.get(".zattrs") or {}), arrays)
        if rel == "zarr.json":
            if doc.get("zarr_format") != 3 or doc.get("node_type") != "group":
                raise UnsupportedProduct(
                    f"{source.location}: {rel} is not the metadata of a Zarr v3 group "
                    f"(zarr_format={doc.get('zarr_format')!r}, node_type={doc.get('node_type')!r})"
                )
            inner = doc.get("consolidated_metadata")
            consolidated = isinstance(inner, dict)
            nodes = (inner or {}).get("metadata") if consolidated else None
            arrays = {
                path: f"{path}/zarr.json"
                for path, node in (nodes if isinstance(nodes, dict) else {}).items()
                if isinstance(node, dict) and node.get("node_type") == "array"
            }
            return _Root(3, consolidated, dict(doc.get("attributes") or {}), arrays)
        try:
            attrs = _json(source, ".zattrs", source.read_bytes(".zattrs"))
        except ProductNotFound:
            attrs = {}
        return _Root(zarr_format, False, attrs)
    raise UnsupportedProduct(
        f"{source.location} is not a Zarr product: it has none of "
        + ", ".join(rel for rel, _, _ in _ROOTS)
        + " at its root"
    )


def _json(source: ProductSource, rel: str, raw: bytes) -> dict[str, Any]:
    check_member(source.location, rel, raw[:16], len(raw))
    try:
        doc = json.loads(raw)
    except ValueError as err:
        raise UnsupportedProduct(f"{source.location}: {rel} is not valid JSON: {err}") from err
    if not isinstance(doc, dict):
        raise UnsupportedProduct(f"{source.location}: {rel} is not a JSON object")
    return doc


class _ProductStore(FsspecStore):
    """zarr's fsspec store (picklable: it carries the filesystem) with a cheap dask token.

    Without one, dask tokenizes the store by pickling it, and each unpickled zip filesystem
    re-reads the zip's central directory: seconds per product when xarray chunks its groups.
    """

    token: tuple[Any, ...] = ()

    def __dask_tokenize__(self) -> tuple[Any, ...]:
        return (type(self).__name__, self.token, self.path, self.read_only)

    def with_read_only(self, read_only: bool = False) -> _ProductStore:
        store = super().with_read_only(read_only)
        store.token = self.token
        return store


def _store(source: ProductSource) -> _ProductStore:
    """A read-only zarr store over the product folder, through the source's filesystem (zarr
    wraps synchronous ones, the zip and local filesystems, in fsspec's AsyncFileSystemWrapper)."""
    store = _ProductStore.from_mapper(source.mapper(), read_only=True)
    token: tuple[Any, ...] = (source.origin, source.location, source.root)
    if source.archive is not None:  # a zip replaced in place gets new dask names
        st = os.stat(source.archive)
        token = (*token, st.st_mtime_ns, st.st_size)
    store.token = token
    return store


def _dask_chunks(chunks: Any) -> Any:
    """xarray's ``chunks`` for ``chunks`` (checked): ``"auto"`` is each array's Zarr chunks."""
    chunks = check_chunks(chunks)
    return {} if chunks == "auto" else chunks


def _summary(meta: EOPFMetadata) -> dict[str, Any]:
    """Flat root attributes (what a user looks for first), from the STAC properties."""
    values = {
        "product_id": meta.id,
        "product_type": meta.product_type,
        "platform": meta.platform,
        "constellation": meta.constellation,
        "instrument": meta.instrument,
        "processing_level": meta.processing_level,
        "processing_baseline": meta.processing_baseline,
        "start_time": meta.start.isoformat() if meta.start else None,
        "end_time": meta.end.isoformat() if meta.end else None,
        "cloud_cover": meta.cloud_cover,
        "snow_cover": meta.snow_cover,
        "absolute_orbit": meta.absolute_orbit,
        "relative_orbit": meta.relative_orbit,
        "orbit_state": meta.orbit_state,
        "data_take_id": meta.data_take_id,
        "crs": meta.crs,
        "zarr_format": meta.zarr_format,
    }
    return {key: value for key, value in values.items() if value is not None}


# -- each group ------------------------------------------------------------------------------------
def _finish(
    ds: xr.Dataset, meta: EOPFMetadata, time: np.datetime64 | None, decode: bool
) -> xr.Dataset:
    if decode:
        ds = ds.assign({name: _eopf_decode(name, ds[name].variable) for name in ds.data_vars})
    if time is not None and ds.data_vars and "time" not in ds.variables:
        ds = ds.assign_coords(time=time)
    if "x" in ds.dims and "y" in ds.dims:
        ds = _georeference(ds, meta)
    return ds


def _eopf_decode(name: Any, var: xr.Variable) -> xr.Variable:
    """Apply the encodings only ``_eopf_attrs`` states (xarray applied the CF ones), and tidy
    the attributes that described the stored numbers."""
    from xarray.coding.variables import CFMaskCoder, CFScaleOffsetCoder

    eopf = var.attrs.get("_eopf_attrs")
    if not isinstance(eopf, Mapping):
        return var
    var = var.copy(deep=False)
    todo: dict[str, Any] = {}
    for key in ("scale_factor", "add_offset"):
        if key in eopf and key not in var.encoding and key not in var.attrs:
            todo[key] = eopf[key]
    fill = eopf.get("fill_value")
    if (
        eopf.get("eopf_is_masked")
        and var.dtype.kind in "iu"
        and "_FillValue" not in var.encoding
        and isinstance(fill, (int, float))
        and not (isinstance(fill, float) and math.isnan(fill))
    ):
        todo["_FillValue"] = fill
    if todo:
        var.attrs.update(todo)
        var = CFScaleOffsetCoder().decode(CFMaskCoder().decode(var, name), name)
    scale = var.encoding.get("scale_factor", 1.0)
    offset = var.encoding.get("add_offset", 0.0)
    if "scale_factor" in var.encoding or "add_offset" in var.encoding:
        for key in ("valid_min", "valid_max"):
            if isinstance(var.attrs.get(key), (int, float)):
                var.attrs[key] = var.attrs[key] * scale + offset
        if var.attrs.get("units") == "digital_counts":
            var.attrs["units"] = "1"
    if var.dtype.kind == "f":  # the stored dtype and fill value now live in the encoding
        var.attrs.pop("dtype", None)
        var.attrs.pop("fill_value", None)
    return var


def _georeference(ds: xr.Dataset, meta: EOPFMetadata) -> xr.Dataset:
    """Write the group's CRS (and transform, when its arrays state one) as ``spatial_ref``."""
    import rioxarray  # noqa: F401  (registers the .rio accessor)
    from affine import Affine
    from rasterio.crs import CRS

    gridded = [v for v in ds.data_vars.values() if "x" in v.dims and "y" in v.dims]
    crs_input = _first(gridded, "proj:epsg") or _first(gridded, "proj:wkt2") or meta.crs
    if crs_input is None:
        return ds
    try:
        crs = CRS.from_user_input(crs_input)
    except Exception as err:  # rasterio raises CRSError and others for bad input
        raise UnsupportedProduct(
            f"the CRS {crs_input!r} of the product is not valid: {err}"
        ) from err
    ds = ds.rio.write_crs(crs)
    transforms = {tuple(v.attrs.get("proj:transform") or ()) for v in gridded}
    shapes = {tuple(v.attrs.get("proj:shape") or ()) for v in gridded}
    if len(transforms) == 1 and len(shapes) == 1:
        (t,), (shape,) = transforms, shapes
        if len(t) >= 6 and shape == (ds.sizes["y"], ds.sizes["x"]):
            ds = ds.rio.write_transform(Affine(*t[:6]))
    for axis in ("x", "y"):
        if axis not in ds.coords:  # its array is absent (a partial product)
            continue
        attrs = dict(ds[axis].attrs)
        for key, value in axis_attrs(axis, crs).items():
            attrs.setdefault(key, value)
        ds[axis].attrs = attrs
    return ds


def _first(variables: list[xr.DataArray], key: str) -> Any:
    for v in variables:
        if v.attrs.get(key):
            return v.attrs[key]
    return None


# -- values ----------------------------------------------------------------------------------------


def _number(value: Any, kind: type) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return kind(value)
    except ValueError:
        return None
