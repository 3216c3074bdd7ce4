"""The search panel's CLMS mode: the land service's controls over the panel's map and dates.

``SearchPanel(clms=True)`` gets a switch at its top (*CDSE products* / *Land service (CLMS)*).
The CLMS mode shows the :class:`~.clms_panel.CLMSPanel` controls in place of the search form
and hides the CDSE results and actions; the map stays, and the form's own area and date fields
come along: the area drawn or typed is the request's bbox (its bounds), the dates its time.
Both states live on (``panel.state``, ``panel.clms_state``): switching back and forth keeps
them. The area and dates stay in ``panel.state`` only; the CLMS state takes them when a request
is made (:meth:`~.clms_state.CLMSPanelState.use_search_inputs`).

CSS classes: ``cdse-mode`` (the switch), and those of :mod:`.clms_panel`.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from .clms_panel import CLMSPanel
from .clms_state import CLMSPanelState

__all__ = ["CDSE", "CLMS", "CLMSMode"]

#: The switch's values.
CDSE, CLMS = "cdse", "clms"


class _SharedAreaCLMSPanel(CLMSPanel):
    """The CLMS controls with the search form's area and date fields instead of their own."""

    def __init__(self, panel: Any, state: CLMSPanelState) -> None:
        self._panel = panel
        super().__init__(state=state)
        self.layout = w.Layout(width="28em", margin="0 1em 0 0")  # the form's width, beside the map
        self.text.layout.width = "20em"
        self.format.layout.width = self.crs.layout.width = "14em"

    def _area_row(self) -> Any:
        form = self._panel.form
        return w.VBox([w.VBox([form.fields[n], form.errors[n]]) for n in ("area", "start", "end")])

    def _take_area(self) -> None:
        search = self._panel.state
        if "area" in search.errors:  # the reason the form shows, as the status line
            from ..errors import QueryError

            raise QueryError(f"area: {search.errors['area']}")
        values = search.values
        self.state.use_search_inputs(values["area"], values["start"], values["end"])


class CLMSMode:
    """The switch (``mode.switch``), the CLMS controls (``mode.controls``) and their state
    (``mode.state``) of one search panel; the switch swaps what the panel shows."""

    def __init__(self, panel: Any, state: CLMSPanelState | None = None) -> None:
        self.panel = panel
        self.state = state if state is not None else CLMSPanelState()
        self.controls = _SharedAreaCLMSPanel(panel, self.state)
        self.switch = w.ToggleButtons(
            options=[("CDSE products", CDSE), ("Land service (CLMS)", CLMS)],
            value=CDSE,
            style={"button_width": "12em"},
        )
        self.switch.add_class("cdse-mode")
        self.switch.observe(lambda change: self.show(change["new"]), "value")

    @property
    def value(self) -> str:
        """The mode shown: ``"cdse"`` or ``"clms"``."""
        return str(self.switch.value)

    def show(self, mode: str) -> None:
        """Show ``mode`` (``"cdse"`` or ``"clms"``); the switch follows."""
        if mode not in (CDSE, CLMS):
            raise ValueError(f"mode={mode!r}: expected {CDSE!r} or {CLMS!r}")
        if self.switch.value != mode:
            self.switch.value = mode  # its observer comes back here
            return
        panel = self.panel
        left = self.controls if mode == CLMS else panel.form_box
        panel.top.children = (left, panel.top.children[1])
        panel.cdse_box.layout.display = "none" if mode == CLMS else None
