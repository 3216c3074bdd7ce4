"""The emulator's Sentinel-3 SLSTR LST and SYNERGY SYN products: the real products' files, data
objects and global attributes, the real variables with their encodings, values as the
``expected_*`` functions say, georeferenced in the catalogue footprint, deterministic, and
cheap to build again for another product of a site (patched templates, same bytes as a fresh
write). Entries come from the metadata-only catalogue by product type."""

from __future__ import annotations

import hashlib
import io
import pickle
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cdse_intake.emulator.catalogue import Entry, Payload, build_catalogue
from cdse_intake.emulator.products import (
    BUILDERS,
    _h5patch,
    _sen3,
    sentinel3,
    sentinel3_slstr,
    sentinel3_syn,
)

h5py = pytest.importorskip("h5py")
xr = pytest.importorskip("xarray")
shapely = pytest.importorskip("shapely")
ET = pytest.importorskip("defusedxml.ElementTree")

SAMPLES = "samples/products/sentinel-3"
LST, SYN = "SL_2_LST___", "SY_2_SYN___"
BUILD = {LST: sentinel3_slstr.build_lst, SYN: sentinel3_syn.build_syn}
SHAPE = {
    LST: (sentinel3_slstr.ROWS, sentinel3_slstr.COLUMNS),
    SYN: (sentinel3_syn.ROWS, sentinel3_syn.COLUMNS),
}
XFDU = "{urn:ccsds:schema:xfdu:1}"


@pytest.fixture(scope="module")
def entries() -> dict[str, list[Entry]]:
    catalogue = build_catalogue(materialise=False)
    return {t: [e for e in catalogue.entries if e.product_type == t] for t in (LST, SYN)}


def same_site(entries: list[Entry], first: Entry, ascending: bool | None = None) -> list[Entry]:
    """Entries of ``first``'s site, of one pass direction if ``ascending`` is given."""
    found = [e for e in entries if e.extra["lon"] == first.extra["lon"]]
    if ascending is not None:
        direction = "ASCENDING" if ascending else "DESCENDING"
        found = [e for e in found if e.attribute("orbitDirection") == direction]
    return found


def open_nc(data: bytes, **kwargs: Any) -> Any:
    return xr.open_dataset(io.BytesIO(data), engine="h5netcdf", **kwargs)


def real_folder(reference_dir: Path, product_type: str) -> Path:
    (folder,) = (reference_dir / SAMPLES).glob(f"S3A_{product_type}_*.SEN3")
    return folder


# -- the real structure -----------------------------------------------------------------------


@pytest.mark.parametrize("product_type", [LST, SYN])
def test_files_and_global_attributes_are_the_real_ones(entries, reference_dir, product_type):
    entry = entries[product_type][0]
    files = BUILD[product_type](entry)
    real = real_folder(reference_dir, product_type)
    assert set(files) == {p.name for p in real.iterdir()}
    for path in sorted(real.glob("*.nc")):
        with h5py.File(path) as a, h5py.File(io.BytesIO(files[path.name])) as b:
            assert list(a.attrs) == list(b.attrs), path.name
            for key in a.attrs:
                mine = b.attrs.get_id(key).dtype
                assert mine.kind == a.attrs.get_id(key).dtype.kind, (path.name, key)
            for key in ("title", "resolution", "institution", "contact", "netCDF_version"):
                assert a.attrs[key] == b.attrs[key], (path.name, key)
            assert b.attrs["product_name"].decode() == entry.name
            assert b.attrs["start_time"].decode() == entry.start.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            assert int(b.attrs["absolute_orbit_number"][0]) == entry.attribute("orbitNumber")
            if "track_offset" in a.attrs:  # the tie grid's offset differs from the image's
                tie = a.attrs["track_offset"][0] == 64
                expected = sentinel3_slstr.TIE_TRACK_OFFSET if tie else sentinel3_slstr.TRACK_OFFSET
                assert b.attrs["track_offset"][0] == expected


def manifest_parts(data: bytes) -> dict[str, Any]:
    root = ET.fromstring(data)
    units = [
        (u.get("ID"), u.get("unitType"), u.get("textInfo"), u.find("dataObjectPointer").get(
            "dataObjectID"))
        for u in root.iter(f"{XFDU}contentUnit")
        if u.get("ID") != "packageUnit"
    ]  # fmt: skip
    objects = []
    for obj in root.iter("dataObject"):
        location = obj.find("byteStream/fileLocation")
        objects.append((obj.get("ID"), location.get("href"), location.get("textInfo")))
    package = next(u for u in root.iter(f"{XFDU}contentUnit") if u.get("ID") == "packageUnit")
    return {
        "version": root.get("version"),
        "package": (package.get("textInfo"), package.get("dmdID")),
        "units": units,
        "objects": objects,
        "metadata": [m.get("ID") for m in root.iter("metadataObject")],
    }


@pytest.mark.parametrize("product_type", [LST, SYN])
def test_manifest_lists_the_real_data_objects(entries, reference_dir, product_type):
    entry = entries[product_type][0]
    files = BUILD[product_type](entry)
    real = manifest_parts(
        (real_folder(reference_dir, product_type) / "xfdumanifest.xml").read_bytes()
    )
    ours = manifest_parts(files["xfdumanifest.xml"])
    assert ours == real
    # sizes and checksums are those of the files delivered
    root = ET.fromstring(files["xfdumanifest.xml"])
    for obj in root.iter("dataObject"):
        stream = obj.find("byteStream")
        data = files[stream.find("fileLocation").get("href").removeprefix("./")]
        assert int(stream.get("size")) == len(data)
        assert stream.findtext("checksum") == hashlib.md5(data, usedforsecurity=False).hexdigest()
    ns = {"sentinel3": "http://www.esa.int/safe/sentinel/sentinel-3/1.0"}
    assert root.findtext(".//sentinel3:productType", namespaces=ns) == product_type
    assert root.findtext(".//sentinel3:productName", namespaces=ns) == entry.name


def test_lst_variables_have_the_real_names_and_encodings(entries):
    files = sentinel3_slstr.build_lst(entries[LST][0])
    image = {"rows": sentinel3_slstr.ROWS, "columns": sentinel3_slstr.COLUMNS}
    tie = {"rows": sentinel3_slstr.ROWS, "columns": sentinel3_slstr.TIE_COLUMNS}
    expected = {
        "LST_in.nc": (image, {"LST", "LST_uncertainty", "exception"}),
        "LST_ancillary_ds.nc": (image, {"NDVI", "biome", "fraction", "TCWV"}),
        "geodetic_in.nc": (image, {"elevation_in", "latitude_in", "longitude_in"}),
        "cartesian_in.nc": (image, {"x_in", "y_in"}),
        "flags_in.nc": (image, {"confidence_in", "cloud_in", "bayes_in", "pointing_in"}),
        "indices_in.nc": (image, {"detector_in", "pixel_in", "scan_in"}),
        "time_in.nc": ({"rows": image["rows"]}, {"time_stamp_i"}),
        "geodetic_tx.nc": (tie, {"latitude_tx", "longitude_tx"}),
        "cartesian_tx.nc": (tie, {"x_tx", "y_tx"}),
        "geometry_tn.nc": (tie, {"sat_azimuth_tn", "sat_zenith_tn", "solar_azimuth_tn",
                                 "solar_zenith_tn"}),
    }  # fmt: skip
    for path, (sizes, names) in expected.items():
        with open_nc(files[path], decode_times=False) as ds:
            assert dict(ds.sizes) == sizes, path
            assert set(ds.data_vars) == names, path
    with open_nc(files["met_tx.nc"]) as met:
        assert met.temperature_profile_tx.dims == ("p_atmos", "rows", "columns")
        assert "total_column_water_vapour_tx" in met
    with open_nc(files["LST_in.nc"]) as ds:
        enc = ds.LST.encoding
        assert (enc["dtype"], enc["_FillValue"]) == (np.int16, -32768)
        assert (enc["scale_factor"], enc["add_offset"]) == (np.float32(0.002), np.float32(290))
        assert ds.LST.attrs["units"] == "K"
        assert ds.exception.dtype == np.uint16 and len(ds.exception.flag_masks) == 11
    with open_nc(files["geodetic_in.nc"]) as ds:
        assert ds.latitude_in.encoding["dtype"] == np.int32
        assert ds.latitude_in.encoding["scale_factor"] == 1e-6
    with open_nc(files["time_in.nc"]) as ds:
        assert ds.time_stamp_i.encoding["dtype"] == np.int64
        assert ds.time_stamp_i.dtype.kind == "M"


def test_syn_variables_have_the_real_names_and_encodings(entries):
    files = sentinel3_syn.build_syn(entries[SYN][0])
    image = {"rows": sentinel3_syn.ROWS, "columns": sentinel3_syn.COLUMNS}
    for band in sentinel3_syn.BANDS:
        with open_nc(files[f"Syn_{band}_reflectance.nc"]) as ds:
            assert dict(ds.sizes) == image
            assert set(ds.data_vars) == {f"SDR_{band}", f"SDR_{band}_err"}
            enc = ds[f"SDR_{band}"].encoding
            assert (enc["dtype"], enc["_FillValue"], enc["scale_factor"]) == (
                np.int16, -10000, np.float32(1e-4))  # fmt: skip
    names = {
        "Syn_AOT550.nc": {"T550", "T550_err"},
        "Syn_Angstrom_exp550.nc": {"A550"},
        "Syn_AMIN.nc": {"AMIN"},
        "flags.nc": {"CLOUD_flags", "OLC_flags", "SLN_flags", "SLO_flags", "SYN_flags"},
        "geolocation.nc": {"lat", "lon", "altitude"},
        "time.nc": {"time_stamp"},
        "tiepoints_olci.nc": {"OLC_TP_lat", "OLC_TP_lon", "OAA", "OZA", "SAA", "SZA"},
        "tiepoints_slstr_n.nc": {"SLN_TP_lat", "SLN_TP_lon", "SAA", "SZA", "VAA", "VZA"},
        "tiepoints_slstr_o.nc": {"SLO_TP_lat", "SLO_TP_lon", "SAA", "SZA", "VAA", "VZA"},
        "tiepoints_meteo.nc": {"air_pressure", "ozone", "water_vapour"},
        "Syn_annot_rem.nc": {"column", "lat", "lon"},
    }
    for path, expected in names.items():
        with open_nc(files[path]) as ds:
            assert set(ds.data_vars) == expected, path
    with open_nc(files["tiepoints_olci.nc"]) as ds:
        # every 64th column of every row, as a 1-D list like the real olc_number_tp
        assert dict(ds.sizes) == {"olc_number_tp": image["rows"] * sentinel3_syn.OLC_TIE_COLUMNS}
    with open_nc(files["flags.nc"]) as ds:
        assert ds.OLC_flags.dtype == np.uint32 and ds.SYN_flags.dtype == np.uint16
    with open_nc(files["Syn_SDR_removed_pixel.nc"]) as ds:
        assert dict(ds.sizes) == {"rows": image["rows"], "removed_pixels": sentinel3_syn.REMOVED}


# -- values, geolocation, times ------------------------------------------------------------


def clear(entries: list[Entry]) -> list[Entry]:
    """Entries of mostly clear sky (cloudCover below 50 %)."""
    return [e for e in entries if e.attribute("cloudCover") < 50]


def test_lst_values_follow_expected_lst_and_are_plausible(entries):
    site = entries[LST][0]
    rows, cols = np.indices(SHAPE[LST])
    for ascending in (True, False):
        entry = clear(same_site(entries[LST], site, ascending=ascending))[0]
        with open_nc(sentinel3_slstr.build_lst(entry)["LST_in.nc"]) as ds:
            lst = ds.LST.values
        expected = sentinel3_slstr.expected_lst(entry, rows, cols)
        np.testing.assert_allclose(lst, expected, rtol=1e-6)  # NaN where expected is NaN
        # LST over land, fill over the sea and under the clouds
        seen = sentinel3_slstr.is_land(entry, rows, cols)
        seen &= ~sentinel3_slstr.is_cloudy(entry, rows, cols)
        assert np.isnan(lst[~seen]).all() and not np.isnan(lst[seen]).any()
        assert lst[seen].min() >= 250 and lst[seen].max() <= 330
        assert lst[seen].std() > 1  # not a constant
    hot = clear([e for e in entries[LST] if abs(e.extra["lat"]) < 15])[0]
    assert np.nanmean(sentinel3_slstr.expected_lst(hot, rows, cols)) > np.nanmean(expected)


def test_syn_reflectances_follow_expected_sdr(entries):
    entry = clear(entries[SYN])[0]
    files = sentinel3_syn.build_syn(entry)
    rows, cols = np.indices(SHAPE[SYN])
    seen = sentinel3_syn.is_land(entry, rows, cols) & ~sentinel3_syn.is_cloudy(entry, rows, cols)
    for band in sentinel3_syn.BANDS:
        with open_nc(files[f"Syn_{band}_reflectance.nc"]) as ds:
            sdr = ds[f"SDR_{band}"].values
        np.testing.assert_allclose(sdr, sentinel3_syn.expected_sdr(entry, band, rows, cols),
                                   rtol=1e-6)  # fmt: skip
        assert np.isnan(sdr[~seen]).all() and ((sdr[seen] > 0) & (sdr[seen] <= 1)).all()
    # a land spectrum: the near infrared above the red
    assert np.nanmean(sentinel3_syn.expected_sdr(entry, "Oa17", rows, cols)) > 1.3 * np.nanmean(
        sentinel3_syn.expected_sdr(entry, "Oa08", rows, cols)
    )
    with pytest.raises(ValueError, match="SYN band must be one of"):
        sentinel3_syn.expected_sdr(entry, "Oa13", 0, 0)


@pytest.mark.parametrize(
    ("product_type", "geo_file", "lat", "lon", "time_file", "stamp"),
    [
        (LST, "geodetic_in.nc", "latitude_in", "longitude_in", "time_in.nc", "time_stamp_i"),
        (SYN, "geolocation.nc", "lat", "lon", "time.nc", "time_stamp"),
    ],
)
def test_pixels_lie_in_the_footprint_and_rows_span_the_acquisition(
    entries, product_type, geo_file, lat, lon, time_file, stamp
):
    module = sentinel3_slstr if product_type == LST else sentinel3_syn
    rows, cols = np.indices(SHAPE[product_type])
    first_rows = {}
    for entry in same_site(entries[product_type], entries[product_type][0])[:2]:
        files = BUILD[product_type](entry)
        want_lon, want_lat = module.geolocation(entry, rows, cols)
        with open_nc(files[geo_file]) as geo:
            np.testing.assert_allclose(geo[lon].values, want_lon, atol=1e-6)
            np.testing.assert_allclose(geo[lat].values, want_lat, atol=1e-6)
        shape = shapely.geometry.shape(entry.footprint).buffer(1e-6)
        assert shapely.contains_xy(shape, want_lon.ravel(), want_lat.ravel()).all()
        with open_nc(files[time_file]) as times:
            stamps = times[stamp].values
        assert stamps[0] == np.datetime64(entry.start.replace(tzinfo=None), "ns")
        assert stamps[-1] == np.datetime64(entry.end.replace(tzinfo=None), "ns")
        first_rows[entry.attribute("orbitDirection")] = want_lat[0].mean() - want_lat[-1].mean()
    # row 0 is acquired first: the north edge when descending, the south when ascending
    assert first_rows["DESCENDING"] > 0 > first_rows["ASCENDING"]
    # a footprint CDSE splits at the antimeridian still holds every pixel
    split = next(e for e in entries[product_type] if e.footprint["type"] == "MultiPolygon")
    lons, lats = module.geolocation(split, rows, cols)
    assert lons.min() < -179 and lons.max() > 179
    shape = shapely.geometry.shape(split.footprint).buffer(1e-6)
    assert shapely.contains_xy(shape, lons.ravel(), lats.ravel()).all()


# -- building: registry, zip, determinism, cost ------------------------------------------------


def test_registered_and_zipped_as_cdse_delivers(entries):
    for product_type, family in ((LST, "sentinel3_slstr_lst"), (SYN, "sentinel3_syn")):
        entry = entries[product_type][0]
        files = BUILDERS[family](entry)
        assert not BUILDERS[family].single_file
        payload = Payload.from_files(entry.name, files, single_file=False)
        assert len(payload.data) < 2_000_000
        with zipfile.ZipFile(io.BytesIO(payload.data)) as zf:
            names = {i.filename for i in zf.infolist() if not i.is_dir()}
            assert names == {f"{entry.name}/{rel}" for rel in files}
            assert {i.date_time for i in zf.infolist()} == {(2024, 1, 1, 0, 0, 0)}


def test_wrong_entries_are_refused(entries):
    with pytest.raises(ValueError, match="SLSTR LST product name expected"):
        sentinel3_slstr.build_lst(entries[SYN][0])
    with pytest.raises(ValueError, match="SYNERGY SYN product name expected"):
        sentinel3_syn.build_syn(entries[LST][0])


def test_cached_builds_are_the_bytes_of_a_fresh_write(entries):
    """The per-site templates, patched per product, give exactly the files written afresh
    (placeholders, checksums and all), for products of one site, both directions and the
    antimeridian."""
    for product_type, build in BUILD.items():
        chosen = entries[product_type]
        split = next(e for e in chosen if e.footprint["type"] == "MultiPolygon")
        for entry in [*same_site(chosen, chosen[0])[:3], split]:
            assert build(entry) == build(entry, cached=False), entry.name


def test_efr_cached_build_is_the_bytes_of_a_fresh_write():
    catalogue = build_catalogue(materialise=False)
    efr = [e for e in catalogue.entries if e.product_type == "OL_1_EFR___"][:2]
    for entry in efr:
        assert sentinel3.build_efr(entry) == sentinel3.build_efr(entry, cached=False)


def digests(files: dict[str, bytes]) -> dict[str, str]:
    return {k: hashlib.md5(v, usedforsecurity=False).hexdigest() for k, v in files.items()}


def test_builds_are_the_same_in_another_process(entries):
    chosen = [entries[LST][1], entries[SYN][1]]
    script = (
        "import hashlib, pickle, sys\n"
        "from cdse_intake.emulator.products import sentinel3_slstr, sentinel3_syn\n"
        "lst, syn = pickle.load(sys.stdin.buffer)\n"
        "out = [sentinel3_slstr.build_lst(lst), sentinel3_syn.build_syn(syn)]\n"
        "md5 = lambda v: hashlib.md5(v, usedforsecurity=False).hexdigest()\n"
        "pickle.dump([{k: md5(v) for k, v in f.items()} for f in out], sys.stdout.buffer)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=pickle.dumps(chosen),
        capture_output=True,
        check=True,
        timeout=300,
    )
    theirs = pickle.loads(done.stdout)
    assert theirs == [digests(BUILD[LST](chosen[0])), digests(BUILD[SYN](chosen[1]))]


def test_a_second_product_of_a_site_reuses_the_site_files(entries):
    """Files are written once per family (swath-free) and once per swath; later products of a
    site only patch them, other sites only write their geometry files."""
    for product_type, build in BUILD.items():
        first, second = same_site(entries[product_type], entries[product_type][0], True)[:2]
        other = next(e for e in entries[product_type] if e.extra["lon"] != first.extra["lon"])
        _sen3._templates.cache_clear()
        start = time.perf_counter()
        build(first)
        cold = time.perf_counter() - start
        assert _sen3._templates.cache_info().misses == 2  # the family's and the swath's files
        start = time.perf_counter()
        files = build(second)
        warm = time.perf_counter() - start
        assert _sen3._templates.cache_info().misses == 2
        assert warm < cold and warm < 0.5, (product_type, cold, warm)
        with open_nc(files[next(p for p in files if p.endswith(".nc"))]) as ds:
            assert ds.attrs["product_name"] == second.name
            assert ds.attrs["start_time"] == second.start.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        build(other)
        assert _sen3._templates.cache_info().misses == 3  # only the new swath's files


def test_files_that_cannot_be_patched_are_written_afresh(entries, monkeypatch, caplog):
    def refuse(cls: Any, data: bytes, *args: Any, **kwargs: Any) -> Any:
        raise _h5patch.TemplateError("layout not understood")

    entry = entries[LST][0]
    expected = sentinel3_slstr.build_lst(entry, cached=False)
    _sen3._templates.cache_clear()
    monkeypatch.setattr(_h5patch.Template, "make", classmethod(refuse))
    try:
        assert sentinel3_slstr.build_lst(entry) == expected
    finally:
        _sen3._templates.cache_clear()
    assert "written afresh for every product (layout not understood)" in caplog.text


# -- the HDF5 patching ---------------------------------------------------------------------------


def test_lookup3_is_hdf5s_checksum():
    data = bytes(range(256)) * 3
    python = _h5patch._lookup3_py
    assert [python(data[:n]) for n in (0, 1, 12, 13)] == [
        0xDEADBEEF, 0x8BA9414B, 0x5E4AA593, 0xBC9D6816]  # HDF5's H5_checksum_metadata  # fmt: skip
    assert all(_h5patch.lookup3(data[:n]) == python(data[:n]) for n in (0, 7, 12, 24, 511, 768))


def write_small(title: str, orbit: int) -> bytes:
    return _sen3.nc(
        {"rows": 3},
        lambda g: _sen3.variable(g, "v", ("rows",), np.arange(3), np.int16, long_name="v"),
        {f"a{i:02d}": f"value {i}" for i in range(12)}
        | {"title": title, "absolute_orbit_number": np.array([orbit], dtype=np.uint32)},
    )


def test_templates_patch_attributes_and_redo_checksums():
    template = write_small("PLACEHOLDER-TITLE", 0xA5C35A3C)
    holders = {
        "title": b"PLACEHOLDER-TITLE",
        "orbit": np.uint32(0xA5C35A3C).tobytes(),
        "absent": b"no such bytes",
    }
    patched = _h5patch.Template.make(template, holders).render(
        {"title": b"a real title here", "orbit": np.uint32(35123).tobytes()}
    )
    assert patched == write_small("a real title here", 35123)
    with h5py.File(io.BytesIO(patched)) as h5:
        assert h5.attrs["title"] == b"a real title here"
        assert h5.attrs["absolute_orbit_number"][0] == 35123
    # without the checksums redone, HDF5 refuses the metadata
    raw = template.replace(b"PLACEHOLDER-TITLE", b"a real title here")
    with pytest.raises((OSError, RuntimeError), match="checksum"), h5py.File(io.BytesIO(raw)) as h5:
        dict(h5.attrs)


def test_attributes_are_written_as_h5py_writes_them():
    """The fast attribute writer gives the bytes of ``obj.attrs[name] = value``."""
    values = {
        "text": np.bytes_(b"fixed"),
        "vlen": "variable length",
        "number": np.float32(0.5),
        "python_float": 1e-6,
        "array": np.array([1, 2, 4], dtype=np.uint16),
    }

    def write(fast: bool) -> bytes:
        def body(g: Any) -> None:
            var = _sen3.variable(g, "v", ("rows",), np.arange(3), np.int16)
            if fast:
                _sen3.set_attrs(var, values)
            else:
                for key, value in values.items():
                    var.attrs[key] = value

        return _sen3.nc({"rows": 3}, body, {"title": "t"})

    assert write(fast=True) == write(fast=False)


def test_templates_refuse_what_they_cannot_patch_safely():
    data = write_small("PLACEHOLDER-TITLE", 7)
    with pytest.raises(_h5patch.TemplateError, match="occurs 12 times"):
        _h5patch.Template.make(data, {"value": b"value "})
    with pytest.raises(_h5patch.TemplateError, match="raw placeholder"):
        _h5patch.Template.make(data, {"title": b"PLACEHOLDER-TITLE"}, raw=("title",))
    template = _h5patch.Template.make(data, {"title": b"PLACEHOLDER-TITLE"})
    with pytest.raises(ValueError, match="17-byte placeholder"):
        template.render({"title": b"short"})
    with pytest.raises(_h5patch.TemplateError, match="not an HDF5 file"):
        _h5patch.Template.make(b"x" * 64, {})
