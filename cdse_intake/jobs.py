"""A handle for long work on a thread of its own: cancel it, await it, get its result.

:class:`Job` runs ``work(job)`` on a daemon thread so the caller's thread (a notebook kernel, a
GUI) never blocks: a streaming search (:func:`cdse_intake.api.start_search`), a download
(:func:`cdse_intake.downloads.jobs.start_download`), opening a product, fetching a preview.
``cancel()`` sets a flag and runs the hooks the work registered with :meth:`Job.on_cancel`;
``done()``, ``result()``, ``wait()`` and ``add_done_callback()`` behave as
:class:`concurrent.futures.Future`'s.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, Self, TypeVar

__all__ = ["CancelledError", "Job"]

log = logging.getLogger("cdse_intake.jobs")

T = TypeVar("T")

#: What :meth:`Job.result` raises for work that ended because it was cancelled.
CancelledError = concurrent.futures.CancelledError


class Job(Generic[T]):
    """``work(job)`` on a daemon thread named ``name``, with a handle to stop and await it.

    ``work`` receives the job: it checks :meth:`cancelled` between steps and registers with
    :meth:`on_cancel` whatever stops it mid-step (closing a stream, cancelling a task). Work that
    raises :class:`asyncio.CancelledError` or :class:`concurrent.futures.CancelledError` ends the
    job as cancelled: :meth:`result` then raises the latter.
    """

    def __init__(self, work: Callable[[Job[T]], T], *, name: str = "cdse-job") -> None:
        self.name = name
        self._work = work
        self._future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._cancel = threading.Event()
        self._hooks: list[Callable[[], Any]] = []
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def __repr__(self) -> str:
        state = "done" if self.done() else "running" if self.running() else "not started"
        return f"<{type(self).__name__} {self.name!r} {state}{' cancelled' * self.cancelled()}>"

    def start(self) -> Self:
        """Start the work's thread (once); returns the job."""
        self.thread.start()
        return self

    def _run(self) -> None:
        self._future.set_running_or_notify_cancel()
        try:
            result = self._work(self)
        except (asyncio.CancelledError, concurrent.futures.CancelledError):
            self._future.set_exception(CancelledError(f"{self.name} was cancelled"))
        except BaseException as err:  # handed to whoever asks for the result
            self._future.set_exception(err)
        else:
            self._future.set_result(result)

    # -- control ---------------------------------------------------------------------------------
    def cancel(self) -> None:
        """Ask the work to stop: the flag is set and every :meth:`on_cancel` hook runs once.

        Returns at once; :meth:`wait` for the work to have stopped. Nothing happens once done.
        """
        with self._lock:
            if self._cancel.is_set() or self._future.done():
                return
            self._cancel.set()
            hooks, self._hooks = self._hooks, []
        for hook in hooks:
            self._call(hook)

    def on_cancel(self, hook: Callable[[], Any]) -> None:
        """Call ``hook()`` on :meth:`cancel` (at once if the job is already cancelled)."""
        with self._lock:
            if not self._cancel.is_set():
                self._hooks.append(hook)
                return
        self._call(hook)

    @staticmethod
    def _call(hook: Callable[[], Any]) -> None:
        try:
            hook()
        except Exception:  # one failing hook must not keep the others from stopping work
            log.exception("a cancel hook failed")

    # -- state -----------------------------------------------------------------------------------
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called (the work may still be winding down)."""
        return self._cancel.is_set()

    def running(self) -> bool:
        """Whether the work's thread is alive (done callbacks included)."""
        return self.thread.is_alive()

    def done(self) -> bool:
        """Whether the work has returned or raised."""
        return self._future.done()

    def result(self, timeout: float | None = None) -> T:
        """The work's return value, waiting up to ``timeout`` seconds (``TimeoutError`` after).

        Raises what the work raised; :class:`concurrent.futures.CancelledError` when it stopped
        because it was cancelled.
        """
        return self._future.result(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end (the work and its done callbacks); False on timeout."""
        if self.thread.ident is None:  # never started: nothing to wait for
            return True
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def add_done_callback(self, callback: Callable[[Job[T]], Any]) -> None:
        """Call ``callback(job)`` once the work has ended, on the job's thread (at once, on the
        caller's thread, if it already has)."""
        self._future.add_done_callback(lambda _: callback(self))
