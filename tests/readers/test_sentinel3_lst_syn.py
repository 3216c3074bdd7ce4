"""The client reads the emulator's SLSTR LST and SYNERGY SYN products as CDSE delivers them (a
zip with the ``<Name>.SEN3/`` top folder, and unzipped): the grids the reader makes of them,
the manifest facts, and the values the emulator's ``expected_*`` functions promise."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cdse_intake.emulator.catalogue import Entry, Payload, build_catalogue
from cdse_intake.emulator.products import sentinel3_slstr as lst
from cdse_intake.emulator.products import sentinel3_syn as syn
from cdse_intake.readers import open_product
from cdse_intake.readers import sentinel3 as reader
from cdse_intake.readers.source import from_local

pytest.importorskip("h5netcdf")

LST, SYN = "SL_2_LST___", "SY_2_SYN___"
SYN_GRIDS = {
    "measurements",
    "removed_pixels",
    "tiepoints_meteo",
    "tiepoints_olci",
    "tiepoints_slstr_n",
    "tiepoints_slstr_o",
}


def naive(when) -> np.datetime64:
    return np.datetime64(when.replace(tzinfo=None), "ns")


@pytest.fixture(scope="module")
def products(tmp_path_factory) -> dict[str, tuple[Entry, dict[str, bytes], Path]]:
    """An ascending LST, a descending SYN: entry, files and the zip as the emulator serves it."""
    catalogue = build_catalogue(materialise=False)
    root = tmp_path_factory.mktemp("s3")
    out = {}
    for product_type, build, direction in (
        (LST, lst.build_lst, "ASCENDING"),
        (SYN, syn.build_syn, "DESCENDING"),
    ):
        entry = next(
            e
            for e in catalogue.entries
            if e.product_type == product_type and e.attribute("orbitDirection") == direction
        )
        files = build(entry)
        path = root / f"{entry.stem}.zip"
        path.write_bytes(Payload.from_files(entry.name, files, single_file=False).data)
        out[product_type] = (entry, files, path)
    return out


def unzipped(path: Path, directory: Path, name: str) -> Path:
    with zipfile.ZipFile(path) as zf:
        zf.extractall(directory)
    return directory / name


@pytest.mark.parametrize("product_type", [LST, SYN])
def test_manifest_facts(products, product_type):
    entry, files, path = products[product_type]
    meta = reader.read_metadata(from_local(path))
    assert meta.name == entry.name and meta.product_type == product_type
    assert meta.platform == f"Sentinel-3{entry.name[2]}"
    assert meta.instrument == ("SLSTR" if product_type == LST else "SYNERGY")
    assert (meta.start, meta.stop) == (entry.start, entry.end)
    assert meta.orbit == entry.attribute("orbitNumber")
    assert meta.relative_orbit == entry.attribute("relativeOrbitNumber")
    assert meta.orbit_direction == entry.attribute("orbitDirection").lower()
    assert meta.processor == "PUG 03.39"
    nc = {p for p in files if p.endswith(".nc")}
    assert {o.href for o in meta.data_objects} == nc
    assert all(o.size == len(files[o.href]) for o in meta.data_objects)
    corners = {(round(x, 4), round(y, 4)) for x, y in entry.footprint["coordinates"][0]}
    assert {(round(x, 4), round(y, 4)) for x, y in meta.footprint} == corners
    if product_type == LST:
        assert meta.image_sizes == {
            "nadir": (lst.ROWS, lst.COLUMNS),
            "oblique": (lst.ROWS, lst.OBLIQUE_COLUMNS),
        }
        (lst_in,) = (o for o in meta.data_objects if o.href == "LST_in.nc")
        assert lst_in.unit_type == "Measurement Data Unit"
    else:
        assert meta.band("SYN14").olci_channels == "Oa17"
        assert meta.band("Oa17").central_wavelength == 865.0
        assert len([b for b in meta.bands if b.name.startswith("SYN")]) == 26


def test_lst_grids_values_and_coordinates(products, tmp_path):
    entry, _, path = products[LST]
    tree = open_product(path)
    assert set(tree.children) == {"in", "tx", "tn"}
    assert tree.attrs["product_type"] == LST and tree.attrs["orbit_direction"] == "ascending"
    ds = tree["in"].to_dataset()
    rows, cols = np.indices((lst.ROWS, lst.COLUMNS))
    # LST is int16 counts * 0.002 + 290 K in the file; NaN over sea
    assert ds.LST.encoding["dtype"] == np.int16 and ds.LST.dtype == np.float32
    np.testing.assert_allclose(ds.LST.values, lst.expected_lst(entry, rows, cols), rtol=1e-6)
    land = lst.is_land(entry, rows, cols)
    assert np.nanmin(ds.LST.values) >= 250 and np.nanmax(ds.LST.values) <= 320
    # the ancillary file joins the 1 km grid; flags stay integer bit masks
    assert {"NDVI", "biome", "fraction", "TCWV", "exception", "confidence_in"} <= set(ds)
    assert ds.confidence_in.dtype == np.uint16
    land_bit = 1 << ds.confidence_in.attrs["flag_meanings"].split().index("land")
    np.testing.assert_array_equal((ds.confidence_in.values & land_bit) > 0, land)
    assert (ds.exception.values[~land] > 0).all() and (ds.exception.values[land] == 0).all()
    # coordinates: positions, elevation and row times
    lon, lat = lst.geolocation(entry, rows, cols)
    assert {"latitude_in", "longitude_in", "elevation_in", "time"} <= set(ds.coords)
    np.testing.assert_allclose(ds.latitude_in.values, lat, atol=1.1e-6)
    np.testing.assert_allclose(ds.longitude_in.values, lon, atol=1.1e-6)
    assert ds.time.values[0] == naive(entry.start) and ds.time.values[-1] == naive(entry.end)
    tx = open_product(path, grid="tx")
    assert dict(tx.sizes) == {"rows": lst.ROWS, "columns": lst.TIE_COLUMNS, "p_atmos": 5}
    assert {"latitude_tx", "longitude_tx"} <= set(tx.coords)
    # tie column 3 lies on the nadir track: image column 40
    nadir = lst.TRACK_OFFSET
    np.testing.assert_allclose(tx.latitude_tx.values[:, 3], lat[:, nadir], atol=1.1e-6)
    # the same unzipped, and a single variable
    folder = unzipped(path, tmp_path, entry.name)
    only = open_product(folder, grid="in", variables=["LST"])
    assert list(only.data_vars) == ["LST"]
    np.testing.assert_array_equal(only.LST.values, ds.LST.values)


def test_syn_grids_values_and_coordinates(products):
    entry, _, path = products[SYN]
    tree = open_product(path)
    assert set(tree.children) == SYN_GRIDS
    ds = tree["measurements"].to_dataset()
    rows, cols = np.indices((syn.ROWS, syn.COLUMNS))
    for band in syn.BANDS:
        var = ds[f"SDR_{band}"]
        assert var.encoding["dtype"] == np.int16
        np.testing.assert_allclose(var.values, syn.expected_sdr(entry, band, rows, cols), rtol=1e-6)
    assert ds.SDR_Oa17.attrs["central_wavelength_nm"] == 865.0  # from the manifest
    assert {"T550", "A550", "AMIN", "SYN_flags", "OLC_flags"} <= set(ds)
    assert ds.SYN_flags.dtype == np.uint16 and ds.OLC_flags.dtype == np.uint32
    lon, lat = syn.geolocation(entry, rows, cols)
    assert {"lat", "lon", "altitude", "time"} <= set(ds.coords)
    np.testing.assert_allclose(ds.lat.values, lat, atol=1.1e-6)
    np.testing.assert_allclose(ds.lon.values, lon, atol=1.1e-6)
    assert ds.time.values[0] == naive(entry.start) and ds.time.values[-1] == naive(entry.end)
    olci = tree["tiepoints_olci"].to_dataset()
    assert {"OLC_TP_lat", "OLC_TP_lon"} <= set(olci.coords)
    # every 64th column of every row: the list starts with row 0's columns 0 and 64
    np.testing.assert_allclose(olci.OLC_TP_lat.values[:2], lat[0, [0, 64]], atol=1.1e-6)
    assert tree["removed_pixels"].sizes["removed_pixels"] == syn.REMOVED
    meteo = open_product(path, grid="tiepoints_meteo")
    assert meteo.sizes["number_tp"] == olci.sizes["olc_number_tp"]


def test_the_zip_holds_the_product_folder(products):
    for entry, files, path in products.values():
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
        assert sorted(names) == sorted(f"{entry.name}/{rel}" for rel in files)
