"""CLMS data-request results (zips of GeoTIFFs or netCDFs, one per dataset and date) as one
lazy Dataset: values after scaling, flags, CRS, time from names and tags, grids, errors."""

from __future__ import annotations

import pickle
import zipfile
from datetime import date, datetime
from pathlib import Path

import h5netcdf
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from cdse_intake.errors import UnsupportedProduct
from cdse_intake.readers import open_clms_result
from cdse_intake.readers._clms_names import time_from_attrs, time_from_name, variable_from_name

SCALE, OFFSET, SEA, MISSING = 0.004, -0.08, 254, 255
DATES = ("202307210000", "202307010000", "202307110000")  # written out of order
WKT_4326 = rasterio.crs.CRS.from_epsg(4326).to_wkt()


def _dn(seed: int, shape: tuple[int, int] = (6, 8)) -> np.ndarray:
    """Digital numbers 0..250 with a sea pixel (254) and a missing one (255)."""
    dn = (np.arange(shape[0] * shape[1]).reshape(shape) * 5 + seed * 7) % 251
    dn[0, 0], dn[-1, -1] = SEA, MISSING
    return dn.astype(np.uint8)


def _physical(dn: np.ndarray) -> np.ndarray:
    return np.where(dn > 250, np.nan, dn * np.float32(SCALE) + np.float32(OFFSET))


def _tif(path: Path, dn: np.ndarray, crs: str = "EPSG:4326", transform=None, **tags) -> Path:
    """A CLMS-like GeoTIFF: DN with band scale/offset, nodata 255 and the flags as band tags."""
    transform = transform or from_origin(10.5, 46.0, 1 / 336, 1 / 336)
    profile = {"driver": "GTiff", "width": dn.shape[1], "height": dn.shape[0], "count": 1}
    profile.update(dtype="uint8", crs=crs, transform=transform, nodata=MISSING)
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(dn, 1)
        ds.scales, ds.offsets = (SCALE,), (OFFSET,)
        ds.update_tags(**tags)
        ds.update_tags(
            1,
            long_name="Normalized Difference Vegetation Index",
            flag_values="{254, 255}",
            flag_meanings="sea missing",
            valid_range="{0, 250}",
        )
    return path


def _nc(path: Path, dn: np.ndarray, day: int | None = None) -> Path:
    """A netCDF-4 file as GDAL/FME writes one: ``Band1`` packed uint8 on ``lat``/``lon``, a
    ``crs`` grid mapping, and a one-step ``time`` (``day``: days since 1970, else none)."""
    ny, nx = dn.shape
    with h5netcdf.File(path, "w") as f:
        f.dimensions = {"lat": ny, "lon": nx}
        lat = f.create_variable("lat", ("lat",), "f8")
        lat[:] = 46.0 - (np.arange(ny) + 0.5) / 336
        lat.attrs.update(units="degrees_north", standard_name="latitude")
        lon = f.create_variable("lon", ("lon",), "f8")
        lon[:] = 10.5 + (np.arange(nx) + 0.5) / 336
        lon.attrs.update(units="degrees_east", standard_name="longitude")
        crs = f.create_variable("crs", (), "i4")
        crs.attrs.update(grid_mapping_name="latitude_longitude", crs_wkt=WKT_4326)
        dims: tuple[str, ...] = ("lat", "lon")
        if day is not None:
            f.dimensions["time"] = 1
            time = f.create_variable("time", ("time",), "f8")
            time[:] = [day]
            time.attrs.update(units="days since 1970-01-01", standard_name="time")
            dims = ("time", "lat", "lon")
        var = f.create_variable("Band1", dims, "u1", fillvalue=np.uint8(MISSING))
        var[...] = dn.reshape(var.shape)
        var.attrs.update(
            scale_factor=np.float32(SCALE),
            add_offset=np.float32(OFFSET),
            valid_range=np.array([0, 250], np.uint8),
            flag_values=np.array([SEA, MISSING], np.uint8),
            flag_meanings="sea missing",
            grid_mapping="crs",
        )
    return path


def _name(date: str, ext: str = "tif") -> str:
    return f"c_gls_NDVI300_{date}_GLOBE_OLCI_V2.0.1.{ext}"


@pytest.fixture
def result(tmp_path: Path) -> Path:
    """An extracted result: NDVI GeoTIFFs of three dates on one EPSG:4326 grid, and metadata."""
    folder = tmp_path / "result"
    folder.mkdir()
    for i, stamp in enumerate(DATES):
        _tif(folder / _name(stamp), _dn(i))
    (folder / "c_gls_NDVI300_metadata.xml").write_text("<MD_Metadata/>")
    (folder / "Product_User_Manual.pdf").write_bytes(b"%PDF-1.4\n")
    return folder


def _zip(folder: Path, path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for f in sorted(folder.rglob("*")):
            zf.write(f, f.relative_to(folder).as_posix())
    return path


def _check_ndvi(ds) -> None:
    assert list(ds.data_vars) == ["NDVI", "NDVI_flags"]
    assert ds.NDVI.dims == ("time", "y", "x") and ds.NDVI.dtype == np.float32
    assert ds.NDVI.chunks is not None and ds.NDVI_flags.chunks is not None  # dask, lazy
    want = [datetime.strptime(d, "%Y%m%d%H%M") for d in sorted(DATES)]
    np.testing.assert_array_equal(ds.time.values, np.array(want, "datetime64[ns]"))
    for t, stamp in enumerate(sorted(DATES)):
        dn = _dn(DATES.index(stamp))
        np.testing.assert_allclose(ds.NDVI[t].values, _physical(dn), atol=1e-6)
        np.testing.assert_array_equal(ds.NDVI_flags[t].values, dn)
    assert ds.rio.crs.to_epsg() == 4326 and "spatial_ref" in ds.coords
    assert float(ds.x[0]) == pytest.approx(10.5 + 0.5 / 336)
    assert list(ds.NDVI_flags.attrs["flag_values"]) == [SEA, MISSING]
    assert ds.NDVI_flags.attrs["flag_meanings"] == "sea missing"
    assert ds.NDVI.attrs["ancillary_variables"] == "NDVI_flags"
    assert ds.NDVI.encoding["scale_factor"] == pytest.approx(SCALE)
    assert ds.attrs["source_files"] == sorted(_name(d) for d in DATES)
    assert ds.attrs["ignored_files"] == ["Product_User_Manual.pdf", "c_gls_NDVI300_metadata.xml"]
    assert ds.attrs["grid"] == "EPSG:4326 8x6+10.5+46"


def test_folder_zip_and_list_open_as_one_time_series(result, tmp_path):
    _check_ndvi(open_clms_result(result))
    _check_ndvi(open_clms_result(_zip(result, tmp_path / "4050.zip")))
    files = sorted(result.iterdir())
    ds = open_clms_result([str(p) for p in files])
    _check_ndvi(ds)
    assert ds.attrs["cdse_source"] == "5 files"


def test_zip_members_are_read_in_place(result, tmp_path):
    path = _zip(result, tmp_path / "4050.zip")
    ds = open_clms_result(path, chunks={"time": 2, "x": 4})
    assert ds.NDVI.chunks == ((2, 1), (6,), (4, 4))
    assert ds.attrs["cdse_source"] == str(path)
    assert not (tmp_path / _name(DATES[0])).exists()  # nothing extracted
    np.testing.assert_allclose(ds.NDVI.isel(time=0).values, _physical(_dn(1)), atol=1e-6)
    again = pickle.loads(pickle.dumps(ds))  # as dask workers get it
    np.testing.assert_array_equal(again.NDVI_flags.values, ds.NDVI_flags.values)
    ds.close()


def test_raw_digital_numbers_and_no_dask(result):
    ds = open_clms_result(result, scale=False, chunks=None)
    assert list(ds.data_vars) == ["NDVI"] and ds.NDVI.dtype == np.uint8
    assert ds.NDVI.attrs["scale_factor"] == pytest.approx(SCALE)
    assert ds.NDVI.attrs["_FillValue"] == MISSING
    np.testing.assert_array_equal(ds.NDVI.sel(time="2023-07-21").values, _dn(0))
    one = open_clms_result(result / _name(DATES[0]), chunks=None)  # a single file: no dask
    assert one.NDVI.chunks is None and one.NDVI.dims == ("time", "y", "x")


def test_netcdf_results_stack_and_keep_flags(tmp_path):
    folder = tmp_path / "nc"
    folder.mkdir()
    for i, stamp in enumerate(DATES):
        _nc(folder / _name(stamp, "nc"), _dn(i), day=0)  # the name's date wins over time=0
    ds = open_clms_result(_zip(folder, tmp_path / "nc.zip"))
    assert list(ds.data_vars) == ["NDVI", "NDVI_flags"]
    assert ds.NDVI.dims == ("time", "lat", "lon") and ds.NDVI.chunks is not None
    assert str(ds.time.values[0])[:10] == "2023-07-01" and ds.sizes["time"] == 3
    np.testing.assert_allclose(ds.NDVI[2].values, _physical(_dn(0)), atol=1e-6)
    np.testing.assert_array_equal(ds.NDVI_flags[0].values, _dn(1))
    assert "flag_values" not in ds.NDVI.attrs
    assert ds.rio.crs.to_epsg() == 4326


def test_time_from_tags_or_the_netcdf_time_variable(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
    a = _tif(tmp_path / "a/ndvi.tif", _dn(0), TIFFTAG_DATETIME="2023:07:11 00:00:00")
    b = _tif(tmp_path / "b/ndvi.tif", _dn(1), time_coverage_start="2023-07-01T00:00:00Z")
    ds = open_clms_result([a, b])
    assert list(ds.data_vars) == ["ndvi", "ndvi_flags"]
    np.testing.assert_array_equal(
        ds.time.values, np.array(["2023-07-01", "2023-07-11"], "datetime64[ns]")
    )
    np.testing.assert_array_equal(ds.ndvi_flags[1].values, _dn(0))
    nc = _nc(tmp_path / "ndvi.nc", _dn(2), day=19539)  # 2023-07-01 in the file only
    assert str(open_clms_result(nc).time.values[0])[:10] == "2023-07-01"


LC_CLASSES = (30, 40, 50, 80, 111, 200, 255)
LC_MEANINGS = "herbaceous cultivated urban water forest open_sea no_data"


def test_categorical_layers_keep_their_classes(tmp_path):
    """Land cover: flag_values are the legend, not invalid pixels; only nodata is NaN."""
    classes = np.array([LC_CLASSES[:4], LC_CLASSES[3:]], np.uint8)
    name = "PROBAV_LC100_global_v3.0.1_2019-conso_Discrete-Classification-map_EPSG-3035.tif"
    profile = {"driver": "GTiff", "width": 4, "height": 2, "count": 1, "dtype": "uint8"}
    profile.update(crs="EPSG:3035", transform=from_origin(4_300_000, 2_900_000, 100, 100))
    with rasterio.open(tmp_path / name, "w", nodata=255, **profile) as ds:
        ds.write(classes, 1)
        ds.update_tags(1, flag_values="{" + ", ".join(map(str, LC_CLASSES)) + "}")
        ds.update_tags(1, flag_meanings=LC_MEANINGS, long_name="Land cover class")
    ds = open_clms_result(tmp_path / name)
    (var,) = ds.data_vars
    assert var == "PROBAV_LC100_global_conso_Discrete_Classification_map_EPSG"
    lc = ds[var]
    np.testing.assert_array_equal(lc[0].values, np.where(classes == 255, np.nan, classes))
    assert lc.attrs["flag_meanings"] == LC_MEANINGS and lc.attrs["flag_values"][0] == 30
    assert str(ds.time.values[0])[:10] == "2019-01-01" and ds.rio.crs.to_epsg() == 3035
    raw = open_clms_result(tmp_path / name, scale=False)
    np.testing.assert_array_equal(raw[var][0].values, classes)


def test_a_file_without_date_is_not_stacked(tmp_path):
    _tif(tmp_path / "land_mask.tif", _dn(0))
    ds = open_clms_result(tmp_path / "land_mask.tif")
    assert "time" not in ds.dims and ds.land_mask.dims == ("y", "x")
    # a dated layer and an undated one on the same grid merge side by side
    _tif(tmp_path / _name(DATES[0]), _dn(1))
    both = open_clms_result([tmp_path / "land_mask.tif", tmp_path / _name(DATES[0])])
    assert both.land_mask.dims == ("y", "x") and both.NDVI.dims == ("time", "y", "x")


def test_different_grids_are_an_error_or_grouped(result):
    west = from_origin(4_300_000, 2_900_000, 100, 100)
    for i, stamp in enumerate(DATES):
        _tif(result / _name(stamp).replace("GLOBE", "EU3035"), _dn(i), "EPSG:3035", west)
    with pytest.raises(UnsupportedProduct, match="2 different grids") as err:
        open_clms_result(result)
    message = str(err.value)
    assert "EPSG:4326 8x6+10.5+46: c_gls_NDVI300_202307010000_GLOBE" in message
    assert "EPSG:3035 8x6+4300000+2900000: c_gls_NDVI300_202307010000_EU3035" in message
    assert "group_by_grid=True" in message
    groups = open_clms_result(result, group_by_grid=True)
    assert sorted(groups) == ["EPSG:3035 8x6+4300000+2900000", "EPSG:4326 8x6+10.5+46"]
    lambert = groups["EPSG:3035 8x6+4300000+2900000"]
    assert lambert.rio.crs.to_epsg() == 3035 and lambert.sizes["time"] == 3
    assert lambert.x.attrs["units"] == "metre"
    chunked = open_clms_result(result, group_by_grid=True, chunks={"x": 4, "time": 1})
    assert {ds.NDVI.chunks[2] for ds in chunked.values()} == {(4, 4)}
    with pytest.raises(ValueError, match="no dimension 'band'"):
        open_clms_result(result, group_by_grid=True, chunks={"band": 1})
    np.testing.assert_allclose(lambert.NDVI[0].values, _physical(_dn(1)), atol=1e-6)


def test_damaged_empty_and_ambiguous_results(result, tmp_path):
    good = (result / _name(DATES[0])).read_bytes()
    bad = result / _name("202308010000")
    bad.write_bytes(good[:300])  # cut short
    with pytest.raises(UnsupportedProduct, match=r"202308010000_GLOBE_OLCI_V2\.0\.1\.tif"):
        open_clms_result(result)
    bad.write_bytes(b"")
    with pytest.raises(UnsupportedProduct, match="is empty"):
        open_clms_result(_zip(result, tmp_path / "bad.zip"))
    bad.unlink()
    nc = _nc(tmp_path / _name(DATES[0], "nc"), _dn(0))
    nc.write_bytes(nc.read_bytes()[:600])
    with pytest.raises(UnsupportedProduct, match=f"{nc.name}.*damaged or truncated"):
        open_clms_result(nc)
    metadata = tmp_path / "meta"
    metadata.mkdir()
    (metadata / "readme.pdf").write_bytes(b"%PDF")
    with pytest.raises(UnsupportedProduct, match=r"no GeoTIFF or netCDF.*only readme\.pdf"):
        open_clms_result(metadata)
    # two versions of one date on one grid cannot be told apart
    _tif(result / _name(DATES[0]).replace("V2.0.1", "V2.0.2"), _dn(5))
    with pytest.raises(UnsupportedProduct, match="same date 2023-07-21"):
        open_clms_result(result)
    with pytest.raises(TypeError, match="expected the path"):
        open_clms_result([])


@pytest.mark.parametrize(
    ("name", "variable", "when"),
    [
        ("c_gls_NDVI300_202307010000_GLOBE_OLCI_V2.0.1.tif", "NDVI", datetime(2023, 7, 1)),
        ("c_gls_FAPAR300-RT0_202307100000_GLOBE_OLCI_V1.1.2.nc", "FAPAR", datetime(2023, 7, 10)),
        ("CLMS_CLCPLUS_RASTER_2018_010m_eu_03035_V1_1.tif", "CLMS_CLCPLUS_RASTER_eu", None),
        ("HRL_GRA_20230701_010m_E40N27_03035_v020.tif", "HRL_GRA_E40N27", datetime(2023, 7, 1)),
        ("ndvi_2023-07-01T103021.tif", "ndvi", datetime(2023, 7, 1, 10, 30, 21)),
        ("U2018_CLC2018_V2020_20u1.tif", "U2018_CLC2018_20u1", None),
    ],
)
def test_names_and_dates(name, variable, when):
    assert variable_from_name(name) == variable
    if when is None and "2018" in name.split("_")[3:4]:
        when = datetime(2018, 1, 1)  # the epoch year of land cover
    assert time_from_name(name) == when


def test_dates_in_tags():
    assert time_from_attrs({"TIFFTAG_DATETIME": "2023:07:01 10:30:00"}) == datetime(
        2023, 7, 1, 10, 30
    )
    assert time_from_attrs({"NC_GLOBAL#time_coverage_start": "2023-07-01T00:00:00Z"}) == (
        datetime(2023, 7, 1)
    )
    assert time_from_attrs({"title": "NDVI"}) is None


def test_a_result_zip_of_the_emulator(tmp_path):
    """The land emulator's result of one request: NDVI 300 m in GeoTIFF and in netCDF on
    EPSG:4326 (three dekads each) and LC100 2019 on EPSG:3035, each in its ``NN_<title>/``."""
    results = pytest.importorskip("cdse_intake.emulator.land.results")
    from cdse_intake.emulator.land.datasets import dataset
    from cdse_intake.emulator.land.grids import lonlat, output_grid
    from cdse_intake.emulator.land.source import values
    from cdse_intake.emulator.land.tasks import Task
    from cdse_intake.emulator.land.validate import Cut

    ndvi = dataset("efd6feb1a61debc1459e6b0237ee7be9")  # NDVI 300 m V2 (OLCI), 10-daily
    lc = dataset("a8d945f0edd143a0a5240c28bafa23da")  # LC100 epoch 2019
    bbox, july = (7.40, 45.20, 7.46, 45.24), (date(2023, 7, 1), date(2023, 7, 31))
    cuts = [
        Cut(ndvi, {}, "Geotiff", "EPSG:4326", bbox, *july),
        Cut(lc, {}, "Geotiff", "EPSG:3035", bbox),
        Cut(ndvi, {}, "Netcdf", "EPSG:4326", bbox, *july),
    ]
    path = tmp_path / "4050.zip"
    results.build_zip(Task("1", 4050, "user", cuts, 1.7e9, 0.0, 0.0), path)
    with pytest.raises(UnsupportedProduct, match="3 different grids"):
        open_clms_result(path)
    grids = open_clms_result(path, group_by_grid=True)
    assert len(grids) == 3
    tif, lambert, nc = grids.values()
    grid = output_grid(bbox, "EPSG:4326", ndvi)
    dekads = [date(2023, 7, d) for d in (1, 11, 21)]
    assert list(tif.time.values) == list(np.array(dekads, "datetime64[ns]"))
    for t, when in enumerate(dekads):
        dn = values(ndvi.uid, *lonlat(grid), when)
        np.testing.assert_allclose(tif.NDVI[t].values, _physical(dn), atol=1e-6)
        np.testing.assert_array_equal(nc.NDVI_flags[t].values, dn)
    np.testing.assert_array_equal(tif.NDVI.values, nc.NDVI.values)  # both formats alike
    assert nc.NDVI.dims == ("time", "lat", "lon") and tif.rio.crs.to_epsg() == 4326
    (var,) = lambert.data_vars
    classes = values(lc.uid, *lonlat(output_grid(bbox, "EPSG:3035", lc)))
    np.testing.assert_array_equal(lambert[var][0].values, np.where(classes == 255, np.nan, classes))
    assert str(lambert.time.values[0])[:4] == "2019" and lambert.rio.crs.to_epsg() == 3035
    assert lambert[var].attrs["flag_meanings"].startswith("herbaceous_vegetation")
