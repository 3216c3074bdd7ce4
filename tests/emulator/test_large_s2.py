"""The large Sentinel-2 L2A product of the benchmarks: a consistent SAFE zip (stored, true sizes
and checksums), JPEG 2000 tiled as ESA tiles it with the promised pixel values, built once and
reused, and served by the emulator file by file (``Nodes``) as well as whole (``$value``)."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cdse_intake.emulator import Emulator
from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.products import large_s2, sentinel2
from cdse_intake.emulator.products.large_s2 import add_large_s2, codestream_tiles, expected_dn

rasterio = pytest.importorskip("rasterio")
ET = pytest.importorskip("defusedxml.ElementTree")

#: Small enough to build in seconds; 2 x 2 tiles of 1024 at 10 m.
SIZE = 2048


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    directory = tmp_path_factory.mktemp("large-s2")
    catalogue = build_catalogue(scale=0.001).copy()
    entry = add_large_s2(catalogue, directory, SIZE)
    return catalogue, entry, directory


def _zip(entry) -> Path:
    return Path(entry.payload.path)


def _member(files: dict, suffix: str) -> str:
    (rel,) = [rel for rel in files if rel.endswith(suffix)]
    return rel


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def test_entry_describes_the_zip(built) -> None:
    catalogue, entry, _ = built
    path = _zip(entry)
    data = path.read_bytes()
    assert entry.content_length == len(data) == entry.payload.size
    assert entry.md5 == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert catalogue.by_name[entry.name] is entry
    assert entry.collection == "SENTINEL-2"
    assert entry.attribute("tileId") == large_s2.TILE
    with zipfile.ZipFile(path) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        assert {i.compress_type for i in infos} == {zipfile.ZIP_STORED}
        assert {i.filename.split("/", 1)[0] for i in zf.infolist()} == {entry.name}
        members = {i.filename.split("/", 1)[1]: zf.read(i) for i in infos}
    # The payload's files are exactly the zip's members, byte for byte.
    assert set(members) == set(entry.payload.files)
    assert all(bytes(entry.payload.files[rel]) == members[rel] for rel in members)
    expected = {
        f"R{res}m/T{large_s2.TILE}_{entry.name.split('_')[2]}_{name}_{res}m.jp2"
        for res, names in sentinel2.L2A_CONTENT.items()
        for name in names
    }
    assert {rel.split("IMG_DATA/", 1)[1] for rel in members if rel.endswith(".jp2")} == expected


def test_metadata_agrees_with_the_rasters(built) -> None:
    _, entry, _ = built
    files = entry.payload.files
    tile = ET.fromstring(bytes(files[_member(files, "MTD_TL.xml")]))
    sizes = {
        int(e.get("resolution")): int(e.find("NROWS").text)
        for e in tile.iter()
        if _local(e.tag) == "Size"
    }
    assert sizes == {10: SIZE, 20: SIZE // 2, 60: round(SIZE / 6)}
    (ulx,) = {e.find("ULX").text for e in tile.iter() if _local(e.tag) == "Geoposition"}
    with rasterio.open(f"/vsizip/{_zip(entry)}/{entry.name}/{_member(files, 'B04_10m.jp2')}") as ds:
        assert ds.shape == (SIZE, SIZE)
        assert ds.transform.c == float(ulx)
        assert ds.crs.to_epsg() == 32631
    product = ET.fromstring(bytes(files["MTD_MSIL2A.xml"]))
    listed = {e.text for e in product.iter() if _local(e.tag) == "IMAGE_FILE"}
    assert listed == {rel.removesuffix(".jp2") for rel in files if rel.endswith(".jp2")}
    manifest = ET.fromstring(bytes(files["manifest.safe"]))
    for stream in (e for e in manifest.iter() if _local(e.tag) == "byteStream"):
        rel = next(iter(stream)).get("href").removeprefix("./")
        assert int(stream.get("size")) == len(files[rel])
        checksum = next(c for c in stream if _local(c.tag) == "checksum").text
        assert checksum == hashlib.sha3_256(files[rel]).hexdigest().upper()


def test_jp2_tiled_like_esa_with_the_expected_values(built) -> None:
    _, entry, _ = built
    files = entry.payload.files
    b04 = codestream_tiles(files[_member(files, "B04_10m.jp2")])
    assert b04.tile_size == (1024, 1024)
    assert b04.grid == (2, 2)
    assert b04.image_size == (SIZE, SIZE)
    assert sorted(b04.parts) == [0, 1, 2, 3]
    assert not b04.tlm  # like the archive: no tile-part index
    assert b04.tiles_for(1000, 1000, 48, 48) == [0, 1, 2, 3]
    assert b04.tiles_for(1100, 10, 512, 512) == [2]
    b05 = codestream_tiles(files[_member(files, "B05_20m.jp2")])
    assert b05.tile_size == (640, 640)
    archive = f"/vsizip/{_zip(entry)}/{entry.name}"
    with rasterio.open(f"{archive}/{_member(files, 'B04_10m.jp2')}") as ds:
        assert ds.block_shapes == [(1024, 1024)]
        # A window across the four tiles.
        window = ds.read(1, window=((1000, 1100), (990, 1070)))
    rows, cols = np.mgrid[1000:1100, 990:1070]
    np.testing.assert_array_equal(window, expected_dn("B04", rows, cols, 10))
    with rasterio.open(f"{archive}/{_member(files, 'B05_20m.jp2')}") as ds:
        whole = ds.read(1)
    np.testing.assert_array_equal(whole, expected_dn("B05", *np.indices(whole.shape), 20))
    with rasterio.open(f"{archive}/{_member(files, 'SCL_60m.jp2')}") as ds:
        scl = ds.read(1)
    np.testing.assert_array_equal(scl, large_s2.expected_scl(*np.indices(scl.shape)))


def test_expected_dn() -> None:
    rows, cols = np.mgrid[0:300, 0:300]
    values = expected_dn("B04", rows, cols, 10)
    assert values.dtype == np.uint16
    assert values.min() >= 1000
    assert values.max() <= 9062
    assert int(expected_dn("B04", 123, 45, 10)) == int(values[123, 45])
    # Noisy: neighbours differ by more than the ramp's steps; AOT is the ramp alone.
    assert len(np.unique(np.diff(values.astype(np.int64), axis=1))) > 50
    np.testing.assert_array_equal(
        expected_dn("AOT", rows, cols, 10), large_s2.ramp("AOT", rows, cols, 10)
    )


def test_built_once_and_reused(built) -> None:
    _, entry, directory = built
    path = _zip(entry)
    mtime = path.stat().st_mtime_ns
    other = build_catalogue(scale=0.001).copy()
    again = add_large_s2(other, directory, SIZE)
    assert again is not entry
    assert (again.id, again.name, again.md5, again.blake3) == (
        entry.id,
        entry.name,
        entry.md5,
        entry.blake3,
    )
    assert path.stat().st_mtime_ns == mtime
    assert add_large_s2(other, directory, SIZE) is again  # not added twice
    assert [f for f in os.listdir(directory) if f.startswith(".")] == []  # no leftovers
    assert large_s2.large_s2_name(SIZE) not in build_catalogue(scale=0.001).by_name


def test_size_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="size must be"):
        add_large_s2(build_catalogue(scale=0.001).copy(), tmp_path, 100)


def test_served_by_the_emulator(built) -> None:
    from cdse_intake.fs import CDSEFileSystem

    _, entry, directory = built
    emu = Emulator(s3=False, scale=0.001)
    served = add_large_s2(emu.catalogue, directory, SIZE)
    with emu:
        fs = CDSEFileSystem(
            "https",
            credentials=(emu.username, emu.password),
            endpoints=emu.endpoints,
            skip_instance_cache=True,
        )
        assert fs.info(entry.name)["size"] == served.content_length
        with fs.open(entry.name) as f:
            assert f.read(4) == b"PK\x03\x04"
        rel = _member(served.payload.files, "B04_10m.jp2")
        # One GDAL thread: JPEG 2000 decoding on several threads through a Python opener
        # returns garbage for multi-tile windows (rasterio 1.4.4).
        with (
            rasterio.Env(GDAL_NUM_THREADS="1"),
            rasterio.open(f"{entry.name}/{rel}", opener=fs) as ds,
        ):
            assert ds.block_shapes == [(1024, 1024)]
            window = ds.read(1, window=((1000, 1100), (990, 1070)))  # four tiles
    rows, cols = np.mgrid[1000:1100, 990:1070]
    np.testing.assert_array_equal(window, expected_dn("B04", rows, cols, 10))
