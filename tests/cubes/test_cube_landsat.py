"""Landsat cubes: a Landsat 8 Level-2 time series of one path/row, found by ``tile=``, as a cube
with clouds masked from QA_PIXEL, equal to each product opened on its own and scaled by hand;
Level-1 bands and common names; masks, levels and variables checked."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import cdse_intake

#: QA_PIXEL bits ``mask="cloud"`` drops: fill, dilated cloud, cirrus, cloud, cloud shadow.
CLOUD_BITS = 0b11111


def _path_row(entry) -> str:
    path, row = entry.attribute("pathNumber"), entry.attribute("rowNumber")
    return f"{path:03d}/{row:03d}"


def _by_hand(product, bands):
    """``bands`` of ``product`` opened alone: DN scaled with the file's own CF scale/offset,
    the fill as NaN, QA_PIXEL cloud bits masked."""
    wanted = [*bands, "QA_PIXEL"]
    raw = cdse_intake.open_product(product, remote=True, variables=wanted, scale=False)
    qa = raw.QA_PIXEL.values
    out = {}
    for band in bands:
        dn = raw[band].values.astype(np.float64)
        attrs = raw[band].attrs
        value = np.where(dn == attrs["_FillValue"], np.nan, dn * attrs["scale_factor"])
        value = value + attrs["add_offset"]
        out[band] = np.where((qa & CLOUD_BITS) == 0, value, np.nan)
    coords = {"y": raw.y.values, "x": raw.x.values}
    return out, coords, qa


def test_landsat8_level2_series_masked_from_qa_pixel_equals_products_by_hand(landsat_series):
    """THE must-show: several Landsat 8 Level-2 scenes of one path/row, searched by ``tile=``,
    loaded with ``mask="cloud"``: every pixel is the product's own DN * scale + offset, NaN
    where QA_PIXEL says fill/cloud/shadow/cirrus/dilated cloud."""
    series = landsat_series["l2"]
    results = cdse_intake.search(
        collection="LANDSAT-8", tile=_path_row(series[0]), processing_level="L2"
    )
    products = list(results)
    assert sorted(p.name for p in products) == sorted(e.name for e in series)
    cube = cdse_intake.load(
        results, bands=["SR_B4", "SR_B5", "ST_B10", "QA_PIXEL"], mask="cloud", groupby=None
    )
    assert cube.sizes["time"] == len(series) >= 5
    assert cube.SR_B4.chunks is not None  # lazy
    assert cube.odc.crs == f"EPSG:{series[0].attribute('proj:epsg')}"
    assert cube.attrs["crs"] == f"EPSG:{cube.odc.crs.epsg}"
    assert "3 cloud" in cube.attrs["mask"] and "4 cloud_shadow" in cube.attrs["mask"]
    assert cube.SR_B4.attrs["units"] == "1" and cube.ST_B10.attrs["units"] == "K"
    assert cube.SR_B4.attrs["scale_applied"] == "2.75e-05 * DN - 0.2"
    assert cube.ST_B10.attrs["scale_applied"] == "0.00341802 * DN + 149"
    assert bool((np.diff(cube.time.values) > np.timedelta64(0)).all())
    values = cube.compute()
    masked_somewhere = 0
    for k, product in enumerate(sorted(products, key=lambda p: (p.start, p.name))):
        assert values["product"][k] == product.name
        # the scene acquisition time (DATE_ACQUIRED + SCENE_CENTER_TIME) of the MTL
        one = cdse_intake.open_product(product, remote=True, variables=["QA_PIXEL"])
        assert values.time.values[k] == one.time.values
        hand, coords, qa = _by_hand(product, ["SR_B4", "SR_B5", "ST_B10"])
        assert np.array_equal(values.x.values, coords["x"])  # the product's own grid: pasted
        assert np.array_equal(values.y.values, coords["y"])
        for band, expected in hand.items():
            got = values[band][k].values
            np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
            np.testing.assert_allclose(got, expected, rtol=2e-6, equal_nan=True)
        clouds = (qa & 0b11110) > 0
        masked_somewhere += int(clouds.sum())
        assert np.isnan(values.SR_B4[k].values[clouds]).all()
        # QA_PIXEL kept as it is where valid, the fill bit (1) where masked or no data
        kept = ~np.isnan(values.SR_B4[k].values)
        np.testing.assert_array_equal(values.QA_PIXEL[k].values[kept], qa[kept])
        assert (values.QA_PIXEL[k].values[~kept] == 1).all()
    assert masked_somewhere > 1000  # the scenes are cloudy: the mask did something


def test_default_bands_level1_common_names_and_explicit_bits(landsat_series):
    l2 = landsat_series["l2"][:2]
    cube = cdse_intake.load([e.name for e in l2], groupby=None, remote=True)
    assert list(cube.data_vars) == [f"SR_B{i}" for i in range(1, 8)] + ["ST_B10"]
    assert cube.attrs["mask"] == "none" and cube.attrs["processing_levels"] == "L2SP"
    l1 = landsat_series["l1"]
    cube = cdse_intake.load(
        [e.name for e in l1], bands=["red", "lwir"], mask=["cloud", 4], groupby=None
    ).compute()
    assert list(cube.data_vars) == ["red", "lwir"]
    assert cube.attrs["title"] == "Landsat Collection 2 Level-1 cube"
    assert cube.red.attrs["scale_applied"].endswith("/ sin(SUN_ELEVATION)")
    assert cube.lwir.attrs["units"] == "K"
    for k, entry in enumerate(l1):
        one = cdse_intake.open_product(entry.name, remote=True, variables=["B4", "QA_PIXEL"])
        drop = (one.QA_PIXEL.values & 0b11000) > 0
        expected = np.where(drop, np.nan, one.B4.values)
        np.testing.assert_array_equal(cube.red[k].values, expected)


def test_landsat_8_and_9_in_one_cube_by_solar_day(landsat_series):
    names = [e.name for e in landsat_series["l2"][:2] + landsat_series["l9"][:2]]
    cube = cdse_intake.load(names, bands=["nir"], mask=True)
    assert cube.sizes["time"] == 4
    assert cube.attrs["platforms"] == "LANDSAT_8,LANDSAT_9"
    assert list(cube["product"].values) == sorted(names, key=lambda n: n.split("_")[3])


def test_a_reprojected_cube_equals_each_product_warped(landsat_series):
    entry = landsat_series["l2"][3]
    cube = cdse_intake.load(
        [entry.name], bands=["SR_B4"], crs="EPSG:3035", resolution=3000, groupby=None
    ).compute()
    assert cube.odc.crs == "EPSG:3035"
    geobox = cube.odc.geobox
    one = cdse_intake.open_product(entry.name, remote=True, variables=["SR_B4"]).SR_B4
    warped = one.rio.reproject(
        "EPSG:3035", shape=geobox.shape.yx, transform=geobox.transform, resampling=0
    )
    assert np.isfinite(warped.values).sum() > 1000  # the scene is on the grid
    np.testing.assert_array_equal(cube.SR_B4[0].values, warped.values)


@pytest.mark.parametrize(
    ("mask", "match"),
    [
        ("clouds", r"mask='clouds': expected 'cloud'.*0 fill.*7 water"),
        ([3, 9], r"mask=\[3, 9\]: expected .*numbers 0-7"),
        ("clear", r"mask='clear'.*would drop the pixels USGS flags clear"),
        ([], r"mask=\[\]: .*got no bit"),
        (3.5, r"mask=3.5: expected"),
    ],
)
def test_bad_masks_are_named(landsat_series, mask, match):
    with pytest.raises(ValueError, match=match):
        cdse_intake.load([landsat_series["l2"][0].name], mask=mask)


def test_level1_and_level2_are_not_mixed(landsat_series):
    names = [landsat_series["l2"][0].name, landsat_series["l1"][0].name]
    with pytest.raises(ValueError, match=r"mix processing levels: L1 \(e.g. LC08_L1TP.*L2 \("):
        cdse_intake.load(names)


def test_bad_variable_is_named(landsat_series):
    with pytest.raises(ValueError, match=r"variables: 'B04' is not a band of LC08_L2SP.*SR_B4"):
        cdse_intake.load([landsat_series["l2"][0].name], bands=["B04"])


def test_cube_is_a_dataset_of_time_y_x(landsat_series):
    cube = cdse_intake.load([landsat_series["l2"][0].name], bands="SR_B2", groupby=None)
    assert isinstance(cube, xr.Dataset) and cube.SR_B2.dims == ("time", "y", "x")
