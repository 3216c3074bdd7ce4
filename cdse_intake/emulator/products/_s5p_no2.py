"""Sentinel-5P L2 NO2 (``L2__NO2___``): the variable tables of the NO2 file.

Shaped after the real ``S5P_OFFL_L2__NO2____…nc`` (``PRODUCT`` dimensions scanline, ground_pixel,
time, corner, polynomial_exponents, intensity_offset_polynomial_exponents, layer, vertices).
The tropospheric column is the synthetic Earth's (:mod:`._s5p_pixels`: city and industrial
plumes over a latitude-dependent background), as :func:`expected_no2` gives it; the
stratospheric column grows from ~2.5e-5 mol m-2 in the tropics to ~4.5e-5 at the poles, the
total is their sum; the cloud fraction of the input data is the one ``qa_value`` follows.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from . import _xml
from ._netcdf import NcGroup, variable
from ._s5p_grid import (
    DIMS3,
    FILL_FLOAT,
    SCANLINES,
    filled,
    frozen,
    ground_pixels,
)
from ._s5p_pixels import centres, fields, look, pick
from ._s5p_swath import SwathWriter

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["LAYERS", "MOLECULES_PER_CM2", "No2Writer", "expected_no2"]

PRODUCT_TYPE = "L2__NO2___"
LAYERS = 34
MOLECULES_PER_CM2 = 6.02214e19  # multiplication_factor_to_convert_to_molecules_percm2


def expected_no2(entry: Entry, scanline: Any, ground_pixel: Any) -> np.ndarray:
    """Tropospheric NO2 column (mol m-2, float32) of ``entry``'s product at ``(scanline,
    ground_pixel)``: the scene's at the pixel centre on the sensing start, NaN (the file's
    ``_FillValue``) where the sun was too low to retrieve it."""
    return pick(fields(look(entry), "no2").column, scanline, ground_pixel)


def _stratosphere(lat: np.ndarray) -> np.ndarray:
    """Stratospheric NO2 (mol m-2): more towards the poles."""
    return (2.5e-5 + 2.0e-5 * (lat / 90.0) ** 2).astype(np.float32)


@lru_cache(maxsize=1)
def _kernel() -> np.ndarray:
    shape = (1, SCANLINES, ground_pixels(PRODUCT_TYPE), LAYERS)
    profile = np.linspace(0.2, 1.5, LAYERS, dtype=np.float32)
    return frozen(np.ascontiguousarray(np.broadcast_to(profile, shape)))


class No2Writer(SwathWriter):
    """The NO2 file."""

    KIND = "no2"
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
            filled(self.fields.column),
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
            units = "1" if name.startswith("air") else "mol m-2"
            self.pixel_variable(g, name, value, units, "longitude latitude", long_name=long_name)
        self.pixel_variable(
            g,
            "averaging_kernel",
            _kernel(),
            "1",
            "longitude latitude",
            dims=(*DIMS3, "layer"),
            long_name="Averaging kernel",
        )
        self.count_variable(
            g,
            "tm5_tropopause_layer_index",
            17,
            "TM5 layer index of the highest layer in the troposphere",
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
        tropo = self.fields.column
        strat = np.where(
            np.isnan(tropo), np.nan, _stratosphere(centres(self.view.quad, self.pixels)[1])
        )
        for name, values in (
            ("nitrogendioxide_total_column", tropo + strat),
            ("nitrogendioxide_stratospheric_column", strat),
        ):
            self.pixel_variable(g, name, filled(values.astype(np.float32)), "mol m-2")
        self.quality_flags(g)

    def input_data(self, g: NcGroup) -> None:
        self.surface_inputs(
            g,
            (
                ("surface_pressure", 101325.0, "Pa"),
                ("surface_albedo", 0.05, "1"),
                ("cloud_fraction_crb", None, "1"),
                ("cloud_pressure_crb", 60000.0, "Pa"),
            ),
        )

    def qa_statistics(self, g: NcGroup) -> None:
        self.pixel_counts(g)
