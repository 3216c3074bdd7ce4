"""The Sentinel-1 OCN reader (a DataTree with one group per component, wind values as written,
``variables=`` subsets; in wave mode the vignette files stacked along ``vignette``, values as
written) and the Level-0 reader (metadata only: attributes from the manifest, no data variables,
no PartialProductWarning); both detected by name and by content."""

from __future__ import annotations

import io
import warnings
import zipfile

import h5py
import numpy as np
import pytest

from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.products import sentinel1_ocn, sentinel1_raw, sentinel1_wv
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
def wv(tmp_path_factory):
    entry = _entry("WV_OCN__2S")
    files = sentinel1_ocn.build(entry)
    return entry, files, _zip(entry, files, tmp_path_factory.mktemp("wv"))


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


def test_wv_ocn_vignettes_stacked(wv):
    entry, _, path = wv
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tree = open_product(path)
    assert tree.attrs["cdse_family"] == "sentinel-1-ocn"
    assert sorted(tree.children) == ["osw", "owi", "rvl"]
    assert tree.attrs["components"] == ["owi", "osw", "rvl"]
    assert tree.attrs["instrument_mode"] == "WV" and "swath" not in tree.attrs
    count = sentinel1_wv.IMAGETTES
    vignettes = sentinel1_ocn.vignettes(entry)
    for group in ("osw", "owi", "rvl"):
        ds = tree[group].to_dataset()
        assert ds.vignette.values.tolist() == list(range(1, count + 1))
        assert ds.swath.values.tolist() == ["WV1", "WV2"] * (count // 2)
        np.testing.assert_array_equal(
            ds.time.values, np.array([v.start.replace(tzinfo=None) for v in vignettes], "M8[ns]")
        )
    osw = tree["osw"].to_dataset()
    assert osw.oswPolSpec.dims == (
        "vignette", "oswAzSize", "oswRaSize", "oswAngularBinSize", "oswWavenumberBinSize"
    )  # fmt: skip
    assert osw.oswHs.dims == ("vignette", "oswAzSize", "oswRaSize", "oswPartitions")
    assert {"oswLat", "oswLon", "oswK", "oswPhi"} <= set(osw.coords)
    assert osw.oswK.dims == ("oswWavenumberBinSize",)
    assert tree["owi"].owiWindSpeed.dims == ("vignette", "owiAzSize", "owiRaSize")


def test_wv_ocn_values_as_written(wv):
    entry, files, path = wv
    tree = open_product(path, chunks=None)
    ncs = sorted((n for n in files if n.startswith("measurement/")), key=lambda n: n[-6:])
    assert len(ncs) == sentinel1_wv.IMAGETTES
    rng = np.random.default_rng(0)
    names = {"osw": ["oswHs", "oswWl", "oswDirmet", "oswPolSpec", "oswLat"],
             "owi": ["owiWindSpeed", "owiLon"], "rvl": ["rvlRadVel"]}  # fmt: skip
    for k, rel in enumerate(ncs):
        with h5py.File(io.BytesIO(files[rel]), "r") as h5:
            for group, variables in names.items():
                for name in variables:
                    written = h5[name][()].astype(np.float64)
                    written[written == -999.0] = np.nan
                    opened = tree[group][name].isel(vignette=k).values
                    assert opened.shape == written.shape
                    flat = rng.choice(written.size, size=min(5, written.size), replace=False)
                    np.testing.assert_array_equal(opened.ravel()[flat], written.ravel()[flat])
    # the swell: plausible over the sea, NaN over land
    hs = tree["osw"].oswHs.values[:, 0, 0, :]
    land = tree["osw"].oswLandFlag.values[:, 0, 0] == 1
    expected = np.array([s["hs"] for s in sentinel1_ocn.expected_swell(entry)])
    assert (~land).any()
    assert np.isfinite(hs[~land]).all() and ((hs[~land] > 0) & (hs[~land] < 20)).all()
    assert np.isnan(hs[land]).all()
    np.testing.assert_array_equal(hs[~land], expected[~land])


def test_wv_ocn_subsets_and_chunks(wv):
    _, _, path = wv
    tree = open_product(path, variables="oswHs", chunks=None)
    assert list(tree["osw"].data_vars) == ["oswHs"] and not tree["owi"].data_vars
    assert tree["osw"].sizes["vignette"] == sentinel1_wv.IMAGETTES
    tree = open_product(path, chunks={"vignette": 2})
    assert tree["osw"].oswPolSpec.chunks[0] == (2,) * (sentinel1_wv.IMAGETTES // 2)
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
