"""Gridded raster products as one lazy Dataset: COP-DEM tiles, the global mosaics (Sentinel-1,
Sentinel-2, Landsat), CLMS NDVI 300 m (netCDF or COGs) and CLCplus, S2GLC, CEMS GFM and
Sentinel-1 RTC.

These products are folders of single-band GeoTIFFs on one grid, one variable per file
(``B04.tif``, ``VV.tif``, ``c_gls_NDVI300_…_NDVI.tif``, ``ENSEMBLE_FLOOD_<time>_<tile>.tif``),
or of one CF netCDF file (``c_gls_NDVI300_…nc``). The variable is named after its file: the file
name without the product name in front (``NDVI``, ``VV``) and without GFM's ``_<time>_<tile>``
after (``ENSEMBLE_FLOOD``); a file named like the product itself gets a name for what it holds
(``elevation`` for COP-DEM, ``land_cover`` for S2GLC, ``lulucf`` for CLCplus).

As xarray: ``(y, x)`` variables with pixel-centre ``x``/``y`` coordinates and the CRS in
``spatial_ref`` (``.rio`` works), or, for netCDF, the file's own ``(time, lat, lon)`` with its
``crs`` grid mapping; a scalar ``time`` coordinate (the start of the product's period) when the
name has one. ``scale=True`` (default; formerly ``mask_and_scale``) decodes CF packing:
``DN * scale + offset`` as floats, nodata and declared flag values (``flag_values`` of a
variable with a ``valid_range``, e.g. NDVI's 254 sea) as NaN; ``False`` gives the raw values with
their CF attributes. Pixels are read through :func:`.raster.open_raster` (GDAL: local files,
zips, remote range reads). ``variables=`` opens only the named variables.

Partial products: the products made of several rasters (the mosaics, CLMS NDVI COGs, GFM, RTC)
have a known set (:data:`_EXPECTED`); those absent are named in one ``PartialProductWarning``
and the others open. A product left with only its OData record (``userdata.json``) opens as
metadata only (the record's attributes, the time from the name). Empty or foreign member files
are refused naming the file (:func:`.raster.checked_raster_info`).
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from ._partial import check_member, warn_missing
from .options import check_bool, check_chunks, check_names
from .raster import checked_raster_info, open_raster, tile_chunks
from .source import ProductSource

__all__ = ["open", "product_time", "variable_name"]

#: Names of the data in files named like their product.
_WHOLE = (
    ("Copernicus_DSM_", "elevation"),
    ("S2GLC_", "land_cover"),
    ("CLMS_CLCPLUS_", "lulucf"),
)
_TIMES = (
    (re.compile(r"(\d{8}T\d{6})"), "%Y%m%dT%H%M%S"),
    (re.compile(r"^c_gls_[^_]+_(\d{12})_"), "%Y%m%d%H%M"),
    (re.compile(r"_(\d{4}_M\d\d)_"), "%Y_M%m"),
    (re.compile(r"_(\d{4}_\d\d)-\d\d_"), "%Y_%m"),
    (re.compile(r"_(\d{4})(?:_100m_|$)"), "%Y"),
)
_QUARTER = re.compile(r"_(\d{4})_Q([1-4])_")
_GFM_SUFFIX = re.compile(r"_\d{8}T\d{6}(_.*)?$")


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    scale: bool = True,
    variables: Sequence[str] | str | None = None,
    **former: Any,
) -> xr.Dataset:
    """The product's rasters (or netCDF) as one lazy Dataset (see the module docstring).

    ``scale``: CF decoding (physical values, no-data and flags as NaN) or the raw values with
    their CF attributes; ``mask_and_scale`` is its former name (deprecated here, an alias through
    :func:`~cdse_intake.open_product`). ``variables``: only these variables (``"VV"``,
    ``["B04", "B08"]``); a name the product does not have is refused, listing those it has.
    """
    scale = _former_scale(scale, former)
    wanted = check_names("variables", variables, "['B04', 'B08'] or 'VV'")
    chunks = check_chunks(chunks)
    name = _product_name(source)
    netcdf = source.find("*.nc")
    if netcdf:
        ds = _open_netcdf(source, netcdf[0], chunks, scale, wanted)
    else:
        ds = _open_tiffs(source, name, chunks, scale, wanted)
    when = product_time(name)
    if when is not None and "time" not in ds.coords:
        ds = ds.assign_coords(
            time=((), np.datetime64(when, "ns"), {"long_name": "start of the product's period"})
        )
    ds.attrs.setdefault("product_name", name)
    return ds


def _former_scale(scale: Any, former: dict[str, Any]) -> bool:
    """``scale``, or its former name ``mask_and_scale`` (with a DeprecationWarning)."""
    unknown = sorted(set(former) - {"mask_and_scale"})
    if unknown:
        raise TypeError(
            f"the gridded reader has no option {', '.join(map(repr, unknown))}; it accepts "
            "chunks, scale, variables"
        )
    if "mask_and_scale" in former:
        value = check_bool("mask_and_scale", former["mask_and_scale"])
        warnings.warn(
            "the gridded reader's mask_and_scale= is now scale=, as for the other readers",
            DeprecationWarning,
            stacklevel=3,
        )
        return value
    return check_bool("scale", scale)


def variable_name(file: str, product: str) -> str:
    """The variable a file of ``product`` holds (see the module docstring)."""
    stem = file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    for prefix in (product, product.rpartition("_")[0]):
        if prefix and stem.startswith(prefix + "_"):
            return stem[len(prefix) + 1 :]
        if prefix and stem == prefix:
            return next((v for start, v in _WHOLE if stem.startswith(start)), "band_data")
    return _GFM_SUFFIX.sub("", stem) or stem


def product_time(name: str) -> datetime | None:
    """The start of the product's period from its name, when the name has one."""
    quarter = _QUARTER.search(name)
    if quarter:
        return datetime(int(quarter[1]), 3 * int(quarter[2]) - 2, 1)
    for pattern, layout in _TIMES:
        found = pattern.search(name)
        if found:
            return datetime.strptime(found[1], layout)
    return None


def _product_name(source: ProductSource) -> str:
    if source.product is not None and getattr(source.product, "name", None):
        return str(source.product.name)
    return source.name.removesuffix(".zip")


def _open_netcdf(
    source: ProductSource, rel: str, chunks: Any, decode: bool, wanted: list[str] | None
) -> xr.Dataset:
    from ._closing import closing
    from .netcdf import open_netcdf

    _check_file(source, rel)
    raw = open_netcdf(source, rel, chunks=chunks, mask_and_scale=False, decode_coords="all")
    if isinstance(chunks, dict):
        check_chunks(chunks, {str(d): str(d) for d in raw.dims}, what=f"the arrays of {rel}")
    if wanted is not None:
        _refuse_unknown(source, wanted, [str(v) for v in raw.data_vars], [])
        raw = raw[wanted]
    ds = _decode(raw) if decode else raw
    return closing(ds, [raw])


def _open_tiffs(
    source: ProductSource, name: str, chunks: Any, decode: bool, wanted: list[str] | None
) -> xr.Dataset:
    files = {
        variable_name(f, name): f for f in sorted(source.find("*.tif") + source.find("*.tiff"))
    }
    expected = _expected(name)
    absent = [v for v in expected if v not in files]
    metadata = source.find("userdata.json")
    if not files and not metadata:
        raise UnsupportedProduct(
            f"{source.location}: no GeoTIFF or netCDF file in {name!r}; found "
            + (", ".join(source.files()[:5]) or "no files")
        )
    if wanted is not None:
        _refuse_unknown(source, wanted, list(files), absent)
        files = {v: files[v] for v in wanted}
        absent = []
    if isinstance(chunks, dict):
        check_chunks(chunks, {"y": "y", "x": "x"}, what="gridded rasters")
    if not files:  # only the product's OData record: metadata only
        warn_missing(source.location, [f"{v}.tif" for v in absent] or ["*.tif"], METADATA_ONLY)
        return _metadata_only(source, metadata[0])
    infos = {var: checked_raster_info(source, rel) for var, rel in files.items()}
    first = next(iter(infos.values()))
    variables: dict[str, xr.DataArray] = {}
    for var, rel in files.items():
        info = infos[var]
        if (info.width, info.height, tuple(info.transform)) != (
            first.width,
            first.height,
            tuple(first.transform),
        ):
            raise UnsupportedProduct(
                f"{source.location}: {rel!r} is not on the grid of the product's other rasters"
            )
        da = open_raster(source, rel, chunks=None, name=var, info=info).isel(band=0, drop=True)
        da.attrs.update(_band_attrs(info.band_tags[0] if info.band_tags else {}, info.dtype))
        variables[var] = da
    ds = xr.Dataset(variables)
    ds.attrs = dict(first.tags)
    if decode:
        ds = _decode(ds)
    if chunks is not None:
        if chunks == "auto":
            chunks = {k: v for k, v in tile_chunks(first).items() if k != "band"}
        ds = ds.chunk(chunks)
    warn_missing(source.location, [f"{v}.tif" for v in absent])
    return ds


#: The kind of :func:`._partial.warn_missing` when no raster is present.
METADATA_ONLY = "raster files (all of them: opened as metadata only)"
#: The rasters of the products made of several: (name pattern, variables).
_EXPECTED = (
    (re.compile(r"^Sentinel-2_mosaic_"), ("B02", "B03", "B04", "B08", "observations")),
    (re.compile(r"^Sentinel-1_(IW_)?mosaic_"), ("VH", "VV")),
    (re.compile(r"^Sentinel-1_DH_mosaic_"), ("HH", "HV")),
    (
        re.compile(r"^Landsat_mosaic_"),
        ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "clear_sky_mask"),
    ),
    (re.compile(r"^c_gls_NDVI300_\w+_cog$"), ("NDVI", "NOBS", "QFLAG", "UNC")),
    (
        re.compile(r"^GFM_\w+_FLOOD$"),
        (
            "ADVISORY_FLAGS",
            "ENSEMBLE_FLOOD",
            "ENSEMBLE_LIKELIHOOD",
            "ENSEMBLE_OBSWATER",
            "EXCLUSION_LAYER",
            "REFERENCE_WATER_OUT",
        ),
    ),
    # RTC: the polarisations of the name's 1S<D|S><V|H>
    (re.compile(r"^S1[A-D]_\w+_1SDV_.*_RTC$"), ("VH", "VV")),
    (re.compile(r"^S1[A-D]_\w+_1SSV_.*_RTC$"), ("VV",)),
    (re.compile(r"^S1[A-D]_\w+_1SDH_.*_RTC$"), ("HH", "HV")),
    (re.compile(r"^S1[A-D]_\w+_1SSH_.*_RTC$"), ("HH",)),
)


def _expected(name: str) -> tuple[str, ...]:
    """The variables a product named ``name`` has (empty for single-raster products)."""
    return next((v for pattern, v in _EXPECTED if pattern.match(name)), ())


def _refuse_unknown(
    source: ProductSource, wanted: list[str], have: list[str], absent: list[str]
) -> None:
    """Refuse ``variables=`` naming what the product does not have (or has not: absent)."""
    gone = [v for v in wanted if v in absent]
    if gone:
        raise UnsupportedProduct(
            f"{source.location}: variable {gone[0]} was asked for but its file is absent; the "
            f"variables present are {', '.join(sorted(have)) or 'none'}"
        )
    unknown = [v for v in wanted if v not in have]
    if unknown:
        raise ValueError(
            f"variables={unknown!r}: not in {source.name}; it has {', '.join(sorted(have))}"
        )


def _check_file(source: ProductSource, rel: str) -> None:
    """Refuse an empty or foreign member before a format library reads it."""
    size = None if source.origin == "remote" else int(source.fs.size(source.path(rel)))
    with source.open(rel) as f:
        head = f.read(16)
    check_member(source.location, rel or source.name, head, size)


def _metadata_only(source: ProductSource, rel: str) -> xr.Dataset:
    """The product's OData record (``userdata.json``) as the attributes of an empty Dataset."""
    try:
        record = json.loads(source.read_bytes(rel))
    except ValueError as err:
        raise UnsupportedProduct(f"{source.location}: {rel} is not valid JSON: {err}") from err
    if not isinstance(record, dict):
        raise UnsupportedProduct(f"{source.location}: {rel} is not a JSON object")
    attrs = {k: record[k] for k in ("Id", "Name") if isinstance(record.get(k), str)}
    for item in record.get("Attributes") or ():
        if isinstance(item, dict) and isinstance(item.get("Name"), str):
            value = item.get("Value")
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                attrs[item["Name"]] = value
    return xr.Dataset(attrs=attrs)


def _band_attrs(tags: dict[str, str], dtype: str) -> dict[str, Any]:
    """CF attributes of a band's metadata (``{254, 255}`` lists as arrays of the data type)."""
    attrs: dict[str, Any] = {}
    for key in ("long_name", "standard_name", "units"):
        if tags.get(key):
            attrs[key] = tags[key]
    for key in ("valid_range", "flag_values", "flag_masks"):
        if tags.get(key):
            values = [float(v) for v in tags[key].strip("{}").split(",") if v.strip()]
            attrs[key] = np.array(values).astype(dtype)
    if tags.get("flag_meanings"):
        attrs["flag_meanings"] = tags["flag_meanings"]
    return attrs


def _decode(ds: xr.Dataset) -> xr.Dataset:
    """CF decoding, lazily; flag values of a variable with a valid range become NaN as well."""
    ds = ds.copy()
    for var in ds.data_vars.values():
        flags = var.attrs.get("flag_values")
        if flags is not None and "valid_range" in var.attrs and "scale_factor" in var.attrs:
            fill = var.attrs.get("_FillValue", var.encoding.get("_FillValue"))
            others = [f for f in np.ravel(flags) if fill is None or f != fill]
            if others:
                var.attrs["missing_value"] = np.array(others, dtype=var.dtype)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "variable .* has (multiple|non-conforming) fill")
        warnings.simplefilter("ignore", xr.SerializationWarning)
        return xr.decode_cf(ds, decode_coords="all")
