"""The ``gridded`` writer: COP-DEM, global mosaics, CLMS NDVI (nc, V3 COG) and CLCplus, S2GLC,
CEMS GFM and SENTINEL-1-RTC products as folders of COGs (or one netCDF) with the files STAC lists,
real grids and CRSs, the scene's values (sea vs land), built the same every time."""

from __future__ import annotations

import dataclasses
import io
import time

import h5py
import numpy as np
import pytest
import rasterio
from rasterio.io import MemoryFile

from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.products import BUILDERS, geotiff
from cdse_intake.emulator.products._gridded_cog import lonlat_of
from cdse_intake.emulator.products._gridded_dem import dem_grid, elevation
from cdse_intake.emulator.products.gridded import build, writer_of
from cdse_intake.emulator.records.common import mgrs
from cdse_intake.emulator.records.families import writer_family
from cdse_intake.emulator.scene import is_land
from cdse_intake.emulator.stac.layout_generic import generic_files

#: A place on the Atlantic coast west of Lisbon: every product window there holds land and sea.
COAST = (-9.52, 38.75)


def _kind(entry) -> tuple[str, str, str]:
    fmt = entry.name.rsplit("_", 1)[-1] if entry.collection == "CLMS" else ""
    return entry.collection, entry.product_type, fmt


@pytest.fixture(scope="module")
def samples() -> dict[tuple[str, str, str], object]:
    """One record of every gridded kind of the catalogue."""
    found: dict[tuple[str, str, str], object] = {}
    for entry in build_catalogue(seed=2026, scale=0.02, materialise=False):
        if entry.family == "gridded":
            found.setdefault(_kind(entry), entry)
    return found


def _at(entry, lon: float, lat: float):
    """``entry`` moved to ``(lon, lat)`` (its name's tile too, where it has one)."""
    extra = {**entry.extra, "lon": lon, "lat": lat}
    name = entry.name
    if "tile" in extra:
        name = name.replace(extra["tile"], mgrs(lon, lat))
        extra["tile"] = mgrs(lon, lat)
    if entry.collection == "S2GLC":
        name = f"S2GLC_T{mgrs(lon, lat)}_2017"
    if entry.collection == "COP-DEM":
        west, south = int(np.floor(lon)), int(np.floor(lat))
        ns, ew = ("N" if south >= 0 else "S"), ("E" if west >= 0 else "W")
        name = f"{name[:22]}{ns}{abs(south):02d}_00_{ew}{abs(west):03d}_00_DEM"
    return dataclasses.replace(entry, name=name, extra=extra)


def _open(data: bytes):
    memfile = MemoryFile(data)
    return memfile.open()


def test_every_gridded_kind_is_sampled_and_has_the_writer(samples):
    assert "gridded" in BUILDERS and not BUILDERS["gridded"].single_file
    assert set(samples) == {
        ("COP-DEM", "DGE_30-COG", ""),
        ("COP-DEM", "DGE_90-COG", ""),
        ("GLOBAL-MOSAICS", "S1SAR_L3_IW_MCM", ""),
        ("GLOBAL-MOSAICS", "S2MSI_L3__MCQ", ""),
        ("GLOBAL-MOSAICS", "landsat_mosaic", ""),
        ("CLMS", "NDVI300", "nc"),
        ("CLMS", "NDVI300", "cog"),
        ("CLMS", "CLCPLUS_LULUCF", "cog"),
        ("S2GLC", "S2GLC", ""),
        ("CEMS", "GFM", ""),
        ("SENTINEL-1-RTC", "IW_GRDH_RTC", ""),
    }


def test_families_map_the_collections_and_clms_v2_cogs_keep_theirs():
    for collection in ("COP-DEM", "GLOBAL-MOSAICS", "CLMS", "S2GLC", "CEMS", "SENTINEL-1-RTC"):
        assert writer_family(collection) == "gridded"
    clms = [e for e in build_catalogue(seed=2026, scale=0.02, materialise=False)]
    v2_tif = [e for e in clms if e.collection == "CLMS" and e.name.endswith(".tif")]
    assert v2_tif and {e.family for e in v2_tif} == {"clms_geotiff"}


def test_the_files_are_those_the_stac_item_lists(samples):
    for kind, entry in samples.items():
        files = build(entry)
        listed = [path for path, _ in generic_files(entry)]
        if entry.collection in ("S2GLC", "CEMS", "SENTINEL-1-RTC"):
            assert listed == [] and files, kind  # OData only: no STAC layout
        else:
            assert sorted(files) == sorted(listed), kind


def test_the_rasters_are_cloud_optimised_geotiffs(samples):
    for kind, entry in samples.items():
        for path, data in build(entry).items():
            if not path.endswith(".tif"):
                continue
            with _open(data) as ds:
                assert ds.driver == "GTiff" and ds.count == 1, (kind, path)
                assert ds.profile["tiled"] and ds.block_shapes[0][0] in (128, 256), (kind, path)
                assert ds.compression == rasterio.enums.Compression.deflate
                assert ds.overviews(1) == [2, 4]
                assert ds.crs is not None and ds.transform.b == ds.transform.d == 0


def test_crs_by_kind_as_the_real_products(samples):
    expected = {
        "COP-DEM": "EPSG:4326",
        "S1SAR_L3_IW_MCM": "utm",
        "S2MSI_L3__MCQ": "utm",
        "landsat_mosaic": "EPSG:4326",
        "NDVI300": "EPSG:4326",
        "CLCPLUS_LULUCF": "EPSG:3035",
        "S2GLC": "utm",
        "GFM": "EPSG:4326",
        "IW_GRDH_RTC": "utm",
    }
    for kind, entry in samples.items():
        want = expected.get(entry.collection) or expected[entry.product_type]
        for path, data in build(entry).items():
            if path.endswith(".tif"):
                with _open(data) as ds:
                    epsg = ds.crs.to_epsg()
                    zone = int((entry.extra["lon"] + 180) // 6) + 1
                    south = entry.extra["lat"] < 0
                    utm = (32700 if south else 32600) + zone
                    assert f"EPSG:{epsg}" == (f"EPSG:{utm}" if want == "utm" else want), kind


def test_builds_are_deterministic_small_and_quick(samples):
    for kind, entry in samples.items():
        first = build(entry)
        started = time.perf_counter()
        again = build(dataclasses.replace(entry))
        elapsed = time.perf_counter() - started
        assert first == again, kind
        assert sum(map(len, first.values())) < 2_000_000, kind
        assert elapsed < 1.0, (kind, elapsed)


def test_dem_covers_its_tile_with_pixel_centres_on_the_edges(samples):
    for code, rows, cols in (("DGE_30-COG", 360, 360), ("DGE_90-COG", 300, 300)):
        entry = _at(samples[("COP-DEM", code, "")], 8.5, 47.4)
        (data,) = build(entry).values()
        with _open(data) as ds:
            assert ds.shape == (rows, cols) and ds.dtypes[0] == "float32" and ds.nodata is None
            t = ds.transform
            assert t.c == pytest.approx(8 - t.a / 2) and t.f == pytest.approx(48 - t.e / 2)
            assert t.a == pytest.approx(1 / cols) and -t.e == pytest.approx(1 / rows)
            assert ds.tags()["AREA_OR_POINT"] == "Point"
    # high latitudes: columns widen as the real tiles' do
    assert dem_grid("Copernicus_DSM_COG_10_N65_00_E010_00_DEM").width == 180
    assert dem_grid("Copernicus_DSM_COG_30_S86_00_W010_00_DEM").width == 30


def test_dem_is_zero_at_sea_and_above_it_on_land(samples):
    entry = _at(samples[("COP-DEM", "DGE_30-COG", "")], *COAST)
    assert entry.name == "Copernicus_DSM_COG_10_N38_00_W010_00_DEM"
    (data,) = build(entry).values()
    with _open(data) as ds:
        heights = ds.read(1)
    land = is_land(*lonlat_of(dem_grid(entry.name)))
    assert land.any() and (~land).any()
    assert (heights[~land] == 0).all() and (heights[land] > 0).all()
    assert heights.max() < 4000


def test_mosaics_and_rtc_show_low_backscatter_and_dark_water_at_sea(samples):
    for kind in (("GLOBAL-MOSAICS", "S1SAR_L3_IW_MCM", ""), ("SENTINEL-1-RTC", "IW_GRDH_RTC", "")):
        entry = _at(samples[kind], *COAST)
        files = build(entry)
        vv = next(name for name in files if name.endswith("VV.tif"))
        with _open(files[vv]) as ds:
            gamma0 = ds.read(1)
            land = _land_of(ds)
        assert land.any() and (~land).any()
        assert np.median(gamma0[~land]) < np.median(gamma0[land]) / 2, kind
    entry = _at(samples[("GLOBAL-MOSAICS", "S2MSI_L3__MCQ", "")], *COAST)
    files = build(entry)
    with _open(files["B08.tif"]) as ds:
        nir, land = ds.read(1), _land_of(ds)
        assert ds.dtypes[0] == "int16" and ds.nodata == -32768
    assert np.median(nir[~land]) < 1000 < np.median(nir[land])
    assert b'"Name": "Sentinel-2_mosaic_' in files["userdata.json"]


def _land_of(ds) -> np.ndarray:
    from rasterio.warp import transform

    rows, cols = np.mgrid[0 : ds.height, 0 : ds.width]
    x, y = rasterio.transform.xy(ds.transform, rows.ravel(), cols.ravel())
    lon, lat = transform(ds.crs, "EPSG:4326", x, y)
    return is_land(np.asarray(lon), np.asarray(lat)).reshape(ds.shape)


def test_ndvi_netcdf_is_cf_with_the_clms_packing(samples):
    entry = samples[("CLMS", "NDVI300", "nc")]
    (path,) = build(entry)
    assert path == entry.name.removesuffix("_nc") + ".nc"
    with h5py.File(io.BytesIO(build(entry)[path]), "r") as nc:
        assert nc.attrs["Conventions"] == b"CF-1.6" or nc.attrs["Conventions"] == "CF-1.6"
        ndvi = nc["NDVI"]
        assert ndvi.dtype == np.uint8 and ndvi.shape == (1, geotiff.SIZE, geotiff.SIZE)
        assert ndvi.attrs["scale_factor"] == np.float32(0.004)
        assert ndvi.attrs["add_offset"] == np.float32(-0.08)
        assert ndvi.attrs["_FillValue"][0] == 255
        assert list(ndvi.attrs["flag_values"]) == [254, 255]
        assert nc["crs"].attrs["grid_mapping_name"] in (b"latitude_longitude", "latitude_longitude")
        lat, lon = nc["lat"][:], nc["lon"][:]
        # pixel centres on multiples of 1/336 degree, as the V2 GeoTIFF's
        np.testing.assert_allclose((lon * 336) % 1, 0, atol=1e-6)
        np.testing.assert_allclose((lat * 336) % 1, 0, atol=1e-6)
        rows, cols = np.mgrid[0 : geotiff.SIZE : 7, 0 : geotiff.SIZE : 7]
        np.testing.assert_array_equal(
            ndvi[0][::7, ::7], geotiff.expected_dn(entry, rows, cols)
        )  # the same pixels as the CLMS GeoTIFF of that site and dekad


def test_ndvi_v3_cogs_hold_the_same_ndvi_flagged_at_sea(samples):
    entry = samples[("CLMS", "NDVI300", "cog")]
    files = build(entry)
    base = entry.name.removesuffix("_cog")
    with _open(files[f"{base}_NDVI.tif"]) as ds:
        dn = ds.read(1)
        assert ds.scales == (0.004,) and ds.offsets == (-0.08,) and ds.nodata == 255
        assert ds.tags(1)["valid_range"] == "{0, 250}"
    rows, cols = np.mgrid[0 : geotiff.SIZE, 0 : geotiff.SIZE]
    np.testing.assert_array_equal(dn, geotiff.expected_dn(entry, rows, cols))
    with _open(files[f"{base}_QFLAG.tif"]) as ds:
        np.testing.assert_array_equal(ds.read(1) & 1, dn == geotiff.SEA)


def test_gfm_floods_only_low_land_outside_the_exclusion_layer(samples):
    entry = _at(samples[("CEMS", "GFM", "")], *COAST)
    layers = {}
    for path, data in build(entry).items():
        assert path.endswith(f"_{entry.name.split('_')[2]}_{entry.name.split('_')[1]}.tif")
        with _open(data) as ds:
            layers[path.split("_2")[0]] = ds.read(1)
            land = _land_of(ds)
    assert (layers["REFERENCE_WATER_OUT"] == ~land).all()
    assert (layers["ENSEMBLE_FLOOD"][layers["EXCLUSION_LAYER"] == 1] == 255).all()
    flooded = layers["ENSEMBLE_FLOOD"] == 1
    assert flooded.any() and land[flooded].all()
    from cdse_intake.emulator.products._gridded_odata import gfm_grid

    assert (elevation(*lonlat_of(gfm_grid(entry)))[flooded] < 8).all()


def test_land_cover_products_use_their_legends(samples):
    entry = _at(samples[("S2GLC", "S2GLC", "")], *COAST)
    (data,) = build(entry).values()
    with _open(data) as ds:
        codes = set(np.unique(ds.read(1)).tolist())
    legend = {0, 62, 73, 75, 82, 83, 102, 103, 104, 105, 106, 121, 123, 162}
    assert 162 in codes and codes <= legend and len(codes) > 2
    entry = samples[("CLMS", "CLCPLUS_LULUCF", "cog")]
    (data,) = build(entry).values()
    with _open(data) as ds:
        assert ds.crs.to_epsg() == 3035 and ds.transform.a == 100
        assert set(np.unique(ds.read(1)).tolist()) <= {1, 2, 3, 4, 5, 6, 255}


def test_a_record_of_another_family_is_refused(samples):
    entry = dataclasses.replace(samples[("CEMS", "GFM", "")], collection="SMOS")
    with pytest.raises(ValueError, match="not a gridded product"):
        writer_of(entry)
