"""The results' display order and the selection, as plain functions of the product list."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..product import Product

__all__ = ["SORT_KEYS", "count_text", "ordered", "picked", "toggled"]

#: Table columns the results sort by: key -> how a product is compared.
SORT_KEYS: dict[str, Callable[[Product], Any]] = {
    "name": lambda p: p.name,
    "start": lambda p: p.start,
    "cloud": lambda p: p.cloud_cover,
    "size": lambda p: p.size,
    "online": lambda p: p.online,
}


def ordered(results: Sequence[Product], sort: tuple[str, bool] | None) -> list[int]:
    """Indices of ``results`` in display order for ``sort`` (``(key, descending)`` or None).

    Products lacking the value come last, in either direction.
    """
    indices = list(range(len(results)))
    if sort is None:
        return indices
    key, descending = sort
    get = SORT_KEYS[key]
    known = [i for i in indices if get(results[i]) is not None]
    missing = [i for i in indices if get(results[i]) is None]
    known.sort(key=lambda i: get(results[i]), reverse=descending)
    return known + missing


def picked(indices: Iterable[int], count: int) -> list[int]:
    """``indices`` without repeats, in order; IndexError for one that is not a row of ``count``."""
    chosen: list[int] = []
    for i in indices:
        if not 0 <= i < count:
            raise IndexError(f"row {i} is not a result (there are {count})")
        if i not in chosen:
            chosen.append(i)
    return chosen


def toggled(selected: Sequence[int], index: int, on: bool | None) -> list[int]:
    """The selection with ``index`` added or removed (``on`` None: flipped)."""
    now = list(selected)
    if on is None:
        on = index not in now
    if on and index not in now:
        now.append(index)
    elif not on and index in now:
        now.remove(index)
    return now


def count_text(n: int) -> str:
    """``1 product``, ``3 products``."""
    return f"{n} product" if n == 1 else f"{n} products"
