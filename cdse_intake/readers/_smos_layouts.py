"""Binary layouts of SMOS data blocks (``.DBL``, little-endian), as numpy dtypes.

From ESA's binX schemas of the products (field names kept): the L2 soil moisture user data
product (``MIR_SMUDP2``, 223-byte grid point records), the L2 ocean salinity user data product
(``MIR_OSUDP2``, 190-byte records), each after a uint32 record count; and the L1C full
polarisation swath (``MIR_SC_F1B`` / ``MIR_SCLF1C``): a uint32 snapshot count and snapshot
records, then a uint32 grid point count and variable-length grid point records (an 18-byte head
with ``BT_Data_Counter``, then that many 28-byte brightness temperature records).
"""

from __future__ import annotations

import numpy as np

__all__ = ["BT", "L1C_HEAD", "OS", "SM", "SNAPSHOT", "TIME"]

TIME = [("Days", "<i4"), ("Seconds", "<u4"), ("Microseconds", "<u4")]


def _floats(names: str, dqx: str = "{}_DQX") -> list[tuple[str, str]]:
    out = []
    for name in names.split():
        out += [(name, "<f4"), (dqx.format(name), "<f4")]
    return out


def _u2(names: str) -> list[tuple[str, str]]:
    return [(name, "<u2") for name in names.split()]


SM = np.dtype(
    [
        ("Grid_Point_ID", "<u4"),
        ("Latitude", "<f4"),
        ("Longitude", "<f4"),
        ("Altitude", "<f4"),
        ("Mean_Acq_Time", TIME),
        (
            "Retrieval_Results_Data",
            _floats(
                "Soil_Moisture Optical_Thickness_Nad Surface_Temperature TTH RTT "
                "Scattering_Albedo_H DIFF_Albedos Roughness_Param Dielect_Const_MD_RE "
                "Dielect_Const_MD_IM Dielect_Const_Non_MD_RE Dielect_Const_Non_MD_IM "
                "TB_ASL_Theta_B_H TB_ASL_Theta_B_V TB_TOA_Theta_B_H TB_TOA_Theta_B_V"
            ),
        ),
        (
            "Confidence_Descriptors_Data",
            [
                ("Confidence_Flags", "<u2"),
                ("GQX", "u1"),
                ("Chi_2", "u1"),
                ("Chi_2_P", "u1"),
                *_u2("N_Wild M_AVA0 M_AVA"),
                ("AFP", "<f4"),
                *_u2(
                    "N_AF_FOV N_Sun_Tails N_Sun_Glint_Area N_Sun_FOV N_RFI_Mitigations "
                    "N_Strong_RFI N_Point_Source_RFI N_Tails_Point_Source_RFI N_Software_Error "
                    "N_Instrument_Error N_ADF_Error N_Calibration_Error N_X_Band"
                ),
            ],
        ),
        ("Science_Descriptors_Data", [("Science_Flags", "<u4"), ("N_Sky", "<u2")]),
        (
            "Processing_Descriptors_Data",
            [("Processing_Flags", "<u2"), ("S_Tree_1", "u1"), ("S_Tree_2", "u1")],
        ),
        (
            "DGG_Current_Data",
            [
                ("DGG_Current_Flags", "u1"),
                ("Tau_Cur_DQX", "<f4"),
                ("HR_Cur_DQX", "<f4"),
                *_u2("N_RFI_X N_RFI_Y"),
                ("RFI_Prob", "u1"),
            ],
        ),
        ("X_Swath", "<u2"),
    ]
)
OS = np.dtype(
    [
        ("Grid_Point_Data", [("Grid_Point_ID", "<u4"), ("Latitude", "<f4"), ("Longitude", "<f4")]),
        (
            "Geophysical_Parameters_Data",
            [
                ("Equiv_ftprt_diam", "<f4"),
                ("Mean_acq_time", "<f4"),
                *_floats("SSS1 SSS2 SSS3 A_card", "Sigma_{}"),
                ("WS", "<f4"),
                ("SST", "<f4"),
                *_floats("Tb_42_5H Tb_42_5V Tb_42_5X Tb_42_5Y", "Sigma_{}"),
            ],
        ),
        *[(f"Control_Flags_{i}", "<u4") for i in range(1, 5)],
        (
            "Product_Confidence_Descriptors",
            [
                *_u2(
                    "Dg_chi2_1 Dg_chi2_2 Dg_chi2_3 Dg_chi2_Acard Dg_chi2_P_1 Dg_chi2_P_2 "
                    "Dg_chi2_P_3 Dg_chi2_P_Acard Dg_quality_SSS1 Dg_quality_SSS2 "
                    "Dg_quality_SSS3 Dg_quality_Acard"
                ),
                *[(f"Dg_num_iter_{i}", "u1") for i in range(1, 5)],
                *_u2(
                    "Dg_num_meas_l1c Dg_num_meas_valid Dg_border_fov Dg_af_fov Dg_sun_tails "
                    "Dg_sun_glint_area Dg_sun_glint_fov Dg_sun_fov Dg_sun_glint_L2 "
                    "Dg_Suspect_ice Dg_Galactic_Noise_Error Dg_sky Dg_moon_glint Dg_RFI_L1 "
                    "Dg_RFI_X Dg_RFI_Y Dg_RFI_probability"
                ),
                ("X_swath", "<f4"),
            ],
        ),
        *[(f"Science_Flags_{i}", "<u4") for i in range(1, 5)],
    ]
)
SNAPSHOT = np.dtype(
    [
        ("Snapshot_Time", TIME),
        ("Snapshot_ID", "<u4"),
        ("Snapshot_OBET", "<u8"),
        ("Position", "<f8", (3,)),
        ("Velocity", "<f8", (3,)),
        ("Vector_Source", "u1"),
        *[(f"Q{i}", "<f8") for i in range(4)],
        ("TEC", "<f8"),
    ]
)
L1C_HEAD = np.dtype(
    [
        ("Grid_Point_ID", "<u4"),
        ("Latitude", "<f4"),
        ("Longitude", "<f4"),
        ("Altitude", "<f4"),
        ("Grid_Point_Mask", "u1"),
        ("BT_Data_Counter", "u1"),
    ]
)
BT = np.dtype(
    [
        ("Flags", "<u2"),
        ("BT_Value_Real", "<f4"),
        ("BT_Value_Imag", "<f4"),
        *_u2("Pixel_Radiometric_Accuracy Incidence_Angle Azimuth_Angle"),
        *_u2("Faraday_Rotation_Angle Geometric_Rotation_Angle"),
        ("Snapshot_ID_of_Pixel", "<u4"),
        *_u2("Footprint_Axis1 Footprint_Axis2"),
    ]
)
#: uint16 fields of BT records and their physical value per count (L1C product specification).
BT_SCALES = {
    "Pixel_Radiometric_Accuracy": 50 / 2**16,
    "Incidence_Angle": 90 / 2**16,
    "Azimuth_Angle": 360 / 2**16,
    "Faraday_Rotation_Angle": 360 / 2**16,
    "Geometric_Rotation_Angle": 360 / 2**16,
    "Footprint_Axis1": 100 / 2**16,
    "Footprint_Axis2": 100 / 2**16,
}
