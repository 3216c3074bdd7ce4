"""Full-size Sentinel-1 IW GRD products (:mod:`cdse_intake.emulator.products.large_s1`): the
small writer's product at its own size, consistent metadata at any other, and the realistic
profile's showcase GRDs built strip-wise to a few hundred MB, served and read back."""

from __future__ import annotations

import hashlib
import re
import time
import tracemalloc
import zipfile
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from cdse_intake.emulator import sizes
from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.products import large_s1, sentinel1
from cdse_intake.emulator.server import Emulator

rasterio = pytest.importorskip("rasterio")
ET = pytest.importorskip("defusedxml.ElementTree")

SMALL = (sentinel1.LINES, sentinel1.SAMPLES)
#: Not the small writer's shape nor its aspect ratio; big enough for several strips.
SHAPE = (700, 1100)


@pytest.fixture(scope="module")
def grd():
    catalogue = build_catalogue(scale=0.02)
    return next(e for e in catalogue.materialised if e.family == "sentinel1_grd")


def _members(path: Path, name: str) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}
        assert {i.filename.split("/", 1)[0] for i in zf.infolist()} == {name}
        return {i.filename.split("/", 1)[1]: zf.read(i) for i in zf.infolist() if not i.is_dir()}


def _pixels(data: bytes) -> np.ndarray:
    with rasterio.MemoryFile(data) as memfile, memfile.open() as ds:
        return ds.read(1)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _only(files: dict[str, bytes], pattern: str) -> bytes:
    (rel,) = [rel for rel in files if re.fullmatch(pattern, rel)]
    return files[rel]


def test_at_the_small_shape_it_is_the_small_writers_product(grd, tmp_path):
    path = tmp_path / "grd.zip"
    large_s1.ensure_zip(grd, path, SMALL)
    members = _members(path, grd.name)
    small = sentinel1.build_grd(grd)
    assert set(members) == set(small)
    xml = [rel for rel in small if rel.endswith(".xml")]
    assert len(xml) == 6
    assert all(members[rel] == small[rel] for rel in xml)
    tiffs = [rel for rel in small if rel.endswith(".tiff")]
    for rel in tiffs:
        np.testing.assert_array_equal(_pixels(members[rel]), _pixels(small[rel]))
    lines, pixels = np.arange(0, SMALL[0], 7), np.arange(0, SMALL[1], 11)
    np.testing.assert_array_equal(
        large_s1.expected_dn(grd, "VH", SMALL, lines, pixels),
        sentinel1.expected_dn(grd, "VH", lines[:, None], pixels[None, :]),
    )


def test_metadata_fits_the_image(grd, tmp_path):
    lines, samples = SHAPE
    path = tmp_path / "grd.zip"
    sums = large_s1.ensure_zip(grd, path, SHAPE)
    data = path.read_bytes()
    assert sums["md5"] == hashlib.md5(data).hexdigest() and sums["size"] == len(data)
    files = _members(path, grd.name)
    annotation = ET.fromstring(_only(files, r"annotation/s1a-iw-grd-vv-.*\.xml"))
    info = annotation.find("imageAnnotation/imageInformation")
    assert (int(info.findtext("numberOfLines")), int(info.findtext("numberOfSamples"))) == SHAPE
    small = ET.fromstring(_only(sentinel1.build_grd(grd), r"annotation/s1a-iw-grd-vv-.*\.xml"))
    small_spacing = float(small.findtext("imageAnnotation/imageInformation/rangePixelSpacing"))
    spacing = float(info.findtext("rangePixelSpacing"))
    assert spacing == pytest.approx(small_spacing * (SMALL[1] - 1) / (samples - 1))
    points = annotation.findall(".//geolocationGridPoint")
    assert len(points) == 210
    assert {int(p.findtext("line")) for p in points} >= {0, lines - 1}
    assert {int(p.findtext("pixel")) for p in points} >= {0, samples - 1}
    calibration = ET.fromstring(_only(files, r"annotation/calibration/calibration-.*-vv-.*\.xml"))
    vectors = calibration.findall(".//calibrationVector")
    assert [int(v.findtext("line")) for v in vectors] == [0, 100, 200, 300, 400, 500, 600, 699]
    for vector in vectors:
        pixels = np.array(vector.findtext("pixel").split(), int)
        assert pixels[0] == 0 and pixels[-1] == samples - 1
        sigma = np.array(vector.findtext("sigmaNought").split(), float)
        line = int(vector.findtext("line"))
        np.testing.assert_allclose(sigma, large_s1.sigma_nought(SHAPE, line, pixels), rtol=1e-6)
    noise = ET.fromstring(_only(files, r"annotation/calibration/noise-.*-vh-.*\.xml"))
    assert {int(v.findtext("lastAzimuthLine")) for v in noise.iter("noiseAzimuthVector")} == {
        lines - 1
    }
    manifest = ET.fromstring(files["manifest.safe"])
    streams = [e for e in manifest.iter() if _local(e.tag) == "byteStream"]
    assert len(streams) == 8
    for stream in streams:
        rel = next(iter(stream)).get("href").removeprefix("./")
        assert int(stream.get("size")) == len(files[rel])
        checksum = next(c for c in stream if _local(c.tag) == "checksum").text
        assert checksum == hashlib.md5(files[rel]).hexdigest()
    tiff = _only(files, r"measurement/s1a-iw-grd-vh-.*\.tiff")
    with rasterio.MemoryFile(tiff) as memfile, memfile.open() as ds:
        assert ds.shape == SHAPE and ds.dtypes == ("uint16",)
        gcps, crs = ds.gcps
        assert len(gcps) == 210 and crs.to_epsg() == 4326
        assert (gcps[-1].row, gcps[-1].col) == (lines - 1, samples - 1)
        window = ds.read(1, window=((250, 270), (1000, 1100)))  # across two strips
    expected = large_s1.expected_dn(grd, "VH", SHAPE, np.arange(250, 270), np.arange(1000, 1100))
    np.testing.assert_array_equal(window, expected)


def test_a_too_small_shape_is_refused(grd, tmp_path):
    with pytest.raises(ValueError, match="shape must be at least"):
        large_s1.ensure_zip(grd, tmp_path / "grd.zip", (100, 1000))


def test_realistic_showcase_grd_is_full_size(monkeypatch, tmp_path):
    from cdse_intake import Settings, download, open_product, search

    monkeypatch.setenv("CDSE_EMULATOR_CACHE", str(tmp_path / "emulator"))
    lines, samples = sizes.S1_SHAPE
    with Emulator(scale=0.02, sizes="realistic") as emu, Emulator(scale=0.02) as small:
        full = [e for e in emu.catalogue.materialised if e.family == "sentinel1_grd"]
        assert full and all(e.extra.get("sizes") == "realistic" for e in full)
        entry = full[0]
        assert small.catalogue.by_id[entry.id].content_length < 5_000_000
        tracemalloc.start()
        try:
            started = time.perf_counter()
            length = entry.content_length  # the first read builds it
            built_in = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        print(f"full-size GRD: {length / 1e6:.0f} MB in {built_in:.1f} s, peak {peak / 1e6:.0f} MB")
        # Two uncompressed uint16 polarisations, plus TIFF headers and the XML.
        assert 2 * 2 * lines * samples < length < 2 * 2 * lines * samples + 5_000_000
        assert length > 200_000_000
        assert peak < 150_000_000  # strips: never a whole 150 MB band
        settings = Settings(cache_dir=tmp_path / "cache", query_cache_age=0)
        (product,) = [
            p
            for p in search(
                collection="SENTINEL-1",
                product_type=entry.product_type,
                start=entry.start - timedelta(seconds=1),
                end=entry.end + timedelta(seconds=1),
                endpoints=emu.endpoints,
                settings=settings,
            )
            if p.id == entry.id
        ]
        assert product.size == length
        report = download(
            [product],
            tmp_path / "out",
            endpoints=emu.endpoints,
            settings=settings,
            credentials=(emu.username, emu.password),
            progress=False,
        )
    assert not report.failed, report.failed
    path = report.verified[0].path
    assert path.stat().st_size == length
    assert _md5(path) == entry.md5
    _check_window(open_product, path, entry)


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        while block := f.read(16 << 20):
            digest.update(block)
    return digest.hexdigest()


def _check_window(open_product, path: Path, entry) -> None:
    """A window in the middle of VV reads lazily as the model's DN and their sigma0."""
    lines, samples = sizes.S1_SHAPE
    rows = slice(lines // 2, lines // 2 + 16)
    cols = slice(samples // 2, samples // 2 + 24)
    tracemalloc.start()
    try:
        raw = open_product(path)
        sigma = open_product(path, calibration="sigma0")
        try:
            assert raw.VV.shape == sizes.S1_SHAPE
            dn = np.asarray(raw.VV[rows, cols].values)
            linear = np.asarray(sigma.VV[rows, cols].values)
        finally:
            raw.close()
            sigma.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # One chunk of full-width lines (measured ~80 MB), not a band (150 MB of DN, 300 of sigma0).
    assert peak < 120_000_000
    r, c = np.arange(lines)[rows], np.arange(samples)[cols]
    np.testing.assert_array_equal(dn, large_s1.expected_dn(entry, "VV", sizes.S1_SHAPE, r, c))
    lut = large_s1.sigma_nought(sizes.S1_SHAPE, r[:, None], c[None, :])
    np.testing.assert_allclose(linear, (dn / lut) ** 2, rtol=1e-5)
    assert np.isfinite(linear).all() and (linear > 0).all()
    assert -30 < float(np.median(10 * np.log10(linear))) < 5  # dB: sea to bright land
