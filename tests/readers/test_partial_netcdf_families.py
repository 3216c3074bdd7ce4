"""Partial and damaged products of the netCDF and binary families (Sentinel-5P/6, CAMS, SMOS,
Envisat, MODIS, orbit files), and the shared options ``variables``/``scale``/``chunks``.

Products are the emulator's writers' files, with members removed, emptied or cut short: absent
files give one :class:`PartialProductWarning` naming them (metadata only when no data file is
left), broken files an :class:`UnsupportedProduct` naming the file; ``scale=False`` gives the
stored numbers, which times their ``scale_factor`` plus ``add_offset`` are the scaled values.
"""

from __future__ import annotations

import contextlib
import warnings
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from cdse_intake import PartialProductWarning, open_product
from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.products import BUILDERS, orbits
from cdse_intake.emulator.records.table import table_entries
from cdse_intake.errors import UnsupportedProduct
from cdse_intake.readers import smos
from cdse_intake.readers.source import from_local

pytest.importorskip("h5netcdf")

#: Points sampled in each 2-D array to compare scaled and stored values.
ROWS, COLS = np.array([0, 3, 17, 40, 80]), np.array([0, 5, 19, 33, 80])


@pytest.fixture(scope="module")
def catalogue_entries():
    """Sentinel-5P L2 and Sentinel-6 entries of the emulator's catalogue, by product type."""
    found = {}
    for entry in build_catalogue(materialise=False).entries:
        if entry.family == "sentinel5p_l2" or (
            entry.collection == "SENTINEL-6" and "_ST_F09" in entry.name
        ):
            found.setdefault(entry.product_type, entry)
    return found


@pytest.fixture(scope="module")
def table():
    """CAMS, SMOS, Envisat and MODIS entries of the emulator's table, by product type."""
    found = {}
    for entry in table_entries(2026, 1.0):
        if entry.collection in ("CAMS", "SMOS", "ENVISAT", "TERRAAQUA"):
            found.setdefault(entry.product_type.split(".")[0], entry)
    return found


@contextlib.contextmanager
def _no_partial_warning() -> Iterator[None]:
    """A context in which a PartialProductWarning fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", PartialProductWarning)
        yield


def _one_partial_warning(record) -> str:
    partial = [w for w in record if issubclass(w.category, PartialProductWarning)]
    assert len(partial) == 1, [str(w.message) for w in partial]
    return str(partial[0].message)


def _single(directory: Path, name: str, data: bytes) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(data)
    return path


def _broken_single_files(tmp_path: Path, name: str, data: bytes) -> dict[str, Path]:
    return {
        "empty": _single(tmp_path / "empty", name, b""),
        "truncated": _single(tmp_path / "truncated", name, data[: len(data) // 2]),
    }


def _unpacked(data: np.ndarray, attrs: dict) -> np.ndarray:
    """Stored numbers decoded by hand: fill as NaN, then ``* scale_factor + add_offset``."""
    values = data.astype(np.float64)
    fill = attrs.get("_FillValue")
    if fill is not None:
        values[data == fill] = np.nan
    return values * float(attrs.get("scale_factor", 1.0)) + float(attrs.get("add_offset", 0.0))


# -- Sentinel-6 -----------------------------------------------------------------------------------


def _s6(catalogue_entries, tmp_path: Path, kind: str = "P4_2__LR_____", **changes):
    """The S6 product zipped as CDSE delivers it; ``changes``: member name -> bytes (None:
    removed). Returns (zip path, files, {kind: member name})."""
    entry = catalogue_entries[kind]
    files = BUILDERS["sentinel6"](entry)
    members = {
        next((m for m in ("STD", "RED") if f"_{m}_" in k), "nc"): k
        for k in files
        if k.endswith(".nc")
    }
    out = dict(files)
    for key, data in changes.items():
        rel = members[key]
        if data is None:
            del out[rel]
        else:
            out[rel] = data
    path = tmp_path / f"{entry.name.removesuffix('.SEN6')}.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for rel, data in out.items():
            zf.writestr(f"{entry.name}/{rel}", data)
    return path, files, members


def test_s6_without_its_standard_file_opens_the_reduced_one_and_warns(catalogue_entries, tmp_path):
    path, _, members = _s6(catalogue_entries, tmp_path, STD=None)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        tree = open_product(path)
    message = _one_partial_warning(record)
    assert members["STD"] in message and members["RED"] not in message
    assert tree.attrs["product_name"] == members["RED"]
    assert "ssha" in tree["data_01/ku"].data_vars and "data_20" not in tree.children
    # the reduced file asked for: the standard one was left out on purpose
    with _no_partial_warning():
        reduced = open_product(path, measurement="reduced")
    assert reduced.attrs["product_name"] == members["RED"]
    with pytest.raises(UnsupportedProduct, match=f"{members['STD']} is absent"):
        open_product(path, measurement="standard")


def test_s6_without_its_reduced_file_opens_the_standard_one_and_warns(catalogue_entries, tmp_path):
    path, _, members = _s6(catalogue_entries, tmp_path, RED=None)
    with pytest.warns(PartialProductWarning, match=members["RED"]):
        tree = open_product(path)
    assert tree.attrs["product_name"] == members["STD"]
    assert "data_20" in tree.children


def test_s6_without_any_measurement_file_is_metadata_only(catalogue_entries, tmp_path):
    entry = catalogue_entries["P4_2__LR_____"]
    path, _, members = _s6(catalogue_entries, tmp_path, STD=None, RED=None)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        tree = open_product(path)
    message = _one_partial_warning(record)
    assert members["STD"] in message and members["RED"] in message and "metadata only" in message
    assert isinstance(tree, xr.DataTree) and not tree.children and not tree.data_vars
    assert tree.attrs["product_name"] == entry.name
    assert tree.attrs["product_type"] == "P4_2__LR_____"
    assert tree.attrs["time_coverage_start"].startswith(entry.start.strftime("%Y-%m-%dT%H:%M"))
    assert tree.attrs["footprint"].startswith("POLYGON ((")
    assert isinstance(tree.attrs["cycle"], int)


def test_s6_variables_scale_and_chunks(catalogue_entries, tmp_path):
    path, _, _ = _s6(catalogue_entries, tmp_path)
    with _no_partial_warning():
        subset = open_product(path, bands=["ssha"])  # the alias of variables=
    ku = subset["data_01/ku"].to_dataset()
    assert list(ku.data_vars) == ["ssha"]
    assert {"latitude", "longitude", "time"} <= set(ku.coords)
    assert not subset["data_01"].data_vars  # its group kept for its coordinates only
    scaled = open_product(path, variables="ssha")["data_01/ku"]["ssha"].values
    raw = open_product(path, variables="ssha", scale=False)["data_01/ku"]["ssha"]
    assert np.issubdtype(raw.dtype, np.integer) and "scale_factor" in raw.attrs
    picks = np.array([0, 7, 50, 120, raw.shape[0] - 1])
    np.testing.assert_allclose(
        scaled[picks], _unpacked(raw.values, raw.attrs)[picks], rtol=1e-6, equal_nan=True
    )
    assert np.isfinite(scaled[picks]).any()
    with pytest.raises(ValueError, match=r"variables=\['ssh'\].*available: .*ssha"):
        open_product(path, variables="ssh")
    with pytest.raises(ValueError, match=r"no dimension 'rows'.*expected time"):
        open_product(path, chunks={"rows": 10})
    with pytest.raises(TypeError, match="same option"):
        open_product(path, variables="ssha", bands="ssha")


@pytest.mark.parametrize("damage", ["empty", "truncated"])
def test_s6_empty_or_truncated_measurement_file_is_refused(catalogue_entries, tmp_path, damage):
    entry = catalogue_entries["P4_2__LR_____"]
    files = BUILDERS["sentinel6"](entry)
    std = next(k for k in files if "_STD_" in k)
    data = b"" if damage == "empty" else files[std][:5000]
    path, _, _ = _s6(catalogue_entries, tmp_path, STD=data)
    expected = "is empty" if damage == "empty" else "damaged or truncated"
    with pytest.raises(UnsupportedProduct, match=rf"{std}.*{expected}"):
        open_product(path)


# -- Sentinel-5P ----------------------------------------------------------------------------------


@pytest.fixture
def s5p(catalogue_entries, tmp_path):
    entry = catalogue_entries["L2__NO2___"]
    data = BUILDERS["sentinel5p_l2"](entry)[entry.name]
    return entry, data, _single(tmp_path / "s5p", entry.name, data)


def test_s5p_variables_and_scale(s5p):
    _, _, path = s5p
    with _no_partial_warning():
        tree = open_product(path, variables=["qa_value"], metadata=False)
    product = tree["PRODUCT"].to_dataset()
    assert list(product.data_vars) == ["qa_value"]
    assert {"latitude", "longitude", "time"} <= set(product.coords)
    assert all(not node.data_vars for node in tree.subtree if node.path != "/PRODUCT")
    scaled = tree["PRODUCT"]["qa_value"].values
    raw = open_product(path, variables="qa_value", mask_and_scale=False)["PRODUCT"]["qa_value"]
    assert raw.dtype == np.uint8 and float(raw.attrs["scale_factor"]) == pytest.approx(0.01)
    np.testing.assert_allclose(
        scaled[ROWS % raw.shape[0], COLS % raw.shape[1]],
        _unpacked(raw.values, raw.attrs)[ROWS % raw.shape[0], COLS % raw.shape[1]],
        rtol=1e-6,
    )
    assert raw.values.max() > 1  # the stored 0..100, not 0..1
    with pytest.raises(ValueError, match=r"min_qa=0.5 with scale=False"):
        open_product(path, scale=False, min_qa=0.5)
    with pytest.raises(ValueError, match=r"variables=\['no2'\].*available: .*qa_value"):
        open_product(path, variables="no2")
    with pytest.raises(ValueError, match=r"no dimension 'lines'.*scanline"):
        open_product(path, chunks={"lines": 10})
    masked = open_product(path, min_qa=0.75, variables="nitrogendioxide_tropospheric_column")
    assert "qa_value" not in masked["PRODUCT"].data_vars  # masked before the selection
    assert masked["PRODUCT"]["nitrogendioxide_tropospheric_column"].attrs["cdse_min_qa"] == 0.75


def test_s5p_empty_or_truncated_file_is_refused(s5p, tmp_path):
    entry, data, _ = s5p
    broken = _broken_single_files(tmp_path, entry.name, data)
    with pytest.raises(UnsupportedProduct, match=f"{entry.name} is empty"):
        open_product(broken["empty"])
    with pytest.raises(UnsupportedProduct, match=rf"cannot read {entry.name}: .*truncated"):
        open_product(broken["truncated"])


# -- CAMS -----------------------------------------------------------------------------------------


@pytest.fixture
def cams_file(table, tmp_path):
    entry = table["GLOBAL"]
    data = BUILDERS["cams"](entry)[entry.name]
    return entry, data, _single(tmp_path / "cams", entry.name, data)


@pytest.mark.filterwarnings("ignore:The specified chunks separate")
def test_cams_variables_scale_and_chunks(cams_file):
    _, _, path = cams_file
    full = open_product(path)
    first, second = list(full.data_vars)[:2]
    with _no_partial_warning():
        ds = open_product(path, variables=[first])
    assert list(ds.data_vars) == [first]
    assert {"time", "latitude", "longitude"} <= set(ds.coords)
    raw = open_product(path, variables=first, mask_and_scale=False)[first]
    assert raw.dtype == np.int16
    assert {"scale_factor", "add_offset", "_FillValue"} <= set(raw.attrs)
    np.testing.assert_allclose(
        full[first].values[0][ROWS, COLS],
        _unpacked(raw.values[0], raw.attrs)[ROWS, COLS],
        rtol=1e-6,
        equal_nan=True,
    )
    with pytest.raises(ValueError, match=rf"variables=\['nope'\].*available: {first}, {second}"):
        open_product(path, variables="nope")
    with pytest.raises(ValueError, match=r"no dimension 'lat'.*latitude"):
        open_product(path, chunks={"lat": 10})
    with pytest.raises(ValueError, match="scale='no'"):
        open_product(path, scale="no")
    assert open_product(path, chunks={"latitude": 50})[first].chunks[1][0] == 50


def test_cams_empty_truncated_or_foreign_file_is_refused(cams_file, tmp_path):
    entry, data, _ = cams_file
    broken = _broken_single_files(tmp_path, entry.name, data)
    with pytest.raises(UnsupportedProduct, match=f"{entry.name} is empty"):
        open_product(broken["empty"])
    with pytest.raises(UnsupportedProduct, match=rf"cannot read {entry.name}: .*truncated"):
        open_product(broken["truncated"])
    foreign = _single(tmp_path / "foreign", entry.name, b"GRIB" + data[4:])
    with pytest.raises(UnsupportedProduct, match=rf"{entry.name} is not a .*HDF5/netCDF"):
        open_product(foreign)


# -- SMOS -----------------------------------------------------------------------------------------


def _smos_folder(table, tmp_path: Path, kind: str) -> tuple[Path, dict[str, bytes], str]:
    entry = table[kind]
    files = BUILDERS["smos"](entry)
    folder = tmp_path / kind / entry.name
    folder.mkdir(parents=True)
    for rel, data in files.items():
        (folder / rel).write_bytes(data)
    return folder, files, entry.name


def test_smos_without_its_data_block_is_metadata_only(table, tmp_path):
    folder, _, name = _smos_folder(table, tmp_path, "MIR_SMUDP2")
    (folder / f"{name}.DBL").unlink()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        ds = open_product(folder)
    message = _one_partial_warning(record)
    assert f"{name}.DBL" in message and "metadata only" in message
    assert not ds.data_vars and not ds.dims
    assert ds.attrs["File_Type"] == "MIR_SMUDP2" and ds.attrs["File_Name"] == name
    assert -90 <= ds.attrs["Start_Lat"] <= 90
    with pytest.raises(UnsupportedProduct, match=f"{name}.DBL is absent"):
        open_product(folder, variables="Soil_Moisture")


def test_smos_variables_scale_and_chunks(table, tmp_path):
    folder, _, _ = _smos_folder(table, tmp_path, "MIR_SMUDP2")
    with _no_partial_warning():
        ds = open_product(folder, bands="Soil_Moisture")
    assert list(ds.data_vars) == ["Soil_Moisture"]
    assert {"latitude", "longitude", "grid_point_id", "time"} <= set(ds.coords)
    raw = open_product(folder, variables="Soil_Moisture", scale=False).Soil_Moisture
    assert raw.attrs["_FillValue"] == -999.0 and (raw.values == -999.0).any()
    np.testing.assert_array_equal(_unpacked(raw.values, raw.attrs), ds.Soil_Moisture.values)
    with pytest.raises(ValueError, match=r"variables=\['SM'\].*available: .*Soil_Moisture"):
        open_product(folder, variables="SM")
    with pytest.raises(ValueError, match=r"no dimension 'pixel'.*grid_point"):
        open_product(folder, chunks={"pixel": 10})


def test_smos_l1c_stored_counts_times_their_factor(table, tmp_path):
    folder, _, _ = _smos_folder(table, tmp_path, "MIR_SC_F1B")
    scaled = smos.open(from_local(folder), variables=["Incidence_Angle"], chunks=None)
    raw = smos.open(from_local(folder), variables="Incidence_Angle", scale=False, chunks=None)
    counts = raw.Incidence_Angle
    assert counts.attrs["scale_factor"] == pytest.approx(90 / 2**16)
    filled = np.isfinite(counts.values)
    assert (counts.values[filled] == np.round(counts.values[filled])).all()  # whole counts
    np.testing.assert_allclose(
        _unpacked(counts.values, counts.attrs), scaled.Incidence_Angle.values, equal_nan=True
    )


def test_smos_empty_or_truncated_files_are_refused(table, tmp_path):
    folder, files, name = _smos_folder(table, tmp_path, "MIR_SMUDP2")
    dbl = folder / f"{name}.DBL"
    dbl.write_bytes(b"")
    with pytest.raises(UnsupportedProduct, match=f"{name}.DBL is empty"):
        open_product(folder)
    dbl.write_bytes(files[f"{name}.DBL"][:-500])
    with pytest.raises(UnsupportedProduct, match=rf"{name}.DBL has .*Datablock_Size.*truncated"):
        open_product(folder)
    dbl.write_bytes(files[f"{name}.DBL"] + b"\0" * 223)
    with pytest.raises(UnsupportedProduct, match="not this header's data block"):
        open_product(folder)
    dbl.write_bytes(files[f"{name}.DBL"])
    (folder / f"{name}.HDR").write_bytes(b"")
    with pytest.raises(UnsupportedProduct, match=f"{name}.HDR is empty"):
        open_product(folder)
    (folder / f"{name}.HDR").write_bytes(files[f"{name}.HDR"][:300])
    with pytest.raises(UnsupportedProduct, match=f"{name}.HDR is not well-formed XML"):
        open_product(folder)


# -- Envisat --------------------------------------------------------------------------------------


@pytest.fixture
def n1(table, tmp_path):
    entry = table["MER_RR__1P"]
    data = BUILDERS["envisat"](entry)[entry.name]
    return entry, data, _single(tmp_path / "n1", entry.name, data)


def test_envisat_variables_scale_and_chunks(n1):
    _, _, path = n1
    full = open_product(path)
    with _no_partial_warning():
        ds = open_product(path, variables=["radiance_8", "l1_flags"])
    assert list(ds.data_vars) == ["radiance_8", "l1_flags"]
    assert {"latitude", "longitude", "time"} <= set(ds.coords)
    raw = open_product(path, variables=["radiance_8", "tie_latitude"], decode=False)
    counts = raw.radiance_8
    assert counts.dtype == np.uint16 and counts.attrs["units"] == "mW m-2 sr-1 nm-1"
    np.testing.assert_allclose(
        full.radiance_8.values[ROWS, COLS],
        _unpacked(counts.values, counts.attrs)[ROWS, COLS],
        rtol=1e-6,
    )
    tie = raw.tie_latitude
    assert np.issubdtype(tie.dtype, np.integer) and tie.attrs["scale_factor"] == 1e-6
    np.testing.assert_allclose(
        full.tie_latitude.values, _unpacked(tie.values, tie.attrs), rtol=1e-6
    )
    np.testing.assert_array_equal(raw.latitude.values, full.latitude.values)  # still degrees
    with pytest.raises(ValueError, match=r"variables=\['radiance_16'\].*available: radiance_1,"):
        open_product(path, variables="radiance_16")
    with pytest.raises(ValueError, match=r"no dimension 'line'.*expected y, x, tie_y, tie_x"):
        open_product(path, chunks={"line": 10})
    assert open_product(path, chunks={"y": 20}).radiance_1.chunks[0][0] == 20


def test_envisat_empty_or_truncated_file_is_refused(n1, tmp_path):
    entry, data, _ = n1
    broken = _broken_single_files(tmp_path, entry.name, data)
    with pytest.raises(UnsupportedProduct, match=f"{entry.name} is empty"):
        open_product(broken["empty"])
    with pytest.raises(UnsupportedProduct, match=f"{entry.name}: truncated: data set"):
        open_product(broken["truncated"])


# -- MODIS ----------------------------------------------------------------------------------------


@pytest.fixture
def hdf(table, tmp_path):
    pytest.importorskip("pyhdf")
    entry = table["MCD15A2H"]
    data = BUILDERS["modis"](entry)[entry.name]
    return entry, data, _single(tmp_path / "hdf", entry.name, data)


def test_modis_variables_scale_and_chunks(hdf):
    _, _, path = hdf
    with _no_partial_warning():
        ds = open_product(path, variables=["Lai_500m", "FparLai_QC"])
    assert list(ds.data_vars) == ["Lai_500m", "FparLai_QC"]
    raw = open_product(path, variables="Lai_500m", scale=False).Lai_500m
    assert raw.dtype == np.uint8
    assert {"scale_factor", "add_offset", "_FillValue", "valid_range"} <= set(raw.attrs)
    low, high = raw.attrs["valid_range"]
    valid = (raw.values != raw.attrs["_FillValue"]) & (raw.values >= low) & (raw.values <= high)
    rows, cols = np.nonzero(valid)
    assert rows.size and (~valid).any()
    picks = np.linspace(0, rows.size - 1, 7).astype(int)
    stored = raw.values[rows[picks], cols[picks]]
    expected = stored * np.float32(raw.attrs["scale_factor"]) + np.float32(raw.attrs["add_offset"])
    np.testing.assert_allclose(ds.Lai_500m.values[rows[picks], cols[picks]], expected, rtol=1e-6)
    assert np.isnan(ds.Lai_500m.values[~valid]).all()  # fill and class codes: no value
    np.testing.assert_array_equal(ds.FparLai_QC.values, open_product(path, scale=False).FparLai_QC)
    with pytest.raises(ValueError, match=r"variables=\['LAI'\].*available: Fpar_500m, Lai_500m"):
        open_product(path, variables="LAI")
    with pytest.raises(ValueError, match=r"no dimension 'band'.*expected y, x"):
        open_product(path, chunks={"band": 1})


def test_modis_empty_truncated_or_foreign_file_is_refused(hdf, tmp_path):
    entry, data, _ = hdf
    broken = _broken_single_files(tmp_path, entry.name, data)
    with pytest.raises(UnsupportedProduct, match=f"{entry.name} is empty"):
        open_product(broken["empty"])
    with pytest.raises(UnsupportedProduct, match=f"{entry.name} as an HDF4 file"):
        open_product(broken["truncated"])
    foreign = _single(tmp_path / "foreign", entry.name, b"\x89HDF\r\n\x1a\n" + data[8:])
    with pytest.raises(UnsupportedProduct, match=f"{entry.name} is not a HDF4 file"):
        open_product(foreign)


# -- orbit files ----------------------------------------------------------------------------------


@pytest.fixture
def eof(tmp_path):
    (window,) = orbits.orbit_windows("A", date(2024, 3, 5), kinds=("POEORB",))
    data = orbits.eof_bytes(window)
    return window.name, data, _single(tmp_path / "eof", window.name, data)


def test_orbit_variables_chunks_and_broken_files(eof, tmp_path):
    name, data, path = eof
    with _no_partial_warning():
        ds = open_product(path, variables=["x", "vx"])
    assert list(ds.data_vars) == ["x", "vx"] and {"tai", "ut1"} <= set(ds.coords)
    np.testing.assert_array_equal(ds.x.values, open_product(path, chunks=None).x.values)
    with pytest.raises(ValueError, match=r"variables=\['px'\].*available: x, y, z, vx"):
        open_product(path, variables="px")
    with pytest.raises(ValueError, match=r"no dimension 'osv'.*expected time"):
        open_product(path, chunks={"osv": 100})
    with pytest.raises(TypeError, match="no option 'scale'"):
        open_product(path, scale=False)  # nothing is scaled in an orbit file
    broken = _broken_single_files(tmp_path, name, data)
    with pytest.raises(UnsupportedProduct, match=f"{name} is empty"):
        open_product(broken["empty"])
    with pytest.raises(UnsupportedProduct, match=f"{name} is not well-formed XML"):
        open_product(broken["truncated"])
