"""The emulator's synthetic Earth: land and sea, surface, clouds, radar, atmosphere, speed."""

from __future__ import annotations

import ast
import hashlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from cdse_intake.emulator import scene
from cdse_intake.emulator.scene import climate, clouds, landmask, noise, surface
from cdse_intake.emulator.scene.quicklook import grid

JAN, JUL = "2024-01-17T10:30:00", "2024-07-17T10:30:00"
PACKAGE = Path(scene.__file__).parent


def window(lon: float, lat: float, step_m: float = 10.0, n: int = 366):
    """An n x n grid of ``step_m`` pixels from (lon, lat) to the south-east, like a granule."""
    step = step_m / 111_320.0
    lons = lon + np.arange(n) * step / np.cos(np.radians(lat))
    return np.meshgrid(lons, lat - np.arange(n) * step)


# -- land and sea -----------------------------------------------------------------------------


def test_land_mask_data_is_small_and_says_where_it_comes_from():
    assert landmask.DATA.stat().st_size < 300_000
    with np.load(landmask.DATA) as data:
        assert data["land"].shape == (1800, 3600) and data["land"].dtype == np.uint8
        assert "Natural Earth" in str(data["source"]) and "public domain" in str(data["source"])
    assert "public domain" in (scene.__doc__ or "") and "Natural Earth" in (scene.__doc__ or "")
    tool = PACKAGE.parents[2] / "tools" / "make_landmask.py"
    assert "naturalearth_lowres" in tool.read_text()


@pytest.mark.parametrize(
    ("lon", "lat", "land"),
    [
        (2.35, 48.86, True),  # Paris
        (13.40, 52.52, True),  # Berlin
        (10.0, 23.0, True),  # Sahara
        (-60.0, -3.0, True),  # Amazon
        (-98.0, 39.0, True),  # Kansas
        (-30.0, 30.0, False),  # mid-Atlantic
        (-150.0, 0.0, False),  # mid-Pacific
        (18.0, 35.0, False),  # Ionian Sea
        (5.0, 40.0, False),  # Balearic Sea
        (51.0, 42.0, False),  # Caspian Sea
    ],
)
def test_known_places_are_land_or_sea(lon: float, lat: float, land: bool):
    assert bool(scene.is_land(np.array(lon), np.array(lat))) is land
    assert bool(scene.land_fraction(np.array(lon), np.array(lat)) > 0.5) is land


def test_lisbon_coast_lies_within_a_cell_or_two():
    lon = np.linspace(-10.5, -8.5, 2001)
    land = scene.is_land(lon, np.full(lon.shape, 38.72))
    assert not land[:300].any() and land[-300:].all()  # Atlantic west of -10.2, land east of -8.8
    coast = lon[np.argmax(land)]
    assert -9.7 < coast < -9.0  # Cabo da Roca / Lisbon are at -9.5 .. -9.1


def test_land_fraction_interpolates_the_grid_and_wraps():
    grid_, cell = landmask.land_grid()
    rng = np.random.default_rng(1)
    rows, cols = rng.integers(0, 1800, 500), rng.integers(0, 3600, 500)
    centres = scene.land_fraction(-180 + cell * (cols + 0.5), 90 - cell * (rows + 0.5))
    np.testing.assert_allclose(centres, grid_[rows, cols] / 255, rtol=0, atol=1e-6)
    mid = scene.land_fraction(np.array(-180 + cell * (1234 + 1.0)), np.array(90 - cell * 321.5))
    assert mid == pytest.approx(grid_[321, 1234:1236].mean() / 255, abs=1e-6)
    a, b = scene.land_fraction(np.array([-180.0, 180.0]), np.array([66.0, 66.0]))
    assert a == b


def test_coasts_are_ragged_below_the_grid_and_interiors_untouched():
    lon, lat = window(-9.52, 38.80, 10.0)  # straddles the coast north of Cabo da Roca
    land = scene.is_land(lon, lat)
    smooth = scene.land_fraction(lon, lat) > 0.5
    assert 0.1 < land.mean() < 0.9
    assert (land != smooth).mean() > 0.005  # the noise moves the coast
    # A ragged coast: land begins at many different columns, not along a straight line.
    first = np.argmax(land, axis=1)
    assert len(np.unique(first)) > 30 and np.abs(np.diff(first)).max() > 2
    paris = window(2.2, 48.95)
    assert scene.is_land(*paris).all()


def test_noise_is_pointwise_wraps_and_spreads():
    lon, lat = window(2.2, 48.95, 10.0, 100)
    dense = noise.fbm(lon, lat, 5, 360 / 4096, 8)
    alone = np.array([noise.fbm(lon.flat[i : i + 1], lat.flat[i : i + 1], 5, 360 / 4096, 8)[0]
                      for i in range(0, lon.size, 331)])  # fmt: skip
    np.testing.assert_allclose(dense.ravel()[::331], alone, rtol=0, atol=1e-12)
    edge = noise.fbm(np.array([-180.0, 180.0]), np.array([12.3, 12.3]), 9, 360 / 256, 10)
    assert edge[0] == pytest.approx(edge[1], abs=1e-12)
    wide = noise.fbm(*grid((-20, 20), (-20, 20), 0.1), 3, 360 / 256, 6)
    assert wide.min() >= 0.0 and wide.max() <= 1.0 and wide.std() > 0.05


def test_times_may_be_given_in_any_usual_form():
    from datetime import UTC, date, datetime

    epoch = 1_721_039_400.0  # 2024-07-15T10:30:00Z
    forms = [
        "2024-07-15T10:30:00Z",
        "2024-07-15T10:30:00",
        datetime(2024, 7, 15, 10, 30),
        datetime(2024, 7, 15, 10, 30, tzinfo=UTC),
        np.datetime64("2024-07-15T10:30"),
        epoch,
    ]
    assert {climate.epoch_seconds(f) for f in forms} == {epoch}
    assert climate.epoch_seconds(date(2024, 7, 15)) == epoch - 37_800
    assert climate.utc_hours(epoch) == 10.5 and int(climate.day_of_year(epoch)) in (196, 197)


# -- surface and seasons ----------------------------------------------------------------------


def _class_ndvi(lon_range, lat_range, when, step=0.01):
    lon, lat = grid(lon_range, lat_range, step)
    return scene.surface_class(lon, lat, when), scene.ndvi(lon, lat, when)


def test_classes_follow_the_climate_belts():
    def cls(lon: float, lat: float, when: str = JUL) -> str:
        return scene.CLASSES[int(scene.surface_class(np.array(lon), np.array(lat), when))]

    assert cls(10.0, 23.0) == cls(46.7, 22.0) == cls(133.0, -25.0) == "bare"  # deserts
    for tropics in ((-65.0, -55.0), (-6.0, 0.0)), ((15.0, 25.0), (-3.0, 3.0)):  # Amazon, Congo
        classes = _class_ndvi(*tropics, JUL, 0.05)[0]
        assert (classes == surface.FOREST).mean() > 0.6
    assert cls(-42.0, 73.0) == cls(0.0, -80.0) == "snow"  # ice sheets
    assert cls(100.0, 62.0, JAN) == "snow" and cls(100.0, 62.0) != "snow"  # Siberian winter
    assert cls(-30.0, 30.0) == "water" and cls(2.35, 48.86) == "urban"
    france, _ = _class_ndvi((0.0, 4.0), (46.0, 49.0), JUL, 0.02)
    shares = np.bincount(france.ravel(), minlength=7) / france.size
    assert shares[surface.CROPLAND] > 0.3 and shares[surface.FOREST] > 0.15
    assert shares[surface.BARE] == shares[surface.SNOW] == 0


def test_ndvi_is_plausible_per_class_and_follows_the_seasons():
    c_jan, n_jan = _class_ndvi((0.0, 4.0), (46.0, 49.0), JAN)
    c_jul, n_jul = _class_ndvi((0.0, 4.0), (46.0, 49.0), JUL)
    np.testing.assert_array_equal(c_jan, c_jul)  # France has no snow in this January
    crop, forest = c_jul == surface.CROPLAND, c_jul == surface.FOREST
    assert 0.18 < n_jan[crop].mean() < 0.32 and 0.3 < n_jan[forest].mean() < 0.5
    assert 0.55 < n_jul[crop].mean() < 0.8 and 0.75 < np.percentile(n_jul[crop], 90) < 0.9
    assert 0.75 < n_jul[forest].mean() < 0.9
    assert n_jul.mean() > n_jan.mean() + 0.25
    # The southern hemisphere's seasons are the other way round (the Pampas).
    p_jan = _class_ndvi((-63.0, -59.0), (-37.0, -33.0), JAN)[1]
    p_jul = _class_ndvi((-63.0, -59.0), (-37.0, -33.0), JUL)[1]
    assert p_jul.mean() < p_jan.mean() - 0.15
    # Water, desert, snow and cities.
    lon, lat = np.array([-30.0, 10.0, -42.0, 2.35]), np.array([30.0, 23.0, 73.0, 48.86])
    water, desert, snow, city = scene.ndvi(lon, lat, JUL)
    assert water < 0 and 0.05 < desert < 0.25 and snow < 0.05 and city < 0.45


def test_spectra_have_the_shapes_of_their_materials():
    lon, lat = grid((-10.0, 20.0), (20.0, 50.0), 0.1)
    cls = scene.surface_class(lon, lat, JUL)
    refl = scene.surface_reflectance(scene.BANDS, lon, lat, JUL)
    assert refl.dtype == np.float32 and refl.shape == (13, *lon.shape)
    assert refl.min() >= 0.0 and refl.max() <= 1.0
    b = {name: refl[i] for i, name in enumerate(scene.BANDS)}
    water, forest = cls == surface.WATER, cls == surface.FOREST
    bare = cls == surface.BARE
    assert water.any() and forest.any() and bare.any()
    assert (b["B11"][water] < 0.01).all() and (b["B08"][water] < b["B03"][water]).all()
    assert (b["B08"][forest] > 2.5 * b["B04"][forest]).all()
    assert (b["B12"][bare] > b["B02"][bare]).all() and (b["B04"][bare] > b["B02"][bare]).all()
    snow_lon, snow_lat = grid((-45.0, -35.0), (70.0, 76.0), 0.1)
    snow = scene.surface_reflectance(("B03", "B11"), snow_lon, snow_lat, JUL)
    assert (snow[0] > 0.7).all() and (snow[1] < 0.15).all()
    assert scene.surface_reflectance("b8a", lon[:2, :2], lat[:2, :2], JUL).shape == (2, 2)
    with pytest.raises(ValueError, match="unknown Sentinel-2 band"):
        scene.surface_reflectance("B13", lon, lat, JUL)


# -- clouds and scene classification ----------------------------------------------------------


@pytest.mark.parametrize("cover", [0.0, 0.013, 0.3, 0.5, 0.77, 1.0])
@pytest.mark.parametrize("shape", [(366, 366), (61, 61), (7, 13), (1000,)])
def test_cloud_share_is_the_requested_cover(cover: float, shape: tuple[int, ...]):
    lon, lat = window(2.2, 48.95, 60.0, 366)
    lon, lat = lon.ravel()[: np.prod(shape)].reshape(shape), lat.ravel()[: np.prod(shape)]
    mask = scene.cloud_mask(lon, lat.reshape(shape), JUL, cover)
    assert mask.shape == shape and mask.dtype == bool
    assert abs(int(mask.sum()) - cover * mask.size) <= 1


def test_clouds_are_coherent_and_change_with_the_acquisition():
    lon, lat = window(2.2, 48.95, 60.0)
    mask = scene.cloud_mask(lon, lat, JUL, 0.3)
    inner = mask[1:-1, 1:-1]
    surrounded = inner & mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2] & mask[1:-1, 2:]
    assert surrounded.sum() > 0.85 * inner.sum()  # blobs, not salt and pepper (random: 0.3**4)
    np.testing.assert_array_equal(mask, scene.cloud_mask(lon, lat, JUL, 0.3))
    later = scene.cloud_mask(lon, lat, "2024-07-22T10:30:00", 0.3)
    assert (mask & later).sum() / (mask | later).sum() < 0.6
    tau = scene.cloud_optical_thickness(lon, lat, JUL, 0.3)
    assert (tau[~mask] == 0).all() and (tau[mask] > 0).all() and tau.max() > 20


def test_cloud_shadows_fall_away_from_the_sun():
    lon, lat = window(2.2, 48.95, 60.0)
    mask = scene.cloud_mask(lon, lat, JUL, 0.3)
    shadow = scene.cloud_shadow_mask(lon, lat, JUL, 0.3)
    assert not (shadow & mask).any() and 0.02 < shadow.mean() < 0.4
    # Morning sun in the south-east: the cloud that casts a shadow lies south-east of it.
    east, north = clouds._sun_offset(lon, lat, JUL)
    step = 60.0 / 111_320.0
    down, right = round(-north / step), round(east * np.cos(np.radians(48.9)) / step)
    assert down > 3 and right > 3
    rows, cols = np.nonzero(shadow)
    inside = (rows + down < 366) & (cols + right < 366)
    caster = mask[rows[inside] + down, cols[inside] + right]
    assert caster.mean() > 0.9
    opposite = mask[np.clip(rows - down, 0, 365), np.clip(cols - right, 0, 365)]
    assert opposite.mean() < 0.5
    clear = scene.observed_reflectance("B04", lon, lat, JUL, 0.0)
    seen = scene.observed_reflectance(("B02", "B04", "B11"), lon, lat, JUL, 0.3)
    tau = scene.cloud_optical_thickness(lon, lat, JUL, 0.3)
    thick = tau > 20
    assert (seen[0][thick] > 0.5).all() and (seen[1][thick] > 0.5).all()  # bright, flat
    assert (seen[2][thick] < seen[1][thick]).all()  # clouds are darker in SWIR
    assert (seen[1][shadow] < clear[shadow]).all()
    np.testing.assert_array_equal(seen[1][~mask & ~shadow], clear[~mask & ~shadow])


@pytest.mark.parametrize(("lon", "lat"), [(2.2, 48.95), (-9.52, 38.80), (-42.0, 73.0)])
def test_scl_agrees_with_clouds_shadows_and_the_surface(lon: float, lat: float):
    lon_, lat_ = window(lon, lat, 20.0, 183)
    out = scene.scl(lon_, lat_, JUL, 0.25)
    assert out.dtype == np.uint8 and set(np.unique(out)) <= set(range(12))
    mask = scene.cloud_mask(lon_, lat_, JUL, 0.25)
    np.testing.assert_array_equal(np.isin(out, (8, 9, 10)), mask)
    np.testing.assert_array_equal(out == 3, scene.cloud_shadow_mask(lon_, lat_, JUL, 0.25))
    clear = ~np.isin(out, (3, 8, 9, 10))
    cls = scene.surface_class(lon_, lat_, JUL)
    np.testing.assert_array_equal((out == 6)[clear], (cls == surface.WATER)[clear])
    np.testing.assert_array_equal((out == 11)[clear], (cls == surface.SNOW)[clear])
    vegetation = (out == 4)[clear]
    assert np.isin(cls[clear][vegetation], surface.VEGETATED).all()
    assert (scene.ndvi(lon_, lat_, JUL)[clear][vegetation] > 0.38).all()
    assert not (out == 0).any()
    nodata = scene.scl(np.array([np.nan, 2.3]), np.array([48.9, 48.9]), JUL, 0.0)
    assert nodata[0] == 0 and nodata[1] in (4, 5)


# -- radar, temperature, atmosphere -----------------------------------------------------------


def test_radar_is_dark_over_sea_bright_over_towns_and_seasonal_over_crops():
    lon, lat = grid((-12.0, 8.0), (40.0, 52.0), 0.05)
    land = scene.is_land(lon, lat)
    vv, vh = scene.sigma0_db(lon, lat, JUL, "VV"), scene.sigma0_db(lon, lat, JUL, "VH")
    assert vv.dtype == np.float32 and vv.shape == lon.shape
    assert -27 < vv[~land].mean() < -19 and vv[~land].max() < -15
    assert -15 < np.median(vv[land]) < -5 and vv[land].mean() > vv[~land].mean() + 8
    assert (vv - vh).min() > 5.4 and (vv - vh).max() < 9.1
    cls = scene.surface_class(lon, lat, JUL)
    assert vv[cls == surface.URBAN].mean() > vv[cls == surface.FOREST].mean() + 5
    winter = scene.sigma0_db(lon, lat, JAN, "VV")
    crop = (cls == surface.CROPLAND) & (scene.surface_class(lon, lat, JAN) == surface.CROPLAND)
    forest = (cls == surface.FOREST) & (scene.surface_class(lon, lat, JAN) == surface.FOREST)
    assert vv[crop].mean() > winter[crop].mean() + 1.5
    assert abs(vv[forest].mean() - winter[forest].mean()) < 1.0
    steep = scene.sigma0_db(lon, lat, JUL, "VV", incidence_deg=25.0)
    assert (steep[~land] > vv[~land]).all()
    speckled = scene.sigma0_db(lon, lat, JUL, "VV", looks=4)
    np.testing.assert_array_equal(speckled, scene.sigma0_db(lon, lat, JUL, "VV", looks=4))
    ratio = 10 ** ((speckled - vv) / 10)
    assert 0.9 < ratio.mean() < 1.1 and 0.3 < ratio.std() < 0.7
    with pytest.raises(ValueError, match="polarisation"):
        scene.sigma0_db(lon, lat, JUL, "XX")


def test_land_surface_temperature_follows_latitude_season_and_hour():
    def lst(lon: float, lat: float, when: str) -> float:
        return float(scene.land_surface_temperature(np.array(lon), np.array(lat), when))

    sahara_day, sahara_night = (
        lst(10.0, 23.0, "2024-07-17T12:40"),
        lst(10.0, 23.0, JUL[:11] + "00:40"),
    )
    assert sahara_day > 310 and sahara_day > sahara_night + 15
    assert lst(2.35, 48.86, JUL) > lst(2.35, 48.86, JAN) + 10
    assert lst(-58.0, -34.0, JAN) > lst(-58.0, -34.0, JUL) + 5
    assert lst(-42.0, 73.0, JUL) < 273.2 and lst(-60.0, -3.0, JAN) > 295
    sea = lst(-30.0, 30.0, "2024-07-17T14:00") - lst(-30.0, 30.0, "2024-07-17T02:00")
    assert abs(sea) < 2


def test_no2_is_high_over_cities_on_weekdays_and_co_is_plausible():
    places = {"Paris": (2.35, 48.86), "Po valley": (10.5, 45.1), "Ruhr": (7.1, 51.45),
              "Beijing": (116.4, 39.9)}  # fmt: skip
    lon, lat = np.array([p[0] for p in places.values()]), np.array([p[1] for p in places.values()])
    wednesday, sunday = "2024-01-17T13:30", "2024-01-21T13:30"
    assert scene.atmosphere.weekday(wednesday) == 2 and scene.atmosphere.weekday(sunday) == 6
    remote = scene.no2_column(np.array([-150.0, -30.0]), np.array([0.0, -40.0]), wednesday)
    busy = scene.no2_column(lon, lat, wednesday)
    assert (busy > 4 * remote.max()).all() and (busy > 5e-5).all() and (remote < 3e-5).all()
    assert (scene.no2_column(lon, lat, sunday) < 0.8 * busy).all()
    co = scene.co_column(*grid((-180, 180), (-80, 80), 2.0), "2024-08-20T13:30")
    assert co.min() > 0.015 and co.max() < 0.1
    fire = scene.co_column(np.array(22.0), np.array(-10.0), "2024-08-16T13:30")
    assert fire > scene.co_column(np.array(22.0), np.array(-10.0), "2024-03-16T13:30") + 0.02


# -- determinism, speed, pictures -------------------------------------------------------------

_FINGERPRINT = """
import hashlib, numpy as np
from cdse_intake.emulator import scene
def window(lon, lat, step=20.0 / 111320.0, n=100):
    east = lon + np.arange(n) * step / np.cos(np.radians(lat))
    return np.meshgrid(east, lat - np.arange(n) * step)
digest = hashlib.sha256()
for lon, lat in [(2.2, 48.95), (-9.52, 38.80), (116.3, 40.0)]:
    x, y = window(lon, lat)
    w = "2024-05-03T10:40:00"
    for a in (scene.is_land(x, y), scene.surface_reflectance(scene.BANDS, x, y, w),
              scene.scl(x, y, w, 0.4), scene.observed_reflectance("B02", x, y, w, 0.4),
              scene.sigma0_db(x, y, w, "VH", 38.0, looks=3),
              scene.land_surface_temperature(x, y, w), scene.no2_column(x, y, w),
              scene.co_column(x, y, w)):
        digest.update(np.ascontiguousarray(a).tobytes())
print(digest.hexdigest())
"""


def test_two_processes_see_the_same_earth():
    runs = [
        subprocess.run([sys.executable, "-c", _FINGERPRINT], capture_output=True, text=True,
                       check=True, timeout=120).stdout.strip()
        for _ in range(2)
    ]  # fmt: skip
    namespace: dict[str, object] = {}
    here = _FINGERPRINT.replace("print(digest.hexdigest())", "result = digest.hexdigest()")
    exec(compile(here, "fingerprint", "exec"), namespace)  # noqa: S102 - our own snippet
    assert runs[0] == runs[1] == namespace["result"]
    assert len(runs[0]) == 64


_W = "2024-07-15T10:30:00"
FUNCTIONS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "land_fraction": lambda x, y: scene.land_fraction(x, y),
    "is_land": lambda x, y: scene.is_land(x, y),
    "surface_class": lambda x, y: scene.surface_class(x, y, _W),
    "surface_reflectance": lambda x, y: scene.surface_reflectance("B04", x, y, _W),
    "ndvi": lambda x, y: scene.ndvi(x, y, _W),
    "cloud_mask": lambda x, y: scene.cloud_mask(x, y, _W, 0.3),
    "scl": lambda x, y: scene.scl(x, y, _W, 0.3),
    "sigma0_db": lambda x, y: scene.sigma0_db(x, y, _W, "VV"),
    "land_surface_temperature": lambda x, y: scene.land_surface_temperature(x, y, _W),
    "no2_column": lambda x, y: scene.no2_column(x, y, _W),
    "co_column": lambda x, y: scene.co_column(x, y, _W),
}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_granule_has_a_value_per_pixel(name: str):
    """366 x 366 pixels at 10 m, the same twice. (How long a granule takes is a figure of
    ``benchmarks/emulator_budgets.py``, ``scene_granule_ms``: a timed assertion failed on a busy
    host.)"""
    x, y = window(-9.45, 38.76, 10.0)  # Lisbon: coast, city, fields and sea
    fn = FUNCTIONS[name]
    first, again = np.asarray(fn(x, y)), np.asarray(fn(x, y))
    assert first.shape == x.shape
    np.testing.assert_array_equal(first, again)


def test_quicklooks_look_like_earth(tmp_path: Path):
    europe = scene.render_quicklook((-12.0, 35.0), (34.0, 62.0), JUL, 0.0, step=0.05)
    assert europe.shape == (560, 940, 3) and europe.dtype == np.uint8
    lon, lat = grid((-12.0, 35.0), (34.0, 62.0), 0.05)
    land = scene.is_land(lon, lat)
    sea_rgb, land_rgb = europe[~land].mean(axis=0), europe[land].mean(axis=0)
    assert sea_rgb[2] > sea_rgb[0] and sea_rgb.mean() < 80  # dark blue sea
    assert land_rgb[1] > land_rgb[2] and land_rgb.mean() > sea_rgb.mean() + 30  # green land
    paris = grid((1.9, 2.8), (48.6, 49.1), 0.0012)
    cloudy = scene.render_quicklook((1.9, 2.8), (48.6, 49.1), JUL, 0.3, step=0.0012)
    tau = scene.cloud_optical_thickness(*paris, JUL, 0.3)
    assert cloudy.shape[:2] == paris[0].shape
    assert (cloudy[tau > 20] > 200).all()  # white clouds
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    plt.imsave(tmp_path / "europe.png", europe)
    assert (tmp_path / "europe.png").stat().st_size > 10_000


def test_the_scene_imports_nothing_of_the_client():
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 1 or not (node.module or "").startswith("cdse_intake"), path
            elif isinstance(node, ast.Import):
                assert all(not a.name.startswith("cdse_intake") for a in node.names), path


def test_module_sizes_stay_small():
    for path in PACKAGE.glob("*.py"):
        assert len(path.read_text().splitlines()) <= 300, path
    assert hashlib.sha256(landmask.DATA.read_bytes()).hexdigest()  # readable, not an LFS pointer
