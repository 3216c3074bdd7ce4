"""The emulator's Sentinel-1 Level-0 (RAW) and Level-2 ocean (OCN) products: records with the
real names and attributes, derived from the Level-1 acquisitions (same orbit, datatake, pass),
OCN only over the sea; their SAFE products download over HTTPS as listed, in the real layout
(manifest, packets with annotation and index files; one OCN netCDF without ``annotation/``, in
wave mode one per vignette of the WV SLC); the other records do not move."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
from collections import Counter
from datetime import timedelta

import h5py
import numpy as np
import pytest

from cdse_intake.emulator import catalogue as catalogue_module
from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.products import BUILDERS, sentinel1_ocn, sentinel1_raw, sentinel1_wv
from cdse_intake.emulator.records import sentinel1_ocn_raw
from cdse_intake.emulator.records.common import SITES
from cdse_intake.emulator.records.sentinel1 import S1_UNITS
from cdse_intake.emulator.sums_pack import fresh_pack, record_key

from ._verified import downloaded

NAME = re.compile(
    r"^S1(?P<unit>[ABC])_(?P<beam>IW|EW|WV|S[1-6])_(?P<type>RAW__0|OCN__2)S(?P<pols>[SD][VH])_"
    r"(?P<start>\d{8}T\d{6})_(?P<stop>\d{8}T\d{6})_(?P<orbit>\d{6})_(?P<datatake>[0-9A-F]{6})_"
    r"[0-9A-F]{4}\.SAFE$"
)


def _is_l0_l2(entry) -> bool:
    return entry.collection == "SENTINEL-1" and entry.product_type[3:] in ("RAW__0S", "OCN__2S")


@pytest.fixture(scope="module")
def catalogue():
    return build_catalogue(seed=42, scale=1.0)


@pytest.fixture(scope="module")
def records(catalogue) -> list:
    return [e for e in catalogue.entries if _is_l0_l2(e)]


def _parent_key(entry) -> tuple:
    """What a RAW or OCN record shares with its Level-1 record: unit, mode, orbit, datatake."""
    m = NAME.match(entry.name)
    return m.group("unit"), m.group("beam"), m.group("orbit"), m.group("datatake")


@pytest.fixture(scope="module")
def parents(catalogue) -> dict:
    out = {}
    for e in catalogue.entries:
        if e.collection == "SENTINEL-1" and (
            "_GRD" in e.product_type or e.product_type == "WV_SLC__1S"
        ):
            f = e.name.split("_")
            out[(e.name[2], e.name[4:6], f[-3], f[-2])] = e
    return out


def test_names_and_attributes(records, parents):
    for entry in records:
        m = NAME.match(entry.name)
        assert m, entry.name
        attrs = {name: value for name, _, value in entry.attributes}
        level = "LEVEL0" if m.group("type") == "RAW__0" else "LEVEL2"
        assert entry.product_type == f"{m.group('beam')}_{m.group('type')}S" == attrs["productType"]
        assert attrs["processingLevel"] == level
        assert attrs["platformSerialIdentifier"] == m.group("unit")
        assert attrs["orbitNumber"] == int(m.group("orbit")) == entry.extra["orbit"]
        assert attrs["relativeOrbitNumber"] == 1 + (attrs["orbitNumber"] - 73) % 175
        assert attrs["datatakeID"] == int(m.group("datatake"), 16)
        assert m.group("start") == f"{entry.start:%Y%m%dT%H%M%S}"
        assert entry.s3_path == (
            f"/eodata/Sentinel-1/SAR/{entry.product_type}/{entry.start:%Y/%m/%d}/{entry.name}"
        )
        assert entry.family == ("sentinel1_raw" if level == "LEVEL0" else "sentinel1_ocn")
        parent = parents[_parent_key(entry)]
        p_attrs = {name: value for name, _, value in parent.attributes}
        for same in ("operationalMode", "polarisationChannels", "timeliness", "orbitDirection"):
            assert attrs[same] == p_attrs[same], (entry.name, same)
        assert entry.name[14:16] == parent.name[14:16]
        assert entry.footprint == parent.footprint
        if level == "LEVEL0":  # a few seconds more sensing, published before the Level-1
            assert parent.start - timedelta(seconds=5) < entry.start < parent.start
            assert parent.end < entry.end < parent.end + timedelta(seconds=5)
            assert entry.origin <= parent.origin
        else:
            assert (entry.start, entry.end) == (parent.start, parent.end)
            assert entry.origin > parent.origin
        assert entry.end < entry.origin < entry.publication
    assert len({e.id for e in records}) == len(records)
    assert len({e.name for e in records}) == len(records)


def test_counts(records, catalogue):
    types = Counter(e.product_type for e in records)
    l1 = Counter(
        e.product_type
        for e in catalogue.entries
        if e.collection == "SENTINEL-1" and e.name.endswith(".SAFE")
    )
    # one RAW per acquisition of every mode
    assert types["IW_RAW__0S"] == l1["IW_GRDH_1S"] == 2880
    assert types["EW_RAW__0S"] == l1["EW_GRDM_1S"]
    assert types["WV_RAW__0S"] == l1["WV_SLC__1S"] > 0
    assert types["WV_OCN__2S"] == l1["WV_SLC__1S"]  # wave mode: one OCN per acquisition
    sm_grd = sum(n for t, n in l1.items() if t[0] == "S" and t.endswith("_GRDH_1S"))
    assert sum(n for t, n in types.items() if t[0] == "S" and "RAW" in t) == sm_grd
    # OCN: most IW acquisitions over the sea sites (a third of the sites are coastal)
    sea_sites = [
        s for s in SITES if sentinel1_ocn_raw.sea_share(_box(*s), *s) >= sentinel1_ocn_raw.SEA_SHARE
    ]
    assert 10 <= len(sea_sites) <= 30
    assert 0.7 * 60 * len(sea_sites) <= types["IW_OCN__2S"] <= 60 * len(sea_sites)
    assert 0.35 * types["EW_RAW__0S"] <= types["EW_OCN__2S"] <= 0.65 * types["EW_RAW__0S"]
    assert set(types) >= {
        "IW_RAW__0S", "EW_RAW__0S", "WV_RAW__0S", "IW_OCN__2S", "EW_OCN__2S", "WV_OCN__2S"
    }  # fmt: skip


def _box(lon: float, lat: float) -> dict:
    from cdse_intake.emulator.records.common import footprint

    return footprint(lon, lat, 1.2, 0.9)


def test_ocn_only_over_the_sea(records):
    # (wave mode has one OCN per acquisition, its vignettes over land holding fill values)
    ocn = [e for e in records if e.product_type in ("IW_OCN__2S", "EW_OCN__2S")]
    assert ocn
    for entry in ocn:
        lon, lat = entry.extra["lon"], entry.extra["lat"]
        assert sentinel1_ocn_raw.sea_share(entry.footprint, lon, lat) >= 0.3, entry.name
    # inland sites (Paris, Berlin, Madrid, Vienna...) have none
    inland = {(2.35, 48.85), (13.4, 52.5), (-3.7, 40.4), (16.4, 48.2)}
    assert not [e for e in ocn if (e.extra["lon"], e.extra["lat"]) in inland]
    assert {(e.extra["lon"], e.extra["lat"]) for e in ocn if e.product_type == "IW_OCN__2S"} >= {
        (-155.5, 19.6),
        (103.8, 1.35),
    }


def test_only_units_flying(records):
    for entry in records:
        first, last = S1_UNITS[entry.name[2]]
        assert first <= entry.start + timedelta(seconds=10)
        assert last is None or entry.end <= last
    assert "B" not in Counter(e.name[2] for e in records)


def test_other_records_do_not_move(monkeypatch):
    """RAW and OCN records take no draw from the other records' streams."""
    with_them = catalogue_module._cached_catalogue.__wrapped__(7, 0.05, False, "showcase")
    monkeypatch.setattr(sentinel1_ocn_raw, "ocn_raw_entries", lambda *args: [])
    without = catalogue_module._cached_catalogue.__wrapped__(7, 0.05, False, "showcase")
    kept = [e for e in with_them.entries if not _is_l0_l2(e)]
    assert len(kept) == len(without.entries) < len(with_them.entries)
    assert [record_key(e) for e in kept] == [record_key(e) for e in without.entries]
    assert [e.id for e in kept] == [e.id for e in without.entries]


def test_wave_mode_ocn_moves_no_record(monkeypatch):
    """The WV OCN records came last: without them every other record, RAW and IW/EW OCN too,
    has the same key and ids; with them, one per WV SLC, named after it."""
    with_them = catalogue_module._cached_catalogue.__wrapped__(7, 0.05, False, "showcase")
    monkeypatch.setattr(sentinel1_ocn_raw, "_wv_ocn_entries", lambda *args: [])
    without = catalogue_module._cached_catalogue.__wrapped__(7, 0.05, False, "showcase")
    wave = [e for e in with_them.entries if e.product_type == "WV_OCN__2S"]
    kept = [e for e in with_them.entries if e.product_type != "WV_OCN__2S"]
    slc = [e for e in with_them.entries if e.product_type == "WV_SLC__1S"]
    assert len(wave) == len(slc) > 0 and len(kept) == len(without.entries)
    assert [record_key(e) for e in kept] == [record_key(e) for e in without.entries]
    assert [(e.id, e.quicklook_id) for e in kept] == [
        (e.id, e.quicklook_id) for e in without.entries
    ]
    assert sorted(e.name.split("_")[-3:-1] for e in wave) == sorted(
        e.name.split("_")[-3:-1] for e in slc
    )


def test_records_are_in_their_packs(records):
    for family in ("sentinel1_ocn", "sentinel1_raw"):
        pack = fresh_pack(family)
        assert pack is not None, f"{family}: make sums"
        chosen = [e for e in records if e.family == family]
        for entry in chosen[:: max(1, len(chosen) // 25)]:
            assert pack.get(entry) is not None, entry.name
    wave = [e for e in records if e.product_type == "WV_OCN__2S"]
    assert wave and all(fresh_pack("sentinel1_ocn").get(e) is not None for e in wave)


# -- the products --------------------------------------------------------------------------------


def test_raw_packets_annotation_and_index(records):
    entry = next(e for e in records if e.product_type == "IW_RAW__0S")
    files = BUILDERS["sentinel1_raw"](entry)
    dats = sorted(n for n in files if n.endswith(".dat"))
    assert len(dats) == 6 and "manifest.safe" in files and len(files) == 7
    assert all(
        re.match(r"s1[ac]-iw-raw-s-v[vh]-\d{8}t\d{6}-\d{8}t\d{6}-\d{6}-[0-9a-f]{6}", n)
        for n in dats
    )
    vv = [n for n in dats if "-vv-" in n]
    data = files[next(n for n in vv if not n.endswith(("-annot.dat", "-index.dat")))]
    annot = files[next(n for n in vv if n.endswith("-annot.dat"))]
    index = files[next(n for n in vv if n.endswith("-index.dat"))]
    offset, count = 0, 0
    datatake = int(entry.name.split("_")[-2], 16)
    while offset < len(data):
        word, _, length = struct.unpack_from(">HHH", data, offset)
        assert word >> 11 & 1 and (word >> 4) & 0x7F == 65 and word & 0xF == 12
        assert struct.unpack_from(">I", data, offset + 12)[0] == 0x352EF853
        assert struct.unpack_from(">I", data, offset + 16)[0] == datatake
        assert (6 + length + 1) % 4 == 0
        offset += 6 + length + 1
        count += 1
    assert offset == len(data) and count == sentinel1_raw.PACKETS
    assert len(annot) == count * sentinel1_raw.ANNOT_RECORD
    assert len(index) == count // sentinel1_raw.BLOCK * sentinel1_raw.INDEX_RECORD
    manifest = files["manifest.safe"].decode()
    assert "level-0/standard/iwdp" in manifest
    for name in dats:
        assert hashlib.md5(files[name]).hexdigest() in manifest


def test_ocn_file_layout(records):
    entry = next(e for e in records if e.product_type == "IW_OCN__2S")
    files = BUILDERS["sentinel1_ocn"](entry)
    assert not [n for n in files if n.startswith("annotation/")]
    (nc,) = [n for n in files if n.startswith("measurement/")]
    assert re.match(
        r"measurement/s1[ac]-iw-ocn-vv-\d{8}t\d{6}-\d{8}t\d{6}-\d{6}-[0-9a-f]{6}-001\.nc$", nc
    )
    assert {"preview/quick-look.png", "manifest.safe"} <= set(files)
    with h5py.File(io.BytesIO(files[nc]), "r") as h5:
        assert {"owiLat", "owiLon", "owiWindSpeed", "owiWindDirection", "owiMask"} <= set(h5)
        assert {"rvlLat", "rvlLon", "rvlRadVel"} <= set(h5)
        mask = h5["owiMask"][()]
        speed = h5["owiWindSpeed"][()]
        assert np.all((speed[mask == 0] >= 0) & (speed[mask == 0] <= 40))
        assert np.all(speed[mask == 1] == -999.0)
        assert (mask == 0).any()


def _wv_pair(records, catalogue):
    """A WV OCN record with a vignette over the sea, and its WV SLC record."""
    slcs = {
        tuple(e.name.split("_")[-3:-1]): e
        for e in catalogue.entries
        if e.product_type == "WV_SLC__1S"
    }
    for entry in records:
        if entry.product_type == "WV_OCN__2S":
            swell = sentinel1_ocn.expected_swell(entry)
            if any(s["hs"][0] != sentinel1_ocn.FILL for s in swell):
                return entry, slcs[tuple(entry.name.split("_")[-3:-1])], swell
    raise AssertionError("no WV OCN with a vignette over the sea")


def test_wv_ocn_one_file_per_imagette(records, catalogue):
    entry, slc, swell = _wv_pair(records, catalogue)
    files = BUILDERS["sentinel1_ocn"](entry)
    assert not [n for n in files if n.startswith("annotation/")]
    ncs = [n for n in files if n.startswith("measurement/")]
    imagettes = sentinel1_wv.imagettes(slc)
    assert len(ncs) == len(imagettes) == sentinel1_wv.IMAGETTES
    pattern = re.compile(
        r"measurement/s1[ac]-wv([12])-ocn-(vv|hh)-\d{8}t\d{6}-\d{8}t\d{6}-\d{6}-[0-9a-f]{6}-"
        r"(\d{3})\.nc$"
    )
    slc_facts = sentinel1_wv.facts(slc)
    for k, (name, im) in enumerate(zip(ncs, imagettes, strict=True)):
        m = pattern.match(name)
        assert m, name
        assert int(m.group(3)) == k + 1 and m.group(1) == ("1" if k % 2 == 0 else "2")
        # the vignette's own times, orbit and datatake: the SLC imagette's file name
        stem = name.removeprefix("measurement/").removesuffix(".nc")
        assert stem.replace("-ocn-", "-slc-") == sentinel1_wv.stem(slc_facts, im)
    manifest = files["manifest.safe"].decode()
    assert "level-2/ocn/standard/wvsp" in manifest
    assert "<s1sarl2:swath>WV2</s1sarl2:swath>" in manifest
    for name in ncs:
        assert hashlib.md5(files[name]).hexdigest() in manifest
    sea = 0
    for name, expected in zip(ncs, swell, strict=True):
        with h5py.File(io.BytesIO(files[name]), "r") as h5:
            assert {"oswLat", "oswLon", "oswHs", "oswWl", "oswDirmet", "oswPolSpec"} <= set(h5)
            assert {"owiWindSpeed", "rvlRadVel"} <= set(h5)
            assert h5["oswPolSpec"].shape == (1, 1, sentinel1_ocn.PHI.size, sentinel1_ocn.K.size)
            hs = h5["oswHs"][0, 0]
            spec = h5["oswPolSpec"][0, 0].astype(np.float64)
            if h5["oswLandFlag"][0, 0] == 1:
                assert (hs == -999.0).all()
                continue
            sea += 1
            np.testing.assert_array_equal(hs, expected["hs"])
            assert np.isfinite(hs).all() and ((hs > 0) & (hs < 20)).all()
            assert ((h5["oswWl"][0, 0] > 30) & (h5["oswWl"][0, 0] < 800)).all()
            # the spectrum carries the partitions' energy: Hs = 4 sqrt(m0)
            k = h5["oswK"][()].astype(np.float64)
            m0 = (spec * k * np.gradient(k)).sum() * np.radians(10.0)
            np.testing.assert_allclose(4 * np.sqrt(m0), np.hypot(*hs), rtol=1e-4)
    assert sea > 0


# -- served ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def emu():
    from cdse_intake.emulator.server import Emulator

    with Emulator(seed=42, scale=0.05, deliver="all") as emulator:
        yield emulator


@pytest.mark.parametrize("product_type", ["IW_OCN__2S", "IW_RAW__0S", "EW_OCN__2S", "WV_OCN__2S"])
def test_download_over_https_matches_the_record(emu, tmp_path, product_type):
    entry = next(
        e
        for e in emu.catalogue.entries
        if e.product_type == product_type and e.online and not e.extra.get("fault")
    )
    assert entry.product_type == product_type
    data = downloaded(emu, entry, tmp_path, "SENTINEL-1")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = [n.removeprefix(f"{entry.name}/") for n in z.namelist() if not n.endswith("/")]
    assert "manifest.safe" in names
    if "RAW" in product_type:
        assert len([n for n in names if n.endswith(".dat")]) == 6
    else:
        # wave mode: one file per imagette
        files = sentinel1_wv.IMAGETTES if product_type == "WV_OCN__2S" else 1
        assert len([n for n in names if n.startswith("measurement/")]) == files
