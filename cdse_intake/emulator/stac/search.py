"""Item search: vectorised pre-filtering, CQL2 on the candidates, sorting, keyset paging.

Collections, ids, time and space narrow the catalogue with its numpy columns and STRtree; the
CQL2 predicate (filter and query extensions) then runs only on those candidates, each carrying
just the properties the predicate reads. The ordered match list is cached per query, so paging
through a result costs a slice per page.

Paging tokens are pgstac's ``next:<collection>:<item id>`` / ``prev:<collection>:<item id>``
(the only published CDSE next links look like ``…/search?token=next:…``, §4 unconfirmed): the
page after (before) that item in the result order, so every item is seen exactly once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from .cql import CompiledFilter
from .errors import bad_request
from .index import MISSING, StacIndex
from .params import SearchRequest

__all__ = ["Page", "Searcher"]

_CACHE = 32


@dataclass(frozen=True)
class Page:
    """One page of a search: entry indices, total matches, tokens of the neighbour pages."""

    indices: np.ndarray
    matched: int
    next_token: str | None
    prev_token: str | None


class Searcher:
    """Runs searches over one :class:`StacIndex`."""

    def __init__(self, index: StacIndex) -> None:
        self.index = index
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._generation = index.generation
        self._lock = threading.Lock()

    def page(self, request: SearchRequest) -> Page:
        """The page ``request`` asks for (its token, its limit)."""
        ordered = self.matches(request)
        start, stop = self._bounds(ordered, request)
        indices = ordered[start:stop]
        next_token = prev_token = None
        if stop < len(ordered) and len(indices):
            next_token = "next:" + self._key(int(indices[-1]))
        if start > 0 and len(indices):
            prev_token = "prev:" + self._key(int(indices[0]))
        return Page(indices, len(ordered), next_token, prev_token)

    def matches(self, request: SearchRequest) -> np.ndarray:
        """Entry indices of every match, in result order (cached per query)."""
        self.index.refresh()
        key = request.key()
        with self._lock:
            if self._generation != self.index.generation:  # the catalogue changed
                self._cache.clear()
                self._generation = self.index.generation
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        ordered = self._run(request)
        with self._lock:
            self._cache[key] = ordered
            if len(self._cache) > _CACHE:
                self._cache.popitem(last=False)
        return ordered

    # -- paging ----------------------------------------------------------------------------------
    def _key(self, i: int) -> str:
        return f"{self.index.collection_ids[i]}:{self.index.item_ids[i]}"

    def _bounds(self, ordered: np.ndarray, request: SearchRequest) -> tuple[int, int]:
        token, limit = request.token, request.limit
        if not token:
            return 0, limit
        direction, _, rest = token.partition(":")
        cid, _, item_id = rest.partition(":")
        where = self.index.locate(cid, item_id) if direction in ("next", "prev") else None
        position = np.nonzero(ordered == where)[0] if where is not None else []
        if len(position) == 0:
            raise bad_request(
                f"invalid paging token {token!r}: expected next:<collection>:<item id> or "
                "prev:<collection>:<item id> of an item in this search's results",
                code="InvalidQueryParameter",
            )
        at = int(position[0])
        if direction == "next":
            return at + 1, at + 1 + limit
        return max(0, at - limit), at

    # -- matching --------------------------------------------------------------------------------
    def _run(self, request: SearchRequest) -> np.ndarray:
        candidates = self._prefilter(request)
        candidates = self._sort(candidates, request.sortby)
        if request.filter is not None and len(candidates):
            candidates = self._apply_filter(candidates, request.filter)
        return candidates

    def _prefilter(self, request: SearchRequest) -> np.ndarray:
        index, catalogue = self.index, self.index.catalogue
        mask = index.mapped.copy()
        if request.collections is not None:
            mask &= np.isin(index.collection_ids, np.array(request.collections, dtype=object))
        if request.ids is not None:
            mask &= np.isin(index.item_ids, np.array(request.ids, dtype=object))
        if request.interval is not None:
            start, end = request.interval
            # An item matches when its [start_datetime, end_datetime] meets the interval.
            if end is not None:
                mask &= catalogue.start_us <= end
            if start is not None:
                mask &= catalogue.end_us >= start
        geometry = _search_geometry(request)
        if geometry is not None and mask.any():
            hits = catalogue.tree.query(geometry, predicate="intersects")
            hits = np.unique(hits[1] if hits.ndim == 2 else hits)
            spatial = np.zeros(len(mask), dtype=bool)
            spatial[hits] = True
            mask &= spatial
        return np.nonzero(mask)[0]

    def _sort(self, candidates: np.ndarray, sortby: tuple[tuple[str, bool], ...]) -> np.ndarray:
        """Order candidates by ``sortby`` (default: datetime descending), then id descending.

        The default and the id tie-breaker follow pgstac and match the live service's order
        (datetime desc, then id desc) [NB-MIG output]; items lacking a sort property come last
        in either direction (unverified).
        """
        if len(candidates) < 2:
            return candidates
        fields = list(sortby) or [("datetime", True)]
        if not any(name == "id" for name, _ in fields):
            fields.append(("id", True))
        keys = [self._sort_key(name, desc, candidates) for name, desc in fields]
        # np.lexsort sorts by the last key first; the catalogue order breaks any remaining tie.
        order = np.lexsort([candidates, *reversed(keys)])
        return candidates[order]

    def _sort_key(self, name: str, descending: bool, candidates: np.ndarray) -> np.ndarray:
        index, catalogue = self.index, self.index.catalogue
        if name in ("datetime", "start_datetime"):
            raw: np.ndarray = catalogue.start_us[candidates]
            present = np.ones(len(candidates), dtype=bool)
        elif name == "end_datetime":
            raw = catalogue.end_us[candidates]
            present = np.ones(len(candidates), dtype=bool)
        elif name == "id":
            raw = index.id_rank[candidates]
            present = np.ones(len(candidates), dtype=bool)
        elif name == "collection":
            raw = index.collection_ids[candidates].astype(str)
            present = np.ones(len(candidates), dtype=bool)
        else:
            values = index.values(name, candidates)
            present = np.array([v is not MISSING and v is not None for v in values], dtype=bool)
            raw = _comparable(values[present])
            full = np.zeros(len(candidates), dtype=raw.dtype)
            full[present] = raw
            raw = full
        ranks = np.zeros(len(candidates), dtype=np.int64)
        if present.any():
            _, inverse = np.unique(raw[present], return_inverse=True)
            top = int(inverse.max()) if len(inverse) else 0
            ranks[present] = top - inverse if descending else inverse
            ranks[~present] = top + 1
        return ranks

    def _apply_filter(self, candidates: np.ndarray, cql: Any) -> np.ndarray:
        compiled = CompiledFilter(cql)
        index = self.index
        columns = {name: index.values(name, candidates) for name in compiled.properties}
        ids = index.item_ids[candidates]
        collections = index.collection_ids[candidates]
        entries = index.entries
        keep = np.zeros(len(candidates), dtype=bool)
        for k, i in enumerate(candidates):
            props = {}
            for name, column in columns.items():
                value = column[k]
                if value is not MISSING:
                    props[name] = value
            item: dict[str, Any] = {"id": ids[k], "collection": collections[k], "properties": props}
            if compiled.needs_geometry:
                item["geometry"] = entries[i].footprint
            keep[k] = compiled.matches(item)
        return candidates[keep]


def _comparable(values: np.ndarray) -> np.ndarray:
    """Sort values as numbers when they all are, else as their text."""
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return values.astype(np.float64)
    return np.array([str(v) for v in values], dtype=str) if len(values) else values.astype(str)


def _search_geometry(request: SearchRequest) -> Any:
    import shapely
    import shapely.geometry

    if request.intersects is not None:
        return shapely.geometry.shape(request.intersects)
    if request.bbox is None:
        return None
    west, south, east, north = request.bbox
    if west <= east:
        return shapely.box(west, south, east, north)
    # Crosses the antimeridian: [west, 180] and [-180, east].
    return shapely.MultiPolygon(
        [shapely.box(west, south, 180.0, north), shapely.box(-180.0, south, east, north)]
    )
