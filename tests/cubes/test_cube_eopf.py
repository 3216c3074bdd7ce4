"""EOPF Zarr Sentinel-2 L2A cubes: the products' own pixels, the SAFE cube's values and variables
for the same scene, masks as documented, other EOPF products refused."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import cdse_intake
from cdse_intake.emulator.products.eopf import build_zarr
from cdse_intake.emulator.products.sentinel2 import build_l2a
from cdse_intake.errors import UnsupportedProduct

#: The emulator's EOPF records (one Sentinel-2 L2A product per site; tile 31UNE the first).
WHEN = {"start": "2024-01-01", "end": "2024-04-01", "name_endswith": ".zarr"}


@pytest.fixture
def entry(cube_env):
    """The EOPF Sentinel-2 L2A record over tile 31UNE."""
    (found,) = [
        e for e in cube_env.catalogue if e.family == "eopf_zarr" and e.extra["tile"] == "31UNE"
    ]
    return found


@pytest.fixture
def scene(cube_env, entry):
    (found,) = [
        p for p in cdse_intake.search(collection="sentinel-2-l2a", **WHEN) if "T31UNE" in p.name
    ]
    assert found.name == entry.name
    return found


def _write(entry, directory: Path, build, suffix: str, start=None) -> Path:
    """``entry`` written as the emulator writes it (``build``: SAFE or EOPF), named ``suffix``,
    sensed at ``start``."""
    entry = copy.copy(entry)
    parts = entry.name.rsplit(".", 1)[0].split("_")
    if start is not None:
        entry.start = start
        parts[2] = start.strftime("%Y%m%dT%H%M%S")
    entry.name = "_".join(parts) + suffix
    folder = directory / entry.name
    for rel, data in build(entry).items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def test_products_equal_the_products_read_one_by_one(scene, entry, tmp_path):
    """Two products (CDSE's, and a local one a day later: other clouds): each time step holds
    its product's own 10 m pixels, and SCL its 20 m classes."""
    later = _write(entry, tmp_path, build_zarr, ".zarr", start=entry.start + timedelta(days=1))
    cube = cdse_intake.load([later, scene], bands=["B04", "B08", "SCL"], groupby=None)
    assert list(cube.data_vars) == ["B04", "B08", "SCL"]
    assert cube.B04.dtype == np.float32 and cube.SCL.dtype == np.uint8
    assert cube.odc.crs == "EPSG:32631" and abs(cube.odc.geobox.resolution.x) == 10
    values = cube.compute()
    assert list(values["product"].values) == [scene.name, later.name]
    for k, source in enumerate((scene, later)):
        tree = cdse_intake.open_product(source, remote=True)
        r10m = tree["measurements/reflectance/r10m"].to_dataset()
        for band in ("B04", "B08"):
            expected = r10m[band.lower()].reindex_like(values, method="nearest", tolerance=1.0)
            np.testing.assert_allclose(values[band][k], expected, rtol=0, atol=1e-7)
            assert int(values[band][k].notnull().sum()) == r10m[band.lower()].size
        scl = tree["conditions/mask/l2a_classification/r20m/scl"]
        np.testing.assert_array_equal(
            values.SCL[k], scl.reindex_like(values.SCL, method="nearest").values
        )
    assert not np.array_equal(values.SCL[0], values.SCL[1]), "a day apart: other clouds"


def test_the_same_scene_as_safe_gives_the_same_cube(scene, entry, tmp_path):
    """The emulator writes the same pixels in both formats: the SAFE cube and the EOPF cube
    have the same variables, grid and values, at 10 m and at 20 m (B04 from r20m, as R20m)."""
    safe = _write(entry, tmp_path, build_l2a, ".SAFE")
    for kwargs in ({}, {"resolution": 20, "mask": "cloud"}):
        bands = ["B04", "B08", "B11", "SCL"]
        a = cdse_intake.load([safe], bands=bands, **kwargs).compute()
        b = cdse_intake.load([scene], bands=bands, **kwargs).compute()
        assert list(a.data_vars) == list(b.data_vars) == bands
        assert a.odc.geobox == b.odc.geobox
        for band in bands:
            assert a[band].dtype == b[band].dtype
            # float32 precision: SAFE decodes (DN - 1000) / 10000, EOPF DN * 1e-4 - 0.1
            np.testing.assert_allclose(a[band].values, b[band].values, rtol=0, atol=1e-7)
        # the time is each format's own: SAFE the tile's SENSING_TIME, EOPF the start_datetime
        # of its STAC properties (the datastrip's start, seconds earlier)
        assert abs(a.time.values[0] - b.time.values[0]) < np.timedelta64(60, "s")


def test_cloud_mask_drops_the_documented_classes(scene):
    plain = cdse_intake.load([scene], bands=["B04", "SCL"]).compute()
    masked = cdse_intake.load([scene], bands=["B04", "SCL"], mask="cloud").compute()
    dropped = plain.SCL.isin([0, 1, 3, 8, 9, 10])
    assert bool(dropped.any()), "the scene should have some clouds"
    assert bool(masked.B04.where(dropped).isnull().all())
    assert bool((masked.SCL.where(dropped, 0) == 0).all())
    xr.testing.assert_equal(masked.B04.where(~dropped), plain.B04.where(~dropped))
    assert masked.attrs["mask"] == "SCL classes dropped: 0,1,3,8,9,10"
    clear = cdse_intake.load([scene], bands=["B04", "SCL"], mask="clear").SCL.compute()
    assert set(np.unique(clear.values)) <= {0, 4, 5, 6, 7, 11}


@pytest.mark.parametrize(
    ("collection", "kind"), [("sentinel-1", "S01SIWGRH"), ("sentinel-3", "S03OLCEFR")]
)
def test_other_eopf_products_are_refused(cube_env, collection, kind):
    product = next(iter(cdse_intake.search(collection=collection, **WHEN)))
    with pytest.raises(UnsupportedProduct) as err:
        cdse_intake.load([product])
    assert product.name in str(err.value) and kind in str(err.value)
    assert "Sentinel-2 Level-2A products only (S02MSIL2A)" in str(err.value)


def test_unknown_bands_are_named(scene):
    with pytest.raises(ValueError, match="'B99' is not a Sentinel-2 band"):
        cdse_intake.load([scene], bands=["B99"])
