"""What the Sentinel-1 Level-0 (RAW) and Level-2 (OCN) writers share: the product facts read
from the name and ``manifest.safe``.

The manifests are the Level-1 ones' (:mod:`._s1_common`: processing, orbit reference,
acquisition period, frame set, written by :mod:`._xfdu`) with the level's own lines: the
version ``esa/safe/sentinel-1.0/sentinel-1/sar/level-0/standard/iwdp`` (``level-2/ocn``), the
package ``Sentinel-1 IW Level-0 Product`` (``Level-2 OCN``), the level's namespace prefix
(``s1sar`` for Level-0, ``s1sarl2`` for Level-2) for the instrument mode and the stand-alone
product information, and one data object per file with its ``repID``
(``s1Level0MeasurementSchema``, ``s1Level0AnnotationSchema``, ``s1Level0IndexSchema``;
``s1Level2MeasurementSchema``). The repIDs and the Level-0 product information lines follow
ESA's Sentinel-1 product specification as far as it says; the exact element order is inferred.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import _xfdu
from ._s1_common import (
    _NAMESPACES,
    Facts,
    _acquisition_period,
    _frame_set,
    _orbit_reference,
    _processing,
    _wrap,
)
from ._s1_pixels import place

if TYPE_CHECKING:
    from ..catalogue import Entry

__all__ = ["FileObject", "corners", "facts", "manifest", "mode_of", "preview_files", "rep_schema"]

#: ``S1A_IW_RAW__0SDV_...`` and ``S1A_EW_OCN__2SDH_...`` (stripmap beams ``S1``..``S6``, ``WV``).
_NAME = re.compile(
    r"^(?P<mission>S1[A-D])_(?P<beam>IW|EW|WV|S[1-6])_(?P<type>RAW__0|OCN__2)S(?P<pols>[SD][VH])_"
    r"\d{8}T\d{6}_\d{8}T\d{6}_(?P<orbit>\d{6})_(?P<datatake>[0-9A-F]{6})_[0-9A-F]{4}(\.SAFE)?$"
)


def facts(entry: Entry, kind: str) -> Facts:
    """The facts of a ``RAW`` or ``OCN`` entry (ValueError for other names)."""
    m = _NAME.match(entry.name)
    if m is None or not m.group("type").startswith(kind):
        raise ValueError(f"Sentinel-1 {kind} product name expected, got {entry.name!r}")
    return Facts.from_match(entry, m)


def mode_of(f: Facts) -> str:
    """``IW``, ``EW``, ``WV`` or ``SM`` (stripmap beams)."""
    beam = f.entry.name[4:6]
    return "SM" if beam[0] == "S" else beam


def corners(f: Facts) -> list[tuple[float, float]]:
    """The footprint's corners (lon, lat) in the manifests' order."""
    lon, lat = place(f.quad, f.ascending, [0.0, 1.0, 1.0, 0.0], [1.0, 1.0, 0.0, 0.0])
    return list(zip(lon.tolist(), lat.tolist(), strict=True))


@dataclass(frozen=True)
class FileObject:
    """A file the manifest lists: data object id, repID, path and MIME type."""

    ident: str
    rep_id: str
    path: str
    mime: str = "application/octet-stream"


def manifest(
    f: Facts,
    *,
    level: int,
    files: dict[str, bytes],
    objects: Sequence[FileObject],
    product_info: Sequence[str],
) -> str:
    """``manifest.safe`` of a Level-0 (``level=0``) or Level-2 OCN product; ``product_info`` are
    the stand-alone product information's lines."""
    mode = mode_of(f)
    pols = "dp" if len(f.polarisations) > 1 else "sp"
    prefix = "s1sar" if level == 0 else "s1sarl2"
    kind = "standard" if level == 0 else "ocn/standard"
    swaths = str(f.entry.attribute("swathIdentifier", mode)).split()
    platform = [
        "<safe:platform>",
        "  <safe:nssdcIdentifier>"
        f"{'2014-016A' if f.mission[-1] == 'A' else '2024-235A'}</safe:nssdcIdentifier>",
        "  <safe:familyName>SENTINEL-1</safe:familyName>",
        f"  <safe:number>{f.mission[-1]}</safe:number>",
        "  <safe:instrument>",
        '    <safe:familyName abbreviation="SAR">Synthetic Aperture Radar</safe:familyName>',
        "    <safe:extension>",
        f"      <{prefix}:instrumentMode>",
        f"        <{prefix}:mode>{mode}</{prefix}:mode>",
        *(f"        <{prefix}:swath>{s}</{prefix}:swath>" for s in swaths),
        f"      </{prefix}:instrumentMode>",
        "    </safe:extension>",
        "  </safe:instrument>",
        "</safe:platform>",
    ]
    info = [
        f"<{prefix}:standAloneProductInformation>",
        *(f"  {line}" for line in product_info),
        f"</{prefix}:standAloneProductInformation>",
    ]
    data = [
        _xfdu.DataObject(o.ident, o.path, files[o.path], o.mime, rep_id=o.rep_id) for o in objects
    ]
    product = "Level-0" if level == 0 else "Level-2 OCN"
    doc = _xfdu.XFDU(
        namespaces=_NAMESPACES,
        version=f"esa/safe/sentinel-1.0/sentinel-1/sar/level-{level}/{kind}/{mode.lower()}{pols}",
        package=_xfdu.Package(
            "SAFE Archive Information Package",
            f"Sentinel-1 {mode} {product} Product",
            dmd="acquisitionPeriod platform generalProductInformation measurementOrbitReference "
            "measurementFrameSet",
            pdi="processing",
        ),
        units=[
            _xfdu.ContentUnit(o.ident, "Measurement Data Unit", rep_id=o.rep_id) for o in objects
        ],
        metadata=[
            _processing(f, "L0" if level == 0 else "OCN"),
            _wrap("platform", "Platform Description", platform),
            _orbit_reference(f),
            _wrap("generalProductInformation", "General Product Information", info),
            _acquisition_period(f),
            _frame_set(corners(f)),
            *(
                _xfdu.MetadataObject(
                    rep,
                    _xfdu.Reference(f"./support/{rep_schema(rep)}", "XML Schema"),
                    "SYNTAX",
                    "REP",
                )
                for rep in dict.fromkeys(o.rep_id for o in objects)
            ),
        ],
        objects=data,
    )
    return _xfdu.render(doc, _xfdu.Style())


def rep_schema(rep_id: str) -> str:
    """``s1Level0AnnotationSchema`` -> ``s1-level-0-annotation.xsd``."""
    m = re.match(r"s1Level(\d)(\w+)Schema$", rep_id)
    if m is None:
        raise ValueError(f"not a Sentinel-1 representation id: {rep_id!r}")
    return f"s1-level-{m.group(1)}-{m.group(2).lower()}.xsd"


def preview_files(entry: Entry, f: Facts, grey: bytes) -> dict[str, bytes]:
    """``preview/``: the quick-look PNG (``grey``, encoded), its KML overlay and HTML page."""
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
        "preview/quick-look.png": grey,
        "preview/map-overlay.kml": kml.encode(),
        "preview/product-preview.html": html.encode(),
    }
