"""The manifest: a search's query and products in one CSV file that survives every failure.

The seed scripts' "query log", made resumable. A commented header records the query (every
parameter, the backend, the endpoint, when, which cdse_intake), then one CSV row per product::

    # cdse_intake manifest
    # created: 2026-11-21T10:00:00Z
    # cdse_intake: 0.1.0
    # backend: odata
    # endpoint: https://catalogue.dataspace.copernicus.eu/odata/v1
    # query: {"collection": "SENTINEL-2", "start": "2024-01-01T00:00:00Z", ...}
    #   collection = SENTINEL-2
    #   ...
    Id,Name,Collection,ProductType,Start,End,Size,Checksum,MD5,BLAKE3,S3Path,Online,...

``pandas.read_csv(path, comment="#")`` reads the table. Every write goes to a temporary file in
the same folder and is renamed over the manifest, so a crash leaves the old or the new manifest,
never half of one. ``Downloaded`` is ``no`` until the downloader records ``verified``,
``skipped`` or ``failed``, with ``LocalPath`` and ``Reason``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import CDSEError
from .product import Product

__all__ = ["COLUMNS", "Manifest", "ManifestError", "ManifestRow", "read_manifest", "write_manifest"]

COLUMNS = (
    "Id",
    "Name",
    "Collection",
    "ProductType",
    "Start",
    "End",
    "Size",
    "Checksum",
    "MD5",
    "BLAKE3",
    "S3Path",
    "Online",
    "Downloaded",
    "LocalPath",
    "Reason",
    "QueryId",
    "Footprint",
)

DOWNLOAD_STATES = ("no", "verified", "skipped", "failed")


class ManifestError(CDSEError, ValueError):
    """A manifest file cannot be read: not a cdse_intake manifest, or damaged."""


@dataclass
class ManifestRow:
    """One product of a manifest with its download state."""

    product: Product
    downloaded: str = "no"
    local_path: str = ""
    reason: str = ""
    query_id: str = ""


@dataclass
class Manifest:
    """A manifest in memory: header fields and rows."""

    rows: list[ManifestRow]
    query: dict[str, Any] = field(default_factory=dict)
    backend: str = ""
    endpoint: str = ""
    created: str = ""
    version: str = ""


def _best_checksum(product: Product) -> str:
    """``ALG:hex`` of the checksum the downloader verifies with (BLAKE3, else MD5)."""
    for alg in ("BLAKE3", "MD5"):
        if product.checksums.get(alg):
            return f"{alg}:{product.checksums[alg]}"
    return ""


def _row(row: ManifestRow) -> list[str]:
    p = row.product
    footprint = ""
    if p.footprint:
        import shapely

        footprint = shapely.to_wkt(p.geometry, rounding_precision=6, trim=True)
    return [
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
        footprint,
    ]


def write_manifest(
    path: str | os.PathLike[str],
    rows: Iterable[ManifestRow],
    *,
    query: dict[str, Any] | None = None,
    backend: str = "",
    endpoint: str = "",
    created: str | None = None,
) -> Path:
    """Write (atomically) a manifest; returns its path."""
    from ._version import __version__

    target = Path(path)
    buf = io.StringIO()
    created = created or datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    query = query or {}
    buf.write("# cdse_intake manifest\n")
    buf.write(f"# created: {created}\n")
    buf.write(f"# cdse_intake: {__version__}\n")
    buf.write(f"# backend: {backend}\n")
    buf.write(f"# endpoint: {endpoint}\n")
    buf.write(f"# query: {json.dumps(query, sort_keys=True)}\n")
    for key, value in query.items():
        buf.write(f"#   {key} = {value}\n")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(_row(row))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(buf.getvalue())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _parse_time(text: str) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _product(record: dict[str, str]) -> Product:
    checksums = {alg: record[alg] for alg in ("MD5", "BLAKE3") if record.get(alg)}
    footprint = None
    if record.get("Footprint"):
        import shapely

        footprint = json.loads(shapely.to_geojson(shapely.from_wkt(record["Footprint"])))
    online = record.get("Online", "")
    return Product(
        id=record["Id"],
        name=record["Name"],
        collection=record.get("Collection") or None,
        product_type=record.get("ProductType") or None,
        start=_parse_time(record.get("Start", "")),
        end=_parse_time(record.get("End", "")),
        footprint=footprint,
        size=int(record["Size"]) if record.get("Size") else None,
        checksums=checksums,
        s3_path=record.get("S3Path") or None,
        online=None if online == "" else online == "True",
    )


def read_manifest(path: str | os.PathLike[str]) -> Manifest:
    """Read a manifest written by :func:`write_manifest` (or a seed script's ``Id,Name`` log)."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ManifestError(f"cannot read manifest {str(source)!r}: {err}") from err
    header: dict[str, str] = {}
    body: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            key, sep, value = line[1:].strip().partition(": ")
            if sep and not line.startswith("#  "):
                header[key.strip()] = value
        elif line.strip():
            body.append(line)
    reader = csv.DictReader(body)
    missing = {"Id", "Name"} - set(reader.fieldnames or ())
    if missing:
        raise ManifestError(
            f"{str(source)!r} is not a manifest: no {', '.join(sorted(missing))} column "
            f"(columns: {reader.fieldnames})"
        )
    rows = []
    for number, record in enumerate(reader, start=2):
        try:
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
                )
            )
        except (KeyError, ValueError, TypeError) as err:
            raise ManifestError(f"{str(source)!r}: table row {number} is damaged: {err}") from err
    try:
        query = json.loads(header.get("query", "{}"))
    except json.JSONDecodeError as err:
        raise ManifestError(f"{str(source)!r}: the '# query:' header is not JSON: {err}") from err
    return Manifest(
        rows=rows,
        query=query,
        backend=header.get("backend", ""),
        endpoint=header.get("endpoint", ""),
        created=header.get("created", ""),
        version=header.get("cdse_intake", ""),
    )


def rows_for(
    products: Sequence[Product], query_ids: Sequence[str] | None = None
) -> list[ManifestRow]:
    """Fresh (not downloaded) rows for ``products``."""
    ids = query_ids or [""] * len(products)
    return [ManifestRow(product=p, query_id=q) for p, q in zip(products, ids, strict=True)]
