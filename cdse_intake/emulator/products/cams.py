"""CAMS GLOBAL (forecast) and GFAS (fire) products: one netCDF file of global fields.

Shaped after the netCDF ECMWF disseminates CAMS in (``grib_to_netcdf``, CF-1.6): dimensions
``longitude`` (0 to 360 east, float32 ``degrees_east``), ``latitude`` (90 to -90, float32
``degrees_north``) and ``time`` (int32 ``hours since 1900-01-01 00:00:00.0``, ``gregorian``);
every field an int16 variable ``(time, latitude, longitude)`` packed with ``scale_factor`` and
``add_offset`` (``_FillValue`` = ``missing_value`` = -32767) and named by its GRIB short name
with its ``units`` and ``long_name`` (real names: ``aod550``, ``gtco3``, ``tcno2``, ``tcco``;
``frpfire``, ``co2fire``, ``cofire``, ``pm2p5fire``); global attributes ``Conventions`` and
``history``.

Inferred: the file names (the catalogue's), that a GLOBAL file holds the four fields (the named
one first) and a forecast's steps 0, 12 and 24 h, a GFAS file the day's mean fire fields; the
grid is reduced to 1 degree (CAMS global: 0.4 degree, GFAS: 0.1 degree). Values:
:mod:`._cams_fields`; :func:`fields` is the oracle (the unpacked values within half a packing
step).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from . import Builder
from ._cams_fields import gfas_fields, global_fields
from ._netcdf import netcdf_bytes, variable

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["FAMILY_BUILDERS", "LONG_NAMES", "RESOLUTION", "build_cams", "fields", "grid", "steps"]

RESOLUTION = 1.0  # degrees
EPOCH = datetime(1900, 1, 1)
FILL = -32767
DRIFT = 3  # grid cells east per 12 hours: the westerlies
#: GRIB short name -> (units, long_name), as ECMWF's parameter database names them.
LONG_NAMES = {
    "aod550": ("~", "Total Aerosol Optical Depth at 550nm"),
    "gtco3": ("kg m**-2", "GEMS Total column ozone"),
    "tcno2": ("kg m**-2", "Total column Nitrogen dioxide"),
    "tcco": ("kg m**-2", "Total column Carbon monoxide"),
    "frpfire": ("W m**-2", "Wildfire radiative power"),
    "co2fire": ("kg m**-2 s**-1", "Wildfire flux of Carbon Dioxide"),
    "cofire": ("kg m**-2 s**-1", "Wildfire flux of Carbon Monoxide"),
    "pm2p5fire": ("kg m**-2 s**-1", "Wildfire flux of Particulate Matter PM2.5"),
}


def grid() -> tuple[np.ndarray, np.ndarray]:
    """(longitude, latitude) of the grid: 0..359 east, 90..-90."""
    lon = np.arange(0.0, 360.0, RESOLUTION)
    lat = np.linspace(90.0, -90.0, round(180 / RESOLUTION) + 1)
    return lon, lat


def steps(entry: Entry) -> list[datetime]:
    """The file's times: the forecast's steps (GLOBAL) or its day (GFAS)."""
    base = entry.start.replace(tzinfo=None, microsecond=0)
    hours = (0, 12, 24) if entry.product_type == "GLOBAL" else (0,)
    return [base + timedelta(hours=h) for h in hours]


@lru_cache(maxsize=8)
def _fields(product_type: str, when: tuple[datetime, ...]) -> dict[str, np.ndarray]:
    """The scene is sampled on a grid twice as coarse, then interpolated linearly (the fields
    are smooth, and sampling is the time of a build); later forecast steps are the first one
    carried east by :data:`DRIFT` grid cells per 12 hours."""
    lon, lat = grid()
    lon2, lat2 = np.meshgrid(np.where(lon >= 180, lon - 360, lon)[::2], lat[::2])
    make = global_fields if product_type == "GLOBAL" else gfas_fields
    first = {name: _upsample(values) for name, values in make(lon2, lat2, when[0]).items()}
    shifts = [round((t - when[0]).total_seconds() / 43200 * DRIFT) for t in when]
    return {name: np.stack([np.roll(v, k, axis=1) for k in shifts]) for name, v in first.items()}


def _upsample(coarse: np.ndarray) -> np.ndarray:
    """Linear interpolation of a field on every other latitude and longitude to the grid."""
    rows = np.empty((2 * coarse.shape[0] - 1, coarse.shape[1]))
    rows[::2], rows[1::2] = coarse, (coarse[:-1] + coarse[1:]) / 2
    out = np.empty((rows.shape[0], 2 * rows.shape[1]))
    out[:, ::2], out[:, 1::2] = rows, (rows + np.roll(rows, -1, axis=1)) / 2
    return out


def fields(entry: Entry) -> dict[str, np.ndarray]:
    """The physical values the file packs, ``(time, latitude, longitude)``, by variable."""
    found = _fields(entry.product_type, tuple(steps(entry)))
    named = entry.name.removesuffix(".nc").rsplit("_", 1)[-1]
    return dict(sorted(found.items(), key=lambda item: item[0] != named))


def _packing(values: np.ndarray) -> tuple[float, float]:
    low, high = float(values.min()), float(values.max())
    scale = (high - low) / 65532 if high > low else 1.0
    return scale, (high + low) / 2


def build_cams(entry: Entry) -> dict[str, bytes]:
    """The product's single netCDF file, keyed by the product name."""
    if entry.product_type not in ("GLOBAL", "GFAS") or not entry.name.endswith(".nc"):
        raise ValueError(f"CAMS GLOBAL/GFAS netCDF (.nc) expected, got {entry.name!r}")
    lon, lat = grid()
    times = steps(entry)
    data = fields(entry)

    def write(root) -> None:
        root.dimensions = {"longitude": lon.size, "latitude": lat.size, "time": len(times)}
        variable(root, "longitude", ("longitude",), lon, np.float32, units="degrees_east",
                 long_name="longitude")  # fmt: skip
        variable(root, "latitude", ("latitude",), lat, np.float32, units="degrees_north",
                 long_name="latitude")  # fmt: skip
        hours = [int((t - EPOCH).total_seconds() // 3600) for t in times]
        variable(root, "time", ("time",), hours, np.int32,
                 units="hours since 1900-01-01 00:00:00.0", long_name="time",
                 calendar="gregorian")  # fmt: skip
        for name, values in data.items():
            scale, offset = _packing(values)
            packed = np.rint((values - offset) / scale).astype(np.int16)
            units, long_name = LONG_NAMES[name]
            variable(root, name, ("time", "latitude", "longitude"), packed, np.int16, fill=FILL,
                     scale_factor=np.float64(scale), add_offset=np.float64(offset),
                     missing_value=np.int16(FILL), units=units, long_name=long_name)  # fmt: skip
        root.attrs["Conventions"] = "CF-1.6"
        made = entry.origin.strftime("%Y-%m-%d %H:%M:%S")
        root.attrs["history"] = (
            f"{made} GMT by grib_to_netcdf-2.28.1: /opt/ecmwf/mars-client/bin/grib_to_netcdf "
            f"-S param -o {entry.name} data.grib"
        )

    return {entry.name: netcdf_bytes(write)}


FAMILY_BUILDERS = {"cams": Builder(build_cams, single_file=True)}
