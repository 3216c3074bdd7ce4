"""``$filter`` over bursts: the OData parser's tree (:mod:`..odata.parser`) evaluated on the
burst table's columns.

Bursts are filtered on **plain properties** (``BurstId eq 15804 and SwathIdentifier eq 'IW2'``,
cdse-api.md §1.9), not on ``Attributes``; ``ContentDate/Start|End`` and the other times compare
with datetime literals, ``OData.CSC.Intersects(area=geography'...')`` tests the footprint, and
``contains``/``startswith``/``endswith`` apply to the string properties. Anything else is a 400
naming the culprit, as the Products endpoint answers (the real wording is unverified).
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ..odata.errors import FilterError
from ..odata.literals import DATETIME_HINT, parse_datetime_us, parse_geography
from ..odata.nodes import MIRROR, BoolOp, Call, Compare, Literal, NamedArg, Node, Not, Path
from ..odata.parser import parse_filter
from .records import BurstTable
from .render import KINDS

__all__ = ["burst_mask"]

_OPS = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
_STRING_FUNCTIONS = ("contains", "startswith", "endswith")
_INTERSECTS = "OData.CSC.Intersects"


def burst_mask(table: BurstTable, text: str | None) -> np.ndarray:
    """Which bursts match ``text`` (None: all); FilterError (400) for a bad filter."""
    if text is None:
        return np.ones(len(table), bool)
    result = _Evaluator(table, text).truth(parse_filter(text))
    if isinstance(result, np.ndarray):
        return result
    return np.full(len(table), bool(result))


class _Evaluator:
    def __init__(self, table: BurstTable, text: str) -> None:
        self.table = table
        self.text = text

    def error(self, problem: str, pos: int) -> FilterError:
        return FilterError(problem, pos, self.text)

    def truth(self, node: Node) -> Any:
        if isinstance(node, BoolOp):
            values = [self.truth(o) for o in node.operands]
            combine = np.logical_and if node.op == "and" else np.logical_or
            out = values[0]
            for value in values[1:]:
                out = combine(out, value)
            return out
        if isinstance(node, Not):
            return np.logical_not(self.truth(node.operand))
        if isinstance(node, Compare):
            return self._compare(node)
        if isinstance(node, Call):
            return self._call(node)
        if isinstance(node, Literal) and node.kind == "bool":
            return node.text == "true"
        raise self.error("expected a condition such as BurstId eq 15804", node.pos)

    def _column(self, path: Path) -> tuple[np.ndarray, str]:
        prop = path.dotted
        if prop not in KINDS:
            known = ", ".join(sorted(KINDS))
            raise self.error(
                f"unknown property {prop!r} of Bursts; filter on plain properties: {known}",
                path.pos,
            )
        return self.table.columns[prop], KINDS[prop]

    def _compare(self, node: Compare) -> np.ndarray:
        op, left, right = node.op, node.left, node.right
        if isinstance(left, Literal) and isinstance(right, Path):
            left, right, op = right, left, MIRROR[op]
        if not isinstance(left, Path) or not isinstance(right, Literal):
            raise self.error("compare a property with a literal, e.g. BurstId eq 15804", node.pos)
        column, kind = self._column(left)
        value = self._value(right, kind, left.dotted)
        return np.asarray(_OPS[op](column, value), bool)

    def _value(self, lit: Literal, kind: str, prop: str) -> Any:
        if kind == "string":
            if lit.kind == "guid" and prop in ("Id", "ParentProductId"):
                return lit.text.lower()
            if lit.kind != "string":
                raise self.error(f"{prop} is a string: quote the value ('...')", lit.pos)
            return lit.text
        if kind == "datetime":
            if lit.kind not in ("datetime", "string"):
                raise self.error(f"{prop} needs {DATETIME_HINT}", lit.pos)
            try:
                return parse_datetime_us(lit.text)
            except ValueError as err:
                raise self.error(str(err), lit.pos) from None
        if lit.kind != "number":
            raise self.error(f"{prop} is a number: compare it with a bare number", lit.pos)
        try:
            return int(lit.text) if kind == "integer" else float(lit.text)
        except ValueError:
            raise self.error(f"{prop} is an integer, not {lit.text}", lit.pos) from None

    def _call(self, node: Call) -> np.ndarray:
        if node.name == _INTERSECTS:
            return self._intersects(node)
        if node.name not in _STRING_FUNCTIONS:
            known = ", ".join([*_STRING_FUNCTIONS, _INTERSECTS])
            raise self.error(f"unknown function {node.name!r}; supported: {known}", node.pos)
        usage = f"{node.name}(<property>,'<text>')"
        if len(node.args) != 2 or any(isinstance(a, NamedArg) for a in node.args):
            raise self.error(f"{node.name} takes two arguments: {usage}", node.pos)
        target, needle = node.args
        if not isinstance(target, Path):
            raise self.error(f"the first argument of {usage} must be a property", node.pos)
        if not isinstance(needle, Literal) or needle.kind != "string":
            raise self.error(f"the second argument of {usage} must be a quoted string", node.pos)
        column, kind = self._column(target)
        if kind != "string":
            raise self.error(f"{node.name} needs a string property, not {target.dotted}", node.pos)
        method = "find" if node.name == "contains" else node.name
        values = column.astype(str)
        found = getattr(np.strings, method)(values, needle.text)
        return found >= 0 if method == "find" else found

    def _intersects(self, node: Call) -> np.ndarray:
        usage = f"{_INTERSECTS}(area=geography'SRID=4326;POLYGON((lon lat, ...))')"
        if len(node.args) != 1:
            raise self.error(f"{_INTERSECTS} takes one argument: {usage}", node.pos)
        (arg,) = node.args
        value = arg.value if isinstance(arg, NamedArg) else arg
        if isinstance(arg, NamedArg) and arg.name != "area":
            raise self.error(f"unknown argument {arg.name!r} of {_INTERSECTS}: {usage}", arg.pos)
        if not isinstance(value, Literal) or value.kind != "geography":
            raise self.error(f"{_INTERSECTS} needs a geography literal: {usage}", node.pos)
        try:
            geom = parse_geography(value.text)
        except ValueError as err:
            raise self.error(str(err), value.pos) from None
        out = np.zeros(len(self.table), bool)
        out[self.table.tree.query(geom, predicate="intersects")] = True
        return out
