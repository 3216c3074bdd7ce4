"""Copernicus Contributing Missions products (CDSE collection ``CCM``) as a lazy xarray Dataset.

CCM products are folders of rasters with the mission's metadata beside them:

- DEM tiles (``DEM1_SAR_DGE_30_…``): ``<tile>/DEM/<tile>_DEM.tif`` (DTED: ``.dt2``) and the
  ``AUXFILES/`` masks ``_EDM``, ``_FLM``, ``_HEM``, ``_WBM`` on the same point grid;
- optical VHR scenes (DIMAP: ``DIM_*.XML`` + ``IMG_*_R<r>C<c>.TIF``): bands ``B0``..``B3``;
- SAR scenes: TerraSAR-X ``IMAGEDATA/IMAGE_<pol>_…tif``, RADARSAT-2 ``imagery_<pol>.tif``,
  ICEYE ``<name>.tif``: one variable per polarisation, amplitude digital numbers.

Every raster on the main raster's grid becomes a variable on ``(y, x)`` (multi-band images one per
band, named after DIMAP's ``B0``.. or ``band_<n>``), read lazily through
:func:`.raster.open_raster` (local, ``/vsizip/`` or remote range reads); ``x``/``y`` are pixel
centres in the file's CRS, recorded with its transform in ``spatial_ref`` (``.rio`` works). SAR
images in radar geometry carry GCPs instead of a transform: ``x``/``y`` are then pixel indices
and ``spatial_ref`` holds the GCPs (rioxarray's ``write_gcps``, so ``.rio.reproject`` geocodes).
``scale=True`` (default) gives physical values (the files' scale/offset applied, nodata as NaN);
``scale=False`` the files' own numbers with ``_FillValue``/``scale_factor`` attributes.
``variables=`` opens only the named variables. Previews and rasters on another grid are left out.

Partial products: rasters the metadata names (DIMAP's and the SAR XML's file references, a DEM
tile's five layers) but the product lacks are named in one ``PartialProductWarning`` and the
others open; with none of them present, the product opens as metadata only (attributes and
time). Empty, foreign or truncated rasters are refused naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from ._partial import listed, warn_missing
from .families import NAMES
from .options import check_bool, check_chunks, check_names
from .raster import RasterInfo, checked_raster_info, open_raster
from .source import ProductSource

__all__ = ["NAME", "open"]

NAME = NAMES["ccm"]
_RASTER = re.compile(r"\.(tiff?|dt[012]|jp2)$", re.IGNORECASE)
#: (pattern of the main raster, kind), in order of preference.
_MAIN = (
    (re.compile(r"(^|/)DEM/[^/]+_DEM\.(tif|dt[012])$", re.I), "dem"),
    (re.compile(r"(^|/)IMG_[^/]+\.(tif|jp2)$", re.I), "optical"),
    (re.compile(r"(^|/)(IMAGEDATA/IMAGE_|imagery_)[^/]+\.tif$", re.I), "sar"),
)


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    scale: bool = True,
    variables: Sequence[str] | str | None = None,
) -> xr.Dataset:
    """Open a CCM product folder lazily (see the module doc). ``chunks``: ``"auto"`` (whole
    tiles of the files), dask chunks over ``y``/``x``, or None (lazy, no dask). ``scale``:
    physical values (the files' scale/offset applied, nodata as NaN) or, False, the files' own
    numbers with ``_FillValue``/``scale_factor``/``add_offset`` attributes. ``variables``: only
    these variables (``"DEM"``, ``["B0", "B3"]``, ``"HH"``); a name the product lacks is
    refused, listing those it has."""
    scale = check_bool("scale", scale)
    wanted = check_names("variables", variables, "['DEM', 'WBM'] or ['B0', 'B3']")
    chunks = check_chunks(chunks, {"y": "y", "x": "x"}, what="CCM rasters")
    if source.single_file:
        raise UnsupportedProduct(f"{source.location}: a CCM product is a folder of rasters")
    rasters = [f for f in source.files() if _RASTER.search(f) and "PREVIEW/" not in f.upper()]
    absent = _absent(source, rasters)
    if not rasters and absent:  # the metadata, none of the rasters it lists: metadata only
        warn_missing(source.location, absent, METADATA_ONLY)
        if wanted is not None:
            _refuse(source, wanted, [], absent)
        return _dated(xr.Dataset(attrs=_attrs(source, _kind_of(source), None)), source)
    main, kind = _main(source, rasters)
    info = checked_raster_info(source, main)
    variables_: dict[str, xr.DataArray] = {}
    grid: dict[str, Any] = {}
    available: list[str] = []
    band_chunks = {"band": 1, **chunks} if isinstance(chunks, dict) else chunks
    for rel in [main, *(r for r in rasters if r != main)]:
        other = info if rel == main else checked_raster_info(source, rel)
        same_grid = (other.width, other.height) == (info.width, info.height)
        if not (same_grid and other.transform.almost_equals(info.transform, precision=1e-9)):
            continue
        names = _names(source, rel, kind, other)
        available += names
        if wanted is not None and not set(names) & set(wanted):
            continue  # nothing asked for in this file: not opened
        da = open_raster(source, rel, chunks=band_chunks, info=other)
        # the main raster's coordinates (a DTED header rounds its origin to a tenth of a second)
        grid = grid or {"x": da.x, "y": da.y}
        da = da.assign_coords(grid)
        for band, name in enumerate(names, start=1):
            var = da.sel(band=band, drop=True)
            var.attrs.update(source_file=rel)
            variables_[name] = var
    if wanted is not None:
        _refuse(source, wanted, available, absent)
        variables_ = {name: variables_[name] for name in wanted}
    ds = xr.Dataset(variables_)
    if scale:
        ds = xr.decode_cf(ds, decode_times=False)
    gcps = _gcps(source, main) if info.crs is None or info.transform.is_identity else None
    if gcps:
        import rioxarray  # noqa: F401  (registers .rio)
        from rasterio.crs import CRS

        ds = ds.assign_coords(x=np.arange(info.width), y=np.arange(info.height))
        ds = ds.rio.write_gcps(gcps, CRS.from_epsg(4326))
    ds.attrs = _attrs(source, kind, main)
    if wanted is None:
        warn_missing(source.location, absent)
    return _dated(ds, source)


#: The kind of :func:`._partial.warn_missing` when no raster is present.
METADATA_ONLY = "raster files (all of them: opened as metadata only)"
#: Raster files named in a product's metadata XML (DIMAP ``DATA_FILE_PATH``, TerraSAR-X,
#: RADARSAT-2 ``product.xml``, ICEYE's XML).
_LISTED = re.compile(rb"[\w./-]+\.(?:tiff?|jp2|dt[012])\b", re.IGNORECASE)
#: The rasters of a DEM tile (``<tile>_<suffix>``): the DEM and its ``AUXFILES`` masks.
_DEM_LAYERS = ("DEM", "EDM", "FLM", "HEM", "WBM")


def _absent(source: ProductSource, rasters: list[str]) -> list[str]:
    """The rasters the product should hold but does not: those its metadata XML names, and
    the layers of a DEM tile (its ``INFO/<tile>.xml`` or any of its rasters name the tile)."""
    present = {r.rsplit("/", 1)[-1].lower() for r in rasters}
    expected: dict[str, None] = {}
    for rel in source.find("*.xml"):
        if "PREVIEW/" in rel.upper() or "/ANNOTATION/" in f"/{rel.upper()}":
            continue
        for found in _LISTED.findall(source.read_bytes(rel)):
            name = found.decode("latin-1").rsplit("/", 1)[-1]
            if "_QL." not in name.upper():
                expected[name] = None
    tiles = {r.rsplit("/", 1)[-1].rsplit("_", 1)[0] for r in rasters if _DEM_FILE.search(r)}
    tiles |= {r.rsplit("/", 1)[-1][: -len(".xml")] for r in source.find("*/INFO/*.xml")}
    for tile in sorted(tiles):
        dem = [r for r in rasters if re.search(rf"{re.escape(tile)}_DEM\.", r)]
        if not dem:
            expected[f"{tile}_DEM.tif"] = None
        for layer in _DEM_LAYERS[1:]:
            expected[f"{tile}_{layer}.tif"] = None
    return [name for name in expected if name.lower() not in present]


_DEM_FILE = re.compile(r"(^|/)(DEM|AUXFILES)/[^/]+_(DEM|EDM|FLM|HEM|WBM)\.(tif|dt[012])$", re.I)


def _refuse(source: ProductSource, wanted: list[str], have: list[str], absent: list[str]) -> None:
    """Refuse ``variables=`` naming what the product lacks (or what absent files may hold)."""
    unknown = [v for v in wanted if v not in have]
    if not unknown:
        return
    if absent:
        raise UnsupportedProduct(
            f"{source.location}: variable {unknown[0]} was asked for but is in none of the "
            f"files present, and {len(absent)} files are absent ({listed(absent)}); the "
            f"variables present are {', '.join(have) or 'none'}"
        )
    raise ValueError(f"variables={unknown!r}: not in {source.name}; it has {', '.join(have)}")


def _dated(ds: xr.Dataset, source: ProductSource) -> xr.Dataset:
    """``ds`` with the scalar ``time`` of the product's start (from its name)."""
    m = NAME.match(source.name)
    if not m:
        return ds
    when = np.datetime64(
        f"{m['start'][:4]}-{m['start'][4:6]}-{m['start'][6:8]}T{m['start'][9:11]}:"
        f"{m['start'][11:13]}:{m['start'][13:15]}",
        "ns",
    )
    return ds.assign_coords(time=when)


def _kind_of(source: ProductSource) -> str:
    """The kind of a product without rasters, from its metadata files."""
    if source.find("*/INFO/*.xml") or source.find("INFO/*.xml"):
        return "dem"
    return "optical" if source.find("DIM_*.XML") else "sar"


def _main(source: ProductSource, rasters: list[str]) -> tuple[str, str]:
    for pattern, kind in _MAIN:
        found = [r for r in rasters if pattern.search(r)]
        if found:
            return found[0], kind
    aux = [r for r in rasters if _DEM_FILE.search(r)]
    if aux:  # a DEM tile without its DEM: the masks' grid
        return aux[0], "dem"
    mission = NAME.match(source.name)
    if mission and rasters:  # ICEYE: <name>.tif
        return rasters[0], "sar"
    raise UnsupportedProduct(
        f"{source.location}: no CCM raster found (DEM/*_DEM.tif, IMG_*.TIF, IMAGEDATA/*.tif, "
        f"imagery_*.tif); the product has {', '.join(source.files()[:5]) or 'no files'}"
    )


def _names(source: ProductSource, rel: str, kind: str, info: RasterInfo) -> list[str]:
    """Variable names of a raster's bands."""
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if kind == "optical" and info.count > 1:
        return [f"B{i}" for i in range(info.count)]
    if kind == "dem":
        return [stem.rsplit("_", 1)[-1].upper()]  # DEM, EDM, FLM, HEM, WBM
    if kind == "sar":
        m = re.search(r"(?:IMAGE_|imagery_)(HH|HV|VH|VV)", rel, re.I)
        beside = rel.rsplit(".", 1)[0] + ".xml"
        if m is None and source.exists(beside):  # ICEYE: <name>.tif and <name>.xml
            m = re.search(rb"<polarisation>(HH|HV|VH|VV)<", source.read_bytes(beside), re.I)
        pol = (
            (m.group(1).decode() if isinstance(m.group(1), bytes) else m.group(1)).upper()
            if m
            else "amplitude"
        )
        return [pol] if info.count == 1 else [f"{pol}_{i}" for i in range(1, info.count + 1)]
    return [stem] if info.count == 1 else [f"band_{i}" for i in range(1, info.count + 1)]


def _gcps(source: ProductSource, rel: str) -> list[Any]:
    from .raster import _opened

    with _opened(source, rel) as ds:
        return list(ds.gcps[0])


def _attrs(source: ProductSource, kind: str, main: str | None) -> dict[str, Any]:
    m = NAME.match(source.name)
    out: dict[str, Any] = {
        "title": source.name,
        "product_name": source.name,
        "collection": "CCM",
        "product_kind": kind,
    }
    if main is not None:
        out["main_file"] = main
    if m:
        out.update(mission=m["mission"], product_type=m["type"])
    return out
