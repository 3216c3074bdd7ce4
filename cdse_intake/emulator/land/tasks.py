"""Data requests as tasks: Queued -> In_progress -> Finished_ok (or Finished_nok, Cancelled).

Real (clms.downloadtool ``utility.py``, ``utils.STATUS_LIST``; recorded ``@datarequest_search``
answers): a task id is a random integer below 10^11 as a string; statuses are ``Rejected,
Queued, In_progress, Finished_ok, Finished_nok, Cancelled``; a task holds ``Datasets`` (the
echoes), ``FMETaskId`` (the FME job number, also the result zip's name), ``RegistrationDateTime``
(naive UTC ISO), ``Status``, ``UserID``; a finished one ``DownloadURL``, ``FileSize``,
``FinalizationDateTime`` and ``Message`` ("Download process finished successfully"); cancelling
sets ``Cancelled`` and ``FinalizationDateTime``. A request repeating a dataset of the user's queued
or in-progress tasks (or itself) is refused (``DUPLICATED``).

Emulated: the phases follow the land clock (the ``delays`` at registration); a task's result
is built when it is first seen finished; failures are injected (a share, or :meth:`TaskStore.fail`)
with ``Finished_nok`` and their message [unverified: FME's failure messages]; a lost task is
purged (real tasks are cleaned up server-side), so it vanishes from search and status.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

from .clock import Clock
from .validate import DUPLICATED, Cut, RequestError

__all__ = ["STATUSES", "Task", "TaskStore"]

STATUSES = ("Rejected", "Queued", "In_progress", "Finished_ok", "Finished_nok", "Cancelled")
OK_MESSAGE = "Download process finished successfully"
FAILED_MESSAGE = "Download process failed: the FME transformation returned an error"
#: Results links stay valid this long after the task finished (CLMS docs: 72 hours).
LINK_LIFETIME = 72 * 3600.0


@dataclass
class Task:
    id: str
    fme_id: int
    user: str
    cuts: list[Cut]
    registered: float
    queued: float
    running: float
    fail_message: str | None = None
    status: str | None = None  # set once final: Finished_ok, Finished_nok, Cancelled
    finalized: float | None = None
    size: int | None = None
    url: str | None = None
    link_expires: float | None = None
    building: Any = field(default=None, repr=False)

    @property
    def done_at(self) -> float:
        return self.registered + self.queued + self.running

    def phase(self, now: float) -> str:
        """The status now; ``"Done"`` for a task due to finish whose result is not built yet."""
        if self.status is not None:
            return self.status
        if now < self.registered + self.queued:
            return "Queued"
        if now < self.done_at:
            return "In_progress"
        return "Done"

    def as_json(self, now: float) -> dict[str, Any]:
        phase = self.phase(now)
        out: dict[str, Any] = {
            "Datasets": [cut.echo for cut in self.cuts],
            "FMETaskId": self.fme_id,
            "RegistrationDateTime": Clock.iso(self.registered),
            "Status": "In_progress" if phase == "Done" else phase,
            "UserID": self.user,
        }
        if self.status == "Finished_ok":
            out.update(DownloadURL=self.url, FileSize=self.size, Message=OK_MESSAGE)
        elif self.status == "Finished_nok":
            out["Message"] = self.fail_message or FAILED_MESSAGE
        if self.finalized is not None:
            out["FinalizationDateTime"] = Clock.iso(self.finalized)
        return out


class TaskStore:
    """Every task of the land service, by id."""

    def __init__(self, clock: Clock, seed: int = 0) -> None:
        self._clock = clock
        self._rng = random.Random(seed)
        self._tasks: dict[str, Task] = {}
        self._next_fme = 4050
        self._lock = threading.Lock()

    def add(self, user: str, cuts: list[Cut], delays: tuple[float, float], share: float) -> Task:
        """Register a request; :class:`RequestError` if it repeats a pending dataset."""
        now = self._clock.now()
        with self._lock:
            pending = [
                cut.echo
                for task in self._tasks.values()
                if task.user == user and task.phase(now) in ("Queued", "In_progress")
                for cut in task.cuts
            ]
            seen: list[dict[str, Any]] = []
            for echo in [cut.echo for cut in cuts if cut.file is None] + pending:
                if echo in seen:
                    raise RequestError(DUPLICATED)
                seen.append(echo)
            task_id = str(self._rng.randint(0, 99_999_999_999))
            while task_id in self._tasks:
                task_id = str(self._rng.randint(0, 99_999_999_999))
            fails = share > 0 and self._rng.random() < share
            task = Task(task_id, self._next_fme, user, cuts, now, *delays,
                        fail_message=FAILED_MESSAGE if fails else None)  # fmt: skip
            self._next_fme += 1
            self._tasks[task_id] = task
        return task

    def get(self, task_id: str) -> Task | None:
        with self._lock:
            return self._tasks.get(str(task_id))

    def of_user(self, user: str) -> list[Task]:
        with self._lock:
            return [t for t in self._tasks.values() if t.user == user]

    def by_fme(self, fme_id: int) -> Task | None:
        with self._lock:
            return next((t for t in self._tasks.values() if t.fme_id == fme_id), None)

    def finish(self, task: Task, size: int | None, url: str | None, error: str | None) -> None:
        """Record the outcome of building the result (``error``: the task failed)."""
        with self._lock:
            if task.status is not None:
                return
            task.finalized = task.done_at
            if error is not None:
                task.status, task.fail_message = "Finished_nok", error
            else:
                task.status, task.size, task.url = "Finished_ok", size, url
                task.link_expires = task.finalized + LINK_LIFETIME

    def cancel(self, task: Task) -> None:
        with self._lock:
            task.status, task.finalized = "Cancelled", self._clock.now()

    def cancel_pending(self) -> None:
        """Cancel every task still queued or in progress (a fresh start for the next test)."""
        now = self._clock.now()
        with self._lock:
            for task in self._tasks.values():
                if task.phase(now) in ("Queued", "In_progress"):
                    task.status, task.finalized = "Cancelled", now

    def fail(self, task_id: str, message: str) -> Task:
        """Make the task fail with ``message`` (now if it is due, else when it finishes)."""
        task = self._require(task_id)
        with self._lock:
            task.fail_message = message
            if task.status is None and task.phase(self._clock.now()) == "Done":
                task.status, task.finalized = "Finished_nok", task.done_at
        return task

    def lose(self, task_id: str) -> Task:
        """Purge the task: it vanishes from search and status, its link stops working."""
        self._require(task_id)
        with self._lock:
            return self._tasks.pop(str(task_id))

    def expire_link(self, task_id: str) -> None:
        task = self._require(task_id)
        with self._lock:
            task.link_expires = self._clock.now()

    def _require(self, task_id: str) -> Task:
        task = self.get(task_id)
        if task is None:
            raise KeyError(f"no land task {task_id!r}")
        return task
