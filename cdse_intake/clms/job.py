"""A CLMS task as a resumable job: kept in the job store, polled politely, downloaded once.

CLMS cuts a request in minutes to hours; its task id is written to the job store before anything
else happens, so a crash, a restart or another process finds it again instead of posting the
request twice. Polling is paced: never more often than ``Settings.clms_poll_interval`` (CLMS
answers 429 to faster polling; a 429 waits for its Retry-After, doubling up to a cap), never a
tight loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..auth.service_key import ServiceKey, ServiceKeyTokens
from ..config import Context
from ..downloads.runner import run_sync
from ..errors import CLMSResultExpired, CLMSTaskFailed, CLMSWaitTimeout, RateLimited, ServiceError
from ._http import CLMSSession
from .requests import CLMSRequest
from .results import fetch_result, forget_result, kept_result
from .store import JobStore, results_dir
from .tasks import TaskStatus, delete_task, task_status

__all__ = ["CLMSJob", "tokens_for"]

#: Longest pause between two polls after repeated 429s, seconds.
log = logging.getLogger("cdse_intake.clms")

MAX_BACKOFF = 900.0
#: Polls one ``status()`` makes when CLMS answers 429 (each after the pause it asks for).
STATUS_ATTEMPTS = 3
#: When each service key (client id) last polled: CLMS limits the polling of a user, not of a
#: task, so the jobs of one key share the pace.
_LAST_POLL: dict[str, float] = {}
_POLL_LOCK = threading.Lock()
_TOKENS: dict[tuple[str, str, str], ServiceKeyTokens] = {}


def tokens_for(key: ServiceKey, context: Context) -> ServiceKeyTokens:
    """The one token provider of ``key`` in this process (a token is reused until it expires)."""
    ident = (key.client_id, key.token_uri, str(key.path))
    with _POLL_LOCK:
        found = _TOKENS.get(ident)
        if found is None:
            found = ServiceKeyTokens(key, margin=context.settings.refresh_margin)
            _TOKENS[ident] = found
        return found


def retry_hint(task_id: str, what: str) -> str:
    return (
        f"CLMS task {task_id} {what}; to post the request again, call "
        "cdse_intake.clms.request(..., resubmit=True)"
    )


@dataclass(frozen=True, eq=False)
class CLMSJob:
    """A posted CLMS data request: ``status()``, ``wait()``, ``download()``, ``cancel()``."""

    task_id: str
    request: CLMSRequest
    key: str
    context: Context = field(repr=False)
    service_key: ServiceKey = field(repr=False)

    @property
    def result_dir(self) -> Path:
        """``<cache_dir>/clms/results/<task_id>``: where :meth:`download` puts the result."""
        return results_dir(self.context.settings.cache_dir, self.task_id)

    @property
    def record(self) -> dict[str, Any] | None:
        """The job store's record of this job (None: cancelled or forgotten)."""
        return self._store().read(self.key)

    def _store(self) -> JobStore:
        return JobStore(self.context.settings.cache_dir)

    def _session(self) -> CLMSSession:
        return CLMSSession(self.context, tokens_for(self.service_key, self.context))

    def __repr__(self) -> str:
        return f"CLMSJob(task_id={self.task_id!r}, {self.request.describe()})"

    # -- status --------------------------------------------------------------------------------
    def status(self) -> TaskStatus:
        """What CLMS says of the task now (one ``@datarequest_status_get``)."""
        return run_sync(self.status_async)

    async def status_async(self) -> TaskStatus:
        async with self._session() as session:
            for attempt in range(STATUS_ATTEMPTS):
                try:
                    return await self._poll(session)
                except RateLimited as err:  # polled just before (another call, process)
                    if attempt == STATUS_ATTEMPTS - 1:
                        raise
                    least = self.context.settings.clms_poll_interval
                    pause = min(max(err.retry_after or 0.0, least), MAX_BACKOFF)
                    log.info("CLMS asks to wait %.0f s before asking about %s", pause, self.task_id)
                    await asyncio.sleep(pause)
            raise AssertionError("unreachable")

    async def _poll(self, session: CLMSSession) -> TaskStatus:
        with _POLL_LOCK:
            _LAST_POLL[self.service_key.client_id] = time.monotonic()
        try:
            status = await task_status(session, self.task_id)
        except CLMSTaskFailed as err:
            self._mark("lost", None)
            raise CLMSTaskFailed(
                retry_hint(self.task_id, f"is lost: {err.message}"), task_id=self.task_id
            ) from err
        if status.failed:
            self._mark("failed", status.status)
        elif status.done:
            self._mark("finished", status.status, url=status.download_url, size=status.file_size)
        return status

    def _mark(self, state: str, task_status: str | None, **more: Any) -> None:
        self._store().update(self.key, state=state, task_status=task_status, **more)

    # -- waiting -------------------------------------------------------------------------------
    def wait(self, timeout: float | None = None, interval: float | None = None) -> TaskStatus:
        """Poll until the task finished; its status. ``interval`` (seconds) is raised to
        ``Settings.clms_poll_interval``; ``timeout`` (None: no limit) raises
        :class:`CLMSWaitTimeout` with the job kept. A failed task raises CLMSTaskFailed."""
        return run_sync(lambda: self.wait_async(timeout, interval))

    async def wait_async(
        self, timeout: float | None = None, interval: float | None = None
    ) -> TaskStatus:
        least = self.context.settings.clms_poll_interval
        pace = max(float(interval or least), least)
        deadline = None if timeout is None else time.monotonic() + float(timeout)
        backoff = pace
        failures = 0
        async with self._session() as session:
            while True:
                with _POLL_LOCK:
                    last = _LAST_POLL.get(self.service_key.client_id)
                due = 0.0 if last is None else last + pace - time.monotonic()
                await self._sleep(due, deadline)
                try:
                    status = await self._poll(session)
                except RateLimited as err:
                    pause = min(max(err.retry_after or 0.0, backoff, pace), MAX_BACKOFF)
                    backoff = min(backoff * 2, MAX_BACKOFF)
                    await self._sleep(pause, deadline)
                    continue
                except ServiceError as err:
                    failures += 1
                    if failures > self.context.settings.retries:
                        raise
                    await self._sleep(min(backoff, MAX_BACKOFF), deadline, err)
                    continue
                failures, backoff = 0, pace
                if status.done:
                    return status
                if status.failed:
                    what = f"ended as {status.status}: {status.message or 'no message'}"
                    raise CLMSTaskFailed(
                        retry_hint(self.task_id, what),
                        task_id=self.task_id,
                        task_status=status.status,
                    )

    async def _sleep(
        self, seconds: float, deadline: float | None, cause: BaseException | None = None
    ) -> None:
        if deadline is not None and time.monotonic() + max(seconds, 0.0) > deadline:
            raise CLMSWaitTimeout(
                f"CLMS task {self.task_id} is not finished yet; it is kept: call wait() again, "
                "or rerun the same request to pick it up",
                task_id=self.task_id,
            ) from cause
        if seconds > 0:
            await asyncio.sleep(seconds)

    # -- result --------------------------------------------------------------------------------
    def download(self, dest: Path | None = None) -> list[Path]:
        """The result's files (the zip first, then its members), fetched once into
        :attr:`result_dir` (or ``dest``); a later call returns them without a request."""
        return run_sync(lambda: self.download_async(dest))

    async def download_async(self, dest: Path | None = None) -> list[Path]:
        folder = Path(dest) if dest is not None else self.result_dir
        kept = kept_result(folder)
        if kept is not None:
            return kept
        record = self.record or {}
        url, size = record.get("url"), record.get("size")
        async with self._session() as session:
            if not url:
                status = await self._poll(session)
                if not status.done:
                    raise CLMSTaskFailed(
                        f"CLMS task {self.task_id} is {status.status}, not finished: call "
                        "wait() first",
                        task_id=self.task_id,
                        task_status=status.status,
                    )
                url, size = status.download_url, status.file_size
            try:
                files = await fetch_result(session, self.task_id, str(url), size, folder)
            except CLMSResultExpired:
                self._mark("expired", record.get("task_status"))
                raise
        self._store().update(self.key, state="downloaded", folder=str(folder))
        return files

    def cancel(self) -> None:
        """Cancel the task at CLMS (``@datarequest_delete``) and forget the job and its result."""
        run_sync(self.cancel_async)

    async def cancel_async(self) -> None:
        async with self._session() as session:
            await delete_task(session, self.task_id)
        store = self._store()
        with store.locked(self.key):
            store.remove(self.key)
        forget_result(self.result_dir)
