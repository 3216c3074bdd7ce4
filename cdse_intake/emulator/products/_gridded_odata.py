"""Gridded products of the OData-only collections: S2GLC land cover 2017, CEMS Global Flood
Monitoring (GFM) and SENTINEL-1-RTC. CDSE publishes no STAC layout for them; their record names
are inferred (:mod:`..records.complementary`), and so is most of the structure below.

- S2GLC (real: the S2GLC land cover map of Europe 2017, CBK PAN for ESA): 10 m, UTM per
  Sentinel-2 tile, uint8 with the S2GLC legend (0 clouds, 62 artificial surfaces, 73 cultivated
  areas, 75 vineyards, 82 broadleaf tree cover, 83 coniferous tree cover, 102 herbaceous
  vegetation, 103 moors and heathland, 104 sclerophyllous vegetation, 105 marshes, 106 peatbogs,
  121 natural material surfaces, 123 permanent snow, 162 water bodies, 255 no data). Inferred:
  one ``<name>.tif`` per product.
- GFM (real: the GFM product definition document's output layers, 20 m, uint8 rasters): one
  file per layer, ``ENSEMBLE_FLOOD``, ``ENSEMBLE_OBSWATER``, ``ENSEMBLE_LIKELIHOOD``,
  ``REFERENCE_WATER_OUT``, ``EXCLUSION_LAYER``, ``ADVISORY_FLAGS``. Inferred: file names
  ``<LAYER>_<acquisition>_<tile>.tif``, and the grid: GFM's Equi7Grid is replaced by a
  lat/lon grid of 0.0002° (~20 m); 255 is nodata.
- RTC (real: terrain-flattened gamma0 per polarisation as linear power, float32, one COG per
  polarisation, nodata 0, UTM at 20 m, as the public Sentinel-1 RTC datasets have it). Inferred:
  file names ``<name>_VV.tif``/``<name>_VH.tif`` and the UTM zone of the site.

Each writes a 256 x 256 window around the catalogue site, the scene on the product's date:
flooded land is low (under 8 m, :func:`._gridded_dem.elevation`) land outside the exclusion
layer (urban, forest); backscatter is the scene's with 5-look speckle (low on calm water).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from ._gridded_cog import Grid, cog, lonlat_of
from ._gridded_dem import elevation
from ._gridded_mosaics import SIZE, tile_grid

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["GFM_LAYERS", "GFM_PIXEL", "S2GLC_CLASSES", "build_gfm", "build_rtc", "build_s2glc"]

#: scene class (water, forest, cropland, grassland, bare, urban, snow) -> S2GLC code; forests
#: split into broadleaf (82) and coniferous (83).
S2GLC_CLASSES = np.array([162, 82, 73, 102, 121, 62, 123], np.uint8)
GFM_LAYERS = (
    "ENSEMBLE_FLOOD",
    "ENSEMBLE_OBSWATER",
    "ENSEMBLE_LIKELIHOOD",
    "REFERENCE_WATER_OUT",
    "EXCLUSION_LAYER",
    "ADVISORY_FLAGS",
)
GFM_PIXEL = 0.0002


def _utm_tile(lon: float, lat: float) -> str:
    """An MGRS-shaped id naming the UTM zone and latitude band of a point."""
    zone = int((lon + 180) // 6) % 60 + 1
    band = "CDEFGHJKLMNPQRSTUVWX"[min(max(int((lat + 80) // 8), 0), 19)]
    return f"{zone:02d}{band}AA"


def build_s2glc(entry: Entry) -> dict[str, bytes]:
    from ..scene import surface_class
    from ..scene.noise import cell_hash, seed_of

    tile = entry.name.split("_")[1][1:]
    grid = tile_grid(tile, entry.extra["lon"], entry.extra["lat"], 10)
    lon, lat = lonlat_of(grid)
    cls = surface_class(lon, lat, datetime(2017, 7, 1))
    codes = S2GLC_CLASSES[cls]
    conifer = cell_hash(lon, lat, 360 / 2**15, seed_of("conifer")) < 0.3 + 0.5 * (abs(lat) > 55)
    codes = np.where((codes == 82) & conifer, 83, codes).astype(np.uint8)
    band = {"long_name": "S2GLC land cover class"}
    tags = {"reference_year": "2017", "product_name": entry.name}
    return {f"{entry.stem}.tif": cog(codes, grid, nodata=255, tags=tags, band_tags=band)}


def gfm_grid(entry: Entry) -> Grid:
    lon, lat = entry.extra["lon"], entry.extra["lat"]
    col, row = math.floor(lon / GFM_PIXEL) - SIZE // 2, math.floor(lat / GFM_PIXEL) + SIZE // 2
    return Grid("EPSG:4326", col * GFM_PIXEL, row * GFM_PIXEL, GFM_PIXEL, GFM_PIXEL, SIZE, SIZE)


def gfm_layers(entry: Entry) -> tuple[Grid, dict[str, np.ndarray]]:
    """The grid and the six output layers (uint8) of a GFM product."""
    from ..scene import is_land, surface_class
    from ..scene.noise import fbm, seed_of

    grid = gfm_grid(entry)
    lon, lat = lonlat_of(grid)
    when = entry.start.replace(tzinfo=None)
    land = is_land(lon, lat)
    cls = surface_class(lon, lat, when)
    height = elevation(lon, lat)
    excluded = land & np.isin(cls, (1, 5))  # forest, urban: SAR cannot see water there
    wet = fbm(lon, lat, seed_of("flood", entry.name), 360 / 8192, 4)
    flood = land & ~excluded & (height < 8.0) & (wet > 0.5)
    reference = ~land
    likelihood = np.where(flood | reference, 60 + 40 * wet, 40 * wet)
    layers = {
        "ENSEMBLE_FLOOD": np.where(excluded, 255, flood),
        "ENSEMBLE_OBSWATER": np.where(excluded, 255, flood | reference),
        "ENSEMBLE_LIKELIHOOD": np.where(excluded, 255, np.rint(likelihood)),
        "REFERENCE_WATER_OUT": reference,
        "EXCLUSION_LAYER": excluded,
        "ADVISORY_FLAGS": land & (cls == 4),  # bare, sandy ground: low backscatter
    }
    return grid, {k: v.astype(np.uint8) for k, v in layers.items()}


def build_gfm(entry: Entry) -> dict[str, bytes]:
    _, tile, stamp, _ = entry.name.split("_")
    grid, layers = gfm_layers(entry)
    tags = {"acquisition_time": stamp, "equi7_tile": tile, "product_name": entry.name}
    return {
        f"{layer}_{stamp}_{tile}.tif": cog(values, grid, nodata=255, tags=tags)
        for layer, values in layers.items()
    }


def rtc_grid(entry: Entry) -> Grid:
    lon, lat = entry.extra["lon"], entry.extra["lat"]
    return tile_grid(_utm_tile(lon, lat), lon, lat, 20)


def build_rtc(entry: Entry) -> dict[str, bytes]:
    from ..scene import sigma0_db

    grid = rtc_grid(entry)
    lon, lat = lonlat_of(grid)
    when = entry.start.replace(tzinfo=None)
    tags = {
        "ACQUISITION_START": entry.start.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "SOURCE_PRODUCT": entry.name.removesuffix("_RTC"),
        "BACKSCATTER": "gamma0 terrain-flattened, linear power",
    }
    files = {}
    for pol in ("VV", "VH"):
        gamma0 = np.power(10.0, sigma0_db(lon, lat, when, pol, looks=5) / 10.0)
        files[f"{entry.stem}_{pol}.tif"] = cog(
            gamma0.astype(np.float32), grid, nodata=0, tags=tags, band_tags={"POLARIZATION": pol}
        )
    return files
