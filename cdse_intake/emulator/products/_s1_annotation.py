"""The product annotation XML that the Sentinel-1 writers share (GRD, SLC, wave mode).

:func:`annotation_lines` writes the elements in the real files' order from an :class:`Image`,
the writer's own parts (swath timing, geolocation grid, coordinate conversion) spliced in;
:func:`grid_point`, :func:`noise_azimuth_vector`, :data:`NO_BURSTS` and :data:`NO_CONVERSION`
are parts that several writers share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import _xml
from ._s1_common import (
    RADAR_FREQUENCY,
    Facts,
    attitude_list,
    azimuth_fm_rate_list,
    dc_estimate_list,
    t,
    vector,
)

__all__ = [
    "NO_BURSTS",
    "NO_CONVERSION",
    "Image",
    "annotation_lines",
    "grid_point",
    "noise_azimuth_vector",
]

#: ``swathTiming`` of a product without bursts (GRD, stripmap and wave imagettes).
NO_BURSTS = (
    "  <swathTiming>",
    "    <linesPerBurst>0</linesPerBurst>",
    "    <samplesPerBurst>0</samplesPerBurst>",
    '    <burstList count="0"/>',
    "  </swathTiming>",
)
#: An empty ``coordinateConversion`` (slant-range products).
NO_CONVERSION = (
    "  <coordinateConversion>",
    '    <coordinateConversionList count="0"/>',
    "  </coordinateConversion>",
)

_TOPS_FILTER = "      <topsFilterConvention>Only Echo Lines</topsFilterConvention>"


@dataclass(frozen=True)
class Image:
    """What a product annotation says of one image."""

    facts: Facts
    #: ``Ground Range`` (GRD) or ``Slant Range``.
    projection: str
    sampling_rate: float
    steering_rate: float
    #: The ``orbitList`` elements (:func:`._s1_common.orbit_list`).
    orbit: list[str]
    #: Times of the attitude, FM rate and Doppler centroid estimates.
    times: list[datetime]
    slant_range_time: float
    start: datetime
    stop: datetime
    anchor: datetime
    composition: str
    slice_number: Any
    #: Detected (GRD, uint16) or complex (SLC, int16) pixels.
    detected: bool
    range_spacing: float
    azimuth_spacing: float
    interval: float
    samples: int
    lines: int
    incidence: float
    #: TOPS (IW SLC): ``processingInformation`` names its filter convention.
    tops: bool = False


def annotation_lines(
    im: Image, swath_timing: Sequence[str], grid: Sequence[str], conversion: Sequence[str]
) -> list[str]:
    """The annotation's lines after the ``adsHeader``, up to ``</product>``."""
    heading = -12.5 if im.facts.ascending else -167.5
    n = len(im.times)
    return [
        "  <qualityInformation>",
        "    <productQualityIndex>0.000000000000000e+00</productQualityIndex>",
        '    <qualityDataList count="0"/>',
        "  </qualityInformation>",
        "  <generalAnnotation>",
        "    <productInformation>",
        f"      <pass>{'Ascending' if im.facts.ascending else 'Descending'}</pass>",
        f"      <timelinessCategory>{im.facts.timeliness}</timelinessCategory>",
        f"      <platformHeading>{_xml.sci(heading, 15)}</platformHeading>",
        f"      <projection>{im.projection}</projection>",
        f"      <rangeSamplingRate>{_xml.sci(im.sampling_rate, 15)}</rangeSamplingRate>",
        f"      <radarFrequency>{_xml.sci(RADAR_FREQUENCY, 15)}</radarFrequency>",
        f"      <azimuthSteeringRate>{_xml.sci(im.steering_rate, 15)}</azimuthSteeringRate>",
        "    </productInformation>",
        '    <downlinkInformationList count="0"/>',
        '    <orbitList count="10">',
        *im.orbit,
        "    </orbitList>",
        f'    <attitudeList count="{n}">',
        *attitude_list(im.times),
        "    </attitudeList>",
        f'    <azimuthFmRateList count="{n}">',
        *azimuth_fm_rate_list(im.times, im.slant_range_time),
        "    </azimuthFmRateList>",
        "  </generalAnnotation>",
        "  <imageAnnotation>",
        "    <imageInformation>",
        f"      <productFirstLineUtcTime>{t(im.start)}</productFirstLineUtcTime>",
        f"      <productLastLineUtcTime>{t(im.stop)}</productLastLineUtcTime>",
        f"      <ascendingNodeTime>{t(im.facts.anx)}</ascendingNodeTime>",
        f"      <anchorTime>{t(im.anchor)}</anchorTime>",
        f"      <productComposition>{im.composition}</productComposition>",
        f"      <sliceNumber>{im.slice_number}</sliceNumber>",
        '      <sliceList count="0"/>',
        f"      <slantRangeTime>{_xml.sci(im.slant_range_time, 15)}</slantRangeTime>",
        f"      <pixelValue>{'Detected' if im.detected else 'Complex'}</pixelValue>",
        "      <outputPixels>"
        f"{'16 bit Unsigned Integer' if im.detected else '16 bit Signed Integer'}</outputPixels>",
        f"      <rangePixelSpacing>{_xml.sci(im.range_spacing)}</rangePixelSpacing>",
        f"      <azimuthPixelSpacing>{_xml.sci(im.azimuth_spacing)}</azimuthPixelSpacing>",
        f"      <azimuthTimeInterval>{_xml.sci(im.interval, 15)}</azimuthTimeInterval>",
        f"      <azimuthFrequency>{_xml.sci(1 / im.interval, 15)}</azimuthFrequency>",
        f"      <numberOfSamples>{im.samples}</numberOfSamples>",
        f"      <numberOfLines>{im.lines}</numberOfLines>",
        "      <zeroDopMinusAcqTime>1.505690820000000e+02</zeroDopMinusAcqTime>",
        f"      <incidenceAngleMidSwath>{_xml.sci(im.incidence, 15)}</incidenceAngleMidSwath>",
        "    </imageInformation>",
        "    <processingInformation>",
        "      <ellipsoidName>WGS84</ellipsoidName>",
        "      <ellipsoidSemiMajorAxis>6.378137000000000e+06</ellipsoidSemiMajorAxis>",
        "      <ellipsoidSemiMinorAxis>6.356752314245000e+06</ellipsoidSemiMinorAxis>",
        *(
            ["      <topsFilterConvention>Only Echo Lines</topsFilterConvention>"]
            if im.tops
            else []
        ),
        "    </processingInformation>",
        "  </imageAnnotation>",
        "  <dopplerCentroid>",
        f'    <dcEstimateList count="{n}">',
        *dc_estimate_list(im.times, im.slant_range_time),
        "    </dcEstimateList>",
        "  </dopplerCentroid>",
        "  <antennaPattern>",
        '    <antennaPatternList count="0"/>',
        "  </antennaPattern>",
        *swath_timing,
        *grid,
        *conversion,
        "  <swathMerging>",
        '    <swathMergeList count="0"/>',
        "  </swathMerging>",
        "</product>",
    ]


def grid_point(
    azimuth_time: datetime,
    slant_range_time: float,
    line: int,
    pixel: int,
    lon: float,
    lat: float,
    incidence: float,
    elevation: float,
) -> list[str]:
    """A ``geolocationGridPoint`` (angles in degrees, on the ellipsoid)."""
    return [
        "      <geolocationGridPoint>",
        f"        <azimuthTime>{t(azimuth_time)}</azimuthTime>",
        f"        <slantRangeTime>{_xml.sci(slant_range_time, 15)}</slantRangeTime>",
        f"        <line>{line}</line>",
        f"        <pixel>{pixel}</pixel>",
        f"        <latitude>{_xml.sci(lat, 15)}</latitude>",
        f"        <longitude>{_xml.sci(lon, 15)}</longitude>",
        "        <height>0.000000000000000e+00</height>",
        f"        <incidenceAngle>{_xml.sci(incidence, 15)}</incidenceAngle>",
        f"        <elevationAngle>{_xml.sci(elevation, 15)}</elevationAngle>",
        "      </geolocationGridPoint>",
    ]


def noise_azimuth_vector(
    swath: str,
    first_sample: int,
    last_line: int,
    last_sample: int,
    lines: Sequence[int],
    lut: Sequence[float],
) -> list[str]:
    """A ``noiseAzimuthVector`` of ``swath`` (the noise files' azimuth LUT over ``lines``)."""
    return [
        "    <noiseAzimuthVector>",
        f"      <swath>{swath}</swath>",
        "      <firstAzimuthLine>0</firstAzimuthLine>",
        f"      <firstRangeSample>{first_sample}</firstRangeSample>",
        f"      <lastAzimuthLine>{last_line}</lastAzimuthLine>",
        f"      <lastRangeSample>{last_sample}</lastRangeSample>",
        "      " + vector("line", lines, "{}"),
        "      " + vector("noiseAzimuthLut", lut),
        "    </noiseAzimuthVector>",
    ]
