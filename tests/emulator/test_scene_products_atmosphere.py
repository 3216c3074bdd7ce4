"""The Sentinel-3 and Sentinel-5P writers show the synthetic Earth: OLCI radiances with land and
sea where the land mask puts them, land surface temperature over land only and with the
seasons, SYNERGY surface reflectance that is the scene's (as Sentinel-2 sees it), clouds at the
record's ``cloudCover``, NO2 plumes over cities and plausible CO columns. Values are read from
the built files and compared with the writers' ``expected_*`` oracles."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest

from cdse_intake.emulator import scene
from cdse_intake.emulator.catalogue import Entry, build_catalogue
from cdse_intake.emulator.products import sentinel3, sentinel3_slstr, sentinel3_syn, sentinel5p
from cdse_intake.emulator.scene import places

xr = pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")

LISBON, PARIS = (-9.1, 38.7), (2.35, 48.85)


@pytest.fixture(scope="module")
def entries() -> dict[str, list[Entry]]:
    by_type: dict[str, list[Entry]] = {}
    for entry in build_catalogue(materialise=False).entries:
        by_type.setdefault(entry.product_type, []).append(entry)
    return by_type


def at_site(entries: list[Entry], site: tuple[float, float]) -> list[Entry]:
    return [e for e in entries if (e.extra.get("lon"), e.extra.get("lat")) == site]


def open_nc(data: bytes, **kwargs: Any) -> Any:
    return xr.open_dataset(io.BytesIO(data), engine="h5netcdf", **kwargs)


# -- Sentinel-3 ----------------------------------------------------------------------------------


def test_olci_shows_land_and_sea_where_the_land_mask_puts_them(entries):
    """Over the coast at Lisbon, land is brighter than the sea in the near infrared and has the
    higher NDVI; the radiances are the oracle's counts times the declared scale factors."""
    entry = next(
        e for e in at_site(entries["OL_1_EFR___"], LISBON) if e.attribute("cloudCover") < 30
    )
    files = sentinel3.build_efr(entry)
    rows, cols = np.indices((sentinel3.ROWS, sentinel3.COLUMNS))
    radiance = {}
    for band in ("Oa08", "Oa17"):
        with open_nc(files[f"{band}_radiance.nc"]) as ds:
            var = ds[f"{band}_radiance"]
            scale = var.encoding["scale_factor"]
            counts = sentinel3.expected_dn(entry, band, rows, cols)
            np.testing.assert_allclose(var.values, counts * scale, rtol=1e-6)
            radiance[band] = var.values.astype(np.float64)
    with open_nc(files["qualityFlags.nc"], mask_and_scale=False) as ds:
        flags = ds.quality_flags.values
    np.testing.assert_array_equal(flags, sentinel3.expected_flags(entry, rows, cols))
    lon, lat = sentinel3.geolocation(entry, rows, cols)
    land = scene.is_land(lon, lat)
    assert 0.2 < land.mean() < 0.8  # a coastal scene
    np.testing.assert_array_equal((flags >> 31) & 1 == 1, land)
    clear = (flags >> 27) & 1 == 0  # not flagged bright (clouds, snow)
    # reflectance = pi L / (E0 cos(SZA)) with the flux and angles the product declares
    sun = np.cos(np.radians(40 + 0.05 * rows))
    red, nir = (
        np.pi * radiance[b] / (sentinel3.SOLAR_FLUX[int(b[2:]) - 1] * sun) for b in ("Oa08", "Oa17")
    )
    np.testing.assert_allclose(nir, sentinel3.toa_reflectance(entry)[16], rtol=0, atol=2e-4)
    ndvi = (nir - red) / (nir + red)
    on_land, at_sea = land & clear, ~land & clear
    assert np.median(nir[on_land]) > 3 * np.median(nir[at_sea])
    assert np.median(ndvi[on_land]) > 0.1 > 0 > np.median(ndvi[at_sea])
    # the sea is dark in the near infrared, brighter in the blue (Rayleigh scattering)
    assert np.median(nir[at_sea]) < 0.05


def test_lst_over_land_only_warmer_in_summer(entries):
    products = at_site(entries["SL_2_LST___"], PARIS)
    rows, cols = np.indices((sentinel3_slstr.ROWS, sentinel3_slstr.COLUMNS))
    means = {}
    for month in (1, 7):
        entry = next(
            e for e in products if e.start.month == month and e.attribute("cloudCover") < 60
        )
        with open_nc(sentinel3_slstr.build_lst(entry)["LST_in.nc"]) as ds:
            lst = ds.LST.values
        np.testing.assert_allclose(lst, sentinel3_slstr.expected_lst(entry, rows, cols), rtol=1e-6)
        land = sentinel3_slstr.is_land(entry, rows, cols)
        cloudy = sentinel3_slstr.is_cloudy(entry, rows, cols)
        assert 0.3 < land.mean() < 0.95
        assert np.isnan(lst[~land]).all() and np.isnan(lst[cloudy]).all()
        seen = lst[land & ~cloudy]
        assert seen.size and not np.isnan(seen).any()
        assert seen.min() >= 250 and seen.max() <= 330
        means[month] = seen.mean()
    assert means[7] > means[1] + 5


def test_clouds_cover_the_records_share(entries):
    for product_type, module in (("SL_2_LST___", sentinel3_slstr), ("SY_2_SYN___", sentinel3_syn)):
        entry = entries[product_type][3]
        rows, cols = np.indices((module.ROWS, module.COLUMNS))
        cloudy = module.is_cloudy(entry, rows, cols)
        assert cloudy.sum() == round(entry.attribute("cloudCover") / 100 * cloudy.size)


def test_syn_sees_the_surface_sentinel2_sees(entries):
    """SDR at 665 nm (Oa08) is the scene's reflectance in Sentinel-2's B04 (665 nm) at the same
    place and time, over clear land; fill over the sea and under the clouds."""
    entry = next(
        e for e in at_site(entries["SY_2_SYN___"], LISBON) if e.attribute("cloudCover") < 40
    )
    files = sentinel3_syn.build_syn(entry)
    rows, cols = np.indices((sentinel3_syn.ROWS, sentinel3_syn.COLUMNS))
    with open_nc(files["Syn_Oa08_reflectance.nc"]) as ds:
        sdr = ds.SDR_Oa08.values
    np.testing.assert_allclose(
        sdr, sentinel3_syn.expected_sdr(entry, "Oa08", rows, cols), rtol=1e-6
    )
    seen = sentinel3_syn.is_land(entry, rows, cols) & ~sentinel3_syn.is_cloudy(entry, rows, cols)
    assert seen.mean() > 0.2 and np.isnan(sdr[~seen]).all()
    lon, lat = sentinel3_syn.geolocation(entry, rows, cols)
    b04 = scene.surface_reflectance("B04", lon, lat, entry.start)
    np.testing.assert_allclose(sdr[seen], b04[seen], atol=6e-5)


# -- Sentinel-5P ---------------------------------------------------------------------------------


def _over_a_city(products: list[Entry]) -> tuple[Entry, int, tuple[int, int]]:
    """The first product with a pixel centre within 30 km of a big NO2 source."""
    big = [k for k, p in enumerate(places.PLACES) if p[4] >= 1.0 and p[3] > 0]
    s, g = np.indices((sentinel5p.SCANLINES, sentinel5p.GROUND_PIXELS))
    for entry in products:
        for k in big:
            lon0 = places.PLACES[k][1]
            if abs((entry.extra["lon"] - lon0 + 180) % 360 - 180) > 8:
                continue
            lon, lat = sentinel5p.geolocation(entry, s, g)
            distance = places.distances_km(lon, lat, k)
            if distance.min() < 30:
                return entry, k, np.unravel_index(np.argmin(distance), distance.shape)
    raise AssertionError("no NO2 product passes over a big city")


def test_no2_is_higher_over_a_city_than_over_the_open_ocean(entries):
    entry, city, pixel = _over_a_city(entries["L2__NO2___"])
    data = sentinel5p.build_l2(entry)[entry.name]
    s, g = np.indices((sentinel5p.SCANLINES, sentinel5p.GROUND_PIXELS))
    with xr.open_dataset(io.BytesIO(data), engine="h5netcdf", group="PRODUCT") as ds:
        no2 = ds.nitrogendioxide_tropospheric_column.values[0]
        qa = ds.qa_value.values[0]
        assert ds.nitrogendioxide_tropospheric_column.attrs["units"] == "mol m-2"
    np.testing.assert_array_equal(no2, sentinel5p.expected_no2(entry, s, g))
    np.testing.assert_allclose(qa, sentinel5p.expected_qa(entry, s, g) * 0.01, atol=1e-6)
    lon, lat = sentinel5p.geolocation(entry, s, g)
    ocean = (scene.land_fraction(lon, lat) == 0) & ~np.isnan(no2)
    assert ocean.sum() > 100
    assert no2[pixel] > 2 * np.median(no2[ocean]), places.PLACES[city][0]
    assert np.nanmin(no2) > 5e-6 and np.nanmax(no2) < 1e-3
    # qa_value follows the clouds, in the real products' steps; 0 where nothing was retrieved
    assert set(np.unique(sentinel5p.expected_qa(entry, s, g))) <= {0, 40, 50, 75, 100}
    np.testing.assert_array_equal(np.isnan(no2), sentinel5p.expected_qa(entry, s, g) == 0)


def test_co_columns_are_plausible(entries):
    s, g = np.indices((sentinel5p.SCANLINES, sentinel5p.CO_GROUND_PIXELS))
    for entry in entries["L2__CO____"][::2500]:
        data = sentinel5p.build_l2(entry)[entry.name]
        with xr.open_dataset(io.BytesIO(data), engine="h5netcdf", group="PRODUCT") as ds:
            co = ds.carbonmonoxide_total_column.values[0]
        np.testing.assert_array_equal(co, sentinel5p.expected_co(entry, s, g))
        assert np.nanmin(co) > 0.01 and np.nanmax(co) < 0.1
        _, lat = sentinel5p.geolocation(entry, s, g)
        north, south = co[lat > 30], co[lat < -30]
        assert np.nanmean(north) > np.nanmean(south)  # the northern hemisphere emits more
