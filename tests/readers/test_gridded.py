"""Gridded reader: every kind of the ``gridded`` writer opens as one lazy Dataset, variables
named after their files, x/y (or lat/lon) coordinates and CRS right, CF packing decoded, the
values the writer put there; zips named as CDSE downloads them (no ``.zip``) and folders alike."""

from __future__ import annotations

import dataclasses
import pickle
import zipfile

import dask.array as da
import numpy as np
import pytest

from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.products import geotiff as ndvi_writer
from cdse_intake.emulator.products._gridded_cog import lonlat_of
from cdse_intake.emulator.products._gridded_dem import dem_grid, elevation
from cdse_intake.emulator.products.gridded import build
from cdse_intake.readers import gridded, open_product
from cdse_intake.readers.families import detect
from cdse_intake.readers.source import from_local


@pytest.fixture(scope="module")
def samples() -> dict[tuple[str, str, str], object]:
    found: dict[tuple[str, str, str], object] = {}
    for entry in build_catalogue(seed=2026, scale=0.02, materialise=False):
        if entry.family == "gridded":
            fmt = entry.name.rsplit("_", 1)[-1] if entry.collection == "CLMS" else ""
            found.setdefault((entry.collection, entry.product_type, fmt), entry)
    return found


def _zip(entry, directory, suffix: str = "") -> str:
    """The product as CDSE's ``$value`` zip (top folder ``<Name>/``), saved as the client does:
    named after the product, without ``.zip``."""
    path = directory / f"{entry.name}{suffix}"
    with zipfile.ZipFile(path, "w") as zf:
        for rel, data in sorted(build(entry).items()):
            zf.writestr(f"{entry.name}/{rel}", data)
    return str(path)


def _folder(entry, directory) -> str:
    root = directory / "unzipped" / entry.name
    root.mkdir(parents=True)
    for rel, data in build(entry).items():
        (root / rel).write_bytes(data)
    return str(root)


EXPECTED_VARIABLES = {
    ("COP-DEM", "DGE_30-COG", ""): ["elevation"],
    ("COP-DEM", "DGE_90-COG", ""): ["elevation"],
    ("GLOBAL-MOSAICS", "S1SAR_L3_IW_MCM", ""): ["VH", "VV"],
    ("GLOBAL-MOSAICS", "S2MSI_L3__MCQ", ""): ["B02", "B03", "B04", "B08", "observations"],
    ("GLOBAL-MOSAICS", "landsat_mosaic", ""): [
        "B01",
        "B02",
        "B03",
        "B04",
        "B05",
        "B06",
        "B07",
        "clear_sky_mask",
    ],
    ("CLMS", "NDVI300", "nc"): ["NDVI", "NDVI_unc", "NOBS", "QFLAG"],
    ("CLMS", "NDVI300", "cog"): ["NDVI", "NOBS", "QFLAG", "UNC"],
    ("CLMS", "CLCPLUS_LULUCF", "cog"): ["lulucf"],
    ("S2GLC", "S2GLC", ""): ["land_cover"],
    ("CEMS", "GFM", ""): [
        "ADVISORY_FLAGS",
        "ENSEMBLE_FLOOD",
        "ENSEMBLE_LIKELIHOOD",
        "ENSEMBLE_OBSWATER",
        "EXCLUSION_LAYER",
        "REFERENCE_WATER_OUT",
    ],
    ("SENTINEL-1-RTC", "IW_GRDH_RTC", ""): ["VH", "VV"],
}


def test_every_kind_opens_with_its_variables_and_crs(samples, tmp_path):
    assert set(samples) == set(EXPECTED_VARIABLES)
    for kind, entry in samples.items():
        path = _zip(entry, tmp_path)
        source = from_local(path)
        assert detect(source).key == "gridded", kind
        ds = open_product(path, chunks=None)
        try:
            assert sorted(ds.data_vars) == EXPECTED_VARIABLES[kind], kind
            assert ds.attrs["cdse_family"] == "gridded"
            if kind[2] == "nc":
                assert dict(ds.sizes) == {"time": 1, "lat": 512, "lon": 512}
                assert ds.crs.attrs["grid_mapping_name"] == "latitude_longitude"
            else:
                assert set(ds.dims) == {"y", "x"}, kind
                assert ds.rio.crs is not None and ds.rio.crs.to_epsg() is not None
            values = next(iter(ds.data_vars.values())).values
            assert np.isfinite(values).any(), kind
        finally:
            ds.close()


def test_dem_heights_and_grid_are_the_tiles(samples, tmp_path):
    entry = samples[("COP-DEM", "DGE_90-COG", "")]
    ds = open_product(_zip(entry, tmp_path), chunks=None)
    grid = dem_grid(entry.name)
    np.testing.assert_allclose(ds.elevation.values, np.round(elevation(*lonlat_of(grid)), 2))
    assert ds.x.attrs["standard_name"] == "longitude" and ds.rio.crs.to_epsg() == 4326
    # pixel centres on the tile's edges: the first column on the western edge
    assert float(ds.x[0]) == pytest.approx(4.0) and float(ds.y[0]) == pytest.approx(53.0)
    assert "time" not in ds.coords  # the DEM has no period


def test_clms_cog_and_netcdf_decode_flags_and_packing(samples, tmp_path):
    entry = samples[("CLMS", "NDVI300", "cog")]
    ds = open_product(_zip(entry, tmp_path), chunks=None)
    rows, cols = np.mgrid[0:512, 0:512]
    dn = ndvi_writer.expected_dn(entry, rows, cols)
    want = np.where(dn > 250, np.nan, dn * 0.004 - 0.08)
    np.testing.assert_allclose(ds.NDVI.values, want, atol=1e-6)
    assert ds.time.values == np.datetime64("2024-03-11")
    raw = gridded.open(from_local(_folder(entry, tmp_path)), scale=False, chunks=None)
    np.testing.assert_array_equal(raw.NDVI.values, dn)
    assert raw.NDVI.attrs["scale_factor"] == pytest.approx(0.004)

    entry = samples[("CLMS", "NDVI300", "nc")]
    ds = open_product(_zip(entry, tmp_path), chunks=None)
    dn = ndvi_writer.expected_dn(entry, rows, cols)
    want = np.where(dn > 250, np.nan, np.float32(dn) * np.float32(0.004) + np.float32(-0.08))
    np.testing.assert_allclose(ds.NDVI.isel(time=0).values, want, atol=1e-6)
    assert ds.NDVI.dtype == np.float32 and ds.lat.attrs["units"] == "degrees_north"
    west, north = ndvi_writer.window_origin(entry.extra["lon"], entry.extra["lat"])
    assert float(ds.lon[0]) == pytest.approx(west + ndvi_writer.PIXEL / 2)
    assert float(ds.lat[0]) == pytest.approx(north - ndvi_writer.PIXEL / 2)


def test_mosaic_time_and_utm_grid(samples, tmp_path):
    entry = samples[("GLOBAL-MOSAICS", "S2MSI_L3__MCQ", "")]
    ds = open_product(_zip(entry, tmp_path), chunks=None)
    assert ds.time.values == np.datetime64("2023-07-01")
    assert ds.rio.crs.to_epsg() == 32748 and ds.rio.resolution() == (10.0, -10.0)
    assert ds.x.attrs["standard_name"] == "projection_x_coordinate"
    assert ds.B04.dtype == np.float32 and float(ds.B04.max()) < 10000  # x10000 reflectance
    entry = samples[("SENTINEL-1-RTC", "IW_GRDH_RTC", "")]
    ds = open_product(_zip(entry, tmp_path), chunks=None)
    assert str(ds.time.values).startswith("2023-04-23T21:07:15")
    assert 0 < float(ds.VV.median()) < 1  # gamma0, linear power


def test_lazy_with_dask_chunks_and_picklable(samples, tmp_path):
    entry = samples[("GLOBAL-MOSAICS", "landsat_mosaic", "")]
    ds = open_product(_zip(entry, tmp_path), chunks="auto")
    assert isinstance(ds.B01.data, da.Array)
    again = pickle.loads(pickle.dumps(ds))
    np.testing.assert_array_equal(again.B01.values, ds.B01.values)
    lazy = open_product(_folder(entry, tmp_path), chunks=None)
    assert not isinstance(lazy.B01.variable._data, np.ndarray)  # nothing read yet
    np.testing.assert_array_equal(lazy.B01.values, ds.B01.values)


def test_names_pick_the_gridded_reader_and_rtc_is_not_a_safe(samples, tmp_path):
    rtc = samples[("SENTINEL-1-RTC", "IW_GRDH_RTC", "")]
    assert detect(from_local(_zip(rtc, tmp_path))).key == "gridded"
    grd = dataclasses.replace(rtc, name=rtc.name.removesuffix("_RTC"))
    with zipfile.ZipFile(tmp_path / "grd.zip", "w") as zf:
        zf.writestr(f"{grd.name}.SAFE/manifest.safe", b"<x/>")
    assert detect(from_local(tmp_path / "grd.zip")).key == "sentinel-1"


def test_variable_names_and_times_from_file_names():
    assert gridded.variable_name("B04.tif", "Sentinel-2_mosaic_2023_Q3_48MUU_0_0") == "B04"
    name = "c_gls_NDVI300_202403110000_GLOBE_OLCI_V3.0.1_cog"
    assert gridded.variable_name(f"{name[:-4]}_NDVI.tif", name) == "NDVI"
    assert gridded.variable_name("ENSEMBLE_FLOOD_20230522T100248_E310N120.tif", "GFM_x") == (
        "ENSEMBLE_FLOOD"
    )
    assert gridded.product_time("Sentinel-1_IW_mosaic_2024_M11_55HKT_0_0").month == 11
    assert gridded.product_time("Landsat_mosaic_2023_03-04_52N004E_V1.0.1").month == 3
    assert gridded.product_time("S2GLC_T32VFS_2017").year == 2017
    assert gridded.product_time("Copernicus_DSM_COG_10_N47_00_E008_00_DEM") is None


def test_bad_input_gets_a_clear_error(samples, tmp_path):
    entry = samples[("S2GLC", "S2GLC", "")]
    with pytest.raises(ValueError, match="mask_and_scale='yes'"):
        gridded.open(from_local(_zip(entry, tmp_path)), mask_and_scale="yes")
    empty = tmp_path / "S2GLC_T32VFS_2016"
    empty.mkdir()
    (empty / "readme.txt").write_text("nothing")
    from cdse_intake.errors import UnsupportedProduct

    with pytest.raises(UnsupportedProduct, match="no GeoTIFF or netCDF"):
        gridded.open(from_local(empty))
