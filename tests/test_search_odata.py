"""The OData search backend against the emulator: any result size, in order, nothing lost."""

from __future__ import annotations

import asyncio

import pytest

from cdse_intake.catalogue.odata import ODataBackend
from cdse_intake.config import Settings
from cdse_intake.errors import QueryError, RateLimited
from cdse_intake.net.http import new_session
from cdse_intake.query import Query


def run(emu, query: Query, **kw):
    async def go():
        async with new_session() as session:
            kw.setdefault("settings", Settings())
            backend = ODataBackend(query, endpoints=emu.endpoints, session=session, **kw)
            products = [p async for p in backend.products()]
            return products, backend

    return asyncio.run(go())


def expected(emu, query: Query):
    """Brute force over the emulator's own records."""
    return [
        e
        for e in emu.catalogue
        if (query.collection is None or e.collection == query.collection)
        and (query.start is None or e.start >= query.start)
        and (query.end is None or e.start < query.end)
        and (not query.product_types or e.product_type in query.product_types)
    ]


def test_more_than_the_offset_cap_nothing_lost_nothing_twice(cdse_emulator):
    query = Query(collection="SENTINEL-2")
    products, backend = run(cdse_emulator, query)
    want = expected(cdse_emulator, query)
    assert len(want) > 25_000
    assert len(products) == len({p.id for p in products}) == len(want)
    assert {p.id for p in products} == {e.id for e in want}
    starts = [p.start for p in products]
    assert starts == sorted(starts)
    # Paged by splitting, not by $skip past 10000 (which CDSE refuses) and without $count.
    log = cdse_emulator.state.requests(path="/odata/v1/Products")
    assert all("%24count" not in r.query and "$count" not in r.query for r in log)
    assert all(r.status == 200 for r in log)
    assert backend.requests < len(want) / 1000 * 1.5 + 5


@pytest.mark.parametrize("sort", ["-start", "published", "-modified", "end"])
def test_every_order(cdse_emulator, sort):
    query = Query(collection="SENTINEL-1", start="2023-01-01", end="2024-01-01", sort=sort)
    products, _ = run(cdse_emulator, query)
    want = expected(cdse_emulator, query)
    assert sorted(p.id for p in products) == sorted(e.id for e in want)
    attr = {"start": "start", "published": "published", "modified": "modified", "end": "end"}
    key, direction = query.sort
    keys = [getattr(p, attr[key]) for p in products]
    assert keys == sorted(keys, reverse=direction == "desc")


def test_limit_stops_early(cdse_emulator):
    products, backend = run(cdse_emulator, Query(collection="SENTINEL-2", limit=1500))
    assert len(products) == 1500
    assert backend.requests <= 3
    small, backend = run(cdse_emulator, Query(collection="SENTINEL-2", limit=7))
    assert len(small) == 7
    assert backend.requests == 1


def test_filters_reach_the_catalogue(cdse_emulator):
    query = Query(
        collection="sentinel-2-l2a",
        bbox=(2.2, 48.8, 2.5, 48.9),
        start="2023-01-01",
        end="2023-03-01",
        cloud=30,
    )
    products, _ = run(cdse_emulator, query)
    assert products
    for p in products:
        assert p.product_type == "S2MSI2A"
        assert p.cloud_cover <= 30
        assert p.geometry.intersects(query.geometry)
        assert query.start <= p.start < query.end


def test_rate_limit_is_retried_honouring_retry_after(cdse_emulator):
    cdse_emulator.faults.add("status", product="odata", status=429, retry_after=0, times=2)
    products, _ = run(cdse_emulator, Query(collection="SENTINEL-1", limit=5))
    assert len(products) == 5
    statuses = [r.status for r in cdse_emulator.state.requests(path="/odata/v1/Products")]
    assert statuses == [429, 429, 200]


def test_rate_limit_gives_up_after_retries(cdse_emulator):
    cdse_emulator.faults.add("status", product="odata", status=429, retry_after=0, times=None)
    with pytest.raises(RateLimited) as info:
        run(cdse_emulator, Query(collection="SENTINEL-1", limit=5), settings=Settings(retries=2))
    assert info.value.status == 429
    assert len(cdse_emulator.state.requests(path="/odata/v1/Products")) == 3


def test_service_refusal_is_a_query_error_with_cdse_details(cdse_emulator):
    # An attribute filter the catalogue parses but refuses: a value type it cannot compare.
    query = Query(collection="SENTINEL-2", limit=3)
    backend_params = ODataBackend(
        query, endpoints=cdse_emulator.endpoints, settings=Settings()
    )._params

    async def go():
        from cdse_intake.net.http import get_json

        async with new_session() as session:
            url = f"{cdse_emulator.endpoints.catalogue}/Products"
            params = [*backend_params(ODataWindow(None, None), 0, 2000, False)]
            return await get_json(session, url, params=params)

    from cdse_intake.catalogue.odata import Window as ODataWindow

    with pytest.raises(QueryError) as info:
        asyncio.run(go())
    assert info.value.status == 422
    assert "less than or equal to 1000" in str(info.value)
