"""Sentinel-5P pixels: the synthetic Earth's air (:mod:`..scene`) at the swath's pixel centres.

A product sees the scene at its sensing start (one time for the swath, so its clouds, seeded by
the hour, do not jump between scanlines):

- Columns: :func:`..scene.no2_column` (tropospheric NO2) and :func:`..scene.co_column` in
  mol m-2, at each pixel centre (point samples of the pixel, which is ~50 x 100 km here).
- Retrieval: none where the sun is more than :data:`SZA_MAX` from the zenith (the CO
  processor's ``processing.szaMax``): the columns are fill (NaN decoded) and ``qa_value`` 0.
- ``qa_value`` (x100): from the cloud fraction, the scene's cloud field (:func:`..scene.
  cloud_field`) ramped from clear to overcast over :data:`CLOUD_RAMP`: 100 below 0.2, 75 below
  0.5 (cloudy but usable), 50 below 0.8, else 40, under the recommended 0.5; 40 too where the
  sun is lower than :data:`SZA_QA` (``qa_value.sza_threshold``).

Positions and fields are cached per footprint and per product, so the writer and the
``expected_*`` oracles share them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import scene
from ..scene.climate import epoch_seconds, sun_position
from ._geo import Quad
from ._s5p_grid import SCANLINES, frozen, ground_pixels, lonlat, strip_quad

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "CLOUD_RAMP",
    "SZA_MAX",
    "SZA_QA",
    "Fields",
    "Look",
    "centres",
    "corners",
    "expected_qa",
    "fields",
    "look",
    "pick",
]

SZA_MAX = 85.0
SZA_QA = 80.0
#: Cloud-field values (:func:`..scene.cloud_field`, median ~0.5) of a clear and an overcast
#: pixel: about a quarter of the pixels are clear, a tenth overcast.
CLOUD_RAMP = (0.42, 0.62)
#: ``qa_value`` (x100) by cloud fraction: below each bound, the value beside it.
_QA_LEVELS = ((0.2, 100), (0.5, 75), (0.8, 50), (np.inf, 40))


@dataclass(frozen=True)
class Look:
    """A product's view of the scene: its footprint, ground pixels across and sensing start
    (epoch seconds)."""

    quad: Quad
    pixels: int
    when: float


def look(entry: Entry) -> Look:
    """The :class:`Look` of ``entry``'s product."""
    pixels = ground_pixels(entry.product_type)
    return Look(strip_quad(entry), pixels, epoch_seconds(entry.start))


@lru_cache(maxsize=16)
def _lonlat(quad: Quad, pixels: int, ds: float, dp: float) -> tuple[np.ndarray, np.ndarray]:
    s, p = np.indices((SCANLINES, pixels))
    lon, lat = lonlat(quad, pixels, s + ds, p + dp)
    return frozen(lon), frozen(lat)


def centres(quad: Quad, pixels: int) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of every pixel centre, ``(scanline, ground_pixel)``, read-only."""
    return _lonlat(quad, pixels, 0.0, 0.0)


def corners(quad: Quad, pixels: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(lon, lat) of each pixel's four corners, in the files' order, read-only."""
    return [_lonlat(quad, pixels, ds, dp) for ds, dp in ((-0.5, -0.5), (-0.5, 0.5), (0.5, 0.5),
                                                        (0.5, -0.5))]  # fmt: skip


@dataclass(frozen=True)
class Fields:
    """What a product sees, ``(scanline, ground_pixel)``, read-only."""

    failed: np.ndarray
    """No retrieval: the sun too low."""
    cloud_fraction: np.ndarray
    qa: np.ndarray
    """``qa_value`` x100 (uint8)."""
    column: np.ndarray
    """The product's column (NO2 tropospheric or CO total, mol m-2, float32), NaN if failed."""


@lru_cache(maxsize=8)
def fields(view: Look, kind: str) -> Fields:
    """The :class:`Fields` of ``kind`` (``"no2"`` or ``"co"``) seen by ``view``."""
    lon, lat = centres(view.quad, view.pixels)
    zenith, _ = sun_position(lon, lat, view.when)
    failed = zenith > SZA_MAX
    clear, overcast = CLOUD_RAMP
    cloud = np.clip((scene.cloud_field(lon, lat, view.when) - clear) / (overcast - clear), 0, 1)
    qa = np.select([cloud < bound for bound, _ in _QA_LEVELS], [q for _, q in _QA_LEVELS])
    qa = np.where(failed, 0, np.where(zenith > SZA_QA, np.minimum(qa, 40), qa))
    column = (scene.no2_column if kind == "no2" else scene.co_column)(lon, lat, view.when)
    column = np.where(failed, np.float32(np.nan), column).astype(np.float32)
    return Fields(
        failed=frozen(failed),
        cloud_fraction=frozen(cloud.astype(np.float32)),
        qa=frozen(qa.astype(np.uint8)),
        column=frozen(column),
    )


def expected_qa(entry: Entry, scanline: Any, ground_pixel: Any) -> np.ndarray:
    """Raw ``qa_value`` (uint8; the file's ``scale_factor`` 0.01 makes it 0..1) of a pixel."""
    kind = "co" if entry.product_type == "L2__CO____" else "no2"
    return pick(fields(look(entry), kind).qa, scanline, ground_pixel)


def pick(array: np.ndarray, scanline: Any, ground_pixel: Any) -> np.ndarray:
    """``array[scanline, ground_pixel]`` for integer indices (or arrays of them)."""
    return array[np.asarray(scanline), np.asarray(ground_pixel)]
