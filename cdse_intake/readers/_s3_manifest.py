"""Parsing of a Sentinel-3 SEN3 product's ``xfdumanifest.xml`` (no pixel is read).

Every ``dataObject`` names a file (``byteStream/fileLocation@href``, with its ``mimeType``, size
and MD5), every ``contentUnit`` says whether it is a "Measurement" or an "Annotation Data Unit"
and (``dmdID``) which annotations go with it; the ``metadataSection`` holds the product facts
(platform, product type, acquisition period, orbit, footprint ``gml:posList`` as *lat lon*
pairs, baseline collection, processor, band wavelengths).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace
from typing import Any

from ..errors import UnsupportedProduct
from . import xml
from ._s3_members import check_xml
from ._s3_metadata import Band, DataObject, Sentinel3Metadata
from ._times import parse_utc
from .source import ProductSource

__all__ = [
    "MANIFEST",
    "as_int",
    "manifest_path",
    "parse_manifest",
    "read_metadata",
    "type_from_name",
]

MANIFEST = "xfdumanifest.xml"


def read_metadata(source: ProductSource) -> Sentinel3Metadata:
    """Parse the product's ``xfdumanifest.xml`` (refused, named, if absent, empty or broken)."""
    rel = manifest_path(source)
    if rel is None:
        raise UnsupportedProduct(
            f"{source.location} holds no {MANIFEST}: not a Sentinel-3 SEN3 product"
        )
    data = check_xml(source, rel, source.read_bytes(rel))
    meta = parse_manifest(data, f"{source.location}: {rel}")
    folder = posixpath.dirname(rel)
    if not folder:
        return meta
    # the manifest's hrefs are relative to its own folder
    objects = tuple(
        replace(
            o,
            href=posixpath.join(folder, o.href),
            annotations=tuple(posixpath.join(folder, a) for a in o.annotations),
        )
        for o in meta.data_objects
    )
    return replace(meta, data_objects=objects)


def parse_manifest(data: bytes, where: str = MANIFEST) -> Sentinel3Metadata:
    """A :class:`Sentinel3Metadata` from the bytes of an ``xfdumanifest.xml``."""
    root = xml.parse(data, where)
    if xml.local(root.tag) != "XFDU":
        raise UnsupportedProduct(f"{where} is not an XFDU manifest (root {xml.local(root.tag)!r})")
    general = xml.find(root, "//generalProductInformation")
    name = _text(general, "productName") or ""
    product_type = _text(general, "productType") or type_from_name(name)
    if not product_type:
        raise UnsupportedProduct(f"{where}: no productType, not a Sentinel-3 manifest")
    platform = xml.find(root, "//platform")
    orbit = xml.find(root, "//orbitReference")
    orbit_start = _first(orbit, "orbitNumber")
    software = xml.find(root, "//processing/facility/software")
    pos_list = xml.text(root, "//footPrint/posList") or ""
    return Sentinel3Metadata(
        name=name,
        product_type=product_type,
        platform=_platform(platform),
        instrument=_instrument(platform),
        start=parse_utc(xml.text(root, "//acquisitionPeriod/startTime")),
        stop=parse_utc(xml.text(root, "//acquisitionPeriod/stopTime")),
        creation_time=parse_utc(_text(general, "creationTime")),
        timeliness=_text(general, "timeliness"),
        baseline=_text(general, "baselineCollection"),
        orbit=as_int(orbit_start.text if orbit_start is not None else None),
        relative_orbit=as_int(_text(orbit, "relativeOrbitNumber")),
        cycle=as_int(_text(orbit, "cycleNumber")),
        orbit_direction=(
            orbit_start.get("groundTrackDirection") if orbit_start is not None else None
        ),
        processor=(
            " ".join(filter(None, (software.get("name"), software.get("version"))))
            if software is not None
            else None
        ),
        footprint=_footprint(pos_list, where),
        data_objects=_data_objects(root, where),
        bands=_bands(root),
        image_sizes=_image_sizes(root),
    )


def manifest_path(source: ProductSource) -> str | None:
    """Where the product's ``xfdumanifest.xml`` is (the shallowest one), None if absent."""
    if source.exists(MANIFEST):
        return MANIFEST
    found = sorted(source.find(f"*{MANIFEST}"), key=lambda p: (p.count("/"), p))
    return found[0] if found else None


def _data_objects(root: Any, where: str) -> tuple[DataObject, ...]:
    units: dict[str, tuple[str | None, list[str]]] = {}
    for unit in xml.iter_local(root, "contentUnit"):
        pointer = xml.find(unit, "dataObjectPointer")
        if pointer is not None and pointer.get("dataObjectID"):
            dmd = (unit.get("dmdID") or "").split()
            units[pointer.get("dataObjectID")] = (unit.get("unitType"), dmd)
    metadata_pointers = {}
    for obj in xml.iter_local(root, "metadataObject"):
        pointer = xml.find(obj, "dataObjectPointer")
        if pointer is not None and obj.get("ID"):
            metadata_pointers[obj.get("ID")] = pointer.get("dataObjectID")

    hrefs: dict[str, str] = {}
    entries = []
    for obj in xml.iter_local(root, "dataObject"):
        ident = obj.get("ID") or ""
        stream = xml.find(obj, "byteStream")
        location = xml.find(stream, "fileLocation") if stream is not None else None
        href = location.get("href") if location is not None else None
        if not href:
            raise UnsupportedProduct(f"{where}: dataObject {ident!r} has no fileLocation href")
        href = _clean_href(href, where)
        hrefs[ident] = href
        checksum = xml.find(stream, "checksum")
        entries.append(
            (
                ident,
                href,
                stream.get("mimeType") or "",
                as_int(stream.get("size")),
                checksum.text.strip() if checksum is not None and checksum.text else None,
                location.get("textInfo"),
            )
        )
    objects = []
    for ident, href, mime, size, md5, text in entries:
        unit_type, dmd = units.get(ident, (None, []))
        annotations = []
        for ref in dmd:
            target = metadata_pointers.get(ref, ref)
            if target in hrefs and hrefs[target] not in annotations:
                annotations.append(hrefs[target])
        objects.append(
            DataObject(ident, href, mime, size, md5, unit_type, text, tuple(annotations))
        )
    return tuple(objects)


def _clean_href(href: str, where: str) -> str:
    path = posixpath.normpath(href.replace("\\", "/"))
    if path.startswith(("/", "../")) or path == ".." or "://" in href:
        raise UnsupportedProduct(f"{where}: file location {href!r} is outside the product")
    return path


def _bands(root: Any) -> tuple[Band, ...]:
    bands: dict[str, Band] = {}
    for element in xml.iter_local(root, "band"):
        name = element.get("name")
        if not name or name in bands:
            continue
        bands[name] = Band(
            name,
            _float(xml.text(element, "centralWavelength")),
            _float(xml.text(element, "bandwidth")),
            _channel(xml.text(element, "olciChannels")),
        )
    return tuple(bands.values())


def _image_sizes(root: Any) -> dict[str, tuple[int, int]]:
    sizes = {}
    for element in root.iter():
        tag = xml.local(element.tag)
        if not tag.lower().endswith("imagesize"):
            continue
        rows, columns = as_int(xml.text(element, "rows")), as_int(xml.text(element, "columns"))
        if rows is not None and columns is not None:
            view = tag[: -len("ImageSize")].lower() or "image"
            sizes[view] = (rows, columns)
    return sizes


def _footprint(pos_list: str, where: str) -> tuple[tuple[float, float], ...]:
    try:
        values = [float(v) for v in pos_list.split()]
    except ValueError as err:
        raise UnsupportedProduct(f"{where}: footprint posList is not numbers: {err}") from err
    # gml:posList in EPSG:4326 order: latitude then longitude
    return tuple(zip(values[1::2], values[0::2], strict=False))


def _platform(platform: Any) -> str | None:
    if platform is None:
        return None
    family = _text(platform, "familyName")
    number = _text(platform, "number")
    if family and number:
        return f"{family}{number}"
    return family


def _instrument(platform: Any) -> str | None:
    family = xml.find(platform, "instrument/familyName") if platform is not None else None
    if family is None:
        return None
    return family.get("abbreviation") or (family.text or "").strip() or None


def type_from_name(name: str) -> str | None:
    match = re.match(r"^S3[A-D]_(\w{2}_\w_\w{6})", name)
    return match.group(1) if match else None


def _channel(value: str | None) -> str | None:
    return value if value and value != "-" else None


def _first(element: Any, name: str) -> Any:
    if element is None:
        return None
    found = xml.findall(element, name)
    starts = [e for e in found if e.get("type") == "start"]
    return (starts or found or [None])[0]


def _text(element: Any, path: str) -> str | None:
    return xml.text(element, path) if element is not None else None


def as_int(value: Any) -> int | None:
    try:
        return int(str(value).strip()) if value is not None else None
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
