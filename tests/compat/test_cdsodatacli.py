"""cdsodatacli's habits (003): fetch_data over a table of queries, and multi-account downloads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from cdse_intake.compat.cdsodatacli import COLUMNS, download_list_product, fetch_data
from cdse_intake.config import Settings
from cdse_intake.landsea import land_fraction

from ._brute import entries, md5, value_requests

START, END = datetime(2023, 1, 1, tzinfo=UTC), datetime(2023, 3, 1, tzinfo=UTC)
PARIS, LISBON = box(2.2, 48.8, 2.5, 48.9), box(-9.5, 38.5, -9.0, 39.0)


def queries() -> gpd.GeoDataFrame:
    """The documented input: one row per query, the tool's column names."""
    return gpd.GeoDataFrame(
        {
            "start_datetime": [START.replace(tzinfo=None)] * 2,
            "end_datetime": [END.replace(tzinfo=None)] * 2,
            "id_query": ["paris", "lisbon"],
            "collection": ["SENTINEL-1", "SENTINEL-1"],
            "sensormode": ["IW", "IW"],
            "producttype": ["IW_GRDH_1S", "IW_GRDH_1S"],
            "geometry": [PARIS, LISBON],
        },
        geometry="geometry",
        crs="EPSG:4326",
    )


def expected(emu, area) -> list:
    found = entries(
        emu, collection="SENTINEL-1", product_type="IW_GRDH_1S", start=START, end=END, area=area
    )
    return [e for e in found if e.attribute("operationalMode") == "IW"]


def catalogue_requests(emu) -> int:
    return len(emu.state.requests(path="/odata/v1/Products"))


@pytest.fixture
def kw(cdse_emulator, tmp_path):
    return {"endpoints": cdse_emulator.endpoints, "settings": Settings(cache_dir=tmp_path / "c")}


def test_fetch_data_columns_and_rows(cdse_emulator, kw):
    frame = fetch_data(queries(), timedelta_slice=timedelta(days=7), **kw)
    assert isinstance(frame, gpd.GeoDataFrame)
    assert list(frame.columns) == [*COLUMNS, "id_original_query", "geometry"]
    for id_query, area in (("paris", PARIS), ("lisbon", LISBON)):
        rows = frame[frame["id_original_query"] == id_query]
        want = expected(cdse_emulator, area)
        assert 0 < len(want) == len(rows)
        assert set(rows["Id"]) == {e.id for e in want}  # sliced by week: nothing lost or twice
        by_id = {e.id: e for e in want}
        for _, row in rows.iterrows():
            e = by_id[row["Id"]]
            assert row["Name"] == e.name
            assert row["S3Path"] == e.s3_path
            assert row["Online"] == e.online
            assert {"Value": e.md5, "Algorithm": "MD5"} in row["Checksum"]
            assert row["Footprint"].startswith("geography'SRID=4326;POLYGON")
            assert row["geometry"].intersects(area)
        modified = list(rows["ModificationDate"])
        assert modified == sorted(modified, reverse=True)  # the tool's de-duplication order
    assert list(dict.fromkeys(frame["id_original_query"])) == ["paris", "lisbon"]


def test_multi_mode_and_cache_dir(cdse_emulator, kw, tmp_path):
    sequential = fetch_data(queries(), **kw)
    threaded = fetch_data(queries(), querymode="multi", cache_dir=tmp_path / "q", **kw)
    pd.testing.assert_frame_equal(
        sequential.drop(columns="geometry"), threaded.drop(columns="geometry")
    )
    before = catalogue_requests(cdse_emulator)
    again = fetch_data(queries(), querymode="multi", cache_dir=tmp_path / "q", **kw)
    assert catalogue_requests(cdse_emulator) == before  # every query answered from cache_dir
    assert list(again["Id"]) == list(threaded["Id"])
    assert list(again["id_original_query"]) == list(threaded["id_original_query"])
    with pytest.raises(ValueError, match="querymode='parallel'"):
        fetch_data(queries(), querymode="parallel", **kw)
    with pytest.raises(ValueError, match="id_query"):
        fetch_data(queries().drop(columns="id_query"), **kw)


def test_min_sea_percent(cdse_emulator, kw):
    """Forwarded to the core search (``min_sea_percent``); ``sea_percent`` from the footprints."""
    frame = fetch_data(queries(), min_sea_percent=30, **kw)
    assert list(frame.columns) == [*COLUMNS, "id_original_query", "geometry", "sea_percent"]
    want = [
        e
        for e in expected(cdse_emulator, PARIS) + expected(cdse_emulator, LISBON)
        if 100 * (1 - land_fraction(e.footprint)) >= 30
    ]
    assert 0 < len(want) < len(expected(cdse_emulator, PARIS) + expected(cdse_emulator, LISBON))
    assert set(frame["Id"]) == {e.id for e in want}
    assert (frame["sea_percent"] >= 30).all()


def test_download_skips_present_products_and_uses_every_account(cdse_emulator, tmp_path):
    emu = cdse_emulator
    emu.add_account("second@cdse-emulator.local", "second-password")
    deliverable = [e for e in emu.catalogue.materialised if e.online and e.family][:12]
    listing = pd.DataFrame(
        {"id": [e.id for e in deliverable], "safename": [e.name for e in deliverable]}
    )
    out = tmp_path / "spool"
    out.mkdir()
    present = next(e for e in deliverable if e.name.endswith(".SAFE"))
    (out / present.name).mkdir()  # already there, unzipped
    result = download_list_product(
        listing,
        out,
        accounts=[(emu.username, emu.password), ("second@cdse-emulator.local", "second-password")],
        hideprogressbar=True,
        endpoints=emu.endpoints,
        settings=Settings(cache_dir=tmp_path / "cache", retries=2),
    )
    status = dict(zip(result["id"], result["status"], strict=True))
    assert status.pop(present.id) == "present"
    assert set(status.values()) == {"verified"}, result[["safename", "status", "reason"]]
    by_id = {e.id: e for e in deliverable}
    for pid, path in zip(result["id"], result["path"], strict=True):
        if pid != present.id:
            assert md5(path) == by_id[pid].md5
    fetched = value_requests(emu)
    assert present.id not in {r.path.split("(")[1].split(")")[0] for r in fetched}
    users = {r.user for r in fetched}
    assert users == {emu.username, "second@cdse-emulator.local"}  # both accounts worked
    assert all(emu.state.peak_downloads[u] <= 4 for u in users)  # each within its 4 sessions
