"""The SearchPanel in a real browser: notebooks/04_search_panel.ipynb served by Voila, driven by
headless Chromium (see conftest.py for the set-up and the offline fences).

A user's path through the panel: confirm the pre-filled inputs, search, see one row and one map
footprint per product, select the product that has data, download it, and see it verified. The
checks are against the emulator: the rows are exactly what ``cdse_intake.search`` finds for the
same query, and the only product file in the test's folders (the notebook's temporary cache is
made under its ``TMPDIR``) is the selected one, with the size and MD5 the emulator serves.
Full-page screenshots go to test-artifacts/browser/ (results.png, downloaded.png;
<test>-failed.png on a failure).

Voila serves the notebook up to the cell that shows the panel: the cells after it drive the same
panel from Python (search, select, download, open; tests/test_notebooks.py runs them), which would
fill it and the cache before the browser gets to click.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, OfflinePage, VoilaServer, open_notebook, run_voila, screenshot

NOTEBOOK = ROOT / "notebooks" / "04_search_panel.ipynb"
COLLECTION = "sentinel-2-l2a"
BBOX = (2.2, 48.8, 2.5, 48.9)
START, END = "2023-01-01", "2023-01-15"
#: A product of the query that the emulator holds data for (the others answer 404 DAT-ZIP-915).
PRODUCT = "S2A_MSIL2A_20230103T102531_N0509_R001_T31UNE_20230103T110348.SAFE"
SEARCH_TIMEOUT = 20_000  # ms; a search takes well under a second
DOWNLOAD_TIMEOUT = 30_000  # ms; the product is 0.7 MB

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


@pytest.fixture
def user_emulator(cdse_emulator_factory: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An emulator as a user gets it: every product it lists downloads (``deliver="all"``)."""
    emu = cdse_emulator_factory(deliver="all")
    for key, value in emu.env().items():
        monkeypatch.setenv(key, value)
    return emu


@pytest.fixture
def panel_server(user_emulator: Any, tmp_path: Path) -> Iterator[VoilaServer]:
    """Voila serving the panel notebook, its kernel using this test's emulator and cache."""
    source = tmp_path / "source" / NOTEBOOK.name
    source.parent.mkdir()
    import nbformat  # here: its jsonschema import costs ~5 s when pytest collects

    nbformat.write(up_to_the_panel(nbformat.read(NOTEBOOK, as_version=4)), source)
    with run_voila(source, tmp_path / "served", dict(os.environ)) as server:
        yield server


def up_to_the_panel(nb: Any) -> Any:
    """The notebook's cells up to the first code cell that makes a ``SearchPanel``."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "SearchPanel(" in cell.source:
            nb.cells = nb.cells[: index + 1]
            return nb
    raise AssertionError(f"{NOTEBOOK.name} has no code cell making a SearchPanel(...)")


def expected_names() -> list[str]:
    """What the library itself finds for the panel's query (the same emulator)."""
    import cdse_intake

    found = cdse_intake.search(COLLECTION, bbox=BBOX, start=START, end=END)
    return sorted(product.name for product in found)


def fill(page: Any, selector: str, value: str) -> None:
    """Type ``value`` into the text or date input inside the widget ``selector``, then leave it."""
    field = page.locator(f"{selector} input, {selector} textarea").first
    field.fill(value)
    field.press("Tab")  # blur: widgets that sync on change/submit see the new value


def select(row: Any) -> None:
    """Tick the row's ``cdse-select`` control (a checkbox widget, or a clickable element)."""
    control = row.locator(".cdse-select")
    box = control.locator("input[type=checkbox]")
    if box.count():
        box.check()
    elif control.get_attribute("type") == "checkbox":
        control.check()
    else:
        control.click()


def status(page: Any) -> str:
    """The panel's status lines, for failure messages."""
    parts = []
    for selector in (".cdse-status", ".cdse-download-status"):
        texts = page.locator(selector).all_inner_texts()
        parts.append(f"{selector}: {' | '.join(texts) or '(none)'}")
    return "; ".join(parts)


def test_search_select_download(
    panel_server: VoilaServer, offline_page: OfflinePage, user_emulator: Any, failure_screenshot
):
    from playwright.sync_api import expect

    page = offline_page.page
    panel = open_notebook(offline_page, panel_server, ".cdse-panel")
    expect(panel).to_have_count(1)

    # the inputs: the notebook pre-fills them; typing the same values exercises the fields
    fill(page, ".cdse-bbox", ",".join(map(str, BBOX)))
    fill(page, ".cdse-start", START)
    fill(page, ".cdse-end", END)
    expect(page.locator(".cdse-start input").first).to_have_value(START)
    expect(page.locator(".cdse-end input").first).to_have_value(END)
    expect(page.locator(".cdse-collection")).to_be_visible()

    # search: one row per product the library finds, one footprint per row on the map (paths
    # counted beyond those already there, such as the search area's outline)
    names = expected_names()
    assert PRODUCT in names
    footprints = page.locator(".cdse-map path.leaflet-interactive")
    before = footprints.count()
    page.locator(".cdse-search").click()
    rows = page.locator(".cdse-results .cdse-row")
    try:
        expect(rows).to_have_count(len(names), timeout=SEARCH_TIMEOUT)
    except AssertionError as err:
        raise AssertionError(f"{err}\n{status(page)}\n{panel_server.log_tail()}") from err
    shown = rows.all_inner_texts()
    assert sorted(n for n in names if any(n in text for text in shown)) == names, shown
    page.wait_for_function(
        "n => document.querySelectorAll('.cdse-map path.leaflet-interactive').length >= n",
        arg=before + len(names),
        timeout=SEARCH_TIMEOUT,
    )
    expect(footprints.last).to_be_visible()
    box = footprints.last.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0
    screenshot(page, "results")

    # download a product (every one has data)
    row = rows.filter(has_text=PRODUCT)
    expect(row).to_have_count(1)
    select(row)
    page.locator(".cdse-download").click()
    progress = page.locator(".cdse-download-status")
    try:
        expect(progress).to_contain_text("verified", timeout=DOWNLOAD_TIMEOUT)
    except AssertionError as err:
        raise AssertionError(f"{err}\n{status(page)}\n{panel_server.log_tail()}") from err
    screenshot(page, "downloaded")

    # in this test's cache, exactly the selected product, the bytes the emulator serves
    entry = user_emulator.catalogue.by_name[PRODUCT]
    stem = PRODUCT.removesuffix(".SAFE")
    cached = [path for path in panel_server.workdir.rglob("*.zip") if "products" in path.parts]
    assert [path.name for path in cached] == [f"{stem}.zip"], cached
    data = cached[0].read_bytes()
    assert len(data) == entry.content_length
    assert hashlib.md5(data).hexdigest() == entry.md5

    # offline: nothing the page asked for outside loopback was answered, and the kernel tried
    # nothing outside it
    assert offline_page.escaped() == []
    assert panel_server.kernel_refused() == []
