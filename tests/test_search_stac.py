"""The STAC backend against the emulator, and its equality with the OData backend."""

from __future__ import annotations

import asyncio

import pytest

from cdse_intake.catalogue.odata import ODataBackend
from cdse_intake.catalogue.stac import StacBackend, build_cql2
from cdse_intake.config import Settings
from cdse_intake.errors import QueryError
from cdse_intake.net.http import new_session
from cdse_intake.query import Query


def run(emu, query: Query, cls):
    async def go():
        async with new_session() as session:
            backend = cls(query, endpoints=emu.endpoints, settings=Settings(), session=session)
            return [p async for p in backend.products()], backend

    return asyncio.run(go())


SAME_FIELDS = ("id", "name", "start", "end", "size", "collection", "product_type")


@pytest.mark.parametrize(
    "query",
    [
        Query(
            collection="sentinel-2-l2a",
            bbox=(2.2, 48.8, 2.5, 48.9),
            start="2023-01-01",
            end="2023-04-01",
            cloud=(10, 60),
        ),
        Query(
            collection="sentinel-1-grd",
            start="2023-01-01",
            end="2023-05-01",
            sort="-start",
            orbit_direction="ascending",
        ),
        Query(collection="sentinel-2-l1c", tile="31UNE", platform="S2B"),  # Paris
        Query(collection="sentinel-5p-l2-no2-offl", start="2023-02-01", end="2023-02-10"),
        Query(
            collection="sentinel-2-l2a",
            bbox=(170, -25, -170, -10),
            start="2023-01-01",
            end="2024-01-01",
        ),
        Query(
            collection="sentinel-3-olci-1-efr-ntc",
            geometry="POINT (13.4 52.5)",
            attributes={"relativeOrbitNumber": ("ge", 100)},
        ),
    ],
    ids=["s2-bbox-cloud", "s1-desc-direction", "tile-platform", "s5p", "antimeridian", "point"],
)
def test_odata_and_stac_give_the_same_products(cdse_emulator, query):
    odata, _ = run(cdse_emulator, query, ODataBackend)
    stac, _ = run(cdse_emulator, query, StacBackend)
    assert odata, "the query should match something"
    assert [p.id for p in odata] == [p.id for p in stac]
    for a, b in zip(odata, stac, strict=True):
        assert [getattr(a, f) for f in SAME_FIELDS] == [getattr(b, f) for f in SAME_FIELDS]
        assert a.geometry.equals_exact(b.geometry, 1e-9)
        if "MD5" in b.checksums:
            assert b.checksums["MD5"] == a.checksums["MD5"]


def test_stac_beyond_one_page_in_order(cdse_emulator):
    # a month: ~570 items of ~55 kB (as CDSE's), three pages and more (half a year: 26 s)
    query = Query(collection="sentinel-2-l2a", start="2023-01-01", end="2023-02-01")
    products, backend = run(cdse_emulator, query, StacBackend)
    want = {
        e.id
        for e in cdse_emulator.catalogue
        if e.product_type == "S2MSI2A"
        and query.start <= e.start < query.end
        and e.name.endswith(".SAFE")
    }
    # sentinel-2-l2a pages are capped at 200 items: many windows, nothing lost or repeated.
    assert {p.id for p in products} >= want
    assert len(want) > 2 * backend.page_size
    assert len(products) == len({p.id for p in products})
    starts = [p.start for p in products]
    assert starts == sorted(starts)
    assert backend.page_size == 200


def test_name_filters_apply_and_limit_counts_after_them(cdse_emulator):
    query = Query(collection="sentinel-2-l1c", name_contains="_R001_", limit=5)
    products, _ = run(cdse_emulator, query, StacBackend)
    assert len(products) == 5
    assert all("_R001_" in p.name for p in products)


def test_rate_limit_retried_by_pystac_client(cdse_emulator):
    cdse_emulator.faults.add("status", product="stac", status=429, retry_after=0, times=2)
    products, _ = run(cdse_emulator, Query(collection="sentinel-1-grd", limit=3), StacBackend)
    assert len(products) == 3
    statuses = [r.status for r in cdse_emulator.state.requests(path="/stac/v1*")]
    assert statuses[:3] == [429, 429, 200]


def test_queries_stac_cannot_express_fail_early():
    with pytest.raises(QueryError, match="online=False"):
        StacBackend(Query(collection="sentinel-2-l2a", online=False))
    with pytest.raises(QueryError, match="no STAC collection"):
        StacBackend(Query(collection="SMOS"))


def test_cql2_mapping():
    clauses = build_cql2(
        Query(
            collection="sentinel-1-grd",
            orbit_direction="DESCENDING",
            relative_orbit=37,
            platform="S1A",
            cloud=(5, 20),
        )
    )
    assert {"op": "=", "args": [{"property": "sat:orbit_state"}, "descending"]} in clauses
    assert {"op": "=", "args": [{"property": "platform"}, "sentinel-1a"]} in clauses
    assert {"op": "=", "args": [{"property": "sat:relative_orbit"}, 37]} in clauses
    assert {"op": ">=", "args": [{"property": "eo:cloud_cover"}, 5.0]} in clauses
