"""The emulator's Sentinel-1 GRD and Sentinel-3 OLCI EFR products in the EOPF Zarr format: EOPF
names, the documented groups (per-polarisation sub-products for S1), real root attributes, a
download over HTTPS whose MD5 is the record's, shipped sums; the other records do not move."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import zarr

from cdse_intake.emulator import catalogue as catalogue_module
from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.products import BUILDERS, eopf_s1
from cdse_intake.emulator.records import eopf_s1_s3
from cdse_intake.emulator.sums_pack import fresh_pack, record_key

from ._verified import downloaded

FAMILIES = ("eopf_s1_grd", "eopf_s3_olci_efr")
S1_NAME = re.compile(
    r"^S01SIWGRH_\d{8}T\d{6}_0025_(?P<unit>[AC])(?P<rel>\d{3})_S(?P<id>[0-9A-F]{4})_DV\.zarr$"
)
S3_NAME = re.compile(r"^S03OLCEFR_\d{8}T\d{6}_0180_(?P<unit>[AB])(?P<rel>\d{3})_T\d{3}\.zarr$")
S1_GROUP = re.compile(r"^S01SIWGRD_\d{8}T\d{6}_0025_[AC]\d{3}_[0-9A-F]{4}_[0-9A-F]{6}_(VV|VH)$")
S1_CONDITIONS = {
    "antenna_pattern", "attitude", "azimuth_fm_rate", "coordinate_conversion",
    "doppler_centroid", "gcp", "orbit", "reference_replica", "replica", "terrain_height",
}  # fmt: skip


@pytest.fixture(scope="module")
def records() -> list:
    return [e for e in build_catalogue(seed=42, scale=1.0).entries if e.family in FAMILIES]


def _open(entry) -> zarr.Group:
    files = BUILDERS[entry.family](entry)
    store = zarr.storage.MemoryStore(
        store_dict={
            k: zarr.core.buffer.default_buffer_prototype().buffer.from_bytes(v)
            for k, v in files.items()
        }
    )
    return zarr.open_consolidated(store, mode="r", zarr_format=2)


def test_names_and_paths(records):
    s1 = [e for e in records if e.family == "eopf_s1_grd"]
    s3 = [e for e in records if e.family == "eopf_s3_olci_efr"]
    assert len(s1) == len(s3) == eopf_s1_s3.PER_MISSION
    for entry in s1 + s3:
        m = (S1_NAME if entry in s1 else S3_NAME).match(entry.name)
        assert m, entry.name
        assert int(m["rel"]) == entry.attribute("relativeOrbitNumber")
        assert m["unit"] == entry.attribute("platformSerialIdentifier")
        assert entry.name.startswith(f"S0{entry.name[2]}{'SIWGRH' if entry in s1 else 'OLCEFR'}_")
        assert entry.name[10:25] == f"{entry.start:%Y%m%dT%H%M%S}"
        legacy = entry.extra["legacy_name"]
        if entry in s1:
            assert entry.s3_path.endswith(f"/IW_GRDH_1S_EOPF/{entry.start:%Y/%m/%d}/{entry.name}")
            assert legacy.startswith(f"S1{m['unit']}_IW_GRDH_1SDV_")
            assert legacy.endswith(f"_{m['id']}.SAFE")
        else:
            assert entry.s3_path.endswith(f"/OL_1_EFR_EOPF/{entry.start:%Y/%m/%d}/{entry.name}")
            assert legacy.startswith(f"S3{m['unit']}_OL_1_EFR___")


def test_s1_grd_structure(records):
    entry = next(e for e in records if e.family == "eopf_s1_grd")
    root = _open(entry)
    groups = sorted(name for name, _ in root.groups())
    assert [g[-2:] for g in groups] == ["VH", "VV"]
    for group in groups:
        assert S1_GROUP.match(group), group
        node = root[group]
        assert {name for name, _ in node.groups()} == {"measurements", "conditions", "quality"}
        assert {name for name, _ in node["conditions"].groups()} == S1_CONDITIONS
        quality = {name for name, _ in node["quality"].groups()}
        assert quality == {"calibration", "noise_range", "noise_azimuth"}
        grd = node["measurements/grd"]
        assert grd.dtype == "uint16" and grd.shape == (eopf_s1.LINES, eopf_s1.SAMPLES)
        assert grd.attrs["_ARRAY_DIMENSIONS"] == ["azimuth_time", "ground_range"]
        assert grd.attrs["_eopf_attrs"]["coordinates"][-2:] == ["line", "pixel"]
        cal = node["quality/calibration"]
        assert {"sigma_nought", "beta_nought", "gamma", "dn"} <= set(cal.array_keys())
    props = root.attrs["stac_discovery"]["properties"]
    assert props["product:type"] == "S01SIWGRH"
    assert props["sar:polarizations"] == ["VV", "VH"]
    assert props["sat:absolute_orbit"] == entry.attribute("orbitNumber")
    assert root.attrs["stac_discovery"]["id"] == entry.name.removesuffix(".zarr")
    assert root.attrs["other_metadata"]["legacy_name"] == entry.extra["legacy_name"]


def test_s3_olci_structure(records):
    entry = next(e for e in records if e.family == "eopf_s3_olci_efr")
    root = _open(entry)
    assert {name for name, _ in root.groups()} == {"measurements", "conditions", "quality"}
    arrays = set(root["measurements"].array_keys())
    assert {f"oa{i:02d}_radiance" for i in range(1, 22)} | {"latitude", "longitude"} <= arrays
    conditions = {name for name, _ in root["conditions"].groups()}
    assert conditions == {"geometry", "meteorology", "image", "instrument"}
    radiance = root["measurements/oa08_radiance"]
    assert radiance.dtype == "uint16"
    assert radiance.attrs["_ARRAY_DIMENSIONS"] == ["rows", "columns"]
    assert radiance.attrs["scale_factor"] == radiance.attrs["_eopf_attrs"]["scale_factor"]
    assert "latitude" in radiance.attrs["_eopf_attrs"]["coordinates"]
    flags = root["quality/quality_flags"]
    assert "land" in flags.attrs["flag_meanings"].split()
    props = root.attrs["stac_discovery"]["properties"]
    assert props["product:type"] == "S03OLCEFR" and props["instrument"] == "olci"
    assert props["datetime"] is None and props["start_datetime"].startswith(
        f"{entry.start:%Y-%m-%dT%H:%M:%S}"
    )


def test_builds_are_deterministic(records):
    for entry in records[:: eopf_s1_s3.PER_MISSION]:
        assert BUILDERS[entry.family](entry) == BUILDERS[entry.family](entry)


def test_other_records_do_not_move(monkeypatch):
    """These records take no draw from the other records' streams: without them every other
    record is the same, its id and pack key included."""
    with_them = catalogue_module._cached_catalogue.__wrapped__(7, 0.05, False, "showcase")
    monkeypatch.setattr(eopf_s1_s3, "eopf_s1_s3_entries", lambda *args: [])
    without = catalogue_module._cached_catalogue.__wrapped__(7, 0.05, False, "showcase")
    kept = [e for e in with_them.entries if e.family not in FAMILIES]
    assert len(kept) == len(without.entries) == len(with_them.entries) - 4
    assert [record_key(e) for e in kept] == [record_key(e) for e in without.entries]


@pytest.mark.parametrize("family", FAMILIES)
def test_records_are_in_the_shipped_packs(records, family):
    pack = fresh_pack(family)
    assert pack is not None, f"{family}: make sums"
    assert all(pack.get(e) is not None for e in records if e.family == family)


@pytest.fixture(scope="module")
def emu():
    from cdse_intake.emulator.server import Emulator

    with Emulator(seed=42, scale=0.05, deliver="all") as emulator:
        yield emulator


@pytest.mark.parametrize(("family", "collection"), [
    ("eopf_s1_grd", "SENTINEL-1"), ("eopf_s3_olci_efr", "SENTINEL-3"),
])  # fmt: skip
def test_download_over_https_matches_the_record(emu, tmp_path, family, collection):
    entry = next(e for e in emu.catalogue.entries if e.family == family and e.online)
    data = downloaded(emu, entry, tmp_path, collection)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = {n.removeprefix(f"{entry.name}/") for n in z.namelist()}
    assert {".zmetadata", ".zattrs", ".zgroup"} <= names
    if family == "eopf_s3_olci_efr":
        assert "measurements/oa21_radiance/.zarray" in names
    else:
        assert f"{eopf_s1.groups(entry)['VH']}/measurements/grd/.zarray" in names
