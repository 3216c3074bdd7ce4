"""search(), SearchResults, manifests, the query cache and the seed scripts' workflows."""

from __future__ import annotations

import pandas as pd
import pytest

import cdse_intake
from cdse_intake.errors import QueryError
from cdse_intake.manifest import ManifestError, read_manifest
from cdse_intake.results import SearchResults

PARIS_POLYGON = "POLYGON ((2.2 48.8, 2.5 48.8, 2.5 48.9, 2.2 48.9, 2.2 48.8))"


def odata_requests(emu) -> int:
    return len(emu.state.requests(path="/odata/v1/Products"))


def test_results_stream_and_stop_early(cdse_emulator, cdse_env):
    results = cdse_intake.search("SENTINEL-2")  # ~28,000 products
    first = [p for _, p in zip(range(3), results, strict=False)]
    assert len(first) == 3
    assert not results.complete
    # Backpressure: three products cost a few pages, not the whole collection.
    assert odata_requests(cdse_emulator) < 15
    assert results[1] == first[1]


def test_close_stops_a_streaming_search_and_caches_nothing(cdse_emulator, cdse_env):
    from concurrent.futures import wait

    results = cdse_intake.search("SENTINEL-2")  # ~28,000 products
    first = [p for _, p in zip(range(3), results, strict=False)]
    results.close()
    future = results._stream._future
    wait([future], timeout=30)
    assert future.done()  # the fetching task has ended: no page is requested any more
    arrived = list(results)  # what arrived, then the end; no error
    assert arrived[:3] == first
    assert 3 <= len(arrived) < 10_000
    assert not results.complete
    # the cut-short results were not stored as the query's answer: asking again searches
    before = odata_requests(cdse_emulator)
    again = cdse_intake.search("SENTINEL-2")
    assert next(iter(again)) == first[0]
    assert odata_requests(cdse_emulator) > before
    again.close()


def test_len_index_and_dataframe(cdse_emulator, cdse_env):
    results = cdse_intake.search(
        "sentinel-2-l2a", bbox=(2.2, 48.8, 2.5, 48.9), start="2023-01-01", end="2023-03-01"
    )
    assert len(results) > 5
    assert results.complete
    assert results[-1].start >= results[0].start
    frame = results.to_dataframe()
    assert list(frame["name"]) == [p.name for p in results]
    assert frame["start"].dt.tz is not None
    assert frame["geometry"].iloc[0].intersects(results.query.geometry)
    assert frame["href"].iloc[0].endswith(f"/Products({results[0].id})/$value")
    gdf = results.to_geodataframe()
    assert gdf.crs.to_epsg() == 4326
    assert "<table>" in results._repr_html_()


def test_workflow_1_query_log_manifest(cdse_emulator, cdse_env, tmp_path):
    """Collection, polygon, start/stop, max cloud, max records -> Id/Name/Checksum/Online/..."""
    results = cdse_intake.search(
        "SENTINEL-2",
        geometry=PARIS_POLYGON,
        start="2023-01-01T00:00:00.000",
        end="2023-06-30T23:59:59.000",
        cloud=40,
        limit=10,
    )
    path = results.to_manifest(tmp_path / "query.csv")
    table = pd.read_csv(path, comment="#")
    assert len(table) == 10
    assert {"Id", "Name", "Checksum", "Online", "Downloaded"} <= set(table.columns)
    assert set(table["Downloaded"]) == {"no"}
    assert table["Checksum"].str.match(r"^(BLAKE3|MD5):[0-9a-f]+$").all()
    header = path.read_text().splitlines()[:12]
    assert any(line.startswith("# query: ") and '"cloud"' in line for line in header)
    assert any("backend: odata" in line for line in header)
    restored = SearchResults.from_manifest(path)
    assert [p.id for p in restored] == [p.id for p in results]
    assert restored.query == results.query
    assert restored[0].checksums == results[0].checksums
    assert restored[0].geometry.equals_exact(results[0].geometry, 1e-6)


def test_workflow_2_table_with_orbits_and_hrefs(cdse_emulator, cdse_env):
    """Time range + collection + product type + bbox -> orbit, times, processing, href."""
    frame = cdse_intake.search(
        "SENTINEL-1",
        product_type="IW_GRDH_1S",
        bbox=(12.0, 41.0, 13.0, 42.5),
        start="2023-03-01",
        end="2023-05-01",
    ).to_dataframe()
    assert len(frame) > 0
    wanted = {"orbit", "relative_orbit", "start", "end", "processing_level", "collection",
              "processor_version", "filename", "href", "orbit_direction"}  # fmt: skip
    assert wanted <= set(frame.columns)
    assert frame["orbit"].notna().all()
    assert frame["filename"].str.endswith(".SAFE").all()


def test_workflow_3_many_queries_concatenated(cdse_emulator, cdse_env):
    table = pd.DataFrame(
        [
            {"query_id": "paris-s2", "collection": "SENTINEL-2", "product_type": "S2MSI1C",
             "geometry": PARIS_POLYGON, "start": "2023-01-01", "end": "2023-02-01"},
            {"query_id": "rome-s1", "collection": "SENTINEL-1", "product_type": "IW_GRDH_1S",
             "bbox": (12.0, 41.0, 13.0, 42.5), "start": "2023-01-01", "end": "2023-03-01"},
            {"query_id": "all-s2", "collection": "SENTINEL-2",
             "start": "2023-01-01", "end": "2023-12-31"},  # > 10,000: split in time
        ]
    )  # fmt: skip
    results = cdse_intake.search_many(table)
    frame = results.to_dataframe()
    counts = frame["query_id"].value_counts()
    assert set(counts.index) == {"paris-s2", "rome-s1", "all-s2"}
    assert counts["all-s2"] > 10_000
    assert (frame[frame.query_id == "rome-s1"]["collection"] == "SENTINEL-1").all()
    with pytest.raises(QueryError, match=r"query 'bad' .*cloud=300"):
        cdse_intake.search_many([{"query_id": "bad", "collection": "SENTINEL-2", "cloud": 300}])


def test_identical_query_is_served_from_the_cache(cdse_emulator, cdse_env):
    kwargs = {"collection": "SENTINEL-3", "start": "2023-02-01", "end": "2023-02-10"}
    first = cdse_intake.search(**kwargs)
    n = len(first)
    before = odata_requests(cdse_emulator)
    again = cdse_intake.search(**kwargs)
    assert [p.id for p in again] == [p.id for p in first]
    assert len(again) == n
    assert odata_requests(cdse_emulator) == before  # no request
    fresh = cdse_intake.search(**kwargs, cache=False)
    assert len(fresh) == n
    assert odata_requests(cdse_emulator) > before


def test_stac_backend_through_search(cdse_emulator, cdse_env):
    odata = cdse_intake.search("sentinel-2-l1c", tile="31UNE", start="2023-01-01", end="2023-04-01")
    stac = cdse_intake.search(
        "sentinel-2-l1c", tile="31UNE", start="2023-01-01", end="2023-04-01", backend="stac"
    )
    assert [p.id for p in odata] == [p.id for p in stac]


def test_bad_calls_fail_before_any_request(cdse_emulator, cdse_env):
    with pytest.raises(QueryError, match="backend='opensearch'"):
        cdse_intake.search("SENTINEL-2", backend="opensearch")
    with pytest.raises(QueryError, match="unknown search parameter"):
        cdse_intake.search("SENTINEL-2", clouds=20)
    with pytest.raises(QueryError, match="cloud=120"):
        cdse_intake.search("SENTINEL-2", cloud=120)
    assert odata_requests(cdse_emulator) == 0


def test_service_errors_surface_with_cdse_details(cdse_emulator, cdse_env):
    cdse_emulator.faults.add("status", product="odata", status=503, times=None)
    results = cdse_intake.search(
        "SENTINEL-2", limit=3, settings=cdse_intake.Settings(retries=1, cache_dir=".")
    )
    with pytest.raises(cdse_intake.ServiceError) as info:
        list(results)
    assert info.value.status == 503


def test_damaged_manifest(tmp_path):
    bad = tmp_path / "m.csv"
    bad.write_text("# cdse_intake manifest\nfoo,bar\n1,2\n")
    with pytest.raises(ManifestError, match="no Id, Name column"):
        read_manifest(bad)
    with pytest.raises(ManifestError, match="cannot read"):
        read_manifest(tmp_path / "absent.csv")


def test_progress_bar_counts_products(cdse_emulator, cdse_env, capsys):
    results = cdse_intake.search("SENTINEL-3", start="2023-02-01", end="2023-02-10",
                                 progress=True, cache=False)  # fmt: skip
    n = len(results)
    err = capsys.readouterr().err
    assert "searching SENTINEL-3" in err
    assert f"{n}/{n}" in err
