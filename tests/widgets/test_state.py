"""PanelState, the panel without widgets: inputs, search, selection, downloads, open, code.

Everything runs against the emulator; background work is awaited with ``state.wait`` (thread
joins with a deadline) or threading Events set by observers, never with sleeps.
"""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import shapely

import cdse_intake
from cdse_intake.catalogue.quicklook import quicklook_url
from cdse_intake.emulator.odata.quicklook import entry_quicklook_png
from cdse_intake.widgets import PanelState

from .conftest import DEADLINE, PARIS, finish


# -- inputs and validation ---------------------------------------------------------------------
def test_valid_inputs_have_no_errors_and_give_the_search_keywords():
    state = PanelState("sentinel-2-l2a", area="2.2 48.8 2.5 48.9", start=date(2023, 1, 1))
    assert state.errors == {}
    state.update(end=date(2023, 1, 15), cloud=30, tile="T31UNE", relative_orbit="51")
    assert state.errors == {}
    assert state.search_kwargs() == {
        "collection": "sentinel-2-l2a",
        "bbox": PARIS,
        "start": "2023-01-01",
        "end": "2023-01-15",
        "cloud": 30,
        "tile": "T31UNE",
        "relative_orbit": 51,
        "limit": 100,
    }


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("tile", "31XYZ", "is not a Sentinel-2 MGRS tile"),
        ("cloud", 130, "outside 0-100"),
        ("area", "2.2, 48.8, 2.5", "has 3 numbers; expected 4"),
        ("area", "2.2, 48.8, 2.1, 48.9", None),  # west > east crosses the antimeridian: valid
        ("area", "2.2, 48.9, 2.5, 48.8", "south (48.9) must be below north"),
        ("area", "POLYGON ((2 48, 3 48, 3 49", "WKT"),
        ("orbit", "12a", "expected a whole number"),
        ("relative_orbit", "0", "expected a whole number >= 1"),
        ("start", "yesterday", "is not a date or time"),
        ("product_type", "S2MSI1C", "which holds S2MSI2A"),
        ("collection", "sentinel-2-l2", "did you mean"),
        ("backend", "opensearch", "expected one of odata, stac"),
        ("limit", 0, "expected a whole number >= 1"),
    ],
)
def test_each_bad_input_is_reported_on_its_own_field(field, value, shown):
    inputs = {"collection": "sentinel-2-l2a", field: value}
    state = PanelState(inputs.pop("collection"), **inputs)
    if shown is None:
        assert state.errors == {}
        return
    assert list(state.errors) == [field]
    assert shown in state.errors[field]


def test_start_after_end_is_reported_on_end_and_blocks_the_search(cdse_emulator, cdse_env):
    state = PanelState("sentinel-2-l2a", start="2023-02-01", end="2023-01-15")
    assert list(state.errors) == ["end"]
    assert "is not before end" in state.errors["end"]
    cdse_emulator.state.reset_counters()
    assert state.search() is None
    assert state.status.startswith("cannot search: end: ")
    assert not [r for r in cdse_emulator.state.requests() if "/Products" in r.path]
    state.end = "2023-03-01"  # fixing the field clears its error
    assert state.errors == {}


def test_changing_collection_drops_a_product_type_it_lacks_and_observers_hear_of_it():
    state = PanelState("SENTINEL-2", product_type="S2MSI1C")
    assert state.errors == {}
    assert set(state.product_types) == {"S2MSI1C", "S2MSI2A"}
    heard = []
    state.observe(heard.append)
    state.collection = "sentinel-2-l2a"
    assert state.product_type is None
    assert state.product_types == ("S2MSI2A",)
    assert heard == ["inputs"]
    with pytest.raises(TypeError, match="unknown panel input"):
        state.update(colour="red")


def test_a_drawn_geojson_area_is_a_geometry_for_the_search():
    square = {
        "type": "Polygon",
        "coordinates": [[[2.2, 48.8], [2.5, 48.8], [2.5, 48.9], [2.2, 48.9], [2.2, 48.8]]],
    }
    state = PanelState("sentinel-2-l2a", area=square)
    assert state.errors == {}
    assert state.search_kwargs()["geometry"] == square
    state.area = "POLYGON ((2.2 48.8, 2.5 48.8, 2.5 48.9, 2.2 48.8))"
    assert state.errors == {}
    assert state.search_kwargs()["geometry"].startswith("POLYGON")


def test_the_stac_backend_refuses_what_stac_cannot_express():
    state = PanelState("LANDSAT-8", backend="stac")
    assert list(state.errors) == ["backend"]
    assert "has no STAC collection known" in state.errors["backend"]
    state.backend = "odata"
    assert state.errors == {}


# -- search --------------------------------------------------------------------------------------
def test_a_search_that_finds_nothing_says_why_on_the_status_line(make_state):
    state = make_state(tile="33UUU")
    finish_thread = state.search()
    assert finish_thread is not None
    finish(state)
    assert state.results == []
    assert state.status.startswith("nothing found. No products: tile='33UUU' alone matches no")


def test_search_runs_in_the_background_and_finds_the_products(make_state, with_data):
    state = make_state()
    statuses = []
    state.observe(lambda change: change == "status" and statuses.append(state.status))
    thread = state.search()
    assert isinstance(thread, threading.Thread)
    assert thread.name == "cdse-panel-search"
    finish(state)
    names = [p.name for p in state.results]
    assert set(with_data) <= set(names)
    assert statuses[0] == "searching sentinel-2-l2a…"
    assert statuses[-1] == f"{len(names)} products found"
    area = shapely.box(*PARIS)
    for product in state.results:
        assert datetime(2023, 1, 1, tzinfo=UTC) <= product.start < datetime(2023, 1, 16, tzinfo=UTC)
        assert product.geometry.intersects(area)
        assert product.product_type == "S2MSI2A"
    assert state.query is not None and state.query.collection == "SENTINEL-2"
    assert not state.searching and not state.busy


def test_the_shown_code_runs_the_same_search(searched):
    code = searched.code()
    assert code.startswith('import cdse_intake\n\nresults = cdse_intake.search(\n    "sentinel-2')
    assert "bbox=(2.2, 48.8, 2.5, 48.9)," in code
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - the test runs the code the panel shows
    assert [p.name for p in namespace["results"]] == [p.name for p in searched.results]


def test_the_code_picks_the_selected_products(searched, with_data):
    searched.select_names(with_data)
    code = searched.code()
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102
    assert [p.name for p in namespace["selected"]] == with_data
    searched.cloud = 20  # other inputs: the selection no longer applies
    assert "selected" not in searched.code()


def test_stac_finds_the_same_products(make_state, searched):
    stac = make_state(backend="stac")
    assert stac.errors == {}
    stac.search()
    finish(stac)
    assert [p.name for p in stac.results] == [p.name for p in searched.results]
    assert 'backend="stac"' in stac.code()


def test_a_failing_search_shows_the_reason_not_a_traceback(make_state, cdse_emulator):
    state = make_state()
    cdse_emulator.faults.add("status", "odata", status=500, times=None)
    state.settings = cdse_intake.Settings(
        cache_dir=state.settings.cache_dir, retries=0, query_cache_age=0
    )
    state.search()
    finish(state)
    assert state.status.startswith("search failed: ")
    assert "500" in state.status
    assert state.results == [] and state.query is None


def test_a_new_search_replaces_a_running_one(make_state):
    state = make_state()
    first = state.search()
    state.cloud = 30
    second = state.search()
    assert first is not second
    finish(state)
    assert all(p.cloud_cover <= 30 for p in state.results)
    assert state.status == f"{len(state.results)} products found"


# -- results: order, selection, quicklook ------------------------------------------------------
def test_rows_sort_by_each_column_and_back(searched):
    searched.sort_by("cloud")
    clouds = [p.cloud_cover for p in searched.rows]
    assert clouds == sorted(clouds)
    searched.sort_by("cloud")  # again: descending
    assert [p.cloud_cover for p in searched.rows] == sorted(clouds, reverse=True)
    searched.sort_by("size", descending=True)
    sizes = [p.size for p in searched.rows]
    assert sizes == sorted(sizes, reverse=True)
    searched.sort_by("name")
    assert [p.name for p in searched.rows] == sorted(p.name for p in searched.results)
    with pytest.raises(ValueError, match="sort key 'colour'"):
        searched.sort_by("colour")


def test_selecting_a_row_fetches_its_quicklook(searched, cdse_emulator):
    heard = threading.Event()
    searched.observe(lambda change: change == "quicklook" and searched.quicklook and heard.set())
    searched.toggle(2)
    assert searched.selected == [2] and searched.focus == 2
    assert heard.wait(DEADLINE)
    product = searched.results[2]
    asset_id = re.search(r"Assets\(([^)]+)\)", quicklook_url(product)).group(1)
    entry = cdse_emulator.catalogue.by_id[product.id]
    assert asset_id == entry.quicklook_id
    assert searched.quicklook == entry_quicklook_png(entry)  # the image the catalogue serves
    assert searched.quicklook_name == product.name
    searched.toggle(4)
    searched.toggle(2)  # unselected: the focus moves to the remaining row
    assert searched.selected == [4] and searched.focus == 4
    finish(searched)
    searched.select([])
    assert searched.focus is None and searched.quicklook is None


# -- download ------------------------------------------------------------------------------------
def test_download_reports_each_file_and_verifies_it(searched, with_data):
    searched.select_names(with_data)
    seen: list[tuple[str, str]] = []

    def watch(change: str) -> None:
        if change == "downloads":
            seen.extend((name, e["status"]) for name, e in searched.downloads.items())

    searched.observe(watch)
    assert searched.download() is not None
    finish(searched)
    assert searched.status == "download finished: 2 verified"
    by_name = {p.name: p for p in searched.results}
    for name in with_data:
        entry = searched.downloads[name]
        product = by_name[name]
        assert entry["status"] == "verified"
        assert entry["algorithm"] in ("BLAKE3", "MD5")
        assert entry["bytes"] == entry["total"] == product.size
        data = Path(entry["path"]).read_bytes()
        assert hashlib.md5(data).hexdigest() == product.md5
        assert (name, "queued") in seen and (name, "downloading") in seen
    assert searched.report.ok
    # a second run finds them verified in the cache, without a transfer
    searched.download()
    finish(searched)
    assert [searched.downloads[n]["status"] for n in with_data] == ["verified", "verified"]
    assert all("already verified" in searched.downloads[n]["reason"] for n in with_data)


def test_a_product_without_data_fails_with_the_reason(searched, with_data):
    missing = next(p.name for p in searched.results if p.name not in with_data)
    searched.select_names([missing])
    searched.download()
    finish(searched)
    entry = searched.downloads[missing]
    assert entry["status"] == "failed"
    assert "DAT-ZIP-915" in entry["reason"]
    assert searched.status == "download finished: 1 failed"


def test_nothing_selected_nothing_downloaded(searched):
    assert searched.download() is None
    assert searched.status == "select products to download first"


def test_cancelling_stops_the_transfer_and_the_next_run_finishes_it(
    searched, with_data, cdse_emulator
):
    name = with_data[0]
    product = next(p for p in searched.results if p.name == name)
    # 10 kB/s: the 0.7 MB product would take over a minute, far past the wait below
    cdse_emulator.faults.add("slow", name, rate=10_000, times=None)
    started = threading.Event()
    searched.observe(
        lambda change: (
            change == "downloads"
            and searched.downloads.get(name, {}).get("status") == "downloading"
            and started.set()
        )
    )
    searched.select_names([name])
    thread = searched.download()
    assert started.wait(DEADLINE)
    searched.cancel()
    thread.join(DEADLINE / 2)
    assert not thread.is_alive(), "the download did not stop"
    assert searched.downloads[name]["status"] == "cancelled"
    assert searched.status == "download cancelled: 1 cancelled"
    cache = cdse_intake.cache.ProductCache(searched.settings.cache_dir)
    assert cache.lookup(product) is None
    assert not cache.path_for(product).exists()  # no unverified file at the final path
    cdse_emulator.faults.clear()
    searched.download()  # at full speed this time: it completes
    finish(searched)
    assert searched.downloads[name]["status"] == "verified"
    assert cache.lookup(product) is not None


# -- open and manifest ---------------------------------------------------------------------------
def test_open_selected_gives_the_product_as_xarray(searched, with_data):
    searched.select_names(with_data[:1])
    tree = searched.open_selected()
    assert tree.attrs["cdse_product"] == with_data[0]
    assert searched.opened is tree and searched.opened_name == with_data[0]
    assert searched.downloads == {}  # open_selected downloads through open_product itself
    assert "r10m" in tree.children


def test_open_in_background_downloads_with_progress_first(searched, with_data):
    searched.select_names(with_data)  # the focus (last picked) is the one opened
    searched.open_in_background(group="r20m")
    finish(searched)
    assert searched.status.startswith(f"opened {with_data[1]} as Dataset")
    assert searched.downloads[with_data[1]]["status"] == "verified"
    assert with_data[0] not in searched.downloads
    assert searched.opened.attrs["cdse_product"] == with_data[1]
    assert "B05" in searched.opened.data_vars


def test_open_remote_reads_without_downloading(searched, with_data):
    searched.select_names(with_data[:1])
    searched.remote = True
    searched.open_in_background()
    finish(searched)
    assert searched.opened.attrs["cdse_source"].startswith("cdse://")
    assert searched.downloads == {}


def test_open_failure_is_a_status(searched, with_data):
    missing = next(p.name for p in searched.results if p.name not in with_data)
    searched.select_names([missing])
    searched.open_in_background()
    finish(searched)
    assert searched.status.startswith(f"cannot open {missing}: download failed: ")
    assert searched.opened is None
    searched.select([])
    assert searched.open_in_background() is None
    assert searched.status == "select a product to open first"


def test_the_manifest_records_the_selection(searched, with_data, tmp_path):
    searched.select_names(with_data)
    path = searched.save_manifest(tmp_path / "panel.csv")
    restored = cdse_intake.SearchResults.from_manifest(path)
    assert [p.name for p in restored] == with_data
    assert restored.query == searched.query
    searched.select([])  # nothing selected: every result
    restored = cdse_intake.SearchResults.from_manifest(searched.save_manifest(path))
    assert len(restored) == len(searched.results)


def test_no_manifest_before_a_search(make_state, tmp_path):
    with pytest.raises(ValueError, match="run a search first"):
        make_state().save_manifest(tmp_path / "m.csv")


def test_the_live_collection_list_replaces_the_built_in_one(make_state):
    state = make_state()
    assert "any" not in {c.id for c in state.collections}
    state.load_collections().join(DEADLINE)
    titles = {c.id: c.title for c in state.collections}
    assert titles["sentinel-2-l2a"] == "Sentinel-2 Level-2A"
    ndvi = next(c for c in state.collections if c.id.startswith("clms_ndvi"))
    assert ndvi.known and ndvi.product_types == ("NDVI300",)  # every listed id is known
    state.collection = ndvi.id  # searched by its own id (CLMS datasets share NDVI300)
    assert state.errors == {}
    assert state.search_kwargs()["collection"] == ndvi.id
