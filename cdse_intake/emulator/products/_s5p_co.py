"""Sentinel-5P L2 CO (``L2__CO____``): the variable tables of the carbon monoxide file.

Shaped after the real ``S5P_OFFL_L2__CO_____…nc`` in ``reference/samples/products/sentinel-5p``:
its global attributes (institution KNMI/SRON, the ``Status_*`` flags), the ``METADATA`` groups
(ALGORITHM_SETTINGS keys, QA_STATISTICS with the CO histogram and pdf) and the ``PRODUCT``
dimensions scanline, ground_pixel, corner (4), time (1) and layer (50): no polynomial or vertices
dimensions, unlike NO2. The sample has no variables: names, dtypes, units and fill values follow
the CO Product User Manual (processor 2.x, which adds the stripe-corrected column). Unverified:
the values of ``layer`` (here the heights of the 1 km layers' centres, top first) and the
attributes beyond units/long_name of the support data.

Values follow :func:`expected_co`: the synthetic Earth's CO column (:mod:`._s5p_pixels`; ~0.025
mol m-2 in the south to ~0.04 in the north, more in the biomass-burning seasons and around
cities), NaN where the sun was too low to retrieve it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ._netcdf import NcGroup, variable
from ._s5p_grid import (
    DIMS3,
    FILL_FLOAT,
    FILL_INT32,
    SCANLINES,
    filled,
    frozen,
    ground_pixels,
)
from ._s5p_pixels import fields, look, pick
from ._s5p_swath import SwathWriter

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["CO_VARIABLES", "LAYER_HEIGHTS", "CoWriter", "expected_co"]

PRODUCT_TYPE = "L2__CO____"
LAYERS = 50
MOLECULES_PER_CM2 = 6.022141e19
#: Centres of the 1 km retrieval layers (m above the surface), top first as in the files.
LAYER_HEIGHTS = np.arange(LAYERS - 1, -1, -1, dtype=np.float32) * 1000 + 500
#: ``output.histogram.carbonmonoxide_total_column.range`` of the real ALGORITHM_SETTINGS.
HISTOGRAM_RANGE = (0.03, 0.05)
PDF_RANGE = (0.0, 0.1)
CO_VARIABLES = (
    "carbonmonoxide_total_column",
    "carbonmonoxide_total_column_precision",
    "carbonmonoxide_total_column_corrected",
)


def expected_co(
    entry: Entry, scanline: Any, ground_pixel: Any, name: str = CO_VARIABLES[0]
) -> np.ndarray:
    """CO (mol m-2, float32) of ``entry``'s product at ``(scanline, ground_pixel)`` for one of
    :data:`CO_VARIABLES`.

    Column: the scene's at the pixel centre on the sensing start; precision: 4 % of it;
    corrected: the column plus a stripe offset ``1e-4 * (ground_pixel % 5 - 2)``. All three
    are NaN (the file's ``_FillValue``) where the sun was too low to retrieve them.
    """
    if name not in CO_VARIABLES:
        raise ValueError(f"name must be one of {CO_VARIABLES}, got {name!r}")
    return pick(_variables(entry)[name], scanline, ground_pixel)


def _variables(entry: Entry) -> dict[str, np.ndarray]:
    """The three CO variables over the swath, NaN where the retrieval failed."""
    column = fields(look(entry), "co").column
    stripes = (np.float32(1e-4) * (np.arange(column.shape[1]) % 5 - 2)).astype(np.float32)
    return {
        CO_VARIABLES[0]: column,
        CO_VARIABLES[1]: column * np.float32(0.04),
        CO_VARIABLES[2]: column + stripes,
    }


@lru_cache(maxsize=4)
def _profile(kind: str) -> np.ndarray:
    """A per-layer profile over the swath, ``(1, scanline, pixel, layer)``."""
    if kind == "kernel":  # m: layer thickness times the sensitivity
        profile = np.linspace(1100, 900, LAYERS, dtype=np.float32)
    else:  # pressure (Pa) at the bottom of each layer, top first
        profile = (101325 * np.exp(-(LAYER_HEIGHTS - 500) / 8000)).astype(np.float32)
    shape = (1, SCANLINES, ground_pixels(PRODUCT_TYPE), LAYERS)
    return frozen(np.ascontiguousarray(np.broadcast_to(profile, shape)))


def _histograms(column: np.ndarray) -> dict[str, Any]:
    """The QA_STATISTICS histogram (100 bins) and pdf (400 bins) of the CO column."""
    column = column[~np.isnan(column)].astype(np.float64)
    out: dict[str, Any] = {}
    for kind, bins, (lo, hi) in (("histogram", 100, HISTOGRAM_RANGE), ("pdf", 400, PDF_RANGE)):
        edges = np.linspace(lo, hi, bins + 1)
        counts, _ = np.histogram(column, edges, density=kind == "pdf")
        out[kind] = counts
        out[f"{kind}_axis"] = (edges[:-1] + edges[1:]) / 2
        out[f"{kind}_bounds"] = np.stack([edges[:-1], edges[1:]], axis=1)
    out["underflow"] = int((column < HISTOGRAM_RANGE[0]).sum())
    out["overflow"] = int((column >= HISTOGRAM_RANGE[1]).sum())
    return out


class CoWriter(SwathWriter):
    """The CO file."""

    KIND = "co"
    DIMENSIONS: ClassVar[dict[str, int]] = {"corner": 4, "time": 1, "layer": LAYERS}
    COORDINATES = (
        ("scanline", "along-track dimension index"),
        ("ground_pixel", "across-track dimension index"),
        ("corner", "pixel corner index"),
        ("time", ""),
        ("layer", "height of the layer centre above the surface"),
    )
    TITLE = "TROPOMI/S5P CO Column 1-Orbit L2 Swath 7x7km"
    INSTITUTION = "KNMI/SRON"
    REFERENCES = "http://www.tropomi.eu/data-products/carbon-monoxide"
    KEYWORDS = (
        "0300 Atmospheric Composition and Structure; 0365 Troposphere, Composition and "
        "Chemistry; 1600 Global Change; 1610 Atmosphere"
    )
    SPATIAL_RESOLUTION = "7x7km2"
    GEOLOCATION_BAND = 7
    DOI = "10.5270/S5P-1hkp7rp"
    ALGORITHM_VERSION = "2.6.0"
    PRODUCT_VERSION = "2.6.0"
    ALGORITHM_SETTINGS = (
        ("configuration.version.algorithm", "2.6.0"),
        ("configuration.version.framework", "2.6.0"),
        ("input.1.band", "7"),
        ("input.1.irrType", "L1B_IR_SIR"),
        ("input.1.type", "L1B_RA_BD7"),
        ("input.2.band", "8"),
        ("input.2.irrType", "L1B_IR_SIR"),
        ("input.2.type", "L1B_RA_BD8"),
        ("input.count", "2"),
        ("output.1.band", "7"),
        ("output.1.config", "cfg/product/product.CO____.xml"),
        ("output.1.type", PRODUCT_TYPE),
        ("output.compressionLevel", "3"),
        ("output.count", "1"),
        ("output.histogram.carbonmonoxide_total_column.range", "0.03, 0.05"),
        ("output.useCompression", "true"),
        ("output.useFletcher32", "true"),
        ("output.useShuffleFilter", "true"),
        ("processing.algorithm", "CO____"),
        ("processing.szaMax", "85.0"),
        ("processing.szaMin", "0.0"),
        ("processing.vzaMax", "75.0"),
        ("processing.vzaMin", "0.0"),
        ("qa_value.scattering_optical_thickness_swir_limit", "0.5"),
        ("qa_value.sza_threshold", "80.0"),
    )
    FILE_DESCRIPTION = (
        "Carbon monoxide column with a spatial resolution of 7x7km2 observed at about 13:30 "
        "local solar time from spectra measured by TROPOMI"
    )

    def extra_global_attributes(self) -> dict[str, Any]:
        return {"Status_MET_2D": "Nominal", "Status_CTM_CO": "Nominal", "Status_CTMCH4": "Nominal"}

    def coordinate(self, g: NcGroup, dim: str, long_name: str) -> None:
        if dim != "layer":
            super().coordinate(g, dim, long_name)
            return
        variable(
            g,
            "layer",
            ("layer",),
            LAYER_HEIGHTS,
            np.float32,
            compress=False,
            units="m",
            long_name=long_name,
            positive="up",
        )

    def product_variables(self, g: NcGroup) -> None:
        values = _variables(self.entry)
        for name, standard_name, long_name in (
            (
                CO_VARIABLES[0],
                "atmosphere_mole_content_of_carbon_monoxide",
                "Vertically integrated CO column",
            ),
            (
                CO_VARIABLES[1],
                "atmosphere_mole_content_of_carbon_monoxide standard_error",
                "Standard error of vertically integrated CO column",
            ),
            (
                CO_VARIABLES[2],
                "atmosphere_mole_content_of_carbon_monoxide",
                "Vertically integrated CO column, stripe corrected",
            ),
        ):
            extra = {} if name == CO_VARIABLES[1] else {"ancillary_variables": CO_VARIABLES[1]}
            variable(
                g,
                name,
                DIMS3,
                filled(values[name]),
                np.float32,
                fill=FILL_FLOAT,
                units="mol m-2",
                standard_name=standard_name,
                long_name=long_name,
                coordinates="longitude latitude",
                **extra,
                multiplication_factor_to_convert_to_molecules_percm2=np.float32(MOLECULES_PER_CM2),
            )

    def _pixels(self, g: NcGroup, table: tuple[tuple[str, float, str, str], ...]) -> None:
        """Float32 pixel variables of constant value: (name, value, units, long_name)."""
        for name, value, units, long_name in table:
            self.pixel_variable(g, name, value, units, long_name=long_name)

    def detailed_results(self, g: NcGroup) -> None:
        self.quality_flags(g)
        self.count_variable(g, "number_of_iterations", 5, "Number of iterations")
        for name, kind, units, long_name in (
            ("column_averaging_kernel", "kernel", "m", "Column averaging kernel"),
            ("pressure_levels", "pressure", "Pa", "Pressure at the bottom of the layer"),
        ):
            layers = (*DIMS3, "layer")
            self.pixel_variable(g, name, _profile(kind), units, dims=layers, long_name=long_name)
        self._pixels(
            g,
            (
                ("water_total_column", 800.0, "mol m-2", "Vertically integrated H2O column"),
                ("water_total_column_precision", 8.0, "mol m-2", "Standard error of H2O column"),
                ("height_scattering_layer", 1500.0, "m", "Height of the scattering layer"),
                ("scattering_optical_thickness_SWIR", 0.1, "1", "Scattering optical thickness"),
                ("surface_albedo_2325", 0.2, "1", "Surface albedo at 2325 nm"),
                ("surface_albedo_2335", 0.21, "1", "Surface albedo at 2335 nm"),
                ("degrees_of_freedom", 1.0, "1", "Degrees of freedom for signal"),
                ("chi_square", 1.2, "1", "Chi square of the fit"),
            ),
        )

    def input_data(self, g: NcGroup) -> None:
        self._pixels(
            g,
            (
                ("surface_altitude", 150.0, "m", "Surface altitude"),
                ("surface_altitude_precision", 10.0, "m", "Standard error of surface altitude"),
                ("surface_pressure", 101325.0, "Pa", "Surface pressure"),
            ),
        )

    def qa_statistics(self, g: NcGroup) -> None:
        self.pixel_counts(g, rejected=True)
        h = _histograms(self.fields.column)
        g.dimensions = {
            "CO_total_vertical_column_histogram_axis": 100,
            "CO_total_vertical_column_pdf_axis": 400,
            "vertices": 2,
        }
        prefix = CO_VARIABLES[0]
        for kind, units, what in (
            ("histogram", "1", "Histogram"),
            ("pdf", "mol m-2", "Probability density function"),
        ):
            dim = f"CO_total_vertical_column_{kind}_axis"
            variable(
                g,
                f"{prefix}_{kind}_axis",
                (dim,),
                h[f"{kind}_axis"],
                np.float32,
                fill=FILL_FLOAT,
                units=units,
                comment=f"{what} axis of CO total vertical column",
                long_name=f"{what} of the CO total vertical column",
                bounds=f"{prefix}_{kind}_bounds",
            )
            variable(
                g,
                f"{prefix}_{kind}_bounds",
                (dim, "vertices"),
                h[f"{kind}_bounds"],
                np.float32,
                fill=FILL_FLOAT,
            )
            counts: dict[str, Any] = {
                "comment": f"{what} of the CO column in the current granule",
            }
            if kind == "histogram":
                counts["number_of_overflow_values"] = np.array([h["overflow"]], dtype=np.int32)
                counts["number_of_underflow_values"] = np.array([h["underflow"]], dtype=np.int32)
            variable(
                g,
                f"{prefix}_{kind}",
                (dim,),
                h[kind],
                np.int32 if kind == "histogram" else np.float32,
                fill=FILL_INT32 if kind == "histogram" else FILL_FLOAT,
                **counts,
            )
