"""ProductCache: where downloaded products live, and the index of which of them are known good.

Layout under the cache root (``Settings.cache_dir``)::

    products/<collection>/<YYYY>/<MM>/<DD>/<file>   verified products (date = sensing start, UTC)
    products/.../<file>.part, <file>.part.json      a download in progress and its sidecar
    quarantine/<file>                               products whose checksum failed twice
    locks/<id>.lock                                 one lock per product, shared by processes
    slots/<account hash>/<k>.lock                   the connection budget (downloads/budget.py)
    index.sqlite                                    the index of verified products

``<file>`` is what CDSE's Content-Disposition names (cdse-api.md §2): ``<stem>.zip`` for folder
products (``.SAFE``, ``.SEN3``, ``.zarr``), the name itself for single-file products (``.nc``,
``.EOF``, ``.SAFE.zip``). Products without a collection go under ``other``, without a sensing
date under ``undated``. Every name passes :func:`~cdse_intake.cache.safety.safe_filename` first.

The index (SQLite in WAL mode, one short connection per operation, safe from many processes)
holds one row per verified product: its path (relative to the root when inside it, so the cache
can be moved), size, algorithm and checksum. :meth:`ProductCache.lookup` answers from the index
and one ``stat``; it never touches the network. A product verified outside the root (a ``dest``
folder) is also noted in that folder's marker (:mod:`.markers`), so the folder can be moved and
found again (:meth:`ProductCache.relink`); :meth:`ProductCache.check` tells a missing file from a
corrupt one (:mod:`.audit`).
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import stat
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CDSEError, DownloadError
from ..product import Product
from .checksums import normalise_algorithm
from .layout import file_name
from .safety import safe_filename

if TYPE_CHECKING:
    from .audit import Relinked

__all__ = ["CacheEntry", "ProductCache"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    path        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    algorithm   TEXT NOT NULL,
    checksum    TEXT NOT NULL,
    verified_at TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class CacheEntry:
    """One verified product in the index."""

    id: str
    name: str
    path: Path
    """Absolute path of the file (inside the cache root, or a ``dest`` folder)."""
    size: int
    algorithm: str
    """``BLAKE3``, ``MD5`` or ``size`` (no checksum published: size and zip integrity)."""
    checksum: str
    verified_at: datetime


def _id_of(product: Product | str) -> str:
    return product.id if isinstance(product, Product) else str(product)


class ProductCache:
    """The product cache under ``root``: layout, per-product locks, and the verified index."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).expanduser().absolute()
        self.index_path = self.root / "index.sqlite"
        self._local = threading.local()
        self._connections: list[tuple[int, sqlite3.Connection]] = []
        weakref.finalize(self, _close_all, self._connections)

    def __repr__(self) -> str:
        return f"ProductCache({str(self.root)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.root,))

    # -- layout -----------------------------------------------------------------------------------
    def path_for(self, product: Product) -> Path:
        """Where the verified file of ``product`` lives in the cache."""
        name = file_name(product)
        collection = safe_filename(product.collection) if product.collection else "other"
        start = product.start
        if start is None:
            folder = self.root / "products" / collection / "undated"
        else:
            if start.tzinfo is not None:
                start = start.astimezone(UTC)
            folder = (
                self.root
                / "products"
                / collection
                / f"{start.year:04d}"
                / f"{start.month:02d}"
                / f"{start.day:02d}"
            )
        return folder / name

    def part_for(self, product: Product) -> Path:
        """The in-progress download of ``product`` (its final path + ``.part``)."""
        final = self.path_for(product)
        return final.with_name(final.name + ".part")

    def sidecar_for(self, product: Product) -> Path:
        """The JSON sidecar of the ``.part`` file (id, size, algorithm, expected checksum)."""
        final = self.path_for(product)
        return final.with_name(final.name + ".part.json")

    def quarantine_for(self, product: Product) -> Path:
        """Where a product that failed verification twice is kept for inspection."""
        return self.root / "quarantine" / file_name(product)

    def lock(self, product: Product | str) -> Any:
        """A ``filelock.FileLock`` for one product, shared by every process using this cache.

        Not thread-local (it may be released from another thread than the one that acquired
        it). Each call returns a new lock object, so two holders in one process also exclude
        each other.
        """
        import filelock

        product_id = safe_filename(_id_of(product))
        folder = self.root / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        return filelock.FileLock(folder / f"{product_id}.lock", thread_local=False)

    def busy(self, product_id: str) -> bool:
        """True when another holder has the product's lock (a download is in progress)."""
        import filelock

        try:
            lock = self.lock(product_id)
        except CDSEError:
            return False
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            return True
        lock.release(force=True)
        return False

    # -- index ------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _connect(self, create: bool = True) -> Iterator[sqlite3.Connection | None]:
        """This thread's connection to the index (None: no index yet and ``create`` is False).

        One connection per thread and process, kept open: sqlite3 connections must not cross
        threads or forks, and opening one per call would checkpoint and delete the WAL file on
        every close (about 1 ms per lookup). A replaced or deleted index file is reopened.
        """
        try:
            st = os.stat(self.index_path)
            identity: tuple[int, int] | None = (st.st_dev, st.st_ino)
        except FileNotFoundError:
            if not create:
                yield None
                return
            identity = None
        cached = getattr(self._local, "conn", None)
        if cached is not None and cached[:2] == (os.getpid(), identity):
            yield cached[2]
            return
        if cached is not None and cached[0] == os.getpid():
            cached[2].close()  # the index file was replaced: reopen
        self._local.conn = None
        self.root.mkdir(parents=True, exist_ok=True)
        # check_same_thread=False only so that close() may run on another thread; each
        # connection is used by the thread that opened it.
        conn = sqlite3.connect(
            self.index_path, timeout=30, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute("PRAGMA busy_timeout = 30000")
            _setup(conn)
            st = os.stat(self.index_path)
        except BaseException:
            conn.close()
            raise
        self._local.conn = (os.getpid(), (st.st_dev, st.st_ino), conn)
        self._connections.append((os.getpid(), conn))
        yield conn

    def close(self) -> None:
        """Close the index connections this object opened (it reopens them when used again)."""
        _close_all(self._connections)
        self._local = threading.local()

    def _stored_path(self, path: Path) -> str:
        path = Path(os.path.abspath(path))
        return str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path)

    def _entry(self, row: tuple[Any, ...]) -> CacheEntry:
        product_id, name, path, size, algorithm, checksum, verified_at = row
        return CacheEntry(
            id=product_id,
            name=name,
            path=self.root / path,  # an absolute stored path stays as it is
            size=int(size),
            algorithm=algorithm,
            checksum=checksum,
            verified_at=datetime.fromisoformat(verified_at),
        )

    def record(
        self, product: Product, path: str | os.PathLike[str], algorithm: str, checksum: str
    ) -> CacheEntry:
        """Record ``path`` as the verified file of ``product`` (call after the checksum matched).

        ``algorithm`` is ``BLAKE3``, ``MD5`` or ``size``; the size is read from the file.
        """
        algorithm = normalise_algorithm(algorithm)
        path = Path(os.path.abspath(path))
        try:
            size = path.stat().st_size
        except OSError as err:
            raise DownloadError(f"cannot record {product.name!r}: {path} is missing") from err
        if product.size is not None and size != product.size:
            raise DownloadError(
                f"cannot record {product.name!r}: {path} has {size} bytes, "
                f"the product {product.size}"
            )
        now = datetime.now(UTC)
        checksum = str(checksum).lower()
        self._write_row(product.id, product.name, path, size, algorithm, checksum, now)
        return CacheEntry(product.id, product.name, path, size, algorithm, checksum, now)

    def _write_row(
        self,
        product_id: str,
        name: str,
        path: Path,
        size: int,
        algorithm: str,
        checksum: str,
        now: datetime,
    ) -> None:
        """Insert or replace an index row; note a file outside the root in its folder's marker."""
        with self._connect() as conn:
            assert conn is not None
            conn.execute(
                "INSERT OR REPLACE INTO products VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    product_id,
                    name,
                    self._stored_path(path),
                    size,
                    algorithm,
                    checksum,
                    now.isoformat(),
                ),
            )
        if not path.is_relative_to(self.root):
            from . import markers

            markers.note(
                self.root / "locks",
                path,
                product_id,
                name=name,
                size=size,
                algorithm=algorithm,
                checksum=checksum,
                verified_at=now.isoformat(),
            )

    def relocate(self, product_id: str, path: str | os.PathLike[str]) -> CacheEntry:
        """Point the index entry of ``product_id`` at ``path``: its verified file, moved there.

        The caller has checked the file (size and checksum, as :meth:`relink` does); this only
        records where it is now. KeyError when the product is not indexed.
        """
        entry = self.entry(product_id)
        if entry is None:
            raise KeyError(f"product {product_id!r} is not in the index of {self.root}")
        path = Path(os.path.abspath(path))
        now = datetime.now(UTC)
        self._write_row(
            entry.id, entry.name, path, entry.size, entry.algorithm, entry.checksum, now
        )
        return CacheEntry(
            entry.id, entry.name, path, entry.size, entry.algorithm, entry.checksum, now
        )

    def entry(self, product: Product | str) -> CacheEntry | None:
        """The index row of a product id, whether or not its file still exists."""
        with self._connect(create=False) as conn:
            if conn is None:
                return None
            row = conn.execute("SELECT * FROM products WHERE id = ?", (_id_of(product),)).fetchone()
        return self._entry(row) if row else None

    def lookup(self, product: Product | str) -> Path | None:
        """The verified local file of ``product``, or None. No network, no hashing.

        A hit needs an index entry whose file exists with the recorded size; for a Product, also
        the product's published size and checksum (same algorithm) must agree with the entry, so a
        product re-published with new content is not mistaken for the cached one.
        """
        entry = self.entry(product)
        if entry is None:
            return None
        try:
            st = os.stat(entry.path)
        except OSError:
            return None
        if not (stat.S_ISREG(st.st_mode) and st.st_size == entry.size):
            return None
        if isinstance(product, Product):
            if product.size is not None and product.size != entry.size:
                return None
            published = {k.upper(): v for k, v in product.checksums.items() if v}
            expected = published.get(entry.algorithm.upper())
            if expected and expected.lower() != entry.checksum.lower():
                return None
        return entry.path

    def forget(self, product_id: Product | str) -> bool:
        """Drop a product from the index (its file stays); True when it was there."""
        with self._connect(create=False) as conn:
            if conn is None:
                return False
            cursor = conn.execute("DELETE FROM products WHERE id = ?", (_id_of(product_id),))
            return cursor.rowcount > 0

    def entries(self) -> list[CacheEntry]:
        """Every index entry, by name."""
        with self._connect(create=False) as conn:
            if conn is None:
                return []
            rows = conn.execute("SELECT * FROM products ORDER BY name, id").fetchall()
        return [self._entry(row) for row in rows]

    # -- maintenance ------------------------------------------------------------------------------
    def verify(self, ids: Iterable[str] | None = None) -> list[tuple[CacheEntry, bool]]:
        """Re-hash the indexed files (all, or ``ids``); True where the file still matches.

        A missing file, a different size or checksum, or (algorithm ``size``) a zip that fails
        :func:`~cdse_intake.cache.safety.check_zip` is False (:meth:`check` says which).
        Unknown ids are ignored.
        """
        return [(entry, state == "ok") for entry, state in self.check(ids)]

    def check(self, ids: Iterable[str] | None = None) -> list[tuple[CacheEntry, str]]:
        """Re-hash the indexed files (all, or ``ids``): ``ok``, ``missing`` (no file at the
        indexed path: moved or deleted) or ``corrupt`` (a different size or checksum, a zip
        whose CRC fails). Unknown ids are ignored."""
        from .audit import status

        wanted = None if ids is None else {str(i) for i in ids}
        return [
            (entry, status(entry))
            for entry in self.entries()
            if wanted is None or entry.id in wanted
        ]

    def relink(
        self, look_in: Iterable[str | os.PathLike[str]], ids: Iterable[str] | None = None
    ) -> list[Relinked]:
        """Find missing files again under the ``look_in`` folders (see :func:`.audit.relink`);
        returns the :class:`~.audit.Relinked` products."""
        from .audit import relink

        return relink(self, look_in, ids)

    def forget_missing(self, ids: Iterable[str] | None = None) -> list[CacheEntry]:
        """Drop the entries (all, or ``ids``) whose file is missing; no file is touched."""
        from .audit import forget_missing

        return forget_missing(self, ids)

    def clean(
        self,
        partial: bool = True,
        unverified: bool = True,
        everything: bool = False,
        *,
        min_age: float = 60.0,
        on_remove: Callable[[Path], None] | None = None,
    ) -> int:
        """Remove partial downloads and unindexed files (see :func:`.clean.clean`)."""
        from .clean import clean

        return clean(self, partial, unverified, everything, min_age=min_age, on_remove=on_remove)

    def indexed_now(self, path: Path) -> bool:
        """Whether ``path`` has an index entry now (it may have been recorded since a scan)."""
        if path.is_symlink():
            return False
        forms = (self._stored_path(path), self._stored_path(Path(os.path.realpath(path))))
        with self._connect(create=False) as conn:
            if conn is None:
                return False
            found = conn.execute("SELECT 1 FROM products WHERE path IN (?, ?)", forms).fetchone()
        return found is not None


def _setup(conn: sqlite3.Connection) -> None:
    """WAL mode, relaxed sync and the schema, for a newly opened connection.

    WAL lets readers (lookup) run while another process writes; the mode is stored in the file,
    so it is switched once. The switch needs exclusive access and SQLite answers "database is
    locked" at once, without its busy handler, while another connection is opening the same
    new index, so it is retried here. NORMAL sync is durable across application crashes; a
    power cut may lose the last records, which only costs a re-download.
    """
    deadline = time.monotonic() + 30
    delay = 0.002
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(_SCHEMA)
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
        time.sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 0.1)


def _close_all(connections: list[tuple[int, sqlite3.Connection]]) -> None:
    """Close the connections opened by this process (a forked child leaves its parent's)."""
    pid = os.getpid()
    while connections:
        owner, conn = connections.pop()
        if owner == pid:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
