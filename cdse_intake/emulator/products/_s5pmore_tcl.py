"""Sentinel-5P L2 tropospheric ozone (``L2__O3_TCL``): a gridded file, not a swath.

Real (the ``stactools-packages/sentinel5p`` example item and reader of
``S5P_OFFL_L2__O3_TCL_20200303T120623_20200309T125248_12373_01_010108_20200318T000106.nc``;
user scripts reading ``PRODUCT/ozone_tropospheric_vertical_column``): ``PRODUCT`` holds the
convective-cloud-differential grid ``latitude_ccd`` (80, 0.5° from 19.75°S to 19.75°N) x
``longitude_ccd`` (360, 1°) and the cloud-slicing grid ``latitude_csa`` (8) x ``longitude_csa``
(18); the global attributes ``time_coverage_troposphere_start``/``_end``; the ``METADATA``
group's ``processingMode``, ``input_orbits`` and ``input_files``. HARP's reader finds no
``GEOLOCATIONS`` or ``INPUT_DATA`` in it, only ``SUPPORT_DATA/DETAILED_RESULTS``.

Inferred: the mixing ratio's name (``ozone_upper_tropospheric_mixing_ratio``), the attributes
beyond units and long_name, the input orbits (the product's orbit and the 5 days before it).
Values: :func:`._s5pmore_air.tcl_grid`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from . import _xml
from ._netcdf import NcGroup, variable
from ._s5p_grid import FILL_FLOAT
from ._s5p_swath import SwathWriter
from ._s5pmore_air import tcl_grid

__all__ = ["TclWriter"]

#: Seconds of one TROPOMI orbit (as ``records.sentinel5p``: writers never import records).
ORBIT_SECONDS = 6084

#: Orbits of the days the tropospheric column is averaged over (about 14.2 a day, 6 days).
INPUT_ORBITS = 86


class TclWriter(SwathWriter):
    """The O3_TCL file."""

    KIND = "no2"
    TITLE = "TROPOMI/S5P Tropospheric Ozone 6-days L2 0.5x1deg"
    INSTITUTION = "DLR-IMF"
    REFERENCES = "http://www.tropomi.eu/data-products/tropospheric-ozone-column"
    KEYWORDS = "0365 Troposphere, Composition and Chemistry"
    SPATIAL_RESOLUTION = "0.5x1deg"
    GEOLOCATION_BAND = 3
    DOI = ""
    ALGORITHM_VERSION = "2.6.0"
    PRODUCT_VERSION = "2.6.0"
    ALGORITHM_SETTINGS = (("ccd.latitude_range", "-20.0 20.0"), ("ccd.cloud_fraction_min", "0.8"))
    FILE_DESCRIPTION = "Tropospheric ozone column from the convective cloud differential method"

    def write(self, nc: NcGroup) -> None:
        attrs = self.global_attributes()
        attrs.update(
            cdm_data_type="Grid",
            geospatial_lat_min=np.array([-20.0], np.float32),
            geospatial_lat_max=np.array([20.0], np.float32),
            geospatial_lon_min=np.array([-180.0], np.float32),
            geospatial_lon_max=np.array([180.0], np.float32),
            time_coverage_troposphere_start=_xml.iso(self.entry.start, 0),
            time_coverage_troposphere_end=_xml.iso(self.entry.end, 0),
        )
        for key, value in attrs.items():
            nc.attrs[key] = value
        self._grid(nc.create_group("PRODUCT"))
        meta = nc.create_group("METADATA")
        for key, value in self._inputs().items():
            meta.attrs[key] = value
        self._metadata(meta)

    def _inputs(self) -> dict[str, Any]:
        version = self.stem.split("_")[-2]
        orbits, files = [], []
        for back in range(INPUT_ORBITS - 1, -1, -1):
            start = self.entry.start - timedelta(seconds=back * ORBIT_SECONDS)
            end = start + timedelta(seconds=ORBIT_SECONDS)
            made = end + timedelta(hours=3)
            orbits.append(self.orbit - back)
            files.append(
                f"S5P_{self.mode}_L2__O3_____{start:%Y%m%dT%H%M%S}_{end:%Y%m%dT%H%M%S}_"
                f"{self.orbit - back:05d}_03_{version}_{made:%Y%m%dT%H%M%S}.nc"
            )
        return {
            "processingMode": self.mode,
            "input_orbits": " ".join(str(o) for o in orbits),
            "input_files": " ".join(files),
        }

    def _grid(self, g: NcGroup) -> None:
        day = int((self.day - datetime(1970, 1, 1, tzinfo=UTC)).days)
        grid = tcl_grid(day)
        g.dimensions = {
            "time": 1,
            "latitude_ccd": grid["lat"].size,
            "longitude_ccd": grid["lon"].size,
            "latitude_csa": grid["csa_lat"].size,
            "longitude_csa": grid["csa_lon"].size,
        }
        for name, key, axis in (
            ("latitude_ccd", "lat", "latitude"),
            ("longitude_ccd", "lon", "longitude"),
            ("latitude_csa", "csa_lat", "latitude"),
            ("longitude_csa", "csa_lon", "longitude"),
        ):
            units = "degrees_north" if axis == "latitude" else "degrees_east"
            variable(
                g, name, (name,), grid[key], np.float32, units=units, standard_name=axis,
                long_name=f"pixel center {axis}", compress=False,
            )  # fmt: skip
        self.reference_time(g)
        ccd = ("time", "latitude_ccd", "longitude_ccd")
        column = grid["column"][None]
        for name, data, long_name in (
            ("ozone_tropospheric_vertical_column", column, "average tropospheric ozone column"),
            (
                "ozone_tropospheric_vertical_column_precision",
                column * np.float32(0.15),
                "standard deviation of the tropospheric ozone column",
            ),
        ):
            variable(
                g, name, ccd, data, np.float32, fill=FILL_FLOAT, units="mol m-2",
                long_name=long_name, coordinates="longitude_ccd latitude_ccd",
                multiplication_factor_to_convert_to_DU=np.float32(2241.15),
            )  # fmt: skip
        self.qa_value(g, ccd, grid["qa"][None])
        variable(
            g,
            "ozone_upper_tropospheric_mixing_ratio",
            ("time", "latitude_csa", "longitude_csa"),
            grid["mixing_ratio"][None],
            np.float32,
            fill=FILL_FLOAT,
            units="1e-9",
            long_name="upper tropospheric ozone volume mixing ratio from cloud slicing",
            coordinates="longitude_csa latitude_csa",
        )
        detailed = g.create_group("SUPPORT_DATA").create_group("DETAILED_RESULTS")
        variable(
            detailed,
            "number_of_observations",
            ccd,
            np.full(column.shape, 24, np.int32),
            np.int32,
            units="1",
            long_name="number of observations averaged into the grid cell",
        )
