"""PanelState: the search panel as a plain Python object; the widgets only mirror it.

Everything the panel does is here and testable without a browser or ipywidgets: the inputs
(validated per field with the library's :class:`~cdse_intake.query.Query`), the search, the
results and their order, the selection, downloads with per-file progress, opening as xarray, the
manifest and the equivalent code. Long work (search, download, open, quicklooks) runs in
background threads so the kernel stays responsive; each can be cancelled. Observers
(``state.observe(callback)``) are told what changed, with one word:

``inputs`` (values or ``errors``), ``collections``, ``status``, ``results`` (the products or
their order), ``selection``, ``downloads``, ``quicklook``, ``opened``.

Callbacks may run on a background thread; the widgets only set trait values from them.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..config import Endpoints, Settings
from ..errors import CDSEError, QueryError
from ..product import Product
from .fields import (
    FIELDS,
    CollectionChoice,
    check_fields,
    default_choices,
    live_choices,
    product_types_of,
    search_code,
    search_kwargs,
)
from .jobs import Job, get_bytes, quicklook_url

__all__ = ["SORT_KEYS", "PanelState", "quicklook_url"]

log = logging.getLogger("cdse_intake.widgets")

#: Table columns the results sort by: key -> how a product is compared.
SORT_KEYS: dict[str, Callable[[Product], Any]] = {
    "name": lambda p: p.name,
    "start": lambda p: p.start,
    "cloud": lambda p: p.cloud_cover,
    "size": lambda p: p.size,
    "online": lambda p: p.online,
}
#: Seconds between two updates of a growing result list or of a file's byte count.
PUBLISH_EVERY = 0.25
PROGRESS_EVERY = 0.1
#: Quicklooks kept in memory.
QUICKLOOK_CACHE = 64


def _input(name: str, doc: str) -> property:
    def get(self: PanelState) -> Any:
        return self._values[name]

    def put(self: PanelState, value: Any) -> None:
        self.update(**{name: value})

    return property(get, put, doc=doc)


class PanelState:
    """The search panel's inputs, results, selection and actions (see the module docstring).

    ``collection`` is a STAC id (``sentinel-2-l2a``) or an OData name (``SENTINEL-2``); other
    inputs can be given as keywords (``start="2023-01-01"``, ``area=(2.2, 48.8, 2.5, 48.9)``).
    Setting an input (``state.cloud = 20`` or :meth:`update`) re-validates: ``state.errors``
    maps each invalid field to its message.
    """

    collection = _input("collection", "STAC id or OData name; None: every collection.")
    product_type = _input("product_type", "One product type of the collection; None: all.")
    start = _input("start", "Sensing start at or after this date (date, datetime or ISO text).")
    end = _input("end", "Sensing start before this date; a bare date includes that day.")
    cloud = _input("cloud", "Highest cloud cover in percent; None: any.")
    area = _input("area", "bbox tuple, bbox/WKT/GeoJSON text, or a GeoJSON dict (map drawing).")
    tile = _input("tile", "Sentinel-2 MGRS tile, e.g. '31UFT'.")
    orbit = _input("orbit", "Absolute orbit number.")
    relative_orbit = _input("relative_orbit", "Relative orbit number.")
    backend = _input("backend", "'odata' or 'stac'.")
    limit = _input("limit", "At most this many products (None: all).")

    def __init__(
        self,
        collection: str | None = None,
        *,
        backend: str = "odata",
        endpoints: Endpoints | None = None,
        settings: Settings | None = None,
        limit: int | None = 100,
        **inputs: Any,
    ) -> None:
        unknown = set(inputs) - set(FIELDS)
        if unknown:
            raise TypeError(f"unknown panel input(s) {sorted(unknown)}; expected {FIELDS}")
        self.endpoints = Endpoints.coerce(endpoints)
        self.settings = Settings.coerce(settings)
        self._lock = threading.RLock()
        self._observers: list[Callable[[str], None]] = []
        self._jobs: dict[str, Job] = {}
        self._threads: list[threading.Thread] = []
        self._quicklooks: dict[str, bytes] = {}
        self.collections: list[CollectionChoice] = default_choices()
        self.collections_error = ""
        self._values: dict[str, Any] = dict.fromkeys(FIELDS)
        self._values.update(collection=collection, backend=backend, limit=limit, **inputs)
        self.errors: dict[str, str] = {}
        self.status = "ready"
        self.searching = False
        self.downloading = False
        self.opening = False
        self.search_args: dict[str, Any] | None = None
        """The keywords of the last search (what :meth:`code` prints for it)."""
        self.query: Any = None
        """The :class:`~cdse_intake.query.Query` of the last completed search."""
        self.results: list[Product] = []
        self.results_backend = "odata"
        """The backend that found ``results`` (recorded in manifests)."""
        self.order: list[int] = []
        """Indices of ``results`` in display order (see :meth:`sort_by`)."""
        self.sort: tuple[str, bool] | None = None
        self.selected: list[int] = []
        """Indices of ``results`` selected, in the order they were picked."""
        self.focus: int | None = None
        """The row last picked: its footprint is highlighted and its quicklook shown."""
        self.quicklook: bytes | None = None
        self.quicklook_name: str | None = None
        self.quicklook_error = ""
        self.downloads: dict[str, dict[str, Any]] = {}
        self.report: Any = None
        """The :class:`~cdse_intake.downloads.DownloadReport` of the last finished download."""
        self.remote = False
        """Open products by range reads from CDSE instead of downloading them first."""
        self.opened: Any = None
        self.opened_name: str | None = None
        self._validate()

    # -- observers -------------------------------------------------------------------------------
    def observe(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(change)`` after every change (see the module docstring)."""
        self._observers.append(callback)

    def unobserve(self, callback: Callable[[str], None]) -> None:
        self._observers.remove(callback)

    def _notify(self, *changes: str) -> None:
        for change in changes:
            for callback in list(self._observers):
                try:
                    callback(change)
                except Exception:
                    log.exception("a panel observer failed on %r", change)

    def _set_status(self, text: str) -> None:
        with self._lock:
            self.status = text
        self._notify("status")

    # -- inputs ----------------------------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        """The inputs as given (a copy)."""
        with self._lock:
            return dict(self._values)

    def update(self, **changes: Any) -> dict[str, str]:
        """Set several inputs at once; returns the new ``errors``."""
        unknown = set(changes) - set(FIELDS)
        if unknown:
            raise TypeError(f"unknown panel input(s) {sorted(unknown)}; expected {FIELDS}")
        with self._lock:
            self._values.update(changes)
            if "collection" in changes and "product_type" not in changes:
                types = product_types_of(self.collections, self._values["collection"])
                if self._values["product_type"] not in types:
                    self._values["product_type"] = None
            errors = self._validate()
        self._notify("inputs")
        return errors

    def _validate(self) -> dict[str, str]:
        with self._lock:
            self.errors = check_fields(
                self._values, self.collections, self.endpoints, self.settings
            )
            return self.errors

    @property
    def product_types(self) -> tuple[str, ...]:
        """The product types of the chosen collection (the product-type choices)."""
        return product_types_of(self.collections, self._values["collection"])

    def search_kwargs(self) -> dict[str, Any]:
        """The keywords of the :func:`cdse_intake.search` call for the current inputs."""
        with self._lock:
            if self.errors:
                raise QueryError(_errors_text(self.errors))
            return search_kwargs(self._values, self.collections)

    def code(self) -> str:
        """The equivalent ``cdse_intake.search(...)`` call for the current inputs, as Python.

        When the inputs are those of the last search and rows are selected, the code also picks
        the selected products by name. QueryError when the inputs are not valid.
        """
        kwargs = self.search_kwargs()
        with self._lock:
            same = kwargs == self.search_args
            names = [p.name for p in self.selected_products] if same else []
        return search_code(kwargs, names)

    def load_collections(self) -> threading.Thread:
        """Replace the built-in collection list by the live catalogue's (in the background)."""
        job = Job("collections")

        def run() -> None:
            from ..api import collections

            try:
                choices = live_choices(collections(self.endpoints))
            except Exception as err:  # the built-in list stays; the panel still works
                with self._lock:
                    self.collections_error = f"the live collection list is unavailable: {err}"
                self._notify("collections")
                return
            with self._lock:
                if choices:
                    self.collections = choices
                self.collections_error = ""
                self._validate()
            self._notify("collections", "inputs")

        return self._start(job, run)

    # -- search ----------------------------------------------------------------------------------
    def search(self) -> threading.Thread | None:
        """Start the search in a background thread; None (and a status) when inputs are invalid.

        Products appear in ``results`` as pages arrive; a search started while another runs
        cancels the older one.
        """
        with self._lock:
            if self.errors:
                self.status = f"cannot search: {_errors_text(self.errors)}"
                kwargs = None
            else:
                kwargs = search_kwargs(self._values, self.collections)
        if kwargs is None:
            self._notify("status")
            return None
        self.cancel_search()
        job = Job("search")
        with self._lock:
            self._jobs["search"] = job
            self.search_args = dict(kwargs)
            self.results_backend = kwargs.get("backend", "odata")
            self.query = None
            self.results, self.order, self.selected, self.focus = [], [], [], None
            self.quicklook, self.quicklook_name = None, None
            self.searching = True
            where = kwargs.get("collection") or kwargs.get("product_type") or "CDSE"
            self.status = f"searching {where}…"
        self._notify("results", "selection", "quicklook", "status")
        return self._start(job, self._run_search, job, kwargs)

    def _run_search(self, job: Job, kwargs: dict[str, Any]) -> None:
        from ..api import search

        found: list[Product] = []
        results = None
        message, ok = "", False
        try:
            results = search(**kwargs, endpoints=self.endpoints, settings=self.settings)
            with job.lock:
                job.results = results
                if job.cancelled.is_set():  # cancelled while the search was being set up
                    results.close()
            last = time.monotonic()
            for product in results:
                if job.cancelled.is_set():
                    break
                found.append(product)
                if time.monotonic() - last >= PUBLISH_EVERY:
                    last = time.monotonic()
                    self._publish(job, found, f"searching… {len(found)} products so far")
            if job.cancelled.is_set():
                message = f"search cancelled: {_count(len(found))} shown"
            else:
                limit = kwargs.get("limit")
                more = " (the limit; raise it for more)" if limit and len(found) >= limit else ""
                message, ok = f"{_count(len(found))} found{more}", True
        except CDSEError as err:
            message = f"search failed: {err}"
        except Exception as err:
            log.exception("the panel's search failed")
            message = f"search failed: {type(err).__name__}: {err}"
        finally:
            query = results.query if ok and results is not None else None
            self._publish(job, found, message, done=True, query=query)

    def _publish(
        self,
        job: Job,
        found: list[Product],
        status: str,
        *,
        done: bool = False,
        query: Any = None,
    ) -> None:
        with self._lock:
            if self._jobs.get("search") is not job:
                return  # a newer search replaced this one
            self.results = list(found)
            self.order = self._ordered()
            self.status = status
            if done:
                self.searching = False
                self.query = query
        self._notify("results", "status")

    def show_products(
        self, products: Iterable[Product], *, query: Any = None, backend: str = "odata"
    ) -> None:
        """Show these products as the results (e.g. a catalogue's or a manifest's), no search.

        ``query`` (the :class:`~cdse_intake.query.Query` that found them) is what a manifest
        saved from them records; without it, the current inputs' query is used.
        """
        from ..query import Query

        found = list(products)
        self.cancel_search()
        if query is None:
            try:
                kwargs = self.search_kwargs()
                kwargs.pop("backend", None)
                query = Query(**kwargs)
            except QueryError:
                query = Query()
        with self._lock:
            self._jobs.pop("search", None)
            self.search_args = None
            self.query = query
            self.results, self.selected, self.focus = found, [], None
            self.order = self._ordered()
            self.searching = False
            self.status = f"{_count(len(found))} shown"
            self.results_backend = backend
        self._notify("results", "selection", "status")

    # -- order and selection ---------------------------------------------------------------------
    def _ordered(self) -> list[int]:
        indices = list(range(len(self.results)))
        if self.sort is None:
            return indices
        key, descending = self.sort
        get = SORT_KEYS[key]
        known = [i for i in indices if get(self.results[i]) is not None]
        missing = [i for i in indices if get(self.results[i]) is None]
        known.sort(key=lambda i: get(self.results[i]), reverse=descending)
        return known + missing  # products without the value last, either way

    def sort_by(self, key: str, descending: bool | None = None) -> None:
        """Order the rows by ``key`` (name, start, cloud, size, online); the same key again
        reverses the order. Products lacking the value come last."""
        if key not in SORT_KEYS:
            raise ValueError(f"sort key {key!r}: expected one of {', '.join(SORT_KEYS)}")
        with self._lock:
            if descending is None:
                descending = self.sort == (key, False)
            self.sort = (key, descending)
            self.order = self._ordered()
        self._notify("results")

    @property
    def selected_products(self) -> list[Product]:
        with self._lock:
            return [self.results[i] for i in self.selected if i < len(self.results)]

    @property
    def rows(self) -> list[Product]:
        """The products in display order."""
        with self._lock:
            return [self.results[i] for i in self.order]

    def select(self, indices: Iterable[int]) -> None:
        """Select exactly these rows (indices into ``results``); the last one gets the focus."""
        with self._lock:
            chosen: list[int] = []
            for i in indices:
                if not 0 <= i < len(self.results):
                    raise IndexError(f"row {i} is not a result (there are {len(self.results)})")
                if i not in chosen:
                    chosen.append(i)
            self.selected = chosen
            focus = chosen[-1] if chosen else None
        self._set_focus(focus)
        self._notify("selection")

    def toggle(self, index: int, selected: bool | None = None) -> None:
        """Add or remove one row from the selection (``selected``: force the state)."""
        with self._lock:
            now = list(self.selected)
            on = index not in now if selected is None else selected
            if on and index not in now:
                now.append(index)
            elif not on and index in now:
                now.remove(index)
            if now == self.selected:
                return
        self.select(now)

    def select_names(self, names: Iterable[str]) -> None:
        """Select the results with these product names."""
        wanted = list(names)
        with self._lock:
            index = {p.name: i for i, p in enumerate(self.results)}
        missing = [n for n in wanted if n not in index]
        if missing:
            raise KeyError(f"not among the results: {', '.join(missing)}")
        self.select(index[n] for n in wanted)

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
            self._start(Job("quicklook"), self._fetch_quicklook, product, url)

    def _fetch_quicklook(self, product: Product, url: str) -> None:
        try:
            data = get_bytes(url, self.settings.timeout)
            error = ""
        except Exception as err:
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
        """Download the selected products in a background thread (None if nothing to do).

        ``downloads[name]`` follows each file: ``bytes``, ``total``, ``status`` (queued,
        downloading, verified, failed, cancelled), ``reason`` and, once verified, the checksum
        ``algorithm`` and local ``path``. :meth:`cancel_download` stops the transfers (their
        ``.part`` files stay, so the next download resumes them).
        """
        products = self.selected_products
        if not products:
            self._set_status("select products to download first")
            return None
        if self.downloading:
            self._set_status("a download is running: cancel it or wait for it")
            return None
        job = Job("download")
        with self._lock:
            self._jobs["download"] = job
            self.downloading = True
            self._queue(products)
            self.status = f"downloading {_count(len(products))}…"
        self._notify("downloads", "status")

        def run() -> None:
            report = self._download_blocking(job, products, dest, via)
            with self._lock:
                self.downloading = False
            self._set_status(self._download_summary(job, report))

        return self._start(job, run)

    def _queue(self, products: Sequence[Product]) -> None:
        for p in products:
            self.downloads[p.name] = {
                "bytes": 0,
                "total": p.size,
                "status": "queued",
                "reason": "",
                "algorithm": "",
                "path": None,
            }

    def _download_blocking(self, job: Job, products: Sequence[Product], dest: Any, via: str) -> Any:
        """Run the download in this thread on a loop of its own; the report (None if cancelled
        or failed before any outcome, with the reason in ``downloads``)."""
        from ..downloads import Downloader

        last = [0.0]

        def on_file(event: Any) -> None:
            status = {"skipped": "verified"}.get(event.status, event.status)
            with self._lock:
                entry = self.downloads.setdefault(event.name, {})
                changed = entry.get("status") != status
                entry.update(bytes=event.bytes, status=status)
                if event.total is not None:
                    entry["total"] = event.total
                if event.status != "downloading":
                    entry.update(reason=event.reason, algorithm=event.algorithm)
            now = time.monotonic()
            if changed or now - last[0] >= PROGRESS_EVERY:
                last[0] = now
                self._notify("downloads")

        async def main() -> Any:
            with job.lock:
                if job.cancelled.is_set():
                    raise asyncio.CancelledError
                job.loop, job.task = asyncio.get_running_loop(), asyncio.current_task()
            try:
                downloader = Downloader(
                    dest,
                    via=via,
                    endpoints=self.endpoints,
                    settings=self.settings,
                    progress=False,
                    on_progress=on_file,
                )
                return await downloader.download_async(list(products))
            finally:
                with job.lock:
                    job.loop, job.task = None, None

        report, failure = None, ""
        try:
            report = asyncio.run(main())
        except asyncio.CancelledError:
            pass
        except CDSEError as err:
            failure = str(err)
        except Exception as err:
            log.exception("the panel's download failed")
            failure = f"{type(err).__name__}: {err}"
        with self._lock:
            outcomes = {o.name: o for o in report} if report is not None else {}
            for p in products:
                entry = self.downloads[p.name]
                outcome = outcomes.get(p.name)
                if outcome is not None:
                    entry["path"] = str(outcome.path) if outcome.path else None
                    if entry["status"] not in ("verified", "failed"):
                        entry["status"] = "failed" if outcome.status == "failed" else "verified"
                        entry["reason"] = outcome.reason
                elif entry["status"] not in ("verified", "failed"):
                    entry["status"] = "cancelled" if job.cancelled.is_set() else "failed"
                    entry["reason"] = "cancelled" if job.cancelled.is_set() else failure
            if report is not None:
                self.report = report
        self._notify("downloads")
        return report

    def _download_summary(self, job: Job, report: Any) -> str:
        with self._lock:
            states = [e["status"] for e in self.downloads.values()]
        counts = {s: states.count(s) for s in ("verified", "failed", "cancelled") if s in states}
        text = ", ".join(f"{n} {s}" for s, n in counts.items())
        if job.cancelled.is_set():
            return f"download cancelled: {text}"
        if report is None:
            return f"download failed: {text}"
        return f"download finished: {text}"

    # -- open, manifest --------------------------------------------------------------------------
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
        from ..readers import open_product

        product = self._target()
        options.setdefault("remote", self.remote)
        result = open_product(product, endpoints=self.endpoints, settings=self.settings, **options)
        with self._lock:
            self.opened, self.opened_name = result, product.name
        self._notify("opened")
        return result

    def open_in_background(self, **options: Any) -> threading.Thread | None:
        """:meth:`open_selected` in a thread; a product not yet cached is first downloaded with
        the same progress and cancellation as :meth:`download`."""
        try:
            product = self._target()
        except ValueError as err:
            self._set_status(str(err))
            return None
        if self.opening or self.downloading:
            self._set_status("busy: wait for the running download or open, or cancel it")
            return None
        job = Job("open")
        with self._lock:
            self._jobs["open"] = job
            self.opening = True
            self.status = f"opening {product.name}…"
        self._notify("status")

        def run() -> None:
            from ..cache import ProductCache

            remote = options.get("remote", self.remote)
            try:
                if not remote and ProductCache(self.settings.cache_dir).lookup(product) is None:
                    with self._lock:
                        self.downloading = True
                        self._queue([product])
                    self._notify("downloads")
                    report = self._download_blocking(job, [product], None, "https")
                    with self._lock:
                        self.downloading = False
                    if report is None or not report.ok:
                        entry = self.downloads[product.name]
                        why = entry["status"] + (f": {entry['reason']}" if entry["reason"] else "")
                        self._set_status(f"cannot open {product.name}: download {why}")
                        return
                if job.cancelled.is_set():
                    self._set_status(f"opening {product.name} cancelled")
                    return
                result = self.open_selected(**options)
                kind = type(result).__name__
                self._set_status(f"opened {product.name} as {kind}: panel.selected_dataset")
            except Exception as err:
                if not isinstance(err, CDSEError | OSError | ValueError):
                    log.exception("the panel could not open %s", product.name)
                self._set_status(f"cannot open {product.name}: {err}")
            finally:
                with self._lock:
                    self.opening = False
                    self.downloading = False
                self._notify("status")

        return self._start(job, run)

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
        self._set_status(f"manifest of {_count(len(products))} written to {written}")
        return written

    # -- threads ---------------------------------------------------------------------------------
    def _start(self, job: Job, target: Callable[..., None], *args: Any) -> threading.Thread:
        thread = threading.Thread(
            target=target, args=args, name=f"cdse-panel-{job.kind}", daemon=True
        )
        job.thread = thread
        with self._lock:
            self._jobs[job.kind] = job
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()
        return thread

    @property
    def busy(self) -> bool:
        """Whether a search, download or open is running."""
        with self._lock:
            return any(j.running for k, j in self._jobs.items() if k != "quicklook")

    def cancel_search(self) -> None:
        job = self._jobs.get("search")
        if job is not None and job.running:
            job.cancel()

    def cancel_download(self) -> None:
        """Stop the running download (or the download before an open)."""
        for kind in ("download", "open"):
            job = self._jobs.get(kind)
            if job is not None and job.running:
                job.cancel()

    def cancel(self) -> None:
        """Cancel whatever runs: search, download, open."""
        self.cancel_search()
        self.cancel_download()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the background work started so far; False if some is still running."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(left)
        return not any(t.is_alive() for t in threads)

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v!r}" for k, v in self._values.items() if v is not None)
        return (
            f"<PanelState {values}; {_count(len(self.results))}, {len(self.selected)} "
            f"selected; status: {self.status!r}>"
        )


def _count(n: int) -> str:
    return f"{n} product" if n == 1 else f"{n} products"


def _errors_text(errors: dict[str, str]) -> str:
    return "; ".join(f"{field}: {message}" for field, message in errors.items())
