"""The panel's background work, by kind: which core job runs what, cancel it, wait for it.

The jobs themselves are the core's handles (:class:`cdse_intake.jobs.Job`, and the
``DownloadJob`` of :func:`~cdse_intake.downloads.jobs.start_download`): this registry only
remembers the latest job of each kind (``search``, ``download``, ``open``, ``quicklook``,
``collections``) and every job still running, so :meth:`Background.wait` covers replaced ones
too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ..jobs import Job

__all__ = ["Background"]


class Background:
    """The latest job of each kind and every job not yet finished."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: dict[str, Job[Any]] = {}
        self._jobs: list[Job[Any]] = []

    def add(self, kind: str, job: Job[Any]) -> Job[Any]:
        """Make ``job`` (started or about to be) the current one of ``kind``."""
        with self._lock:
            self._current[kind] = job
            # a job is dropped once its thread has ended: done() alone would drop one whose
            # done callbacks (the final status of a download) still run, and wait() must cover them
            self._jobs = [j for j in self._jobs if not (j.done() and not j.running())]
            self._jobs.append(job)
        return job

    def start(self, kind: str, work: Callable[[Job[Any]], Any]) -> Job[Any]:
        """Run ``work(job)`` as the current job of ``kind`` (thread ``cdse-panel-<kind>``).

        The job is registered before it starts, so the work can already check that it is still
        the current one (a newer search replaces an older one).
        """
        job: Job[Any] = Job(work, name=f"cdse-panel-{kind}")
        self.add(kind, job)
        return job.start()

    def current(self, kind: str) -> Job[Any] | None:
        with self._lock:
            return self._current.get(kind)

    def forget(self, kind: str) -> None:
        with self._lock:
            self._current.pop(kind, None)

    def cancel(self, *kinds: str) -> None:
        """Cancel the running job of each of ``kinds``."""
        for kind in kinds:
            job = self.current(kind)
            if job is not None and job.running():
                job.cancel()

    def busy(self, *ignore: str) -> bool:
        """Whether the current job of a kind not in ``ignore`` is running."""
        with self._lock:
            return any(j.running() for k, j in self._current.items() if k not in ignore)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for every job started so far; False if some still runs after ``timeout``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            jobs = list(self._jobs)
        for job in jobs:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            job.wait(left)
        return not any(j.running() for j in jobs)
