"""Sentinel-5P L2 NO2 (``L2__NO2___``): the variable tables of the NO2 file.

Shaped after the real ``S5P_OFFL_L2__NO2____…nc`` (``PRODUCT`` dimensions scanline, ground_pixel,
time, corner, polynomial_exponents, intensity_offset_polynomial_exponents, layer, vertices).
Values follow :func:`expected_no2`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

import numpy as np

from . import _xml
from ._netcdf import NcGroup, variable
from ._s5p_grid import (
    DIMS3,
    FILL_FLOAT,
    FILL_INT32,
    SCANLINES,
    constant,
    frozen,
    ground_pixels,
    pixel_grid,
)
from ._s5p_swath import SwathWriter

__all__ = ["LAYERS", "MOLECULES_PER_CM2", "No2Writer", "expected_no2"]

PRODUCT_TYPE = "L2__NO2___"
LAYERS = 34
MOLECULES_PER_CM2 = 6.02214e19  # multiplication_factor_to_convert_to_molecules_percm2


def expected_no2(scanline: Any, ground_pixel: Any) -> Any:
    """Tropospheric NO2 column (mol m-2, float32) at ``(scanline, ground_pixel)``:
    ``1e-5 * (1 + ((7*scanline + 3*ground_pixel) % 100) / 10)``, and NaN (the file's
    ``_FillValue``) on ground pixel 0 of every tenth scanline (``scanline % 10 == 9``)."""
    s = np.asarray(scanline, dtype=np.int64)
    g = np.asarray(ground_pixel, dtype=np.int64)
    value = (1e-5 * (1 + ((7 * s + 3 * g) % 100) / 10)).astype(np.float32)
    return np.where((g == 0) & (s % 10 == 9), np.float32(np.nan), value)


@lru_cache(maxsize=1)
def _no2() -> np.ndarray:
    """The NO2 column of the swath, NaN where the retrieval failed."""
    return frozen(expected_no2(*pixel_grid(ground_pixels(PRODUCT_TYPE))))


@lru_cache(maxsize=4)
def _filled(factor: float) -> np.ndarray:
    """``factor`` x the NO2 column, the fill value where it failed, ``(1, scanline, pixel)``."""
    no2 = _no2()
    data = no2 if factor == 1 else no2 * factor
    return frozen(np.where(np.isnan(no2), FILL_FLOAT, data)[None])


@lru_cache(maxsize=1)
def _kernel() -> np.ndarray:
    shape = (1, SCANLINES, ground_pixels(PRODUCT_TYPE), LAYERS)
    profile = np.linspace(0.2, 1.5, LAYERS, dtype=np.float32)
    return frozen(np.ascontiguousarray(np.broadcast_to(profile, shape)))


class No2Writer(SwathWriter):
    """The NO2 file."""

    DIMENSIONS: ClassVar[dict[str, int]] = {
        "time": 1,
        "corner": 4,
        "polynomial_exponents": 6,
        "intensity_offset_polynomial_exponents": 1,
        "layer": LAYERS,
        "vertices": 2,
    }
    COORDINATES = (
        ("scanline", "along-track dimension index"),
        ("ground_pixel", "across-track dimension index"),
        ("corner", "pixel corner index"),
        ("polynomial_exponents", "polynomial exponents"),
        ("intensity_offset_polynomial_exponents", "polynomial exponents"),
        ("layer", "layer index"),
        ("vertices", "vertices index"),
        ("time", ""),
    )
    TITLE = "TROPOMI/S5P NO2 1-Orbit L2 Swath 5.5x3.5km"
    INSTITUTION = "KNMI"
    REFERENCES = "http://www.tropomi.eu/data-products/nitrogen-dioxide"
    KEYWORDS = (
        "0345 Pollution, Urban and Regional; 0365 Troposphere, Composition and "
        "Chemistry; 0368 Troposphere, Constituent Transport and Chemistry; 3360 Remote "
        "Sensing; 3363 Stratospheric Dynamics"
    )
    SPATIAL_RESOLUTION = "5.5x3.5km2"
    GEOLOCATION_BAND = 4
    DOI = "10.5270/S5P-9bnp8q8"
    ALGORITHM_VERSION = "2.6.0"
    PRODUCT_VERSION = "2.6.0"
    ALGORITHM_SETTINGS = (
        ("NO2DOAS.NO2.output.name", "nitrogendioxide"),
        ("NO2DOAS.convergence_threshold", "0.99"),
        ("NO2DOAS.max_iterations", "20"),
        ("NO2DOAS.polynomial_order", "5"),
    )
    FILE_DESCRIPTION = (
        "Nitrogen dioxide tropospheric column with a spatial resolution of 5.5x3.5km2 observed "
        "at about 13:30 local solar time from spectra measured by TROPOMI"
    )

    def processing_status(self) -> str:
        return f"{self.mode}-processing nominal product"

    def extra_global_attributes(self) -> dict[str, Any]:
        return {"date_modified": _xml.iso(self.created, 0)}

    def product_variables(self, g: NcGroup) -> None:
        variable(
            g,
            "nitrogendioxide_tropospheric_column",
            DIMS3,
            _filled(1),
            np.float32,
            fill=FILL_FLOAT,
            units="mol m-2",
            standard_name="troposphere_mole_content_of_nitrogen_dioxide",
            long_name="Tropospheric vertical column of nitrogen dioxide",
            coordinates="longitude latitude",
            ancillary_variables="nitrogendioxide_tropospheric_column_precision "
            "air_mass_factor_troposphere air_mass_factor_total averaging_kernel",
            multiplication_factor_to_convert_to_molecules_percm2=np.float32(MOLECULES_PER_CM2),
            multiplication_factor_to_convert_to_DU=np.float32(2241.15),
        )
        for name, value, long_name in (
            (
                "nitrogendioxide_tropospheric_column_precision",
                1e-5,
                "Precision of the tropospheric vertical column of nitrogen dioxide",
            ),
            (
                "nitrogendioxide_tropospheric_column_precision_kernel",
                8e-6,
                "Precision of the tropospheric vertical column of nitrogen dioxide when applying "
                "the averaging kernel",
            ),
            ("air_mass_factor_troposphere", 1.2, "Tropospheric air mass factor"),
            ("air_mass_factor_total", 2.1, "Total air mass factor"),
        ):
            variable(
                g,
                name,
                DIMS3,
                constant(self.shape3, value, "float32"),
                np.float32,
                fill=FILL_FLOAT,
                units="1" if name.startswith("air") else "mol m-2",
                long_name=long_name,
                coordinates="longitude latitude",
            )
        variable(
            g,
            "averaging_kernel",
            (*DIMS3, "layer"),
            _kernel(),
            np.float32,
            fill=FILL_FLOAT,
            units="1",
            long_name="Averaging kernel",
            coordinates="longitude latitude",
        )
        variable(
            g,
            "tm5_tropopause_layer_index",
            DIMS3,
            constant(self.shape3, 17, "int32"),
            np.int32,
            fill=FILL_INT32,
            units="1",
            long_name="TM5 layer index of the highest layer in the troposphere",
        )
        a = np.linspace(0, 20000, LAYERS + 1, dtype=np.float32)
        b = np.linspace(1, 0, LAYERS + 1, dtype=np.float32)
        for name, coeffs, units in (("tm5_constant_a", a, "Pa"), ("tm5_constant_b", b, "1")):
            variable(
                g,
                name,
                ("layer", "vertices"),
                np.stack([coeffs[:-1], coeffs[1:]], axis=1),
                np.float32,
                units=units,
                long_name=f"TM5 hybrid {name[-1].upper()} "
                "coefficient at upper and lower interface levels",
            )

    def detailed_results(self, g: NcGroup) -> None:
        for name, factor in (
            ("nitrogendioxide_total_column", 4.0),
            ("nitrogendioxide_stratospheric_column", 3.0),
        ):
            variable(
                g,
                name,
                DIMS3,
                _filled(factor),
                np.float32,
                fill=FILL_FLOAT,
                units="mol m-2",
                coordinates="/PRODUCT/longitude /PRODUCT/latitude",
            )
        variable(
            g,
            "processing_quality_flags",
            DIMS3,
            np.where(np.isnan(_no2()), 1, 0)[None],
            np.uint32,
            long_name="Processing quality flags",
        )

    def input_data(self, g: NcGroup) -> None:
        for name, value, units in (
            ("surface_pressure", 101325.0, "Pa"),
            ("surface_albedo", 0.05, "1"),
            ("cloud_fraction_crb", 0.2, "1"),
            ("cloud_pressure_crb", 60000.0, "Pa"),
        ):
            variable(
                g,
                name,
                DIMS3,
                constant(self.shape3, value, "float32"),
                np.float32,
                fill=FILL_FLOAT,
                units=units,
                coordinates="/PRODUCT/longitude /PRODUCT/latitude",
            )

    def qa_statistics(self, g: NcGroup) -> None:
        pixels = int(_no2().size)
        failed = int(np.isnan(_no2()).sum())
        for key, value in (
            ("number_of_groundpixels", pixels),
            ("number_of_processed_pixels", pixels),
            ("number_of_successfully_processed_pixels", pixels - failed),
            ("number_of_failed_retrievals", failed),
        ):
            g.attrs[key] = np.array([value], dtype=np.int32)
