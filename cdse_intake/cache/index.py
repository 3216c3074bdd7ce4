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
corrupt one (:mod:`.audit`). Every verified file, inside the root too, is noted in its folder's
marker, from which a damaged index is rebuilt (:mod:`.index_db`).

A damaged cache degrades, never aborts, each problem said in one logged line: a damaged index is
set aside and rebuilt, a read-only one still serves verified products (what it cannot record is
said), and locks survive what stands in their place (:mod:`.locks`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CDSEError, DownloadError
from ..product import Product
from . import degrade, index_db
from .checksums import normalise_algorithm
from .layout import file_name
from .locks import SafeLock
from .safety import safe_filename

if TYPE_CHECKING:
    from .audit import Relinked

__all__ = ["CacheEntry", "ProductCache"]

log = logging.getLogger("cdse_intake.cache")


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

    def lock(self, product: Product | str) -> SafeLock:
        """A file lock for one product, shared by every process using this cache.

        Not thread-local (it may be released from another thread than the one that acquired
        it). Each call returns a new lock object, so two holders in one process also exclude
        each other. A symlink or folder in the lock file's place is cleared first; where no
        lock file can be made (a read-only cache) it locks within this process (:mod:`.locks`).
        """
        product_id = safe_filename(_id_of(product))
        return SafeLock(self.root / "locks" / f"{product_id}.lock")

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
        identity = degrade.identity(self.index_path)
        if identity is None and not create:
            yield None
            return
        cached = getattr(self._local, "conn", None)
        if cached is not None and cached[:2] == (os.getpid(), identity):
            yield cached[2]
            return
        self._drop_connection()
        yield self._install(self._open())

    def _open(self) -> sqlite3.Connection:
        """A connection to the index, whatever its state (see :mod:`.index_db`)."""
        with contextlib.suppress(OSError):  # a read-only cache: the index is opened read-only
            self.root.mkdir(parents=True, exist_ok=True)
        try:
            return index_db.connect(self.index_path)
        except sqlite3.Error as err:
            kind = index_db.classify(err)
            if kind == "damaged":
                return degrade.repair(self, err)
            if kind == "readonly":
                return degrade.read_only(self, err)
            if kind == "busy":
                raise  # a live writer for 30 s: not damage
            return degrade.in_memory(self, err)

    def _install(self, conn: sqlite3.Connection) -> sqlite3.Connection:
        self._local.conn = (os.getpid(), degrade.identity(self.index_path), conn)
        if not degrade.is_shared(conn):
            self._connections.append((os.getpid(), conn))
        return conn

    def _drop_connection(self) -> None:
        cached = getattr(self._local, "conn", None)
        self._local.conn = None
        if cached is not None and cached[0] == os.getpid() and not degrade.is_shared(cached[2]):
            cached[2].close()

    def _use(self, run: Callable[[sqlite3.Connection], Any], create: bool = True) -> Any:
        """``run(connection)`` (None without an index); an index found damaged on the way is
        set aside and rebuilt, then ``run`` tried again."""
        try:
            with self._connect(create) as conn:
                return None if conn is None else run(conn)
        except sqlite3.DatabaseError as err:
            if index_db.classify(err) != "damaged":
                raise
            self._drop_connection()
            return run(self._install(degrade.repair(self, err)))

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
        """Insert or replace an index row, and note the file in its folder's marker (what a
        damaged index is rebuilt from). A read-only index is said, not raised: the file stays
        verified and served for this run."""
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
        row = (product_id, name, self._stored_path(path), size, algorithm, checksum)
        try:
            self._use(
                lambda conn: conn.execute(
                    "INSERT OR REPLACE INTO products VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (*row, now.isoformat()),
                )
            )
        except sqlite3.OperationalError as err:
            if index_db.classify(err) != "readonly":
                raise
            log.warning(
                "could not record %s in the cache index %s (%s): verified at %s, checked again "
                "next time",
                name,
                self.index_path,
                degrade.one_line(err),
                path,
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
        row = self._use(
            lambda conn: conn.execute(
                "SELECT * FROM products WHERE id = ?", (_id_of(product),)
            ).fetchone(),
            create=False,
        )
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
        """Drop a product from the index (its file stays); True when it was there (False, said,
        when the index is read-only)."""
        try:
            count = self._use(
                lambda conn: (
                    conn.execute(
                        "DELETE FROM products WHERE id = ?", (_id_of(product_id),)
                    ).rowcount
                ),
                create=False,
            )
        except sqlite3.OperationalError as err:
            if index_db.classify(err) != "readonly":
                raise
            log.warning(
                "could not forget %s in %s (%s)", product_id, self.index_path, degrade.one_line(err)
            )
            return False
        return bool(count)

    def entries(self) -> list[CacheEntry]:
        """Every index entry, by name."""
        rows = self._use(
            lambda conn: conn.execute("SELECT * FROM products ORDER BY name, id").fetchall(),
            create=False,
        )
        return [self._entry(row) for row in rows or ()]

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
        on_error: Callable[[Path, OSError], None] | None = None,
    ) -> int:
        """Remove partial downloads and unindexed files (see :func:`.clean.clean`)."""
        from .clean import clean

        return clean(
            self,
            partial,
            unverified,
            everything,
            min_age=min_age,
            on_remove=on_remove,
            on_error=on_error,
        )

    def indexed_now(self, path: Path) -> bool:
        """Whether ``path`` has an index entry now (it may have been recorded since a scan)."""
        if path.is_symlink():
            return False
        forms = (self._stored_path(path), self._stored_path(Path(os.path.realpath(path))))
        found = self._use(
            lambda conn: conn.execute(
                "SELECT 1 FROM products WHERE path IN (?, ?)", forms
            ).fetchone(),
            create=False,
        )
        return found is not None


def _close_all(connections: list[tuple[int, sqlite3.Connection]]) -> None:
    """Close the connections opened by this process (a forked child leaves its parent's)."""
    pid = os.getpid()
    while connections:
        owner, conn = connections.pop()
        if owner == pid:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
