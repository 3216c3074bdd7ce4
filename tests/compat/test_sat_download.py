"""sat_download's habits (002): ODataAPI, SearchFilters, COLLECTIONS, {id: SatelliteImage}."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from shapely.geometry import Point, box

from cdse_intake.compat.sat_download import COLLECTIONS, ODataAPI, SatelliteImage, SearchFilters
from cdse_intake.config import Settings
from cdse_intake.errors import QueryError

from ._brute import entries, md5, value_requests

TILE = "31UNE"  # the doc's 30TWM (Madrid) is not a site of the emulator; Paris is


@pytest.fixture
def api(cdse_emulator, tmp_path):
    return ODataAPI(
        username=cdse_emulator.username,
        password=cdse_emulator.password,
        endpoints=cdse_emulator.endpoints,
        settings=Settings(cache_dir=tmp_path / "cache"),
    )


def june(emu, **kw) -> list:
    return entries(
        emu,
        start=datetime(2024, 6, 1, tzinfo=UTC),
        end=datetime(2024, 7, 1, tzinfo=UTC),  # end_date 2024-06-30 includes that day
        **kw,
    )


def check(results: dict, want: list) -> None:
    assert 0 < len(want) == len(results)
    assert list(results) == [e.id for e in want]  # sensing order
    for (pid, image), e in zip(results.items(), want, strict=True):
        assert isinstance(image, SatelliteImage)
        assert image.uuid == pid == e.id
        assert image.filename == e.name
        assert image.date == e.start


def test_documented_example_processing_level_L2A(api, cdse_emulator):
    """The doc's example. Depends on the core search mapping ``processing_level="L2A"`` to
    S2MSI2A (another developer's change): before it, this found no product and failed."""
    filters = SearchFilters(
        collection=COLLECTIONS.SENTINEL_2.value,
        processing_level="L2A",
        start_date="2024-06-01",
        end_date="2024-06-30",
        tile_id=TILE,
    )
    results = api.search(filters)
    check(results, june(cdse_emulator, collection="SENTINEL-2", product_type="S2MSI2A", tile=TILE))


def test_tile_and_name_contains(api, cdse_emulator):
    filters = SearchFilters(
        collection=COLLECTIONS.SENTINEL_2.value,
        start_date="2024-06-01",
        end_date="2024-06-30",
        tile_id=TILE,
        contains=["MSIL2A", "_N05"],
    )
    want = [
        e
        for e in june(cdse_emulator, collection="SENTINEL-2", tile=TILE)
        if "MSIL2A" in e.name and "_N05" in e.name
    ]
    check(api.search(filters), want)


def test_search_by_point_and_by_polygon(api, cdse_emulator):
    point = SearchFilters(
        collection=COLLECTIONS.SENTINEL_2.value,
        start_date="2024-06-01",
        end_date="2024-06-30",
        geometry="POINT(2.3522 48.8566)",
    )
    want = june(cdse_emulator, collection="SENTINEL-2", area=Point(2.3522, 48.8566))
    check(api.search(point), want)
    polygon = SearchFilters(
        collection=COLLECTIONS.SENTINEL_3.value,
        start_date="2024-06-01",
        end_date="2024-06-30",
        geometry="POLYGON((2 48, 3 48, 3 49, 2 49, 2 48))",
    )
    check(api.search(polygon), june(cdse_emulator, collection="SENTINEL-3", area=box(2, 48, 3, 49)))


def test_download_the_first_image(api, cdse_emulator, tmp_path):
    filters = SearchFilters(  # days whose products the emulator always delivers (its showcase)
        collection=COLLECTIONS.SENTINEL_2.value,
        start_date="2023-01-01",
        end_date="2023-01-05",
        tile_id=TILE,
    )
    results = api.search(filters)
    first_id = list(results.keys())[0]  # noqa: RUF015 - the documented example
    first_image = results[first_id]
    assert first_id in {e.id for e in cdse_emulator.catalogue.materialised}
    outname = tmp_path / "images" / f"{first_image.filename}.zip"
    filepath = api.download(image_id=first_id, outname=str(outname), verbose=0)
    assert filepath == str(outname)
    entry = next(e for e in cdse_emulator.catalogue if e.id == first_id)
    assert md5(outname) == entry.md5
    sent = len(value_requests(cdse_emulator))
    # once verified, another copy comes from the cache: no transfer
    assert api.download(first_id, str(tmp_path / "again.zip")) == str(tmp_path / "again.zip")
    assert md5(tmp_path / "again.zip") == entry.md5
    assert len(value_requests(cdse_emulator)) == sent
    fresh = ODataAPI(
        cdse_emulator.username,
        cdse_emulator.password,
        endpoints=cdse_emulator.endpoints,
        settings=Settings(cache_dir=tmp_path / "other-cache", retries=0),
    )
    cdse_emulator.faults.add("status", product=first_id, status=500, times=None)
    assert fresh.download(first_id, str(tmp_path / "failed.zip")) is None
    assert not (tmp_path / "failed.zip").exists()


def test_bad_filters_are_named(api):
    with pytest.raises(QueryError, match="contains='MSIL2A'"):
        api.search(SearchFilters("SENTINEL-2", "2024-06-01", "2024-06-30", contains="MSIL2A"))
    with pytest.raises(QueryError, match="start"):
        api.search(SearchFilters("SENTINEL-2", "June", "2024-06-30"))
