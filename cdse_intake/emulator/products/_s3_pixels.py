"""What the Sentinel-3 writers (OLCI EFR, SLSTR LST, SYNERGY SYN) see of the synthetic Earth.

A product looks at :mod:`..scene` at its pixels' positions (its :class:`._sen3.Swath` and image
size), at its sensing start, with clouds covering the record's ``cloudCover`` of the image: a
:class:`Look`. Fields are cached per look, so a writer and the ``expected_*`` oracles that tests
compare its files with share one computation; positions and land are cached per swath, as every
product of a site (same footprint) shares them.

Spectra: the scene gives reflectance at the Sentinel-2 bands; :func:`at_wavelengths` interpolates
them linearly to the OLCI and SLSTR band centres (held flat beyond the first and last), so OLCI,
SYN and Sentinel-2 see the same surface at the same place and date.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import scene
from ..scene.climate import epoch_seconds
from ..scene.surface import BANDS as S2_BANDS
from ..scene.surface import WAVELENGTHS as S2_WAVELENGTHS

if TYPE_CHECKING:
    from ._sen3 import Product, Swath

__all__ = [
    "SCENE_BANDS",
    "Look",
    "at_wavelengths",
    "clouds",
    "coast",
    "frozen",
    "land",
    "lonlat",
    "look",
    "observed",
    "surface",
]

#: The scene's bands that spectra are interpolated between: all but B10, the cirrus band, whose
#: reflectance is that of water vapour absorption, not of the surface.
SCENE_BANDS = tuple(b for b in S2_BANDS if b != "B10")
_CENTRES = np.array([S2_WAVELENGTHS[S2_BANDS.index(b)] for b in SCENE_BANDS])


def frozen(array: np.ndarray) -> np.ndarray:
    """``array`` made read-only (cached arrays are shared between builds)."""
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class Look:
    """A product's view of the scene: its pixels (swath and image size), its time (epoch
    seconds of the sensing start) and the share of its pixels that are cloud (0..1)."""

    swath: Swath
    rows: int
    cols: int
    when: float
    cover: float


def look(product: Product, rows: int, cols: int) -> Look:
    """The :class:`Look` of ``product`` on a ``rows`` x ``cols`` image."""
    entry = product.entry
    cover = min(max(float(entry.attribute("cloudCover", 0.0)) / 100.0, 0.0), 1.0)
    return Look(product.swath, rows, cols, epoch_seconds(entry.start), cover)


@lru_cache(maxsize=32)
def lonlat(swath: Swath, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of every pixel of a ``rows`` x ``cols`` image on ``swath``, read-only."""
    r, c = np.indices((rows, cols))
    lon, lat = swath.lonlat(r, c, rows, cols)
    return frozen(lon), frozen(lat)


@lru_cache(maxsize=32)
def land(swath: Swath, rows: int, cols: int) -> np.ndarray:
    """The scene's land mask on the image (it does not change with the date), read-only."""
    return frozen(scene.is_land(*lonlat(swath, rows, cols)))


def coast(mask: np.ndarray) -> np.ndarray:
    """Pixels of ``mask`` (land) with a 4-neighbour outside it."""
    padded = np.pad(mask, 1, mode="edge")
    inland = padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    return mask & ~inland


@lru_cache(maxsize=4)
def clouds(view: Look) -> np.ndarray:
    """Cloudy pixels: exactly ``round(cover * pixels)`` of them, read-only."""
    lon, lat = lonlat(view.swath, view.rows, view.cols)
    return frozen(scene.cloud_mask(lon, lat, view.when, view.cover))


@lru_cache(maxsize=4)
def observed(view: Look) -> np.ndarray:
    """Reflectance at :data:`SCENE_BANDS` seen through the clouds (and their shadows), float32
    ``(band, row, column)``, read-only."""
    lon, lat = lonlat(view.swath, view.rows, view.cols)
    return frozen(scene.observed_reflectance(SCENE_BANDS, lon, lat, view.when, view.cover))


@lru_cache(maxsize=4)
def surface(view: Look) -> np.ndarray:
    """Cloud-free surface reflectance at :data:`SCENE_BANDS`, float32 ``(band, row, column)``,
    read-only (the cover of ``view`` is ignored)."""
    lon, lat = lonlat(view.swath, view.rows, view.cols)
    return frozen(scene.surface_reflectance(SCENE_BANDS, lon, lat, view.when))


@lru_cache(maxsize=16)
def _neighbours(wavelengths: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per target wavelength: the scene bands below and above it and the weight of the upper."""
    upper = np.clip(np.searchsorted(_CENTRES, wavelengths), 1, len(_CENTRES) - 1)
    lower = upper - 1
    span = _CENTRES[upper] - _CENTRES[lower]
    weight = np.clip((np.array(wavelengths) - _CENTRES[lower]) / span, 0.0, 1.0)
    return lower, upper, weight.astype(np.float32)


def at_wavelengths(values: np.ndarray, wavelengths: Any) -> np.ndarray:
    """``values`` at :data:`SCENE_BANDS` (bands first) interpolated to ``wavelengths`` (nm)."""
    lower, upper, weight = _neighbours(tuple(float(w) for w in wavelengths))
    shape = (len(weight),) + (1,) * (values.ndim - 1)
    below = values[lower]
    return below + weight.reshape(shape) * (values[upper] - below)
