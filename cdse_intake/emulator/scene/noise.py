"""Deterministic, location-seeded noise: integer hashes and fractal value noise.

Everything here is a pure function of its arguments. Lattice values come from a 32-bit integer
hash of (lattice column, lattice row, seed), so the same lon/lat gives the same value in any process
on any machine, with no random-number-generator state. Lattices are in degrees; when a cell divides
360° the noise wraps at the antimeridian.

:func:`fbm` sums octaves of bilinear value noise at the nodes of its finest lattice and interpolates
between those nodes with a smoothstep. Dense requests (not many more finest nodes than points, e.g.
10 m pixels on a 40 m lattice) hash each node of the bounding box once, octave by octave and
separably; sparse ones evaluate every octave at the smoothstep-warped point, which is the same
function. The two agree to ~1e-14, so a place has the same value however it is asked for.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

__all__ = ["CHUNK", "cell_hash", "fbm", "hash_u32", "seed_of", "unit"]

#: Points per slice: keeps temporaries in cache (a 1 MB temporary costs page faults every time).
CHUNK = 16384
_M1 = np.uint32(0x7FEB352D)
_M2 = np.uint32(0x846CA68B)
_PX = np.uint32(0x8DA6B343)
_PY = np.uint32(0xD8163841)
_PS = 0xCB1AB31F
_TO_UNIT = 1.0 / 4294967296.0


def seed_of(*parts: Any) -> int:
    """A stable 32-bit seed from names and numbers (``hash()`` differs between processes)."""
    return zlib.crc32(":".join(map(str, parts)).encode()) & 0xFFFFFFFF


def hash_u32(ix: np.ndarray, iy: np.ndarray, seed: int) -> np.ndarray:
    """A well-mixed uint32 per (ix, iy) integer pair (lowbias32 finaliser), broadcasting."""
    h = (np.asarray(ix) & 0xFFFFFFFF).astype(np.uint32) * _PX
    h = h ^ (np.asarray(iy) & 0xFFFFFFFF).astype(np.uint32) * _PY
    h ^= np.uint32((int(seed) * _PS) & 0xFFFFFFFF)
    h ^= h >> np.uint32(16)
    h *= _M1
    h ^= h >> np.uint32(15)
    h *= _M2
    h ^= h >> np.uint32(16)
    return h


def unit(ix: np.ndarray, iy: np.ndarray, seed: int) -> np.ndarray:
    """A uniform value in [0, 1) per integer pair."""
    return hash_u32(ix, iy, seed) * _TO_UNIT


def _period(cell: float) -> int | None:
    """Lattice columns around the globe when ``cell`` divides 360°, else ``None``."""
    n = round(360.0 / cell)
    return n if n > 0 and abs(n * cell - 360.0) < 1e-9 * n else None


def cell_hash(lon: np.ndarray, lat: np.ndarray, cell: float, seed: int) -> np.ndarray:
    """A uniform [0, 1) value constant over each ``cell``-degree lattice cell (no interpolation)."""
    ix = np.floor(np.asarray(lon, dtype=np.float64) / cell).astype(np.int64)
    iy = np.floor(np.asarray(lat, dtype=np.float64) / cell).astype(np.int64)
    period = _period(cell)
    if period is not None:
        ix %= period
    return unit(ix, iy, seed)


def _octave_grid(
    cols: np.ndarray, rows: np.ndarray, shift: int, seed: int, period: int | None
) -> np.ndarray:
    """Bilinear value noise of the lattice ``2**shift`` finest cells wide, on a grid of finest
    nodes (``rows`` x ``cols``), interpolated along columns, then rows."""
    ik, jk = cols >> shift, rows >> shift
    scale = 1.0 / (1 << shift)
    wx, wy = (cols - (ik << shift)) * scale, ((rows - (jk << shift)) * scale)[:, None]
    i0, j0 = int(ik[0]), int(jk[0])
    lattice_cols = np.arange(i0, int(ik[-1]) + 2, dtype=np.int64)
    if period is not None:
        lattice_cols %= period
    lattice_rows = np.arange(j0, int(jk[-1]) + 2, dtype=np.int64)
    table = unit(lattice_cols[None, :], lattice_rows[:, None], seed)
    if shift == 0:
        return table[:-1, :-1]
    a, b = ik - i0, jk - j0
    left = table[:, a]
    along = left + wx * (table[:, a + 1] - left)
    top = along[b]
    return top + wy * (along[b + 1] - top)


def _nodes(
    cols: np.ndarray, rows: np.ndarray, seed: int, octaves: int, gain: float, period: int | None
) -> np.ndarray:
    """The normalised fractal sum on a grid of finest-lattice nodes (ascending cols and rows)."""
    total = np.zeros((rows.size, cols.size))
    weight, norm = 1.0, 0.0
    for k in range(octaves):
        shift = octaves - 1 - k
        p = None if period is None else period >> shift
        total += weight * _octave_grid(cols, rows, shift, (seed + 7919 * k) & 0xFFFFFFFF, p)
        norm += weight
        weight *= gain
    return total / norm


def fbm(
    lon: np.ndarray,
    lat: np.ndarray,
    seed: int,
    cell: float,
    octaves: int,
    gain: float = 0.5,
) -> np.ndarray:
    """Fractal value noise in [0, 1]: ``octaves`` lattices from ``cell`` degrees down by halves.

    Use a ``cell`` of 360/2**k (or 360/n) so that every octave wraps at the antimeridian.
    Points with a non-finite lon or lat give NaN.
    """
    lon, lat = np.broadcast_arrays(np.asarray(lon, np.float64), np.asarray(lat, np.float64))
    flat_lon, flat_lat = lon.ravel(), lat.ravel()
    out = np.empty(flat_lon.size)
    bad = ~(np.isfinite(flat_lon) & np.isfinite(flat_lat))
    if bad.any():
        flat_lon, flat_lat = np.where(bad, 0.0, flat_lon), np.where(bad, 0.0, flat_lat)
    if flat_lon.size == 0:
        return out.reshape(lon.shape)
    fine = cell / (1 << (octaves - 1))
    base = _period(cell)
    period = None if base is None else base << (octaves - 1)
    # Dense: every finest node of the bounding box hashed once, when there are at most four
    # times as many nodes as points (division and floor are monotonic: the box holds every cell).
    i0, j0 = int(np.floor(flat_lon.min() / fine)), int(np.floor(flat_lat.min() / fine))
    nx = int(np.floor(flat_lon.max() / fine)) - i0 + 2
    ny = int(np.floor(flat_lat.max() / fine)) - j0 + 2
    grid = None
    if nx * ny <= 4 * flat_lon.size:
        cols = np.arange(i0, i0 + nx, dtype=np.int64)
        rows = np.arange(j0, j0 + ny, dtype=np.int64)
        grid = _nodes(cols, rows, seed, octaves, gain, period).ravel()
    for start in range(0, flat_lon.size, CHUNK):
        part = slice(start, start + CHUNK)
        x, y = flat_lon[part] / fine, flat_lat[part] / fine
        fx, fy = np.floor(x), np.floor(y)
        tx, ty = x - fx, y - fy
        sx = tx * tx * (3.0 - 2.0 * tx)
        sy = ty * ty * (3.0 - 2.0 * ty)
        ix, iy = fx.astype(np.int64), fy.astype(np.int64)
        if grid is None:
            # Sparse: the smoothstep between finest nodes of a sum of bilinear octaves is that
            # sum at the smoothstep-warped point, since every octave is bilinear in a finest cell.
            out[part] = _warped(ix + sx, iy + sy, seed, octaves, gain, period)
            continue
        k = (iy - j0) * nx + (ix - i0)
        v00, v10, v01, v11 = grid[k], grid[k + 1], grid[k + nx], grid[k + nx + 1]
        out[part] = v00 + sx * (v10 - v00) + sy * (v01 - v00) + sx * sy * (v00 - v10 - v01 + v11)
    out[bad] = np.nan
    return out.reshape(lon.shape)


def _warped(
    x: np.ndarray, y: np.ndarray, seed: int, octaves: int, gain: float, period: int | None
) -> np.ndarray:
    """The fractal sum of bilinear octaves at finest-lattice coordinates (x, y)."""
    total: Any = 0.0
    weight, norm = 1.0, 0.0
    for k in range(octaves):
        shift = octaves - 1 - k
        scale = 1.0 / (1 << shift)
        xs, ys = x * scale, y * scale
        fx, fy = np.floor(xs), np.floor(ys)
        wx, wy = xs - fx, ys - fy
        p = None if period is None else period >> shift
        ik, jk = fx.astype(np.int64), fy.astype(np.int64)
        seed_k = (seed + 7919 * k) & 0xFFFFFFFF
        i0, j0 = int(ik.min()), int(jk.min())
        ncols, nrows = int(ik.max()) - i0 + 2, int(jk.max()) - j0 + 2
        if ncols * nrows <= ik.size:
            cols = np.arange(i0, i0 + ncols, dtype=np.int64)
            if p is not None:
                cols %= p
            table = unit(cols[None, :], np.arange(j0, j0 + nrows, dtype=np.int64)[:, None],
                         seed_k).ravel()  # fmt: skip
            at = (jk - j0) * ncols + (ik - i0)
            h00, h10, h01, h11 = table[at], table[at + 1], table[at + ncols], table[at + ncols + 1]
        else:
            ik1 = ik + 1
            if p is not None:
                ik, ik1 = ik % p, ik1 % p
            h00, h10 = unit(ik, jk, seed_k), unit(ik1, jk, seed_k)
            h01, h11 = unit(ik, jk + 1, seed_k), unit(ik1, jk + 1, seed_k)
        octave = h00 + wx * (h10 - h00) + wy * (h01 - h00) + wx * wy * (h00 - h10 - h01 + h11)
        total = total + weight * octave
        norm += weight
        weight *= gain
    return total / norm
