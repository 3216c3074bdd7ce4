"""The search panel's CLMS mode in a real browser (Voila + headless Chromium, see conftest.py):
the land service's controls beside the panel's map, a dataset searched, a cut of the panel's
area requested, waited for and downloaded with clicks. Screenshot: test-artifacts/browser/
clms-mode.png."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .._land import posts
from .conftest import OfflinePage, VoilaServer, open_notebook, run_voila, screenshot

#: The panel in CLMS mode over the Po delta, June 2023 (what notebook 05 requests).
PANEL = """
from cdse_intake.widgets import SearchPanel

panel = SearchPanel("sentinel-2-l2a", clms=True, area=(11, 44.2, 13, 45.6), start="2023-06-01",
                    end="2023-06-30", load_collections=False)
panel.mode.show("clms")
panel
"""
TIMEOUT = 30_000  # ms: a search, or a request the emulator finishes in about a second

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


@pytest.fixture
def clms_server(
    cdse_emulator: Any, cdse_env: dict[str, str], tmp_path: Path
) -> Iterator[VoilaServer]:
    """Voila serving a notebook of one cell, the panel, its kernel on this test's emulator."""
    cdse_emulator.land.delays = (0.2, 0.5)
    source = tmp_path / "source" / "clms_mode.ipynb"
    source.parent.mkdir()
    import nbformat  # here: its jsonschema import costs ~5 s when pytest collects

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(PANEL)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, source)
    with run_voila(source, tmp_path / "served", dict(os.environ)) as server:
        yield server


def test_a_cut_is_requested_and_downloaded_with_clicks(
    clms_server: VoilaServer, offline_page: OfflinePage, cdse_emulator: Any, failure_screenshot
):
    from playwright.sync_api import expect

    from cdse_intake import clms

    page = offline_page.page
    open_notebook(offline_page, clms_server, ".cdse-clms-panel")
    expect(page.locator(".cdse-map")).to_be_visible()  # the panel's own map, kept in this mode
    expect(page.locator(".cdse-results")).to_be_hidden()

    page.locator(".cdse-clms-text input").fill("NDVI")
    page.locator(".cdse-clms-search").click()
    options = page.locator(".cdse-clms-datasets option")
    expect(options.first).to_be_attached(timeout=TIMEOUT)
    found = clms.search("NDVI")  # what the library finds: the panel lists the same
    expect(options).to_have_count(len(found), timeout=TIMEOUT)
    ndvi = next(d for d in found if "300 m" in d.title and "version 2" in d.title)
    texts = [t.replace("\xa0", " ").strip() for t in options.all_inner_texts()]  # ipywidgets: nbsp
    picked = [i for i, t in enumerate(texts) if t.startswith(ndvi.title)]
    assert len(picked) == 1, (ndvi.title, texts)
    page.locator(".cdse-clms-datasets select").select_option(index=picked[0])
    expect(page.locator(".cdse-clms-details")).to_contain_text(ndvi.title)

    page.locator(".cdse-clms-request").click()
    status = page.locator(".cdse-clms-status")
    try:
        expect(status).to_contain_text("files in", timeout=TIMEOUT)
    except AssertionError as err:
        raise AssertionError(f"{err}\n{clms_server.log_tail()}") from err
    screenshot(page, "clms-mode")
    assert posts(cdse_emulator) == 1
    (posted,) = cdse_emulator.state.requests(path="/api/@datarequest_post")
    assert posted.status == 201
    zips = [p for p in clms_server.workdir.rglob("*.zip") if "clms" in p.parts]
    assert len(zips) == 1, zips
    assert offline_page.escaped() == []
    assert clms_server.kernel_refused() == []
