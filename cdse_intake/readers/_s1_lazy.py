"""Lazy per-pixel arrays of Sentinel-1 images: geolocation and calibration, window by window.

Latitude, longitude and the calibration LUTs are given on sparse grids. Bilinear interpolation
on a rectilinear grid is separable, so a window's values are ``W_rows @ grid @ W_cols.T`` with
small weight matrices: exact for the bilinear model and computed only for the windows read.
These are xarray backend arrays (picklable), so they work with and without dask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from xarray.backends import BackendArray
from xarray.core import indexing

__all__ = ["CalibratedArray", "GridInterpolator", "InterpolatedArray", "lazy"]


@dataclass(frozen=True, eq=False)
class GridInterpolator:
    """Bilinear interpolation of ``values`` given at ``rows`` x ``cols`` (both increasing)."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    clamp: bool = False
    """Hold the edge values beyond the grid (LUTs) instead of extrapolating (geometry)."""

    def __call__(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Values at every ``(row, col)`` of the outer product: shape ``(len(rows), len(cols))``."""
        left = _weights(self.rows, np.asarray(rows, np.float64), self.clamp)
        right = _weights(self.cols, np.asarray(cols, np.float64), self.clamp)
        return left @ self.values @ right.T


def _weights(grid: np.ndarray, x: np.ndarray, clamp: bool) -> np.ndarray:
    """Linear-interpolation weights of ``x`` on ``grid``: a ``(len(x), len(grid))`` matrix."""
    out = np.zeros((x.size, grid.size))
    if grid.size == 1:
        out[:, 0] = 1.0
        return out
    i = np.clip(np.searchsorted(grid, x, side="right") - 1, 0, grid.size - 2)
    w = (x - grid[i]) / (grid[i + 1] - grid[i])
    if clamp:
        w = np.clip(w, 0.0, 1.0)
    rows = np.arange(x.size)
    out[rows, i] = 1.0 - w
    out[rows, i + 1] += w
    return out


class _WindowArray(BackendArray):
    """A 2-D backend array computed window by window (outer indexing)."""

    shape: tuple[int, int]

    def __getitem__(self, key: Any) -> Any:
        return indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.OUTER, self._read
        )

    def _read(self, key: tuple[Any, ...]) -> np.ndarray:
        rows = np.arange(self.shape[0])[key[0]]
        cols = np.arange(self.shape[1])[key[1]]
        out = self._window(key, np.atleast_1d(rows), np.atleast_1d(cols))
        return out.reshape(np.shape(rows) + np.shape(cols))

    def _window(self, key: tuple[Any, ...], rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class InterpolatedArray(_WindowArray):
    """A grid interpolated at every image pixel: ``interp(row_coordinate[line], pixel)``.

    ``row_coordinate`` maps image lines to the grid's row axis (the line number itself, or the
    azimuth time in seconds for TOPS SLC bursts, whose lines overlap in time); ``wrap`` brings
    longitudes interpolated across the antimeridian back into [-180, 180).
    """

    def __init__(
        self,
        interp: GridInterpolator,
        row_coordinate: np.ndarray,
        width: int,
        *,
        wrap: bool = False,
        dtype: Any = np.float64,
    ) -> None:
        self.interp = interp
        self.row_coordinate = np.asarray(row_coordinate, np.float64)
        self.shape = (self.row_coordinate.size, int(width))
        self.dtype = np.dtype(dtype)
        self.wrap = wrap

    def _window(self, key: tuple[Any, ...], rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        values = self.interp(self.row_coordinate[rows], cols)
        if self.wrap:
            values = (values + 180.0) % 360.0 - 180.0
        return values.astype(self.dtype, copy=False)


class CalibratedArray(_WindowArray):
    """Calibrated intensity ``|DN|² / LUT²`` (float32, linear units) of a lazy raw image."""

    def __init__(self, raw: Any, lut: InterpolatedArray) -> None:
        self.raw = raw
        """The lazy ``(y, x)`` :class:`xarray.Variable` of the measurement's digital numbers."""
        self.lut = lut
        self.shape = tuple(raw.shape)  # type: ignore[assignment]
        self.dtype = np.dtype(np.float32)

    def _window(self, key: tuple[Any, ...], rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        # integer keys as 1-element arrays: the window stays 2-D like ``rows x cols``
        key2d = tuple(k if isinstance(k, slice) else np.atleast_1d(k) for k in key)
        dn = np.asarray(self.raw[key2d])
        lut = self.lut._window(key, rows, cols)
        power = np.square(np.abs(dn), dtype=np.float64)
        return (power / np.square(lut)).astype(np.float32)


def lazy(array: BackendArray) -> Any:
    """``array`` as xarray's lazily indexed data (indexing composes; reads happen on demand)."""
    return indexing.LazilyIndexedArray(array)
