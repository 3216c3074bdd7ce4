"""The whole CLMS flow against the emulator: search, request, poll, download, cancel."""

from __future__ import annotations

import zipfile

import pytest

import cdse_intake
from cdse_intake import clms
from cdse_intake.errors import CLMSQueryError

from .emulated import BOX, LAND_COVER_2019, land_cover_job, requests


def test_search_reads_every_batch_and_searches_text(land, cdse_emulator):
    every = clms.search()
    pages = requests(cdse_emulator, "@search")
    assert len(every) > 25 and len(pages) == -(-len(every) // 25)
    assert len({d.uid for d in every}) == len(every)
    ndvi = clms.search("NDVI")
    assert 0 < len(ndvi) < len(every)
    assert all(d.download_information for d in ndvi)
    table = ndvi.to_dataframe()
    assert list(table["uid"]) == [d.uid for d in ndvi]
    assert "<table>" in ndvi._repr_html_()


def test_datasets_are_found_by_uid_title_or_product(land):
    found = clms.dataset(LAND_COVER_2019)
    assert clms.dataset(found.title) == found
    with pytest.raises(CLMSQueryError, match="closest"):
        clms.dataset(found.title + " Europe")


def test_a_request_is_posted_once_polled_and_downloaded_once(land, cdse_emulator, tmp_path):
    job = land_cover_job()
    again = land_cover_job()
    assert again.task_id == job.task_id
    assert len(requests(cdse_emulator, "@datarequest_post")) == 1
    status = job.wait(timeout=30)
    assert status.done and status.file_size
    files = job.download()
    archive = files[0]
    assert archive.suffix == ".zip" and archive.stat().st_size == status.file_size
    assert archive.parent == job.result_dir
    with zipfile.ZipFile(archive) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
    assert {f.relative_to(job.result_dir).as_posix() for f in files[1:]} == {
        n for n in names if not n.endswith("/")
    }
    assert all(f.is_file() for f in files)
    assert not list(job.result_dir.glob("*.part*"))
    fetched = len(cdse_emulator.state.requests(path="/clmsdatadownload/*"))
    assert job.download() == files  # the second call reads nothing
    assert land_cover_job().download() == files
    assert len(cdse_emulator.state.requests(path="/clmsdatadownload/*")) == fetched == 1
    assert [j.task_id for j in clms.jobs()] == [job.task_id]
    record = next((job.result_dir.parents[2] / "clms" / "requests").glob("*.json"))
    assert record.stat().st_mode & 0o777 == 0o600
    assert record.parent.stat().st_mode & 0o777 == 0o700


def test_request_checks_format_and_projection_against_clms(land, cdse_emulator):
    with pytest.raises(CLMSQueryError, match=r"output_format='GPKG'.*expected one of Geotiff"):
        clms.request(LAND_COVER_2019, bbox=BOX, output_format="GPKG")
    with pytest.raises(CLMSQueryError, match=r"crs='EPSG:32632'.*EPSG:4326"):
        clms.request(LAND_COVER_2019, bbox=BOX, crs="EPSG:32632")
    assert requests(cdse_emulator, "@datarequest_post") == []


def test_cancel_forgets_the_job(land, cdse_emulator):
    job = land_cover_job()
    job.cancel()
    assert job.record is None and clms.jobs() == []
    assert len(requests(cdse_emulator, "@datarequest_delete")) == 1
    assert land_cover_job().task_id != job.task_id  # posted anew, nothing blocks it


def test_a_kept_job_is_found_by_its_task_id(land):
    posted = land_cover_job()
    found = clms.job(f" {posted.task_id} ")
    assert (found.task_id, found.request) == (posted.task_id, posted.request)
    with pytest.raises(CLMSQueryError, match=rf"'123'.*kept: {posted.task_id}"):
        clms.job(123)


def test_cdse_copy_names_the_cdse_collection_of_a_global_product(land):
    v2 = next(d for d in clms.search("NDVI") if "300 m" in d.title and "version 2" in d.title)
    copy = clms.cdse_copy(v2, time=("2023-06-01", "2023-06-30"), bbox=(11, 44.2, 13, 45.6))
    assert copy is not None and copy.stac_collection == "clms_ndvi_global_300m_10daily_v2_nc"
    kwargs = copy.search_kwargs()
    assert (kwargs["collection"], kwargs["backend"]) == (copy.stac_collection, "odata")
    # The same products from both backends: version 2 only (product type NDVI300 alone also
    # finds version 3 and the COGs on OData).
    found = {
        backend: sorted(p.name for p in cdse_intake.search(**copy.search_kwargs(backend)))
        for backend in ("odata", "stac")
    }
    assert found["odata"] and found["odata"] == found["stac"], found
    assert all("V2" in name for name in found["odata"]), found
    assert clms.cdse_copy(LAND_COVER_2019) is None
    assert "EPSG:4326" in v2.projections()


def test_prepackaged_file_links(land, cdse_emulator):
    v1 = next(d for d in clms.search("NDVI") if "version 1" in d.title)
    urls = clms.file_urls_of(v1, time=("2020-06-01", "2020-06-30"))
    assert urls and all(u.startswith("http://127.0.0.4:") for u in urls)


def test_a_bad_area_is_refused_before_any_request(land, cdse_emulator):
    with pytest.raises(CLMSQueryError, match="not a valid box"):
        clms.request(LAND_COVER_2019, bbox=(10, 50, 5, 55))
    assert cdse_emulator.state.requests(path="/api/*") == []


def test_an_interrupted_download_asks_for_the_rest_only(land, cdse_emulator, tmp_path):
    import json

    job = land_cover_job()
    status = job.wait(timeout=30)
    whole = job.download(dest=tmp_path / "first")[0]
    data = whole.read_bytes()
    # what an interrupted run leaves: half the zip in .part, and the sidecar saying of what
    job.result_dir.mkdir(parents=True)
    part = job.result_dir / f"{whole.name}.part"
    part.write_bytes(data[: len(data) // 2])
    sidecar = {"id": job.task_id, "size": status.file_size, "algorithm": "size"}
    sidecar["checksum"] = str(status.file_size)
    (job.result_dir / f"{whole.name}.part.json").write_text(json.dumps(sidecar))
    files = job.download()
    assert files[0].read_bytes() == data and not part.exists()
    fetches = cdse_emulator.state.requests(path="/clmsdatadownload/*")
    assert fetches[-1].range == f"bytes={len(data) // 2}-"  # resumed where it stopped
    # (a server that ignores the Range and answers 200 gets the whole file written afresh)
