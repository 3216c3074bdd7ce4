"""What an Envisat MERIS Level-1b product sees of the synthetic Earth (:mod:`..scene`).

The product is a small child product (a window of lines x columns of the orbit's swath, as
ESA's child product generator cut them) centred on the catalogue site, on a descending
(daytime) pass heading about 192 degrees: lines run along track (to the south), columns across
track (to the east). Pixels are :data:`SPACING` metres apart both ways (the SPH's
``COLUMN_SPACING``).

Radiances: the scene's reflectance (with clouds covering a share of the image derived from the
product name, since Envisat records carry no cloud cover) interpolated to the 15 MERIS band
centres, plus a Rayleigh path reflectance, turned into top-of-atmosphere radiance
``L = rho * E0 * cos(sun zenith) / pi`` with MERIS's solar irradiances, then into the uint16
counts the product stores (``L = count * SCALING_FACTOR_RAD``). :func:`look` is the oracle tests
compare the file with.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np

__all__ = [
    "BANDWIDTHS",
    "E0",
    "GRIDS",
    "HEADING",
    "RAD_SCALE",
    "WAVELENGTHS",
    "Grid",
    "Look",
    "lonlat",
    "look",
]

#: MERIS band centres (nm), as the SPH's BAND_WAVELEN of real products lists them.
WAVELENGTHS = (412.5, 442.5, 490.0, 510.0, 560.0, 620.0, 665.0, 681.25, 708.75, 753.75)
WAVELENGTHS += (760.625, 778.75, 865.0, 885.0, 900.0)
BANDWIDTHS = (10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 7.5, 10.0, 7.5, 3.75, 15.0, 20.0, 10.0)
BANDWIDTHS += (10.0,)
#: Mean solar spectral irradiance at the MERIS bands, mW/(m^2 nm) (Thuillier-like; inferred).
E0 = (1713.7, 1877.4, 1929.3, 1926.6, 1800.4, 1649.7, 1531.7, 1471.2, 1408.4, 1265.6)
E0 += (1255.4, 1178.4, 955.1, 914.2, 882.8)
#: Radiance per count of each band (Scaling Factor GADS ``SCALING_FACTOR_RAD``; inferred values
#: of the real order of magnitude: 16-bit counts span the bright clouds).
RAD_SCALE = (0.0127, 0.0133, 0.0137, 0.0136, 0.0127, 0.0115, 0.0107, 0.0103, 0.0098, 0.0089)
RAD_SCALE += (0.0088, 0.0083, 0.0067, 0.0064, 0.0062)
HEADING = 192.0  # degrees clockwise from north: a descending Envisat pass


@dataclass(frozen=True)
class Grid:
    """The image layout of a product type: size, tie point spacing (lines and samples),
    pixel spacing (m) and line time interval (microseconds)."""

    lines: int
    samples: int
    tie_step: int
    spacing: float
    line_interval_us: int
    full_width: int
    """``LINE_LENGTH`` of a full (not child) product, for the detector index."""


#: FRS: 4481 columns, tie points every 64 lines/samples, 260 m, 44 ms lines (real products);
#: RR: 1121 columns, every 16, 1040 m, 175.988 ms (a real RR SPH). The windows are reduced.
GRIDS = {
    "MER_FRS_1P": Grid(129, 129, 64, 260.0, 43997, 4481),
    "MER_RR__1P": Grid(81, 81, 16, 1040.0, 175988, 1121),
}


def lonlat(
    lon0: float, lat0: float, grid: Grid, rows: np.ndarray, cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of image positions (``rows``, ``cols`` broadcast) around the site."""
    heading = math.radians(HEADING)
    along = (math.sin(heading), math.cos(heading))  # (east, north)
    across = (-along[1], along[0])  # 90 degrees left of the track: east-ish going south
    dr = (np.asarray(rows, np.float64) - (grid.lines - 1) / 2) * grid.spacing / 1000.0
    dc = (np.asarray(cols, np.float64) - (grid.samples - 1) / 2) * grid.spacing / 1000.0
    east = dr * along[0] + dc * across[0]
    north = dr * along[1] + dc * across[1]
    lat = np.clip(lat0 + north / 111.32, -89.5, 89.5)
    lon = lon0 + east / (111.32 * max(math.cos(math.radians(lat0)), 0.05))
    return (lon + 180.0) % 360.0 - 180.0, lat


def cloud_cover(name: str) -> float:
    """The share of cloudy pixels (0..0.6), from the product name (deterministic)."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:4], 16) % 61 / 100.0


@dataclass(frozen=True)
class Look:
    """What the product holds, computed once per product (read-only arrays)."""

    counts: np.ndarray
    """uint16 ``(band, line, column)``."""
    land: np.ndarray
    cloud: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    line_times: tuple[datetime, ...]


@lru_cache(maxsize=8)
def look(name: str, product_type: str, lon0: float, lat0: float, start: datetime) -> Look:
    """The counts, land and cloud masks and positions of a product."""
    from .. import scene
    from ..scene.climate import sun_position
    from ._s3_pixels import SCENE_BANDS, at_wavelengths

    grid = GRIDS[product_type]
    rows, cols = np.indices((grid.lines, grid.samples))
    lon, lat = lonlat(lon0, lat0, grid, rows, cols)
    when = start.replace(tzinfo=None)
    cover = cloud_cover(name)
    rho = scene.observed_reflectance(SCENE_BANDS, lon, lat, when, cover)
    rho = at_wavelengths(rho, WAVELENGTHS)
    zenith, _ = sun_position(lon, lat, when)
    mu = np.clip(np.cos(np.radians(zenith)), 0.02, 1.0)
    wl = np.array(WAVELENGTHS) / 1000.0
    rayleigh = 0.008569 * wl**-4 * (1 + 0.0113 * wl**-2 + 0.00013 * wl**-4)  # optical depth
    rho_toa = rho + 0.5 * rayleigh[:, None, None] * (0.5 + 0.5 / mu)[None]
    radiance = rho_toa * np.array(E0)[:, None, None] * mu[None] / np.pi
    counts = np.rint(radiance / np.array(RAD_SCALE)[:, None, None])
    counts = np.clip(counts, 0, 65535).astype(np.uint16)
    land = scene.is_land(lon, lat)
    cloud = scene.cloud_mask(lon, lat, when, cover) if cover > 0 else np.zeros_like(land)
    times = tuple(
        start + timedelta(microseconds=i * grid.line_interval_us) for i in range(grid.lines)
    )
    for array in (counts, land, cloud, lon, lat):
        array.flags.writeable = False
    return Look(counts, land, cloud, lon, lat, times)
