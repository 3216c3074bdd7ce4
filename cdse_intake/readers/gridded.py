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
name has one. ``mask_and_scale=True`` (default) decodes CF packing: ``DN * scale + offset`` as
floats, nodata and declared flag values (``flag_values`` of a variable with a ``valid_range``,
e.g. NDVI's 254 sea) as NaN; ``False`` gives the raw values with their CF attributes. Pixels are
read through :func:`.raster.open_raster` (GDAL: local files, zips, remote range reads).
"""

from __future__ import annotations

import re
import warnings
from datetime import datetime
from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from .raster import open_raster, raster_info, tile_chunks
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


def open(source: ProductSource, *, chunks: Any = "auto", mask_and_scale: bool = True) -> xr.Dataset:
    """The product's rasters (or netCDF) as one lazy Dataset (see the module docstring)."""
    if not isinstance(mask_and_scale, bool):
        raise ValueError(f"mask_and_scale={mask_and_scale!r}: expected True or False")
    name = _product_name(source)
    netcdf = source.find("*.nc")
    if netcdf:
        ds = _open_netcdf(source, netcdf[0], chunks, mask_and_scale)
    else:
        ds = _open_tiffs(source, name, chunks, mask_and_scale)
    when = product_time(name)
    if when is not None and "time" not in ds.coords:
        ds = ds.assign_coords(
            time=((), np.datetime64(when, "ns"), {"long_name": "start of the product's period"})
        )
    ds.attrs.setdefault("product_name", name)
    return ds


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


def _open_netcdf(source: ProductSource, rel: str, chunks: Any, decode: bool) -> xr.Dataset:
    from ._closing import closing
    from .netcdf import open_netcdf

    raw = open_netcdf(source, rel, chunks=chunks, mask_and_scale=False, decode_coords="all")
    ds = _decode(raw) if decode else raw
    return closing(ds, [raw])


def _open_tiffs(source: ProductSource, name: str, chunks: Any, decode: bool) -> xr.Dataset:
    files = [f for f in source.find("*.tif") + source.find("*.tiff") if f]
    if not files:
        raise UnsupportedProduct(
            f"{source.location}: no GeoTIFF or netCDF file in {name!r}; found "
            + (", ".join(source.files()[:5]) or "no files")
        )
    infos = {rel: raster_info(source, rel) for rel in sorted(files)}
    first = next(iter(infos.values()))
    variables: dict[str, xr.DataArray] = {}
    for rel, info in infos.items():
        if (info.width, info.height, tuple(info.transform)) != (
            first.width,
            first.height,
            tuple(first.transform),
        ):
            raise UnsupportedProduct(
                f"{source.location}: {rel!r} is not on the grid of the product's other rasters"
            )
        var = variable_name(rel, name)
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
    return ds


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
