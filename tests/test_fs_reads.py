"""Reading parts of products remotely: xarray and rasterio through cdse://, fsspec caches, S3."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import time
import uuid

import fsspec
import numpy as np
import pytest

from cdse_intake.emulator.catalogue import Catalogue, Payload
from cdse_intake.emulator.server import Emulator
from cdse_intake.fs import CDSEFileSystem


@pytest.fixture(autouse=True)
def _fresh_instances():
    CDSEFileSystem.clear_instance_cache()
    yield
    CDSEFileSystem.clear_instance_cache()


def product(emu, prefix: str):
    return next(e for e in emu.catalogue.materialised if e.name.startswith(prefix))


def value_bytes(emu, count: int = 0) -> tuple[int, int]:
    """(number, bytes sent) of the logged ``$value`` GETs, once ``count`` are logged (5 s max)."""
    deadline = time.monotonic() + 5
    while True:
        gets = [r for r in emu.state.requests() if r.path.endswith("$value")]
        if len(gets) >= count or time.monotonic() > deadline:
            return len(gets), sum(r.bytes_sent for r in gets)
        time.sleep(0.01)


# -- xarray ----------------------------------------------------------------------------------------
def test_netcdf_inside_a_product_opens_remotely_with_xarray(cdse_emulator, cdse_env):
    xr = pytest.importorskip("xarray")
    entry = product(cdse_emulator, "S3A_OL_1_EFR")
    data = entry.payload.files["Oa01_radiance.nc"]
    fs = fsspec.filesystem("cdse")
    with fs.open(f"cdse://{entry.stem}/Oa01_radiance.nc") as f:
        remote = xr.open_dataset(f, engine="h5netcdf")["Oa01_radiance"].load()
    local = xr.open_dataset(io.BytesIO(data), engine="h5netcdf")["Oa01_radiance"].load()
    xr.testing.assert_identical(remote, local)
    assert remote.shape == (120, 129) and np.isfinite(remote.values).any()


def test_single_file_netcdf_product_with_xarray(cdse_emulator, cdse_env):
    xr = pytest.importorskip("xarray")
    entry = product(cdse_emulator, "S5P_")
    with fsspec.open(f"cdse://{entry.id}") as f:
        remote = xr.open_dataset(f, engine="h5netcdf", group="PRODUCT")
        no2 = remote["nitrogendioxide_tropospheric_column"].load()
    local = xr.open_dataset(io.BytesIO(entry.payload.data), engine="h5netcdf", group="PRODUCT")
    xr.testing.assert_identical(no2, local["nitrogendioxide_tropospheric_column"].load())


def test_zarr_product_opens_as_a_datatree_over_both_transports(cdse_emulator, cdse_env, tmp_path):
    """zarr rebuilds the filesystem from its JSON (asynchronous): that copy must work too."""
    xr = pytest.importorskip("xarray")
    pytest.importorskip("zarr")
    entry = next(e for e in cdse_emulator.catalogue.materialised if e.name.endswith(".zarr"))
    for rel, data in entry.payload.files.items():
        local = tmp_path / entry.name / rel
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data)
    expected = xr.open_datatree(tmp_path / entry.name, engine="zarr").load()
    for via in ("https", "s3"):
        fs = fsspec.filesystem("cdse", via=via)
        tree = xr.open_datatree(fs.get_mapper(entry.stem), engine="zarr").load()
        xr.testing.assert_identical(tree, expected)


# -- fsspec's caching layers -----------------------------------------------------------------------
def test_filecache_downloads_once(cdse_emulator, cdse_env, tmp_path):
    entry = product(cdse_emulator, "S2A_MSIL1C_2023")
    url = f"filecache::cdse://{entry.name}"
    options = {"filecache": {"cache_storage": str(tmp_path)}}
    for _ in range(2):
        with fsspec.open(url, **options) as f:
            assert hashlib.md5(f.read()).hexdigest() == entry.md5
    assert value_bytes(cdse_emulator, 1) == (1, entry.content_length)


def test_blockcache_fetches_only_the_blocks_read(cdse_emulator, cdse_env, tmp_path):
    entry = product(cdse_emulator, "S1")
    rel = next(r for r in entry.payload.files if r.startswith("measurement/"))
    data = entry.payload.files[rel]
    url = f"blockcache::cdse://{entry.name}/{rel}"
    options = {"blockcache": {"cache_storage": str(tmp_path)}, "cdse": {"block_size": 8192}}
    for _ in range(2):
        with fsspec.open(url, **options) as f:
            f.seek(100_000)
            assert f.read(10_000) == data[100_000:110_000]
    # blocks 12 and 13 of 8 KiB, fetched once and then read from the local cache
    assert value_bytes(cdse_emulator, 1) == (1, 2 * 8192)
    assert len(data) > 400_000


# -- S3 --------------------------------------------------------------------------------------------
def test_s3_gives_the_same_files_as_https(cdse_emulator, cdse_env, tmp_path):
    https = fsspec.filesystem("cdse")
    s3 = fsspec.filesystem("cdse", via="s3")
    entry = product(cdse_emulator, "S2A_MSIL2A_2023")
    paths = sorted(https.find(entry.name))
    assert sorted(s3.find(entry.name)) == paths
    assert len(paths) == len(entry.payload.files)
    assert s3.cat(paths) == https.cat(paths)
    assert https.cat(paths) == {f"{entry.name}/{r}": d for r, d in entry.payload.files.items()}
    for folder in {p.rsplit("/", 1)[0] for p in paths}:
        assert s3.ls(folder) == https.ls(folder)
    band = next(p for p in paths if p.endswith("B04_10m.jp2"))
    assert s3.cat_file(band, -500, -20) == https.cat_file(band, -500, -20)
    assert s3.info(band) == https.info(band)

    s3.get_file(band, str(tmp_path / "band.jp2"))
    assert (tmp_path / "band.jp2").read_bytes() == https.cat_file(band)

    single = product(cdse_emulator, "S5P_")
    assert s3.cat(single.stem) == https.cat(single.stem) == single.payload.data

    # In S3 a folder product is stored unpacked: its zip exists on the download service only.
    assert s3.info(entry.stem)["type"] == "directory"
    with pytest.raises(IsADirectoryError, match="via='https'"):
        s3.open(entry.stem)
    with pytest.raises(FileNotFoundError):
        s3.info(f"{entry.name}/granule")


# -- rasterio: a window of a large band ------------------------------------------------------------
@pytest.fixture(scope="module")
def big_band():
    """A private emulator holding an S2 L2A product whose B04 band is a 2048 x 2048 tiled JP2."""
    pytest.importorskip("rasterio")
    from affine import Affine

    from cdse_intake.emulator.products._raster import raster_bytes

    pixels = np.random.default_rng(4).integers(0, 4000, size=(2048, 2048), dtype=np.uint16)
    jp2 = raster_bytes(
        pixels, driver="JP2OpenJPEG", crs="EPSG:32631",
        transform=Affine(10, 0, 600000, 0, -10, 5700000),
        QUALITY=100, REVERSIBLE="YES", BLOCKXSIZE=512, BLOCKYSIZE=512,
    )  # fmt: skip
    emu = Emulator(seed=4004, scale=0.02, s3=False)
    base = product(emu, "S2A_MSIL2A_2023")
    band = next(r for r in base.payload.files if r.endswith("B04_10m.jp2"))
    name = base.name.replace(".SAFE", "").rsplit("_", 1)[0] + "_20230104T000000.SAFE"
    payload = Payload.from_files(name, {**base.payload.files, band: jp2}, single_file=False)
    entry = dataclasses.replace(
        base, id=str(uuid.uuid4()), name=name, payload=payload, content_length=payload.size,
        md5=payload.md5, blake3=payload.blake3,
        s3_path=f"{base.s3_path.rsplit('/', 1)[0]}/{name}",
    )  # fmt: skip
    emu.catalogue = Catalogue([*emu.catalogue.entries, entry])  # this emulator's own copy
    with emu:
        yield emu, entry, band, pixels


def test_a_window_of_a_remote_jp2_reads_a_small_part(big_band, monkeypatch):
    import rasterio
    from rasterio.windows import Window

    emu, entry, band, pixels = big_band
    for key, value in emu.env().items():
        monkeypatch.setenv(key, value)
    emu.state.reset_counters()
    fs = fsspec.filesystem("cdse")
    # rasterio reads a Python file object whole; its opener= gives GDAL range reads instead
    opener = functools.partial(fs.open, block_size=2**16)
    with rasterio.open(f"{entry.stem}/{band}", opener=opener) as ds:
        assert (ds.width, ds.height, ds.crs.to_epsg()) == (2048, 2048, 32631)
        window = ds.read(1, window=Window(512, 1024, 512, 512))
    np.testing.assert_array_equal(window, pixels[1024:1536, 512:1024])
    requests, sent = value_bytes(emu)
    band_size = len(entry.payload.files[band])
    assert requests >= 1
    assert sent < 0.25 * band_size < 0.25 * entry.content_length  # measured: ~15%
