"""Copernicus Contributing Missions products (OData collection ``CCM``), one folder each.

Three kinds, by product type (what each writes, and what is real or inferred, is in its module):

- DEM tiles ``SAR_DGE_10/30/90``, ``SAR_DTE_30``, ``SAR_INS_10`` (:mod:`._ccm_dem`): the
  Copernicus DEM tile folder (``<tile>/DEM/<tile>_DEM.tif`` or ``.dt2``, ``AUXFILES/`` masks,
  ``INFO/``, ``PREVIEW/``), heights 0 m on the sea;
- optical VHR scenes ``PHR_MS___3``, ``GIS_MS4_OR``, ``WV3_MS4_OR``, ``HRS_MS4_1C``,
  ``AIS_MSP_1G`` (:mod:`._ccm_optical`): DIMAP V2 (``DIM_*.XML`` + ``IMG_*_R1C1.TIF``, four
  bands on UTM), the scene's reflectance with the record's clouds;
- SAR scenes ``SAR_SC_GEC``, ``SAR_WS_EEC``, ``SAR_SN_SCN``, ``SAR_HIM_1B``, ``SAR_SC__GR``
  (:mod:`._ccm_sar`): TerraSAR-X, RADARSAT-2 or ICEYE layouts, amplitude GeoTIFFs (geocoded or
  with GCPs), the scene's backscatter.

The STAC layout of CCM items lists no files (``layout_generic.generic_files`` gives none for
kind ``ccm``), so these are the products' own structures. Products are a few hundred kB and
build in tens of milliseconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import Builder

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["FAMILY_BUILDERS", "build", "kind"]

_DEM = ("SAR_DGE_10", "SAR_DGE_30", "SAR_DGE_90", "SAR_DTE_30", "SAR_INS_10")


def kind(product_type: str) -> str:
    """``dem``, ``optical`` or ``sar``; ValueError for other product types."""
    if product_type in _DEM:
        return "dem"
    if product_type.startswith("SAR_"):
        from ._ccm_sar import LAYOUTS

        if product_type in LAYOUTS:
            return "sar"
    elif product_type in ("PHR_MS___3", "GIS_MS4_OR", "WV3_MS4_OR", "HRS_MS4_1C", "AIS_MSP_1G"):
        return "optical"
    raise ValueError(f"not a CCM product type: {product_type!r}")


def build(entry: Entry) -> dict[str, bytes]:
    """The files of a CCM product (paths relative to the product folder)."""
    which = kind(entry.product_type)
    if which == "dem":
        from ._ccm_dem import build_dem

        return build_dem(entry)
    if which == "optical":
        from ._ccm_optical import build_optical

        return build_optical(entry)
    from ._ccm_sar import build_sar

    return build_sar(entry)


FAMILY_BUILDERS = {"ccm": Builder(build)}
