"""Sentinel-1 GRD cubes: geocoded as a brute-force search of each output pixel's source pixel
says, calibrated as asked, reading only what the grid needs, arguments checked."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from pyproj import Transformer

import cdse_intake
from cdse_intake.errors import UnsupportedProduct

#: 10 x 10 km around the emulator's first site (Paris), inside every GRD footprint there.
BBOX = (2.30, 48.80, 2.44, 48.89)
QUERY = {"collection": "SENTINEL-1", "bbox": BBOX, "start": "2023-01-01", "end": "2023-01-14"}
#: The brute-force reference's tolerance (see test_geocoding_matches_a_brute_force_search).
EXACT_SHARE = 0.99
BOUNDARY = 0.02


@pytest.fixture
def env(cube_env):
    return cube_env


@pytest.fixture(scope="module")
def grds(cube_emulator):
    """Three IW GRDH products of the site, 6 days apart, descending and ascending, with each
    product's image read whole by the reader (sigma0 and its per-pixel lon/lat)."""
    with pytest.MonkeyPatch.context() as mp:
        for key, value in cube_emulator.env().items():
            mp.setenv(key, value)
        products = list(cdse_intake.search(**QUERY, product_type="IW_GRDH_1S"))
        products.sort(key=lambda p: (p.start, p.name))
        assert len(products) == 3
        images = []
        for product in products:
            tree = cdse_intake.open_product(product, remote=True, calibration="sigma0")
            images.append(tree.to_dataset()[["VV", "VH", "longitude", "latitude"]].compute())
    return products, images


def _source_pixels(cube: xr.Dataset, image: xr.Dataset) -> tuple[np.ndarray, ...]:
    """For every pixel centre of ``cube``'s grid, by brute force, the source pixel it falls in:
    the nearest source pixel centre (exhaustive search over the pixels near the grid, distances
    in the grid's CRS from the reader's per-pixel lon/lat), refined to fractional (line, pixel)
    by Newton steps on the local pixel spacing. Returns rounded (line, pixel) and the distance
    of the fractional position to the nearest pixel boundary (in source pixels)."""
    to_grid = Transformer.from_crs("EPSG:4326", str(cube.odc.crs), always_xy=True)
    sx, sy = to_grid.transform(image.longitude.values, image.latitude.values)
    gx, gy = (a.ravel() for a in np.meshgrid(cube.x.values, cube.y.values))
    margin = 3000.0
    near = (
        (sx > gx.min() - margin)
        & (sx < gx.max() + margin)
        & (sy > gy.min() - margin)
        & (sy < gy.max() + margin)
    )
    ii, jj = np.nonzero(near)
    d2 = (gx[:, None] - sx[ii, jj][None, :]) ** 2 + (gy[:, None] - sy[ii, jj][None, :]) ** 2
    best = d2.argmin(axis=1)
    line, pixel = ii[best].astype(float), jj[best].astype(float)
    ny, nx = sx.shape
    for _ in range(3):
        i = np.clip(np.round(line).astype(int), 1, ny - 2)
        j = np.clip(np.round(pixel).astype(int), 1, nx - 2)
        dxdj, dydj = (sx[i, j + 1] - sx[i, j - 1]) / 2, (sy[i, j + 1] - sy[i, j - 1]) / 2
        dxdi, dydi = (sx[i + 1, j] - sx[i - 1, j]) / 2, (sy[i + 1, j] - sy[i - 1, j]) / 2
        ex, ey = gx - sx[i, j], gy - sy[i, j]
        det = dxdj * dydi - dxdi * dydj
        line = i + (dxdj * ey - dydj * ex) / det
        pixel = j + (ex * dydi - ey * dxdi) / det
    rounded_line, rounded_pixel = np.round(line).astype(int), np.round(pixel).astype(int)
    to_edge = 0.5 - np.maximum(abs(line - rounded_line), abs(pixel - rounded_pixel))
    return rounded_line, rounded_pixel, to_edge


def test_geocoding_matches_a_brute_force_search(env, grds):
    """Every pixel of a 10 km, 100 m cube against the brute-force source pixel.

    Tolerance: the emulator's geolocation is bilinear in (line, pixel) on a parallelogram
    footprint, so GDAL's thin-plate spline through the GCPs reproduces it; what remains is
    GDAL's approximate transformer (it interpolates the exact one along each output row). So
    at least 99% of the pixels must be the brute-force pixel's value exactly (measured: 99.6%),
    and every other one must lie within 0.02 source pixel (~10 m; measured < 0.005) of the
    boundary between two source pixels and hold a neighbour's value. Wrong geocodings fail
    (tried by hand): GCPs half a pixel off (at corners, not centres) agree on 24%, one line
    off on 0%, the image flipped along azimuth on 0.02%.
    """
    products, images = grds
    cube = cdse_intake.load(products, bbox=BBOX, resolution=100, groupby=None)
    assert cube.odc.crs == "EPSG:32631"
    assert cube.VV.dtype == np.float32 and cube.sizes["time"] == 3
    values = cube.compute()
    assert list(values["product"].values) == [p.name for p in products]
    assert list(values.time.values) == [im.time.values for im in images]
    for k, image in enumerate(images):
        line, pixel, to_edge = _source_pixels(values, image)
        for pol in ("VV", "VH"):
            got = values[pol][k].values.ravel()
            same = got == image[pol].values[line, pixel]
            assert same.mean() >= EXACT_SHARE, (products[k].name, pol, same.mean())
            assert to_edge[~same].max(initial=0) <= BOUNDARY
            for n in np.nonzero(~same)[0]:
                around = image[pol].values[line[n] - 1 : line[n] + 2, pixel[n] - 1 : pixel[n] + 2]
                assert got[n] in around


def test_calibration_as_asked(env, grds):
    """beta0 / sigma0 is the ratio of the LUTs squared at the pixel; None gives the DN, of
    which sigma0 is DN² / sigmaNought²."""
    products, images = grds
    kwargs = {"bbox": BBOX, "resolution": 100, "groupby": None, "polarisations": "VV"}
    sigma0 = cdse_intake.load(products[:1], **kwargs).compute()
    beta0 = cdse_intake.load(products[:1], calibration="beta0", **kwargs).compute()
    raw = cdse_intake.load(products[:1], calibration=None, **kwargs).compute()
    assert list(sigma0.data_vars) == ["VV"]
    assert sigma0.attrs["calibration"] == "sigma0" and beta0.attrs["calibration"] == "beta0"
    assert sigma0.VV.attrs["polarisation"] == "VV" and sigma0.VV.attrs["units"] == "1"
    assert "linear" in sigma0.VV.attrs["long_name"] and raw.VV.attrs["calibration"] == "none"
    line, pixel, _ = _source_pixels(sigma0, images[0])
    mine = sigma0.VV[0].values.ravel() == images[0].VV.values[line, pixel]
    assert mine.mean() >= EXACT_SHARE
    # the emulator's LUTs: sigmaNought = 700 - 0.25 pixel + 0.01 line, betaNought = 474
    lut = 700.0 - 0.25 * pixel + 0.01 * line
    ratio = (beta0.VV[0].values.ravel() / sigma0.VV[0].values.ravel())[mine]
    np.testing.assert_allclose(ratio, (lut[mine] / 474.0) ** 2, rtol=1e-5)
    dn = raw.VV[0].values.ravel()
    assert raw.VV.dtype == np.float32
    product_dn = cdse_intake.open_product(products[0], remote=True, polarisations="VV").VV
    assert product_dn.dtype == np.uint16
    np.testing.assert_array_equal(dn[mine], product_dn.values[line, pixel][mine])
    np.testing.assert_allclose(
        sigma0.VV[0].values.ravel()[mine], dn[mine] ** 2 / lut[mine] ** 2, rtol=1e-5
    )


def test_default_grid_is_utm_20m_over_the_footprints(env, grds):
    """No grid given: the products' UTM zone, 20 m, the union of their geolocation grids."""
    products, images = grds
    cube = cdse_intake.load(products, groupby=None)
    geobox = cube.odc.geobox
    assert geobox.crs == "EPSG:32631"
    assert geobox.resolution.x == 20 and geobox.resolution.y == -20
    assert list(cube.data_vars) == ["VV", "VH"]
    to_grid = Transformer.from_crs("EPSG:4326", "EPSG:32631", always_xy=True)
    x, y = to_grid.transform(
        np.concatenate([im.longitude.values.ravel() for im in images]),
        np.concatenate([im.latitude.values.ravel() for im in images]),
    )
    # the grid is the points' bounding box in UTM, snapped outwards to whole 20 m pixels
    left, bottom, right, top = geobox.extent.boundingbox.bbox
    assert left <= x.min() < left + 20 and right - 20 < x.max() <= right
    assert bottom <= y.min() < bottom + 20 and top - 20 < y.max() <= top
    assert cube.attrs["title"] == "Sentinel-1 GRD sigma0 cube"
    assert cube.attrs["crs"] == "EPSG:32631"
    assert cube.VV.attrs["standard_name"].startswith("surface_backwards_scattering")


def test_a_cube_reads_only_the_lines_under_its_area(env, grds):
    """A 2 km cube reads a small share of the measurement files (striped: whole lines)."""
    products, _ = grds
    cube = cdse_intake.load(
        products[:1], bbox=(2.34, 48.84, 2.36, 48.86), resolution=100, polarisations="VV"
    )
    env.state.reset_counters()
    cube.compute()
    read = sum(r.bytes_sent for r in env.state.requests() if "measurement" in r.path)
    # one polarisation of a 400 x 500 uint16 GRD is 400 kB (+ 66 kB: GDAL's first read, the
    # header); the window is ~70 lines of 1000 bytes
    assert 0 < read < 200_000, read


def test_an_slc_product_is_refused_by_name(env):
    slc = next(iter(cdse_intake.search(**QUERY, product_type="IW_SLC__1S")))
    with pytest.raises(UnsupportedProduct) as err:
        cdse_intake.load([slc], bbox=BBOX, resolution=100)
    assert slc.name in str(err.value) and "GRD" in str(err.value)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"min_qa": 0.5}, TypeError, "no option 'min_qa'"),
        ({"calibration": "sigma1"}, ValueError, "calibration='sigma1'"),
        ({"polarisations": "XX"}, ValueError, "'XX'"),
        ({"polarisations": "HH"}, ValueError, "no product has HH"),
        ({"polarisations": "VV", "variables": "VV"}, ValueError, "give one"),
    ],
)
def test_bad_options_are_named(env, grds, kwargs, error, message):
    products, _ = grds
    with pytest.raises(error) as err:
        cdse_intake.load(products[:1], bbox=BBOX, resolution=100, **kwargs)
    assert message in str(err.value)
