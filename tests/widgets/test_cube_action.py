"""The panel's "open as cube": the selected products as ``cdse_intake.load``'s cube over the
panel's area, in the background, with status-line feedback; failures on the status line, never
raised into the event loop."""

from __future__ import annotations

import threading
from datetime import date

import numpy as np
import pytest

import cdse_intake

from .conftest import PARIS, finish

CUBE = {"bands": ["B04", "B08"], "resolution": 20}


def _expected(products, **kwargs):
    return cdse_intake.load(products, bbox=PARIS, **{**CUBE, **kwargs}).compute()


def _same(got, want) -> None:
    got = got.compute()
    assert dict(got.sizes) == dict(want.sizes)
    for name in want.data_vars:
        np.testing.assert_array_equal(got[name].values, want[name].values)


def test_the_selection_loads_as_the_cube_of_load_over_the_panels_area(searched, with_data):
    searched.select_names(with_data)
    searched.remote = True  # range reads: nothing downloaded
    heard: list[str] = []
    searched.observe(heard.append)
    thread = searched.load_cube_in_background(**CUBE)
    assert thread is not None
    finish(searched)
    assert searched.status.startswith("loaded 2 products as a cube (time=2, "), searched.status
    assert searched.status.endswith(": panel.selected_cube")
    assert "cube" in heard and not searched.loading_cube
    assert searched.cube_names == with_data
    assert searched.area_bbox() == PARIS
    _same(searched.cube, _expected(searched.selected_products))
    assert searched.downloads == {}


def test_without_remote_the_products_are_downloaded_first_with_progress(searched, with_data):
    searched.select_names(with_data[:1])
    assert searched.remote is False
    searched.load_cube_in_background(bands=["B04"], resolution=60)
    finish(searched)
    assert searched.downloads[with_data[0]]["status"] == "verified", searched.status
    assert searched.status.startswith("loaded 1 product as a cube"), searched.status
    want = cdse_intake.load(searched.selected_products, bbox=PARIS, bands=["B04"], resolution=60)
    _same(searched.cube, want.compute())


@pytest.mark.parametrize(
    ("options", "shown"),
    [
        ({"resolution": -1}, "cannot load the cube: resolution=-1: expected a positive pixel"),
        ({"bands": ["B99"]}, "cannot load the cube: variables: 'B99' is not a Sentinel-2 band"),
        ({"calibration": "sigma0"}, "cannot load the cube: load() has no option 'calibration'"),
    ],
)
def test_a_failure_is_a_status_line(searched, with_data, options, shown):
    searched.select_names(with_data)
    searched.remote = True
    searched.load_cube_in_background(**options)
    finish(searched)
    assert searched.status.startswith(shown), searched.status
    assert searched.cube is None and not searched.loading_cube


def test_nothing_selected_nothing_loaded(searched):
    assert searched.load_cube_in_background() is None
    assert searched.status == "select products to load as a cube first"
    with pytest.raises(ValueError, match="select products"):
        searched.load_selected()


@pytest.fixture
def panel(cdse_env):
    pytest.importorskip("ipyleaflet")
    from cdse_intake.widgets import SearchPanel

    made = SearchPanel("sentinel-2-l2a", load_collections=False)
    yield made
    made.state.cancel()
    assert made.state.wait(60)


def test_the_panels_button_loads_the_selection_into_selected_cube(panel, with_data, monkeypatch):
    raised: list[object] = []
    monkeypatch.setattr(threading, "excepthook", raised.append)
    panel.area.value = "2.2, 48.8, 2.5, 48.9"
    panel.start.value = date(2023, 1, 1)
    panel.end.value = date(2023, 1, 15)
    panel.search_button.click()
    finish(panel.state)
    assert panel.cube_button.disabled  # nothing selected yet
    assert "cdse-cube" in panel.cube_button._dom_classes
    others = [p.name for p in panel.state.results if p.name not in with_data]
    assert others, "the search should find products without data too"
    panel.remote.value = True
    panel.state.select_names(others[:1])  # listed, but its files cannot be read
    assert not panel.cube_button.disabled
    panel.cube_button.click()
    finish(panel.state)
    assert "cannot load the cube" in panel.status.value
    assert panel.selected_cube is None and panel.cube_view.widget.value == ""
    panel.state.select_names(with_data)
    panel.cube_button.click()
    finish(panel.state)
    assert "loaded 2 products as a cube" in panel.status.value, panel.status.value
    assert panel.selected_cube is panel.state.cube
    assert set(panel.selected_cube.data_vars) >= {"B04", "B08"}
    assert "panel.selected_cube" in panel.cube_view.widget.value
    assert not panel.cube_button.disabled and panel.cancel_button.disabled
    assert raised == []
