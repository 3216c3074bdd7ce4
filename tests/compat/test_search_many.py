"""search_many(parallel=True): concurrent queries, the same products in the same order, and a
manifest header that records every query by its query_id."""

from __future__ import annotations

import json
import time

import pytest

from cdse_intake import search_many
from cdse_intake.config import Settings
from cdse_intake.errors import QueryError
from cdse_intake.manifest import read_manifest
from cdse_intake.results import SearchResults

TABLE = [
    {"query_id": "paris-s2", "collection": "SENTINEL-2", "bbox": (2.2, 48.8, 2.5, 48.9),
     "start": "2023-01-01", "end": "2023-03-01"},
    {"query_id": "berlin-s1", "collection": "SENTINEL-1", "bbox": (13.3, 52.4, 13.5, 52.6),
     "start": "2023-01-01", "end": "2023-03-01", "product_type": "IW_GRDH_1S"},
    {"query_id": "paris-s3", "collection": "SENTINEL-3", "bbox": (2.2, 48.8, 2.5, 48.9),
     "start": "2023-01-01", "end": "2023-01-20"},
    {"query_id": "lisbon-s2", "collection": "SENTINEL-2", "bbox": (-9.3, 38.6, -9.0, 38.8),
     "start": "2023-01-01", "end": "2023-03-01"},
]  # fmt: skip


@pytest.fixture
def settings(tmp_path):
    return Settings(cache_dir=tmp_path / "cache", query_cache_age=0)


def test_parallel_gives_the_sequential_products_in_the_same_order(cdse_emulator, settings):
    kw = {"endpoints": cdse_emulator.endpoints, "settings": settings, "cache": False}
    parallel = search_many(TABLE, parallel=True, max_workers=4, **kw)
    sequential = search_many(TABLE, **kw)
    assert [p.id for p in parallel] == [p.id for p in sequential]
    assert parallel.query_ids == sequential.query_ids
    ids = parallel.query_ids
    assert [q["query_id"] for q in TABLE] == list(dict.fromkeys(ids))  # table order, all found
    for query_id, query in parallel.queries:
        mine = [p for p, q in zip(parallel, ids, strict=True) if q == query_id]
        assert all(p.collection == query.collection for p in mine)


def test_parallel_speed_on_paged_queries(cdse_emulator, settings):
    """Four queries of thousands of products each (several pages): the figure is printed."""
    table = [
        {"query_id": f"q{n}", "collection": "SENTINEL-2", "start": f"2023-{m:02d}-01",
         "end": f"2023-{m + 3:02d}-01"}
        for n, m in enumerate((1, 4, 7, 10 - 1))
    ]  # fmt: skip
    kw = {"endpoints": cdse_emulator.endpoints, "settings": settings, "cache": False}
    started = time.perf_counter()
    sequential = search_many(table, **kw)
    seq_s = time.perf_counter() - started
    started = time.perf_counter()
    parallel = search_many(table, parallel=True, **kw)
    par_s = time.perf_counter() - started
    print(
        f"search_many of 4 x ~{len(sequential) // 4} products: sequential {seq_s:.2f} s, "
        f"parallel {par_s:.2f} s"
    )
    assert len(sequential) > 4 * 1000
    assert [p.id for p in parallel] == [p.id for p in sequential]


def test_the_manifest_header_lists_every_query(cdse_emulator, settings, tmp_path):
    results = search_many(
        TABLE, parallel=True, endpoints=cdse_emulator.endpoints, settings=settings
    )
    path = results.to_manifest(tmp_path / "m.csv")
    text = path.read_text()
    queries = json.loads(next(x for x in text.splitlines() if x.startswith("# queries: "))[11:])
    assert list(queries) == [q["query_id"] for q in TABLE]
    assert queries["berlin-s1"]["product_type"] in ("IW_GRDH_1S", ["IW_GRDH_1S"])
    assert queries["paris-s3"]["collection"] == "SENTINEL-3"
    assert queries["paris-s3"]["end"] == "2023-01-21T00:00:00Z"  # the whole 20th
    for query_id, query in results.queries:
        assert queries[query_id] == json.loads(json.dumps(query.to_dict()))
    for query_id in queries:
        assert f"#   [{query_id}] " in text
    manifest = read_manifest(path)
    assert manifest.queries == queries
    restored = SearchResults.from_manifest(path)
    assert [(qid, q) for qid, q in restored.queries] == results.queries
    assert restored.query_ids == results.query_ids


def test_bad_max_workers_is_named():
    with pytest.raises(QueryError, match="max_workers=0"):
        search_many(TABLE, parallel=True, max_workers=0)


def test_a_download_keeps_every_query_in_the_manifest(cdse_emulator, settings, tmp_path):
    table = [
        {"query_id": "l1c", "collection": "SENTINEL-2", "product_type": "S2MSI1C",
         "bbox": (2.2, 48.8, 2.5, 48.9), "start": "2023-01-01", "end": "2023-01-02"},
        {"query_id": "grd", "collection": "SENTINEL-1", "product_type": "IW_GRDH_1S",
         "bbox": (2.2, 48.8, 2.5, 48.9), "start": "2023-01-01", "end": "2023-01-02"},
    ]  # fmt: skip
    results = search_many(table, endpoints=cdse_emulator.endpoints, settings=settings)
    assert results.query_ids == ["l1c", "grd"]
    path = tmp_path / "run.csv"
    report = results.download(
        tmp_path / "files",
        manifest=path,
        progress=False,
        endpoints=cdse_emulator.endpoints,
        settings=settings,
        credentials=(cdse_emulator.username, cdse_emulator.password),
    )
    assert report.ok, report
    manifest = read_manifest(path)  # rewritten by the downloader: the queries stay
    assert list(manifest.queries) == ["l1c", "grd"]
    assert [r.downloaded for r in manifest.rows] == ["verified", "verified"]
