"""Where the land is: Natural Earth's coastline as a land-fraction grid, with fractal coasts.

``data/landmask.npz`` holds the share of land in every 0.1° cell (uint8, 255 = all land), made by
``tools/make_landmask.py`` from Natural Earth 1:110m Admin 0 countries (public domain,
https://www.naturalearthdata.com/about/terms-of-use/). :func:`land_fraction` interpolates it
bilinearly; :func:`is_land` thresholds it after adding location-seeded fractal noise, which only
matters within a cell or so of the coast, so coastlines are ragged down to 10 m pixels instead of
following the grid. :func:`continentality` is the land share within a few hundred kilometres.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from .noise import fbm, seed_of

__all__ = [
    "chunked",
    "continentality",
    "is_land",
    "land_fraction",
    "land_from_fraction",
    "land_grid",
    "padded",
    "sample_grid",
]

DATA = Path(__file__).with_name("data") / "landmask.npz"
#: How far the coastline noise may move the 0.5 contour of the land fraction (in land fraction).
COAST_NOISE = 0.45
_COAST_SEED = seed_of("coast")
F = TypeVar("F", bound=Callable[..., Any])
#: Points per slice in :func:`chunked` functions: bounds the memory of large requests.
CHUNK = 65536


@cache
def _stored() -> tuple[np.ndarray, float]:
    """The stored grid (uint8, 255 = land) :func:`padded`, and its cell in degrees."""
    with np.load(DATA) as data:
        return padded(data["land"]), float(data["cell_deg"])


def land_grid() -> tuple[np.ndarray, float]:
    """The stored land share (uint8, 255 = land; rows from 90°N, columns from 180°W) and its
    cell in degrees."""
    grid, cell = _stored()
    return grid[1:-1, :-1], cell


def padded(grid: np.ndarray) -> np.ndarray:
    """``grid`` ready for :func:`sample_grid`: a copy of the first column appended (longitudes
    wrap) and of the first and last rows above and below (latitudes clamp at the poles)."""
    grid = np.concatenate([grid, grid[:, :1]], axis=1)
    return np.ascontiguousarray(np.concatenate([grid[:1], grid, grid[-1:]], axis=0))


def sample_grid(grid: np.ndarray, lon: np.ndarray, lat: np.ndarray, cell: float) -> np.ndarray:
    """Bilinear value of a global cell-centred grid (rows from 90°N, columns from 180°W), given
    :func:`padded`, as (rows, cols) or (rows, cols, planes); the result has the points' shape,
    planes first."""
    width = grid.shape[1]
    ncols = width - 1
    lon, lat = np.broadcast_arrays(np.asarray(lon, np.float64), np.asarray(lat, np.float64))
    shape = lon.shape
    fx = (lon.ravel() + 180.0) * (1.0 / cell) - 0.5
    fy = (90.0 - lat.ravel()) * (1.0 / cell) + 0.5  # +1 for the padding row
    x0, y0 = np.floor(fx), np.floor(fy)
    wx, wy = (fx - x0).astype(np.float32), (fy - y0).astype(np.float32)
    col = x0.astype(np.int64)
    if col.size and (col.min() < 0 or col.max() >= ncols):
        col %= ncols
    row = np.clip(y0.astype(np.int64), 0, grid.shape[0] - 2)
    k = row * width + col
    # One row of planes per cell, so one gather per corner whatever the number of planes.
    flat = grid.reshape(grid.shape[0] * width, *grid.shape[2:])
    if grid.ndim == 3:
        wx, wy = wx[:, None], wy[:, None]
    a, b = np.take(flat, k, axis=0), np.take(flat[1:], k, axis=0)
    c, d = np.take(flat[width:], k, axis=0), np.take(flat[width + 1 :], k, axis=0)
    if grid.dtype != np.float32:  # e.g. the uint8 land grid: interpolate in float32
        a, b, c, d = (v.astype(np.float32) for v in (a, b, c, d))
    top = a + wx * (b - a)
    out = top + wy * (c + wx * (d - c) - top)
    if grid.ndim == 2:
        return out.reshape(shape)
    return np.ascontiguousarray(out.T).reshape(grid.shape[2], *shape)


def chunked(fn: F) -> F:
    """Run ``fn(lon, lat, *args)`` over slices of the (broadcast, flattened) points.

    Temporaries then stay in cache, which is several times faster than whole-array numpy on
    large grids. Results may carry leading axes (bands); their last axis is the points.
    """

    @wraps(fn)
    def wrapper(lon: Any, lat: Any, *args: Any, **kwargs: Any) -> Any:
        lon, lat = np.broadcast_arrays(np.asarray(lon, np.float64), np.asarray(lat, np.float64))
        flat_lon, flat_lat = lon.ravel(), lat.ravel()
        if flat_lon.size <= CHUNK:
            out = fn(flat_lon, flat_lat, *args, **kwargs)
        else:
            step = -(-flat_lon.size // -(-flat_lon.size // CHUNK))  # equal slices
            parts = [
                fn(flat_lon[s : s + step], flat_lat[s : s + step], *args, **kwargs)
                for s in range(0, flat_lon.size, step)
            ]
            out = np.concatenate(parts, axis=-1)
        return out.reshape(out.shape[:-1] + lon.shape)

    return wrapper  # type: ignore[return-value]


@chunked
def land_fraction(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Share of land around (lon, lat), 0..1 (float32), bilinear in the 0.1° grid."""
    grid, cell = _stored()
    return sample_grid(grid, lon, lat, cell) * np.float32(1.0 / 255.0)


@chunked
def is_land(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """True on land: the land fraction plus coastline noise is over one half."""
    return land_from_fraction(lon, lat, land_fraction(lon, lat))


def land_from_fraction(lon: np.ndarray, lat: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """:func:`is_land` given :func:`land_fraction` at the same (flat) points."""
    land = frac > 0.5
    coast = np.flatnonzero((frac > 0.5 - COAST_NOISE) & (frac < 0.5 + COAST_NOISE))
    if coast.size:
        # 9 octaves from ~10 km down to ~40 m; the noise is zero-mean around the 0.5 contour.
        noise = fbm(lon[coast], lat[coast], _COAST_SEED, 360 / 4096, 9, gain=0.6)
        land[coast] = frac[coast] + 2.2 * COAST_NOISE * (noise - 0.5) > 0.5
    return land


@cache
def continentality_grid() -> tuple[np.ndarray, float]:
    """Land share smoothed over ~600 km (1° cells, float32, :func:`padded`)."""
    grid, cell = land_grid()
    k = round(1.0 / cell)
    blocks = grid.reshape(grid.shape[0] // k, k, grid.shape[1] // k, k)
    coarse = blocks.mean(axis=(1, 3), dtype=np.float64) / 255.0
    for _ in range(3):  # three box passes approximate a Gaussian (sigma ~ 4.5 cells)
        coarse = _box(coarse, 9)
    return padded(coarse.astype(np.float32)), 1.0


def _box(a: np.ndarray, width: int) -> np.ndarray:
    """Moving mean over ``width`` cells: wrapping east-west, edge-padded north-south."""
    half = width // 2
    a = np.concatenate([a[:, -half:], a, a[:, :half]], axis=1)
    c = np.cumsum(np.pad(a, ((0, 0), (1, 0))), axis=1)
    a = (c[:, width:] - c[:, :-width]) / width
    a = np.pad(a, ((half, half), (0, 0)), mode="edge")
    c = np.cumsum(np.pad(a, ((1, 0), (0, 0))), axis=0)
    return (c[width:] - c[:-width]) / width


def continentality(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """How continental a place is, 0 (open ocean) .. 1 (deep inland)."""
    grid, cell = continentality_grid()
    return sample_grid(grid, lon, lat, cell)
