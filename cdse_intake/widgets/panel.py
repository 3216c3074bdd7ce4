"""SearchPanel: search, pick, download and open CDSE products with clicks and a map.

A thin ipywidgets layer over :class:`~.state.PanelState` (``panel.state``): every widget change
sets an input of the state, and every change of the state (told to its observers, possibly from
a background thread) refreshes the widgets. Works wherever ipywidgets and ipyleaflet render:
JupyterLab, Notebook 7, VS Code, Voila.

CSS classes (for styling and browser tests): ``cdse-panel``, ``cdse-collection``,
``cdse-product-type``, ``cdse-start``, ``cdse-end``, ``cdse-cloud``, ``cdse-bbox``, ``cdse-tile``,
``cdse-orbit``, ``cdse-relative-orbit``, ``cdse-backend``, ``cdse-limit``, ``cdse-error``,
``cdse-search``, ``cdse-cancel``, ``cdse-status``, ``cdse-results`` (rows ``cdse-row`` with a
``cdse-select`` checkbox), ``cdse-map``, ``cdse-quicklook``, ``cdse-download``,
``cdse-download-status``, ``cdse-open``, ``cdse-remote``, ``cdse-manifest``,
``cdse-manifest-path``, ``cdse-code``, ``cdse-code-text``, ``cdse-opened``.
"""

from __future__ import annotations

import html
import json
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..config import Endpoints, Settings
from ..errors import CDSEError
from .fields import FIELDS, area_kwargs, area_text
from .map import ResultsMap
from .state import PanelState
from .table import ResultsTable

try:
    import ipywidgets as w
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError(
        "the search panel needs ipywidgets and ipyleaflet: pip install ipywidgets ipyleaflet"
    ) from err

__all__ = ["SearchPanel", "panel_for_catalog"]

_STYLE = {"description_width": "8.5em"}


def _field_layout() -> Any:
    return w.Layout(width="27em")  # one per widget: a shared Layout would tie their styles


def _as_date(value: Any) -> date | None:
    """A date for a DatePicker from what the state holds (None when it is not one)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class SearchPanel(w.VBox):
    """Search CDSE with clicks: fields, a map, a results table, download and open.

    ``collection``: a STAC id (``"sentinel-2-l2a"``) or OData name; other inputs as keywords
    (``bbox=``/``area=``, ``start=``, ``end=``, ``cloud=``, ``product_type=``, ``tile=``,
    ``orbit=``, ``relative_orbit=``, ``limit=``). ``endpoints``/``settings`` as for
    :func:`cdse_intake.search` (default: the ``CDSE_*`` environment). ``load_collections``:
    fetch the live catalogue's collection list in the background.

    ``panel.state`` is the :class:`~cdse_intake.widgets.PanelState` behind it (scriptable and
    testable), ``panel.selected_dataset`` the last product opened with the *open* button.
    """

    def __init__(
        self,
        collection: str | None = None,
        *,
        backend: str = "odata",
        endpoints: Endpoints | None = None,
        settings: Settings | None = None,
        load_collections: bool = True,
        **inputs: Any,
    ) -> None:
        if "bbox" in inputs:
            inputs["area"] = inputs.pop("bbox")
        state = PanelState(
            collection, backend=backend, endpoints=endpoints, settings=settings, **inputs
        )
        super().__init__()
        self.state = state
        self._local = threading.local()
        self._build()
        self.children = tuple(self._layout())
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

    # -- building --------------------------------------------------------------------------------
    def _build(self) -> None:
        def field(widget: Any, css: str, name: str) -> Any:
            widget.add_class(css)
            if name in FIELDS:
                widget.observe(lambda change: self._input(name, change["new"]), names="value")
            return widget

        self.collection = field(
            w.Dropdown(description="collection", style=_STYLE, layout=_field_layout()),
            "cdse-collection",
            "collection",
        )
        self.product_type = field(
            w.Dropdown(description="product type", style=_STYLE, layout=_field_layout()),
            "cdse-product-type",
            "product_type",
        )
        self.start = field(w.DatePicker(description="from", style=_STYLE), "cdse-start", "start")
        self.end = field(w.DatePicker(description="until (incl.)", style=_STYLE), "cdse-end", "end")
        self.cloud = field(
            w.IntSlider(
                value=100,
                min=0,
                max=100,
                step=5,
                description="max cloud %",
                style=_STYLE,
                layout=_field_layout(),
                tooltip="100: any cloud cover (also products without one, e.g. radar)",
            ),
            "cdse-cloud",
            "cloud",
        )
        self.area = field(
            w.Text(
                description="area",
                placeholder="west, south, east, north · WKT · GeoJSON · or draw on the map",
                style=_STYLE,
                layout=_field_layout(),
            ),
            "cdse-bbox",
            "area",
        )
        self.tile = field(
            w.Text(
                description="S2 tile",
                placeholder="e.g. 31UFT",
                style=_STYLE,
                layout=_field_layout(),
            ),
            "cdse-tile",
            "tile",
        )
        self.orbit = field(
            w.Text(description="absolute orbit", style=_STYLE, layout=_field_layout()),
            "cdse-orbit",
            "orbit",
        )
        self.relative_orbit = field(
            w.Text(description="relative orbit", style=_STYLE, layout=_field_layout()),
            "cdse-relative-orbit",
            "relative_orbit",
        )
        self.backend = field(
            w.ToggleButtons(
                options=[("OData", "odata"), ("STAC", "stac")],
                description="catalogue",
                style={**_STYLE, "button_width": "6em"},
            ),
            "cdse-backend",
            "backend",
        )
        self.limit = field(
            w.BoundedIntText(
                min=0,
                max=1_000_000,
                description="max products",
                tooltip="0: all of them",
                style=_STYLE,
                layout=_field_layout(),
            ),
            "cdse-limit",
            "limit",
        )
        self.errors: dict[str, Any] = {}
        for name in (*FIELDS, "query"):
            label = w.HTML(layout=w.Layout(display="none", margin="0 0 0 9em"))
            label.add_class("cdse-error")
            label.add_class(f"cdse-error-{name.replace('_', '-')}")
            self.errors[name] = label

        self.search_button = w.Button(description="search", icon="search", button_style="primary")
        self.search_button.add_class("cdse-search")
        self.search_button.on_click(lambda _: self._act(self.state.search))
        self.cancel_button = w.Button(description="cancel", icon="stop", disabled=True)
        self.cancel_button.add_class("cdse-cancel")
        self.cancel_button.on_click(lambda _: self.state.cancel())
        self.status = w.HTML()
        self.status.add_class("cdse-status")

        self.table = ResultsTable(self.state)
        self.map = ResultsMap(self._drawn, self._picked)
        self.quicklook = w.Image(format="png", layout=w.Layout(max_width="256px", display="none"))
        self.quicklook.add_class("cdse-quicklook")
        self.quicklook_caption = w.HTML()

        self.download_button = w.Button(description="download", icon="download", disabled=True)
        self.download_button.add_class("cdse-download")
        self.download_button.on_click(lambda _: self._act(self.state.download))
        self.open_button = w.Button(description="open as xarray", icon="folder-open")
        self.open_button.add_class("cdse-open")
        self.open_button.disabled = True
        self.open_button.on_click(lambda _: self._act(self.state.open_in_background))
        self.remote = w.Checkbox(value=False, description="read remotely", indent=False)
        self.remote.add_class("cdse-remote")
        self.remote.observe(lambda change: setattr(self.state, "remote", change["new"]), "value")
        self.manifest_path = w.Text(
            value=str(Path("cdse-manifest.csv")), layout=w.Layout(width="16em")
        )
        self.manifest_path.add_class("cdse-manifest-path")
        self.manifest_button = w.Button(description="save manifest", icon="save", disabled=True)
        self.manifest_button.add_class("cdse-manifest")
        self.manifest_button.on_click(
            lambda _: self._act(lambda: self.state.save_manifest(self.manifest_path.value))
        )
        self.code_button = w.Button(description="show code", icon="code")
        self.code_button.add_class("cdse-code")
        self.code_button.on_click(lambda _: self._act(self.show_code))
        self.code = w.HTML(layout=w.Layout(display="none"))
        self.code.add_class("cdse-code-text")
        self.downloads = w.VBox()
        self.downloads.add_class("cdse-download-status")
        self._download_rows: dict[str, tuple[Any, Any, Any, Any]] = {}
        self.opened = w.HTML()
        self.opened.add_class("cdse-opened")

    def _layout(self) -> list[Any]:
        def with_error(widget: Any, name: str) -> Any:
            return w.VBox([widget, self.errors[name]])

        dates = w.VBox(
            [
                with_error(self.start, "start"),
                with_error(self.end, "end"),
            ]
        )
        form = w.VBox(
            [
                with_error(self.collection, "collection"),
                with_error(self.product_type, "product_type"),
                dates,
                with_error(self.cloud, "cloud"),
                with_error(self.area, "area"),
                with_error(self.tile, "tile"),
                with_error(self.orbit, "orbit"),
                with_error(self.relative_orbit, "relative_orbit"),
                with_error(self.backend, "backend"),
                with_error(self.limit, "limit"),
                self.errors["query"],
                w.HBox([self.search_button, self.cancel_button]),
                self.status,
            ],
            layout=w.Layout(width="28em", margin="0 1em 0 0"),
        )
        side = w.VBox(
            [self.map.map, w.HBox([self.quicklook, self.quicklook_caption])],
            layout=w.Layout(flex="1 1 auto", min_width="20em"),
        )
        actions = w.HBox(
            [
                self.download_button,
                self.open_button,
                self.remote,
                self.manifest_path,
                self.manifest_button,
                self.code_button,
            ],
            layout=w.Layout(flex_flow="row wrap", align_items="center"),
        )
        return [
            w.HBox([form, side], layout=w.Layout(align_items="flex-start")),
            self.table.widget,
            actions,
            self.downloads,
            self.code,
            self.opened,
        ]

    # -- widget -> state -------------------------------------------------------------------------
    def _input(self, name: str, value: Any) -> None:
        if getattr(self._local, "syncing", False):
            return
        if name == "cloud":
            value = None if value >= 100 else value
        elif name == "limit":
            value = value or None
        elif name in ("area", "tile", "orbit", "relative_orbit") and not str(value).strip():
            value = None
        self.state.update(**{name: value})

    def _drawn(self, geometry: Any) -> None:
        self.state.area = geometry

    def _picked(self, index: int) -> None:
        self.state.toggle(index)
        self.table.show_page(self.table.page_of(index))

    def _act(self, action: Any) -> None:
        """Run a button's action; failures go to the status line, never as a traceback."""
        try:
            action()
        except (CDSEError, OSError, ValueError, KeyError) as err:
            self.state._set_status(f"{err}")

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
        if handler is None:
            return
        self._local.syncing = True
        try:
            handler()
        finally:
            self._local.syncing = False

    def _show_collections(self) -> None:
        state = self.state
        options: list[tuple[str, Any]] = [("any collection", None)]
        options += [(c.label, c.id) for c in state.collections]
        current = state.collection
        if current is not None and current not in [v for _, v in options]:
            options.append((str(current), current))
        if list(self.collection.options) != options:
            self.collection.options = options
        self.collection.value = current
        self.collection.tooltip = state.collections_error or None

    def _show_inputs(self) -> None:
        state = self.state
        values = state.values
        if values["collection"] not in [v for _, v in self.collection.options]:
            self._show_collections()
        self.collection.value = values["collection"]
        types = [("all types", None)] + [(t, t) for t in state.product_types]
        if values["product_type"] is not None and values["product_type"] not in state.product_types:
            types.append((str(values["product_type"]), values["product_type"]))
        if list(self.product_type.options) != types:
            self.product_type.options = types
        self.product_type.value = values["product_type"]
        for name in ("start", "end"):
            picked = _as_date(values[name])
            widget = getattr(self, name)
            if picked is not None or values[name] is None:
                widget.value = picked
        cloud = values["cloud"]
        if isinstance(cloud, (tuple, list)) and len(cloud) == 2:
            cloud = cloud[1]
        if isinstance(cloud, (int, float)) and 0 <= cloud <= 100:
            self.cloud.value = round(cloud)
        elif cloud is None:
            self.cloud.value = 100
        text = area_text(values["area"])
        if self.area.value != text:
            self.area.value = text
        for name in ("tile", "orbit", "relative_orbit"):
            widget = getattr(self, name)
            if widget.value != _text(values[name]):
                widget.value = _text(values[name])
        self.backend.value = values["backend"] if values["backend"] in ("odata", "stac") else None
        limit = values["limit"]
        self.limit.value = limit if isinstance(limit, int) and limit >= 0 else 0
        for name, label in self.errors.items():
            message = state.errors.get(name, "")
            label.value = (
                f"<span style='color:#b00020;font-size:90%'>{html.escape(message)}</span>"
                if message
                else ""
            )
            label.layout.display = "" if message else "none"
        geometry = None
        if "area" not in state.errors:
            try:
                import shapely

                from ..query import Query

                found = Query(**area_kwargs(values["area"])).geometry
                geometry = None if found is None else json.loads(shapely.to_geojson(found))
            except CDSEError:
                geometry = None
        self.map.show_area(geometry)

    def _show_status(self) -> None:
        state = self.state
        busy = state.searching or state.downloading or state.opening
        icon = "⏳ " if busy else ""
        self.status.value = f"<span>{icon}{html.escape(state.status)}</span>"
        self.cancel_button.disabled = not busy
        self._show_actions()

    def _show_actions(self) -> None:
        state = self.state
        chosen = bool(state.selected)
        self.download_button.disabled = not chosen or state.downloading
        self.open_button.disabled = not chosen or state.opening or state.downloading
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
        state = self.state
        data = state.quicklook
        if data:
            self.quicklook.format = "png" if data.startswith(b"\x89PNG") else "jpeg"
            self.quicklook.value = data
            self.quicklook.layout.display = ""
        else:
            self.quicklook.layout.display = "none"
        name = state.quicklook_name
        note = state.quicklook_error if not data else ""
        self.quicklook_caption.value = (
            ""
            if name is None
            else f"<div style='padding:0 1em;font-size:90%'><b>{html.escape(name)}</b>"
            f"<br>{html.escape(note)}</div>"
        )

    def _show_downloads(self) -> None:
        with self.state._lock:
            entries = {name: dict(entry) for name, entry in self.state.downloads.items()}
        for name, entry in entries.items():
            if name not in self._download_rows:
                label = w.HTML(layout=w.Layout(width="34em"))
                bar = w.FloatProgress(min=0.0, max=1.0, layout=w.Layout(width="14em"))
                note = w.HTML()
                box = w.HBox([label, bar, note], layout=w.Layout(align_items="center"))
                self._download_rows[name] = (box, label, bar, note)
            _, label, bar, note = self._download_rows[name]
            label.value = f"<code>{html.escape(name)}</code>"
            total, done = entry.get("total"), entry.get("bytes") or 0
            bar.value = min(1.0, done / total) if total else 0.0
            status = entry.get("status", "")
            bar.bar_style = {"verified": "success", "failed": "danger", "cancelled": "warning"}.get(
                status, "info"
            )
            megabytes = f"{done / 1e6:,.1f}" + (f" / {total / 1e6:,.1f} MB" if total else " MB")
            detail = {
                "verified": f"verified ({entry.get('algorithm') or 'checksum'} OK)",
            }.get(status, status)
            reason = entry.get("reason") or ""
            if reason and status != "verified":
                detail += f": {reason}"
            elif reason:
                detail += f"; {reason}"
            note.value = f"<span>{html.escape(megabytes)} · {html.escape(detail)}</span>"
        rows = tuple(self._download_rows[name][0] for name in entries)
        if self.downloads.children != rows:
            self.downloads.children = rows
        self._show_actions()

    def _show_opened(self) -> None:
        state = self.state
        result = state.opened
        if result is None:
            self.opened.value = ""
            return
        try:
            body = result._repr_html_()
        except Exception:
            body = f"<pre>{html.escape(repr(result))}</pre>"
        self.opened.value = (
            f"<p><b>{html.escape(state.opened_name or '')}</b> opened as "
            f"<code>panel.selected_dataset</code>:</p>{body}"
        )


def panel_for_catalog(cat: Any, **kwargs: Any) -> SearchPanel:
    """A SearchPanel for an intake catalogue of cdse_intake (``cat.gui``).

    A catalogue of search results gives a panel filled with its query and showing its products;
    the collections catalogue (``catalog.yaml``) one filled from its user parameters (``area``,
    ``since``, ``until``, ``max_cloud``, ``product_kind``, ``max_items``) when they are set.
    """
    from ..product import Product
    from ..results import _query_kwargs

    metadata = getattr(cat, "metadata", None) or {}
    saved = metadata.get("query")
    inputs: dict[str, Any] = {}
    if isinstance(saved, dict):
        query = _query_kwargs(saved)
        names = {
            "collection": "collection",
            "product_type": "product_type",
            "start": "start",
            "end": "end",
            "tile": "tile",
            "orbit": "orbit",
            "relative_orbit": "relative_orbit",
            "limit": "limit",
            "geometry": "area",
        }
        inputs = {mine: query[theirs] for theirs, mine in names.items() if theirs in query}
        if isinstance(inputs.get("product_type"), tuple):
            inputs["product_type"] = None
        cloud = query.get("cloud")
        if isinstance(cloud, (tuple, list)) and cloud[0] == 0:
            inputs["cloud"] = cloud[1]
        if metadata.get("backend") in ("odata", "stac"):
            inputs["backend"] = metadata["backend"]
    else:
        overrides = dict(getattr(cat, "_up_overrides", None) or {})
        names = {
            "area": "area",
            "since": "start",
            "until": "end",
            "max_cloud": "cloud",
            "product_kind": "product_type",
            "max_items": "limit",
        }
        inputs = {names[k]: v for k, v in overrides.items() if k in names and v is not None}
    inputs.update(kwargs)
    panel = SearchPanel(**inputs)
    if isinstance(saved, dict):
        products = []
        for name in cat:
            record = getattr(getattr(cat[name], "data", None), "record", None)
            if record:
                products.append(Product.from_dict(record))
        panel.state.show_products(products)
    return panel
