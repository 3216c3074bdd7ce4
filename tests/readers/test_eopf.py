"""EOPF Zarr reader: the whole hierarchy as a lazy DataTree, values, georeferencing, formats."""

from __future__ import annotations

import json
import pickle
import shutil
import warnings
import zipfile
from pathlib import Path

import numcodecs
import numpy as np
import pytest
import xarray as xr
import zarr

from cdse_intake.emulator.products import eopf as emulated
from cdse_intake.emulator.products.sentinel2 import (
    BOA_OFFSET,
    QUANTIFICATION,
    expected_dn,
    expected_scl,
    granule_window,
    has_offset,
)
from cdse_intake.errors import UnsupportedProduct
from cdse_intake.readers import eopf, open_product
from cdse_intake.readers.source import from_local

from .conftest import LAYOUTS, write_product

SAMPLE = "products/eopf-zarr/S2A_MSIL2A_20251008T100041_N0511_R122_T32TQM_20251008T122613.json"


@pytest.fixture
def entry(entries):
    (found,) = entries("eopf_zarr")
    return found


def reflectance(entry, band: str, rows, cols, res: int) -> np.ndarray:
    """Physical reflectance: (DN + offset) / 10000, the offset from baseline 04.00 on."""
    offset = BOA_OFFSET if has_offset(entry.extra["baseline"]) else 0
    dn = expected_dn(entry, band.upper(), rows, cols, res).astype(float)
    return (dn + offset) / QUANTIFICATION


def check_tree(tree: xr.DataTree, entry, bands=None) -> None:
    """Every reflectance band (or ``bands``), SCL, x/y, CRS, transform and time as emulated."""
    window = granule_window(entry)
    start = np.datetime64(entry.start.replace(tzinfo=None), "ns")
    for group, names in emulated.REFLECTANCE.items():
        res = emulated.RESOLUTION[group]
        ds = tree[f"measurements/reflectance/{group}"].to_dataset()
        assert sorted(ds.data_vars) == sorted(names)
        x, y = window.centres(res)
        np.testing.assert_array_equal(ds.x.values, x)
        np.testing.assert_array_equal(ds.y.values, y)
        assert ds.rio.crs.to_epsg() == window.epsg
        assert ds.rio.transform() == window.transform(res)
        assert ds.x.attrs["standard_name"] == "projection_x_coordinate"
        assert ds.time.values == start
        rows, cols = np.indices((len(y), len(x)))
        for band in [b for b in bands or names if b in names]:
            assert ds[band].dtype == np.float64
            np.testing.assert_allclose(
                ds[band].values, reflectance(entry, band, rows, cols, res), atol=1e-12
            )
            assert ds[band].attrs["units"] == "1"
            assert ds[band].encoding["grid_mapping"] == "spatial_ref"
    for group in ("r20m", "r60m"):
        scl = tree[f"conditions/mask/l2a_classification/{group}/scl"]
        assert scl.dtype == np.uint8
        expected = expected_scl(entry, *np.indices(scl.shape), emulated.RESOLUTION[group])
        np.testing.assert_array_equal(scl.values, expected)
        assert scl.rio.crs.to_epsg() == window.epsg


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_opens_the_whole_product_lazily(entry, local_source, layout):
    source = local_source(entry, layout)
    tree = eopf.open(source)
    paths = {node.path for node in tree.subtree}
    assert {
        "/measurements/reflectance/r10m",
        "/conditions/geometry",
        "/quality/l2a_quicklook/r10m",
    } <= paths
    b02 = tree["measurements/reflectance/r10m/b02"]
    assert b02.chunks == ((183, 183), (183, 183))  # the Zarr chunks
    assert tree["measurements/reflectance/r60m/b01"].chunks == ((61,), (61,))
    check_tree(tree, entry, bands=None if layout == "cdse" else ["b02", "b8a", "b09"])


def test_remote_reads_by_range_and_pickles(entry, remote_source):
    tree = eopf.open(remote_source(entry))
    check_tree(tree, entry, bands=["b04", "b11"])
    again = pickle.loads(pickle.dumps(tree))
    window = again["measurements/reflectance/r10m/b08"][200:210, 5:9].values
    rows, cols = np.mgrid[200:210, 5:9]
    np.testing.assert_allclose(window, reflectance(entry, "b08", rows, cols, 10), atol=1e-12)


@pytest.mark.parametrize("chunks", ["auto", None])
def test_pickled_tree_computes_the_same_values(entry, local_source, chunks):
    tree = eopf.open(local_source(entry), chunks=chunks)
    again = pickle.loads(pickle.dumps(tree))
    for path in ("measurements/reflectance/r20m/b05", "quality/l2a_quicklook/r10m/tci"):
        np.testing.assert_array_equal(again[path].values, tree[path].values)
    assert again["measurements/reflectance/r20m"].to_dataset().rio.crs == (
        tree["measurements/reflectance/r20m"].to_dataset().rio.crs
    )


def test_chunks_option(entry, local_source):
    source = local_source(entry)
    lazy = eopf.open(source, chunks=None)["measurements/reflectance/r10m/b03"]
    assert lazy.chunks is None
    rows, cols = np.mgrid[100:104, 300:306]
    np.testing.assert_allclose(
        lazy[100:104, 300:306].values, reflectance(entry, "b03", rows, cols, 10), atol=1e-12
    )
    whole = eopf.open(source, chunks={"x": 366, "y": 366})["measurements/reflectance/r10m/b03"]
    assert whole.chunks == ((366,), (366,))
    with pytest.raises(ValueError, match=r"chunks='big'.*'auto'"):
        eopf.open(source, chunks="big")
    with pytest.raises(ValueError, match=r"scale='yes'"):
        eopf.open(source, scale="yes")
    with pytest.warns(DeprecationWarning, match="decode= is now scale="):
        raw = eopf.open(source, decode=False)  # the former name still works
    assert "scale_factor" in raw["measurements/reflectance/r10m/b04"].attrs


def test_decode_false_keeps_digital_numbers(entry, local_source):
    tree = eopf.open(local_source(entry, "flat"), scale=False)
    b04 = tree["measurements/reflectance/r20m/b04"]
    assert b04.dtype == np.uint16
    np.testing.assert_array_equal(b04.values, expected_dn(entry, "B04", *np.indices(b04.shape), 20))
    assert b04.attrs["scale_factor"] == 1e-4
    assert b04.attrs["add_offset"] == pytest.approx(-0.1)
    assert b04.attrs["units"] == "digital_counts"
    assert b04.rio.crs.to_epsg() == granule_window(entry).epsg


def test_metadata_and_root_attributes(entry, local_source):
    source = local_source(entry)
    meta = eopf.read_metadata(source)
    window = granule_window(entry)
    assert meta.platform == "sentinel-2a"
    assert meta.product_type == "S02MSIL2A"
    assert meta.processing_level == "L2A"
    assert meta.processing_baseline == entry.extra["baseline"]
    assert meta.cloud_cover == pytest.approx(entry.attribute("cloudCover"))
    assert meta.absolute_orbit == entry.attribute("orbitNumber")
    assert meta.crs == f"EPSG:{window.epsg}"
    assert meta.time == entry.start == meta.start
    assert (meta.zarr_format, meta.consolidated) == (2, True)
    tree = eopf.open(source)
    assert tree.attrs["platform"] == "sentinel-2a"
    assert tree.attrs["processing_baseline"] == entry.extra["baseline"]
    assert tree.attrs["cloud_cover"] == pytest.approx(entry.attribute("cloudCover"))
    assert tree.attrs["crs"] == f"EPSG:{window.epsg}"
    assert tree.attrs["start_time"] == entry.start.isoformat()
    assert tree.attrs["stac_discovery"]["id"] == entry.name.removesuffix(".zarr")
    assert tree.time.values == np.datetime64(entry.start.replace(tzinfo=None), "ns")
    # angles: float, NaN-masked per _eopf_attrs; on no x/y grid, so no CRS
    geometry = tree["conditions/geometry"].to_dataset()
    assert geometry.mean_sun_angles.values[0] == pytest.approx(
        float(entry.attribute("illuminationZenithAngle", 40.0))
    )
    assert "spatial_ref" not in geometry.coords


def test_open_product_detects_the_family(entry, tmp_path):
    path = write_product(entry, tmp_path, "cdse")
    tree = open_product(path)
    assert isinstance(tree, xr.DataTree)
    assert tree.attrs["cdse_family"] == "eopf-zarr"
    ds = open_product(path, group="measurements/reflectance/r60m")
    rows, cols = np.indices((61, 61))
    np.testing.assert_allclose(ds.b09.values, reflectance(entry, "b09", rows, cols, 60), atol=1e-12)
    assert ds.rio.crs.to_epsg() == granule_window(entry).epsg
    assert "time" in ds.coords
    with pytest.raises(TypeError, match="decode"):
        open_product(path, resolution=10)


def _zip_folder(folder: Path, path: Path, top: str) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                zf.write(file, f"{top}/{file.relative_to(folder).as_posix()}")
    return path


def test_zarr_v3_opens_the_same(entry, local_source, tmp_path):
    """A Zarr v3 copy (zarr.json, consolidated) of the product opens with the same values."""
    raw = xr.open_datatree(local_source(entry, "folder").mapper(), engine="zarr", consolidated=True)
    for node in raw.subtree:  # v2 codecs (numcodecs Blosc) do not apply to v3
        for var in node.variables.values():
            var.encoding.pop("compressors", None)
            var.encoding.pop("filters", None)
    folder = tmp_path / entry.name
    with warnings.catch_warnings():  # consolidated metadata and fixed-length strings are
        warnings.simplefilter("ignore", zarr.errors.ZarrUserWarning)  # not in the v3 spec yet
        warnings.simplefilter("ignore", zarr.errors.UnstableSpecificationWarning)
        raw.to_zarr(folder, zarr_format=3, consolidated=True)
    assert (folder / "zarr.json").exists()
    source = from_local(_zip_folder(folder, tmp_path / "v3.zip", entry.name))
    meta = eopf.read_metadata(source)
    assert (meta.zarr_format, meta.consolidated) == (3, True)
    assert meta.processing_baseline == entry.extra["baseline"]
    tree = eopf.open(source)
    check_tree(tree, entry, bands=["b02", "b12"])
    assert tree.attrs["zarr_format"] == 3


def test_unconsolidated_v2_opens(entry, tmp_path):
    """Without .zmetadata the hierarchy is found from .zgroup/.zarray files."""
    files = {k: v for k, v in entry.payload.files.items() if k != ".zmetadata"}
    path = tmp_path / "plain.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for rel, data in sorted(files.items()):
            zf.writestr(f"{entry.name}/{rel}", data)
    source = from_local(path)
    assert eopf.read_metadata(source).consolidated is False
    check_tree(eopf.open(source), entry, bands=["b04", "b07"])


def _tiny_product(tmp_path: Path, attrs: dict) -> Path:
    """A one-array EOPF-like product whose encoding is only in ``_eopf_attrs``."""
    folder = tmp_path / "S2B_MSIL2A_TINY.zarr"
    root = zarr.open_group(zarr.storage.LocalStore(folder), mode="w", zarr_format=2)
    root.attrs.update(
        {
            "stac_discovery": {"properties": {"start_datetime": "2024-03-01T10:00:00Z"}},
            "other_metadata": {"horizontal_CRS_code": "EPSG:32633"},
        }
    )
    group = root.require_group("measurements").require_group("reflectance").require_group("r10m")
    dn = np.array([[0, 1000, 1500], [2000, 0, 11000]], dtype=np.uint16)
    band = group.create_array(
        "b04",
        shape=dn.shape,
        dtype=dn.dtype,
        chunks=(1, 3),
        fill_value=None,
        attributes={"_ARRAY_DIMENSIONS": ["y", "x"], **attrs},
    )
    band[...] = dn
    for name, values in (("x", [500005, 500015, 500025]), ("y", [4000005, 3999995])):
        coord = group.create_array(
            name, shape=(len(values),), dtype="<i8", attributes={"_ARRAY_DIMENSIONS": [name]}
        )
        coord[...] = values
    zarr.consolidate_metadata(zarr.storage.LocalStore(folder), zarr_format=2)
    return _zip_folder(folder, tmp_path / "tiny.zip", folder.name)


def test_encodings_only_in_eopf_attrs_are_applied(tmp_path):
    eopf_attrs = {
        "scale_factor": 1e-4,
        "add_offset": -0.1,
        "fill_value": 0,
        "eopf_is_masked": True,
        "dtype": "<u2",
        "units": "digital_counts",
    }
    source = from_local(_tiny_product(tmp_path, {"_eopf_attrs": eopf_attrs}))
    for chunks in ("auto", None):
        b04 = eopf.open(source, chunks=chunks)["measurements/reflectance/r10m/b04"]
        np.testing.assert_allclose(
            b04.values, [[np.nan, 0.0, 0.05], [0.1, np.nan, 1.0]], atol=1e-12
        )
        # the CRS from other_metadata, as no array states one
        assert b04.rio.crs.to_epsg() == 32633
        assert b04.time.values == np.datetime64("2024-03-01T10:00:00", "ns")
    raw = eopf.open(source, scale=False)["measurements/reflectance/r10m/b04"]
    assert raw.dtype == np.uint16
    assert raw.values[1, 2] == 11000


def test_not_a_zarr_product_is_a_clear_error(tmp_path):
    path = tmp_path / "S2A_MSIL2A_X.zarr.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("S2A_MSIL2A_X.zarr/readme.txt", b"nothing here")
    with pytest.raises(UnsupportedProduct, match=r"not a Zarr product.*\.zmetadata, zarr\.json"):
        eopf.open(from_local(path))
    single = tmp_path / "product.tif"
    single.write_bytes(b"II*\x00" + bytes(100))
    with pytest.raises(UnsupportedProduct, match="single file"):
        eopf.read_metadata(from_local(single))


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", r"\.zmetadata is not valid JSON"),
        (b"[1, 2]", r"\.zmetadata is not a JSON object"),
        (b'{"zarr_consolidated_format": 1}', "no 'metadata' object"),
    ],
)
def test_malformed_metadata_is_refused(tmp_path, content, match):
    """EOPF metadata is JSON (no XML, so no entities to expand): anything else is refused."""
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("S2A_BAD.zarr/.zgroup", b'{"zarr_format": 2}')
        zf.writestr("S2A_BAD.zarr/.zmetadata", content)
    with pytest.raises(UnsupportedProduct, match=match) as err:
        eopf.open(from_local(path))
    assert str(path) in str(err.value)


# -- the real product's structure ---------------------------------------------------------------
def _rebuild(spec: dict, folder: Path) -> None:
    """The hierarchy of a pydantic-zarr (v2) dump, with empty arrays (no chunk written)."""
    store = zarr.storage.LocalStore(folder)
    root = zarr.open_group(store, mode="w", zarr_format=2, attributes=spec["attributes"])

    def walk(group, node: dict) -> None:
        for name, member in node.get("members", {}).items():
            if "shape" not in member:
                walk(group.create_group(name, attributes=member["attributes"]), member)
                continue
            fill = member["fill_value"]
            compressor = member["compressor"]
            group.create_array(
                name,
                shape=tuple(member["shape"]),
                chunks=tuple(member["chunks"]),
                dtype=member["dtype"],
                fill_value=float("nan") if fill == "NaN" else fill,
                compressors=numcodecs.get_codec(compressor) if compressor else None,
                attributes=member["attributes"],
                chunk_key_encoding={"name": "v2", "separator": member["dimension_separator"]},
            )

    walk(root, spec)
    zarr.consolidate_metadata(store, zarr_format=2)


def zarr_chunks(member: dict) -> tuple[tuple[int, ...], ...]:
    """The dask chunks of one dask chunk per Zarr chunk (the last one partial)."""
    out = []
    for size, chunk in zip(member["shape"], member["chunks"], strict=True):
        out.append((chunk,) * (size // chunk) + ((size % chunk,) if size % chunk else ()))
    return tuple(out)


def _arrays(node: dict, path: str = "") -> dict[str, dict]:
    out = {}
    for name, member in node.get("members", {}).items():
        if "shape" in member:
            out[f"{path}{name}"] = member
        else:
            out.update(_arrays(member, f"{path}{name}/"))
    return out


@pytest.fixture(scope="module")
def real_product(reference_dir, tmp_path_factory):
    sample = reference_dir / "samples" / SAMPLE
    if not sample.is_file():
        pytest.skip(f"real EOPF sample not found at {sample}")
    spec = json.loads(sample.read_text())
    tmp = tmp_path_factory.mktemp("eopf-real")
    name = sample.stem + ".zarr"
    _rebuild(spec, tmp / "build" / name)
    path = _zip_folder(tmp / "build" / name, tmp / f"{sample.stem}.zip", name)
    shutil.rmtree(tmp / "build")
    return spec, from_local(path)


def test_real_sample_metadata(real_product):
    spec, source = real_product
    meta = eopf.read_metadata(source)
    assert meta.id == "S2A_MSIL2A_20251008T100041_N0511_R122_T32TQM_20251008T122613.SAFE"
    assert (meta.platform, meta.instrument, meta.product_type) == (
        "sentinel-2a",
        "msi",
        "S02MSIL2A",
    )
    assert meta.processing_baseline == "05.11"
    assert meta.crs == "EPSG:32632"
    assert meta.time.isoformat() == "2025-10-08T10:00:41.024000+00:00"  # datetime is null
    assert meta.mean_sensing_time.isoformat() == "2025-10-08T10:09:27.346626+00:00"
    assert meta.cloud_cover == pytest.approx(0.003839)
    assert (meta.absolute_orbit, meta.relative_orbit) == (53773, 122)
    assert meta.properties == spec["attributes"]["stac_discovery"]["properties"]
    assert (meta.zarr_format, meta.consolidated) == (2, True)


def test_real_sample_opens_whole_and_lazily(real_product):
    spec, source = real_product
    raw = eopf.open(source, scale=False)
    tree = eopf.open(source)
    arrays = _arrays(spec)
    assert len(arrays) > 100
    for path, member in arrays.items():
        group, name = path.rsplit("/", 1)
        for t in (raw, tree):  # coordinates and variables alike, in their group
            assert name in t[group].variables, path
        var = raw[group].variables[name]
        assert var.shape == tuple(member["shape"]), path
        dtype = np.dtype(member["dtype"])
        if var.dtype.kind != "M":  # CF times are decoded
            assert var.dtype == dtype, path
        if member["shape"] and name not in raw[group].dims:
            assert tree[path].chunks == zarr_chunks(member), path
    r10m = tree["measurements/reflectance/r10m"].to_dataset()
    assert r10m.b02.dtype == np.float64
    assert r10m.rio.crs.to_epsg() == 32632
    # the transform from proj:transform (rioxarray would derive the origin from x/y, unwritten)
    geo = [float(v) for v in r10m.spatial_ref.attrs["GeoTransform"].split()]
    assert geo == [699960.0, 10.0, 0.0, 4700040.0, 0.0, -10.0]
    assert r10m.time.values == np.datetime64("2025-10-08T10:00:41.024", "ns")
    # no chunk was written: reads give the fill value (0 = no data -> NaN once decoded)
    assert np.isnan(r10m.b02[:2, :2].values).all()
    assert (raw["measurements/reflectance/r10m/b02"][:2, :2].values == 0).all()
    assert tree["conditions/mask/l2a_classification/r20m/scl"].rio.crs.to_epsg() == 32632
    assert tree["conditions/geometry"].to_dataset().rio.crs.to_epsg() == 32632
    assert "spatial_ref" not in tree["conditions/meteorology/cams"].coords  # lat/lon grid
    assert tree.attrs["processing_baseline"] == "05.11"
