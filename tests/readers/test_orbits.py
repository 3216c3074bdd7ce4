"""Sentinel-1 orbit files open as a Dataset over UTC time whose values are the XML's: as CDSE
delivers them (the bare ``.EOF``), renamed, zipped, in a folder, and downloaded from the
emulator; files that are not orbit files are refused clearly."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest

from cdse_intake.emulator import Emulator
from cdse_intake.emulator.catalogue import NEVER_EVICTED, Entry, Payload
from cdse_intake.emulator.products import orbits
from cdse_intake.errors import UnsupportedProduct
from cdse_intake.readers import open_product

ET = pytest.importorskip("defusedxml.ElementTree")

DAY = date(2024, 3, 5)
VECTORS = {"x": "X", "y": "Y", "z": "Z", "vx": "VX", "vy": "VY", "vz": "VZ"}


@pytest.fixture(scope="module")
def poeorb() -> tuple[orbits.OrbitFile, bytes]:
    (window,) = orbits.orbit_windows("A", DAY, kinds=("POEORB",))
    return window, orbits.eof_bytes(window)


@pytest.fixture
def eof_file(poeorb, tmp_path: Path) -> Path:
    window, data = poeorb
    path = tmp_path / window.name
    path.write_bytes(data)
    return path


def _xml_values(data: bytes) -> dict[str, list[str]]:
    """Each OSV field's texts, read with the plain XML parser."""
    out: dict[str, list[str]] = {}
    for osv in ET.fromstring(data).iterfind("Data_Block/List_of_OSVs/OSV"):
        for child in osv:
            out.setdefault(child.tag, []).append(child.text)
    return out


def test_values_are_the_xml_values(eof_file, poeorb):
    window, data = poeorb
    ds = open_product(eof_file)
    xml = _xml_values(data)
    assert dict(ds.sizes) == {"time": 9361}
    assert ds["time"].dtype == np.dtype("datetime64[ns]")
    for scale in ("UTC", "TAI", "UT1"):
        values = ds["time"] if scale == "UTC" else ds[scale.lower()]
        expected = np.array([t.split("=", 1)[1] for t in xml[scale]], dtype="datetime64[ns]")
        np.testing.assert_array_equal(values.values, expected)
    for name, tag in VECTORS.items():
        np.testing.assert_array_equal(ds[name].values, np.array(xml[tag], dtype=float))
        assert ds[name].attrs["units"] == ("m/s" if name.startswith("v") else "m")
    np.testing.assert_array_equal(ds["absolute_orbit"].values, np.array(xml["Absolute_Orbit"], int))
    assert set(ds["quality"].values.tolist()) == {"NOMINAL"}
    assert ds["x"].chunks is not None  # dask-backed like every family
    # and those are the emulator's orbit, to the micrometre the file keeps
    sv = orbits.state_vectors("A", window.start, window.osv_count)
    np.testing.assert_allclose(ds["x"].values, sv["x"], atol=1e-6)


def test_header_becomes_attributes(eof_file, poeorb):
    window, _ = poeorb
    attrs = open_product(eof_file).attrs
    assert attrs["mission"] == "Sentinel-1A"
    assert attrs["file_type"] == "AUX_POEORB" and attrs["orbit_type"] == "precise"
    assert attrs["file_name"] == window.name.removesuffix(".EOF")
    assert attrs["validity_start"] == "2024-03-04T22:59:42.000000Z"
    assert attrs["validity_stop"] == "2024-03-06T00:59:42.000000Z"
    assert attrs["creation_date"] == window.created.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    assert attrs["source"] == "OPOD" and attrs["ref_frame"] == "EARTH_FIXED"
    assert attrs["cdse_family"] == "sentinel-1-orbit"
    assert attrs["cdse_product"] == window.name


def test_restituted_orbit(tmp_path):
    window = orbits.orbit_windows("A", DAY, kinds=("RESORB",))[0]
    path = tmp_path / window.name
    path.write_bytes(orbits.eof_bytes(window))
    ds = open_product(path, chunks=None)
    assert ds.attrs["orbit_type"] == "restituted" and ds.sizes["time"] == 1186
    assert ds["x"].chunks is None
    assert ds["time"].values[0] == np.datetime64(window.start.replace(tzinfo=None), "ns")


@pytest.mark.parametrize("form", ["renamed", "zip", "named-zip", "zip-folder", "folder"])
def test_found_by_name_or_content_in_any_form(poeorb, tmp_path, form):
    window, data = poeorb
    if form == "renamed":  # only the .EOF suffix tells
        path = tmp_path / "orbit.EOF"
        path.write_bytes(data)
    elif form == "folder":
        path = tmp_path / "orbits"
        path.mkdir()
        (path / window.name).write_bytes(data)
    else:
        path = tmp_path / {"named-zip": f"{window.name}.zip"}.get(form, "bundle.zip")
        member = f"{window.name.removesuffix('.EOF')}/{window.name}"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr(member if form == "zip-folder" else window.name, data)
    ds = open_product(path)
    assert ds.attrs["cdse_family"] == "sentinel-1-orbit"
    assert ds.sizes["time"] == 9361 and ds.attrs["file_type"] == "AUX_POEORB"


def test_not_an_orbit_file(tmp_path):
    path = (
        tmp_path / "S1A_OPER_AUX_POEORB_OPOD_20240325T122110_V20240304T225942_20240306T005942.EOF"
    )
    path.write_bytes(
        b'<?xml version="1.0" ?>\n<Earth_Explorer_File><Data_Block/></Earth_Explorer_File>'
    )
    with pytest.raises(UnsupportedProduct, match="not an orbit file"):
        open_product(path)
    path.write_bytes(
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY s SYSTEM "file:///etc/passwd">]><r>&s;</r>'
    )
    with pytest.raises(UnsupportedProduct, match="refused"):
        open_product(path)


def _orbit_entry(window: orbits.OrbitFile) -> Entry:
    files = orbits.build_orbit(type("E", (), {"name": window.name})())
    payload = Payload.from_files(window.name, files, single_file=True)
    when = window.created + (window.stop - window.start)
    return Entry(
        id="8f0c6f6e-5a52-4d1f-9a1e-0a6c1d2b3c4d",
        name=window.name,
        collection="SENTINEL-1",
        product_type=window.product_type,
        start=window.start,
        end=window.stop,
        origin=when,
        publication=when,
        modification=when,
        online=True,
        eviction=NEVER_EVICTED,
        s3_path=window.s3_path,
        content_length=payload.size,
        md5=payload.md5,
        blake3=payload.blake3,
        checksum_date=when,
        footprint=None,
        attributes=[("productType", "String", window.product_type)],
        payload=payload,
        family="sentinel1_orbit",
    )


def test_downloaded_from_the_emulator_then_opened(poeorb):
    window, data = poeorb
    emu = Emulator(s3=False, scale=0.001)
    emu.catalogue.add(_orbit_entry(window))
    with emu:
        login = {"endpoints": emu.endpoints, "credentials": (emu.username, emu.password)}
        remote = open_product(window.name, remote=True, **login)  # read by range, not cached
        ds = open_product(window.name, **login)  # downloaded into the cache
    assert ds.attrs["cdse_source"].endswith(window.name)  # the bare .EOF, kept in the cache
    assert Path(ds.attrs["cdse_source"]).read_bytes() == data
    assert remote.attrs["cdse_source"] == f"cdse://{window.name}"
    for name in VECTORS:
        np.testing.assert_array_equal(ds[name].values, remote[name].values)
    assert ds.attrs["validity_start"] == window.start.astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.000000Z"
    )
    assert datetime.fromisoformat(ds.attrs["validity_stop"]) == window.stop
