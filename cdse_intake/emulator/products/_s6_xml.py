"""The metadata files of a SEN6 product: ``xfdumanifest.xml``, ``manifest.safe`` and
``EOPMetadata.xml``.

The three names and their roles are those of CDSE's Sentinel-6 STAC items (eometadatatool
``sentinel-6`` template: "Product manifest", "manifest.safe", "EOP Metadata"). No real SEN6
manifest was seen: ``xfdumanifest.xml`` is shaped after the Sentinel-3 one (same XFDU/SAFE family:
acquisition period, platform, orbit reference, frame set footprint, general product information,
processing, and a data object per measurement file with its size and MD5); ``manifest.safe`` is a
short XFDU listing the data objects; ``EOPMetadata.xml`` follows OGC 10-157 (Earth Observation
Metadata profile of O&M, altimetry ``alt:`` extension). All inferred.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from . import _xfdu, _xml

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["eop_metadata", "manifest_safe", "xfdumanifest"]

NSSDC = "2020-086A"
_STYLE = _xfdu.Style(indent="   ", inline_units=True)
_NAMESPACES = (
    ("xfdu", "urn:ccsds:schema:xfdu:1"),
    ("sentinel-safe", "http://www.esa.int/safe/sentinel/1.1"),
    ("gml", "http://www.opengis.net/gml"),
)


def _poslist(entry: Entry) -> str:
    ring = (entry.footprint or {}).get("coordinates", [[]])[0]
    return " ".join(f"{lat:g} {lon:g}" for lon, lat in ring)


def _objects(files: Mapping[str, bytes]) -> list[_xfdu.DataObject]:
    return [
        _xfdu.DataObject(f"measurementData{i}", path, data, "application/x-netcdf")
        for i, (path, data) in enumerate(sorted(files.items()))
    ]


def _wrap(ident: str, text: str, body: list[str], category: str = "DMD") -> _xfdu.MetadataObject:
    kind = "PROVENANCE" if category == "PDI" else "DESCRIPTION"
    return _xfdu.MetadataObject(ident, _xfdu.Wrap(text, body), kind, category)


def xfdumanifest(entry: Entry, files: Mapping[str, bytes], ascending: bool) -> bytes:
    """The XFDU manifest: metadata of the product and its measurement files."""
    attr = entry.attribute
    amr = entry.product_type.startswith("MW")
    instrument = ("AMR-C", "Advanced Microwave Radiometer for Climate") if amr else (
        "P4", "Poseidon-4 Radar Altimeter")  # fmt: skip
    direction = "ascending" if ascending else "descending"
    level = attr("processingLevel", "2")
    meta = [
        _wrap("acquisitionPeriod", "Acquisition Period", [
            "<sentinel-safe:acquisitionPeriod>",
            "   " + _xml.el("sentinel-safe:startTime", _xml.iso(entry.start)),
            "   " + _xml.el("sentinel-safe:stopTime", _xml.iso(entry.end)),
            "</sentinel-safe:acquisitionPeriod>"]),
        _wrap("platform", "Platform Description", [
            "<sentinel-safe:platform>",
            "   " + _xml.el("sentinel-safe:nssdcIdentifier", NSSDC),
            "   " + _xml.el("sentinel-safe:familyName", "Sentinel-6"),
            "   " + _xml.el("sentinel-safe:number", attr("platformSerialIdentifier", "A")),
            "   <sentinel-safe:instrument>",
            f'      <sentinel-safe:familyName abbreviation="{instrument[0]}">{instrument[1]}'
            "</sentinel-safe:familyName>",
            "      " + _xml.el("sentinel-safe:mode", "Low Resolution", identifier="LR"),
            "   </sentinel-safe:instrument>",
            "</sentinel-safe:platform>"]),
        _wrap("measurementOrbitReference", "Orbit Reference", [
            "<sentinel-safe:orbitReference>",
            f'   <sentinel-safe:orbitNumber type="start" groundTrackDirection="{direction}">'
            f'{attr("orbitNumber")}</sentinel-safe:orbitNumber>',
            f'   <sentinel-safe:relativeOrbitNumber type="start" groundTrackDirection='
            f'"{direction}">{attr("relativeOrbitNumber")}</sentinel-safe:relativeOrbitNumber>',
            "   " + _xml.el("sentinel-safe:cycleNumber", entry.extra.get("cycle", "")),
            "</sentinel-safe:orbitReference>"]),
        _wrap("measurementFrameSet", "Frame Set", [
            "<sentinel-safe:frameSet>",
            '   <sentinel-safe:footPrint srsName="http://www.opengis.net/def/crs/EPSG/0/4326">',
            "      " + _xml.el("gml:posList", _poslist(entry)),
            "   </sentinel-safe:footPrint>",
            "</sentinel-safe:frameSet>"]),
        _wrap("generalProductInformation", "General Product Information", [
            "<sentinel6:generalProductInformation>",
            "   " + _xml.el("sentinel6:productName", entry.name),
            "   " + _xml.el("sentinel6:productType", entry.product_type),
            "   " + _xml.el("sentinel6:timeliness", attr("timeliness", "")),
            "   " + _xml.el("sentinel6:baselineCollection", attr("processingBaseline", "F09")),
            "   " + _xml.el("sentinel6:creationTime", attr("processingDate", "")),
            "   " + _xml.el("sentinel6:productSize", sum(len(d) for d in files.values())),
            "</sentinel6:generalProductInformation>"]),
        _wrap("processing", "Processing", [
            f'<sentinel-safe:processing name="DataProcessing" outputLevel="{level}">',
            '   <sentinel-safe:facility name="EUMETSAT [EUM]" organisation="European '
            'Organisation for the Exploitation of Meteorological Satellites" site="Darmstadt" '
            'country="Germany">',
            f'      <sentinel-safe:software name="S6 {"AMR" if amr else "P4"} L{level} '
            f'processor" version="{attr("processorVersion", "")}"/>',
            "   </sentinel-safe:facility>",
            "</sentinel-safe:processing>"], "PDI"),
    ]  # fmt: skip
    doc = _xfdu.XFDU(
        namespaces=(*_NAMESPACES, ("sentinel6", "http://www.esa.int/safe/sentinel/sentinel-6/1.0")),
        version=f"esa/safe/sentinel/sentinel-6/{'amr' if amr else 'poseidon-4'}/"
        f"level-{level.lower()}/1.0",
        package=_xfdu.Package(
            "Information Package",
            f"SENTINEL-6 {entry.product_type}",
            ident="packageUnit",
            dmd="acquisitionPeriod platform measurementOrbitReference measurementFrameSet "
            "generalProductInformation",
            pdi="processing",
        ),
        units=[
            _xfdu.ContentUnit(f"measurementData{i}", "Measurement Data Unit", f"measurementUnit{i}")
            for i in range(len(files))
        ],
        metadata=meta,
        objects=_objects(files),
    )
    return _xfdu.render(doc, _STYLE).encode()


def manifest_safe(entry: Entry, files: Mapping[str, bytes]) -> bytes:
    """The short SAFE manifest: the product and its data objects."""
    doc = _xfdu.XFDU(
        namespaces=_NAMESPACES[:1],
        version="esa/safe/sentinel/1.1",
        package=_xfdu.Package("SAFE Archive Information Package", entry.stem, ident="packageUnit"),
        objects=_objects(files),
    )
    return _xfdu.render(doc, _STYLE).encode()


def eop_metadata(entry: Entry) -> bytes:
    """OGC 10-157 Earth Observation metadata (altimetry profile)."""
    attr = entry.attribute
    amr = entry.product_type.startswith("MW")
    pos = _poslist(entry)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<alt:EarthObservation xmlns:alt="http://www.opengis.net/alt/2.1" '
        'xmlns:eop="http://www.opengis.net/eop/2.1" xmlns:gml="http://www.opengis.net/gml/3.2" '
        'xmlns:om="http://www.opengis.net/om/2.0" '
        f'gml:id="EOP_{entry.stem}">',
        '   <om:phenomenonTime><gml:TimePeriod gml:id="phenomenonTime">',
        "      " + _xml.el("gml:beginPosition", _xml.iso(entry.start)),
        "      " + _xml.el("gml:endPosition", _xml.iso(entry.end)),
        "   </gml:TimePeriod></om:phenomenonTime>",
        '   <om:procedure><eop:EarthObservationEquipment gml:id="equipment">',
        "      <eop:platform><eop:Platform>",
        "         " + _xml.el("eop:shortName", "Sentinel-6"),
        "         " + _xml.el("eop:serialIdentifier", attr("platformSerialIdentifier", "A")),
        "      </eop:Platform></eop:platform>",
        "      <eop:instrument><eop:Instrument>",
        "         " + _xml.el("eop:shortName", "AMR-C" if amr else "POSEIDON-4"),
        "      </eop:Instrument></eop:instrument>",
        "      <eop:sensor><eop:Sensor>",
        "         " + _xml.el("eop:sensorType", "RADIOMETER" if amr else "ALTIMETRIC"),
        "         " + _xml.el("eop:operationalMode", attr("operationalMode", "LR")),
        "      </eop:Sensor></eop:sensor>",
        "      <eop:acquisitionParameters><alt:Acquisition>",
        "         " + _xml.el("eop:orbitNumber", attr("orbitNumber")),
        "         " + _xml.el("eop:wrsLongitudeGrid", attr("relativeOrbitNumber")),
        "         " + _xml.el("alt:cycleNumber", entry.extra.get("cycle", "")),
        "         " + _xml.el("alt:relativePassNumber", attr("relativeOrbitNumber")),
        "      </alt:Acquisition></eop:acquisitionParameters>",
        "   </eop:EarthObservationEquipment></om:procedure>",
        '   <om:featureOfInterest><eop:Footprint gml:id="footprint"><eop:multiExtentOf>',
        '      <gml:MultiSurface gml:id="multisurface"><gml:surfaceMember><gml:Polygon '
        'gml:id="polygon"><gml:exterior><gml:LinearRing>',
        "         " + _xml.el("gml:posList", pos),
        "      </gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>"
        "</gml:MultiSurface>",
        "   </eop:multiExtentOf></eop:Footprint></om:featureOfInterest>",
        "   <eop:metaDataProperty><eop:EarthObservationMetaData>",
        "      " + _xml.el("eop:identifier", entry.stem),
        "      " + _xml.el("eop:acquisitionType", "NOMINAL"),
        "      " + _xml.el("eop:productType", entry.product_type),
        "      " + _xml.el("eop:status", "ARCHIVED"),
        "      <eop:processing><eop:ProcessingInformation>",
        "         " + _xml.el("eop:processingCenter", attr("processingCenter", "EUM")),
        "         " + _xml.el("eop:processingDate", attr("processingDate", "")),
        "         " + _xml.el("eop:processorVersion", attr("processorVersion", "")),
        "         " + _xml.el("eop:processingLevel", f"L{attr('processingLevel', '2')}"),
        "         " + _xml.el("eop:processingMode", attr("timeliness", "")),
        "      </eop:ProcessingInformation></eop:processing>",
        "   </eop:EarthObservationMetaData></eop:metaDataProperty>",
        "</alt:EarthObservation>",
    ]
    return ("\n".join(lines) + "\n").encode()
