"""Landsat Collection 2 products (USGS GeoTIFF bundles, Level-1 and Level-2) as one Dataset.

A product (``LC08_L1TP_195028_20230703_20230703_02_RT``) is a folder of one GeoTIFF per band
and quality layer, named ``<product id>_<suffix>.TIF`` (``B4``, ``B6_VCID_1``, ``SR_B4``,
``ST_B10``, ``QA_PIXEL``, ``SZA``…), and metadata files: ``_MTL.txt`` (ODL), ``_MTL.xml``,
``_MTL.json``, ``_ANG.txt``. The MTL's ``PRODUCT_CONTENTS`` lists every raster
(``FILE_NAME_BAND_4``, ``FILE_NAME_QUALITY_L1_PIXEL``…) and the other groups hold the
rescaling factors, the sun angles, the scene time and the grid.

As xarray: one variable per raster, named by its suffix, on ``(y, x)`` pixel-centre UTM
coordinates with the CRS in ``spatial_ref`` (``.rio`` works); the panchromatic band (``B8``
of OLI and ETM+ Level-1, twice the resolution) on its own ``(y_pan, x_pan)``. ``time`` is the
scalar scene-centre time (``DATE_ACQUIRED`` + ``SCENE_CENTER_TIME``). ``scale=True`` (default)
gives float32 physical values with the fill as NaN (see :mod:`._landsat_scaling`): reflectance,
brightness or surface temperature (K), angles in degrees; QA bands stay integer bit fields
(``QA_PIXEL`` with CF ``flag_masks``). ``scale=False`` gives the DN with CF ``scale_factor``/
``add_offset``/``_FillValue`` attributes where the scaling is linear. ``bands`` (``variables``
through :func:`~cdse_intake.open_product`) selects rasters. A bundle without some of the rasters
its MTL lists opens with the others and one ``PartialProductWarning``; without any, as metadata
only (attributes, time, and the ``x``/``y`` grid the MTL gives). Attributes: the MTL's main
facts; :func:`read_metadata` gives the whole MTL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import xarray as xr
from xarray.core import indexing

from ..errors import UnsupportedProduct
from ._landsat_mtl import group, number, parse_odl
from ._landsat_scaling import Scaled, scaling_of
from ._partial import warn_missing
from ._times import parse_utc
from .options import check_bool, check_chunks, check_names
from .raster import RasterInfo, axis_attrs, checked_raster_info, open_raster, tile_chunks
from .source import ProductSource

__all__ = ["open", "read_metadata"]

#: ``QA_PIXEL`` bits (Collection 2): CF flag masks and meanings.
QA_PIXEL_FLAGS = (
    (1, "fill"), (2, "dilated_cloud"), (4, "cirrus"), (8, "cloud"), (16, "cloud_shadow"),
    (32, "snow"), (64, "clear"), (128, "water"),
)  # fmt: skip
#: MTL facts copied into the Dataset's attributes: (group, key).
ATTRS = (
    ("PRODUCT_CONTENTS", "LANDSAT_PRODUCT_ID"),
    ("PRODUCT_CONTENTS", "PROCESSING_LEVEL"),
    ("PRODUCT_CONTENTS", "COLLECTION_NUMBER"),
    ("PRODUCT_CONTENTS", "COLLECTION_CATEGORY"),
    ("IMAGE_ATTRIBUTES", "SPACECRAFT_ID"),
    ("IMAGE_ATTRIBUTES", "SENSOR_ID"),
    ("IMAGE_ATTRIBUTES", "WRS_PATH"),
    ("IMAGE_ATTRIBUTES", "WRS_ROW"),
    ("IMAGE_ATTRIBUTES", "CLOUD_COVER"),
    ("IMAGE_ATTRIBUTES", "CLOUD_COVER_LAND"),
    ("IMAGE_ATTRIBUTES", "SUN_AZIMUTH"),
    ("IMAGE_ATTRIBUTES", "SUN_ELEVATION"),
)


def read_metadata(source: ProductSource) -> dict[str, Any]:
    """The whole ``_MTL.txt`` as nested dicts of strings (``mtl["IMAGE_ATTRIBUTES"]…``)."""
    source = _as_folder(source)
    rel = source.find_one("*_MTL.txt", "Landsat metadata file (_MTL.txt)")
    return parse_odl(source.read_bytes(rel).decode("utf-8", "replace"), f"{source.location}/{rel}")


def open(
    source: ProductSource,
    *,
    chunks: Any = "auto",
    scale: bool = True,
    bands: Sequence[str] | str | None = None,
) -> xr.Dataset:
    """The product of ``source`` as a lazy Dataset (see the module docstring).

    ``bands``: the rasters to open (``"B4"``, ``["SR_B4", "QA_PIXEL"]``; ``variables=`` of
    :func:`~cdse_intake.open_product`), a name the MTL does not list refused with those it
    lists. Rasters the MTL lists but the product lacks are left out with one
    :class:`~cdse_intake.PartialProductWarning` (none at all: metadata only, the grid from the
    MTL); a raster asked for by ``bands`` that is absent is refused.
    """
    scale = check_bool("scale", scale)
    wanted = check_names("bands", bands, "['B4', 'QA_PIXEL']")
    chunks = check_chunks(chunks, _DIMS, what="Landsat rasters")
    source = _as_folder(source)
    mtl = read_metadata(source)
    contents = group(mtl, "PRODUCT_CONTENTS")
    level = contents.get("PROCESSING_LEVEL", "")
    listed_ = _rasters(source, contents)
    if wanted is not None:
        unknown = [b for b in wanted if b not in listed_]
        if unknown:
            raise ValueError(
                f"bands={unknown!r} are not rasters of {source.name}; it has {sorted(listed_)}"
            )
        absent = [b for b in wanted if listed_[b][1] is None]
        if absent:
            present = sorted(b for b, (_, rel, _) in listed_.items() if rel is not None)
            raise UnsupportedProduct(
                f"{source.location}: band {absent[0]} was asked for but its file "
                f"{listed_[absent[0]][2]} is absent; the bands present are "
                + (", ".join(present) or "none")
            )
        listed_ = {b: listed_[b] for b in wanted}
    rasters = {b: (label, rel) for b, (label, rel, _) in listed_.items() if rel is not None}
    missing = [file for _, rel, file in listed_.values() if rel is None]
    infos = {b: checked_raster_info(source, rel) for b, (_, rel) in rasters.items()}
    variables: dict[str, xr.DataArray] = {}
    for suffix, (label, rel) in rasters.items():
        da = _variable(source, rel, suffix, label, level, mtl, scale, infos[suffix])
        if suffix == "B8" and _is_pan(mtl, da):
            da = da.rename({"y": "y_pan", "x": "x_pan"})
        variables[suffix] = da
    ds = xr.Dataset(variables)
    if not variables:
        ds = _mtl_grid(mtl)
    when = _time(mtl)
    if when is not None:
        ds = ds.assign_coords(
            time=((), np.datetime64(when.replace(tzinfo=None), "ns"), {"standard_name": "time"})
        )
    ds.attrs = {key.lower(): group(mtl, g)[key] for g, key in ATTRS if key in group(mtl, g)}
    warn_missing(source.location, missing, METADATA_ONLY if not variables else "files")
    if chunks is not None and variables:
        if chunks == "auto":
            auto = tile_chunks(next(iter(infos.values())))
            chunks = {"y": auto["y"], "x": auto["x"], "y_pan": auto["y"], "x_pan": auto["x"]}
        if isinstance(chunks, dict):
            chunks = {k: v for k, v in chunks.items() if k in ds.dims}
        ds = ds.chunk(chunks)
    return ds


#: The kind of :func:`._partial.warn_missing` when no raster is present.
METADATA_ONLY = "band files (all of them: opened as metadata only)"
_DIMS = {"y": "y", "x": "x", "y_pan": "y_pan", "x_pan": "x_pan"}


def _as_folder(source: ProductSource) -> ProductSource:
    if source.single_file:
        raise UnsupportedProduct(
            f"{source.location}: a Landsat product is a folder (or zip) of GeoTIFFs and _MTL "
            "files, not a single file"
        )
    return source


def _rasters(
    source: ProductSource, contents: dict[str, str]
) -> dict[str, tuple[str, str | None, str]]:
    """Suffix -> (MTL band label, path in the product or None when absent, file name) of
    every raster the MTL lists."""
    product_id = contents.get("LANDSAT_PRODUCT_ID", source.name)
    present = {f.rsplit("/", 1)[-1]: f for f in source.files()}
    out = {}
    for key, file_name in contents.items():
        if not key.startswith("FILE_NAME_") or not file_name.upper().endswith(".TIF"):
            continue
        suffix = file_name[: -len(".TIF")].removeprefix(f"{product_id}_")
        label = key.removeprefix("FILE_NAME_").removeprefix("BAND_")
        out[suffix] = (label, present.get(file_name), file_name)
    return out


def _mtl_grid(mtl: dict[str, Any]) -> xr.Dataset:
    """No raster: the reflective grid's ``x``/``y`` and CRS from the MTL, when it states them
    (``CORNER_UL_PROJECTION_*_PRODUCT`` are pixel centres)."""
    p = group(mtl, "PROJECTION_ATTRIBUTES")
    x0, y0 = (
        number(p.get("CORNER_UL_PROJECTION_X_PRODUCT")),
        number(p.get("CORNER_UL_PROJECTION_Y_PRODUCT")),
    )
    cell = number(p.get("GRID_CELL_SIZE_REFLECTIVE"))
    lines, samples = number(p.get("REFLECTIVE_LINES")), number(p.get("REFLECTIVE_SAMPLES"))
    zone = number(p.get("UTM_ZONE"))
    if None in (x0, y0, cell, lines, samples, zone) or p.get("MAP_PROJECTION") != "UTM":
        return xr.Dataset()
    import rioxarray  # noqa: F401  (registers the .rio accessor)
    from affine import Affine
    from rasterio.crs import CRS

    crs = CRS.from_epsg(32600 + int(zone))  # Collection 2: northern zones, negative y south
    ds = xr.Dataset(
        coords={
            "x": x0 + cell * np.arange(int(samples)),
            "y": y0 - cell * np.arange(int(lines)),
        }
    )
    ds = ds.rio.write_crs(crs).rio.write_transform(
        Affine(cell, 0, x0 - cell / 2, 0, -cell, y0 + cell / 2)
    )
    ds.x.attrs.update(axis_attrs("x", crs))
    ds.y.attrs.update(axis_attrs("y", crs))
    return ds


def _is_pan(mtl: dict[str, Any], da: xr.DataArray) -> bool:
    """Whether ``da`` is on the panchromatic grid, not the reflective one."""
    lines = group(mtl, "PROJECTION_ATTRIBUTES").get("REFLECTIVE_LINES")
    return lines is not None and lines.isdigit() and da.sizes["y"] != int(lines)


def _variable(
    source: ProductSource,
    rel: str,
    suffix: str,
    label: str,
    level: str,
    mtl: dict[str, Any],
    scale: bool,
    info: RasterInfo,
) -> xr.DataArray:
    raw = open_raster(source, rel, chunks=None, name=suffix, info=info).isel(band=0, drop=True)
    scaling = scaling_of(suffix, label, level, mtl)
    attrs = {"long_name": suffix}
    if suffix == "QA_PIXEL":
        attrs |= {
            "long_name": "pixel quality (Collection 2 bits)",
            "flag_masks": np.array([m for m, _ in QA_PIXEL_FLAGS], np.uint16),
            "flag_meanings": " ".join(n for _, n in QA_PIXEL_FLAGS),
        }
    if scaling is None:
        raw.attrs.update(attrs)
        return raw
    attrs |= {"long_name": scaling.long_name, "units": scaling.units}
    if not scale:
        if scaling.linear:
            raw.attrs.update(scale_factor=scaling.mult, add_offset=scaling.add)
        raw.attrs.update(attrs)
        return raw
    scaled = Scaled(raw.variable, scaling, info.nodata)
    variable = xr.Variable(raw.dims, indexing.LazilyIndexedArray(scaled), attrs)
    return xr.DataArray(variable, coords=raw.coords, name=suffix)


def _time(mtl: dict[str, Any]) -> datetime | None:
    image = group(mtl, "IMAGE_ATTRIBUTES")
    date, clock = image.get("DATE_ACQUIRED"), image.get("SCENE_CENTER_TIME")
    if not date:
        return None
    if not clock:
        return parse_utc(date)
    clock = clock.rstrip("Z")
    whole, _, fraction = clock.partition(".")
    return parse_utc(
        f"{date}T{whole}.{(fraction + '000000')[:6]}" if fraction else f"{date}T{whole}"
    )
