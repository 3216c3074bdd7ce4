"""The emulator's Sentinel-1 wave-mode SLC products: the SAFE of a WV product with one vignette
per imagette (alternately WV1 and WV2), complex int16 TIFFs with GCPs, annotation, calibration
and noise XML per vignette, a wave-mode manifest and a preview folder; deterministic."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import numpy as np
import pytest

from cdse_intake.emulator.catalogue_list import BY_ID
from cdse_intake.emulator.products import BUILDERS
from cdse_intake.emulator.products import sentinel1_wv as wv
from cdse_intake.emulator.records.sentinel1_wv import wv_entry

rasterio = pytest.importorskip("rasterio")
ET = pytest.importorskip("defusedxml.ElementTree")

STEM = r"s1[ac]-wv[12]-slc-(vv|hh)-\d{8}t\d{6}-\d{8}t\d{6}-\d{6}-[0-9a-f]{6}-00[1-8]"
NAME = re.compile(
    rf"^(annotation/{STEM}\.xml|annotation/calibration/(calibration|noise)-{STEM}\.xml|"
    rf"measurement/{STEM}\.tiff|manifest\.safe|preview/(quick-look\.png|map-overlay\.kml|"
    r"product-preview\.html))$"
)


def wv_entries(count: int = 3) -> list:
    """Wave-mode records over the Atlantic (k=0: HH, descending; k=1: VV, ascending)."""
    row = BY_ID["sentinel-1-slc-wv"]
    out = []
    for k in range(count):
        entry = wv_entry(
            row, random.Random(k), datetime(2023, 5, 2, 10, tzinfo=UTC), -30.0, 40.0, k
        )
        entry.family = "sentinel1_wv"
        out.append(entry)
    return out


@pytest.fixture(scope="module")
def entry():
    return wv_entries(2)[1]


@pytest.fixture(scope="module")
def files(entry):
    return wv.build(entry)


def test_registered():
    assert BUILDERS["sentinel1_wv"].build is wv.build


def test_structure(entry, files):
    assert all(NAME.match(p) for p in files), [p for p in files if not NAME.match(p)]
    tiffs = sorted(p for p in files if p.startswith("measurement/"))
    assert len(tiffs) == wv.IMAGETTES
    numbers = [p[-8:-5] for p in tiffs]
    assert sorted(numbers) == [f"{k:03d}" for k in range(1, wv.IMAGETTES + 1)]
    for path in tiffs:  # odd numbers WV1, even WV2
        beam = "wv1" if int(path[-8:-5]) % 2 else "wv2"
        assert f"-{beam}-" in path
        stem = path.removeprefix("measurement/").removesuffix(".tiff")
        for other in (f"annotation/{stem}.xml", f"annotation/calibration/calibration-{stem}.xml",
                      f"annotation/calibration/noise-{stem}.xml"):  # fmt: skip
            assert other in files
    assert sum(map(len, files.values())) < 1_500_000


def test_manifest_is_wave_mode(entry, files):
    root = ET.fromstring(files["manifest.safe"])
    text = files["manifest.safe"].decode()
    assert "<s1sarl1:mode>WV</s1sarl1:mode>" in text
    assert "<s1sarl1:swath>WV1</s1sarl1:swath>" in text and "<s1sarl1:mode>IW" not in text
    hrefs = {e.get("href")[2:] for e in root.iter("fileLocation")}
    assert hrefs == {p for p in files if p.startswith(("annotation/", "measurement/"))}
    pol = "VV" if "_1SSV_" in entry.name else "HH"
    assert f"<s1sarl1:transmitterReceiverPolarisation>{pol}<" in text


def test_annotation_and_tiff(entry, files):
    from rasterio.io import MemoryFile

    im = wv.imagettes(entry)[1]
    stem = wv.stem(wv.facts(entry), im)
    ann = ET.fromstring(files[f"annotation/{stem}.xml"])
    assert ann.find("adsHeader/mode").text == "WV"
    assert ann.find("adsHeader/swath").text == "WV2"
    assert ann.find("adsHeader/imageNumber").text == "002"
    assert ann.find("swathTiming/burstList").get("count") == "0"
    assert int(ann.find("imageAnnotation/imageInformation/numberOfLines").text) == wv.LINES
    inc = float(ann.find("imageAnnotation/imageInformation/incidenceAngleMidSwath").text)
    assert inc == pytest.approx(36.5)
    points = ann.findall("geolocationGrid/geolocationGridPointList/geolocationGridPoint")
    assert len(points) == 25
    with MemoryFile(files[f"measurement/{stem}.tiff"]) as mem, mem.open() as ds:
        assert ds.dtypes[0] == "complex_int16" and ds.shape == (wv.LINES, wv.SAMPLES)
        assert len(ds.gcps[0]) == 25
        data = ds.read(1)
        first = ds.gcps[0][0]
    np.testing.assert_array_equal(data, wv.expected_dn(entry, 2))
    lon, lat = wv.geolocation(entry, 2, 0, 0)
    assert (first.x, first.y) == pytest.approx((float(lon), float(lat)))
    # calibration: |DN|^2 / A^2 is the speckled sigma0 (to int16 rounding)
    a = wv.SWATHS["WV2"].sigma_nought
    sigma = 10 * np.log10(np.abs(data.astype(np.complex128)) ** 2 / a**2 + 1e-12)
    big = np.abs(data) > 20
    np.testing.assert_allclose(sigma[big], wv.expected_sigma0(entry, 2)[big], atol=0.5)


def test_imagettes_lie_along_the_footprint(entry):
    from shapely.geometry import Point, shape

    strip = shape(entry.footprint).buffer(1e-6)
    for im in wv.imagettes(entry):
        lon, lat = wv.geolocation(entry, im.number, [0, wv.LINES - 1], [0, wv.SAMPLES - 1])
        assert all(strip.contains(Point(x, y)) for x, y in zip(lon, lat, strict=True))
        assert entry.start <= im.start < im.stop <= entry.end


def test_deterministic_and_errors(entry, files):
    assert wv.build(entry) == files
    with pytest.raises(ValueError, match="imagette"):
        wv.expected_dn(entry, 99)
    other = wv_entries(1)[0]
    other.name = other.name.replace("_WV_", "_IW_")
    with pytest.raises(ValueError, match="WV SLC"):
        wv.build(other)
