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

Fresh code and libraries are not enough: numpy's SIMD maths differ between CPUs in the last bit
(:func:`float_profile`), and so do some products' bytes. A pack records the profile of the
machine that built it, and machine variants (``<family>.<tag>.npz``, ``--variant``) ship
beside the main pack; :func:`believed_pack` picks the one of this machine's profile.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import hashlib
import importlib.metadata
import inspect
import logging
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

__all__ = [
    "PACK_DIR",
    "Pack",
    "believed_pack",
    "build_packs",
    "family_fingerprint",
    "fresh_packs",
    "lookup",
    "lookup_files",
]

log = logging.getLogger("cdse_intake.emulator")

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


@cache
def _emulator_imports(path: Path) -> frozenset[Path]:
    """The emulator modules ``path`` imports at run time (``TYPE_CHECKING`` blocks skipped);
    parsed once per process (every family's fingerprint walks the shared modules again)."""
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
    return frozenset(p for p in found if HERE in p.parents or p.parent == HERE)


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
    profile: str = ""
    """:func:`float_profile` of the machines whose bytes it holds, comma-separated ("" among
    them: also a machine not recorded, believed after one product's check)."""

    def profiles(self) -> list[str]:
        return self.profile.split(",")

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
                profile=str(data["profile"]) if "profile" in data.files else "",
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
                profile=np.array(self.profile),
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


def pack_path(family: str, variant: str | None = None) -> Path:
    return PACK_DIR / (f"{family}.{variant}.npz" if variant else f"{family}.npz")


def pack_paths(family: str) -> list[Path]:
    """``family``'s shipped packs: the main one, then its variants.

    The writers are deterministic on one machine, but not bit for bit across machines: numpy
    picks its SIMD kernels of ``sin``, ``exp``, ``log``... at run time (AVX-512 or AVX2 on x86),
    and they differ in the last bit, so a synthetic radar or DEM product built on another CPU
    has other bytes (seen: the S1, CCM, Landsat and gridded packs built on an AVX-512 machine
    were wrong on an AVX2 one). A variant ``<family>.<tag>.npz`` holds the sums another kind of
    machine gives (its :func:`float_profile` recorded in it); :func:`believed_pack` chooses.
    """
    main = pack_path(family)
    variants = sorted(p for p in PACK_DIR.glob(f"{family}.*.npz") if p.name != main.name)
    return [main, *variants]


@cache
def float_profile() -> str:
    """A digest of what this machine's numpy computes for the maths the writers use.

    numpy dispatches ``sin``, ``exp``, ``log``, ``power``... to SIMD kernels chosen at run time
    for the CPU (AVX-512, AVX2, NEON), and they differ in the last bit; a product painted with
    them differs too. Two machines with one profile build the same bytes.
    """
    rng = np.random.default_rng(20261207)  # PCG64: the same numbers on every machine
    digest = hashlib.sha256()
    for dtype in (np.float32, np.float64):
        x = np.concatenate(
            [rng.uniform(-10, 10, 4096), rng.uniform(0, 1000, 1024), np.linspace(-90, 90, 1024)]
        ).astype(dtype)
        pos = np.abs(x) + dtype(1e-3)
        unit = np.clip(x / dtype(10), -1, 1)
        with np.errstate(all="ignore"):
            outs = (
                *(f(x) for f in (np.sin, np.cos, np.tan, np.exp, np.expm1, np.exp2, np.cbrt)),
                *(f(x) for f in (np.arctan, np.sinh, np.cosh, np.tanh, np.arcsinh)),
                *(f(pos) for f in (np.log, np.log1p, np.log2, np.log10, np.sqrt)),
                np.arcsin(unit),
                np.arccos(unit),
                np.arctan2(x, pos),
                np.power(pos, dtype(0.7)),
                np.hypot(x, pos),
                np.deg2rad(x),
            )
        for out in outs:
            digest.update(np.ascontiguousarray(out).tobytes())
    digest.update(rng.standard_normal(1024).tobytes())
    digest.update(rng.gamma(2.0, size=256).tobytes())
    return digest.hexdigest()[:12]


def _read_fresh(path: Path, family: str) -> Pack | None:
    """The pack at ``path`` if it is readable and of the current code and libraries."""
    if not path.is_file():
        return None
    try:
        pack = Pack.read(path)
    except (OSError, ValueError, KeyError):
        return None
    return pack if pack.fingerprint == family_fingerprint(family) else None


_loaded: dict[str, list[Pack]] = {}
#: The pack believed per family, once one product built here was compared with it (None: no
#: shipped pack gives this machine's bytes; products are built to be listed).
_believed: dict[str, Pack | None] = {}
_load_lock = threading.Lock()


def fresh_packs(family: str) -> list[Pack]:
    """``family``'s shipped packs that match the current code and libraries (not yet checked
    against this machine's bytes)."""
    with _load_lock:
        if family not in _loaded:
            packs = (_read_fresh(path, family) for path in pack_paths(family))
            _loaded[family] = [p for p in packs if p is not None]
        return _loaded[family]


def fresh_pack(family: str) -> Pack | None:
    """``family``'s main shipped pack if it matches the current code and libraries, else None."""
    packs = fresh_packs(family)
    return packs[0] if packs else None


def believed_pack(entry: Entry) -> Pack | None:
    """The pack of ``entry``'s family whose sums are those of the bytes built on this machine.

    Decided once per process and family: a pack built on a machine of this one's
    :func:`float_profile`; else a pack of no recorded profile (built before profiles were), once
    ``entry``'s product built here (the payload store keeps it for its download) has its sums.
    A pack of another profile is never believed (a family's products may match on one site and
    not on the next). Until decided (an entry no pack holds) None is returned.
    """
    family = entry.family or ""
    with _load_lock:
        if family in _believed:
            return _believed[family]
    packs = fresh_packs(family)
    same = [p for p in packs if float_profile() in p.profiles()]
    if same:
        with _load_lock:
            return _believed.setdefault(family, same[0])
    candidates = [p for p in packs if "" in p.profiles() and p.get(entry) is not None]
    if not candidates:
        if not any("" in p.profiles() for p in packs):
            with _load_lock:  # only packs of other machines: none will ever be believed
                _believed.setdefault(family, None)
        return None
    from .payloads import STORE  # payloads imports this module

    payload = STORE.payload(entry)
    built = (payload.size, payload.md5, payload.blake3)
    chosen = next((p for p in candidates if p.get(entry) == built), None)
    if chosen is None:
        log.info(
            "the shipped sums of %s are not this machine's bytes (%s built here): its products "
            "are built to be listed; `make sums` with --variant ships this machine's",
            family,
            entry.name,
        )
    with _load_lock:
        _believed.setdefault(family, chosen)
        return _believed[family]


def lookup(entry: Entry) -> tuple[int, str, str] | None:
    """``(size, md5, blake3)`` of ``entry``'s bytes from a fresh shipped pack true on this
    machine, else None."""
    pack = believed_pack(entry)
    return None if pack is None else pack.get(entry)


def lookup_files(entry: Entry) -> FileRows | None:
    """``(path, size, MD5)`` of each of ``entry``'s files from a fresh shipped pack true on this
    machine, else None."""
    pack = believed_pack(entry)
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
    families: Sequence[str] | None = None,
    jobs: int | None = None,
    force: bool = False,
    variant: str | None = None,
) -> dict[str, str]:
    """Build the packs of ``families`` (default: every family with a writer) that are missing
    or stale, as ``variant`` (see :func:`pack_paths`) if given; what was done per family."""
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
        if not force and _read_fresh(pack_path(family, variant), family) is not None:
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
            profile=float_profile(),
        )
        pack.write(pack_path(family, variant))
        with _load_lock:
            _loaded.pop(family, None)
            _believed.pop(family, None)
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
    parser.add_argument(
        "--variant",
        default=None,
        help="write <family>.<VARIANT>.npz beside the main pack: the sums as this machine's "
        "floating-point maths gives them, where they differ from the main pack's",
    )
    args = parser.parse_args(argv)
    if args.check:
        from .products import BUILDERS

        stale = [f for f in (args.families or BUILDERS) if fresh_pack(f) is None]
        print("stale: " + (", ".join(stale) if stale else "none"))
        return 1 if stale else 0
    built = build_packs(args.families or None, args.jobs, args.force, args.variant)
    for family, what in built.items():
        print(f"{family}: {what}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
