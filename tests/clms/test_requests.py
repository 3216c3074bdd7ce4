"""CLMS requests checked before anything is posted: the area, time, format and projection."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

from cdse_intake.clms.datasets import CLMSDataset, DownloadInformation, parse_dataset
from cdse_intake.clms.requests import CLMSRequest, checked_crs, checked_format
from cdse_intake.clms.search import find_dataset
from cdse_intake.errors import CLMSQueryError, CLMSTaskFailed, QueryError

UID = "a8d945f0edd143a0a5240c28bafa23da"
INFO = "f328dbcc-9069-4240-b8bb-6d5df918671a"
TABLE = {
    "Geotiff": {"Geotiff": True, "Netcdf": False, "GPKG": False},
    "Netcdf": {"Geotiff": True, "Netcdf": True, "GPKG": False},
}


def make(**kw):
    base = {"dataset_uid": UID, "download_information": INFO, "output_format": "Geotiff"}
    return CLMSRequest(**{**base, **kw})


def test_a_bbox_request_is_the_recorded_body():
    req = make(bbox=(2.354736328128108, 45.88264619696234, 4.639892578127501, 46.852958688910306))
    assert req.body() == {
        "Datasets": [
            {
                "DatasetID": UID,
                "DatasetDownloadInformationID": INFO,
                "OutputFormat": "Geotiff",
                "OutputGCS": "EPSG:4326",
                # as CLMS's own recorded request: x1, y1 (north-west corner), x2, y2
                "BoundingBox": [
                    2.354736328128108,
                    46.852958688910306,
                    4.639892578127501,
                    45.88264619696234,
                ],
            }
        ]
    }


def test_time_and_nuts_are_written_as_clms_takes_them():
    req = make(nuts="itc11", time=("2019-01-01", dt.date(2019, 5, 31)), layer="L")
    entry = req.payload()
    assert entry["NUTS"] == "ITC11"
    # milliseconds since the epoch, as the download docs and the service's validation want
    assert entry["TemporalFilter"] == {"StartDate": 1546300800000, "EndDate": 1559347199000}
    assert entry["Layer"] == "L"


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({}, "exactly one of bbox"),
        ({"bbox": (1, 2, 3, 4), "nuts": "IT"}, "exactly one of bbox"),
        ({"bbox": (10, 50, 5, 55)}, "not a valid box"),
        ({"bbox": (0, 0, 1)}, "not 4 numbers"),
        ({"bbox": (0, 0, "x", 1)}, "not a number"),
        ({"bbox": (0, 0, float("nan"), 1)}, "not finite"),
        ({"bbox": (0, -95, 1, 1)}, "not a valid box"),
        ({"nuts": "Italia"}, "not a NUTS code"),
        ({"nuts": "IT", "time": ("2020-02-01", "2020-01-01")}, "starts after it ends"),
        ({"nuts": "IT", "time": ("yesterday", "2020-01-01")}, "not a date"),
        ({"nuts": "IT", "time": "2020-01-01"}, "not a range"),
        ({"nuts": "IT", "output_format": ""}, "non-empty"),
    ],
)
def test_bad_requests_name_the_value_and_what_is_expected(kw, words):
    with pytest.raises(CLMSQueryError, match=words) as info:
        make(**kw)
    assert isinstance(info.value, QueryError) and isinstance(info.value, ValueError)


def test_formats_are_checked_against_the_conversion_table():
    assert checked_format("geotiff", "Geotiff", TABLE) == "Geotiff"
    assert checked_format("NETCDF", "Netcdf", TABLE) == "Netcdf"
    with pytest.raises(CLMSQueryError, match=r"output_format='GPKG'.*expected one of Geotiff$"):
        checked_format("GPKG", "Geotiff", TABLE)


def test_projections_are_checked_against_the_dataset_list():
    offered = ["EPSG:4326", "EPSG:3035"]
    assert checked_crs("epsg:3035", offered) == "EPSG:3035"
    assert checked_crs(4326, offered) == "EPSG:4326"
    with pytest.raises(CLMSQueryError, match=r"crs=.EPSG:32632.*EPSG:4326, EPSG:3035"):
        checked_crs("EPSG:32632", offered)


def test_the_key_is_stable_and_depends_on_the_service_key():
    a, b = make(nuts="IT"), make(nuts="it")
    assert a == b and a.key("c1") == b.key("c1") != a.key("c2")
    assert make(nuts="IT", title="x").key("c1") == a.key("c1")  # the title is not the request


ITEM = {
    "@id": "https://clms-prod.eea.europa.eu/api/en/products/global-dynamic-land-cover/lc-2019",
    "@type": "DataSet",
    "UID": UID,
    "dataset_download_information": {
        "items": [
            {
                "@id": INFO,
                "collection": "100m",
                "full_format": {"title": "Geotiff", "token": "Geotiff"},
                "full_path": "v3.0.1/2019",
                "full_source": "LANDCOVER",
                "name": "RASTER ",
            }
        ]
    },
    "dataset_full_format": None,
    "description": "",
    "title": "Land Cover 100m: collection 3: epoch 2019: Globe",
}


def test_a_search_item_becomes_a_record():
    d = parse_dataset(ITEM)
    assert d.product == "global-dynamic-land-cover" and d.slug == "lc-2019"
    info = d.download_info()
    assert (info.name, info.full_format, info.source) == ("RASTER", "Geotiff", "LANDCOVER")
    assert d.download_info("RASTER") is info
    with pytest.raises(CLMSQueryError, match="not one of"):
        d.download_info("nope")
    assert pickle.loads(pickle.dumps(d)) == d


def test_two_download_informations_must_be_chosen_from():
    infos = (DownloadInformation("a", "RASTER"), DownloadInformation("b", "VECTOR"))
    d = CLMSDataset("u", "T", "https://x/api/en/products/p/t", download_information=infos)
    with pytest.raises(CLMSQueryError, match=r"has 2 download informations.*a \(RASTER"):
        d.download_info()


def test_lookup_by_uid_title_or_product_and_the_closest_names():
    sets = [
        parse_dataset(ITEM),
        parse_dataset(
            {
                **ITEM,
                "UID": "b" * 32,
                "title": "NDVI 300m V2",
                "@id": "https://x/api/en/products/ndvi/n",
            }
        ),
    ]
    assert find_dataset(sets, UID).uid == UID
    assert find_dataset(sets, "ndvi 300M v2").uid == "b" * 32
    assert find_dataset(sets, "global-dynamic-land-cover").uid == UID
    with pytest.raises(CLMSQueryError, match="closest: 'NDVI 300m V2'"):
        find_dataset(sets, "NDVI 300m V3")


def test_errors_pickle_with_their_task():
    err = CLMSTaskFailed("x", task_id="1", task_status="Rejected")
    again = pickle.loads(pickle.dumps(err))
    assert (again.task_id, again.task_status, str(again)) == ("1", "Rejected", "x")


class _Pages:
    """A stand-in session answering ``@search`` with fixed pages (the loop guard's logic)."""

    root = "http://127.0.0.3:1/api"

    def __init__(self, pages):
        self.pages = list(pages)

    async def request(self, method, endpoint, **kw):
        return 200, self.pages.pop(0)


def _page(next_start):
    url = f"https://elsewhere/api/@search?b_start={next_start}&portal_type=DataSet"
    return {"items": [ITEM], "batching": {"next": url} if next_start is not None else {}}


@pytest.mark.parametrize("starts", [[25, 25], [25, 0], [25, 50, 25]])
def test_batching_that_loops_is_an_error(starts):
    import asyncio

    from cdse_intake.clms.search import search_datasets
    from cdse_intake.errors import ServiceError

    session = _Pages([_page(s) for s in starts] + [_page(None)])
    with pytest.raises(ServiceError, match="batching loops"):
        asyncio.run(search_datasets(session))


def test_batching_follows_next_on_the_configured_root():
    import asyncio

    from cdse_intake.clms.search import search_datasets

    session = _Pages([_page(25), _page(50), _page(None)])
    assert len(asyncio.run(search_datasets(session))) == 3


class _Answer:
    """A stand-in session giving one fixed answer to a post."""

    def __init__(self, status, body):
        self.answer = (status, body)

    async def request(self, method, endpoint, **kw):
        return self.answer


@pytest.mark.parametrize(
    ("status", "body", "error", "words"),
    [
        (201, {"ErrorTaskIds": [{"msg": "refused"}], "TaskIds": []}, CLMSTaskFailed, "refused"),
        (200, {"ErrorTaskIds": [], "TaskIds": [{"TaskID": "1"}]}, Exception, "expected 201"),
        (201, {"ErrorTaskIds": [], "TaskIds": []}, Exception, "one TaskID"),
    ],
)
def test_a_post_without_exactly_one_task_is_an_error(status, body, error, words):
    import asyncio

    from cdse_intake.clms.tasks import post_request

    with pytest.raises(error, match=words):
        asyncio.run(post_request(_Answer(status, body), make(nuts="IT")))
