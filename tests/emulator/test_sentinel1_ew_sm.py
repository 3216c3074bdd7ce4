"""The emulator's Sentinel-1 Extra-Wide swath (EW) and StripMap (SM) products: records with the
real names and attributes, only for the units flying, a few EW scenes a day over polar seas and
rare stripmap ones, footprints as wide as the mode's swath; their SAFE products (one GRD image per
polarisation, one SLC image per sub-swath and polarisation) download over HTTPS as listed and
the STAC items list their files; the other records do not move."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import requests

from cdse_intake.emulator import catalogue as catalogue_module
from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.payloads import deliverable
from cdse_intake.emulator.products import BUILDERS
from cdse_intake.emulator.products._geo import footprint_quad
from cdse_intake.emulator.products._s1_common import haversine
from cdse_intake.emulator.records import sentinel1_ew_sm
from cdse_intake.emulator.records.sentinel1 import S1_UNITS
from cdse_intake.emulator.stac.collections import collection_id
from cdse_intake.emulator.sums_pack import fresh_pack, record_key

from ._verified import downloaded

NAME = re.compile(
    r"^S1(?P<unit>[ABC])_(?P<mode>EW|S[1-6])_(?P<type>GRD[HM]|SLC_)_1S(?P<pols>DH|DV|SH)_"
    r"(?P<start>\d{8}T\d{6})_(?P<stop>\d{8}T\d{6})_(?P<orbit>\d{6})_[0-9A-F]{6}_[0-9A-F]{4}\.SAFE$"
)
START = datetime(2023, 1, 1, tzinfo=UTC)


def _is_ew_sm(entry) -> bool:
    return entry.collection == "SENTINEL-1" and entry.product_type[:2] in (
        "EW", "S1", "S2", "S3", "S4", "S5", "S6"
    )  # fmt: skip


def _is_level1(entry) -> bool:
    """Level-1 products, not the Level-0 and Level-2 ones made of the same acquisitions."""
    return entry.product_type[3:] not in ("RAW__0S", "OCN__2S")


@pytest.fixture(scope="module")
def records() -> list:
    return [
        e for e in build_catalogue(seed=42, scale=1.0).entries if _is_ew_sm(e) and _is_level1(e)
    ]


def test_names_and_attributes(records):
    assert len(records) > 1500
    for entry in records:
        m = NAME.match(entry.name)
        assert m, entry.name
        mode, kind = m.group("mode"), m.group("type")
        attrs = {name: value for name, _, value in entry.attributes}
        assert entry.product_type == f"{mode}_{kind}_1S" == attrs["productType"]
        assert attrs["platformSerialIdentifier"] == m.group("unit")
        assert attrs["orbitNumber"] == int(m.group("orbit")) == entry.extra["orbit"]
        assert attrs["relativeOrbitNumber"] == 1 + (attrs["orbitNumber"] - 73) % 175
        assert m.group("start") == f"{entry.start:%Y%m%dT%H%M%S}"
        assert m.group("stop") == f"{entry.end:%Y%m%dT%H%M%S}"
        if mode == "EW":
            assert kind in ("GRDM", "SLC_") and m.group("pols") == "DH"
            assert attrs["operationalMode"] == "EW"
            assert attrs["swathIdentifier"] == "EW1 EW2 EW3 EW4 EW5"
            assert attrs["polarisationChannels"] == "HH&HV"
            assert attrs["timeliness"] == "NRT-3h"
            assert entry.origin - entry.end < timedelta(hours=3)
        else:
            assert kind in ("GRDH", "SLC_")
            assert attrs["operationalMode"] == "SM" and attrs["swathIdentifier"] == mode
            pols = {"DV": "VV&VH", "DH": "HH&HV", "SH": "HH"}[m.group("pols")]
            assert attrs["polarisationChannels"] == pols
            assert attrs["timeliness"] == "Fast-24h"
        assert entry.family == ("sentinel1_slc" if kind == "SLC_" else "sentinel1_grd")
        assert entry.s3_path == f"/eodata/Sentinel-1/SAR/{entry.product_type}/" + (
            f"{entry.start:%Y/%m/%d}/{entry.name}"
        )
    assert len({e.id for e in records}) == len(records)


def test_only_units_flying(records):
    for entry in records:
        first, last = S1_UNITS[entry.name[2]]
        assert first <= entry.start and (last is None or entry.end <= last), entry.name
    units = Counter(e.name[2] for e in records)
    assert "B" not in units  # S1B failed on 2021-12-23, before the catalogue's two years
    assert units["C"] > 0 and units["A"] > units["C"]
    assert min(e.start for e in records if e.name[2] == "C") >= datetime(2024, 12, 5, tzinfo=UTC)
    assert sentinel1_ew_sm.flying_units(datetime(2021, 12, 24, tzinfo=UTC)) == ["A"]
    assert sentinel1_ew_sm.flying_units(datetime(2021, 6, 1, tzinfo=UTC)) == ["A", "B"]


def test_counts_per_day(records):
    days = (max(e.start for e in records) - START).days + 1
    assert 725 <= days <= 731
    per_day: dict[tuple[str, object], int] = Counter(
        (e.product_type[:2] if e.product_type.startswith("EW") else "SM", e.start.date())
        for e in records
        if "GRD" in e.product_type
    )
    ew = [n for (mode, _), n in per_day.items() if mode == "EW"]
    assert len(ew) >= days - 2 and min(ew) >= 1 and max(ew) <= 6  # a few a day, every day
    sm_grd = sum(n for (mode, _), n in per_day.items() if mode == "SM")
    sm_slc = sum(1 for e in records if e.product_type[0] == "S" and "SLC" in e.product_type)
    ew_slc = sum(1 for e in records if e.product_type == "EW_SLC__1S")
    assert 30 <= sm_grd <= 150 and 10 <= sm_slc < sm_grd  # rare: every week or two
    assert sum(ew) / days >= 1.5 and ew_slc < sum(ew) / 3
    beams = Counter(e.product_type[:2] for e in records if e.product_type[0] == "S")
    assert set(beams) == {f"S{k}" for k in range(1, 7)}


def test_ew_over_polar_seas_sm_over_islands(records):
    for entry in records:
        lon, lat = entry.extra["lon"], entry.extra["lat"]
        if entry.product_type.startswith("EW"):
            assert abs(lat) >= 55, entry.name
            assert (lon, lat) in sentinel1_ew_sm.EW_SITES
        else:
            assert (lon, lat) in sentinel1_ew_sm.SM_SITES


def _middle(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return (a[0] + b[0]) / 2, (a[1] + b[1]) / 2


@pytest.mark.parametrize(
    ("prefix", "width_km", "length_km"),
    [("EW", 400, 400), ("S", 80, 178)],
)
def test_footprint_width_per_mode(records, prefix, width_km, length_km):
    chosen = [e for e in records if e.product_type.startswith(prefix)]
    multi = 0
    for entry in chosen[:: max(1, len(chosen) // 200)]:
        quad = footprint_quad(entry)
        width = haversine(_middle(quad.sw, quad.nw), _middle(quad.se, quad.ne)) / 1000
        length = haversine(quad.sw, quad.nw) / 1000
        # across the middle: the footprint widens in longitude by its centre's latitude
        assert width == pytest.approx(width_km, rel=0.12), entry.name
        assert length == pytest.approx(length_km, rel=0.12), entry.name
        multi += entry.footprint["type"] == "MultiPolygon"
    if prefix == "EW":  # the Ross Sea, across the antimeridian
        assert multi > 0


def test_iw_footprints_stay_narrower_than_ew(records):
    iw = next(e for e in build_catalogue(seed=42, scale=1.0) if e.product_type == "IW_GRDH_1S")
    ew = next(e for e in records if e.product_type == "EW_GRDM_1S")
    sm = next(e for e in records if e.product_type.startswith("S"))
    quads = [footprint_quad(e) for e in (sm, iw, ew)]
    widths = [haversine(_middle(q.sw, q.nw), _middle(q.se, q.ne)) for q in quads]
    assert widths == sorted(widths)


def test_other_records_do_not_move(monkeypatch):
    """The EW/SM records take no draw from the other records' streams: without them every
    other record is the same, its id and pack key included."""
    with_them = catalogue_module._cached_catalogue.__wrapped__(7, 0.05, False, "showcase")
    monkeypatch.setattr(sentinel1_ew_sm, "ew_sm_entries", lambda *args: [])
    without = catalogue_module._cached_catalogue.__wrapped__(7, 0.05, False, "showcase")
    kept = [e for e in with_them.entries if not _is_ew_sm(e)]
    assert len(kept) == len(without.entries) < len(with_them.entries)
    assert [record_key(e) for e in kept] == [record_key(e) for e in without.entries]


@pytest.mark.parametrize("family", ["sentinel2_l1c", "sentinel3_syn", "sentinel5p_l2"])
def test_shipped_packs_still_know_every_other_record(family):
    """The packs of the other families, built before these records existed, still find every
    record of the default catalogue (pack keys hash every field, the id included)."""
    pack = fresh_pack(family)
    if pack is None:
        pytest.skip(f"{family}'s pack is stale (test_sums_pack says so)")
    catalogue = build_catalogue(seed=42, scale=1.0, deliver="all")
    entries = [e for e in catalogue.entries if e.family == family and deliverable(e)][::50]
    assert entries and all(pack.get(e) is not None for e in entries)


def test_ew_sm_records_are_in_the_s1_packs(records):
    for family in ("sentinel1_grd", "sentinel1_slc"):
        pack = fresh_pack(family)
        assert pack is not None, f"{family}: make sums"
        for entry in [e for e in records if e.family == family][::40]:
            assert pack.get(entry) is not None, entry.name


# -- served -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def emu():
    from cdse_intake.emulator.server import Emulator

    with Emulator(seed=42, scale=0.05, deliver="all") as emulator:
        yield emulator


def _pick(emu, prefix: str, kind: str):
    return next(
        e
        for e in emu.catalogue.entries
        if _is_ew_sm(e)
        and e.product_type.startswith(prefix)
        and kind in e.product_type
        and e.online
        and not e.extra.get("fault")
    )


@pytest.mark.parametrize(("prefix", "kind"), [("EW", "GRD"), ("EW", "SLC"), ("S", "GRD")])
def test_download_over_https_matches_the_record(emu, tmp_path, prefix, kind):
    entry = _pick(emu, prefix, kind)
    data = downloaded(emu, entry, tmp_path, "SENTINEL-1")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = [n.removeprefix(f"{entry.name}/") for n in z.namelist() if not n.endswith("/")]
    mode = entry.name[4:6].lower()
    pols = 2 if entry.name[14] == "D" else 1
    swaths = (5 if mode == "ew" else 1) if kind == "SLC" else 1
    tiffs = [n for n in names if n.startswith("measurement/")]
    assert len(tiffs) == swaths * pols
    assert all(re.match(rf"measurement/s1[ac]-{mode}\d?-{kind.lower()}-", t) for t in tiffs)
    assert len(names) == 1 + 4 * swaths * pols  # manifest + annotation, calibration, noise


def test_stac_item_lists_the_delivered_files(emu):
    entry = _pick(emu, "EW", "GRD")
    cid = collection_id(entry)
    assert cid == "sentinel-1-grd"
    r = requests.get(f"{emu.urls.stac}/collections/{cid}/items/{entry.stem}", timeout=30)
    assert r.status_code == 200, r.text
    item = r.json()
    assert item["properties"]["sar:instrument_mode"] == "EW"
    assert item["properties"]["sar:polarizations"] == ["HH", "HV"]
    assert item["properties"]["sar:pixel_spacing_range"] == 40.0
    files = BUILDERS[entry.family](entry)
    by_path = {a["file:local_path"]: a for a in item["assets"].values() if "file:local_path" in a}
    for rel, data in files.items():
        asset = by_path[f"{entry.name}/{rel}"]
        assert asset["file:size"] == len(data), rel
        assert asset["file:checksum"] == "d50110" + hashlib.md5(data).hexdigest(), rel
    assert {"hh", "hv", "schema-calibration-hh", "schema-noise-hv"} <= set(item["assets"])
