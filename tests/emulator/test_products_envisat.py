"""Envisat MERIS Level-1b writer: a genuine ENVISAT-format .N1 (GDAL's ESAT driver opens it,
with its bands, metadata and tie-point GCPs), consistent offsets and sizes, the same bytes every
time, and the synthetic Earth in its radiances (land and sea, clouds bright)."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

from cdse_intake.emulator.products import BUILDERS, envisat
from cdse_intake.emulator.products._envisat_pixels import GRIDS, RAD_SCALE, look
from cdse_intake.emulator.records.table import table_entries

rasterio = pytest.importorskip("rasterio")


@pytest.fixture(scope="module")
def entries():
    found = {}
    for entry in table_entries(2026, 1.0):
        if entry.collection == "ENVISAT":
            found.setdefault(entry.product_type, entry)
    assert set(found) == {"MER_FRS_1P", "MER_RR__1P"}
    return found


@pytest.fixture(scope="module", params=["MER_FRS_1P", "MER_RR__1P"])
def product(request, entries, tmp_path_factory):
    entry = entries[request.param]
    files = BUILDERS["envisat"](entry)
    assert BUILDERS["envisat"].single_file and list(files) == [entry.name]
    path = tmp_path_factory.mktemp("n1") / entry.name
    path.write_bytes(files[entry.name])
    return entry, path


def _headers(data: bytes) -> tuple[dict[str, str], list[dict[str, str]]]:
    mph = dict(re.findall(r"^(\w+)=(.*)$", data[:1247].decode(), re.M))
    sph_size = int(mph["SPH_SIZE"][:11])
    sph = data[1247 : 1247 + sph_size].decode()
    first = sph.index("DS_NAME=")
    dsds = []
    for i in range(int(mph["NUM_DSD"])):
        block = sph[first + 280 * i : first + 280 * (i + 1)]
        assert len(block) == 280 and block.endswith("\n")
        dsds.append(dict(re.findall(r"^(\w+)=(.*)$", block, re.M)))
    return mph, dsds


def test_headers_offsets_and_sizes(product):
    entry, path = product
    data = path.read_bytes()
    assert data.startswith(b'PRODUCT="' + entry.name.encode())
    mph, dsds = _headers(data)
    assert int(mph["TOT_SIZE"][:21]) == len(data)
    assert mph["DSD_SIZE"] == "+0000000280<bytes>"
    names = [d.get("DS_NAME", "").strip('"').strip() for d in dsds]
    assert names[:3] == ["Quality ADS", "Scaling Factor GADS", "Tie points ADS"]
    assert names[3:18] == [f"Radiance MDS({b})" for b in range(1, 16)]
    assert names[18] == "Flags MDS(16)" and names[-1] == ""  # the blank spare
    assert len(names) == 30  # as a real MER_RR__1P
    grid = GRIDS[entry.product_type]
    end = 1247 + int(mph["SPH_SIZE"][:11])
    for dsd in dsds[:19]:
        offset, size = int(dsd["DS_OFFSET"][:21]), int(dsd["DS_SIZE"][:21])
        count, record = int(dsd["NUM_DSR"]), int(dsd["DSR_SIZE"][:11])
        assert offset == end and size == count * record  # contiguous, consistent
        end += size
    assert end == len(data)
    tie = dsds[2]
    per_line = -(-grid.samples // grid.tie_step)
    assert int(tie["DSR_SIZE"][:11]) == 13 + 50 * per_line  # as GDAL and BEAM expect
    assert int(dsds[3]["DSR_SIZE"][:11]) == 13 + 2 * grid.samples
    assert int(dsds[18]["DSR_SIZE"][:11]) == 13 + 3 * grid.samples
    assert {d["DS_TYPE"] for d in dsds[19:-1]} == {"R"}


def test_gdal_esat_driver_reads_it(product):
    entry, path = product
    grid = GRIDS[entry.product_type]
    view = look(entry.name, entry.product_type, entry.extra["lon"], entry.extra["lat"], entry.start)
    with rasterio.open(path) as ds:
        assert ds.driver == "ESAT"
        assert (ds.width, ds.height, ds.count) == (grid.samples, grid.lines, 17)
        assert ds.descriptions[0].strip() == "Radiance MDS(1)"
        assert ds.descriptions[15].strip() == "Flags MDS(16)"
        for band in (1, 7, 15):
            np.testing.assert_array_equal(ds.read(band), view.counts[band - 1])
        # GDAL reads the flag bands with the radiance's record size: only line 0 is right
        flags = ds.read(16)[0]
        np.testing.assert_array_equal(flags & 16 > 0, view.land[0])
        tags = ds.tags()
        assert tags["MPH_PRODUCT"] == entry.name
        assert int(tags["SPH_LINE_LENGTH"]) == grid.samples
        assert tags["SPH_FIRST_LINE_TIME"].startswith(f"{entry.start.day:02d}-")
        records = ds.tags(ns="RECORDS")
        scales = [float(v) for v in records["Scaling_Factor_GADS_SCALING_FACTOR_RAD"].split()]
        np.testing.assert_allclose(scales, RAD_SCALE, rtol=1e-6)
        gcps, crs = ds.gcps
    assert crs.to_epsg() == 4326
    per_line = -(-grid.samples // grid.tie_step)
    assert len(gcps) == per_line * (1 + (grid.lines - 1) // grid.tie_step)
    for gcp in gcps:
        r, c = int(gcp.row), int(gcp.col)
        assert gcp.x == pytest.approx(view.lon[r, c], abs=1e-5)
        assert gcp.y == pytest.approx(view.lat[r, c], abs=1e-5)
    assert abs(gcps[0].x - entry.extra["lon"]) < 2 and abs(gcps[0].y - entry.extra["lat"]) < 2


def test_deterministic_small_and_earthlike(entries):
    for entry in entries.values():
        first = BUILDERS["envisat"](entry)[entry.name]
        assert BUILDERS["envisat"](entry)[entry.name] == first
        assert len(first) < 1_000_000
        view = look(
            entry.name, entry.product_type, entry.extra["lon"], entry.extra["lat"], entry.start
        )
        radiance = view.counts * np.array(RAD_SCALE)[:, None, None]
        assert 0 < radiance[12].mean() < 400  # 865 nm, mW m-2 sr-1 nm-1 (low sun: dark)
        clear = ~view.cloud
        if (clear & view.land).any() and (clear & ~view.land).any():
            nir = radiance[12]
            assert nir[clear & view.land].mean() > nir[clear & ~view.land].mean()
        if view.cloud.any() and clear.any():
            assert radiance[4][view.cloud].mean() > radiance[4][clear].mean()


def test_bad_entry_is_refused(entries):
    entry = entries["MER_RR__1P"]
    bad = copy.copy(entry)
    bad.name = entry.name.replace(".N1", ".zip")
    with pytest.raises(ValueError, match="N1"):
        envisat.build_meris(bad)
