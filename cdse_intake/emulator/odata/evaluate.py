"""Vectorised evaluation of a ``$filter`` tree over the catalogue's columns.

Every node evaluates to a boolean mask over all entries (or, inside an attribute lambda, possibly
to a plain ``bool`` when it only involves the attribute's *Name*). An ``any()`` lambda is
evaluated once per attribute name: ``att/Name`` is then a scalar and ``att/Value`` the attribute's
column, so ``att/Name eq 'x' and ...`` costs nothing for every name but ``x``.

Case sensitivity: ``Collection/Name``, ``Name`` and attribute strings compare exactly, case
included. Whether the real service folds case is an open question (cdse-api.md §1.5, §9.5); exact
matching is what clients see in practice (collections are upper case, product types mixed) and
it exposes a client that sends the wrong case instead of hiding it.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .columns import AttributeColumn, CatalogueColumns
from .errors import FilterError
from .literals import DATETIME_HINT, parse_datetime_us, parse_geography
from .nodes import MIRROR, BoolOp, Call, Compare, Lambda, Literal, NamedArg, Node, Not, Path

__all__ = ["FILTERABLE", "Evaluator"]

Truth = bool | np.ndarray

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
_TIME_COLUMNS = {
    "ContentDate/Start": "start_us",
    "ContentDate/End": "end_us",
    "PublicationDate": "publication_us",
    "ModificationDate": "modification_us",
    "OriginDate": "origin_us",
}
#: Product properties ``$filter`` accepts (§1.5).
FILTERABLE = ("Collection/Name", "Name", "Id", "Online", *_TIME_COLUMNS, "ContentLength")
_NOT_FILTERABLE = {
    "ContentType",
    "EvictionDate",
    "S3Path",
    "Checksum",
    "ContentDate",
    "Footprint",
    "GeoFootprint",
    "Attributes",
    "Assets",
    "Locations",
    "Collection",
}
_STRING_FUNCTIONS: dict[str, Callable[[str, str], bool]] = {
    "contains": lambda s, x: x in s,
    "startswith": str.startswith,
    "endswith": str.endswith,
}
_ATTRIBUTE_TYPES = ("String", "Integer", "Double", "DateTimeOffset", "Boolean")
_CAST = re.compile(r"OData\.CSC\.(\w+)Attribute")
_INTERSECTS = "OData.CSC.Intersects"


@dataclass
class _Scope:
    """Inside ``Attributes/any(var: ...)``: the attribute being tried."""

    var: str
    name: str
    column: AttributeColumn
    pinned: frozenset[str]
    """Names the body asks for with ``var/Name eq '...'``: type errors about them are 400s."""


class Evaluator:
    """Evaluates a parsed ``$filter`` to a boolean mask over the catalogue.

    ``online`` gives the Online column as the client sees it (after injected ``offline`` faults);
    it is only called when the filter mentions ``Online``.
    """

    def __init__(
        self, columns: CatalogueColumns, text: str, online: Callable[[], np.ndarray]
    ) -> None:
        self.cols = columns
        self.cat = columns.catalogue
        self.n = len(columns.entries)
        self.text = text
        self._online = online

    def mask(self, node: Node) -> np.ndarray:
        try:
            result = self._truth(node, None)
        except RecursionError:
            raise FilterError("parentheses or 'not' are nested too deeply") from None
        if isinstance(result, np.ndarray):
            return result
        return np.full(self.n, bool(result))

    def error(self, problem: str, pos: int) -> FilterError:
        return FilterError(problem, pos, self.text)

    # -- boolean structure ---------------------------------------------------------------------
    def _truth(self, node: Node, scope: _Scope | None) -> Truth:
        if isinstance(node, BoolOp):
            return self._bool_op(node, scope)
        if isinstance(node, Not):
            value = self._truth(node.operand, scope)
            return (not value) if isinstance(value, bool) else ~value
        if isinstance(node, Compare):
            return self._compare(node, scope)
        if isinstance(node, Call):
            return self._call(node, scope)
        if isinstance(node, Lambda):
            return self._lambda(node, scope)
        if isinstance(node, Path):
            return self._bare_path(node, scope)
        if isinstance(node, Literal) and node.kind == "bool":
            return node.text == "true"
        raise self.error(f"{_describe(node)} is not a condition", node.pos)

    def _bool_op(self, node: BoolOp, scope: _Scope | None) -> Truth:
        operands: Iterable[Node] = node.operands
        if scope is not None:  # in a lambda, decide on the attribute's Name first
            operands = sorted(operands, key=lambda o: not _name_only(o, scope.var))
        is_and = node.op == "and"
        acc: np.ndarray | None = None
        for operand in operands:
            value = self._truth(operand, scope)
            if isinstance(value, bool):
                if value is not is_and:  # False decides an 'and', True an 'or'
                    return value
                continue
            acc = value if acc is None else (acc & value if is_and else acc | value)
        return is_and if acc is None else acc

    def _bare_path(self, node: Path, scope: _Scope | None) -> Truth:
        if node.dotted == "Online":
            return self._online().copy()
        if scope is not None and node.segments[0] == scope.var:
            rest = _strip_cast(node, scope.var, self)
            if rest == ("Value",) and scope.column.value_type == "Boolean":
                return np.asarray(scope.column.values == True, bool) & scope.column.present  # noqa: E712
        problem = f"{_describe(node)} is not a condition; compare it with eq, gt, ..."
        raise self.error(problem, node.pos)

    # -- comparisons ---------------------------------------------------------------------------
    def _compare(self, node: Compare, scope: _Scope | None) -> Truth:
        op, left, right = node.op, node.left, node.right
        if isinstance(left, Literal) and not isinstance(right, Literal):
            left, right, op = right, left, MIRROR[op]  # 'x' eq Name == Name eq 'x'
        if not isinstance(right, Literal):
            raise self.error(
                f"{_describe(right)} on the right of '{op}' must be a literal value", right.pos
            )
        if isinstance(left, Literal):
            raise self.error(f"'{op}' compares two literals; one side must be a property", node.pos)
        if not isinstance(left, Path):  # a condition compared with true/false
            if right.kind != "bool" or op not in ("eq", "ne"):
                raise self.error(
                    "a condition can only be compared with true or false using eq/ne", node.pos
                )
            value = self._truth(left, scope)
            wanted = (right.text == "true") == (op == "eq")
            if isinstance(value, bool):
                return value == wanted
            return value if wanted else ~value
        if scope is not None and left.segments[0] == scope.var:
            return self._lambda_compare(op, left, right, scope, node.pos)
        return self._property_compare(op, left, right, node.pos)

    def _property_compare(self, op: str, path: Path, lit: Literal, pos: int) -> np.ndarray:
        prop = path.dotted
        cat = self.cat
        if prop in _TIME_COLUMNS:
            value = self._datetime(lit, prop)
            return _OPS[op](getattr(cat, _TIME_COLUMNS[prop]), value)
        if prop == "ContentLength":
            if lit.kind != "number":
                raise self.error(
                    f"ContentLength is compared with a number, not {_describe(lit)}", lit.pos
                )
            return _OPS[op](self.cols.content_length, float(lit.text))
        if prop in ("Collection/Name", "Name", "Id", "Online"):
            if op not in ("eq", "ne"):
                raise self.error(f"{prop} supports only eq and ne, not '{op}'", pos)
            if prop == "Online":
                if lit.kind != "bool":
                    raise self.error(
                        f"Online is compared with true or false, not {_describe(lit)}", lit.pos
                    )
                online = self._online()
                return online if (lit.text == "true") == (op == "eq") else ~online
            if prop == "Id":
                if lit.kind not in ("guid", "string"):
                    raise self.error(f"Id is compared with a UUID, not {_describe(lit)}", lit.pos)
                mask = np.asarray(cat.ids == lit.text.lower(), bool)
            else:
                if lit.kind != "string":
                    raise self.error(
                        f"{prop} is compared with a quoted string, not {_describe(lit)}", lit.pos
                    )
                if prop == "Name":
                    mask = np.asarray(self.cols.names == lit.text, bool)
                else:
                    mask = self.cols.collection_mask(lit.text)
            return mask if op == "eq" else ~mask
        raise self._unknown_property(path)

    def _unknown_property(self, path: Path) -> FilterError:
        prop = path.dotted
        if prop in _NOT_FILTERABLE:
            return self.error(
                f"property {prop!r} cannot be used in a filter; filterable "
                f"properties: {', '.join(FILTERABLE)}",
                path.pos,
            )
        return self.error(
            f"unknown property {prop!r}; filterable properties: {', '.join(FILTERABLE)}, and "
            "attributes with Attributes/OData.CSC.<Type>Attribute/any(att:att/Name eq '<name>' "
            "and att/OData.CSC.<Type>Attribute/Value <op> <value>)",
            path.pos,
        )

    def _datetime(self, lit: Literal, prop: str) -> int:
        if lit.kind not in ("datetime", "string"):
            raise self.error(
                f"{prop} is compared with {DATETIME_HINT}, not {_describe(lit)}", lit.pos
            )
        try:
            return parse_datetime_us(lit.text)
        except ValueError as err:
            raise self.error(str(err), lit.pos) from None

    # -- functions -----------------------------------------------------------------------------
    def _call(self, node: Call, scope: _Scope | None) -> Truth:
        if node.name in _STRING_FUNCTIONS:
            return self._string_function(node, scope)
        if node.name == _INTERSECTS:
            return self._intersects(node)
        known = ", ".join([*_STRING_FUNCTIONS, _INTERSECTS])
        raise self.error(f"unknown function {node.name!r}; supported functions: {known}", node.pos)

    def _string_function(self, node: Call, scope: _Scope | None) -> Truth:
        usage = f"{node.name}(<property>,'<text>')"
        if len(node.args) != 2 or any(isinstance(a, NamedArg) for a in node.args):
            raise self.error(f"{node.name} takes two arguments: {usage}", node.pos)
        target, needle = node.args
        if not isinstance(needle, Literal) or needle.kind != "string":
            raise self.error(f"the second argument of {usage} must be a quoted string", needle.pos)
        if not isinstance(target, Path):
            raise self.error(f"the first argument of {usage} must be a property", target.pos)
        func = _STRING_FUNCTIONS[node.name]
        text = needle.text
        if scope is not None and target.segments[0] == scope.var:
            rest = _strip_cast(target, scope.var, self)
            if rest == ("Name",):
                return func(scope.name, text)
            if rest == ("Value",):
                column = scope.column
                if column.value_type != "String":
                    return self._mismatch(
                        scope,
                        f"{node.name} needs a String attribute, "
                        f"{scope.name!r} is {column.value_type}",
                        node.pos,
                    )
                out = np.zeros(self.n, bool)
                rows = np.flatnonzero(column.present)
                out[rows] = [func(str(v), text) for v in column.values[rows]]
                return out
            raise self.error(
                f"unknown property {target.dotted!r} of the lambda variable; "
                f"use {scope.var}/Name or {scope.var}/Value",
                target.pos,
            )
        if target.dotted == "Name":
            if node.name == "contains":
                return np.strings.find(self.cols.names, text) >= 0
            return getattr(np.strings, node.name)(self.cols.names, text)
        if target.dotted == "Collection/Name":
            out = np.zeros(self.n, bool)
            for collection in set(self.cat.collections):
                if func(collection, text):
                    out |= self.cols.collection_mask(collection)
            return out
        if target.dotted in FILTERABLE:
            raise self.error(
                f"{node.name} applies to Name or Collection/Name, not {target.dotted!r}", target.pos
            )
        raise self._unknown_property(target)

    def _intersects(self, node: Call) -> np.ndarray:
        usage = f"{_INTERSECTS}(area=geography'SRID=4326;POLYGON((lon lat, ...))')"
        if len(node.args) != 1:
            raise self.error(f"{_INTERSECTS} takes one argument: {usage}", node.pos)
        (arg,) = node.args
        value: Node = arg
        if isinstance(arg, NamedArg):
            if arg.name not in ("area", "Footprint"):
                raise self.error(
                    f"unknown argument {arg.name!r} of {_INTERSECTS}; use area= (or Footprint=)",
                    arg.pos,
                )
            value = arg.value
        if not isinstance(value, Literal) or value.kind != "geography":
            raise self.error(f"{_INTERSECTS} needs a geography literal: {usage}", value.pos)
        try:
            geom = parse_geography(value.text)
        except ValueError as err:
            raise self.error(str(err), value.pos) from None
        hits = self.cat.tree.query(geom, predicate="intersects")
        out = np.zeros(self.n, bool)
        out[hits] = True
        return out

    # -- attribute lambdas ---------------------------------------------------------------------
    def _lambda(self, node: Lambda, scope: _Scope | None) -> Truth:
        if scope is not None:
            raise self.error("nested any()/all() is not supported", node.pos)
        segments = node.collection.segments
        if segments[0] not in ("Attributes", "attributes"):
            raise self.error(
                f"{node.kind}() applies to Attributes, not {node.collection.dotted!r}",
                node.collection.pos,
            )
        if len(segments) > 2:
            raise self.error(
                f"unexpected path {node.collection.dotted!r} before {node.kind}()",
                node.collection.pos,
            )
        if len(segments) == 2:
            _check_cast(segments[1], node.collection.pos, self)
        names = self.cols.attribute_names
        if node.body is None or node.var is None:  # Attributes/any(): has any attribute
            out = np.zeros(self.n, bool)
            for name in names:
                column = self.cols.attribute(name)
                if column is not None:
                    out |= column.present
            return out
        pinned = frozenset(_pinned_names(node.body, node.var))
        candidates = [n for n in names if n in pinned] if node.kind == "any" and pinned else names
        out = np.zeros(self.n, bool) if node.kind == "any" else np.ones(self.n, bool)
        for name in candidates:
            column = self.cols.attribute(name)
            if column is None:
                continue
            value = self._truth(node.body, _Scope(node.var, name, column, pinned))
            if node.kind == "any":
                if value is True:
                    out |= column.present
                elif value is not False:
                    out |= value & column.present
            elif value is False:
                out &= ~column.present
            elif value is not True:
                out &= value | ~column.present
        return out

    def _lambda_compare(self, op: str, path: Path, lit: Literal, scope: _Scope, pos: int) -> Truth:
        rest = _strip_cast(path, scope.var, self)
        if rest == ("Name",):
            if op not in ("eq", "ne"):
                raise self.error(f"{path.dotted} supports only eq and ne, not '{op}'", pos)
            if lit.kind != "string":
                raise self.error(
                    f"{path.dotted} is compared with a quoted string, not {_describe(lit)}", lit.pos
                )
            return (scope.name == lit.text) == (op == "eq")
        if rest != ("Value",):
            raise self.error(
                f"unknown property {path.dotted!r} of the lambda variable; use "
                f"{scope.var}/Name or {scope.var}/Value",
                path.pos,
            )
        column = scope.column
        vtype = column.value_type
        if vtype in ("String", "Boolean") and op not in ("eq", "ne"):
            return self._mismatch(
                scope, f"{vtype} attribute {scope.name!r} supports only eq and ne, not '{op}'", pos
            )
        value = self._attribute_literal(lit, column)
        if value is None:
            return self._mismatch(
                scope,
                f"{_describe(lit)} is not a valid {vtype} value for attribute {scope.name!r}",
                lit.pos,
            )
        if vtype == "String" or vtype == "Boolean":
            result = np.asarray(_OPS[op](column.values, value), bool)
        else:
            result = _OPS[op](column.values, value)
        return result & column.present

    def _attribute_literal(self, lit: Literal, column: AttributeColumn) -> Any:
        """The literal as a value of the attribute's real type (§1.5: casts are ignored)."""
        vtype = column.value_type
        if lit.kind in ("null", "geography"):
            return None
        if vtype == "String":
            return lit.text if lit.kind != "bool" else None
        if vtype in ("Integer", "Double"):
            if lit.kind in ("number", "string"):
                try:
                    return float(lit.text)
                except ValueError:
                    return None
            return None
        if vtype == "DateTimeOffset":
            if lit.kind in ("datetime", "string"):
                try:
                    return parse_datetime_us(lit.text)
                except ValueError:
                    return None
            return None
        if vtype == "Boolean":
            if lit.kind in ("bool", "string") and lit.text in ("true", "false"):
                return lit.text == "true"
            return None
        return None

    def _mismatch(self, scope: _Scope, problem: str, pos: int) -> bool:
        """A type mismatch: an error for an attribute the body names, else no match."""
        if scope.name in scope.pinned:
            raise self.error(problem, pos)
        return False


def _check_cast(segment: str, pos: int, ev: Evaluator) -> None:
    m = _CAST.fullmatch(segment)
    if m is None or m.group(1) not in _ATTRIBUTE_TYPES:
        types = ", ".join(f"OData.CSC.{t}Attribute" for t in _ATTRIBUTE_TYPES)
        raise ev.error(f"unknown type {segment!r}; expected one of {types}", pos)


def _strip_cast(path: Path, var: str, ev: Evaluator) -> tuple[str, ...]:
    """``att/OData.CSC.XAttribute/Value`` -> ``("Value",)``; the cast type is only checked."""
    rest = path.segments[1:]
    if rest and rest[0].startswith("OData."):
        _check_cast(rest[0], path.pos, ev)
        rest = rest[1:]
    return rest


def _name_only(node: Node, var: str) -> bool:
    """True when ``node`` only looks at the lambda variable's Name (a scalar in the lambda)."""
    if isinstance(node, Literal):
        return True
    if isinstance(node, Path):
        rest = node.segments[1:]
        if rest and rest[0].startswith("OData."):
            rest = rest[1:]
        return node.segments[0] == var and rest == ("Name",)
    if isinstance(node, BoolOp):
        return all(_name_only(o, var) for o in node.operands)
    if isinstance(node, Compare):
        return _name_only(node.left, var) and _name_only(node.right, var)
    if isinstance(node, Not):
        return _name_only(node.operand, var)
    if isinstance(node, Call) and node.name in _STRING_FUNCTIONS:
        return all(not isinstance(a, NamedArg) and _name_only(a, var) for a in node.args)
    return False


def _pinned_names(node: Node, var: str) -> set[str]:
    """Attribute names the lambda body requires with ``var/Name eq '<name>'`` in a conjunction."""
    if isinstance(node, BoolOp):
        parts = [_pinned_names(o, var) for o in node.operands]
        if node.op == "and" or all(parts):
            # A conjunction needs every name it pins; a disjunction needs one of them if each
            # branch pins some (else a branch may match any attribute).
            return set().union(*parts)
        return set()
    if isinstance(node, Compare) and node.op == "eq":
        for path, lit in ((node.left, node.right), (node.right, node.left)):
            if isinstance(path, Path) and isinstance(lit, Literal) and lit.kind == "string":
                rest = path.segments[1:]
                if rest and rest[0].startswith("OData."):
                    rest = rest[1:]
                if path.segments[0] == var and rest == ("Name",):
                    return {lit.text}
    return set()


def _describe(node: Node | NamedArg) -> str:
    if isinstance(node, Literal):
        if node.kind == "string":
            return "'" + node.text.replace("'", "''") + "'"
        if node.kind == "geography":
            return "a geography literal"
        return node.text
    if isinstance(node, Path):
        return repr(node.dotted)
    if isinstance(node, Call):
        return f"{node.name}(...)"
    if isinstance(node, Lambda):
        return f"{node.collection.dotted}/{node.kind}(...)"
    return "an expression"
