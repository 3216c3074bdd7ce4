"""Georeferencing shared by the product builders: footprint corners, swath grids, UTM windows.

Swath products (Sentinel-1, -3, -5P) place their pixels by bilinear interpolation between the four
corners of the catalogue footprint, so the product's own geolocation agrees with what the
catalogue says. Tiled products (Sentinel-2, EOPF, CLMS) write a small window of their real grid
around the catalogue site, inside the footprint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["Quad", "UtmWindow", "footprint_quad", "utm_window"]


@dataclass(frozen=True)
class Quad:
    """Four corners (lon, lat) of a footprint; longitudes unwrapped (may pass ±180)."""

    sw: tuple[float, float]
    se: tuple[float, float]
    ne: tuple[float, float]
    nw: tuple[float, float]

    def interpolate(self, u: Any, v: Any) -> tuple[np.ndarray, np.ndarray]:
        """(lon, lat) at fractions ``u`` (west to east) and ``v`` (south to north), bilinearly.

        Longitudes are wrapped back into [-180, 180).
        """
        u, v = np.broadcast_arrays(np.asarray(u, np.float64), np.asarray(v, np.float64))
        sw, se, ne, nw = (
            np.asarray(c, np.float64)[:, None] for c in (self.sw, self.se, self.ne, self.nw)
        )
        south = sw * (1 - u.ravel()) + se * u.ravel()
        north = nw * (1 - u.ravel()) + ne * u.ravel()
        point = south * (1 - v.ravel()) + north * v.ravel()
        lon = (point[0] + 180.0) % 360.0 - 180.0
        return lon.reshape(u.shape), point[1].reshape(u.shape)

    def ring(self) -> list[tuple[float, float]]:
        """The corners as a closed ring, longitudes wrapped into [-180, 180)."""
        points = [self.sw, self.se, self.ne, self.nw, self.sw]
        return [(((lon + 180.0) % 360.0) - 180.0, lat) for lon, lat in points]


def footprint_quad(entry: Entry) -> Quad:
    """The four corners of an entry's footprint.

    The catalogue writes footprints as ``[SW, SE, NE, NW, SW]`` rings (possibly skewed); a
    MultiPolygon split at the antimeridian is unwrapped to its bounding box around the site.
    """
    footprint = entry.footprint
    if not footprint or footprint.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError(
            f"{entry.name}: a footprint Polygon or MultiPolygon is needed to georeference the "
            f"product, got {footprint!r}"
        )
    centre = float(entry.extra.get("lon", 0.0))
    if footprint["type"] == "Polygon" and len(footprint["coordinates"][0]) == 5:
        ring = footprint["coordinates"][0][:4]
        points = [(_unwrap(lon, centre), lat) for lon, lat in ring]
        south = sorted(sorted(points, key=lambda p: p[1])[:2])
        north = sorted(sorted(points, key=lambda p: p[1])[2:])
        return Quad(sw=south[0], se=south[1], ne=north[1], nw=north[0])
    polygons = (
        [footprint["coordinates"]] if footprint["type"] == "Polygon" else footprint["coordinates"]
    )
    points = [(_unwrap(lon, centre), lat) for poly in polygons for lon, lat in poly[0]]
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    west, east, south_, north_ = min(lons), max(lons), min(lats), max(lats)
    return Quad(sw=(west, south_), se=(east, south_), ne=(east, north_), nw=(west, north_))


def _unwrap(lon: float, centre: float) -> float:
    """``lon`` shifted by ±360 to lie within 180 degrees of ``centre``."""
    return lon + 360.0 * round((centre - lon) / 360.0)


@dataclass(frozen=True)
class UtmWindow:
    """A square window of a UTM grid: origin (upper-left corner), size in metres, EPSG code."""

    epsg: int
    x0: float
    y0: float
    size: float

    @property
    def zone_name(self) -> str:
        hemisphere = "N" if self.epsg < 32700 else "S"
        return f"WGS84 / UTM zone {self.epsg % 100}{hemisphere}"

    def shape(self, resolution: int) -> tuple[int, int]:
        n = round(self.size / resolution)
        return n, n

    def transform(self, resolution: int) -> Any:
        from affine import Affine

        return Affine(resolution, 0.0, self.x0, 0.0, -resolution, self.y0)

    def centres(self, resolution: int) -> tuple[np.ndarray, np.ndarray]:
        """Pixel-centre coordinates ``(x, y)`` of the window at ``resolution``."""
        n = self.shape(resolution)[0]
        half = resolution / 2
        x = self.x0 + half + resolution * np.arange(n)
        y = self.y0 - half - resolution * np.arange(n)
        return x, y


#: Sentinel-2 tiles are 109.8 km squares on a 100 km grid; real origins sit 20-40 m off the
#: 100 km lines (T32TQM: ULX 699960, ULY 4700040; T33XWJ: 499980, 8900040).
TILE_SIZE = 109_800
TILE_OFFSET_X = -40
TILE_OFFSET_Y = 40


@lru_cache(maxsize=1024)
def utm_window(tile: str, lon: float, lat: float, size: float = 3660) -> UtmWindow:
    """A ``size``-metre window of an MGRS tile's grid, centred (to 60 m) on ``(lon, lat)``.

    Cached: a site's products share it (the projection costs about a millisecond).

    The UTM zone and hemisphere come from the tile id (``31UDQ``: zone 31, band ``U`` north);
    the tile origin is the 100 km grid line west of and north of the site, as real tiles are laid.
    """
    if len(tile) != 5 or not tile[:2].isdigit() or not tile[2].isalpha():
        raise ValueError(f"MGRS tile id like '31UDQ' expected, got {tile!r}")
    zone = int(tile[:2])
    epsg = (32600 if tile[2].upper() >= "N" else 32700) + zone
    east, north = _to_utm(epsg, lon, lat)
    tile_x = math.floor(east / 100_000) * 100_000 + TILE_OFFSET_X
    tile_y = math.ceil(north / 100_000) * 100_000 + TILE_OFFSET_Y
    x0 = tile_x + 60 * round((east - size / 2 - tile_x) / 60)
    y0 = tile_y - 60 * round((tile_y - north - size / 2) / 60)
    x0 = min(max(x0, tile_x), tile_x + TILE_SIZE - size)
    y0 = max(min(y0, tile_y), tile_y - TILE_SIZE + size)
    return UtmWindow(epsg=epsg, x0=float(x0), y0=float(y0), size=float(size))


def _to_utm(epsg: int, lon: float, lat: float) -> tuple[float, float]:
    from rasterio.warp import transform

    (east,), (north,) = transform("EPSG:4326", f"EPSG:{epsg}", [lon], [lat])
    return east, north
