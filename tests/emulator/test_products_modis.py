"""TerraAqua MODIS writer: HDF-EOS2 grid files (HDF4) with the real SDS names, types and
attributes of MCD43A4/MCD15A2H/MCD12Q1/MCD64A1, a StructMetadata.0 describing the name's
sinusoidal tile, the same bytes every time, the synthetic Earth in the values, and the
emulator serving them as single files."""

from __future__ import annotations

import copy
import hashlib
import re

import numpy as np
import pytest

from cdse_intake.emulator.payloads import deliverable
from cdse_intake.emulator.products import BUILDERS, modis
from cdse_intake.emulator.records.table import table_entries

from .test_download_support import bearer, fetch, value_url

SD = pytest.importorskip("pyhdf.SD")

#: The SDSs of each product type, in file order, with their HDF type and fill value.
EXPECTED = {
    "MCD43A4": [(f"BRDF_Albedo_Band_Mandatory_Quality_Band{b}", "uint8", 255) for b in range(1, 8)]
    + [(f"Nadir_Reflectance_Band{b}", "int16", 32767) for b in range(1, 8)],
    "MCD15A2H": [(n, "uint8", 255) for n in ("Fpar_500m", "Lai_500m", "FparLai_QC",
                                             "FparExtra_QC", "FparStdDev_500m", "LaiStdDev_500m")],
    "MCD12Q1": [(n, "uint8", 255) for n in (
        "LC_Type1", "LC_Type2", "LC_Type3", "LC_Type4", "LC_Type5", "LC_Prop1_Assessment",
        "LC_Prop2_Assessment", "LC_Prop3_Assessment", "LC_Prop1", "LC_Prop2", "LC_Prop3", "QC",
        "LW")],
    "MCD64A1": [("Burn Date", "int16", -1), ("Burn Date Uncertainty", "uint8", 0),
                ("QA", "uint8", None), ("First Day", "int16", -1), ("Last Day", "int16", -1)],
}  # fmt: skip
SCALES = {"Nadir_Reflectance_Band1": 0.0001, "Fpar_500m": 0.01, "Lai_500m": 0.1}
GRIDS = {"MCD43A4": "MOD_Grid_BRDF", "MCD15A2H": "MOD_Grid_MOD15A2H", "MCD12Q1": "MCD12Q1",
         "MCD64A1": "MOD_Grid_Monthly_500m_DB_BA"}  # fmt: skip


@pytest.fixture(scope="module")
def entries():
    found = {}
    for entry in table_entries(2026, 1.0):
        if entry.collection == "TERRAAQUA":
            found.setdefault(entry.product_type.split(".")[0], entry)
    assert set(found) == set(EXPECTED)
    return found


def _write(entry, folder):
    files = BUILDERS["modis"](entry)
    assert BUILDERS["modis"].single_file and list(files) == [entry.name]
    path = folder / entry.name
    path.write_bytes(files[entry.name])
    return path


def _struct(text: str) -> dict[str, str]:
    return dict(re.findall(r"^\s*(\w+)=(.*)$", text, re.M))


@pytest.mark.parametrize("short", sorted(EXPECTED))
def test_sds_and_metadata_as_lp_daac_files(entries, short, tmp_path):
    entry = entries[short]
    path = _write(entry, tmp_path)
    assert path.read_bytes()[:4] == b"\x0e\x03\x13\x01"  # HDF4
    sd = SD.SD(str(path))
    try:
        datasets = sd.datasets()
        order = sorted(datasets, key=lambda n: datasets[n][3])
        assert order == [name for name, _, _ in EXPECTED[short]]
        for name, dtype, fill in EXPECTED[short]:
            sds = sd.select(name)
            attrs = sds.attributes()
            assert sds.get().dtype == np.dtype(dtype)
            assert attrs.get("_FillValue") == fill
            assert "long_name" in attrs and "units" in attrs and len(attrs["valid_range"]) == 2
            if name in SCALES:
                assert attrs["scale_factor"] == pytest.approx(SCALES[name])
                assert attrs["add_offset"] == 0
            assert list(sds.dimensions()) == [f"YDim:{GRIDS[short]}", f"XDim:{GRIDS[short]}"]
            assert sds.get().shape == (modis.SIZE, modis.SIZE)
        texts = sd.attributes()
    finally:
        sd.end()
    struct = _struct(texts["StructMetadata.0"])
    assert struct["GridName"] == f'"{GRIDS[short]}"' and struct["Projection"] == "GCTP_SNSOID"
    assert struct["XDim"] == struct["YDim"] == str(modis.SIZE)
    assert struct["ProjParams"] == "(6371007.181000,0,0,0,0,0,0,0,0,0,0,0,0)"
    assert struct["SphereCode"] == "-1" and struct["GridOrigin"] == "HDFE_GD_UL"
    fields = re.findall(r'DataFieldName="([^"]+)"', texts["StructMetadata.0"])
    assert fields == [name for name, _, _ in EXPECTED[short]]
    core = texts["CoreMetadata.0"]
    for key, value in (("LOCALGRANULEID", f'"{entry.name}"'), ("SHORTNAME", f'"{short}"'),
                       ("VERSIONID", "61")):  # fmt: skip
        assert re.search(rf"OBJECT\s+= {key}\n(?:.*\n)*?\s+VALUE\s+= {re.escape(value)}\n", core)
    assert "RANGEBEGINNINGDATE" in core and "RANGEENDINGDATE" in core
    assert "NORTHBOUNDINGCOORDINATE" in texts["ArchiveMetadata.0"]


def test_tile_corners_follow_the_modis_grid(entries, tmp_path):
    entry = copy.copy(entries["MCD43A4"])
    entry.name = re.sub(r"\.h\d\dv\d\d\.", ".h18v04.", entry.name)
    sd = SD.SD(str(_write(entry, tmp_path)))
    struct = _struct(sd.attributes()["StructMetadata.0"])
    sd.end()
    # LP DAAC's h18v04: UpperLeftPointMtrs=(0.000000,5559752.598333)
    assert struct["UpperLeftPointMtrs"] == "(0.000000,5559752.598333)"
    assert struct["LowerRightMtrs"] == "(1111950.519667,4447802.078667)"
    size = 10007554.677 / 9  # the tile: Y_MAX / 9, x from -18 tiles
    for h, v in ((0, 0), (35, 17), (19, 4)):
        tile = modis.tile_of(f"X.A2023001.h{h:02d}v{v:02d}.061.1.hdf", modis.SIZE)
        assert tile.upper_left == pytest.approx((-20015109.354 + h * size, 10007554.677 - v * size))
        assert tile.lower_right[0] - tile.upper_left[0] == pytest.approx(size)


def test_deterministic(entries):
    for entry in entries.values():
        first = BUILDERS["modis"](entry)[entry.name]
        modis._values.cache_clear()
        assert BUILDERS["modis"](entry)[entry.name] == first
        assert len(first) < 1_500_000


def test_values_earthlike(entries):
    from cdse_intake.emulator.products._modis_grid import lonlat
    from cdse_intake.emulator.scene import is_land

    entry = entries["MCD43A4"]  # h19v04: central Europe and the Adriatic
    assert entry.name.split(".")[2] == "h19v04"
    values = modis.tile_values(entry)
    x, y = modis.tile_of(entry.name, modis.SIZE).centres()
    lon, lat, inside = lonlat(*np.meshgrid(x, y))
    land = is_land(lon, lat) & inside
    red = values["Nadir_Reflectance_Band1"]
    assert land.mean() > 0.5 and (~land & inside).any()
    assert ((red[land] >= 0) & (red[land] <= 10000)).all()  # reflectance 0..1
    nir = values["Nadir_Reflectance_Band2"][land] * 1e-4
    assert 0.05 < np.median(nir) < 0.6
    sea = ~land & inside
    assert (red[sea] == 32767).mean() > 0.9  # water pixels: fill
    assert (values["BRDF_Albedo_Band_Mandatory_Quality_Band1"][sea] == 255).mean() > 0.9

    lai = modis.tile_values(entries["MCD15A2H"])
    fpar, codes = lai["Fpar_500m"], lai["Lai_500m"]
    vegetated = fpar <= 100
    assert vegetated.any() and (codes[vegetated] <= 100).all()
    assert set(np.unique(fpar[~vegetated])) <= {250, 252, 253, 254, 255}

    cover = modis.tile_values(entries["MCD12Q1"])
    igbp, lw = cover["LC_Type1"], cover["LW"]
    assert set(np.unique(igbp)) <= {1, 2, 4, 5, 9, 10, 12, 13, 15, 16, 17, 255}
    np.testing.assert_array_equal(igbp == 17, lw == 1)

    burns = modis.tile_values(entries["MCD64A1"])["Burn Date"]
    assert set(np.unique(burns)) <= {-2, -1, 0} | set(range(1, 367))


def test_burns_are_sparse_and_in_the_month(entries):
    burned_any = False
    for entry in table_entries(2026, 1.0):
        if entry.product_type != "MCD64A1.061":
            continue
        _, day = modis.name_date(entry.name)
        dates = modis.tile_values(entry)["Burn Date"]
        burned = dates > 0
        assert burned.mean() < 0.1
        if burned.any():
            burned_any = True
            doy = dates[burned]
            first = day.replace(day=1).timetuple().tm_yday
            assert doy.min() >= first and doy.max() <= first + 30
    assert burned_any


def test_bad_entry_is_refused(entries):
    bad = copy.copy(entries["MCD64A1"])
    bad.name = bad.name.replace(".hdf", ".h5")
    with pytest.raises(ValueError, match="MODIS"):
        modis.build_modis(bad)


def test_the_emulator_serves_the_hdf_file():
    from cdse_intake.emulator.server import Emulator

    with Emulator(seed=2026, scale=0.02, deliver="all") as emu:
        entry = next(e for e in emu.catalogue if e.family == "modis" and deliverable(e))
        reply = fetch(value_url(emu, entry), headers=bearer(emu))
        assert reply.status == 200
        assert reply.body == BUILDERS["modis"](entry)[entry.name]  # the file, not a zip
        assert entry.content_length == len(reply.body)
        assert entry.md5 == hashlib.md5(reply.body).hexdigest()
