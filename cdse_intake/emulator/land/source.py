"""The pixel values of the land datasets: the emulator's synthetic Earth, as each product codes it.

:func:`values` is the one source of truth: the result files (:mod:`.results`) write exactly what
it returns at their pixel centres, and tests call it to compute what they expect. Every kind
starts from the scene (:mod:`..scene`): its land mask (sea gets the product's sea code or
nodata), its land cover classes and green fraction on the instant the file shows
(:func:`.periods.sample_instant`), its land surface temperature. NDVI follows the CLMS NDVI
encoding of :mod:`..products._clms_pixels` (the polar night's "missing" rows included); the
other biophysical kinds derive from that NDVI; class products map the scene's seven classes to
their codes (:mod:`.encodings`); densities and rare features add hashed per-cell noise.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np

from .datasets import Dataset, dataset
from .encodings import ENCODINGS, Encoding
from .periods import sample_instant

__all__ = ["encoding", "values"]

#: Below this noon sun elevation a composite has no observation (as ``_clms_pixels``).
MIN_SUN_ELEVATION = 10.0
#: Scene classes: water, forest, cropland, grassland, bare, urban, snow -> code; then sea.
_LOOKUP = {
    "lc100": ((80, 111, 40, 30, 60, 50, 70), 200),
    "clc": ((41, 23, 12, 18, 32, 2, 34), 44),
    "clcplus": ((9, 3, 6, 5, 8, 1, 10), 254),
    "water": ((70, 0, 0, 0, 0, 0, 0), 251),
    "snow": ((250, 0, 0, 0, 0, 0, 100), 250),
    "grass": ((0, 0, 0, 1, 0, 0, 0), 255),
    "wetness": ((1, 3, 0, 0, 0, 0, 0), 253),
    "built": ((0, 0, 0, 0, 0, 1, 0), 255),
    "urban": ((50000, 31000, 21000, 23000, 33000, 11100, 33500), 52000),
}
_CROPS = np.array([1110, 1120, 1210, 1310, 1510], np.uint16)
#: Cell of the hashed noise, degrees (about 100 m): values are constant over a cell.
NOISE_CELL = 1 / 1024


def encoding(dataset_uid: str) -> Encoding:
    """How the dataset stores its values (data type, nodata, scale, offset, flags)."""
    return ENCODINGS[_dataset(dataset_uid).kind]


def values(
    dataset_uid: str, lon: np.ndarray, lat: np.ndarray, when: datetime | date | None = None
) -> np.ndarray:
    """The stored values (raw, in :func:`encoding`'s data type) at the points ``(lon, lat)``.

    ``when``: the date of the file (any day of its dekad, day or month; the date its name
    carries); ignored by single-epoch datasets (land cover, CLC, HRL ...).
    """
    from ..scene import is_land

    ds = _dataset(dataset_uid)
    enc = ENCODINGS[ds.kind]
    lon, lat = np.broadcast_arrays(np.asarray(lon, np.float64), np.asarray(lat, np.float64))
    if ds.timeseries and when is None:
        raise ValueError(f"{ds.title!r} is a time series: give the file's date")
    instant = sample_instant(ds.period, when, ds.epoch)
    out = np.full(lon.shape, enc.nodata, enc.dtype)
    land = is_land(lon, lat)
    _fill(ds, out, land, lon, lat, instant)
    return out


def _dataset(uid: str) -> Dataset:
    ds = dataset(uid)
    if ds is None:
        raise KeyError(f"no land dataset with UID {uid!r}")
    return ds


def _noise(lon: np.ndarray, lat: np.ndarray, *parts: object) -> np.ndarray:
    from ..scene.noise import cell_hash, seed_of

    return cell_hash(lon, lat, NOISE_CELL, seed_of("land", *parts))


def _fill(ds: Dataset, out: np.ndarray, land: np.ndarray, lon: np.ndarray, lat: np.ndarray,
          when: datetime) -> None:  # fmt: skip
    from ..scene.surface import land_cover

    kind = ds.kind
    if kind in ("ndvi", "lai", "fapar", "fcover", "dmp", "moisture"):
        _vegetation(kind, out, land, lon, lat, when)
        return
    if kind == "lst":
        from ..scene import land_surface_temperature

        lst = land_surface_temperature(lon[land], lat[land], when)
        out[land] = np.rint((lst - 273.15) / 0.01).astype(out.dtype)
        return
    lo, la = lon[land], lat[land]
    cls = land_cover(lo, la, when)[0]
    if kind in _LOOKUP:
        codes, sea = _LOOKUP[kind]
        out[~land] = sea
        out[land] = np.asarray(codes, out.dtype)[cls]
        return
    if kind == "burnt":
        out[~land] = 254
        u = _noise(lo, la, kind, when.year, when.month)
        out[land] = ((cls >= 1) & (cls <= 3) & (u < 0.02)).astype(out.dtype)
        return
    u = _noise(lo, la, kind, ds.epoch)
    out[land] = _noisy(kind, cls, u).astype(out.dtype)


def _noisy(kind: str, cls: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Class-and-noise kinds on land points (``u`` uniform in [0, 1) per ~100 m cell)."""
    forest, crop, grass, urban = cls == 1, cls == 2, cls == 3, cls == 5
    if kind == "dlt":
        return np.where(forest, np.where(u > 0.6, 2, 1), 0)
    if kind == "crop":
        return np.where(crop, _CROPS[np.minimum((u * 5).astype(int), 4)], 0)
    if kind == "imd":
        return np.where(urban, 40 + np.rint(60 * u), 0)
    if kind == "tcd":
        return np.where(forest, 40 + np.rint(60 * u), np.where(crop | grass, np.rint(10 * u), 0))
    if kind == "height":
        return np.where(urban, 3 + np.rint(30 * u), 0)
    if kind == "swf":
        return ((crop | grass) & (u < 0.08)).astype(np.uint8)
    if kind == "change":
        return (u < 0.03).astype(np.uint8)
    raise ValueError(f"unknown kind {kind!r}")


def _vegetation(kind: str, out: np.ndarray, land: np.ndarray, lon: np.ndarray, lat: np.ndarray,
                when: datetime) -> None:  # fmt: skip
    """NDVI as ``_clms_pixels`` codes it, and the products derived from it."""
    from ..scene.climate import sun_position
    from ..scene.surface import land_cover, ndvi_of

    noon = datetime(when.year, when.month, when.day, 12)
    zenith, _ = sun_position(np.zeros_like(lat), lat, noon)  # local noon at 0°: UTC noon
    dark = 90.0 - zenith < MIN_SUN_ELEVATION
    ok = land & ~dark
    if kind == "ndvi":
        out[~land] = 254
    cls, green, _ = land_cover(lon[ok], lat[ok], when)
    v = ndvi_of(cls, green)
    if kind == "ndvi":
        out[ok] = np.clip(np.rint((v - -0.08) / 0.004), 0, 250)
        return
    f = np.clip((v - 0.1) / 0.75, 0.0, 1.0)
    if kind == "fcover":
        raw = np.rint(f / 0.004)
    elif kind == "fapar":
        raw = np.rint(np.clip(1.1 * v - 0.05, 0.0, 0.94) / 0.004)
    elif kind == "lai":
        raw = np.rint(np.clip(-2.0 * np.log(1.0 - 0.95 * f), 0.0, 7.0) * 30)
    elif kind == "dmp":
        raw = np.rint(np.clip(v - 0.1, 0.0, 1.0) * 120 / 0.01)
    else:  # moisture: wetter where greener, saturated on inland water
        raw = np.where(cls == 0, 200, np.rint((20 + 80 * np.clip(v, 0.0, 1.0)) / 0.5))
    out[ok] = raw.astype(out.dtype)
