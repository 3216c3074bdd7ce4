"""Sentinel-2 products show the synthetic Earth: land and sea where the land mask says, vegetation
with a plausible NDVI, clouds for exactly the record's cloud cover (in the bands and the SCL
alike, and in the L1C and L2A of one datatake), the same place on every date, with the seasons.

Every check decodes the files the writer built (JPEG 2000, through rasterio)."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from cdse_intake.emulator import scene
from cdse_intake.emulator.catalogue import Entry, build_catalogue
from cdse_intake.emulator.products import sentinel2
from cdse_intake.emulator.products._s2_pixels import PATH, TRANSMITTANCE
from cdse_intake.emulator.products._s2_window import COAST_REACH_KM, granule_centre, lonlat
from cdse_intake.emulator.records.common import SITES

rasterio = pytest.importorskip("rasterio")

WELLINGTON, PARIS = SITES.index((174.8, -41.3)), 0
CLOUDS = (8, 9, 10)  # SCL: cloud medium and high probability, thin cirrus


@pytest.fixture(scope="module")
def l2a() -> list[Entry]:
    return [e for e in build_catalogue().entries if e.family == "sentinel2_l2a"]


def at_site(entries: list[Entry], site: int) -> list[Entry]:
    lon, lat = SITES[site]
    return [e for e in entries if (e.extra["lon"], e.extra["lat"]) == (lon, lat)]


def partly_cloudy(entries: list[Entry], site: int, month: str) -> Entry:
    """The first product of ``site`` in ``month`` (YYYY-MM) with 10-60 % cloud cover."""
    return next(
        e
        for e in at_site(entries, site)
        if f"{e.start:%Y-%m}" == month and 10 <= e.attribute("cloudCover") <= 60
    )


def decode(files: dict[str, bytes], suffix: str) -> np.ndarray:
    """The pixels of the one image whose path ends with ``suffix`` (first band, or all of TCI)."""
    (path,) = [p for p in files if p.endswith(suffix)]
    with rasterio.MemoryFile(files[path]) as mem, mem.open() as ds:
        data = ds.read()
    return data if data.shape[0] > 1 else data[0]


def reflectance(files: dict[str, bytes], suffix: str) -> np.ndarray:
    """Reflectance of a band image (these products are of baseline 04.00 or later)."""
    return (decode(files, suffix).astype(np.float64) + sentinel2.BOA_OFFSET) / 1e4


def ndvi(files: dict[str, bytes]) -> np.ndarray:
    red, nir = reflectance(files, "_B04_10m.jp2"), reflectance(files, "_B08_10m.jp2")
    return (nir - red) / (nir + red)


def to_10m(scl: np.ndarray) -> np.ndarray:
    return np.repeat(np.repeat(scl, 2, axis=0), 2, axis=1)


def test_land_and_sea_follow_the_land_mask_with_plausible_ndvi(l2a):
    entry = partly_cloudy(l2a, WELLINGTON, "2023-01")  # the demo's product: summer
    files = sentinel2.build_l2a(entry)
    window = sentinel2.granule_window(entry)
    scl20 = decode(files, "_SCL_20m.jp2")
    assert not (scl20 == 6)[scene.is_land(*lonlat(window, 20))].any()  # water only at sea
    index, scl = ndvi(files), to_10m(scl20)
    land = scene.is_land(*lonlat(window, 10))
    sea, vegetation, clouds = (~land & (scl == 6)), (land & (scl == 4)), (scl == 9)
    assert 0.1 < land.mean() < 0.9  # the granule sits on the coast
    assert sea.mean() > 0.05 and vegetation.mean() > 0.05 and clouds.mean() > 0.01
    assert np.median(index[sea]) < -0.2
    assert 0.3 < np.median(index[vegetation]) < 0.85
    assert abs(np.median(index[clouds])) < 0.15  # flat spectrum, over some of the surface's
    # the true-colour image is B04, B03, B02 of the same product (saturating at reflectance 0.2)
    rgb = np.stack([decode(files, f"_{b}_10m.jp2") for b in ("B04", "B03", "B02")]) - 1000
    tci = decode(files, "_TCI_10m.jp2")
    np.testing.assert_array_equal(tci, np.clip(1 + (254 * rgb.astype(int) + 1000) // 2000, 1, 255))


def test_the_scl_clouds_are_the_record_cloud_cover(l2a):
    picked = {}
    for entry in l2a[::97]:  # sites and dates all over the catalogue, covers from 0 to 100 %
        picked.setdefault(round(entry.attribute("cloudCover") / 20), entry)
    assert len(picked) >= 4
    for entry in picked.values():
        files = sentinel2.build_l2a(entry)
        cover = entry.attribute("cloudCover")
        for res in (20, 60):
            scl = decode(files, f"_SCL_{res}m.jp2")
            cloudy = int(np.isin(scl, CLOUDS).sum())
            assert cloudy == round(cover / 100 * scl.size), (entry.name, res)
            assert abs(100 * cloudy / scl.size - cover) <= 50 / scl.size  # half a pixel
        mtd = files["MTD_MSIL2A.xml"].decode()
        assert re.search(r"<Cloud_Coverage_Assessment>([\d.]+)<", mtd)[1] == str(cover)


def test_one_place_on_two_dates_correlates_on_clear_land(l2a):
    first = partly_cloudy(l2a, WELLINGTON, "2023-01")
    later = partly_cloudy(l2a, WELLINGTON, "2023-02")
    bands, clear = [], []
    for entry in (first, later):
        files = sentinel2.build_l2a(entry)
        bands.append(reflectance(files, "_B08_10m.jp2"))
        clear.append(np.isin(to_10m(decode(files, "_SCL_20m.jp2")), (4, 5)))
    both = clear[0] & clear[1]
    assert both.mean() > 0.1
    assert np.corrcoef(bands[0][both], bands[1][both])[0, 1] > 0.8
    # ... and not by chance: the same pixels against the image shifted by a few fields
    shifted = np.roll(bands[1], 60, axis=(0, 1))
    assert abs(np.corrcoef(bands[0][both], shifted[both])[0, 1]) < 0.5


def test_the_seasons_show(l2a):
    def green(month: str) -> float:
        entry = min(
            (e for e in at_site(l2a, PARIS) if f"{e.start:%Y-%m}" == month),
            key=lambda e: e.attribute("cloudCover"),
        )
        files = sentinel2.build_l2a(entry)
        clear = np.isin(to_10m(decode(files, "_SCL_20m.jp2")), (4, 5))
        return float(np.median(ndvi(files)[clear]))

    assert green("2023-07") > green("2023-01") + 0.1


def test_the_l1c_and_l2a_of_one_datatake_agree_on_clouds(l2a):
    boa = partly_cloudy(l2a, WELLINGTON, "2023-01")
    toa = dataclasses.replace(
        boa,
        name=boa.name.replace("_MSIL2A_", "_MSIL1C_"),
        product_type="S2MSI1C",
        family="sentinel2_l1c",
        content_length=0,
        md5=None,
        blake3=None,
        payload=None,
    )
    l1c, l2a_files = sentinel2.build_l1c(toa), sentinel2.build_l2a(boa)
    k = sentinel2.BANDS.index("B05")
    seen, surface = reflectance(l1c, "_B05.jp2"), reflectance(l2a_files, "_B05_20m.jp2")
    # the same clouds over the same surface, seen through the atmosphere
    np.testing.assert_allclose(seen, PATH[k] + TRANSMITTANCE[k] * surface, atol=1.5e-4)
    scl = decode(l2a_files, "_SCL_20m.jp2")
    thick, clear = scl == 9, np.isin(scl, (4, 5, 6))
    assert thick.any() and clear.any()
    assert seen[thick].min() > np.percentile(seen[clear], 99)
    for name in ("MTD_MSIL1C.xml", "MTD_MSIL2A.xml"):
        files = l1c if "1C" in name else l2a_files
        text = files[name].decode()
        assert f"<Cloud_Coverage_Assessment>{boa.attribute('cloudCover')}<" in text


def test_granules_show_the_coast_near_their_site(l2a):
    coastal = 0
    for site, (lon, lat) in enumerate(SITES):
        entry = at_site(l2a, site)[0]
        lons, lats = lonlat(sentinel2.granule_window(entry), 60)
        east = (lons - lon + 180.0) % 360.0 - 180.0
        assert np.abs(east).max() < 0.55 and np.abs(lats - lat).max() < 0.45  # in the footprint
        if granule_centre(lon, lat) == (lon, lat):
            continue
        coastal += 1
        moved = np.hypot(
            east.mean() * 111.32 * np.cos(np.radians(lat)), (lats.mean() - lat) * 110.57
        )
        assert moved < COAST_REACH_KM + 3
        assert 0.05 < scene.is_land(lons, lats).mean() < 0.95, site
    assert coastal >= 10
