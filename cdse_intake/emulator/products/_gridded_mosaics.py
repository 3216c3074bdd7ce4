"""GLOBAL-MOSAICS products: Sentinel-2 quarterly and Sentinel-1 monthly mosaics (CDSE, made by
Sinergise) and OpenGeoHub's bi-monthly Landsat mosaic.

Real (CDSE's mosaic pages and algorithm notes; the STAC ``item_assets`` of
``sentinel-2-global-mosaics``, ``sentinel-1-global-mosaics`` and
``opengeohub-landsat-bimonthly-mosaic-v1.0.1`` as :mod:`..stac.layout_generic` lists them):

- Sentinel-2: one COG per band ``B02.tif B03.tif B04.tif B08.tif`` (int16 reflectance x 10000,
  nodata -32768, 10 m), ``observations.tif`` (uint16 count of valid observations, nodata 0) and
  ``userdata.json`` (the product's OData record), on a UTM grid of the tile named in the product;
- Sentinel-1: ``VV.tif VH.tif`` (IW) or ``HH.tif HV.tif`` (DH, polar), terrain-flattened
  backscatter (gamma0, linear power) composited over the month, 20 m (IW) / 40 m (DH), UTM;
  the STAC says float32 with nodata -32768, which is written (CDSE's page says "16-bit COG":
  unverified which holds);
- Landsat: ``B01.tif`` .. ``B07.tif`` (blue, green, red, NIR, SWIR 1.6, SWIR 2.2, thermal) and
  ``clear_sky_mask.tif``, uint8, EPSG:4326 1° tiles at 30 m (1/4000°).

Emulated: a 256 x 256 pixel window of that grid around the catalogue site (the tile origin
from :func:`._geo.utm_window`: 100 km lines of the MGRS zone, 60 m steps), the scene's
cloudless surface on the middle day of the period. Inferred: the observation count (6-18 on land,
fewer at sea), the Landsat scaling (reflectance x 250; thermal ``2 x (K - 240)``) and the
clear-sky mask as the percentage of clear observations.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ._clms_pixels import middle
from ._geo import utm_window
from ._gridded_cog import Grid, cog, lonlat_of, userdata

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "LANDSAT_PIXEL",
    "SIZE",
    "build_landsat",
    "build_s1",
    "build_s2",
    "mosaic_grid",
    "tile_grid",
]

SIZE = 256
LANDSAT_PIXEL = 1 / 4000
S2_BANDS = ("B02", "B03", "B04", "B08")
#: Landsat mosaic bands: file -> Sentinel-2 band of the scene with the same light (None: thermal).
LANDSAT_BANDS = {
    "B01": "B02", "B02": "B03", "B03": "B04", "B04": "B08", "B05": "B11", "B06": "B12", "B07": None
}  # fmt: skip


def mosaic_grid(entry: Entry, resolution: int) -> Grid:
    """The UTM window of the entry's tile at ``resolution`` metres."""
    return tile_grid(entry.extra["tile"], entry.extra["lon"], entry.extra["lat"], resolution)


def tile_grid(tile: str, lon: float, lat: float, resolution: int) -> Grid:
    """:data:`SIZE` pixels square of the MGRS ``tile``'s UTM grid around ``(lon, lat)``."""
    window = utm_window(tile, lon, lat, 3660)
    half = SIZE * resolution / 2
    cx, cy = window.x0 + window.size / 2, window.y0 - window.size / 2
    x0 = window.x0 + resolution * round((cx - half - window.x0) / resolution)
    y0 = window.y0 - resolution * round((window.y0 - cy - half) / resolution)
    return Grid(f"EPSG:{window.epsg}", x0, y0, resolution, resolution, SIZE, SIZE)


def _period_tags(entry: Entry) -> dict[str, str]:
    return {
        "time_coverage_start": entry.start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "time_coverage_end": entry.end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "product_name": entry.name,
    }


def _count(lon: np.ndarray, lat: np.ndarray, seed: str, low: int, high: int) -> np.ndarray:
    """A smooth whole count in ``low..high`` (swaths overlapping), the same every build."""
    from ..scene.noise import fbm, seed_of

    n = fbm(lon, lat, seed_of(seed), 360 / 4096, 3)
    return np.rint(low + (high - low) * n)


def build_s2(entry: Entry) -> dict[str, bytes]:
    from ..scene import is_land, surface_reflectance

    grid = mosaic_grid(entry, 10)
    lon, lat = lonlat_of(grid)
    when = middle(entry.start, entry.end)
    reflectance = surface_reflectance(list(S2_BANDS), lon, lat, when)
    tags = _period_tags(entry)
    files: dict[str, bytes] = {}
    for band, values in zip(S2_BANDS, reflectance, strict=True):
        dn = np.clip(np.rint(values * 10000), 1, 32767).astype(np.int16)
        files[f"{band}.tif"] = cog(dn, grid, nodata=-32768, tags=tags, band_tags={"BAND": band})
    land = is_land(lon, lat)
    obs = np.where(land, _count(lon, lat, f"s2obs:{entry.name}", 6, 18), 3).astype(np.uint16)
    files["observations.tif"] = cog(obs, grid, nodata=0, tags=tags)
    files["userdata.json"] = userdata(entry)
    return files


def build_s1(entry: Entry) -> dict[str, bytes]:
    from ..scene import sigma0_db

    dual_h = "_DH_" in entry.product_type
    grid = mosaic_grid(entry, 40 if dual_h else 20)
    lon, lat = lonlat_of(grid)
    when = middle(entry.start, entry.end)
    tags = _period_tags(entry)
    files: dict[str, bytes] = {}
    for pol in ("HH", "HV") if dual_h else ("VV", "VH"):
        gamma0 = np.power(10.0, sigma0_db(lon, lat, when, pol) / 10.0).astype(np.float32)
        files[f"{pol}.tif"] = cog(
            gamma0, grid, nodata=-32768, tags=tags, band_tags={"POLARIZATION": pol}
        )
    files["userdata.json"] = userdata(entry)
    return files


def landsat_grid(entry: Entry) -> Grid:
    """A window of the 1° tile's 30 m grid around the site."""
    lon, lat = entry.extra["lon"], entry.extra["lat"]
    west, north = math.floor(lon), math.floor(lat) + 1
    per_degree = round(1 / LANDSAT_PIXEL)
    col = min(max(round((lon - west) / LANDSAT_PIXEL) - SIZE // 2, 0), per_degree - SIZE)
    row = min(max(round((north - lat) / LANDSAT_PIXEL) - SIZE // 2, 0), per_degree - SIZE)
    return Grid(
        "EPSG:4326",
        west + col * LANDSAT_PIXEL,
        north - row * LANDSAT_PIXEL,
        LANDSAT_PIXEL,
        LANDSAT_PIXEL,
        SIZE,
        SIZE,
    )


def build_landsat(entry: Entry) -> dict[str, bytes]:
    from ..scene import is_land, land_surface_temperature, surface_reflectance

    grid = landsat_grid(entry)
    lon, lat = lonlat_of(grid)
    when = middle(entry.start, entry.end).replace(hour=10, minute=30, second=0)
    optical = [b for b in LANDSAT_BANDS.values() if b]
    reflectance = dict(zip(optical, surface_reflectance(optical, lon, lat, when), strict=True))
    tags = _period_tags(entry)
    files: dict[str, bytes] = {}
    for name, s2_band in LANDSAT_BANDS.items():
        if s2_band is None:
            kelvin = land_surface_temperature(lon, lat, when)
            dn = np.clip(np.rint(2.0 * (kelvin - 240.0)), 0, 255)
        else:
            dn = np.clip(np.rint(reflectance[s2_band] * 250.0), 0, 250)
        files[f"{name}.tif"] = cog(dn.astype(np.uint8), grid, tags=tags)
    land = is_land(lon, lat)
    clear = np.where(land, _count(lon, lat, f"clear:{entry.name}", 40, 100), 100)
    files["clear_sky_mask.tif"] = cog(clear.astype(np.uint8), grid, tags=tags)
    return files
