"""The search panel's CLMS mode: a switch, the CLMS controls over the panel's own map and dates,
a request cut to the area drawn, and both modes' inputs kept across switches; against the
emulator's CDSE and CLMS. No browser."""

from __future__ import annotations

from datetime import date

import pytest

from .._land import posts
from .conftest import DEADLINE, finish

#: A triangle over the Po delta, drawn on the map: its bounds are (11.0, 44.2, 13.0, 45.6).
DRAWN = {
    "type": "Feature",
    "properties": {},
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[11.0, 44.2], [13.0, 44.2], [12.0, 45.6], [11.0, 44.2]]],
    },
}
BOUNDS = [11.0, 44.2, 13.0, 45.6]


def test_the_state_takes_the_search_area_as_its_bounds_and_the_dates():
    from cdse_intake.errors import QueryError
    from cdse_intake.widgets import CLMSPanelState

    state = CLMSPanelState()
    state.use_search_inputs(DRAWN["geometry"], date(2023, 6, 1), date(2023, 6, 30))
    keywords = state.request_keywords()
    assert keywords["bbox"] == BOUNDS
    assert keywords["time"] == ("2023-06-01", "2023-06-30")
    state.use_search_inputs("11, 44.2, 13, 45.6")  # typed text; no dates: no time range
    assert state.bbox == BOUNDS and state.request_keywords()["time"] is None
    state.use_search_inputs(None)
    assert state.bbox is None
    with pytest.raises(QueryError):
        state.use_search_inputs("1, 2, 3")


pytest.importorskip("ipywidgets")
pytest.importorskip("ipyleaflet")


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def with_class(panel, css):
    return [w for w in walk(panel) if css in getattr(w, "_dom_classes", ())]


@pytest.fixture
def make_panel(cdse_env):
    from cdse_intake.widgets import SearchPanel

    made = []

    def make(**kwargs):
        panel = SearchPanel("sentinel-2-l2a", load_collections=False, **kwargs)
        made.append(panel)
        return panel

    yield make
    for panel in made:
        panel.state.cancel()
        assert panel.state.wait(DEADLINE)
        if panel.clms_state is not None:
            panel.clms_state.cancel()
            assert panel.clms_state.wait(DEADLINE)


def test_the_switch_is_there_only_with_clms(make_panel):
    plain = make_panel()
    assert plain.mode is None and plain.clms_state is None
    assert not with_class(plain, "cdse-mode") and not with_class(plain, "cdse-clms-panel")
    panel = make_panel(clms=True)
    (switch,) = with_class(panel, "cdse-mode")
    assert switch is panel.mode.switch and panel.children[0] is switch
    assert [label for label, _ in switch.options] == ["CDSE products", "Land service (CLMS)"]
    assert switch.value == "cdse" and not with_class(panel, "cdse-clms-panel")
    assert len(with_class(panel, "cdse-search")) == 1 and panel.cdse_box.layout.display is None


def test_the_clms_mode_requests_the_area_drawn_and_switching_back_keeps_the_form(
    make_panel, land, cdse_emulator
):
    from cdse_intake.widgets import CLMSPanelState

    panel = make_panel(clms=True)
    assert isinstance(panel.clms_state, CLMSPanelState)
    panel.cloud.value = 30
    panel.tile.value = "32TQQ"
    panel.start.value, panel.end.value = date(2023, 6, 1), date(2023, 6, 30)
    panel.map.draw._handle_leaflet_event(None, {"event": "draw:created", "geo_json": DRAWN}, [])
    assert panel.state.area == DRAWN["geometry"]

    panel.mode.switch.value = "clms"
    controls = panel.mode.controls
    assert with_class(panel, "cdse-clms-panel") == [controls]
    assert not with_class(panel, "cdse-collection") and panel.cdse_box.layout.display == "none"
    # the same map, and the form's own area and date fields inside the CLMS controls
    assert with_class(panel, "cdse-map") == [panel.map.map]
    assert with_class(controls, "cdse-bbox") == [panel.area]
    assert with_class(controls, "cdse-start") == [panel.start]
    assert not with_class(panel, "cdse-clms-bbox")

    controls.text.value = "NDVI"
    controls.search_button.click()
    finish(panel.clms_state)
    ndvi = next(
        d for d in panel.clms_state.datasets if "300 m" in d.title and "version 2" in d.title
    )
    controls.datasets.value = ndvi.uid
    controls.request_button.click()
    finish(panel.clms_state)
    assert "files in" in controls.status.value, controls.status.value
    assert posts(cdse_emulator) == 1
    (posted,) = land.task(panel.clms_state.job.task_id)["Datasets"]  # what CLMS was sent
    assert posted["BoundingBox"] == [11.0, 45.6, 13.0, 44.2]  # CLMS's order: W, N, E, S
    assert posted["TemporalFilter"] == {
        "StartDate": "2023-06-01 00:00:00",
        "EndDate": "2023-06-30 23:59:59",
    }

    panel.mode.show("cdse")
    assert panel.mode.switch.value == "cdse" and panel.cdse_box.layout.display is None
    assert not with_class(panel, "cdse-clms-panel") and len(with_class(panel, "cdse-bbox")) == 1
    assert (panel.collection.value, panel.cloud.value, panel.tile.value) == (
        "sentinel-2-l2a",
        30,
        "32TQQ",
    )
    assert panel.area.value == "POLYGON ((11 44.2, 13 44.2, 12 45.6, 11 44.2))"
    assert panel.start.value == date(2023, 6, 1) and panel.state.cloud == 30
    panel.mode.switch.value = "clms"  # and back again: the CLMS choice and result are kept
    assert controls.datasets.value == ndvi.uid and panel.clms_state.files


def test_a_bad_area_is_a_status_line_in_the_clms_mode(make_panel, land, cdse_emulator):
    panel = make_panel(clms=True)
    panel.mode.show("clms")
    controls = panel.mode.controls
    controls.text.value = "NDVI"
    controls.search_button.click()
    finish(panel.clms_state)
    controls.datasets.value = panel.clms_state.datasets[0].uid
    panel.area.value = "1, 2, 3"
    assert panel.errors["area"].layout.display == ""  # shown under the field, as in the form
    controls.request_button.click()
    assert "cannot do that: area:" in controls.status.value and posts(cdse_emulator) == 0
