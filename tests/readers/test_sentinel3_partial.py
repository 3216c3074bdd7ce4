"""The Sentinel-3 reader on partial and broken SEN3 products (emulated OLCI EFR, SLSTR LST and
SYNERGY SYN, as folders and as CDSE's zips): absent files, absent geolocation, absent manifest,
no netCDF file at all; empty, foreign and truncated members. What is present reads the same
values as in the complete product; one PartialProductWarning names what is absent."""

from __future__ import annotations

import warnings
import zipfile

import numpy as np
import pytest

from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.products import sentinel3 as olci
from cdse_intake.emulator.products import sentinel3_slstr as lst
from cdse_intake.emulator.products import sentinel3_syn as syn
from cdse_intake.errors import PartialProductWarning, UnsupportedProduct
from cdse_intake.readers import open_product
from cdse_intake.readers import sentinel3 as reader
from cdse_intake.readers.source import from_local

pytest.importorskip("h5netcdf")

EFR, LST, SYN = "OL_1_EFR___", "SL_2_LST___", "SY_2_SYN___"
BUILDERS = {EFR: olci.build_efr, LST: lst.build_lst, SYN: syn.build_syn}
#: Sampled pixels (rows, columns) of the OLCI image.
PIXELS = (np.array([0, 7, 60, 119]), np.array([0, 100, 64, 128]))


@pytest.fixture(scope="module")
def products():
    """The first product of each type: its entry and files."""
    entries = build_catalogue(materialise=False).entries
    out = {}
    for product_type, build in BUILDERS.items():
        entry = next(e for e in entries if e.product_type == product_type)
        out[product_type] = (entry, build(entry))
    return out


@pytest.fixture
def make(products, tmp_path):
    """``make(type, drop=(), edit={}, zipped=False)``: a source over the product written without
    the files ``drop`` and with the contents ``edit``, as a folder or a zip (``<Name>/`` top)."""
    count = iter(range(1000))

    def write(product_type, drop=(), edit=None, zipped=False):
        entry, files = products[product_type]
        files = {k: (edit or {}).get(k, v) for k, v in files.items() if k not in drop}
        directory = tmp_path / f"p{next(count)}"
        if zipped:
            directory.mkdir()
            path = directory / f"{entry.name.removesuffix('.SEN3')}.zip"
            with zipfile.ZipFile(path, "w") as zf:
                for rel, data in files.items():
                    zf.writestr(f"{entry.name}/{rel}", data)
            return from_local(path)
        folder = directory / entry.name
        folder.mkdir(parents=True)
        for rel, data in files.items():
            (folder / rel).write_bytes(data)
        return from_local(folder)

    return write


def opened(source, **options):
    """``reader.open`` and the PartialProductWarnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = reader.open(source, **options)
    partial = [w for w in caught if issubclass(w.category, PartialProductWarning)]
    return result, [str(w.message) for w in partial]


def silently(source, **options):
    """``reader.open``, failing on any PartialProductWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", PartialProductWarning)
        return reader.open(source, **options)


def same_at_pixels(got, complete, name, pixels=PIXELS):
    """``name`` equal in both, exactly, at the sampled pixels: decoded and raw."""
    a, b = got[name].values[pixels], complete[name].values[pixels]
    np.testing.assert_array_equal(a, b)
    assert got[name].encoding.get("scale_factor") == complete[name].encoding.get("scale_factor")
    assert got[name].encoding.get("add_offset") == complete[name].encoding.get("add_offset")


# -- absent netCDF files ---------------------------------------------------------------------------


@pytest.mark.parametrize("zipped", [False, True])
def test_an_absent_radiance_opens_the_rest_with_one_warning(products, make, zipped):
    entry, _ = products[EFR]
    complete = silently(make(EFR, zipped=zipped), grid="measurements")
    source = make(EFR, drop=["Oa05_radiance.nc"], zipped=zipped)
    tree, said = opened(source)
    assert said == [f"{source.location}: opened without 1 missing files: Oa05_radiance.nc"]
    assert set(tree.children) == {"measurements", "removed_pixels", "tie_points"}
    ds = tree["measurements"].to_dataset()
    assert "Oa05_radiance" not in ds and "Oa04_radiance" in ds and "Oa06_radiance" in ds
    for name in ("Oa04_radiance", "Oa06_radiance", "quality_flags", "latitude", "longitude"):
        same_at_pixels(ds, complete, name)
    # raw: the file's counts, as the emulator wrote them
    var = ds.Oa06_radiance
    counts = (var.values[PIXELS] - var.encoding["add_offset"]) / var.encoding["scale_factor"]
    np.testing.assert_array_equal(
        np.round(counts), olci.expected_dn(entry, "Oa06", *PIXELS).astype(float)
    )
    np.testing.assert_array_equal(ds.time.values, complete.time.values)


def test_an_absent_geolocation_leaves_the_pixel_axes(make):
    complete = silently(make(EFR), grid="measurements")
    source = make(EFR, drop=["geo_coordinates.nc"])
    ds, said = opened(source, grid="measurements")
    assert said == [
        f"{source.location}: opened without 1 missing files (geo_coordinates.nc is absent: grid "
        "'measurements' has no latitude/longitude, only its pixel axes (rows, columns)): "
        "geo_coordinates.nc"
    ]
    assert not {"latitude", "longitude", "altitude"} & set(ds.variables)
    assert ds.Oa08_radiance.dims == ("rows", "columns")
    same_at_pixels(ds, complete, "Oa08_radiance")
    np.testing.assert_array_equal(ds.time.values, complete.time.values)
    # the tie points keep their own geolocation
    assert "latitude" in silently(source, grid="tie_points").coords


def test_a_subset_warns_only_of_what_it_needs(make):
    source = make(EFR, drop=["Oa05_radiance.nc", "qualityFlags.nc", "tie_meteo.nc"])
    ds = silently(source, grid="measurements", variables=["Oa08_radiance"])
    assert list(ds.data_vars) == ["Oa08_radiance"] and "latitude" in ds.coords
    tree = silently(source, bands=["Oa08", "Oa17"])
    assert sorted(tree["measurements"].data_vars) == ["Oa08_radiance", "Oa17_radiance"]
    # without its geolocation, the subset is told
    source = make(EFR, drop=["Oa05_radiance.nc", "geo_coordinates.nc"])
    tree, said = opened(source, variables=["Oa08_radiance"])
    assert said == [
        f"{source.location}: opened without 1 missing files (geo_coordinates.nc is absent: grid "
        "'measurements' has no latitude/longitude, only its pixel axes (rows, columns)): "
        "geo_coordinates.nc"
    ]
    assert list(tree["measurements"].data_vars) == ["Oa08_radiance"]


def test_an_asked_variable_whose_file_is_absent_is_named(make):
    source = make(EFR, drop=["Oa05_radiance.nc"])
    with pytest.raises(
        UnsupportedProduct,
        match=r"variable Oa05_radiance was asked for but its file is absent \(Oa05_radiance\.nc\);"
        r" the variables present are .*Oa04_radiance, Oa06_radiance",
    ):
        reader.open(source, variables=["Oa08_radiance", "Oa05_radiance"])
    with pytest.raises(
        UnsupportedProduct,
        match=r"band Oa05 was asked for but its file is absent \(Oa05_radiance\.nc\); the bands "
        r"present are Oa01, Oa02, Oa03, Oa04, Oa06",
    ):
        reader.open(source, bands="Oa05")
    # a name no file would hold, in a complete product: a plain bad option
    with pytest.raises(ValueError, match=r"bands=\['Oa99'\]: not in S3A_OL_1_EFR.*Oa21") as err:
        reader.open(make(EFR), bands=["Oa99"])
    assert not isinstance(err.value, UnsupportedProduct)


# -- absent manifest, nothing to read --------------------------------------------------------------


@pytest.mark.parametrize("zipped", [False, True])
def test_without_manifest_the_netcdf_files_describe_the_product(make, zipped):
    complete = silently(make(EFR, zipped=zipped))
    source = make(EFR, drop=["xfdumanifest.xml", "Oa05_radiance.nc"], zipped=zipped)
    tree, said = opened(source)
    assert said == [
        f"{source.location}: opened without 1 missing files (opened from the netCDF files "
        "present: product facts from their global attributes and the product name; no "
        "footprint, band wavelengths or list of the files it should hold): xfdumanifest.xml"
    ]
    assert set(tree.children) == set(complete.children)
    for key in (
        "product_name",
        "product_type",
        "platform",
        "instrument",
        "start_time",
        "stop_time",
        "timeliness",
        "baseline_collection",
        "absolute_orbit_number",
        "relative_orbit_number",
        "cycle_number",
    ):
        assert tree.attrs[key] == complete.attrs[key], key
    assert "footprint" not in tree.attrs
    ds, full = tree["measurements"].to_dataset(), complete["measurements"].to_dataset()
    assert "Oa05_radiance" not in ds
    for name in ("Oa01_radiance", "Oa21_radiance", "latitude"):
        same_at_pixels(ds, full, name)


def test_no_netcdf_file_opens_as_metadata_only(products, make):
    entry, files = products[EFR]
    netcdf = [f for f in files if f.endswith(".nc")]
    source = make(EFR, drop=netcdf)
    tree, said = opened(source)
    listed = [o.href for o in reader.read_metadata(source).data_objects if o.is_netcdf]
    assert sorted(listed) == sorted(netcdf)
    assert said == [
        f"{source.location}: opened without {len(netcdf)} missing netCDF files (all of them: "
        f"opened as metadata only): {', '.join(listed[:6])} and {len(netcdf) - 6} more"
    ]
    assert not tree.children and not tree.data_vars
    assert tree.attrs["product_name"] == entry.name
    assert tree.attrs["footprint"].startswith("POLYGON ((")
    ds, said = opened(source, grid="measurements")
    assert not ds.data_vars and ds.attrs["product_type"] == EFR and len(said) == 1
    with pytest.raises(UnsupportedProduct, match=r"variable Oa08_radiance was asked for.*none$"):
        reader.open(source, variables="Oa08_radiance")


# -- broken members --------------------------------------------------------------------------------


def test_broken_netcdf_members_are_named(products, make):
    _, files = products[EFR]
    whole = files["Oa05_radiance.nc"]
    cases = {
        b"": r"Oa05_radiance\.nc is empty \(0 bytes\)",
        b"<html>not found</html>": r"Oa05_radiance\.nc is not a NC \(HDF5/netCDF\) file",
        whole[: len(whole) // 2]: r"Oa05_radiance\.nc cannot be opened as netCDF-4/HDF5 \(.*"
        r"truncated file.*\): damaged or truncated",
    }
    for zipped in (False, True):
        for data, message in cases.items():
            source = make(EFR, edit={"Oa05_radiance.nc": data}, zipped=zipped)
            with pytest.raises(UnsupportedProduct, match=message):
                reader.open(source)
            with pytest.raises(UnsupportedProduct, match=message):  # not the generic "damaged"
                open_product(source.archive or source.path())


def test_a_broken_manifest_is_named(products, make):
    _, files = products[EFR]
    manifest = files["xfdumanifest.xml"]
    cases = {
        b"": r"xfdumanifest\.xml is empty \(0 bytes\)",
        b"\x89HDF\r\n\x1a\n" + manifest[8:]: r"xfdumanifest\.xml is not XML",
        manifest[: len(manifest) // 2]: r"xfdumanifest\.xml is not well-formed XML",
    }
    for data, message in cases.items():
        with pytest.raises(UnsupportedProduct, match=message):
            reader.open(make(EFR, edit={"xfdumanifest.xml": data}))


# -- SLSTR and SYNERGY -----------------------------------------------------------------------------


def test_slstr_without_its_geodetic_and_flags_files(products, make):
    entry, _ = products[LST]
    complete = silently(make(LST), grid="in")
    source = make(LST, drop=["geodetic_in.nc", "flags_in.nc"], zipped=True)
    ds, said = opened(source, grid="in")
    assert said == [
        f"{source.location}: opened without 2 missing files (geodetic_in.nc is absent: grid "
        "'in' has no latitude/longitude, only its pixel axes (rows, columns)): flags_in.nc, "
        "geodetic_in.nc"
    ]
    assert "latitude_in" not in ds.variables and "confidence_in" not in ds
    rows, cols = np.indices((lst.ROWS, lst.COLUMNS))
    np.testing.assert_allclose(ds.LST.values, lst.expected_lst(entry, rows, cols), rtol=1e-6)
    pixels = (np.array([0, 25, 49]), np.array([0, 30, 59]))
    for name in ("LST", "NDVI", "TCWV"):
        same_at_pixels(ds, complete, name, pixels)
    # a subset on the same grid hears of the geolocation only
    _, said = opened(source, variables=["LST"])
    assert len(said) == 1 and said[0].endswith("(rows, columns)): geodetic_in.nc")
    # without the manifest the same grids, from the files present
    tree, said = opened(make(LST, drop=["xfdumanifest.xml"]))
    assert set(tree.children) == {"in", "tx", "tn"} and len(said) == 1
    assert tree.attrs["instrument"] == "SLSTR" and tree.attrs["product_type"] == LST
    same_at_pixels(tree["in"].to_dataset(), complete, "LST", pixels)


def test_syn_without_a_band_and_its_geolocation(products, make):
    entry, _ = products[SYN]
    complete = silently(make(SYN), grid="measurements")
    source = make(SYN, drop=["Syn_Oa05_reflectance.nc", "geolocation.nc"])
    ds, said = opened(source, grid="measurements")
    assert said == [
        f"{source.location}: opened without 2 missing files (geolocation.nc is absent: grid "
        "'measurements' has no latitude/longitude, only its pixel axes (rows, columns)): "
        "Syn_Oa05_reflectance.nc, geolocation.nc"
    ]
    assert "SDR_Oa05" not in ds and not {"lat", "lon"} & set(ds.variables)
    rows, cols = np.indices((syn.ROWS, syn.COLUMNS))
    np.testing.assert_allclose(
        ds.SDR_Oa17.values, syn.expected_sdr(entry, "Oa17", rows, cols), rtol=1e-6
    )
    pixels = (np.array([0, 20, 49]), np.array([0, 33, 64]))
    for name in ("SDR_Oa04", "SDR_S1N", "SYN_flags"):
        same_at_pixels(ds, complete, name, pixels)
    with pytest.raises(UnsupportedProduct, match=r"band Oa05 .* \(Syn_Oa05_reflectance\.nc\)"):
        reader.open(source, bands=["Oa05"])
