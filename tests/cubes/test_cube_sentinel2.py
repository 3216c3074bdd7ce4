"""Sentinel-2 cubes: the same pixels as the products read one by one, masks as documented,
baselines harmonised, arguments checked."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import cdse_intake
from cdse_intake.emulator.products.sentinel2 import build_l2a

#: A 3.66 km Sentinel-2 granule of the emulator lies around this site (tile 31UNE).
SITE_BBOX = (2.30, 48.80, 2.42, 48.90)
QUERY = {
    "collection": "sentinel-2-l2a",
    "bbox": SITE_BBOX,
    "start": "2023-01-01",
    "end": "2023-02-10",
}


@pytest.fixture
def emulator(cube_emulator):
    return cube_emulator


@pytest.fixture
def env(cube_env):
    return cube_env


@pytest.fixture
def scenes(env):
    results = cdse_intake.search(**QUERY)
    products = list(results)[:10]
    assert len(products) == 10
    return products


def test_ten_scenes_equal_the_products_read_one_by_one(scenes):
    """On the tiles' own grid the cube holds each product's pixels, bit for bit."""
    cube = cdse_intake.load(scenes, bands=["B04", "B08", "SCL"], groupby=None)
    assert cube.sizes["time"] == 10
    assert cube.odc.crs == "EPSG:32631"
    assert cube.B04.dtype == np.float32 and cube.SCL.dtype == np.uint8
    assert cube.B04.attrs["units"] == "1"
    values = cube.compute()
    for k, product in enumerate(sorted(scenes, key=lambda p: (p.start, p.name))):
        assert values["product"][k] == product.name
        one = cdse_intake.open_product(product, remote=True, resolution=10, bands=["B04", "B08"])
        scl = cdse_intake.open_product(product, remote=True, resolution=20, bands=["SCL"]).SCL
        for band in ("B04", "B08"):
            expected = one[band].reindex_like(values[band], method="nearest", tolerance=1.0)
            np.testing.assert_array_equal(values[band][k].values, expected.values)
        # SCL (20 m) on the 10 m grid: each 20 m pixel fills its four 10 m pixels
        expected = scl.reindex_like(values.SCL, method="nearest").values
        np.testing.assert_array_equal(values.SCL[k].values, expected)


def test_a_reprojected_cube_equals_each_product_warped_on_its_own(scenes):
    """Another CRS and pixel size: the cube equals rioxarray's warp of each product (of the
    product's 20 m image, the one a 20 m cube reads)."""
    cube = cdse_intake.load(
        scenes[:3], bands=["B04"], crs="EPSG:3035", resolution=20, groupby=None
    ).compute()
    assert cube.odc.crs == "EPSG:3035"
    assert abs(cube.odc.geobox.resolution.x) == 20
    geobox = cube.odc.geobox
    for k, product in enumerate(sorted(scenes[:3], key=lambda p: (p.start, p.name))):
        one = cdse_intake.open_product(product, remote=True, resolution=20, bands=["B04"]).B04
        warped = one.rio.reproject(
            "EPSG:3035",
            shape=geobox.shape.yx,
            transform=geobox.transform,
            resampling=0,  # nearest
            nodata=np.nan,
        )
        got, want = cube.B04[k].values, warped.values
        both = np.isfinite(got) & np.isfinite(want)
        assert both.sum() > 0.9 * np.isfinite(want).sum()
        # GDAL approximates the transform within 1/8 pixel per warp window; the windows differ
        # (one per dask chunk here, one per image there), so a few border picks may differ.
        same = (got[both] == want[both]).mean()
        assert same > 0.995, same


def test_cloud_mask_drops_the_documented_classes(scenes):
    plain = cdse_intake.load(scenes[:4], bands=["B04", "SCL"], groupby=None).compute()
    masked = cdse_intake.load(
        scenes[:4], bands=["B04", "SCL"], mask="cloud", groupby=None
    ).compute()
    dropped = plain.SCL.isin([0, 1, 3, 8, 9, 10])
    assert bool(dropped.any()), "the scenes should have some clouds"
    assert bool(masked.B04.where(dropped).isnull().all())
    assert bool((masked.SCL.where(dropped, 0) == 0).all())
    xr.testing.assert_equal(masked.B04.where(~dropped), plain.B04.where(~dropped))
    clear = cdse_intake.load(scenes[:4], bands=["B04", "SCL"], mask="clear", groupby=None)
    kept = clear.SCL.compute()
    assert set(np.unique(kept.values)) <= {0, 4, 5, 6, 7, 11}
    by_number = cdse_intake.load(scenes[:4], bands=["B04"], mask=[3, 8, 9, 10], groupby=None)
    by_name = cdse_intake.load(
        scenes[:4],
        bands=["B04"],
        mask=["CLOUD_SHADOW", "cloud_medium_proba", "CLOUD_HIGH_PROBA", "THIN_CIRRUS"],
        groupby=None,
    )
    xr.testing.assert_equal(by_number.B04.compute(), by_name.B04.compute())


def test_products_of_one_solar_day_are_mosaicked_first_valid_first(emulator, tmp_path):
    """Two products of one day (the granule seen an hour apart, other clouds): one time step, the
    earlier product's pixels where it has them, the later one's in its masked holes."""
    first, other = _l2a_entries(emulator)[:2]
    a = _write_safe(first, tmp_path)
    b = _write_safe(other, tmp_path, start=first.start + timedelta(hours=1))
    cube = cdse_intake.load([b, a], bands=["B04", "SCL"], mask="cloud").compute()
    assert cube.sizes["time"] == 1
    assert str(cube["product"].values[0]) == f"{a.name},{b.name}"
    one = cdse_intake.load([a], bands=["B04", "SCL"], mask="cloud").compute()
    two = cdse_intake.load([b], bands=["B04", "SCL"], mask="cloud").compute()
    expected = one.B04[0].where(one.B04[0].notnull(), two.B04[0])
    np.testing.assert_array_equal(cube.B04[0].values, expected.values)
    filled = int(cube.B04[0].notnull().sum()) - int(one.B04[0].notnull().sum())
    assert filled > 0, "the second product should fill some of the first one's cloud holes"
    # each pixel's variables come from one product
    from_two = one.B04[0].isnull() & two.B04[0].notnull()
    np.testing.assert_array_equal(cube.SCL[0].values[from_two], two.SCL[0].values[from_two])
    # groupby=None: two steps
    assert cdse_intake.load([a, b], bands=["B04"], groupby=None).sizes["time"] == 2


def _l2a_entries(emulator) -> list:
    return [
        e
        for e in emulator.catalogue
        if "_MSIL2A_" in e.name and e.name.endswith(".SAFE") and e.extra.get("tile") == "31UNE"
    ]


def _write_safe(entry, directory: Path, baseline: str | None = None, start=None) -> Path:
    """``entry``'s SAFE folder as the emulator writes it, with another baseline or time."""
    entry = copy.copy(entry)
    entry.extra = dict(entry.extra)
    parts = entry.name.split("_")
    if baseline is not None:
        entry.extra["baseline"] = baseline
        parts[3] = "N" + baseline.replace(".", "")
    if start is not None:
        entry.start = start
        parts[2] = start.strftime("%Y%m%dT%H%M%S")
    entry.name = "_".join(parts)
    folder = directory / entry.name
    for rel, data in build_l2a(entry).items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def test_two_processing_baselines_give_the_same_reflectance(emulator, tmp_path):
    """The same surface seen by products of baselines 03.00 (no offset) and 05.09 (-1000 DN)."""
    entry = _l2a_entries(emulator)[0]
    old = _write_safe(entry, tmp_path, baseline="03.00")
    new = _write_safe(entry, tmp_path, baseline="05.09")
    raw_old = cdse_intake.open_product(old, resolution=10, bands=["B04"], scale=False).B04
    raw_new = cdse_intake.open_product(new, resolution=10, bands=["B04"], scale=False).B04
    # the files differ: a naive stack of DNs would shift reflectance by 0.1
    assert int(np.median(raw_new.values.astype(int) - raw_old.values.astype(int))) == 1000
    cube = cdse_intake.load([old, new], bands=["B04", "B11"], groupby=None).compute()
    assert cube.sizes["time"] == 2
    assert cube.attrs["processing_baselines"] == "03.00,05.09"
    for band in ("B04", "B11"):
        # the same to float32 precision (CF decoding rounds DN * 1e-4 - 0.1 and DN * 1e-4 apart)
        np.testing.assert_allclose(cube[band][0].values, cube[band][1].values, rtol=0, atol=1e-7)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bands": ["B99"]}, "'B99' is not a Sentinel-2 band"),
        ({"mask": "clouds!"}, "mask='clouds!'"),
        ({"groupby": "week"}, "groupby='week'"),
        ({"resampling": "best"}, "resampling='best'"),
        ({"bbox": (3, 49, 2, 48)}, "bbox=(3, 49, 2, 48)"),
        ({"resolution": -10}, "resolution=-10"),
        ({"crs": "EPSG:999999"}, "crs='EPSG:999999'"),
        ({"crs": "EPSG:4326"}, "give resolution= in degrees"),
        ({"calibration": "sigma0"}, "no option 'calibration'"),
        ({"bands": ["B04"], "variables": ["B04"]}, "not both"),
    ],
)
def test_bad_arguments_are_named(scenes, kwargs, message):
    with pytest.raises((ValueError, TypeError)) as err:
        cdse_intake.load(scenes[:2], **kwargs)
    assert message in str(err.value)


def test_a_cube_reads_only_the_tiles_under_its_area(env, scenes):
    """A 1 km bbox inside the granule: part of the band file (headers read once, kept for the
    pixel reads), a small share of the product, no other image."""
    env.state.reset_counters()
    cube = cdse_intake.load(scenes[:2], bands=["B04"], bbox=(2.345, 48.845, 2.355, 48.852))
    assert cube.sizes["x"] < 100
    cube.compute()
    served = [r for r in env.state.requests() if r.bytes_sent]
    images = {r.path.rsplit("Nodes(", 1)[-1] for r in served if ".jp2)" in r.path}
    assert images <= {f"{name})/$value" for name in _band_files(scenes[:2], "B04_10m")}
    fs = cdse_intake.CDSEFileSystem()
    band_bytes = sum(
        fs.size(f"cdse://{p.name}/{rel}") for p in scenes[:2] for rel in _band_paths(fs, p)
    )
    read = sum(r.bytes_sent for r in served if ".jp2)" in r.path)
    assert 0 < read < band_bytes, (read, band_bytes)
    assert sum(r.bytes_sent for r in served) < 0.25 * sum(p.size for p in scenes[:2])
    # the pixels again: nothing more from the service (these small files stay in the kept blocks)
    env.state.reset_counters()
    cube.compute()
    assert sum(r.bytes_sent for r in env.state.requests()) == 0


def _band_paths(fs, product) -> list[str]:
    root = f"cdse://{product.name}"
    return [
        p.split(product.name, 1)[1].strip("/") for p in fs.find(root) if p.endswith("_B04_10m.jp2")
    ]


def _band_files(products, suffix: str) -> set[str]:
    fs = cdse_intake.CDSEFileSystem()
    return {
        path.rsplit("/", 1)[-1]
        for p in products
        for path in fs.find(f"cdse://{p.name}")
        if path.endswith(f"_{suffix}.jp2")
    }
