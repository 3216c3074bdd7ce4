"""Sentinel-2 products as CDSE sometimes delivers them: some images absent, the product or tile
metadata absent (manifest fallback, grid from the images), no image at all (metadata only), and
empty or truncated members; in folders, zips and remotely."""

from __future__ import annotations

import dataclasses
import re
import shutil
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from cdse_intake.emulator.products import sentinel2 as s2
from cdse_intake.errors import PartialProductWarning, UnsupportedProduct
from cdse_intake.readers import open_product
from cdse_intake.readers import sentinel2 as reader
from cdse_intake.readers.source import from_local

from .conftest import write_product
from .test_sentinel2 import REAL

#: Sampled pixels (row, col indices at every resolution: the 60 m grid is 61 px wide).
PIXELS = np.array([0, 1, 17, 40, 60])
#: Attributes the manifest gives as the MTD does.
FROM_MANIFEST = (
    "product_name", "product_type", "processing_level", "processing_baseline", "spacecraft",
    "platform", "product_start_time", "relative_orbit", "absolute_orbit", "tile_id", "crs",
    "quantification_value", "band_names", "radiometric_offsets",
)  # fmt: skip


def _entry(entries, family: str, legacy: bool):
    found = [e for e in entries(family) if s2.has_offset(e.extra["baseline"]) != legacy]
    assert found, f"no {'legacy' if legacy else '04.00+'} {family} product in the emulator"
    return found[0]


def _folder(entry, tmp_path: Path, name: str = "partial") -> Path:
    directory = tmp_path / name
    directory.mkdir()
    return write_product(entry, directory, "folder")


def _images(folder: Path, *bands: str) -> list[Path]:
    """The image files of ``bands`` (every resolution), or all images without ``bands``."""
    found = sorted(folder.glob("GRANULE/*/IMG_DATA/**/*.jp2"))
    return [p for p in found if not bands or any(f"_{b}" in p.name for b in bands)]


def _zip(folder: Path) -> Path:
    """``folder`` zipped as CDSE does (``<Name>.SAFE/`` on top)."""
    path = folder.parent / f"{folder.stem}.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                zf.write(file, f"{folder.name}/{file.relative_to(folder)}")
    return path


def _open(path, **options):
    """Open, returning the result and the PartialProductWarnings (other warnings fail)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = reader.open(from_local(path), **options)
    assert all(w.category is PartialProductWarning for w in caught), [str(w) for w in caught]
    return result, [str(w.message) for w in caught]


def _groups(tree: xr.DataTree) -> dict[str, xr.Dataset]:
    return {name: tree[name].to_dataset() for name in tree.children}


def _same_pixels(partial: dict[str, xr.Dataset], complete: dict[str, xr.Dataset]) -> int:
    """Every variable of ``partial`` equals ``complete``'s at the sampled pixels, exactly."""
    compared = 0
    for group, ds in partial.items():
        full = complete[group]
        np.testing.assert_array_equal(ds.x.values, full.x.values)
        np.testing.assert_array_equal(ds.y.values, full.y.values)
        assert ds.rio.crs == full.rio.crs
        for name, da in ds.data_vars.items():
            got = da.isel(x=PIXELS, y=PIXELS).values
            want = full[name].isel(x=PIXELS, y=PIXELS).values
            np.testing.assert_array_equal(got, want, err_msg=f"{group}/{name}")
            assert da.dtype == full[name].dtype
            compared += 1
    return compared


# -- absent images ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "legacy"),
    [("sentinel2_l2a", False), ("sentinel2_l2a", True), ("sentinel2_l1c", False)],
)
@pytest.mark.parametrize("scale", [True, False])
def test_absent_bands_open_the_others_with_one_warning(entries, tmp_path, family, legacy, scale):
    entry = _entry(entries, family, legacy)
    complete, _ = _open(_folder(entry, tmp_path, "complete"), scale=scale)
    folder = _folder(entry, tmp_path)
    removed = _images(folder, "B04", "B8A")
    for path in removed:
        path.unlink()
    tree, messages = _open(folder, scale=scale)
    assert len(messages) == 1
    assert messages[0].startswith(f"{folder}: opened without {len(removed)} missing band files: ")
    assert len(removed) <= 6 and all(p.name in messages[0] for p in removed)
    groups = _groups(tree)
    assert not any({"B04", "B8A"} & set(ds.data_vars) for ds in groups.values())
    kept = sum(len(ds.data_vars) for ds in _groups(complete).values()) - len(removed)
    assert _same_pixels(groups, _groups(complete)) == kept
    assert tree.attrs == complete.attrs


def test_bands_subset_is_not_warned_about_and_an_absent_band_asked_for_is_an_error(
    entries, tmp_path
):
    entry = _entry(entries, "sentinel2_l2a", legacy=False)
    folder = _folder(entry, tmp_path)
    removed = _images(folder, "B04")
    for path in removed:
        path.unlink()
    ds, messages = _open(folder, resolution=10, bands=["B02", "B08"])
    assert messages == []
    assert list(ds.data_vars) == ["B02", "B08"]
    with pytest.raises(UnsupportedProduct) as err:
        reader.open(from_local(folder), resolution=10, bands=["B03", "B04"])
    assert str(err.value) == (
        f"{folder}: band B04 was asked for but its file is absent "
        f"({next(p.name for p in removed if '_10m' in p.name)} at 10 m); the bands "
        "present are B02, B03, B08, AOT, WVP, TCI"
    )
    with pytest.raises(UnsupportedProduct, match=r"band B04 was asked for .*B04_20m\.jp2"):
        reader.open(from_local(folder), resolution=20, bands=["B04"])


def test_a_zipped_product_with_absent_bands(entries, tmp_path):
    entry = _entry(entries, "sentinel2_l2a", legacy=False)
    folder = _folder(entry, tmp_path)
    for path in _images(folder, "SCL", "B11"):
        path.unlink()
    archive = _zip(folder)
    with pytest.warns(PartialProductWarning) as caught:
        ds = open_product(archive, resolution=20)
    (message,) = [str(w.message) for w in caught if w.category is PartialProductWarning]
    assert message.startswith(f"{archive}: opened without 2 missing band files: ")
    assert "_SCL_20m.jp2" in message and "_B11_20m.jp2" in message
    assert "SCL" not in ds.data_vars and "B11" not in ds.data_vars
    complete = reader.open(from_local(write_product(entry, tmp_path)), resolution=20)
    assert _same_pixels({"r20m": ds}, {"r20m": complete}) == len(complete.data_vars) - 2


def test_a_remote_product_with_absent_bands(entries, remote_source):
    entry = _entry(entries, "sentinel2_l2a", legacy=False)
    source = remote_source(entry)
    # a remote product whose listing lacks the B03 images (as a partial delivery would)
    listing = [f for f in source.files() if "_B03_" not in f]
    partial = dataclasses.replace(source, _files=listing)
    with pytest.warns(
        PartialProductWarning, match=r"without 1 missing band files: .*_B03_10m\.jp2$"
    ):
        ds = reader.open(partial, resolution=10)
    assert list(ds.data_vars) == ["B02", "B04", "B08", "AOT", "WVP", "TCI"]
    rows, cols = np.meshgrid(PIXELS, PIXELS, indexing="ij")
    dn = s2.expected_dn(entry, "B04", rows, cols, 10).astype(np.float64)
    want = (dn + s2.BOA_OFFSET) / s2.QUANTIFICATION
    got = ds["B04"].isel(x=PIXELS, y=PIXELS).values
    np.testing.assert_allclose(got, want, rtol=0, atol=2e-7)


# -- absent metadata -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "legacy"),
    [("sentinel2_l2a", False), ("sentinel2_l2a", True), ("sentinel2_l1c", False)],
)
def test_without_the_product_mtd_the_manifest_gives_the_metadata(entries, tmp_path, family, legacy):
    entry = _entry(entries, family, legacy)
    complete, _ = _open(_folder(entry, tmp_path, "complete"))
    folder = _folder(entry, tmp_path)
    level = "L1C" if family.endswith("l1c") else "L2A"
    (folder / f"MTD_MSI{level}.xml").unlink()
    (tile,) = folder.glob("GRANULE/*/MTD_TL.xml")
    tree, messages = _open(folder)
    baseline = entry.extra["baseline"]
    aux = ", AOT and WVP 1000" if level == "L2A" else ""
    offset = "no offset" if legacy else "offset -1000"
    assert messages == [
        f"{folder}: MTD_MSI{level}.xml is absent: opened from manifest.safe and "
        f"{tile.relative_to(folder)} (no band wavelengths, solar irradiances, cloud cover or "
        f"quality indicators); radiometry of baseline {baseline}: quantification 10000{aux}, "
        f"{offset}"
    ]
    assert _same_pixels(_groups(tree), _groups(complete)) == sum(
        len(ds.data_vars) for ds in _groups(complete).values()
    )
    raw, _ = _open(folder, resolution=20, scale=False)
    full_raw, _ = _open(_folder(entry, tmp_path, "complete_raw"), resolution=20, scale=False)
    assert _same_pixels({"r20m": raw}, {"r20m": full_raw}) == len(full_raw.data_vars)
    for name in raw.data_vars:  # the CF encoding the raw DNs carry is the MTD's
        for key in ("scale_factor", "add_offset", "_FillValue"):
            assert raw[name].attrs.get(key) == full_raw[name].attrs.get(key), (name, key)
    for key in FROM_MANIFEST:
        assert tree.attrs[key] == complete.attrs[key], key
    assert tree.attrs["sensing_time"] == complete.attrs["sensing_time"]
    assert tree.attrs["orbit_direction"] == complete.attrs["orbit_direction"]
    assert tree.attrs["geospatial_bounds"].startswith("POLYGON ((")
    assert tree["r10m"]["time"].values == complete["r10m"]["time"].values


def test_without_product_and_tile_metadata_the_grid_comes_from_the_images(entries, tmp_path):
    entry = _entry(entries, "sentinel2_l2a", legacy=False)
    complete, _ = _open(_folder(entry, tmp_path, "complete"))
    folder = _folder(entry, tmp_path)
    (folder / "MTD_MSIL2A.xml").unlink()
    (tile,) = folder.glob("GRANULE/*/MTD_TL.xml")
    tile.unlink()
    for path in _images(folder, "B05"):
        path.unlink()
    archive = _zip(folder)
    tree, messages = _open(archive)
    assert messages[0].startswith(f"{archive}: opened without 2 missing band files: ")
    assert messages[1] == (
        f"{archive}: MTD_MSIL2A.xml and {tile.relative_to(folder)} are absent: opened from "
        "manifest.safe (no band wavelengths, solar irradiances, cloud cover or quality "
        "indicators); the grid (CRS, origin, pixel size) is read from the JPEG 2000 files "
        "themselves; the sensing time is the product start time; radiometry of baseline "
        f"{entry.extra['baseline']}: quantification 10000, AOT and WVP 1000, offset -1000"
    )
    assert len(messages) == 2
    groups = _groups(tree)
    assert _same_pixels(groups, _groups(complete)) == sum(len(ds) for ds in groups.values())
    assert tree.attrs["crs"] == complete.attrs["crs"]
    assert tree.attrs["product_start_time"] == complete.attrs["product_start_time"]


def test_without_the_tile_metadata_alone(entries, tmp_path):
    entry = _entry(entries, "sentinel2_l1c", legacy=False)
    complete, _ = _open(_folder(entry, tmp_path, "complete"), resolution=60)
    folder = _folder(entry, tmp_path)
    (tile,) = folder.glob("GRANULE/*/MTD_TL.xml")
    tile.unlink()
    ds, messages = _open(folder, resolution=60)
    assert messages == [
        f"{folder}: {tile.relative_to(folder)} is absent: the grid (CRS, origin, pixel size) is "
        "read from the JPEG 2000 files themselves; the sensing time is the product start time"
    ]
    assert _same_pixels({"r60m": ds}, {"r60m": complete}) == 3
    assert ds.attrs["band_names"] == complete.attrs["band_names"]  # from the MTD


# -- no image at all -------------------------------------------------------------------------------


def test_a_product_without_images_opens_as_metadata_only(entries, tmp_path):
    entry = _entry(entries, "sentinel2_l2a", legacy=False)
    complete, _ = _open(_folder(entry, tmp_path, "complete"))
    folder = _folder(entry, tmp_path)
    images = _images(folder)
    for path in images:
        path.unlink()
    tree, messages = _open(folder)
    assert len(messages) == 1
    assert messages[0].startswith(
        f"{folder}: opened without {len(images)} missing band files (all of them: opened as "
        "metadata only): "
    )
    assert messages[0].endswith(f" and {len(images) - 6} more")
    assert tree.attrs == complete.attrs
    assert set(tree.children) == {"r10m", "r20m", "r60m"}
    for name, ds in _groups(tree).items():
        assert not ds.data_vars
        np.testing.assert_array_equal(ds.x.values, complete[name].x.values)
        np.testing.assert_array_equal(ds.y.values, complete[name].y.values)
        assert ds.rio.crs == complete[name].to_dataset().rio.crs
        assert ds["time"].values == complete[name]["time"].values
    one, _ = _open(folder, resolution=20)
    assert not one.data_vars and one.sizes == {"y": 183, "x": 183}
    assert one.attrs["resolution"] == 20 and one.attrs["product_name"] == entry.name


def test_without_images_nor_metadata_files_only_the_attributes_remain(entries, tmp_path):
    entry = _entry(entries, "sentinel2_l1c", legacy=True)
    folder = _folder(entry, tmp_path)
    for path in [*_images(folder), folder / "MTD_MSIL1C.xml", *folder.glob("GRANULE/*/MTD_TL.xml")]:
        path.unlink()
    tree, messages = _open(folder)
    assert len(messages) == 2
    assert "(all of them: opened as metadata only)" in messages[0]
    assert "the grid is unknown (no image file either): no x/y coordinates" in messages[1]
    assert "radiometry of baseline" in messages[1] and "no offset" in messages[1]
    assert not tree.children and not tree.data_vars
    assert tree.attrs["product_name"] == entry.name
    assert tree.attrs["processing_level"] == "Level-1C" and "crs" not in tree.attrs
    ds, _ = _open(folder, resolution=10)
    assert not ds.data_vars and not ds.coords.keys() - {"time"}


# -- broken members --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: b"", r"is empty \(0 bytes\)"),
        (lambda data: data[:8], r"is not a JPEG 2000 file \(starts .*damaged or truncated\)"),
        (lambda data: b"<html>Service unavailable</html>", r"is not a JPEG 2000 file"),
        (lambda data: data[: len(data) // 3], r"is truncated or damaged: its 'jp2c' box at byte"),
        (
            lambda data: data[:12] + b"\x00\x00\x00\x10jp2c" + bytes(6) + b"\xff\xd9",
            r"cannot be read as an image \(damaged or truncated\?\): .*opj_read_header",
        ),
    ],
    ids=["empty", "truncated-header", "html", "truncated", "garbage-codestream"],
)
@pytest.mark.parametrize("zipped", [False, True])
def test_a_broken_image_is_refused_naming_it(entries, tmp_path, damage, message, zipped):
    entry = _entry(entries, "sentinel2_l2a", legacy=False)
    folder = _folder(entry, tmp_path)
    (b04,) = _images(folder, "B04_10m")
    b04.write_bytes(damage(b04.read_bytes()))
    path = _zip(folder) if zipped else folder
    name = b04.relative_to(folder).as_posix()
    with pytest.raises(UnsupportedProduct, match=rf"^{re.escape(f'{path}: {name}')} {message}"):
        reader.open(from_local(path), resolution=10).load()
    _, messages = _open(path, resolution=10, bands=["B02"])  # not needed: opens
    assert messages == []


@pytest.mark.parametrize(
    ("target", "damage", "message"),
    [
        ("MTD_MSIL2A.xml", lambda data: b"", r"is empty \(0 bytes\)"),
        ("MTD_MSIL2A.xml", lambda data: data[: len(data) // 2], r"is not well-formed XML"),
        ("GRANULE/*/MTD_TL.xml", lambda data: b"\x00\x01binary", r"is not XML \(starts"),
        ("manifest.safe", lambda data: data[:200], r"is not well-formed XML"),
    ],
    ids=["empty-mtd", "truncated-mtd", "binary-tile", "truncated-manifest"],
)
def test_a_broken_xml_is_refused_naming_it(entries, tmp_path, target, damage, message):
    entry = _entry(entries, "sentinel2_l2a", legacy=False)
    folder = _folder(entry, tmp_path)
    if target == "manifest.safe":  # read only when the product MTD is absent
        (folder / "MTD_MSIL2A.xml").unlink()
    (path,) = folder.glob(target)
    path.write_bytes(damage(path.read_bytes()))
    name = path.relative_to(folder).as_posix()
    with pytest.raises(UnsupportedProduct, match=rf"^{re.escape(f'{folder}: {name}')} {message}"):
        reader.open(from_local(folder))


# -- real manifests ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_manifests_give_what_the_mtd_gives(reference_dir, tmp_path, name):
    sample = Path(reference_dir) / "samples" / "products" / "sentinel-2" / name
    if not sample.exists():
        pytest.skip(f"real sample {name} is not in the reference folder")
    want = reader.read_metadata(from_local(sample))
    folder = tmp_path / name  # a copy without the product MTD (the samples stay read-only)
    shutil.copytree(sample, folder, ignore=shutil.ignore_patterns("MTD_MSIL*.xml"))
    md = reader.read_metadata(from_local(folder))
    assert md.absent == (f"MTD_MSI{want.level}.xml",)
    for key in (
        "level", "product_uri", "processing_baseline", "spacecraft", "relative_orbit",
        "absolute_orbit", "orbit_direction", "tile", "granule", "sensing_time", "image_format",
        "quantification", "aot_quantification", "wvp_quantification", "geocoding",
    ):  # fmt: skip
        assert getattr(md, key) == getattr(want, key), key
    assert {b: i.offset for b, i in md.bands.items()} == {
        b: i.offset for b, i in want.bands.items()
    }
    assert sorted((i.name, i.resolution, i.expected) for i in md.images) == sorted(
        (i.name, i.resolution, i.expected) for i in want.images
    )
    assert md.product_start_time is not None
    assert abs(md.product_start_time - want.product_start_time).total_seconds() < 1
    assert md.footprint is not None and md.footprint.startswith("POLYGON ((")
