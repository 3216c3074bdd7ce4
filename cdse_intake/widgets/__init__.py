"""The search panel: CDSE search, download and open with clicks and a map (ipywidgets).

- :class:`SearchPanel` (:mod:`.panel`): the widgets, a thin layer over
- :class:`PanelState` (:mod:`.state`): inputs, validation, search, selection, downloads and
  opening as a plain Python object, scriptable and testable without a browser, over the core's
  search, downloads (:mod:`cdse_intake.downloads.jobs`: cancellable background jobs), readers
  and quicklooks (:mod:`cdse_intake.catalogue.quicklook`); its parts :mod:`.inputs`,
  :mod:`.actions`, :mod:`.cube` (the selection as one cube, :func:`cdse_intake.load`),
  :mod:`.rows`, :mod:`.transfers`, :mod:`.background`;
- :mod:`.fields` (the inputs as search keywords and code), and the widgets' parts
  :mod:`.form`, :mod:`.table`, :mod:`.map`, :mod:`.outputs`; :mod:`.catalog` (``cat.gui``);
- :class:`CLMSPanel` (:mod:`.clms_panel`) over :class:`CLMSPanelState` (:mod:`.clms_state`):
  CLMS land datasets, requested, followed and downloaded; on its own, or as the search panel's
  CLMS mode (``SearchPanel(clms=True)``, :mod:`.modes`) over its map and dates.

Names are imported lazily: ``PanelState`` and ``CLMSPanelState`` need no ipywidgets;
``SearchPanel`` needs ipywidgets and ipyleaflet, ``CLMSPanel`` ipywidgets.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["CLMSPanel", "CLMSPanelState", "PanelState", "SearchPanel", "panel_for_catalog"]

_LAZY = {
    "CLMSPanel": "cdse_intake.widgets.clms_panel",
    "CLMSPanelState": "cdse_intake.widgets.clms_state",
    "PanelState": "cdse_intake.widgets.state",
    "SearchPanel": "cdse_intake.widgets.panel",
    "panel_for_catalog": "cdse_intake.widgets.catalog",
}

if TYPE_CHECKING:
    from .catalog import panel_for_catalog
    from .clms_panel import CLMSPanel
    from .clms_state import CLMSPanelState
    from .panel import SearchPanel
    from .state import PanelState


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cdse_intake.widgets' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
