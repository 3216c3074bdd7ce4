"""The Sentinel-3 SEN3 reader: grids merged with their coordinates, values, layouts, remote,
pickling, bad options and missing files, and the real manifests and samples."""

from __future__ import annotations

import pickle
import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from cdse_intake.emulator.products import sentinel3 as emulated
from cdse_intake.emulator.scene import is_land
from cdse_intake.errors import PartialProductWarning, UnsupportedProduct
from cdse_intake.readers import open_product
from cdse_intake.readers import sentinel3 as reader
from cdse_intake.readers.source import from_local

from .conftest import LAYOUTS, write_product

SAMPLES = "samples/products/sentinel-3"
FAMILY = "sentinel3_olci_efr"
ROWS, COLUMNS = emulated.ROWS, emulated.COLUMNS


@pytest.fixture(scope="module")
def efr(reader_emulator):
    (entry,) = (e for e in reader_emulator.catalogue.materialised if e.family == FAMILY)
    return entry


@pytest.fixture(scope="module")
def efr_zip(efr, tmp_path_factory) -> Path:
    """The product as CDSE delivers it, written once for the tests that only read it."""
    return write_product(efr, tmp_path_factory.mktemp("efr"), "cdse")


def naive(when):
    return np.datetime64(when.replace(tzinfo=None), "ns")


def check_radiance(ds, entry, band, rows=slice(None), cols=slice(None)):
    """The decoded radiance is the emulator's counts times the file's scale plus its offset."""
    var = ds[f"{band}_radiance"]
    n = int(band[2:])
    scale, offset = var.encoding["scale_factor"], var.encoding["add_offset"]
    assert var.encoding["dtype"] == np.uint16
    assert scale == np.float32(emulated.SCALE_FACTORS[n - 1])
    r, c = np.mgrid[0:ROWS, 0:COLUMNS]
    counts = emulated.expected_dn(entry, band, r[rows, cols], c[rows, cols])
    got = var[rows, cols].values
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, counts.astype(np.float32) * scale + offset, rtol=1e-6)
    # a decoding that forgot the scale would be off by two orders of magnitude
    assert not np.allclose(got, counts)


def check_geolocation(ds, entry):
    r, c = np.mgrid[0:ROWS, 0:COLUMNS]
    lon, lat = emulated.geolocation(entry, r, c)
    assert {"latitude", "longitude", "altitude"} <= set(ds.coords)
    assert ds.latitude.dims == ("rows", "columns")
    np.testing.assert_allclose(ds.longitude.values, lon, atol=1.1e-6)
    np.testing.assert_allclose(ds.latitude.values, lat, atol=1.1e-6)


def check_time(ds, entry):
    times = ds["time"].values
    assert ds["time"].dims == ("rows",) and "time" in ds.coords
    assert times[0] == naive(entry.start)
    assert times[-1] == naive(entry.end)
    step = (naive(entry.end) - naive(entry.start)) / (ROWS - 1)
    assert np.all(np.abs(np.diff(times) - step) <= np.timedelta64(1, "us"))


# -- the emulator's OLCI EFR ----------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_opens_with_values_and_coordinates(efr, local_source, layout):
    tree = reader.open(local_source(efr, layout))
    assert isinstance(tree, xr.DataTree)
    assert list(tree.children) == ["measurements", "removed_pixels", "tie_points"]
    assert tree.attrs["product_name"] == efr.name
    ds = tree["measurements"].to_dataset()
    assert {f"{b}_radiance" for b in emulated.BANDS} <= set(ds.data_vars)
    assert dict(ds.sizes)["rows"] == ROWS and dict(ds.sizes)["columns"] == COLUMNS
    check_radiance(ds, efr, "Oa08", slice(10, 40), slice(50, 90))
    check_radiance(ds, efr, "Oa21")
    check_geolocation(ds, efr)
    check_time(ds, efr)


def test_tie_points_have_their_own_grid_coordinates_and_times(efr, efr_zip):
    tree = reader.open(from_local(efr_zip))
    tie = tree["tie_points"].to_dataset()
    assert tie.latitude.dims == ("tie_rows", "tie_columns")
    assert {"OAA", "OZA", "SAA", "SZA", "total_ozone"} <= set(tie.data_vars)
    r, c = np.mgrid[0:ROWS, 0 : tie.sizes["tie_columns"]]
    lon, lat = emulated.geolocation(efr, r, c * emulated.AC_SUBSAMPLING)
    np.testing.assert_allclose(tie.longitude.values, lon, atol=1.1e-6)
    np.testing.assert_allclose(tie.latitude.values, lat, atol=1.1e-6)
    # the last tie column is the last image column (64 * 2 == 128)
    image = tree["measurements"].to_dataset()
    np.testing.assert_allclose(tie.latitude[:, -1], image.latitude[:, -1], atol=1e-12)
    np.testing.assert_array_equal(tie["time"].values, image["time"].values)
    # grid="tie_points" alone also reads the row times
    alone = reader.open(from_local(efr_zip), grid="tie_points")
    np.testing.assert_array_equal(alone["time"].values, image["time"].values)
    assert "Oa01_radiance" not in alone


def test_flags_stay_integer_bit_masks_and_bands_carry_wavelengths(efr, efr_zip):
    ds = reader.open(from_local(efr_zip), grid="measurements")
    flags = ds.quality_flags
    assert flags.dtype == np.uint32
    assert flags.attrs["_FillValue"] == np.uint32(4294967295)
    land = flags.attrs["flag_masks"][flags.attrs["flag_meanings"].split().index("land")]
    r, c = np.mgrid[0:ROWS, 0:COLUMNS]
    np.testing.assert_array_equal(flags.values, emulated.expected_flags(efr, r, c))
    # the land bit is the scene's land at the pixels' positions
    lon, lat = emulated.geolocation(efr, r, c)
    np.testing.assert_array_equal((flags.values & land) != 0, is_land(lon, lat))
    assert ds.Oa08_radiance.attrs["central_wavelength_nm"] == 665.0
    assert ds.Oa08_radiance.attrs["bandwidth_nm"] == 10.0
    assert ds.Oa08_radiance.attrs["units"] == "mW.m-2.sr-1.nm-1"


def test_grid_and_variables_select(efr, efr_zip):
    source = from_local(efr_zip)
    ds = reader.open(source, grid="measurements", variables=["Oa08_radiance", "Oa17_radiance"])
    assert isinstance(ds, xr.Dataset)
    assert sorted(ds.data_vars) == ["Oa08_radiance", "Oa17_radiance"]
    assert {"latitude", "longitude", "time"} <= set(ds.coords)
    assert ds.attrs["product_type"] == "OL_1_EFR___"
    assert ds.attrs["platform"] == "Sentinel-3A"
    check_radiance(ds, efr, "Oa17", slice(0, 5))
    tree = reader.open(source, variables="SZA")
    assert list(tree.children) == ["tie_points"]
    assert list(tree["tie_points"].data_vars) == ["SZA"]


def test_bad_options_name_the_value_and_the_choices(efr_zip):
    source = from_local(efr_zip)
    with pytest.raises(
        ValueError, match=r"grid='nadir'.*'measurements', 'removed_pixels', 'tie_points'"
    ):
        reader.open(source, grid="nadir")
    with pytest.raises(ValueError, match=r"grid=3"):
        reader.open(source, grid=3)
    with pytest.raises(ValueError, match=r"variables=\['Oa99_radiance'\].*Oa01_radiance"):
        reader.open(source, variables=["Oa01_radiance", "Oa99_radiance"])
    with pytest.raises(ValueError, match=r"variables=\[1\]"):
        reader.open(source, variables=[1])
    with pytest.raises(ValueError, match="SZA"):  # exists, but not on this grid
        reader.open(source, grid="measurements", variables=["SZA"])


@pytest.mark.filterwarnings("ignore:The specified chunks separate the stored chunks")
@pytest.mark.parametrize("chunks", [None, {"rows": 60, "columns": -1}])
def test_chunks(efr, efr_zip, chunks):
    ds = reader.open(from_local(efr_zip), chunks=chunks, grid="measurements")
    if chunks is None:
        assert ds.Oa04_radiance.chunks is None
    else:
        assert ds.Oa04_radiance.chunks == ((60, 60), (COLUMNS,))
    check_radiance(ds, efr, "Oa04", slice(45, 55))


def test_auto_chunks_follow_the_files_hdf5_chunks(efr_zip):
    ds = reader.open(from_local(efr_zip), grid="measurements")
    hdf5 = ds.Oa01_radiance.encoding["chunksizes"]
    for size, chunks in zip(hdf5, ds.Oa01_radiance.chunks, strict=True):
        assert all(c % size == 0 for c in chunks[:-1])


def test_pickled_tree_computes_the_same(efr, local_source):
    tree = reader.open(local_source(efr, "nosuffix"))
    back = pickle.loads(pickle.dumps(tree))
    check_radiance(back["measurements"].to_dataset(), efr, "Oa12", slice(100, 120))
    check_geolocation(back["measurements"].to_dataset(), efr)


def test_remote_by_range_and_pickled(efr, remote_source):
    source = remote_source(efr)
    ds = reader.open(source, grid="measurements", variables=["Oa06_radiance"])
    check_radiance(ds, efr, "Oa06", slice(0, 30), slice(0, 30))
    check_time(ds, efr)
    back = pickle.loads(pickle.dumps(ds))
    check_radiance(back, efr, "Oa06", slice(60, 90))
    check_geolocation(back, efr)


def test_open_product_detects_the_family(efr, tmp_path):
    path = write_product(efr, tmp_path, "flat")
    ds = open_product(path, group="measurements")
    assert ds.attrs["cdse_family"] == "sentinel-3"
    check_radiance(ds, efr, "Oa02", slice(0, 10))
    tree = open_product(path, grid=None, variables=["Oa02_radiance"])
    assert tree.attrs["cdse_family"] == "sentinel-3"
    assert list(tree["measurements"].data_vars) == ["Oa02_radiance"]


def test_missing_files_are_named_in_one_warning(efr, tmp_path):
    folder = write_product(efr, tmp_path, "folder")
    (folder / "Oa05_radiance.nc").unlink()
    (folder / "geo_coordinates.nc").unlink()
    source = from_local(folder)
    with pytest.warns(PartialProductWarning, match=r"Oa05_radiance\.nc, geo_coordinates\.nc$"):
        tree = reader.open(source)
    assert "Oa05_radiance" not in tree["measurements"] and "Oa06_radiance" in tree["measurements"]
    with pytest.warns(PartialProductWarning, match=re.escape(str(tmp_path))):
        reader.open(source, grid="measurements")
    # the tie-point grid needs neither: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", PartialProductWarning)
        assert "SZA" in reader.open(source, grid="tie_points")


def test_a_folder_without_manifest_nor_netcdf_is_not_sen3(efr, tmp_path):
    folder = write_product(efr, tmp_path, "folder")
    for path in folder.iterdir():
        if path.suffix in (".xml", ".nc"):
            path.unlink()
    with pytest.raises(UnsupportedProduct, match=r"no xfdumanifest\.xml and no netCDF file"):
        reader.open(from_local(folder))


def test_hostile_manifest_is_refused(efr, tmp_path):
    folder = write_product(efr, tmp_path, "folder")
    (folder / "xfdumanifest.xml").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<xfdu:XFDU '
        'xmlns:xfdu="urn:ccsds:schema:xfdu:1"><x>&b;</x></xfdu:XFDU>\n'
    )
    with pytest.raises(UnsupportedProduct, match="DTD or entities"):
        reader.read_metadata(from_local(folder))
    with pytest.raises(UnsupportedProduct, match="DTD or entities"):
        reader.open(from_local(folder))


def test_hrefs_outside_the_product_are_refused(efr):
    data = efr.payload.files["xfdumanifest.xml"].replace(
        b'href="./Oa01_radiance.nc"', b'href="../../etc/passwd"'
    )
    with pytest.raises(UnsupportedProduct, match="outside the product"):
        reader.parse_manifest(data)


def test_metadata_of_the_emulated_product(efr, efr_zip):
    meta = reader.read_metadata(from_local(efr_zip))
    assert meta.name == efr.name
    assert meta.product_type == "OL_1_EFR___"
    assert (meta.platform, meta.instrument) == ("Sentinel-3A", "OLCI")
    assert (meta.start, meta.stop) == (efr.start, efr.end)
    assert meta.orbit == int(efr.attribute("orbitNumber"))
    assert meta.baseline == "002" and meta.timeliness == "NR"
    assert meta.image_sizes == {"image": (ROWS, COLUMNS)}
    assert [b.name for b in meta.bands] == list(emulated.BANDS)
    nc = sorted(p for p in efr.payload.files if p.endswith(".nc"))
    assert sorted(o.href for o in meta.data_objects) == nc
    (oa01,) = (o for o in meta.data_objects if o.href == "Oa01_radiance.nc")
    assert oa01.unit_type == "Measurement Data Unit"
    assert oa01.size == len(efr.payload.files["Oa01_radiance.nc"])
    assert oa01.annotations == ("geo_coordinates.nc", "time_coordinates.nc", "qualityFlags.nc")
    corners = {(round(lon, 4), round(lat, 4)) for lon, lat in efr.footprint["coordinates"][0]}
    assert {(round(lon, 4), round(lat, 4)) for lon, lat in meta.footprint} == corners
    assert meta.footprint_wkt.startswith("POLYGON ((")


# -- real material --------------------------------------------------------------------------------


REAL = {
    "OL_1_EFR": (
        "OLCI",
        {"measurements", "tie_points", "removed_pixels"},
        {"image": (3749, 4865)},
    ),
    "SL_2_LST": (
        "SLSTR",
        {"in", "tx", "tn", "LST_ancillary_ds"},
        {"nadir": (1200, 1500), "oblique": (1200, 900)},
    ),
    "SY_2_SYN": (
        "SYNERGY",
        {
            "measurements",
            "removed_pixels",
            "tiepoints_meteo",
            "tiepoints_olci",
            "tiepoints_slstr_n",
            "tiepoints_slstr_o",
        },
        {},
    ),
}


@pytest.fixture(params=sorted(REAL))
def real_product(request, reference_dir) -> tuple[str, Path]:
    found = sorted((reference_dir / SAMPLES).glob(f"S3?_{request.param}_*.SEN3"))
    if not found:
        pytest.skip(f"no real {request.param} sample under {reference_dir / SAMPLES}")
    return request.param, found[0]


def test_real_manifests_parse(real_product):
    kind, folder = real_product
    instrument, _, sizes = REAL[kind]
    meta = reader.read_metadata(from_local(folder))
    assert meta.name == folder.name
    assert meta.product_type.startswith(kind)
    assert meta.platform == "Sentinel-3A" and meta.instrument == instrument
    assert meta.start < meta.stop
    assert meta.orbit > 0 and meta.relative_orbit > 0 and meta.cycle > 0
    assert meta.orbit_direction in ("ascending", "descending")
    assert meta.image_sizes == sizes
    assert len(meta.footprint) > 4 and meta.footprint[0] == meta.footprint[-1]
    assert all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in meta.footprint)
    on_disk = {p.name for p in folder.iterdir()} - {"xfdumanifest.xml"}
    assert {o.href for o in meta.data_objects} == on_disk
    assert all(o.md5 and len(o.md5) == 32 and o.size > 0 for o in meta.data_objects)


def test_real_samples_open_with_their_attributes_and_no_variables(real_product, tmp_path):
    kind, folder = real_product
    _, grids, _ = REAL[kind]
    tree = reader.open(from_local(folder))
    assert set(tree.children) == grids
    assert tree.attrs["product_name"] == folder.name
    for node in tree.children.values():
        assert not node.data_vars  # the samples keep only the files' global attributes
        assert node.attrs["product_name"] == folder.name
        assert node.attrs["contact"] == "eosupport@copernicus.esa.int"
    with pytest.raises(ValueError, match="the files hold no variables"):
        reader.open(from_local(folder), variables=["anything"])
    # the same from a zip, as CDSE delivers it
    archive = shutil.make_archive(str(tmp_path / folder.stem), "zip", folder.parent, folder.name)
    zipped = reader.open(from_local(archive), grid=sorted(grids)[0])
    assert zipped.attrs["product_name"] == folder.name


def test_real_samples_open_without_their_manifest(real_product, tmp_path):
    kind, folder = real_product
    _, grids, _ = REAL[kind]
    copy = shutil.copytree(
        folder, tmp_path / folder.name, ignore=shutil.ignore_patterns("xfdumanifest.xml")
    )
    with pytest.warns(
        PartialProductWarning,
        match=r"1 missing files \(opened from the netCDF files present.*\): xfdumanifest\.xml$",
    ):
        tree = reader.open(from_local(copy))
    assert set(tree.children) == grids
    meta = reader.read_metadata(from_local(folder))
    assert tree.attrs["product_name"] == folder.name
    assert tree.attrs["product_type"] == meta.product_type
    assert (tree.attrs["platform"], tree.attrs["instrument"]) == (meta.platform, meta.instrument)
    assert tree.attrs["absolute_orbit_number"] == meta.orbit
    assert (tree.attrs["relative_orbit_number"], tree.attrs["cycle_number"]) == (
        meta.relative_orbit,
        meta.cycle,
    )
    assert tree.attrs["start_time"][:19] == meta.start.strftime("%Y-%m-%dT%H:%M:%S")


def test_real_olci_details(reference_dir):
    (folder,) = (reference_dir / SAMPLES).glob("S3A_OL_1_EFR_*.SEN3")
    meta = reader.read_metadata(from_local(folder))
    assert meta.band("Oa17").central_wavelength == 865.0
    assert meta.processor == "PUG 03.39"
    (oa01,) = (o for o in meta.data_objects if o.href == "Oa01_radiance.nc")
    assert oa01.annotations == ("geo_coordinates.nc", "time_coordinates.nc", "qualityFlags.nc")
    (instrument,) = (o for o in meta.data_objects if o.href == "instrument_data.nc")
    # its dmdID names a dataObject (qualityFlagsData), not a metadataObject
    assert "qualityFlags.nc" in instrument.annotations
    ds = reader.open(from_local(folder), grid="tie_points")
    assert ds.attrs["ac_subsampling_factor"] == 64
    assert ds.attrs["product_type"] == "OL_1_EFR___"


def test_real_syn_bands_map_to_olci_channels(reference_dir):
    (folder,) = (reference_dir / SAMPLES).glob("S3A_SY_2_SYN_*.SEN3")
    meta = reader.read_metadata(from_local(folder))
    assert meta.band("SYN01").olci_channels == "Oa01"
    assert meta.band("Oa01").central_wavelength == 400.0


def test_cdse_december_2024_manifest(reference_dir):
    path = reference_dir / "samples/products/cdse-manifests/S3B_OLCI_xfdumanifest.xml"
    meta = reader.parse_manifest(path.read_bytes(), str(path))
    assert meta.product_type == "OL_2_WFR___"
    assert (meta.platform, meta.instrument) == ("Sentinel-3B", "OLCI")
    assert meta.baseline == "003" and meta.timeliness == "NT"
    assert meta.orbit == 34616 and meta.orbit_direction == "descending"
    assert meta.image_sizes == {"image": (4091, 4865)}
    assert meta.start.isoformat() == "2024-12-17T09:53:04.547252+00:00"
    hrefs = [o.href for o in meta.data_objects]
    assert len(hrefs) == len(set(hrefs)) == 32
    assert {"Oa01_reflectance.nc", "chl_nn.nc", "wqsf.nc", "tie_meteo.nc"} <= set(hrefs)
    (chl,) = (o for o in meta.data_objects if o.href == "chl_nn.nc")
    assert chl.unit_type == "Measurement Data Unit"
    assert {"wqsf.nc", "geo_coordinates.nc", "time_coordinates.nc"} <= set(chl.annotations)
