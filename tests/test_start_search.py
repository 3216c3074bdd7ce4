"""start_search: the core's search off the caller's thread, streamed to a callback, cancellable.

The panel's search is this job; these tests hold the contract it relies on.
"""

from __future__ import annotations

import threading
from concurrent.futures import CancelledError

import pytest

from cdse_intake import Settings, start_search
from cdse_intake.errors import QueryError
from cdse_intake.results import SearchResults

DEADLINE = 60.0
#: Many pages' worth of Sentinel-2 products over Europe (the emulator lists thousands).
BIG = {
    "collection": "SENTINEL-2",
    "bbox": (-10, 35, 30, 60),
    "start": "2023-01-01",
    "end": "2023-03-01",
}


@pytest.fixture
def settings(tmp_path):
    return Settings(cache_dir=tmp_path / "cache", query_cache_age=0)


def test_the_job_streams_products_and_ends_with_the_complete_results(cdse_emulator, settings):
    calls: list[tuple[str, int]] = []
    job = start_search(
        collection="SENTINEL-2",
        bbox=(2.2, 48.8, 2.5, 48.9),
        start="2023-01-01",
        end="2023-02-01",
        endpoints=cdse_emulator.endpoints,
        settings=settings,
        on_products=lambda found: calls.append((threading.current_thread().name, len(found))),
        every=0,
        name="cdse-test-search",
    )
    results = job.result(DEADLINE)
    assert isinstance(results, SearchResults) and results.complete
    assert len(results) > 0
    assert {name for name, _ in calls} == {"cdse-test-search"}  # on the job's thread
    counts = [n for _, n in calls]
    assert counts == sorted(counts) and counts[-1] == len(results)  # growing, then all of them


def test_invalid_input_raises_before_any_request(cdse_emulator, settings):
    with pytest.raises(QueryError, match="cloud"):
        start_search(collection="SENTINEL-2", cloud=140, endpoints=cdse_emulator.endpoints)
    with pytest.raises(QueryError, match="every=-1"):
        start_search(collection="SENTINEL-2", every=-1, endpoints=cdse_emulator.endpoints)
    assert cdse_emulator.state.requests() == []


def test_a_cancelled_search_stops_requesting_pages_and_keeps_what_it_had(cdse_emulator, settings):
    seen: list[int] = []
    holder: list = []

    def on_products(found):
        seen.append(len(found))
        if holder:
            holder[0].cancel()  # at the first page: stop

    job = start_search(
        **BIG,
        endpoints=cdse_emulator.endpoints,
        settings=settings,
        on_products=on_products,
        every=0,
    )
    holder.append(job)
    with pytest.raises(CancelledError, match="was cancelled"):
        job.result(DEADLINE)
    assert job.wait(DEADLINE)
    total = start_search(**BIG, endpoints=cdse_emulator.endpoints, settings=settings).result(
        DEADLINE
    )
    assert 0 < seen[-1] < len(total)  # the last call has the partial list, not everything
