"""The shared option vocabulary in the raster families (Landsat, gridded, CCM, EOPF Zarr,
GeoTIFF): ``variables`` (alias ``bands``) opens only what is named and refuses unknown names
listing the product's; ``scale`` (aliases ``mask_and_scale``, ``decode``) gives physical values
equal to ``scale_factor * raw + add_offset``; ``chunks`` naming a dimension the arrays lack is
refused."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.products import ccm as ccm_writer
from cdse_intake.emulator.products.gridded import build as build_gridded
from cdse_intake.emulator.products.landsat import build as build_landsat
from cdse_intake.emulator.records.table import table_entries
from cdse_intake.errors import PartialProductWarning
from cdse_intake.readers import ccm, eopf, gridded, open_product
from cdse_intake.readers.source import from_local
from tests.emulator.test_products_ccm import entry_of

from .conftest import write_product

#: Sampled pixels (row, column) where raw and physical values are compared.
POINTS = ((0, 0), (3, 7), (20, 11), (50, 40), (99, 98))


def write_folder(files: dict[str, bytes], root: Path) -> Path:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


def check_scaled(raw, scaled, points=POINTS) -> int:
    """``scaled == scale_factor * raw + add_offset`` at ``points`` (NaN where raw is the fill
    value); returns how many points hold data."""
    factor = raw.attrs.get("scale_factor", 1.0)
    offset = raw.attrs.get("add_offset", 0.0)
    fill = raw.attrs.get("_FillValue")
    valid = 0
    for row, col in points:
        dn = raw.values[row, col]
        value = scaled.values[row, col]
        if fill is not None and dn == fill:
            assert np.isnan(value), (row, col)
            continue
        valid += 1
        assert value == pytest.approx(factor * float(dn) + offset, rel=1e-6, abs=1e-7), (row, col)
    assert scaled.dtype.kind == "f"
    return valid


@pytest.fixture(scope="module")
def landsat_entry():
    return next(
        e for e in table_entries(2026, 1.0) if e.family == "landsat" and e.name[:9] == "LC09_L2SP"
    )


@pytest.fixture(scope="module")
def gridded_entries():
    found = {}
    for entry in build_catalogue(seed=2026, scale=0.02, materialise=False):
        if entry.family == "gridded":
            fmt = entry.name.rsplit("_", 1)[-1] if entry.collection == "CLMS" else ""
            found.setdefault((entry.product_type, fmt), entry)
    return found


# -- Landsat -------------------------------------------------------------------------------------
def test_landsat_variables_scale_and_chunks(landsat_entry, tmp_path):
    folder = write_folder(build_landsat(landsat_entry), tmp_path / landsat_entry.name)
    ds = open_product(folder, variables=["SR_B4", "QA_PIXEL"], chunks=None)  # bands=
    assert list(ds.data_vars) == ["SR_B4", "QA_PIXEL"]
    raw = open_product(folder, variables="SR_B4", scale=False, chunks=None).SR_B4
    assert raw.dtype == np.uint16 and raw.attrs["scale_factor"] == pytest.approx(2.75e-05)
    assert check_scaled(raw, ds.SR_B4) >= 3
    with pytest.raises(ValueError, match=r"bands=\['B99'\] are not rasters .*'SR_B4'"):
        open_product(folder, variables=["B99"])
    with pytest.raises(ValueError, match=r"chunks=\{'band': 1\}.*no dimension 'band'"):
        open_product(folder, chunks={"band": 1})
    with pytest.raises(TypeError, match="same option"):
        open_product(folder, bands=["SR_B4"], variables=["SR_B4"])
    assert open_product(folder, variables="SR_B4", chunks={"y": 50}).SR_B4.chunks[0][0] == 50


# -- gridded -------------------------------------------------------------------------------------
def test_gridded_variables_and_aliases(gridded_entries, tmp_path):
    entry = gridded_entries[("S2MSI_L3__MCQ", "")]
    folder = write_folder(build_gridded(entry), tmp_path / entry.name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither partial nor deprecated
        ds = open_product(folder, variables=["B04", "B08"], chunks=None)
        assert sorted(ds.data_vars) == ["B04", "B08"]
        assert list(open_product(folder, bands="observations").data_vars) == ["observations"]
        raw = open_product(folder, variables="B04", mask_and_scale=False, chunks=None)
    with pytest.raises(ValueError, match=r"variables=\['B05'\].*B02, B03, B04, B08, observ"):
        open_product(folder, variables=["B05"])
    with pytest.raises(ValueError, match=r"chunks=\{'band': 1\}: gridded rasters.*'band'"):
        open_product(folder, chunks={"band": 1})
    with pytest.raises(TypeError, match="same option"):
        open_product(folder, scale=False, mask_and_scale=False)
    with pytest.warns(DeprecationWarning, match="mask_and_scale= is now scale="):
        direct = gridded.open(from_local(folder), mask_and_scale=False, variables=["B04"])
    np.testing.assert_array_equal(direct.B04.values, raw.B04.values)
    with pytest.raises(TypeError, match="no option 'decode_times'"):
        gridded.open(from_local(folder), decode_times=False)


def test_gridded_scale_is_scale_factor_times_raw_plus_offset(gridded_entries, tmp_path):
    entry = gridded_entries[("NDVI300", "cog")]
    folder = write_folder(build_gridded(entry), tmp_path / entry.name)
    raw = gridded.open(from_local(folder), scale=False, chunks=None)
    scaled = open_product(folder, variables="NDVI", chunks=None)
    assert raw.NDVI.attrs["scale_factor"] == pytest.approx(0.004)
    flags = set(np.ravel(raw.NDVI.attrs.get("flag_values", [])))
    points = [p for p in POINTS if raw.NDVI.values[p] not in flags]
    assert check_scaled(raw.NDVI, scaled.NDVI, points) >= 3
    # the netCDF kind: its own dimensions
    entry = gridded_entries[("NDVI300", "nc")]
    folder = write_folder(build_gridded(entry), tmp_path / entry.name)
    ds = open_product(folder, variables=["NDVI", "QFLAG"])
    assert sorted(ds.data_vars) == ["NDVI", "QFLAG"]
    with pytest.raises(ValueError, match=r"no dimension 'x'; expected .*lat"):
        open_product(folder, chunks={"x": 10})
    with pytest.raises(ValueError, match=r"variables=\['LAI'\].*NDVI"):
        open_product(folder, variables="LAI")


# -- CCM -----------------------------------------------------------------------------------------
def test_ccm_variables_scale_and_chunks(tmp_path):
    entry = entry_of("PHR_MS___3")
    folder = write_folder(ccm_writer.build(entry), tmp_path / entry.name)
    raw = ccm.open(from_local(folder), scale=False, chunks=None)
    scaled = open_product(folder, variables=["B3"], chunks=None)
    assert list(scaled.data_vars) == ["B3"]
    assert raw.B3.dtype == np.uint16 and raw.B3.attrs["scale_factor"] == pytest.approx(1e-4)
    assert check_scaled(raw.B3, scaled.B3) >= 3
    assert scaled.rio.crs.to_epsg() == 32631
    with pytest.raises(ValueError, match=r"variables=\['B7'\].*B0, B1, B2, B3"):
        open_product(folder, variables="B7")
    with pytest.raises(ValueError, match=r"chunks=\{'z': 2\}: CCM rasters .*expected y, x"):
        open_product(folder, chunks={"z": 2})
    dem = entry_of("SAR_DGE_90")
    folder = write_folder(ccm_writer.build(dem), tmp_path / dem.name)
    ds = open_product(folder, bands=["WBM", "DEM"], chunks={"y": 16})
    assert list(ds.data_vars) == ["WBM", "DEM"] and ds.DEM.chunks[0][0] == 16


# -- EOPF Zarr -----------------------------------------------------------------------------------
@pytest.fixture
def eopf_entry(entries):
    (found,) = entries("eopf_zarr")
    return found


def test_eopf_variables_by_name_and_path(eopf_entry, tmp_path):
    path = write_product(eopf_entry, tmp_path, "cdse")
    with warnings.catch_warnings():
        warnings.simplefilter("error", PartialProductWarning)
        tree = open_product(path, bands=["b04", "b08"])  # the alias of variables=
    holding = {n.path: sorted(n.data_vars) for n in tree.subtree if n.data_vars}
    assert holding == {
        "/measurements/reflectance/r10m": ["b04", "b08"],
        "/measurements/reflectance/r20m": ["b04"],
        "/measurements/reflectance/r60m": ["b04"],
    }
    assert tree["measurements/reflectance/r20m"].to_dataset().rio.crs is not None
    one = eopf.open(from_local(path), variables="/conditions/mask/l2a_classification/r20m/scl")
    assert [n.path for n in one.subtree if n.data_vars] == [
        "/conditions/mask/l2a_classification/r20m"
    ]
    with pytest.raises(ValueError, match=r"variables='b13'.*it has .*b04.*b8a"):
        open_product(path, variables=["b04", "b13"])
    with pytest.raises(ValueError, match=r"variables='measurements/reflectance/r10m/b05'"):
        eopf.open(from_local(path), variables="measurements/reflectance/r10m/b05")
    with pytest.raises(ValueError, match=r"chunks=\{'z': 3\}.*no dimension 'z'; expected .*x"):
        open_product(path, chunks={"z": 3})
    with pytest.raises(ValueError, match=r"chunks=0"):
        open_product(path, chunks=0)


def test_eopf_scale_is_scale_factor_times_raw_plus_offset(eopf_entry, tmp_path):
    path = write_product(eopf_entry, tmp_path, "cdse")
    name = "measurements/reflectance/r10m/b04"
    raw = open_product(path, variables=name, mask_and_scale=False)[name]  # an alias of scale
    scaled = eopf.open(from_local(path), variables="b04")[name]
    assert raw.dtype == np.uint16 and scaled.dtype == np.float64
    assert check_scaled(raw, scaled) >= 3


# -- GeoTIFF -------------------------------------------------------------------------------------
def test_geotiff_chunks_are_checked(entries, local_source):
    (entry,) = entries("clms_geotiff")
    source = local_source(entry)
    with pytest.raises(ValueError, match=r"chunks=\{'time': 1\}: GeoTIFF rasters have no"):
        open_product(source.location, chunks={"time": 1})
    with pytest.raises(ValueError, match="chunks='big'"):
        open_product(source.location, chunks="big")
    ds = open_product(source.location, chunks={"y": 64, "x": 64})
    assert next(iter(ds.data_vars.values())).chunks[-1][0] == 64
