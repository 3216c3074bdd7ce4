"""The syntax tree of a ``$filter`` expression. Every node keeps its 1-based source position."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal as TypingLiteral

__all__ = [
    "BoolOp",
    "Call",
    "Compare",
    "Lambda",
    "Literal",
    "NamedArg",
    "Node",
    "Not",
    "Path",
]

CompareOp = TypingLiteral["eq", "ne", "gt", "ge", "lt", "le"]
COMPARE_OPS: frozenset[str] = frozenset(("eq", "ne", "gt", "ge", "lt", "le"))
#: ``a op b`` == ``b MIRROR[op] a``
MIRROR: dict[str, str] = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}


@dataclass(frozen=True, slots=True)
class Literal:
    """A literal; ``kind`` is the token kind (string, number, datetime, guid, geography) or
    ``bool``/``null``; ``text`` its (unescaped) text."""

    kind: str
    text: str
    pos: int


@dataclass(frozen=True, slots=True)
class Path:
    """A property path such as ``ContentDate/Start`` or ``att/OData.CSC.StringAttribute/Value``."""

    segments: tuple[str, ...]
    pos: int

    @property
    def dotted(self) -> str:
        return "/".join(self.segments)


@dataclass(frozen=True, slots=True)
class NamedArg:
    """``area=geography'...'`` inside a function call."""

    name: str
    value: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node | NamedArg, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Lambda:
    """``<collection>/any(<var>:<body>)`` (or ``all``); ``body`` None for ``any()``."""

    collection: Path
    kind: TypingLiteral["any", "all"]
    var: str | None
    body: Node | None
    pos: int


@dataclass(frozen=True, slots=True)
class Compare:
    op: CompareOp
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True, slots=True)
class BoolOp:
    """``a and b and c`` (or ``or``), flat: long chains do not nest (no recursion depth)."""

    op: TypingLiteral["and", "or"]
    operands: tuple[Node, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node
    pos: int


Node = Literal | Path | Call | Lambda | Compare | BoolOp | Not
