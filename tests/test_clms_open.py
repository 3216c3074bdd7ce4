"""``cdse_intake.open_clms``: CDSE's copy of a CLMS dataset when it can serve the cut, else the
land service; against the emulator (its CDSE products and its land service draw from one
synthetic Earth, so both paths can be checked against the source of truth)."""

from __future__ import annotations

import logging
from datetime import date

import numpy as np
import pytest

import cdse_intake
from cdse_intake.errors import CLMSQueryError

from ._land import posts

#: Normalised Difference Vegetation Index 300 m, 10-daily, version 2 (CDSE: *_v2_nc).
NDVI_V2 = "efd6feb1a61debc1459e6b0237ee7be9"
#: Land Cover 100 m, epoch 2019: CDSE holds no copy.
LAND_COVER_2019 = "a8d945f0edd143a0a5240c28bafa23da"
#: The emulator's CDSE NDVI products are 512 x 512 windows around a site (the real ones are
#: global): its 2023-06-21 product lies over the United Arab Emirates, so the box is there.
BOX = (55.5, 24.6, 55.9, 24.9)
DEKAD = ("2023-06-21", "2023-06-30")


@pytest.fixture(scope="module")
def emulator():
    """An emulator as a user gets it, every listed product deliverable (the session's delivers
    only a showcase, where the CDSE copies of CLMS products are records without bytes)."""
    from cdse_intake.emulator.server import Emulator

    with Emulator(deliver="all", s3=False) as emu:
        yield emu


@pytest.fixture
def emu(emulator, monkeypatch, tmp_path):
    """The module's emulator, its log and land service reset; the client pointed at it."""
    for key, value in emulator.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CDSE_CLMS_POLL_INTERVAL", "0.2")
    monkeypatch.setenv("CDSE_CACHE_DIR", str(tmp_path / "cache"))
    emulator.faults.clear()
    emulator.state.reset_counters()
    emulator.land.reset()
    emulator.land.delays = (0.1, 0.3)
    yield emulator
    emulator.land.reset()
    emulator.land.clock.advance(60)  # no task of this test left pending for the next


def cdse_bytes(emu) -> int:
    return sum(r.bytes_sent for r in emu.state.requests() if "/api/" not in r.path)


def test_cdse_copy_serves_the_cut_with_the_source_values(emu):
    from cdse_intake.emulator.land.source import values

    ds = cdse_intake.open_clms(NDVI_V2, bbox=BOX, time=DEKAD, scale=False).load()

    assert ds.attrs["clms_source"] == "cdse" and posts(emu) == 0
    assert ds.attrs["clms_products"] == ["c_gls_NDVI300_202306210000_GLOBE_OLCI_V2.0.1_nc"]
    assert cdse_bytes(emu) > 0
    assert ds.rio.crs.to_epsg() == 4326 and ds.NDVI.dims == ("time", "y", "x")
    assert [str(t)[:10] for t in ds.time.values] == ["2023-06-21"]
    # the pixels the box touches, on the product's own grid (centres on multiples of 1/336°)
    x, y = ds.x.values, ds.y.values
    step = 1 / 336
    assert np.allclose(np.diff(x), step) and np.allclose(np.diff(y), -step)
    left, right, bottom, top = x[0] - step / 2, x[-1] + step / 2, y[-1] - step / 2, y[0] + step / 2
    assert left <= BOX[0] < left + step and right - step < BOX[2] <= right
    assert bottom <= BOX[1] < bottom + step and top - step < BOX[3] <= top
    lon, lat = np.meshgrid(x, y)
    np.testing.assert_array_equal(ds.NDVI[0].values, values(NDVI_V2, lon, lat, date(2023, 6, 21)))


def test_both_paths_give_the_same_dataset_layout(emu):
    cdse = cdse_intake.open_clms(NDVI_V2, bbox=BOX, time=DEKAD)
    land_cut = cdse_intake.open_clms(NDVI_V2, bbox=BOX, time=DEKAD, prefer_cdse=False)

    assert land_cut.attrs["clms_source"] == "land" and land_cut.attrs["clms_task_id"]
    assert posts(emu) == 1
    assert set(cdse.data_vars) == set(land_cut.data_vars) == {"NDVI", "NDVI_flags"}
    for name in ("NDVI", "NDVI_flags"):
        assert cdse[name].dims == land_cut[name].dims and cdse[name].dtype == land_cut[name].dtype
    assert cdse.NDVI.attrs["ancillary_variables"] == land_cut.NDVI.attrs["ancillary_variables"]
    for key in ("flag_values", "flag_meanings"):
        np.testing.assert_array_equal(cdse.NDVI_flags.attrs[key], land_cut.NDVI_flags.attrs[key])
    assert (cdse.time.values == land_cut.time.values).all()
    assert cdse.rio.crs == land_cut.rio.crs
    assert float(abs(cdse.NDVI - cdse.NDVI_flags * np.float32(0.004) + 0.08).max()) < 1e-6


def test_both_paths_agree_pixel_for_pixel(emu):
    # Found by this test: the emulated land service cut EPSG:4326 with pixel edges on multiples
    # of 1/336 degree, half a pixel off the CGLS grid (centres there) of the products themselves.
    cdse = cdse_intake.open_clms(NDVI_V2, bbox=BOX, time=DEKAD, scale=False)
    land_cut = cdse_intake.open_clms(NDVI_V2, bbox=BOX, time=DEKAD, prefer_cdse=False, scale=False)
    # coordinates: the netCDF's stored centres vs the GeoTIFF's transform (float rounding)
    np.testing.assert_allclose(cdse.x.values, land_cut.x.values, rtol=0, atol=1e-9)
    np.testing.assert_allclose(cdse.y.values, land_cut.y.values, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(cdse.time.values, land_cut.time.values)
    np.testing.assert_array_equal(cdse.NDVI.values, land_cut.NDVI.values)


def test_a_reprojection_goes_to_the_land_service(emu):
    ds = cdse_intake.open_clms(NDVI_V2, bbox=BOX, time=DEKAD, crs="EPSG:3035")
    assert ds.attrs["clms_source"] == "land" and posts(emu) == 1
    assert ds.rio.crs.to_epsg() == 3035


def test_a_dataset_cdse_does_not_hold_goes_to_the_land_service(emu):
    ds = cdse_intake.open_clms(LAND_COVER_2019, bbox=(2.35, 45.88, 2.6, 46.05))
    assert ds.attrs["clms_source"] == "land" and posts(emu) == 1


def test_a_period_cdse_lacks_falls_back_to_the_land_service(emu, caplog):
    # the emulator's CDSE copy holds 2023-06-21 only of June's three dekads
    with caplog.at_level(logging.INFO, logger="cdse_intake.clms"):
        ds = cdse_intake.open_clms(NDVI_V2, bbox=BOX, time=("2023-06-01", "2023-06-30"))
    assert ds.attrs["clms_source"] == "land" and posts(emu) == 1
    assert [str(t)[:10] for t in ds.time.values] == ["2023-06-01", "2023-06-11", "2023-06-21"]
    assert "lacks 2023-06-01, 2023-06-11" in caplog.text


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"bbox": (11.4, 44.6, 11.0, 44.9)}, "bbox=(11.4"),
        ({"bbox": BOX, "time": ("2023-06-30", "2023-06-01")}, "starts after it ends"),
        ({"bbox": BOX, "time": "June"}, "time='June'"),
        ({"bbox": BOX, "crs": 4.5}, "crs=4.5"),
    ],
)
def test_bad_arguments_name_the_value_before_any_request(kwargs, named):
    with pytest.raises(CLMSQueryError, match=named.replace("(", r"\(")):
        cdse_intake.open_clms(NDVI_V2, **kwargs)
