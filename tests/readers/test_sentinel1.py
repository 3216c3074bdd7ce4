"""Sentinel-1 GRD/SLC SAFE reader: pixel values, calibration, geolocation, every product form,
metadata groups against xarray-sentinel, and the real products' structure."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import rasterio
import xarray as xr

from cdse_intake.emulator.products import sentinel1 as emu
from cdse_intake.errors import PartialProductWarning, UnsupportedProduct
from cdse_intake.readers import open_product, sentinel1
from cdse_intake.readers.sentinel1 import GridInterpolator, InterpolatedArray, lazy
from cdse_intake.readers.source import from_local

from .conftest import LAYOUTS, write_product

#: Pixels checked everywhere: corners, edges and inside, off the geolocation grid's nodes.
PIXELS = [(0, 0), (0, emu.SAMPLES - 1), (emu.LINES - 1, 0), (399, 499), (17, 333), (250, 101)]
GROUPS = {
    "gcp",
    "orbit",
    "attitude",
    "dc_estimate",
    "azimuth_fm_rate",
    "coordinate_conversion",
    "calibration",
    "noise_range",
    "noise_azimuth",
}

HOSTILE = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<xfdu:XFDU xmlns:xfdu="urn:ccsds:schema:xfdu:1">&lol2;</xfdu:XFDU>"""


def _at(da: xr.DataArray, pixels=PIXELS) -> np.ndarray:
    return np.array([da[line, pixel].values for line, pixel in pixels])


def _expected_dn(entry, pol: str, pixels=PIXELS) -> np.ndarray:
    return np.array([emu.expected_dn(entry, pol, line, pixel) for line, pixel in pixels])


def _expected_lonlat(entry, pixels=PIXELS) -> tuple[np.ndarray, np.ndarray]:
    lines, cols = np.array(pixels).T
    return emu.geolocation(entry, lines, cols)


# -- the emulator's GRD products ----------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_dn_time_and_attributes_from_every_layout(entries, local_source, layout):
    entry = entries("sentinel1_grd")[0]
    tree = sentinel1.open(local_source(entry, layout))
    ds = tree.to_dataset()
    assert list(ds.data_vars) == ["VV", "VH"]
    for pol in ("VV", "VH"):
        assert ds[pol].dims == ("y", "x")
        assert ds[pol].shape == (emu.LINES, emu.SAMPLES)
        assert ds[pol].dtype == np.uint16
        np.testing.assert_array_equal(_at(ds[pol]), _expected_dn(entry, pol))
    np.testing.assert_array_equal(ds.line, np.arange(emu.LINES))
    np.testing.assert_array_equal(ds.pixel, np.arange(emu.SAMPLES))
    start = np.datetime64(entry.start.replace(tzinfo=None), "ns")
    stop = np.datetime64(entry.end.replace(tzinfo=None), "ns")
    assert ds.azimuth_time.values[0] == start
    assert abs(ds.azimuth_time.values[-1] - stop) < np.timedelta64(1, "us")
    assert ds.time.values == start
    assert ds.ground_range.values[0] == 0.0
    assert ds.ground_range.values[1] == pytest.approx(ds.attrs["range_pixel_spacing"])
    assert ds.attrs["pass_direction"] == entry.extra["direction"]
    assert ds.attrs["absolute_orbit"] == entry.extra["orbit"]
    assert ds.attrs["mission"] == entry.name[:3]
    assert ds.attrs["product_type"] == "GRD"
    assert ds.attrs["polarisations"] == ["VV", "VH"]
    assert ds.attrs["calibration"] == "none"


@pytest.mark.parametrize("which", [0, 1], ids=["first", "second"])
def test_latitude_longitude_follow_the_geolocation_grid(entries, local_source, which):
    entry = entries("sentinel1_grd")[which]
    ds = sentinel1.open(local_source(entry)).to_dataset()
    lon, lat = _expected_lonlat(entry)
    # the emulator's geolocation is bilinear in (line, pixel): interpolating its grid is exact
    np.testing.assert_allclose(_at(ds.latitude), lat, atol=1e-7)
    np.testing.assert_allclose(_at(ds.longitude), lon, atol=1e-7)
    assert ds.latitude.chunks == ds.VV.chunks
    assert ds.latitude.attrs["units"] == "degrees_north"
    # radar axes: no CRS; the same points as GCPs, rioxarray-style, on request
    assert ds.rio.crs is None and "spatial_ref" not in ds.variables
    gcps = sentinel1.with_gcps(ds).VV.rio.get_gcps()
    assert len(gcps) == len(emu.GRID_LINES) * len(emu.GRID_PIXELS)
    assert sentinel1.with_gcps(ds).rio.crs.to_epsg() == 4326
    g = gcps[len(emu.GRID_PIXELS) + 3]
    glon, glat = emu.geolocation(entry, g.row, g.col)
    assert (g.x, g.y) == pytest.approx((float(glon), float(glat)), abs=1e-9)


def test_gcps_geocode_the_image_with_rioxarray(entries, local_source):
    entry = entries("sentinel1_grd")[1]
    ds = sentinel1.open(local_source(entry)).to_dataset()
    geocoded = sentinel1.with_gcps(ds).VV.rio.reproject("EPSG:4326")
    for line, pixel in [(200, 250), (50, 60), (350, 420)]:
        lon, lat = emu.geolocation(entry, line, pixel)
        value = geocoded.sel(x=float(lon), y=float(lat), method="nearest").item()
        # nearest neighbour on a ~1 pixel coarser grid: the value of a pixel at most two away
        near = np.ix_(np.arange(line - 2, line + 3), np.arange(pixel - 2, pixel + 3))
        assert value in emu.expected_dn(entry, "VV", *near)


@pytest.mark.parametrize("calibration", ["sigma0", "beta0", "gamma0", "SIGMA0"])
def test_calibration_gives_linear_backscatter(entries, local_source, calibration):
    entry = entries("sentinel1_grd")[0]
    tree = sentinel1.open(local_source(entry, "flat"), calibration=calibration)
    lines, pixels = np.array(PIXELS).T
    lut = {
        "sigma0": emu.expected_sigma_nought(lines, pixels),
        "gamma0": 0.95 * emu.expected_sigma_nought(lines, pixels),
        "beta0": np.full(len(PIXELS), float(tree["calibration/VV"].betaNought[0, 0])),
    }[calibration.lower()]
    assert float(tree["calibration/VV"].betaNought.std()) == 0.0  # the emulator's beta is flat
    for pol in ("VV", "VH"):
        da = tree[pol]
        assert da.dtype == np.float32
        assert da.attrs["calibration"] == calibration.lower()
        expected = (_expected_dn(entry, pol).astype(float) / lut) ** 2
        np.testing.assert_allclose(_at(da), expected, rtol=2e-6)
    assert tree.attrs["calibration"] == calibration.lower()


def test_calibration_agrees_with_xarray_sentinel(entries, local_source):
    xarray_sentinel = pytest.importorskip("xarray_sentinel")
    tree = sentinel1.open(local_source(entries("sentinel1_grd")[1]), calibration="sigma0")
    raw = sentinel1.open(local_source(entries("sentinel1_grd")[1]))
    window = {"y": slice(40, 60), "x": slice(100, 130)}
    dn = raw.VH.isel(window).swap_dims(y="line", x="pixel").compute()
    theirs = xarray_sentinel.calibrate_intensity(dn, tree["calibration/VH"].sigmaNought)
    np.testing.assert_allclose(tree.VH.isel(window).values, theirs.values, rtol=1e-5)


def test_bad_options_name_the_value_and_what_is_expected(entries, local_source):
    source = local_source(entries("sentinel1_grd")[0])
    with pytest.raises(ValueError, match=r"calibration='sigma1'.*'sigma0', 'beta0', 'gamma0'"):
        sentinel1.open(source, calibration="sigma1")
    with pytest.raises(ValueError, match=r"'XX' is not a Sentinel-1 polarisation"):
        sentinel1.open(source, polarisations="XX")
    with pytest.raises(ValueError, match=r"'HH' is not in .*it has VV, VH"):
        sentinel1.open(source, polarisations=["HH"])
    with pytest.raises(ValueError, match=r"no dimension 'band'"):
        sentinel1.open(source, chunks={"band": 1})


def test_polarisations_select_variables_and_groups(entries, local_source):
    entry = entries("sentinel1_grd")[0]
    tree = sentinel1.open(local_source(entry), polarisations="vh")
    assert list(tree.data_vars) == ["VH"]
    assert set(tree["calibration"].children) == {"VH"}
    np.testing.assert_array_equal(_at(tree.VH), _expected_dn(entry, "VH"))


def test_chunks(entries, local_source):
    entry = entries("sentinel1_grd")[0]
    source = local_source(entry, "nosuffix")
    ds = sentinel1.open(source, chunks={"line": 100, "pixel": 256}).to_dataset()
    assert ds.VV.chunks == ((100,) * 4, (256, 244))
    assert ds.longitude.chunks == ds.VV.chunks
    expected = emu.expected_dn(entry, "VV", *np.indices(ds.VV.shape))
    np.testing.assert_array_equal(ds.VV.values, expected)
    lazy = sentinel1.open(source, chunks=None, calibration="sigma0").to_dataset()
    assert lazy.VV.chunks is None
    assert lazy.latitude.chunks is None
    lines, pixels = np.array(PIXELS).T
    expected = (_expected_dn(entry, "VV") / emu.expected_sigma_nought(lines, pixels)) ** 2
    np.testing.assert_allclose(_at(lazy.VV), expected, rtol=2e-6)
    lon, lat = _expected_lonlat(entry)
    np.testing.assert_allclose(_at(lazy.longitude), lon, atol=1e-7)
    np.testing.assert_allclose(_at(lazy.latitude), lat, atol=1e-7)


@pytest.mark.parametrize("chunks", ["auto", None])
def test_pickles_and_computes_after_loading(entries, local_source, chunks):
    entry = entries("sentinel1_grd")[1]
    tree = sentinel1.open(local_source(entry), chunks=chunks, calibration="gamma0")
    again = pickle.loads(pickle.dumps(tree))
    xr.testing.assert_identical(again.to_dataset().compute(), tree.to_dataset().compute())
    np.testing.assert_allclose(_at(again.latitude), _expected_lonlat(entry)[1], atol=1e-7)


def test_remote_reads_by_range(entries, remote_source):
    entry = entries("sentinel1_grd")[1]
    source = remote_source(entry)
    tree = pickle.loads(pickle.dumps(sentinel1.open(source, calibration="sigma0")))
    raw = sentinel1.open(source, polarisations="VV")
    np.testing.assert_array_equal(_at(raw.VV), _expected_dn(entry, "VV"))
    lines, pixels = np.array(PIXELS).T
    expected = (_expected_dn(entry, "VH") / emu.expected_sigma_nought(lines, pixels)) ** 2
    np.testing.assert_allclose(_at(tree.VH), expected, rtol=2e-6)
    lon, lat = _expected_lonlat(entry)
    np.testing.assert_allclose(_at(tree.longitude), lon, atol=1e-7)
    np.testing.assert_allclose(_at(tree.latitude), lat, atol=1e-7)


def test_metadata_groups_match_xarray_sentinel(entries, local_source):
    xarray_sentinel = pytest.importorskip("xarray_sentinel")
    source = local_source(entries("sentinel1_grd")[0], "folder")
    tree = sentinel1.open(source)
    assert {name for name in tree.children} == GROUPS
    for kind in GROUPS:
        for pol in ("VV", "VH"):
            ours = tree[f"{kind}/{pol}"].to_dataset(inherit=False)
            theirs = xarray_sentinel.open_sentinel1_dataset(
                source.local_path(), group=f"IW/{pol}/{kind}"
            )
            # xarray-sentinel fills this flag with the RMS error values (its bug)
            ours = ours.drop_vars("data_dc_rms_error_above_threshold", errors="ignore")
            theirs = theirs.drop_vars("data_dc_rms_error_above_threshold", errors="ignore")
            xr.testing.assert_allclose(ours.drop_attrs(), theirs.drop_attrs())


def test_read_metadata(entries, local_source):
    for entry in entries("sentinel1_grd"):
        md = sentinel1.read_metadata(local_source(entry))
        assert md.name == entry.name
        assert md.mission == entry.name[:3]
        assert (md.mode, md.product_type, md.resolution_class) == ("IW", "GRD", "H")
        assert md.polarisations == ("VV", "VH")
        assert md.pass_direction == entry.extra["direction"]
        assert md.absolute_orbit == entry.extra["orbit"]
        assert md.start == entry.start
        assert md.stop == entry.end
        assert len(md.footprint) == 4
        assert {(i.swath, i.polarisation) for i in md.images} == {("IW", "VV"), ("IW", "VH")}
        assert all(i.measurement and i.calibration and i.noise for i in md.images)


def test_open_product_detects_the_family_and_passes_options(entries, tmp_path):
    entry = entries("sentinel1_grd")[0]
    path = write_product(entry, tmp_path, "cdse")
    tree = open_product(path, calibration="beta0", polarisations="VV")
    assert tree.attrs["cdse_family"] == "sentinel-1"
    assert list(tree.data_vars) == ["VV"]
    beta = float(tree["calibration/VV"].betaNought[0, 0])
    np.testing.assert_allclose(_at(tree.VV), (_expected_dn(entry, "VV") / beta) ** 2, rtol=2e-6)
    calibration = open_product(path, group="calibration/VH")
    lines, pixels = calibration.line.values[:, None], calibration.pixel.values
    np.testing.assert_allclose(
        calibration.sigmaNought, emu.expected_sigma_nought(lines, pixels), rtol=1e-6
    )


def test_hostile_xml_is_refused(entries, tmp_path):
    entry = entries("sentinel1_grd")[0]
    folder = write_product(entry, tmp_path, "folder")
    (folder / "manifest.safe").write_bytes(HOSTILE)
    with pytest.raises(UnsupportedProduct, match="refused"):
        sentinel1.open(from_local(folder))
    (tmp_path / "b").mkdir()
    folder = write_product(entry, tmp_path / "b", "folder")
    (calibration,) = folder.glob("annotation/calibration/calibration-*-vv-*.xml")
    calibration.write_bytes(HOSTILE)
    with pytest.raises(UnsupportedProduct, match=rf"{calibration.name} was refused"):
        sentinel1.open(from_local(folder))


def test_missing_files(entries, tmp_path):
    entry = entries("sentinel1_grd")[0]
    folder = write_product(entry, tmp_path, "folder")
    (tiff,) = folder.glob("measurement/*-vh-*.tiff")
    tiff.unlink()
    with pytest.warns(PartialProductWarning, match=rf"opened without 1 missing files.*{tiff.name}"):
        tree = sentinel1.open(from_local(folder))
    assert list(tree.data_vars) == ["VV"]
    with pytest.raises(UnsupportedProduct, match=rf"lacks .*{tiff.name}"):
        sentinel1.open(from_local(folder), polarisations="VH")
    (calibration,) = folder.glob("annotation/calibration/calibration-*-vv-*.xml")
    calibration.unlink()
    with pytest.raises(UnsupportedProduct, match=rf"calibration needs .*{calibration.name}"):
        sentinel1.open(from_local(folder), calibration="sigma0", polarisations="VV")
    (folder / "manifest.safe").unlink()
    with pytest.raises(UnsupportedProduct, match=r"manifest\.safe"):
        sentinel1.open(from_local(folder))


def test_grid_interpolation_is_bilinear_and_wraps_longitude():
    rows, cols = np.array([0.0, 10.0, 30.0]), np.array([0.0, 4.0])
    values = np.array([[0.0, 4.0], [10.0, 14.0], [50.0, 54.0]])  # 1*col + (1 then 2)*row
    interp = GridInterpolator(rows, cols, values)
    np.testing.assert_allclose(interp([5.0, 20.0, 40.0], [1.0, 6.0]), [[6, 11], [31, 36], [71, 76]])
    clamped = GridInterpolator(rows, cols, values, clamp=True)
    np.testing.assert_allclose(clamped([-5.0, 40.0], [-1.0, 9.0]), [[0, 4], [50, 54]])
    # a grid crossing the antimeridian, unwrapped to 179..181 degrees
    lon = InterpolatedArray(
        GridInterpolator(
            np.array([0.0, 1.0]), np.array([0.0, 2.0]), np.array([[179.0, 181.0]] * 2)
        ),
        np.array([0.0, 1.0]),
        3,
        wrap=True,
    )
    np.testing.assert_allclose(xr.Variable(("y", "x"), lazy(lon)).values, [[179, -180, -179]] * 2)


# -- the real products ----------------------------------------------------------------------------


def _real(reference_dir, pattern):
    found = sorted((reference_dir / "samples/products/sentinel-1").glob(pattern))
    if not found:
        pytest.skip(f"no {pattern} in the reference samples")
    return found[0]


def test_real_grd_metadata_and_data(reference_dir):
    path = _real(reference_dir, "S1B_IW_GRDH_*.SAFE")
    source = from_local(path)
    md = sentinel1.read_metadata(source)
    assert (md.mission, md.mode, md.product_type, md.pass_direction) == (
        "S1B",
        "IW",
        "GRD",
        "DESCENDING",
    )
    assert (md.absolute_orbit, md.relative_orbit, md.datatake_id) == (26269, 168, 205463)
    assert md.polarisations == ("VV", "VH")
    assert md.start.isoformat() == "2021-04-01T05:26:23.794457+00:00"
    assert md.ipf_version == "003.31"
    assert md.footprint[0] == (12.040968, 45.614502)
    # the sample has real annotations but only the VV image (constant synthetic values)
    with pytest.warns(PartialProductWarning, match=r"opened without 5 missing files \(images"):
        tree = sentinel1.open(source)
    assert list(tree.data_vars) == ["VV"]
    (tiff,) = path.glob("measurement/*-vv-*.tiff")
    with rasterio.open(tiff) as ds:
        constant = ds.read(1, window=((0, 1), (0, 1)))[0, 0]
    sample = tree.VV[::4171, ::6447].values  # a few strips only
    assert (sample == constant).all()
    assert tree.VV.shape == (16685, 25788)
    # interpolating the geolocation grid gives back its points
    gcp = tree["gcp/VV"]
    lines, pixels = gcp.line.values, gcp.pixel.values
    lat = tree.latitude.isel(y=xr.DataArray(lines[[0, 4, -1]]), x=xr.DataArray(pixels[[0, 7, -1]]))
    np.testing.assert_allclose(lat, gcp.latitude.values[[0, 4, -1], [0, 7, -1]], atol=1e-9)
    spacing = tree.attrs["range_pixel_spacing"]
    assert tree.ground_range.values[-1] == pytest.approx(25787 * spacing)
    with pytest.raises(UnsupportedProduct, match="calibration needs"):
        sentinel1.open(source, calibration="sigma0", polarisations="VV")


def test_real_slc_zip_opens_its_swaths(reference_dir):
    path = _real(reference_dir, "S1B_IW_SLC__*.zip")
    source = from_local(path)
    md = sentinel1.read_metadata(source)
    assert (md.product_type, md.swaths) == ("SLC", ("IW1", "IW2", "IW3"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the sample lacks most swaths' files
        tree = sentinel1.open(source, calibration="sigma0")
        raw = sentinel1.open(source)
    assert set(tree.children) == {"IW1", "IW2"}
    assert list(raw["IW1"].data_vars) == ["VV", "VH"]
    assert list(raw["IW2"].data_vars) == ["VH"]
    iw1 = raw["IW1"].to_dataset()
    assert iw1.VV.dtype == np.complex64
    assert iw1.attrs["number_of_bursts"] == 9
    assert iw1.burst.values[1501] == 1
    # burst lines restart in time: line 1501 is earlier than line 1500
    assert iw1.azimuth_time.values[1501] < iw1.azimuth_time.values[1500]
    with _tiff(path, source, "iw1-slc-vv") as ds:
        first = ds.read(1, window=((0, 1), (0, 1)))[0, 0]
    assert (iw1.VV[::3000, ::5000].values == first).all()
    # calibration: |DN|^2 / sigmaNought^2 with the LUT interpolated like xarray-sentinel does
    xarray_sentinel = pytest.importorskip("xarray_sentinel")
    window = {"y": slice(3000, 3003), "x": slice(7000, 7004)}
    dn = iw1.VV.isel(window).swap_dims(y="line", x="pixel").compute()
    expected = xarray_sentinel.calibrate_intensity(dn, tree["IW1/calibration/VV"].sigmaNought)
    np.testing.assert_allclose(tree["IW1"].VV.isel(window).values, expected.values, rtol=1e-5)
    # latitude at a geolocation grid point, interpolated along azimuth time
    gcp = tree["IW1/gcp/VV"]
    assert float(iw1.latitude[1501, 1082]) == pytest.approx(float(gcp.latitude[1, 1]), abs=1e-4)


def _tiff(path, source, marker):
    (rel,) = source.find(f"measurement/*{marker}*.tiff")
    return rasterio.open(f"/vsizip/{path}/{source.path(rel)}")


def test_real_cdse_manifest_parses(reference_dir):
    manifest = reference_dir / "samples/products/cdse-manifests/S1_GRD_manifest.safe"
    if not manifest.exists():
        pytest.skip("no CDSE Sentinel-1 manifest in the reference samples")
    md = sentinel1.parse_manifest(manifest.read_bytes(), str(manifest))
    assert (md.mission, md.product_type, md.absolute_orbit, md.relative_orbit) == (
        "S1A",
        "GRD",
        57028,
        81,
    )
    assert md.ipf_version == "003.90"
    assert md.timeliness == "NRT-3h"
    assert (md.slice_number, md.total_slices) == (21, 30)
    vv = next(i for i in md.images if i.polarisation == "VV")
    assert (
        vv.rfi
        == "annotation/rfi/rfi-s1a-iw-grd-vv-20241217t061735-20241217t061800-057028-07020f-001.xml"
    )
    assert vv.measurement.startswith("measurement/s1a-iw-grd-vv-")
