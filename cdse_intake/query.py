"""The query model: one description of what to find, whichever catalogue answers it.

:class:`Query` is frozen; its constructor accepts loose inputs (a bbox tuple, WKT, GeoJSON, dates as
strings, cloud as a maximum or a range, ...) and normalises them once, failing with a
:class:`~cdse_intake.errors.QueryError` that names the field, the bad value and what is expected
before any request is sent.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import InitVar, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from .area import bbox_geometry, normalise_area
from .collections import STAC_COLLECTIONS, resolve_collection
from .errors import QueryError

__all__ = ["AttributeFilter", "Query", "parse_time"]

Op = Literal["eq", "ne", "lt", "le", "gt", "ge"]
ValueType = Literal["String", "Integer", "Double", "DateTimeOffset", "Boolean"]

_OPS: dict[str, Op] = {
    "eq": "eq", "==": "eq", "=": "eq",
    "ne": "ne", "!=": "ne",
    "lt": "lt", "<": "lt",
    "le": "le", "<=": "le",
    "gt": "gt", ">": "gt",
    "ge": "ge", ">=": "ge",
}  # fmt: skip

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


@dataclass(frozen=True)
class AttributeFilter:
    """A condition on one catalogue attribute: ``cloudCover le 20``, ``tileId eq '31UFT'``."""

    name: str
    op: Op
    value: str | int | float | bool | datetime
    value_type: ValueType

    @classmethod
    def make(cls, name: str, spec: Any) -> AttributeFilter:
        """From ``value`` (equality) or ``(op, value)`` with op ``eq ne lt le gt ge`` or symbols."""
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z][\w:.-]*", name):
            raise QueryError(f"attributes: {name!r} is not an attribute name (e.g. 'cloudCover')")
        op: str = "eq"
        value = spec
        if isinstance(spec, tuple):
            if len(spec) != 2 or not isinstance(spec[0], str) or spec[0].lower() not in _OPS:
                raise QueryError(
                    f"attributes[{name!r}]={spec!r}: expected a value or (op, value) with op in "
                    "eq, ne, lt, le, gt, ge (or ==, !=, <, <=, >, >=)"
                )
            op, value = spec[0].lower(), spec[1]
        if isinstance(value, bool):
            vtype: ValueType = "Boolean"
        elif isinstance(value, int):
            vtype = "Integer"
        elif isinstance(value, float):
            vtype = "Double"
        elif isinstance(value, (datetime, date)):
            vtype, value = "DateTimeOffset", parse_time(value, f"attributes[{name!r}]")
        elif isinstance(value, str):
            vtype = "String"
        else:
            raise QueryError(
                f"attributes[{name!r}]={value!r}: expected a str, int, float, bool or datetime"
            )
        if vtype in ("String", "Boolean") and _OPS[op] not in ("eq", "ne"):
            raise QueryError(f"attributes[{name!r}]: {vtype} values only support eq and ne")
        return cls(name, _OPS[op], value, vtype)


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


def _cloud(value: Any) -> tuple[float, float] | None:
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


def _positive_int(name: str, value: Any) -> int | None:
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


def _tile(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip().upper().removeprefix("T")
    if not re.fullmatch(r"\d{2}[C-HJ-NP-X][A-HJ-NP-Z][A-HJ-NP-V]", text):
        raise QueryError(
            f"tile={value!r} is not a Sentinel-2 MGRS tile; expected e.g. '31UFT' or 'T31UFT'"
        )
    return text


def _platform(value: Any) -> str | None:
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


def _direction(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip().upper()
    for full in ("ASCENDING", "DESCENDING"):
        if text in (full, full[:3], full[:4]):
            return full
    raise QueryError(f"orbit_direction={value!r}: expected 'ascending' or 'descending'")


def _sort(value: Any) -> tuple[str, str]:
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


def _text(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise QueryError(f"{name}={value!r}: expected a non-empty string")
    if "\x00" in value:
        raise QueryError(f"{name}={value!r}: NUL characters are not allowed")
    return value


@dataclass(frozen=True)
class Query:
    """What to search for. Every field is optional; unset fields do not constrain the search."""

    collection: str | None = None
    """OData collection (``SENTINEL-2``); a STAC id (``sentinel-2-l2a``) is mapped to it."""
    product_type: str | tuple[str, ...] | None = None
    """``productType`` (``S2MSI2A``, ``IW_GRDH_1S``, ...), or several (any of them)."""
    geometry: Any = None
    """Area of interest: any form :func:`cdse_intake.area.normalise_area` takes."""
    start: Any = None
    """Sensing start at or after this time (UTC when naive)."""
    end: Any = None
    """Sensing start before this time; a bare date includes that whole day."""
    cloud: Any = None
    """Cloud cover: a maximum percent or a ``(min, max)`` range."""
    tile: str | None = None
    orbit: int | None = None
    relative_orbit: int | None = None
    orbit_direction: str | None = None
    platform: str | None = None
    processing_level: str | None = None
    processing_baseline: str | None = None
    timeliness: str | None = None
    name_contains: str | None = None
    name_startswith: str | None = None
    name_endswith: str | None = None
    online: bool | None = None
    attributes: Any = ()
    """Further conditions: ``{"cloudCover": ("le", 20), "tileId": "31UFT"}`` or filters."""
    sort: Any = "start"
    """``start`` / ``end`` / ``published`` / ``modified``, ``-`` prefix for descending."""
    limit: int | None = None
    """At most this many products (None: all of them)."""
    bbox: InitVar[Any] = None
    """Shorthand for ``geometry`` as ``(west, south, east, north)``."""
    stac_collections: tuple[str, ...] = field(default=(), compare=False)
    """STAC collections holding the products (derived from ``collection``)."""

    def __post_init__(self, bbox: Any) -> None:
        put = object.__setattr__
        if bbox is not None:
            if self.geometry is not None:
                raise QueryError("give either bbox= or geometry=, not both")
            put(self, "geometry", bbox_geometry(bbox))
        elif self.geometry is not None:
            put(self, "geometry", normalise_area(self.geometry))
        product_types = _product_types(self.product_type)
        timeliness = self.timeliness
        if self.collection is not None:
            ref = resolve_collection(self.collection)
            put(self, "collection", ref.odata)
            put(self, "stac_collections", ref.stac_ids)
            if ref.product_types:
                if product_types and not set(product_types) <= set(ref.product_types):
                    raise QueryError(
                        f"product_type={self.product_type!r} is not in collection "
                        f"{self.collection!r}, which holds {', '.join(ref.product_types)}"
                    )
                product_types = product_types or ref.product_types
            timeliness = timeliness or ref.timeliness
            put(self, "stac_collections", _stac_ids(ref.stac_ids, product_types, timeliness))
        elif product_types:
            put(self, "collection", _collection_of(product_types))
        put(
            self,
            "product_type",
            None
            if not product_types
            else product_types[0]
            if len(product_types) == 1
            else product_types,
        )
        put(self, "timeliness", _text("timeliness", timeliness))
        start = None if self.start is None else parse_time(self.start, "start")
        end = None if self.end is None else parse_time(self.end, "end", end_of_day=True)
        if start and end and start >= end:
            raise QueryError(
                f"start={self.start!r} is not before end={self.end!r}; expected start < end"
            )
        put(self, "start", start)
        put(self, "end", end)
        put(self, "cloud", _cloud(self.cloud))
        put(self, "tile", _tile(self.tile))
        put(self, "orbit", _positive_int("orbit", self.orbit))
        put(self, "relative_orbit", _positive_int("relative_orbit", self.relative_orbit))
        put(self, "orbit_direction", _direction(self.orbit_direction))
        put(self, "platform", _platform(self.platform))
        for name in (
            "processing_level",
            "processing_baseline",
            "name_contains",
            "name_startswith",
            "name_endswith",
        ):
            put(self, name, _text(name, getattr(self, name)))
        if self.online is not None and not isinstance(self.online, bool):
            raise QueryError(f"online={self.online!r}: expected True, False or None")
        put(self, "attributes", _attributes(self.attributes))
        put(self, "sort", _sort(self.sort))
        put(self, "limit", _positive_int("limit", self.limit))

    def replace(self, **changes: Any) -> Query:
        """A copy with some fields changed (validated like a new query)."""
        return dataclasses.replace(self, **changes)

    @property
    def product_types(self) -> tuple[str, ...]:
        """The product types as a tuple (empty when unconstrained)."""
        pt = self.product_type
        return () if pt is None else (pt,) if isinstance(pt, str) else tuple(pt)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-friendly values of the set fields (manifest headers, the query cache)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value in (None, ()) or f.name == "stac_collections":
                continue
            if f.name == "geometry":
                value = value.wkt
            elif isinstance(value, datetime):
                value = value.isoformat().replace("+00:00", "Z")
            elif f.name == "attributes":
                value = [
                    [
                        a.name,
                        a.op,
                        a.value.isoformat() if isinstance(a.value, datetime) else a.value,
                        a.value_type,
                    ]
                    for a in value
                ]
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


def _stac_ids(
    ids: tuple[str, ...], product_types: tuple[str, ...], timeliness: str | None
) -> tuple[str, ...]:
    """The STAC collections that can hold these product types with this timeliness."""
    out = []
    for stac_id in ids:
        info = STAC_COLLECTIONS[stac_id]
        if product_types and not set(info.product_types) & set(product_types):
            continue
        if timeliness and info.timeliness and info.timeliness != timeliness:
            continue
        out.append(stac_id)
    return tuple(out)


def _product_types(value: Any) -> tuple[str, ...]:
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
    return tuple(v.strip() for v in items)


#: Product-type patterns -> OData collection, to infer the collection from a product type.
_TYPE_PREFIXES = (
    ("S2MSI", "SENTINEL-2"),
    ("OL_", "SENTINEL-3"), ("SL_", "SENTINEL-3"), ("SY_", "SENTINEL-3"), ("SR_", "SENTINEL-3"),
    ("L1B_", "SENTINEL-5P"), ("L2__", "SENTINEL-5P"),
    ("IW_", "SENTINEL-1"), ("EW_", "SENTINEL-1"), ("SM_", "SENTINEL-1"), ("WV_", "SENTINEL-1"),
    ("S1_", "SENTINEL-1"), ("AUX_", "SENTINEL-1"),
)  # fmt: skip


def _collection_of(product_types: tuple[str, ...]) -> str | None:
    found = {c for pt in product_types for prefix, c in _TYPE_PREFIXES if pt.startswith(prefix)}
    return found.pop() if len(found) == 1 else None


def _attributes(value: Any) -> tuple[AttributeFilter, ...]:
    if not value:
        return ()
    if isinstance(value, Mapping):
        return tuple(AttributeFilter.make(name, spec) for name, spec in value.items())
    items = tuple(value)
    if all(isinstance(a, AttributeFilter) for a in items):
        return items
    raise QueryError(
        f"attributes={value!r}: expected a mapping such as {{'cloudCover': ('le', 20)}}"
    )
