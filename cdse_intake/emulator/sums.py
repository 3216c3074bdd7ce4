"""Sizes and checksums of built products, remembered on disk across emulator runs.

Listing a product of a deliverable family needs its ``ContentLength`` and ``Checksum``, and
those need its bytes: MD5 cannot be computed from anything less, and every product's bytes
differ from the first ones (the zip's first member is named after the product). So the first
listing of a never-built product builds it; this store keeps what was computed in a SQLite
file, so later runs on the same machine list it at once. Rows are keyed by a fingerprint of the
writers' code and of the libraries whose output ends up in the bytes: a change to either starts
a new set (a stale size is never listed). Each product's files are remembered too (path, size,
MD5: what a STAC item's per-file assets list).

The folder is ``$CDSE_EMULATOR_CACHE``, else ``~/.cache/cdse-intake/emulator``; set
``CDSE_EMULATOR_CACHE=off`` to keep nothing on disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import sqlite3
import threading
import zlib
from functools import cache
from pathlib import Path

__all__ = ["SumsStore", "default_folder", "fingerprint"]

#: Libraries whose encoders write bytes into the products (a new release may change them).
_LIBRARIES = ("numpy", "rasterio", "h5py", "h5netcdf", "zarr", "numcodecs", "blake3")


@cache
def fingerprint() -> str:
    """A digest of the emulator's writers, the synthetic Earth they paint, the catalogue code
    and the encoding libraries."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    code = [here / "catalogue.py", here / "payloads.py", *here.glob("records/*.py")]
    scene = [p for p in here.glob("scene/**/*") if p.is_file() and "__pycache__" not in p.parts]
    for path in sorted([*code, *here.glob("products/*.py"), *scene]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for name in _LIBRARIES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            digest.update(f"{name}=={importlib.metadata.version(name)}".encode())
    return digest.hexdigest()[:16]


def default_folder() -> Path | None:
    where = os.environ.get("CDSE_EMULATOR_CACHE")
    if where == "off":
        return None
    return Path(where) if where else Path.home() / ".cache" / "cdse-intake" / "emulator"


class SumsStore:
    """``(size, md5, blake3)`` by product id and name, in ``<folder>/sums-<fingerprint>.sqlite``.

    Failing to open or write the file (a read-only home) only means nothing is remembered.
    """

    def __init__(self, folder: Path | None = None, *, enabled: bool = True) -> None:
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        folder = folder if folder is not None else default_folder()
        if not enabled or folder is None:
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(folder / f"sums-{fingerprint()}.sqlite", check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")  # a cache: a lost row is only computed again
            db.execute(
                "CREATE TABLE IF NOT EXISTS sums (id TEXT, name TEXT, size INTEGER, md5 TEXT, "
                "blake3 TEXT, PRIMARY KEY (id, name))"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS files (id TEXT, name TEXT, listing BLOB, "
                "PRIMARY KEY (id, name))"
            )
            db.commit()
            self._db = db
        except (OSError, sqlite3.Error):
            self._db = None

    def get(self, product_id: str, name: str) -> tuple[int, str, str] | None:
        if self._db is None:
            return None
        with self._lock:
            try:
                row = self._db.execute(
                    "SELECT size, md5, blake3 FROM sums WHERE id = ? AND name = ?",
                    (product_id, name),
                ).fetchone()
            except sqlite3.Error:
                return None
        return None if row is None else (int(row[0]), str(row[1]), str(row[2]))

    def put(self, product_id: str, name: str, sums: tuple[int, str, str]) -> None:
        if self._db is None:
            return
        with self._lock:
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO sums VALUES (?, ?, ?, ?, ?)", (product_id, name, *sums)
                )
                self._db.commit()
            except sqlite3.Error:
                pass

    def get_files(self, product_id: str, name: str) -> list[tuple[str, int, str]] | None:
        """``(path, size, md5)`` of every file of the product, as :meth:`put_files` kept them."""
        if self._db is None:
            return None
        with self._lock:
            try:
                row = self._db.execute(
                    "SELECT listing FROM files WHERE id = ? AND name = ?", (product_id, name)
                ).fetchone()
            except sqlite3.Error:
                return None
        if row is None:
            return None
        try:
            return [(str(p), int(n), str(m)) for p, n, m in json.loads(zlib.decompress(row[0]))]
        except (zlib.error, ValueError, TypeError):
            return None  # a damaged row: computed again

    def put_files(self, product_id: str, name: str, files: list[tuple[str, int, str]]) -> None:
        if self._db is None:
            return
        listing = zlib.compress(json.dumps(files).encode())
        with self._lock:
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO files VALUES (?, ?, ?)", (product_id, name, listing)
                )
                self._db.commit()
            except sqlite3.Error:
                pass
