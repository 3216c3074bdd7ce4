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
Values are the files' own (``_FillValue``/``scale_factor`` attributes say how to decode them).
Previews and rasters on another grid are left out.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from .raster import RasterInfo, open_raster, raster_info
from .source import ProductSource

__all__ = ["NAME", "open"]

#: ``<mission>_<product type>_<start>_<stop>_<centre>_<number>_<check>``.
NAME = re.compile(
    r"^(?P<mission>[A-Z][A-Z0-9]{3})_(?P<type>(SAR|PHR|GIS|WV3|HRS|AIS)_[A-Z0-9_]{6})_"
    r"(?P<start>\d{8}T\d{6})_(?P<stop>\d{8}T\d{6})_"
)
_RASTER = re.compile(r"\.(tiff?|dt[012]|jp2)$", re.IGNORECASE)
#: (pattern of the main raster, kind), in order of preference.
_MAIN = (
    (re.compile(r"(^|/)DEM/[^/]+_DEM\.(tif|dt[012])$", re.I), "dem"),
    (re.compile(r"(^|/)IMG_[^/]+\.(tif|jp2)$", re.I), "optical"),
    (re.compile(r"(^|/)(IMAGEDATA/IMAGE_|imagery_)[^/]+\.tif$", re.I), "sar"),
)


def open(source: ProductSource, *, chunks: Any = "auto") -> xr.Dataset:
    """Open a CCM product folder lazily (see the module doc). ``chunks``: ``"auto"`` (whole
    tiles of the files), dask chunks over ``y``/``x``, or None (lazy, no dask)."""
    if source.single_file:
        raise UnsupportedProduct(f"{source.location}: a CCM product is a folder of rasters")
    rasters = [f for f in source.files() if _RASTER.search(f) and "PREVIEW/" not in f.upper()]
    main, kind = _main(source, rasters)
    info = raster_info(source, main)
    variables: dict[str, xr.DataArray] = {}
    grid: dict[str, Any] = {}
    for rel in [main, *(r for r in rasters if r != main)]:
        other = info if rel == main else raster_info(source, rel)
        same_grid = (other.width, other.height) == (info.width, info.height)
        if not (same_grid and other.transform.almost_equals(info.transform, precision=1e-9)):
            continue
        da = open_raster(source, rel, chunks=_chunks(chunks), info=other)
        # the main raster's coordinates (a DTED header rounds its origin to a tenth of a second)
        grid = grid or {"x": da.x, "y": da.y}
        da = da.assign_coords(grid)
        for band, name in enumerate(_names(source, rel, kind, other), start=1):
            var = da.sel(band=band, drop=True)
            var.attrs.update(source_file=rel)
            variables[name] = var
    ds = xr.Dataset(variables)
    gcps = _gcps(source, main) if info.crs is None or info.transform.is_identity else None
    if gcps:
        import rioxarray  # noqa: F401  (registers .rio)
        from rasterio.crs import CRS

        ds = ds.assign_coords(x=np.arange(info.width), y=np.arange(info.height))
        ds = ds.rio.write_gcps(gcps, CRS.from_epsg(4326))
    ds.attrs = _attrs(source, kind, main)
    m = NAME.match(source.name)
    if m:
        when = np.datetime64(
            f"{m['start'][:4]}-{m['start'][4:6]}-{m['start'][6:8]}T{m['start'][9:11]}:"
            f"{m['start'][11:13]}:{m['start'][13:15]}",
            "ns",
        )
        ds = ds.assign_coords(time=when)
    return ds


def _main(source: ProductSource, rasters: list[str]) -> tuple[str, str]:
    for pattern, kind in _MAIN:
        found = [r for r in rasters if pattern.search(r)]
        if found:
            return found[0], kind
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


def _chunks(chunks: Any) -> Any:
    if isinstance(chunks, dict):
        unknown = sorted(str(k) for k in chunks if k not in ("x", "y"))
        if unknown:
            raise ValueError(
                f"chunks={chunks!r}: CCM rasters have no dimension {', '.join(unknown)}; "
                "expected y and x"
            )
        return {"band": 1, **chunks}
    return chunks


def _gcps(source: ProductSource, rel: str) -> list[Any]:
    from .raster import _opened

    with _opened(source, rel) as ds:
        return list(ds.gcps[0])


def _attrs(source: ProductSource, kind: str, main: str) -> dict[str, Any]:
    m = NAME.match(source.name)
    out: dict[str, Any] = {
        "title": source.name,
        "product_name": source.name,
        "collection": "CCM",
        "product_kind": kind,
        "main_file": main,
    }
    if m:
        out.update(mission=m["mission"], product_type=m["type"])
    return out
