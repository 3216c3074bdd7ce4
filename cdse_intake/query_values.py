"""The values a :class:`~cdse_intake.query.Query` field takes, each checked and normalised once.

One function per field (dates, cloud range, tile, platform, orbit direction, sort key, texts,
percentages, product types); each fails with a :class:`~cdse_intake.errors.QueryError` naming the
field, the bad value and what is expected.
"""

from __future__ import annotations

import functools
import numbers
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from .errors import QueryError

__all__ = [
    "LOCAL_SORT_FIELDS",
    "SORT_FIELDS",
    "cloud",
    "conversion_errors",
    "direction",
    "landsat_platform",
    "parse_time",
    "percent",
    "platform",
    "positive_int",
    "product_types",
    "shown",
    "sort_key",
    "text",
    "tile",
    "utf8",
    "wrs2",
]

#: Sort keys: the user's word -> (OData $orderby field, STAC sortby field)
SORT_FIELDS = {
    "start": ("ContentDate/Start", "datetime"),
    "end": ("ContentDate/End", "end_datetime"),
    "published": ("PublicationDate", "published"),
    "modified": ("ModificationDate", "updated"),
}
#: Sort keys no catalogue orders by (OData's ``$orderby`` takes only the four dates above): the
#: whole result is fetched in start order and sorted here -> the Product property sorted by.
LOCAL_SORT_FIELDS = {
    "cloud": "cloud_cover",
}
_SORT_ALIASES = {
    "ContentDate/Start": "start",
    "ContentDate/End": "end",
    "datetime": "start",
    "start_datetime": "start",
    "end_datetime": "end",
    "PublicationDate": "published",
    "ModificationDate": "modified",
    "cloudCover": "cloud",
    "cloud_cover": "cloud",
    "eo:cloud_cover": "cloud",
}


def parse_time(value: Any, field_name: str, *, end_of_day: bool = False) -> datetime:
    """A timezone-aware UTC datetime from a str, date, datetime or pandas Timestamp.

    Naive values are UTC. With ``end_of_day`` a bare date means the END of that day (exclusive
    midnight of the next), so ``end="2024-01-31"`` includes the whole 31st.
    """
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    elif type(value).__name__ == "datetime64":  # numpy, without importing it
        value = _from_datetime64(value, field_name)
    bare_date = False
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result, bare_date = datetime.combine(value, time()), True
    elif isinstance(value, str):
        text = value.strip()
        try:
            result = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError as err:
            raise QueryError(
                f"{field_name}={value!r} is not a date or time; expected ISO 8601 such as "
                "'2024-05-01' or '2024-05-01T10:30:00Z'"
            ) from err
        bare_date = len(text) <= 10
    else:
        raise QueryError(
            f"{field_name}={value!r} is not a date or time; expected a str, date, datetime, "
            "numpy.datetime64 or pandas.Timestamp"
        )
    if result.tzinfo is None:
        result = result.replace(tzinfo=UTC)
    result = result.astimezone(UTC)
    if end_of_day and bare_date:
        result += timedelta(days=1)
    return result


def _from_datetime64(value: Any, field_name: str) -> datetime | date:
    """A numpy.datetime64 as a datetime (microseconds; a day unit gives a bare date)."""
    unit = str(value.dtype).removeprefix("datetime64[").rstrip("]")
    if str(value) == "NaT":
        raise QueryError(f"{field_name}={value!r} is not a time (NaT); expected a date or time")
    if unit in ("D", "W", "M", "Y"):
        return date.fromisoformat(str(value.astype("datetime64[D]")))
    micro = int(value.astype("datetime64[us]").astype("int64"))
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micro)


def cloud(value: Any) -> tuple[float, float] | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        low, high = 0.0, float(value)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        try:
            low, high = float(value[0]), float(value[1])
        except (TypeError, ValueError) as err:
            raise QueryError(f"cloud={value!r}: expected numbers 0-100") from err
    else:
        raise QueryError(f"cloud={value!r}: expected a maximum (e.g. 20) or a range (min, max)")
    for v in (low, high):
        if not 0 <= v <= 100:
            raise QueryError(f"cloud={value!r}: {v} is outside 0-100 (percent)")
    if low > high:
        raise QueryError(f"cloud={value!r}: the minimum {low} is above the maximum {high}")
    return (low, high)


def positive_int(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value)
            else:
                raise TypeError
        except TypeError:
            raise QueryError(f"{name}={value!r}: expected a whole number >= 1") from None
    if value < 1:
        raise QueryError(f"{name}={value!r}: expected a whole number >= 1")
    return value


def percent(name: str, value: Any) -> float | None:
    if value is None:
        return None
    try:  # numbers of any kind (numpy's too), not bools or strings
        number = None if isinstance(value, (bool, str)) else float(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not 0 <= number <= 100:  # NaN fails too
        raise QueryError(f"{name}={value!r}: expected a percent, a number 0-100")
    return number


def tile(value: Any) -> str | None:
    """A Sentinel-2 MGRS tile (``31UFT``) or a Landsat WRS-2 path/row as ``PPPRRR``
    (``"198026"``, ``"198/026"``, ``(198, 26)``: ``198026``)."""
    if value is None:
        return None
    path_row = wrs2(value)
    if path_row is not None:
        return f"{path_row[0]:03d}{path_row[1]:03d}"
    text = str(value).strip().upper().removeprefix("T")
    if not re.fullmatch(r"\d{2}[C-HJ-NP-X][A-HJ-NP-Z][A-HJ-NP-V]", text):
        raise QueryError(
            f"tile={value!r} is not a Sentinel-2 MGRS tile ('31UFT' or 'T31UFT') nor a Landsat "
            "WRS-2 path/row ('198026', '198/026' or (198, 26))"
        )
    return text


#: WRS-2 paths and rows (Landsat 4-9).
WRS2_PATHS, WRS2_ROWS = 233, 248


def wrs2(value: Any) -> tuple[int, int] | None:
    """``value`` as a Landsat WRS-2 ``(path, row)`` when it has that form (``"198026"``,
    ``"198/026"``, ``"198-26"``, ``(198, 26)``); None when it does not (an MGRS tile); a
    path/row out of range is an error."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2 or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value
        ):
            raise QueryError(
                f"tile={value!r}: a Landsat path/row is two whole numbers, e.g. (198, 26)"
            )
        path, row = (int(v) for v in value)
    else:
        m = re.fullmatch(r"(\d{3})(\d{3})|(\d{1,3})\s*[/_-]\s*(\d{1,3})", str(value).strip())
        if m is None:
            return None
        path, row = (int(g) for g in m.groups() if g is not None)
    if not (1 <= path <= WRS2_PATHS and 1 <= row <= WRS2_ROWS):
        raise QueryError(
            f"tile={value!r}: path {path}, row {row} is not a Landsat WRS-2 path/row; expected "
            f"a path 1-{WRS2_PATHS} and a row 1-{WRS2_ROWS}, e.g. '198026' or '198/026'"
        )
    return path, row


#: Landsat platform names -> their OData collection (a Landsat collection is one platform).
_LANDSAT_PLATFORM = re.compile(r"(?:LANDSAT[\s_-]?|L[CTEO]?0?)([5789])")


def landsat_platform(value: Any) -> str | None:
    """``"landsat-8"``, ``"Landsat 9"``, ``"L8"``, ``"LC09"`` -> its collection
    (``LANDSAT-8``); None for anything else (a Sentinel platform)."""
    if not isinstance(value, str):
        return None
    m = _LANDSAT_PLATFORM.fullmatch(value.strip().upper())
    return f"LANDSAT-{m.group(1)}" if m else None


def platform(value: Any) -> str | None:
    """``A``, ``S2A``, ``sentinel-2a``, ``S5P`` -> the platformSerialIdentifier (``A``, ``5P``)."""
    if value is None:
        return None
    text = str(value).strip().upper().replace("SENTINEL-", "S")
    match = re.fullmatch(r"(?:S[1-6])?([A-D])|(?:S)?(5P)", text)
    if not match:
        raise QueryError(
            f"platform={value!r} is not a Sentinel platform; expected e.g. 'S2A', 'A' or "
            "'sentinel-1c'"
        )
    return match.group(1) or match.group(2)


def direction(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip().upper()
    for full in ("ASCENDING", "DESCENDING"):
        if text in (full, full[:3], full[:4]):
            return full
    raise QueryError(f"orbit_direction={value!r}: expected 'ascending' or 'descending'")


def sort_key(value: Any) -> tuple[str, str]:
    if isinstance(value, tuple) and len(value) == 2:
        key, direction = str(value[0]), str(value[1]).lower()
    else:
        text = str(value).strip()
        direction = "desc" if text.startswith("-") else "asc"
        key = text.lstrip("+-")
    key = _SORT_ALIASES.get(key, key)
    if key not in SORT_FIELDS and key not in LOCAL_SORT_FIELDS:
        known = [*SORT_FIELDS, *LOCAL_SORT_FIELDS]
        raise QueryError(
            f"sort={value!r}: expected one of {', '.join(known)} (prefix '-' for descending, "
            "e.g. '-cloud')"
        )
    if direction not in ("asc", "desc"):
        raise QueryError(f"sort={value!r}: the direction must be 'asc' or 'desc'")
    return key, direction


def text(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise QueryError(f"{name}={value!r}: expected a non-empty string")
    if "\x00" in value:
        raise QueryError(f"{name}={value!r}: NUL characters are not allowed")
    return utf8(name, value)


def utf8(name: str, value: str) -> str:
    """``value`` if it can be sent (UTF-8); a lone surrogate is refused, never dropped."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        raise QueryError(
            f"{name}={value!r}: character {value[err.start]!r} at {err.start} is not text "
            "(a lone surrogate, e.g. from a mis-decoded file name); expected valid Unicode"
        ) from None
    return value


@functools.cache
def conversion_errors() -> tuple[type[BaseException], ...]:
    """What converting a caller's value may raise besides QueryError (shapely imported late)."""
    import shapely.errors

    return (
        TypeError,
        ValueError,
        OverflowError,
        RecursionError,
        UnicodeError,
        AttributeError,
        IndexError,
        KeyError,
        shapely.errors.ShapelyError,
    )


def shown(value: Any, limit: int = 120) -> str:
    try:
        text = repr(value)
    except Exception:  # a repr that fails (or recurses) is still a value
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def product_types(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = (
        (value,)
        if isinstance(value, str)
        else tuple(value)
        if isinstance(value, Iterable)
        else None
    )
    if not items or not all(isinstance(v, str) and v.strip() for v in items):
        raise QueryError(f"product_type={value!r}: expected a product type such as 'S2MSI2A'")
    return tuple(utf8("product_type", v.strip()) for v in items)
