"""CLMS results: the zip's files hold exactly :func:`.land.source.values` at their pixel centres."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import h5py
import numpy as np
import rasterio

from cdse_intake.emulator.land.source import encoding, values

from . import test_land_support as support
from .test_land_support import CLC2018_RASTER, LC2019, Clms, cut, ms

# the fixtures, by name
clms = support.clms
land_emulator = support.land_emulator


def _zip(clms: Clms, *datasets: dict) -> tuple[dict, zipfile.ZipFile]:
    return _zip_of(clms, clms.request(*datasets))


def _zip_of(clms: Clms, task_id: str) -> tuple[dict, zipfile.ZipFile]:
    task = clms.wait(task_id)
    assert task["Status"] == "Finished_ok", task.get("Message")
    content = clms.http.get(task["DownloadURL"]).content
    assert len(content) == task["FileSize"]
    return task, zipfile.ZipFile(io.BytesIO(content))


def _tif(archive: zipfile.ZipFile, name: str):
    with rasterio.MemoryFile(archive.read(name)) as memfile, memfile.open() as src:
        rows, cols = np.mgrid[0 : src.height, 0 : src.width]
        x, y = src.transform * (cols + 0.5, rows + 0.5)
        return src.read(1), x, y, src.crs, src.nodata, src.tags(1), src.scales, src.offsets


def _dataset(clms: Clms, text: str) -> tuple[str, str]:
    item = clms.get(
        "@search",
        token=None,
        SearchableText=text,
        metadata_fields=["UID", "dataset_download_information"],
    ).json()["items"][0]
    return item["UID"], item["dataset_download_information"]["items"][0]["@id"]


def test_bbox_cut_values_equal_the_source(clms: Clms):
    box = [7.55, 45.12, 7.75, 44.98]  # north before south, as the docs' example
    _, archive = _zip(clms, cut(BoundingBox=box))
    (name,) = archive.namelist()
    assert name == (
        "01_Land_Cover_100m_collection_3_epoch_2019_Globe/"
        "PROBAV_LC100_global_v3.0.1_2019-conso_Discrete-Classification-map.tif"
    )
    data, lon, lat, crs, nodata, tags, _, _ = _tif(archive, name)
    assert crs.to_epsg() == 4326 and nodata == 255
    assert lon.min() < 7.551 and lon.max() > 7.749 and lat.min() < 44.981 and lat.max() > 45.119
    np.testing.assert_array_equal(data, values(LC2019[0], lon, lat, None))
    assert set(np.unique(data)) <= {30, 40, 50, 60, 70, 80, 111, 200}
    assert tags["flag_meanings"].split()[0] == "herbaceous_vegetation"


def test_nuts_time_series_gives_one_file_per_dekad(clms: Clms):
    uid, info = _dataset(clms, "NDVI300 OLCI")
    temporal = {"StartDate": ms(2021, 7, 1), "EndDate": ms(2021, 7, 25)}
    task, archive = _zip(clms, cut((uid, info), NUTS="ITC11", TemporalFilter=temporal))
    echo = task["Datasets"][0]
    assert echo["NUTSID"] == "ITC11" and echo["NUTSName"] == "Torino"
    assert echo["TemporalFilter"] == {
        "EndDate": "2021-07-25 00:00:00",
        "StartDate": "2021-07-01 00:00:00",
    }
    names = sorted(n.split("/")[1] for n in archive.namelist())
    assert names == [
        f"c_gls_NDVI300_202107{d}0000_GLOBE_OLCI_V2.0.1.tif" for d in ("01", "11", "21")
    ]
    enc = encoding(uid)
    for name, day in zip(sorted(archive.namelist()), (1, 11, 21), strict=True):
        data, lon, lat, _, nodata, tags, scales, offsets = _tif(archive, name)
        assert data.shape == (283, 498)  # Torino's box at 1/336 degree, snapped outwards
        assert (nodata, scales[0], offsets[0]) == (enc.nodata, 0.004, -0.08)
        assert tags["flag_values"] == "{254, 255}"
        np.testing.assert_array_equal(data, values(uid, lon, lat, date(2021, 7, day)))


def test_projected_and_netcdf_outputs(clms: Clms):
    uid, info = _dataset(clms, "NDVI 1998")
    temporal = {"StartDate": ms(2019, 5, 1), "EndDate": ms(2019, 5, 5)}
    laea = cut((uid, info), NUTS="BE100", OutputGCS="EPSG:3035", TemporalFilter=temporal)
    netcdf = cut((uid, info), NUTS="BE100", OutputFormat="Netcdf", TemporalFilter=temporal)
    _, archive = _zip(clms, laea, netcdf)
    tif, nc = sorted(archive.namelist())
    assert tif.startswith("01_") and nc.startswith("02_") and nc.endswith(".nc")
    _, x, y, crs, *_ = _tif(archive, tif)
    assert crs.to_epsg() == 3035
    assert 3_900_000 < x.min() < x.max() < 4_000_000 and 3_050_000 < y.min() < y.max() < 3_120_000
    assert x[0, 1] - x[0, 0] == 1000.0
    with h5py.File(io.BytesIO(archive.read(nc))) as h5:
        lon, lat, ndvi = h5["lon"][:], h5["lat"][:], h5["NDVI"][:]
        assert h5["NDVI"].attrs["scale_factor"] == 0.004
    np.testing.assert_array_equal(ndvi, values(uid, lon[None, :], lat[:, None], date(2019, 5, 1)))


def test_vector_output_is_geojson_cells(clms: Clms):
    uid, info = _dataset(clms, "Urban Atlas Land Cover 2018")
    _, archive = _zip(clms, cut((uid, info), NUTS="NL329", OutputFormat="GPKG"))
    (name,) = archive.namelist()
    body = json.loads(archive.read(name))
    assert name.endswith("UA2018_LCLU_V1.geojson") and body["type"] == "FeatureCollection"
    codes = {f["properties"]["code"] for f in body["features"]}
    assert codes <= {11100, 21000, 23000, 31000, 33000, 33500, 50000, 52000}
    assert len(body["features"]) == 64 * 64


def test_too_large_output_fails_the_task(clms: Clms):
    uid, info = _dataset(clms, "Imperviousness Density 2018")
    task = clms.wait(clms.request(cut((uid, info), NUTS="BE")))
    assert task["Status"] == "Finished_nok"
    assert "at most 2000 x 2000" in task["Message"]


def test_prepackaged_file_request(clms: Clms):
    item = clms.get(
        "@search", token=None, UID=CLC2018_RASTER[0], metadata_fields="downloadable_files"
    ).json()["items"][0]
    files = item["downloadable_files"]["items"]
    raster = next(f for f in files if f["format"] == "Geotiff")
    response = clms.post([{"DatasetID": CLC2018_RASTER[0], "FileID": raster["@id"]}])
    assert response.status_code == 201
    task_id = response.json()["TaskIds"][0]["TaskID"]
    task, archive = _zip_of(clms, task_id)
    assert task["Datasets"][0]["FileID"] == raster["@id"]
    (name,) = archive.namelist()
    assert name.endswith("U2018_CLC2018_V2020_20u1_raster.tif")
    data, lon, lat, *_ = _tif(archive, name)
    np.testing.assert_array_equal(data, values(CLC2018_RASTER[0], lon, lat))
    bad = clms.post([{"DatasetID": CLC2018_RASTER[0], "FileID": "nope"}])
    assert bad.json()["msg"] == "Error, the FileID is not valid"


def test_ndvi_is_the_products_ndvi_encoding():
    from cdse_intake.emulator.land.datasets import catalogue
    from cdse_intake.emulator.land.periods import sample_instant
    from cdse_intake.emulator.products._clms_pixels import dn_window, lonlat

    uid = next(d.uid for d in catalogue() if d.stem.startswith("c_gls_NDVI300_{date}_GLOBE_OLCI"))
    when = sample_instant("dekad", date(2021, 7, 11), None)
    expected = dn_window(7.0, 46.0, 64, 1 / 336, when, (0.004, -0.08, 250, 254, 255))
    lon, lat = lonlat(7.0, 46.0, 64, 1 / 336)
    np.testing.assert_array_equal(values(uid, lon, lat, date(2021, 7, 15)), expected)
