"""CAMS writer: a netCDF as ECMWF disseminates CAMS (CF-1.6, int16 packed fields named by GRIB
short names on a global latitude/longitude grid, hours since 1900), the same bytes every time,
and values of the right magnitude where the synthetic Earth puts them."""

from __future__ import annotations

import io

import numpy as np
import pytest

from cdse_intake.emulator.products import BUILDERS, cams
from cdse_intake.emulator.records.table import table_entries

h5py = pytest.importorskip("h5py")
xr = pytest.importorskip("xarray")


@pytest.fixture(scope="module")
def entries():
    found = {}
    for entry in table_entries(2026, 1.0):
        if entry.collection == "CAMS":
            found.setdefault(entry.product_type, entry)
    assert set(found) == {"GLOBAL", "GFAS"}
    return found


def _open(entry):
    files = BUILDERS["cams"](entry)
    assert BUILDERS["cams"].single_file and list(files) == [entry.name]
    return files[entry.name]


@pytest.mark.parametrize("kind", ["GLOBAL", "GFAS"])
def test_structure_as_ecmwf_netcdf(entries, kind):
    entry = entries[kind]
    data = _open(entry)
    assert data.startswith(b"\x89HDF\r\n\x1a\n") and len(data) < 1_500_000
    with h5py.File(io.BytesIO(data)) as f:
        assert f.attrs["Conventions"] in (b"CF-1.6", "CF-1.6")
        expected = (
            ["aod550", "gtco3", "tcno2", "tcco"]
            if kind == "GLOBAL"
            else ["frpfire", "co2fire", "cofire", "pm2p5fire"]
        )
        assert [k for k in f if k not in ("longitude", "latitude", "time")] == expected
        var = f[expected[0]]
        assert var.dtype == np.int16 and var.attrs["_FillValue"][0] == -32767
        assert var.shape == (len(cams.steps(entry)), 181, 360)
        assert f["time"].attrs["units"] in (b"hours since 1900-01-01 00:00:00.0",
                                             "hours since 1900-01-01 00:00:00.0")  # fmt: skip
    ds = xr.open_dataset(io.BytesIO(data), engine="h5netcdf")
    assert ds.latitude.values[0] == 90 and ds.latitude.values[-1] == -90
    assert ds.longitude.values[0] == 0 and ds.longitude.values[-1] == 359
    assert ds.time.values[0] == np.datetime64(entry.start.replace(tzinfo=None, microsecond=0))
    for name, values in cams.fields(entry).items():
        step = float(ds[name].encoding["scale_factor"])
        np.testing.assert_allclose(ds[name].values, values, atol=step)
        assert ds[name].attrs["units"] == cams.LONG_NAMES[name][0]


def test_values_plausible(entries):
    glob = cams.fields(entries["GLOBAL"])
    assert 0.03 < glob["aod550"].mean() < 0.5
    ozone_du = glob["gtco3"] / 2.1415e-5
    assert ozone_du.min() > 220 and ozone_du.max() < 500
    assert ozone_du[:, 0].mean() > ozone_du[:, 90].mean()  # more ozone at the pole
    assert 1e-6 < glob["tcno2"].mean() < 1e-5 and 4e-4 < glob["tcco"].mean() < 2e-3
    fire = cams.fields(entries["GFAS"])
    assert (fire["frpfire"] >= 0).all() and fire["frpfire"].max() > 0
    assert (fire["frpfire"] > 0).mean() < 0.2  # fires are local
    np.testing.assert_allclose(fire["co2fire"], fire["frpfire"] * 1.6e-6)


def test_deterministic(entries):
    for entry in entries.values():
        assert _open(entry) == _open(entry)


def test_bad_entry_is_refused(entries):
    import copy

    bad = copy.copy(entries["GLOBAL"])
    bad.name = bad.name.replace(".nc", ".grib")
    with pytest.raises(ValueError, match="netCDF"):
        cams.build_cams(bad)
