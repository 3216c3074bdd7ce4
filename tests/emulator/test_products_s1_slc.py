"""The emulator's Sentinel-1 IW SLC products: the real SAFE structure and names, complex TIFFs
with GCPs and burst offsets, values that the client reader and xarray-sentinel read back as
the ``expected_*`` functions promise, byte-for-byte determinism and the raster cache."""

from __future__ import annotations

import copy
import hashlib
import re
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cdse_intake.emulator.catalogue import Entry, Payload, build_catalogue
from cdse_intake.emulator.products import BUILDERS, _s1_pixels
from cdse_intake.emulator.products import sentinel1_slc as emu
from cdse_intake.readers import open_product

rasterio = pytest.importorskip("rasterio")
xr = pytest.importorskip("xarray")
shapely = pytest.importorskip("shapely")
ET = pytest.importorskip("defusedxml.ElementTree")

MAX_ZIP = 2_000_000
#: (line, pixel) per swath: edges, invalid lines/samples, burst overlaps, off the grid nodes.
POINTS = {
    "IW1": [(0, 0), (1, 5), (17, 100), (39, 193), (40, 50), (41, 77), (119, 199), (78, 150)],
    "IW2": [(0, 0), (1, 5), (42, 229), (43, 6), (100, 123), (171, 235), (129, 200), (85, 17)],
    "IW3": [(0, 0), (1, 5), (40, 221), (41, 9), (66, 111), (122, 227), (83, 30), (99, 220)],
}
NAME = re.compile(
    r"^(annotation/|annotation/calibration/(calibration|noise)-|measurement/)"
    r"s1[ac]-iw[123]-slc-v[vh]-\d{8}t\d{6}-\d{8}t\d{6}-\d{6}-[0-9a-f]{6}-00[1-6]\.(xml|tiff)$"
)


def slc_entries(count: int = 3) -> list[Entry]:
    """The first SLC entries of the catalogue's first site (descending, ascending, descending),
    copied with ``family`` set."""
    found = [e for e in build_catalogue(materialise=False) if e.product_type == "IW_SLC__1S"][
        :count
    ]
    out = []
    for entry in found:
        entry = copy.copy(entry)
        entry.family = "sentinel1_slc"
        out.append(entry)
    return out


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return slc_entries()


@pytest.fixture(scope="module")
def product(entries, tmp_path_factory) -> tuple[Entry, dict[str, bytes], Path, Path]:
    """The first entry's files, its zip as CDSE delivers it and the unpacked ``.SAFE``."""
    entry = entries[0]
    files = emu.build_slc(entry)
    root = tmp_path_factory.mktemp("slc")
    archive = root / f"{entry.stem}.zip"
    archive.write_bytes(Payload.from_files(entry.name, files, single_file=False).data)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(root)
    return entry, files, archive, root / entry.name


def lines_pixels(swath: str) -> tuple[np.ndarray, np.ndarray]:
    return tuple(np.array(POINTS[swath]).T)  # type: ignore[return-value]


def annotation(files: dict[str, bytes], swath: str, pol: str, kind: str = "") -> object:
    prefix = {"": "annotation/", "calibration": "annotation/calibration/calibration-"}[kind]
    (rel,) = [r for r in files if r.startswith(f"{prefix}s1") and f"-{swath}-slc-{pol}-" in r]
    return ET.fromstring(files[rel])


# -- structure ----------------------------------------------------------------------------------


def test_files_are_named_and_numbered_as_the_real_slc(product):
    entry, files, archive, _ = product
    assert BUILDERS["sentinel1_slc"].build is emu.build_slc
    images = sorted(rel for rel in files if rel != "manifest.safe")
    assert len(images) == 3 * 3 * 2 + 6
    assert all(NAME.match(rel) for rel in images), images
    mission = entry.name[:3].lower()
    numbers = {
        (m.group(1), m.group(2)): m.group(3)
        for rel in images
        if (m := re.search(rf"measurement/{mission}-(iw\d)-slc-(v\w)-.*-(\d{{3}})\.tiff$", rel))
    }
    assert numbers == {
        ("iw1", "vh"): "001", ("iw2", "vh"): "002", ("iw3", "vh"): "003",
        ("iw1", "vv"): "004", ("iw2", "vv"): "005", ("iw3", "vv"): "006",
    }  # fmt: skip
    assert len(archive.read_bytes()) < MAX_ZIP
    with zipfile.ZipFile(archive) as zf:
        assert {n for n in zf.namelist() if not n.endswith("/")} == {
            f"{entry.name}/{rel}" for rel in files
        }
    # each swath's files carry its own first and last line times (IW2 spans the product)
    for swath in emu.SWATHS:
        times = emu.azimuth_time(entry, swath, [0, emu.swath_shape(swath)[0] - 1])
        start, stop = (
            np.datetime_as_string(t, "s").replace("-", "").replace(":", "") for t in times
        )
        tiff = next(r for r in images if f"-{swath.lower()}-slc-vv-" in r and r.endswith("tiff"))
        assert f"-{start.lower()}-{stop.lower()}-" in tiff
        head = annotation(files, swath.lower(), "vv").find("adsHeader")
        assert head.findtext("swath") == swath
        assert head.findtext("productType") == "SLC"
    first, last = emu.azimuth_time(entry, "IW2", [0, emu.swath_shape("IW2")[0] - 1])
    assert first == np.datetime64(entry.start.replace(tzinfo=None), "ns")
    assert last == np.datetime64(entry.end.replace(tzinfo=None), "ns")


@pytest.mark.parametrize("which", [0, 1], ids=["descending", "ascending"])
def test_manifest_lists_every_file_and_the_product(entries, which):
    entry = entries[which]
    files = emu.build_slc(entry)
    manifest = ET.fromstring(files["manifest.safe"])
    listed = {}
    for obj in manifest.iter("dataObject"):
        stream = obj.find("byteStream")
        href = stream.find("fileLocation").get("href").removeprefix("./")
        listed[href] = (int(stream.get("size")), stream.findtext("checksum"))
    expected = {
        rel: (len(data), hashlib.md5(data, usedforsecurity=False).hexdigest())
        for rel, data in files.items()
        if rel != "manifest.safe"
    }
    assert listed == expected
    text = files["manifest.safe"].decode()
    assert "level-1/slc/standard/iwdp" in text
    assert "<s1sarl1:productType>SLC</s1sarl1:productType>" in text
    assert re.findall(r"<s1sarl1:swath>(\w+)</s1sarl1:swath>", text) == ["IW1", "IW2", "IW3"]
    assert f"<s1:pass>{entry.extra['direction']}</s1:pass>" in text
    # the footprint from the last line's near range round, as the real manifests give it
    coordinates = manifest.find(".//{http://www.opengis.net/gml}coordinates").text.split()
    corners = [tuple(map(float, c.split(",")))[::-1] for c in coordinates]
    quad = shapely.geometry.shape(entry.footprint).exterior.coords  # SW SE NE NW SW
    south_east_first = [quad[1], quad[0], quad[3], quad[2]]  # descending: SE SW NW NE
    north_west_first = [quad[3], quad[2], quad[1], quad[0]]  # ascending: NW NE SE SW
    expected = north_west_first if entry.extra["direction"] == "ASCENDING" else south_east_first
    np.testing.assert_allclose(corners, expected, atol=1e-6)
    # the measurement data objects follow the image numbers, VH first
    hrefs = re.findall(r'href="\./measurement/s1\w-(iw\d)-slc-(v\w)-', text)
    assert hrefs == [(f"iw{n}", pol) for pol in ("vh", "vv") for n in (1, 2, 3)]


def element_paths(root) -> set[str]:
    out = set()

    def walk(element, path):
        for child in element:
            tag = child.tag.rsplit("}", 1)[-1]
            out.add(f"{path}/{tag}")
            walk(child, f"{path}/{tag}")

    walk(root, "")
    return out


def test_xml_elements_follow_the_real_slc(product, reference_dir):
    _, files, _, _ = product
    found = sorted((reference_dir / "samples/products/sentinel-1").glob("S1B_IW_SLC__*.zip"))
    if not found:
        pytest.skip("no real SLC in the reference samples")
    with zipfile.ZipFile(found[0]) as zf:
        real = {n.split("/", 1)[1]: n for n in zf.namelist() if n.endswith(".xml")}

        def real_root(kind: str):
            (name,) = [
                n for rel, n in real.items() if re.match(rf"{kind}s1b-iw1-slc-vv-.*\.xml$", rel)
            ]
            return ET.fromstring(zf.read(name))

        pairs = [
            ("annotation/", annotation(files, "iw1", "vv")),
            ("annotation/calibration/calibration-", annotation(files, "iw1", "vv", "calibration")),
        ]
        (noise,) = [r for r in files if re.match(r"annotation/calibration/noise-s1.-iw1-slc-vv", r)]
        pairs.append(("annotation/calibration/noise-", ET.fromstring(files[noise])))
        for kind, ours in pairs:
            extra = element_paths(ours) - element_paths(real_root(kind))
            # burstId: annotated since IPF 3.40 (the sample is 3.31), as the schema has it
            assert extra <= {"/swathTiming/burstList/burst/burstId"}, (kind, extra)
    ours = annotation(files, "iw1", "vv")
    assert ours.findtext("generalAnnotation/productInformation/projection") == "Slant Range"
    assert ours.findtext("imageAnnotation/imageInformation/pixelValue") == "Complex"


# -- values -------------------------------------------------------------------------------------


@pytest.mark.parametrize("swath", list(emu.SWATHS))
def test_measurement_is_complex_int16_with_gcps_and_burst_offsets(product, swath):
    entry, files, _, folder = product
    (tiff,) = (folder / "measurement").glob(f"*-{swath.lower()}-slc-vh-*.tiff")
    with rasterio.open(tiff) as ds:
        assert ds.dtypes == ("complex_int16",)
        assert ds.shape == emu.swath_shape(swath)
        assert ds.compression is None
        assert ds.block_shapes == [(1, ds.width)]
        assert ds.transform.is_identity
        assert ds.tags()["TIFFTAG_IMAGEDESCRIPTION"] == f"Sentinel-1{entry.name[2]} IW SLC L1"
        assert ds.tags()["TIFFTAG_DATETIME"] == f"{entry.origin:%Y:%m:%d %H:%M:%S}"
        lines, pixels = np.indices(ds.shape)
        expected = emu.expected_dn(entry, swath, "VH", lines, pixels)
        np.testing.assert_array_equal(ds.read(1), expected)
        gcps, crs = ds.gcps
        assert crs.to_epsg() == 4326
        rows = np.array([g.row for g in gcps])
        cols = np.array([g.col for g in gcps])
        assert set(rows) == set(emu.grid_lines(swath))
        lon, lat = emu.geolocation(entry, swath, rows, cols)
        np.testing.assert_allclose([g.x for g in gcps], lon, atol=1e-12)
        np.testing.assert_allclose([g.y for g in gcps], lat, atol=1e-12)
    # byteOffset: where each burst's first line starts in the TIFF (interleaved int16 re, im)
    data = tiff.read_bytes()
    bursts = annotation(files, swath.lower(), "vh").findall("swathTiming/burstList/burst")
    per_burst, samples = emu.SWATHS[swath].lines_per_burst, emu.swath_shape(swath)[1]
    assert len(bursts) == emu.SWATHS[swath].bursts
    for b, burst in enumerate(bursts):
        offset = int(burst.findtext("byteOffset"))
        for k in (0, 1):  # the burst's first line (invalid: zeros) and its second
            raw = np.frombuffer(data, "<i2", count=2 * samples, offset=offset + 4 * samples * k)
            expected = emu.expected_dn(entry, swath, "VH", b * per_burst + k, np.arange(samples))
            np.testing.assert_array_equal(raw[0::2] + 1j * raw[1::2], expected)
        assert expected.any()
        first = burst.findtext("firstValidSample").split()
        last = burst.findtext("lastValidSample").split()
        assert len(first) == len(last) == per_burst
        assert (first[0], first[1], last[0], last[1]) == ("-1", "5", "-1", str(samples - 7))
        assert first[-1] == "-1"


def test_client_reader_reads_values_times_and_geolocation(product):
    entry, _, archive, _ = product
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a complete product opens without a warning
        tree = open_product(archive)
    assert set(tree.children) >= {"IW1", "IW2", "IW3"}
    assert tree.attrs["product_type"] == "SLC"
    assert tree.attrs["swaths"] == ["IW1", "IW2", "IW3"]
    assert tree.attrs["polarisations"] == ["VV", "VH"]
    assert tree.attrs["absolute_orbit"] == entry.extra["orbit"]
    assert tree.attrs["pass_direction"] == entry.extra["direction"]
    for swath, spec in emu.SWATHS.items():
        ds = tree[swath].to_dataset()
        assert list(ds.data_vars) == ["VV", "VH"]
        assert ds.VV.shape == emu.swath_shape(swath)
        assert ds.VV.dtype == np.complex64
        assert ds.attrs["number_of_bursts"] == spec.bursts
        assert ds.attrs["lines_per_burst"] == spec.lines_per_burst
        lines, pixels = lines_pixels(swath)
        for pol in ("VV", "VH"):
            values = ds[pol].isel(y=xr.DataArray(lines), x=xr.DataArray(pixels)).values
            expected = emu.expected_dn(entry, swath, pol, lines, pixels)
            np.testing.assert_array_equal(values, expected)
        all_lines = np.arange(spec.lines)
        np.testing.assert_array_equal(
            ds.azimuth_time.values, emu.azimuth_time(entry, swath, all_lines)
        )
        np.testing.assert_array_equal(ds.burst.values, all_lines // spec.lines_per_burst)
        np.testing.assert_allclose(
            ds.slant_range_time.values,
            emu.slant_range_time(swath, np.arange(spec.samples)),
            rtol=1e-12,
        )
        # geolocation is bilinear in (azimuth time, slant range): the reader's interpolation of
        # the grid is exact, in the burst overlaps too
        lon, lat = emu.geolocation(entry, swath, lines, pixels)
        got = ds[["longitude", "latitude"]].isel(y=xr.DataArray(lines), x=xr.DataArray(pixels))
        np.testing.assert_allclose(got.longitude.values, lon, atol=1e-7)
        np.testing.assert_allclose(got.latitude.values, lat, atol=1e-7)


def test_client_reader_calibrates_and_selects_polarisations(product):
    entry, _, archive, _ = product
    tree = open_product(archive, calibration="sigma0", polarisations="VH")
    for swath in emu.SWATHS:
        ds = tree[swath].to_dataset()
        assert list(ds.data_vars) == ["VH"]
        assert ds.VH.dtype == np.float32
        lines, pixels = lines_pixels(swath)
        dn = emu.expected_dn(entry, swath, "VH", lines, pixels)
        expected = np.abs(dn) ** 2 / emu.expected_sigma_nought(swath, lines, pixels) ** 2
        values = ds.VH.isel(y=xr.DataArray(lines), x=xr.DataArray(pixels)).values
        np.testing.assert_allclose(values, expected, rtol=2e-6)
        lut = tree[f"{swath}/calibration/VH"]
        np.testing.assert_allclose(
            lut.sigmaNought,
            emu.expected_sigma_nought(swath, lut.line.values[:, None], lut.pixel.values),
            rtol=1e-6,
        )
        assert lut.line.values[0] < 0 < emu.swath_shape(swath)[0] - 1 < lut.line.values[-1]


def test_groups_match_xarray_sentinel(product):
    xarray_sentinel = pytest.importorskip("xarray_sentinel")
    _, _, archive, folder = product
    tree = open_product(archive)
    kinds = {"gcp", "orbit", "attitude", "dc_estimate", "azimuth_fm_rate", "calibration"}
    kinds |= {"noise_range", "noise_azimuth"}
    assert set(tree["IW2"].children) == kinds
    for swath in emu.SWATHS:
        for kind in kinds:
            for pol in ("VV", "VH"):
                ours = tree[f"{swath}/{kind}/{pol}"].to_dataset(inherit=False)
                theirs = xarray_sentinel.open_sentinel1_dataset(
                    str(folder), group=f"{swath}/{pol}/{kind}"
                )
                # xarray-sentinel fills this flag with the RMS error values (its bug)
                ours = ours.drop_vars("data_dc_rms_error_above_threshold", errors="ignore")
                theirs = theirs.drop_vars("data_dc_rms_error_above_threshold", errors="ignore")
                xr.testing.assert_allclose(ours.drop_attrs(), theirs.drop_attrs())


def test_xarray_sentinel_reads_swaths_bursts_and_calibration(product):
    xarray_sentinel = pytest.importorskip("xarray_sentinel")
    entry, _, archive, folder = product
    top = xarray_sentinel.open_sentinel1_dataset(f"zip://*/manifest.safe::{archive}")
    assert top.attrs["product_type"] == "SLC"
    assert {"IW1/VV", "IW2/VH", "IW3/VV/calibration"} <= set(top.attrs["subgroups"])
    gcp = xarray_sentinel.open_sentinel1_dataset(
        f"zip://*/manifest.safe::{archive}", group="IW3/VV/gcp"
    )
    lon, lat = emu.geolocation(entry, "IW3", gcp.line.values[:, None], gcp.pixel.values)
    np.testing.assert_allclose(gcp.longitude.values, lon, atol=1e-12)
    np.testing.assert_allclose(gcp.latitude.values, lat, atol=1e-12)
    # its images open from the unpacked product (it hands /vsizip/ paths to rasterio without
    # the zip file: its own FIXME)
    for swath, spec in emu.SWATHS.items():
        ds = xarray_sentinel.open_sentinel1_dataset(str(folder), group=f"{swath}/VV")
        lines, pixels = np.indices(emu.swath_shape(swath))
        np.testing.assert_array_equal(
            ds.measurement.values, emu.expected_dn(entry, swath, "VV", lines, pixels)
        )
        np.testing.assert_array_equal(
            ds.azimuth_time.values, emu.azimuth_time(entry, swath, lines[:, 0])
        )
        assert ds.attrs["number_of_bursts"] == spec.bursts
        ids = ds.attrs["burst_ids"]
        assert ids == list(range(ids[0], ids[0] + spec.bursts))
        # a burst: its lines and its first line's time
        burst = xarray_sentinel.open_sentinel1_dataset(str(folder), group=f"{swath}/VV/1")
        assert list(burst.line.values) == list(
            range(spec.lines_per_burst, 2 * spec.lines_per_burst)
        )
        assert burst.azimuth_time.values[0] == emu.burst_times(entry, swath)[1]
        calibration = xarray_sentinel.open_sentinel1_dataset(
            str(folder), group=f"{swath}/VV/calibration"
        )
        amplitude = xarray_sentinel.calibrate_amplitude(
            ds.measurement[:8, :20], calibration.sigmaNought
        )
        l8, p20 = lines[:8, :20], pixels[:8, :20]
        np.testing.assert_allclose(
            amplitude.values,
            emu.expected_dn(entry, swath, "VV", l8, p20)
            / emu.expected_sigma_nought(swath, l8, p20),
            rtol=1e-5,
        )


def test_footprint_and_swath_layout(entries):
    for entry in entries[:2]:
        footprint = shapely.geometry.shape(entry.footprint).buffer(1e-6)
        for swath in emu.SWATHS:
            lines, samples = emu.swath_shape(swath)
            line, pixel = np.meshgrid([0, lines - 1], [0, samples - 1])
            lon, lat = emu.geolocation(entry, swath, line.ravel(), pixel.ravel())
            assert footprint.contains(shapely.geometry.MultiPoint(list(zip(lon, lat, strict=True))))
        # IW1's near range and IW3's far range are the footprint's sides; IW2's first and last
        # lines its ends
        lines, samples = emu.swath_shape("IW2")
        quad = [
            emu.geolocation(entry, "IW1", 0, 0),
            emu.geolocation(entry, "IW3", 0, emu.swath_shape("IW3")[1] - 1),
        ]
        ring = shapely.geometry.shape(entry.footprint).exterior
        for lon, lat in quad:
            assert ring.distance(shapely.geometry.Point(lon, lat)) < 0.05
        first = emu.azimuth_time(entry, "IW2", 0)
        assert first == np.datetime64(entry.start.replace(tzinfo=None), "ns")
        # near range is west when ascending, east when descending (right-looking radar)
        (lon_near, _), (lon_far, _) = quad
        assert (lon_near < lon_far) == (entry.extra["direction"] == "ASCENDING")
        # swaths overlap a little in slant range and bursts in time, as the real ones do
        iw1_far = emu.slant_range_time("IW1", emu.swath_shape("IW1")[1] - 1)
        assert iw1_far > emu.slant_range_time("IW2", 0)
        times = emu.azimuth_time(entry, "IW1", np.arange(emu.swath_shape("IW1")[0]))
        per_burst = emu.SWATHS["IW1"].lines_per_burst
        assert times[per_burst] < times[per_burst - 1]


# -- determinism, speed, errors -----------------------------------------------------------------


def digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for rel in sorted(files):
        h.update(rel.encode() + b"\0" + files[rel])
    return h.hexdigest()


def test_builds_are_deterministic_across_calls_caches_and_processes(product):
    entry, files, _, _ = product
    assert emu.build_slc(entry) == files
    emu._measurement.cache_clear()
    emu._images.cache_clear()
    assert emu.build_slc(entry) == files
    script = (
        "import copy\n"
        "from tests.emulator.test_products_s1_slc import digest, slc_entries\n"
        "from cdse_intake.emulator.products import sentinel1_slc\n"
        "print(digest(sentinel1_slc.build_slc(slc_entries(1)[0])))\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == digest(files)


def test_products_of_a_site_share_the_scene_points_not_the_pixels(entries):
    emu.build_slc(entries[0])
    before = _s1_pixels._node_lonlat.cache_info()
    emu.build_slc(entries[2])  # same site and pass, another mission and date
    after = _s1_pixels._node_lonlat.cache_info()
    assert after.hits > before.hits and after.misses == before.misses
    a, b = emu.build_slc(entries[0]), emu.build_slc(entries[2])
    tiff_a = next(v for k, v in sorted(a.items()) if k.endswith(".tiff"))
    tiff_b = next(v for k, v in sorted(b.items()) if k.endswith(".tiff"))
    assert tiff_a != tiff_b
    with rasterio.MemoryFile(tiff_b) as mf, mf.open() as ds:
        assert ds.tags()["TIFFTAG_IMAGEDESCRIPTION"] == f"Sentinel-1{entries[2].name[2]} IW SLC L1"
        assert ds.tags()["TIFFTAG_DATETIME"] == f"{entries[2].origin:%Y:%m:%d %H:%M:%S}"
    # another date: the same place, another season, sea wind and speckle
    lines, pixels = np.indices(emu.swath_shape("IW2"))
    first = emu.expected_dn(entries[0], "IW2", "VV", lines, pixels)
    second = emu.expected_dn(entries[2], "IW2", "VV", lines, pixels)
    assert np.mean(first != second) > 0.9
    # a product built again (for its checksums, then its bytes) reuses its encoded rasters
    before = emu._measurement.cache_info()
    emu.build_slc(entries[2])
    after = emu._measurement.cache_info()
    assert after.hits - before.hits == 6 and after.misses == before.misses


def test_values_are_the_scene_through_the_calibration_lut(entries):
    entry = entries[0]
    for swath in emu.SWATHS:
        lines, pixels = np.indices(emu.swath_shape(swath))
        for pol in ("VV", "VH"):
            dn = emu.expected_dn(entry, swath, pol, lines, pixels)
            sigma0 = emu.expected_sigma0(entry, swath, pol, lines, pixels)
            valid = np.isfinite(sigma0)
            assert (dn[~valid] == 0).all() and valid.mean() > 0.85
            # |DN| = A sqrt(sigma0), A the sigma-nought LUT: to the rounding of re and im
            lut = emu.expected_sigma_nought(swath, lines, pixels)
            amplitude = lut[valid] * 10 ** (sigma0[valid].astype(float) / 20)
            np.testing.assert_allclose(np.abs(dn[valid]), amplitude, atol=0.72)
            assert np.all(np.abs(dn.real) <= 32767) and np.all(np.abs(dn.imag) <= 32767)
        # single look: the phase is uniform, the intensity exponential (its mean: sigma0)
        phase = np.angle(dn[valid])
        assert np.histogram(phase, bins=8, range=(-np.pi, np.pi))[0].min() > valid.sum() / 10
    assert emu.expected_dn(entry, "IW1", "VV", 40, 100) == 0  # the first line of a burst
    assert emu.expected_dn(entry, "IW2", "VV", 3, 4) == 0  # a near-range edge sample
    assert emu.expected_dn(entry, "IW2", "VV", 3, 5) != 0
    assert emu.expected_sigma_nought("IW2", 10, 100) == pytest.approx(345 - 5 + 0.2)
    assert emu.image_numbers(("VV", "VH"))["IW1", "VV"] == "004"


def test_bad_entries_and_arguments_are_refused(entries):
    grd = next(e for e in build_catalogue(materialise=False) if e.product_type == "IW_GRDH_1S")
    with pytest.raises(ValueError, match="Sentinel-1 IW, EW or SM SLC product name expected"):
        emu.build_slc(grd)
    with pytest.raises(ValueError, match="swath must be one of IW1, IW2, IW3"):
        emu.expected_dn(entries[0], "IW4", "VV", 0, 0)
    with pytest.raises(ValueError, match="polarisation must be one of VV, VH"):
        emu.expected_dn(entries[0], "IW1", "HH", 0, 0)
    broken = copy.copy(entries[0])
    broken.end = broken.start
    with pytest.raises(ValueError, match="stop must follow its start"):
        emu.build_slc(broken)
