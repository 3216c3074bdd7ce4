"""Sentinel-2 pixels: the synthetic Earth (:mod:`..scene`) as the MSI sees it, quantised as ESA.

Every image of a product is the scene sampled at its own pixel centres (:func:`._s2_window.lonlat`
of the granule window) on the product's sensing time:

- Spectral bands: :func:`..scene.observed_reflectance` (the surface with the clouds and their
  shadows), as bottom-of-atmosphere reflectance in L2A and, in L1C, seen through a fixed clear
  atmosphere (:data:`PATH`, :data:`TRANSMITTANCE`: Rayleigh and aerosol path reflectance, two-way
  transmittance, water vapour in B09 and B10). ``DN = round(reflectance * 10000) + 1000`` from
  baseline 04.00 on (``RADIO_ADD_OFFSET``/``BOA_ADD_OFFSET`` = -1000), without the 1000 before;
  1..65535, 0 being NODATA.
- ``SCL``: :func:`..scene.scl`; ``TCI``: B04, B03, B02 of the same product and resolution,
  ``1 + round(254 * reflectance / saturation)`` clipped to 1..255 (ESA's saturation: 0.3558 in
  L1C, 0.2 in L2A); ``AOT`` (x1000) and ``WVP`` (cm x1000): smooth fields, aerosols from ~10 km
  weather noise, water vapour from the climate's temperature of the day.

Clouds are drawn for exactly the record's ``cloudCover``: the scene's cloud mask thresholds its
cloud field at the quantile of the pixels asked for, so on every grid of the product exactly
``round(cover * n)`` of its ``n`` pixels are cloud, and the SCL's cloud classes (8, 9, 10) hold
the record's share to half a pixel (0.0015 % at 20 m). The clouds depend on the hour of sensing,
so the L1C and L2A of one datatake have the same ones; the surface on the place and the date.

:func:`expected_dn`, :func:`expected_scl` and :func:`expected_tci` are the oracle: they return
exactly what the writers encode (losslessly), for a catalogue entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from ._geo import UtmWindow
from ._s2_window import granule_window, lonlat

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "BANDS",
    "BOA_OFFSET",
    "NATIVE_RESOLUTION",
    "QUANTIFICATION",
    "View",
    "expected_dn",
    "expected_scl",
    "expected_tci",
    "has_offset",
    "image",
    "view_of",
]

BANDS = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B10", "B11", "B12")
NATIVE_RESOLUTION = {
    "B01": 60, "B02": 10, "B03": 10, "B04": 10, "B05": 20, "B06": 20, "B07": 20,
    "B08": 10, "B8A": 20, "B09": 60, "B10": 60, "B11": 20, "B12": 20,
}  # fmt: skip
BOA_OFFSET = -1000  # RADIO_ADD_OFFSET / BOA_ADD_OFFSET per band from baseline 04.00 on
QUANTIFICATION = 10000
#: Images that are not spectral bands (``CLD``, ``SNW``: the EOPF probabilities, 0..100).
OTHER = ("SCL", "TCI", "AOT", "WVP", "CLD", "SNW")
#: Bands drawn at each resolution (what L1C and L2A keep there, and the TCI's).
DRAWN = {10: ("B02", "B03", "B04", "B08"), 20: BANDS, 60: BANDS}
#: Reflectance that saturates the TCI (255), from the Sentinel-2 product specification.
TCI_SATURATION = {"L1C": 3558, "L2A": 2000}

#: A clear mid-latitude atmosphere (AOT 0.15 at 550 nm, sun and view air mass ~2) per band: path
#: reflectance (~0.05 in B02, ~0.01 in B08), and the two-way transmittance, with water-vapour
#: absorption in B09 and the cirrus band B10, where the surface is all but hidden.
_UM = np.array([0.4423, 0.4923, 0.559, 0.665, 0.7038, 0.7391, 0.7797, 0.833, 0.864, 0.9432,
                1.3769, 1.6104, 2.1857])  # fmt: skip
_RAYLEIGH = 0.008569 * _UM**-4 * (1 + 0.0113 * _UM**-2 + 0.00013 * _UM**-4)
_AEROSOL = 0.15 * (0.55 / _UM) ** 1.3
_GAS = np.array([1.0, 1.0, 0.97, 0.96, 0.98, 0.98, 0.99, 0.98, 0.99, 0.35, 0.03, 0.95, 0.9])
PATH = (0.5 * (0.5 * _RAYLEIGH + 0.2 * _AEROSOL) * _GAS).astype(np.float32)
TRANSMITTANCE = (np.exp(-0.9 * (_RAYLEIGH + _AEROSOL)) * _GAS).astype(np.float32)


@dataclass(frozen=True)
class View:
    """What a product's pixels depend on."""

    window: UtmWindow
    when: datetime
    """Sensing start: the surface's date, the clouds' hour."""
    cover: float
    """Cloud share 0..1 (the record's ``cloudCover`` / 100)."""
    level: str
    """``L1C`` (top of atmosphere) or ``L2A`` (bottom of atmosphere)."""
    offset: int
    """Added to every reflectance DN: 1000 from baseline 04.00 on, else 0."""


def has_offset(baseline: str) -> bool:
    """Whether products of this processing baseline carry the -1000 radiometric offset."""
    return float(baseline) >= 4.0


def view_of(entry: Entry) -> View:
    """The :class:`View` of a Sentinel-2 L1C or L2A record (SAFE or EOPF Zarr)."""
    level = "L1C" if "_MSIL1C_" in entry.name else "L2A"
    cover = float(entry.attribute("cloudCover", 0.0) or 0.0) / 100.0
    return View(
        window=granule_window(entry),
        when=entry.start,
        cover=min(max(cover, 0.0), 1.0),
        level=level,
        offset=-BOA_OFFSET if has_offset(entry.extra["baseline"]) else 0,
    )


def _resolution(name: str, resolution: int | None) -> int:
    if name not in NATIVE_RESOLUTION and name not in OTHER:
        raise ValueError(f"band must be one of {[*BANDS, *OTHER]}, got {name!r}")
    res = resolution or NATIVE_RESOLUTION.get(name)
    if res not in DRAWN or (name in BANDS and name not in DRAWN[res]):
        raise ValueError(f"no {name} image at resolution {resolution!r} (10, 20 or 60 m)")
    return res


def expected_dn(entry: Entry, band: str, row: Any, col: Any, resolution: int | None = None) -> Any:
    """The digital number at ``(row, col)`` of ``band`` (or ``AOT``, ``WVP``) in ``entry``'s
    image at ``resolution`` (m; default the band's native one, as in L1C). Works on arrays."""
    res = _resolution(band, resolution)
    return image(view_of(entry), band, res)[np.asarray(row), np.asarray(col)]


def expected_scl(entry: Entry, row: Any, col: Any, resolution: int = 20) -> Any:
    """Scene classification (uint8, ESA's classes) at ``(row, col)`` of SCL at ``resolution``."""
    return image(view_of(entry), "SCL", resolution)[np.asarray(row), np.asarray(col)]


def expected_tci(entry: Entry, row: Any, col: Any, resolution: int = 10) -> Any:
    """True-colour image ``(3, ...)`` uint8 (red, green, blue) at ``(row, col)``."""
    return image(view_of(entry), "TCI", resolution)[:, np.asarray(row), np.asarray(col)]


#: Images kept (read-only arrays): a product has ~35 (~3 MB); a few products' worth.
IMAGE_CACHE_SIZE = 160


@lru_cache(maxsize=IMAGE_CACHE_SIZE)
def image(view: View, name: str, resolution: int) -> np.ndarray:
    """The whole image ``name`` at ``resolution`` of the product ``view`` (read-only)."""
    res = _resolution(name, resolution)
    if name in BANDS:
        out = _band_dn(view, name, res)
    elif name == "TCI":
        sat = TCI_SATURATION[view.level]
        rgb = np.stack([image(view, b, res) for b in ("B04", "B03", "B02")]).astype(np.int64)
        out = np.clip(1 + (254 * (rgb - view.offset) + sat // 2) // sat, 1, 255).astype(np.uint8)
    else:
        out = _ancillary(view.window, view.when, view.cover, name, res)
    out.flags.writeable = False
    return out


def _band_dn(view: View, band: str, res: int) -> np.ndarray:
    k = BANDS.index(band)
    refl = _observed(view.window, view.when, view.cover, res)[band]
    if view.level == "L1C":
        refl = PATH[k] + TRANSMITTANCE[k] * refl
    dn = np.rint(refl * np.float32(QUANTIFICATION)) + view.offset
    return np.clip(dn, 1, 65535).astype(np.uint16)


@lru_cache(maxsize=8)
def _observed(window: UtmWindow, when: datetime, cover: float, res: int) -> dict[str, np.ndarray]:
    """Bottom-of-atmosphere reflectance with clouds, per band drawn at ``res`` (shared by the
    L1C and L2A of a datatake)."""
    from ..scene import observed_reflectance

    lon, lat = lonlat(window, res)
    bands = DRAWN[res]
    values = observed_reflectance(bands, lon, lat, when, cover)
    values.flags.writeable = False
    return dict(zip(bands, values, strict=True))


def _ancillary(window: UtmWindow, when: datetime, cover: float, name: str, res: int) -> np.ndarray:
    """``SCL``, ``AOT``, ``WVP``, ``CLD`` or ``SNW`` over the window."""
    from .. import scene
    from ..scene.climate import climate, epoch_seconds, temperature
    from ..scene.noise import fbm, seed_of

    lon, lat = lonlat(window, res)
    if name == "SCL":
        return scene.scl(lon, lat, when, cover)
    if name == "SNW":
        return np.where(scene.scl(lon, lat, when, 0.0) == 11, 100, 0).astype(np.uint8)
    if name == "CLD":
        tau = scene.cloud_optical_thickness(lon, lat, when, cover)
        return np.rint(100.0 * (1.0 - np.exp(-tau / 2.0))).astype(np.uint8)
    day = int(epoch_seconds(when) // 86400)
    weather = fbm(lon, lat, seed_of(name.lower(), day), 360 / 1024, 3)  # ~40 km down to ~10 km
    if name == "AOT":  # 0.05 .. 0.25
        value = 0.05 + 0.2 * weather
    else:  # precipitable water (cm): ~0.7 at 0 °C, ~4 at 27 °C, +-10 % with the weather
        mid = [a[30:31, 30] for a in lonlat(window, 60)]  # the window's centre (61 px at 60 m)
        warmth = float(temperature(mid[1], when, climate(*mid))[0]) - 300.0
        value = (0.3 + 4.0 * np.exp(warmth / 12.0)) * (0.9 + 0.2 * weather)
    return np.rint(1000.0 * value).astype(np.uint16)
