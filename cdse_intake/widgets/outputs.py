"""What the panel shows of the state's results: per-file download rows, the focused product's
quicklook, the product opened as xarray and the cube loaded. Each is set from a
:class:`~.state.PanelState`.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

__all__ = ["CubeView", "DownloadRows", "OpenedView", "QuicklookView"]

_BAR_STYLE = {"verified": "success", "failed": "danger", "cancelled": "warning"}


class DownloadRows:
    """One row per downloaded file (``rows.widget``, class ``cdse-download-status``): its name,
    a progress bar, the megabytes and the state (with the checksum algorithm once verified)."""

    def __init__(self) -> None:
        self.widget = w.VBox()
        self.widget.add_class("cdse-download-status")
        self._rows: dict[str, tuple[Any, Any, Any, Any]] = {}

    def show(self, state: Any) -> None:
        with state._lock:
            entries = {name: dict(entry) for name, entry in state.downloads.items()}
        for name, entry in entries.items():
            if name not in self._rows:
                label = w.HTML(layout=w.Layout(width="34em"))
                bar = w.FloatProgress(min=0.0, max=1.0, layout=w.Layout(width="14em"))
                note = w.HTML()
                box = w.HBox([label, bar, note], layout=w.Layout(align_items="center"))
                self._rows[name] = (box, label, bar, note)
            _, label, bar, note = self._rows[name]
            label.value = f"<code>{html.escape(name)}</code>"
            total, done = entry.get("total"), entry.get("bytes") or 0
            bar.value = min(1.0, done / total) if total else 0.0
            status = entry.get("status", "")
            bar.bar_style = _BAR_STYLE.get(status, "info")
            note.value = f"<span>{html.escape(_note(entry, status, done, total))}</span>"
        rows = tuple(self._rows[name][0] for name in entries)
        if self.widget.children != rows:
            self.widget.children = rows


def _note(entry: dict[str, Any], status: str, done: int, total: int | None) -> str:
    megabytes = f"{done / 1e6:,.1f}" + (f" / {total / 1e6:,.1f} MB" if total else " MB")
    detail = (
        f"verified ({entry.get('algorithm') or 'checksum'} OK)" if status == "verified" else status
    )
    reason = entry.get("reason") or ""
    if reason and status != "verified":
        detail += f": {reason}"
    elif reason:
        detail += f"; {reason}"
    return f"{megabytes} · {detail}"


class QuicklookView:
    """The focused product's quicklook (``image``, class ``cdse-quicklook``) and its caption
    (the product name, or why there is no image)."""

    def __init__(self) -> None:
        self.image = w.Image(format="png", layout=w.Layout(max_width="256px", display="none"))
        self.image.add_class("cdse-quicklook")
        self.caption = w.HTML()

    def show(self, state: Any) -> None:
        data = state.quicklook
        if data:
            self.image.format = "png" if data.startswith(b"\x89PNG") else "jpeg"
            self.image.value = data
            self.image.layout.display = ""
        else:
            self.image.layout.display = "none"
        name = state.quicklook_name
        note = state.quicklook_error if not data else ""
        self.caption.value = (
            ""
            if name is None
            else f"<div style='padding:0 1em;font-size:90%'><b>{html.escape(name)}</b>"
            f"<br>{html.escape(note)}</div>"
        )


class OpenedView:
    """The HTML view of the product last opened (``widget``, class ``cdse-opened``)."""

    def __init__(self) -> None:
        self.widget = w.HTML()
        self.widget.add_class("cdse-opened")

    def show(self, state: Any) -> None:
        result = state.opened
        if result is None:
            self.widget.value = ""
            return
        try:
            body = result._repr_html_()
        except Exception:  # any object: its repr instead
            body = f"<pre>{html.escape(repr(result))}</pre>"
        self.widget.value = (
            f"<p><b>{html.escape(state.opened_name or '')}</b> opened as "
            f"<code>panel.selected_dataset</code>:</p>{body}"
        )


class CubeView:
    """The HTML view of the cube last loaded (``widget``, class ``cdse-cube-view``)."""

    def __init__(self) -> None:
        self.widget = w.HTML()
        self.widget.add_class("cdse-cube-view")

    def show(self, state: Any) -> None:
        cube = state.cube
        if cube is None:
            self.widget.value = ""
            return
        try:
            body = cube._repr_html_()
        except Exception:  # any object: its repr instead
            body = f"<pre>{html.escape(repr(cube))}</pre>"
        count = len(state.cube_names)
        self.widget.value = (
            f"<p><b>{count} product{'s' if count != 1 else ''}</b> loaded as a cube in "
            f"<code>panel.selected_cube</code>:</p>{body}"
        )
