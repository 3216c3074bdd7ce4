"""Helpers shared by the download tests (no tests here)."""

from __future__ import annotations

import collections
import hashlib
import re
import zipfile
from pathlib import Path

import blake3

from cdse_intake.cache import ProductCache, file_name
from cdse_intake.cache.markers import MARKER
from cdse_intake.emulator.blob import large_product_name
from cdse_intake.product import Product

_VALUE_PATH = re.compile(r".*/Products\(([0-9a-f-]+)\)/\$value$")


def product_of(entry) -> Product:
    """The client's Product for an emulator catalogue entry (as a search would build it)."""
    return Product(
        id=entry.id,
        name=entry.name,
        collection=entry.collection,
        start=entry.start,
        size=entry.content_length,
        checksums={"MD5": entry.md5, "BLAKE3": entry.blake3},
        s3_path=entry.s3_path,
        online=entry.online,
    )


#: Large benchmark products (``add_large_product``) start with this. Emulators with the same seed
#: and scale share one cached catalogue, so a large product added by one test is seen by others.
LARGE_PREFIX = large_product_name(0)[:31]


def materialised(emu) -> list[Product]:
    """Every downloadable product of an emulator, as Products (large ones left out)."""
    return [
        product_of(e)
        for e in emu.catalogue.materialised
        if e.online and not e.name.startswith(LARGE_PREFIX)
    ]


def file_blake3(path: Path) -> str:
    h = blake3.blake3()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def final_files(root: Path) -> list[Path]:
    """Files at final paths under ``root`` (no .part, sidecars, locks, index or quarantine)."""
    skip = ("locks", "slots", "quarantine")
    out = []
    for path in root.rglob("*"):
        if not path.is_file() or any(part in skip for part in path.relative_to(root).parts):
            continue
        if path.name.endswith((".part", ".part.json", ".tmp")) or path.name.startswith("index."):
            continue
        if path.name == MARKER:  # a dest folder's list of its products (cache/markers.py)
            continue
        if path.suffix == ".csv":
            continue
        out.append(path)
    return out


def assert_final_files_verified(root: Path, emu) -> int:
    """Every file at a final path under ``root`` hashes to its catalogue checksum."""
    by_file = {file_name(product_of(e)): e for e in emu.catalogue.materialised}
    files = final_files(root)
    for path in files:
        entry = by_file.get(path.name)
        assert entry is not None, f"unexpected file at a final path: {path}"
        assert file_blake3(path) == entry.blake3, f"{path} does not match its checksum"
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                assert archive.testzip() is None
    return len(files)


def value_requests(emu) -> list:
    """The download host's $value GETs (request records)."""
    return [r for r in emu.state.log if r.method == "GET" and _VALUE_PATH.match(r.path)]


def bytes_sent_by_product(emu, statuses=(200, 206)) -> dict[str, int]:
    """Body bytes the emulator sent per product id over $value GETs."""
    out: dict[str, int] = collections.Counter()
    for rec in value_requests(emu):
        if rec.status in statuses or rec.status == 499:
            out[_VALUE_PATH.match(rec.path)[1]] += rec.bytes_sent
    return out


def grants(emu, kind: str) -> int:
    return sum(1 for r in emu.state.log if r.grant_type == kind)


def md5_of(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def cache_of(settings) -> ProductCache:
    return ProductCache(settings.cache_dir)
