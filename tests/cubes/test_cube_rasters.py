"""Gridded raster products (CLMS NDVI, netCDF and GeoTIFF) as cubes: the files' own pixels on
their own grid, warped like rioxarray's on another."""

from __future__ import annotations

import numpy as np
import pytest

import cdse_intake

#: Within the emulator's first CLMS NDVI 300 m window (each product of a global dataset holds a
#: 512 x 512 window of its own somewhere on Earth)
BBOX = (-7.0, 52.6, -6.5, 53.0)
QUERY = {"collection": "CLMS", "bbox": (2.30, 48.80, 2.42, 48.90), "start": "2023-01-01"}


@pytest.fixture
def netcdf(cube_env):
    """CLMS NDVI 300 m products: the netCDF global one, then two GeoTIFF tiles."""
    found = list(cdse_intake.search(collection="CLMS", start="2023-01-01", end="2023-02-01"))
    nc = [p for p in found if p.name.endswith("_nc") and "_V2.0" in p.name]
    tif = [p for p in found if p.name.endswith(".tif") and "NDVI300" in p.name]
    assert nc and len(tif) >= 2
    return nc[:1] + tif[:2]


def test_a_clms_ndvi_cube_holds_each_files_pixels(netcdf):
    """On the product's own grid (its CRS, pixel size and pixel edges: CLMS centres its pixels on
    multiples of 1/336 degree) the cube holds the file's values and coordinates."""
    for product in netcdf[:3]:
        cube = cdse_intake.load([product], variables=["NDVI"])
        assert cube.odc.crs == "EPSG:4326"
        assert cube.NDVI.dims == ("time", "latitude", "longitude")
        assert "crs" not in cube.coords
        one = cdse_intake.open_product(product, remote=True).NDVI
        one = one.isel(time=0) if "time" in one.dims else one
        ydim, xdim = one.dims
        np.testing.assert_allclose(cube.latitude.values, one[ydim].values, rtol=0, atol=1e-9)
        np.testing.assert_allclose(cube.longitude.values, one[xdim].values, rtol=0, atol=1e-9)
        np.testing.assert_array_equal(cube.NDVI[0].values, one.values)
        if "time" in one.coords:
            assert cube["time"].values[0] == one["time"].values
        assert np.isfinite(cube.NDVI[0].values).mean() > 0.5


def test_a_reprojected_clms_cube_equals_rioxarrays_warp(netcdf):
    cube = cdse_intake.load(
        netcdf[:1], variables=["NDVI"], bbox=BBOX, crs="EPSG:3035", resolution=500
    ).compute()
    geobox = cube.odc.geobox
    one = cdse_intake.open_product(netcdf[0], remote=True).NDVI.isel(time=0)
    one = one.rio.write_crs("EPSG:4326").rio.set_spatial_dims("lon", "lat")
    warped = one.rio.reproject(
        "EPSG:3035", shape=geobox.shape.yx, transform=geobox.transform, nodata=np.nan
    )
    got, want = cube.NDVI[0].values, warped.values
    both = np.isfinite(got) & np.isfinite(want)
    assert both.sum() > 0.9 * np.isfinite(want).sum() > 0
    assert (got[both] == want[both]).mean() > 0.995


def test_geotiff_tiles_keep_their_flags_as_integers(cube_env):
    found = cdse_intake.search(**QUERY, end="2023-02-01")
    tiles = [p for p in found if p.name.endswith(".tif")]
    assert tiles
    cube = cdse_intake.load(tiles, bbox=BBOX)
    assert {"NDVI", "flags"} <= set(cube.data_vars)
    assert cube.flags.dtype == np.uint8 and cube.NDVI.dtype == np.float32


def test_a_grid_over_far_apart_products_without_bbox_is_refused_by_size():
    """Products on other continents (or one global product) at 300 m: billions of pixels."""
    from odc.geo.geobox import GeoBox

    from cdse_intake.config import resolve
    from cdse_intake.cubes.grid import target_geobox
    from cdse_intake.cubes.request import CubeRequest

    res = 1 / 336
    boxes = [
        GeoBox.from_bbox((-7.0, 52.6, -5.5, 54.0), "EPSG:4326", resolution=res),
        GeoBox.from_bbox((139.0, 35.0, 140.5, 36.5), "EPSG:4326", resolution=res),
        GeoBox.from_bbox((150.5, -34.5, 152.0, -33.0), "EPSG:4326", resolution=res),
    ]
    request = CubeRequest.make(resolve())
    with pytest.raises(ValueError, match="give bbox="):
        target_geobox(request, boxes, native_resolution=res, default_crs=boxes[0].crs)
    bounded = CubeRequest.make(resolve(), bbox=(-7.0, 52.6, -6.5, 53.0))
    assert target_geobox(bounded, boxes, native_resolution=res, default_crs=boxes[0].crs)


def test_an_unknown_variable_is_named(netcdf):
    with pytest.raises(ValueError, match="'EVI' is not a 2-D variable of c_gls_NDVI300"):
        cdse_intake.load(netcdf, variables=["EVI"], bbox=BBOX)
