"""What the Sentinel-5P products of :mod:`.sentinel5p_more` see of the synthetic Earth.

The L2 swath products share the NO2/CO swath (:mod:`._s5p_pixels`: 200 scanlines x 50 ground
pixels spanning the footprint, the scene at the sensing start, the same cloud fraction and
``qa_value``); their geophysical fields are made here from the scene (:mod:`..scene`): land and
sea, the climate's dryness and vegetation, the NO2 plumes and the cloud field. Every field is
NaN where the sun was too low to retrieve it (:data:`._s5p_pixels.SZA_MAX`).

Plausible magnitudes, not physics: aerosol index ~0 over the sea and up to ~3 over dry land
(desert dust), aerosol layer ~1-4 km high, HCHO ~1e-4 mol m-2 over the sea and twice that over
green land, SO2 around zero with the industrial NO2 plumes, methane ~1850-1900 ppb (more in the
north and over wetlands), total ozone ~250-400 DU (more towards the poles).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .. import scene
from ..scene.climate import climate, dryness, greenness, temperature
from ._s5p_grid import frozen
from ._s5p_pixels import Look, centres, fields, look

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["DOBSON", "LEVELS_PR", "SWATH_KINDS", "swath_fields", "tcl_grid"]

#: mol m-2 per Dobson unit.
DOBSON = 4.4615e-4
#: The L2 swath product types this module has fields for.
SWATH_KINDS = ("L2__AER_AI", "L2__AER_LH", "L2__CLOUD_", "L2__HCHO__", "L2__SO2___", "L2__CH4___",
               "L2__O3____", "L2__O3__PR")  # fmt: skip
#: Levels of the ozone profile product (``level``), surface to top.
LEVELS_PR = 33
LEVEL_SPACING_M = 1875.0


@lru_cache(maxsize=8)
def _ground(view: Look) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(latitude, land fraction, dryness 0..1, greenness 0..1) at the pixel centres."""
    lon, lat = centres(view.quad, view.pixels)
    clim = climate(lon, lat)
    dry = np.clip(dryness(lat, view.when, clim), 0.0, 1.0)
    green = greenness(temperature(lat, view.when, clim), dry)
    land = scene.land_fraction(lon, lat)
    return lat, land, dry, green


def _profile_shape() -> np.ndarray:
    """Ozone by level (fraction of the column per level), peaking at ~25 km (level ~20)."""
    z = np.linspace(0.0, 60.0, LEVELS_PR)
    shape = np.exp(-(((z - 24.0) / 8.0) ** 2)) + 0.02
    return (shape / shape.sum()).astype(np.float32)


def swath_fields(entry: Entry) -> dict[str, np.ndarray]:
    """The geophysical fields of ``entry``'s L2 swath product, ``(scanline, ground_pixel)`` (the
    ozone profile with a trailing ``level``), float32, read-only, NaN where nothing was
    retrieved. Keys are the file's variable names.
    """
    if entry.product_type not in SWATH_KINDS:
        raise ValueError(f"{entry.name}: no swath fields for product type {entry.product_type!r}")
    return _swath_fields(entry.product_type, look(entry))


@lru_cache(maxsize=8)
def _swath_fields(kind: str, view: Look) -> dict[str, np.ndarray]:
    seen = fields(view, "no2")
    lat, land, dry, green = _ground(view)
    failed = seen.failed
    cloud = seen.cloud_fraction
    desert = land * dry**2
    out: dict[str, np.ndarray] = {}
    if kind == "L2__AER_AI":
        ai = -0.4 + 0.6 * cloud + 3.0 * desert
        out["aerosol_index_354_388"] = ai
        out["aerosol_index_340_380"] = 0.9 * ai - 0.05
    elif kind == "L2__AER_LH":
        height = 1200.0 + 2800.0 * desert + 500.0 * cloud
        out["aerosol_mid_height"] = height
        out["aerosol_mid_pressure"] = 101325.0 * np.exp(-height / 8000.0)
        out["aerosol_optical_thickness"] = 0.1 + 0.9 * desert
    elif kind == "L2__CLOUD_":
        top = 85000.0 - 55000.0 * cloud
        out["cloud_fraction"] = cloud
        out["cloud_top_pressure"] = top
        out["cloud_top_height"] = -8000.0 * np.log(top / 101325.0)
        out["cloud_base_pressure"] = np.minimum(top + 15000.0, 101000.0)
        out["cloud_optical_thickness"] = 1.0 + 40.0 * cloud**2
    elif kind == "L2__HCHO__":
        hcho = 8e-5 + 1.6e-4 * land * green + 2e-5 * np.cos(np.radians(lat))
        out["formaldehyde_tropospheric_vertical_column"] = hcho
        out["formaldehyde_tropospheric_vertical_column_precision"] = 0.3 * hcho + 3e-5
    elif kind == "L2__SO2___":
        no2 = np.nan_to_num(seen.column)
        ripple = 5e-5 * np.sin(np.arange(cloud.size).reshape(cloud.shape) * 0.7)
        out["sulfurdioxide_total_vertical_column"] = 4.0 * (no2 - 1.5e-5) + ripple
        out["sulfurdioxide_total_vertical_column_precision"] = np.full(cloud.shape, 3e-4)
    elif kind == "L2__CH4___":
        ch4 = 1870.0 + 25.0 * np.tanh(lat / 25.0) + 30.0 * land * green
        out["methane_mixing_ratio"] = ch4
        out["methane_mixing_ratio_precision"] = np.full(cloud.shape, 0.8)
        out["methane_mixing_ratio_bias_corrected"] = ch4 - 6.0 + 10.0 * (1.0 - land)
    else:  # total ozone and the ozone profile
        total = DOBSON * (265.0 + 110.0 * (np.abs(lat) / 90.0) ** 1.5)
        if kind == "L2__O3____":
            out["ozone_total_vertical_column"] = total
            out["ozone_total_vertical_column_precision"] = 0.01 * total
        else:
            tropo = DOBSON * (22.0 + 12.0 * land)
            # number density (mol m-3): the column spread over levels ~1.9 km apart
            out["ozone_profile"] = total[..., None] * _profile_shape() / LEVEL_SPACING_M
            out["ozone_total_column"] = total
            out["ozone_tropospheric_column"] = tropo
    result = {}
    for name, values in out.items():
        mask = failed[..., None] if values.ndim == 3 else failed
        result[name] = frozen(np.where(mask, np.nan, values).astype(np.float32))
    return result


@lru_cache(maxsize=4)
def tcl_grid(day: int) -> dict[str, np.ndarray]:
    """The tropospheric ozone grids of the O3_TCL product made on day ``day`` (days since
    1970): ``lat``/``lon`` (the 0.5° x 1° CCD grid, 20°S-20°N), ``column`` (mol m-2, ~20-40 DU:
    the tropical wave-one, most over the Atlantic), ``qa`` (x100) and, on the 5° x 20° cloud
    slicing grid, ``csa_lat``/``csa_lon``/``mixing_ratio`` (ppbv)."""
    lat = np.arange(80, dtype=np.float32) * 0.5 - 19.75
    lon = np.arange(360, dtype=np.float32) * 1.0 - 179.5
    glon, glat = np.meshgrid(lon, lat)
    wave = np.cos(np.radians(glon + 10.0))
    column = DOBSON * (27.0 + 8.0 * wave + 4.0 * np.sin(np.radians(glat * 4.0 + day)))
    land = scene.land_fraction(glon, glat)
    qa = np.where(land > 0.5, 70, 100).astype(np.uint8)
    csa_lat = np.arange(8, dtype=np.float32) * 5.0 - 17.5
    csa_lon = np.arange(18, dtype=np.float32) * 20.0 - 170.0
    clon, clat = np.meshgrid(csa_lon, csa_lat)
    mixing = 45.0 + 15.0 * np.cos(np.radians(clon + 10.0)) + 0.2 * clat
    return {
        "lat": frozen(lat),
        "lon": frozen(lon),
        "column": frozen(column.astype(np.float32)),
        "qa": frozen(qa),
        "csa_lat": frozen(csa_lat),
        "csa_lon": frozen(csa_lon),
        "mixing_ratio": frozen(mixing.astype(np.float32)),
    }
