"""Gridded raster products (family ``gridded``): COP-DEM tiles, the global mosaics, the CLMS
products of :mod:`..records.clms_more`, S2GLC, CEMS GFM and SENTINEL-1-RTC.

Every product is a folder of cloud-optimised GeoTIFFs (tiled, DEFLATE, internal overviews), one
variable per file, or (CLMS NDVI ``_nc``) of one CF netCDF-4 file. For the STAC collections the
files are exactly those :func:`..stac.layout_generic.generic_files` lists for the item. What is
real and what is inferred is said in each writer's module: :mod:`._gridded_dem`,
:mod:`._gridded_mosaics`, :mod:`._gridded_clms`, :mod:`._gridded_odata`; the encoding and grids
in :mod:`._gridded_cog`. Pixels are the synthetic Earth (:mod:`..scene`) at the product's place
and period; builds are deterministic functions of the record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from . import Builder

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["FAMILY_BUILDERS", "build", "writer_of"]


def writer_of(entry: Entry) -> Callable[[Entry], dict[str, bytes]]:
    """The function writing ``entry``'s files (a clear error for a record of no gridded kind)."""
    from . import _gridded_clms as clms
    from . import _gridded_dem as dem
    from . import _gridded_mosaics as mosaics
    from . import _gridded_odata as odata

    collection, product_type, name = entry.collection, entry.product_type, entry.name
    if collection == "COP-DEM":
        return dem.build_dem
    if collection == "GLOBAL-MOSAICS":
        if product_type.startswith("S1SAR"):
            return mosaics.build_s1
        return mosaics.build_s2 if product_type.startswith("S2") else mosaics.build_landsat
    if collection == "CLMS":
        if product_type == "NDVI300" and name.endswith("_nc"):
            return clms.build_ndvi_nc
        if product_type == "NDVI300" and name.endswith("_cog"):
            return clms.build_ndvi_cog
        if product_type.startswith("CLCPLUS"):
            return clms.build_clcplus
    writers = {"S2GLC": odata.build_s2glc, "CEMS": odata.build_gfm}
    writers["SENTINEL-1-RTC"] = odata.build_rtc
    if collection in writers:
        return writers[collection]
    raise ValueError(
        f"{name!r} ({collection} {product_type}) is not a gridded product: expected COP-DEM, "
        "GLOBAL-MOSAICS, CLMS NDVI300 _nc/_cog or CLCPLUS, S2GLC, CEMS or SENTINEL-1-RTC"
    )


def build(entry: Entry) -> dict[str, bytes]:
    """The product's files, relative to its folder ``<name>/``."""
    return writer_of(entry)(entry)


FAMILY_BUILDERS = {"gridded": Builder(build)}
