"""Sentinel-5P L2 CO products: the emulator's file, its shape against the real one, the reader."""

from __future__ import annotations

import copy
from datetime import UTC
from pathlib import Path

import numpy as np
import pytest

from cdse_intake.emulator.catalogue import Entry, build_catalogue
from cdse_intake.emulator.products import BUILDERS, sentinel5p
from cdse_intake.readers import open_product
from cdse_intake.readers import sentinel5p as reader
from cdse_intake.readers.source import from_local

h5py = pytest.importorskip("h5py")

CO = "L2__CO____"
S, G = np.indices((sentinel5p.SCANLINES, sentinel5p.CO_GROUND_PIXELS))


@pytest.fixture(scope="module")
def co_entries() -> list[Entry]:
    """Two CO entries of the catalogue, with the family that builds them."""
    entries = [e for e in build_catalogue(materialise=False).entries if e.product_type == CO]
    assert entries, "the catalogue lists no CO product"
    out = []
    first_nrti = next(e for e in entries if e.name[4:8] == "NRTI")
    last_offl = next(e for e in reversed(entries) if e.name[4:8] == "OFFL")
    for entry in (first_nrti, last_offl):  # an NRTI and an OFFL one, years apart
        entry = copy.copy(entry)
        entry.family = "sentinel5p_l2"
        out.append(entry)
    assert {e.name[4:8] for e in out} == {"NRTI", "OFFL"}
    return out


@pytest.fixture(scope="module")
def co_files(co_entries, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("co")
    out = {}
    for entry in co_entries:
        files = BUILDERS[entry.family](entry)
        assert list(files) == [entry.name]
        out[entry.name] = root / entry.name
        out[entry.name].write_bytes(files[entry.name])
    return out


def test_expected_co_is_plausible_and_checked(co_entries):
    for entry in co_entries:
        column = sentinel5p.expected_co(entry, S, G)
        assert column.dtype == np.float32
        assert np.nanmin(column) >= 0.01 and np.nanmax(column) <= 0.1
        # no retrieval where the sun is too low: a polar cap in its winter, never the tropics
        failed = np.isnan(column)
        assert failed.mean() < 0.3
        _, lat = sentinel5p.geolocation(entry, S, G)
        assert not failed[np.abs(lat) < 30].any()
        for name in sentinel5p.CO_VARIABLES:
            value = sentinel5p.expected_co(entry, S, G, name)
            np.testing.assert_array_equal(np.isnan(value), failed)
        precision = sentinel5p.expected_co(entry, S, G, "carbonmonoxide_total_column_precision")
        np.testing.assert_allclose(precision, column * 0.04, rtol=1e-6)
        assert (sentinel5p.expected_qa(entry, S, G)[failed] == 0).all()
    with pytest.raises(ValueError, match="name must be one of"):
        sentinel5p.expected_co(co_entries[0], 0, 0, "methane_mixing_ratio")


def test_the_family_builds_co_deterministically(co_entries, co_files):
    entry = co_entries[0]
    assert BUILDERS["sentinel5p_l2"](entry)[entry.name] == co_files[entry.name].read_bytes()
    assert BUILDERS["sentinel5p_l2"].single_file


def test_an_unknown_s5p_product_type_is_refused(co_entries):
    entry = copy.copy(co_entries[0])
    entry.product_type = "L2__O3____"
    with pytest.raises(ValueError, match=r"L2__O3____.*not emulated"):
        sentinel5p.build_l2(entry)


def test_dimensions_dtypes_units_and_fill_values(co_entries, co_files):
    for entry in co_entries:
        with h5py.File(co_files[entry.name]) as f:
            product = f["PRODUCT"]
            sizes = {name: product[name].shape[0] for name in ("scanline", "ground_pixel")}
            sizes |= {name: product[name].shape[0] for name in ("corner", "time", "layer")}
            assert sizes == {
                "scanline": sentinel5p.SCANLINES,
                "ground_pixel": sentinel5p.CO_GROUND_PIXELS,
                "corner": 4,
                "time": 1,
                "layer": 50,
            }
            assert "polynomial_exponents" not in product and "vertices" not in product
            for name in sentinel5p.CO_VARIABLES:
                var = product[name]
                assert var.dtype == np.float32 and var.shape == (1, *S.shape)
                assert var.attrs["units"] == "mol m-2"
                assert var.fillvalue == np.float32(9.96921e36)
                assert var.attrs["_FillValue"][0] == np.float32(9.96921e36)
            qa = product["qa_value"]
            assert qa.dtype == np.uint8 and qa.attrs["scale_factor"] == np.float32(0.01)
            assert product["latitude"].dtype == np.float32
            assert product["delta_time"].dtype == np.int32
            assert product["time"].dtype == np.int32
            assert product["layer"].dtype == np.float32
            kernel = product["SUPPORT_DATA/DETAILED_RESULTS/column_averaging_kernel"]
            assert kernel.shape == (1, *S.shape, 50)
            granule = f["METADATA/GRANULE_DESCRIPTION"].attrs
            assert granule["ProductShortName"] == CO


def test_shaped_like_the_real_co_file(co_entries, co_files, reference_dir):
    (real,) = (reference_dir / "samples/products/sentinel-5p").glob("*L2__CO___*.nc")
    with h5py.File(real) as a, h5py.File(co_files[co_entries[1].name]) as b:
        assert set(b.attrs) <= set(a.attrs)
        assert a.attrs["institution"].decode() == b.attrs["institution"] == "KNMI/SRON"
        # the real dimensions and no others (the sample keeps them but drops the variables)
        assert {n for n, v in b["PRODUCT"].items() if getattr(v, "is_scale", False)} == set(
            a["PRODUCT"]
        )
        for dim in ("corner", "time", "layer"):
            assert a["PRODUCT"][dim].shape == b["PRODUCT"][dim].shape
        assert set(b["METADATA"]) <= set(a["METADATA"])
        for group in ("GRANULE_DESCRIPTION", "ESA_METADATA/earth_explorer_header/fixed_header"):
            assert set(b[f"METADATA/{group}"].attrs) == set(a[f"METADATA/{group}"].attrs)
        for group in ("ALGORITHM_SETTINGS", "QA_STATISTICS"):
            assert set(b[f"METADATA/{group}"].attrs) <= set(a[f"METADATA/{group}"].attrs)
        assert set(b["METADATA/QA_STATISTICS"]) == set(a["METADATA/QA_STATISTICS"])
        for group in ("ISO_METADATA", "EOP_METADATA", "ESA_METADATA/earth_explorer_header"):
            assert set(b[f"METADATA/{group}"].attrs) <= set(a[f"METADATA/{group}"].attrs)


def _naive(value) -> np.datetime64:
    return np.datetime64(value.astimezone(UTC).replace(tzinfo=None), "ns")


def test_the_reader_reads_the_expected_values(co_entries, co_files):
    for entry in co_entries:
        tree = open_product(co_files[entry.name])
        product = tree["PRODUCT"].to_dataset()
        for name in sentinel5p.CO_VARIABLES:
            assert product[name].dims == ("scanline", "ground_pixel")
            assert product[name].attrs["units"] == "mol m-2"
            np.testing.assert_array_equal(
                product[name].values, sentinel5p.expected_co(entry, S, G, name)
            )
        np.testing.assert_allclose(
            product.qa_value.values, sentinel5p.expected_qa(entry, S, G) * 0.01, atol=1e-6
        )
        lon, lat = sentinel5p.geolocation(entry, S, G)
        np.testing.assert_allclose(product.latitude.values, lat, atol=1e-4)
        np.testing.assert_allclose(product.longitude.values, lon, atol=1e-4)
        times = product.time.values
        assert abs(times[0] - _naive(entry.start)) <= np.timedelta64(1, "ms")
        assert abs(times[-1] - _naive(entry.end)) <= np.timedelta64(1, "ms")
        np.testing.assert_array_equal(product.layer.values, sentinel5p.LAYER_HEIGHTS)
        geo = tree["PRODUCT/SUPPORT_DATA/GEOLOCATIONS"].to_dataset()
        corner_lon, corner_lat = sentinel5p.geolocation(entry, S - 0.5, G - 0.5)
        np.testing.assert_allclose(geo.latitude_bounds.values[..., 0], corner_lat, atol=1e-4)
        np.testing.assert_allclose(geo.longitude_bounds.values[..., 0], corner_lon, atol=1e-4)
        qa = tree["METADATA/QA_STATISTICS"]
        column = sentinel5p.expected_co(entry, S, G)
        assert qa.attrs["number_of_failed_retrievals"] == np.isnan(column).sum()
        column = column.astype(np.float64)  # as the histogram's bins: [0.03, 0.05] in 100
        in_range = (column >= 0.03) & (column <= 0.05)
        assert qa.to_dataset().carbonmonoxide_total_column_histogram.sum() == in_range.sum()
        tree.close()


def test_min_qa_and_metadata(co_entries, co_files):
    entry = co_entries[1]
    source = from_local(co_files[entry.name])
    product = reader.open(source, min_qa=0.5, metadata=False)["PRODUCT"]
    keep = sentinel5p.expected_qa(entry, S, G) >= 50
    expected = np.where(keep, sentinel5p.expected_co(entry, S, G), np.nan)
    np.testing.assert_array_equal(product.carbonmonoxide_total_column.values, expected)
    meta = reader.read_metadata(source)
    assert meta.product_type == CO
    assert meta.processing_mode == "OFFL"
    assert meta.orbit == entry.extra["orbit"]
    assert meta.name == entry.name.removesuffix(".nc")
    assert meta.title == "TROPOMI/S5P CO Column 1-Orbit L2 Swath 7x7km"
