"""Pieces shared by the Sentinel-1 SAFE builders (GRD in :mod:`.sentinel1`, SLC in
:mod:`.sentinel1_slc`): the product facts read from the entry, the annotation lists every image
carries (header, orbit, attitude, Doppler centroid, azimuth FM rate) and ``manifest.safe``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _xml
from ._geo import Quad, footprint_quad

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = [
    "RADAR_FREQUENCY",
    "RANGE_SAMPLING_RATE",
    "SPEED_OF_LIGHT",
    "Facts",
    "attitude_list",
    "azimuth_fm_rate_list",
    "dc_estimate_list",
    "haversine",
    "header",
    "manifest",
    "orbit_list",
    "t",
    "vector",
]

SPEED_OF_LIGHT = 299_792_458.0
RANGE_SAMPLING_RATE = 6.434523812571428e07
RADAR_FREQUENCY = 5.405000454334350e09

#: ``S1A_IW_GRDH_1SDV_<start>_<stop>_<orbit>_<datatake>_<crc>`` (``SLC_`` for SLC products).
_NAME = re.compile(
    r"^(?P<mission>S1[A-D])_IW_(?P<type>GRD[FHM]|SLC_)_1S(?P<pols>[SD][VH])_\d{8}T\d{6}_"
    r"\d{8}T\d{6}_(?P<orbit>\d{6})_(?P<datatake>[0-9A-F]{6})_[0-9A-F]{4}(\.SAFE)?$"
)
#: Polarisations of the name's ``SV``/``DV``/``SH``/``DH`` code, co-polarisation first.
POLARISATIONS = {"SV": ("VV",), "DV": ("VV", "VH"), "SH": ("HH",), "DH": ("HH", "HV")}


@dataclass(frozen=True)
class Facts:
    """What the builders take from a catalogue entry: name fields, orbit, pass and footprint."""

    entry: Entry
    mission: str
    """``S1A``..."""
    polarisations: tuple[str, ...]
    orbit: int
    datatake: int
    ascending: bool
    rel_orbit: int
    anx: datetime
    """Ascending node time (from ``startTimeFromAscendingNode``)."""
    quad: Quad
    start: datetime
    stop: datetime

    @classmethod
    def from_entry(cls, entry: Entry, kind: str) -> Facts:
        """The facts of an IW ``kind`` (``GRD`` or ``SLC``) entry; ValueError for other names."""
        m = _NAME.match(entry.name)
        if m is None or not m.group("type").startswith(kind):
            raise ValueError(f"Sentinel-1 IW {kind} product name expected, got {entry.name!r}")
        orbit = int(m.group("orbit"))
        anx_ms = float(entry.attribute("startTimeFromAscendingNode", 0.0))
        return cls(
            entry=entry,
            mission=m.group("mission"),
            polarisations=POLARISATIONS[m.group("pols")],
            orbit=orbit,
            datatake=int(m.group("datatake"), 16),
            ascending=entry.extra.get("direction", "DESCENDING") == "ASCENDING",
            rel_orbit=int(entry.attribute("relativeOrbitNumber", 1 + (orbit - 73) % 175)),
            anx=entry.start - timedelta(milliseconds=anx_ms),
            quad=footprint_quad(entry),
            start=entry.start,
            stop=entry.end,
        )


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def t(value: datetime) -> str:
    """Sentinel-1 annotation times: naive UTC with microseconds."""
    return _xml.iso(value, 6, zulu=False)


def vector(tag: str, values: Any, fmt: str = "{:.6e}") -> str:
    """``<tag count="n">v1 v2 ...</tag>``."""
    values = list(values)
    return f'<{tag} count="{len(values)}">{" ".join(fmt.format(v) for v in values)}</{tag}>'


def header(
    facts: Facts,
    product_type: str,
    pol: str,
    swath: str,
    start: datetime,
    stop: datetime,
    number: str,
) -> list[str]:
    """The ``adsHeader`` of annotation, calibration and noise files."""
    return [
        "  <adsHeader>",
        f"    <missionId>{facts.mission}</missionId>",
        f"    <productType>{product_type}</productType>",
        f"    <polarisation>{pol.upper()}</polarisation>",
        "    <mode>IW</mode>",
        f"    <swath>{swath}</swath>",
        f"    <startTime>{t(start)}</startTime>",
        f"    <stopTime>{t(stop)}</stopTime>",
        f"    <absoluteOrbitNumber>{facts.orbit}</absoluteOrbitNumber>",
        f"    <missionDataTakeId>{facts.datatake}</missionDataTakeId>",
        f"    <imageNumber>{number}</imageNumber>",
        "  </adsHeader>",
    ]


def orbit_list(facts: Facts) -> list[str]:
    """Ten state vectors, 10 s apart, of a 693 km orbit over the footprint's near-range edge."""
    out = []
    quad = facts.quad
    radius = 6_371_000.0 + 693_000.0
    near = (quad.sw, quad.nw) if facts.ascending else (quad.ne, quad.se)
    track_start = facts.start - timedelta(seconds=45)
    duration = (facts.stop - facts.start).total_seconds()

    def position(seconds: float) -> np.ndarray:
        f = seconds / duration
        lon = math.radians(near[0][0] + (near[1][0] - near[0][0]) * f)
        lat = math.radians(near[0][1] + (near[1][1] - near[0][1]) * f)
        return radius * np.array(
            [math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)]
        )

    for k in range(10):
        when = track_start + timedelta(seconds=10 * k)
        s = (when - facts.start).total_seconds()
        pos = position(s)
        step = position(s + 0.5) - position(s - 0.5)
        vel = step * 7_500 / max(float(np.linalg.norm(step)), 1e-9)
        out += [
            "      <orbit>",
            f"        <time>{t(when)}</time>",
            "        <frame>Earth Fixed</frame>",
            "        <position>",
            *(f"          <{a}>{_xml.sci(v, 15)}</{a}>" for a, v in zip("xyz", pos, strict=True)),
            "        </position>",
            "        <velocity>",
            *(f"          <{a}>{_xml.sci(v, 15)}</{a}>" for a, v in zip("xyz", vel, strict=True)),
            "        </velocity>",
            "      </orbit>",
        ]
    return out


def attitude_list(times: Sequence[datetime]) -> list[str]:
    """``attitude`` records (constant, from a real product) at ``times``."""
    out = []
    for when in times:
        out += [
            "      <attitude>",
            f"        <time>{t(when)}</time>",
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
    return out


def azimuth_fm_rate_list(times: Sequence[datetime], t0: float) -> list[str]:
    """``azimuthFmRate`` records (a real polynomial) at ``times``."""
    out = []
    for when in times:
        out += [
            "      <azimuthFmRate>",
            f"        <azimuthTime>{t(when)}</azimuthTime>",
            f"        <t0>{_xml.sci(t0, 15)}</t0>",
            "        " + vector("azimuthFmRatePolynomial", [-2320.27, 450135.2, -79186113.8]),
            "      </azimuthFmRate>",
        ]
    return out


def dc_estimate_list(times: Sequence[datetime], t0: float) -> list[str]:
    """``dcEstimate`` records (real polynomials, no fine estimates) at ``times``."""
    out = []
    for when in times:
        out += [
            "      <dcEstimate>",
            f"        <azimuthTime>{t(when)}</azimuthTime>",
            f"        <t0>{_xml.sci(t0, 15)}</t0>",
            "        " + vector("geometryDcPolynomial", [-1.949903, -293.8135, 105352.2]),
            "        " + vector("dataDcPolynomial", [-1.793574, 3565.045, -3326166.0]),
            "        <dataDcRmsError>7.387162208557129e+00</dataDcRmsError>",
            "        <dataDcRmsErrorAboveThreshold>false</dataDcRmsErrorAboveThreshold>",
            f"        <fineDceAzimuthStartTime>{t(when)}</fineDceAzimuthStartTime>",
            f"        <fineDceAzimuthStopTime>{t(when + timedelta(seconds=2.8))}"
            "</fineDceAzimuthStopTime>",
            '        <fineDceList count="0"/>',
            "      </dcEstimate>",
        ]
    return out


def manifest(
    facts: Facts,
    *,
    product_type: str,
    swaths: Sequence[str],
    stems: Sequence[str],
    files: dict[str, bytes],
    corners: Sequence[tuple[float, float]],
    checksums: dict[str, str] | None = None,
) -> str:
    """``manifest.safe`` of a product whose images have the file ``stems`` (in image-number
    order); ``corners`` are the footprint's (lon, lat), ``files`` the product's other files,
    ``checksums`` MD5s already known (by path)."""
    known = checksums or {}
    objects: list[tuple[str, str, str, str]] = []  # (ID, repID, mime, path)
    for stem in stems:
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
    for stem in stems:
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
        unit = "Measurement Data Unit" if rep == "s1Level1MeasurementSchema" else "Metadata Unit"
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
            f'        <checksum checksumName="MD5">{known.get(path) or _xml.md5(data)}</checksum>',
            "      </byteStream>",
            "    </dataObject>",
        ]
    coordinates = " ".join(f"{y:.6f},{x:.6f}" for x, y in corners)
    return "\n".join(
        [
            *_manifest_head(facts, product_type, units, metadata, swaths),
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
    )


def _manifest_head(
    facts: Facts,
    product_type: str,
    units: list[str],
    metadata: list[str],
    swaths: Sequence[str],
) -> list[str]:
    """The manifest up to the frame set: package map, processing, platform, orbit, product
    information and acquisition period."""
    entry = facts.entry
    number = facts.mission[-1]
    ipf = entry.attribute("processorVersion", "003.71")
    direction = "ASCENDING" if facts.ascending else "DESCENDING"
    start_anx = (facts.start - facts.anx).total_seconds() * 1000
    stop_anx = (facts.stop - facts.anx).total_seconds() * 1000
    kind = product_type.lower()
    return [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<xfdu:XFDU xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:gml="http://www.opengis.net/gml" xmlns:xfdu="urn:ccsds:schema:xfdu:1" '
        'xmlns:safe="http://www.esa.int/safe/sentinel-1.0" '
        'xmlns:s1="http://www.esa.int/safe/sentinel-1.0/sentinel-1" '
        'xmlns:s1sar="http://www.esa.int/safe/sentinel-1.0/sentinel-1/sar" '
        'xmlns:s1sarl1="http://www.esa.int/safe/sentinel-1.0/sentinel-1/sar/level-1" '
        'xmlns:s1sarl2="http://www.esa.int/safe/sentinel-1.0/sentinel-1/sar/level-2" '
        'xmlns:gx="http://www.google.com/kml/ext/2.2" '
        f'version="esa/safe/sentinel-1.0/sentinel-1/sar/level-1/{kind}/standard/iwdp">',
        "  <informationPackageMap>",
        '    <xfdu:contentUnit unitType="SAFE Archive Information Package" '
        f'textInfo="Sentinel-1 IW Level-1 {product_type} Product" dmdID="acquisitionPeriod '
        'platform generalProductInformation measurementOrbitReference measurementFrameSet" '
        'pdiID="processing">',
        *units,
        "    </xfdu:contentUnit>",
        "  </informationPackageMap>",
        "  <metadataSection>",
        *metadata,
        '    <metadataObject ID="processing" classification="PROVENANCE" category="PDI">',
        '      <metadataWrap mimeType="text/xml" vocabularyName="SAFE" textInfo="Processing">',
        "        <xmlData>",
        f'          <safe:processing name="{product_type} Post Processing" '
        f'start="{t(entry.origin - timedelta(minutes=10))}" '
        f'stop="{t(entry.origin)}">',
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
        *(f"                  <s1sarl1:swath>{swath}</s1sarl1:swath>" for swath in swaths),
        "                </s1sarl1:instrumentMode>",
        "              </safe:extension>",
        "            </safe:instrument>",
        "          </safe:platform>",
        "        </xmlData>",
        "      </metadataWrap>",
        "    </metadataObject>",
        '    <metadataObject ID="measurementOrbitReference" classification="DESCRIPTION" '
        'category="DMD">',
        '      <metadataWrap mimeType="text/xml" vocabularyName="SAFE" textInfo="Orbit Reference">',
        "        <xmlData>",
        "          <safe:orbitReference>",
        f'            <safe:orbitNumber type="start">{facts.orbit}</safe:orbitNumber>',
        f'            <safe:orbitNumber type="stop">{facts.orbit}</safe:orbitNumber>',
        f'            <safe:relativeOrbitNumber type="start">{facts.rel_orbit}'
        "</safe:relativeOrbitNumber>",
        f'            <safe:relativeOrbitNumber type="stop">{facts.rel_orbit}'
        "</safe:relativeOrbitNumber>",
        f"            <safe:cycleNumber>{entry.attribute('cycleNumber', 1)}</safe:cycleNumber>",
        "            <safe:phaseIdentifier>1</safe:phaseIdentifier>",
        "            <safe:extension>",
        "              <s1:orbitProperties>",
        f"                <s1:pass>{direction}</s1:pass>",
        f"                <s1:ascendingNodeTime>{t(facts.anx)}</s1:ascendingNodeTime>",
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
        f"            <s1sarl1:missionDataTakeID>{facts.datatake}</s1sarl1:missionDataTakeID>",
        *(
            f"            <s1sarl1:transmitterReceiverPolarisation>{pol}"
            "</s1sarl1:transmitterReceiverPolarisation>"
            for pol in facts.polarisations
        ),
        "            <s1sarl1:productClass>S</s1sarl1:productClass>",
        "            <s1sarl1:productClassDescription>SAR Standard L1 Product"
        "</s1sarl1:productClassDescription>",
        "            <s1sarl1:productComposition>Slice</s1sarl1:productComposition>",
        f"            <s1sarl1:productType>{product_type}</s1sarl1:productType>",
        "            <s1sarl1:productTimelinessCategory>Fast-24h"
        "</s1sarl1:productTimelinessCategory>",
        "            <s1sarl1:sliceProductFlag>false</s1sarl1:sliceProductFlag>",
        f"            <s1sarl1:sliceNumber>{entry.attribute('sliceNumber', 1)}"
        "</s1sarl1:sliceNumber>",
        f"            <s1sarl1:totalSlices>{entry.attribute('totalSlices', 1)}"
        "</s1sarl1:totalSlices>",
        "          </s1sarl1:standAloneProductInformation>",
        "        </xmlData>",
        "      </metadataWrap>",
        "    </metadataObject>",
        '    <metadataObject ID="acquisitionPeriod" classification="DESCRIPTION" category="DMD">',
        '      <metadataWrap mimeType="text/xml" vocabularyName="SAFE" '
        'textInfo="Acquisition Period">',
        "        <xmlData>",
        "          <safe:acquisitionPeriod>",
        f"            <safe:startTime>{t(facts.start)}</safe:startTime>",
        f"            <safe:stopTime>{t(facts.stop)}</safe:stopTime>",
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
    ]
