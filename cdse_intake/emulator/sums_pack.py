"""Sizes and checksums of every deliverable product of the default catalogue, shipped built.

Why: a listing shows each product's ``ContentLength`` and ``Checksum`` (MD5 and BLAKE3), and
those are functions of bytes no shortcut computes (every product's zip starts with a member
named after it, so no two share a hashed prefix). Building a default-profile product costs 5 to
250 ms, so a 1000-record page of never-built products would take seconds to minutes; the
budget is 0.5 s. The design: the writers are deterministic, so the sums of the default
catalogue (seed 42, scale 1) are computed once, by ``make sums``
(``python -m cdse_intake.emulator.sums_pack``), and shipped in ``data/sums/<family>.npz``. A
listing then looks them up (a few microseconds per record); a product is still built only when
its bytes are asked for, and the record's sums equal those bytes (``tests/emulator`` download
samples and compare).

A pack is used only while it is true. Each carries the fingerprint of its family's writer code
(the builder's module and every emulator module it imports, the catalogue's ``Entry`` class and
the zip layout of :mod:`.payloads`, package data those modules read) and of the encoding
libraries' versions: a changed writer or another library release makes the pack stale, and it
is ignored (products are built to list them, remembered by :mod:`.sums`), never believed.
Records are keyed by a digest of everything a writer can read from them (every field but the
delivery state and the sizes themselves): a record that changes, or one of another seed or
scale, is simply not found. ``tests/emulator/test_sums_pack.py`` fails when a pack is stale for
the locked libraries, so ``make sums`` lands with the writer change.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import hashlib
import importlib.metadata
import inspect
import os
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .sums_files import FileRows, Listings

if TYPE_CHECKING:
    from .catalogue import Entry

__all__ = ["PACK_DIR", "Pack", "build_packs", "family_fingerprint", "lookup", "lookup_files"]

HERE = Path(__file__).resolve().parent
PACK_DIR = HERE / "data" / "sums"
#: The catalogue the packs are built for (the emulator's and the pytest plugin's default).
DEFAULT_SEED, DEFAULT_SCALE = 42, 1.0
#: Libraries whose encoders write bytes into the products (a new release may change them).
LIBRARIES = ("numpy", "rasterio", "h5py", "h5netcdf", "zarr", "numcodecs", "blake3")


#: Encoders only some families use (a release of one stales only their packs).
FAMILY_LIBRARIES = {"modis": ("pyhdf",)}


def library_versions(family: str | None = None) -> str:
    """``name==version`` of the encoding libraries (of ``family``), in a fixed order."""
    versions = []
    for name in (*LIBRARIES, *FAMILY_LIBRARIES.get(family or "", ())):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions.append(f"{name}=={importlib.metadata.version(name)}")
    return ";".join(versions)


def _emulator_imports(path: Path) -> set[Path]:
    """The emulator modules ``path`` imports at run time (``TYPE_CHECKING`` blocks skipped)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.parent
    found: set[Path] = set()

    def visit(nodes: Iterable[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)
                continue
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package
                for _ in range(node.level - 1):
                    base = base.parent
                parts = (node.module or "").split(".") if node.module else []
                target = base.joinpath(*parts)
                if target.with_suffix(".py").is_file():
                    found.add(target.with_suffix(".py"))
                elif (target / "__init__.py").is_file():
                    if node.module:  # `from .package import name`: the package's __init__
                        found.add(target / "__init__.py")
                    for alias in node.names:  # `from . import module` (or a subpackage)
                        module = target / f"{alias.name}.py"
                        if module.is_file():
                            found.add(module)
                        elif (target / alias.name / "__init__.py").is_file():
                            found.add(target / alias.name / "__init__.py")
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    visit([child])

    visit(tree.body)
    return {p for p in found if HERE in p.parents or p.parent == HERE}


def emulator_closure(start: Path) -> set[Path]:
    """The emulator modules ``start`` imports, directly or not, with ``start`` itself."""
    seen: set[Path] = set()
    todo = [start]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo.extend(_emulator_imports(path) - seen)
    return seen


@cache
def code_fingerprint(family: str) -> str:
    """A digest of the code and data that decide the bytes of ``family``'s products."""
    from .catalogue import Entry
    from .products import BUILDERS

    module = sys.modules[BUILDERS[family].build.__module__]
    files = emulator_closure(Path(module.__file__ or "").resolve())
    files.add(HERE / "payloads.py")  # the zip layout
    for folder in {p.parent / "data" for p in files}:
        if folder.is_dir():
            files |= {p for p in folder.rglob("*") if p.is_file() and PACK_DIR not in p.parents}
    digest = hashlib.sha256(inspect.getsource(Entry).encode())  # what a writer reads
    for path in sorted(files):
        digest.update(str(path.relative_to(HERE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def family_fingerprint(family: str) -> str:
    """Code fingerprint and library versions: what a pack must match to be believed."""
    return f"{code_fingerprint(family)};{library_versions(family)}"


#: Entry fields a writer does not see (delivery state, the sums themselves).
_NOT_IN_BYTES = frozenset(("online", "eviction", "content_length", "md5", "blake3", "payload"))
#: ``extra`` keys set by :mod:`.records.delivery`, not by the mission's records.
_DELIVERY_FLAGS = frozenset(("showcase", "fault", "metadata_only"))


@cache
def _field_names(entry_type: type) -> tuple[str, ...]:
    names = (f.name for f in dataclasses.fields(entry_type))
    return tuple(n for n in names if n not in _NOT_IN_BYTES and n != "extra")


#: The last keys computed, by entry identity, with the facts they were computed from (a page
#: looks each entry up twice: its sums, its files); checked against the facts, so a changed or
#: new entry at a reused address is keyed afresh.
_KEYS: dict[int, tuple[list[Any], list[tuple[str, Any]], int]] = {}
_MAX_KEYS = 50_000


def record_key(entry: Entry) -> int:
    """An 8-byte digest of every fact of ``entry`` its writer can read."""
    facts = [getattr(entry, name) for name in _field_names(type(entry))]
    extra = sorted((k, v) for k, v in entry.extra.items() if k not in _DELIVERY_FLAGS)
    known = _KEYS.get(id(entry))
    if known is not None and known[0] == facts and known[1] == extra:
        return known[2]
    digest = hashlib.blake2b(repr((facts, extra)).encode(), digest_size=8).digest()
    key = int.from_bytes(digest, "little")
    if len(_KEYS) >= _MAX_KEYS:
        _KEYS.clear()
    _KEYS[id(entry)] = (facts, extra, key)
    return key


@dataclass(frozen=True)
class Pack:
    """One family's sums, sorted by key (:func:`record_key`)."""

    family: str
    fingerprint: str
    keys: np.ndarray  # uint64, sorted
    sizes: np.ndarray  # uint64
    md5: np.ndarray  # (n, 16) uint8
    blake3: np.ndarray  # (n, 32) uint8
    files: Listings | None = None
    """Each folder product's files (path, size, MD5), what STAC items list; None for a family
    of single-file products."""

    @classmethod
    def read(cls, path: Path) -> Pack:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                family=str(data["family"]),
                fingerprint=str(data["fingerprint"]),
                keys=data["keys"],
                sizes=data["sizes"],
                md5=data["md5"],
                blake3=data["blake3"],
                files=Listings.from_arrays(data),
            )

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        with open(tmp, "wb") as f:
            np.savez_compressed(
                f,
                family=np.array(self.family),
                fingerprint=np.array(self.fingerprint),
                keys=self.keys,
                sizes=self.sizes,
                md5=self.md5,
                blake3=self.blake3,
                **(self.files.arrays() if self.files is not None else {}),
            )
        os.replace(tmp, path)

    def _index(self, entry: Entry) -> int | None:
        key = np.uint64(record_key(entry))
        i = int(np.searchsorted(self.keys, key))
        return None if i == len(self.keys) or self.keys[i] != key else i

    def get(self, entry: Entry) -> tuple[int, str, str] | None:
        i = self._index(entry)
        if i is None:
            return None
        return int(self.sizes[i]), self.md5[i].tobytes().hex(), self.blake3[i].tobytes().hex()

    def get_files(self, entry: Entry) -> FileRows | None:
        """``(path, size, MD5)`` of each of ``entry``'s files, sorted by path, if packed."""
        i = self._index(entry) if self.files is not None else None
        return None if i is None or self.files is None else self.files.files(i)

    def __len__(self) -> int:
        return len(self.keys)


def pack_path(family: str) -> Path:
    return PACK_DIR / f"{family}.npz"


_loaded: dict[str, Pack | None] = {}
_load_lock = threading.Lock()


def fresh_pack(family: str) -> Pack | None:
    """``family``'s shipped pack if it matches the current code and libraries, else None."""
    with _load_lock:
        if family not in _loaded:
            path = pack_path(family)
            pack = None
            if path.is_file():
                try:
                    pack = Pack.read(path)
                except (OSError, ValueError, KeyError):
                    pack = None
            if pack is not None and pack.fingerprint != family_fingerprint(family):
                pack = None
            _loaded[family] = pack
        return _loaded[family]


def lookup(entry: Entry) -> tuple[int, str, str] | None:
    """``(size, md5, blake3)`` of ``entry``'s bytes from a fresh shipped pack, else None."""
    pack = fresh_pack(entry.family or "")
    return None if pack is None else pack.get(entry)


def lookup_files(entry: Entry) -> FileRows | None:
    """``(path, size, MD5)`` of each of ``entry``'s files from a fresh shipped pack, else None."""
    pack = fresh_pack(entry.family or "")
    return None if pack is None else pack.get_files(entry)


# --- building -------------------------------------------------------------------------------

_WORK: dict[str, Entry] = {}


_Row = tuple[int, int, str, str, FileRows]


def _sums_of_ids(ids: Sequence[str]) -> list[_Row]:
    import blake3

    from .payloads import Payload
    from .products import BUILDERS

    rows = []
    for product_id in ids:
        entry = _WORK[product_id]
        builder = BUILDERS[entry.family or ""]
        files = builder(entry)
        payload = Payload.from_files(entry.name, files, builder.single_file)
        md5 = hashlib.md5(payload.data, usedforsecurity=False).hexdigest()
        b3 = blake3.blake3(payload.data).hexdigest()
        listing = [] if builder.single_file else file_rows(files)
        rows.append((record_key(entry), payload.size, md5, b3, listing))
    return rows


def file_rows(files: dict[str, bytes]) -> FileRows:
    """``(path, size, MD5)`` of each file, sorted by path (what STAC per-file assets list)."""
    return [
        (rel, len(data), hashlib.md5(data, usedforsecurity=False).hexdigest())
        for rel, data in sorted(files.items())
    ]


def build_packs(
    families: Sequence[str] | None = None, jobs: int | None = None, force: bool = False
) -> dict[str, str]:
    """Build the packs of ``families`` (default: every family with a writer) that are missing
    or stale; what was done per family."""
    import multiprocessing

    from .catalogue import build_catalogue
    from .payloads import deliverable
    from .products import BUILDERS

    wanted = list(families or BUILDERS)
    unknown = [f for f in wanted if f not in BUILDERS]
    if unknown:
        raise ValueError(f"unknown families {unknown}: expected some of {sorted(BUILDERS)}")
    catalogue = build_catalogue(DEFAULT_SEED, DEFAULT_SCALE, deliver="all")
    report: dict[str, str] = {}
    for family in wanted:
        if not force and fresh_pack(family) is not None:
            report[family] = "fresh"
            continue
        fingerprint = family_fingerprint(family)  # of the code the builds below run
        # Products of one place next to each other: writers cache per-site work.
        entries = sorted(
            (e for e in catalogue.by_id.values() if e.family == family and deliverable(e)),
            key=lambda e: e.name,
        )
        _WORK.clear()
        _WORK.update({e.id: e for e in entries})
        ids = [e.id for e in entries]
        chunks = [ids[i : i + 64] for i in range(0, len(ids), 64)]
        started = time.perf_counter()
        rows: list[_Row] = []
        workers = jobs or os.cpu_count() or 1
        if workers > 1 and len(chunks) > 1:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for part in pool.imap(_sums_of_ids, chunks):
                    rows.extend(part)
        else:
            for chunk in chunks:
                rows.extend(_sums_of_ids(chunk))
        keys = np.array([r[0] for r in rows], dtype=np.uint64)
        if len(np.unique(keys)) != len(keys):
            raise RuntimeError(f"{family}: two products share a pack key")
        order = np.argsort(keys)
        pack = Pack(
            family=family,
            fingerprint=fingerprint,
            keys=keys[order],
            sizes=np.array([r[1] for r in rows], dtype=np.uint64)[order],
            md5=_hex_rows([r[2] for r in rows], 16)[order],
            blake3=_hex_rows([r[3] for r in rows], 32)[order],
            files=None
            if BUILDERS[family].single_file
            else Listings.build([rows[i][4] for i in order]),
        )
        pack.write(pack_path(family))
        with _load_lock:
            _loaded.pop(family, None)
        report[family] = f"{len(rows)} products in {time.perf_counter() - started:.0f} s"
    _WORK.clear()
    return report


def _listings(rows: list[_Row], order: np.ndarray) -> Listings:
    return Listings.build([rows[i][4] for i in order])


def _hex_rows(values: list[str], width: int) -> np.ndarray:
    return np.frombuffer(bytes.fromhex("".join(values)), dtype=np.uint8).reshape(-1, width)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cdse_intake.emulator.sums_pack",
        description="Build the shipped sums of the default catalogue's products (make sums).",
    )
    parser.add_argument("families", nargs="*", help="families to build (default: all)")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs)")
    parser.add_argument("--force", action="store_true", help="rebuild fresh packs too")
    parser.add_argument("--check", action="store_true", help="only say which packs are stale")
    args = parser.parse_args(argv)
    if args.check:
        from .products import BUILDERS

        stale = [f for f in (args.families or BUILDERS) if fresh_pack(f) is None]
        print("stale: " + (", ".join(stale) if stale else "none"))
        return 1 if stale else 0
    for family, what in build_packs(args.families or None, args.jobs, args.force).items():
        print(f"{family}: {what}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
