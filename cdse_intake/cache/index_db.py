"""The index file itself: opened whatever state it is in, checked, set aside, rebuilt.

:class:`~.index.ProductCache` opens the index through :func:`connect`, which checks that the file
is a healthy index of this library (the ``products`` table with its columns and nothing else,
and SQLite's ``quick_check``). What can go wrong is sorted by :func:`classify`:

- ``damaged`` (truncated, random bytes, a foreign schema): the file is set aside
  (:func:`set_aside`: renamed ``index.sqlite.damaged-<time>``, never deleted) and a new index is
  rebuilt from the files present (:func:`rebuild`);
- ``readonly`` (a read-only file or folder): the index is opened read-only, so verified products
  are still served; what cannot be recorded is said, product by product;
- anything else that makes the file unusable: an index in memory, rebuilt from the files.

The rebuild trusts no file by its name alone: a product file is indexed again only when the
marker of its folder (``.cdse-products.json``, :mod:`.markers`, written beside every verified
file) lists it and its size and checksum still match (re-hashed; ``size`` products: size and
zip integrity). Files no marker vouches for stay unindexed: a download checks them against the
catalogue's checksum before using them, and ``cache clean`` removes them.
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

__all__ = ["COLUMNS", "SCHEMA", "NotAnIndex", "classify", "connect", "rebuild", "set_aside"]

COLUMNS = ("id", "name", "path", "size", "algorithm", "checksum", "verified_at")

SCHEMA = """
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


class NotAnIndex(sqlite3.DatabaseError):
    """A readable SQLite file that is not a healthy index (foreign schema, failed check)."""


def classify(err: BaseException) -> str:
    """``damaged``, ``readonly``, ``busy`` or ``other`` for an error of SQLite."""
    if isinstance(err, NotAnIndex):
        return "damaged"
    name = str(getattr(err, "sqlite_errorname", "") or "")
    text = str(err).lower()
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "not a database" in text:
        return "damaged"
    if "malformed" in text:
        return "damaged"
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return "readonly"
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return "readonly"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return "busy"
    return "other"


#: Index files found intact by this process, by (path, device, inode): SQLite's quick_check
#: reads the whole file, so it runs once per file and process; damage found later, by a query,
#: is caught there (``ProductCache._use``).
_CHECKED: set[tuple[str, int, int]] = set()


def connect(
    path: Path | str, *, read_only: bool = False, immutable: bool = False, recheck: bool = False
) -> sqlite3.Connection:
    """A checked connection to the index at ``path`` (``":memory:"``: a new one in memory).

    ``read_only``: opened with ``mode=ro`` (``immutable``: also without SQLite's locks and
    shared memory, for a WAL index in a folder where none can be created); ``recheck``: run the
    integrity check even when this process found the file intact before. Raises
    ``sqlite3.Error`` (:class:`NotAnIndex` for a file of another schema or that fails its check).
    """
    # check_same_thread=False only so that close() may run on another thread; each connection
    # is used by the thread that opened it (an index in memory is shared: SQLite serialises).
    options = {"timeout": 30, "isolation_level": None, "check_same_thread": False}
    if read_only:
        uri = f"file:{quote(os.fspath(path))}?mode=ro" + ("&immutable=1" if immutable else "")
        conn = sqlite3.connect(uri, uri=True, **options)  # type: ignore[arg-type]
    else:
        conn = sqlite3.connect(path, **options)  # type: ignore[arg-type]
    try:
        conn.execute("PRAGMA busy_timeout = 30000")
        if not read_only:
            _check(conn, new_ok=True)  # before anything is written to a file not ours
            _setup(conn)
        key = _key(path)
        if recheck or key is None or key not in _CHECKED:
            _check(conn)
            if key is not None:
                _CHECKED.add(key)
    except BaseException:
        conn.close()
        raise
    return conn


def _key(path: Path | str) -> tuple[str, int, int] | None:
    if path == ":memory:":
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (os.fspath(path), st.st_dev, st.st_ino)


def _check(conn: sqlite3.Connection, *, new_ok: bool = False) -> None:
    """NotAnIndex unless the file holds exactly our table, with our columns, and is intact
    (``new_ok``: an empty file passes; only the tables are checked)."""
    tables = {
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not row[0].startswith("sqlite_")
    }
    if new_ok and not tables:
        return
    columns = tuple(row[1] for row in conn.execute("PRAGMA table_info(products)"))
    if tables != {"products"} or columns != COLUMNS:
        raise NotAnIndex(
            f"not an index of cdse_intake (tables {sorted(tables)}, columns {list(columns)})"
        )
    if new_ok:
        return
    result = conn.execute("PRAGMA quick_check").fetchone()
    if not result or result[0] != "ok":
        raise NotAnIndex(f"its integrity check fails: {result[0] if result else 'no answer'}")


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
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() not in ("wal", "memory"):
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(SCHEMA)
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
        time.sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 0.1)


def set_aside(path: Path) -> Path:
    """Rename the index at ``path`` (and its ``-wal``/``-shm``) to ``<name>.damaged-<time>``;
    returns the new name. OSError when it cannot be renamed (nothing is deleted)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    os.rename(path, aside)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.rename(f"{path}{suffix}", f"{aside}{suffix}")
    return aside


def rebuild(conn: sqlite3.Connection, root: Path) -> tuple[int, int]:
    """Index again the product files under ``root/products`` that their folder's marker lists
    and that still match its size and checksum (re-hashed). Returns (indexed, not trusted)."""
    from .audit import same_file
    from .clean import is_partial
    from .markers import MARKER, read

    base = root / "products"
    indexed = untrusted = 0
    if base.is_symlink() or not base.is_dir():
        return 0, 0
    now = datetime.now(UTC).isoformat()
    rows = []
    for here, _dirs, files in os.walk(base, followlinks=False):
        listed = {item.path.name: item for item in read(here)} if MARKER in files else {}
        for name in sorted(files):
            if name == MARKER or is_partial(name):
                continue
            item = listed.get(name)
            if item is None or not same_file(item.path, item.size, item.algorithm, item.checksum):
                untrusted += 1
                continue
            relative = os.path.relpath(item.path, root)
            rows.append(
                (item.id, item.name, relative, item.size, item.algorithm, item.checksum, now)
            )
            indexed += 1
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany("INSERT OR REPLACE INTO products VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return indexed, untrusted
