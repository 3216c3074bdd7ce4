"""SMOS writer: Earth Explorer products (``<Name>.HDR`` XML header + ``<Name>.DBL`` binary
block) whose header describes the data block exactly (sizes, record count and size), whose
records have ESA's layouts, the same bytes every time, and the synthetic Earth in their values
(soil moisture on land only, salinity on the sea only)."""

from __future__ import annotations

import copy
from datetime import date

import numpy as np
import pytest

from cdse_intake.emulator.products import BUILDERS, smos
from cdse_intake.emulator.products._smos_records import (
    BT_DTYPE,
    L1C_POINT,
    OS_DTYPE,
    SM_DTYPE,
    SNAPSHOT_DTYPE,
)
from cdse_intake.emulator.products._smos_values import patch
from cdse_intake.emulator.records.table import table_entries

ET = pytest.importorskip("defusedxml.ElementTree")
NS = "{http://193.146.123.163/smos/schemas}"
TYPES = ["MIR_SMUDP2", "MIR_OSUDP2", "MIR_SC_F1B"]


@pytest.fixture(scope="module")
def entries():
    found = {}
    for entry in table_entries(2026, 1.0):
        if entry.collection == "SMOS":
            found.setdefault(entry.product_type, entry)
    assert set(found) == set(TYPES)
    return found


def _files(entry):
    files = BUILDERS["smos"](entry)
    assert not BUILDERS["smos"].single_file
    assert sorted(files) == [f"{entry.name}.DBL", f"{entry.name}.HDR"]
    return ET.fromstring(files[f"{entry.name}.HDR"]), files[f"{entry.name}.DBL"], files


@pytest.mark.parametrize("kind", TYPES)
def test_header_describes_the_data_block(entries, kind):
    entry = entries[kind]
    root, dbl, files = _files(entry)
    assert root.tag == f"{NS}Earth_Explorer_Header"
    fixed = root.find(f"{NS}Fixed_Header")
    assert [c.tag.removeprefix(NS) for c in fixed] == [
        "File_Name", "File_Description", "Notes", "Mission", "File_Class", "File_Type",
        "Validity_Period", "File_Version", "Source",
    ]  # fmt: skip
    assert fixed.findtext(f"{NS}File_Name") == entry.name
    assert fixed.findtext(f"{NS}File_Type") == kind
    assert fixed.findtext(f"{NS}Validity_Period/{NS}Validity_Start") == (
        f"UTC={entry.start:%Y-%m-%dT%H:%M:%S}"
    )
    info = root.find(f"{NS}Variable_Header/{NS}Specific_Product_Header/{NS}Main_Info")
    assert int(info.findtext(f"{NS}Header_Size")) == len(files[f"{entry.name}.HDR"])
    assert int(info.findtext(f"{NS}Datablock_Size")) == len(dbl)
    datasets = root.findall(f".//{NS}List_of_Data_Sets/{NS}Data_Set")
    measurement = [d for d in datasets if d.findtext(f"{NS}DS_Type") == "M"]
    assert len(measurement) == 1 and len(datasets) > 1
    m = measurement[0]
    assert int(m.findtext(f"{NS}DS_Size")) == len(dbl) and m.findtext(f"{NS}Byte_Order") == "0123"
    count = int(np.frombuffer(dbl, "<u4", 1)[0])
    if kind != "MIR_SC_F1B":
        record = {"MIR_SMUDP2": SM_DTYPE, "MIR_OSUDP2": OS_DTYPE}[kind].itemsize
        assert int(m.findtext(f"{NS}Num_DSR")) == count
        assert int(m.findtext(f"{NS}DSR_Size")) == record == (223 if kind == "MIR_SMUDP2" else 190)
        assert len(dbl) == 4 + count * record


def test_soil_moisture_on_land_only(entries):
    entry = entries["MIR_SMUDP2"]
    _, dbl, _ = _files(entry)
    rec = np.frombuffer(dbl, SM_DTYPE, offset=4)
    view = patch(entry.extra["lon"], entry.extra["lat"], entry.start)
    np.testing.assert_array_equal(rec["Grid_Point_ID"], view.ids)
    assert abs(rec["Latitude"].mean() - min(max(entry.extra["lat"], -80), 80)) < 0.2
    sm = rec["Retrieval_Results_Data"]["Soil_Moisture"]
    assert ((sm == -999) == ~view.land).all()
    if view.land.any():
        assert sm[view.land].min() >= 0.02 and sm[view.land].max() <= 0.5
    tb = rec["Retrieval_Results_Data"]["TB_ASL_Theta_B_H"]
    assert (tb > 50).all() and (tb < 330).all()
    days = rec["Mean_Acq_Time"]["Days"]
    assert (days == [(t.date() - date(2000, 1, 1)).days for t in view.times]).all()


def test_salinity_on_sea_only(entries):
    entry = entries["MIR_OSUDP2"]
    _, dbl, _ = _files(entry)
    rec = np.frombuffer(dbl, OS_DTYPE, offset=4)
    view = patch(entry.extra["lon"], entry.extra["lat"], entry.start)
    sss = rec["Geophysical_Parameters_Data"]["SSS1"]
    assert ((sss == -999) == view.land).all()
    if (~view.land).any():
        assert sss[~view.land].min() > 30 and sss[~view.land].max() < 40


def test_l1c_ragged_records(entries):
    entry = entries["MIR_SC_F1B"]
    _, dbl, _ = _files(entry)
    snapshots = int(np.frombuffer(dbl, "<u4", 1)[0])
    at = 4 + snapshots * SNAPSHOT_DTYPE.itemsize
    points = int(np.frombuffer(dbl, "<u4", 1, at)[0])
    at += 4
    for i in range(points):
        head = np.frombuffer(dbl, L1C_POINT, 1, at)[0]
        assert head["BT_Data_Counter"] == smos.l1c_counter(i)
        bts = np.frombuffer(dbl, BT_DTYPE, head["BT_Data_Counter"], at + L1C_POINT.itemsize)
        assert (bts["Flags"] & 3 <= 2).all() and (bts["BT_Value_Real"] > 0).all()
        at += L1C_POINT.itemsize + bts.nbytes
    assert at == len(dbl)


def test_deterministic_and_small(entries):
    for entry in entries.values():
        first = BUILDERS["smos"](entry)
        assert BUILDERS["smos"](entry) == first
        assert sum(len(v) for v in first.values()) < 1_000_000


def test_bad_entry_is_refused(entries):
    bad = copy.copy(entries["MIR_SMUDP2"])
    bad.product_type = "MIR_BWLF1C"
    with pytest.raises(ValueError, match="SMOS"):
        smos.build_smos(bad)
