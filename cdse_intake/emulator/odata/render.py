"""Product records exactly as CDSE's OData catalogue writes them (cdse-api.md §1.2).

Key order is the recorded one; datetimes have six fractional digits and ``Z``. The parts of a
record that are costly to write and never change (the footprint as WKT and GeoJSON, the
attribute list, the quicklook asset) are serialised once per entry and spliced in as
``orjson.Fragment``; the rest (times, Online, checksums, subject to injected faults) is written
per request, so a 1000-record page with ``$expand=Attributes`` takes a few milliseconds.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson

from ..catalogue import Entry, fmt_time
from ..state import FaultRegistry

__all__ = ["Renderer", "footprint_wkt"]

_NULL = orjson.Fragment(b"null")
#: Entries whose serialised parts are kept (~3 kB each with attributes); past it, start afresh.
MAX_CACHED = 30_000


@dataclass(frozen=True, slots=True)
class _Static:
    entry: Entry
    source: tuple[Any, ...]
    """The entry's fields these parts were written from: an entry given a new value for any of
    them is written again (entries are otherwise treated as immutable)."""
    times: tuple[str, ...]
    checksum: list[dict[str, str]]
    footprint: orjson.Fragment
    geo_footprint: orjson.Fragment
    attributes: orjson.Fragment
    assets: orjson.Fragment


class Renderer:
    """Writes records for one emulator (links point at its catalogue URL)."""

    def __init__(self, catalogue_url: str, faults: FaultRegistry) -> None:
        self.catalogue_url = catalogue_url
        self.faults = faults
        self._static: dict[str, _Static] = {}
        self._lock = threading.Lock()

    def record(
        self, entry: Entry, expand: tuple[str, ...] = (), select: frozenset[str] | None = None
    ) -> bytes:
        """One product record as JSON bytes; ``expand`` adds Attributes/Assets/Locations."""
        static = self._static_parts(entry)
        origin, publication, modification, start, end = static.times
        online = entry.online and self.faults.peek("offline", entry.id, entry.name) is None
        stripped = self.faults.peek("no_checksum", entry.id, entry.name) is not None
        checksum = [] if stripped else static.checksum
        record: dict[str, Any] = {"@odata.mediaContentType": "application/octet-stream"}
        fields: dict[str, Any] = {
            "Id": entry.id,
            "Name": entry.name,
            "ContentType": entry.content_type,
            "ContentLength": entry.content_length,
            "OriginDate": origin,
            "PublicationDate": publication,
            "ModificationDate": modification,
            "Online": online,
            "EvictionDate": entry.eviction,
            "S3Path": entry.s3_path,
            "Checksum": checksum,
            "ContentDate": {"Start": start, "End": end},
            "Footprint": static.footprint,
            "GeoFootprint": static.geo_footprint,
        }
        if select is None:
            record.update(fields)
        else:
            record.update((k, v) for k, v in fields.items() if k in select)
        # Expanded navigation properties come in this fixed order, whatever the $expand order
        # (recorded: context "(Attributes(),Locations(),Assets())", keys Attributes, Assets,
        # Locations).
        if "Attributes" in expand:
            record["Attributes"] = static.attributes
        if "Assets" in expand:
            record["Assets"] = static.assets
        if "Locations" in expand:
            record["Locations"] = [
                {
                    # One extracted copy, described like the product itself (§1.2; values of
                    # Compressed copies are unverified, so none are listed).
                    "FormatType": "Extracted",
                    "DownloadLink": f"{self.catalogue_url}/Products({entry.id})/$value",
                    "ContentLength": entry.content_length,
                    "Checksum": checksum,
                    "S3Path": entry.s3_path,
                }
            ]
        return orjson.dumps(record)

    def _static_parts(self, entry: Entry) -> _Static:
        static = self._static.get(entry.id)
        source = (
            entry.origin,
            entry.publication,
            entry.modification,
            entry.start,
            entry.end,
            entry.checksum_date,
            entry.md5,
            entry.blake3,
            entry.footprint,
            entry.attributes,
            entry.quicklook_id,
            entry.s3_path,
        )
        # Tuple equality checks identity first: unchanged fields cost no deep comparison.
        if static is not None and static.entry is entry and static.source == source:
            return static
        wkt = footprint_wkt(entry.footprint)
        attributes = [
            {
                "@odata.type": f"#OData.CSC.{vtype}Attribute",
                "Name": name,
                "Value": value,
                "ValueType": vtype,
            }
            for name, vtype, value in entry.attributes
        ]
        assets = []
        if entry.quicklook_id:
            assets.append(
                {
                    "Type": "QUICKLOOK",
                    "Id": entry.quicklook_id,
                    "DownloadLink": f"{self.catalogue_url}/Assets({entry.quicklook_id})/$value",
                    "S3Path": entry.s3_path,
                }
            )
        static = _Static(
            entry=entry,
            source=source,
            times=tuple(fmt_time(t) for t in source[:5]),
            checksum=_checksums(entry),
            footprint=orjson.Fragment(orjson.dumps(wkt)) if wkt else _NULL,
            geo_footprint=orjson.Fragment(orjson.dumps(entry.footprint)),
            attributes=orjson.Fragment(orjson.dumps(attributes)),
            assets=orjson.Fragment(orjson.dumps(assets)),
        )
        with self._lock:
            if len(self._static) >= MAX_CACHED:
                self._static.clear()
            self._static[entry.id] = static
        return static


def _checksums(entry: Entry) -> list[dict[str, str]]:
    """MD5 first, then BLAKE3 (§1.2); CDSE computes BLAKE3 a fraction of a second later."""
    out = []
    if entry.md5:
        out.append(
            {"Value": entry.md5, "Algorithm": "MD5", "ChecksumDate": fmt_time(entry.checksum_date)}
        )
    if entry.blake3:
        later = entry.checksum_date + timedelta(microseconds=20_000 + int(entry.blake3[:4], 16))
        out.append({"Value": entry.blake3, "Algorithm": "BLAKE3", "ChecksumDate": fmt_time(later)})
    return out


def footprint_wkt(geometry: dict[str, Any] | None) -> str | None:
    """``geography'SRID=4326;POLYGON ((lon lat, ...))'`` (MULTIPOLYGON for multipolygons)."""
    if not geometry:
        return None
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Polygon":
        body = "POLYGON " + _polygon(coords)
    elif kind == "MultiPolygon":
        body = "MULTIPOLYGON (" + ", ".join(_polygon(p) for p in coords) + ")"
    elif kind == "Point":
        body = f"POINT ({_num(coords[0])} {_num(coords[1])})"
    else:
        import shapely

        body = shapely.to_wkt(shapely.geometry.shape(geometry))
    return f"geography'SRID=4326;{body}'"


def _polygon(rings: list) -> str:
    return (
        "("
        + ", ".join(
            "(" + ", ".join(f"{_num(x)} {_num(y)}" for x, y, *_ in ring) + ")" for ring in rings
        )
        + ")"
    )


def _num(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text
