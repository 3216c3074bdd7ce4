"""The panel's search form: one widget per input, an error label under each, and their sync.

Widget values become state inputs through ``on_input(name, value)`` (the slider's 100 meaning
"any cloud cover", an empty text meaning "not set"); :meth:`SearchForm.show_inputs` and
:meth:`SearchForm.show_collections` set the widgets from a :class:`~.state.PanelState`, inside
:meth:`SearchForm.syncing` so that doing so is not taken for the user's input.
"""

from __future__ import annotations

import contextlib
import html
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

import ipywidgets as w

from .fields import FIELDS, area_text

__all__ = ["SearchForm"]

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


class SearchForm:
    """The input widgets (``form.fields[name]``), error labels (``form.errors[name]``, one per
    input and ``query`` for the whole search) and the form's box (``form.box``, with ``extra``
    widgets such as the buttons and status line at its end)."""

    def __init__(self, on_input: Callable[[str, Any], None]) -> None:
        self._on_input = on_input
        self._local = threading.local()
        text = {"style": _STYLE, "layout": _field_layout()}
        self.fields: dict[str, Any] = {
            "collection": w.Dropdown(description="collection", **text),
            "product_type": w.Dropdown(description="product type", **text),
            "start": w.DatePicker(description="from", style=_STYLE),
            "end": w.DatePicker(description="until (incl.)", style=_STYLE),
            "cloud": w.IntSlider(
                value=100,
                min=0,
                max=100,
                step=5,
                description="max cloud %",
                tooltip="100: any cloud cover (also products without one, e.g. radar)",
                **text,
            ),
            "area": w.Text(
                description="area",
                placeholder="west, south, east, north · WKT · GeoJSON · or draw on the map",
                **text,
            ),
            "tile": w.Text(description="S2 tile", placeholder="e.g. 31UFT", **text),
            "orbit": w.Text(description="absolute orbit", **text),
            "relative_orbit": w.Text(description="relative orbit", **text),
            "backend": w.ToggleButtons(
                options=[("OData", "odata"), ("STAC", "stac")],
                description="catalogue",
                style={**_STYLE, "button_width": "6em"},
            ),
            "limit": w.BoundedIntText(
                min=0, max=1_000_000, description="max products", tooltip="0: all of them", **text
            ),
        }
        css = {"area": "cdse-bbox"}  # the class name the browser tests know it by
        for name, widget in self.fields.items():
            widget.add_class(css.get(name, f"cdse-{name.replace('_', '-')}"))
            widget.observe(lambda change, name=name: self._changed(name, change["new"]), "value")
        self.errors: dict[str, Any] = {}
        for name in (*FIELDS, "query"):
            label = w.HTML(layout=w.Layout(display="none", margin="0 0 0 9em"))
            label.add_class("cdse-error")
            label.add_class(f"cdse-error-{name.replace('_', '-')}")
            self.errors[name] = label

    def box(self, *extra: Any) -> Any:
        """The form: each input above its error label, then the query's error, then ``extra``."""
        rows = [w.VBox([self.fields[name], self.errors[name]]) for name in FIELDS]
        dates = w.VBox(rows[2:4])  # from/until stay together
        return w.VBox(
            [*rows[:2], dates, *rows[4:], self.errors["query"], *extra],
            layout=w.Layout(width="28em", margin="0 1em 0 0"),
        )

    # -- widgets -> state ------------------------------------------------------------------------
    @contextlib.contextmanager
    def syncing(self) -> Iterator[None]:
        """While the widgets are set from the state: their changes are not user input."""
        self._local.syncing = True
        try:
            yield
        finally:
            self._local.syncing = False

    def _changed(self, name: str, value: Any) -> None:
        if getattr(self._local, "syncing", False):
            return
        if name == "cloud":
            value = None if value >= 100 else value
        elif name == "limit":
            value = value or None
        elif name in ("area", "tile", "orbit", "relative_orbit") and not str(value).strip():
            value = None
        self._on_input(name, value)

    # -- state -> widgets ------------------------------------------------------------------------
    def show_collections(self, state: Any) -> None:
        """The collection choices (the live list once loaded; its error as a tooltip)."""
        dropdown = self.fields["collection"]
        options: list[tuple[str, Any]] = [("any collection", None)]
        options += [(c.label, c.id) for c in state.collections]
        current = state.collection
        if current is not None and current not in [v for _, v in options]:
            options.append((str(current), current))
        if list(dropdown.options) != options:
            dropdown.options = options
        dropdown.value = current
        dropdown.tooltip = state.collections_error or None

    def show_inputs(self, state: Any) -> None:
        """Every widget from the state's inputs, and each field's error under it."""
        f = self.fields
        values = state.values
        if values["collection"] not in [v for _, v in f["collection"].options]:
            self.show_collections(state)
        f["collection"].value = values["collection"]
        types = [("all types", None)] + [(t, t) for t in state.product_types]
        if values["product_type"] is not None and values["product_type"] not in state.product_types:
            types.append((str(values["product_type"]), values["product_type"]))
        if list(f["product_type"].options) != types:
            f["product_type"].options = types
        f["product_type"].value = values["product_type"]
        for name in ("start", "end"):
            picked = _as_date(values[name])
            if picked is not None or values[name] is None:
                f[name].value = picked
        cloud = values["cloud"]
        if isinstance(cloud, (tuple, list)) and len(cloud) == 2:
            cloud = cloud[1]
        if isinstance(cloud, (int, float)) and 0 <= cloud <= 100:
            f["cloud"].value = round(cloud)
        elif cloud is None:
            f["cloud"].value = 100
        text = area_text(values["area"])
        if f["area"].value != text:
            f["area"].value = text
        for name in ("tile", "orbit", "relative_orbit"):
            if f[name].value != _text(values[name]):
                f[name].value = _text(values[name])
        f["backend"].value = values["backend"] if values["backend"] in ("odata", "stac") else None
        limit = values["limit"]
        f["limit"].value = limit if isinstance(limit, int) and limit >= 0 else 0
        for name, label in self.errors.items():
            message = state.errors.get(name, "")
            label.value = (
                f"<span style='color:#b00020;font-size:90%'>{html.escape(message)}</span>"
                if message
                else ""
            )
            label.layout.display = "" if message else "none"
