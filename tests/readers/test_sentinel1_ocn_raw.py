"""The Sentinel-1 OCN reader (a DataTree with one group per component, wind values as written,
``variables=`` subsets) and the Level-0 reader (metadata only: attributes from the manifest, no
data variables, no PartialProductWarning); both detected by name and by content."""

from __future__ import annotations

import warnings
import zipfile

import numpy as np
import pytest

from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.products import sentinel1_ocn, sentinel1_raw
from cdse_intake.readers import open_product

xr = pytest.importorskip("xarray")


def _entry(product_type: str):
    catalogue = build_catalogue(seed=42, scale=0.05, materialise=False)
    return next(e for e in catalogue.entries if e.product_type == product_type)


def _zip(entry, files, directory) -> str:
    path = directory / f"{entry.name.removesuffix('.SAFE')}.zip"
    with zipfile.ZipFile(path, "w") as z:
        for rel, data in files.items():
            z.writestr(f"{entry.name}/{rel}", data)
    return str(path)


@pytest.fixture(scope="module", params=["IW_OCN__2S", "EW_OCN__2S"])
def ocn(request, tmp_path_factory):
    entry = _entry(request.param)
    return entry, _zip(entry, sentinel1_ocn.build(entry), tmp_path_factory.mktemp("ocn"))


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    entry = _entry("IW_RAW__0S")
    return entry, _zip(entry, sentinel1_raw.build(entry), tmp_path_factory.mktemp("raw"))


def test_ocn_groups_by_component(ocn):
    entry, path = ocn
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tree = open_product(path)
    assert tree.attrs["cdse_family"] == "sentinel-1-ocn"
    assert sorted(tree.children) == ["owi", "rvl"]  # IW and EW carry no swell component
    assert tree.attrs["components"] == ["owi", "rvl"]
    assert tree.attrs["product_type"] == "OCN" and tree.attrs["processing_level"] == "LEVEL2"
    assert tree.attrs["instrument_mode"] == entry.name[4:6]
    assert tree.attrs["absolute_orbit"] == entry.extra["orbit"]
    assert tree.attrs["datatake_id"] == int(entry.name.split("_")[-2], 16)
    owi = tree["owi"].to_dataset()
    assert {"owiLat", "owiLon"} <= set(owi.coords)
    assert owi.owiWindSpeed.dims == ("owiAzSize", "owiRaSize")
    assert owi.owiWindSpeed.attrs["units"] == "m/s"
    rvl = tree["rvl"].to_dataset()
    assert {"rvlLat", "rvlLon"} <= set(rvl.coords) and "rvlRadVel" in rvl
    assert rvl.rvlRadVel.dims == ("rvlAzSize", "rvlRaSize", "rvlSwath")
    assert rvl.sizes["rvlSwath"] == (3 if entry.name[4:6] == "IW" else 5)


def test_ocn_wind_values(ocn):
    entry, path = ocn
    owi = open_product(path, chunks=None)["owi"].to_dataset()
    speed, direction, mask = sentinel1_ocn.expected_wind(entry)
    values = owi.owiWindSpeed.values
    sea = owi.owiMask.values == 0
    np.testing.assert_array_equal(sea, mask == 0)
    assert sea.any()
    assert np.isfinite(values[sea]).all() and np.isnan(values[~sea]).all()
    assert ((values[sea] >= 0) & (values[sea] <= 40)).all() and values[sea].std() > 0
    np.testing.assert_allclose(values[sea], speed[sea], rtol=1e-6)
    np.testing.assert_allclose(owi.owiWindDirection.values[sea], direction[sea], rtol=1e-6)
    lat = owi.owiLat.values
    quad = entry.footprint["coordinates"][0] if entry.footprint["type"] == "Polygon" else None
    if quad is not None:
        lats = [p[1] for p in quad]
        assert min(lats) - 0.01 <= lat.min() and lat.max() <= max(lats) + 0.01


def test_ocn_variables_subset(ocn):
    _, path = ocn
    tree = open_product(path, variables="owiWindSpeed", chunks=None)
    assert list(tree["owi"].data_vars) == ["owiWindSpeed"]
    assert {"owiLat", "owiLon"} <= set(tree["owi"].coords)
    assert not tree["rvl"].data_vars
    assert list(open_product(path, bands=["rvlRadVel"])["rvl"].data_vars) == ["rvlRadVel"]
    with pytest.raises(ValueError, match="owiWindSpeed"):
        open_product(path, variables=["windSpeed"])


@pytest.mark.filterwarnings("ignore:The specified chunks separate:UserWarning")
def test_ocn_chunks_checked(ocn):
    _, path = ocn
    tree = open_product(path, chunks={"owiAzSize": 8})
    assert tree["owi"].owiWindSpeed.chunks[0][0] == 8
    with pytest.raises(ValueError, match="nope"):
        open_product(path, chunks={"nope": 2})


def test_raw_is_metadata_only(raw):
    entry, path = raw
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no PartialProductWarning: nothing is missing
        ds = open_product(path)
    assert isinstance(ds, xr.Dataset)
    assert not ds.data_vars and not ds.dims
    attrs = ds.attrs
    assert attrs["cdse_family"] == "sentinel-1-raw"
    assert attrs["mission"] == entry.name[:3]
    assert attrs["instrument_mode"] == "IW"
    assert attrs["polarisations"] == ["VV", "VH"]
    assert attrs["product_type"] == "RAW" and attrs["processing_level"] == "LEVEL0"
    assert attrs["absolute_orbit"] == entry.extra["orbit"]
    assert attrs["pass_direction"] == entry.extra["direction"]
    assert attrs["start_time"].startswith(f"{entry.start:%Y-%m-%dT%H:%M:%S}")
    assert attrs["stop_time"].startswith(f"{entry.end:%Y-%m-%dT%H:%M:%S}")
    assert attrs["geospatial_bounds"].startswith("POLYGON((")
    assert attrs["index_file_vh"].endswith("-index.dat")
    assert "not an image" in attrs["data_note"]
    with pytest.raises(ValueError, match="chunks"):
        open_product(path, chunks={"x": 2})


def test_detected_by_content_when_renamed(ocn, raw, tmp_path):
    for (entry, path), family in ((ocn, "sentinel-1-ocn"), (raw, "sentinel-1-raw")):
        renamed = tmp_path / f"{family}.zip"
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(renamed, "w") as dst:
            for info in src.infolist():
                rel = info.filename.removeprefix(f"{entry.name}/")
                dst.writestr(f"product/{rel}", src.read(info))
        assert open_product(str(renamed)).attrs["cdse_family"] == family
