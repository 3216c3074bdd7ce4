"""PostgreSQL ``jsonb`` key order, which the real STAC API shows in its answers.

CDSE's STAC runs on pgstac (items and collections stored as ``jsonb``): the live answers list
object keys shortest first, then bytewise (``gsd, created, expires, updated, datetime, ...``;
collections ``id, type, bands, links, title, ...``) [verified NB-MIG output, Dec 2025]. Links and
the envelope are built by stac-fastapi in Python and keep their own order.
"""

from __future__ import annotations

from typing import Any

__all__ = ["jsonb_order", "shallow_order"]

#: Sorted key tuples by key tuple: items of one kind share their key sets, so this stays small.
_ORDER: dict[tuple[str, ...], tuple[str, ...]] = {}
_MAX_ORDERS = 20_000


def _key(name: str) -> tuple[int, bytes]:
    raw = name.encode()
    return len(raw), raw


def _ordered_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    order = _ORDER.get(keys)
    if order is None:
        if len(_ORDER) >= _MAX_ORDERS:
            _ORDER.clear()
        order = _ORDER[keys] = tuple(sorted(keys, key=_key))
    return order


def jsonb_order(value: Any) -> Any:
    """A copy of ``value`` whose objects (at every depth) have jsonb key order."""
    if isinstance(value, dict):
        return {k: jsonb_order(value[k]) for k in _ordered_keys(tuple(value))}
    if isinstance(value, list):
        return [jsonb_order(v) if isinstance(v, dict | list) else v for v in value]
    return value


def shallow_order(value: dict[str, Any]) -> dict[str, Any]:
    """``value`` with jsonb order at the top level only (its values are already ordered)."""
    return {k: value[k] for k in _ordered_keys(tuple(value))}
