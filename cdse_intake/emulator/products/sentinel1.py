"""Sentinel-1 IW GRD products in the SAFE layout (the name's polarisations: VV+VH, HH+HV...).

Shaped after the real GRD in ``reference/samples/products/sentinel-1`` and CDSE's December 2024
``manifest.safe``::

    <Name>.SAFE/
      manifest.safe
      annotation/s1a-iw-grd-vv-<start>-<stop>-<orbit>-<datatake>-001.xml   (and -vh-...-002)
      annotation/calibration/calibration-s1a-iw-grd-vv-...-001.xml
      annotation/calibration/noise-s1a-iw-grd-vv-...-001.xml
      measurement/s1a-iw-grd-vv-...-001.tiff   (uint16, GCPs in EPSG:4326, no geotransform)

Small (400 lines x 500 samples) but complete enough for ``xarray_sentinel`` to open every group
(``IW/VV``, ``IW/VV/calibration``, ``IW/VV/gcp``, ``IW/VV/orbit``...). The image spans the
catalogue footprint: the geolocation grid and the TIFF's GCPs interpolate its corners. The
images are the synthetic Earth's backscatter in the product's polarisations (``1SDV``: VV and
VH; ``1SDH``: HH and HV) with 4-look speckle, as digital numbers that the sigma-nought LUT
(:func:`expected_sigma_nought`) calibrates back to it (:mod:`._s1_pixels`): the sea dark, land
brighter, cross-polarisation lower. :func:`expected_dn` and :func:`expected_sigma0` are the
oracle: what the writer encodes, for a catalogue entry.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _xml
from ._geo import Quad, footprint_quad
from ._raster import raster_bytes
from ._s1_common import (
    RADAR_FREQUENCY,
    RANGE_SAMPLING_RATE,
    SPEED_OF_LIGHT,
    Facts,
    attitude_list,
    azimuth_fm_rate_list,
    dc_estimate_list,
    haversine,
    header,
    manifest,
    orbit_list,
    t,
    vector,
)
from ._s1_pixels import GRD_LOOKS, INCIDENCE, Acquisition, backscatter, detected_dn, place, speckle

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "LINES",
    "SAMPLES",
    "build_grd",
    "expected_dn",
    "expected_sigma0",
    "expected_sigma_nought",
    "geolocation",
]

LINES = 400
SAMPLES = 500
NEAR_SLANT_RANGE_TIME = 5.343315555380221e-03  # s, real IW GRD value
#: Lines and pixels of the calibration/noise vectors and of the geolocation grid.
VECTOR_LINES = (0, 100, 200, 300, LINES - 1)
VECTOR_PIXELS = (*range(0, SAMPLES - 1, 40), SAMPLES - 1)
GRID_LINES = tuple(round(v) for v in np.linspace(0, LINES - 1, 10))
GRID_PIXELS = tuple(round(v) for v in np.linspace(0, SAMPLES - 1, 21))


def expected_dn(entry: Entry, polarisation: str, line: Any, pixel: Any) -> Any:
    """Digital number (uint16) at ``(line, pixel)`` of ``entry``'s ``polarisation`` image: the
    scene's speckled sigma0 (:func:`expected_sigma0`) through the sigma-nought LUT,
    ``round(expected_sigma_nought * sqrt(sigma0))``. Works on arrays."""
    return _images(*_image_key(entry, polarisation))[1][np.asarray(line), np.asarray(pixel)]


def expected_sigma0(entry: Entry, polarisation: str, line: Any, pixel: Any) -> Any:
    """The backscatter (dB, float32) that ``entry``'s pixel at ``(line, pixel)`` encodes: the
    scene's sigma0 at its place, incidence and time, with speckle. Calibrating the product's DN
    gives it back to their rounding (half a DN in amplitude: ~0.1 dB at the sea's typical DN)."""
    return _images(*_image_key(entry, polarisation))[0][np.asarray(line), np.asarray(pixel)]


def _image_key(entry: Entry, polarisation: str) -> tuple[Acquisition, str]:
    facts = Facts.from_entry(entry, "GRD")
    pol = polarisation.upper()
    if pol not in facts.polarisations:
        raise ValueError(
            f"polarisation must be one of {', '.join(facts.polarisations)} (the product's), "
            f"got {polarisation!r}"
        )
    return Acquisition.of(facts), pol


@lru_cache(maxsize=8)
def _images(acq: Acquisition, pol: str) -> tuple[np.ndarray, np.ndarray]:
    """(sigma0 in dB, DN) of a whole image, read-only: the scene on the image's grid of range
    and azimuth fractions, times speckle hashed from the acquisition, line and pixel."""
    lines, pixels = np.arange(LINES)[:, None], np.arange(SAMPLES)[None, :]
    base = backscatter(acq, pol, np.arange(SAMPLES) / (SAMPLES - 1), np.arange(LINES) / (LINES - 1))
    spread = speckle(acq.seed("GRD", pol), lines, pixels, GRD_LOOKS)
    dn = detected_dn(base, expected_sigma_nought(lines, pixels), spread)
    sigma = (base + np.float32(10.0) * np.log10(spread)).astype(np.float32)
    sigma.flags.writeable = dn.flags.writeable = False
    return sigma, dn


def expected_sigma_nought(line: Any, pixel: Any) -> Any:
    """The sigma-nought calibration LUT: ``700 - 0.25*pixel + 0.01*line``.

    Linear in line and pixel, so its bilinear interpolation at any image pixel equals this
    formula (``calibrate_amplitude`` gives ``dn / expected_sigma_nought(line, pixel)``).
    """
    return 700.0 - 0.25 * np.asarray(pixel, dtype=np.float64) + 0.01 * np.asarray(line, float)


def _beta_nought(line: Any, pixel: Any) -> Any:
    return np.full(np.broadcast(line, pixel).shape, 474.0)


def _noise(line: Any, pixel: Any) -> Any:
    return np.broadcast_to(50.0 + 0.1 * np.asarray(pixel, float), np.broadcast(line, pixel).shape)


def geolocation(entry: Entry, line: Any, pixel: Any) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of image coordinates, interpolated between the footprint's corners.

    The radar looks right: ascending, the first line is the southern edge and near range (pixel
    0) the western one; descending, the first line is northern and near range eastern.
    """
    ascending = entry.extra.get("direction", "DESCENDING") == "ASCENDING"
    u = np.asarray(pixel, float) / (SAMPLES - 1)
    return place(footprint_quad(entry), ascending, u, np.asarray(line, float) / (LINES - 1))


def build_grd(entry: Entry) -> dict[str, bytes]:
    """The files of an IW GRD SAFE product."""
    return _Product(entry).files()


class _Product:
    def __init__(self, entry: Entry) -> None:
        self.facts = facts = Facts.from_entry(entry, "GRD")
        self.entry = entry
        self.mission = facts.mission  # S1A
        self.start, self.stop = facts.start, facts.stop
        self.orbit = facts.orbit
        self.datatake = facts.datatake
        self.ascending = facts.ascending
        self.anx = facts.anx
        self.quad: Quad = facts.quad
        self.acquisition = Acquisition.of(facts)
        #: (polarisation, image number): ``001`` co-polarisation, ``002`` cross-polarisation.
        self.images = [(pol.lower(), f"{k:03d}") for k, pol in enumerate(facts.polarisations, 1)]
        self.interval = (self.stop - self.start).total_seconds() / (LINES - 1)
        width = haversine(self.quad.sw, self.quad.se)
        length = haversine(self.quad.sw, self.quad.nw)
        self.range_spacing = width / (SAMPLES - 1)
        self.azimuth_spacing = length / (LINES - 1)
        mid_inc = math.radians(sum(INCIDENCE) / 2)
        # Slant range time per ground-range pixel (a flat-earth model, good enough here).
        self.srt_step = 2 * self.range_spacing * math.sin(mid_inc) / SPEED_OF_LIGHT

    def stem(self, pol: str, number: str) -> str:
        start = f"{self.start:%Y%m%dt%H%M%S}"
        stop = f"{self.stop:%Y%m%dt%H%M%S}"
        return (
            f"{self.mission.lower()}-iw-grd-{pol}-{start}-{stop}-{self.orbit:06d}-"
            f"{self.datatake:06x}-{number}"
        )

    def files(self) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        for pol, number in self.images:
            stem = self.stem(pol, number)
            files[f"annotation/{stem}.xml"] = self.annotation(pol, number).encode()
            files[f"annotation/calibration/calibration-{stem}.xml"] = self.calibration(
                pol, number
            ).encode()
            files[f"annotation/calibration/noise-{stem}.xml"] = self.noise(pol, number).encode()
            files[f"measurement/{stem}.tiff"] = self.measurement(pol)
        files["manifest.safe"] = self.manifest(files).encode()
        return files

    # -- geometry ----------------------------------------------------------------------------

    def azimuth_time(self, line: float) -> datetime:
        return self.start + timedelta(seconds=line * self.interval)

    def slant_range_time(self, pixel: float) -> float:
        return NEAR_SLANT_RANGE_TIME + pixel * self.srt_step

    def incidence(self, pixel: float) -> float:
        return INCIDENCE[0] + (INCIDENCE[1] - INCIDENCE[0]) * pixel / (SAMPLES - 1)

    def grid(self) -> list[tuple[int, int, float, float]]:
        """Geolocation grid points ``(line, pixel, lon, lat)``, lines outer, pixels inner."""
        lines, pixels = np.meshgrid(GRID_LINES, GRID_PIXELS, indexing="ij")
        lon, lat = geolocation(self.entry, lines, pixels)
        return [
            (int(ln), int(px), float(x), float(y))
            for ln, px, x, y in zip(
                lines.ravel(), pixels.ravel(), lon.ravel(), lat.ravel(), strict=True
            )
        ]

    # -- files -------------------------------------------------------------------------------

    def measurement(self, pol: str) -> bytes:
        from rasterio.control import GroundControlPoint

        gcps = [
            GroundControlPoint(row=line, col=pixel, x=lon, y=lat, z=0.0)
            for line, pixel, lon, lat in self.grid()
        ]
        return raster_bytes(
            _images(self.acquisition, pol.upper())[1],
            driver="GTiff",
            crs="EPSG:4326",
            gcps=gcps,
            tags={
                "TIFFTAG_IMAGEDESCRIPTION": f"Sentinel-1{self.mission[-1]} IW GRD HR L1",
                "TIFFTAG_SOFTWARE": "Sentinel-1 IPF 003.71",
                "TIFFTAG_DATETIME": f"{self.entry.origin:%Y:%m:%d %H:%M:%S}",
            },
        )

    def _header(self, pol: str, number: str) -> list[str]:
        return header(self.facts, "GRD", pol, "IW", self.start, self.stop, number)

    def calibration(self, pol: str, number: str) -> str:
        pixels = np.array(VECTOR_PIXELS)
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<calibration>",
            *self._header(pol, number),
            "  <calibrationInformation>",
            # GRD products carry 1.0 (the SLC sample carries 1.393).
            "    <absoluteCalibrationConstant>1.000000e+00</absoluteCalibrationConstant>",
            "  </calibrationInformation>",
            f'  <calibrationVectorList count="{len(VECTOR_LINES)}">',
        ]
        for line in VECTOR_LINES:
            sigma = expected_sigma_nought(line, pixels)
            beta = _beta_nought(line, pixels)
            lines += [
                "    <calibrationVector>",
                f"      <azimuthTime>{t(self.azimuth_time(line))}</azimuthTime>",
                f"      <line>{line}</line>",
                "      " + vector("pixel", pixels, "{}"),
                "      " + vector("sigmaNought", sigma),
                "      " + vector("betaNought", beta),
                "      " + vector("gamma", sigma * 0.95),
                "      " + vector("dn", beta),
                "    </calibrationVector>",
            ]
        lines += ["  </calibrationVectorList>", "</calibration>", ""]
        return "\n".join(lines)

    def noise(self, pol: str, number: str) -> str:
        pixels = np.array(VECTOR_PIXELS)
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<noise>",
            *self._header(pol, number),
            f'  <noiseRangeVectorList count="{len(VECTOR_LINES)}">',
        ]
        for line in VECTOR_LINES:
            lines += [
                "    <noiseRangeVector>",
                f"      <azimuthTime>{t(self.azimuth_time(line))}</azimuthTime>",
                f"      <line>{line}</line>",
                "      " + vector("pixel", pixels, "{}"),
                "      " + vector("noiseRangeLut", _noise(line, pixels)),
                "    </noiseRangeVector>",
            ]
        lines += ["  </noiseRangeVectorList>", '  <noiseAzimuthVectorList count="3">']
        bounds = np.linspace(0, SAMPLES, 4).astype(int)
        for i in range(3):
            lines += [
                "    <noiseAzimuthVector>",
                f"      <swath>IW{i + 1}</swath>",
                "      <firstAzimuthLine>0</firstAzimuthLine>",
                f"      <firstRangeSample>{bounds[i]}</firstRangeSample>",
                f"      <lastAzimuthLine>{LINES - 1}</lastAzimuthLine>",
                f"      <lastRangeSample>{bounds[i + 1] - 1}</lastRangeSample>",
                "      " + vector("line", VECTOR_LINES, "{}"),
                "      " + vector("noiseAzimuthLut", [1.0] * len(VECTOR_LINES)),
                "    </noiseAzimuthVector>",
            ]
        lines += ["  </noiseAzimuthVectorList>", "</noise>", ""]
        return "\n".join(lines)

    def annotation(self, pol: str, number: str) -> str:
        times = [self.start + (self.stop - self.start) * f for f in (0.0, 0.5, 1.0)]
        sr0 = NEAR_SLANT_RANGE_TIME * SPEED_OF_LIGHT / 2
        sin_inc = math.sin(math.radians(sum(INCIDENCE) / 2))
        srgr = [0.0, 1 / sin_inc, 0.0, 0.0, 0.0, 0.0]
        grsr = [sr0, sin_inc, 0.0, 0.0, 0.0, 0.0]
        heading = -12.5 if self.ascending else -167.5
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<product>",
            *self._header(pol, number),
            "  <qualityInformation>",
            "    <productQualityIndex>0.000000000000000e+00</productQualityIndex>",
            '    <qualityDataList count="0"/>',
            "  </qualityInformation>",
            "  <generalAnnotation>",
            "    <productInformation>",
            f"      <pass>{'Ascending' if self.ascending else 'Descending'}</pass>",
            "      <timelinessCategory>Fast-24h</timelinessCategory>",
            f"      <platformHeading>{_xml.sci(heading, 15)}</platformHeading>",
            "      <projection>Ground Range</projection>",
            f"      <rangeSamplingRate>{_xml.sci(RANGE_SAMPLING_RATE, 15)}</rangeSamplingRate>",
            f"      <radarFrequency>{_xml.sci(RADAR_FREQUENCY, 15)}</radarFrequency>",
            "      <azimuthSteeringRate>1.590368784000000e+00</azimuthSteeringRate>",
            "    </productInformation>",
            '    <downlinkInformationList count="0"/>',
            '    <orbitList count="10">',
            *orbit_list(self.facts),
            "    </orbitList>",
            f'    <attitudeList count="{len(times)}">',
            *attitude_list(times),
            "    </attitudeList>",
            f'    <azimuthFmRateList count="{len(times)}">',
            *azimuth_fm_rate_list(times, NEAR_SLANT_RANGE_TIME),
            "    </azimuthFmRateList>",
            "  </generalAnnotation>",
            "  <imageAnnotation>",
            "    <imageInformation>",
            f"      <productFirstLineUtcTime>{t(self.start)}</productFirstLineUtcTime>",
            f"      <productLastLineUtcTime>{t(self.stop)}</productLastLineUtcTime>",
            f"      <ascendingNodeTime>{t(self.anx)}</ascendingNodeTime>",
            f"      <anchorTime>{t(self.start)}</anchorTime>",
            "      <productComposition>Slice</productComposition>",
            f"      <sliceNumber>{self.entry.attribute('sliceNumber', 1)}</sliceNumber>",
            '      <sliceList count="0"/>',
            f"      <slantRangeTime>{_xml.sci(NEAR_SLANT_RANGE_TIME, 15)}</slantRangeTime>",
            "      <pixelValue>Detected</pixelValue>",
            "      <outputPixels>16 bit Unsigned Integer</outputPixels>",
            f"      <rangePixelSpacing>{_xml.sci(self.range_spacing)}</rangePixelSpacing>",
            f"      <azimuthPixelSpacing>{_xml.sci(self.azimuth_spacing)}</azimuthPixelSpacing>",
            f"      <azimuthTimeInterval>{_xml.sci(self.interval, 15)}</azimuthTimeInterval>",
            f"      <azimuthFrequency>{_xml.sci(1 / self.interval, 15)}</azimuthFrequency>",
            f"      <numberOfSamples>{SAMPLES}</numberOfSamples>",
            f"      <numberOfLines>{LINES}</numberOfLines>",
            "      <zeroDopMinusAcqTime>1.505690820000000e+02</zeroDopMinusAcqTime>",
            f"      <incidenceAngleMidSwath>{_xml.sci(sum(INCIDENCE) / 2, 15)}"
            "</incidenceAngleMidSwath>",
            "    </imageInformation>",
            "    <processingInformation>",
            "      <ellipsoidName>WGS84</ellipsoidName>",
            "      <ellipsoidSemiMajorAxis>6.378137000000000e+06</ellipsoidSemiMajorAxis>",
            "      <ellipsoidSemiMinorAxis>6.356752314245000e+06</ellipsoidSemiMinorAxis>",
            "    </processingInformation>",
            "  </imageAnnotation>",
            "  <dopplerCentroid>",
            f'    <dcEstimateList count="{len(times)}">',
            *dc_estimate_list(times, NEAR_SLANT_RANGE_TIME),
            "    </dcEstimateList>",
            "  </dopplerCentroid>",
            "  <antennaPattern>",
            '    <antennaPatternList count="0"/>',
            "  </antennaPattern>",
            "  <swathTiming>",
            "    <linesPerBurst>0</linesPerBurst>",
            "    <samplesPerBurst>0</samplesPerBurst>",
            '    <burstList count="0"/>',
            "  </swathTiming>",
            "  <geolocationGrid>",
            f'    <geolocationGridPointList count="{len(GRID_LINES) * len(GRID_PIXELS)}">',
        ]
        for line, pixel, lon, lat in self.grid():
            inc = self.incidence(pixel)
            lines += [
                "      <geolocationGridPoint>",
                f"        <azimuthTime>{t(self.azimuth_time(line))}</azimuthTime>",
                f"        <slantRangeTime>{_xml.sci(self.slant_range_time(pixel), 15)}"
                "</slantRangeTime>",
                f"        <line>{line}</line>",
                f"        <pixel>{pixel}</pixel>",
                f"        <latitude>{_xml.sci(lat, 15)}</latitude>",
                f"        <longitude>{_xml.sci(lon, 15)}</longitude>",
                "        <height>0.000000000000000e+00</height>",
                f"        <incidenceAngle>{_xml.sci(inc, 15)}</incidenceAngle>",
                f"        <elevationAngle>{_xml.sci(inc - 3.3, 15)}</elevationAngle>",
                "      </geolocationGridPoint>",
            ]
        lines += [
            "    </geolocationGridPointList>",
            "  </geolocationGrid>",
            "  <coordinateConversion>",
            f'    <coordinateConversionList count="{len(times)}">',
        ]
        for when in times:
            lines += [
                "      <coordinateConversion>",
                f"        <azimuthTime>{t(when)}</azimuthTime>",
                f"        <slantRangeTime>{_xml.sci(NEAR_SLANT_RANGE_TIME, 15)}</slantRangeTime>",
                f"        <sr0>{_xml.sci(sr0, 15)}</sr0>",
                "        " + vector("srgrCoefficients", srgr, "{:.15e}"),
                "        <gr0>0.000000000000000e+00</gr0>",
                "        " + vector("grsrCoefficients", grsr, "{:.15e}"),
                "      </coordinateConversion>",
            ]
        lines += [
            "    </coordinateConversionList>",
            "  </coordinateConversion>",
            "  <swathMerging>",
            '    <swathMergeList count="0"/>',
            "  </swathMerging>",
            "</product>",
            "",
        ]
        return "\n".join(lines)

    def manifest(self, files: dict[str, bytes]) -> str:
        corners = [(LINES - 1, 0), (LINES - 1, SAMPLES - 1), (0, SAMPLES - 1), (0, 0)]
        lon, lat = geolocation(self.entry, [c[0] for c in corners], [c[1] for c in corners])
        return manifest(
            self.facts,
            product_type="GRD",
            swaths=("IW",),
            stems=[self.stem(pol, number) for pol, number in self.images],
            files=files,
            corners=list(zip(lon, lat, strict=True)),
        )
