"""What to download, and the manifest that records how it went.

:func:`make_plan` turns what the user gave (SearchResults, Products, one Product, a manifest path)
into the list of products and, when there is a manifest, a :class:`ManifestRecorder` that rewrites
it after every product. Each write is atomic (:func:`~cdse_intake.manifest.write_manifest`), and
writes are serialised with the row state taken under the same lock, so whichever write lands last
holds the newest state: the manifest on disk is always a consistent snapshot.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError
from ..manifest import Manifest, ManifestRow, read_manifest, write_manifest
from ..product import Product

__all__ = ["ManifestRecorder", "Plan", "make_plan"]


class ManifestRecorder:
    """A manifest file kept up to date with the download states of its rows.

    :meth:`update` only touches memory (the event loop never waits for a write); :meth:`flush`
    writes a snapshot taken after it holds the write lock, so writes land in order and the last
    one holds the newest state.
    """

    def __init__(self, path: Path, manifest: Manifest) -> None:
        self.path = path
        self.manifest = manifest
        self._rows = {row.product.id: row for row in manifest.rows}
        self._state = threading.Lock()  # the rows and their version
        self._writing = threading.Lock()  # one write at a time
        self._version = 0
        self._written = -1  # never written: the first flush writes (a new manifest appears)
        self._task: asyncio.Task[None] | None = None

    def update(self, product_id: str, state: str, local_path: str, reason: str) -> None:
        """Set a row's Downloaded / LocalPath / Reason (written by the next :meth:`flush`)."""
        row = self._rows.get(product_id)
        if row is None:
            return
        if state == "skipped" and row.downloaded == "verified":
            state = "verified"  # still the file this manifest verified
        with self._state:
            row.downloaded, row.local_path, row.reason = state, local_path, reason
            self._version += 1

    def _snapshot(self) -> tuple[int, list[ManifestRow]]:
        with self._state:
            rows = [
                ManifestRow(r.product, r.downloaded, r.local_path, r.reason, r.query_id)
                for r in self.manifest.rows
            ]
            return self._version, rows

    def flush(self) -> None:
        """Write the manifest now if it changed since the last write (blocking, atomic)."""
        with self._writing:
            if self._written == self._version:
                return
            version, rows = self._snapshot()
            m = self.manifest
            write_manifest(
                self.path,
                rows,
                query=m.query,
                backend=m.backend,
                endpoint=m.endpoint,
                created=m.created or None,
            )
            self._written = version

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


@dataclass
class Plan:
    """The products of a run (unique ids, in the given order) and their manifest, if any."""

    products: list[Product]
    recorder: ManifestRecorder | None = None


def _products(items: Any) -> tuple[list[Product], dict[str, Any]]:
    """The products of ``items``, and the manifest header fields of a search's results.

    Search results say what their manifest header is (``manifest_header()``); this layer does
    not import them (they sit above downloads).
    """
    header: dict[str, Any] = {}
    if isinstance(items, Product):
        return [items], header
    manifest_header = getattr(items, "manifest_header", None)
    if callable(manifest_header):
        return list(items), dict(manifest_header())
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise ConfigurationError(
            f"cannot download {type(items).__name__} {items!r}: expected SearchResults, a "
            "Product, an iterable of Products or the path of a manifest (.csv)"
        )
    products = []
    for number, item in enumerate(items):
        if not isinstance(item, Product):
            raise ConfigurationError(
                f"item {number} is a {type(item).__name__} ({item!r}); expected a Product"
            )
        products.append(item)
    return products, header


def _unique(products: Iterable[Product]) -> list[Product]:
    seen: dict[str, Product] = {}
    for p in products:
        seen.setdefault(p.id, p)
    return list(seen.values())


def make_plan(items: Any, manifest: str | os.PathLike[str] | None = None) -> Plan:
    """Resolve ``items`` and the manifest to record in.

    A manifest path as ``items`` is read (ManifestError when it cannot be) and is also the one
    updated. ``manifest=`` names a file to record in: an existing manifest gets its rows updated
    and rows added for products it lacks; otherwise a new one is written.
    """
    if isinstance(items, (str, os.PathLike)):
        path = Path(items)
        loaded = read_manifest(path)
        recorder = ManifestRecorder(Path(manifest) if manifest else path, loaded)
        return Plan(_unique(row.product for row in loaded.rows), recorder)
    products, header = _products(items)
    products = _unique(products)
    if manifest is None:
        return Plan(products)
    path = Path(manifest)
    existing = read_manifest(path) if path.exists() else None
    if existing is None:
        existing = Manifest(rows=[], **header)
    known = {row.product.id for row in existing.rows}
    existing.rows.extend(ManifestRow(product=p) for p in products if p.id not in known)
    return Plan(products, ManifestRecorder(path, existing))
