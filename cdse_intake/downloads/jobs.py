"""Background work with a handle: a download on its own thread and event loop, cancellable.

:func:`start_download` returns at once with a :class:`DownloadJob`; the products download as
:meth:`Downloader.download_async <cdse_intake.downloads.Downloader.download_async>` does it
(verified, within the connection budget, ``on_progress`` per file), on a daemon thread whose
loop is the job's own, so the caller's thread (a notebook kernel, a GUI) never blocks and needs
no event loop. :meth:`DownloadJob.cancel` cancels the run's task: every transfer stops, the
``.part`` files stay, and the next download of the same products resumes them.

The handle is :class:`cdse_intake.jobs.Job`'s, the same for every long call off the caller's
thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from ..config import Context
from ..jobs import Job
from .core import Downloader
from .progress import FileProgress
from .report import DownloadReport

__all__ = ["DownloadJob", "start_download"]

log = logging.getLogger("cdse_intake.download")


class DownloadJob(Job[DownloadReport]):
    """A :class:`Downloader` run on a thread and event loop of its own (see the module doc).

    :meth:`result` is the run's :class:`~cdse_intake.downloads.DownloadReport`, or raises
    :class:`concurrent.futures.CancelledError` when the run was cancelled.
    """

    def __init__(
        self,
        downloader: Downloader,
        items: Any,
        *,
        manifest: Any = None,
        name: str = "cdse-download",
    ) -> None:
        super().__init__(self._download, name=name)
        self.downloader = downloader
        self.items = items
        self.manifest = manifest
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[DownloadReport] | None = None
        self._task_lock = threading.Lock()
        self.on_cancel(self._cancel_task)

    def _download(self, _job: Job[DownloadReport]) -> DownloadReport:
        return asyncio.run(self._main())

    async def _main(self) -> DownloadReport:
        with self._task_lock:
            if self.cancelled():  # cancelled before the loop ran: nothing was started
                raise asyncio.CancelledError
            self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
        try:
            return await self.downloader.download_async(self.items, manifest=self.manifest)
        finally:
            with self._task_lock:
                self._loop, self._task = None, None

    def _cancel_task(self) -> None:
        # Cancelling the run's task is the Ctrl-C path of Downloader: every worker stops, the
        # .part files and their hash state stay, and the manifest gets its last write.
        with self._task_lock:
            if self._loop is not None and self._task is not None:
                # RuntimeError: the loop closed meanwhile, so the run is over anyway
                with contextlib.suppress(RuntimeError):
                    self._loop.call_soon_threadsafe(self._task.cancel)


def start_download(
    items: Any,
    context: Context,
    *,
    dest: str | os.PathLike[str] | None = None,
    on_progress: Callable[[FileProgress], None] | None = None,
    max_connections: int | None = None,
    manifest: str | os.PathLike[str] | None = None,
    name: str = "cdse-download",
) -> DownloadJob:
    """Start downloading ``items`` in the background; returns the running :class:`DownloadJob`.

    ``items`` and ``manifest`` as for :func:`cdse_intake.download`; ``context`` (from
    :func:`cdse_intake.config.resolve`) gives endpoints, settings, credentials and ``via``.
    ``on_progress`` receives a :class:`~cdse_intake.downloads.progress.FileProgress` per step of
    every file, on the job's thread. No progress bars: the caller shows progress its own way.
    Invalid arguments raise here; everything the run meets is in the report.
    """
    downloader = Downloader.for_context(
        context, dest, max_connections=max_connections, progress=False, on_progress=on_progress
    )
    return DownloadJob(downloader, items, manifest=manifest, name=name).start()
