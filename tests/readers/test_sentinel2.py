"""Sentinel-2 L1C/L2A SAFE reader: pixel values, scaling of both baseline conventions,
coordinates and CRS, metadata, every zip layout, remote, pickling, and the real samples."""

from __future__ import annotations

import pickle
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from cdse_intake.emulator.products import sentinel2 as s2
from cdse_intake.emulator.products._raster import raster_bytes
from cdse_intake.errors import PartialProductWarning, UnsupportedProduct
from cdse_intake.readers import open_product
from cdse_intake.readers import sentinel2 as reader
from cdse_intake.readers._s2_bands import NATIVE
from cdse_intake.readers.source import from_local

from .conftest import LAYOUTS, write_product

L1C_GROUPS = {
    "r10m": ["B02", "B03", "B04", "B08", "TCI"],
    "r20m": ["B05", "B06", "B07", "B8A", "B11", "B12"],
    "r60m": ["B01", "B09", "B10"],
}


def _by_baseline(entries, family: str, legacy: bool):
    found = [e for e in entries(family) if s2.has_offset(e.extra["baseline"]) != legacy]
    assert found, f"no {'legacy' if legacy else '04.00+'} {family} product in the emulator"
    return found[0]


def _offset(entry) -> int:
    return s2.BOA_OFFSET if s2.has_offset(entry.extra["baseline"]) else 0


def _grid(shape):
    return np.mgrid[0 : shape[0], 0 : shape[1]]


def _reflectance(band: str, rows, cols, resolution, entry) -> np.ndarray:
    dn = s2.expected_dn(entry, band, rows, cols, resolution).astype(np.float64)
    return (dn + _offset(entry)) / s2.QUANTIFICATION


def _check_band(da: xr.DataArray, band: str, resolution: int | None, entry) -> None:
    rows, cols = _grid(da.shape)
    np.testing.assert_allclose(
        da.values, _reflectance(band, rows, cols, resolution, entry), rtol=0, atol=2e-7
    )
    assert da.dtype == np.float32


def _check_grid(ds: xr.Dataset, resolution: int, entry) -> None:
    window = s2.granule_window(entry)
    x, y = window.centres(resolution)
    np.testing.assert_array_equal(ds.x.values, x)
    np.testing.assert_array_equal(ds.y.values, y)
    assert ds.rio.crs.to_epsg() == window.epsg
    assert ds["spatial_ref"].attrs["crs_wkt"]


# -- Level-2A ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("layout", "legacy"),
    [*((layout, False) for layout in LAYOUTS), ("cdse", True), ("folder", True)],
)
def test_l2a_tree_values_every_layout(entries, local_source, layout, legacy):
    entry = _by_baseline(entries, "sentinel2_l2a", legacy)
    tree = reader.open(local_source(entry, layout))
    assert isinstance(tree, xr.DataTree)
    assert set(tree.children) == {"r10m", "r20m", "r60m"}
    r10, r20, r60 = (tree[g].to_dataset() for g in ("r10m", "r20m", "r60m"))
    expected = {
        res: [n for n in s2.L2A_CONTENT[res] if not (n == "B01" and res == 20 and legacy)]
        for res in (10, 20, 60)
    }
    for res, ds in ((10, r10), (20, r20), (60, r60)):
        assert sorted(ds.data_vars) == sorted(expected[res])
        _check_grid(ds, res, entry)
        assert ds.attrs["resolution"] == res
    assert ("B01" in r20) is not legacy  # B01 at 20 m only from baseline 04.00 on
    _check_band(r10["B04"], "B04", 10, entry)
    _check_band(r10["B08"], "B08", 10, entry)
    _check_band(r20["B04"], "B04", 20, entry)  # the resampled copies CDSE ships
    _check_band(r20["B8A"], "B8A", 20, entry)
    _check_band(r60["B09"], "B09", 60, entry)
    _check_band(r60["B01"], "B01", 60, entry)
    for res, ds in ((20, r20), (60, r60)):
        rows, cols = _grid(ds["SCL"].shape)
        np.testing.assert_array_equal(ds["SCL"].values, s2.expected_scl(entry, rows, cols, res))
        assert ds["SCL"].dtype == np.uint8
    for res, ds in ((10, r10), (60, r60)):
        tci = ds["TCI"]
        assert tci.dims == ("rgb", "y", "x") and tci.dtype == np.uint8
        assert list(tci.rgb.values) == ["red", "green", "blue"]
        rows, cols = _grid(tci.shape[1:])
        np.testing.assert_array_equal(tci.values, s2.expected_tci(entry, rows, cols, res))
    rows, cols = _grid(r20["AOT"].shape)
    np.testing.assert_allclose(
        r20["AOT"].values, s2.expected_dn(entry, "AOT", rows, cols, 20) / 1000.0, rtol=1e-6
    )
    np.testing.assert_allclose(
        r20["WVP"].values, s2.expected_dn(entry, "WVP", rows, cols, 20) / 1000.0, rtol=1e-6
    )
    assert r20["WVP"].attrs["units"] == "cm"


def test_l2a_attributes_and_time(entries, local_source):
    entry = _by_baseline(entries, "sentinel2_l2a", legacy=False)
    tree = reader.open(local_source(entry))
    attrs = tree.attrs
    assert attrs["product_name"] == entry.name
    assert attrs["product_type"] == "S2MSI2A"
    assert attrs["processing_level"] == "Level-2A"
    assert attrs["processing_baseline"] == entry.extra["baseline"]
    assert attrs["spacecraft"] == f"Sentinel-2{entry.name[2]}"
    assert attrs["tile_id"] == entry.extra["tile"]
    assert attrs["relative_orbit"] == entry.attribute("relativeOrbitNumber")
    assert attrs["absolute_orbit"] == entry.attribute("orbitNumber")
    assert attrs["cloud_cover"] == pytest.approx(entry.attribute("cloudCover"))
    assert attrs["crs"] == f"EPSG:{s2.granule_window(entry).epsg}"
    assert attrs["quantification_value"] == s2.QUANTIFICATION
    assert attrs["aot_quantification_value"] == 1000.0
    assert attrs["band_names"] == list(s2.BANDS)
    assert attrs["boa_add_offset"] == [s2.BOA_OFFSET] * 13
    assert attrs["radiometric_offsets"] == [s2.BOA_OFFSET] * 13
    assert attrs["solar_irradiance"] == list(s2.SOLAR_IRRADIANCE)
    assert attrs["product_start_time"].startswith(f"{entry.start:%Y-%m-%dT%H:%M:%S}")
    assert attrs["geospatial_bounds"].startswith("POLYGON ((")
    # time: the tile's sensing time (MTD_TL.xml), UTC-naive nanoseconds, inherited by groups
    sensing = (entry.start + timedelta(seconds=8.8)).replace(tzinfo=None)
    assert tree["time"].dtype == np.dtype("datetime64[ns]")
    assert tree["time"].values == np.datetime64(sensing, "ns")
    assert tree["r20m"].to_dataset()["time"].values == np.datetime64(sensing, "ns")
    band = tree["r10m"]["B04"]
    lo, hi, centre = s2.WAVELENGTHS["B04"]
    assert band.attrs["wavelength"] == centre
    assert band.attrs["bandwidth"] == hi - lo
    assert band.attrs["solar_irradiance"] == s2.SOLAR_IRRADIANCE[3]
    assert band.attrs["common_name"] == "red"
    assert band.attrs["units"] == "1"
    assert band.attrs["radiometric_offset"] == s2.BOA_OFFSET
    assert "bottom-of-atmosphere" in band.attrs["long_name"]
    scl = tree["r20m"]["SCL"]
    assert list(scl.attrs["flag_values"]) == list(range(12))
    assert scl.attrs["flag_meanings"].split() == [c.lower() for c in s2.SCL_CLASSES]


def test_metadata_agrees_with_the_granule_window(entries, local_source):
    for entry in entries("sentinel2_l2a") + entries("sentinel2_l1c"):
        md = reader.read_metadata(local_source(entry))
        window = s2.granule_window(entry)
        assert md.geocoding.epsg == window.epsg
        for res in (10, 20, 60):
            assert md.geocoding.origins[res] == (window.x0, window.y0, res, -res)
            assert md.geocoding.sizes[res] == window.shape(res)
        assert (md.offsets is not None) == s2.has_offset(entry.extra["baseline"])
        assert md.missing() == []


# -- Level-1C ------------------------------------------------------------------------------------


@pytest.mark.parametrize("legacy", [False, True], ids=["offset", "legacy"])
def test_l1c_bands_at_native_resolution(entries, local_source, legacy):
    entry = _by_baseline(entries, "sentinel2_l1c", legacy)
    tree = reader.open(local_source(entry, "flat"))
    assert {g: list(tree[g].data_vars) for g in tree.children} == L1C_GROUPS
    for group, names in L1C_GROUPS.items():
        ds = tree[group].to_dataset()
        res = int(group[1:-1])
        _check_grid(ds, res, entry)
        for name in names:
            if name == "TCI":
                rows, cols = _grid(ds[name].shape[1:])
                expected = s2.expected_tci(entry, rows, cols, 10)
                np.testing.assert_array_equal(ds[name].values, expected)
            else:
                _check_band(ds[name], name, None, entry)
                assert "top-of-atmosphere" in ds[name].attrs["long_name"]
    if legacy:
        assert "radio_add_offset" not in tree.attrs
        assert tree.attrs["radiometric_offsets"] == [0.0] * 13
    else:
        assert tree.attrs["radio_add_offset"] == [s2.BOA_OFFSET] * 13
    assert tree.attrs["product_type"] == "S2MSI1C"
    assert "physical_gains" in tree.attrs


# -- options -------------------------------------------------------------------------------------


@pytest.mark.parametrize("legacy", [False, True], ids=["offset", "legacy"])
def test_raw_digital_numbers_decode_to_the_same_reflectance(entries, local_source, legacy):
    entry = _by_baseline(entries, "sentinel2_l2a", legacy)
    source = local_source(entry)
    raw = reader.open(source, resolution=20, scale=False)
    scaled = reader.open(source, resolution=20)
    b05 = raw["B05"]
    assert b05.dtype == np.uint16
    rows, cols = _grid(b05.shape)
    np.testing.assert_array_equal(b05.values, s2.expected_dn(entry, "B05", rows, cols, 20))
    assert b05.attrs["_FillValue"] == 0
    assert b05.attrs["scale_factor"] == pytest.approx(1 / s2.QUANTIFICATION)
    assert b05.attrs["add_offset"] == pytest.approx(_offset(entry) / s2.QUANTIFICATION)
    assert raw["AOT"].attrs["scale_factor"] == pytest.approx(1e-3)
    assert "scale_factor" not in raw["SCL"].attrs and "scale_factor" not in raw["TCI"].attrs
    decoded = xr.decode_cf(raw)
    for name in ("B05", "B8A", "AOT", "WVP"):
        np.testing.assert_array_equal(decoded[name].values, scaled[name].values)
        assert decoded[name].dtype == np.float32
    np.testing.assert_array_equal(raw["SCL"].values, scaled["SCL"].values)


def test_reflectance_writes_to_netcdf_as_the_original_digital_numbers(
    entries, local_source, tmp_path
):
    entry = _by_baseline(entries, "sentinel2_l2a", legacy=False)
    ds = reader.open(local_source(entry), resolution=20, bands=["B05", "SCL"])
    ds.to_netcdf(tmp_path / "b05.nc", engine="h5netcdf")
    raw = xr.open_dataset(tmp_path / "b05.nc", engine="h5netcdf", mask_and_scale=False)
    assert raw["B05"].dtype == np.uint16  # the encoding kept from the CF decoding
    rows, cols = _grid(raw["B05"].shape)
    np.testing.assert_array_equal(raw["B05"].values, s2.expected_dn(entry, "B05", rows, cols, 20))
    back = xr.open_dataset(tmp_path / "b05.nc", engine="h5netcdf", decode_coords="all")
    np.testing.assert_array_equal(back["B05"].values, ds["B05"].values)
    assert back.rio.crs.to_epsg() == s2.granule_window(entry).epsg
    assert back["time"].values == ds["time"].values


def test_nodata_becomes_nan_and_saturated_stays(entries, tmp_path):
    entry = _by_baseline(entries, "sentinel2_l2a", legacy=False)
    folder = write_product(entry, tmp_path, "folder")
    (b04,) = folder.glob("GRANULE/*/IMG_DATA/R10m/*_B04_10m.jp2")
    window = s2.granule_window(entry)
    rows, cols = _grid(window.shape(10))
    dn = s2.expected_dn(entry, "B04", rows, cols, 10)
    dn[:5, :7] = 0
    dn[10, 10] = 65535
    b04.write_bytes(
        raster_bytes(
            dn,
            driver="JP2OpenJPEG",
            crs=f"EPSG:{window.epsg}",
            transform=window.transform(10),
            QUALITY=100,
            REVERSIBLE="YES",
        )
    )
    da = reader.open(from_local(folder), resolution=10, bands=["B04"])["B04"].values
    assert np.isnan(da[:5, :7]).all()
    assert np.isfinite(da[5:, :]).all() and np.isfinite(da[:, 7:]).all()
    assert da[10, 10] == pytest.approx((65535 + s2.BOA_OFFSET) / s2.QUANTIFICATION)
    assert da[20, 30] == pytest.approx((int(dn[20, 30]) + s2.BOA_OFFSET) / s2.QUANTIFICATION)


def test_one_resolution_and_band_selection(entries, local_source):
    entry = _by_baseline(entries, "sentinel2_l2a", legacy=False)
    source = local_source(entry)
    ds = reader.open(source, resolution=60, bands=["b1", "B8A", "SCL"])
    assert isinstance(ds, xr.Dataset)
    assert list(ds.data_vars) == ["B01", "B8A", "SCL"]
    assert ds.attrs["resolution"] == 60
    assert ds.attrs["product_name"] == entry.name
    assert ds["time"].dtype == np.dtype("datetime64[ns]")
    _check_grid(ds, 60, entry)
    _check_band(ds["B01"], "B01", 60, entry)
    tree = reader.open(source, bands="B08,SCL")  # one string, as the CLI passes options
    assert set(tree.children) == {"r10m", "r20m", "r60m"}
    assert list(tree["r10m"].data_vars) == ["B08"]
    assert list(tree["r20m"].data_vars) == ["SCL"]
    assert reader.open(source, resolution="r20m", bands=["SCL"]).attrs["resolution"] == 20


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"resolution": 15}, ValueError, r"resolution=15 .*10, 20, 60"),
        ({"resolution": True}, ValueError, r"resolution=True"),
        ({"resolution": "fine"}, ValueError, r"resolution='fine'"),
        ({"bands": ["B13"]}, ValueError, r"'B13' is not an image .*B01.*SCL"),
        ({"bands": ["B08"], "resolution": 20}, ValueError, r"'B08' is not at 20 m .*at 10 m"),
        ({"bands": []}, ValueError, r"bands=\[\]"),
        ({"bands": [4]}, ValueError, r"bands=\[4\]"),
        ({"scale": "yes"}, ValueError, r"scale='yes'"),
        ({"chunks": {"time": 1}}, ValueError, r"no dimension 'time'"),
    ],
)
def test_bad_options_are_clear_errors(entries, local_source, options, error, message):
    source = local_source(_by_baseline(entries, "sentinel2_l2a", legacy=False))
    with pytest.raises(error, match=message):
        reader.open(source, **options)


def test_chunks(entries, local_source):
    entry = _by_baseline(entries, "sentinel2_l2a", legacy=False)
    source = local_source(entry)
    lazy = reader.open(source, resolution=10, chunks=None)
    assert lazy["B04"].chunks is None and lazy["TCI"].chunks is None
    _check_band(lazy["B04"], "B04", 10, entry)
    chunked = reader.open(source, resolution=10, chunks={"x": 100, "y": 50, "rgb": 3})
    assert chunked["B04"].chunks == ((50,) * 7 + (16,), (100,) * 3 + (66,))
    assert chunked["TCI"].chunks[0] == (3,)
    _check_band(chunked["B04"], "B04", 10, entry)
    auto = reader.open(source, resolution=10)
    assert auto["B04"].chunks is not None  # whole JP2 tiles (the emulator's are 256 px)
    assert all(c % 256 == 0 for c in auto["B04"].chunks[0][:-1])


# -- where the product is ------------------------------------------------------------------------


@pytest.mark.parametrize("family", ["sentinel2_l1c", "sentinel2_l2a"])
def test_remote_and_pickled(entries, remote_source, family):
    entry = _by_baseline(entries, family, legacy=False)
    tree = reader.open(remote_source(entry))
    again = pickle.loads(pickle.dumps(tree))
    _check_band(again["r20m"]["B05"], "B05", None if family.endswith("l1c") else 20, entry)
    # 366 px at 10 m span 2 x 2 JPEG 2000 tiles: a multi-tile window read by range
    _check_band(again["r10m"]["B04"], "B04", None if family.endswith("l1c") else 10, entry)
    corner = tree["r10m"]["B03"][:8, :8]
    _check_band(corner, "B03", None if family.endswith("l1c") else 10, entry)
    _check_grid(again["r10m"].to_dataset(), 10, entry)
    assert again.attrs["product_name"] == entry.name


def test_pickled_local_dataset_computes(entries, local_source):
    entry = _by_baseline(entries, "sentinel2_l2a", legacy=True)
    ds = reader.open(local_source(entry, "nosuffix"), resolution=20)
    again = pickle.loads(pickle.dumps(ds))
    _check_band(again["B12"], "B12", 20, entry)
    rows, cols = _grid(again["SCL"].shape)
    np.testing.assert_array_equal(again["SCL"].values, s2.expected_scl(entry, rows, cols, 20))


def test_open_product_detects_sentinel2(entries, tmp_path):
    entry = _by_baseline(entries, "sentinel2_l1c", legacy=False)
    path = write_product(entry, tmp_path, "nosuffix")
    tree = open_product(path)
    assert tree.attrs["cdse_family"] == "sentinel-2"
    ds = open_product(path, group="r60m")
    _check_band(ds["B10"], "B10", None, entry)
    assert open_product(path, resolution=10, bands=["B02"])["B02"].shape == (366, 366)


# -- broken and hostile products -----------------------------------------------------------------


def test_georeferencing_disagreeing_with_mtd_tl_is_refused(entries, tmp_path):
    entry = _by_baseline(entries, "sentinel2_l2a", legacy=False)
    folder = write_product(entry, tmp_path, "folder")
    (tile,) = folder.glob("GRANULE/*/MTD_TL.xml")
    window = s2.granule_window(entry)
    text = tile.read_text()
    assert text.count(f"<ULX>{window.x0:.0f}</ULX>") == 3
    tile.write_text(text.replace(f"<ULX>{window.x0:.0f}</ULX>", f"<ULX>{window.x0 + 60:.0f}</ULX>"))
    with pytest.raises(UnsupportedProduct, match=r"MTD_TL\.xml gives"):
        reader.open(from_local(folder), resolution=10)


def test_a_missing_image_is_named(entries, tmp_path):
    entry = _by_baseline(entries, "sentinel2_l2a", legacy=False)
    folder = write_product(entry, tmp_path, "folder")
    (scl,) = folder.glob("GRANULE/*/IMG_DATA/R20m/*_SCL_20m.jp2")
    scl.unlink()
    with pytest.warns(
        PartialProductWarning, match=r"without 1 missing band files: .*_SCL_20m\.jp2"
    ):
        tree = reader.open(from_local(folder))
    assert "SCL" not in tree["r20m"].data_vars and "SCL" in tree["r60m"].data_vars
    with pytest.raises(UnsupportedProduct, match=r"band SCL was asked for .*SCL_20m\.jp2 at 20 m"):
        reader.open(from_local(folder), resolution=20, bands=["SCL"])
    ds = reader.open(from_local(folder), resolution=20, bands=["B05"])  # not needed: opens
    _check_band(ds["B05"], "B05", 20, entry)


@pytest.mark.parametrize("target", ["MTD_MSIL2A.xml", "GRANULE/*/MTD_TL.xml"])
def test_hostile_metadata_is_refused(entries, tmp_path, target):
    entry = _by_baseline(entries, "sentinel2_l2a", legacy=False)
    folder = write_product(entry, tmp_path, "folder")
    (path,) = folder.glob(target)
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n<root>&lol2;</root>\n'
    )
    with pytest.raises(UnsupportedProduct, match="DTD or entities"):
        reader.open(from_local(folder))


def test_a_product_without_metadata_is_refused(entries, tmp_path):
    folder = write_product(_by_baseline(entries, "sentinel2_l1c", False), tmp_path, "folder")
    (folder / "MTD_MSIL1C.xml").unlink()
    (folder / "manifest.safe").unlink()  # with it, the product opens (test_sentinel2_partial)
    with pytest.raises(UnsupportedProduct, match=r"neither MTD_MSIL1C\.xml/MTD_MSIL2A\.xml .*nor"):
        reader.open(from_local(folder))
    shutil.rmtree(next(folder.glob("GRANULE")))
    with pytest.raises(UnsupportedProduct, match=r"manifest\.safe"):
        reader.read_metadata(from_local(folder))


# -- real products (metadata only: the samples hold no image) ------------------------------------

REAL = {
    "S2A_MSIL1C_20210908T042701_N0301_R133_T46RER_20210908T070248.SAFE": {
        "level": "L1C",
        "baseline": "03.01",
        "offsets": None,
        "epsg": 32646,
        "origin": (499980.0, 3100020.0),
        "tile": "46RER",
        "images": 14,
        "ext": ".jp2",
        "relative_orbit": 133,
        "absolute_orbit": 32448,
        "cloud": 88.2972,
        "sensing": "2021-09-08T04:40:48.758475",
    },
    "S2A_MSIL2A_20190212T192651_N0212_R013_T07HFE_20201007T160857.SAFE": {
        "level": "L2A",
        "baseline": "02.12",
        "offsets": None,
        "epsg": 32707,
        "origin": (600000.0, 6500020.0),
        "tile": "07HFE",
        "images": 35,
        "ext": ".tif",
        "relative_orbit": 13,
        "absolute_orbit": 19029,
        "cloud": None,
        "sensing": "2019-02-12T19:33:32.161",
    },
    "S2B_MSIL2A_20220413T150759_N0400_R025_T33XWJ_20220414T082126.SAFE": {
        "level": "L2A",
        "baseline": "04.00",
        "offsets": -1000.0,
        "epsg": 32633,
        "origin": (499980.0, 8900040.0),
        "tile": "33XWJ",
        "images": 36,
        "ext": ".tif",
        "relative_orbit": 25,
        "absolute_orbit": 26649,
        "cloud": 98.944211,
        "sensing": "2022-04-13T15:08:07.846358",
    },
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_sample_metadata(reference_dir, name):
    path = Path(reference_dir) / "samples" / "products" / "sentinel-2" / name
    if not path.exists():
        pytest.skip(f"real sample {name} is not in the reference folder")
    want = REAL[name]
    md = reader.read_metadata(from_local(path))
    assert md.level == want["level"]
    assert md.product_uri == name
    assert md.processing_baseline == want["baseline"]
    assert md.quantification == 10000.0
    if want["offsets"] is None:
        assert md.offsets is None
        assert all(b.offset == 0 for b in md.bands.values())
    else:
        assert md.offsets == dict.fromkeys(reader.BANDS, want["offsets"])
        assert md.bands["B04"].offset == want["offsets"]
    assert list(md.bands) == list(reader.BANDS)
    assert md.bands["B8A"].resolution == 20 and md.bands["B10"].resolution == 60
    assert md.bands["B04"].wavelength_min < md.bands["B04"].wavelength_central < 700
    assert md.bands["B12"].solar_irradiance is not None
    if want["level"] == "L2A":
        assert md.aot_quantification == 1000.0 and md.wvp_quantification == 1000.0
        assert md.scene_classes[9] == "CLOUD_HIGH_PROBA"
    assert md.geocoding.epsg == want["epsg"]
    assert md.geocoding.sizes == {10: (10980, 10980), 20: (5490, 5490), 60: (1830, 1830)}
    for res in (10, 20, 60):
        assert md.geocoding.origins[res] == (*want["origin"], res, -res)
    assert md.tile == want["tile"]
    assert md.relative_orbit == want["relative_orbit"]
    assert md.absolute_orbit == want["absolute_orbit"]
    if want["cloud"] is not None:
        assert md.cloud_cover == pytest.approx(want["cloud"])
    assert md.sensing_time == datetime.fromisoformat(want["sensing"]).replace(tzinfo=UTC)
    assert len(md.images) == want["images"]
    names = {(i.name, i.resolution) for i in md.images}
    if want["level"] == "L1C":
        assert names == {(b, NATIVE[b]) for b in reader.BANDS} | {("TCI", 10)}
    else:
        assert {("SCL", 20), ("SCL", 60), ("TCI", 10), ("AOT", 60), ("B8A", 60)} <= names
        assert (("B01", 20) in names) is (want["baseline"] >= "04.00")
    attrs = md.attrs()
    assert attrs["processing_baseline"] == want["baseline"]
    assert attrs["band_names"] == list(reader.BANDS)
    # the samples carry no image: they open as metadata only, naming what is missing
    missing = md.missing()
    assert len(missing) == want["images"]
    assert all(m.endswith(want["ext"]) for m in missing)
    with pytest.warns(PartialProductWarning, match=rf"{name}: opened without {want['images']} "):
        tree = reader.open(from_local(path))
    assert tree.attrs["processing_baseline"] == want["baseline"]
    assert set(tree.children) == {"r10m", "r20m", "r60m"}
    r60 = tree["r60m"].to_dataset()
    assert not r60.data_vars and r60.sizes == {"y": 1830, "x": 1830}
    assert r60.x.values[0] == want["origin"][0] + 30 and r60.rio.crs.to_epsg() == want["epsg"]
