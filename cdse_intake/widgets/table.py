"""The results table: one row of widgets per product, sortable by column, a page at a time.

Rows are plain ipywidgets (an ``HBox`` with class ``cdse-row`` holding a ``cdse-select`` checkbox
and the product's name, time, cloud cover, size and online state), so they render the same in
JupyterLab, Notebook 7, VS Code and Voila without any extra front-end package. Row widgets are
reused from page to page; only the rows of the page shown are in the DOM.
"""

from __future__ import annotations

import html
import threading
from typing import Any

from .state import PanelState

__all__ = ["COLUMNS", "ResultsTable"]

#: (sort key, header, width)
COLUMNS = (
    ("name", "name", "34em"),
    ("start", "sensing start (UTC)", "11em"),
    ("cloud", "cloud %", "5em"),
    ("size", "MB", "6em"),
    ("online", "online", "5em"),
)
PAGE_SIZE = 50


def cells(product: Any) -> tuple[str, str, str, str, str]:
    """The texts of a product's row."""
    when = product.start.strftime("%Y-%m-%d %H:%M") if product.start else ""
    cloud = "" if product.cloud_cover is None else f"{product.cloud_cover:.1f}"
    size = "" if product.size is None else f"{product.size / 1e6:,.1f}"
    online = "" if product.online is None else ("yes" if product.online else "no")
    return product.name, when, cloud, size, online


class _Row:
    def __init__(self, table: ResultsTable) -> None:
        import ipywidgets as w

        self.index: int | None = None
        self.check = w.Checkbox(value=False, indent=False, layout=w.Layout(width="2em"))
        self.check.add_class("cdse-select")
        self.labels = [w.Label(layout=w.Layout(width=width)) for _, _, width in COLUMNS]
        self.labels[0].add_class("cdse-name")
        self.box = w.HBox([self.check, *self.labels], layout=w.Layout(align_items="center"))
        self.box.add_class("cdse-row")
        self.check.observe(lambda change: table._checked(self, change["new"]), names="value")


class ResultsTable:
    """The table widget (``table.widget``) over a :class:`PanelState`."""

    def __init__(self, state: PanelState, page_size: int = PAGE_SIZE) -> None:
        import ipywidgets as w

        self.state = state
        self.page_size = page_size
        self.page = 0
        self._local = threading.local()
        self._lock = threading.RLock()
        self._rows: list[_Row] = []
        self.sort_buttons: dict[str, Any] = {}
        header = [w.HTML("", layout=w.Layout(width="2em"))]
        for key, title, width in COLUMNS:
            button = w.Button(description=title, layout=w.Layout(width=width), tooltip="sort")
            button.add_class("cdse-sort")
            button.on_click(lambda _, key=key: self.state.sort_by(key))
            self.sort_buttons[key] = button
            header.append(button)
        self.header = w.HBox(header)
        self.body = w.VBox()
        self.previous = w.Button(description="◀", layout=w.Layout(width="3em"), tooltip="previous")
        self.next = w.Button(description="▶", layout=w.Layout(width="3em"), tooltip="next page")
        self.previous.on_click(lambda _: self.show_page(self.page - 1))
        self.next.on_click(lambda _: self.show_page(self.page + 1))
        self.counter = w.HTML()
        self.pager = w.HBox([self.previous, self.counter, self.next])
        self.widget = w.VBox([self.header, self.body, self.pager])
        self.widget.add_class("cdse-results")
        self.refresh()

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.state.order) // self.page_size))

    def show_page(self, page: int) -> None:
        self.page = min(max(0, page), self.pages - 1)
        self.refresh()

    def page_of(self, index: int) -> int:
        """The page showing ``results[index]``."""
        return self.state.order.index(index) // self.page_size

    @property
    def rows(self) -> list[_Row]:
        """The rows on screen (``row.index`` is the product's index in ``state.results``)."""
        return list(self._rows[: len(self.body.children)])

    def _checked(self, row: _Row, value: bool) -> None:
        if getattr(self._local, "syncing", False) or row.index is None:
            return
        self.state.toggle(row.index, value)

    def refresh(self) -> None:
        """Show the current page of ``state`` (rows, checks, sort arrows, focus)."""
        with self._lock:
            state = self.state
            with state._lock:
                order = list(state.order)
                products = list(state.results)
                selected = set(state.selected)
                focus, sort = state.focus, state.sort
            self.page = min(self.page, max(0, -(-len(order) // self.page_size) - 1))
            shown = order[self.page * self.page_size : (self.page + 1) * self.page_size]
            while len(self._rows) < len(shown):
                self._rows.append(_Row(self))
            self._local.syncing = True
            try:
                for row, index in zip(self._rows, shown, strict=False):
                    row.index = index
                    for label, text in zip(row.labels, cells(products[index]), strict=True):
                        label.value = text
                    row.check.value = index in selected
                    row.box.layout.border = "1px solid #e67e00" if index == focus else ""
            finally:
                self._local.syncing = False
            boxes = tuple(row.box for row in self._rows[: len(shown)])
            if self.body.children != boxes:
                self.body.children = boxes
            for key, title, _ in COLUMNS:
                arrow = "" if sort is None or sort[0] != key else (" ▼" if sort[1] else " ▲")
                self.sort_buttons[key].description = title + arrow
            if order:
                first = self.page * self.page_size + 1
                text = f"{first}–{first + len(shown) - 1} of {len(order)}"
            else:
                text = "no products"
            self.counter.value = f"<span style='padding:0 1em'>{html.escape(text)}</span>"
            self.previous.disabled = self.page == 0
            self.next.disabled = self.page >= self.pages - 1
            self.pager.layout.display = "" if len(order) > self.page_size else "none"
