"""The CLMS panel's state: find a land dataset, request a cut, follow it, open the result.

A plain object (no ipywidgets), scriptable and testable without a browser, over the core's
:mod:`cdse_intake.clms` and :class:`cdse_intake.jobs.Job`: ``search()`` and ``request()`` run on
a job's thread; ``request()`` posts the cut once (the same request picks its task up again),
waits at the pace the client keeps, downloads once and keeps the files. Observers are told
which part changed (``"datasets"``, ``"selection"``, ``"job"``, ``"status"``, ``"done"``: a
search or request ended), possibly from the job's thread. ``cancel()`` stops the waiting at
the next poll; the CLMS task is kept (its id is in the status line and ``cdse-intake clms
jobs``), ``cancel_task()`` cancels it at CLMS. :meth:`~CLMSPanelState.use_search_inputs` takes
the search panel's area (as its bounds) and dates: the panel's CLMS mode (:mod:`.modes`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import CDSEError, CLMSWaitTimeout
from ..jobs import CancelledError, Job

__all__ = ["CLMSPanelState"]

#: Seconds of waiting between two checks for a cancel, beyond the poll interval (each stretch
#: must span a poll, else ``wait`` would give up before polling).
WAIT_SLICE = 1.0


class CLMSPanelState:
    """The inputs, the datasets found, the chosen one, and the request's job and files."""

    def __init__(
        self,
        text: str = "",
        *,
        bbox: Any = None,
        nuts: str | None = None,
        start: Any = None,
        end: Any = None,
        output_format: str = "Geotiff",
        crs: str = "EPSG:4326",
        service_key: Any = None,
    ) -> None:
        self.text = text
        self.bbox, self.nuts, self.start, self.end = bbox, nuts, start, end
        self.output_format, self.crs = output_format, crs
        self.service_key = service_key
        self.datasets: list[Any] = []
        self.selected: Any = None
        self.job: Any = None
        """The :class:`~cdse_intake.clms.CLMSJob` of the latest request."""
        self.files: list[Path] = []
        self.status = ""
        self._work: dict[str, Job[Any]] = {}
        self._observers: list[Callable[[str], None]] = []
        self._lock = threading.Lock()

    # -- observers -------------------------------------------------------------------------------
    def observe(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(part)`` when a part of the state changes."""
        self._observers.append(callback)

    def _notify(self, *parts: str) -> None:
        for part in parts:
            for callback in list(self._observers):
                callback(part)

    def _say(self, text: str) -> None:
        self.status = text
        self._notify("status")

    def _start(self, kind: str, work: Callable[[Job[Any]], Any]) -> Job[Any]:
        def guarded(job: Job[Any]) -> Any:
            try:
                return work(job)
            except (CancelledError, KeyboardInterrupt):
                raise
            except CDSEError as err:  # the reason, in one line, where the user looks
                self._say(f"{kind} failed: {err}")
                raise

        with self._lock:
            job: Job[Any] = Job(guarded, name=f"cdse-clms-{kind}")
            self._work[kind] = job
        job.add_done_callback(lambda _: self._notify("done"))
        return job.start()

    @property
    def busy(self) -> bool:
        """Whether a search or a request has not ended yet."""
        return any(not j.done() for j in self._work.values())

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the background work; False if some still runs after ``timeout``."""
        return all(job.wait(timeout) for job in list(self._work.values()))

    # -- search ----------------------------------------------------------------------------------
    def search(self, text: str | None = None) -> Job[Any]:
        """Find the datasets matching ``text`` (default: :attr:`text`) in the background."""
        from .. import clms

        if text is not None:
            self.text = text
        wanted = self.text.strip() or None
        self._say(f"searching CLMS for {wanted!r}..." if wanted else "listing CLMS datasets...")

        def work(job: Job[Any]) -> Any:
            found = list(clms.search(wanted))
            self.datasets = found
            self.selected = found[0] if len(found) == 1 else None
            self._notify("datasets", "selection")
            self._say(f"{len(found)} datasets" + (f" for {wanted!r}" if wanted else ""))
            return found

        return self._start("search", work)

    def select(self, uid: str | None) -> None:
        """Choose the dataset with UID ``uid`` among those found (None: none)."""
        self.selected = next((d for d in self.datasets if d.uid == uid), None)
        self._notify("selection")

    # -- request ---------------------------------------------------------------------------------
    def use_search_inputs(self, area: Any, start: Any = None, end: Any = None) -> None:
        """Take the search panel's area and dates as the request's (its CLMS mode does).

        ``area`` is any the search panel accepts (a bbox, bbox text, WKT, a drawn GeoJSON
        geometry): its bounds become :attr:`bbox`; a bad one raises
        :class:`~cdse_intake.errors.QueryError`. ``start``/``end``: dates or ISO text.
        """
        from ..query import Query
        from .fields import area_kwargs

        where = area_kwargs(area)
        self.bbox = list(Query(**where).geometry.bounds) if where else None
        self.start, self.end = start, end

    def request_keywords(self) -> dict[str, Any]:
        """The keywords of :func:`cdse_intake.clms.request` the inputs make."""
        from ..errors import CLMSQueryError

        time = None
        if self.start or self.end:
            if not (self.start and self.end):
                raise CLMSQueryError("give both a start and an end date, or neither")
            time = (str(self.start), str(self.end))
        bbox = self.bbox
        if isinstance(bbox, str):
            bbox = bbox.replace(",", " ").split() or None
        return {
            "bbox": bbox or None,
            "nuts": (self.nuts or "").strip() or None,
            "output_format": self.output_format,
            "crs": self.crs,
            "time": time,
            "service_key": self.service_key,
        }

    def request(self) -> Job[Any]:
        """Request the chosen dataset's cut, wait for it and download it, in the background."""
        from .. import clms
        from ..config import resolve
        from ..errors import CLMSQueryError

        if self.selected is None:
            raise CLMSQueryError("choose a dataset first")
        dataset, keywords = self.selected, self.request_keywords()
        stretch = resolve().settings.clms_poll_interval + WAIT_SLICE
        self._say(f"requesting {dataset.title!r}...")

        def work(job: Job[Any]) -> list[Path]:
            self.job, self.files = clms.request(dataset, **keywords), []
            self._notify("job")
            task = self.job.task_id
            while not job.cancelled():
                self._say(f"task {task}: waiting (the CLMS queue may take minutes to hours)")
                try:
                    self.job.wait(timeout=stretch)
                    break
                except CLMSWaitTimeout:
                    continue
            if job.cancelled():
                self._say(f"stopped waiting; task {task} is kept: request again to pick it up")
                raise CancelledError(f"waiting for task {task} was cancelled")
            self._say(f"task {task}: finished, downloading...")
            self.files = self.job.download()
            self._notify("job")
            self._say(f"task {task}: {len(self.files) - 1} files in {self.files[0].parent}")
            return self.files

        return self._start("request", work)

    def cancel(self) -> None:
        """Stop waiting (at the next poll); the CLMS task is kept."""
        for job in list(self._work.values()):
            job.cancel()

    def cancel_task(self) -> None:
        """Cancel the latest task at CLMS and forget its job and result."""
        self.cancel()
        if self.job is not None:
            self.job.cancel()
            self._say(f"task {self.job.task_id} cancelled")
            self.job, self.files = None, []
            self._notify("job")

    def open(self, **options: Any) -> Any:
        """The downloaded result as one Dataset (:func:`~cdse_intake.readers.open_clms_result`)."""
        from ..errors import CLMSError
        from ..readers import open_clms_result

        if not self.files:
            raise CLMSError("nothing downloaded yet: request a dataset first")
        return open_clms_result(self.files[0], **options)
