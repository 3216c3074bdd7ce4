"""The query model: one description of what to find, whichever catalogue answers it.

:class:`Query` is frozen; its constructor accepts loose inputs (a bbox tuple, WKT, GeoJSON, dates as
strings, cloud as a maximum or a range, ...) and normalises them once, failing with a
:class:`~cdse_intake.errors.QueryError` that names the field, the bad value and what is expected
before any request is sent.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from . import query_values as values
from .area import bbox_geometry, normalise_area
from .collections import STAC_COLLECTIONS, resolve_collection
from .errors import QueryError
from .query_values import LOCAL_SORT_FIELDS, SORT_FIELDS, parse_time

__all__ = ["LOCAL_SORT_FIELDS", "SORT_FIELDS", "AttributeFilter", "Query", "parse_time"]

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
    tile: str | tuple[int, int] | None = None
    """Sentinel-2 MGRS tile (``31UFT``), or a Landsat WRS-2 path/row (``"198026"``,
    ``"198/026"``, ``(198, 26)``), which becomes the ``pathNumber``/``rowNumber`` conditions of
    ``attributes`` (the Landsat collections' own attributes; ``tile`` is then None)."""
    orbit: int | None = None
    relative_orbit: int | None = None
    orbit_direction: str | None = None
    platform: str | None = None
    """Sentinel platform (``S2A``, ``sentinel-1c``), or a Landsat one (``landsat-9``, ``L8``,
    ``LC09``), which selects its collection (``LANDSAT-9``; ``platform`` is then None)."""
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
    min_sea_percent: float | None = None
    """At least this percent of the footprint at sea (GSHHG mask, filtered here: lakes count
    as land; products without footprint are left out); needs the ``landsea`` extra."""
    min_land_percent: float | None = None
    """At least this percent of the footprint on land (as ``min_sea_percent``)."""
    bbox: InitVar[Any] = None
    """Shorthand for ``geometry`` as ``(west, south, east, north)``."""
    stac_collections: tuple[str, ...] = field(default=(), compare=False)
    """STAC collections holding the products (derived from ``collection``)."""

    def __post_init__(self, bbox: Any) -> None:
        try:
            self._normalise(bbox)
        except QueryError:
            raise
        except values.conversion_errors() as err:  # evaluated only when something was raised
            raise QueryError(_culprit(self, bbox, err)) from err

    def _normalise(self, bbox: Any) -> None:
        put = object.__setattr__
        if bbox is not None:
            if self.geometry is not None:
                raise QueryError("give either bbox= or geometry=, not both")
            put(self, "geometry", bbox_geometry(bbox))
        elif self.geometry is not None:
            put(self, "geometry", normalise_area(self.geometry))
        _landsat_platform(self)
        product_types = values.product_types(self.product_type)
        timeliness = self.timeliness
        if self.collection is not None:
            ref = resolve_collection(self.collection)
            # A copy (``replace``) of a query made with a STAC id keeps that id, not every STAC
            # collection of its OData collection (CLMS datasets share their product type).
            kept = tuple(i for i in ref.stac_ids if i in self.stac_collections)
            ref = dataclasses.replace(ref, stac_ids=kept) if kept else ref
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
        put(self, "timeliness", values.text("timeliness", timeliness))
        start = None if self.start is None else parse_time(self.start, "start")
        end = None if self.end is None else parse_time(self.end, "end", end_of_day=True)
        if start and end and start >= end:
            raise QueryError(
                f"start={self.start!r} is not before end={self.end!r}; expected start < end"
            )
        put(self, "start", start)
        put(self, "end", end)
        put(self, "cloud", values.cloud(self.cloud))
        tile = values.tile(self.tile)
        path_row = _check_grid(tile, self.tile, self.collection)
        put(self, "tile", None if path_row else tile)
        put(self, "orbit", values.positive_int("orbit", self.orbit))
        put(self, "relative_orbit", values.positive_int("relative_orbit", self.relative_orbit))
        put(self, "orbit_direction", values.direction(self.orbit_direction))
        put(self, "platform", values.platform(self.platform))
        for name in (
            "processing_level",
            "processing_baseline",
            "name_contains",
            "name_startswith",
            "name_endswith",
        ):
            put(self, name, values.text(name, getattr(self, name)))
        if self.online is not None and not isinstance(self.online, bool):
            raise QueryError(f"online={self.online!r}: expected True, False or None")
        put(self, "attributes", _attributes(self.attributes))
        if path_row:  # the path/row of an earlier tile= (a replace()) is superseded
            kept = [
                a
                for a in self.attributes
                if not (a.name in ("pathNumber", "rowNumber") and a.op == "eq")
            ]
            path, row = (AttributeFilter.make(n, v) for n, v in zip(_WRS2, path_row, strict=True))
            put(self, "attributes", (*kept, path, row))
        put(self, "sort", values.sort_key(self.sort))
        put(self, "limit", values.positive_int("limit", self.limit))
        sea = values.percent("min_sea_percent", self.min_sea_percent)
        land = values.percent("min_land_percent", self.min_land_percent)
        if sea is not None and land is not None and sea + land > 100:
            raise QueryError(
                f"min_sea_percent={sea} and min_land_percent={land} add up to more than 100: "
                "no footprint can match"
            )
        put(self, "min_sea_percent", sea)
        put(self, "min_land_percent", land)

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


#: The OData attributes of a Landsat scene's WRS-2 path and row (cdse-api.md §10).
_WRS2 = ("pathNumber", "rowNumber")


def _landsat_platform(query: Query) -> None:
    """A Landsat ``platform`` selects its collection (each Landsat collection is one platform;
    their records have no platformSerialIdentifier)."""
    landsat = values.landsat_platform(query.platform)
    if landsat is None:
        return
    if query.collection is not None and resolve_collection(query.collection).odata != landsat:
        raise QueryError(
            f"platform={query.platform!r} is {landsat}, not in collection {query.collection!r}; "
            f"give collection={landsat!r} (or leave collection= out)"
        )
    object.__setattr__(query, "collection", query.collection or landsat)
    object.__setattr__(query, "platform", None)


def _check_grid(tile: str | None, given: Any, collection: str | None) -> tuple[int, int] | None:
    """The WRS-2 ``(path, row)`` when ``tile`` is one; a tile of the other grid than the
    collection's (MGRS for Landsat, WRS-2 for Sentinel-2...) is an error."""
    if tile is None:
        return None
    landsat = (collection or "").startswith("LANDSAT-")
    if tile.isdigit():
        if collection is not None and not landsat:
            raise QueryError(
                f"tile={given!r} is a Landsat WRS-2 path/row, but {collection} products are not "
                "on that grid (Sentinel-2 tiles are MGRS, e.g. '31UFT'); give a Landsat "
                "collection (LANDSAT-8, LANDSAT-9...) or an MGRS tile"
            )
        return int(tile[:3]), int(tile[3:])
    if landsat:
        raise QueryError(
            f"tile={given!r} is a Sentinel-2 MGRS tile; {collection} scenes are on the WRS-2 "
            "grid: expected a path/row such as '198026', '198/026' or (198, 26)"
        )
    return None


def _culprit(query: Query, bbox: Any, err: BaseException) -> str:
    """A message naming the field whose value could not be converted (each given field is
    tried alone; the error path only)."""
    given = {
        f.name: query.__dict__.get(f.name)
        for f in dataclasses.fields(Query)
        if f.init and f.name != "stac_collections" and query.__dict__.get(f.name) != f.default
    }
    if bbox is not None:
        given["bbox"] = bbox
    reason = f"{type(err).__name__}: {str(err)[:200]}"
    if len(given) > 1:
        for name, value in given.items():
            try:
                Query(**{name: value})
            except QueryError as single:
                if single.__cause__ is not None and not isinstance(single.__cause__, QueryError):
                    return str(single)
            except Exception:  # the culprit, whatever it raises
                return f"{name}={values.shown(value)}: not a valid value ({reason})"
    name, value = next(iter(given.items())) if len(given) == 1 else ("query", given)
    return f"{name}={values.shown(value)}: not a valid value ({reason})"


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
