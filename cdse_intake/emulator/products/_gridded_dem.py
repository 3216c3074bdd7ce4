"""COP-DEM GLO-30/GLO-90 tiles: the synthetic Earth's heights on the tile's real lat/lon grid.

Real (Copernicus DEM product handbook; ``gdalinfo`` of the public COG tiles, e.g.
``Copernicus_DSM_COG_10_N47_00_E008_00_DEM.tif``): one float32 band of heights in metres above
the EGM2008 geoid, EPSG:4326, one 1° x 1° tile per product named after its south-west corner,
pixel centres on the tile's edges (the upper-left pixel is centred on the north-west corner, so
the geotransform starts half a pixel west and north of it), ``AREA_OR_POINT=Point``, no nodata
(the sea is 0 m). Pixels are 1" (GLO-30, ``_10_``) or 3" (GLO-90, ``_30_``) in latitude; in
longitude they widen towards the poles (1x up to 50°, 1.5x to 60°, 2x to 70°, 3x to 80°, 5x to
85°, 10x beyond), so a tile has 3600 (1200) rows and 3600/2400/1800/1200/720/360 columns.

Emulated: the tile keeps that extent, origin convention and width ratio, with pixels
:data:`DECIMATION` times coarser (360 rows for GLO-30, 300 for GLO-90) to keep products small.
Heights (inferred, the scene has none): 0 on the scene's sea; on land a few metres along the
coasts, rising inland (continentality) and into the scene's mountain ranges (its climate
"relief" plane), with fractal terrain noise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._gridded_cog import Grid, cog, lonlat_of

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["DECIMATION", "build_dem", "dem_grid", "elevation"]

#: Emulated pixel / real pixel, by the name's resolution code (10: 1", 30: 3").
DECIMATION = {10: 10, 30: 4}
#: (upper |latitude| bound, longitude widening) of the real tiles.
_WIDENING = ((50, 1), (60, 1.5), (70, 2), (80, 3), (85, 5), (90, 10))


def dem_grid(name: str) -> Grid:
    """The emulated grid of the tile ``name`` (``Copernicus_DSM_COG_10_N47_00_E008_00_DEM``)."""
    parts = name.split("_")
    code, lat_part, lon_part = int(parts[3]), parts[4], parts[6]
    south = int(lat_part[1:]) * (1 if lat_part[0] == "N" else -1)
    west = int(lon_part[1:]) * (1 if lon_part[0] == "E" else -1)
    rows = 36000 // code // DECIMATION[code]  # real: 3600 (1") or 1200 (3")
    band = max(abs(south), abs(south + 1))
    widening = next(w for bound, w in _WIDENING if band <= bound)
    cols = round(rows / widening)
    dy, dx = 1.0 / rows, 1.0 / cols
    return Grid("EPSG:4326", west - dx / 2, south + 1 + dy / 2, dx, dy, rows, cols)


def elevation(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Height in metres (float32) at the points: 0 at sea, plausible relief on land."""
    from ..scene.climate import climate
    from ..scene.landmask import continentality, land_fraction, land_from_fraction
    from ..scene.noise import fbm, seed_of

    lon, lat = np.broadcast_arrays(np.asarray(lon, np.float64), np.asarray(lat, np.float64))
    shape = lon.shape
    lon, lat = lon.ravel(), lat.ravel()
    fraction = land_fraction(lon, lat)
    land = land_from_fraction(lon, lat, fraction)
    relief = climate(lon, lat)[4]
    inland = continentality(lon, lat)
    terrain = fbm(lon, lat, seed_of("elevation"), 360 / 1024, 8, gain=0.55)
    hills = np.clip(terrain - 0.3, 0.0, None) / 0.7
    height = (
        2.0
        + 250.0 * np.clip(inland - 0.4, 0.0, None) ** 2
        + (10.0 + 90.0 * inland) * hills**2
        + 2500.0 * relief * (0.3 + hills**1.5)
    )
    coast = np.clip((fraction - 0.45) * 4.0, 0.02, 1.0)  # low ground along the coasts
    return np.where(land, height * coast, 0.0).astype(np.float32).reshape(shape)


def build_dem(entry: Entry) -> dict[str, bytes]:
    """``<name>/<name>.tif``: the tile's heights."""
    grid = dem_grid(entry.name)
    lon, lat = lonlat_of(grid)
    heights = np.round(elevation(lon, lat), 2)  # the real tiles' centimetre steps compress well
    code = entry.name.split("_")[3]
    tags = {
        "AREA_OR_POINT": "Point",
        "TIFFTAG_SOFTWARE": "Copernicus DEM (emulated)",
        "resolution_arcsec": f"{int(code) / 10 * DECIMATION[int(code)]:g}",
    }
    return {f"{entry.stem}.tif": cog(heights, grid, tags=tags)}
