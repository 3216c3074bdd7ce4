"""What the catalogue offers: collections, their product types, levels and attributes.

A search is checked against this before any request (:mod:`.catalogue.validate`), so a
mistyped product type, a product type of another collection or an unknown attribute name is
refused with the closest valid values instead of returning nothing.

Where it comes from, in order:

1. the live service, asked once a day per endpoint and remembered in ``<cache_dir>/vocabulary/``
   (:mod:`.catalogue.live_vocabulary`): STAC ``/collections`` (every collection's id, title,
   ``product:type`` and ``processing:level`` summaries) and OData ``/Attributes`` (every OData
   collection's attribute names and value types, cdse-api.md §1.7);
2. the snapshot shipped in ``data/vocabulary.json`` (recorded by
   ``scripts/record_vocabulary.py``), when the service cannot be asked (offline), and always for
   what no API lists: the product types only OData has (Sentinel-1 RAW, OCN and AUX files,
   Landsat, SMOS...: OData has no "distinct values" query, so the recorder samples them from
   product pages).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "CollectionInfo",
    "StacInfo",
    "Vocabulary",
    "builtin",
    "close_matches",
    "from_service",
    "level_matches",
    "normalise_level",
]

SNAPSHOT = Path(__file__).with_name("data") / "vocabulary.json"


@dataclass(frozen=True)
class StacInfo:
    """A STAC collection: its OData collection, product types, level and timeliness."""

    id: str
    odata: str
    product_types: tuple[str, ...]
    level: str | None = None
    """``processing:level`` (``L1``, ``L2``, ``L1B``...; None: not given)."""
    timeliness: str | None = None
    """The OData timeliness (``NR``/``NT``/``ST``) or S5P processingMode the id implies."""
    title: str = ""


@dataclass(frozen=True)
class CollectionInfo:
    """An OData collection: its attributes and product types (with their levels)."""

    name: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    """Attribute name -> OData value type (``String``, ``Integer``, ``Double``...)."""
    product_types: Mapping[str, str | None] = field(default_factory=dict)
    """Product type -> processing level (None: none, e.g. auxiliary files)."""


@dataclass(frozen=True)
class Vocabulary:
    """Every collection, by OData name and by STAC id."""

    collections: Mapping[str, CollectionInfo]
    stac: Mapping[str, StacInfo]
    source: str = "snapshot"
    """``"snapshot"`` (the shipped one) or the live service's URL."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "snapshot") -> Vocabulary:
        collections = {
            name: CollectionInfo(
                name,
                dict(entry.get("attributes") or {}),
                {pt: level for pt, level in (entry.get("product_types") or {}).items()},
            )
            for name, entry in (data.get("collections") or {}).items()
        }
        stac = {
            sid: StacInfo(
                sid,
                entry["odata"],
                tuple(entry.get("product_types") or ()),
                entry.get("level"),
                entry.get("timeliness"),
                entry.get("title") or "",
            )
            for sid, entry in (data.get("stac") or {}).items()
        }
        return cls(collections, stac, source)

    def to_dict(self) -> dict[str, Any]:
        return {
            "collections": {
                name: {"attributes": dict(c.attributes), "product_types": dict(c.product_types)}
                for name, c in sorted(self.collections.items())
            },
            "stac": {
                sid: {
                    "odata": s.odata,
                    "product_types": list(s.product_types),
                    "level": s.level,
                    "timeliness": s.timeliness,
                    "title": s.title,
                }
                for sid, s in sorted(self.stac.items())
            },
        }

    def merged(self, other: Vocabulary) -> Vocabulary:
        """This vocabulary, completed by ``other`` where this one says nothing (product types
        only OData has, collections the live service did not list)."""
        collections = dict(other.collections)
        for name, mine in self.collections.items():
            theirs = other.collections.get(name)
            if theirs is None:
                collections[name] = mine
                continue
            types = {**theirs.product_types, **mine.product_types}
            collections[name] = CollectionInfo(
                name, dict(mine.attributes or theirs.attributes), types
            )
        return Vocabulary(collections, {**other.stac, **self.stac}, self.source)

    def product_types(self, collection: str | None) -> dict[str, str | None]:
        """Product type -> level, of one OData collection or (None) of all."""
        if collection is not None:
            info = self.collections.get(collection)
            return dict(info.product_types) if info else {}
        out: dict[str, str | None] = {}
        for info in self.collections.values():
            out.update(info.product_types)
        return out

    def collections_of(self, product_type: str) -> list[str]:
        """The OData collections holding ``product_type``."""
        return sorted(n for n, c in self.collections.items() if product_type in c.product_types)

    def attributes(self, collection: str | None) -> dict[str, str]:
        """Attribute name -> value type, of one OData collection or (None) of all."""
        if collection is not None:
            info = self.collections.get(collection)
            return dict(info.attributes) if info else {}
        out: dict[str, str] = {}
        for info in self.collections.values():
            for name, vtype in info.attributes.items():
                out.setdefault(name, vtype)
        return out


def normalise_level(value: str) -> tuple[str, str] | None:
    """``"L2A"``, ``"level-2a"``, ``"LEVEL2"``, ``"2"`` -> ``("2", "A")``; None if not a level."""
    text = re.sub(r"[\s_-]", "", str(value)).upper().removeprefix("LEVEL").removeprefix("L")
    match = re.fullmatch(r"(\d)([A-Z]?)", text)
    return (match.group(1), match.group(2)) if match else None


def level_matches(asked: str, level: str | None) -> bool:
    """Whether a product of ``level`` is of the ``asked`` processing level: same number, and the
    same letter when both have one (``L2A`` is ``L2``; ``L1C`` is not ``L1B``)."""
    want = normalise_level(asked)
    have = normalise_level(level) if level else None
    if want is None or have is None or want[0] != have[0]:
        return False
    return not want[1] or not have[1] or want[1] == have[1]


@cache
def builtin() -> Vocabulary:
    """The shipped snapshot."""
    return Vocabulary.from_dict(json.loads(SNAPSHOT.read_text(encoding="utf-8")))


def from_service(stac: Any, attributes: Any, source: str) -> Vocabulary:
    """A vocabulary from the answers of STAC ``/collections`` and OData ``/Attributes``."""
    if not isinstance(stac, Mapping) or not isinstance(stac.get("collections"), list):
        raise ValueError("the STAC /collections answer has no 'collections' list")
    if not isinstance(attributes, Mapping):
        raise ValueError("the OData /Attributes answer is not a mapping of collection names")
    stac_infos: dict[str, StacInfo] = {}
    types: dict[str, dict[str, str | None]] = {}
    for doc in stac["collections"]:
        if not isinstance(doc, Mapping) or not isinstance(doc.get("id"), str):
            continue
        summaries = doc.get("summaries") or {}
        product_types = tuple(str(t) for t in _list(summaries.get("product:type")))
        levels = _list(summaries.get("processing:level"))
        odata = odata_name(doc["id"], summaries)
        if odata is None:
            continue
        info = StacInfo(
            doc["id"],
            odata,
            product_types,
            str(levels[0]) if levels else None,
            timeliness_of(doc["id"]),
            str(doc.get("title") or ""),
        )
        stac_infos[info.id] = info
        for product_type in product_types:
            types.setdefault(odata, {})[product_type] = info.level
    collections = {}
    for name in sorted(set(attributes) | set(types)):
        entries = attributes.get(name) or []
        atts = {
            str(e["Name"]): str(e.get("ValueType") or "String")
            for e in entries
            if isinstance(e, Mapping) and "Name" in e
        }
        collections[name] = CollectionInfo(name, atts, types.get(name, {}))
    return Vocabulary(collections, stac_infos, source)


def _list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


#: STAC id prefixes -> OData collection (no STAC document names its OData collection).
_ODATA_OF_PREFIX = (
    ("sentinel-1-global-mosaics", "GLOBAL-MOSAICS"),
    ("sentinel-2-global-mosaics", "GLOBAL-MOSAICS"),
    ("opengeohub-landsat-", "GLOBAL-MOSAICS"),
    ("sentinel-1-rtc", "SENTINEL-1-RTC"),
    ("sentinel-1", "SENTINEL-1"),
    ("sentinel-2", "SENTINEL-2"),
    ("sentinel-3", "SENTINEL-3"),
    ("sentinel-5p", "SENTINEL-5P"),
    ("sentinel-6", "SENTINEL-6"),
    ("clms_", "CLMS"),
    ("cop-dem", "COP-DEM"),
    ("ccm-", "CCM"),
    ("landsat-", None),
)


def odata_name(stac_id: str, summaries: Mapping[str, Any] | None = None) -> str | None:
    """The OData collection holding a STAC collection's products (by the id's prefix)."""
    for prefix, name in _ODATA_OF_PREFIX:
        if stac_id.startswith(prefix):
            return name
    return None


#: STAC id suffix -> the timeliness (S3, S6) or processing mode (S5P) in OData.
_TIMELINESS = {"-nrt": "NR", "-ntc": "NT", "-stc": "ST", "-nrti": "NRTI", "-offl": "OFFL",
               "-rpro": "RPRO"}  # fmt: skip


def timeliness_of(stac_id: str) -> str | None:
    if not stac_id.startswith(("sentinel-3-", "sentinel-5p-", "sentinel-6-")):
        return None
    for suffix, code in _TIMELINESS.items():
        if stac_id.endswith(suffix):
            return code
    return None


def close_matches(value: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The closest of ``choices`` to ``value`` (case-insensitive), best first."""
    import difflib

    by_lower: dict[str, str] = {}
    for choice in choices:
        by_lower.setdefault(choice.lower(), choice)
    found = difflib.get_close_matches(value.lower(), list(by_lower), n=n, cutoff=0.6)
    return [by_lower[f] for f in found]
