"""The Level-2 files of the OLCI products of :mod:`.sentinel3_more`: water (WFR, WRR) and land
(LFR, LRR) retrievals and their flags, from what the product's :class:`._s3more_olci_scene.Scene`
sees. Variable names are the real ones; formulas, packing and flag bit order are inferred.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._netcdf import NcGroup
from ._s3more_common import stored
from ._s3more_olci_scene import COLUMNS, IMAGE, ROWS, WATER_BANDS, Scene
from ._sen3 import variable
from .sentinel3 import BANDS

__all__ = ["LQSF", "WQSF", "land_files", "water_files"]

WQSF = (
    "INVALID WATER LAND CLOUD TURBID_ATM CLOUD_AMBIGUOUS CLOUD_MARGIN SNOW_ICE INLAND_WATER "
    "TIDAL COSMETIC SUSPECT HISOLZEN SATURATED MEGLINT HIGHGLINT WHITECAPS ADJAC WV_FAIL "
    "PAR_FAIL AC_FAIL OC4ME_FAIL OCNN_FAIL KDM_FAIL"
)
LQSF = (
    "WATER LAND CLOUD CLOUD_AMBIGUOUS CLOUD_MARGIN SNOW_ICE INLAND_WATER TIDAL COSMETIC "
    "SUSPECT HISOLZEN SATURATED OTCI_FAIL OTCI_BAD_IN OTCI_CLASS_CLSN GIFAPAR_FAIL "
    "GIFAPAR_BAD_IN GIFAPAR_CLASS_CLSN RC_FAIL IWV_FAIL"
)


def _flag_var(
    g: NcGroup,
    name: str,
    meanings: str,
    bits: dict[str, np.ndarray],
    dtype: Any,
) -> None:
    names = meanings.split()
    value = np.zeros((ROWS, COLUMNS), dtype=dtype)
    for flag, mask in bits.items():
        value |= np.where(mask, dtype(1) << dtype(names.index(flag)), dtype(0)).astype(dtype)
    masks = np.array([1 << i for i in range(len(names))], dtype=dtype)
    variable(
        g,
        name,
        IMAGE,
        value,
        dtype,
        flag_masks=masks,
        flag_meanings=meanings,
        long_name=f"{name} quality and science flags",
    )


def _iwv(s: Scene) -> np.ndarray:
    """Integrated water vapour (kg m-2): moist tropics, dry poles, none under clouds."""
    value = 3.0 + 45.0 * np.cos(np.radians(s.lat)) ** 3
    return np.where(s.cloud, np.nan, value)


def _pair(
    g: NcGroup, name: str, value: np.ndarray, units: str, long_name: str, relative: float = 0.1
) -> None:
    """``name`` and ``name_err`` (float32, NaN where there is no retrieval)."""
    stored(
        g,
        name,
        IMAGE,
        value,
        np.float32,
        fill=np.nan,
        units=units,
        long_name=long_name,
        coordinates="time_stamp latitude longitude",
    )
    stored(
        g,
        f"{name}_err",
        IMAGE,
        np.abs(value) * relative,
        np.float32,
        fill=np.nan,
        units=units,
        long_name=f"{long_name} uncertainty estimate",
    )


def water_files(s: Scene, nc: Any, image: dict[str, int]) -> dict[str, bytes]:
    files = {}
    for band in WATER_BANDS:
        rho = np.where(s.water, s.ground[BANDS.index(band)], np.nan)
        files[f"{band}_reflectance.nc"] = nc(
            f"Reflectance {band}",
            image,
            lambda g, band=band, rho=rho: (
                stored(
                    g,
                    f"{band}_reflectance",
                    IMAGE,
                    rho,
                    np.uint16,
                    scale=2e-5,
                    offset=-0.05,
                    fill=65535,
                    units="dl",
                    long_name=f"Water leaving reflectance for OLCI acquisition band {band}",
                    standard_name="surface_ratio_of_upwelling_radiance_emerging_from_sea_"
                    "water_to_downwelling_radiative_flux_in_air",
                    coordinates="time_stamp latitude longitude",
                ),
                stored(
                    g,
                    f"{band}_reflectance_err",
                    IMAGE,
                    np.abs(rho) * 0.05 + 1e-4,
                    np.uint16,
                    scale=1e-5,
                    fill=65535,
                    units="dl",
                    long_name=f"Water leaving reflectance uncertainty for band {band}",
                ),
            ),
        )
    blue = np.maximum.reduce([s.ground[BANDS.index(b)] for b in ("Oa03", "Oa04", "Oa05")])
    ratio = np.log10(np.maximum(blue, 1e-4) / np.maximum(s.ground[BANDS.index("Oa06")], 1e-4))
    chl = np.where(s.water, np.clip(0.33 - 3.0 * ratio + 1.0 * ratio**2, -2.0, 2.0), np.nan)
    tsm = np.where(s.water, np.log10(np.maximum(s.ground[BANDS.index("Oa08")], 1e-4) * 300), np.nan)
    sun = np.cos(np.radians(np.minimum(s.sza, 89.0)))
    products = {
        "chl_nn": [("CHL_NN", chl + 0.05, "lg(re mg.m-3)", "Algal pigment concentration, NN")],
        "chl_oc4me": [("CHL_OC4ME", chl, "lg(re mg.m-3)", "Algal pigment concentration, OC4Me")],
        "iop_nn": [("ADG443_NN", chl - 1.2, "lg(re m-l)", "CDM absorption coefficient")],
        "tsm_nn": [("TSM_NN", tsm, "lg(re g.m-3)", "Total suspended matter concentration")],
        "trsp": [("KD490_M07", chl * 0.6 - 1.1, "lg(re m-1)", "Diffuse attenuation coefficient")],
        "par": [
            (
                "PAR",
                np.where(s.water, 2000 * sun, np.nan),
                "umol.m-2.s-1",
                "Photosynthetically active radiation",
            )
        ],
        "w_aer": [
            ("A865", np.where(s.water, 1.2, np.nan), "dl", "Aerosol Angstrom exponent"),
            ("T865", np.where(s.water, 0.08, np.nan), "dl", "Aerosol optical thickness"),
        ],
        "iwv": [("IWV", _iwv(s), "kg.m-2", "Integrated water vapour column")],
    }
    for stem, pairs in products.items():
        files[f"{stem}.nc"] = nc(stem, image, lambda g, pairs=pairs: [_pair(g, *p) for p in pairs])
    bits = {"WATER": ~s.land, "LAND": s.land, "CLOUD": s.cloud, "SNOW_ICE": s.ice}
    files["wqsf.nc"] = nc(
        "Water Quality and Science Flags",
        image,
        lambda g: _flag_var(g, "WQSF", WQSF, bits, np.uint64),
    )
    return files


def land_files(s: Scene, nc: Any, image: dict[str, int]) -> dict[str, bytes]:
    red, edge, nir = (s.ground[BANDS.index(b)] for b in ("Oa10", "Oa11", "Oa17"))
    ndvi = (nir - red) / np.maximum(nir + red, 1e-6)
    gifapar = np.where(s.clear_land, np.clip(1.1 * ndvi - 0.05, 0.0, 1.0), np.nan)
    otci = (s.ground[BANDS.index("Oa12")] - edge) / np.where(
        np.abs(edge - red) < 1e-4, 1e-4, edge - red
    )
    otci = np.where(s.clear_land, np.clip(otci, 0.0, 6.5), np.nan)
    rc = {b: np.where(s.clear_land, s.ground[BANDS.index(b)], np.nan) for b in ("Oa10", "Oa17")}
    files = {
        "gifapar.nc": nc(
            "GIFAPAR",
            image,
            lambda g: _pair(g, "GIFAPAR", gifapar, "dl", "Green instantaneous FAPAR"),
        ),
        "otci.nc": nc(
            "OTCI",
            image,
            lambda g: _pair(g, "OTCI", otci, "dl", "OLCI terrestrial chlorophyll index"),
        ),
        "rc_gifapar.nc": nc(
            "Rectified Reflectance",
            image,
            lambda g: (
                _pair(g, "RC681", rc["Oa10"], "dl", "Rectified reflectance, band Oa10"),
                _pair(g, "RC865", rc["Oa17"], "dl", "Rectified reflectance, band Oa17"),
            ),
        ),
        "iwv.nc": nc(
            "IWV",
            image,
            lambda g: _pair(g, "IWV", _iwv(s), "kg.m-2", "Integrated water vapour column"),
        ),
    }
    bits = {"WATER": ~s.land, "LAND": s.land, "CLOUD": s.cloud}
    files["lqsf.nc"] = nc(
        "Land Quality and Science Flags",
        image,
        lambda g: _flag_var(g, "LQSF", LQSF, bits, np.uint32),
    )
    return files
