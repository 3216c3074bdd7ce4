"""Landsat radiometric rescaling constants, as Collection 2 MTL files state them.

OLI/TIRS (Landsat 8) and ETM+ constants are the values of real Collection 2 MTL files
(``LEVEL1_RADIOMETRIC_RESCALING``, ``LEVEL1_THERMAL_CONSTANTS``; Landsat 9 reuses Landsat 8's,
inferred). TM (Landsat 4/5) from Chander, Markham and Helder (2009): post-2003 LMIN/LMAX, ESUN
and K1/K2, turned into MULT/ADD as USGS does (QCAL 1..255; inferred for Collection 2).
Level-2 factors are USGS's fixed ones (SR: 2.75e-05, -0.2; ST: 0.00341802, 149.0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["SR_ADD", "SR_MULT", "ST_ADD", "ST_MULT", "Calibration", "calibration"]

SR_MULT, SR_ADD = 2.75e-05, -0.2
ST_MULT, ST_ADD = 0.00341802, 149.0


@dataclass(frozen=True)
class Calibration:
    """Level-1 rescaling of one band: ``L = rad_mult * DN + rad_add`` (W/(m² sr µm)),
    ``rho' = refl_mult * DN + refl_add`` (reflective bands), ``BT = k2 / ln(k1 / L + 1)``."""

    rad_mult: float
    rad_add: float
    refl_mult: float | None = None
    refl_add: float | None = None
    k1: float | None = None
    k2: float | None = None
    qcal_max: int = 65535


_OLI_RAD = {
    "1": (1.2926e-02, -64.63222), "2": (1.3237e-02, -66.18418), "3": (1.2198e-02, -60.98815),
    "4": (1.0286e-02, -51.42865), "5": (6.2944e-03, -31.47177), "6": (1.5653e-03, -7.82674),
    "7": (5.2761e-04, -2.63803), "8": (1.1641e-02, -58.20308), "9": (2.4600e-03, -12.29988),
    "10": (3.3420e-04, 0.10000), "11": (3.3420e-04, 0.10000),
}  # fmt: skip
_OLI_K = {"10": (774.8853, 1321.0789), "11": (480.8883, 1201.1442)}
_ETM = {  # radiance mult, add, reflectance mult, add
    "1": (7.7874e-01, -6.97874, 1.1624e-03, -0.010417),
    "2": (7.9882e-01, -7.19882, 1.3080e-03, -0.011787),
    "3": (6.2165e-01, -5.62165, 1.2388e-03, -0.011203),
    "4": (6.3976e-01, -5.73976, 1.8153e-03, -0.016287),
    "5": (1.2622e-01, -1.12622, 1.7310e-03, -0.015445),
    "6_VCID_1": (6.7087e-02, -0.06709, None, None),
    "6_VCID_2": (3.7205e-02, 3.16280, None, None),
    "7": (4.3898e-02, -0.39390, 1.6397e-03, -0.014713),
    "8": (9.7559e-01, -5.67559, 2.2478e-03, -0.013077),
}
_TM = {  # LMIN, LMAX, ESUN (None: thermal)
    "1": (-1.52, 193.0, 1983.0), "2": (-2.84, 365.0, 1796.0), "3": (-1.17, 264.0, 1536.0),
    "4": (-1.51, 221.0, 1031.0), "5": (-0.37, 30.2, 220.0), "6": (1.2378, 15.303, None),
    "7": (-0.15, 16.5, 83.44),
}  # fmt: skip


def calibration(sensor: str, label: str) -> Calibration:
    """The Level-1 constants of band ``label`` (``4``, ``6_VCID_1``, ``10``) of ``sensor``."""
    if sensor == "OLI_TIRS":
        mult, add = _OLI_RAD[label]
        if label in _OLI_K:
            return Calibration(mult, add, k1=_OLI_K[label][0], k2=_OLI_K[label][1])
        return Calibration(mult, add, 2.0e-05, -0.1)
    if sensor == "ETM":
        mult, add, rmult, radd = _ETM[label]
        k = (666.09, 1282.71) if rmult is None else (None, None)
        return Calibration(mult, add, rmult, radd, k[0], k[1], qcal_max=255)
    lmin, lmax, esun = _TM[label]
    mult = (lmax - lmin) / 254.0
    add = lmin - mult
    if esun is None:
        return Calibration(round(mult, 6), round(add, 5), k1=607.76, k2=1260.56, qcal_max=255)
    return Calibration(
        round(mult, 6),
        round(add, 5),
        float(f"{math.pi * mult / esun:.4e}"),
        round(math.pi * add / esun, 6),
        qcal_max=255,
    )
