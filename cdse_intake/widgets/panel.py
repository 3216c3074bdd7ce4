"""SearchPanel: search, pick, download and open CDSE products with clicks and a map.

A thin ipywidgets layer over :class:`~.state.PanelState` (``panel.state``): every widget change
sets an input of the state or calls one of its actions, and every change of the state (told to
its observers, possibly from a background thread) refreshes the widgets. The parts: the form
(:mod:`.form`), the results table (:mod:`.table`), the map (:mod:`.map`), and the download rows,
quicklook and opened product (:mod:`.outputs`). Works wherever ipywidgets and ipyleaflet
render: JupyterLab, Notebook 7, VS Code, Voila.

CSS classes (for styling and browser tests): ``cdse-panel``, ``cdse-collection``,
``cdse-product-type``, ``cdse-start``, ``cdse-end``, ``cdse-cloud``, ``cdse-bbox``, ``cdse-tile``,
``cdse-orbit``, ``cdse-relative-orbit``, ``cdse-backend``, ``cdse-limit``, ``cdse-error``,
``cdse-search``, ``cdse-cancel``, ``cdse-status``, ``cdse-results`` (rows ``cdse-row`` with a
``cdse-select`` checkbox), ``cdse-map``, ``cdse-quicklook``, ``cdse-download``,
``cdse-download-status``, ``cdse-open``, ``cdse-remote``, ``cdse-manifest``,
``cdse-manifest-path``, ``cdse-code``, ``cdse-code-text``, ``cdse-opened``, ``cdse-cube``
(*open as cube*), ``cdse-cube-view``.

``SearchPanel(clms=True)`` adds a switch to a CLMS mode (:mod:`.modes`): the land service's
controls over the same map and dates.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import Endpoints, Settings
from ..errors import CDSEError

try:
    import ipywidgets as w

    from .form import SearchForm
    from .map import ResultsMap
    from .outputs import CubeView, DownloadRows, OpenedView, QuicklookView
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError(
        "the search panel needs ipywidgets and ipyleaflet: pip install ipywidgets ipyleaflet"
    ) from err

from .fields import FIELDS, area_geojson
from .state import PanelState
from .table import ResultsTable

__all__ = ["SearchPanel"]


def _button(description: str, icon: str, css: str, action: Callable[[Any], None]) -> Any:
    button = w.Button(description=description, icon=icon, disabled=True)
    button.add_class(css)
    button.on_click(action)
    return button


class SearchPanel(w.VBox):
    """Search CDSE with clicks: fields, a map, a results table, download and open.

    ``collection``: a STAC id (``"sentinel-2-l2a"``) or OData name; other inputs as keywords
    (``bbox=``/``area=``, ``start=``, ``end=``, ``cloud=``, ``product_type=``, ``tile=``,
    ``orbit=``, ``relative_orbit=``, ``limit=``). ``endpoints``/``settings`` as for
    :func:`cdse_intake.search` (default: the ``CDSE_*`` environment). ``load_collections``:
    fetch the live catalogue's collection list in the background. ``clms``: add a switch to a
    mode requesting Copernicus Land Monitoring Service cuts over the same map and dates
    (``panel.mode``, a :class:`~.modes.CLMSMode`; ``panel.mode.show("clms")``).

    ``panel.state`` is the :class:`~cdse_intake.widgets.PanelState` behind it (scriptable and
    testable), ``panel.clms_state`` the :class:`~.clms_state.CLMSPanelState` of the CLMS mode
    (None without it), ``panel.selected_dataset`` the last product opened with *open*,
    ``panel.selected_cube`` the selected products last loaded with *open as cube*.
    """

    def __init__(
        self,
        collection: str | None = None,
        *,
        backend: str = "odata",
        endpoints: Endpoints | None = None,
        settings: Settings | None = None,
        load_collections: bool = True,
        clms: bool = False,
        **inputs: Any,
    ) -> None:
        if "bbox" in inputs:
            inputs["area"] = inputs.pop("bbox")
        state = PanelState(
            collection, backend=backend, endpoints=endpoints, settings=settings, **inputs
        )
        super().__init__()
        self.state = state
        self.mode: Any = None
        self._build(clms)
        self.add_class("cdse-panel")
        for change in ("collections", "inputs", "status", "results", "selection", "downloads"):
            self._refresh(change)
        state.observe(self._refresh)
        if load_collections:
            state.load_collections()

    @property
    def selected_dataset(self) -> Any:
        """The xarray object of the product last opened (None before)."""
        return self.state.opened

    @property
    def selected_cube(self) -> Any:
        """The cube of the products last loaded with *open as cube* (None before)."""
        return self.state.cube

    @property
    def clms_state(self) -> Any:
        """The :class:`~.clms_state.CLMSPanelState` of the CLMS mode (None without it)."""
        return None if self.mode is None else self.mode.state

    # -- building --------------------------------------------------------------------------------
    def _build(self, clms: bool = False) -> None:
        state = self.state
        self.form = SearchForm(lambda name, value: state.update(**{name: value}))
        for name in FIELDS:  # panel.area, panel.start, ...: the input widgets
            setattr(self, name, self.form.fields[name])
        self.errors = self.form.errors
        self.search_button = _button("search", "search", "cdse-search", self._act(state.search))
        self.search_button.disabled = False
        self.search_button.button_style = "primary"
        self.cancel_button = _button("cancel", "stop", "cdse-cancel", lambda _: state.cancel())
        self.status = w.HTML()
        self.status.add_class("cdse-status")

        self.table = ResultsTable(state)
        self.map = ResultsMap(self._drawn, self._picked)
        self.preview = QuicklookView()
        self.quicklook, self.quicklook_caption = self.preview.image, self.preview.caption

        self.download_button = _button(
            "download", "download", "cdse-download", self._act(state.download)
        )
        self.open_button = _button(
            "open as xarray", "folder-open", "cdse-open", self._act(state.open_in_background)
        )
        self.cube_button = _button(
            "open as cube", "cubes", "cdse-cube", self._act(state.load_cube_in_background)
        )
        self.remote = w.Checkbox(value=False, description="read remotely", indent=False)
        self.remote.add_class("cdse-remote")
        self.remote.observe(lambda change: setattr(state, "remote", change["new"]), "value")
        self.manifest_path = w.Text(
            value=str(Path("cdse-manifest.csv")), layout=w.Layout(width="16em")
        )
        self.manifest_path.add_class("cdse-manifest-path")
        self.manifest_button = _button(
            "save manifest",
            "save",
            "cdse-manifest",
            self._act(lambda: state.save_manifest(self.manifest_path.value)),
        )
        self.code_button = _button("show code", "code", "cdse-code", self._act(self.show_code))
        self.code_button.disabled = False
        self.code = w.HTML(layout=w.Layout(display="none"))
        self.code.add_class("cdse-code-text")
        self.download_rows = DownloadRows()
        self.downloads = self.download_rows.widget
        self.opened_view = OpenedView()
        self.opened = self.opened_view.widget
        self.cube_view = CubeView()

        form = self.form.box(w.HBox([self.search_button, self.cancel_button]), self.status)
        side = w.VBox(
            [self.map.map, w.HBox([self.quicklook, self.quicklook_caption])],
            layout=w.Layout(flex="1 1 auto", min_width="20em"),
        )
        actions = w.HBox(
            [
                self.download_button,
                self.open_button,
                self.cube_button,
                self.remote,
                self.manifest_path,
                self.manifest_button,
                self.code_button,
            ],
            layout=w.Layout(flex_flow="row wrap", align_items="center"),
        )
        self.form_box = form
        self.top = w.HBox([form, side], layout=w.Layout(align_items="flex-start"))
        cdse = (
            self.table.widget,
            actions,
            self.downloads,
            self.code,
            self.opened,
            self.cube_view.widget,
        )
        if not clms:
            self.children = (self.top, *cdse)
            return
        from .modes import CLMSMode

        self.mode = CLMSMode(self)
        self.cdse_box = w.VBox(cdse)  # what the CLMS mode hides
        self.children = (self.mode.switch, self.top, self.cdse_box)

    # -- widget -> state -------------------------------------------------------------------------
    def _drawn(self, geometry: Any) -> None:
        self.state.area = geometry

    def _picked(self, index: int) -> None:
        self.state.toggle(index)
        self.table.show_page(self.table.page_of(index))

    def _act(self, action: Callable[[], Any]) -> Callable[[Any], None]:
        """A button's handler running ``action``: failures go to the status line, never as a
        traceback."""

        def run(_button: Any) -> None:
            try:
                action()
            except (CDSEError, OSError, ValueError, KeyError) as err:
                self.state.set_status(f"{err}")

        return run

    def show_code(self) -> str:
        """Show (and return) the equivalent ``cdse_intake.search(...)`` code under the panel."""
        text = self.state.code()
        self.code.value = (
            "<pre style='background:#f6f8fa;padding:0.6em;white-space:pre-wrap'>"
            f"{html.escape(text)}</pre>"
        )
        self.code.layout.display = ""
        return text

    # -- state -> widgets ------------------------------------------------------------------------
    def _refresh(self, change: str) -> None:
        handler = getattr(self, f"_show_{change}", None)
        if handler is not None:
            with self.form.syncing():  # setting widgets is not the user's input
                handler()

    def _show_collections(self) -> None:
        self.form.show_collections(self.state)

    def _show_inputs(self) -> None:
        state = self.state
        self.form.show_inputs(state)
        area = None if "area" in state.errors else area_geojson(state.values["area"])
        self.map.show_area(area)

    def _show_status(self) -> None:
        state = self.state
        busy = state.searching or state.downloading or state.opening or state.loading_cube
        icon = "⏳ " if busy else ""
        self.status.value = f"<span>{icon}{html.escape(state.status)}</span>"
        self.cancel_button.disabled = not busy
        self._show_actions()

    def _show_actions(self) -> None:
        state = self.state
        chosen = bool(state.selected)
        self.download_button.disabled = not chosen or state.downloading
        self.open_button.disabled = not chosen or state.opening or state.downloading
        self.cube_button.disabled = (
            not chosen or state.loading_cube or state.opening or state.downloading
        )
        self.manifest_button.disabled = state.query is None or not state.results

    def _show_results(self) -> None:
        self.table.refresh()
        with self.state._lock:
            products = list(self.state.results)
            searching = self.state.searching
        self.map.show_results(products, fit=not searching)
        self._show_selection()

    def _show_selection(self) -> None:
        self.table.refresh()
        with self.state._lock:
            products, selected = list(self.state.results), list(self.state.selected)
        self.map.show_selection(products, selected)
        self._show_actions()

    def _show_quicklook(self) -> None:
        self.preview.show(self.state)

    def _show_downloads(self) -> None:
        self.download_rows.show(self.state)
        self._show_actions()

    def _show_opened(self) -> None:
        self.opened_view.show(self.state)

    def _show_cube(self) -> None:
        self.cube_view.show(self.state)
