"""The XFDU manifest every SAFE-family writer shares (``manifest.safe`` of Sentinel-1 and
Sentinel-2, ``xfdumanifest.xml`` of Sentinel-3 and Sentinel-6).

A document is the root (namespaces, version), the ``informationPackageMap`` (a package content
unit holding one content unit per file), the ``metadataSection`` and the ``dataObjectSection``
(size and checksum of each file). The missions describe theirs with the dataclasses below and
give what their real manifests write differently as a :class:`Style`: the attribute order of
each element, the indentation, the XML declaration and the checksum. The metadata bodies
(platform, orbit, processing...) are the missions' own lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from . import _xml

__all__ = [
    "MD5",
    "ORDER",
    "SHA3_256",
    "XFDU",
    "Checksum",
    "ContentUnit",
    "DataObject",
    "MetadataObject",
    "Package",
    "Pointer",
    "Reference",
    "Style",
    "Wrap",
    "metadata_lines",
    "render",
]

#: Attribute order by element, as the Sentinel-1, -3 and -6 manifests write them.
ORDER: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "xfdu:contentUnit": ("ID", "unitType", "textInfo", "repID", "dmdID", "pdiID"),
        "metadataObject": ("ID", "classification", "category"),
        "metadataWrap": ("mimeType", "vocabularyName", "textInfo"),
        "metadataReference": ("mimeType", "vocabularyName", "locatorType", "href"),
        "dataObject": ("ID", "repID"),
        "byteStream": ("mimeType", "size"),
        "fileLocation": ("locatorType", "textInfo", "href"),
    }
)


@dataclass(frozen=True)
class Checksum:
    """The ``checksumName`` and the function computing the digest."""

    name: str
    digest: Callable[[bytes], str]


MD5 = Checksum("MD5", _xml.md5)
SHA3_256 = Checksum("SHA3-256", _xml.sha3)


@dataclass(frozen=True)
class Style:
    """How a mission's manifests are written."""

    checksum: Checksum = MD5
    order: Mapping[str, tuple[str, ...]] = field(default_factory=ORDER.copy)
    """Attribute order by element (attributes without a value are left out)."""
    indent: str = "  "
    declaration: str = '<?xml version="1.0" encoding="UTF-8"?>'
    inline_units: bool = False
    """Each file's content unit on one line, with its data object pointer."""


@dataclass(frozen=True)
class Package:
    """The package content unit."""

    unit_type: str
    text: str
    ident: str = ""
    dmd: str = ""
    pdi: str = ""


@dataclass(frozen=True)
class ContentUnit:
    """A file's content unit, pointing at its data object."""

    object_id: str
    unit_type: str
    ident: str = ""
    text: str = ""
    rep_id: str = ""
    dmd: str = ""


@dataclass(frozen=True)
class Wrap:
    """A ``metadataWrap``: ``body`` lines (indented from the ``xmlData`` level) in ``xmlData``."""

    text: str
    body: Sequence[str]
    vocabulary: str = "Sentinel-SAFE"
    mime: str = "text/xml"


@dataclass(frozen=True)
class Reference:
    """A ``metadataReference`` to a file (an XML schema)."""

    href: str
    vocabulary: str
    mime: str = "text/xml"


@dataclass(frozen=True)
class Pointer:
    """A ``dataObjectPointer`` (a metadata object describing a data object)."""

    object_id: str


@dataclass(frozen=True)
class MetadataObject:
    """A ``metadataObject`` with its content."""

    ident: str
    content: Wrap | Reference | Pointer
    classification: str = "DESCRIPTION"
    category: str = "DMD"


@dataclass(frozen=True)
class DataObject:
    """A file: its ``dataObject``, byte stream, location and checksum (``digest`` when known)."""

    ident: str
    path: str
    data: bytes
    mime: str
    rep_id: str = ""
    text: str = ""
    digest: str | None = None


@dataclass(frozen=True)
class XFDU:
    """A whole manifest; ``metadata`` items are objects or lines :func:`metadata_lines` gave,
    no ``metadataSection`` without them."""

    namespaces: Sequence[tuple[str, str]]
    """(prefix, URI) in the root's order."""
    version: str
    package: Package
    units: Sequence[ContentUnit] = ()
    metadata: Sequence[MetadataObject | str] = ()
    objects: Sequence[DataObject] = ()


def _tag(style: Style, name: str, close: str = ">", **values: object) -> str:
    """``<name a="…">`` with the attributes in the style's order, empty ones left out."""
    present = {k: values[k] for k in style.order[name] if values.get(k) not in (None, "")}
    return f"<{name}{_xml.attrs(present)}{close}"


def _pointer(object_id: str) -> str:
    return f'<dataObjectPointer dataObjectID="{object_id}"/>'


def _package_map(doc: XFDU, style: Style) -> list[str]:
    i = style.indent
    p = doc.package
    head = dict(ID=p.ident, unitType=p.unit_type, textInfo=p.text, dmdID=p.dmd, pdiID=p.pdi)
    if not doc.units:
        return [i * 2 + _tag(style, "xfdu:contentUnit", "/>", **head)]
    lines = [i * 2 + _tag(style, "xfdu:contentUnit", **head)]
    for u in doc.units:
        tag = _tag(
            style,
            "xfdu:contentUnit",
            ID=u.ident,
            unitType=u.unit_type,
            textInfo=u.text,
            repID=u.rep_id,
            dmdID=u.dmd,
        )
        if style.inline_units:
            lines.append(f"{i * 3}{tag}{_pointer(u.object_id)}</xfdu:contentUnit>")
        else:
            lines += [i * 3 + tag, i * 4 + _pointer(u.object_id), i * 3 + "</xfdu:contentUnit>"]
    return [*lines, i * 2 + "</xfdu:contentUnit>"]


def _content(c: Wrap | Reference | Pointer, style: Style) -> list[str]:
    i = style.indent
    if isinstance(c, Pointer):
        return [i * 3 + _pointer(c.object_id)]
    if isinstance(c, Reference):
        values = dict(mimeType=c.mime, vocabularyName=c.vocabulary, locatorType="URL")
        return [i * 3 + _tag(style, "metadataReference", "/>", **values, href=c.href)]
    values = dict(mimeType=c.mime, vocabularyName=c.vocabulary, textInfo=c.text)
    return [
        i * 3 + _tag(style, "metadataWrap", **values),
        i * 4 + "<xmlData>",
        *(i * 5 + line for line in c.body),
        i * 4 + "</xmlData>",
        i * 3 + "</metadataWrap>",
    ]


def metadata_lines(obj: MetadataObject, style: Style) -> list[str]:
    """The lines of a ``metadataObject`` (at its level in the metadata section)."""
    i = style.indent
    values = dict(ID=obj.ident, classification=obj.classification, category=obj.category)
    return [
        i * 2 + _tag(style, "metadataObject", **values),
        *_content(obj.content, style),
        i * 2 + "</metadataObject>",
    ]


def _data_object(obj: DataObject, style: Style) -> list[str]:
    i = style.indent
    digest = obj.digest or style.checksum.digest(obj.data)
    location = dict(locatorType="URL", textInfo=obj.text, href=f"./{obj.path}")
    return [
        i * 2 + _tag(style, "dataObject", ID=obj.ident, repID=obj.rep_id),
        i * 3 + _tag(style, "byteStream", mimeType=obj.mime, size=len(obj.data)),
        i * 4 + _tag(style, "fileLocation", "/>", **location),
        f'{i * 4}<checksum checksumName="{style.checksum.name}">{digest}</checksum>',
        i * 3 + "</byteStream>",
        i * 2 + "</dataObject>",
    ]


def _metadata_section(doc: XFDU, style: Style) -> list[str]:
    if not doc.metadata:
        return []
    lines = [style.indent + "<metadataSection>"]
    for obj in doc.metadata:
        lines += [obj] if isinstance(obj, str) else metadata_lines(obj, style)
    return [*lines, style.indent + "</metadataSection>"]


def render(doc: XFDU, style: Style) -> str:
    """The manifest text (newline-terminated)."""
    i = style.indent
    namespaces = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in doc.namespaces)
    lines = [
        style.declaration,
        f'<xfdu:XFDU{namespaces} version="{doc.version}">',
        i + "<informationPackageMap>",
        *_package_map(doc, style),
        i + "</informationPackageMap>",
        *_metadata_section(doc, style),
        i + "<dataObjectSection>",
        *(line for obj in doc.objects for line in _data_object(obj, style)),
        i + "</dataObjectSection>",
        "</xfdu:XFDU>",
        "",
    ]
    return "\n".join(lines)
