"""What the panel does with the selected products: quicklook, download, open, manifest.

A part of :class:`~.state.PanelState` (mixed into it: it uses the state's lock, observers,
results and selection). Each action is one call into the core, run as the core's background
job where it is long: :func:`~cdse_intake.catalogue.quicklook.quicklook_bytes`,
:func:`~cdse_intake.downloads.jobs.start_download` (cancellable; ``.part`` files stay for a
resume), :func:`~cdse_intake.downloads.ensure_local` then
:func:`~cdse_intake.readers.open_product`, and :meth:`SearchResults.to_manifest
<cdse_intake.results.SearchResults.to_manifest>`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..catalogue.quicklook import quicklook_bytes, quicklook_url
from ..config import Context, Endpoints, Settings
from ..downloads.jobs import DownloadJob, start_download
from ..errors import CDSEError
from ..jobs import Job
from ..product import Product
from .background import Background
from .rows import count_text
from .transfers import Transfers

__all__ = ["QUICKLOOK_CACHE", "Actions"]

log = logging.getLogger("cdse_intake.widgets")

#: Quicklooks kept in memory.
QUICKLOOK_CACHE = 64


class Actions:
    """Quicklook of the focused row; download, open and manifest of the selection."""

    # provided by PanelState
    _lock: threading.RLock
    _jobs: Background
    _notify: Callable[..., None]
    set_status: Callable[[str], None]
    context: Callable[..., Context]
    endpoints: Endpoints
    settings: Settings
    status: str
    results: list[Product]
    selected: list[int]
    focus: int | None
    query: Any
    results_backend: str
    selected_products: list[Product]

    def _init_actions(self) -> None:
        self._transfers = Transfers(self._lock)
        self._quicklooks: dict[str, bytes] = {}
        self.quicklook: bytes | None = None
        self.quicklook_name: str | None = None
        self.quicklook_error = ""
        self.downloading = False
        self.opening = False
        self.report: Any = None
        """The :class:`~cdse_intake.downloads.DownloadReport` of the last finished download."""
        self.remote = False
        """Open products by range reads from CDSE instead of downloading them first."""
        self.opened: Any = None
        self.opened_name: str | None = None

    @property
    def downloads(self) -> dict[str, dict[str, Any]]:
        """Each downloaded file's progress and state, by product name (see :meth:`download`)."""
        return self._transfers.entries

    # -- quicklook -------------------------------------------------------------------------------
    def _set_focus(self, focus: int | None) -> None:
        with self._lock:
            if focus == self.focus:
                return
            self.focus = focus
            product = self.results[focus] if focus is not None else None
            self.quicklook = None
            self.quicklook_name = product.name if product else None
            self.quicklook_error = ""
            cached = self._quicklooks.get(product.id) if product else None
            url = quicklook_url(product) if product else None
            if cached is not None:
                self.quicklook = cached
            elif product is not None and url is None:
                self.quicklook_error = "the catalogue has no quicklook for this product"
        self._notify("quicklook")
        if product is not None and cached is None and url is not None:
            self._jobs.start("quicklook", lambda _job: self._fetch_quicklook(product))

    def _fetch_quicklook(self, product: Product) -> None:
        try:
            data, error = quicklook_bytes(product, self.context()), ""
        except Exception as err:  # no preview is no reason to fail: the reason is shown
            data, error = None, f"quicklook unavailable: {err}"
        with self._lock:
            if data is not None:
                if len(self._quicklooks) >= QUICKLOOK_CACHE:
                    self._quicklooks.pop(next(iter(self._quicklooks)))
                self._quicklooks[product.id] = data
            current = self.focus is not None and self.results[self.focus].id == product.id
            if current:
                self.quicklook, self.quicklook_error = data, error
        if current:
            self._notify("quicklook")

    # -- download --------------------------------------------------------------------------------
    def download(
        self, dest: str | Path | None = None, *, via: str = "https"
    ) -> threading.Thread | None:
        """Download the selected products in the background (None if there is nothing to do).

        ``downloads[name]`` follows each file: ``bytes``, ``total``, ``status`` (queued,
        downloading, verified, failed, cancelled), ``reason`` and, once verified, the checksum
        ``algorithm`` and local ``path``. :meth:`cancel_download` stops the transfers (their
        ``.part`` files stay, so the next download resumes them).
        """
        products = self.selected_products
        if not products:
            self.set_status("select products to download first")
            return None
        if self.downloading:
            self.set_status("a download is running: cancel it or wait for it")
            return None
        context = self.context(via)  # an unknown `via` is refused before anything changes
        status = f"downloading {count_text(len(products))}…"
        job = self._jobs.add("download", self._transfer(products, context, dest, status))

        def finished(job: DownloadJob) -> None:
            report = self._transfer_done(job, products)
            self.set_status(self._transfers.summary(job.cancelled(), report))

        # on the job's thread once it ends (at once if it already has), so a join of the
        # returned thread sees the final entries and status
        job.add_done_callback(finished)
        return job.thread

    def _transfer(
        self, products: Sequence[Product], context: Context, dest: Any, status: str | None = None
    ) -> DownloadJob:
        """Start the core's download of ``products``, its progress going to ``downloads`` (and
        ``status`` to the status line, told with ``downloading`` already set)."""

        def progress(event: Any) -> None:
            if self._transfers.update(event):
                self._notify("downloads")

        with self._lock:
            self.downloading = True
            self._transfers.queue(products)
            if status is not None:
                self.status = status
        self._notify("downloads", *(["status"] if status is not None else []))
        try:
            return start_download(
                products, context, dest=dest, on_progress=progress, name="cdse-panel-download"
            )
        except Exception as err:
            self._transfers.finish(products, _NotStarted(err))
            with self._lock:
                self.downloading = False
            self._notify("downloads")
            raise

    def _transfer_done(self, job: DownloadJob, products: Sequence[Product]) -> Any:
        """Settle the entries of a finished download; its report (None: cancelled, failed)."""
        report = self._transfers.finish(products, job)
        with self._lock:
            if report is not None:
                self.report = report
            self.downloading = False
        self._notify("downloads")
        return report

    # -- open ------------------------------------------------------------------------------------
    def _target(self) -> Product:
        with self._lock:
            if self.focus is not None and self.focus in self.selected:
                return self.results[self.focus]
            chosen = self.selected_products
        if not chosen:
            raise ValueError("select a product to open first")
        return chosen[0]

    def open_selected(self, **options: Any) -> Any:
        """Open the focused selected product as xarray (:func:`cdse_intake.open_product`).

        Downloaded (verified) first unless cached or ``state.remote``; ``options`` go to
        ``open_product`` (``group=``, ``resolution=``, ``chunks=``, ...). Blocks: the panel
        uses :meth:`open_in_background`.
        """
        from ..downloads import ensure_local
        from ..readers import open_product

        product = self._target()
        options.setdefault("remote", self.remote)
        context = self.context()
        if not options["remote"]:
            ensure_local([product], context)  # the cache's copy, else one verified download
        result = open_product(
            product, endpoints=context.endpoints, settings=context.settings, **options
        )
        with self._lock:
            self.opened, self.opened_name = result, product.name
        self._notify("opened")
        return result

    def open_in_background(self, **options: Any) -> threading.Thread | None:
        """:meth:`open_selected` in the background; a product not yet cached is first
        downloaded with the same progress and cancellation as :meth:`download`."""
        try:
            product = self._target()
        except ValueError as err:
            self.set_status(str(err))
            return None
        if self.opening or self.downloading:
            self.set_status("busy: wait for the running download or open, or cancel it")
            return None
        with self._lock:
            self.opening = True
            self.status = f"opening {product.name}…"
        self._notify("status")
        return self._jobs.start("open", lambda job: self._run_open(job, product, options)).thread

    def _run_open(self, job: Job[None], product: Product, options: dict[str, Any]) -> None:
        from ..cache import ProductCache

        remote = options.get("remote", self.remote)
        try:
            if not remote and ProductCache(self.settings.cache_dir).lookup(product) is None:
                transfer = self._transfer([product], self.context(), None)
                job.on_cancel(transfer.cancel)  # cancelling the open stops its download
                transfer.wait()
                report = self._transfer_done(transfer, [product])
                if report is None or not report.ok:
                    entry = self.downloads[product.name]
                    why = entry["status"] + (f": {entry['reason']}" if entry["reason"] else "")
                    self.set_status(f"cannot open {product.name}: download {why}")
                    return
            if job.cancelled():
                self.set_status(f"opening {product.name} cancelled")
                return
            result = self.open_selected(**options)
            kind = type(result).__name__
            self.set_status(f"opened {product.name} as {kind}: panel.selected_dataset")
        except Exception as err:
            if not isinstance(err, CDSEError | OSError | ValueError):
                log.exception("the panel could not open %s", product.name)
            self.set_status(f"cannot open {product.name}: {err}")
        finally:
            with self._lock:
                self.opening = False
                self.downloading = False
            self._notify("status")

    # -- manifest --------------------------------------------------------------------------------
    def save_manifest(self, path: str | Path) -> Path:
        """Write a manifest of the selected products (all results if none is selected)."""
        from ..results import SearchResults

        with self._lock:
            if self.query is None:
                raise ValueError("run a search first: a manifest records its query")
            products = self.selected_products or list(self.results)
            backend = self.results_backend
            query = self.query
        written = SearchResults(
            query, backend=backend, endpoints=self.endpoints, products=products
        ).to_manifest(path)
        self.set_status(f"manifest of {count_text(len(products))} written to {written}")
        return written


class _NotStarted:
    """A download that could not start, as :meth:`Transfers.finish` reads a finished job."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def result(self) -> None:
        raise self.error

    def cancelled(self) -> bool:
        return False
