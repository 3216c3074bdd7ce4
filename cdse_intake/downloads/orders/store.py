"""The kept orders: one JSON record per account and product, so a restarted process finds its
orders and keeps waiting for them instead of ordering twice.

``<cache_dir>/orders/<sha256(account, product id)[:32]>.json``, written atomically (temporary
file, fsync, rename), owner-only (0600 in a 0700 folder); read-modify-writes hold
``<key>.lock`` (:class:`~cdse_intake.cache.locks.SafeLock`), so two processes ordering the same
product post it once. Records hold the order's fields and the account's username, never a
token. A record that cannot be read is set aside (``.damaged-<time>``) and the product counts as
not ordered.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from ...cache.atomic import write_atomically
from ...cache.locks import SafeLock
from .model import STATUSES, Order, from_record

__all__ = ["OrderStore"]

MAX_RECORD = 1 << 16
LOCK_TIMEOUT = 120.0
_ID = re.compile(r"[0-9A-Za-z_-]{0,64}")
_TEXT = ("product_id", "product_name", "message", "submitted", "estimated", "completed", "eviction")


class OrderStore:
    """The order records of ``<cache_dir>/orders`` for one account."""

    def __init__(self, cache_dir: Path, account: str) -> None:
        self.folder = Path(cache_dir) / "orders"
        self.account = account

    def __repr__(self) -> str:
        return f"OrderStore({str(self.folder)!r})"

    def key(self, product_id: str) -> str:
        digest = hashlib.sha256(f"{self.account}\0{product_id}".encode()).hexdigest()
        return digest[:32]

    def _path(self, product_id: str) -> Path:
        return self.folder / f"{self.key(product_id)}.json"

    @contextlib.asynccontextmanager
    async def locked(self, product_id: str) -> AsyncIterator[None]:
        """Hold the product's record lock against every other process and thread (the wait
        for it runs in a thread: the event loop is never blocked)."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = SafeLock(self.folder / f"{self.key(product_id)}.lock")
        await asyncio.to_thread(lock.acquire, timeout=LOCK_TIMEOUT)
        try:
            yield
        finally:
            lock.release()

    def read(self, product_id: str, context: Any = None) -> Order | None:
        """The kept order of ``product_id`` (None: none)."""
        return self._read_path(self._path(product_id), context)

    def _read_path(self, path: Path, context: Any) -> Order | None:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            return None
        except OSError:
            return None
        with os.fdopen(fd, "rb") as fh:
            raw = fh.read(MAX_RECORD + 1)
        try:
            record = json.loads(raw) if len(raw) <= MAX_RECORD else None
        except ValueError:
            record = None
        if not _valid(record) or record.get("account") != self.account:
            if not (isinstance(record, dict) and _valid(record)):  # damaged: set aside
                with contextlib.suppress(OSError):
                    os.replace(path, path.with_name(f"{path.name}.damaged-{int(time.time())}"))
            return None
        return from_record(record, context)

    def all(self, context: Any = None) -> list[Order]:
        """Every kept order of this account, oldest first."""
        if not self.folder.is_dir():
            return []
        paths = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
        found = (self._read_path(p, context) for p in paths)
        return [o for o in found if o is not None]

    def write(self, order: Order) -> None:
        """Keep ``order`` (atomically, owner-only)."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = self._path(order.product_id)
        record = {**order.to_record(), "account": self.account, "updated": time.time()}
        data = json.dumps(record, indent=1, sort_keys=True).encode("utf-8")
        write_atomically(target, data)


def _valid(record: Any) -> bool:
    if not isinstance(record, dict) or record.get("status") not in STATUSES:
        return False
    if not isinstance(record.get("id"), str) or not _ID.fullmatch(record["id"]):
        return False
    if not isinstance(record.get("account"), str) or not record.get("product_id"):
        return False
    return all(record.get(k) is None or isinstance(record.get(k), str) for k in _TEXT)
