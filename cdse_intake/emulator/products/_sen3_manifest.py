"""The ``xfdumanifest.xml`` the Sentinel-3 SEN3 builders share.

Package map (one content unit per file), acquisition period, platform, footprint, general
product information, orbit reference, quality, processing, annotation pointers and data objects
(size and MD5 of each file), shaped after the real OLCI, SLSTR and SYNERGY manifests in
``reference/samples/products/sentinel-3``; the instrument's own product-information sections
are passed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from . import _xfdu, _xml

if TYPE_CHECKING:
    from ._sen3 import Product

__all__ = ["Spec", "Unit", "band_lines", "manifest", "metadata_object"]

_STYLE = _xfdu.Style()
_NAMESPACES = (
    ("xfdu", "urn:ccsds:schema:xfdu:1"),
    ("sentinel-safe", "http://www.esa.int/safe/sentinel/1.1"),
    ("gml", "http://www.opengis.net/gml"),
    ("sentinel3", "http://www.esa.int/safe/sentinel/sentinel-3/1.0"),
)
#: One ``xmlns:prefix="uri"`` declaration of :attr:`Spec.namespaces`.
_NAMESPACE = re.compile(r'xmlns:(\S+?)="([^"]*)"')


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
    return _xfdu.metadata_lines(_wrap(ident, text, body, classification), _STYLE)


def _wrap(
    ident: str, text: str, body: Sequence[str], classification: str = "DESCRIPTION"
) -> _xfdu.MetadataObject:
    category = "PDI" if classification == "PROVENANCE" else "DMD"
    return _xfdu.MetadataObject(ident, _xfdu.Wrap(text, body), classification, category)


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
    doc = _xfdu.XFDU(
        namespaces=(*_NAMESPACES, *_NAMESPACE.findall(spec.namespaces)),
        version=spec.version,
        package=_xfdu.Package(
            "Information Package",
            spec.package_text,
            ident="packageUnit",
            dmd=spec.package_dmd,
            pdi="processing",
        ),
        units=[
            _xfdu.ContentUnit(
                unit.object_id,
                f"{'Measurement' if unit.measurement else 'Annotation'} Data Unit",
                ident=unit.unit_id,
                text=unit.text,
                dmd=unit.dmd,
            )
            for unit in units
        ],
        metadata=[
            _acquisition_period(product),
            _platform(product, spec),
            _frame_set(product),
            _product_information(product, files),
            *info,
            _orbit_reference(product),
            _quality(),
            _processing(product, spec),
            *(
                _xfdu.MetadataObject(unit.annotation, _xfdu.Pointer(unit.object_id))
                for unit in units
                if unit.annotation
            ),
        ],
        objects=[
            _xfdu.DataObject(
                unit.object_id, unit.path, files[unit.path], "application/x-netcdf", text=unit.text
            )
            for unit in units
        ],
    )
    return _xfdu.render(doc, _STYLE)


def _acquisition_period(product: Product) -> _xfdu.MetadataObject:
    entry = product.entry
    body = [
        "<sentinel-safe:acquisitionPeriod>",
        f"  {_xml.el('sentinel-safe:startTime', _xml.iso(entry.start))}",
        f"  {_xml.el('sentinel-safe:stopTime', _xml.iso(entry.end))}",
        "</sentinel-safe:acquisitionPeriod>",
    ]
    return _wrap("acquisitionPeriod", "Acquisition Period", body)


def _platform(product: Product, spec: Spec) -> _xfdu.MetadataObject:
    platform = product.name["platform"]
    body = [
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
    ]
    return _wrap("platform", "Platform Description", body)


def _frame_set(product: Product) -> _xfdu.MetadataObject:
    ring = " ".join(f"{lat:g} {lon:g}" for lon, lat in product.swath.quad.ring())
    body = [
        "<sentinel-safe:frameSet>",
        '  <sentinel-safe:footPrint srsName="http://www.opengis.net/def/crs/EPSG/0/4326">',
        f"    {_xml.el('gml:posList', ring)}",
        "  </sentinel-safe:footPrint>",
        "</sentinel-safe:frameSet>",
    ]
    return _wrap("measurementFrameSet", "Frame Set", body)


def _product_information(product: Product, files: Mapping[str, bytes]) -> _xfdu.MetadataObject:
    entry, name = product.entry, product.name
    body = [
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
    ]
    return _wrap("generalProductInformation", "General Product Information", body)


def _orbit_reference(product: Product) -> _xfdu.MetadataObject:
    name = product.name
    track = f'type="start" groundTrackDirection="{product.direction}"'
    body = [
        "<sentinel-safe:orbitReference>",
        f"  <sentinel-safe:orbitNumber {track}>{product.orbit}</sentinel-safe:orbitNumber>",
        f"  <sentinel-safe:relativeOrbitNumber {track}>{int(name['rel'])}"
        "</sentinel-safe:relativeOrbitNumber>",
        f"  {_xml.el('sentinel-safe:cycleNumber', int(name['cycle']))}",
        "  <sentinel-safe:phaseIdentifier>1</sentinel-safe:phaseIdentifier>",
        "</sentinel-safe:orbitReference>",
    ]
    return _wrap("measurementOrbitReference", "Orbit Reference", body)


def _quality() -> _xfdu.MetadataObject:
    body = [
        "<sentinel-safe:qualityInformation>",
        "  <sentinel-safe:extension>",
        "    <sentinel3:productQuality>",
        "      <sentinel3:onlineQualityCheck>PASSED</sentinel3:onlineQualityCheck>",
        "    </sentinel3:productQuality>",
        "  </sentinel-safe:extension>",
        "</sentinel-safe:qualityInformation>",
    ]
    return _wrap("measurementQualityInformation", "Quality Information", body)


def _processing(product: Product, spec: Spec) -> _xfdu.MetadataObject:
    start = _xml.iso(product.created, 6, zulu=False)
    stop = _xml.iso(product.created + timedelta(seconds=4), 6, zulu=False)
    body = [
        f'<sentinel-safe:processing name="DataProcessing" outputLevel="{spec.level}" '
        f'start="{start}" stop="{stop}">',
        f'  <sentinel-safe:facility name="{spec.facility} [{product.name["centre"]}]" '
        'organisation="European Space Agency" site="Cloud Service Provider" country="EU">',
        '    <sentinel-safe:hardware name="OPE"/>',
        '    <sentinel-safe:software name="PUG" version="03.39"/>',
        "  </sentinel-safe:facility>",
        "</sentinel-safe:processing>",
    ]
    return _wrap("processing", "Processing", body, "PROVENANCE")
