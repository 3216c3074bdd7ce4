"""Variables of the Sentinel-6 netCDF files as the EUMETSAT products store them.

Geophysical values are packed integers: ``scale_factor`` (and ``add_offset`` for ranges and
altitudes), a ``_FillValue`` at the type's maximum in Level-2 files (``127``, ``32767``,
``2147483647``) and at its negative in Level-1B files (``-1`` for flags, ``-32767``,
``-2147483647``), as the ``nodata`` of the measurement assets of CDSE's Sentinel-6 STAC items
(eometadatatool's ``sentinel-6`` examples) show. Times are float64 ``seconds since 2000-01-01
00:00:00.0`` (UTC, and TAI in ``time_tai``); latitudes and longitudes int32 micro-degrees,
longitudes 0..360 east (the AMR-C item's ``longitude`` extent is 0..359999999).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._netcdf import NcGroup, variable

__all__ = ["FLAG_MEANINGS", "coords", "flag", "packed", "times"]

_L2_FILL = {np.int8: 127, np.int16: 32767, np.int32: 2147483647, np.uint16: 65535}
_L1B_FILL = {np.int8: -1, np.int16: -32767, np.int32: -2147483647, np.uint16: 65535}
#: TAI - UTC since 2017 (s).
TAI_UTC = 37.0
FLAG_MEANINGS = {
    "surface_classification_flag": (
        "open_ocean land continental_water aquatic_vegetation continental_ice_snow "
        "floating_ice salted_basin"
    ),
    "pass_direction_flag": "descending ascending",
    "qual": "good bad",
    "rain": "no_rain rain high_rain_probability_from_altimeter high_probability_of_no_rain "
    "ambiguous_situation_possibility_of_ice evaluation_not_possible",
    "ice": "no_ice ice",
    "rad_surface_type_flag": "open_ocean near_coast land",
}


def fill_of(dtype: Any, level1: bool = False) -> int:
    return (_L1B_FILL if level1 else _L2_FILL)[np.dtype(dtype).type]


def packed(
    group: NcGroup,
    name: str,
    dims: tuple[str, ...],
    values: Any,
    dtype: Any,
    scale: float | None,
    long_name: str,
    units: str | None = None,
    *,
    offset: float | None = None,
    level1: bool = False,
    **attrs: Any,
) -> None:
    """A packed variable: NaN becomes the fill value."""
    values = np.asarray(values, np.float64)
    fill = fill_of(dtype, level1)
    raw = values if offset is None else values - offset
    raw = raw if scale is None else raw / scale
    info = np.iinfo(dtype)
    data = np.where(np.isfinite(raw), np.clip(np.round(raw), info.min, info.max), fill)
    order: dict[str, Any] = {"long_name": long_name}
    if "standard_name" in attrs:
        order["standard_name"] = attrs.pop("standard_name")
    if units:
        order["units"] = units
    if offset is not None:
        order["add_offset"] = np.float64(offset)
    if scale is not None:
        order["scale_factor"] = np.float64(scale)
    variable(group, name, dims, data.astype(dtype), dtype, fill=dtype(fill), **order, **attrs)


def flag(
    group: NcGroup,
    name: str,
    dims: tuple[str, ...],
    values: Any,
    long_name: str,
    meanings: str,
    level1: bool = False,
    **attrs: Any,
) -> None:
    """An int8 flag with ``flag_values`` and ``flag_meanings``."""
    count = len(meanings.split())
    variable(
        group,
        name,
        dims,
        np.asarray(values, np.int8),
        np.int8,
        fill=np.int8(fill_of(np.int8, level1)),
        long_name=long_name,
        flag_values=np.arange(count, dtype=np.int8),
        flag_meanings=meanings,
        **attrs,
    )


def times(group: NcGroup, seconds: np.ndarray, long_name: str = "time in UTC") -> None:
    """``time`` (the dimension's coordinate, written first) and ``time_tai``."""
    units = "seconds since 2000-01-01 00:00:00.0"
    variable(
        group,
        "time",
        ("time",),
        seconds,
        np.float64,
        long_name=long_name,
        standard_name="time",
        calendar="gregorian",
        units=units,
        tai_utc_difference=np.float64(TAI_UTC),
        leap_second="0000-00-00T00:00:00Z",
        comment="Time of measurement in seconds in the UTC time scale since 1 Jan 2000 00:00:00 "
        "UTC. [tai_utc_difference] is the difference between TAI and UTC reference time "
        "(seconds) for the first measurement of the data set.",
    )
    variable(
        group,
        "time_tai",
        ("time",),
        seconds + TAI_UTC,
        np.float64,
        long_name="time in TAI",
        standard_name="time",
        calendar="gregorian",
        units=units,
    )


def coords(group: NcGroup, lon360: np.ndarray, lat: np.ndarray, level1: bool = False) -> None:
    """``latitude`` and ``longitude``, int32 micro-degrees."""
    packed(
        group, "latitude", ("time",), lat, np.int32, 1e-6, "latitude", "degrees_north",
        level1=level1, standard_name="latitude", comment="Positive latitude is North latitude, "
        "negative latitude is South latitude.",
    )  # fmt: skip
    packed(
        group, "longitude", ("time",), lon360, np.int32, 1e-6, "longitude", "degrees_east",
        level1=level1, standard_name="longitude", comment="East longitude relative to Greenwich "
        "meridian.",
    )  # fmt: skip
