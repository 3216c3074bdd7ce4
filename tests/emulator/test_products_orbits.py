"""Sentinel-1 orbit files (AUX_POEORB, AUX_RESORB): the EOF XML has the real structure, a state
vector every 10 s over the validity window, a plausible sun-synchronous orbit (close to the real
S1A one), the same bytes every time, and names and validity windows as CDSE lists them."""

from __future__ import annotations

import hashlib
import itertools
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from cdse_intake.emulator.catalogue import Payload, build_catalogue
from cdse_intake.emulator.products import BUILDERS, orbits

ET = pytest.importorskip("defusedxml.ElementTree")

DAY = date(2024, 3, 5)
OSV_TAGS = ["TAI", "UTC", "UT1", "Absolute_Orbit", "X", "Y", "Z", "VX", "VY", "VZ", "Quality"]

#: First and last state vectors of the real S1A_OPER_AUX_POEORB_OPOD_20210316T161714_
#: V20191231T225942_20200102T005942.EOF (scottstanie/sentineleof, eof/tests/cassettes/test_eof/
#: test_download_mission_date.yaml, recorded from CDSE 2025-10-13): orbit, x, y, z (m).
REAL_S1A_FIRST = (30598, 2088407.671949, -6362878.405186, -2295638.848386)
REAL_S1A_LAST = (30614, 1022013.140418, -76672.006737, -7007732.449323)
REAL_S1A_SIZE = 4_410_922


@pytest.fixture(scope="module")
def poeorb() -> orbits.OrbitFile:
    (window,) = orbits.orbit_windows("A", DAY, kinds=("POEORB",))
    return window


@pytest.fixture(scope="module")
def root(poeorb):
    return ET.fromstring(orbits.eof_bytes(poeorb))


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.split("=", 1)[1]).replace(tzinfo=UTC)


def _osv_table(root) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {tag: [] for tag in OSV_TAGS}
    for osv in root.iterfind("Data_Block/List_of_OSVs/OSV"):
        for child in osv:
            table[child.tag].append(child.text)
    return table


def test_structure_as_the_real_files(root, poeorb):
    assert root.tag == "Earth_Explorer_File"
    fixed = root.find("Earth_Explorer_Header/Fixed_Header")
    assert [c.tag for c in fixed] == [
        "File_Name",
        "File_Description",
        "Notes",
        "Mission",
        "File_Class",
        "File_Type",
        "Validity_Period",
        "File_Version",
        "Source",
    ]
    assert fixed.findtext("File_Name") == poeorb.name.removesuffix(".EOF")
    assert fixed.findtext("Mission") == "Sentinel-1A"
    assert fixed.findtext("File_Type") == "AUX_POEORB"
    assert fixed.findtext("Validity_Period/Validity_Start") == "UTC=2024-03-04T22:59:42"
    assert fixed.findtext("Validity_Period/Validity_Stop") == "UTC=2024-03-06T00:59:42"
    assert fixed.findtext("Source/System") == fixed.findtext("Source/Creator") == "OPOD"
    assert _utc(fixed.findtext("Source/Creation_Date")) == poeorb.created
    assert root.findtext("Earth_Explorer_Header/Variable_Header/Ref_Frame") == "EARTH_FIXED"
    assert root.findtext("Earth_Explorer_Header/Variable_Header/Time_Reference") == "UTC"
    block = root.find("Data_Block")
    assert block.get("type") == "xml"
    osvs = block.findall("List_of_OSVs/OSV")
    assert block.find("List_of_OSVs").get("count") == str(len(osvs)) == "9361"
    assert all([c.tag for c in osv] == OSV_TAGS for osv in osvs)
    first = osvs[0]
    assert first.find("X").get("unit") == "m" and first.find("VZ").get("unit") == "m/s"
    assert {osv.findtext("Quality") for osv in osvs} == {"NOMINAL"}


def test_a_state_vector_every_10_s_over_the_validity_window(root, poeorb):
    table = _osv_table(root)
    utc = [_utc(t) for t in table["UTC"]]
    assert utc[0] == poeorb.start and utc[-1] == poeorb.stop
    assert {b - a for a, b in itertools.pairwise(utc)} == {timedelta(seconds=10)}
    tai = [_utc(t) for t in table["TAI"]]
    assert {t - u for t, u in zip(tai, utc, strict=True)} == {timedelta(seconds=37)}
    ut1 = [_utc(t) - u for t, u in zip(table["UT1"], utc, strict=True)]
    assert max(abs(d.total_seconds()) for d in ut1) < 0.9
    assert len(set(ut1)) == 3  # stepped at each midnight: the window touches three UTC days
    assert table["Absolute_Orbit"][0].startswith("+")


def test_orbit_is_sun_synchronous_and_plausible(root):
    table = _osv_table(root)
    pos = np.array([table[k] for k in ("X", "Y", "Z")], dtype=float)
    vel = np.array([table[k] for k in ("VX", "VY", "VZ")], dtype=float)
    r, v = np.linalg.norm(pos, axis=0), np.linalg.norm(vel, axis=0)
    assert r.min() > 7.06e6 and r.max() < 7.09e6
    assert v.min() > 7.5e3 and v.max() < 7.65e3
    # velocity is the derivative of position (central differences are good to ~0.15 m/s here)
    np.testing.assert_allclose(np.gradient(pos, 10.0, axis=1)[:, 1:-1], vel[:, 1:-1], atol=0.3)
    # inclination 98.18°: the highest geocentric latitude reached is 180 - 98.18 = 81.82°
    lat = np.degrees(np.arcsin(pos[2] / r))
    assert abs(lat.max() - 81.82) < 0.05 and abs(lat.min() + 81.82) < 0.05
    # 175 orbits in 12 days: 16 ascending nodes in these 26 h, each one starts a new orbit
    orbit = np.array(table["Absolute_Orbit"], dtype=int)
    steps = np.flatnonzero(np.diff(orbit))
    assert len(steps) == 16 and set(np.diff(orbit)) <= {0, 1}
    assert (pos[2, steps] < 0).all() and (pos[2, steps + 1] >= 0).all()
    # ascending node at 18:00 mean local solar time: node longitude = 15° * (18 - UTC hour)
    for i in steps:
        t = _utc(table["UTC"][i + 1])
        hours = t.hour + t.minute / 60 + t.second / 3600
        lon = np.degrees(np.arctan2(pos[1, i + 1], pos[0, i + 1]))
        assert abs((lon - 15 * (18 - hours) + 180) % 360 - 180) < 0.2


def test_ground_track_repeats_after_175_orbits():
    start = datetime(2024, 3, 4, 22, 59, 42, tzinfo=UTC)
    now = orbits.state_vectors("A", start, 50)
    later = orbits.state_vectors("A", start + timedelta(days=12), 50)
    assert (later["orbit"] - now["orbit"] == 175).all()
    for k in ("x", "y", "z", "vx", "vy", "vz"):
        np.testing.assert_allclose(later[k], now[k], atol=1e-3)


def test_close_to_the_real_s1a_orbit():
    (window,) = orbits.orbit_windows("A", date(2020, 1, 1), kinds=("POEORB",))
    assert (window.start, window.stop) == (
        datetime(2019, 12, 31, 22, 59, 42, tzinfo=UTC),
        datetime(2020, 1, 2, 0, 59, 42, tzinfo=UTC),
    )
    sv = orbits.state_vectors("A", window.start, window.osv_count)
    for index, (orbit, *xyz) in ((0, REAL_S1A_FIRST), (-1, REAL_S1A_LAST)):
        assert sv["orbit"][index] == orbit
        ours = np.array([sv[k][index] for k in "xyz"])
        assert np.linalg.norm(ours - xyz) < 50e3  # metres, of ~42,000 km flown per orbit
    size = len(orbits.eof_bytes(window))
    assert abs(size - REAL_S1A_SIZE) / REAL_S1A_SIZE < 0.01


def test_same_bytes_every_time_and_in_any_process(poeorb):
    data = orbits.eof_bytes(poeorb)
    assert orbits.eof_bytes(poeorb) == data
    code = (
        "import hashlib; from cdse_intake.emulator.products import orbits; "
        f"w = orbits.parse_name({poeorb.name!r}); "
        "print(hashlib.sha256(orbits.eof_bytes(w)).hexdigest())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == hashlib.sha256(data).hexdigest()


def test_poeorb_names_and_windows_match_real_ones():
    # real: S1A_OPER_AUX_POEORB_OPOD_20210203T122423_V20210113T225942_20210115T005942.EOF
    (w,) = orbits.orbit_windows("S1A", date(2021, 1, 14), kinds=("POEORB",))
    assert w.name.startswith("S1A_OPER_AUX_POEORB_OPOD_20210203T12")
    assert w.name.endswith("_V20210113T225942_20210115T005942.EOF")
    assert w.s3_path == f"/eodata/Sentinel-1/AUX/AUX_POEORB/2021/01/13/{w.name}"
    assert w.osv_count == 9361
    # 2014 (TAI - UTC = 35 s): real V20140409T225944_20140411T005944 for 2014-04-10
    (w,) = orbits.orbit_windows("A", date(2014, 4, 10), kinds=("POEORB",))
    assert w.name.endswith("_V20140409T225944_20140411T005944.EOF")
    assert orbits.orbit_windows("A", date(2016, 6, 1))[0].start.second == 43


def test_resorb_windows_one_per_orbit_from_each_ascending_node():
    windows = orbits.orbit_windows("A", DAY, kinds=("RESORB",))
    assert len(windows) in (14, 15)
    starts = [w.start for w in windows]
    assert all(s.date() == DAY for s in starts)
    assert {(b - a).total_seconds() for a, b in itertools.pairwise(starts)} <= {
        5924.0,
        5925.0,
    }
    for w in windows:
        assert (w.stop - w.start).total_seconds() == 11_850 and w.osv_count == 1186
        assert 20 * 60 <= (w.created - w.stop).total_seconds() <= 45 * 60
        assert orbits.parse_name(w.name) == w
        assert w.s3_path == f"/eodata/Sentinel-1/AUX/AUX_RESORB/2024/03/05/{w.name}"
        sv = orbits.state_vectors("A", w.start, 2)
        assert 0 <= sv["z"][0] < 80e3 and sv["vz"][0] > 0  # just past the ascending node
    # real: S1A_OPER_AUX_RESORB_OPOD_20231002T140558_V20231002T102001_20231002T133731.EOF
    real = datetime(2023, 10, 2, 10, 20, 1, tzinfo=UTC)
    nearest = min(orbits.orbit_windows("A", real.date()), key=lambda w: abs(w.start - real))
    assert abs((nearest.start - real).total_seconds()) < 60


def test_other_units_and_bad_names():
    a = orbits.orbit_windows("A", DAY, kinds=("RESORB",))[0]
    c = orbits.orbit_windows("C", DAY, kinds=("RESORB",))[0]
    assert c.name.startswith("S1C_") and a.start != c.start
    assert orbits.state_vectors("C", c.start, 1)["orbit"][0] < 10_000  # launched 2024-12-05
    with pytest.raises(ValueError, match="unknown Sentinel-1 unit"):
        orbits.orbit_windows("S1E", DAY)
    with pytest.raises(ValueError, match="AUX_POEORB/AUX_RESORB"):
        orbits.parse_name("S1A_IW_GRDH_1SDV_20240305T000000_20240305T000025_000001_000001_AAAA")


def test_builder_is_registered_and_delivers_the_bare_eof():
    builder = BUILDERS["sentinel1_orbit"]
    assert builder.single_file
    catalogue = build_catalogue(scale=0.01, materialise=False)
    entry = next(e for e in catalogue.entries if e.product_type == "AUX_POEORB")
    files = builder(entry)
    assert list(files) == [entry.name]
    payload = Payload.from_files(entry.name, files, single_file=True)
    assert payload.data == files[entry.name]  # $value is the XML itself, not a zip
    assert payload.data.startswith(b'<?xml version="1.0" ?>\n<Earth_Explorer_File>')
    header = ET.fromstring(payload.data).find("Earth_Explorer_Header/Fixed_Header")
    assert header.findtext("File_Name") == entry.name.removesuffix(".EOF")
