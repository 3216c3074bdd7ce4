"""What a product delivers, built when first asked for: every product of a family with a writer.

The catalogue lists tens of thousands of products; none is built when it starts. A product's
bytes are a deterministic function of its record (``products/``: one writer per family), so
they are built on first use (a download, a ``Nodes`` listing, an S3 key, a STAC item's per-file
assets, or the record's own ``ContentLength`` and ``Checksum``), kept in a bounded in-memory LRU
(:class:`PayloadStore`, ``max_bytes``) and a bounded disk cache (:mod:`.payload_disk`), and
rebuilt identically after eviction. Size and
checksums, once computed, stay on the record: the catalogue never lists a size or a checksum the
bytes served do not have; :mod:`.sums` remembers them on disk for the next run.

Record fields that depend on the bytes are :class:`Derived` descriptors: a record built with
``LAZY`` in them computes them on first read; one given explicit values (a test's hand-made
record, a benchmark's file-backed product) keeps them.
"""

from __future__ import annotations

import functools
import hashlib
import io
import mmap
import os
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import blake3

from . import sums_pack
from .payload_disk import DEFAULT_MAX_BYTES, DiskTier
from .sums import SumsStore, default_folder, fingerprint

if TYPE_CHECKING:
    from .catalogue import Entry

__all__ = [
    "LAZY",
    "STORE",
    "Derived",
    "Payload",
    "PayloadStore",
    "add_folders",
    "deliverable",
    "file_sums",
]

#: Stands for "computed from the bytes when first read" in a record's size and checksum fields.
LAZY: Any = type("Lazy", (), {"__repr__": lambda self: "LAZY"})()


@dataclass
class Payload:
    """What ``$value`` delivers and what S3 and ``Nodes`` show for one product.

    ``files`` maps paths relative to the product folder (``<Name>/``) to their bytes; a single-file
    product (S5P netCDF, CLMS GeoTIFF) has one file named like the product and no folder.
    ``data`` is the delivered representation: the zip (with the ``<Name>/`` top folder, as CDSE
    delivers it) or the raw single file. A large product (benchmarks) keeps it in the file ``path``
    instead: ``data`` is then empty, ``files`` lists nothing, and :meth:`view` maps the file.
    """

    files: dict[str, bytes]
    data: bytes
    """The delivered bytes (a memory-mapped view for a payload kept on disk); empty for a large
    file-backed product, read through :meth:`view`."""
    single_file: bool
    content_type: str = "application/zip"
    path: str | None = None

    @property
    def size(self) -> int:
        return len(self.data) if len(self.data) or not self.path else os.path.getsize(self.path)

    @property
    def weight(self) -> int:
        """Bytes held in memory (the LRU's measure): the files and the delivered form."""
        if self.path and not isinstance(self.data, bytes):
            return 0
        return len(self.data) + (0 if self.single_file else sum(map(len, self.files.values())))

    def view(self) -> memoryview:
        """The delivered bytes without a copy (memory-mapped when the payload is a file)."""
        if self.path is None or len(self.data):
            return memoryview(self.data)
        with open(self.path, "rb") as f:
            return memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))

    @functools.cached_property
    def md5(self) -> str:
        return hashlib.md5(self.view(), usedforsecurity=False).hexdigest()

    @functools.cached_property
    def blake3(self) -> str:
        return blake3.blake3(self.view(), max_threads=blake3.blake3.AUTO).hexdigest()

    @classmethod
    def from_files(cls, name: str, files: dict[str, bytes], single_file: bool) -> Payload:
        if single_file:
            (only,) = files.values()
            return cls(files=files, data=only, single_file=True)
        buf = io.BytesIO()
        # Stored, not deflated: CDSE's zips of SAFE products store already-compressed JP2/TIFF.
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
            folders: set[str] = set()
            for rel in sorted(files):
                add_folders(zf, name, rel, folders)
                zf.writestr(_zinfo(f"{name}/{rel}"), files[rel])
        return cls(files=files, data=buf.getvalue(), single_file=False)


def add_folders(zf: zipfile.ZipFile, name: str, rel: str, done: set[str]) -> None:
    """Write the folder entries ``<name>/<folder>/`` above ``rel`` not yet in ``done`` (CDSE's
    zips list every folder before its files)."""
    parts = rel.split("/")
    for i in range(1, len(parts)):
        folder = "/".join(parts[:i])
        if folder not in done:
            done.add(folder)
            zf.writestr(_zinfo(f"{name}/{folder}/"), b"")


def _zinfo(path: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=(2024, 1, 1, 0, 0, 0))
    info.external_attr = (0o40755 << 16) | 0x10 if path.endswith("/") else 0o644 << 16
    return info


def deliverable(entry: Entry) -> bool:
    """Whether a writer can build ``entry``'s bytes (its family has one)."""
    from .products import BUILDERS

    return entry.family in BUILDERS and not entry.extra.get("metadata_only")


class PayloadStore:
    """Payloads built on demand, the most recently used kept up to ``max_bytes`` in memory and,
    with a ``disk`` tier (:mod:`.payload_disk`), on disk: a product is built once per machine
    and writer version, then memory-mapped from its file.

    One build per product at a time (threads asking for the same product wait for it); a
    payload bigger than the whole budget is returned but not kept. ``disk``: a
    :class:`~.payload_disk.DiskTier`, None for none, or ``"env"`` for the one
    ``CDSE_EMULATOR_CACHE``/``CDSE_EMULATOR_PAYLOAD_DISK`` describe (opened when first used).
    """

    def __init__(self, max_bytes: int = 256 << 20, disk: DiskTier | str | None = None) -> None:
        self.max_bytes = max_bytes
        self._disk = disk
        self._kept: OrderedDict[tuple[str, str], Payload] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()
        self._building: dict[tuple[str, str], threading.Lock] = {}
        self.builds = 0

    @property
    def disk(self) -> DiskTier | None:
        """The disk tier (None without one)."""
        with self._lock:
            if self._disk == "env":
                self._disk = _env_disk_tier()
            return self._disk if isinstance(self._disk, DiskTier) else None

    def payload(self, entry: Entry) -> Payload:
        """``entry``'s payload, built now unless kept (ValueError if no writer can build it)."""
        from .products import BUILDERS

        key = (entry.id, entry.name)
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                return kept
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                kept = self._kept.get(key)
                if kept is not None:
                    return kept
            builder = BUILDERS.get(entry.family or "")
            if builder is None:
                raise ValueError(f"no writer builds products of family {entry.family!r}")
            disk = self.disk
            record = sums_pack.record_key(entry) if disk is not None else 0
            payload = disk.get(record, entry.name, builder.single_file) if disk else None
            if payload is None:
                payload = Payload.from_files(entry.name, builder(entry), builder.single_file)
                with self._lock:
                    self.builds += 1
                if disk is not None:
                    payload = disk.put(record, entry.name, payload)
            self._keep(key, payload)
        with self._lock:
            self._building.pop(key, None)
        return payload

    def _keep(self, key: tuple[str, str], payload: Payload) -> None:
        weight = _weight(payload)
        with self._lock:
            if weight > self.max_bytes:
                return
            self._kept[key] = payload
            self._weight += weight
            while self._weight > self.max_bytes:
                _, old = self._kept.popitem(last=False)
                self._weight -= _weight(old)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._weight = 0


def _weight(payload: Payload) -> int:
    """What a kept payload counts against the memory budget: its bytes (a mapped file's size:
    page cache rather than heap, but it bounds how many mappings stay open)."""
    return payload.size if isinstance(payload.data, memoryview) else payload.weight


def _env_disk_tier() -> DiskTier | None:
    folder = default_folder()
    if folder is None:
        return None
    limit = os.environ.get("CDSE_EMULATOR_PAYLOAD_DISK", str(DEFAULT_MAX_BYTES))
    try:
        max_bytes = int(limit)
    except ValueError:
        raise ValueError(
            f"CDSE_EMULATOR_PAYLOAD_DISK={limit!r}: expected a size in bytes (0 keeps nothing)"
        ) from None
    try:
        return DiskTier(folder, fingerprint(), max_bytes)
    except OSError:
        return None  # an unwritable cache folder: build every time, as without a disk tier


#: The process's store (payloads are a function of the record alone, so emulators share it).
STORE = PayloadStore(int(os.environ.get("CDSE_EMULATOR_PAYLOAD_MEMORY", 256 << 20)), disk="env")
#: Sizes and checksums computed before, on this machine (:mod:`.sums`).
SUMS = SumsStore()


def _sums_of(entry: Entry) -> tuple[int, str, str] | None:
    """``(size, md5, blake3)`` of ``entry``'s bytes: shipped (:mod:`.sums_pack`), remembered
    (:mod:`.sums`), else built and remembered."""
    explicit = entry.__dict__.get("_payload")
    if explicit is None and not deliverable(entry):
        return None
    if explicit is None:
        known = sums_pack.lookup(entry) or SUMS.get(entry.id, entry.name)
        if known is not None:
            return known
    payload = explicit if explicit is not None else STORE.payload(entry)
    sums = (payload.size, payload.md5, payload.blake3)
    if explicit is None:
        SUMS.put(entry.id, entry.name, sums)
    return sums


def file_sums(entry: Entry) -> list[tuple[str, int, str]] | None:
    """``(path in the product folder, size, MD5)`` of each of ``entry``'s files, sorted by path
    (``""`` for a single-file product); None if it has no bytes. Remembered like the sums."""
    explicit = entry.__dict__.get("_payload")
    if explicit is None and not deliverable(entry):
        return None
    if explicit is None and (known := SUMS.get_files(entry.id, entry.name)) is not None:
        return known
    payload = explicit if explicit is not None else STORE.payload(entry)
    if payload.single_file:
        files = [("", payload.size, payload.md5)]
    else:
        files = [
            (rel, len(data), hashlib.md5(data, usedforsecurity=False).hexdigest())
            for rel, data in sorted(payload.files.items())
        ]
    if explicit is None:
        SUMS.put_files(entry.id, entry.name, files)
    return files


class Derived:
    """A record field computed from the product's bytes when it holds :data:`LAZY`.

    ``payload`` itself: an explicit payload, else the store's (built on demand) for a family
    with a writer, else None. ``content_length``/``md5``/``blake3``: the payload's, kept on the
    record once computed (one build gives all three).
    """

    def __init__(self, default: Any = LAZY) -> None:
        self.default = default

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.slot = f"_{name}"

    def __get__(self, entry: Any, owner: type | None = None) -> Any:
        if entry is None:
            return self.default  # what dataclass reads as the field's default
        value = entry.__dict__.get(self.slot, self.default)
        if self.name == "payload":
            if value is None and deliverable(entry):
                return STORE.payload(entry)
            return value
        if value is LAZY:
            sums = _sums_of(entry)
            if sums is None:
                return None if self.name != "content_length" else 0
            for name, computed in zip(("content_length", "md5", "blake3"), sums, strict=True):
                if entry.__dict__.get(f"_{name}", LAZY) is LAZY:
                    entry.__dict__[f"_{name}"] = computed
            value = entry.__dict__[self.slot]
        return value

    def __set__(self, entry: Any, value: Any) -> None:
        entry.__dict__[self.slot] = value
