"""Sentinel-2 MSI Level-1C and Level-2A products (SAFE) as lazy xarray objects.

A SAFE product is a folder (zipped by CDSE with ``<Name>.SAFE/`` on top)::

    MTD_MSIL1C.xml | MTD_MSIL2A.xml        product metadata: times, baseline, radiometry, bands
    GRANULE/<granule>/MTD_TL.xml           tile metadata: UTM CRS, size and origin per resolution
    GRANULE/<granule>/IMG_DATA/T<tile>_<sensed>_B04.jp2            (L1C: one file per band, at
                                                                    its native resolution + TCI)
    GRANULE/<granule>/IMG_DATA/R10m|R20m|R60m/T<tile>_<sensed>_B04_10m.jp2   (L2A: bands, SCL,
                                                                    AOT, WVP and TCI per folder)

How it maps to xarray: with ``resolution=None`` a :class:`xarray.DataTree` whose groups
``r10m``, ``r20m``, ``r60m`` (as EOPF names its reflectance groups) each hold the images at that
resolution as ``(y, x)`` variables named by band (``B04``, ``B8A``, ``SCL``, ``AOT``, ``WVP``;
``TCI`` is ``(rgb, y, x)`` uint8), on pixel-centre UTM ``x``/``y`` coordinates with the CRS in
``spatial_ref`` (CF grid mapping; rioxarray's ``.rio`` works). The root holds the product
attributes; the root and every group have the scalar ``time`` coordinate (the tile's sensing time).
``resolution=10|20|60`` returns one such Dataset.

Format facts that matter:

- L1C ships each band once, at its native resolution (B02-B04, B08 at 10 m; B05-B07, B8A, B11,
  B12 at 20 m; B01, B09, B10 at 60 m). L2A also ships bands resampled to the coarser grids
  (R20m has B02-B04, and B01 from baseline 04.00 on; R60m has nearly all), never B10.
- Digital numbers become reflectance as ``(DN + offset) / QUANTIFICATION_VALUE``. From
  processing baseline 04.00 (January 2022) on, the MTD carries per-band offsets
  (``RADIO_ADD_OFFSET`` for L1C, ``BOA_ADD_OFFSET`` for L2A, -1000): products of older
  baselines have none, and the same DN means a different reflectance. DN 0 is NODATA, 65535
  SATURATED. AOT and WVP have their own quantification values; SCL and TCI are not scaled.
- ``MTD_TL.xml`` says where the tile is (EPSG:326xx/327xx, upper-left corner and pixel size per
  resolution); the JPEG 2000 files carry the same georeferencing in GML boxes. The reader checks
  that both agree (a mismatch would shift every pixel) and falls back to the MTD when an image
  has none.
- ``IMAGE_FILE`` entries in the MTD name the images without extension: ``.jp2`` in ESA/CDSE
  products, ``.tif`` in some re-processed archives (``imageFormat="GeoTIFF"``).

Partial and broken products (:mod:`._s2_partial`):

- Image files absent: the result holds the images present and one
  :class:`~cdse_intake.errors.PartialProductWarning` names the absent files (``opened without 2
  missing band files: …``); with none present it is metadata only (attributes, and ``x``/``y``
  when the grid is known). Images left out by ``bands=``/``resolution=`` are not reported; a band
  asked for by ``bands=`` whose file is absent is an :class:`~cdse_intake.errors.
  UnsupportedProduct` error naming it and the bands present.
- ``MTD_MSIL1C.xml``/``MTD_MSIL2A.xml`` absent: the metadata come from ``manifest.safe``
  (:mod:`._s2_manifest`; the radiometry from the processing baseline in the product name);
  ``MTD_TL.xml`` absent: the grid comes from the images themselves. One warning says which files
  are absent and what was assumed.
- An empty or foreign image or XML file, or one GDAL cannot open, is refused naming the file.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import xarray as xr

from ..errors import UnsupportedProduct
from ._partial import warn_missing
from ._s2_bands import AUXILIARY, BANDS, RESOLUTIONS, BandInfo, Image, band_name
from ._s2_bands import COMMON_NAMES as COMMON_NAMES
from ._s2_bands import SCL_CLASSES as SCL_CLASSES
from ._s2_geocoding import TileGeocoding, from_images, georeferenced
from ._s2_members import image_info
from ._s2_metadata import Sentinel2Metadata
from ._s2_mtd import read_metadata
from ._s2_partial import METADATA_ONLY, empty_grid, present_images, warn_absent_metadata
from ._s2_variables import variable
from .options import check_chunks
from .raster import RasterInfo
from .source import ProductSource

__all__ = [
    "BANDS",
    "RESOLUTIONS",
    "BandInfo",
    "Image",
    "Sentinel2Metadata",
    "TileGeocoding",
    "open",
    "read_metadata",
]


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    resolution: int | None = None,
    bands: Sequence[str] | None = None,
    scale: bool = True,
) -> xr.Dataset | xr.DataTree:
    """Open a Sentinel-2 L1C/L2A SAFE product lazily.

    ``resolution``: None for a DataTree with groups ``r10m``/``r20m``/``r60m``, or 10, 20 or 60
    for that group's Dataset. ``bands``: the variables to keep (``"B04"``, ``"B8A"``, ``"SCL"``,
    ``"TCI"``...; default all). ``scale``: reflectance ``(DN + offset) / quantification`` as
    float32 with NODATA as NaN (AOT and WVP by their own quantification values); with False the
    raw DNs carry CF ``scale_factor``/``add_offset``/``_FillValue`` so ``xr.decode_cf`` gives the
    same values. SCL and TCI are never scaled.
    """
    wanted_res = _check_resolution(resolution)
    if not isinstance(scale, bool):
        raise ValueError(f"scale={scale!r} must be True (reflectance) or False (raw DN)")
    chunks = _check_chunks(chunks)
    md = read_metadata(source)
    selected = _select(md, wanted_res, _check_bands(bands), source)
    available = [i for i in md.images if wanted_res is None or i.resolution == wanted_res]
    images, missing = present_images(source, selected, available, asked=bands is not None)
    warn_missing(source.location, missing, "band files" if images else METADATA_ONLY)
    warn_absent_metadata(source.location, md, grid_from_images=bool(images))
    infos = _raster_infos(source, [i.path for i in images if i.path is not None])
    if md.geocoding is None and infos:
        first = {i.resolution: infos[i.path] for i in reversed(images) if i.path is not None}
        md = dataclasses.replace(md, geocoding=from_images(first, source.location))
    time = np.datetime64(md.sensing_time.replace(tzinfo=None), "ns") if md.sensing_time else None

    groups: dict[int, dict[str, xr.DataArray]] = {}
    for image in images:
        assert image.path is not None
        info = georeferenced(infos[image.path], image, md, source)
        groups.setdefault(image.resolution, {})[image.name] = variable(
            source, image, info, md, chunks, scale
        )

    # each group carries `time` itself: DataTree groups inherit only indexed coordinates
    times = {"time": time} if time is not None else {}
    datasets = {
        res: _dataset(groups[res], res, source).assign_coords(times) for res in sorted(groups)
    }
    if not images:  # metadata only: the grids (when known) without data variables
        grids = [wanted_res] if wanted_res else sorted({i.resolution for i in selected})
        datasets = {res: empty_grid(md.geocoding, res).assign_coords(times) for res in grids}
        if wanted_res is None:  # a tree without the groups whose grid is unknown
            datasets = {r: d for r, d in datasets.items() if "x" in d.coords}
    attrs = md.attrs()
    if wanted_res is not None:
        ds = datasets[wanted_res]
        ds.attrs = {**attrs, **ds.attrs}
        return ds
    root = xr.Dataset(coords=times, attrs=attrs)
    return xr.DataTree.from_dict({"/": root, **{f"r{r}m": d for r, d in datasets.items()}})


def _check_resolution(resolution: Any) -> int | None:
    if resolution is None:
        return None
    value: int | None = None
    if isinstance(resolution, (int, np.integer)) and not isinstance(resolution, bool):
        value = int(resolution)
    elif isinstance(resolution, str) and (m := re.fullmatch(r"r?(\d+)m?", resolution.strip())):
        value = int(m.group(1))
    if value not in RESOLUTIONS:
        raise ValueError(
            f"resolution={resolution!r} is not a Sentinel-2 resolution; expected one of "
            f"{', '.join(map(str, RESOLUTIONS))} (metres), or None for all of them as a DataTree"
        )
    return value


def _check_bands(bands: Any) -> list[str] | None:
    if bands is None:
        return None
    if isinstance(bands, str):
        bands = [b for b in re.split(r"[,\s]+", bands) if b]
    if not isinstance(bands, Sequence) or not all(isinstance(b, str) for b in bands) or not bands:
        raise ValueError(
            f"bands={bands!r} must be a non-empty list of band names such as ['B04', 'B08', 'SCL']"
        )
    return [band_name(b) or b.strip().upper() for b in bands]


def _check_chunks(chunks: Any) -> Any:
    """Chunks for :func:`open_raster` (dims ``band, y, x``); ``rgb`` is TCI's ``band``."""
    dims = {"y": "y", "x": "x", "rgb": "band", "band": "band"}
    checked = check_chunks(chunks, dims, what="Sentinel-2 variables")
    if not isinstance(checked, dict):
        return checked
    return {"band": 1, **checked}


def _select(
    md: Sentinel2Metadata, resolution: int | None, bands: list[str] | None, source: ProductSource
) -> list[Image]:
    """The images to open, in variable order; clear errors for bands not in the product."""
    available = [i for i in md.images if resolution is None or i.resolution == resolution]
    if bands is not None:
        everywhere = {i.name for i in md.images}
        here = {i.name for i in available}
        for band in bands:
            if band in here:
                continue
            if band in everywhere:
                at = sorted({i.resolution for i in md.images if i.name == band})
                raise ValueError(
                    f"bands: {band!r} is not at {resolution} m in {md.product_uri or source.name}"
                    f" (it is at {', '.join(f'{r} m' for r in at)}); at {resolution} m: "
                    + ", ".join(_ordered(here))
                )
            raise ValueError(
                f"bands: {band!r} is not an image of {md.product_uri or source.name}; expected "
                "some of " + ", ".join(_ordered(everywhere))
            )
        available = [i for i in available if i.name in bands]
    if not available:
        raise UnsupportedProduct(
            f"{source.location}: its metadata lists no image"
            + (f" at {resolution} m" if resolution else "")
        )
    order = {name: k for k, name in enumerate((*BANDS, *AUXILIARY))}
    return sorted(available, key=lambda i: (i.resolution, order.get(i.name, 99), i.name))


def _ordered(names: set[str]) -> list[str]:
    order = {name: k for k, name in enumerate((*BANDS, *AUXILIARY))}
    return sorted(names, key=lambda n: (order.get(n, 99), n))


def _raster_infos(source: ProductSource, paths: list[str]) -> dict[str, RasterInfo]:
    """Headers of the images, each checked first (an empty or foreign file is named); remote
    ones read in parallel (each costs a round trip or two)."""
    if source.origin != "remote" or len(paths) < 2:
        return {p: image_info(source, p) for p in paths}
    with ThreadPoolExecutor(max_workers=min(8, len(paths))) as pool:
        return dict(zip(paths, pool.map(lambda p: image_info(source, p), paths), strict=True))


def _dataset(variables: dict[str, xr.DataArray], resolution: int, source: ProductSource) -> Any:
    arrays = list(variables.values())
    try:
        xr.align(*arrays, join="exact")
    except ValueError as err:
        raise UnsupportedProduct(
            f"{source.location}: the {resolution} m images are not on one grid: {err}"
        ) from err
    ds = xr.Dataset(variables)
    ds.attrs["resolution"] = resolution
    return ds
