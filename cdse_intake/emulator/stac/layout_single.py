"""Single-file products as one STAC asset: Sentinel-5P netCDF and CLMS GeoTIFF.

Sentinel-5P as the ``sentinel-5p`` template writes it (EOMETA ``stac_s5p.py``, ``const.py`` and
the NO2 example): one ``netcdf`` asset, ``application/netcdf``, titled after the product
(``ASSET_TITLE_MAP``), ``data_type`` float32 and the netCDF fill value as ``nodata``.

CLMS has no eometadatatool template; its GeoTIFF is described like the generator's COG assets
(``copdem-cog``): a ``data`` asset titled with the file name, typed as a COG (CLMS makes its
GeoTIFFs with its ``CLMS_NetCDF2COG`` tool), with the band's scale, offset and nodata.
"""

from __future__ import annotations

import functools
from typing import Any

from ..catalogue import Entry
from .jsonb import jsonb_order
from .layout_s1 import COG

__all__ = ["S5P_SUBTYPES", "classify_single"]

#: ``const.PRODUCT_TYPE_MAP`` -> (``ASSET_TITLE_MAP``, ``GSD_MAP`` (default 3500 m)).
S5P_SUBTYPES: dict[str, tuple[str, str, int]] = {
    "L2__AER_AI": ("aer-ai", "UV Aerosol Index", 3500),
    "L2__AER_LH": ("aer-lh", "UV Aerosol Layer Height", 3500),
    "L2__CH4___": ("ch4", "Methane Concentration", 7000),
    "L2__CLOUD_": ("cloud", "Cloud Parameters", 3500),
    "L2__CO____": ("co", "Carbon Monoxide Concentration", 7000),
    "L2__HCHO__": ("hcho", "Atmospheric Formaldehyde Concentration", 3500),
    "L2__NO2___": ("no2", "Nitrogen Dioxide Concentration", 3500),
    "L2__O3____": ("o3", "Total Column Ozone Concentration", 3500),
    "L2__O3__PR": ("o3-pr", "Atmospheric Ozone Concentration", 21000),
    "L2__SO2___": ("so2", "Atmospheric Sulfur Dioxide Concentrations", 3500),
}
#: netCDF's default float fill value, the template's ``nodata`` for every L2 product but NPP.
NETCDF_FILL = 9.969209968386869e36


def classify_single(entry: Entry, family: str) -> tuple[str, dict[str, Any]]:
    """Asset key and static fields of a single-file product's file."""
    if family == "s5p":
        return "netcdf", _s5p(entry.product_type)
    if entry.name.lower().endswith((".tif", ".tiff")):
        return "data", _geotiff(entry.name)
    ext = entry.name.rsplit(".", 1)[-1].lower()
    media = "application/netcdf" if ext == "nc" else "application/octet-stream"
    return "data", jsonb_order({"type": media, "title": entry.name, "roles": ["data"]})


@functools.lru_cache(maxsize=32)
def _s5p(product_type: str) -> dict[str, Any]:
    _, title, _ = S5P_SUBTYPES.get(product_type, ("", product_type, 3500))
    return jsonb_order(
        {
            "type": "application/netcdf",
            "title": title,
            "roles": ["data"],
            "data_type": "float32",
            "nodata": NETCDF_FILL,
        }
    )


@functools.lru_cache(maxsize=256)
def _geotiff(name: str) -> dict[str, Any]:
    from ..products.geotiff import NODATA, OFFSET, SCALE  # the writer's band encoding

    return jsonb_order(
        {
            "type": COG,
            "title": name,
            "roles": ["data"],
            "data_type": "uint8",
            "nodata": NODATA,
            "raster:scale": SCALE,
            "raster:offset": OFFSET,
            "proj:code": "EPSG:4326",
        }
    )
