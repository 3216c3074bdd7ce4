"""Sentinel-1 GRD/SLC and CLMS NDVI products show the synthetic Earth's place: the sea dark in
radar and flagged in NDVI where the scene's land mask has it, land brighter, cross-polarisation
lower, the same place alike from one date to the next, and the seasons in the NDVI."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from cdse_intake.emulator import scene
from cdse_intake.emulator.catalogue import Entry, build_catalogue
from cdse_intake.emulator.products import geotiff, sentinel1, sentinel1_slc
from cdse_intake.emulator.products._clms_pixels import middle
from cdse_intake.readers import geotiff as geotiff_reader
from cdse_intake.readers import open_product
from cdse_intake.readers.source import from_local

LISBON = -9.1  # a coastal site: the Atlantic fills a third of its radar footprints
PARIS, ROME = 2.35, 12.5  # CLMS sites: inland, and by the Tyrrhenian Sea


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return list(build_catalogue(materialise=False))


def at_site(catalogue, product_type: str, lon: float) -> list[Entry]:
    found = [
        e for e in catalogue if e.product_type == product_type and abs(e.extra["lon"] - lon) < 0.01
    ]
    assert found, (product_type, lon)
    return found


def write(files: dict[str, bytes], folder: Path) -> Path:
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    return folder


def db(linear) -> np.ndarray:
    return 10 * np.log10(np.asarray(linear, float))


def grd_sigma0(entry: Entry, tmp_path: Path) -> dict[str, np.ndarray]:
    """The product's VV and VH calibrated by the client reader with its own LUT (dB)."""
    folder = write(sentinel1.build_grd(entry), tmp_path / entry.name)
    tree = open_product(folder, calibration="sigma0")
    return {pol: db(tree[pol].values) for pol in ("VV", "VH")}


def grd_land(entry: Entry) -> np.ndarray:
    lon, lat = sentinel1.geolocation(entry, *np.indices((sentinel1.LINES, sentinel1.SAMPLES)))
    return scene.is_land(lon, lat)


def blocks(image: np.ndarray, k: int = 8) -> np.ndarray:
    """Means of k x k blocks (multi-looking: speckle averaged out)."""
    rows, cols = (n // k * k for n in image.shape)
    return image[:rows, :cols].reshape(rows // k, k, cols // k, k).mean(axis=(1, 3))


# -- Sentinel-1 ---------------------------------------------------------------------------------


def test_grd_sea_is_dark_land_brighter_and_cross_polarisation_lower(catalogue, tmp_path):
    entry = at_site(catalogue, "IW_GRDH_1S", LISBON)[0]
    sigma0 = grd_sigma0(entry, tmp_path)
    land = grd_land(entry)
    assert 0.2 < land.mean() < 0.8  # a coastline crosses the image
    vv, vh = sigma0["VV"], sigma0["VH"]
    sea_vv, land_vv = np.median(vv[~land]), np.median(vv[land])
    assert -27 < sea_vv < -17 and -13 < land_vv < -4
    assert land_vv - sea_vv > 5
    for where in (land, ~land):
        assert 5 < np.median(vv[where]) - np.median(vh[where]) < 10
    # calibrated with the product's LUT, the DN give back the backscatter the writer drew, to
    # the DN's rounding (A sqrt(sigma0) within half a DN)
    lines, pixels = np.indices(vv.shape)
    lut = sentinel1.expected_sigma_nought(lines, pixels)
    drawn = sentinel1.expected_sigma0(entry, "VV", lines, pixels)
    assert np.abs(lut * (10 ** (vv / 20) - 10 ** (drawn / 20))).max() < 0.5 + 1e-3
    assert np.median(np.abs(vv - drawn)) < 0.05


def test_grd_follows_the_scene_backscatter(catalogue):
    entry = at_site(catalogue, "IW_GRDH_1S", LISBON)[0]
    lines, pixels = np.indices((sentinel1.LINES, sentinel1.SAMPLES))
    looked = db(blocks(10 ** (sentinel1.expected_sigma0(entry, "VV", lines, pixels) / 10)))
    centre = blocks(lines.astype(float)), blocks(pixels.astype(float))
    lon, lat = sentinel1.geolocation(entry, *centre)
    incidence = 30.7 + 15.3 * centre[1] / (sentinel1.SAMPLES - 1)
    truth = scene.sigma0_db(lon, lat, entry.start, "VV", incidence)
    assert np.corrcoef(looked.ravel(), truth.ravel())[0, 1] > 0.9
    assert np.median(np.abs(looked - truth)) < 1.0


def test_grd_of_two_dates_correlate_on_land(catalogue, tmp_path):
    descending = [
        e for e in at_site(catalogue, "IW_GRDH_1S", LISBON) if e.extra["direction"] == "DESCENDING"
    ]
    first, second = descending[0], descending[1]
    assert first.footprint == second.footprint and first.start != second.start
    a = grd_sigma0(first, tmp_path)["VV"]
    b = grd_sigma0(second, tmp_path)["VV"]
    assert not np.array_equal(a, b)  # another day: other speckle and sea wind
    land = blocks(grd_land(first).astype(float)) == 1.0
    a, b = blocks(a)[land], blocks(b)[land]
    assert np.corrcoef(a, b)[0, 1] > 0.7
    assert np.corrcoef(a, np.roll(b, 7))[0, 1] < 0.5  # not merely alike everywhere


def test_slc_intensity_follows_the_same_backscatter(catalogue):
    entry = copy.copy(at_site(catalogue, "IW_SLC__1S", LISBON)[0])
    entry.family = "sentinel1_slc"
    sea, land = [], []
    for swath in sentinel1_slc.SWATHS:
        lines, pixels = np.indices(sentinel1_slc.swath_shape(swath))
        dn = sentinel1_slc.expected_dn(entry, swath, "VV", lines, pixels)
        intensity = np.abs(dn) ** 2 / sentinel1_slc.expected_sigma_nought(swath, lines, pixels) ** 2
        lon, lat = sentinel1_slc.geolocation(entry, swath, lines, pixels)
        valid = dn != 0
        on_land = scene.is_land(lon, lat)
        sea.append(intensity[valid & ~on_land])
        land.append(intensity[valid & on_land])
        vh = sentinel1_slc.expected_dn(entry, swath, "VH", lines, pixels)
        assert np.mean(np.abs(vh[valid]) ** 2) < np.mean(np.abs(dn[valid]) ** 2) / 3
    # single-look intensity: exponential, so compare means (the multi-looked sigma0)
    sea_db, land_db = db(np.concatenate(sea).mean()), db(np.concatenate(land).mean())
    assert sea_db < -15 and land_db - sea_db > 5


# -- CLMS NDVI ----------------------------------------------------------------------------------


def clms_ndvi(entry: Entry, tmp_path: Path):
    path = tmp_path / entry.name
    path.write_bytes(geotiff.build_ndvi(entry)[entry.name])
    return geotiff_reader.open(from_local(path), chunks=None)


def dekad(catalogue, lon: float, month: int) -> Entry:
    return next(e for e in at_site(catalogue, "NDVI300", lon) if e.start.month == month)


def test_clms_ndvi_is_plausible_on_land_and_follows_the_seasons(catalogue, tmp_path):
    summer = clms_ndvi(dekad(catalogue, PARIS, 7), tmp_path).NDVI.values
    winter = clms_ndvi(dekad(catalogue, PARIS, 1), tmp_path).NDVI.values
    assert np.isfinite(summer).all() and np.isfinite(winter).all()  # inland, sun up
    for ndvi in (summer, winter):
        low, high = np.percentile(ndvi, [1, 99])
        assert low >= 0.1 and high <= 0.9
    assert np.median(summer) - np.median(winter) > 0.2
    assert np.mean(summer > winter) > 0.9
    assert summer.std() > 0.05  # fields, woods and towns, not one value


def test_clms_sea_is_flagged_where_the_scene_has_sea(catalogue, tmp_path):
    entry = dekad(catalogue, ROME, 7)
    ds = clms_ndvi(entry, tmp_path)
    lon, lat = np.meshgrid(ds.x.values, ds.y.values)
    land = scene.is_land(lon, lat)
    assert 0.1 < land.mean() < 0.9
    np.testing.assert_array_equal(ds.flags.values == geotiff.SEA, ~land)
    assert np.isnan(ds.NDVI.values[~land]).all() and np.isfinite(ds.NDVI.values[land]).all()
    # land pixels: the scene's NDVI at their centres, to the encoding's step
    every = (slice(None, None, 16), slice(None, None, 16))
    truth = scene.ndvi(lon[every], lat[every], middle(entry.start, entry.end))
    got = ds.NDVI.values[every]
    near = np.isfinite(got)
    np.testing.assert_allclose(got[near], truth[near], atol=geotiff.SCALE / 2 + 1e-6)


def test_clms_polar_night_is_missing(catalogue):
    entry = copy.copy(dekad(catalogue, PARIS, 1))
    entry.extra = {**entry.extra, "lon": -21.9, "lat": 64.1}  # Reykjavik in January
    dn = geotiff.expected_dn(entry, *np.indices((geotiff.SIZE, geotiff.SIZE)))
    assert set(np.unique(dn)) == {geotiff.SEA, geotiff.NODATA}
