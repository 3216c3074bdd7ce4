"""GeoTIFF products (Copernicus Land Monitoring Service and other single rasters) as a Dataset.

CLMS global products (NDVI, LAI, FAPAR… at 300 m/1 km) are published as netCDF and, for cloud
access, as Cloud Optimized GeoTIFFs converted from those netCDFs by CLMS's own tool
(``cgls/CLMS_NetCDF2COG``: ``gdal_translate NETCDF:file:NDVI`` then metadata copied over). What
that implies, and what this reader relies on:

- one band of digital numbers (uint8 for NDVI 300 m) on the regular lat/lon grid (EPSG:4326,
  1/336 degree for the 300 m products, pixel centres on multiples of the resolution);
- the physical value is ``DN * scale + offset`` (NDVI 300 m V2: 1/250 and -0.08, DN 0..250
  valid). GDAL's netCDF driver turns the variable's ``scale_factor``/``add_offset`` into the
  band's scale/offset and ``_FillValue`` into its nodata, which the GeoTIFF keeps; the converter
  drops those three from the copied attributes. So scale/offset are read from the band
  (``rasterio``'s ``scales``/``offsets``), and from ``scale_factor``/``add_offset`` band tags
  only when a file has those instead (other producers);
- the band's metadata are the netCDF variable's other attributes, list values written as
  ``{254, 255}``: ``valid_range``, ``flag_values``, ``flag_meanings``, ``long_name``, ``units``;
  the dataset's metadata are the netCDF global attributes;
- names: ``c_gls_<PRODUCT><res>_<YYYYMMDDHHMM>_<area>_<sensor>_V<version>`` for the netCDF
  (CDSE's catalogue lists the same name with ``.tif`` in places) and
  ``c_gls_<PRODUCT><res>-<VARIABLE>_<date>_…tiff`` for the converter's COGs; the date is the
  start of the (10-day) period.

Verified from CLMS's converter source and the product's published technical characteristics:
the naming, the scale/offset/nodata route, the list formatting, DN 255 = missing. Not verified
against a real file here: the exact band tag set and flag meanings (CLMS documents NDVI 300 m
DN 254 as sea), so flags are taken from whatever the file declares (``flag_values``, nodata,
``valid_range``), never assumed.

As xarray: a Dataset with one variable, named after the product's variable (``NDVI`` from
``c_gls_NDVI300_…``), else ``band_data``; ``(y, x)`` when the file has one band, ``(band, y,
x)`` otherwise; ``x``/``y`` pixel-centre coordinates, the CRS in ``spatial_ref`` (``.rio``
works), a scalar ``time`` coordinate from a CLMS name. ``scale=True`` (default) gives float32
physical values with nodata, flag values and DNs outside ``valid_range`` as NaN, plus a
``flags`` variable holding the raw DN with the file's ``flag_values``/``flag_meanings`` (so
``ds.flags == 254`` still finds the flagged pixels); ``scale=False`` gives the raw DN with CF
attributes (``_FillValue``, ``scale_factor``, ``add_offset``, ``flag_*``) for
:func:`xarray.decode_cf`.

Pixels are read through :func:`.raster.open_raster` (GDAL; local files, ``/vsizip/`` and remote
range reads; picklable, computes on dask workers), not ``rioxarray.open_rasterio``: rioxarray's
file manager closes datasets from whichever thread drops the last reference, while rasterio
files opened on a Python file object (every remote read) must be closed in the context that
opened them, so remote reads failed at garbage collection. The result is rioxarray-compatible.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import xarray as xr
from xarray.backends import BackendArray
from xarray.core import indexing

from ..errors import UnsupportedProduct
from .families import NAMES
from .options import check_bool, check_chunks
from .raster import RasterInfo, checked_raster_info, open_raster, tile_chunks
from .source import ProductSource

__all__ = ["GeoTIFFMetadata", "clms_name", "open", "read_metadata"]

CLMS_NAME = NAMES["clms"]
#: Time-index parts of a CLMS product tag (``FAPAR300-RT0``, ``…-SE1``), not variable names.
_TIME_INDEX = re.compile(r"^(RT|SE)\d+$", re.IGNORECASE)
#: CF attributes copied from the band's metadata onto the variable.
_DESCRIPTIVE = ("long_name", "standard_name", "units", "comment")


@dataclass(frozen=True)
class CLMSName:
    """The parts of a CLMS file name."""

    product: str
    """The product tag as named, e.g. ``NDVI300`` or ``NDVI300-NDVI``."""
    variable: str
    """The variable the file holds, e.g. ``NDVI``."""
    time: datetime
    """The start of the product's period."""
    area: str
    sensor: str
    version: str


@dataclass(frozen=True)
class GeoTIFFMetadata:
    """What a GeoTIFF says about itself, from its header alone."""

    name: str
    variable: str
    """The variable name :func:`open` gives the data (``name`` aside)."""
    width: int
    height: int
    count: int
    dtype: str
    crs: str | None
    """``EPSG:<code>`` when the CRS has one, else its WKT."""
    transform: tuple[float, ...]
    """The affine geotransform ``(a, b, c, d, e, f)`` of the pixel edges."""
    nodata: float | None
    scale: float
    offset: float
    valid_range: tuple[float, float] | None
    flag_values: tuple[int, ...]
    flag_meanings: tuple[str, ...]
    clms: CLMSName | None
    """The parts of a CLMS name, ``None`` for other files."""
    tags: dict[str, str] = field(default_factory=dict, repr=False)
    """The file's metadata (for CLMS, the netCDF global attributes)."""
    band_tags: dict[str, str] = field(default_factory=dict, repr=False)
    """The first band's metadata."""


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    scale: bool = True,
    name: str | None = None,
) -> xr.Dataset:
    """The GeoTIFF of ``source`` as a lazy Dataset (see the module docstring).

    ``scale``: physical values as float32 with nodata/flags as NaN (default) or the raw DN.
    ``name``: the variable's name, instead of the one derived from a CLMS file name.
    """
    scale = check_bool("scale", scale)
    chunks = check_chunks(chunks, {"band": "band", "y": "y", "x": "x"}, what="GeoTIFF rasters")
    if name is not None and (not isinstance(name, str) or not name or name == "flags"):
        raise ValueError(f"name={name!r}: expected a variable name (a non-empty str, not 'flags')")
    rel = _tiff_file(source)
    info = _info(source, rel)
    meta = _metadata(source, rel, info)
    var = name or meta.variable
    raw = open_raster(source, rel, chunks=None, name=var, info=info)
    raw.attrs.update(_cf_attrs(meta, info))
    data_vars: dict[str, xr.DataArray] = {}
    if scale and _needs_decoding(meta):
        decoded = _Decoded(raw.variable, meta, info)
        variable = xr.Variable(
            raw.dims, indexing.LazilyIndexedArray(decoded), _decoded_attrs(raw.attrs, decoded)
        )
        data_vars[var] = xr.DataArray(variable, coords=raw.coords, name=var)
        # how to write the values back as the file's DN (xarray's CF encoding)
        encoding = {k: raw.attrs[k] for k in _ENCODING_ATTRS if k in raw.attrs}
        data_vars[var].encoding = {**raw.encoding, **encoding, "dtype": np.dtype(info.dtype)}
        if meta.flag_values:
            flags = raw.copy(deep=False)
            flags.name = "flags"
            flags.attrs = {
                "long_name": f"{var} digital numbers: flag_values mark flagged pixels",
                "flag_values": np.array(meta.flag_values, dtype=info.dtype),
                "flag_meanings": " ".join(meta.flag_meanings),
            }
            if meta.valid_range is not None:
                flags.attrs["valid_range"] = np.array(meta.valid_range, dtype=info.dtype)
            data_vars["flags"] = flags
    else:
        data_vars[var] = raw
    ds = xr.Dataset(data_vars)
    if info.count == 1:
        ds = ds.isel(band=0, drop=True)
    if meta.clms is not None:
        ds = ds.assign_coords(
            time=((), np.datetime64(meta.clms.time.replace(tzinfo=None), "ns"), _TIME_ATTRS)
        )
    ds.attrs = dict(meta.tags)
    if chunks is not None:
        if chunks == "auto":
            chunks = tile_chunks(info)
        if isinstance(chunks, dict) and "band" not in ds.dims:
            chunks = {k: v for k, v in chunks.items() if k != "band"}
        ds = ds.chunk(chunks)
    return ds


def read_metadata(source: ProductSource) -> GeoTIFFMetadata:
    """The raster's size, CRS, scaling, flags and CLMS name parts (no pixel read)."""
    rel = _tiff_file(source)
    return _metadata(source, rel, _info(source, rel))


def clms_name(name: str) -> CLMSName | None:
    """The parts of a CLMS file name (``c_gls_NDVI300_202301010000_GLOBE_OLCI_V2.0.1.tif``,
    ``c_gls_NDVI300-NDVI_…tiff``); ``None`` when ``name`` is not one."""
    match = CLMS_NAME.match(name.rsplit("/", 1)[-1])
    if match is None:
        return None
    tag = match["tag"]
    parts = tag.split("-")
    # <product>[-<sub-product>]-<variable>[-<time index>] in COG names; <product><res> alone
    # in netCDF names, where the variable is the product without its resolution (NDVI300).
    named = [p for p in parts[1:] if not _TIME_INDEX.match(p)]
    variable = named[-1] if named else re.sub(r"\d+$", "", parts[0]) or parts[0]
    try:
        when = datetime.strptime(match["date"], "%Y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError:
        return None
    return CLMSName(tag, variable, when, match["area"], match["sensor"], match["version"])


# -- helpers -----------------------------------------------------------------------------------

_ENCODING_ATTRS = ("_FillValue", "scale_factor", "add_offset", "missing_value")
_TIME_ATTRS = {"long_name": "start of the product's period", "standard_name": "time"}


def _tiff_file(source: ProductSource) -> str:
    """The raster: the source itself, or the one ``.tif``/``.tiff`` in a folder or zip."""
    if source.single_file:
        return ""
    found = source.find("*.tif") + source.find("*.tiff")
    if len(found) != 1:
        have = ", ".join(found[:5]) if found else "none"
        raise UnsupportedProduct(
            f"{source.location}: expected exactly one GeoTIFF (*.tif, *.tiff), found {have}"
        )
    return found[0]


def _info(source: ProductSource, rel: str) -> RasterInfo:
    """The header, once the file shows itself whole: empty, foreign or truncated refused."""
    return checked_raster_info(source, rel, "GeoTIFF")


def _metadata(source: ProductSource, rel: str, info: RasterInfo) -> GeoTIFFMetadata:
    band = dict(info.band_tags[0]) if info.band_tags else {}
    file_name = rel.rsplit("/", 1)[-1] if rel else source.name
    clms = clms_name(file_name) or clms_name(source.name)
    scale, offset = _scale_offset(info, band)
    flag_values = _numbers(band.get("flag_values"))
    meanings = tuple(band.get("flag_meanings", "").split())
    valid = _numbers(band.get("valid_range"))
    if len(valid) != 2:
        low, high = _numbers(band.get("valid_min")), _numbers(band.get("valid_max"))
        valid = (low[0], high[0]) if len(low) == 1 and len(high) == 1 else ()
    crs = None
    if info.crs is not None:
        epsg = info.crs.to_epsg()
        crs = f"EPSG:{epsg}" if epsg else info.crs.to_wkt()
    return GeoTIFFMetadata(
        name=file_name,
        variable=clms.variable if clms else "band_data",
        width=info.width,
        height=info.height,
        count=info.count,
        dtype=info.dtype,
        crs=crs,
        transform=tuple(info.transform)[:6],
        nodata=info.nodata,
        scale=scale,
        offset=offset,
        valid_range=(valid[0], valid[1]) if len(valid) == 2 else None,
        flag_values=tuple(int(v) for v in flag_values if float(v).is_integer()),
        flag_meanings=meanings,
        clms=clms,
        tags=dict(info.tags),
        band_tags=band,
    )


def _scale_offset(info: RasterInfo, band: dict[str, str]) -> tuple[float, float]:
    """The band's GDAL scale/offset; ``scale_factor``/``add_offset`` tags when it has none."""
    scale = info.scales[0] if info.scales else 1.0
    offset = info.offsets[0] if info.offsets else 0.0
    if scale == 1.0 and offset == 0.0:
        tag_scale = _numbers(band.get("scale_factor"))
        tag_offset = _numbers(band.get("add_offset"))
        scale = tag_scale[0] if len(tag_scale) == 1 else scale
        offset = tag_offset[0] if len(tag_offset) == 1 else offset
    return float(scale), float(offset)


def _numbers(text: str | None) -> tuple[float, ...]:
    """Numbers of a metadata list: ``{254, 255}`` (CLMS), ``254 255``, ``[254, 255]``."""
    if not text:
        return ()
    out = []
    for token in re.split(r"[\s,;]+", text.strip().strip("{}[]()").strip()):
        if not token:
            continue
        try:
            out.append(float(token))
        except ValueError:
            return ()
    return tuple(out)


def _cf_attrs(meta: GeoTIFFMetadata, info: RasterInfo) -> dict[str, Any]:
    """CF attributes of the raw DN: descriptions, scale/offset and flags."""
    band = meta.band_tags
    attrs: dict[str, Any] = {k: band[k] for k in _DESCRIPTIVE if band.get(k)}
    if "long_name" not in attrs and info.descriptions and info.descriptions[0]:
        attrs["long_name"] = info.descriptions[0]
    if meta.scale != 1.0:
        attrs["scale_factor"] = meta.scale
    if meta.offset != 0.0:
        attrs["add_offset"] = meta.offset
    dtype = np.dtype(info.dtype)
    if meta.valid_range is not None:
        attrs["valid_range"] = np.array(meta.valid_range, dtype=dtype)
    if meta.flag_values:
        attrs["flag_values"] = np.array(meta.flag_values, dtype=dtype)
        if meta.flag_meanings:
            attrs["flag_meanings"] = " ".join(meta.flag_meanings)
    return attrs


def _decoded_attrs(raw: dict[str, Any], decoded: _Decoded) -> dict[str, Any]:
    """The raw DN's attributes for the physical values: CF packing and flags left out (they
    are in the encoding and the ``flags`` variable), ``valid_range`` in physical units."""
    attrs = {
        k: v
        for k, v in raw.items()
        if k not in _ENCODING_ATTRS and k not in ("valid_range", "flag_values", "flag_meanings")
    }
    if decoded.valid_range is not None:
        attrs["valid_range"] = (
            np.array(decoded.valid_range, dtype=decoded.dtype) * decoded.scale + decoded.offset
        )
    return attrs


def _needs_decoding(meta: GeoTIFFMetadata) -> bool:
    return bool(
        meta.scale != 1.0
        or meta.offset != 0.0
        or meta.nodata is not None
        or meta.flag_values
        or meta.valid_range is not None
    )


def _float_dtype(dtype: np.dtype) -> np.dtype:
    """float32 for data float32 holds exactly (<= 16-bit integers, float32), else float64."""
    if dtype.kind == "f":
        return np.dtype(np.float64 if dtype.itemsize > 4 else np.float32)
    return np.dtype(np.float32 if dtype.itemsize <= 2 else np.float64)


class _Decoded(BackendArray):
    """The raw DN variable decoded on read: ``DN * scale + offset``, NaN where the DN is the
    nodata, a flag value or outside ``valid_range``. Lazy without dask, picklable."""

    def __init__(self, raw: xr.Variable, meta: GeoTIFFMetadata, info: RasterInfo) -> None:
        self.raw = raw
        self.shape = raw.shape
        self.dtype = _float_dtype(np.dtype(info.dtype))
        self.scale = self.dtype.type(meta.scale)
        self.offset = self.dtype.type(meta.offset)
        invalid = set(meta.flag_values)
        if meta.nodata is not None and not math.isnan(meta.nodata):
            invalid.add(meta.nodata)
        self.invalid = tuple(sorted(invalid))
        self.nan_nodata = meta.nodata is not None and math.isnan(meta.nodata)
        self.valid_range = meta.valid_range

    def __getitem__(self, key: Any) -> Any:
        return indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.OUTER, self._read
        )

    def _read(self, key: tuple[Any, ...]) -> np.ndarray:
        dn = np.asarray(self.raw[key].values)
        bad = np.isin(dn, self.invalid) if self.invalid else np.zeros(dn.shape, bool)
        if self.nan_nodata:
            bad |= np.isnan(dn)
        if self.valid_range is not None:
            low, high = self.valid_range
            bad |= (dn < low) | (dn > high)
        values = dn.astype(self.dtype) * self.scale + self.offset
        return np.where(bad, self.dtype.type(np.nan), values).astype(self.dtype, copy=False)
