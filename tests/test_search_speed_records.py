"""Search speed without changed answers: lazy OData records equal eager ones, windows planned
to be one request each, every product once and in order."""

from __future__ import annotations

import asyncio
import bisect
import copy
import dataclasses
import pickle
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest
import requests

from cdse_intake.catalogue.odata import ODataBackend
from cdse_intake.catalogue.odata_product import ODataProduct, products_from_odata
from cdse_intake.catalogue.records import product_from_odata
from cdse_intake.catalogue.windowed import (
    FILL,
    PAGE_SIZE,
    RateLimiter,
    WindowedSearch,
    shared_limiter,
)
from cdse_intake.config import Endpoints, Settings
from cdse_intake.errors import ServiceError
from cdse_intake.net.http import new_session
from cdse_intake.product import Product
from cdse_intake.query import Query

FIELDS = list(Product.__dataclass_fields__)


def entities(emu, collection: str, top: int = 50) -> list[dict]:
    params = [
        ("$filter", f"Collection/Name eq '{collection}'"),
        ("$top", str(top)),
        ("$expand", "Attributes"),
        ("$expand", "Assets"),
    ]
    with requests.Session() as http:
        answer = http.get(f"{emu.urls.catalogue}/Products", params=params, timeout=60)
    answer.raise_for_status()
    return answer.json()["value"]


@pytest.mark.parametrize(
    "collection", ["SENTINEL-1", "SENTINEL-2", "SENTINEL-3", "SENTINEL-5P", "CLMS"]
)
def test_lazy_records_equal_eager_ones_in_every_field(cdse_emulator, collection):
    records = entities(cdse_emulator, collection)
    assert records
    for record in records:
        eager = product_from_odata(record)
        lazy = ODataProduct.from_record(copy.deepcopy(record))
        assert "attributes" not in lazy.__dict__  # nothing decoded yet
        assert isinstance(lazy, Product) and lazy == eager and hash(lazy) == hash(eager)
        assert repr(lazy) == repr(eager)
        for name in FIELDS:
            assert getattr(lazy, name) == getattr(eager, name), name
            assert type(getattr(lazy, name)) is type(getattr(eager, name)), name
        assert "_record" not in lazy.__dict__  # the entity is let go once decoded
        assert lazy.to_dict() == eager.to_dict()
        assert lazy.cloud_cover == eager.cloud_cover and lazy.stem == eager.stem


def test_lazy_records_pickle_copy_and_replace_as_products(cdse_emulator):
    record = entities(cdse_emulator, "SENTINEL-2", top=1)[0]
    eager = product_from_odata(record)
    for lazy in (ODataProduct.from_record(record), ODataProduct.from_record(dict(record))):
        back = pickle.loads(pickle.dumps(lazy))  # never touched before: decoded for pickling
        assert type(back) is Product
        assert all(getattr(back, n) == getattr(eager, n) for n in FIELDS)
        assert isinstance(back.attributes, MappingProxyType)
    lazy = ODataProduct.from_record(record)
    assert copy.copy(lazy).attributes == eager.attributes
    renamed = dataclasses.replace(lazy, name="other.SAFE")
    assert renamed.name == "other.SAFE" and renamed.attributes == eager.attributes
    assert renamed.start == eager.start and renamed.size == eager.size


def test_times_are_read_without_decoding_the_rest(cdse_emulator):
    record = entities(cdse_emulator, "SENTINEL-1", top=1)[0]
    lazy = ODataProduct.from_record(record)
    assert lazy.start == product_from_odata(record).start
    assert "attributes" not in lazy.__dict__ and "_record" in lazy.__dict__
    assert lazy.product_type == product_from_odata(record).product_type
    assert {"attributes", "assets", "checksums"} <= set(lazy.__dict__)


def test_malformed_entities_are_service_errors_naming_them():
    with pytest.raises(ServiceError, match=r"cannot be read.*'Name'"):
        ODataProduct.from_record({"Id": "x"})
    with pytest.raises(ServiceError, match="Id and Name must be strings"):
        ODataProduct.from_record({"Id": 7, "Name": "n"})
    with pytest.raises(ServiceError, match="not a list"):
        products_from_odata({"Id": "x"})
    bad = ODataProduct.from_record(
        {"Id": "a", "Name": "b", "Attributes": [{"Value": 1}], "ContentDate": "soon"}
    )
    assert bad.name == "b"  # what was read at once
    with pytest.raises(ServiceError, match=r"cannot be read.*'Name'.*'Id': 'a'"):
        _ = bad.attributes
    with pytest.raises(ServiceError, match=r"cannot be read.*soon"):
        _ = bad.start
    # the eager decoder refuses the same entity the same way
    with pytest.raises(ServiceError, match="cannot be read"):
        product_from_odata({"Id": "a", "Name": "b", "Attributes": [{"Value": 1}]})


# -- the window plan -----------------------------------------------------------------------------
class _Keyed:
    def __init__(self, start: datetime) -> None:
        self.start = start
        self.name = "p"


def test_density_ignores_a_few_old_products_before_a_dense_archive():
    search = WindowedSearch(
        Query(collection="SENTINEL-2"), endpoints=Endpoints(), settings=Settings()
    )
    t0 = datetime(2023, 1, 1, tzinfo=UTC)
    dense = [_Keyed(t0 + timedelta(seconds=60 * i)) for i in range(998)]
    page = [_Keyed(datetime(2021, 6, 1, tzinfo=UTC)), _Keyed(datetime(2021, 6, 2, tzinfo=UTC))]
    density = search._density([*page, *dense])  # type: ignore[arg-type]
    assert density == pytest.approx(1 / 60, rel=0.01)  # one product a minute, as most are
    day = t0 + timedelta(days=1)
    assert WindowedSearch._parts(t0, day, density, PAGE_SIZE) == pytest.approx(
        24 * 60 / (FILL * PAGE_SIZE), abs=1
    )


def run(emu, query: Query):
    async def go():
        async with new_session() as session:
            backend = ODataBackend(
                query, endpoints=emu.endpoints, settings=Settings(), session=session
            )
            return [p async for p in backend.products()], backend

    return asyncio.run(go())


@pytest.mark.parametrize("sort", ["start", "-start"])
def test_planned_windows_are_mostly_one_request_each(cdse_emulator, sort):
    query = Query(collection="SENTINEL-2", sort=sort)
    products, backend = run(cdse_emulator, query)
    want = [e for e in cdse_emulator.catalogue if e.collection == "SENTINEL-2"]
    assert len(products) == len({p.id for p in products}) == len(want)
    assert {p.id for p in products} == {e.id for e in want}
    starts = [p.start for p in products]
    assert starts == sorted(starts, reverse=sort == "-start")
    # a page of dates, then windows of ~FILL of a page: few requests beyond the pages needed
    pages = len(want) / PAGE_SIZE
    assert backend.requests <= pages / FILL + 8
    log = cdse_emulator.state.requests(path="/odata/v1/Products")
    assert all(r.status == 200 for r in log)  # no 429: the pace is one CDSE accepts
    assert all("skip" not in r.query for r in log)
    # the records stayed undecoded while streamed (no field was read but ids and times)
    assert sum("_record" in p.__dict__ for p in products) == len(products)


def test_searches_on_one_loop_share_the_service_rate():
    async def limiters():
        return shared_limiter("http://a", 30.0), shared_limiter("http://a", 30.0)

    first, again = asyncio.run(limiters())
    assert first is again  # two searches of one service keep to its rate together
    other, _ = asyncio.run(limiters())
    assert other is not first  # a loop of its own (its asyncio.Lock belongs to that loop)

    async def services():
        return shared_limiter("http://a", 30.0), shared_limiter("http://b", 30.0)

    a, b = asyncio.run(services())
    assert a is not b


class _SamePageEveryTime(WindowedSearch):
    """A hostile catalogue: the same full page whatever window is asked."""

    async def _fetch(self, window, skip, top, desc=None):
        t0 = datetime(2023, 1, 1, tzinfo=UTC)
        return [
            Product(id=f"id-{i}", name=f"p{i}", start=t0 + timedelta(minutes=i)) for i in range(top)
        ]


def test_a_catalogue_answering_outside_the_window_is_refused_not_followed():
    search = _SamePageEveryTime(
        Query(collection="SENTINEL-2"), endpoints=Endpoints(), settings=Settings()
    )

    async def drain():
        return [p async for p in search.products()]

    with pytest.raises(ServiceError, match=r"for the window .*: refused"):
        asyncio.run(drain())


def test_the_rate_allows_a_burst_and_keeps_cdse_s_per_minute_quota():
    rate, burst = ODataBackend.default_rate, ODataBackend.burst
    limiter = RateLimiter(rate, burst)
    now = 1000.0
    starts = [now + max(0.0, limiter._delay(now)) for _ in range(3000)]  # all asked at once
    assert starts[:burst] == [now] * burst  # a short search is not slowed down
    assert starts[burst] > now
    # in any minute, at most burst + 60 * rate starts: under CDSE's 2000 a minute (§2.4)
    most = max(bisect.bisect_left(starts, t + 60) - i for i, t in enumerate(starts))
    assert most <= burst + 60 * rate <= 2000
    # one at a time (burst 1): evenly spaced at the rate
    single = RateLimiter(10.0)
    assert [round(single._delay(5.0), 6) for _ in range(3)] == [0.0, 0.1, 0.2]
