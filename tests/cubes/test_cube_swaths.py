"""Swath cubes (Sentinel-5P L2, Sentinel-3 OLCI): pixel centres binned into a lat/lon grid,
checked against a brute-force loop over every pixel, min_qa, OLCI, count-weighted means."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

import cdse_intake
from cdse_intake.cubes import swaths
from cdse_intake.cubes._binning import bin_sums, cell_index, combine, swath_rows
from cdse_intake.emulator.records.common import SITES

LON, LAT = SITES[0]  # Paris
#: Around the site; no S5P pixel centre of the emulator lies on a cell edge here (checked).
BBOX = (-3.0, 44.0, 8.0, 52.0)
RES = 0.05
NO2 = "nitrogendioxide_tropospheric_column"


@pytest.fixture
def emulator(cdse_emulator_factory, monkeypatch):
    # Every listed product delivered, no faults; scale=0.1 builds the catalogue in ~1 s
    # instead of ~20 (S5P records are one per orbit whatever the scale).
    emu = cdse_emulator_factory(deliver="all", scale=0.1, faults={})
    for key, value in emu.env().items():
        monkeypatch.setenv(key, value)
    return emu


@pytest.fixture
def no2(emulator):
    """Four NO2 orbits over the site, two in January 2023 and two in February."""
    found = cdse_intake.search(
        "SENTINEL-5P",
        product_type="L2__NO2___",
        bbox=(LON - 0.1, LAT - 0.1, LON + 0.1, LAT + 0.1),
        start="2023-01-30",
        end="2023-02-03",
    )
    products = list(found)[:4]
    assert [p.start.month for p in products] == [1, 1, 2, 2], [p.name for p in products]
    return products


def pixels(products):
    """Every pixel of each product as plain arrays: (month, lat, lon, qa, NO2)."""
    out = []
    for product in products:
        tree = cdse_intake.open_product(product, variables=["qa_value", NO2], metadata=False)
        ds = tree["PRODUCT"].to_dataset()
        arrays = [ds[k].values for k in ("latitude", "longitude", "qa_value", NO2)]
        tree.close()
        out.append((product.start.month, *arrays))
    return out


def brute_force(read, latitudes, longitudes, min_qa, res=RES):
    """Sums and counts per cell, per month, one pixel at a time: the cell whose
    [west, east) x (south, north] holds the pixel's centre."""
    north = float(latitudes[0]) + res / 2
    west = float(longitudes[0]) - res / 2
    shape = (len(latitudes), len(longitudes))
    out = {}
    for month, lat, lon, qa, value in read:
        sums, counts = out.setdefault(month, (np.zeros(shape), np.zeros(shape, int)))
        for i in range(lat.shape[0]):
            for j in range(lat.shape[1]):
                if min_qa is not None and qa[i, j] < min_qa - 1e-6:
                    continue
                if not math.isfinite(value[i, j]):
                    continue
                row = math.floor((north - float(lat[i, j])) / res)
                col = math.floor((float(lon[i, j]) - west) / res)
                if 0 <= row < shape[0] and 0 <= col < shape[1]:
                    # a fair comparison away from cell edges (float rounding): none here
                    assert _off_edge((north - float(lat[i, j])) / res)
                    assert _off_edge((float(lon[i, j]) - west) / res)
                    sums[row, col] += float(value[i, j])
                    counts[row, col] += 1
    return out


def _off_edge(position: float) -> bool:
    return abs(position - round(position)) > 1e-9


def test_no2_monthly_mean_equals_brute_force(no2):
    cube = cdse_intake.load(no2, bbox=BBOX, resolution=RES)
    assert cube[NO2].dims == ("time", "latitude", "longitude")
    assert cube.sizes == {"time": 4, "latitude": 160, "longitude": 220}
    assert cube.attrs["min_qa"] == 0.75 and cube.attrs["crs"] == "EPSG:4326"
    assert cube[NO2].attrs["units"] == "mol m-2" and cube["count"].dtype == np.int32
    assert cube[NO2].chunks is not None  # lazy: nothing binned yet
    read = pixels(no2)
    # 0.05 degree cells hold one of the emulator's (coarse) pixels at most; 1 degree cells
    # hold several, from both orbits of the month
    coarse = cdse_intake.load(no2, bbox=BBOX, resolution=1.0)
    for grid, res, most in ((cube, RES, 1), (coarse, 1.0, 4)):
        monthly = swaths.temporal_mean(grid, "1MS").compute()
        assert list(monthly["time"].dt.month.values) == [1, 2]
        lats, lons = grid.latitude.values, grid.longitude.values
        reference = brute_force(read, lats, lons, 0.75, res)
        for k, month in enumerate((1, 2)):
            sums, counts = reference[month]
            assert counts.sum() > 150 and counts.max() >= most  # ~100 good pixels an orbit
            np.testing.assert_array_equal(monthly["count"][k].values, counts)
            with np.errstate(invalid="ignore"):
                expected = np.where(counts > 0, sums / counts, np.nan)
            np.testing.assert_allclose(monthly[NO2][k].values, expected, rtol=1e-6, equal_nan=True)
    # without the qa filter the reference is another one: the check above sees the filter
    loose = brute_force(read, lats, lons, min_qa=None, res=1.0)
    assert loose[1][1].sum() > reference[1][1].sum()


def test_min_qa_keeps_the_pixels_asked_for(no2):
    """Each threshold keeps the pixels the brute force keeps; lower thresholds keep more."""
    read = pixels(no2[:1])
    counts = {}
    for min_qa in (0.5, None):
        cube = cdse_intake.load(no2[:1], bbox=BBOX, min_qa=min_qa).compute()
        assert cube.attrs["min_qa"] == ("none" if min_qa is None else min_qa)
        reference = brute_force(read, cube.latitude.values, cube.longitude.values, min_qa)
        np.testing.assert_array_equal(cube["count"][0].values, reference[1][1])
        counts[min_qa] = reference[1][1].sum()
    default = brute_force(read, cube.latitude.values, cube.longitude.values, 0.75)[1][1].sum()
    assert default < counts[0.5] < counts[None]


def test_refusals(no2):
    with pytest.raises(ValueError, match=r"crs='EPSG:32631'.*EPSG:4326"):
        cdse_intake.load(no2, bbox=BBOX, crs="EPSG:32631")
    with pytest.raises(ValueError, match=r"min_qa=1\.5: expected .* between 0 and 1"):
        cdse_intake.load(no2, bbox=BBOX, min_qa=1.5)
    with pytest.raises(ValueError, match=r"min_qa='high'"):
        cdse_intake.load(no2, bbox=BBOX, min_qa="high")
    with pytest.raises(ValueError, match=r"bbox=.* is needed for Sentinel-5P"):
        cdse_intake.load(no2)
    with pytest.raises(ValueError, match=r"resolution=1000.*degrees"):
        cdse_intake.load(no2, bbox=BBOX, resolution=1000)
    with pytest.raises(ValueError, match=r"'averaging_kernel' .* not on the swath's pixels"):
        cdse_intake.load(no2, bbox=BBOX, variables=["averaging_kernel"])
    with pytest.raises(TypeError, match=r"no option 'calibration'.*min_qa"):
        cdse_intake.load(no2, bbox=BBOX, calibration="sigma0")


def test_olci_cube(emulator):
    found = cdse_intake.search(
        "SENTINEL-3",
        product_type="OL_1_EFR___",
        bbox=(LON - 0.1, LAT - 0.1, LON + 0.1, LAT + 0.1),
        start="2023-01-01",
        end="2023-01-03",
    )
    products = list(found)[:2]
    assert len(products) == 2
    bbox = (LON - 1, LAT - 0.5, LON + 1, LAT + 0.5)
    cube = cdse_intake.load(products, bbox=bbox, groupby="time")
    assert set(cube.data_vars) == {*swaths.OLCI_VARIABLES, "count"}
    assert cube["Oa08_radiance"].dims == ("time", "latitude", "longitude")
    assert cube.sizes["time"] == 2
    assert cube.sizes["latitude"] == pytest.approx(1 / 0.003, abs=2)  # 0.003 degree default
    assert cube["Oa08_radiance"].attrs["units"] == "mW.m-2.sr-1.nm-1"
    assert "invalid" in cube.attrs["quality"]
    values = cube.compute()
    count = values["count"].values
    assert count.sum() > 100 and count.max() >= 1
    for name in swaths.OLCI_VARIABLES:
        data = values[name].values
        assert np.isfinite(data).sum() == (count > 0).sum()  # NaN exactly in empty cells
        assert np.nanmin(data) > 0 and np.nanmax(data) < 1000  # TOA radiances, mW/m2/sr/nm
    # without bbox=: the footprints' union, lazily (nothing computed)
    whole = cdse_intake.load(products[:1])
    west, south, east, north = _bounds(products[0])
    assert (
        float(whole.longitude.min()) < west + 0.003 and float(whole.longitude.max()) > east - 0.003
    )
    assert (
        float(whole.latitude.min()) < south + 0.003 and float(whole.latitude.max()) > north - 0.003
    )
    with pytest.raises(ValueError, match=r"min_qa=0\.5: Sentinel-3 OLCI products have no qa_value"):
        cdse_intake.load(products, bbox=bbox, min_qa=0.5)


def _bounds(product):
    from shapely.geometry import shape

    return shape(product.footprint).bounds


# -- the binning itself, on made-up pixels -------------------------------------------------------


def test_cell_of_a_centre_on_an_edge_and_outside():
    from odc.geo.geobox import GeoBox

    box = GeoBox.from_bbox((0, 0, 1, 1), "EPSG:4326", resolution=0.25)  # 4 x 4 cells
    lon = np.array([0.1, 0.25, 0.99, 1.0, -0.01, 0.5, np.nan])
    lat = np.array([0.9, 0.75, 0.01, 0.5, 0.5, 1.0, 0.5])
    index = cell_index(lon, lat, box.affine, (4, 4))
    # (0.1, 0.9): row 0 col 0; (0.25, 0.75) on edges: east/south cell row 1 col 1;
    # (0.99, 0.01): row 3 col 3; east edge, west of it, NaN: outside; (0.5, 1.0) north edge: row 0
    assert index.tolist() == [0, 5, 15, -1, -1, 2, -1]
    rows = swath_rows(
        np.array([[5.0, 5.0], [0.5, 9.0], [0.1, 0.2], [9.0, 9.0]]),
        np.full((4, 2), 0.5),
        box.affine,
        (4, 4),
    )
    assert rows == slice(1, 3)


def test_sums_use_pixels_with_every_value_and_kept():
    index = np.array([0, 0, 1, 2, -1])
    a = np.array([1.0, 3.0, 5.0, np.nan, 7.0])
    b = np.array([10.0, 30.0, np.nan, 1.0, 1.0])
    sums, count = bin_sums(index, [a, b], np.array([True, True, True, True, True]), 3)
    assert count.tolist() == [2, 0, 0]  # cell 1: b missing; cell 2: a missing; -1: outside
    assert sums.tolist() == [[4.0, 0.0, 0.0], [40.0, 0.0, 0.0]]
    sums, count = bin_sums(index, [a], np.array([False, True, True, True, True]), 3)
    assert count.tolist() == [1, 1, 0] and sums.tolist() == [[3.0, 5.0, 0.0]]


def test_temporal_mean_weighs_each_day_by_its_count():
    time = np.array(["2023-01-01", "2023-01-02", "2023-02-01"], dtype="datetime64[ns]")
    cube = xr.Dataset(
        {
            "v": (("time", "latitude", "longitude"), np.array([1.0, 2.0, np.nan]).reshape(3, 1, 1)),
            "count": (
                ("time", "latitude", "longitude"),
                np.array([1, 3, 0], "int32").reshape(3, 1, 1),
            ),
        },
        coords={"time": time, "product": ("time", ["a", "b", "c"])},
    )
    out = swaths.temporal_mean(cube, "1MS")
    assert out["v"].values.ravel().tolist()[0] == pytest.approx(1.75)  # (1*1 + 2*3) / 4
    assert np.isnan(out["v"].values.ravel()[1]) and out["count"].values.ravel().tolist() == [4, 0]
    with pytest.raises(ValueError, match="count"):
        swaths.temporal_mean(cube.drop_vars("count"))


def test_products_of_one_step_weigh_by_their_pixels():
    """Two products binned into one step: every pixel weighs the same, not every product."""
    first = (np.array([[2.0, 0.0, 0.0]]), np.array([1, 0, 0]))  # one pixel of 2 in cell 0
    second = (np.array([[12.0, 4.0, 0.0]]), np.array([3, 1, 0]))  # three of mean 4, one of 4
    means, count = combine([first, second], (1, 3), np.float32)
    assert means.dtype == np.float32 and count.dtype == np.int32
    assert means[0, 0, 0] == pytest.approx(3.5) and means[0, 0, 1] == 4.0  # (2 + 12) / 4
    assert np.isnan(means[0, 0, 2]) and count.tolist() == [[4, 1, 0]]
