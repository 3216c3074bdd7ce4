"""Sentinel-1 IW GRD products in the SAFE layout (dual polarisation VV+VH).

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
catalogue footprint: the geolocation grid and the TIFF's GCPs interpolate its corners. Pixel
values follow :func:`expected_dn`; the sigma-nought LUT follows :func:`expected_sigma_nought`.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _xml
from ._geo import Quad, footprint_quad
from ._raster import raster_bytes

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "LINES",
    "SAMPLES",
    "build_grd",
    "expected_dn",
    "expected_sigma_nought",
    "geolocation",
]

LINES = 400
SAMPLES = 500
POLARISATIONS = (("vv", "001"), ("vh", "002"))
SPEED_OF_LIGHT = 299_792_458.0
NEAR_SLANT_RANGE_TIME = 5.343315555380221e-03  # s, real IW GRD value
RANGE_SAMPLING_RATE = 6.434523812571428e07
RADAR_FREQUENCY = 5.405000454334350e09
INCIDENCE = (30.7, 46.0)  # near and far range incidence angle of IW, degrees
#: Lines and pixels of the calibration/noise vectors and of the geolocation grid.
VECTOR_LINES = (0, 100, 200, 300, LINES - 1)
VECTOR_PIXELS = (*range(0, SAMPLES - 1, 40), SAMPLES - 1)
GRID_LINES = tuple(round(v) for v in np.linspace(0, LINES - 1, 10))
GRID_PIXELS = tuple(round(v) for v in np.linspace(0, SAMPLES - 1, 21))


def expected_dn(polarisation: str, line: Any, pixel: Any) -> Any:
    """Digital number at ``(line, pixel)``: VV ``100 + (3*line + 5*pixel) % 400``,
    VH ``30 + (3*line + 5*pixel) % 150`` (uint16; works on numpy arrays)."""
    pol = polarisation.upper()
    if pol not in ("VV", "VH"):
        raise ValueError(f"polarisation must be 'VV' or 'VH', got {polarisation!r}")
    ramp = 3 * np.asarray(line, dtype=np.int64) + 5 * np.asarray(pixel, dtype=np.int64)
    value = 100 + ramp % 400 if pol == "VV" else 30 + ramp % 150
    return np.asarray(value).astype(np.uint16)


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
    quad = footprint_quad(entry)
    t = np.asarray(line, float) / (LINES - 1)
    p = np.asarray(pixel, float) / (SAMPLES - 1)
    if entry.extra.get("direction", "DESCENDING") == "ASCENDING":
        return quad.interpolate(p, t)
    return quad.interpolate(1 - p, 1 - t)


def build_grd(entry: Entry) -> dict[str, bytes]:
    """The files of an IW GRD SAFE product."""
    return _Product(entry).files()


def _haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def _t(value: datetime) -> str:
    """Sentinel-1 annotation times: naive UTC with microseconds."""
    return _xml.iso(value, 6, zulu=False)


class _Product:
    def __init__(self, entry: Entry) -> None:
        parts = entry.name.removesuffix(".SAFE").split("_")
        if len(parts) != 9 or parts[1] != "IW" or not parts[2].startswith("GRD"):
            raise ValueError(f"Sentinel-1 IW GRD product name expected, got {entry.name!r}")
        self.entry = entry
        self.mission = parts[0]  # S1A
        self.start, self.stop = entry.start, entry.end
        self.orbit = int(parts[6])
        self.datatake = int(parts[7], 16)
        self.ascending = entry.extra.get("direction", "DESCENDING") == "ASCENDING"
        self.rel_orbit = int(entry.attribute("relativeOrbitNumber", 1 + (self.orbit - 73) % 175))
        anx_ms = float(entry.attribute("startTimeFromAscendingNode", 0.0))
        self.anx = self.start - timedelta(milliseconds=anx_ms)
        self.quad: Quad = footprint_quad(entry)
        self.interval = (self.stop - self.start).total_seconds() / (LINES - 1)
        width = _haversine(self.quad.sw, self.quad.se)
        length = _haversine(self.quad.sw, self.quad.nw)
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
        for pol, number in POLARISATIONS:
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

        lines, pixels = np.indices((LINES, SAMPLES))
        gcps = [
            GroundControlPoint(row=line, col=pixel, x=lon, y=lat, z=0.0)
            for line, pixel, lon, lat in self.grid()
        ]
        return raster_bytes(
            expected_dn(pol, lines, pixels),
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
        return [
            "  <adsHeader>",
            f"    <missionId>{self.mission}</missionId>",
            "    <productType>GRD</productType>",
            f"    <polarisation>{pol.upper()}</polarisation>",
            "    <mode>IW</mode>",
            "    <swath>IW</swath>",
            f"    <startTime>{_t(self.start)}</startTime>",
            f"    <stopTime>{_t(self.stop)}</stopTime>",
            f"    <absoluteOrbitNumber>{self.orbit}</absoluteOrbitNumber>",
            f"    <missionDataTakeId>{self.datatake}</missionDataTakeId>",
            f"    <imageNumber>{number}</imageNumber>",
            "  </adsHeader>",
        ]

    @staticmethod
    def _vector(tag: str, values: Any, fmt: str = "{:.6e}") -> str:
        values = list(values)
        return f'<{tag} count="{len(values)}">{" ".join(fmt.format(v) for v in values)}</{tag}>'

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
                f"      <azimuthTime>{_t(self.azimuth_time(line))}</azimuthTime>",
                f"      <line>{line}</line>",
                "      " + self._vector("pixel", pixels, "{}"),
                "      " + self._vector("sigmaNought", sigma),
                "      " + self._vector("betaNought", beta),
                "      " + self._vector("gamma", sigma * 0.95),
                "      " + self._vector("dn", beta),
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
                f"      <azimuthTime>{_t(self.azimuth_time(line))}</azimuthTime>",
                f"      <line>{line}</line>",
                "      " + self._vector("pixel", pixels, "{}"),
                "      " + self._vector("noiseRangeLut", _noise(line, pixels)),
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
                "      " + self._vector("line", VECTOR_LINES, "{}"),
                "      " + self._vector("noiseAzimuthLut", [1.0] * len(VECTOR_LINES)),
                "    </noiseAzimuthVector>",
            ]
        lines += ["  </noiseAzimuthVectorList>", "</noise>", ""]
        return "\n".join(lines)

    def _orbit_state_vectors(self) -> list[str]:
        """Ten state vectors, 10 s apart, of a 693 km orbit over the swath's near-range edge."""
        out = []
        radius = 6_371_000.0 + 693_000.0
        near = (self.quad.sw, self.quad.nw) if self.ascending else (self.quad.ne, self.quad.se)
        track_start = self.start - timedelta(seconds=45)
        duration = (self.stop - self.start).total_seconds()

        def position(t: float) -> np.ndarray:
            f = t / duration
            lon = math.radians(near[0][0] + (near[1][0] - near[0][0]) * f)
            lat = math.radians(near[0][1] + (near[1][1] - near[0][1]) * f)
            return radius * np.array(
                [math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)]
            )

        for k in range(10):
            when = track_start + timedelta(seconds=10 * k)
            t = (when - self.start).total_seconds()
            pos = position(t)
            vel = (
                (position(t + 0.5) - position(t - 0.5))
                * 7_500
                / max(float(np.linalg.norm(position(t + 0.5) - position(t - 0.5))), 1e-9)
            )
            out += [
                "      <orbit>",
                f"        <time>{_t(when)}</time>",
                "        <frame>Earth Fixed</frame>",
                "        <position>",
                *(
                    f"          <{a}>{_xml.sci(v, 15)}</{a}>"
                    for a, v in zip("xyz", pos, strict=True)
                ),
                "        </position>",
                "        <velocity>",
                *(
                    f"          <{a}>{_xml.sci(v, 15)}</{a}>"
                    for a, v in zip("xyz", vel, strict=True)
                ),
                "        </velocity>",
                "      </orbit>",
            ]
        return out

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
            *self._orbit_state_vectors(),
            "    </orbitList>",
            f'    <attitudeList count="{len(times)}">',
        ]
        for when in times:
            lines += [
                "      <attitude>",
                f"        <time>{_t(when)}</time>",
                "        <frame>GM2000</frame>",
                "        <q0>3.378388e-01</q0>",
                "        <q1>3.421760e-01</q1>",
                "        <q2>1.215485e-01</q2>",
                "        <q3>8.683355e-01</q3>",
                "        <wx>-6.119722092989832e-05</wx>",
                "        <wy>-9.434581152163446e-04</wy>",
                "        <wz>-4.842531052418053e-04</wz>",
                "        <roll>-3.023400698961240e+01</roll>",
                "        <pitch>-5.152344767435216e+01</pitch>",
                "        <yaw>3.079209347378624e+01</yaw>",
                "      </attitude>",
            ]
        lines += [
            "    </attitudeList>",
            f'    <azimuthFmRateList count="{len(times)}">',
        ]
        for when in times:
            lines += [
                "      <azimuthFmRate>",
                f"        <azimuthTime>{_t(when)}</azimuthTime>",
                f"        <t0>{_xml.sci(NEAR_SLANT_RANGE_TIME, 15)}</t0>",
                "        "
                + self._vector("azimuthFmRatePolynomial", [-2320.27, 450135.2, -79186113.8]),
                "      </azimuthFmRate>",
            ]
        lines += [
            "    </azimuthFmRateList>",
            "  </generalAnnotation>",
            "  <imageAnnotation>",
            "    <imageInformation>",
            f"      <productFirstLineUtcTime>{_t(self.start)}</productFirstLineUtcTime>",
            f"      <productLastLineUtcTime>{_t(self.stop)}</productLastLineUtcTime>",
            f"      <ascendingNodeTime>{_t(self.anx)}</ascendingNodeTime>",
            f"      <anchorTime>{_t(self.start)}</anchorTime>",
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
        ]
        for when in times:
            lines += [
                "      <dcEstimate>",
                f"        <azimuthTime>{_t(when)}</azimuthTime>",
                f"        <t0>{_xml.sci(NEAR_SLANT_RANGE_TIME, 15)}</t0>",
                "        " + self._vector("geometryDcPolynomial", [-1.949903, -293.8135, 105352.2]),
                "        " + self._vector("dataDcPolynomial", [-1.793574, 3565.045, -3326166.0]),
                "        <dataDcRmsError>7.387162208557129e+00</dataDcRmsError>",
                "        <dataDcRmsErrorAboveThreshold>false</dataDcRmsErrorAboveThreshold>",
                f"        <fineDceAzimuthStartTime>{_t(when)}</fineDceAzimuthStartTime>",
                f"        <fineDceAzimuthStopTime>{_t(when + timedelta(seconds=2.8))}"
                "</fineDceAzimuthStopTime>",
                '        <fineDceList count="0"/>',
                "      </dcEstimate>",
            ]
        lines += [
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
                f"        <azimuthTime>{_t(self.azimuth_time(line))}</azimuthTime>",
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
                f"        <azimuthTime>{_t(when)}</azimuthTime>",
                f"        <slantRangeTime>{_xml.sci(NEAR_SLANT_RANGE_TIME, 15)}</slantRangeTime>",
                f"        <sr0>{_xml.sci(sr0, 15)}</sr0>",
                "        " + self._vector("srgrCoefficients", srgr, "{:.15e}"),
                "        <gr0>0.000000000000000e+00</gr0>",
                "        " + self._vector("grsrCoefficients", grsr, "{:.15e}"),
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
        objects: list[tuple[str, str, str, str]] = []  # (ID, repID, mime, path)
        for pol, number in POLARISATIONS:
            stem = self.stem(pol, number)
            key = stem.replace("-", "")
            objects += [
                (f"product{key}", "s1Level1ProductSchema", "text/xml", f"annotation/{stem}.xml"),
                (
                    f"noise{key}",
                    "s1Level1NoiseSchema",
                    "text/xml",
                    f"annotation/calibration/noise-{stem}.xml",
                ),
                (
                    f"calibration{key}",
                    "s1Level1CalibrationSchema",
                    "text/xml",
                    f"annotation/calibration/calibration-{stem}.xml",
                ),
            ]
        for pol, number in POLARISATIONS:
            stem = self.stem(pol, number)
            objects.append(
                (
                    stem.replace("-", ""),
                    "s1Level1MeasurementSchema",
                    "application/octet-stream",
                    f"measurement/{stem}.tiff",
                )
            )
        units = []
        for oid, rep, _, _ in objects:
            unit = (
                "Measurement Data Unit" if rep == "s1Level1MeasurementSchema" else "Metadata Unit"
            )
            extra = ""
            if rep == "s1Level1MeasurementSchema":
                dmd = " ".join(f"{p}{oid}Annotation" for p in ("product", "noise", "calibration"))
                extra = f' dmdID="{dmd} "'
            units += [
                f'      <xfdu:contentUnit unitType="{unit}" repID="{rep}"{extra}>',
                f'        <dataObjectPointer dataObjectID="{oid}"/>',
                "      </xfdu:contentUnit>",
            ]
        metadata = []
        for oid, rep, _, _ in objects:
            if rep != "s1Level1MeasurementSchema":
                metadata += [
                    f'    <metadataObject ID="{oid}Annotation" classification="DESCRIPTION" '
                    'category="DMD">',
                    f'      <dataObjectPointer dataObjectID="{oid}"/>',
                    "    </metadataObject>",
                ]
        data_objects = []
        for oid, rep, mime, path in objects:
            data = files[path]
            data_objects += [
                f'    <dataObject ID="{oid}" repID="{rep}">',
                f'      <byteStream mimeType="{mime}" size="{len(data)}">',
                f'        <fileLocation locatorType="URL" href="./{path}"/>',
                f'        <checksum checksumName="MD5">{_xml.md5(data)}</checksum>',
                "      </byteStream>",
                "    </dataObject>",
            ]
        corners = [(LINES - 1, 0), (LINES - 1, SAMPLES - 1), (0, SAMPLES - 1), (0, 0)]
        lon, lat = geolocation(self.entry, [c[0] for c in corners], [c[1] for c in corners])
        coordinates = " ".join(f"{y:.6f},{x:.6f}" for x, y in zip(lon, lat, strict=True))
        number = self.mission[-1]
        ipf = self.entry.attribute("processorVersion", "003.71")
        direction = "ASCENDING" if self.ascending else "DESCENDING"
        start_anx = (self.start - self.anx).total_seconds() * 1000
        stop_anx = (self.stop - self.anx).total_seconds() * 1000
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<xfdu:XFDU xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:gml="http://www.opengis.net/gml" xmlns:xfdu="urn:ccsds:schema:xfdu:1" '
            'xmlns:safe="http://www.esa.int/safe/sentinel-1.0" '
            'xmlns:s1="http://www.esa.int/safe/sentinel-1.0/sentinel-1" '
            'xmlns:s1sar="http://www.esa.int/safe/sentinel-1.0/sentinel-1/sar" '
            'xmlns:s1sarl1="http://www.esa.int/safe/sentinel-1.0/sentinel-1/sar/level-1" '
            'xmlns:s1sarl2="http://www.esa.int/safe/sentinel-1.0/sentinel-1/sar/level-2" '
            'xmlns:gx="http://www.google.com/kml/ext/2.2" '
            'version="esa/safe/sentinel-1.0/sentinel-1/sar/level-1/grd/standard/iwdp">',
            "  <informationPackageMap>",
            '    <xfdu:contentUnit unitType="SAFE Archive Information Package" '
            'textInfo="Sentinel-1 IW Level-1 GRD Product" dmdID="acquisitionPeriod platform '
            'generalProductInformation measurementOrbitReference measurementFrameSet" '
            'pdiID="processing">',
            *units,
            "    </xfdu:contentUnit>",
            "  </informationPackageMap>",
            "  <metadataSection>",
            *metadata,
            '    <metadataObject ID="processing" classification="PROVENANCE" category="PDI">',
            '      <metadataWrap mimeType="text/xml" vocabularyName="SAFE" textInfo="Processing">',
            "        <xmlData>",
            f'          <safe:processing name="GRD Post Processing" '
            f'start="{_t(self.entry.origin - timedelta(minutes=10))}" '
            f'stop="{_t(self.entry.origin)}">',
            '            <safe:facility country="Italy" name="Copernicus Ground Segment" '
            'organisation="ESA" site="Production Service-SERCO">',
            f'              <safe:software name="Sentinel-1 IPF" version="{ipf}"/>',
            "            </safe:facility>",
            "          </safe:processing>",
            "        </xmlData>",
            "      </metadataWrap>",
            "    </metadataObject>",
            '    <metadataObject ID="platform" classification="DESCRIPTION" category="DMD">',
            '      <metadataWrap mimeType="text/xml" vocabularyName="SAFE" '
            'textInfo="Platform Description">',
            "        <xmlData>",
            "          <safe:platform>",
            "            <safe:nssdcIdentifier>"
            f"{'2014-016A' if number == 'A' else '2024-235A'}</safe:nssdcIdentifier>",
            "            <safe:familyName>SENTINEL-1</safe:familyName>",
            f"            <safe:number>{number}</safe:number>",
            "            <safe:instrument>",
            '              <safe:familyName abbreviation="SAR">Synthetic Aperture Radar'
            "</safe:familyName>",
            "              <safe:extension>",
            "                <s1sarl1:instrumentMode>",
            "                  <s1sarl1:mode>IW</s1sarl1:mode>",
            "                  <s1sarl1:swath>IW</s1sarl1:swath>",
            "                </s1sarl1:instrumentMode>",
            "              </safe:extension>",
            "            </safe:instrument>",
            "          </safe:platform>",
            "        </xmlData>",
            "      </metadataWrap>",
            "    </metadataObject>",
            '    <metadataObject ID="measurementOrbitReference" classification="DESCRIPTION" '
            'category="DMD">',
            '      <metadataWrap mimeType="text/xml" vocabularyName="SAFE" '
            'textInfo="Orbit Reference">',
            "        <xmlData>",
            "          <safe:orbitReference>",
            f'            <safe:orbitNumber type="start">{self.orbit}</safe:orbitNumber>',
            f'            <safe:orbitNumber type="stop">{self.orbit}</safe:orbitNumber>',
            f'            <safe:relativeOrbitNumber type="start">{self.rel_orbit}'
            "</safe:relativeOrbitNumber>",
            f'            <safe:relativeOrbitNumber type="stop">{self.rel_orbit}'
            "</safe:relativeOrbitNumber>",
            f"            <safe:cycleNumber>{self.entry.attribute('cycleNumber', 1)}"
            "</safe:cycleNumber>",
            "            <safe:phaseIdentifier>1</safe:phaseIdentifier>",
            "            <safe:extension>",
            "              <s1:orbitProperties>",
            f"                <s1:pass>{direction}</s1:pass>",
            f"                <s1:ascendingNodeTime>{_t(self.anx)}</s1:ascendingNodeTime>",
            "              </s1:orbitProperties>",
            "            </safe:extension>",
            "          </safe:orbitReference>",
            "        </xmlData>",
            "      </metadataWrap>",
            "    </metadataObject>",
            '    <metadataObject ID="generalProductInformation" classification="DESCRIPTION" '
            'category="DMD">',
            '      <metadataWrap mimeType="text/xml" vocabularyName="SAFE" '
            'textInfo="General Product Information">',
            "        <xmlData>",
            "          <s1sarl1:standAloneProductInformation>",
            "            <s1sarl1:instrumentConfigurationID>7</s1sarl1:instrumentConfigurationID>",
            f"            <s1sarl1:missionDataTakeID>{self.datatake}</s1sarl1:missionDataTakeID>",
            "            <s1sarl1:transmitterReceiverPolarisation>VV"
            "</s1sarl1:transmitterReceiverPolarisation>",
            "            <s1sarl1:transmitterReceiverPolarisation>VH"
            "</s1sarl1:transmitterReceiverPolarisation>",
            "            <s1sarl1:productClass>S</s1sarl1:productClass>",
            "            <s1sarl1:productClassDescription>SAR Standard L1 Product"
            "</s1sarl1:productClassDescription>",
            "            <s1sarl1:productComposition>Slice</s1sarl1:productComposition>",
            "            <s1sarl1:productType>GRD</s1sarl1:productType>",
            "            <s1sarl1:productTimelinessCategory>Fast-24h"
            "</s1sarl1:productTimelinessCategory>",
            "            <s1sarl1:sliceProductFlag>false</s1sarl1:sliceProductFlag>",
            f"            <s1sarl1:sliceNumber>{self.entry.attribute('sliceNumber', 1)}"
            "</s1sarl1:sliceNumber>",
            f"            <s1sarl1:totalSlices>{self.entry.attribute('totalSlices', 1)}"
            "</s1sarl1:totalSlices>",
            "          </s1sarl1:standAloneProductInformation>",
            "        </xmlData>",
            "      </metadataWrap>",
            "    </metadataObject>",
            '    <metadataObject ID="acquisitionPeriod" classification="DESCRIPTION" '
            'category="DMD">',
            '      <metadataWrap mimeType="text/xml" vocabularyName="SAFE" '
            'textInfo="Acquisition Period">',
            "        <xmlData>",
            "          <safe:acquisitionPeriod>",
            f"            <safe:startTime>{_t(self.start)}</safe:startTime>",
            f"            <safe:stopTime>{_t(self.stop)}</safe:stopTime>",
            "            <safe:extension>",
            "              <s1:timeANX>",
            f"                <s1:startTimeANX>{_xml.sci(start_anx)}</s1:startTimeANX>",
            f"                <s1:stopTimeANX>{_xml.sci(stop_anx)}</s1:stopTimeANX>",
            "              </s1:timeANX>",
            "            </safe:extension>",
            "          </safe:acquisitionPeriod>",
            "        </xmlData>",
            "      </metadataWrap>",
            "    </metadataObject>",
            '    <metadataObject ID="measurementFrameSet" classification="DESCRIPTION" '
            'category="DMD">',
            '      <metadataWrap mimeType="text/xml" vocabularyName="SAFE" textInfo="Frame Set">',
            "        <xmlData>",
            "          <safe:frameSet>",
            "            <safe:frame>",
            '              <safe:footPrint srsName="http://www.opengis.net/gml/srs/epsg.xml#4326">',
            f"                <gml:coordinates>{coordinates}</gml:coordinates>",
            "              </safe:footPrint>",
            "            </safe:frame>",
            "          </safe:frameSet>",
            "        </xmlData>",
            "      </metadataWrap>",
            "    </metadataObject>",
            *(
                f'    <metadataObject ID="{rep}" classification="SYNTAX" category="REP">\n'
                f'      <metadataReference mimeType="text/xml" vocabularyName="XML Schema" '
                f'locatorType="URL" href="./support/{href}"/>\n'
                "    </metadataObject>"
                for rep, href in (
                    ("s1Level1ProductSchema", "s1-level-1-product.xsd"),
                    ("s1Level1NoiseSchema", "s1-level-1-noise.xsd"),
                    ("s1Level1CalibrationSchema", "s1-level-1-calibration.xsd"),
                    ("s1Level1MeasurementSchema", "s1-level-1-measurement.xsd"),
                )
            ),
            "  </metadataSection>",
            "  <dataObjectSection>",
            *data_objects,
            "  </dataObjectSection>",
            "</xfdu:XFDU>",
            "",
        ]
        return "\n".join(lines)
