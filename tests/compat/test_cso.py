"""cso_dataspace's habits (001): the inquiry table, the rc settings, the downloader."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from shapely.geometry import box

from cdse_intake.compat.cso import (
    COLUMNS,
    CSO_DataSpace_Downloader,
    CSO_DataSpace_Inquire,
    inquire,
)
from cdse_intake.config import Settings
from cdse_intake.errors import QueryError

from ._brute import entries, md5, value_requests

AREA = "-30,30,35,76"


def template(emu) -> str:
    return f"{emu.endpoints.download}/Products({{product_id}})/$value"


def expected(emu) -> list:
    """The documented inquiry (Sentinel5P, L2__NO2___, one day, the doc's area), by brute force."""
    found = entries(
        emu,
        collection="SENTINEL-5P",
        product_type="L2__NO2___",
        start=datetime(2023, 1, 1, tzinfo=UTC),
        end=datetime(2023, 1, 2, tzinfo=UTC),
        area=box(-30, 30, 35, 76),
    )
    return sorted(found, key=lambda e: e.start, reverse=True)


def deliverable(emu) -> list:
    """Sentinel-5P products the emulator always delivers (its showcase)."""
    return [e for e in emu.catalogue.materialised if e.name.startswith("S5P_") and e.online]


def test_inquiry_table_is_the_documented_csv(cdse_emulator, tmp_path):
    out = tmp_path / "work" / "PAL_S5P_NO2_%Y-%m-%d.csv"
    table = inquire(
        "2023-01-01 00:00",
        "2023-01-01 23:59",
        "Sentinel5P",
        "L2__NO2___",
        AREA,
        template(cdse_emulator),
        out,
        endpoints=cdse_emulator.endpoints,
    )
    written = tmp_path / "work" / datetime.now().strftime("PAL_S5P_NO2_%Y-%m-%d.csv")
    text = written.read_text()
    assert text.splitlines()[0] == (
        "orbit;start_time;end_time;processing;collection;processor_version;filename;href"
    )
    read = pd.read_csv(written, sep=";", dtype=str)
    assert list(read.columns) == list(COLUMNS) == list(table.columns)
    want = expected(cdse_emulator)
    assert 0 < len(want) == len(read)
    for (_, row), e in zip(read.iterrows(), want, strict=True):
        assert row["orbit"] == str(e.attribute("orbitNumber"))
        assert row["start_time"] == e.start.strftime("%Y-%m-%d %H:%M:%S")
        assert row["end_time"] == e.end.strftime("%Y-%m-%d %H:%M:%S")
        assert row["processing"] == e.attribute("processingMode")
        assert row["collection"] == e.attribute("baselineCollection")
        assert row["processor_version"] == e.attribute("processingBaseline")
        assert row["filename"] == e.name
        assert row["href"] == f"{cdse_emulator.endpoints.download}/Products({e.id})/$value"
    assert set(read["processing"]) <= {"NRTI", "OFFL", "RPRO"}


def test_rc_file_settings_give_the_same_table(cdse_emulator, tmp_path):
    rc = tmp_path / "cso.rc"
    base = "cso.s5p.no2.inquire-table-dataspace"
    rc.write_text(
        f"""! CSO settings
my.work : {tmp_path}/work
{base}.timerange.start : 2023-01-01 00:00
{base}.timerange.end : 2023-01-01 23:59
{base}.url : https://catalogue.dataspace.copernicus.eu/resto/api
{base}.collection : Sentinel5P
! product type (always 10 characters!):
{base}.producttype : L2__NO2___
{base}.area : {AREA}
{base}.download_url : {template(cdse_emulator)}
{base}.output.file : ${{my.work}}/table_%Y.csv
"""
    )
    inquiry = CSO_DataSpace_Inquire(str(rc), base, endpoints=cdse_emulator.endpoints)
    assert list(inquiry.table["filename"]) == [e.name for e in expected(cdse_emulator)]
    assert (tmp_path / "work" / datetime.now().strftime("table_%Y.csv")).is_file()


def test_bad_inquiry_input_is_named(cdse_emulator):
    with pytest.raises(QueryError, match="area='-30,30,35'"):
        inquire("2023-01-01 00:00", "2023-01-01 23:59", "Sentinel5P", "L2__NO2___", "-30,30,35")
    with pytest.raises(QueryError, match=r"timerange\.start='yesterday'"):
        inquire("yesterday", "2023-01-01 23:59", "Sentinel5P")
    with pytest.raises(QueryError, match="product_id"):
        inquire("2023-01-01 00:00", "2023-01-01 23:59", download_url="https://x/{id}")


def test_downloader_reuses_its_token_and_retries_with_growing_delays(
    cdse_emulator, tmp_path, monkeypatch
):
    first, second = deliverable(cdse_emulator)[:2]
    settings = Settings(cache_dir=tmp_path / "cache", retries=0)
    downloader = CSO_DataSpace_Downloader(
        (cdse_emulator.username, cdse_emulator.password),
        endpoints=cdse_emulator.endpoints,
        settings=settings,
    )
    sleeps: list[float] = []
    monkeypatch.setattr("cdse_intake.compat.cso.time.sleep", sleeps.append)
    href = f"{cdse_emulator.endpoints.download}/Products('{first.id}')/$value"
    # the first two attempts fail (503): a third one, after 5 s then 10 s, succeeds
    cdse_emulator.faults.add("status", product=first.id, status=503, times=2)
    got = downloader.DownloadFile(href, tmp_path / "out" / "orbit.nc", nsec_wait=5, nsec_wait_max=8)
    assert downloader.attempts == 3
    assert sleeps == [5.0, 8.0]
    assert md5(got) == first.md5
    token = downloader.CreateToken(href)
    downloader.DownloadFile(template(cdse_emulator).format(product_id=second.id), tmp_path / "b.nc")
    assert downloader.CreateToken() == token  # reused, not a new one
    assert md5(tmp_path / "b.nc") == second.md5
    users = {r.user for r in value_requests(cdse_emulator)}
    assert users == {cdse_emulator.username}


def test_downloader_gives_up_after_maxtry(cdse_emulator, tmp_path, monkeypatch):
    entry = deliverable(cdse_emulator)[0]
    monkeypatch.setattr("cdse_intake.compat.cso.time.sleep", lambda s: None)
    downloader = CSO_DataSpace_Downloader(
        (cdse_emulator.username, cdse_emulator.password),
        endpoints=cdse_emulator.endpoints,
        settings=Settings(cache_dir=tmp_path / "cache", retries=0),
    )
    cdse_emulator.faults.add("status", product=entry.id, status=503, times=None)
    href = template(cdse_emulator).format(product_id=entry.id)
    with pytest.raises(OSError, match="in 3 tries"):
        downloader.DownloadFile(href, tmp_path / "x.nc", maxtry=3, nsec_wait=0)
    assert not (tmp_path / "x.nc").exists()
