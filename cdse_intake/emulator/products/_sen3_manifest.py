"""The ``xfdumanifest.xml`` the Sentinel-3 SEN3 builders share.

Package map (one content unit per file), acquisition period, platform, footprint, general
product information, orbit reference, quality, processing, annotation pointers and data objects
(size and MD5 of each file), shaped after the real OLCI, SLSTR and SYNERGY manifests in
``reference/samples/products/sentinel-3``; the instrument's own product-information sections
are passed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from . import _xml

if TYPE_CHECKING:
    from ._sen3 import Product

__all__ = ["Spec", "Unit", "band_lines", "manifest", "metadata_object"]


@dataclass(frozen=True)
class Unit:
    """A file as the manifest lists it: content unit, data object and annotation pointer."""

    path: str
    object_id: str
    unit_id: str
    measurement: bool
    text: str
    dmd: str = ""
    annotation: str | None = None
    """ID of the metadataObject pointing at the file (real OLCI and SLSTR annotations)."""


def metadata_object(
    ident: str, text: str, body: Sequence[str], classification: str = "DESCRIPTION"
) -> list[str]:
    """A ``metadataObject`` wrapping ``body`` (lines indented from the ``xmlData`` level)."""
    category = "PDI" if classification == "PROVENANCE" else "DMD"
    return [
        f'    <metadataObject ID="{ident}" classification="{classification}" '
        f'category="{category}">',
        '      <metadataWrap mimeType="text/xml" vocabularyName="Sentinel-SAFE" '
        f'textInfo="{text}">',
        "        <xmlData>",
        *(f"          {line}" for line in body),
        "        </xmlData>",
        "      </metadataWrap>",
        "    </metadataObject>",
    ]


def band_lines(
    tag: str, bands: Sequence[tuple[str, float, float]], extra: Sequence[Sequence[str]] = ()
) -> list[str]:
    """``<tag bands="n">`` with one ``sentinel3:band`` per (name, centre, width) and the
    ``extra`` lines of each."""
    lines = [f'<{tag} bands="{len(bands)}">']
    for i, (name, centre, width) in enumerate(bands):
        lines += [
            f'  <sentinel3:band name="{name}">',
            f"    {_xml.el('sentinel3:centralWavelength', f'{centre:g}')}",
            f"    {_xml.el('sentinel3:bandwidth', f'{width:g}')}",
            *(f"    {line}" for line in (extra[i] if extra else ())),
            "  </sentinel3:band>",
        ]
    return [*lines, f"</{tag}>"]


@dataclass(frozen=True)
class Spec:
    """What differs between the instruments' manifests."""

    namespaces: str
    """The ``xmlns`` declarations after ``sentinel3``, e.g. ``xmlns:olci="…"``."""
    version: str
    package_text: str
    package_dmd: str
    instrument: tuple[str, str]
    """(abbreviation, family name): ``("SLSTR", "Sea and Land Surface Temperature Radiometer")``."""
    facility: str
    level: str


def manifest(
    product: Product,
    spec: Spec,
    units: Sequence[Unit],
    info: Sequence[str],
    files: Mapping[str, bytes],
) -> str:
    """The ``xfdumanifest.xml`` of ``files``; ``info``: the instrument's product-information
    metadataObjects (between general product information and the orbit reference)."""
    entry, name = product.entry, product.name
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<xfdu:XFDU xmlns:xfdu="urn:ccsds:schema:xfdu:1" '
        'xmlns:sentinel-safe="http://www.esa.int/safe/sentinel/1.1" '
        'xmlns:gml="http://www.opengis.net/gml" '
        f'xmlns:sentinel3="http://www.esa.int/safe/sentinel/sentinel-3/1.0" {spec.namespaces} '
        f'version="{spec.version}">',
        "  <informationPackageMap>",
        '    <xfdu:contentUnit ID="packageUnit" unitType="Information Package" '
        f'textInfo="{spec.package_text}" dmdID="{spec.package_dmd}" pdiID="processing">',
    ]
    for unit in units:
        kind = "Measurement" if unit.measurement else "Annotation"
        dmd = f' dmdID="{unit.dmd}"' if unit.dmd else ""
        lines += [
            f'      <xfdu:contentUnit ID="{unit.unit_id}" unitType="{kind} Data Unit" '
            f'textInfo="{unit.text}"{dmd}>',
            f'        <dataObjectPointer dataObjectID="{unit.object_id}"/>',
            "      </xfdu:contentUnit>",
        ]
    ring = " ".join(f"{lat:g} {lon:g}" for lon, lat in product.swath.quad.ring())
    platform = name["platform"]
    lines += ["    </xfdu:contentUnit>", "  </informationPackageMap>", "  <metadataSection>"]
    lines += metadata_object(
        "acquisitionPeriod",
        "Acquisition Period",
        [
            "<sentinel-safe:acquisitionPeriod>",
            f"  {_xml.el('sentinel-safe:startTime', _xml.iso(entry.start))}",
            f"  {_xml.el('sentinel-safe:stopTime', _xml.iso(entry.end))}",
            "</sentinel-safe:acquisitionPeriod>",
        ],
    )
    lines += metadata_object(
        "platform",
        "Platform Description",
        [
            "<sentinel-safe:platform>",
            "  <sentinel-safe:nssdcIdentifier>"
            f"{'2016-011A' if platform == 'A' else '2018-039A'}</sentinel-safe:nssdcIdentifier>",
            "  <sentinel-safe:familyName>Sentinel-3</sentinel-safe:familyName>",
            f"  <sentinel-safe:number>{platform}</sentinel-safe:number>",
            "  <sentinel-safe:instrument>",
            "    <sentinel-safe:familyName "
            f'abbreviation="{spec.instrument[0]}">{spec.instrument[1]}</sentinel-safe:familyName>',
            '    <sentinel-safe:mode identifier="EO">Earth Observation</sentinel-safe:mode>',
            "  </sentinel-safe:instrument>",
            "</sentinel-safe:platform>",
        ],
    )
    lines += metadata_object(
        "measurementFrameSet",
        "Frame Set",
        [
            "<sentinel-safe:frameSet>",
            '  <sentinel-safe:footPrint srsName="http://www.opengis.net/def/crs/EPSG/0/4326">',
            f"    {_xml.el('gml:posList', ring)}",
            "  </sentinel-safe:footPrint>",
            "</sentinel-safe:frameSet>",
        ],
    )
    lines += metadata_object(
        "generalProductInformation",
        "General Product Information",
        [
            "<sentinel3:generalProductInformation>",
            f"  {_xml.el('sentinel3:productName', entry.name)}",
            f"  {_xml.el('sentinel3:productType', name['type'])}",
            f"  {_xml.el('sentinel3:timeliness', name['timeliness'])}",
            f"  {_xml.el('sentinel3:baselineCollection', name['baseline'])}",
            f"  {_xml.el('sentinel3:creationTime', name['created'])}",
            f"  {_xml.el('sentinel3:productSize', sum(len(v) for v in files.values()))}",
            "  <sentinel3:dispositionMode>Operational</sentinel3:dispositionMode>",
            "  <sentinel3:productUnit>",
            "    <sentinel3:type>FRAME</sentinel3:type>",
            f"    {_xml.el('sentinel3:duration', int(name['duration']))}",
            f"    {_xml.el('sentinel3:alongtrackCoordinate', int(name['frame']))}",
            "  </sentinel3:productUnit>",
            "</sentinel3:generalProductInformation>",
        ],
    )
    lines += info
    track = f'type="start" groundTrackDirection="{product.direction}"'
    lines += metadata_object(
        "measurementOrbitReference",
        "Orbit Reference",
        [
            "<sentinel-safe:orbitReference>",
            f"  <sentinel-safe:orbitNumber {track}>{product.orbit}</sentinel-safe:orbitNumber>",
            f"  <sentinel-safe:relativeOrbitNumber {track}>{int(name['rel'])}"
            "</sentinel-safe:relativeOrbitNumber>",
            f"  {_xml.el('sentinel-safe:cycleNumber', int(name['cycle']))}",
            "  <sentinel-safe:phaseIdentifier>1</sentinel-safe:phaseIdentifier>",
            "</sentinel-safe:orbitReference>",
        ],
    )
    lines += metadata_object(
        "measurementQualityInformation",
        "Quality Information",
        [
            "<sentinel-safe:qualityInformation>",
            "  <sentinel-safe:extension>",
            "    <sentinel3:productQuality>",
            "      <sentinel3:onlineQualityCheck>PASSED</sentinel3:onlineQualityCheck>",
            "    </sentinel3:productQuality>",
            "  </sentinel-safe:extension>",
            "</sentinel-safe:qualityInformation>",
        ],
    )
    start = _xml.iso(product.created, 6, zulu=False)
    stop = _xml.iso(product.created + timedelta(seconds=4), 6, zulu=False)
    lines += metadata_object(
        "processing",
        "Processing",
        [
            f'<sentinel-safe:processing name="DataProcessing" outputLevel="{spec.level}" '
            f'start="{start}" stop="{stop}">',
            f'  <sentinel-safe:facility name="{spec.facility} [{name["centre"]}]" '
            'organisation="European Space Agency" site="Cloud Service Provider" country="EU">',
            '    <sentinel-safe:hardware name="OPE"/>',
            '    <sentinel-safe:software name="PUG" version="03.39"/>',
            "  </sentinel-safe:facility>",
            "</sentinel-safe:processing>",
        ],
        classification="PROVENANCE",
    )
    for unit in units:
        if unit.annotation:
            lines += [
                f'    <metadataObject ID="{unit.annotation}" classification="DESCRIPTION" '
                'category="DMD">',
                f'      <dataObjectPointer dataObjectID="{unit.object_id}"/>',
                "    </metadataObject>",
            ]
    lines += ["  </metadataSection>", "  <dataObjectSection>"]
    for unit in units:
        data = files[unit.path]
        lines += [
            f'    <dataObject ID="{unit.object_id}">',
            f'      <byteStream mimeType="application/x-netcdf" size="{len(data)}">',
            f'        <fileLocation locatorType="URL" textInfo="{unit.text}" '
            f'href="./{unit.path}"/>',
            f'        <checksum checksumName="MD5">{_xml.md5(data)}</checksum>',
            "      </byteStream>",
            "    </dataObject>",
        ]
    lines += ["  </dataObjectSection>", "</xfdu:XFDU>", ""]
    return "\n".join(lines)
