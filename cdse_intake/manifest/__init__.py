"""The manifest: a search's query and products in one CSV file that survives every failure.

The seed scripts' "query log", made resumable. A commented header records the query (every
parameter, the backend, the endpoint, when, which cdse_intake), then one CSV row per product::

    # cdse_intake manifest
    # created: 2026-11-21T10:00:00Z
    # updated: 2026-11-22T08:00:00Z
    # cdse_intake: 0.1.0
    # backend: odata
    # endpoint: https://catalogue.dataspace.copernicus.eu/odata/v1
    # query: {"collection": "SENTINEL-2", "start": "2024-01-01T00:00:00Z", ...}
    #   collection = SENTINEL-2
    #   ...
    # search: {"at": "2026-11-21T10:00:00Z", "query": {...}, "found": 12, "added": 12, ...}
    Id,Name,Collection,ProductType,Start,End,Size,Checksum,MD5,BLAKE3,S3Path,Online,...

``pandas.read_csv(path, comment="#", keep_default_na=False)`` reads the table. ``Downloaded``
is ``no`` until the downloader records ``verified`` (the file at ``LocalPath`` matches its
checksum, fetched now or found verified: ``Reason`` says which) or ``failed``, with ``LocalPath``
and ``Reason``; ``skipped``, written by earlier versions, is still read. A write goes to a
temporary file in the same folder, synced and renamed over the manifest: a crash or a full disk
leaves the old or the new manifest, and a failed write raises :class:`ManifestWriteError`.

A manifest is merged, never reset (:func:`merge_manifest`): a search written into an existing
manifest keeps every row's download state, adds the products it finds for the first time, and
keeps those it no longer finds with ``InLastSearch`` ``no`` (``LastSeen``: when a search last
found them). ``# query:`` is the latest search's query; one ``# search:`` line per search
(oldest first) records each one's query, backend, endpoint, time and counts. A merge and a
download recording its states hold the manifest's lock (:func:`locked`) for their
read-modify-write, so a search merged during a download loses neither its rows nor the states.

Any value round-trips, each header field and row is one line, and no cell is a spreadsheet
formula: :mod:`._text` says how. Anything else raises :class:`ManifestError`.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import CDSEError
from ..product import Product
from ._text import csv_line, header_value, uncell, unheader

__all__ = [
    "COLUMNS", "Manifest", "ManifestError", "ManifestRow", "ManifestWriteError",
    "merge_manifest", "read_manifest", "write_manifest",
]  # fmt: skip

COLUMNS = (
    "Id", "Name", "Collection", "ProductType", "Start", "End", "Size", "Checksum", "MD5",
    "BLAKE3", "S3Path", "Online", "Downloaded", "LocalPath", "Reason", "QueryId", "InLastSearch",
    "LastSeen", "Footprint",
)  # fmt: skip

DOWNLOAD_STATES = ("no", "verified", "skipped", "failed")


class ManifestError(CDSEError, ValueError):
    """A manifest file cannot be read: not a cdse_intake manifest, or damaged."""


class ManifestWriteError(CDSEError, OSError):
    """A manifest cannot be written (disk full, read-only folder, a folder at its path); the
    file on disk is left as it was. ``errno`` and ``filename`` are the failed call's."""


@dataclass
class ManifestRow:
    """One product of a manifest with its download state."""

    product: Product
    downloaded: str = "no"
    local_path: str = ""
    reason: str = ""
    query_id: str = ""
    in_last_search: str = ""
    """``yes``/``no``: whether the latest search merged in found it (empty: not from a search)."""
    last_seen: str = ""
    """When a search last found it (UTC, ISO 8601; empty: not recorded)."""


@dataclass
class Manifest:
    """A manifest in memory: header fields and rows."""

    rows: list[ManifestRow]
    query: dict[str, Any] = field(default_factory=dict)
    backend: str = ""
    endpoint: str = ""
    created: str = ""
    version: str = ""
    updated: str = ""
    searches: list[dict[str, Any]] = field(default_factory=list)
    """One entry per search merged in, oldest first: ``at``, ``backend``, ``endpoint``,
    ``query``, ``found``, ``added``, ``missing`` (products of the manifest it did not find)."""
    queries: dict[str, dict[str, Any]] = field(default_factory=dict)
    """A multi-query search's queries (``search_many``), by query_id; else empty."""


def _best_checksum(product: Product) -> str:
    """``ALG:hex`` of the checksum the downloader verifies with (BLAKE3, else MD5)."""
    for alg in ("BLAKE3", "MD5"):
        if product.checksums.get(alg):
            return f"{alg}:{product.checksums[alg]}"
    return ""


def _row(row: ManifestRow) -> str:
    p = row.product
    footprint = ""
    if p.footprint:
        import shapely

        footprint = shapely.to_wkt(p.geometry, rounding_precision=6, trim=True)
    cells = [
        p.id,
        p.name,
        p.collection or "",
        p.product_type or "",
        p.start.isoformat().replace("+00:00", "Z") if p.start else "",
        p.end.isoformat().replace("+00:00", "Z") if p.end else "",
        "" if p.size is None else str(p.size),
        _best_checksum(p),
        p.checksums.get("MD5", ""),
        p.checksums.get("BLAKE3", ""),
        p.s3_path or "",
        "" if p.online is None else str(p.online),
        row.downloaded,
        row.local_path,
        row.reason,
        row.query_id,
        row.in_last_search,
        row.last_seen,
        footprint,
    ]
    return csv_line(cells)


def write_manifest(
    path: str | os.PathLike[str],
    rows: Iterable[ManifestRow],
    *,
    query: dict[str, Any] | None = None,
    backend: str = "",
    endpoint: str = "",
    created: str | None = None,
    queries: dict[str, dict[str, Any]] | None = None,
    searches: Sequence[Mapping[str, Any]] = (),
) -> Path:
    """Write (atomically) a manifest; returns its path. ``queries``: a multi-query search's
    queries by query_id (one ``# queries:`` JSON line, then one line per query).
    ``searches``: the history of the searches merged in (one ``# search:`` JSON line each).
    This replaces the file: :func:`merge_manifest` adds a search to an existing manifest."""
    from .._version import __version__

    target = Path(path)
    buf = io.StringIO()
    now = _now()
    query = query or {}
    buf.write("# cdse_intake manifest\n")
    buf.write(f"# created: {header_value(created or now)}\n")
    buf.write(f"# updated: {now}\n")
    buf.write(f"# cdse_intake: {__version__}\n")
    buf.write(f"# backend: {header_value(backend)}\n")
    buf.write(f"# endpoint: {header_value(endpoint)}\n")
    buf.write(f"# query: {json.dumps(query, sort_keys=True)}\n")  # JSON: ASCII, one line
    for key, value in query.items():  # for the eye only: never read back
        buf.write(f"#   {header_value(str(key))} = {header_value(str(value))}\n")
    if queries:
        ordered = {qid: dict(sorted(fields.items())) for qid, fields in queries.items()}
        buf.write(f"# queries: {json.dumps(ordered)}\n")  # in query order
        for query_id, fields in queries.items():
            buf.write(f"#   [{header_value(query_id)}] {json.dumps(fields, sort_keys=True)}\n")
    for search in searches:
        buf.write(f"# search: {json.dumps(dict(search))}\n")  # in its own key order
    buf.write(csv_line(COLUMNS))
    buf.writelines(_row(row) for row in rows)
    _replace(target, buf.getvalue().encode("utf-8"))
    return target


def _replace(target: Path, data: bytes) -> None:
    """Put ``data`` at ``target`` atomically: temporary file, fsync, rename, fsync the folder."""
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        tmp = None
        _sync_folder(target.parent)
    except OSError as err:
        raise _write_error("write", target, err) from err
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _sync_folder(folder: Path) -> None:
    """Make a rename durable (not every system can sync a folder: Windows cannot)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def locked(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the manifest at ``path`` for a read-modify-write, against every other process.

    The lock file lives in the system's temporary folder (keyed by the manifest's real path), not
    beside the manifest: a shared or read-only data folder gets no stray files.
    """
    import filelock

    real = os.path.realpath(path)
    key = hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    folder = Path(tempfile.gettempdir()) / "cdse-intake-manifest-locks"
    lock = filelock.FileLock(folder / f"{key}.lock", thread_local=False)
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        lock.acquire()
    except OSError as err:
        raise _write_error("lock", path, err) from err
    try:
        yield
    finally:
        lock.release()


def _write_error(what: str, path: str | os.PathLike[str], err: OSError) -> ManifestWriteError:
    error = ManifestWriteError(
        f"cannot {what} manifest {str(path)!r}: {err.strerror or err}; the file is unchanged"
    )
    error.errno, error.filename = err.errno, str(path)
    return error


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(text: str) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _footprint(wkt: str) -> dict[str, Any]:
    import shapely

    try:
        return json.loads(shapely.to_geojson(shapely.from_wkt(wkt)))
    except shapely.errors.ShapelyError as err:  # GEOS's own errors are no ValueError
        raise ValueError(f"Footprint is not WKT: {err}") from err


def _product(record: dict[str, str]) -> Product:
    if not record["Id"]:
        raise ValueError("no Id")
    online = record.get("Online", "")
    if online not in ("", "True", "False"):
        raise ValueError(f"Online={online!r} is not True, False or empty")
    size = int(record["Size"]) if record.get("Size") else None
    if size is not None and size < 0:
        raise ValueError(f"Size={size} is negative")
    return Product(
        id=record["Id"],
        name=record["Name"],
        collection=record.get("Collection") or None,
        product_type=record.get("ProductType") or None,
        start=_parse_time(record.get("Start", "")),
        end=_parse_time(record.get("End", "")),
        footprint=_footprint(record["Footprint"]) if record.get("Footprint") else None,
        size=size,
        checksums={alg: record[alg] for alg in ("MD5", "BLAKE3") if record.get(alg)},
        s3_path=record.get("S3Path") or None,
        online=None if online == "" else online == "True",
    )


def _read_text(source: Path) -> str:
    """The text of a regular file (a FIFO or a device is refused before it is read)."""
    try:
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise ManifestError(f"cannot read manifest {str(source)!r}: not a regular file")
            data = fh.read()
    except OSError as err:
        raise ManifestError(f"cannot read manifest {str(source)!r}: {err.strerror or err}") from err
    try:
        return data.decode("utf-8-sig")  # a BOM (a spreadsheet's "CSV UTF-8") is no part of it
    except UnicodeDecodeError as err:
        raise ManifestError(f"{str(source)!r} is not a manifest: not UTF-8 text ({err})") from err


def read_manifest(path: str | os.PathLike[str]) -> Manifest:
    """Read a manifest written by :func:`write_manifest` (or a seed script's ``Id,Name`` log);
    anything else raises :class:`ManifestError`."""
    source = Path(path)
    text = _read_text(source)
    _unlimited_fields()
    try:
        return _parse(text, str(source))
    except ManifestError:
        raise
    except (ValueError, TypeError, KeyError, RecursionError, csv.Error) as err:
        raise ManifestError(f"{str(source)!r} is damaged: {type(err).__name__}: {err}") from err


def _unlimited_fields() -> None:
    """Lift the csv module's 128 KiB field limit (a footprint can be larger); never lowered."""
    if csv.field_size_limit() < 2**31 - 1:
        csv.field_size_limit(2**31 - 1)


def _parse(text: str, source: str) -> Manifest:
    header: dict[str, str] = {}
    searches: list[dict[str, Any]] = []
    body: list[str] = []
    for line in text.split("\n"):
        line = line.removesuffix("\r")
        if line.startswith("#"):
            key, sep, value = line[1:].strip().partition(": ")
            if sep and key.strip() == "search" and not line.startswith("#  "):
                searches.append(_json_object(value, "a '# search:' line", source))
            elif sep and not line.startswith("#  "):
                header[key.strip()] = value
        elif line.strip():
            body.append(line)
    table = csv.reader(io.StringIO("\n".join(body)), strict=True)
    columns = next(table, [])
    missing = {"Id", "Name"} - set(columns)
    if missing:
        raise ManifestError(
            f"{source!r} is not a manifest: no {', '.join(sorted(missing))} column "
            f"(columns: {columns[:20]})"
        )
    rows = []
    for cells in table:
        if not any(cells):
            continue
        try:
            if len(cells) != len(columns):
                raise ValueError(f"{len(cells)} cells for {len(columns)} columns")
            record = dict(zip(columns, map(uncell, cells), strict=True))
            state = record.get("Downloaded") or "no"
            if state in ("True", "False"):  # the seed scripts' boolean column
                state = "verified" if state == "True" else "no"
            if state not in DOWNLOAD_STATES:
                raise ValueError(f"Downloaded={state!r} is not one of {DOWNLOAD_STATES}")
            rows.append(
                ManifestRow(
                    product=_product(record),
                    downloaded=state,
                    local_path=record.get("LocalPath") or "",
                    reason=record.get("Reason") or "",
                    query_id=record.get("QueryId") or "",
                    in_last_search=record.get("InLastSearch") or "",
                    last_seen=record.get("LastSeen") or "",
                )
            )
        except (KeyError, ValueError, TypeError, OverflowError, RecursionError) as err:
            raise ManifestError(
                f"{source!r}: table row {table.line_num} is damaged: {err}"
            ) from err
    queries = _json_object(header.get("queries", "{}"), "the '# queries:' header", source)
    return Manifest(
        rows=rows,
        query=_json_object(header.get("query", "{}"), "the '# query:' header", source),
        backend=unheader(header.get("backend", "")),
        endpoint=unheader(header.get("endpoint", "")),
        created=unheader(header.get("created", "")),
        version=unheader(header.get("cdse_intake", "")),
        queries=queries,
        updated=unheader(header.get("updated", "")),
        searches=searches,
    )


def _json_object(text: str, what: str, source: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise ManifestError(f"{source!r}: {what} is not JSON: {err}") from err
    if not isinstance(value, dict):
        raise ManifestError(f"{source!r}: {what} is not a JSON object")
    return value


def rows_for(
    products: Sequence[Product], query_ids: Sequence[str] | None = None
) -> list[ManifestRow]:
    """Fresh (not downloaded) rows for ``products``."""
    ids = query_ids or [""] * len(products)
    return [ManifestRow(product=p, query_id=q) for p, q in zip(products, ids, strict=True)]


def merge_manifest(
    path: str | os.PathLike[str],
    products: Iterable[Product],
    query_ids: Sequence[str] | None = None,
    *,
    query: dict[str, Any] | None = None,
    backend: str = "",
    endpoint: str = "",
    queries: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """Merge a search's ``products`` into the manifest at ``path`` (created if absent).

    Rows keep their download state (``Downloaded``, ``LocalPath``, ``Reason``) and take the
    fresh catalogue record (online state, checksums); new products are added after them, in
    search order; products the search no longer finds are kept with ``InLastSearch`` ``no``.
    The search is added to the header's history and its query becomes ``# query:``. A file
    that is not a manifest raises :class:`ManifestError` and is left as it was; the write is
    atomic. Returns the path.
    """
    target = Path(path)
    with locked(target):  # a download recording into it meanwhile merges, never overwrites
        return _merge(target, list(products), query_ids, query, backend, endpoint, queries)


def _merge(
    target: Path,
    products: list[Product],
    query_ids: Sequence[str] | None,
    query: dict[str, Any] | None,
    backend: str,
    endpoint: str,
    queries: dict[str, dict[str, Any]] | None,
) -> Path:
    existing = read_manifest(target) if os.path.lexists(target) else None
    now = _now()
    rows = list(existing.rows) if existing else []
    history = list(existing.searches) if existing else []
    if existing is not None and not history and existing.query:  # written before the history
        at, backend_, endpoint_ = existing.created, existing.backend, existing.endpoint
        history.append(dict(at=at, backend=backend_, endpoint=endpoint_, query=existing.query))
    by_id = {row.product.id: row for row in rows}
    ids = list(query_ids) if query_ids else [""] * len(products)
    if len(ids) != len(products):
        raise ValueError(f"{len(ids)} query ids for {len(products)} products; expected one each")
    found: set[str] = set()
    added = 0
    for product, query_id in zip(products, ids, strict=True):
        row = by_id.get(product.id)
        if row is None:
            row = by_id[product.id] = ManifestRow(product=product, query_id=query_id)
            rows.append(row)
            added += 1
        else:
            row.product = product  # the fresh record; the download state stays
            row.query_id = query_id or row.query_id
        row.in_last_search, row.last_seen = "yes", now
        found.add(product.id)
    for row in rows:
        if row.product.id not in found:
            row.in_last_search = "no"
    query = query or {}
    search = dict(at=now, backend=backend, endpoint=endpoint, query=query)
    search.update({"queries": queries} if queries else {})
    missing = len(rows) - len(found)
    history.append({**search, "found": len(found), "added": added, "missing": missing})
    return write_manifest(
        target,
        rows,
        query=query,
        backend=backend,
        endpoint=endpoint,
        created=existing.created if existing and existing.created else None,
        queries=queries,
        searches=history,
    )
