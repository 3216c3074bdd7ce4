"""Sentinel-6 products (SEN6): the files the STAC layout lists, the real group structure of the
Poseidon-4 and AMR-C measurement files, values along the record's ground track."""

from __future__ import annotations

import copy
import hashlib
import io
import re
import time

import numpy as np
import pytest

from cdse_intake.emulator.catalogue import Entry, build_catalogue
from cdse_intake.emulator.products import BUILDERS, sentinel6
from cdse_intake.emulator.products._s6_l1b import SAMPLES
from cdse_intake.emulator.products._s6_l2 import SSH_CORRECTIONS
from cdse_intake.emulator.scene.landmask import is_land
from cdse_intake.emulator.stac.layout_generic import generic_files

h5py = pytest.importorskip("h5py")
xr = pytest.importorskip("xarray")
ET = pytest.importorskip("defusedxml.ElementTree")

TYPES = ("P4_2__LR_____", "P4_1B_LR_____", "MW_2__AMR____")


@pytest.fixture(scope="module")
def s6_entries() -> dict[tuple[str, str], Entry]:
    """One entry per product type and stream (NR granule, ST/NT pass)."""
    entries = [
        e for e in build_catalogue(materialise=False).entries if e.collection == "SENTINEL-6"
    ]
    out: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        out.setdefault((entry.product_type, entry.name.split("_")[-2]), entry)
    assert set(out) == {(t, s) for t in TYPES for s in ("NR", "ST", "NT")}
    assert all(e.family == "sentinel6" for e in out.values())
    return out


@pytest.fixture(scope="module")
def built(s6_entries) -> dict[tuple[str, str], dict[str, bytes]]:
    return {key: BUILDERS["sentinel6"](entry) for key, entry in s6_entries.items()}


def _tree(data: bytes) -> xr.DataTree:
    return xr.open_datatree(io.BytesIO(data), engine="h5netcdf").load()


def _measurement(files: dict[str, bytes], marker: str) -> tuple[str, bytes]:
    (name,) = [n for n in files if n.endswith(".nc") and marker in n]
    return name, files[name]


def test_files_are_those_of_the_stac_layout(s6_entries, built):
    for key, entry in s6_entries.items():
        listed = {path for path, _ in generic_files(entry)}
        assert set(built[key]) == listed, key
        assert {"xfdumanifest.xml", "manifest.safe", "EOPMetadata.xml"} <= listed


def test_measurement_file_names_follow_the_real_naming(s6_entries, built):
    pattern = re.compile(
        r"^S6A_(P4_2__LR_STD_|P4_2__LR_RED_|P4_1B_LR_____|MW_2__AMR_STD_)_(NR|ST|NT)_\d{3}_"
        r"\d{3}_\d{8}T\d{6}_\d{8}T\d{6}_F09\.nc$"
    )
    for key, files in built.items():
        nc = [n for n in files if n.endswith(".nc")]
        assert nc and all(pattern.match(n) for n in nc), nc
        entry = s6_entries[key]
        cycle, pass_ = entry.name.split("_")[-8], entry.name.split("_")[-7]
        assert all(f"_{key[1]}_{cycle}_{pass_}_" in n for n in nc)


def test_builds_are_deterministic_small_and_quick(s6_entries, built):
    for key, entry in s6_entries.items():
        start = time.perf_counter()
        again = BUILDERS["sentinel6"](entry)
        elapsed = time.perf_counter() - start
        assert again == built[key], key
        assert sum(map(len, again.values())) < 2_000_000, key
        assert elapsed < 2.0, (key, elapsed)  # ~0.05-0.25 s on a quiet machine


def test_l2_groups_variables_and_packing(built):
    files = built[("P4_2__LR_____", "NT")]
    _, std = _measurement(files, "_STD_")
    _, red = _measurement(files, "_RED_")
    with h5py.File(io.BytesIO(std)) as f:
        assert set(f) == {"data_01", "data_20"}
        assert {"ku", "c"} <= set(f["data_01"]) and set(f["data_20"]) == {"ku", "c"}
        one_hz = (
            "time",
            "latitude",
            "longitude",
            "altitude",
            "wind_speed_alt",
            "surface_classification_flag",
            "rad_wet_tropo_cor",
            "mean_sea_surface_sol1",
        )
        for name in one_hz:
            assert name in f["data_01"], name
        for name in ("range_ocean", "swh_ocean", "sig0_ocean", "ssha", "iono_cor_alt"):
            assert name in f["data_01/ku"], name
        for name in ("time", "latitude", "longitude", "range_ocean", "swh_ocean", "sig0_ocean"):
            assert name in f["data_20/ku"] and name in f["data_20/c"], name
        assert f["data_01/latitude"].dtype == np.int32
        assert f["data_01/latitude"].attrs["scale_factor"] == 1e-6
        assert f["data_01/ku/range_ocean"].dtype == np.int32
        assert f["data_01/ku/swh_ocean"].dtype == np.int16
        assert f["data_01/ku/swh_ocean"].attrs["_FillValue"][0] == 32767
        assert f["data_01/surface_classification_flag"].attrs["_FillValue"][0] == 127
        assert f["data_01/time"].dtype == np.float64
        assert f["data_20/ku/time"].shape[0] == 20 * f["data_01/time"].shape[0]
        assert int(f.attrs["cycle_number"]) > 0 and f.attrs["Conventions"] == "CF-1.7"
    with h5py.File(io.BytesIO(red)) as f:
        assert set(f) == {"data_01"}  # the reduced file: 1 Hz only


def test_track_follows_the_footprint(s6_entries, built):
    for key, files in built.items():
        entry = s6_entries[key]
        _, data = next((n, d) for n, d in files.items() if n.endswith(".nc"))
        tree = _tree(data)
        node = tree["data_01"] if "data_01" in tree.children else tree["data_20/ku"]
        lat = node["latitude"].values
        lon = (node["longitude"].values + 180.0) % 360.0 - 180.0
        ring = np.array(entry.footprint["coordinates"][0])
        assert lat.min() >= ring[:, 1].min() - 1e-6 and lat.max() <= ring[:, 1].max() + 1e-6
        assert ring[:, 0].min() - 0.01 <= lon.min() and lon.max() <= ring[:, 0].max() + 0.01
        ascending = int(entry.attribute("relativeOrbitNumber")) % 2 == 1
        step = np.diff(lat)
        assert (step > 0).all() if ascending else (step < 0).all(), key
        times = node["time"].values
        assert np.diff(times).min() > np.timedelta64(0)
        assert abs(times[0] - np.datetime64(entry.start.replace(tzinfo=None))) < np.timedelta64(
            1, "s"
        )
        assert abs(times[-1] - np.datetime64(entry.end.replace(tzinfo=None))) < np.timedelta64(
            1, "s"
        )


def test_l2_values_ocean_and_land(s6_entries, built):
    files = built[("P4_2__LR_____", "NT")]
    tree = _tree(_measurement(files, "_STD_")[1])
    d01, ku = tree["data_01"].to_dataset(), tree["data_01/ku"].to_dataset(inherit=False)
    land = is_land(d01["longitude"].values, d01["latitude"].values)
    surface = d01["surface_classification_flag"].values
    assert ((surface == 1) | (surface == 4)).sum() == land.sum()
    assert land.any() and (~land).any(), "a whole pass crosses land and sea"
    ocean = surface == 0
    ssha = ku["ssha"].values
    assert np.isnan(ssha[land]).all() and (ku["range_ocean_qual"].values[land] == 1).all()
    assert np.isfinite(ssha[ocean]).all() and (ku["range_ocean_qual"].values[ocean] == 0).all()
    assert np.abs(ssha[ocean]).max() < 0.5 and 0.005 < np.std(ssha[ocean]) < 0.25  # cm to dm
    swh, sig0 = ku["swh_ocean"].values[ocean], ku["sig0_ocean"].values[ocean]
    wind = d01["wind_speed_alt"].values[ocean]
    assert swh.min() > 0.2 and swh.max() < 9.0
    assert sig0.min() > 5.0 and sig0.max() < 20.0 and wind.min() > 0.0 and wind.max() < 25.0
    assert d01["rad_wet_tropo_cor"].values.min() > -0.5 and d01["rad_wet_tropo_cor"].max() < 0
    # the sea surface height budget closes (each packed term rounds by 0.05 mm)
    corrections = sum(
        (ku[name] if name in ku else d01[name]).values[ocean] for name in SSH_CORRECTIONS
    )
    budget = (
        d01["altitude"].values[ocean]
        - ku["range_ocean"].values[ocean]
        - corrections
        - d01["mean_sea_surface_sol1"].values[ocean]
    )
    np.testing.assert_allclose(budget, ssha[ocean], atol=2e-3)
    # 20 Hz: noisier around the same surface
    k20 = tree["data_20/ku"].to_dataset()
    ok = np.isfinite(k20["ssha"].values)
    assert ok.any() and np.abs(np.nanmean(k20["ssha"].values)) < 0.3


def test_l1b_waveforms(built):
    files = built[("P4_1B_LR_____", "NT")]
    tree = _tree(_measurement(files, "_1B_")[1])
    assert set(tree.children) == {"data_20", "global"}
    ku = tree["data_20/ku"].to_dataset()
    with h5py.File(io.BytesIO(_measurement(files, "_1B_")[1])) as f:
        assert f["data_20/ku/power_waveform"].dtype == np.uint16
        assert f["data_20/ku/power_waveform"].shape[1] == SAMPLES
    wf = ku["power_waveform"].values
    assert wf.shape == (ku.sizes["time"], SAMPLES) and (wf.max(axis=1) == 65534).all()
    ocean = ku["surface_classification_flag"].values == 0
    assert ocean.any()
    # the ocean leading edge crosses half power near the tracking point (sample 128)
    smooth = np.apply_along_axis(lambda w: np.convolve(w, np.ones(5) / 5, "same"), 1, wf[ocean])
    half = np.argmax(smooth >= 0.5 * np.median(smooth[:, 140:200], axis=1)[:, None], axis=1)
    assert np.median(np.abs(half - 128)) < 6
    assert (ku["tracker_range_calibrated"].values > 1.2e6).all()
    assert (ku["waveform_scale_factor"].values > 0).all()


def test_amr_brightness_temperatures(built):
    files = built[("MW_2__AMR____", "NT")]
    d = _tree(_measurement(files, "_AMR_")[1])["data_01"].to_dataset()
    land = d["rad_surface_type_flag"].values == 2
    sea = d["rad_surface_type_flag"].values == 0
    assert land.any() and sea.any()
    for ch in ("187", "238", "340"):
        tb = d[f"rad_tb_{ch}"].values
        assert tb.min() > 120 and tb.max() < 320
        assert tb[sea].mean() + 40 < tb[land].mean()  # the warm ground
    wv, wet = d["rad_water_vapor"].values, d["rad_wet_tropo_cor"].values
    np.testing.assert_allclose(wet[sea], -0.0064 * wv[sea], atol=3e-4)
    assert np.isnan(wet[land]).all()


def test_manifests_list_the_measurement_files(s6_entries, built):
    for key, files in built.items():
        root = ET.fromstring(files["xfdumanifest.xml"])
        streams = root.iter("byteStream")
        listed = {
            s.find("fileLocation").get("href").removeprefix("./"): (
                int(s.get("size")),
                s.find("checksum").text,
            )
            for s in streams
        }
        nc = {n: d for n, d in files.items() if n.endswith(".nc")}
        assert listed == {
            n: (len(d), hashlib.md5(d, usedforsecurity=False).hexdigest()) for n, d in nc.items()
        }
        assert s6_entries[key].name in files["xfdumanifest.xml"].decode()
        ET.fromstring(files["manifest.safe"])
        eop = ET.fromstring(files["EOPMetadata.xml"])
        assert eop.tag.endswith("EarthObservation")


def test_name_is_checked(s6_entries):
    entry = copy.copy(next(iter(s6_entries.values())))
    entry.name = "S3A_OL_1_EFR____x.SEN3"
    with pytest.raises(ValueError, match="Sentinel-6 SEN6 product name expected"):
        sentinel6.measurement_names(entry)
