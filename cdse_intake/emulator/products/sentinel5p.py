"""Sentinel-5P TROPOMI Level-2 NO2 products: one netCDF4 file with groups.

Shaped after the real ``S5P_OFFL_L2__NO2____…nc`` in ``reference/samples/products/sentinel-5p``
(its global attributes, the ``METADATA`` tree and the ``PRODUCT`` dimensions)::

    /                     global attributes (Conventions, institution, id, time_coverage_*, orbit…)
    PRODUCT/              scanline, ground_pixel, time, corner, layer… ; latitude, longitude,
                          delta_time, time_utc, qa_value, nitrogendioxide_tropospheric_column…
    PRODUCT/SUPPORT_DATA/GEOLOCATIONS|DETAILED_RESULTS|INPUT_DATA
    METADATA/ALGORITHM_SETTINGS|GRANULE_DESCRIPTION|QA_STATISTICS|ISO_METADATA|EOP_METADATA|
             ESA_METADATA

Small (200 scanlines x 50 ground pixels). The swath spans the catalogue footprint: scanline 0 is
its southern edge (S5P flies ascending), ground pixel 0 its western. Values follow
:func:`expected_no2` and :func:`expected_qa`; positions follow :func:`geolocation`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _xml
from ._geo import footprint_quad
from ._netcdf import netcdf_bytes, variable

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "GROUND_PIXELS",
    "SCANLINES",
    "build_l2",
    "expected_no2",
    "expected_qa",
    "geolocation",
]

SCANLINES = 200
GROUND_PIXELS = 50
LAYERS = 34
FILL_FLOAT = np.float32(9.96921e36)
MOLECULES_PER_CM2 = 6.02214e19  # multiplication_factor_to_convert_to_molecules_percm2
EPOCH_2010 = datetime(2010, 1, 1, tzinfo=UTC)


def expected_no2(scanline: Any, ground_pixel: Any) -> Any:
    """Tropospheric NO2 column (mol m-2, float32) at ``(scanline, ground_pixel)``:
    ``1e-5 * (1 + ((7*scanline + 3*ground_pixel) % 100) / 10)``, and NaN (the file's
    ``_FillValue``) on ground pixel 0 of every tenth scanline (``scanline % 10 == 9``)."""
    s = np.asarray(scanline, dtype=np.int64)
    g = np.asarray(ground_pixel, dtype=np.int64)
    value = (1e-5 * (1 + ((7 * s + 3 * g) % 100) / 10)).astype(np.float32)
    return np.where((g == 0) & (s % 10 == 9), np.float32(np.nan), value)


def expected_qa(scanline: Any, ground_pixel: Any) -> Any:
    """Raw ``qa_value`` (uint8; the file's ``scale_factor`` 0.01 makes it 0..1):
    ``(scanline + 2*ground_pixel) % 101``."""
    s = np.asarray(scanline, dtype=np.int64)
    g = np.asarray(ground_pixel, dtype=np.int64)
    return ((s + 2 * g) % 101).astype(np.uint8)


def geolocation(entry: Entry, scanline: Any, ground_pixel: Any) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of a pixel; pass ``x.0`` for its centre and ``x ± 0.5`` for its corners."""
    quad = footprint_quad(entry)
    u = (np.asarray(ground_pixel, float) + 0.5) / GROUND_PIXELS
    v = (np.asarray(scanline, float) + 0.5) / SCANLINES
    return quad.interpolate(u, v)


def build_l2(entry: Entry) -> dict[str, bytes]:
    """The product's single file, keyed by the product name."""
    if not entry.name.startswith("S5P_") or not entry.name.endswith(".nc"):
        raise ValueError(f"Sentinel-5P product name expected, got {entry.name!r}")
    return {entry.name: _Product(entry).netcdf()}


class _Product:
    def __init__(self, entry: Entry) -> None:
        self.entry = entry
        self.stem = entry.name.removesuffix(".nc")
        parts = self.stem.split("_")
        self.mode = parts[1]
        self.product_type = entry.product_type
        self.orbit = int(entry.attribute("orbitNumber", entry.extra.get("orbit", 0)))
        self.created = datetime.strptime(parts[-1], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        self.day = entry.start.replace(hour=0, minute=0, second=0, microsecond=0)

    def netcdf(self) -> bytes:
        return netcdf_bytes(self.write)

    def write(self, nc: Any) -> None:
        for key, value in self.global_attributes().items():
            nc.attrs[key] = value
        self._product(nc.create_group("PRODUCT"))
        self._metadata(nc.create_group("METADATA"))

    def global_attributes(self) -> dict[str, Any]:
        e = self.entry
        duration = (e.end - e.start).total_seconds()
        lon, lat = geolocation(e, [0, SCANLINES - 1], [0, GROUND_PIXELS - 1])
        seconds_1970 = int((self.day - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())
        title = "TROPOMI/S5P NO2 1-Orbit L2 Swath 5.5x3.5km"
        return {
            "Conventions": "CF-1.7",
            "institution": "KNMI",
            "source": "Sentinel 5 precursor, TROPOMI, space-borne remote sensing, L2",
            "summary": title,
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
            "references": "http://www.tropomi.eu/data-products/nitrogen-dioxide",
            "processor_version": self.entry.attribute("processorVersion", "02.06.00"),
            "keywords_vocabulary": "AGU index terms, "
            "http://publications.agu.org/author-resource-center/index-terms/",
            "keywords": "0345 Pollution, Urban and Regional; 0365 Troposphere, Composition and "
            "Chemistry; 0368 Troposphere, Constituent Transport and Chemistry; 3360 Remote "
            "Sensing; 3363 Stratospheric Dynamics",
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
            "spatial_resolution": "5.5x3.5km2",
            "geolocation_grid_from_band": np.array([4], dtype=np.int32),
            "identifier_product_doi": "10.5270/S5P-9bnp8q8",
            "identifier_product_doi_authority": "http://dx.doi.org/",
            "algorithm_version": "2.6.0",
            "title": title,
            "product_version": "2.6.0",
            "processing_status": f"{self.mode}-processing nominal product",
            "date_modified": _xml.iso(self.created, 0),
        }

    # -- PRODUCT -----------------------------------------------------------------------------

    def _times(self) -> np.ndarray:
        """Scanline times in milliseconds since the reference day."""
        start = (self.entry.start - self.day) / timedelta(milliseconds=1)
        span = (self.entry.end - self.entry.start) / timedelta(milliseconds=1)
        return np.round(start + span * np.arange(SCANLINES) / (SCANLINES - 1)).astype(np.int32)

    def _product(self, g: Any) -> None:
        g.dimensions = {
            "scanline": SCANLINES,
            "ground_pixel": GROUND_PIXELS,
            "time": 1,
            "corner": 4,
            "polynomial_exponents": 6,
            "intensity_offset_polynomial_exponents": 1,
            "layer": LAYERS,
            "vertices": 2,
        }
        for dim, long_name in (
            ("scanline", "along-track dimension index"),
            ("ground_pixel", "across-track dimension index"),
            ("corner", "pixel corner index"),
            ("polynomial_exponents", "polynomial exponents"),
            ("intensity_offset_polynomial_exponents", "polynomial exponents"),
            ("layer", "layer index"),
            ("vertices", "vertices index"),
        ):
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
        s, p = np.indices((SCANLINES, GROUND_PIXELS))
        lon, lat = geolocation(self.entry, s, p)
        dims3 = ("time", "scanline", "ground_pixel")
        variable(
            g,
            "latitude",
            dims3,
            lat[None],
            np.float32,
            units="degrees_north",
            standard_name="latitude",
            long_name="pixel center latitude",
            bounds="/PRODUCT/SUPPORT_DATA/GEOLOCATIONS/latitude_bounds",
            valid_min=np.float32(-90),
            valid_max=np.float32(90),
        )
        variable(
            g,
            "longitude",
            dims3,
            lon[None],
            np.float32,
            units="degrees_east",
            standard_name="longitude",
            long_name="pixel center longitude",
            bounds="/PRODUCT/SUPPORT_DATA/GEOLOCATIONS/longitude_bounds",
            valid_min=np.float32(-180),
            valid_max=np.float32(180),
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
            fill=np.int32(-2147483647),
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
        variable(
            g,
            "qa_value",
            dims3,
            expected_qa(s, p)[None],
            np.uint8,
            fill=np.uint8(255),
            units="1",
            scale_factor=np.float32(0.01),
            add_offset=np.float32(0.0),
            valid_min=np.uint8(0),
            valid_max=np.uint8(100),
            long_name="data quality value",
            comment="A continuous quality descriptor, varying between 0 (no data) and 1 "
            "(full quality data). Recommend to ignore data with qa_value < 0.5",
            coordinates="longitude latitude",
        )
        no2 = expected_no2(s, p)
        variable(
            g,
            "nitrogendioxide_tropospheric_column",
            dims3,
            np.where(np.isnan(no2), FILL_FLOAT, no2)[None],
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
            variable(
                g,
                name,
                dims3,
                np.full((1, SCANLINES, GROUND_PIXELS), value),
                np.float32,
                fill=FILL_FLOAT,
                units=units,
                long_name=long_name,
                coordinates="longitude latitude",
            )
        variable(
            g,
            "averaging_kernel",
            (*dims3, "layer"),
            np.broadcast_to(
                np.linspace(0.2, 1.5, LAYERS, dtype=np.float32),
                (1, SCANLINES, GROUND_PIXELS, LAYERS),
            ),
            np.float32,
            fill=FILL_FLOAT,
            units="1",
            long_name="Averaging kernel",
            coordinates="longitude latitude",
        )
        variable(
            g,
            "tm5_tropopause_layer_index",
            dims3,
            np.full((1, SCANLINES, GROUND_PIXELS), 17),
            np.int32,
            fill=np.int32(-2147483647),
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
        self._support(g.create_group("SUPPORT_DATA"))

    def _support(self, g: Any) -> None:
        s, p = np.indices((SCANLINES, GROUND_PIXELS))
        dims3 = ("time", "scanline", "ground_pixel")
        geo = g.create_group("GEOLOCATIONS")
        corners = [(-0.5, -0.5), (-0.5, 0.5), (0.5, 0.5), (0.5, -0.5)]  # (scanline, pixel)
        bounds = [geolocation(self.entry, s + ds, p + dp) for ds, dp in corners]
        lon_b = np.stack([b[0] for b in bounds], axis=-1)[None]
        lat_b = np.stack([b[1] for b in bounds], axis=-1)[None]
        variable(geo, "latitude_bounds", (*dims3, "corner"), lat_b, np.float32)
        variable(geo, "longitude_bounds", (*dims3, "corner"), lon_b, np.float32)
        for name, value, units in (
            ("solar_zenith_angle", 35.0, "degree"),
            ("solar_azimuth_angle", -30.0, "degree"),
            ("viewing_zenith_angle", 20.0, "degree"),
            ("viewing_azimuth_angle", 100.0, "degree"),
        ):
            variable(
                geo,
                name,
                dims3,
                np.full((1, SCANLINES, GROUND_PIXELS), value),
                np.float32,
                fill=FILL_FLOAT,
                units=units,
                standard_name=name,
                coordinates="/PRODUCT/longitude /PRODUCT/latitude",
            )
        sat_lon, sat_lat = geolocation(self.entry, np.arange(SCANLINES), GROUND_PIXELS / 2 - 0.5)
        variable(
            geo,
            "satellite_latitude",
            ("time", "scanline"),
            sat_lat[None],
            np.float32,
            units="degrees_north",
            long_name="sub satellite latitude",
        )
        variable(
            geo,
            "satellite_longitude",
            ("time", "scanline"),
            sat_lon[None],
            np.float32,
            units="degrees_east",
            long_name="sub satellite longitude",
        )
        variable(
            geo,
            "satellite_altitude",
            ("time", "scanline"),
            np.full((1, SCANLINES), 8.3e5),
            np.float32,
            units="m",
            long_name="satellite altitude",
        )
        detailed = g.create_group("DETAILED_RESULTS")
        no2 = expected_no2(s, p)
        for name, factor in (
            ("nitrogendioxide_total_column", 4.0),
            ("nitrogendioxide_stratospheric_column", 3.0),
        ):
            data = np.where(np.isnan(no2), FILL_FLOAT, no2 * factor)[None]
            variable(
                detailed,
                name,
                dims3,
                data,
                np.float32,
                fill=FILL_FLOAT,
                units="mol m-2",
                coordinates="/PRODUCT/longitude /PRODUCT/latitude",
            )
        variable(
            detailed,
            "processing_quality_flags",
            dims3,
            np.where(np.isnan(no2), 1, 0)[None],
            np.uint32,
            long_name="Processing quality flags",
        )
        inputs = g.create_group("INPUT_DATA")
        for name, value, units in (
            ("surface_pressure", 101325.0, "Pa"),
            ("surface_albedo", 0.05, "1"),
            ("cloud_fraction_crb", 0.2, "1"),
            ("cloud_pressure_crb", 60000.0, "Pa"),
        ):
            variable(
                inputs,
                name,
                dims3,
                np.full((1, SCANLINES, GROUND_PIXELS), value),
                np.float32,
                fill=FILL_FLOAT,
                units=units,
                coordinates="/PRODUCT/longitude /PRODUCT/latitude",
            )

    # -- METADATA ----------------------------------------------------------------------------

    def _metadata(self, g: Any) -> None:
        e = self.entry
        settings = g.create_group("ALGORITHM_SETTINGS")
        for key, value in (
            ("NO2DOAS.NO2.output.name", "nitrogendioxide"),
            ("NO2DOAS.convergence_threshold", "0.99"),
            ("NO2DOAS.max_iterations", "20"),
            ("NO2DOAS.polynomial_order", "5"),
        ):
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
        qa = g.create_group("QA_STATISTICS")
        pixels = SCANLINES * GROUND_PIXELS
        failed = int(np.isnan(expected_no2(*np.indices((SCANLINES, GROUND_PIXELS)))).sum())
        for key, value in (
            ("number_of_groundpixels", pixels),
            ("number_of_processed_pixels", pixels),
            ("number_of_successfully_processed_pixels", pixels - failed),
            ("number_of_failed_retrievals", failed),
        ):
            qa.attrs[key] = np.array([value], dtype=np.int32)
        iso = g.create_group("ISO_METADATA")
        for key, value in (
            ("gmd:dateStamp", "2015-10-16"),
            ("gmd:fileIdentifier", f"urn:ogc:def:EOP:ESA:SENTINEL.S5P_TROP_{self.product_type}"),
            ("gmd:hierarchyLevelName", "EO Product Collection"),
            ("objectType", "gmi:MI_Metadata"),
        ):
            iso.attrs[key] = value
        eop = g.create_group("EOP_METADATA")
        eop.attrs["gml:id"] = f"{self.stem}.ID"
        eop.attrs["objectType"] = "atm:EarthObservation"
        header = g.create_group("ESA_METADATA").create_group("earth_explorer_header")
        header.attrs["objectType"] = "Earth_Explorer_Header"
        fixed = header.create_group("fixed_header")
        for key, value in (
            ("objectType", "Fixed_Header"),
            ("File_Name", self.stem),
            (
                "File_Description",
                "Nitrogen dioxide tropospheric column with a spatial "
                "resolution of 5.5x3.5km2 observed at about 13:30 local solar time from spectra "
                "measured by TROPOMI",
            ),
            ("Notes", ""),
            ("Mission", "S5P"),
            ("File_Class", self.mode),
            ("File_Type", self.product_type),
            ("File_Version", np.array([1], dtype=np.int32)),
        ):
            fixed.attrs[key] = value
