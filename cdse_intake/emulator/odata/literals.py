"""Values of ``$filter`` literals: datetimes (to epoch microseconds) and geography (to shapely).

Datetime forms accepted by CDSE (cdse-api.md §1.5): ``2022-05-03T00:00:00.000Z``, with an offset
``…-04:00``, without a zone (UTC since 2024-05-28), date only ``2024-08-01``, any number of
fractional digits (3 and 6 are what clients send; more are truncated to microseconds).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["DATETIME_HINT", "parse_datetime_us", "parse_geography"]

DATETIME_HINT = (
    "a datetime such as 2024-01-01T00:00:00.000Z, 2024-01-01T00:00:00+02:00 or 2024-01-01"
)

_DATETIME = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
    r"(?:T(?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,12}))?)?"
    r"(?P<tz>[Zz]|[+-]\d{2}:\d{2})?)?"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_datetime_us(text: str) -> int:
    """Microseconds since the epoch for a datetime literal; ValueError naming what is wrong."""
    m = _DATETIME.fullmatch(text)
    if m is None:
        raise ValueError(f"invalid datetime {text!r}; expected {DATETIME_HINT}")
    fraction = (m["f"] or "")[:6].ljust(6, "0")
    try:
        value = datetime(
            int(m["y"]),
            int(m["mo"]),
            int(m["d"]),
            int(m["h"] or 0),
            int(m["mi"] or 0),
            int(m["s"] or 0),
            int(fraction),
            tzinfo=UTC,
        )
    except ValueError as err:
        raise ValueError(f"invalid datetime {text!r}: {err}") from None
    tz = m["tz"]
    if tz and tz not in "Zz":
        sign = 1 if tz[0] == "+" else -1
        hours, minutes = int(tz[1:3]), int(tz[4:6])
        if hours > 23 or minutes > 59:
            raise ValueError(f"invalid time zone offset {tz!r} in {text!r}")
        value -= sign * timedelta(hours=hours, minutes=minutes)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_SRID = re.compile(r"\s*SRID\s*=\s*(?P<srid>\d+)\s*;\s*(?P<wkt>.*)", re.IGNORECASE | re.DOTALL)


def parse_geography(text: str) -> Any:
    """A shapely geometry from ``SRID=4326;<WKT>``; ValueError saying what is wrong.

    CDSE validates the area with shapely (cdse-api.md §1.5): an unclosed or self-intersecting
    polygon, or coordinates outside lon/lat ranges, are errors.
    """
    import shapely

    m = _SRID.fullmatch(text)
    if m is None:
        raise ValueError(
            f"geography literal {text[:60]!r} must be SRID=4326;<WKT>, "
            "e.g. geography'SRID=4326;POLYGON((lon lat, ...))'"
        )
    if m["srid"] != "4326":
        raise ValueError(f"SRID={m['srid']} is not supported; use SRID=4326 (lon/lat)")
    wkt = m["wkt"].strip()
    try:
        geom = shapely.from_wkt(wkt)
    except shapely.errors.GEOSException as err:
        raise ValueError(f"invalid WKT {wkt[:60]!r}: {err}") from None
    if geom is None or geom.is_empty:
        raise ValueError(f"empty geometry {wkt[:60]!r}")
    if not shapely.is_valid(geom):
        raise ValueError(f"invalid geometry: {shapely.is_valid_reason(geom)}")
    xmin, ymin, xmax, ymax = geom.bounds
    if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
        raise ValueError(
            f"coordinates out of range (bounds {xmin}, {ymin}, {xmax}, {ymax}); "
            "expected longitude in [-180, 180] and latitude in [-90, 90], lon first"
        )
    return geom
