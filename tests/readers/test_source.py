"""ProductSource: the same relative paths whatever the product's form, and pickling."""

from __future__ import annotations

import pickle

import pytest

from cdse_intake.errors import ProductNotFound
from cdse_intake.readers.raster import open_raster
from cdse_intake.readers.source import from_local

from .conftest import LAYOUTS


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_lists_the_same_files(entries, local_source, layout):
    entry = entries("sentinel2_l2a")[0]
    source = local_source(entry, layout)
    assert source.files() == sorted(entry.payload.files)
    assert source.read_bytes("manifest.safe") == entry.payload.files["manifest.safe"]
    assert source.find("mtd_msil2a.xml") == ["MTD_MSIL2A.xml"]


def test_remote_lists_and_reads_like_local(entries, remote_source):
    entry = entries("sentinel2_l1c")[0]
    source = remote_source(entry)
    assert source.files() == sorted(entry.payload.files)
    assert source.read_bytes("manifest.safe") == entry.payload.files["manifest.safe"]


@pytest.mark.parametrize("where", ["zip", "folder", "remote"])
def test_raster_reads_a_window_and_pickles(entries, local_source, remote_source, where):
    from cdse_intake.emulator.products.sentinel2 import expected_dn

    entry = entries("sentinel2_l2a")[0]
    source = (
        remote_source(entry)
        if where == "remote"
        else local_source(entry, "cdse" if where == "zip" else "folder")
    )
    (band,) = source.find("*_B04_10m.jp2")
    da = pickle.loads(pickle.dumps(open_raster(source, band)))
    window = da[0, 10:20, 30:40].values
    rows, cols = __import__("numpy").mgrid[10:20, 30:40]
    assert (window == expected_dn(entry, "B04", rows, cols, 10)).all()
    assert da.rio.crs.to_epsg() == 32631


def test_missing_file_is_a_clear_error(entries, local_source, tmp_path):
    source = local_source(entries("sentinel2_l1c")[0])
    with pytest.raises(ProductNotFound, match=r"nothing\.xml"):
        source.open("nothing.xml")
    with pytest.raises(ProductNotFound, match="no such file"):
        from_local(tmp_path / "absent.zip")


@pytest.mark.parametrize("where", ["zip", "folder", "remote"])
def test_url_opens_with_plain_fsspec(entries, local_source, remote_source, cdse_env, where):
    """``url()`` + ``storage_options`` hand a product's file to any fsspec-aware library."""
    import fsspec

    entry = entries("sentinel2_l1c")[0]
    source = (
        remote_source(entry)
        if where == "remote"
        else local_source(entry, "cdse" if where == "zip" else "folder")
    )
    with fsspec.open(source.url("manifest.safe"), **source.storage_options) as f:
        assert f.read() == entry.payload.files["manifest.safe"]
