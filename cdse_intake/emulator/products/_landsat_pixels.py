"""Landsat pixels: the synthetic Earth (:mod:`..scene`) as OLI/TIRS, ETM+ or TM see it, quantised
as USGS Collection 2 products are.

Each grid pixel inside the footprint samples the scene at the sensing time with the record's
``cloudCover``: the scene's cloud mask is drawn over the valid pixels, so exactly
``round(cover * n)`` of them have the ``QA_PIXEL`` cloud bit (the MTL's ``CLOUD_COVER``).

- Level-1 reflective bands: top-of-atmosphere reflectance (the Sentinel-2 writer's clear
  atmosphere over the scene's surface, the nearest Sentinel-2 bands), times the sine of the
  sun elevation, as ``DN = (rho * sin(elev) - REFLECTANCE_ADD) / REFLECTANCE_MULT``; thermal
  bands: brightness temperature (skin temperature, clouds colder with their thickness) through
  ``K1``/``K2`` and ``RADIANCE_MULT``/``ADD``. DN 0 is fill; the maximum saturates (``QA_RADSAT``).
- Level-2: ``SR = (rho + 0.2) / 2.75e-05``, ``ST = (T - 149) / 0.00341802``; the ST
  intermediate bands (radiances, transmittance, emissivity, cloud distance, uncertainty) and the
  aerosol/cloud QA follow the same scene (their physics simplified; inferred).
- ``QA_PIXEL``: Collection 2 bits (0 fill, 1 dilated cloud, 2 cirrus, 3 cloud, 4 shadow, 5 snow,
  6 clear, 7 water, 8-15 confidences): clear land on OLI is 21824, as in real products.
- Angle bands: hundredths of a degree (INT16); the sun from the record, the view across track.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _landsat_calibration as cal
from ._landsat_bands import FileSpec, Sensor, files_of, parse_name, sensor_of
from ._landsat_grid import Grid, grid_of, lonlat, valid
from ._s2_pixels import PATH, TRANSMITTANCE

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["View", "expected", "image", "view_of"]

_S2 = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B10", "B11", "B12")
ALTITUDE_M = 705_000.0


@dataclass(frozen=True)
class View:
    """What a product's pixels depend on."""

    grid: Grid
    when: datetime
    cover: float
    sensor: Sensor
    level: str
    sun_elevation: float
    sun_azimuth: float


def view_of(entry: Entry) -> View:
    cover = float(entry.attribute("cloudCover", 0.0) or 0.0) / 100.0
    return View(
        grid=grid_of(entry),
        when=entry.start + (entry.end - entry.start) / 2,
        cover=min(max(cover, 0.0), 1.0),
        sensor=sensor_of(entry.name),
        level=parse_name(entry.name)["level"],
        sun_elevation=float(entry.attribute("sunElevationAngle", 45.0)),
        sun_azimuth=float(entry.attribute("sunAzimuthAngle", 150.0)),
    )


def expected(entry: Entry, suffix: str) -> np.ndarray:
    """The whole raster ``suffix`` (``B4``, ``SR_B4``, ``QA_PIXEL``) the writer encodes."""
    view = view_of(entry)
    specs = {s.suffix: s for s in files_of(view.sensor, view.level)}
    if suffix not in specs:
        raise ValueError(f"{entry.name} has no {suffix!r} raster; it has {sorted(specs)}")
    return image(view, specs[suffix])


@dataclass(frozen=True)
class _Scene:
    valid: np.ndarray
    classes: np.ndarray
    """Sentinel-2 SCL classes (0 fill, 3 shadow, 6 water, 8-10 cloud, 11 snow)."""
    reflectance: dict[str, np.ndarray]
    """Observed surface reflectance (clouds, shadows) per Sentinel-2 band."""
    tau: np.ndarray
    skin: np.ndarray
    """Skin temperature (K) of the surface, clouds left out."""


@lru_cache(maxsize=8)
def _scene(grid: Grid, when: datetime, cover: float, bands: tuple[str, ...]) -> _Scene:
    """The scene over ``grid``'s valid pixels (fill elsewhere)."""
    from .. import scene

    ok = valid(grid)
    lon, lat = (a[ok] for a in lonlat(grid))
    classes = np.zeros(ok.shape, np.uint8)
    classes[ok] = scene.scl(lon, lat, when, cover)
    refl = scene.observed_reflectance(list(bands), lon, lat, when, cover)
    tau = np.zeros(ok.shape, np.float32)
    tau[ok] = scene.cloud_optical_thickness(lon, lat, when, cover)
    skin = np.zeros(ok.shape, np.float32)
    skin[ok] = scene.land_surface_temperature(lon, lat, when)
    planes = {}
    for band, values in zip(bands, refl, strict=True):
        plane = np.zeros(ok.shape, np.float32)
        plane[ok] = values
        planes[band] = plane
    return _Scene(ok, classes, planes, tau, skin)


def _needed(view: View) -> _Scene:
    """The scene on the product's grid, sampled once per datatake for every band of Level-1
    and Level-2."""
    specs = files_of(view.sensor, "L1TP") + files_of(view.sensor, "L2SP")
    bands = sorted({b for s in specs if s.source for b in s.source.split()})
    return _scene(view.grid, view.when, view.cover, tuple(bands))


def _surface(sc: _Scene, spec: FileSpec, toa: bool) -> np.ndarray:
    """Mean reflectance of the Sentinel-2 bands standing for ``spec``, at the top of the
    atmosphere when ``toa``."""
    out = np.zeros(sc.valid.shape, np.float32)
    names = spec.source.split()
    for name in names:
        k = _S2.index(name)
        r = sc.reflectance[name]
        out += (PATH[k] + TRANSMITTANCE[k] * r) if toa else r
    return out / len(names)


def _temperature(sc: _Scene) -> np.ndarray:
    """Observed temperature (K): the skin, cloud tops colder the thicker, shadows cooler."""
    emissivity = 1.0 - np.exp(-sc.tau / 2.0)
    cloud_top = sc.skin - 6.5 * (2.0 + 0.15 * sc.tau)
    t = (1.0 - emissivity) * sc.skin + emissivity * cloud_top
    return np.where(sc.classes == 3, t - 3.0, t).astype(np.float32)


@lru_cache(maxsize=64)
def image(view: View, spec: FileSpec) -> np.ndarray:
    """The raster of ``spec`` for ``view`` (read-only). The panchromatic band repeats each
    cell of the reflective grid 2 x 2 (no finer detail: sampling the scene again at four times
    the pixels would double a product's build time)."""
    sc = _needed(view)
    out = _IMAGES[spec.kind](view, spec, sc)
    out = np.where(sc.valid, out, spec.nodata or 0).astype(spec.dtype)
    if spec.suffix == "QA_PIXEL":
        out[~sc.valid] = 1
    if spec.kind == "pan":
        out = np.repeat(np.repeat(out, 2, axis=0), 2, axis=1)
    out.flags.writeable = False
    return out


def _quantise(value: np.ndarray, mult: float, add: float, top: int) -> np.ndarray:
    return np.clip(np.rint((value - add) / mult), 1, top)


def _reflective(view: View, spec: FileSpec, sc: _Scene) -> np.ndarray:
    c = cal.calibration(view.sensor.sensor, spec.label)
    rho = _surface(sc, spec, toa=True) * np.sin(np.radians(view.sun_elevation))
    return _quantise(rho, c.refl_mult, c.refl_add, c.qcal_max)


def _thermal(view: View, spec: FileSpec, sc: _Scene) -> np.ndarray:
    c = cal.calibration(view.sensor.sensor, spec.label)
    bt = _temperature(sc) - (3.0 if spec.label in ("11", "6_VCID_2") else 2.0)
    radiance = c.k1 / np.expm1(c.k2 / np.maximum(bt, 150.0))
    return _quantise(radiance, c.rad_mult, c.rad_add, c.qcal_max)


def _sr(view: View, spec: FileSpec, sc: _Scene) -> np.ndarray:
    return _quantise(_surface(sc, spec, toa=False), cal.SR_MULT, cal.SR_ADD, 65535)


def _st(view: View, spec: FileSpec, sc: _Scene) -> np.ndarray:
    return _quantise(_temperature(sc), cal.ST_MULT, cal.ST_ADD, 65535)


def _cloud(sc: _Scene) -> np.ndarray:
    return (sc.classes >= 8) & (sc.classes <= 10)


def _cloud_km(view: View, sc: _Scene) -> np.ndarray:
    """Distance (km) to the nearest cloud pixel (327 km when the scene has none)."""
    from scipy.ndimage import distance_transform_edt

    cloud = _cloud(sc)
    if not cloud.any():
        return np.full(cloud.shape, 327.0, np.float32)
    return np.minimum(distance_transform_edt(~cloud) * view.grid.cell / 1000.0, 327.0)


def _st_aux(view: View, spec: FileSpec, sc: _Scene) -> np.ndarray:
    """ST intermediate bands in their INT16 scaling (USGS's: x0.001, x0.0001, x0.01)."""
    warm = np.clip((sc.skin - 273.15) / 40.0, 0.0, 1.0)
    name = spec.suffix
    if name == "ST_TRAD":
        label = {"OLI_TIRS": "10", "ETM": "6_VCID_1"}.get(view.sensor.sensor, "6")
        c = cal.calibration(view.sensor.sensor, label)
        value = 1000.0 * c.k1 / np.expm1(c.k2 / np.maximum(_temperature(sc) - 2.0, 150.0))
    elif name == "ST_URAD":
        value = 1000.0 * (0.6 + 2.0 * warm)
    elif name == "ST_DRAD":
        value = 1000.0 * (1.0 + 3.4 * warm)
    elif name == "ST_ATRAN":
        value = 10000.0 * (0.92 - 0.3 * warm)
    elif name == "ST_EMIS":
        value = 10000.0 * np.select(
            [np.isin(sc.classes, (6, 11)), sc.classes == 4], [0.99, 0.98], 0.96
        )
    elif name == "ST_EMSD":
        value = np.where(sc.classes == 6, 50.0, 100.0)
    elif name == "ST_CDIST":
        value = 100.0 * _cloud_km(view, sc)
    elif name == "ST_QA":
        value = 100.0 * (1.0 + 4.0 * np.exp(-_cloud_km(view, sc) / 5.0))
    else:  # SR_ATMOS_OPACITY (x0.001)
        value = 1000.0 * (0.1 + 0.1 * warm)
    return np.clip(np.rint(value), -9998, 32767)


def _qa_pixel(view: View, spec: FileSpec, sc: _Scene) -> np.ndarray:
    from scipy.ndimage import binary_dilation

    cloud = _cloud(sc)
    dilated = binary_dilation(cloud) & ~cloud & sc.valid
    cls = sc.classes
    qa = np.zeros(cls.shape, np.uint32)
    qa |= dilated.astype(np.uint32) << 1
    qa |= cloud.astype(np.uint32) << 3
    qa |= (cls == 3).astype(np.uint32) << 4
    qa |= (cls == 11).astype(np.uint32) << 5
    qa |= (~cloud & ~dilated).astype(np.uint32) << 6
    qa |= (cls == 6).astype(np.uint32) << 7
    qa |= np.select([cls == 9, cloud], [3, 2], 1).astype(np.uint32) << 8
    qa |= np.where(cls == 3, 3, 1).astype(np.uint32) << 10
    qa |= np.where(cls == 11, 3, 1).astype(np.uint32) << 12
    if view.sensor.oli:
        qa |= (cls == 10).astype(np.uint32) << 2
        qa |= np.where(cls == 10, 3, 1).astype(np.uint32) << 14
    return qa


def _qa_other(view: View, spec: FileSpec, sc: _Scene) -> np.ndarray:
    cls = sc.classes
    if spec.suffix == "QA_RADSAT":  # bit i: the i-th band of the product saturates
        qa = np.zeros(cls.shape, np.uint32)
        level1 = replace(view, level="L1TP")
        bands = [
            s for s in files_of(view.sensor, "L1TP") if s.kind in ("reflective", "pan", "thermal")
        ]
        for bit, band in enumerate(bands):
            c = cal.calibration(view.sensor.sensor, band.label)
            saturated = image(level1, band) >= c.qcal_max
            if band.kind == "pan":  # any of the 2 x 2 pan pixels of the cell
                saturated = saturated.reshape(qa.shape[0], 2, qa.shape[1], 2).any(axis=(1, 3))
            qa |= saturated.astype(np.uint32) << bit
        return qa
    cloud = _cloud(sc)
    if spec.suffix == "SR_QA_AEROSOL":  # 1 fill, 2 valid, 4 water, 32 interpolated, 64.. level
        return np.select([cloud | (cls == 3), cls == 6], [32 + 192, 4 + 32 + 128], 2 + 64)
    # SR_CLOUD_QA (TM/ETM): 1 dark dense vegetation, 2 cloud, 4 shadow, 8 adjacent, 16 snow,
    # 32 water
    from scipy.ndimage import binary_dilation

    adjacent = binary_dilation(cloud) & ~cloud
    return (
        (cls == 4) * 1
        + cloud * 2
        + (cls == 3) * 4
        + adjacent * 8
        + (cls == 11) * 16
        + (cls == 6) * 32
    )


def _angle(view: View, spec: FileSpec, sc: _Scene) -> np.ndarray:
    x, y = view.grid.centres()
    xx, yy = np.meshgrid(x - x.mean(), y - y.mean())
    if spec.suffix in ("SZA", "SAA"):
        # the sun's zenith grows poleward across the scene (~0.8 degree per 100 km)
        gradient = 0.008 * yy / 1000.0 * (1 if view.grid.epsg < 32700 else -1)
        degrees = (
            90.0 - view.sun_elevation + gradient
            if spec.suffix == "SZA"
            else view.sun_azimuth + 0.004 * xx / 1000.0
        )
    elif spec.suffix == "VZA":
        degrees = np.degrees(np.arctan(np.abs(xx) / ALTITUDE_M))
    else:  # VAA: towards the satellite, across the (near-polar, descending) track
        degrees = np.where(xx > 0, -77.9, 102.1)
    return np.rint(100.0 * degrees)


_IMAGES: dict[str, Any] = {
    "reflective": _reflective,
    "pan": _reflective,
    "thermal": _thermal,
    "sr": _sr,
    "st": _st,
    "st_aux": _st_aux,
    "angle": _angle,
}


def _qa(view: View, spec: FileSpec, sc: _Scene) -> np.ndarray:
    return _qa_pixel(view, spec, sc) if spec.suffix == "QA_PIXEL" else _qa_other(view, spec, sc)


_IMAGES["qa"] = _qa
