"""Sentinel-5P TROPOMI Level-2 products: one netCDF4 file with groups, NO2 or CO.

Shaped after the real ``S5P_OFFL_L2__NO2____…nc`` and ``S5P_OFFL_L2__CO_____…nc`` in
``reference/samples/products/sentinel-5p`` (their global attributes, the ``METADATA`` tree and
the ``PRODUCT`` dimensions)::

    /                     global attributes (Conventions, institution, id, time_coverage_*, orbit…)
    PRODUCT/              scanline, ground_pixel, time, corner, layer… ; latitude, longitude,
                          delta_time, time_utc, qa_value, nitrogendioxide_tropospheric_column
                          (NO2) or carbonmonoxide_total_column[_precision|_corrected] (CO)…
    PRODUCT/SUPPORT_DATA/GEOLOCATIONS|DETAILED_RESULTS|INPUT_DATA
    METADATA/ALGORITHM_SETTINGS|GRANULE_DESCRIPTION|QA_STATISTICS|ISO_METADATA|EOP_METADATA|
             ESA_METADATA

Small: 200 scanlines x 50 ground pixels (NO2) or 24 (CO, whose real swath is 215 pixels wide
against NO2's 450). The swath spans the catalogue footprint: scanline 0 is its southern edge (S5P
flies ascending), ground pixel 0 its western. Positions follow :func:`geolocation`. The values
are the synthetic Earth's air (:mod:`..scene`) at the pixel centres on the sensing start: NO2
plumes over cities and industrial regions, CO from the hemispheres, seasons and fires, qa_value
from its clouds; fill where the sun is too low (:func:`expected_no2`, :func:`expected_co`,
:func:`expected_qa`, which take the catalogue entry).

The writer shared by the product types is in ``_s5p_swath`` (grid and reused arrays in
``_s5p_grid``, what the pixels see in ``_s5p_pixels``), their variables in ``_s5p_no2`` and
``_s5p_co``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._s5p_co import CO_VARIABLES, LAYER_HEIGHTS, CoWriter, expected_co
from ._s5p_grid import (
    EPOCH_2010,
    FILL_FLOAT,
    GROUND_PIXELS,
    SCANLINES,
    geolocation,
    ground_pixels,
)
from ._s5p_no2 import LAYERS, MOLECULES_PER_CM2, No2Writer, expected_no2
from ._s5p_pixels import expected_qa
from ._s5p_swath import SwathWriter

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "CO_GROUND_PIXELS",
    "CO_VARIABLES",
    "EPOCH_2010",
    "FILL_FLOAT",
    "GROUND_PIXELS",
    "LAYERS",
    "LAYER_HEIGHTS",
    "MOLECULES_PER_CM2",
    "SCANLINES",
    "WRITERS",
    "build_l2",
    "expected_co",
    "expected_no2",
    "expected_qa",
    "geolocation",
    "ground_pixels",
]

CO_GROUND_PIXELS = ground_pixels("L2__CO____")
#: Product type -> the writer of its file.
WRITERS: dict[str, type[SwathWriter]] = {"L2__NO2___": No2Writer, "L2__CO____": CoWriter}


def build_l2(entry: Entry) -> dict[str, bytes]:
    """The product's single file, keyed by the product name."""
    if not entry.name.startswith("S5P_") or not entry.name.endswith(".nc"):
        raise ValueError(f"Sentinel-5P product name expected, got {entry.name!r}")
    writer = WRITERS.get(entry.product_type)
    if writer is None:
        raise ValueError(
            f"{entry.name}: Sentinel-5P product type {entry.product_type!r} is not emulated "
            f"(one of {', '.join(WRITERS)})"
        )
    return {entry.name: writer(entry).netcdf()}
