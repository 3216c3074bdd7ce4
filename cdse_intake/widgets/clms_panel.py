"""CLMSPanel: find a CLMS land dataset, request a cut and follow it, with clicks.

A thin ipywidgets layer over :class:`~.clms_state.CLMSPanelState` (``panel.state``): a search
box, the datasets found (a list to pick from, with the chosen one's details), the request's
inputs (area, dates, format, projection), **request** / **stop waiting** / **cancel task**
buttons and a status line. The same controls over the search panel's map and dates:
``SearchPanel(clms=True)`` (:mod:`.modes`).

CSS classes: ``cdse-clms-panel``, ``cdse-clms-text``, ``cdse-clms-search``,
``cdse-clms-datasets``, ``cdse-clms-details``, ``cdse-clms-bbox``, ``cdse-clms-start``,
``cdse-clms-end``, ``cdse-clms-format``, ``cdse-clms-crs``, ``cdse-clms-request``,
``cdse-clms-stop``, ``cdse-clms-cancel``, ``cdse-clms-status``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from ..errors import CDSEError

try:
    import ipywidgets as w
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError("the CLMS panel needs ipywidgets: pip install ipywidgets") from err

from .clms_state import CLMSPanelState

__all__ = ["CLMSPanel"]


def _text(value: str, placeholder: str, css: str, description: str) -> Any:
    box = w.Text(value=value, placeholder=placeholder, description=description)
    box.add_class(css)
    return box


class CLMSPanel(w.VBox):
    """Search CLMS datasets, request a cut, wait for it and download it, with clicks.

    Keywords preset the inputs: ``text``, ``bbox`` (west, south, east, north, degrees),
    ``start``, ``end``, ``output_format``, ``crs``; ``service_key`` as for
    :func:`cdse_intake.clms.request` (default: ``CDSE_CLMS_SERVICE_KEY``). ``state``: an
    existing :class:`~.clms_state.CLMSPanelState` to show instead (the keywords are then unused).
    """

    def __init__(
        self, text: str = "", *, state: CLMSPanelState | None = None, **inputs: Any
    ) -> None:
        self.state = state if state is not None else CLMSPanelState(text, **inputs)
        s = self.state
        text = s.text
        area = ", ".join(map(str, s.bbox)) if isinstance(s.bbox, list | tuple) else s.bbox or ""
        self.text = _text(text, "e.g. NDVI, land cover", "cdse-clms-text", "dataset")
        self.search_button = self._button("search", "search", "cdse-clms-search", self._search)
        self.search_button.disabled = False
        self.datasets = w.Select(options=[], rows=8, layout=w.Layout(width="100%"))
        self.datasets.add_class("cdse-clms-datasets")
        self.details = w.HTML()
        self.details.add_class("cdse-clms-details")
        self.bbox = _text(area, "west, south, east, north", "cdse-clms-bbox", "area")
        self.start = _text(str(s.start or ""), "YYYY-MM-DD", "cdse-clms-start", "start")
        self.end = _text(str(s.end or ""), "YYYY-MM-DD", "cdse-clms-end", "end")
        self.format = _text(s.output_format, "Geotiff", "cdse-clms-format", "format")
        self.crs = _text(s.crs, "EPSG:4326", "cdse-clms-crs", "projection")
        self.request_button = self._button("request", "play", "cdse-clms-request", self._request)
        self.stop_button = self._button("stop waiting", "pause", "cdse-clms-stop", self._stop)
        self.cancel_button = self._button("cancel task", "times", "cdse-clms-cancel", self._cancel)
        self.status = w.HTML()
        self.status.add_class("cdse-clms-status")
        self.datasets.observe(self._picked, names="value")
        s.observe(self._changed)
        super().__init__(
            [
                w.HBox([self.text, self.search_button]),
                self.datasets,
                self.details,
                self._area_row(),
                w.HBox([self.format, self.crs]),
                w.HBox([self.request_button, self.stop_button, self.cancel_button]),
                self.status,
            ]
        )
        self.add_class("cdse-clms-panel")

    @staticmethod
    def _button(label: str, icon: str, css: str, action: Callable[[Any], None]) -> Any:
        button = w.Button(description=label, icon=icon, disabled=True)
        button.add_class(css)
        button.on_click(action)
        return button

    # -- widget -> state -------------------------------------------------------------------------
    def _attempt(self, action: Callable[[], Any]) -> None:
        """Run an action; a refused one is a status line, not a traceback."""
        try:
            action()
        except CDSEError as err:
            self._show_status(f"cannot do that: {err}")

    def _search(self, _: Any) -> None:
        self._attempt(lambda: self.state.search(self.text.value))

    def _picked(self, change: dict[str, Any]) -> None:
        if change["new"] != getattr(self.state.selected, "uid", None):
            self.state.select(change["new"])

    def _area_row(self) -> Any:
        """The widgets of the request's area and dates (the CLMS mode shows the search's)."""
        return w.HBox([self.bbox, self.start, self.end])

    def _take_area(self) -> None:
        """Set the state's area and dates from :meth:`_area_row`'s widgets."""
        s = self.state
        s.bbox, s.start, s.end = self.bbox.value, self.start.value.strip(), self.end.value.strip()

    def _request(self, _: Any) -> None:
        def request() -> None:
            s = self.state
            self._take_area()
            s.output_format, s.crs = self.format.value.strip(), self.crs.value.strip()
            s.request()

        self._attempt(request)
        self._buttons()

    def _stop(self, _: Any) -> None:
        self.state.cancel()

    def _cancel(self, _: Any) -> None:
        self._attempt(self.state.cancel_task)

    # -- state -> widget -------------------------------------------------------------------------
    def _changed(self, part: str) -> None:
        if part == "datasets":
            self.datasets.options = [
                (f"{d.title} · {', '.join(d.to_dict()['formats']) or '?'}", d.uid)
                for d in self.state.datasets
            ]
        elif part == "selection":
            chosen = self.state.selected
            self.datasets.value = getattr(chosen, "uid", None)
            self.details.value = "" if chosen is None else self._describe(chosen)
        elif part == "status":
            self._show_status(self.state.status)
        self._buttons()

    def _buttons(self) -> None:
        s = self.state
        busy = s.busy
        self.request_button.disabled = s.selected is None or busy
        self.stop_button.disabled = not busy
        self.cancel_button.disabled = s.job is None

    def _show_status(self, text: str) -> None:
        # long paths break anywhere rather than run out of the panel
        self.status.value = f"<span style='overflow-wrap:anywhere'>{html.escape(text)}</span>"

    @staticmethod
    def _describe(dataset: Any) -> str:
        row = dataset.to_dict()
        return (
            f"<b>{html.escape(dataset.title)}</b><br>UID <code>{dataset.uid}</code> · "
            f"product {html.escape(str(row['product']))} · source format "
            f"{html.escape(', '.join(row['formats']) or '?')} · "
            f"<a href='{html.escape(dataset.url)}' target='_blank'>page</a>"
        )
