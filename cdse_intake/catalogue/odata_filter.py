"""Build the OData ``$filter`` and ``$orderby`` of a :class:`~cdse_intake.query.Query`.

Literals are escaped by construction (strings double their single quotes, numbers and datetimes
are formatted, never interpolated raw), so a product name with a quote can neither break nor
inject into the filter. The grammar is CDSE's (cdse-api.md §1.5).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from ..errors import QueryError
from ..query import SORT_FIELDS, AttributeFilter, Query

__all__ = ["attribute_clause", "build_filter", "build_orderby", "literal"]


def literal(value: Any) -> str:
    """An OData literal: quoted string, bare number, ``true``/``false``, ISO datetime with Z."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise QueryError(f"{value!r} cannot be sent to the catalogue: not a finite number")
        text = f"{value:.10f}".rstrip("0")
        return text + "0" if text.endswith(".") else text
    if isinstance(value, datetime):
        v = value.astimezone(UTC)  # the year padded to 4 digits (strftime writes year 1 as "1")
        return f"{v.year:04d}-" + v.strftime("%m-%dT%H:%M:%S.") + f"{v.microsecond:06d}Z"
    if isinstance(value, str):
        if "\x00" in value:
            raise QueryError(f"{value!r} cannot be sent to the catalogue: it contains NUL")
        return "'" + value.replace("'", "''") + "'"
    raise QueryError(f"{value!r} ({type(value).__name__}) has no OData literal form")


def attribute_clause(name: str, op: str, value: Any, value_type: str) -> str:
    """``Attributes/OData.CSC.<T>Attribute/any(att:att/Name eq '<name>' and ... <op> <v>)``."""
    cast = f"OData.CSC.{value_type}Attribute"
    return (
        f"Attributes/{cast}/any(att:att/Name eq {literal(name)} and "
        f"att/{cast}/Value {op} {literal(value)})"
    )


def _any_of(clauses: list[str]) -> str:
    return clauses[0] if len(clauses) == 1 else "(" + " or ".join(clauses) + ")"


def _wkt(geometry: Any) -> str:
    import shapely

    # 6 decimals (~0.1 m) is what CDSE itself returns since 2024-09 and keeps URLs short.
    return shapely.to_wkt(geometry, rounding_precision=6, trim=True)


def build_filter(query: Query) -> str:
    """The ``$filter`` expression for ``query`` (an empty string when nothing constrains it)."""
    parts: list[str] = []
    if query.collection:
        parts.append(f"Collection/Name eq {literal(query.collection)}")
    if query.product_types:
        parts.append(
            _any_of(
                [attribute_clause("productType", "eq", t, "String") for t in query.product_types]
            )
        )
    if query.geometry is not None:
        parts.append(f"OData.CSC.Intersects(area=geography'SRID=4326;{_wkt(query.geometry)}')")
    if query.start is not None:
        parts.append(f"ContentDate/Start ge {literal(query.start)}")
    if query.end is not None:
        parts.append(f"ContentDate/Start lt {literal(query.end)}")
    if query.cloud is not None:
        low, high = query.cloud
        if low > 0:
            parts.append(attribute_clause("cloudCover", "ge", float(low), "Double"))
        parts.append(attribute_clause("cloudCover", "le", float(high), "Double"))
    simple: list[tuple[str, Any, str]] = [
        ("tileId", query.tile, "String"),
        ("orbitNumber", query.orbit, "Integer"),
        ("relativeOrbitNumber", query.relative_orbit, "Integer"),
        ("orbitDirection", query.orbit_direction, "String"),
        ("platformSerialIdentifier", query.platform, "String"),
        ("processingLevel", query.processing_level, "String"),
        ("processingBaseline", query.processing_baseline, "String"),
        # Sentinel-5P calls its timeliness processingMode (NRTI/OFFL/RPRO).
        (
            "processingMode" if query.collection == "SENTINEL-5P" else "timeliness",
            query.timeliness,
            "String",
        ),
    ]
    for name, value, vtype in simple:
        if value is not None:
            parts.append(attribute_clause(name, "eq", value, vtype))
    for func, value in (
        ("contains", query.name_contains),
        ("startswith", query.name_startswith),
        ("endswith", query.name_endswith),
    ):
        if value is not None:
            parts.append(f"{func}(Name,{literal(value)})")
    if query.online is not None:
        parts.append(f"Online eq {literal(query.online)}")
    for att in query.attributes:
        parts.append(_attribute(att))
    return " and ".join(parts)


def _attribute(att: AttributeFilter) -> str:
    return attribute_clause(att.name, att.op, att.value, att.value_type)


def build_orderby(query: Query) -> str:
    """``$orderby``: the query's sort field and direction (CDSE adds Id as tie-breaker)."""
    key, direction = query.sort
    return f"{SORT_FIELDS[key][0]} {direction}"
