"""The STAC view of the catalogue: collection and item id per entry, property columns, item cache.

Built once per catalogue (rebuilt when ``Catalogue.add`` replaced the entry list). Everything is
lazy where it costs: a collection's property table is computed the first time a search filters
or sorts on it; item JSON is kept in a bounded LRU cache.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from ..catalogue import Catalogue, Entry
from .collections import SPECS, CollectionSpec, collection_id
from .items import ItemFactory

if TYPE_CHECKING:
    from ..server import ServiceURLs

__all__ = ["MISSING", "StacIndex"]

#: Marks a property an item does not have, in the property columns.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()

#: Bytes of serialised items kept (an S2 L2A item is ~50 kB, an L1C one ~25 kB).
_ITEM_CACHE_BYTES = 128 * 2**20
_SKIP = {"auth:schemes", "storage:schemes", "processing:software"}


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many short-lived dicts.

    Building items allocates so many containers that collections run constantly, each scanning
    the catalogue's hundreds of thousands of long-lived objects: 3 to 4 times the build itself.
    The objects built here hold no reference cycles; the collector is re-enabled afterwards
    (unless something else had disabled it).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class StacIndex:
    """Entry-aligned arrays for vectorised search, plus the item factory."""

    def __init__(self, catalogue: Catalogue, urls: ServiceURLs) -> None:
        self.catalogue = catalogue
        self.factory = ItemFactory(urls)
        self._lock = threading.RLock()
        self._entries: list[Entry] | None = None
        self.generation = 0
        """Bumped at every rebuild: caches keyed on entry indices compare it."""
        self.refresh()

    # -- building --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Rebuild if the catalogue's entries changed since the last build."""
        with self._lock:
            if self._entries is self.catalogue.entries:
                return
            entries = self.catalogue.entries
            n = len(entries)
            collections = np.array([collection_id(e) for e in entries], dtype=object)
            item_ids = np.array([e.stem for e in entries], dtype=object)
            self.collection_ids = collections
            self.item_ids = item_ids
            self.mapped = np.array([c is not None for c in collections], dtype=bool)
            self.members: dict[str, np.ndarray] = {}
            self.position = np.full(n, -1, dtype=np.int64)
            for cid in sorted(SPECS):  # every collection, with items or not (as CDSE lists)
                idx = np.nonzero(collections == cid)[0]
                self.members[cid] = idx
                self.position[idx] = np.arange(len(idx))
            self.by_key = {
                (collections[i], item_ids[i]): int(i) for i in np.nonzero(self.mapped)[0]
            }
            order = np.argsort(item_ids.astype(str), kind="stable")
            self.id_rank = np.empty(n, dtype=np.int64)
            self.id_rank[order] = np.arange(n)
            self._tables: dict[str, dict[str, np.ndarray]] = {}
            self._items: OrderedDict[int, bytes] = OrderedDict()
            self._items_size = 0
            self._documents: dict[str, Any] = {}
            self._entries = entries
            self.generation += 1

    # -- lookups ---------------------------------------------------------------------------------
    @property
    def entries(self) -> list[Entry]:
        return self.catalogue.entries

    def specs(self) -> list[CollectionSpec]:
        """Every collection, in id order (the live ``/collections`` order)."""
        return [SPECS[cid] for cid in self.members]

    def spec(self, cid: str) -> CollectionSpec | None:
        return SPECS.get(cid)

    def locate(self, cid: str, item_id: str) -> int | None:
        return self.by_key.get((cid, item_id))

    def item(self, index: int) -> dict[str, Any]:
        """The item of entry ``index`` as a fresh dict."""
        return orjson.loads(self.item_json(index))

    def items_json(self, indices: np.ndarray) -> list[bytes]:
        """Serialised items of the entries ``indices`` (one page), built in one go."""
        with paused_gc():
            return [self.item_json(int(i)) for i in indices]

    def item_json(self, index: int) -> bytes:
        """The item of entry ``index``, serialised (cached: pages are assembled from these)."""
        with self._lock:
            cached = self._items.get(index)
            if cached is not None:
                self._items.move_to_end(index)
                return cached
        entry = self.entries[index]
        data = self.factory.item_json(entry, SPECS[self.collection_ids[index]])
        with self._lock:
            if index not in self._items:
                self._items[index] = data
                self._items_size += len(data)
            while self._items_size > _ITEM_CACHE_BYTES and len(self._items) > 1:
                _, old = self._items.popitem(last=False)
                self._items_size -= len(old)
        return data

    def document(self, key: str, build: Any) -> Any:
        """A cached collection-level document (built once by ``build()``)."""
        with self._lock:
            if key not in self._documents:
                self._documents[key] = build()
            return self._documents[key]

    # -- summaries -------------------------------------------------------------------------------
    def sample(self, cid: str, size: int = 256) -> list[dict[str, Any]]:
        """Properties of up to ``size`` items spread evenly over the collection (for
        collection summaries and queryables, without computing every item's properties)."""
        members = self.members[cid]
        picks = members[
            np.unique(np.linspace(0, len(members) - 1, min(size, len(members))).astype(int))
        ]
        spec = SPECS[cid]
        return [self.factory.properties(self.entries[int(i)], spec) for i in picks]

    def product_types(self, cid: str) -> list[str]:
        """Every product type in the collection (exact, from the catalogue's column)."""
        return sorted(set(self.catalogue.product_types[self.members[cid]]))

    def platforms(self, cid: str) -> list[str]:
        """Every ``platform`` value in the collection (exact, from the catalogue's column)."""
        spec = SPECS[cid]
        if spec.family not in ("s1", "s2", "s3"):  # one platform, or the table's list
            return list(spec.row.platforms)
        values, present, _ = self.catalogue.attribute_column("platformSerialIdentifier")
        members = self.members[cid]
        serials = {str(v).lower() for v in values[members][present[members]]}
        return sorted(f"{spec.constellation}{serial}" for serial in serials)

    # -- property columns ------------------------------------------------------------------------
    def table(self, cid: str) -> dict[str, np.ndarray]:
        """Property name -> values (``MISSING`` where absent), aligned with ``members[cid]``."""
        with self._lock:
            cached = self._tables.get(cid)
            if cached is not None:
                return cached
            spec = SPECS[cid]
            with paused_gc():
                rows = [self.factory.properties(self.entries[i], spec) for i in self.members[cid]]
            names = sorted({k for row in rows for k in row} - _SKIP)
            table = {
                name: np.fromiter(
                    (row.get(name, MISSING) for row in rows), dtype=object, count=len(rows)
                )
                for name in names
            }
            self._tables[cid] = table
            return table

    def values(self, name: str, indices: np.ndarray) -> np.ndarray:
        """Property ``name`` of the entries ``indices`` (``MISSING`` where absent)."""
        out = np.full(len(indices), MISSING, dtype=object)
        if len(indices) == 0:
            return out
        collections = self.collection_ids[indices]
        for cid in {c for c in collections}:
            where = np.nonzero(collections == cid)[0]
            column = self.table(cid).get(name)
            if column is not None:
                out[where] = column[self.position[indices[where]]]
        return out
