"""PanelState: the search panel as a plain Python object; the widgets only mirror it.

Everything the panel does is here and testable without a browser or ipywidgets: the inputs
(validated per field with the library's :class:`~cdse_intake.query.Query`; :mod:`.inputs`), the
search, the results and their order, the selection, and what is done with it (:mod:`.actions`:
quicklook, downloads with per-file progress, opening as xarray, the manifest), and the
equivalent code. The work itself is the core's: :func:`cdse_intake.api.search`,
:func:`~cdse_intake.downloads.jobs.start_download`, :func:`~cdse_intake.downloads.ensure_local`,
:func:`~cdse_intake.readers.open_product`, :func:`~cdse_intake.catalogue.quicklook.quicklook_bytes`.
Long calls run as the core's background jobs (:class:`cdse_intake.jobs.Job`), so the
kernel stays responsive, and each can be cancelled. Observers (``state.observe(callback)``) are
told what changed, with one word:

``inputs`` (values or ``errors``), ``collections``, ``status``, ``results`` (the products or
their order), ``selection``, ``downloads``, ``quicklook``, ``opened``, ``cube``.

Callbacks may run on a background thread; the widgets only set trait values from them.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from ..config import Context, Endpoints, Settings, resolve
from ..errors import CDSEError, NothingFoundWarning, QueryError
from ..jobs import CancelledError, Job
from ..product import Product
from .actions import Actions
from .background import Background
from .cube import CubeAction
from .fields import default_choices, errors_text, search_kwargs
from .inputs import Inputs
from .rows import SORT_KEYS, count_text, ordered, picked, toggled

__all__ = ["SORT_KEYS", "PanelState"]

log = logging.getLogger("cdse_intake.widgets")

#: Seconds between two updates of a growing result list.
PUBLISH_EVERY = 0.25


class PanelState(Inputs, Actions, CubeAction):
    """The search panel's inputs, results, selection and actions (see the module docstring).

    ``collection`` is a STAC id (``sentinel-2-l2a``) or an OData name (``SENTINEL-2``); other
    inputs can be given as keywords (``start="2023-01-01"``, ``area=(2.2, 48.8, 2.5, 48.9)``).
    Setting an input (``state.cloud = 20`` or :meth:`update`) re-validates: ``state.errors``
    maps each invalid field to its message.
    """

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
        self.endpoints = Endpoints.coerce(endpoints)
        self.settings = Settings.coerce(settings)
        self._lock = threading.RLock()
        self._observers: list[Callable[[str], None]] = []
        self._jobs = Background()
        self._init_inputs(
            default_choices(),
            {"collection": collection, "backend": backend, "limit": limit, **inputs},
        )
        self._init_actions()
        self._init_cube()
        self.status = "ready"
        self.searching = False
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
        self._validate()

    # -- observers, status, context --------------------------------------------------------------
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

    def set_status(self, text: str) -> None:
        """Show ``text`` on the status line."""
        with self._lock:
            self.status = text
        self._notify("status")

    def context(self, via: str = "https") -> Context:
        """The endpoints and settings for the core, read at each action (a script may replace
        ``state.settings``); the account is the environment's or ``.netrc``'s."""
        return resolve(endpoints=self.endpoints, settings=self.settings, via=via)

    # -- search ----------------------------------------------------------------------------------
    def search(self) -> threading.Thread | None:
        """Start the search in the background; None (and a status) when inputs are invalid.

        Products appear in ``results`` as pages arrive; a search started while another runs
        cancels the older one. The search is the core's :func:`~cdse_intake.api.start_search`.
        """
        from ..api import start_search

        with self._lock:
            if self.errors:
                self.status = f"cannot search: {errors_text(self.errors)}"
                kwargs = None
            else:
                kwargs = search_kwargs(self._values, self.collections)
        if kwargs is None:
            self._notify("status")
            return None
        self.cancel_search()
        with self._lock:
            self._jobs.forget("search")  # from now on the older search publishes nothing
            self.search_args = dict(kwargs)
            self.results_backend = kwargs.get("backend", "odata")
            self.query = None
            self.results, self.order, self.selected, self.focus = [], [], [], None
            self.quicklook, self.quicklook_name = None, None
            self.searching = True
            where = kwargs.get("collection") or kwargs.get("product_type") or "CDSE"
            self.status = f"searching {where}…"
        self._notify("results", "selection", "quicklook", "status")
        mine: list[Job[Any]] = []  # the job, once started: pages of an older search are dropped

        def progress(found: list[Product]) -> None:
            if mine:
                self._publish(mine[0], found, f"searching… {len(found)} products so far")

        try:
            job = start_search(
                **kwargs,
                endpoints=self.endpoints,
                settings=self.settings,
                on_products=progress,
                every=PUBLISH_EVERY,
                name="cdse-panel-search",
            )
        except CDSEError as err:
            self._publish(None, [], f"search failed: {err}", done=True)
            return None
        mine.append(job)
        self._jobs.add("search", job)
        job.add_done_callback(lambda job: self._search_done(job, kwargs.get("limit")))
        return job.thread

    def _search_done(self, job: Job[Any], limit: int | None) -> None:
        found = list(self.results) if self._jobs.current("search") is job else []
        query = None
        try:
            results = job.result()
        except CancelledError:
            message = f"search cancelled: {count_text(len(found))} shown"
        except CDSEError as err:
            message = f"search failed: {err}"
        except Exception as err:
            log.error("the panel's search failed", exc_info=err)
            message = f"search failed: {type(err).__name__}: {err}"
        else:
            with warnings.catch_warnings():  # said on the status line instead
                warnings.simplefilter("ignore", NothingFoundWarning)
                found, query = list(results), results.query
            more = " (the limit; raise it for more)" if limit and len(found) >= limit else ""
            message = f"{count_text(len(found))} found{more}"
            if not found:
                message = f"nothing found. {results.explain()}"
        self._publish(job, found, message, done=True, query=query)

    def _publish(
        self,
        job: Job[Any] | None,
        found: list[Product],
        status: str,
        *,
        done: bool = False,
        query: Any = None,
    ) -> None:
        with self._lock:
            if self._jobs.current("search") is not job:
                return  # a newer search replaced this one (None: none runs)
            self.results = list(found)
            self.order = ordered(self.results, self.sort)
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
            self._jobs.forget("search")
            self.search_args = None
            self.query = query
            self.results, self.selected, self.focus = found, [], None
            self.order = ordered(self.results, self.sort)
            self.searching = False
            self.status = f"{count_text(len(found))} shown"
            self.results_backend = backend
        self._notify("results", "selection", "status")

    # -- order and selection ---------------------------------------------------------------------
    def sort_by(self, key: str, descending: bool | None = None) -> None:
        """Order the rows by ``key`` (name, start, cloud, size, online); the same key again
        reverses the order. Products lacking the value come last."""
        if key not in SORT_KEYS:
            raise ValueError(f"sort key {key!r}: expected one of {', '.join(SORT_KEYS)}")
        with self._lock:
            if descending is None:
                descending = self.sort == (key, False)
            self.sort = (key, descending)
            self.order = ordered(self.results, self.sort)
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
            self.selected = picked(indices, len(self.results))
            focus = self.selected[-1] if self.selected else None
        self._set_focus(focus)
        self._notify("selection")

    def toggle(self, index: int, selected: bool | None = None) -> None:
        """Add or remove one row from the selection (``selected``: force the state)."""
        with self._lock:
            now = toggled(self.selected, index, selected)
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

    # -- background work -------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """Whether a search, download or open is running."""
        return self._jobs.busy("quicklook")

    def cancel_search(self) -> None:
        self._jobs.cancel("search")

    def cancel_download(self) -> None:
        """Stop the running download (or the download before an open or a cube)."""
        self._jobs.cancel("download", "open", "cube")

    def cancel(self) -> None:
        """Cancel whatever runs: search, download, open, cube."""
        self.cancel_search()
        self.cancel_download()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the background work started so far; False if some is still running."""
        return self._jobs.wait(timeout)

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v!r}" for k, v in self._values.items() if v is not None)
        return (
            f"<PanelState {values}; {count_text(len(self.results))}, {len(self.selected)} "
            f"selected; status: {self.status!r}>"
        )
