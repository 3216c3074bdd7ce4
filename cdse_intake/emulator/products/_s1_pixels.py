"""Sentinel-1 pixels: the synthetic Earth's C-band backscatter (:func:`..scene.sigma0_db`) as
the GRD and SLC writers encode it.

The scene is sampled on :data:`NODES` spread over the footprint in radar coordinates (range
fraction ``u`` from near to far range, azimuth fraction ``v`` from the first line to the last),
placed by the same bilinear footprint interpolation as the products' geolocation, each at its
incidence angle (:data:`INCIDENCE`, linear in range) and at the acquisition's time (season, sea
wind). A pixel's sigma0 is the bilinear interpolation in dB of the nodes around its ``(u, v)``:
sampling the scene at each of a GRD's 200 000 pixels costs ~40 ms a polarisation, twice a whole
build, against ~5 ms for the nodes; the decimated images' pixels (~500 m) are coarse anyway.
Speckle is hashed from the pixel's line and column and the acquisition (looked up in tables of
16-bit draws), never drawn from random-number-generator state.

ESA's calibration: ``sigma0 = |DN|^2 / A^2`` with ``A`` the sigmaNought LUT at the pixel. So a
GRD pixel is ``DN = round(A * sqrt(sigma0 * s))``, ``s`` the mean of :data:`GRD_LOOKS`
exponential draws (multi-looked speckle), and an SLC sample ``A * sqrt(sigma0 * e) * exp(i phi)``
rounded to int16 parts, ``e`` one exponential draw (single-look intensity) and ``phi`` uniform:
a reader calibrating with the product's own LUT gets the speckled sigma0 back, to quantisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

import numpy as np

from ._geo import Quad
from ._s1_common import Facts

__all__ = [
    "GRD_LOOKS",
    "INCIDENCE",
    "NODES",
    "Acquisition",
    "backscatter",
    "complex_dn",
    "detected_dn",
    "place",
    "single_look",
    "speckle",
]

#: Incidence angle at IW near range (IW1's first sample) and far range (IW3's last), degrees
#: (other modes: :data:`._s1_modes.MODES`).
INCIDENCE = (30.7, 46.0)
#: Nodes of the scene grid along azimuth and range: one every ~4 GRD pixels (~2 km).
NODES = (101, 126)
#: Equivalent number of looks of the GRD speckle (IW GRD HR has ~4.4).
GRD_LOOKS = 4


@dataclass(frozen=True)
class Acquisition:
    """What a product's backscatter depends on: where the footprint is, which way the radar
    looks and when."""

    quad: Quad
    ascending: bool
    when: datetime
    incidence: tuple[float, float] = INCIDENCE
    """Incidence angle at near and far range (the mode's, :mod:`._s1_modes`)."""

    @classmethod
    def of(cls, facts: Facts) -> Acquisition:
        return cls(facts.quad, facts.ascending, facts.start, facts.mode.incidence)

    def seed(self, *parts: Any) -> int:
        """A hash seed of this acquisition and ``parts`` (polarisation, swath)."""
        from ..scene.noise import seed_of

        return seed_of("s1", f"{self.when:%Y%m%dT%H%M%S%f}", *parts)


def place(quad: Quad, ascending: bool, u: Any, v: Any) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) at range fraction ``u`` (near to far) and azimuth fraction ``v`` (first line to
    last) of the footprint. The radar looks right: ascending, the first line is southern and near
    range western; descending, the first line is northern and near range eastern."""
    u, v = np.broadcast_arrays(np.asarray(u, np.float64), np.asarray(v, np.float64))
    if ascending:
        return quad.interpolate(u, v)
    return quad.interpolate(1 - u, 1 - v)


@lru_cache(maxsize=32)
def _node_lonlat(quad: Quad, ascending: bool) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of the nodes, (azimuth, range): shared by every product of the footprint."""
    v, u = np.linspace(0.0, 1.0, NODES[0]), np.linspace(0.0, 1.0, NODES[1])
    lon, lat = place(quad, ascending, u[None, :], v[:, None])
    lon.flags.writeable = lat.flags.writeable = False
    return lon, lat


@lru_cache(maxsize=16)
def _nodes(acq: Acquisition, pol: str) -> np.ndarray:
    """The scene's sigma0 (dB, float32) at the nodes, read-only."""
    from ..scene import sigma0_db

    lon, lat = _node_lonlat(acq.quad, acq.ascending)
    near, far = acq.incidence
    incidence = near + (far - near) * np.linspace(0.0, 1.0, NODES[1])
    out = sigma0_db(lon, lat, acq.when, pol, incidence[None, :])
    out.flags.writeable = False
    return out


def _weights(fraction: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Lower node index and weight of the upper node for fractions 0..1 along ``count`` nodes."""
    x = np.clip(np.asarray(fraction, np.float64), 0.0, 1.0) * (count - 1)
    k = np.minimum(np.floor(x).astype(np.intp), count - 2)
    return k, (x - k).astype(np.float32)


def backscatter(acq: Acquisition, pol: str, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """sigma0 (dB, float32, no speckle) on the grid of range fractions ``u`` (columns) and
    azimuth fractions ``v`` (rows): ``(len(v), len(u))``, separably bilinear in the nodes."""
    nodes = _nodes(acq, pol.upper())
    ku, wu = _weights(u, NODES[1])
    kv, wv = _weights(v, NODES[0])
    left = nodes[:, ku]
    across = left + wu * (nodes[:, ku + 1] - left)  # (azimuth nodes, columns)
    top = across[kv]
    return top + wv[:, None] * (across[kv + 1] - top)


#: Midpoints of the 65536 bins of a 16-bit uniform draw.
_UNIFORM = (np.arange(65536) + 0.5) / 65536


@cache
def _tables() -> tuple[np.ndarray, np.ndarray]:
    """``-log(u)`` (an exponential draw) and ``exp(2 pi i u)`` for the 16-bit uniforms ``u``.
    Looked up rather than computed per pixel: faster, and the bytes do not hang on how a CPU's
    vectorised ``log``, ``cos`` and ``sin`` round."""
    return -np.log(_UNIFORM), np.exp(2j * np.pi * _UNIFORM)


@cache
def _gamma_table(looks: int) -> np.ndarray:
    """Quantiles of the mean of ``looks`` exponential draws (a gamma law, mean 1) at the 16-bit
    uniforms: one hashed draw gives multi-looked speckle. Bisection on the closed-form CDF."""
    low, high = np.zeros(_UNIFORM.size), np.full(_UNIFORM.size, 64.0)
    for _ in range(40):  # to ~6e-11
        x = (low + high) / 2
        series = np.ones_like(x)  # sum of x^k / k! for k < looks, by Horner's rule
        for k in range(looks - 1, 0, -1):
            series = 1.0 + series * x / k
        below = 1.0 - np.exp(-x) * series < _UNIFORM
        low, high = np.where(below, x, low), np.where(below, high, x)
    return (low + high) / (2 * looks)


def _draws(seed: int, line: np.ndarray, pixel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two independent 16-bit draws (table indices) per (line, pixel), from one hash."""
    from ..scene.noise import hash_u32

    h = hash_u32(line, pixel, seed)
    return h & np.uint32(0xFFFF), h >> np.uint32(16)


def speckle(seed: int, line: np.ndarray, pixel: np.ndarray, looks: int) -> np.ndarray:
    """Multiplicative intensity speckle (float64, mean 1): the mean of ``looks`` exponential
    draws, hashed from ``(line, pixel)`` (broadcasting) and ``seed``."""
    return _gamma_table(looks)[_draws(seed, line, pixel)[0]]


def _amplitude(sigma_db: np.ndarray, lut: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """``A * sqrt(sigma0 * spread)`` (float64)."""
    power = np.exp(np.asarray(sigma_db, np.float64) * (np.log(10.0) / 10.0)) * spread
    return np.asarray(lut, np.float64) * np.sqrt(power)


def detected_dn(sigma_db: np.ndarray, lut: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """GRD digital numbers (uint16, 1..65535; 0 is no data): ``round(A * sqrt(sigma0 * s))``
    with ``A`` the sigmaNought ``lut`` and ``s`` the ``spread`` (speckle)."""
    return np.clip(np.rint(_amplitude(sigma_db, lut, spread)), 1, 65535).astype(np.uint16)


def single_look(seed: int, line: np.ndarray, pixel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(intensity speckle, unit phasor) per ``(line, pixel)`` (broadcasting): one exponential
    draw (mean 1) and a uniform phase, hashed from the pixel and ``seed``."""
    exponential, phasor = _tables()
    low, high = _draws(seed, line, pixel)
    return exponential[low], phasor[high]


def complex_dn(
    sigma_db: np.ndarray, lut: np.ndarray, spread: np.ndarray, phasor: np.ndarray
) -> np.ndarray:
    """SLC samples (complex64 of int16 parts): ``A * sqrt(sigma0 * e) * phasor`` rounded, ``A``
    the sigmaNought ``lut`` and ``e`` the ``spread`` (speckle)."""
    amplitude = _amplitude(sigma_db, lut, spread)
    out = np.empty(amplitude.shape, np.complex64)
    out.real = np.clip(np.rint(amplitude * phasor.real), -32767, 32767)
    out.imag = np.clip(np.rint(amplitude * phasor.imag), -32767, 32767)
    return out
