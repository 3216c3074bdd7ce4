"""The CLMS panel: search datasets, pick one, request a cut, follow it to its files, against the
emulator's CLMS API; the state without widgets, then the widgets over it."""

from __future__ import annotations

from typing import Any

import pytest

from .._land import posts
from .conftest import DEADLINE

#: The Po delta (west, south, east, north) and June 2023.
AREA = "11.0, 44.2, 13.0, 45.6"
INPUTS = {"bbox": AREA, "start": "2023-06-01", "end": "2023-06-30"}


def ndvi_v2(datasets: list[Any]) -> Any:
    return next(d for d in datasets if "300 m" in d.title and "version 2" in d.title)


def finish(state: Any) -> None:
    assert state.wait(DEADLINE), f"background work still running: {state.status}"


def test_the_state_searches_requests_waits_and_downloads_once(land, cdse_emulator):
    from cdse_intake.widgets.clms_state import CLMSPanelState

    state = CLMSPanelState("NDVI", **INPUTS)
    seen: list[str] = []
    state.observe(seen.append)
    state.search()
    finish(state)
    assert len(state.datasets) >= 3 and state.status.endswith("datasets for 'NDVI'")
    state.select(ndvi_v2(state.datasets).uid)
    state.request()
    finish(state)
    assert state.files and state.files[0].suffix == ".zip", state.status
    assert f"task {state.job.task_id}:" in state.status and "files in" in state.status
    assert {"datasets", "selection", "job", "status"} <= set(seen)
    ds = state.open()
    assert -0.08 <= float(ds.NDVI.mean()) <= 0.92
    first = state.job.task_id
    state.request()  # the same request: the same task, nothing posted or fetched again
    finish(state)
    assert state.job.task_id == first and posts(cdse_emulator) == 1
    assert len(cdse_emulator.state.requests(path="/clmsdatadownload/*")) == 1


def test_stopping_keeps_the_task_and_errors_are_status_lines(land, cdse_emulator):
    from cdse_intake.errors import CLMSQueryError
    from cdse_intake.widgets.clms_state import CLMSPanelState

    state = CLMSPanelState("NDVI", **{**INPUTS, "output_format": "GPKG"})
    with pytest.raises(CLMSQueryError, match="choose a dataset"):
        state.request()
    state.search()
    finish(state)
    state.select(ndvi_v2(state.datasets).uid)
    state.request()
    finish(state)
    assert "request failed:" in state.status and "GPKG" in state.status
    land.delays = (30.0, 30.0)
    state.output_format = "Geotiff"
    state.request()
    state.cancel()
    finish(state)
    assert "stopped waiting" in state.status and state.job is not None
    assert land.task(state.job.task_id)["Status"] in ("Queued", "In_progress")
    state.cancel_task()
    assert (
        state.job is None
        and len(cdse_emulator.state.requests(path="/api/@datarequest_delete")) == 1
    )


def test_the_widgets_drive_the_state(land):
    pytest.importorskip("ipywidgets")
    from cdse_intake.widgets.clms_panel import CLMSPanel

    panel = CLMSPanel("NDVI", **INPUTS)
    assert panel.request_button.disabled  # no dataset chosen yet
    panel.search_button.click()
    finish(panel.state)
    assert len(panel.datasets.options) == len(panel.state.datasets) >= 3
    panel.datasets.value = ndvi_v2(panel.state.datasets).uid
    assert "version 2" in panel.details.value and not panel.request_button.disabled
    panel.crs.value = "EPSG:4326"
    panel.request_button.click()
    finish(panel.state)
    assert "files in" in panel.status.value, panel.status.value
    assert not panel.cancel_button.disabled and panel.stop_button.disabled
    panel.bbox.value = "1, 2, 3"
    panel.request_button.click()
    finish(panel.state)
    assert "failed" in panel.status.value and "bbox" in panel.status.value
