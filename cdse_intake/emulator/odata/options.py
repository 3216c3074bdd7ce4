"""The query options of ``/Products`` (cdse-api.md §1.4) and the ``@odata.nextLink`` (§1.3).

Range and type errors are pydantic 422s, checked first (FastAPI validates parameters before the
app runs); the app's own checks (``$expand``, ``$select``, ``$orderby``, unknown options) are 400s
with CDSE's exact messages where they were recorded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from .errors import ODataError, ValidationFailure

__all__ = [
    "EXPANDABLE",
    "ORDERABLE",
    "SELECTABLE",
    "QueryOptions",
    "next_link",
    "parse_options",
]

TOP_DEFAULT, TOP_MAX, SKIP_MAX = 20, 1000, 10_000
EXPANDABLE = ("Attributes", "Assets", "Locations")
ORDERABLE = ("ContentDate/Start", "ContentDate/End", "PublicationDate", "ModificationDate")
SELECTABLE = (
    "Id",
    "Name",
    "ContentType",
    "ContentLength",
    "OriginDate",
    "PublicationDate",
    "ModificationDate",
    "Online",
    "EvictionDate",
    "S3Path",
    "Checksum",
    "ContentDate",
    "Footprint",
    "GeoFootprint",
)
SYSTEM_OPTIONS = ("$filter", "$top", "$skip", "$orderby", "$count", "$expand", "$select")

EXPAND_ERROR = "Expand parameter only accepts following values: Assets, Attributes, Locations."
ORDERBY_FIELD_ERROR = (
    "Invalid value: Invalid field name in the order by clause. "
    "Please use only 'asc' or 'desc' for sorting."
)

_INT = re.compile(r"\s*[+-]?\d+(?:_\d+)*(?:\.0*)?\s*")
_TRUE = {"1", "on", "t", "true", "y", "yes"}
_FALSE = {"0", "off", "f", "false", "n", "no"}


@dataclass(frozen=True)
class QueryOptions:
    filter: str | None = None
    top: int = TOP_DEFAULT
    skip: int = 0
    orderby: tuple[tuple[str, bool], ...] = ()
    """``(field, descending)`` pairs."""
    count: bool = False
    expand: tuple[str, ...] = ()
    """In request order (it is the order of ``@odata.context``)."""
    select: frozenset[str] | None = None
    """Selected fields (``Id`` always included); None: every field."""

    @property
    def context(self) -> str:
        """``@odata.context`` of a collection answer (§1.3: comma-joined since 2024-09-24)."""
        if not self.expand:
            return "$metadata#Products"
        return "$metadata#Products(" + ",".join(f"{e}()" for e in self.expand) + ")"


def parse_options(
    query: Any, allowed: Iterable[str] = SYSTEM_OPTIONS, paging: bool = True
) -> QueryOptions:
    """Options from a request's query (a multidict, values decoded); raises on bad input.

    ``allowed``: the system options this endpoint takes (others are 400); ``paging`` says whether
    ``$top``/``$skip``/``$count`` apply.
    """
    items: list[dict[str, Any]] = []
    top, skip, count = TOP_DEFAULT, 0, False
    if paging:
        if "$top" in query:
            top = _integer(query.getall("$top")[-1], "$top", TOP_MAX, items)
        if "$skip" in query:
            skip = _integer(query.getall("$skip")[-1], "$skip", SKIP_MAX, items)
        if "$count" in query:
            count = _boolean(query.getall("$count")[-1], "$count", items)
    if items:
        raise ValidationFailure(items)
    allowed = tuple(allowed)
    for key in query:
        if key.startswith("$") and key not in allowed:
            raise ODataError(
                f"Invalid query parameter: {key}. Supported query options: {', '.join(allowed)}."
            )
    expand = _expand(query.getall("$expand", []))
    select = _select(query.getall("$select")[-1]) if "$select" in query else None
    orderby = _orderby(query.getall("$orderby")[-1]) if "$orderby" in query else ()
    flt = query.getall("$filter")[-1] if "$filter" in query else None
    return QueryOptions(flt, top, skip, orderby, count, expand, select)


def _integer(raw: str, name: str, maximum: int, items: list[dict[str, Any]]) -> int:
    """pydantic's lax int from a query string, then the ``ge=0``/``le=maximum`` bounds."""
    if not _INT.fullmatch(raw):
        items.append(
            ValidationFailure.item(
                "int_parsing",
                ["query", name],
                "Input should be a valid integer, unable to parse string as an integer",
                raw,
            )
        )
        return 0
    value = int(raw.strip().replace("_", "").split(".")[0])
    # CDSE's recorded 422s carry "ctx": {"error": {}} (cdse-api.md §1.4, cdse-dl cassettes).
    if value < 0:
        items.append(
            ValidationFailure.item(
                "greater_than_equal",
                ["query", name],
                "Input should be greater than or equal to 0",
                raw,
                {"error": {}},
            )
        )
    elif value > maximum:
        items.append(
            ValidationFailure.item(
                "less_than_equal",
                ["query", name],
                f"Input should be less than or equal to {maximum}",
                raw,
                {"error": {}},
            )
        )
    return value


def _boolean(raw: str, name: str, items: list[dict[str, Any]]) -> bool:
    """pydantic's lax bool: the doc lists True/true/1/False/false/0 (§1.4); pydantic also
    takes yes/no, on/off, t/f, y/n."""
    word = raw.strip().lower()
    if word in _TRUE:
        return True
    if word not in _FALSE:
        items.append(
            ValidationFailure.item(
                "bool_parsing",
                ["query", name],
                "Input should be a valid boolean, unable to interpret input",
                raw,
            )
        )
    return False


def _expand(values: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            name = part.strip()
            if name not in EXPANDABLE:
                raise ODataError(EXPAND_ERROR)
            if name not in out:
                out.append(name)
    return tuple(out)


def _select(value: str) -> frozenset[str] | None:
    fields = [part.strip() for part in value.split(",")]
    if "*" in fields:
        return None
    for field in fields:
        if field not in SELECTABLE:
            raise ODataError(f"Invalid field in select: {field}")
    return frozenset([*fields, "Id"])


def _orderby(value: str) -> tuple[tuple[str, bool], ...]:
    out: list[tuple[str, bool]] = []
    for clause in value.split(","):
        words = clause.split()
        if not words or words[0] not in ORDERABLE:
            raise ODataError(ORDERBY_FIELD_ERROR)
        direction = " ".join(words[1:]) or "asc"
        if direction not in ("asc", "desc"):
            raise ODataError(f"Invalid value: {direction}")
        out.append((words[0], direction == "desc"))
    return tuple(out)


def next_link(base: str, pairs: Iterable[tuple[str, str]], skip: int) -> str:
    """``base?<the request's parameters>`` form-urlencoded in order, ``$skip`` set to ``skip``.

    As recorded (§1.3): an existing ``$skip`` is replaced in place, else appended at the end;
    ``$`` -> ``%24``, ``/`` -> ``%2F``, ``'`` -> ``%27``, space -> ``+``.
    """
    out: list[tuple[str, str]] = []
    replaced = False
    for key, value in pairs:
        if key == "$skip":
            if replaced:
                continue  # a repeated $skip: the last one counted; keep one
            value, replaced = str(skip), True
        out.append((key, value))
    if not replaced:
        out.append(("$skip", str(skip)))
    return f"{base}?{urlencode(out)}"
