"""The filter and query extensions: CQL2 parsing (``cql2`` package) and per-item evaluation.

Filters arrive as cql2-text (GET) or cql2-json (POST) [§4 DOC-STAC-NEW]; both become cql2-json
here. The query extension (``{"eo:cloud_cover": {"lt": 20}}``) is translated to cql2-json too, so
one evaluator serves both. pgstac also takes the spelled-out comparison names (``"op": "lt"``) in
cql2-json, and the live CDSE accepted them [verified NB-MIG]; they are mapped to the symbols.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import cql2

__all__ = [
    "CompiledFilter",
    "FilterError",
    "compile_filter",
    "query_to_cql2",
]

_ALIASES = {
    "eq": "=",
    "neq": "<>",
    "ne": "<>",
    "lt": "<",
    "lte": "<=",
    "le": "<=",
    "gt": ">",
    "gte": ">=",
    "ge": ">=",
}
#: Operators and functions the evaluator knows (cql2-json names, compared in lower case).
_KNOWN = {
    op.lower()
    for group in (
        "and or not = <> < <= > >= like between in isNull casei accenti",
        "s_intersects s_equals s_disjoint s_touches s_within s_overlaps s_crosses s_contains",
        "t_after t_before t_contains t_disjoint t_during t_equals t_finishedBy t_finishes",
        "t_intersects t_meets t_metBy t_overlappedBy t_overlaps t_startedBy t_starts",
        "a_equals a_contains a_containedBy a_overlaps + - * / % ^ div",
    )
    for op in group.split()
}
#: Properties found at the top of an item rather than in ``properties``.
TOP_LEVEL = ("id", "collection", "geometry")


class FilterError(ValueError):
    """A filter or query that cannot be parsed or uses an unknown operator."""


def compile_filter(value: Any, lang: str) -> dict[str, Any]:
    """cql2-json of a ``filter`` given as cql2-text or cql2-json (``filter-lang``)."""
    if lang not in ("cql2-text", "cql2-json"):
        raise FilterError(f"filter-lang must be cql2-text or cql2-json, got {lang!r}")
    try:
        if isinstance(value, str) and lang == "cql2-text":
            expr = cql2.parse_text(value)
        elif isinstance(value, dict | bool):
            expr = cql2.Expr(_normalise(value))
        elif isinstance(value, str):
            raise FilterError(
                f"filter-lang is cql2-json but the filter is text: {value!r}; "
                "send a JSON object or set filter-lang=cql2-text"
            )
        else:
            raise FilterError(f"filter must be cql2-text or a cql2-json object, got {value!r}")
        expr.validate()
    except FilterError:
        raise
    except Exception as err:  # cql2 raises ParseError, ValidationError or a bare Exception
        first = str(err).strip().splitlines()
        raise FilterError(f"invalid {lang} filter {value!r}: {' '.join(first)[:300]}") from err
    json = expr.to_json()
    unknown = sorted({op for op in _ops(json) if op.lower() not in _KNOWN})
    if unknown:
        raise FilterError(f"unknown CQL2 operator or function(s) {unknown} in filter {value!r}")
    return json


def _normalise(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _normalise(v) for k, v in node.items()}
        op = out.get("op")
        if isinstance(op, str) and op.lower() in _ALIASES:
            out["op"] = _ALIASES[op.lower()]
        return out
    if isinstance(node, list):
        return [_normalise(v) for v in node]
    return node


def _ops(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("op"), str):
            yield node["op"]
        for value in node.values():
            yield from _ops(value)
    elif isinstance(node, list):
        for value in node:
            yield from _ops(value)


def query_to_cql2(query: Any) -> list[dict[str, Any]]:
    """The query extension's ``{"prop": {"op": value}}`` as cql2-json conditions."""
    if not isinstance(query, dict):
        raise FilterError(f"query must be an object of {{property: {{op: value}}}}, got {query!r}")
    out: list[dict[str, Any]] = []
    for name, conditions in query.items():
        if not isinstance(conditions, dict) or not conditions:
            raise FilterError(
                f"query.{name} must be an object like {{'lt': 20}}, got {conditions!r}"
            )
        prop = {"property": name}
        for op, value in conditions.items():
            if op in _ALIASES:
                out.append({"op": _ALIASES[op], "args": [prop, value]})
            elif op == "in":
                if not isinstance(value, list):
                    raise FilterError(f"query.{name}.in needs a list, got {value!r}")
                out.append({"op": "in", "args": [prop, value]})
            elif op in ("startsWith", "endsWith", "contains"):
                if not isinstance(value, str):
                    raise FilterError(f"query.{name}.{op} needs a string, got {value!r}")
                text = value.replace("%", r"\%").replace("_", r"\_")
                pattern = {"startsWith": f"{text}%", "endsWith": f"%{text}"}.get(op, f"%{text}%")
                out.append({"op": "like", "args": [prop, pattern]})
            else:
                raise FilterError(
                    f"unknown query operator {op!r} for {name}; expected one of "
                    "eq, neq, lt, lte, gt, gte, in, startsWith, endsWith, contains"
                )
    return out


class CompiledFilter:
    """A cql2-json filter ready to test items that carry only the properties it reads."""

    def __init__(self, json: Any) -> None:
        self.json = _strip_prefix(json)
        self.expr = cql2.Expr(self.json)
        props = set(_properties(self.json))
        self.needs_geometry = "geometry" in props
        self.properties = sorted(props - set(TOP_LEVEL))

    def matches(self, item: dict[str, Any]) -> bool:
        """Whether the item matches; an item lacking a compared property does not (as SQL's
        NULL comparison), which cql2 reports as an error."""
        try:
            return bool(self.expr.matches(item))
        except Exception:  # cql2: "Could not reduce expression to boolean"
            return False


def _strip_prefix(node: Any) -> Any:
    """``properties.eo:cloud_cover`` -> ``eo:cloud_cover`` (both spellings are accepted)."""
    if isinstance(node, dict):
        if set(node) == {"property"} and isinstance(node["property"], str):
            return {"property": node["property"].removeprefix("properties.")}
        return {k: _strip_prefix(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_strip_prefix(v) for v in node]
    return node


def _properties(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if set(node) == {"property"} and isinstance(node["property"], str):
            yield node["property"]
            return
        for value in node.values():
            yield from _properties(value)
    elif isinstance(node, list):
        for value in node:
            yield from _properties(value)
