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

from . import _xfdu, _xml
from ._geo import Quad, footprint_quad
from ._s1_modes import MODES, Mode

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

#: ``S1A_IW_GRDH_1SDV_<start>_<stop>_<orbit>_<datatake>_<crc>`` (``SLC_`` for SLC products; ``EW``
#: or a stripmap beam ``S1``..``S6`` for the other modes, :mod:`._s1_modes`).
_NAME = re.compile(
    r"^(?P<mission>S1[A-D])_(?P<beam>IW|EW|S[1-6])_(?P<type>GRD[FHM]|SLC_)_1S(?P<pols>[SD][VH])_\d{8}T\d{6}_"
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

    @property
    def mode(self) -> Mode:
        """The acquisition mode (IW, EW or a stripmap beam) of the name's second field."""
        return MODES[self.entry.name[4:6]]

    @property
    def timeliness(self) -> str:
        """``Fast-24h``, ``NRT-3h``...: the record's ``timeliness``."""
        return str(self.entry.attribute("timeliness", "Fast-24h"))

    @classmethod
    def from_entry(cls, entry: Entry, kind: str) -> Facts:
        """The facts of an IW, EW or stripmap ``kind`` (``GRD`` or ``SLC``) entry; ValueError
        for other names."""
        m = _NAME.match(entry.name)
        if m is None or not m.group("type").startswith(kind):
            raise ValueError(
                f"Sentinel-1 IW, EW or SM {kind} product name expected, got {entry.name!r}"
            )
        return cls.from_match(entry, m)

    @classmethod
    def from_match(cls, entry: Entry, m: re.Match[str]) -> Facts:
        """The facts of ``entry``, whose name ``m`` matched (groups ``mission``, ``pols``,
        ``orbit`` and ``datatake``)."""
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
    mode: str = "IW",
) -> list[str]:
    """The ``adsHeader`` of annotation, calibration and noise files."""
    return [
        "  <adsHeader>",
        f"    <missionId>{facts.mission}</missionId>",
        f"    <productType>{product_type}</productType>",
        f"    <polarisation>{pol.upper()}</polarisation>",
        f"    <mode>{mode}</mode>",
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


_NAMESPACES = (
    ("xsi", "http://www.w3.org/2001/XMLSchema-instance"),
    ("gml", "http://www.opengis.net/gml"),
    ("xfdu", "urn:ccsds:schema:xfdu:1"),
    ("safe", "http://www.esa.int/safe/sentinel-1.0"),
    ("s1", "http://www.esa.int/safe/sentinel-1.0/sentinel-1"),
    ("s1sar", "http://www.esa.int/safe/sentinel-1.0/sentinel-1/sar"),
    ("s1sarl1", "http://www.esa.int/safe/sentinel-1.0/sentinel-1/sar/level-1"),
    ("s1sarl2", "http://www.esa.int/safe/sentinel-1.0/sentinel-1/sar/level-2"),
    ("gx", "http://www.google.com/kml/ext/2.2"),
)
_MEASUREMENT = "s1Level1MeasurementSchema"
#: The representation of each kind of file: (repID, schema in ``support/``).
_SCHEMAS = (
    ("s1Level1ProductSchema", "s1-level-1-product.xsd"),
    ("s1Level1NoiseSchema", "s1-level-1-noise.xsd"),
    ("s1Level1CalibrationSchema", "s1-level-1-calibration.xsd"),
    (_MEASUREMENT, "s1-level-1-measurement.xsd"),
)


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
    # The instrument mode (a stripmap beam's is SM); the version's suffix is the mode and dual
    # or single polarisation: iwdp, ewdp, smsp, wvsp...
    beam = facts.entry.name.split("_")[1]
    mode = MODES[beam].mode if beam in MODES else beam
    pols = "dp" if len(facts.polarisations) > 1 else "sp"
    objects = _data_objects(stems, files, checksums or {})
    doc = _xfdu.XFDU(
        namespaces=_NAMESPACES,
        version=f"esa/safe/sentinel-1.0/sentinel-1/sar/level-1/{product_type.lower()}/standard/"
        f"{mode.lower()}{pols}",
        package=_xfdu.Package(
            "SAFE Archive Information Package",
            f"Sentinel-1 {mode} Level-1 {product_type} Product",
            dmd="acquisitionPeriod platform generalProductInformation measurementOrbitReference "
            "measurementFrameSet",
            pdi="processing",
        ),
        units=[_unit(obj) for obj in objects],
        metadata=[
            *(
                _xfdu.MetadataObject(f"{obj.ident}Annotation", _xfdu.Pointer(obj.ident))
                for obj in objects
                if obj.rep_id != _MEASUREMENT
            ),
            _processing(facts, product_type),
            _platform(facts, mode, swaths),
            _orbit_reference(facts),
            _product_information(facts, product_type),
            _acquisition_period(facts),
            _frame_set(corners),
            *(
                _xfdu.MetadataObject(
                    rep, _xfdu.Reference(f"./support/{href}", "XML Schema"), "SYNTAX", "REP"
                )
                for rep, href in _SCHEMAS
            ),
        ],
        objects=objects,
    )
    return _xfdu.render(doc, _xfdu.Style())


def _data_objects(
    stems: Sequence[str], files: dict[str, bytes], known: dict[str, str]
) -> list[_xfdu.DataObject]:
    """The annotation, noise and calibration files of each image, then the measurements."""
    where: list[tuple[str, str, str]] = []  # (ID, repID, path)
    for stem in stems:
        key = stem.replace("-", "")
        where += [
            (f"product{key}", _SCHEMAS[0][0], f"annotation/{stem}.xml"),
            (f"noise{key}", _SCHEMAS[1][0], f"annotation/calibration/noise-{stem}.xml"),
            (
                f"calibration{key}",
                _SCHEMAS[2][0],
                f"annotation/calibration/calibration-{stem}.xml",
            ),
        ]
    where += [(stem.replace("-", ""), _MEASUREMENT, f"measurement/{stem}.tiff") for stem in stems]
    return [
        _xfdu.DataObject(
            oid,
            path,
            files[path],
            "application/octet-stream" if rep == _MEASUREMENT else "text/xml",
            rep_id=rep,
            digest=known.get(path),
        )
        for oid, rep, path in where
    ]


def _unit(obj: _xfdu.DataObject) -> _xfdu.ContentUnit:
    """A measurement's unit points at its three annotations' metadata objects."""
    if obj.rep_id != _MEASUREMENT:
        return _xfdu.ContentUnit(obj.ident, "Metadata Unit", rep_id=obj.rep_id)
    dmd = "".join(f"{p}{obj.ident}Annotation " for p in ("product", "noise", "calibration"))
    return _xfdu.ContentUnit(obj.ident, "Measurement Data Unit", rep_id=obj.rep_id, dmd=dmd)


def _wrap(
    ident: str, text: str, body: Sequence[str], classification: str = "DESCRIPTION"
) -> _xfdu.MetadataObject:
    category = "PDI" if classification == "PROVENANCE" else "DMD"
    wrap = _xfdu.Wrap(text, body, vocabulary="SAFE")
    return _xfdu.MetadataObject(ident, wrap, classification, category)


def _processing(facts: Facts, product_type: str) -> _xfdu.MetadataObject:
    entry = facts.entry
    ipf = entry.attribute("processorVersion", "003.71")
    body = [
        f'<safe:processing name="{product_type} Post Processing" '
        f'start="{t(entry.origin - timedelta(minutes=10))}" stop="{t(entry.origin)}">',
        '  <safe:facility country="Italy" name="Copernicus Ground Segment" '
        'organisation="ESA" site="Production Service-SERCO">',
        f'    <safe:software name="Sentinel-1 IPF" version="{ipf}"/>',
        "  </safe:facility>",
        "</safe:processing>",
    ]
    return _wrap("processing", "Processing", body, "PROVENANCE")


def _platform(facts: Facts, mode: str, swaths: Sequence[str]) -> _xfdu.MetadataObject:
    number = facts.mission[-1]
    body = [
        "<safe:platform>",
        "  <safe:nssdcIdentifier>"
        f"{'2014-016A' if number == 'A' else '2024-235A'}</safe:nssdcIdentifier>",
        "  <safe:familyName>SENTINEL-1</safe:familyName>",
        f"  <safe:number>{number}</safe:number>",
        "  <safe:instrument>",
        '    <safe:familyName abbreviation="SAR">Synthetic Aperture Radar</safe:familyName>',
        "    <safe:extension>",
        "      <s1sarl1:instrumentMode>",
        f"        <s1sarl1:mode>{mode}</s1sarl1:mode>",
        *(f"        <s1sarl1:swath>{swath}</s1sarl1:swath>" for swath in swaths),
        "      </s1sarl1:instrumentMode>",
        "    </safe:extension>",
        "  </safe:instrument>",
        "</safe:platform>",
    ]
    return _wrap("platform", "Platform Description", body)


def _orbit_reference(facts: Facts) -> _xfdu.MetadataObject:
    direction = "ASCENDING" if facts.ascending else "DESCENDING"
    rel = facts.rel_orbit
    body = [
        "<safe:orbitReference>",
        f'  <safe:orbitNumber type="start">{facts.orbit}</safe:orbitNumber>',
        f'  <safe:orbitNumber type="stop">{facts.orbit}</safe:orbitNumber>',
        f'  <safe:relativeOrbitNumber type="start">{rel}</safe:relativeOrbitNumber>',
        f'  <safe:relativeOrbitNumber type="stop">{rel}</safe:relativeOrbitNumber>',
        f"  <safe:cycleNumber>{facts.entry.attribute('cycleNumber', 1)}</safe:cycleNumber>",
        "  <safe:phaseIdentifier>1</safe:phaseIdentifier>",
        "  <safe:extension>",
        "    <s1:orbitProperties>",
        f"      <s1:pass>{direction}</s1:pass>",
        f"      <s1:ascendingNodeTime>{t(facts.anx)}</s1:ascendingNodeTime>",
        "    </s1:orbitProperties>",
        "  </safe:extension>",
        "</safe:orbitReference>",
    ]
    return _wrap("measurementOrbitReference", "Orbit Reference", body)


def _product_information(facts: Facts, product_type: str) -> _xfdu.MetadataObject:
    entry = facts.entry
    body = [
        "<s1sarl1:standAloneProductInformation>",
        "  <s1sarl1:instrumentConfigurationID>7</s1sarl1:instrumentConfigurationID>",
        f"  <s1sarl1:missionDataTakeID>{facts.datatake}</s1sarl1:missionDataTakeID>",
        *(
            f"  <s1sarl1:transmitterReceiverPolarisation>{pol}"
            "</s1sarl1:transmitterReceiverPolarisation>"
            for pol in facts.polarisations
        ),
        "  <s1sarl1:productClass>S</s1sarl1:productClass>",
        "  <s1sarl1:productClassDescription>SAR Standard L1 Product"
        "</s1sarl1:productClassDescription>",
        "  <s1sarl1:productComposition>Slice</s1sarl1:productComposition>",
        f"  <s1sarl1:productType>{product_type}</s1sarl1:productType>",
        f"  <s1sarl1:productTimelinessCategory>{facts.timeliness}"
        "</s1sarl1:productTimelinessCategory>",
        "  <s1sarl1:sliceProductFlag>false</s1sarl1:sliceProductFlag>",
        f"  <s1sarl1:sliceNumber>{entry.attribute('sliceNumber', 1)}</s1sarl1:sliceNumber>",
        f"  <s1sarl1:totalSlices>{entry.attribute('totalSlices', 1)}</s1sarl1:totalSlices>",
        "</s1sarl1:standAloneProductInformation>",
    ]
    return _wrap("generalProductInformation", "General Product Information", body)


def _acquisition_period(facts: Facts) -> _xfdu.MetadataObject:
    start_anx = (facts.start - facts.anx).total_seconds() * 1000
    stop_anx = (facts.stop - facts.anx).total_seconds() * 1000
    body = [
        "<safe:acquisitionPeriod>",
        f"  <safe:startTime>{t(facts.start)}</safe:startTime>",
        f"  <safe:stopTime>{t(facts.stop)}</safe:stopTime>",
        "  <safe:extension>",
        "    <s1:timeANX>",
        f"      <s1:startTimeANX>{_xml.sci(start_anx)}</s1:startTimeANX>",
        f"      <s1:stopTimeANX>{_xml.sci(stop_anx)}</s1:stopTimeANX>",
        "    </s1:timeANX>",
        "  </safe:extension>",
        "</safe:acquisitionPeriod>",
    ]
    return _wrap("acquisitionPeriod", "Acquisition Period", body)


def _frame_set(corners: Sequence[tuple[float, float]]) -> _xfdu.MetadataObject:
    coordinates = " ".join(f"{y:.6f},{x:.6f}" for x, y in corners)
    body = [
        "<safe:frameSet>",
        "  <safe:frame>",
        '    <safe:footPrint srsName="http://www.opengis.net/gml/srs/epsg.xml#4326">',
        f"      <gml:coordinates>{coordinates}</gml:coordinates>",
        "    </safe:footPrint>",
        "  </safe:frame>",
        "</safe:frameSet>",
    ]
    return _wrap("measurementFrameSet", "Frame Set", body)
