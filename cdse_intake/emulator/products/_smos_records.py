"""The binary records of SMOS data blocks (``.DBL``, little-endian) and their values.

Layouts (numpy dtypes, field names as ESA's binX schemas name them):

- MIR_SMUDP2 (L2 soil moisture user data product, ``DBL_SM_XXXX_MIR_SMUDP2``): a uint32 count,
  then 223-byte grid point records: ID, latitude, longitude, altitude, mean acquisition time
  (UTC_Type: days, seconds, microseconds since 2000-01-01), the 32 retrieval results with their
  DQX (soil moisture, optical thickness, surface temperature, ..., TB at the surface and top of
  the atmosphere), confidence, science and processing descriptors, the DGG current data and the
  swath position. Real: the layout of ARGANS' smos-tools (v650 record of 223 bytes, the size a
  real HDR gives).
- MIR_OSUDP2 (L2 ocean salinity user data product): a uint32 count, then 190-byte records:
  ID, latitude, longitude, the 20 geophysical parameters (SSS1-3 with sigmas, A_card, wind
  speed, SST, TB at 42.5 degrees), 4 control flag words, the confidence descriptors, 4 science
  flag words. Real: smos-tools' layout.
- MIR_SC_F1B, written as an L1C full-polarisation swath (SCLF1C-like, inferred): a uint32
  snapshot count and snapshot records (time, id, OBET, position, velocity, vector source,
  attitude quaternion, TEC), then a uint32 grid point count and variable-length grid point
  records: ID, latitude, longitude, altitude, mask, ``BT_Data_Counter`` and that many 28-byte
  brightness temperature records (flags with the polarisation in bits 0-1, BT real and
  imaginary parts, and scaled uint16 radiometric accuracy, incidence, azimuth, Faraday and
  geometric rotation angles, snapshot id, footprint axes).

Values come from the synthetic Earth (:mod:`..scene`): soil moisture from the dryness of the
place and season, vegetation optical depth from NDVI, temperatures from the scene's surface
temperature; salinity and SST from latitude; sea gets the missing value -999 in SM fields,
land in OS fields.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

__all__ = ["BT_DTYPE", "L1C_POINT", "OS_DTYPE", "SM_DTYPE", "SNAPSHOT_DTYPE", "utc"]

_UTC = [("Days", "<i4"), ("Seconds", "<u4"), ("Microseconds", "<u4")]
_SM_RESULTS = []
for _name in [
    "Soil_Moisture",
    "Optical_Thickness_Nad",
    "Surface_Temperature",
    "TTH",
    "RTT",
    "Scattering_Albedo_H",
    "DIFF_Albedos",
    "Roughness_Param",
    "Dielect_Const_MD_RE",
    "Dielect_Const_MD_IM",
    "Dielect_Const_Non_MD_RE",
    "Dielect_Const_Non_MD_IM",
    "TB_ASL_Theta_B_H",
    "TB_ASL_Theta_B_V",
    "TB_TOA_Theta_B_H",
    "TB_TOA_Theta_B_V",
]:
    _SM_RESULTS += [(_name, "<f4"), (f"{_name}_DQX", "<f4")]
_U2 = "<u2"
SM_DTYPE = np.dtype(
    [
        ("Grid_Point_ID", "<u4"),
        ("Latitude", "<f4"),
        ("Longitude", "<f4"),
        ("Altitude", "<f4"),
        ("Mean_Acq_Time", _UTC),
        ("Retrieval_Results_Data", _SM_RESULTS),
        (
            "Confidence_Descriptors_Data",
            [("Confidence_Flags", _U2), ("GQX", "u1"), ("Chi_2", "u1"), ("Chi_2_P", "u1")]
            + [(n, _U2) for n in ("N_Wild", "M_AVA0", "M_AVA")]
            + [("AFP", "<f4")]
            + [
                (n, _U2)
                for n in [
                    "N_AF_FOV",
                    "N_Sun_Tails",
                    "N_Sun_Glint_Area",
                    "N_Sun_FOV",
                    "N_RFI_Mitigations",
                    "N_Strong_RFI",
                    "N_Point_Source_RFI",
                    "N_Tails_Point_Source_RFI",
                    "N_Software_Error",
                    "N_Instrument_Error",
                    "N_ADF_Error",
                    "N_Calibration_Error",
                    "N_X_Band",
                ]
            ],
        ),
        ("Science_Descriptors_Data", [("Science_Flags", "<u4"), ("N_Sky", _U2)]),
        (
            "Processing_Descriptors_Data",
            [("Processing_Flags", _U2), ("S_Tree_1", "u1"), ("S_Tree_2", "u1")],
        ),
        (
            "DGG_Current_Data",
            [
                ("DGG_Current_Flags", "u1"),
                ("Tau_Cur_DQX", "<f4"),
                ("HR_Cur_DQX", "<f4"),
                ("N_RFI_X", _U2),
                ("N_RFI_Y", _U2),
                ("RFI_Prob", "u1"),
            ],
        ),
        ("X_Swath", _U2),
    ]
)
_OS_GEO = [("Equiv_ftprt_diam", "<f4"), ("Mean_acq_time", "<f4")]
for _name in ("SSS1", "SSS2", "SSS3", "A_card"):
    _OS_GEO += [(_name, "<f4"), (f"Sigma_{_name}", "<f4")]
_OS_GEO += [("WS", "<f4"), ("SST", "<f4")]
for _pol in "HVXY":
    _OS_GEO += [(f"Tb_42_5{_pol}", "<f4"), (f"Sigma_Tb_42_5{_pol}", "<f4")]
_OS_CONF = [
    (n, _U2)
    for n in [
        "Dg_chi2_1",
        "Dg_chi2_2",
        "Dg_chi2_3",
        "Dg_chi2_Acard",
        "Dg_chi2_P_1",
        "Dg_chi2_P_2",
        "Dg_chi2_P_3",
        "Dg_chi2_P_Acard",
        "Dg_quality_SSS1",
        "Dg_quality_SSS2",
        "Dg_quality_SSS3",
        "Dg_quality_Acard",
    ]
]
_OS_CONF += [(f"Dg_num_iter_{i}", "u1") for i in range(1, 5)]
_OS_CONF += [
    (n, _U2)
    for n in [
        "Dg_num_meas_l1c",
        "Dg_num_meas_valid",
        "Dg_border_fov",
        "Dg_af_fov",
        "Dg_sun_tails",
        "Dg_sun_glint_area",
        "Dg_sun_glint_fov",
        "Dg_sun_fov",
        "Dg_sun_glint_L2",
        "Dg_Suspect_ice",
        "Dg_Galactic_Noise_Error",
        "Dg_sky",
        "Dg_moon_glint",
        "Dg_RFI_L1",
        "Dg_RFI_X",
        "Dg_RFI_Y",
        "Dg_RFI_probability",
    ]
]
_OS_CONF += [("X_swath", "<f4")]
OS_DTYPE = np.dtype(
    [
        ("Grid_Point_Data", [("Grid_Point_ID", "<u4"), ("Latitude", "<f4"), ("Longitude", "<f4")]),
        ("Geophysical_Parameters_Data", _OS_GEO),
        *[(f"Control_Flags_{i}", "<u4") for i in range(1, 5)],
        ("Product_Confidence_Descriptors", _OS_CONF),
        *[(f"Science_Flags_{i}", "<u4") for i in range(1, 5)],
    ]
)
SNAPSHOT_DTYPE = np.dtype(
    [
        ("Snapshot_Time", _UTC),
        ("Snapshot_ID", "<u4"),
        ("Snapshot_OBET", "<u8"),
        ("Position", "<f8", (3,)),
        ("Velocity", "<f8", (3,)),
        ("Vector_Source", "u1"),
        ("Q0", "<f8"),
        ("Q1", "<f8"),
        ("Q2", "<f8"),
        ("Q3", "<f8"),
        ("TEC", "<f8"),
    ]
)
L1C_POINT = np.dtype(
    [
        ("Grid_Point_ID", "<u4"),
        ("Latitude", "<f4"),
        ("Longitude", "<f4"),
        ("Altitude", "<f4"),
        ("Grid_Point_Mask", "u1"),
        ("BT_Data_Counter", "u1"),
    ]
)
BT_DTYPE = np.dtype(
    [
        ("Flags", _U2),
        ("BT_Value_Real", "<f4"),
        ("BT_Value_Imag", "<f4"),
        ("Pixel_Radiometric_Accuracy", _U2),
        ("Incidence_Angle", _U2),
        ("Azimuth_Angle", _U2),
        ("Faraday_Rotation_Angle", _U2),
        ("Geometric_Rotation_Angle", _U2),
        ("Snapshot_ID_of_Pixel", "<u4"),
        ("Footprint_Axis1", _U2),
        ("Footprint_Axis2", _U2),
    ]
)
assert SM_DTYPE.itemsize == 223, SM_DTYPE.itemsize
assert OS_DTYPE.itemsize == 190, OS_DTYPE.itemsize
assert BT_DTYPE.itemsize == 28, BT_DTYPE.itemsize


def utc(when: datetime) -> tuple[int, int, int]:
    """SMOS UTC_Type: days, seconds, microseconds since 2000-01-01 00:00 UTC."""
    delta = when - datetime(2000, 1, 1, tzinfo=UTC)
    return delta.days, delta.seconds, delta.microseconds
