"""SMOS products (MIR_SMUDP2, MIR_OSUDP2, MIR_SC_F1B): Earth Explorer ``.HDR`` + ``.DBL``.

Real (a real MIR_SMUDP2 header, in ARGANS' smos-tools): the product folder ``<Name>/`` holds
``<Name>.HDR``, an XML ``Earth_Explorer_Header`` (``Fixed_Header``: file name, description,
mission, class, type, validity period, version, source; ``Variable_Header``: the main product
header with the orbit information, and the specific product header with time and location
information, the header and data block sizes and schemas, and ``List_of_Data_Sets``: the
auxiliary files used (type ``R``) and the measurement data set (type ``M``) with its size, record
count, record size and byte order) and ``<Name>.DBL``, the binary data block (little-endian;
layouts in :mod:`._smos_records`). Reduced: a patch of grid points around the site instead of a
half orbit (:mod:`._smos_values`); the OS and L1C headers follow the SM one (inferred), as do
the auxiliary file names.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

from . import Builder
from ._smos_records import BT_DTYPE, L1C_POINT, OS_DTYPE, SM_DTYPE, SNAPSHOT_DTYPE, utc
from ._smos_values import MISSING, Patch, patch

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["DESCRIPTIONS", "FAMILY_BUILDERS", "build_smos", "data_block", "l1c_counter"]

DESCRIPTIONS = {
    "MIR_SMUDP2": ("L2 Soil Moisture Output User Data Product", "SM_SWATH", "L2PP"),
    "MIR_OSUDP2": ("L2 Ocean Salinity Output User Data Product", "OS_SWATH", "L2OP"),
    "MIR_SC_F1B": ("L1C Full Polarisation Science Measurements", "L1C_SWATH", "L1PP"),
}
_NS = "http://193.146.123.163/smos/schemas"  # as the real header has it
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_AUX = (
    ("DGG_XYZ_FILE", "AUX_DGGXYZ_20050101T000000_20500101T000000_001_004_3"),
    ("ECMWF_FILE", "AUX_ECMWF__{start}_{stop}_318_001_3"),
    ("BULLETIN_B_FILE", "AUX_BULL_B_{day}T000000_{day}T235959_120_001_3"),
    ("LAND_COVER_CLASSES_FILE", "AUX_LANDCL_20050101T000000_20500101T000000_001_005_3"),
)


def build_smos(entry: Entry) -> dict[str, bytes]:
    """The product's two files, ``<Name>.HDR`` and ``<Name>.DBL``."""
    if entry.product_type not in DESCRIPTIONS or not entry.name.startswith("SM_"):
        raise ValueError(f"SMOS MIR_SMUDP2/MIR_OSUDP2/MIR_SC_F1B expected, got {entry.name!r}")
    view = patch(entry.extra["lon"], entry.extra["lat"], entry.start)
    dbl, count, record = data_block(entry.product_type, view, entry.start)
    return {f"{entry.name}.HDR": _header(entry, view, len(dbl), count, record, dbl),
            f"{entry.name}.DBL": dbl}  # fmt: skip


def data_block(product_type: str, view: Patch, start: datetime) -> tuple[bytes, int, int]:
    """The DBL's bytes, its record count and record size (0 when records vary)."""
    n = view.ids.size
    if product_type == "MIR_SMUDP2":
        rec = np.zeros(n, SM_DTYPE)
        rec["Grid_Point_ID"], rec["Latitude"], rec["Longitude"] = view.ids, view.lat, view.lon
        rec["Altitude"] = view.altitude
        for i, t in enumerate(view.times):
            rec["Mean_Acq_Time"][i] = utc(t)
        res = rec["Retrieval_Results_Data"]
        res["Soil_Moisture"] = view.soil_moisture
        res["Soil_Moisture_DQX"] = np.where(view.land, 0.04, MISSING)
        res["Optical_Thickness_Nad"] = view.optical_thickness
        res["Optical_Thickness_Nad_DQX"] = np.where(view.land, 0.05, MISSING)
        res["Surface_Temperature"] = view.surface_temperature
        tb_h = np.where(view.land, 0.9 - 0.6 * np.clip(view.soil_moisture, 0, 0.5), 0.33)
        res["TB_ASL_Theta_B_H"] = tb_h * view.surface_temperature
        res["TB_ASL_Theta_B_V"] = np.minimum(tb_h + 0.12, 0.98) * view.surface_temperature
        res["TB_TOA_Theta_B_H"] = res["TB_ASL_Theta_B_H"] + 2.5
        res["TB_TOA_Theta_B_V"] = res["TB_ASL_Theta_B_V"] + 2.5
        for name in ("TTH", "RTT", "Scattering_Albedo_H", "DIFF_Albedos", "Roughness_Param"):
            res[name] = np.where(view.land, 0.1, MISSING)
        # science flags: FL_OW (bit 5) on the sea, FL_NOMINAL (bit 10) on land
        rec["Science_Descriptors_Data"]["Science_Flags"] = np.where(view.land, 1 << 10, 1 << 5)
        rec["Confidence_Descriptors_Data"]["GQX"] = np.where(view.land, 8, 0)
        rec["X_Swath"] = (np.arange(n) % 24) * 20
        return np.array([n], "<u4").tobytes() + rec.tobytes(), n, SM_DTYPE.itemsize
    if product_type == "MIR_OSUDP2":
        rec = np.zeros(n, OS_DTYPE)
        grid = rec["Grid_Point_Data"]
        grid["Grid_Point_ID"], grid["Latitude"], grid["Longitude"] = view.ids, view.lat, view.lon
        geo = rec["Geophysical_Parameters_Data"]
        geo["Equiv_ftprt_diam"] = 42_000.0
        epoch = datetime(2000, 1, 1, tzinfo=start.tzinfo)
        geo["Mean_acq_time"] = [(t - epoch) / timedelta(days=1) for t in view.times]
        for k in (1, 2, 3):
            geo[f"SSS{k}"] = np.where(view.land, MISSING, view.sss + 0.05 * (k - 2))
            geo[f"Sigma_SSS{k}"] = np.where(view.land, MISSING, 0.6)
        geo["A_card"] = np.where(view.land, MISSING, 47.0 + 0.1 * view.sss)
        geo["WS"], geo["SST"] = view.wind, view.sst
        geo["Tb_42_5H"] = np.where(view.land, MISSING, 96.0 + 0.5 * view.wind)
        geo["Tb_42_5V"] = np.where(view.land, MISSING, 125.0 + 0.3 * view.wind)
        rec["Science_Flags_1"] = np.where(view.land, 0b11, 0)  # land_sea_coast1/2
        rec["Product_Confidence_Descriptors"]["Dg_num_meas_l1c"] = 120
        return np.array([n], "<u4").tobytes() + rec.tobytes(), n, OS_DTYPE.itemsize
    return _l1c(view, start), n, 0


def l1c_counter(index: np.ndarray) -> np.ndarray:
    """BT_Data_Counter of grid points (by index): 8 to 19 measurements."""
    return (8 + (np.asarray(index) * 7) % 12).astype(np.uint8)


def _l1c(view: Patch, start: datetime) -> bytes:
    snaps = np.zeros(20, SNAPSHOT_DTYPE)
    for i in range(snaps.size):
        snaps["Snapshot_Time"][i] = utc(start + timedelta(seconds=1.2 * i))
    snaps["Snapshot_ID"] = 100_000 + np.arange(snaps.size)
    snaps["Snapshot_OBET"] = 2**40 + np.arange(snaps.size) * 78643
    snaps["Position"] = [7_130_000.0, 0.0, 0.0]
    snaps["Velocity"] = [0.0, 0.0, 7450.0]
    snaps["Q0"], snaps["TEC"] = 1.0, 12.0
    parts = [np.array([snaps.size], "<u4").tobytes(), snaps.tobytes()]
    parts.append(np.array([view.ids.size], "<u4").tobytes())
    counters = l1c_counter(np.arange(view.ids.size))
    for i, count in enumerate(counters):
        head = np.zeros(1, L1C_POINT)
        head["Grid_Point_ID"], head["Latitude"], head["Longitude"] = (
            view.ids[i],
            view.lat[i],
            view.lon[i],
        )
        head["Altitude"], head["Grid_Point_Mask"] = view.altitude[i], int(view.land[i])
        head["BT_Data_Counter"] = count
        bt = np.zeros(count, BT_DTYPE)
        k = np.arange(count)
        incidence = 5.0 + 50.0 * k / max(count - 1, 1)
        pol = k % 3  # 0 XX, 1 YY, 2 XY
        emissivity = 0.9 - 0.6 * max(view.soil_moisture[i], 0) if view.land[i] else 0.35
        temp = view.surface_temperature[i]
        x = emissivity * temp * (1 - 0.15 * np.sin(np.radians(incidence)))
        y = np.minimum(emissivity + 0.1 * np.sin(np.radians(incidence)), 0.98) * temp
        bt["Flags"] = pol
        bt["BT_Value_Real"] = np.where(pol == 0, x, np.where(pol == 1, y, 1.5))
        bt["BT_Value_Imag"] = np.where(pol == 2, -0.8, 0.0)
        bt["Pixel_Radiometric_Accuracy"] = round(2.5 / 50 * 2**16)
        bt["Incidence_Angle"] = np.rint(incidence / 90 * 2**16)
        bt["Azimuth_Angle"] = np.rint((37.0 * k % 360) / 360 * 2**16)
        bt["Snapshot_ID_of_Pixel"] = 100_000 + k
        bt["Footprint_Axis1"] = bt["Footprint_Axis2"] = round(40 / 100 * 2**16)
        parts += [head.tobytes(), bt.tobytes()]
    return b"".join(parts)


def _utc_text(when: datetime, micro: bool = False) -> str:
    return "UTC=" + when.strftime("%Y-%m-%dT%H:%M:%S" + (".%f" if micro else ""))


def _header(entry: Entry, view: Patch, size: int, count: int, record: int, dbl: bytes) -> bytes:
    description, ds_name, creator = DESCRIPTIONS[entry.product_type]
    version = entry.name.split("_")[-3]
    start, stop = entry.start, entry.end
    day = f"{start:%Y%m%d}"
    stamps = {"start": f"{start:%Y%m%dT%H%M%S}", "stop": f"{stop:%Y%m%dT%H%M%S}", "day": day}
    aux = [(name, "SM_OPER_" + file.format(**stamps)) for name, file in _AUX]
    datasets = [(n, "R", 0, 0, f, 0, 0, "0000") for n, f in aux]
    datasets.append((ds_name, "M", size, 0, "", count, record, "0123"))
    data_set_xml = "".join(
        f"""
        <Data_Set>
          <DS_Name>{name:<30}</DS_Name>
          <DS_Type>{kind}</DS_Type>
          <DS_Size>{ds_size:010d}</DS_Size>
          <DS_Offset>{offset:010d}</DS_Offset>
          <Ref_Filename>{ref:<60}</Ref_Filename>
          <Num_DSR>{num:010d}</Num_DSR>
          <DSR_Size>{dsr:08d}</DSR_Size>
          <Byte_Order>{order}</Byte_Order>
        </Data_Set>"""
        for name, kind, ds_size, offset, ref, num, dsr, order in datasets
    )
    orbit = 1 + int((start - datetime(2010, 1, 12, tzinfo=start.tzinfo)).days * 14.35)
    schema = f"SM_XXXX_{entry.product_type}_0400"
    root = (
        f'<Earth_Explorer_Header xmlns="{_NS}" xmlns:xsi="{_XSI}" '
        f'xsi:schemaLocation="{_NS} HDR_{schema}.xsd">'
    )
    template = f"""{root}

  <Fixed_Header>
    <File_Name>{entry.name}</File_Name>
    <File_Description>{description}</File_Description>
    <Notes> </Notes>
    <Mission>SMOS</Mission>
    <File_Class>{entry.name[3:7]}</File_Class>
    <File_Type>{entry.product_type}</File_Type>
    <Validity_Period>
      <Validity_Start>{_utc_text(start)}</Validity_Start>
      <Validity_Stop>{_utc_text(stop)}</Validity_Stop>
    </Validity_Period>
    <File_Version>0001</File_Version>
    <Source>
      <System>DPGS</System>
      <Creator>{creator}</Creator>
      <Creator_Version>{version}</Creator_Version>
      <Creation_Date>{_utc_text(entry.origin)}</Creation_Date>
    </Source>
  </Fixed_Header>

  <Variable_Header>
    <Main_Product_Header>
      <Ref_Doc>SO-TN-IDR-GS-0006</Ref_Doc>
      <Acquisition_Station>SVLD</Acquisition_Station>
      <Processing_Centre>ESAC</Processing_Centre>
      <Logical_Proc_Centre>SME</Logical_Proc_Centre>
      <Orbit_Information>
        <Phase>+001</Phase>
        <Cycle>{1 + orbit // 2075:+04d}</Cycle>
        <Rel_Orbit>{orbit % 2075:+06d}</Rel_Orbit>
        <Abs_Orbit>{orbit:+06d}</Abs_Orbit>
        <Vector_Source>FP</Vector_Source>
      </Orbit_Information>
      <Product_Confidence>NOMINAL</Product_Confidence>
    </Main_Product_Header>
    <Specific_Product_Header>
      <Main_Info>
        <SPH_Descriptor>{entry.product_type}_SPH</SPH_Descriptor>
        <Time_Info>
          <Precise_Validity_Start>{_utc_text(start, True)}</Precise_Validity_Start>
          <Precise_Validity_Stop>{_utc_text(stop, True)}</Precise_Validity_Stop>
          <Abs_Orbit_Start>{orbit:+06d}</Abs_Orbit_Start>
          <Abs_Orbit_Stop>{orbit + 1:+06d}</Abs_Orbit_Stop>
          <Ascending_Flag>A</Ascending_Flag>
          <Polarisation_Flag>F</Polarisation_Flag>
        </Time_Info>
        <Checksum>{zlib.crc32(dbl):010d}</Checksum>
        <Header_Schema>HDR_{schema}.xsd</Header_Schema>
        <Datablock_Schema>DBL_{schema}.binXschema.xml</Datablock_Schema>
        <Header_Size>HEADER</Header_Size>
        <Datablock_Size>{size:011d}</Datablock_Size>
        <HW_Identifier>xxxx</HW_Identifier>
      </Main_Info>
      <L2_Product_Location>
        <Start_Lat unit="deg">{view.lat.min():+011.6f}</Start_Lat>
        <Start_Long unit="deg">{view.lon[np.argmin(view.lat)]:+011.6f}</Start_Long>
        <Stop_Lat unit="deg">{view.lat.max():+011.6f}</Stop_Lat>
        <Stop_Long unit="deg">{view.lon[np.argmax(view.lat)]:+011.6f}</Stop_Long>
      </L2_Product_Location>
      <List_of_Data_Sets count="{len(datasets)}">{data_set_xml}
      </List_of_Data_Sets>
    </Specific_Product_Header>
  </Variable_Header>

</Earth_Explorer_Header>
"""
    size_text = f"{len(template.encode()) - len('HEADER') + 6:06d}"
    return template.replace("HEADER", size_text, 1).encode()


FAMILY_BUILDERS = {"smos": Builder(build_smos)}
