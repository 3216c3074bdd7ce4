"""The ``eodata`` bucket's keys, read from the catalogue: which product holds a key, and its bytes.

Nothing is stored: a key is looked up by its product's ``S3Path`` (``reference/cdse-api.md``
§1.8) and the object's bytes are the product's payload, built on first use. The index maps each
product that has objects to its *sort key*: the object key itself for a single-file product, the
folder prefix ``<S3Path>/`` for a folder product, whose objects all start with it. Sorted by sort
key, the products enumerate the bucket's keys in S3's order without building any of them.

Whether a product has objects, and whether it is one file or a folder, is known without building
it (an explicit payload says so; otherwise its family's writer does); ``entry.payload is None``
means no objects. Offline (``Online: false``) products are not in the store (§2.3).
"""

from __future__ import annotations

import bisect
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..payloads import deliverable

if TYPE_CHECKING:
    from ..catalogue import Catalogue, Entry

__all__ = ["BUCKET", "REGION", "Index", "S3Object", "objects", "single_file"]

BUCKET = "eodata"
REGION = "default"
#: ETags kept per server before the cache starts over (an MD5 per object read or listed).
ETAG_CACHE = 200_000


@dataclass(frozen=True)
class S3Object:
    """One object: its key, its product and its bytes (a memoryview: no copy)."""

    key: str
    entry: Entry
    data: memoryview

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def last_modified(self) -> datetime:
        """When the product was published: when CDSE's store got it [approximation]."""
        return self.entry.publication


def single_file(entry: Entry) -> bool | None:
    """Whether ``entry`` is one object (True), a folder of them (False) or has none (None).

    Read without building the product: an explicit payload's own flag, else its writer's.
    """
    explicit = entry.__dict__.get("_payload")
    if explicit is not None:
        return explicit.single_file
    if not deliverable(entry):
        return None
    from ..products import BUILDERS

    return BUILDERS[entry.family or ""].single_file


def objects(entry: Entry) -> Iterator[tuple[str, memoryview]]:
    """``(key, bytes)`` of a product's objects in key order, as CDSE's S3 stores it (§6).

    Builds the product; nothing for one without a payload. Offline or not is not looked at.
    """
    payload = entry.payload
    if payload is None:
        return
    if payload.single_file:
        yield entry.s3_key, payload.view()
        return
    for rel in sorted(payload.files):
        yield f"{entry.s3_key}/{rel}", memoryview(payload.files[rel])


@dataclass(frozen=True)
class _Snapshot:
    """Products with objects, sorted by sort key (parallel lists), and by ``s3_key``."""

    keys: list[str]
    entries: list[Entry]
    by_key: dict[str, tuple[Entry, bool]]


class Index:
    """The bucket's products, following the catalogue (re-read when entries are added to it).

    ``add`` puts in products the catalogue does not hold. Thread-safe; cheap to query: building
    a product happens only in :meth:`find` and :meth:`product_objects`.
    """

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._extra: dict[str, Entry] = {}
        self._lock = threading.Lock()
        self._source: object = None
        self._snapshot = _Snapshot([], [], {})
        self._etags: dict[str, str] = {}

    def add(self, *entries: Entry) -> None:
        """Serve these products too (e.g. ones not in the catalogue)."""
        with self._lock:
            self._extra.update((e.s3_key, e) for e in entries)
            self._source = None

    def snapshot(self) -> _Snapshot:
        """The current sorted products (rebuilt once after the catalogue or ``add`` changed)."""
        with self._lock:
            entries = self.catalogue.entries
            if self._source is not entries:
                self._snapshot = _build([*entries, *self._extra.values()])
                self._source = entries
            return self._snapshot

    def find(self, key: str) -> S3Object | None:
        """The object at ``key`` (building its product), or None."""
        by_key = self.snapshot().by_key
        found = by_key.get(key)
        if found is not None and found[1]:
            return self._single(found[0])
        cut = key.find("/")
        while cut > 0:
            found = by_key.get(key[:cut])
            if found is not None and not found[1] and found[0].online:
                payload = found[0].payload
                data = payload.files.get(key[cut + 1 :]) if payload is not None else None
                if data is not None and not payload.single_file:
                    return S3Object(key, found[0], memoryview(data))
            cut = key.find("/", cut + 1)
        return None

    def product_objects(self, entry: Entry) -> list[S3Object]:
        """Every object of one product, in key order (building it)."""
        if not entry.online:
            return []
        return [S3Object(key, entry, data) for key, data in objects(entry)]

    def etag(self, obj: S3Object) -> str:
        """The object's MD5, hex (the whole product's known MD5 for a single-file product)."""
        cached = self._etags.get(obj.key)
        if cached is None:
            payload = obj.entry.payload
            if payload is not None and payload.single_file and obj.key == obj.entry.s3_key:
                cached = payload.md5
            else:
                cached = hashlib.md5(obj.data, usedforsecurity=False).hexdigest()
            if len(self._etags) >= ETAG_CACHE:
                self._etags.clear()
            self._etags[obj.key] = cached
        return cached

    def _single(self, entry: Entry) -> S3Object | None:
        payload = entry.payload if entry.online else None
        if payload is None or not payload.single_file:
            return None
        return S3Object(entry.s3_key, entry, payload.view())


def _build(entries: list[Entry]) -> _Snapshot:
    by_key: dict[str, tuple[Entry, bool]] = {}
    for entry in entries:
        single = single_file(entry)
        if single is not None:
            by_key[entry.s3_key] = (entry, single)
    order = sorted(
        ((key if single else f"{key}/", entry) for key, (entry, single) in by_key.items()),
        key=lambda pair: pair[0],
    )
    return _Snapshot([k for k, _ in order], [e for _, e in order], by_key)


def first_at(keys: list[str], lower: str) -> int:
    """Index of the first product whose objects may come at or after the key ``lower``: the one
    whose folder holds ``lower``, else the first sorting after it."""
    at = bisect.bisect_right(keys, lower)
    if at and lower.startswith(keys[at - 1]):
        return at - 1
    return at


def end_of(keys: list[str], prefix: str, start: int) -> int:
    """Index of the first product at or after ``start`` whose sort key does not begin with
    ``prefix`` (the products under a prefix are consecutive)."""
    return bisect.bisect_left(keys, prefix[:-1] + chr(ord(prefix[-1]) + 1), lo=start)
