"""Sentinel-5P TROPOMI Level-2 files: the writer every L2 product type shares.

One netCDF-4 file per product, shaped after the real ``S5P_OFFL_L2__*.nc`` files in
``reference/samples/products/sentinel-5p`` (global attributes, ``METADATA`` tree, ``PRODUCT``
dimensions)::

    /                     global attributes (Conventions, institution, id, time_coverage_*, orbit…)
    PRODUCT/              dimensions and coordinates; latitude, longitude, delta_time, time_utc,
                          qa_value, then the product's own variables
    PRODUCT/SUPPORT_DATA/GEOLOCATIONS|DETAILED_RESULTS|INPUT_DATA
    METADATA/ALGORITHM_SETTINGS|GRANULE_DESCRIPTION|QA_STATISTICS|ISO_METADATA|EOP_METADATA|
             ESA_METADATA

:class:`SwathWriter` writes what the product types share; a subclass per type (``_s5p_no2``,
``_s5p_co``) supplies its tables and variables; the grid is in ``_s5p_grid``, what the pixels
see of the synthetic Earth in ``_s5p_pixels``. Arrays that do not depend on the product are
computed once and shared between builds (read-only), positions once per footprint.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from . import _xml
from ._netcdf import NcGroup, netcdf_bytes, variable
from ._s5p_grid import (
    DIMS3,
    EPOCH_2010,
    FILL_FLOAT,
    FILL_INT32,
    SCANLINES,
    constant,
    geolocation,
    ground_pixels,
)
from ._s5p_headers import fixed_header, iso_and_eop
from ._s5p_pixels import centres, corners, fields, look

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["SUPPORT_COORDINATES", "SwathWriter"]

#: ``coordinates`` of the pixel variables in ``PRODUCT/SUPPORT_DATA``.
SUPPORT_COORDINATES = "/PRODUCT/longitude /PRODUCT/latitude"


class SwathWriter:
    """One L2 file; subclasses set the product type's tables and write its own variables."""

    #: The column the product retrieves (:func:`._s5p_pixels.fields`): ``"no2"`` or ``"co"``.
    KIND: ClassVar[str]
    #: ``PRODUCT`` dimensions besides scanline and ground_pixel, in order.
    DIMENSIONS: ClassVar[dict[str, int]]
    #: Coordinate variables of ``PRODUCT`` (name, long_name), in writing order; ``time`` is the
    #: reference time.
    COORDINATES: ClassVar[tuple[tuple[str, str], ...]]
    TITLE: ClassVar[str]
    INSTITUTION: ClassVar[str]
    REFERENCES: ClassVar[str]
    KEYWORDS: ClassVar[str]
    SPATIAL_RESOLUTION: ClassVar[str]
    GEOLOCATION_BAND: ClassVar[int]
    DOI: ClassVar[str]
    ALGORITHM_VERSION: ClassVar[str]
    PRODUCT_VERSION: ClassVar[str]
    ALGORITHM_SETTINGS: ClassVar[tuple[tuple[str, str], ...]]
    FILE_DESCRIPTION: ClassVar[str]

    def __init__(self, entry: Entry) -> None:
        self.entry = entry
        self.stem = entry.name.removesuffix(".nc")
        parts = self.stem.split("_")
        self.mode = parts[1]
        self.product_type = entry.product_type
        self.orbit = int(entry.attribute("orbitNumber", entry.extra.get("orbit", 0)))
        self.created = datetime.strptime(parts[-1], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        self.day = entry.start.replace(hour=0, minute=0, second=0, microsecond=0)
        self.pixels = ground_pixels(entry.product_type)
        self.shape3 = (1, SCANLINES, self.pixels)
        self.view = look(entry)
        self.fields = fields(self.view, self.KIND)

    def netcdf(self) -> bytes:
        return netcdf_bytes(self.write)

    def write(self, nc: NcGroup) -> None:
        for key, value in self.global_attributes().items():
            nc.attrs[key] = value
        self._product(nc.create_group("PRODUCT"))
        self._metadata(nc.create_group("METADATA"))

    # -- hooks of the product types ----------------------------------------------------------

    def processing_status(self) -> str:
        return "Nominal"

    def extra_global_attributes(self) -> dict[str, Any]:
        """Global attributes after ``processing_status``."""
        return {}

    def coordinate(self, g: NcGroup, dim: str, long_name: str) -> None:
        """A coordinate variable of ``PRODUCT``: the dimension's index."""
        variable(
            g,
            dim,
            (dim,),
            np.arange(g.dimensions[dim]),
            np.int32,
            units="1",
            long_name=long_name,
            compress=False,
        )

    def product_variables(self, g: NcGroup) -> None:
        """The product's own variables in ``PRODUCT``, after qa_value."""

    def detailed_results(self, g: NcGroup) -> None:
        """``PRODUCT/SUPPORT_DATA/DETAILED_RESULTS``."""

    def input_data(self, g: NcGroup) -> None:
        """``PRODUCT/SUPPORT_DATA/INPUT_DATA``."""

    def qa_statistics(self, g: NcGroup) -> None:
        """``METADATA/QA_STATISTICS``."""

    # -- what the product types' variables share ---------------------------------------------

    def pixel_variable(
        self,
        g: NcGroup,
        name: str,
        value: Any,
        units: str,
        coordinates: str = SUPPORT_COORDINATES,
        *,
        dims: tuple[str, ...] = DIMS3,
        **attrs: Any,
    ) -> None:
        """A float32 pixel variable (``dims``) with the fill value: ``value`` (an array, or a
        constant), ``units``, ``attrs`` and ``coordinates``, in that order."""
        data = constant(self.shape3, value, "float32") if np.isscalar(value) else value
        variable(
            g,
            name,
            dims,
            data,
            np.float32,
            fill=FILL_FLOAT,
            units=units,
            **attrs,
            coordinates=coordinates,
        )

    def count_variable(self, g: NcGroup, name: str, value: int, long_name: str) -> None:
        """An int32 ``(time, scanline, ground_pixel)`` variable of constant ``value``."""
        variable(
            g,
            name,
            DIMS3,
            constant(self.shape3, value, "int32"),
            np.int32,
            fill=FILL_INT32,
            units="1",
            long_name=long_name,
        )

    def surface_inputs(self, g: NcGroup, table: tuple[tuple[str, float | None, str], ...]) -> None:
        """``INPUT_DATA`` variables (name, constant value or ``None`` for the input cloud
        fraction, units)."""
        for name, value, units in table:
            data = self.fields.cloud_fraction[None] if value is None else value
            self.pixel_variable(g, name, data, units)

    def quality_flags(self, g: NcGroup, **attrs: Any) -> None:
        """``processing_quality_flags``: the failed retrievals, then ``attrs``."""
        variable(
            g,
            "processing_quality_flags",
            DIMS3,
            self.fields.failed[None],
            np.uint32,
            long_name="Processing quality flags",
            **attrs,
        )

    def pixel_counts(self, g: NcGroup, rejected: bool = False) -> None:
        """The ``QA_STATISTICS`` pixel counts; ``rejected``: with the (zero) counts of pixels
        rejected for too little spectrum and of pixels with warnings."""
        pixels = int(self.fields.failed.size)
        failed = int(self.fields.failed.sum())
        counts = [
            ("number_of_groundpixels", pixels),
            ("number_of_processed_pixels", pixels),
            ("number_of_successfully_processed_pixels", pixels - failed),
            *([("number_of_rejected_pixels_not_enough_spectrum", 0)] if rejected else []),
            ("number_of_failed_retrievals", failed),
            *([("number_of_ground_pixels_with_warnings", 0)] if rejected else []),
        ]
        for key, value in counts:
            g.attrs[key] = np.array([value], dtype=np.int32)

    def qa_value(self, g: NcGroup, dims: tuple[str, ...], data: Any, **attrs: Any) -> None:
        """``qa_value``: ``data`` (percent, as uint8), then ``attrs``."""
        variable(
            g,
            "qa_value",
            dims,
            data,
            np.uint8,
            fill=np.uint8(255),
            units="1",
            scale_factor=np.float32(0.01),
            add_offset=np.float32(0.0),
            valid_min=np.uint8(0),
            valid_max=np.uint8(100),
            long_name="data quality value",
            **attrs,
        )

    def reference_time(self, g: NcGroup) -> None:
        """The ``time`` variable: the reference day, in seconds since 2010."""
        variable(
            g,
            "time",
            ("time",),
            [int((self.day - EPOCH_2010).total_seconds())],
            np.int32,
            units="seconds since 2010-01-01 00:00:00",
            standard_name="time",
            long_name="reference time for the measurements",
            axis="T",
        )

    # -- the shared parts --------------------------------------------------------------------

    def global_attributes(self) -> dict[str, Any]:
        e = self.entry
        duration = (e.end - e.start).total_seconds()
        lon, lat = geolocation(e, [0, SCANLINES - 1], [0, self.pixels - 1])
        seconds_1970 = int((self.day - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())
        return {
            "Conventions": "CF-1.7",
            "institution": self.INSTITUTION,
            "source": "Sentinel 5 precursor, TROPOMI, space-borne remote sensing, L2",
            "summary": self.TITLE,
            "tracking_id": str(uuid.uuid5(uuid.NAMESPACE_URL, e.name)),
            "id": self.stem,
            "time_reference": _xml.iso(self.day, 0),
            "time_reference_days_since_1950": np.array(
                [(self.day - datetime(1950, 1, 1, tzinfo=UTC)).days], dtype=np.int32
            ),
            "time_reference_julian_day": np.array([seconds_1970 / 86400 + 2440587.5]),
            "time_reference_seconds_since_1970": np.array([seconds_1970], dtype=np.int64),
            "time_coverage_start": _xml.iso(e.start, 0),
            "time_coverage_end": _xml.iso(e.end, 0),
            "time_coverage_duration": f"PT{duration:.3f}S",
            "time_coverage_resolution": f"PT{duration / SCANLINES:.3f}S",
            "orbit": np.array([self.orbit], dtype=np.int32),
            "references": self.REFERENCES,
            "processor_version": self.entry.attribute("processorVersion", "02.06.00"),
            "keywords_vocabulary": "AGU index terms, "
            "http://publications.agu.org/author-resource-center/index-terms/",
            "keywords": self.KEYWORDS,
            "standard_name_vocabulary": "NetCDF Climate and Forecast Metadata Conventions "
            "Standard Name Table (v29, 08 July 2015), http://cfconventions.org/standard-names.html",
            "naming_authority": "nl.knmi",
            "cdm_data_type": "Swath",
            "date_created": _xml.iso(self.created, 0),
            "creator_name": "The Sentinel 5 Precursor TROPOMI Level 2 products are developed "
            "with funding from the European Space Agency (ESA), the Netherlands Space Office "
            "(NSO), the Belgian Science Policy Office, the German Aerospace Center (DLR) and the "
            "Bayerisches Staatsministerium für Wirtschaft und Medien, Energie und Technologie "
            "(StMWi).",
            "creator_url": "http://www.tropomi.eu",
            "creator_email": "EOSupport@Copernicus.esa.int",
            "project": "Sentinel 5 precursor/TROPOMI",
            "geospatial_lat_min": np.array([min(lat)], dtype=np.float32),
            "geospatial_lat_max": np.array([max(lat)], dtype=np.float32),
            "geospatial_lon_min": np.array([min(lon)], dtype=np.float32),
            "geospatial_lon_max": np.array([max(lon)], dtype=np.float32),
            "license": "No conditions apply",
            "platform": "S5P",
            "sensor": "TROPOMI",
            "spatial_resolution": self.SPATIAL_RESOLUTION,
            "geolocation_grid_from_band": np.array([self.GEOLOCATION_BAND], dtype=np.int32),
            "identifier_product_doi": self.DOI,
            "identifier_product_doi_authority": "http://dx.doi.org/",
            "algorithm_version": self.ALGORITHM_VERSION,
            "title": self.TITLE,
            "product_version": self.PRODUCT_VERSION,
            "processing_status": self.processing_status(),
            **self.extra_global_attributes(),
        }

    def _times(self) -> np.ndarray:
        """Scanline times in milliseconds since the reference day."""
        start = (self.entry.start - self.day) / timedelta(milliseconds=1)
        span = (self.entry.end - self.entry.start) / timedelta(milliseconds=1)
        return np.round(start + span * np.arange(SCANLINES) / (SCANLINES - 1)).astype(np.int32)

    def _product(self, g: NcGroup) -> None:
        g.dimensions = {"scanline": SCANLINES, "ground_pixel": self.pixels, **self.DIMENSIONS}
        for dim, long_name in self.COORDINATES:
            if dim == "time":
                self.reference_time(g)
            else:
                self.coordinate(g, dim, long_name)
        lon, lat = centres(self.view.quad, self.pixels)
        for name, data, axis, limit in (
            ("latitude", lat, "north", 90),
            ("longitude", lon, "east", 180),
        ):
            variable(
                g,
                name,
                DIMS3,
                data[None],
                np.float32,
                units=f"degrees_{axis}",
                standard_name=name,
                long_name=f"pixel center {name}",
                bounds=f"/PRODUCT/SUPPORT_DATA/GEOLOCATIONS/{name}_bounds",
                valid_min=np.float32(-limit),
                valid_max=np.float32(limit),
            )
        times = self._times()
        variable(
            g,
            "delta_time",
            ("time", "scanline"),
            times[None],
            np.int32,
            long_name="offset of start time of measurement relative to time_reference",
            units=f"milliseconds since {self.day:%Y-%m-%d} 00:00:00",
            fill=FILL_INT32,
        )
        stamps = [
            (self.day + timedelta(milliseconds=int(t))).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            for t in times
        ]
        import h5py

        variable(
            g,
            "time_utc",
            ("time", "scanline"),
            np.array([stamps], dtype=object),
            h5py.string_dtype(),
            compress=False,
            long_name="Time of observation as ISO 8601 date-time string",
        )
        self.qa_value(
            g,
            DIMS3,
            self.fields.qa[None],
            comment="A continuous quality descriptor, varying between 0 (no data) and 1 "
            "(full quality data). Recommend to ignore data with qa_value < 0.5",
            coordinates="longitude latitude",
        )
        self.product_variables(g)
        support = g.create_group("SUPPORT_DATA")
        self._geolocations(support.create_group("GEOLOCATIONS"))
        self.detailed_results(support.create_group("DETAILED_RESULTS"))
        self.input_data(support.create_group("INPUT_DATA"))

    def _geolocations(self, geo: NcGroup) -> None:
        bounds = corners(self.view.quad, self.pixels)
        lon_b = np.stack([b[0] for b in bounds], axis=-1)[None]
        lat_b = np.stack([b[1] for b in bounds], axis=-1)[None]
        variable(geo, "latitude_bounds", (*DIMS3, "corner"), lat_b, np.float32)
        variable(geo, "longitude_bounds", (*DIMS3, "corner"), lon_b, np.float32)
        for name, value, units in (
            ("solar_zenith_angle", 35.0, "degree"),
            ("solar_azimuth_angle", -30.0, "degree"),
            ("viewing_zenith_angle", 20.0, "degree"),
            ("viewing_azimuth_angle", 100.0, "degree"),
        ):
            self.pixel_variable(geo, name, value, units, standard_name=name)
        sat_lon, sat_lat = geolocation(self.entry, np.arange(SCANLINES), self.pixels / 2 - 0.5)
        altitude = constant((1, SCANLINES), 8.3e5, "float32")
        for name, data, units, long_name in (
            ("satellite_latitude", sat_lat[None], "degrees_north", "sub satellite latitude"),
            ("satellite_longitude", sat_lon[None], "degrees_east", "sub satellite longitude"),
            ("satellite_altitude", altitude, "m", "satellite altitude"),
        ):
            variable(
                geo,
                name,
                ("time", "scanline"),
                data,
                np.float32,
                units=units,
                long_name=long_name,
            )

    def _metadata(self, g: NcGroup) -> None:
        e = self.entry
        settings = g.create_group("ALGORITHM_SETTINGS")
        for key, value in self.ALGORITHM_SETTINGS:
            settings.attrs[key] = value
        granule = g.create_group("GRANULE_DESCRIPTION")
        for key, value in {
            "GranuleStart": _xml.iso(e.start, 0),
            "GranuleEnd": _xml.iso(e.end, 0),
            "InstrumentName": "TROPOMI",
            "MissionName": "Sentinel-5 precursor",
            "MissionShortName": "S5P",
            "ProcessLevel": "2",
            "ProcessingCenter": "PDGS-OP",
            "ProcessingNode": "s5p-off-pn19",
            "ProcessorVersion": e.attribute("processorVersion", "02.06.00"),
            "ProductFormatVersion": np.array([10100], dtype=np.int32),
            "ProcessingMode": "Offline" if self.mode == "OFFL" else "Near-realtime",
            "LongitudeOfDaysideNadirEquatorCrossing": np.array(
                [e.extra.get("lon", 0.0)], dtype=np.float32
            ),
            "ProductShortName": self.product_type,
        }.items():
            granule.attrs[key] = value
        self.qa_statistics(g.create_group("QA_STATISTICS"))
        iso_and_eop(g, self.stem, self.product_type, "2015-10-16")
        version = np.array([1], dtype=np.int32)
        fixed_header(g, self.stem, self.FILE_DESCRIPTION, self.mode, self.product_type, "", version)
