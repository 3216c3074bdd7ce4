"""Landsat ``_MTL.txt`` (ODL, "Object Description Language" as USGS writes it) read into groups.

The file is ``GROUP = NAME`` … ``END_GROUP = NAME`` blocks of ``KEY = VALUE`` lines, strings in
double quotes, ending with ``END``; lists in parentheses may span lines (``_ANG.txt``). Values are
kept as strings (quotes removed); :func:`number` converts those that are numbers.
"""

from __future__ import annotations

from typing import Any

from ..errors import UnsupportedProduct

__all__ = ["group", "number", "parse_odl"]


def parse_odl(text: str, where: str = "MTL") -> dict[str, Any]:
    """The groups of an ODL document as nested dicts (the root group's content when the
    document has a single top group, as MTL files do)."""
    root: dict[str, Any] = {}
    stack: list[tuple[str, dict[str, Any]]] = [("", root)]
    pending: tuple[str, str] | None = None
    for number_, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if pending is not None:  # a list continued from the line before
            key, value = pending[0], pending[1] + " " + line
            if value.count("(") > value.count(")"):
                pending = (key, value)
                continue
            stack[-1][1][key] = value
            pending = None
            continue
        if not line or line == "END":
            continue
        if "=" not in line:
            raise UnsupportedProduct(f"{where}: line {number_} is not ODL 'KEY = VALUE': {raw!r}")
        key, value = (part.strip() for part in line.split("=", 1))
        if key == "GROUP":
            child: dict[str, Any] = {}
            stack[-1][1][value] = child
            stack.append((value, child))
        elif key == "END_GROUP":
            if len(stack) == 1 or stack[-1][0] != value:
                raise UnsupportedProduct(f"{where}: line {number_} closes {value!r}, not open")
            stack.pop()
        elif value.count("(") > value.count(")"):
            pending = (key, value)
        else:
            stack[-1][1][key] = value[1:-1] if value.startswith('"') else value
    if len(stack) != 1:
        raise UnsupportedProduct(f"{where}: group {stack[-1][0]!r} is never closed")
    if len(root) == 1 and isinstance(next(iter(root.values())), dict):
        return next(iter(root.values()))
    return root


def group(mtl: dict[str, Any], name: str) -> dict[str, str]:
    """The group ``name`` (empty when the product has none)."""
    value = mtl.get(name, {})
    return value if isinstance(value, dict) else {}


def number(value: Any) -> float | None:
    """``value`` as a float; None when absent or not a number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
