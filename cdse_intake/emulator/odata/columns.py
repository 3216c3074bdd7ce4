"""Columns derived from the catalogue's index, built once per catalogue and reused by queries.

The catalogue (``catalogue.py``) holds the columns every service needs; the OData evaluator also
wants names as a numpy string array (vectorised ``contains``/``startswith``), sizes, an Id rank for
the implicit secondary sort, per-collection masks and typed attribute columns. They are built
lazily and rebuilt when the catalogue re-indexes (``Catalogue.add`` replaces its arrays).
"""

from __future__ import annotations

import functools
import threading
import weakref
from typing import Any

import numpy as np

from ..catalogue import Catalogue, Entry
from .literals import parse_datetime_us

__all__ = ["AttributeColumn", "CatalogueColumns", "columns_for"]


class AttributeColumn:
    """One attribute over all entries: ``values`` typed by the attribute's ValueType.

    Integer/Double: float64 (NaN where absent); DateTimeOffset: int64 epoch microseconds;
    String/Boolean: the raw object values. ``present`` marks entries that carry the attribute.
    """

    __slots__ = ("name", "present", "value_type", "values")

    def __init__(self, name: str, values: np.ndarray, present: np.ndarray, value_type: str):
        self.name = name
        self.present = present
        self.value_type = value_type
        if value_type in ("Integer", "Double"):
            self.values = np.full(len(values), np.nan)
            for i in np.flatnonzero(present):
                self.values[i] = _to_float(values[i])
        elif value_type == "DateTimeOffset":
            self.values = np.zeros(len(values), np.int64)
            for i in np.flatnonzero(present):
                self.values[i] = parse_datetime_us(_iso(values[i]))
        else:
            self.values = values


def _to_float(value: Any) -> float:
    # CDSE has Integer attributes carrying strings such as "2.3" (cdse-api.md §1.2).
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _iso(value: str) -> str:
    # Values were "…+00:00" before 2025-03-17 and "…Z" since (§1.2); accept both.
    return value[:-6] + "Z" if value.endswith("+00:00") else value


class CatalogueColumns:
    """Derived, read-only columns of one catalogue index."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.ids = catalogue.ids  # identity tells whether the catalogue re-indexed
        self.entries: list[Entry] = catalogue.entries
        self._lock = threading.Lock()
        self._collection_masks: dict[str, np.ndarray] = {}
        self._attributes: dict[str, AttributeColumn | None] = {}
        self.cache: dict[str, Any] = {}
        """Other derived values (e.g. the attribute table), valid as long as these columns."""

    @functools.cached_property
    def names(self) -> np.ndarray:
        return np.array(list(self.catalogue.names), dtype=np.dtypes.StringDType())

    @functools.cached_property
    def position(self) -> dict[str, int]:
        """Row of each entry by Id and by Name."""
        out = {e.name: i for i, e in enumerate(self.entries)}
        out.update({e.id: i for i, e in enumerate(self.entries)})
        return out

    @functools.cached_property
    def content_length(self) -> np.ndarray:
        return np.fromiter((e.content_length for e in self.entries), np.int64, len(self.entries))

    @functools.cached_property
    def id_rank(self) -> np.ndarray:
        """Rank of each Id in sorted order (the implicit secondary sort key, §1.3)."""
        order = np.argsort(self.catalogue.ids.astype(str), kind="stable")
        rank = np.empty(len(order), np.int64)
        rank[order] = np.arange(len(order))
        return rank

    @functools.cached_property
    def attribute_names(self) -> tuple[str, ...]:
        """Every attribute name any entry carries (the candidates of an ``any()`` lambda)."""
        seen: dict[str, None] = {}
        for entry in self.entries:
            for name, _, _ in entry.attributes:
                seen.setdefault(name, None)
        return tuple(seen)

    @functools.cached_property
    def by_quicklook(self) -> dict[str, Entry]:
        return {e.quicklook_id: e for e in self.entries if e.quicklook_id}

    def collection_mask(self, name: str) -> np.ndarray:
        """``Collection/Name eq name``: exact, case-sensitive (see evaluate.py)."""
        mask = self._collection_masks.get(name)
        if mask is None:
            mask = np.asarray(self.catalogue.collections == name, dtype=bool)
            mask.flags.writeable = False  # shared between requests
            with self._lock:
                self._collection_masks[name] = mask
        return mask

    def attribute(self, name: str) -> AttributeColumn | None:
        """The typed column of attribute ``name``; None when no entry carries it."""
        if name in self._attributes:
            return self._attributes[name]
        values, present, value_type = self.catalogue.attribute_column(name)
        column = None if value_type is None else AttributeColumn(name, values, present, value_type)
        with self._lock:
            self._attributes[name] = column
        return column


_CACHE: weakref.WeakKeyDictionary[Catalogue, CatalogueColumns] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def columns_for(catalogue: Catalogue) -> CatalogueColumns:
    """The derived columns of ``catalogue``, rebuilt if it re-indexed since they were made."""
    with _CACHE_LOCK:
        cols = _CACHE.get(catalogue)
        if cols is None or cols.ids is not catalogue.ids:
            cols = _CACHE[catalogue] = CatalogueColumns(catalogue)
        return cols
