"""Deleted products: what ``/odata/v1/DeletedProducts`` lists (cdse-api.md §1.1).

CDSE takes products out of its catalogue and keeps their records, with a ``DeletionDate`` and
one of four ``DeletionCause`` values, in a second entity set. Each emulator's catalogue has a
:class:`DeletedStore`: a deterministic share of records generated from the catalogue (older
processings, duplicates, products found corrupted or without checksum, none of them listed in
``/Products``), plus the products a test deletes at run time (:func:`delete_product`) or
replaces by a newer processing (:func:`reprocess_product`). A deleted product leaves the
catalogue itself, so ``/Products``, STAC, S3 and downloads all stop knowing it (404, as for any
unknown product).
"""

from __future__ import annotations

import random
import re
import threading
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from .catalogue import Catalogue, Entry, to_us
from .records.common import fmt_time, hex_digits, new_uuid, stamp

__all__ = [
    "CAUSES",
    "DeletedState",
    "DeletedStore",
    "Deletion",
    "delete_product",
    "deleted_for",
    "reprocess_product",
]

#: The values of ``DeletionCause`` (DOC-ODATA "Query by Deletion Cause").
CAUSES = (
    "Duplicated product",
    "Missing checksum",
    "Corrupted product",
    "Obsolete product or Other",
)
OBSOLETE = "Obsolete product or Other"
#: Share of the catalogue's records with a deleted counterpart (at least :data:`MIN_GENERATED`).
SHARE = 0.01
MIN_GENERATED = 12


@dataclass(frozen=True)
class Deletion:
    """When and why a product was deleted; ``replaced_by``: the id of its newer processing
    (the emulator's own knowledge: CDSE's record does not say it)."""

    date: datetime
    cause: str
    replaced_by: str | None = None


@dataclass(frozen=True)
class DeletedState:
    """The deleted records at one moment: a :class:`Catalogue` of their own (so the OData
    evaluator filters them as it filters products) and, row by row, their deletions."""

    catalogue: Catalogue
    deletions: dict[str, Deletion]
    deletion_us: np.ndarray
    causes: np.ndarray


class DeletedStore:
    """The deleted records of one catalogue; :attr:`state` is replaced whole at each change,
    so a request reads one consistent state."""

    def __init__(self, records: list[tuple[Entry, Deletion]]) -> None:
        self._lock = threading.Lock()
        self.state = _state([], {}, records)

    def add(self, entry: Entry, deletion: Deletion) -> None:
        with self._lock:
            old = self.state
            if entry.id in old.deletions:
                raise ValueError(f"{entry.name} ({entry.id}) is already deleted")
            self.state = _state(old.catalogue.entries, old.deletions, [(entry, deletion)])

    def deletion(self, key: str) -> Deletion | None:
        """The deletion of the product with this id (None: not deleted)."""
        return self.state.deletions.get(key)


def _state(
    entries: list[Entry], deletions: dict[str, Deletion], records: list[tuple[Entry, Deletion]]
) -> DeletedState:
    deletions = {**deletions, **{entry.id: deletion for entry, deletion in records}}
    entries = [*entries, *(entry for entry, _ in records)]
    return DeletedState(
        Catalogue(entries),
        deletions,
        np.fromiter((to_us(deletions[e.id].date) for e in entries), np.int64, len(entries)),
        np.array([deletions[e.id].cause for e in entries], dtype=object),
    )


_STORES: weakref.WeakKeyDictionary[Catalogue, DeletedStore] = weakref.WeakKeyDictionary()
_STORES_LOCK = threading.Lock()


def deleted_for(catalogue: Catalogue) -> DeletedStore:
    """The deleted records of ``catalogue`` (generated when first asked, then kept)."""
    with _STORES_LOCK:
        store = _STORES.get(catalogue)
        if store is None:
            store = _STORES[catalogue] = DeletedStore(generated(catalogue.entries))
        return store


def generated(entries: list[Entry]) -> list[tuple[Entry, Deletion]]:
    """Deleted counterparts of a deterministic share of ``entries``, each cause in turn.

    ``Obsolete product or Other`` records are older processings (an older baseline and
    processing time in the name), the others the product's own name under another id (a
    duplicate, or a copy taken out for its checksum or content). Sizes and checksums are drawn,
    never built: deleted products are not delivered.
    """
    if not entries:
        return []
    rng = random.Random(f"deleted:{len(entries)}:{entries[0].id}")
    count = min(len(entries), max(MIN_GENERATED, round(SHARE * len(entries))))
    picks = sorted(rng.sample(range(len(entries)), count))
    out = []
    for k, i in enumerate(picks):
        source = entries[i]
        cause = CAUSES[k % len(CAUSES)]
        name = older_name(source.name) if cause == OBSOLETE else source.name
        published = source.publication - timedelta(days=30) if cause == OBSOLETE else None
        deleted = source.publication + timedelta(days=rng.uniform(1, 400), seconds=rng.random())
        entry = _copy(
            source,
            new_uuid(rng),
            name,
            published or source.publication,
            size=int(rng.uniform(0.5, 1.5) * 500_000_000),
            md5=None if cause == "Missing checksum" else hex_digits(rng, 32),
            blake3=None if cause == "Missing checksum" else hex_digits(rng, 64),
        )
        out.append((entry, Deletion(deleted, cause)))
    return out


def _copy(
    source: Entry,
    new_id: str,
    name: str,
    published: datetime,
    *,
    size: int | None = None,
    md5: str | None = None,
    blake3: str | None = None,
    extra: dict | None = None,
) -> Entry:
    """``source`` under another id and name; records only unless ``extra`` says otherwise.
    Sizes and checksums left out are derived from the bytes (built when first read)."""
    derived = {} if size is None else {"content_length": size, "md5": md5, "blake3": blake3}
    return Entry(
        id=new_id,
        name=name,
        collection=source.collection,
        product_type=source.product_type,
        start=source.start,
        end=source.end,
        origin=min(source.origin, published),
        publication=published,
        modification=published + (source.modification - source.publication),
        online=True,
        eviction=source.eviction,
        s3_path=source.s3_path.replace(source.name, name),
        checksum_date=published + (source.checksum_date - source.publication),
        footprint=source.footprint,
        attributes=list(source.attributes),
        family=source.family if extra is not None else None,
        extra=extra if extra is not None else {"metadata_only": True},
        **derived,
    )


# -- names of other processings ------------------------------------------------------------------
_S2 = re.compile(r"^(S2[A-D]_MSI\w{3}_\d{8}T\d{6})_N(\d{4})(_R\d{3}_T\w{5})_(\d{8}T\d{6})(\..+)$")
_S3 = re.compile(r"^(S3[A-D]_\w{11}_\d{8}T\d{6}_\d{8}T\d{6})_(\d{8}T\d{6})(_.+)$")
_S1 = re.compile(r"^(S1[A-D]_\w+_\d{8}T\d{6}_\d{8}T\d{6}_\d{6}_[0-9A-F]{6})_([0-9A-F]{4})(\..+)$")


def older_name(name: str) -> str:
    """The name of an earlier processing of the product named ``name`` (itself if unknown)."""
    if match := _S2.match(name):
        head, _, tail, _, suffix = match.groups()
        return f"{head}_N0400{tail}_{stamp(_name_time(name) - timedelta(days=400))}{suffix}"
    return newer_name(name, datetime(2022, 1, 1, tzinfo=UTC), baseline=None) or name


def newer_name(name: str, when: datetime, baseline: str | None = "next") -> str | None:
    """The name of a reprocessing at ``when`` of the product named ``name``: Sentinel-2 gets
    the next baseline and ``when`` as processing time, Sentinel-3 ``when`` as processing time,
    Sentinel-1 a new product unique id. None for names of other missions."""
    if match := _S2.match(name):
        head, number, tail, _, suffix = match.groups()
        if baseline == "next":
            number = f"{int(number) + 1:04d}"
        return f"{head}_N{number}{tail}_{stamp(when)}{suffix}"
    if match := _S3.match(name):
        head, _, tail = match.groups()
        return f"{head}_{stamp(when)}{tail}"
    if match := _S1.match(name):
        head, crc, suffix = match.groups()
        return f"{head}_{(int(crc, 16) + 1 + when.second) % 0x10000:04X}{suffix}"
    return None


def _name_time(name: str) -> datetime:
    found = re.findall(r"\d{8}T\d{6}", name)
    return datetime.strptime(found[-1], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)


# -- run-time changes ----------------------------------------------------------------------------
def _find(catalogue: Catalogue, key: str) -> Entry:
    entry = catalogue.by_id.get(key.lower()) or catalogue.by_name.get(key)
    if entry is None:
        raise KeyError(f"no product of this emulator has the id or name {key!r}")
    return entry


def delete_product(
    catalogue: Catalogue,
    key: str,
    cause: str = OBSOLETE,
    replaced_by: str | None = None,
    when: datetime | None = None,
) -> Entry:
    """Delete the product with id or name ``key``: out of the catalogue (every service), into
    its deleted records with ``cause`` at ``when`` (default: now). ``replaced_by``: the id or
    name of the product that replaces it. Returns the deleted entry."""
    if cause not in CAUSES:
        raise ValueError(f"cause={cause!r} is not a DeletionCause; expected one of {CAUSES}")
    entry = _find(catalogue, key)
    successor = _find(catalogue, replaced_by).id if replaced_by is not None else None
    if successor == entry.id:
        raise ValueError(f"{entry.name} cannot replace itself")
    store = deleted_for(catalogue)  # generated from the catalogue as it was
    store.add(entry, Deletion(when or datetime.now(UTC), cause, successor))
    catalogue.remove(entry.id)
    return entry


def reprocess_product(catalogue: Catalogue, key: str, when: datetime | None = None) -> Entry:
    """Replace the product with id or name ``key`` by a newer processing (same sensing, a newer
    name, new bytes) published at ``when`` (default: now); the old one is deleted as
    ``Obsolete product or Other``, as CDSE lists what a reprocessing superseded. Returns the
    new entry."""
    old = _find(catalogue, key)
    when = (when or datetime.now(UTC)).astimezone(UTC)
    name = newer_name(old.name, when)
    if name is None or name in catalogue.by_name:
        raise ValueError(
            f"cannot reprocess {old.name}: reprocessing is modelled for Sentinel-1, -2 and -3 "
            "product names, one a second"
        )
    extra = {k: v for k, v in old.extra.items() if k not in ("fault", "showcase")}
    if old.extra.get("fault") == "unavailable":
        extra.pop("metadata_only", None)
    new = _copy(old, new_uuid(random.Random(f"reprocess:{old.id}:{name}")), name, when, extra=extra)
    new.attributes = [_reprocessed(att, name, when) for att in old.attributes]
    if "baseline" in extra:
        new.extra["baseline"] = _baseline(name) or extra["baseline"]
    catalogue.add(new)
    delete_product(catalogue, old.id, OBSOLETE, replaced_by=new.id, when=when)
    return new


def _baseline(name: str) -> str | None:
    match = _S2.match(name)
    return f"{match.group(2)[:2]}.{match.group(2)[2:]}" if match else None


def _reprocessed(
    attribute: tuple[str, str, object], new: str, when: datetime
) -> tuple[str, str, object]:
    att, vtype, value = attribute
    if att == "processingDate":
        return att, vtype, fmt_time(when)
    if att in ("processingBaseline", "processorVersion") and _baseline(new):
        return att, vtype, _baseline(new)
    return att, vtype, value
