"""Sentinel-5P L2 swath files of the types in :data:`._s5pmore_table.L2_TYPES`.

The NO2/CO writer (:class:`._s5p_swath.SwathWriter`) with each type's table: the same global
attributes, ``METADATA`` tree, grid (scanline, ground_pixel, time, corner + the type's
``layer``/``level``), latitude/longitude, delta_time, time_utc, qa_value and
``SUPPORT_DATA/GEOLOCATIONS``; then the type's geophysical variables
(:func:`._s5pmore_air.swath_fields`), a processing flag in ``DETAILED_RESULTS`` and the surface
pressure, albedo and cloud fraction in ``INPUT_DATA``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import _xml
from ._netcdf import NcGroup, variable
from ._s5p_grid import DIMS3, FILL_FLOAT, filled
from ._s5p_swath import SUPPORT_COORDINATES, SwathWriter
from ._s5pmore_air import LEVELS_PR, swath_fields
from ._s5pmore_table import L2_TYPES

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["TableWriter"]

_COORDINATES = {
    "scanline": "along-track dimension index",
    "ground_pixel": "across-track dimension index",
    "corner": "pixel corner index",
    "layer": "layer index",
    "level": "level index",
    "time": "",
}


class TableWriter(SwathWriter):
    """One L2 file of a type of :data:`L2_TYPES`."""

    KIND = "no2"  # the shared swath's cloud fraction and qa_value (:func:`._s5p_pixels.fields`)
    INSTITUTION = "KNMI"
    DOI = ""
    ALGORITHM_VERSION = "2.6.0"
    PRODUCT_VERSION = "2.6.0"

    def __init__(self, entry: Entry) -> None:
        spec = L2_TYPES.get(entry.product_type)
        if spec is None:
            raise ValueError(
                f"{entry.name}: {entry.product_type!r} is not an L2 swath type of this writer "
                f"(one of {', '.join(L2_TYPES)})"
            )
        super().__init__(entry)
        self.spec = spec
        self.DIMENSIONS = {"time": 1, "corner": 4, **dict(spec.dimensions)}
        order = ("scanline", "ground_pixel", "corner", *dict(spec.dimensions), "time")
        self.COORDINATES = tuple((d, _COORDINATES[d]) for d in order)
        self.TITLE = spec.title
        self.INSTITUTION = spec.institution
        self.REFERENCES = f"http://www.tropomi.eu/data-products/{spec.page}"
        self.KEYWORDS = spec.keywords
        self.SPATIAL_RESOLUTION = spec.resolution
        self.GEOLOCATION_BAND = spec.band
        version = str(entry.attribute("processorVersion", "02.06.00"))
        self.ALGORITHM_VERSION = self.PRODUCT_VERSION = ".".join(
            str(int(p)) for p in version.split(".")
        )
        self.ALGORITHM_SETTINGS = (
            ("input.1.type", f"L1B_RA_BD{spec.band}"),
            ("input.1.irrType", f"L1B_IR_UV{1 if spec.band < 4 else 2}"),
            ("processing.szaMax", "85.0"),
        )
        self.FILE_DESCRIPTION = spec.title
        self.values = swath_fields(entry)

    def processing_status(self) -> str:
        return f"{self.mode}-processing nominal product"

    def extra_global_attributes(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"date_modified": _xml.iso(self.created, 0)}
        if self.product_type == "L2__CLOUD_":
            extra["cloud_mode"] = "cal"
        return extra

    def product_variables(self, g: NcGroup) -> None:
        if "level" in self.DIMENSIONS and self.product_type == "L2__O3__PR":
            altitude = np.linspace(0.0, 60000.0, LEVELS_PR, dtype=np.float32)
            variable(
                g,
                "altitude",
                (*DIMS3, "level"),
                np.broadcast_to(altitude, (*self.shape3, LEVELS_PR)),
                np.float32,
                fill=FILL_FLOAT,
                units="m",
                standard_name="altitude",
                long_name="Altitude of the levels",
            )
        for var in self.spec.variables:
            values = self.values[var.name]
            dims = (*DIMS3, "level") if values.ndim == 3 else DIMS3
            attrs: dict[str, Any] = {"units": var.units}
            if var.standard_name:
                attrs["standard_name"] = var.standard_name
            variable(
                g,
                var.name,
                dims,
                filled(values),
                np.float32,
                fill=FILL_FLOAT,
                long_name=var.long_name,
                coordinates="longitude latitude",
                **attrs,
            )

    def detailed_results(self, g: NcGroup) -> None:
        self.quality_flags(g, coordinates=SUPPORT_COORDINATES)

    def input_data(self, g: NcGroup) -> None:
        self.surface_inputs(
            g,
            (
                ("surface_pressure", 101325.0, "Pa"),
                ("surface_albedo", 0.05, "1"),
                ("cloud_fraction_crb", None, "1"),
            ),
        )

    def qa_statistics(self, g: NcGroup) -> None:
        self.pixel_counts(g)
