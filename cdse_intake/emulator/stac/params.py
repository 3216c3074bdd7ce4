"""Item-search parameters from a GET query string or a POST body, validated once.

Both forms end in one :class:`SearchRequest`; a bad value is a 400 naming the value and what is
expected (§4: limit, bbox, datetime, filter, sortby, fields, query extensions).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from ..catalogue import to_us
from .cql import FilterError, compile_filter, query_to_cql2
from .errors import bad_request

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Fields", "SearchRequest", "from_get", "from_post"]

#: §4 [FORUM-LIMIT]: 10 items per page by default, at most 1000.
DEFAULT_LIMIT = 10
MAX_LIMIT = 1000

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)


@dataclass(frozen=True)
class Fields:
    """The fields extension: dotted paths to keep and to drop."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchRequest:
    """A validated item search. Times are microseconds since the epoch."""

    collections: tuple[str, ...] | None = None
    ids: tuple[str, ...] | None = None
    bbox: tuple[float, float, float, float] | None = None
    intersects: dict[str, Any] | None = None
    interval: tuple[int | None, int | None] | None = None
    filter: dict[str, Any] | None = None
    """cql2-json, with the query extension's conditions and-ed in."""
    sortby: tuple[tuple[str, bool], ...] = ()
    """(field, descending) pairs."""
    fields: Fields | None = None
    limit: int = DEFAULT_LIMIT
    token: str | None = None
    body: dict[str, Any] = field(default_factory=dict, compare=False)
    """The POST body as sent (next links repeat it)."""

    def key(self) -> bytes:
        """Identity of the matching set (not of the page): what the result cache is keyed by."""
        return orjson.dumps(
            [
                self.collections,
                self.ids,
                self.bbox,
                self.intersects,
                self.interval,
                self.filter,
                self.sortby,
            ],
            option=orjson.OPT_SORT_KEYS,
        )


# -- entry points ----------------------------------------------------------------------------


def from_get(query: Mapping[str, str], collection: str | None = None) -> SearchRequest:
    """From ``/search`` or ``/collections/{id}/items`` query parameters."""
    lang = query.get("filter-lang", "cql2-text")
    filter_value: Any = query.get("filter")
    if filter_value is not None and lang == "cql2-json":
        filter_value = _json_param("filter", filter_value)
    query_value = query.get("query")
    intersects = query.get("intersects")
    return _build(
        collections=_csv(query.get("collections")) if collection is None else (collection,),
        ids=_csv(query.get("ids")),
        bbox=_bbox(_numbers(query["bbox"])) if "bbox" in query else None,
        intersects=_geometry(_json_param("intersects", intersects)) if intersects else None,
        interval=_interval(query["datetime"]) if "datetime" in query else None,
        filter_value=filter_value,
        filter_lang=lang,
        filter_crs=query.get("filter-crs"),
        query_ext=_json_param("query", query_value) if query_value else None,
        sortby=_sortby_text(query["sortby"]) if query.get("sortby") else (),
        fields=_fields_text(query["fields"]) if "fields" in query else None,
        limit=_limit(query.get("limit")),
        token=query.get("token") or None,
        body={},
    )


def from_post(body: Any) -> SearchRequest:
    """From a ``POST /search`` JSON body."""
    if not isinstance(body, dict):
        raise bad_request(f"the search body must be a JSON object, got {type(body).__name__}")
    bbox = body.get("bbox")
    intersects = body.get("intersects")
    return _build(
        collections=_str_list("collections", body.get("collections")),
        ids=_str_list("ids", body.get("ids")),
        bbox=_bbox(_number_list(bbox)) if bbox is not None else None,
        intersects=_geometry(intersects) if intersects is not None else None,
        interval=_interval(body["datetime"]) if body.get("datetime") is not None else None,
        filter_value=body.get("filter"),
        filter_lang=body.get("filter-lang", "cql2-json"),
        filter_crs=body.get("filter-crs"),
        query_ext=body.get("query"),
        sortby=_sortby_list(body["sortby"]) if body.get("sortby") else (),
        fields=_fields_object(body["fields"]) if body.get("fields") is not None else None,
        limit=_limit(body.get("limit")),
        token=_token(body.get("token")),
        body=body,
    )


def _build(
    *,
    collections: tuple[str, ...] | None,
    ids: tuple[str, ...] | None,
    bbox: tuple[float, float, float, float] | None,
    intersects: dict[str, Any] | None,
    interval: tuple[int | None, int | None] | None,
    filter_value: Any,
    filter_lang: str,
    filter_crs: str | None,
    query_ext: Any,
    sortby: tuple[tuple[str, bool], ...],
    fields: Fields | None,
    limit: int,
    token: str | None,
    body: dict[str, Any],
) -> SearchRequest:
    if bbox is not None and intersects is not None:
        raise bad_request("use either bbox or intersects, not both")
    if filter_crs not in (None, "http://www.opengis.net/def/crs/OGC/1.3/CRS84"):
        raise bad_request(
            f"filter-crs {filter_crs!r} is not supported; only "
            "http://www.opengis.net/def/crs/OGC/1.3/CRS84 is"
        )
    clauses: list[dict[str, Any]] = []
    try:
        if filter_value is not None and filter_value != "":
            clauses.append(compile_filter(filter_value, filter_lang))
        if query_ext is not None:
            clauses.extend(query_to_cql2(query_ext))
    except FilterError as err:
        raise bad_request(str(err), code="InvalidQueryParameter") from err
    if not clauses:
        cql: dict[str, Any] | None = None
    elif len(clauses) == 1:
        cql = clauses[0]
    else:
        cql = {"op": "and", "args": clauses}
    return SearchRequest(
        collections=collections,
        ids=ids,
        bbox=bbox,
        intersects=intersects,
        interval=interval,
        filter=cql,
        sortby=sortby,
        fields=fields,
        limit=limit,
        token=token,
        body=body,
    )


# -- single parameters -----------------------------------------------------------------------


def _csv(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = tuple(v.strip() for v in value.split(",") if v.strip())
    return items or None


def _str_list(name: str, value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):  # tolerated, as stac-fastapi's GET form
        return _csv(value)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request(f"{name} must be a list of strings, got {value!r}")
    return tuple(value)


def _json_param(name: str, text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as err:
        raise bad_request(f"{name} is not valid JSON: {text!r} ({err})") from err


def _numbers(text: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",")]
    except ValueError as err:
        raise bad_request(
            f"bbox must be 4 or 6 comma-separated numbers (west,south,east,north), got {text!r}"
        ) from err


def _number_list(value: Any) -> list[float]:
    if not isinstance(value, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        raise bad_request(f"bbox must be a list of 4 or 6 numbers, got {value!r}")
    return [float(v) for v in value]


def _bbox(values: list[float]) -> tuple[float, float, float, float]:
    """``[w, s, e, n]`` or ``[w, s, zmin, e, n, zmax]``; ``w > e`` crosses the antimeridian."""
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    elif len(values) != 4:
        raise bad_request(f"bbox must have 4 or 6 numbers, got {len(values)}: {values}")
    west, south, east, north = values
    for name, lon in (("west", west), ("east", east)):
        if not -180.0 <= lon <= 180.0:
            raise bad_request(f"bbox {name} longitude {lon} is outside [-180, 180]")
    for name, lat in (("south", south), ("north", north)):
        if not -90.0 <= lat <= 90.0:
            raise bad_request(f"bbox {name} latitude {lat} is outside [-90, 90]")
    if south > north:
        raise bad_request(f"bbox south ({south}) is greater than north ({north})")
    return west, south, east, north


def _geometry(value: Any) -> dict[str, Any]:
    import shapely.geometry

    if not isinstance(value, dict) or "type" not in value:
        raise bad_request(f"intersects must be a GeoJSON geometry object, got {value!r}")
    try:
        geom = shapely.geometry.shape(value)
    except Exception as err:  # shapely raises several kinds for malformed GeoJSON
        raise bad_request(f"intersects is not a valid GeoJSON geometry: {err}") from err
    if geom.is_empty:
        raise bad_request("intersects is an empty geometry")
    return value


def parse_instant(text: str) -> int:
    """An RFC 3339 date-time (``Z`` or an offset; fractional seconds optional) -> µs."""
    match = _RFC3339.match(text.strip())
    if not match:
        raise bad_request(
            f"invalid datetime {text!r}: expected RFC 3339 such as 2024-01-31T10:00:00Z, "
            "or an interval start/end with '..' for an open end"
        )
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or ".0")[1:7].ljust(6, "0"))
    try:
        value = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro
        )
    except ValueError as err:
        raise bad_request(f"invalid datetime {text!r}: {err}") from err
    offset = 0
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        offset = sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return to_us(value.replace(tzinfo=UTC)) - offset * 1_000_000


def _interval(value: Any) -> tuple[int | None, int | None]:
    """A single instant, or ``start/end`` with ``..`` (or nothing) for an open end."""
    if not isinstance(value, str):
        raise bad_request(f"datetime must be a string, got {value!r}")
    if "/" not in value:
        instant = parse_instant(value)
        return instant, instant
    parts = value.split("/")
    if len(parts) != 2:
        raise bad_request(f"invalid datetime interval {value!r}: expected start/end")
    start_text, end_text = (p.strip() for p in parts)
    start = None if start_text in ("", "..") else parse_instant(start_text)
    end = None if end_text in ("", "..") else parse_instant(end_text)
    if start is None and end is None:
        raise bad_request(f"invalid datetime interval {value!r}: both ends are open")
    if start is not None and end is not None and start > end:
        raise bad_request(f"invalid datetime interval {value!r}: start is after end")
    return start, end


def _limit(value: Any) -> int:
    if value is None or value == "":
        return DEFAULT_LIMIT
    if isinstance(value, bool):
        raise bad_request(f"limit must be an integer, got {value!r}")
    try:
        limit = int(value)
    except (TypeError, ValueError) as err:
        raise bad_request(f"limit must be an integer, got {value!r}") from err
    if isinstance(value, float) and value != limit:
        raise bad_request(f"limit must be an integer, got {value!r}")
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    return limit


def _token(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise bad_request(f"token must be a string, got {value!r}")
    return value


def _sort_field(name: str) -> str:
    name = name.strip()
    if not name:
        raise bad_request("sortby has an empty field name")
    return name.removeprefix("properties.")


def _sortby_text(text: str) -> tuple[tuple[str, bool], ...]:
    """``+a,-b,c``; a ``+`` decoded from the URL as a space means ascending too."""
    out = []
    for part in text.split(","):
        raw = part.strip() if part.startswith(" ") else part
        if raw.startswith("-"):
            out.append((_sort_field(raw[1:]), True))
        else:
            out.append((_sort_field(raw.removeprefix("+")), False))
    return tuple(out)


def _sortby_list(value: Any) -> tuple[tuple[str, bool], ...]:
    if not isinstance(value, list):
        raise bad_request(f"sortby must be a list of {{field, direction}} objects, got {value!r}")
    out = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("field"), str):
            raise bad_request(f"sortby entries need a 'field' string, got {item!r}")
        direction = str(item.get("direction", "asc")).lower()
        if direction not in ("asc", "desc", "ascending", "descending"):
            raise bad_request(
                f"sortby direction must be 'asc' or 'desc', got {item.get('direction')!r}"
            )
        out.append((_sort_field(item["field"]), direction.startswith("desc")))
    return tuple(out)


def _fields_text(text: str) -> Fields:
    include, exclude = [], []
    for part in text.split(","):
        name = part.strip()
        if not name:
            continue
        if name.startswith("-"):
            exclude.append(name[1:])
        else:
            include.append(name.removeprefix("+"))
    return Fields(tuple(include), tuple(exclude))


def _fields_object(value: Any) -> Fields:
    if not isinstance(value, dict):
        raise bad_request(f"fields must be an object with include/exclude lists, got {value!r}")
    lists = []
    for key in ("include", "exclude"):
        paths = value.get(key) or []
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise bad_request(f"fields.{key} must be a list of strings, got {paths!r}")
        lists.append(tuple(paths))
    return Fields(*lists)
