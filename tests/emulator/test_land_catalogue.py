"""The CLMS catalogue: @search batches and text search, projections, conversions, auxiliary API."""

from __future__ import annotations

import io
import json
from pathlib import Path

import h5py
import numpy as np

from cdse_intake.emulator.land.source import values

from . import test_land_support as support
from .test_land_support import CLC2018_RASTER, LC2019, Clms

SAMPLES = Path("/work/shared/reference/samples/api/clms-api-docs")
FIELDS = ["UID", "dataset_full_format", "dataset_download_information"]

# the fixtures, by name
clms = support.clms
land_emulator = support.land_emulator


def _recorded(name: str):
    path = SAMPLES / name
    if not path.exists():
        return None
    return json.loads(path.read_text().split("\n\n", 1)[1])


def test_search_pages_in_batches_of_25_as_plone(clms: Clms):
    response = clms.get("@search", token=None, portal_type="DataSet", metadata_fields=FIELDS)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["@id", "batching", "items", "items_total"]
    assert body["items_total"] == 198 and len(body["items"]) == 25
    query = (
        "portal_type=DataSet&metadata_fields=UID&metadata_fields=dataset_full_format&"
        "metadata_fields=dataset_download_information"
    )
    base = f"{clms.api}/@search"
    assert body["@id"] == f"{base}?{query}"
    assert body["batching"] == {
        "@id": f"{base}?{query}",
        "first": f"{base}?b_start=0&{query}",
        "last": f"{base}?b_start=175&{query}",
        "next": f"{base}?b_start=25&{query}",
    }
    first = body["items"][0]
    assert list(first) == [
        "@id",
        "@type",
        "UID",
        "dataset_download_information",
        "dataset_full_format",
        "description",
        "image_field",
        "review_state",
        "title",
    ]
    assert first["UID"] == LC2019[0]
    assert first["dataset_download_information"]["items"][0]["@id"] == LC2019[1]
    recorded = _recorded("download-search-datasets.resp")
    if recorded is not None:  # the same first records as the recorded catalogue
        assert body["items"][:5] == [
            {**item, "@id": item["@id"].replace("https://clms-prod.eea.europa.eu/api", clms.api)}
            for item in recorded["items"][:5]
        ]
    seen = {item["UID"] for item in body["items"]}
    page = clms.get(
        "@search", token=None, portal_type="DataSet", metadata_fields="UID", b_start=175
    ).json()
    assert len(page["items"]) == 23 and "next" not in page["batching"]
    assert page["batching"]["prev"].startswith(f"{base}?b_start=150&")
    assert not seen & {item["UID"] for item in page["items"]}
    plain = clms.get("@search", token=None, portal_type="DataSet").json()["items"][0]
    assert list(plain) == ["@id", "@type", "description", "image_field", "review_state", "title"]


def test_searchable_text_words_case_and_wildcard(clms: Clms):
    def titles(text: str, **extra) -> list[str]:
        body = clms.get(
            "@search", token=None, portal_type="DataSet", SearchableText=text, **extra
        ).json()
        assert body["items_total"] == len(body["items"]) or "batching" in body
        return [item["title"] for item in body["items"]]

    lc = titles("land COVER epoch")
    assert len(lc) == 6 and all("Land Cover 100m" in t for t in lc)
    assert "CLC 2018" in titles("clc 2018")
    ndvi = titles("ndvi*", b_size=100)
    assert any("Normalised Difference Vegetation Index" in t for t in ndvi)
    assert titles("Vegetat* 300m") and not titles("nosuchword")
    single = clms.get("@search", token=None, SearchableText="imperviousness change").json()
    assert "batching" not in single and single["items_total"] == 4


def test_projections_and_conversion_table(clms: Clms):
    assert clms.get("@projections", uid=CLC2018_RASTER[0]).json() == [
        "EPSG:4326",
        "EPSG:3035",
        "EPSG:3857",
        "EPSG:4258",
    ]
    assert clms.get("@projections").json() == clms.get("@projections", uid=LC2019[0]).json()
    unknown = clms.get("@projections", uid="0" * 32)
    assert unknown.status_code == 200 and unknown.json() == []  # as get_available_gcs_values
    table = clms.get("@format_conversion_table").json()
    recorded = _recorded("download-available-conversions.resp")
    assert table == (recorded or table)
    assert table["Netcdf"]["Geotiff"] and not table["Geotiff"]["Netcdf"]


def test_dataset_object_has_its_download_information(clms: Clms):
    item = clms.get("@search", token=None, UID=CLC2018_RASTER[0], metadata_fields="UID").json()
    body = clms.http.get(item["items"][0]["@id"], headers={"Accept": "application/json"}).json()
    assert body["UID"] == CLC2018_RASTER[0] and body["title"] == "CLC 2018"
    infos = body["dataset_download_information"]["items"]
    assert [i["name"] for i in infos] == ["VECTOR", "RASTER"] and infos[1]["@id"] == CLC2018_RASTER[
        1
    ]


def test_auxiliary_api_lists_files_per_date_on_the_file_server(clms: Clms):
    found = clms.get(
        "@search",
        token=None,
        SearchableText="Snow Cover Extent 500",
        metadata_fields=["UID", "dataset_download_information"],
    ).json()
    sce = found["items"][0]
    uid, info = sce["UID"], sce["dataset_download_information"]["items"][0]["@id"]
    urls = clms.get(
        "@get-download-file-urls",
        dataset_uid=uid,
        download_information_id=info,
        date_from="2017-03-01",
        date_to="2017-03-07",
    ).json()
    assert len(urls) == 7
    assert urls[0].endswith("/c_gls_SCE500_201703010000_GLOBE_MODIS_V1.0.1.nc")
    data = clms.http.get(urls[2])
    assert data.status_code == 200 and "Authorization" not in data.request.headers
    with h5py.File(io.BytesIO(data.content)) as nc:
        lon, lat, sce_values = nc["lon"][:], nc["lat"][:], nc["SCE"][:]
    from datetime import date

    expected = values(uid, lon[None, :], lat[:, None], date(2017, 3, 3))
    np.testing.assert_array_equal(sce_values, expected)


def test_auxiliary_api_errors(clms: Clms):
    def ask(**params):
        return clms.get("@get-download-file-urls", **params)

    assert ask().json() == {
        "message": "Required parameters are missing: dataset_uid is mandatory",
        "status": "error",
    }
    assert ask(dataset_uid="0" * 32).json()["message"] == "Dataset does not exist"
    assert ask(dataset_uid=LC2019[0], download_information_id="x").json()["message"] == (
        "Dataset collection does not exist"
    )
    eea = ask(dataset_uid=CLC2018_RASTER[0], download_information_id=CLC2018_RASTER[1])
    assert eea.status_code == 200 and eea.json()["msg"].startswith("There is no content")
    lc = ask(dataset_uid=LC2019[0], download_information_id=LC2019[1]).json()
    assert len(lc) == 1 and "/2019/" in lc[0] and "LC100" in lc[0]
