"""The XML of a Sentinel-1 wave-mode imagette (product annotation, calibration, noise), the
manifest's wave-mode wording and the preview folder.

The elements and their order follow the IW SLC writer's (:mod:`._s1_slc_xml`, itself written from
a real product), with the imagette's own geometry: no bursts (``linesPerBurst`` 0, an empty
``burstList``, as stripmap and wave imagettes have), constant LUTs per beam, a 5 x 5 geolocation
grid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import _xml
from . import sentinel1_wv as wv
from ._s1_common import (
    RADAR_FREQUENCY,
    SPEED_OF_LIGHT,
    Facts,
    attitude_list,
    azimuth_fm_rate_list,
    dc_estimate_list,
    t,
    vector,
)

if TYPE_CHECKING:
    from ..catalogue import Entry
    from .sentinel1_wv import Imagette

__all__ = [
    "GRID_LINES",
    "GRID_PIXELS",
    "annotation",
    "calibration",
    "header",
    "noise",
    "preview",
    "wave_manifest",
]

GRID_LINES = tuple(round(x) for x in np.linspace(0, wv.LINES - 1, 5))
GRID_PIXELS = tuple(round(x) for x in np.linspace(0, wv.SAMPLES - 1, 5))
#: Pixels of the calibration and noise vectors: every 8th and the last.
_VECTOR_PIXELS = np.array([*range(0, wv.SAMPLES - 1, 8), wv.SAMPLES - 1])


def header(f: Facts, im: Imagette) -> str:
    """The ``adsHeader`` of an imagette's three XML files."""
    return "\n".join(
        [
            "  <adsHeader>",
            f"    <missionId>{f.mission}</missionId>",
            "    <productType>SLC</productType>",
            f"    <polarisation>{f.polarisations[0]}</polarisation>",
            "    <mode>WV</mode>",
            f"    <swath>{im.swath}</swath>",
            f"    <startTime>{t(im.start)}</startTime>",
            f"    <stopTime>{t(im.stop)}</stopTime>",
            f"    <absoluteOrbitNumber>{f.orbit}</absoluteOrbitNumber>",
            f"    <missionDataTakeId>{f.datatake}</missionDataTakeId>",
            f"    <imageNumber>{im.number}</imageNumber>",
            "  </adsHeader>",
        ]
    )


def _document(root: str, head: str, body: list[str]) -> bytes:
    text = "\n".join([f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>', head, *body, ""])
    return text.encode()


def _line_time(im: Imagette, line: float) -> Any:
    return im.start + im.interval * line


def calibration(im: Imagette, head: str) -> bytes:
    """Calibration vectors at the first, middle and last line: a constant sigma-nought LUT."""
    beam = wv.SWATHS[im.swath]
    n = _VECTOR_PIXELS.size
    body = [
        "  <calibrationInformation>",
        "    <absoluteCalibrationConstant>1.000000e+00</absoluteCalibrationConstant>",
        "  </calibrationInformation>",
        '  <calibrationVectorList count="3">',
    ]
    for line in (0, wv.LINES // 2, wv.LINES - 1):
        body += [
            "    <calibrationVector>",
            f"      <azimuthTime>{t(_line_time(im, line))}</azimuthTime>",
            f"      <line>{line}</line>",
            "      " + vector("pixel", _VECTOR_PIXELS, "{}"),
            "      " + vector("sigmaNought", np.full(n, beam.sigma_nought)),
            "      " + vector("betaNought", np.full(n, 237.0)),
            "      " + vector("gamma", np.full(n, beam.sigma_nought * 0.93)),
            "      " + vector("dn", np.full(n, 237.0)),
            "    </calibrationVector>",
        ]
    return _document("calibration", head, [*body, "  </calibrationVectorList>", "</calibration>"])


def noise(im: Imagette, head: str) -> bytes:
    """One range noise vector at the first line, one azimuth vector for the imagette."""
    lut = 60.0 - 0.2 * _VECTOR_PIXELS
    lines = [0, wv.LINES - 1]
    body = [
        '  <noiseRangeVectorList count="1">',
        "    <noiseRangeVector>",
        f"      <azimuthTime>{t(im.start)}</azimuthTime>",
        "      <line>0</line>",
        "      " + vector("pixel", _VECTOR_PIXELS, "{}"),
        "      " + vector("noiseRangeLut", lut),
        "    </noiseRangeVector>",
        "  </noiseRangeVectorList>",
        '  <noiseAzimuthVectorList count="1">',
        "    <noiseAzimuthVector>",
        f"      <swath>{im.swath}</swath>",
        "      <firstAzimuthLine>0</firstAzimuthLine>",
        "      <firstRangeSample>0</firstRangeSample>",
        f"      <lastAzimuthLine>{wv.LINES - 1}</lastAzimuthLine>",
        f"      <lastRangeSample>{wv.SAMPLES - 1}</lastRangeSample>",
        "      " + vector("line", lines, "{}"),
        "      " + vector("noiseAzimuthLut", [1.0, 1.0]),
        "    </noiseAzimuthVector>",
        "  </noiseAzimuthVectorList>",
    ]
    return _document("noise", head, [*body, "</noise>"])


def _grid(im: Imagette, grid: list[tuple[Any, Any, Any, Any]]) -> list[str]:
    beam = wv.SWATHS[im.swath]
    out = ["  <geolocationGrid>", f'    <geolocationGridPointList count="{len(grid)}">']
    for line, pixel, lon, lat in grid:
        inc = float(wv.incidence_angle(im.swath, pixel))
        srt = beam.slant_range_time + float(pixel) / beam.sampling_rate
        out += [
            "      <geolocationGridPoint>",
            f"        <azimuthTime>{t(_line_time(im, float(line)))}</azimuthTime>",
            f"        <slantRangeTime>{_xml.sci(srt, 15)}</slantRangeTime>",
            f"        <line>{int(line)}</line>",
            f"        <pixel>{int(pixel)}</pixel>",
            f"        <latitude>{float(lat):.15e}</latitude>",
            f"        <longitude>{float(lon):.15e}</longitude>",
            "        <height>0.000000000000000e+00</height>",
            f"        <incidenceAngle>{_xml.sci(inc, 15)}</incidenceAngle>",
            f"        <elevationAngle>{_xml.sci(inc - 2.6, 15)}</elevationAngle>",
            "      </geolocationGridPoint>",
        ]
    return [*out, "    </geolocationGridPointList>", "  </geolocationGrid>"]


def annotation(
    f: Facts, im: Imagette, head: str, grid: list[tuple[Any, Any, Any, Any]], orbit: list[str]
) -> bytes:
    """The product annotation of an imagette (``orbit``: :func:`._s1_common.orbit_list`)."""
    beam = wv.SWATHS[im.swath]
    interval = im.interval.total_seconds()
    middle = [_line_time(im, wv.LINES / 2)]
    heading = -12.5 if f.ascending else -167.5
    spacing = wv.VIGNETTE_M / (wv.LINES - 1)
    body = [
        "  <qualityInformation>",
        "    <productQualityIndex>0.000000000000000e+00</productQualityIndex>",
        '    <qualityDataList count="0"/>',
        "  </qualityInformation>",
        "  <generalAnnotation>",
        "    <productInformation>",
        f"      <pass>{'Ascending' if f.ascending else 'Descending'}</pass>",
        "      <timelinessCategory>Fast-24h</timelinessCategory>",
        f"      <platformHeading>{_xml.sci(heading, 15)}</platformHeading>",
        "      <projection>Slant Range</projection>",
        f"      <rangeSamplingRate>{_xml.sci(beam.sampling_rate, 15)}</rangeSamplingRate>",
        f"      <radarFrequency>{_xml.sci(RADAR_FREQUENCY, 15)}</radarFrequency>",
        "      <azimuthSteeringRate>0.000000000000000e+00</azimuthSteeringRate>",
        "    </productInformation>",
        '    <downlinkInformationList count="0"/>',
        '    <orbitList count="10">',
        *orbit,
        "    </orbitList>",
        '    <attitudeList count="1">',
        *attitude_list(middle),
        "    </attitudeList>",
        '    <azimuthFmRateList count="1">',
        *azimuth_fm_rate_list(middle, beam.slant_range_time),
        "    </azimuthFmRateList>",
        "  </generalAnnotation>",
        "  <imageAnnotation>",
        "    <imageInformation>",
        f"      <productFirstLineUtcTime>{t(im.start)}</productFirstLineUtcTime>",
        f"      <productLastLineUtcTime>{t(im.stop)}</productLastLineUtcTime>",
        f"      <ascendingNodeTime>{t(f.anx)}</ascendingNodeTime>",
        f"      <anchorTime>{t(im.start)}</anchorTime>",
        "      <productComposition>Individual</productComposition>",
        "      <sliceNumber>0</sliceNumber>",
        '      <sliceList count="0"/>',
        f"      <slantRangeTime>{_xml.sci(beam.slant_range_time, 15)}</slantRangeTime>",
        "      <pixelValue>Complex</pixelValue>",
        "      <outputPixels>16 bit Signed Integer</outputPixels>",
        f"      <rangePixelSpacing>{_xml.sci(SPEED_OF_LIGHT / 2 / beam.sampling_rate)}"
        "</rangePixelSpacing>",
        f"      <azimuthPixelSpacing>{_xml.sci(spacing)}</azimuthPixelSpacing>",
        f"      <azimuthTimeInterval>{_xml.sci(interval, 15)}</azimuthTimeInterval>",
        f"      <azimuthFrequency>{_xml.sci(1 / interval, 15)}</azimuthFrequency>",
        f"      <numberOfSamples>{wv.SAMPLES}</numberOfSamples>",
        f"      <numberOfLines>{wv.LINES}</numberOfLines>",
        "      <zeroDopMinusAcqTime>1.505690820000000e+02</zeroDopMinusAcqTime>",
        f"      <incidenceAngleMidSwath>{_xml.sci(beam.incidence, 15)}</incidenceAngleMidSwath>",
        "    </imageInformation>",
        "    <processingInformation>",
        "      <ellipsoidName>WGS84</ellipsoidName>",
        "      <ellipsoidSemiMajorAxis>6.378137000000000e+06</ellipsoidSemiMajorAxis>",
        "      <ellipsoidSemiMinorAxis>6.356752314245000e+06</ellipsoidSemiMinorAxis>",
        "    </processingInformation>",
        "  </imageAnnotation>",
        "  <dopplerCentroid>",
        '    <dcEstimateList count="1">',
        *dc_estimate_list(middle, beam.slant_range_time),
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
        *_grid(im, grid),
        "  <coordinateConversion>",
        '    <coordinateConversionList count="0"/>',
        "  </coordinateConversion>",
        "  <swathMerging>",
        '    <swathMergeList count="0"/>',
        "  </swathMerging>",
        "</product>",
    ]
    return _document("product", head, body)


def wave_manifest(text: str) -> str:
    """The shared (IW) manifest text with the wave mode's wording."""
    return (
        text.replace("<s1sarl1:mode>IW</s1sarl1:mode>", "<s1sarl1:mode>WV</s1sarl1:mode>")
        .replace("Sentinel-1 IW Level-1", "Sentinel-1 WV Level-1")
        .replace("/standard/iwdp", "/standard/wvsp")
    )


def preview(entry: Entry, f: Facts, sigmas: list[np.ndarray]) -> dict[str, bytes]:
    """``preview/``: a quick-look PNG of the imagettes side by side, a KML overlay and the HTML
    page."""
    from ._raster import raster_bytes

    strip = np.concatenate([s[::2, ::2] for s in sigmas], axis=1)
    grey = np.clip((strip + 30.0) * 255.0 / 30.0, 0, 255).astype(np.uint8)
    ring = " ".join(f"{lon:.6f},{lat:.6f}" for lon, lat in f.quad.ring()[:4])
    name = entry.name.removesuffix(".SAFE")
    kml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2" '
        'xmlns:gx="http://www.google.com/kml/ext/2.2">\n<Document>\n  <name>Sentinel-1 Map '
        f"Overlay</name>\n  <GroundOverlay>\n    <name>{name}</name>\n"
        "    <Icon><href>quick-look.png</href></Icon>\n"
        f"    <gx:LatLonQuad><coordinates>{ring}</coordinates></gx:LatLonQuad>\n"
        "  </GroundOverlay>\n</Document>\n</kml>\n"
    )
    html = (
        f"<!DOCTYPE html>\n<html>\n<head><title>{name}</title></head>\n<body>\n"
        f'<h1>{name}</h1>\n<img src="quick-look.png" alt="quick-look"/>\n</body>\n</html>\n'
    )
    return {
        "preview/quick-look.png": raster_bytes(grey, driver="PNG"),
        "preview/map-overlay.kml": kml.encode(),
        "preview/product-preview.html": html.encode(),
    }
