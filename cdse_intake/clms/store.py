"""The kept CLMS jobs: one JSON record per request, so a rerun picks its task up again.

``<cache_dir>/clms/requests/<key>.json`` where ``key`` is the sha256 of the canonical request
and the service key's client id (:meth:`CLMSRequest.key`). Records are written atomically
(temporary file, fsync, rename), owner-only (0600 in a 0700 folder), and every
read-modify-write holds ``<key>.lock`` (:class:`~cdse_intake.cache.locks.SafeLock`), so two
processes asking for the same request post it once. No token or key is ever stored: the record
holds the request, the task id, the service key's client id and what CLMS said of the task.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from ..cache.atomic import write_atomically
from ..cache.locks import SafeLock
from ..errors import CLMSError

__all__ = ["JobStore", "results_dir"]

#: Largest record read (a real one is under 2 KB).
MAX_RECORD = 1 << 20
_KEY = re.compile(r"[0-9a-f]{64}")
_TASK = re.compile(r"[0-9A-Za-z_-]{1,64}")
#: Seconds a process waits for another holding the same request's lock.
LOCK_TIMEOUT = 600.0


def results_dir(cache_dir: Path, task_id: str) -> Path:
    """``<cache_dir>/clms/results/<task_id>``: where a task's result is kept."""
    if not _TASK.fullmatch(str(task_id)):
        raise CLMSError(f"CLMS task id {task_id!r} is not a plain id; refused as a folder name")
    return cache_dir / "clms" / "results" / str(task_id)


class JobStore:
    """The records of ``<cache_dir>/clms/requests``."""

    def __init__(self, cache_dir: Path) -> None:
        self.folder = Path(cache_dir) / "clms" / "requests"

    def __repr__(self) -> str:
        return f"JobStore({str(self.folder)!r})"

    def path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise CLMSError(f"{key!r} is not a CLMS job key (64 hex digits)")
        return self.folder / f"{key}.json"

    def _make_folder(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(OSError):
            os.chmod(self.folder, 0o700)

    def _acquire(self, key: str) -> SafeLock:
        self._make_folder()
        lock = SafeLock(self.folder / f"{key}.lock")
        try:
            lock.acquire(timeout=LOCK_TIMEOUT)
        except TimeoutError as err:
            raise CLMSError(
                f"another process holds the CLMS job {key[:12]}… for over {LOCK_TIMEOUT:.0f} s"
            ) from err
        return lock

    @contextlib.contextmanager
    def locked(self, key: str) -> Iterator[None]:
        """Hold ``key``'s lock against every other process and thread."""
        lock = self._acquire(key)
        try:
            yield
        finally:
            lock.release()

    @contextlib.asynccontextmanager
    async def locked_async(self, key: str) -> AsyncIterator[None]:
        """:meth:`locked` for async code: the wait for the lock runs in a thread."""
        lock = await asyncio.to_thread(self._acquire, key)
        try:
            yield
        finally:
            lock.release()

    def read(self, key: str) -> dict[str, Any] | None:
        """The record of ``key`` (None: none, or one that cannot be read: it is set aside)."""
        path = self.path(key)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            return None
        except OSError as err:
            raise CLMSError(f"cannot read CLMS job record {path}: {err.strerror}") from err
        with os.fdopen(fd, "rb") as fh:
            raw = fh.read(MAX_RECORD + 1)
        try:
            record = json.loads(raw) if len(raw) <= MAX_RECORD else None
        except ValueError:
            record = None
        if not isinstance(record, dict) or record.get("key") != key or not record.get("task_id"):
            aside = path.with_name(f"{path.name}.damaged-{int(time.time())}")
            with contextlib.suppress(OSError):
                os.replace(path, aside)
            return None
        return record

    def write(self, key: str, record: dict[str, Any]) -> Path:
        """Put ``record`` at ``key`` atomically, owner-only."""
        self._make_folder()
        target = self.path(key)
        data = json.dumps({**record, "key": key}, indent=1, sort_keys=True).encode("utf-8")
        write_atomically(target, data)
        _sync_folder(self.folder)
        return target

    def update(self, key: str, **changes: Any) -> dict[str, Any] | None:
        """Merge ``changes`` into ``key``'s record under its lock; the new record (None: gone)."""
        with self.locked(key):
            record = self.read(key)
            if record is None:
                return None
            record.update(changes)
            self.write(key, record)
            return record

    def remove(self, key: str) -> None:
        """Forget ``key``'s record (the caller holds the lock or accepts the race)."""
        with contextlib.suppress(FileNotFoundError):
            self.path(key).unlink()

    def records(self) -> list[dict[str, Any]]:
        """Every readable record, oldest first."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in sorted(self.folder.glob("*.json")):
            record = self.read(path.stem) if _KEY.fullmatch(path.stem) else None
            if record is not None:
                found.append(record)
        return sorted(found, key=lambda r: r.get("posted_at", ""))


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
