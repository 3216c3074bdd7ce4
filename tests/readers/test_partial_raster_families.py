"""Partial and damaged products of the raster families (Landsat, gridded, CCM, EOPF Zarr,
GeoTIFF): absent files leave the rest open with one PartialProductWarning naming them, no data
file at all opens as metadata only, and empty, truncated or damaged members are refused naming
the file (at open, or when a damaged block is computed)."""

from __future__ import annotations

import contextlib
import shutil
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import rasterio
import xarray as xr
from rasterio.transform import from_origin

from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.products import ccm as ccm_writer
from cdse_intake.emulator.products.gridded import build as build_gridded
from cdse_intake.emulator.products.landsat import build as build_landsat
from cdse_intake.emulator.products.landsat import expected
from cdse_intake.emulator.records.table import table_entries
from cdse_intake.errors import PartialProductWarning, UnsupportedProduct
from cdse_intake.readers import ccm, eopf, gridded, landsat, open_product
from cdse_intake.readers.raster import RasterReadError, open_raster, raster_info
from cdse_intake.readers.source import ProductSource, from_local
from tests.emulator.test_products_ccm import entry_of

from .conftest import write_product


# -- products written to folders, then made partial --------------------------------------------
def write_folder(files: dict[str, bytes], root: Path) -> Path:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


@pytest.fixture(scope="module")
def landsat_entries():
    found = {}
    for entry in table_entries(2026, 1.0):
        if entry.family == "landsat":
            found.setdefault(entry.name[:9], entry)
    return found


@pytest.fixture(scope="module")
def gridded_entries():
    found = {}
    for entry in build_catalogue(seed=2026, scale=0.02, materialise=False):
        if entry.family == "gridded":
            found.setdefault(entry.product_type, entry)
    return found


@contextlib.contextmanager
def no_partial_warning() -> Iterator[None]:
    """A context in which a PartialProductWarning fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", PartialProductWarning)
        yield


# -- Landsat -------------------------------------------------------------------------------------
def landsat_folder(entry, tmp_path, drop=()) -> Path:
    files = {k: v for k, v in build_landsat(entry).items() if not k.endswith(tuple(drop))}
    return write_folder(files, tmp_path / entry.name)


def test_landsat_without_some_bands_opens_the_rest(landsat_entries, tmp_path):
    entry = landsat_entries["LC08_L2SP"]
    folder = landsat_folder(entry, tmp_path, drop=("_SR_B5.TIF", "_ST_B10.TIF"))
    with pytest.warns(PartialProductWarning) as record:
        ds = open_product(folder, chunks=None)
    assert len(record) == 1
    message = str(record[0].message)
    assert f"{entry.name}_SR_B5.TIF" in message and f"{entry.name}_ST_B10.TIF" in message
    assert "2 missing files" in message
    assert "SR_B5" not in ds and "ST_B10" not in ds
    np.testing.assert_array_equal(ds.QA_PIXEL.values, expected(entry, "QA_PIXEL"))
    # bands left out on purpose are not reported; a band asked for but absent is refused
    with no_partial_warning():
        sub = landsat.open(from_local(folder), bands=["SR_B4"])
    assert list(sub.data_vars) == ["SR_B4"]
    with pytest.raises(UnsupportedProduct, match=r"band SR_B5 was asked for but its file .*absent"):
        landsat.open(from_local(folder), bands=["SR_B4", "SR_B5"])


def test_landsat_with_only_its_mtl_opens_as_metadata(landsat_entries, tmp_path):
    entry = landsat_entries["LC09_L1TP"]
    whole = open_product(landsat_folder(entry, tmp_path / "whole"), chunks=None)
    folder = landsat_folder(entry, tmp_path / "bare", drop=(".TIF",))
    with pytest.warns(PartialProductWarning, match=r"all of them: opened as metadata only"):
        ds = open_product(folder)
    assert not ds.data_vars
    assert ds.attrs["landsat_product_id"] == entry.name
    assert ds.attrs["cloud_cover"] == whole.attrs["cloud_cover"]
    assert ds.time.values == whole.time.values
    # the MTL's grid is the files' grid
    np.testing.assert_array_equal(ds.x.values, whole.x.values)
    np.testing.assert_array_equal(ds.y.values, whole.y.values)
    assert ds.rio.crs == whole.rio.crs
    assert ds.rio.transform() == whole.rio.transform()


# -- gridded -------------------------------------------------------------------------------------
def test_gridded_mosaic_without_some_files(gridded_entries, tmp_path):
    entry = gridded_entries["S2MSI_L3__MCQ"]
    files = {k: v for k, v in build_gridded(entry).items() if k not in ("B08.tif", "B03.tif")}
    folder = write_folder(files, tmp_path / entry.name)
    with pytest.warns(PartialProductWarning, match=r"2 missing files: B03\.tif, B08\.tif"):
        ds = open_product(folder, chunks=None)
    assert sorted(ds.data_vars) == ["B02", "B04", "observations"]
    whole = open_product(write_folder(build_gridded(entry), tmp_path / "w" / entry.name))
    np.testing.assert_array_equal(ds.B04.values, whole.B04.values)
    with no_partial_warning():
        sub = gridded.open(from_local(folder), variables=["B04"])
    assert list(sub.data_vars) == ["B04"]
    with pytest.raises(UnsupportedProduct, match=r"variable B08 was asked for but its file"):
        gridded.open(from_local(folder), variables=["B04", "B08"])


def test_gridded_record_only_opens_as_metadata(gridded_entries, tmp_path):
    entry = gridded_entries["S1SAR_L3_IW_MCM"]
    files = {k: v for k, v in build_gridded(entry).items() if not k.endswith(".tif")}
    assert list(files) == ["userdata.json"]
    folder = write_folder(files, tmp_path / entry.name)
    with pytest.warns(PartialProductWarning, match=r"metadata only\): VH\.tif, VV\.tif$"):
        ds = open_product(folder)
    assert not ds.data_vars
    assert ds.attrs["productType"] == "S1SAR_L3_IW_MCM" and ds.attrs["Name"] == entry.name
    assert ds.time.values == np.datetime64("2024-11-01")


# -- CCM -----------------------------------------------------------------------------------------
def test_ccm_dem_tile_without_a_mask(tmp_path):
    entry = entry_of("SAR_DGE_30")
    files = {k: v for k, v in ccm_writer.build(entry).items() if not k.endswith("_HEM.tif")}
    folder = write_folder(files, tmp_path / entry.name)
    with pytest.warns(PartialProductWarning, match=r"1 missing files: .*_HEM\.tif"):
        ds = open_product(folder, chunks=None)
    assert list(ds.data_vars) == ["DEM", "EDM", "FLM", "WBM"]
    with no_partial_warning():
        assert list(ccm.open(from_local(folder), variables="WBM").data_vars) == ["WBM"]
    with pytest.raises(UnsupportedProduct, match=r"variable HEM was asked for.*_HEM\.tif"):
        ccm.open(from_local(folder), variables=["HEM"])
    # the DEM itself absent: the masks open on their grid, the DEM is named
    files = {k: v for k, v in ccm_writer.build(entry).items() if not k.endswith("_DEM.tif")}
    folder = write_folder(files, tmp_path / "nodem" / entry.name)
    with pytest.warns(PartialProductWarning, match=r"_DEM\.tif"):
        ds = ccm.open(from_local(folder))
    assert list(ds.data_vars) == ["EDM", "FLM", "HEM", "WBM"]
    assert ds.attrs["product_kind"] == "dem"


@pytest.mark.parametrize("product_type", ["SAR_SN_SCN", "PHR_MS___3"])
def test_ccm_scene_without_its_image_opens_as_metadata(tmp_path, product_type):
    entry = entry_of(product_type)
    files = {
        k: v for k, v in ccm_writer.build(entry).items() if not k.lower().endswith((".tif", ".jp2"))
    }
    folder = write_folder(files, tmp_path / entry.name)
    with pytest.warns(
        PartialProductWarning, match=r"metadata only\): (imagery_HH\.tif|IMG_.*_R1C1\.TIF)$"
    ):
        ds = open_product(folder)
    assert not ds.data_vars
    assert ds.attrs["product_type"] == product_type
    assert ds.attrs["product_kind"] == ("sar" if product_type.startswith("SAR") else "optical")
    assert str(ds.time.values).startswith("2021-06-01")


# -- EOPF Zarr -----------------------------------------------------------------------------------
@pytest.fixture
def eopf_entry(entries):
    (found,) = entries("eopf_zarr")
    return found


def eopf_folder(entry, tmp_path) -> Path:
    return write_product(entry, tmp_path, "folder")


def test_eopf_without_an_array_folder(eopf_entry, tmp_path):
    folder = eopf_folder(eopf_entry, tmp_path)
    shutil.rmtree(folder / "measurements/reflectance/r10m/b04")
    with pytest.warns(PartialProductWarning, match=r"1 missing arrays: .*r10m/b04/$"):
        tree = open_product(folder)
    r10m = tree["measurements/reflectance/r10m"].to_dataset()
    assert sorted(r10m.data_vars) == ["b02", "b03", "b08"]
    assert "b04" in tree["measurements/reflectance/r20m"].variables  # another group's b04
    whole = eopf.open(from_local(write_product(eopf_entry, tmp_path / "w", "folder")))
    np.testing.assert_array_equal(
        r10m.b08.values, whole["measurements/reflectance/r10m/b08"].values
    )
    # variables= that leave it out: no warning; asking for it by path: refused
    path = "measurements/reflectance/r10m/b08"
    with no_partial_warning():
        sub = eopf.open(from_local(folder), variables=[path])
    assert [n.path for n in sub.subtree if n.data_vars] == ["/measurements/reflectance/r10m"]
    assert list(sub["measurements/reflectance/r10m"].data_vars) == ["b08"]
    with pytest.raises(UnsupportedProduct, match=r"b04 was asked for but its array is absent"):
        eopf.open(from_local(folder), variables=["measurements/reflectance/r10m/b04"])
    # by name: the groups that have it open, the absent one is named
    with pytest.warns(PartialProductWarning, match=r"r10m/b04/$"):
        by_name = eopf.open(from_local(folder), variables="b04")
    assert sorted(n.name for n in by_name.subtree if "b04" in n.data_vars) == ["r20m", "r60m"]


def test_eopf_without_any_array_opens_as_metadata(eopf_entry, tmp_path):
    folder = eopf_folder(eopf_entry, tmp_path)
    for child in folder.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
    with pytest.warns(PartialProductWarning, match=r"missing arrays") as record:
        tree = open_product(folder)
    assert len(record) == 1
    assert not any(node.data_vars for node in tree.subtree)
    assert tree.attrs["platform"] == "sentinel-2a"
    assert tree.attrs["processing_baseline"] == eopf_entry.extra["baseline"]


def test_eopf_empty_metadata_file_is_named(eopf_entry, tmp_path):
    folder = eopf_folder(eopf_entry, tmp_path)
    (folder / ".zmetadata").write_bytes(b"")
    with pytest.raises(UnsupportedProduct, match=r"\.zmetadata is empty \(0 bytes\)"):
        open_product(folder)


# -- empty, truncated and damaged member files ---------------------------------------------------
def _cut(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def test_empty_and_truncated_landsat_bands_are_named(landsat_entries, tmp_path):
    entry = landsat_entries["LC08_L2SP"]
    folder = landsat_folder(entry, tmp_path)
    band = folder / f"{entry.name}_SR_B4.TIF"
    _cut(band)
    with pytest.raises(UnsupportedProduct, match=rf"{entry.name}_SR_B4\.TIF is truncated"):
        open_product(folder)
    band.write_bytes(b"")
    with pytest.raises(UnsupportedProduct, match=rf"{entry.name}_SR_B4\.TIF is empty"):
        open_product(folder)
    band.write_bytes(b"<html>not found</html>" + bytes(100))
    with pytest.raises(UnsupportedProduct, match=r"SR_B4\.TIF is not a TIFF file"):
        open_product(folder)


def test_empty_and_truncated_gridded_and_ccm_members_are_named(gridded_entries, tmp_path):
    entry = gridded_entries["S1SAR_L3_IW_MCM"]
    folder = write_folder(build_gridded(entry), tmp_path / entry.name)
    _cut(folder / "VV.tif", 0.6)
    with pytest.raises(UnsupportedProduct, match=r"VV\.tif is truncated"):
        open_product(folder)
    (folder / "VV.tif").write_bytes(b"")
    with pytest.raises(UnsupportedProduct, match=r"VV\.tif is empty"):
        open_product(folder)
    ccm_entry = entry_of("SAR_DGE_90")
    files = ccm_writer.build(ccm_entry)
    folder = write_folder(files, tmp_path / ccm_entry.name)
    (wbm,) = [k for k in files if k.endswith("_WBM.tif")]
    (folder / wbm).write_bytes(b"")
    with pytest.raises(UnsupportedProduct, match=r"_WBM\.tif is empty"):
        open_product(folder)


def test_truncated_geotiff_is_named(tmp_path):
    path = _geotiff(tmp_path / "c_gls_NDVI300_202301010000_GLOBE_OLCI_V2.0.1.tif")
    _cut(path, 0.7)
    with pytest.raises(UnsupportedProduct, match=r"V2\.0\.1\.tif is truncated: it has \d+ bytes"):
        open_product(path)
    path.write_bytes(b"")
    with pytest.raises(UnsupportedProduct, match=r"is empty \(0 bytes\)"):
        open_product(path)


def _geotiff(path: Path, driver: str = "GTiff", **options) -> Path:
    """A 512 x 512 uint16 raster of noise (it compresses badly: its blocks fill the file)."""
    data = np.random.default_rng(1).integers(1, 10000, (1, 512, 512)).astype(np.uint16)
    profile = {"width": 512, "height": 512, "count": 1, "dtype": "uint16", "crs": "EPSG:32632"}
    with rasterio.open(
        path, "w", driver=driver, transform=from_origin(600000, 5000000, 10, 10), **profile,
        **options,
    ) as ds:  # fmt: skip
        ds.write(data)
    return path


def _damage_middle(path: Path) -> None:
    """Garbage in the middle of the file, its size kept: the header and last block still read."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle - 20000 : middle + 20000] = bytes(40000)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("name", "driver", "options"),
    [
        ("tiled.tif", "GTiff", {"tiled": True, "blockxsize": 256, "blockysize": 256,
                                "compress": "deflate"}),
        ("cut.jp2", "JP2OpenJPEG", {}),
    ],
)  # fmt: skip
def test_a_block_that_cannot_be_decoded_is_named_when_computed(tmp_path, name, driver, options):
    path = _geotiff(tmp_path / name, driver, **options)
    if name.endswith(".jp2"):
        _cut(path, 0.5)  # JPEG 2000: the header survives, the last tiles do not
    else:
        _damage_middle(path)
    source = from_local(path)
    da = open_raster(source, chunks={"band": 1, "y": 256, "x": 256})
    assert da.shape == (1, 512, 512)  # the header reads
    with pytest.raises(UnsupportedProduct, match=rf"{name} is damaged or truncated") as err:
        da.values  # noqa: B018
    assert str(path) in str(err.value) and "cannot be read" in str(err.value)
    # read by range (a remote product): still an OSError, which a retry may pass
    remote = ProductSource(name, source.fs, str(path), "remote", f"cdse://{name}")
    lazy = open_raster(remote, chunks=None, info=raster_info(remote))
    with pytest.raises(RasterReadError, match=rf"cdse://{name}: {name}: reading rows") as err:
        lazy.values  # noqa: B018
    assert isinstance(err.value, OSError)


def test_a_damaged_landsat_band_is_named_when_computed(landsat_entries, tmp_path):
    """The scaled (physical) values read through the same raster reads: the error is the same."""
    entry = landsat_entries["LC08_L2SP"]
    folder = landsat_folder(entry, tmp_path)
    band = folder / f"{entry.name}_SR_B2.TIF"
    data = bytearray(band.read_bytes())
    quarter = len(data) // 4
    data[quarter : 3 * quarter] = b"\xff" * (2 * quarter)  # its deflated block, size kept
    band.write_bytes(bytes(data))
    ds = open_product(folder, bands=["SR_B2", "SR_B3"])  # the header reads
    np.testing.assert_array_equal(
        ds.SR_B3.values, open_product(folder, bands=["SR_B3"], chunks=None).SR_B3.values
    )
    with pytest.raises(UnsupportedProduct, match=rf"{entry.name}_SR_B2\.TIF is damaged"):
        ds.SR_B2.values  # noqa: B018


def test_partial_zip_through_open_product(landsat_entries, tmp_path):
    """The same in a zip (GDAL reads /vsizip/): the warning names the file."""
    entry = landsat_entries["LE07_L1TP"]
    path = tmp_path / f"{entry.name}.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for rel, data in build_landsat(entry).items():
            if not rel.endswith("_B8.TIF"):
                zf.writestr(f"{entry.name}/{rel}", data)
    with pytest.warns(PartialProductWarning, match=rf"{entry.name}_B8\.TIF"):
        ds = open_product(path, chunks=None)
    assert "B8" not in ds and "y_pan" not in ds.dims
    assert isinstance(ds, xr.Dataset)
