"""SearchPanel, the widgets: driven in Python as a user would click, against the emulator.

Widgets are set through their ``value`` traits and buttons through ``click()``; the map's
drawing and footprint clicks through the messages the Leaflet front end sends. No browser.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("ipyleaflet")

from cdse_intake.widgets import SearchPanel, panel_for_catalog

from .conftest import DEADLINE, PARIS, finish

#: The classes the browser test relies on (panel contract).
CONTRACT = (
    "cdse-panel",
    "cdse-collection",
    "cdse-start",
    "cdse-end",
    "cdse-cloud",
    "cdse-bbox",
    "cdse-search",
    "cdse-status",
    "cdse-results",
    "cdse-download",
    "cdse-download-status",
    "cdse-open",
    "cdse-manifest",
    "cdse-code",
    "cdse-map",
)


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def with_class(panel, css):
    return [w for w in walk(panel) if css in getattr(w, "_dom_classes", ())]


@pytest.fixture
def panel(cdse_env):
    made = SearchPanel("sentinel-2-l2a", load_collections=False)
    yield made
    made.state.cancel()
    assert made.state.wait(DEADLINE)


def fill_paris(panel):
    panel.area.value = "2.2, 48.8, 2.5, 48.9"
    panel.start.value = date(2023, 1, 1)
    panel.end.value = date(2023, 1, 15)


def search(panel):
    panel.search_button.click()
    finish(panel.state)


def test_every_contract_class_is_on_exactly_one_widget(panel):
    for css in CONTRACT:
        assert len(with_class(panel, css)) == 1, css
    assert with_class(panel, "cdse-map")[0] is panel.map.map
    assert with_class(panel, "cdse-bbox")[0] is panel.area
    assert with_class(panel, "cdse-status")[0] is panel.status


def test_fields_set_the_state_and_errors_show_next_to_them(panel):
    fill_paris(panel)
    panel.cloud.value = 40
    panel.tile.value = "31UNE"
    state = panel.state
    assert state.start == date(2023, 1, 1) and state.end == date(2023, 1, 15)
    assert state.area == "2.2, 48.8, 2.5, 48.9"
    assert (state.cloud, state.tile) == (40, "31UNE")
    assert all(label.layout.display == "none" for label in panel.errors.values())
    panel.cloud.value = 100  # the end of the slider: any cloud cover
    assert state.cloud is None
    panel.tile.value = "31XYZ"
    assert "is not a Sentinel-2 MGRS tile" in panel.errors["tile"].value
    assert panel.errors["tile"].layout.display == ""
    panel.search_button.click()  # refused, with the reason in the status line
    assert "cannot search: tile:" in panel.status.value
    assert not panel.state.busy
    panel.tile.value = ""
    assert panel.errors["tile"].layout.display == "none"
    assert state.tile is None


def test_collection_choice_sets_the_product_types(panel):
    assert [v for _, v in panel.product_type.options] == [None, "S2MSI2A"]
    panel.collection.value = "SENTINEL-1"
    assert {"IW_GRDH_1S", "IW_SLC__1S"} <= {v for _, v in panel.product_type.options}
    panel.product_type.value = "IW_GRDH_1S"
    assert panel.state.product_type == "IW_GRDH_1S"
    panel.collection.value = "sentinel-2-l2a"  # the type is not in this one: dropped
    assert panel.product_type.value is None and panel.state.product_type is None


def test_the_live_collection_list_fills_the_dropdown(cdse_env):
    panel = SearchPanel("sentinel-2-l2a")
    finish(panel.state)
    labels = dict((v, label) for label, v in panel.collection.options)
    assert labels["sentinel-2-l2a"] == "sentinel-2-l2a · Sentinel-2 Level-2A"
    assert panel.collection.value == "sentinel-2-l2a"


def test_search_fills_the_table_and_the_map(panel, with_data):
    fill_paris(panel)
    search(panel)
    state = panel.state
    assert panel.status.value == f"<span>{len(state.results)} products found</span>"
    rows = with_class(panel.table.widget, "cdse-row")
    assert len(rows) == len(state.results)
    names = [row.children[1].value for row in rows]
    assert names == [p.name for p in state.results]
    assert set(with_data) <= set(names)
    for row in rows:
        assert "cdse-select" in row.children[0]._dom_classes
    features = panel.map.footprints.data["features"]
    assert [f["properties"]["name"] for f in features] == names
    (lat, lon), zoom = panel.map.map.center, panel.map.map.zoom
    assert 48 < lat < 50 and 1 < lon < 4 and zoom >= 6  # zoomed to the footprints
    assert panel.map.area_layer.data["geometry"]["type"] == "Polygon"


def test_column_headers_sort_the_rows(panel):
    fill_paris(panel)
    search(panel)
    panel.table.sort_buttons["cloud"].click()
    clouds = [float(row.labels[2].value) for row in panel.table.rows]
    assert clouds == sorted(clouds)
    assert panel.table.sort_buttons["cloud"].description == "cloud % ▲"
    panel.table.sort_buttons["cloud"].click()
    assert [float(row.labels[2].value) for row in panel.table.rows] == sorted(clouds, reverse=True)
    assert panel.table.sort_buttons["cloud"].description == "cloud % ▼"


def test_selecting_a_row_highlights_its_footprint_and_shows_its_quicklook(panel):
    fill_paris(panel)
    search(panel)
    shown = threading.Event()
    panel.state.observe(
        lambda change: change == "quicklook" and panel.state.quicklook and shown.set()
    )
    row = panel.table.rows[1]
    row.check.value = True
    assert panel.state.selected == [row.index]
    assert shown.wait(DEADLINE)
    assert panel.quicklook.value == panel.state.quicklook
    assert panel.quicklook.format == "png" and panel.quicklook.layout.display == ""
    assert row.labels[0].value in panel.quicklook_caption.value
    assert row.box.layout.border  # the focused row is outlined
    highlighted = panel.map.selected.data["features"]
    assert [f["properties"]["name"] for f in highlighted] == [row.labels[0].value]
    assert not panel.download_button.disabled and not panel.open_button.disabled
    row.check.value = False
    assert panel.map.selected.data["features"] == []
    assert panel.download_button.disabled


def test_clicking_a_footprint_selects_its_row(panel):
    fill_paris(panel)
    search(panel)
    feature = panel.map.footprints.data["features"][3]
    message = {"event": "click", "feature": feature, "properties": feature["properties"]}
    panel.map.footprints._handle_mouse_events(None, message, [])
    assert panel.state.selected == [3]
    checked = [row.index for row in panel.table.rows if row.check.value]
    assert checked == [3]
    panel.map.selected._handle_mouse_events(None, message, [])  # the highlighted one: off
    assert panel.state.selected == []


def test_drawing_on_the_map_sets_the_area(panel):
    ring = [[2.0, 48.0], [3.0, 48.0], [3.0, 49.0], [2.0, 49.0], [2.0, 48.0]]
    drawn = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    panel.map.draw._handle_leaflet_event(None, {"event": "draw:created", "geo_json": drawn}, [])
    assert panel.state.area == drawn["geometry"]
    assert panel.area.value == "POLYGON ((2 48, 3 48, 3 49, 2 49, 2 48))"
    assert panel.map.area_layer.data["geometry"] == drawn["geometry"]
    assert panel.state.errors == {}
    assert panel.state.search_kwargs()["geometry"] == drawn["geometry"]
    panel.map.draw._handle_leaflet_event(None, {"event": "draw:deleted", "geo_json": drawn}, [])
    assert panel.state.area is None and panel.area.value == ""


def test_download_open_manifest_and_code_buttons(panel, with_data, tmp_path):
    fill_paris(panel)
    search(panel)
    state = panel.state
    rows = {row.labels[0].value: row for row in panel.table.rows}
    for name in with_data:
        rows[name].check.value = True
    panel.download_button.click()
    finish(state)
    status = with_class(panel, "cdse-download-status")[0]
    texts = [box.children[2].value for box in status.children]
    assert len(texts) == len(with_data)
    assert all("verified (" in text for text in texts), texts
    assert [box.children[1].value for box in status.children] == [1.0] * len(with_data)
    assert panel.status.value == "<span>download finished: 2 verified</span>"

    panel.open_button.click()
    finish(state)
    assert panel.selected_dataset is state.opened
    assert panel.selected_dataset.attrs["cdse_product"] == with_data[-1]
    assert "opened" in panel.status.value and "selected_dataset" in panel.opened.value

    panel.manifest_path.value = str(tmp_path / "picked.csv")
    panel.manifest_button.click()
    assert Path(tmp_path / "picked.csv").is_file()
    assert "manifest of 2 products written" in panel.status.value

    panel.code_button.click()
    assert panel.code.layout.display == ""
    assert "cdse_intake.search(" in panel.code.value
    assert all(name in panel.code.value for name in with_data)


def test_the_cancel_button_stops_a_download(panel, with_data, cdse_emulator):
    fill_paris(panel)
    search(panel)
    name = with_data[0]
    cdse_emulator.faults.add("slow", name, rate=10_000, times=None)
    started = threading.Event()
    panel.state.observe(
        lambda change: (
            change == "downloads"
            and panel.state.downloads.get(name, {}).get("status") == "downloading"
            and started.set()
        )
    )
    panel.state.select_names([name])
    panel.download_button.click()
    assert started.wait(DEADLINE)
    assert not panel.cancel_button.disabled
    panel.cancel_button.click()
    finish(panel.state)
    note = with_class(panel, "cdse-download-status")[0].children[0].children[2].value
    assert "cancelled" in note
    assert "download cancelled" in panel.status.value
    assert panel.cancel_button.disabled


def test_a_failing_action_is_a_status_line_not_a_traceback(panel, tmp_path):
    panel.manifest_button.disabled = False  # even if clicked too early
    panel.manifest_button.click()
    assert "run a search first" in panel.status.value
    panel.tile.value = "nope"
    panel.code_button.click()
    assert "tile=" in panel.status.value


def test_cat_gui_shows_a_catalogue_of_search_results(cdse_env, with_data):
    from cdse_intake.intake_plugin import open_catalog

    root = Path(__file__).resolve().parents[2]
    cat = open_catalog(str(root / "catalog.yaml"))
    found = cat.sentinel2_l2a(bbox=PARIS, start="2023-01-01", end="2023-01-06").read()
    panel = found.gui
    assert isinstance(panel, SearchPanel)
    finish(panel.state)
    assert sorted(p.name for p in panel.state.results) == sorted(found)
    assert set(with_data) <= {p.name for p in panel.state.results}
    assert panel.state.collection == "SENTINEL-2"
    assert panel.state.product_type == "S2MSI2A"
    assert panel.area.value.startswith("POLYGON ((2.5 48.8")
    assert len(panel.table.rows) == len(found)
    # the top catalogue gives a panel filled from its user parameters
    top = cat(area=list(PARIS), since="2023-01-01", max_cloud=30).gui
    finish(top.state)
    assert top.state.area == list(PARIS) and top.state.cloud == 30
    assert top.area.value == "2.2, 48.8, 2.5, 48.9" and top.cloud.value == 30
    assert top.start.value == date(2023, 1, 1)
    assert panel_for_catalog(cat).state.collection is None
