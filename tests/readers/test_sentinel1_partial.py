"""The Sentinel-1 reader on partial and broken GRD and SLC products: missing measurements (some,
all), missing annotations, empty, foreign and truncated members; and the honest radar geometry
(no CRS on the image axes, the geolocation grid as GCPs)."""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
import rasterio.shutil
import rioxarray  # noqa: F401  (registers .rio)
from rioxarray.exceptions import DimensionMissingCoordinateError

from cdse_intake.emulator.products import sentinel1 as grd_emu
from cdse_intake.emulator.products import sentinel1_slc as slc_emu
from cdse_intake.errors import PartialProductWarning, UnsupportedProduct
from cdse_intake.readers import open_product, sentinel1
from cdse_intake.readers.source import from_local
from tests.emulator.test_products_s1_slc import slc_entries

from .conftest import write_product

#: (line, pixel) sampled in GRD images: corners, edges and inside.
GRD_PIXELS = [(0, 0), (0, 499), (399, 0), (399, 499), (17, 333), (250, 101)]
#: (line, pixel) sampled in every SLC swath (the smallest is 120 x 200).
SLC_PIXELS = [(0, 0), (1, 5), (39, 193), (41, 77), (78, 150), (119, 199)]
PARTIAL = "opened without {n} missing files (images lacking annotation or measurement left out)"
METADATA_ONLY = (
    "opened without {n} missing files (no measurement file at all: opened as metadata only, "
    "no image variables)"
)


def _at(da, pixels) -> np.ndarray:
    return np.array([da.values[line, pixel] for line, pixel in pixels])


@pytest.fixture
def grd(entries, tmp_path) -> tuple[object, Path]:
    """A GRD entry and its complete product folder (writable copy)."""
    entry = entries("sentinel1_grd")[0]
    return entry, write_product(entry, tmp_path, "folder")


@pytest.fixture(scope="module")
def slc_entry():
    return slc_entries(1)[0]


@pytest.fixture
def slc(slc_entry, tmp_path) -> tuple[object, Path]:
    """An IW SLC entry and its complete product folder (writable copy)."""
    folder = tmp_path / slc_entry.name
    for rel, data in slc_emu.build_slc(slc_entry).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    return slc_entry, folder


def _copy(folder: Path, tmp_path: Path, name: str) -> Path:
    (tmp_path / name).mkdir()
    return Path(shutil.copytree(folder, tmp_path / name / folder.name))


def _one(folder: Path, pattern: str) -> Path:
    (found,) = folder.glob(pattern)
    return found


def _message(folder: Path, template: str, names: list[str]) -> str:
    return re.escape(f"{folder}: {template.format(n=len(names))}: {', '.join(names)}")


def _quiet(**options):
    """``sentinel1.open`` failing on any PartialProductWarning."""

    def run(folder: Path):
        with warnings.catch_warnings():
            warnings.simplefilter("error", PartialProductWarning)
            return sentinel1.open(from_local(folder), **options)

    return run


# -- one image missing ------------------------------------------------------------------------


def test_grd_without_one_measurement_keeps_the_other_values(grd, tmp_path):
    entry, complete = grd
    folder = _copy(complete, tmp_path, "partial")
    tiff = _one(folder, "measurement/*-vh-*.tiff")
    tiff.unlink()
    rel = f"measurement/{tiff.name}"
    with pytest.warns(PartialProductWarning, match=_message(folder, PARTIAL, [rel])):
        raw = sentinel1.open(from_local(folder))
    with pytest.warns(PartialProductWarning, match=re.escape(rel)):
        sigma0 = sentinel1.open(from_local(folder), calibration="sigma0")
    assert list(raw.data_vars) == list(sigma0.data_vars) == ["VV"]
    assert set(raw["calibration"].children) == {"VV"}
    whole = _quiet()(complete)
    whole_sigma0 = _quiet(calibration="sigma0")(complete)
    np.testing.assert_array_equal(_at(raw.VV, GRD_PIXELS), _at(whole.VV, GRD_PIXELS))
    np.testing.assert_array_equal(_at(sigma0.VV, GRD_PIXELS), _at(whole_sigma0.VV, GRD_PIXELS))
    lines, pixels = np.array(GRD_PIXELS).T
    expected = grd_emu.expected_dn(entry, "VV", lines, pixels)
    np.testing.assert_array_equal(_at(raw.VV, GRD_PIXELS), expected)


def test_what_was_not_asked_is_not_reported(grd, tmp_path):
    _, complete = grd
    folder = _copy(complete, tmp_path, "partial")
    _one(folder, "measurement/*-vh-*.tiff").unlink()
    _one(folder, "annotation/calibration/noise-*-vh-*.xml").unlink()
    for options in ({"polarisations": "VV"}, {"variables": ["VV"]}):
        tree = _quiet(**options)(folder)
        assert list(tree.data_vars) == ["VV"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", PartialProductWarning)
        assert list(open_product(folder, variables="vv").data_vars) == ["VV"]
    with pytest.raises(ValueError, match=r"polarisations='VV' and variables='VH': give one"):
        sentinel1.open(from_local(folder), polarisations="VV", variables="VH")
    with pytest.raises(UnsupportedProduct, match=r"lacks the files of the images to open: .*-vh-"):
        sentinel1.open(from_local(folder), variables="VH")


def test_a_missing_calibration_table_is_named_too(grd, tmp_path):
    _, complete = grd
    folder = _copy(complete, tmp_path, "partial")
    noise = _one(folder, "annotation/calibration/noise-*-vv-*.xml")
    noise.unlink()
    rel = f"annotation/calibration/{noise.name}"
    with pytest.warns(PartialProductWarning, match=_message(folder, PARTIAL, [rel])):
        tree = sentinel1.open(from_local(folder))
    assert list(tree.data_vars) == ["VV", "VH"]
    assert set(tree["noise_range"].children) == {"VH"}


def test_slc_without_one_measurement(slc, tmp_path):
    entry, complete = slc
    folder = _copy(complete, tmp_path, "partial")
    tiff = _one(folder, "measurement/*-iw2-slc-vh-*.tiff")
    tiff.unlink()
    with pytest.warns(
        PartialProductWarning, match=_message(folder, PARTIAL, [f"measurement/{tiff.name}"])
    ):
        raw = sentinel1.open(from_local(folder))
    with pytest.warns(PartialProductWarning):
        sigma0 = sentinel1.open(from_local(folder), calibration="sigma0")
    whole = _quiet()(complete)
    whole_sigma0 = _quiet(calibration="sigma0")(complete)
    assert list(raw["IW2"].data_vars) == ["VV"]
    for swath in ("IW1", "IW2", "IW3"):
        for pol in raw[swath].data_vars:
            got = _at(raw[swath][pol], SLC_PIXELS)
            assert got.dtype == np.complex64
            np.testing.assert_array_equal(got, _at(whole[swath][pol], SLC_PIXELS))
            lines, pixels = np.array(SLC_PIXELS).T
            expected = slc_emu.expected_dn(entry, swath, pol, lines, pixels)
            np.testing.assert_array_equal(got, expected)
            np.testing.assert_array_equal(
                _at(sigma0[swath][pol], SLC_PIXELS), _at(whole_sigma0[swath][pol], SLC_PIXELS)
            )


# -- no measurement at all: metadata only -------------------------------------------------------


def test_grd_without_measurements_opens_as_metadata(grd, tmp_path):
    entry, complete = grd
    folder = _copy(complete, tmp_path, "metadata")
    names = sorted(f"measurement/{t.name}" for t in folder.glob("measurement/*.tiff"))
    shutil.rmtree(folder / "measurement")
    with pytest.warns(PartialProductWarning, match=r"opened as metadata only") as record:
        tree = sentinel1.open(from_local(folder), calibration="sigma0")
    (warning,) = [w for w in record if w.category is PartialProductWarning]
    assert str(warning.message).startswith(f"{folder}: {METADATA_ONLY.format(n=2)}: ")
    assert sorted(str(warning.message).rsplit(": ", 1)[1].split(", ")) == names
    whole = _quiet()(complete)
    assert not tree.data_vars
    assert tree.attrs["absolute_orbit"] == entry.extra["orbit"]  # the manifest's
    assert tree.attrs["number_of_lines"] == grd_emu.LINES  # the annotation's
    assert tree.attrs["calibration"] == "none"
    for name in ("gcp_latitude", "gcp_longitude", "gcp_height", "gcp_incidence_angle"):
        np.testing.assert_array_equal(tree[name].values, whole[name].values)
    assert set(tree["calibration"].children) == {"VV", "VH"}
    np.testing.assert_array_equal(
        tree["calibration/VV"].sigmaNought.values, whole["calibration/VV"].sigmaNought.values
    )
    with pytest.raises(ValueError, match="no image variable on"):
        sentinel1.with_gcps(tree)


def test_grd_without_measurements_nor_annotations_keeps_the_manifest(grd, tmp_path):
    entry, complete = grd
    folder = _copy(complete, tmp_path, "manifest")
    shutil.rmtree(folder / "measurement")
    shutil.rmtree(folder / "annotation")
    with pytest.warns(PartialProductWarning, match=r"missing files \(no measurement file at all"):
        tree = open_product(folder)
    assert not tree.data_vars and not tree.children
    assert tree.attrs["absolute_orbit"] == entry.extra["orbit"]
    assert tree.attrs["polarisations"] == ["VV", "VH"]
    assert tree.attrs["pass_direction"] == entry.extra["direction"]
    assert "time" in tree.coords


def test_slc_without_measurements_keeps_each_swath_grid(slc, tmp_path):
    _, complete = slc
    folder = _copy(complete, tmp_path, "metadata")
    shutil.rmtree(folder / "measurement")
    with pytest.warns(PartialProductWarning, match=r"missing files \(no measurement file at all"):
        tree = sentinel1.open(from_local(folder))
    whole = _quiet()(complete)
    assert set(tree.children) == {"IW1", "IW2", "IW3"}
    for swath in ("IW1", "IW2", "IW3"):
        node = tree[swath]
        assert not node.data_vars
        assert node.attrs["projection"] == "Slant Range"
        np.testing.assert_array_equal(node.gcp_latitude.values, whole[swath].gcp_latitude.values)
        assert {"calibration", "gcp", "orbit"} <= set(node.children)


# -- broken members -----------------------------------------------------------------------------


def test_empty_and_foreign_tiffs_are_refused_by_name(grd, tmp_path):
    _, complete = grd
    folder = _copy(complete, tmp_path, "empty")
    tiff = _one(folder, "measurement/*-vh-*.tiff")
    tiff.write_bytes(b"")
    rel = re.escape(f"measurement/{tiff.name}")
    with pytest.raises(UnsupportedProduct, match=rf"{re.escape(str(folder))}: {rel} is empty"):
        sentinel1.open(from_local(folder))
    # the same in a zip (CDSE's form): the size comes from the zip's directory
    zipped = shutil.make_archive(str(tmp_path / "empty-zip"), "zip", folder.parent, folder.name)
    with pytest.raises(UnsupportedProduct, match=rf"{rel} is empty \(0 bytes\)"):
        sentinel1.open(from_local(zipped))
    tiff.write_bytes(b"<html>502 Bad Gateway</html>" * 10)
    with pytest.raises(UnsupportedProduct, match=rf"{rel} is not a TIFF file \(starts b'<html>"):
        sentinel1.open(from_local(folder))


def test_truncated_tiffs_are_refused_by_name(grd, slc, tmp_path):
    # GRD: the emulator's TIFF has its directory at the end: cut, GDAL cannot open it
    folder = _copy(grd[1], tmp_path, "grd")
    tiff = _one(folder, "measurement/*-vv-*.tiff")
    tiff.write_bytes(tiff.read_bytes()[: tiff.stat().st_size // 2])
    rel = re.escape(f"measurement/{tiff.name}")
    with pytest.raises(UnsupportedProduct, match=rf"{rel} cannot be read as a TIFF .*truncated"):
        sentinel1.open(from_local(folder))
    # SLC laid out as real products are, directory first (at byte 8 in CDSE's), strips after:
    # GDAL opens it cut, the cut shows at the last strip
    folder = _copy(slc[1], tmp_path, "slc")
    tiff = _one(folder, "measurement/*-iw1-slc-vv-*.tiff")
    rasterio.shutil.copy(tiff, tmp_path / "first.tiff", driver="GTiff", COPY_SRC_OVERVIEWS="YES")
    data = (tmp_path / "first.tiff").read_bytes()
    assert int.from_bytes(data[4:8], "little") < 1000  # the directory comes first
    size = len(data) // 2
    tiff.write_bytes(data[:size])
    rel = re.escape(f"measurement/{tiff.name}")
    with pytest.raises(
        UnsupportedProduct,
        match=rf"{rel} is truncated: it has {size} bytes but its last strip ends at byte \d+",
    ):
        sentinel1.open(from_local(folder))


def test_broken_annotations_are_refused_by_name(grd, tmp_path):
    _, complete = grd
    folder = _copy(complete, tmp_path, "xml")
    annotation = _one(folder, "annotation/s1*-vv-*.xml")
    annotation.write_bytes(b"")
    rel = re.escape(f"annotation/{annotation.name}")
    with pytest.raises(UnsupportedProduct, match=rf"{rel} is empty \(0 bytes\)"):
        sentinel1.open(from_local(folder))
    data = (complete / "annotation" / annotation.name).read_bytes()
    annotation.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnsupportedProduct, match=rf"{rel} is not well-formed XML"):
        sentinel1.open(from_local(folder))
    (folder / "manifest.safe").write_bytes(b"")
    with pytest.raises(UnsupportedProduct, match=r"manifest\.safe is empty \(0 bytes\)"):
        sentinel1.open(from_local(folder))


# -- radar geometry ---------------------------------------------------------------------------


def test_radar_axes_have_no_crs_and_the_grid_is_exposed(grd, slc):
    entry, folder = grd
    ds = _quiet()(folder).to_dataset()
    assert "spatial_ref" not in ds.variables
    assert ds.rio.crs is None and ds.VV.rio.crs is None
    with pytest.raises(DimensionMissingCoordinateError):
        ds.VV.rio.bounds()
    assert ds.gcp_latitude.dims == ("gcp_line", "gcp_pixel")
    np.testing.assert_array_equal(ds.gcp_line, grd_emu.GRID_LINES)
    np.testing.assert_array_equal(ds.gcp_pixel, grd_emu.GRID_PIXELS)
    # the same points as the gcp group (the annotation's geolocationGridPointList)
    group = _quiet()(folder)["gcp/VV"]
    np.testing.assert_array_equal(ds.gcp_latitude.values, group.latitude.values)
    np.testing.assert_array_equal(ds.gcp_incidence_angle.values, group.incidenceAngle.values)
    np.testing.assert_array_equal(ds.gcp_azimuth_time.values, group.azimuth_time.values)
    gcps = sentinel1.ground_control_points(ds)
    assert len(gcps) == len(grd_emu.GRID_LINES) * len(grd_emu.GRID_PIXELS)
    for g in gcps[::37]:
        lon, lat = grd_emu.geolocation(entry, g.row, g.col)
        assert (g.x, g.y) == pytest.approx((float(lon), float(lat)), abs=1e-9)
    slc_tree = _quiet()(slc[1])
    assert slc_tree["IW2"].to_dataset().rio.crs is None
    assert "spatial_ref" not in slc_tree["IW2"].to_dataset().variables
    assert len(sentinel1.ground_control_points(slc_tree["IW2"])) == len(
        slc_emu.grid_lines("IW2")
    ) * len(slc_emu.grid_pixels("IW2"))


def test_gcps_reproject_inside_the_footprint(grd):
    _, folder = grd
    source = from_local(folder)
    tree = _quiet(calibration="sigma0")(folder)
    geocoded = sentinel1.with_gcps(tree).VV.rio.reproject("EPSG:4326")
    assert geocoded.rio.crs.to_epsg() == 4326
    # every geocoded pixel with a value lies in the manifest's footprint (to a pixel)
    valid = np.isfinite(geocoded.values)
    assert valid.mean() > 0.5
    x, y = geocoded.x.values[valid.any(axis=0)], geocoded.y.values[valid.any(axis=1)]
    lon, lat = np.array(sentinel1.read_metadata(source).footprint).T
    step_x, step_y = (abs(r) for r in geocoded.rio.resolution())
    assert lon.min() - step_x <= x.min() < x.max() <= lon.max() + step_x
    assert lat.min() - step_y <= y.min() < y.max() <= lat.max() + step_y
