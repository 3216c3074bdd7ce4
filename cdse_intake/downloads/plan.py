"""What to download, and the manifests that record how it went.

:func:`collect` sorts what the user gave (SearchResults, Products, product ids or names, manifest
paths, or a list mixing them) without any request: names and ids are left for the catalogue
(:mod:`.keys`); :meth:`Request.plan` then makes the list of products and, for each manifest, a
:class:`ManifestRecorder` that rewrites it after every product. Each write is atomic
(:func:`~cdse_intake.manifest.write_manifest`), and writes are serialised with the row state
taken under the same lock, so whichever write lands last holds the newest state: the manifest
on disk is always a consistent snapshot.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError
from ..manifest import (
    Manifest,
    ManifestError,
    ManifestRow,
    locked,
    read_manifest,
    write_manifest,
)
from ..product import Product, is_product_id

__all__ = ["ManifestRecorder", "Plan", "Request", "collect", "make_plan"]

log = logging.getLogger("cdse_intake.download")


class ManifestRecorder:
    """A manifest file kept up to date with the download states of its rows.

    :meth:`update` only touches memory (the event loop never waits for a write); :meth:`flush`
    writes a snapshot taken after it holds the write lock, so writes land in order and the last
    one holds the newest state. A flush holds the manifest's lock across processes; when the
    file changed since this recorder read or wrote it (a search merged into it, another run
    recorded states), that file is the base and only the rows this run updated take its states.
    """

    def __init__(
        self, path: Path, manifest: Manifest, seen: tuple[int, int, int] | None = None
    ) -> None:
        self.path = path
        self.manifest = manifest
        self._rows = {row.product.id: row for row in manifest.rows}
        self._touched: set[str] = set()  # rows this run gave a state
        self._state = threading.Lock()  # the rows and their version
        self._writing = threading.Lock()  # one write at a time
        self._version = 0
        self._written = -1  # never written: the first flush writes (a new manifest appears)
        self._seen = seen  # the file as read (taken before reading it), then as last written
        self._task: asyncio.Task[None] | None = None

    def update(self, product_id: str, state: str, local_path: str, reason: str) -> None:
        """Set a row's Downloaded / LocalPath / Reason (written by the next :meth:`flush`)."""
        with self._state:
            row = self._rows.get(product_id)
            if row is None:
                return
            if state == "skipped":
                # Every skip leaves a verified file at LocalPath (found in the cache, copied
                # from a verified copy, or matching its checksum): the manifest records the
                # file's state, the Reason says why nothing was fetched. A run interrupted
                # between verifying a file and writing the manifest is then indistinguishable,
                # once run again, from one that was not interrupted.
                state = "verified"
            row.downloaded, row.local_path, row.reason = state, local_path, reason
            self._touched.add(product_id)
            self._version += 1

    def _adopt(self, disk: Manifest) -> None:
        """Take ``disk`` (the file as another writer left it) as the base, with this run's
        states on the rows it updated and the rows it added."""
        with self._state:
            for row in disk.rows:
                mine = self._rows.get(row.product.id)
                if mine is not None and row.product.id in self._touched:
                    row.downloaded, row.local_path, row.reason = (
                        mine.downloaded,
                        mine.local_path,
                        mine.reason,
                    )
            known = {row.product.id for row in disk.rows}
            disk.rows.extend(
                dataclasses.replace(r) for r in self.manifest.rows if r.product.id not in known
            )
            self.manifest = disk
            self._rows = {row.product.id: row for row in disk.rows}
            self._version += 1

    def _snapshot(self) -> tuple[int, list[ManifestRow]]:
        with self._state:
            rows = [dataclasses.replace(r) for r in self.manifest.rows]
            return self._version, rows

    def flush(self) -> None:
        """Write the manifest now if it changed since the last write (blocking, atomic)."""
        with self._writing, locked(self.path):
            if self._written == self._version:
                return
            if _signature(self.path) != self._seen:
                try:
                    self._adopt(read_manifest(self.path))
                except ManifestError as err:  # no longer a manifest: ours replaces it
                    log.warning("rewriting %s: %s", self.path, err)
            version, rows = self._snapshot()
            m = self.manifest
            write_manifest(
                self.path,
                rows,
                query=m.query,
                backend=m.backend,
                endpoint=m.endpoint,
                created=m.created or None,
                queries=m.queries,
                searches=m.searches,
            )
            self._written = version
            self._seen = _signature(self.path)

    def flush_soon(self) -> None:
        """Write in a thread, from the event loop; changes made meanwhile coalesce."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._writer())

    async def _writer(self) -> None:
        while self._written != self._version:
            await asyncio.to_thread(self.flush)

    async def wait(self) -> None:
        if self._task is not None:
            await asyncio.shield(self._task)


def _signature(path: Path) -> tuple[int, int, int] | None:
    """What tells a rewritten file from the one seen (atomic writes change the inode)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass
class Plan:
    """The products of a run (unique ids, in the given order) and the manifests recording it."""

    products: list[Product]
    recorders: list[ManifestRecorder] = dataclasses.field(default_factory=list)


_EXPECTED = (
    "expected SearchResults, a Product, a product id or name, the path of a manifest (.csv), "
    "or a list of them"
)


@dataclass
class Request:
    """What the user asked for, sorted without a request: products, keys, manifests."""

    entries: list[Product | str]
    """Products, and product ids or names (str) still to be looked up in the catalogue."""
    manifests: list[tuple[Path, Manifest, Any]]
    """Manifests given as items: path, content, and the file's signature when read."""
    header: dict[str, Any]
    manifest: Path | None

    @property
    def keys(self) -> list[str]:
        """The product ids and names to look up (each once, in order)."""
        return list(dict.fromkeys(e for e in self.entries if isinstance(e, str)))

    def plan(self, found: dict[str, Product] | None = None) -> Plan:
        """The plan, with ``found`` mapping every key to its product."""
        found = found or {}
        products = _unique(e if isinstance(e, Product) else found[e] for e in self.entries)
        if self.manifest is None:  # every manifest given records its own products
            return Plan(products, [ManifestRecorder(*given) for given in self.manifests])
        existing: Manifest | None = None
        seen = None
        for path, loaded, signature in self.manifests:
            if path == self.manifest:
                existing, seen = loaded, signature
        if existing is None and self.manifest.exists():
            seen = _signature(self.manifest)
            existing = read_manifest(self.manifest)
        if existing is None and self.manifests:  # a manifest recorded into another file
            source = self.manifests[0][1]
            existing = dataclasses.replace(
                source, rows=[dataclasses.replace(r) for r in source.rows]
            )
        if existing is None:
            existing = Manifest(rows=[], **self.header)
        known = {row.product.id for row in existing.rows}
        existing.rows.extend(ManifestRow(product=p) for p in products if p.id not in known)
        return Plan(products, [ManifestRecorder(self.manifest, existing, seen)])


def _is_manifest_path(text: str) -> bool:
    """A path (it exists, or looks like one) rather than a product id or name."""
    if os.path.lexists(text):
        return True
    if is_product_id(text.strip()):
        return False
    return text.lower().endswith(".csv") or "/" in text or os.sep in text or "\\" in text


def collect(items: Any, manifest: str | os.PathLike[str] | None = None) -> Request:
    """Sort ``items`` (see :func:`~cdse_intake.downloads.download`); no network.

    Manifests are read here (ManifestError when one cannot be); bad items raise
    ConfigurationError naming them.
    """
    request = Request([], [], {}, Path(manifest) if manifest is not None else None)

    def add(item: Any, where: str) -> None:
        if isinstance(item, Product):
            request.entries.append(item)
        elif isinstance(item, os.PathLike) or (isinstance(item, str) and _is_manifest_path(item)):
            path = Path(item)
            signature = _signature(path)
            loaded = read_manifest(path)
            request.manifests.append((path, loaded, signature))
            request.entries.extend(row.product for row in loaded.rows)
        elif isinstance(item, str):
            key = item.strip()
            if not key:
                raise ConfigurationError(f"cannot download {where}{item!r}: {_EXPECTED}")
            request.entries.append(key)
        elif callable(getattr(item, "manifest_header", None)):  # SearchResults (a higher layer)
            request.entries.extend(item)
            request.header = request.header or dict(item.manifest_header())
        else:
            raise ConfigurationError(
                f"cannot download {where}{type(item).__name__} {item!r}: {_EXPECTED}"
            )

    if isinstance(items, (Product, str, os.PathLike)) or hasattr(items, "manifest_header"):
        add(items, "")
    elif isinstance(items, (bytes, bytearray)) or not isinstance(items, Iterable):
        raise ConfigurationError(f"cannot download {type(items).__name__} {items!r}: {_EXPECTED}")
    else:
        for number, item in enumerate(items):
            if not isinstance(item, (Product, str, os.PathLike)) and not hasattr(
                item, "manifest_header"
            ):
                raise ConfigurationError(
                    f"item {number} is a {type(item).__name__} ({item!r}); expected a Product, "
                    "a product id or name, SearchResults or a manifest path"
                )
            add(item, f"item {number}, ")
    return request


def _unique(products: Iterable[Product]) -> list[Product]:
    seen: dict[str, Product] = {}
    for p in products:
        seen.setdefault(p.id, p)
    return list(seen.values())


def make_plan(items: Any, manifest: str | os.PathLike[str] | None = None) -> Plan:
    """The plan of ``items`` that name no product by id or name (no lookup needed).

    A manifest path as ``items`` is read (ManifestError when it cannot be) and is also the one
    updated. ``manifest=`` names a file to record in instead: an existing manifest gets its rows
    updated and rows added for products it lacks; otherwise a new one is written.
    """
    request = collect(items, manifest)
    if request.keys:
        raise ConfigurationError(
            f"{', '.join(map(repr, request.keys))} must be looked up in the catalogue first "
            "(downloads.keys.lookup_products)"
        )
    return request.plan()
