"""What a SEN6 product's ``xfdumanifest.xml`` says: its measurement files and its identity.

The manifest lists one ``dataObject`` per measurement netCDF file (``fileLocation href``); the
reader compares them with the files present to name the absent ones, and opens a product whose
measurement files are all absent as metadata only: the attributes below (product name and type,
acquisition period, orbit and cycle, footprint) on an empty DataTree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._members import HEAD
from ._partial import check_member
from .source import ProductSource
from .xml import find, findall, iter_local, parse, text

__all__ = ["MANIFEST", "S6Manifest", "read_manifest"]

MANIFEST = "xfdumanifest.xml"


@dataclass(frozen=True)
class S6Manifest:
    """The measurement files a SEN6 manifest lists, and its product attributes."""

    files: list[str]
    """Measurement file names (``…_P4_2__LR_STD__…nc``), in manifest order."""
    attrs: dict[str, Any] = field(default_factory=dict)
    """Product attributes for the DataTree's root (``product_name``, ``time_coverage_start`` …)."""


def read_manifest(source: ProductSource) -> S6Manifest | None:
    """The product's manifest, or None when it has none; an empty or foreign manifest is
    refused naming it."""
    found = source.find(f"*{MANIFEST}")
    if not found:
        return None
    rel = min(found, key=len)
    data = source.read_bytes(rel)
    check_member(source.location, rel, data[:HEAD], len(data))
    root = parse(data, f"{source.location}/{rel}")
    files = [
        loc.get("href", "").removeprefix("./")
        for obj in findall(root, "//dataObject")
        for loc in iter_local(obj, "fileLocation")
        if loc.get("href", "").lower().endswith(".nc")
    ]
    return S6Manifest(files, _attrs(root))


def _attrs(root: Any) -> dict[str, Any]:
    general = find(root, "//generalProductInformation")
    orbit = find(root, "//orbitReference")
    attrs: dict[str, Any] = {
        "product_name": text(general, "productName") if general is not None else None,
        "product_type": text(general, "productType") if general is not None else None,
        "timeliness": text(general, "timeliness") if general is not None else None,
        "baseline_collection": text(general, "baselineCollection") if general is not None else None,
        "creation_time": text(general, "creationTime") if general is not None else None,
        "time_coverage_start": text(root, "//acquisitionPeriod/startTime"),
        "time_coverage_end": text(root, "//acquisitionPeriod/stopTime"),
    }
    if orbit is not None:
        for name, tag in (
            ("absolute_orbit", "orbitNumber"),
            ("relative_orbit", "relativeOrbitNumber"),
            ("cycle", "cycleNumber"),
        ):
            value = text(orbit, tag)
            if value is not None and value.lstrip("+-").isdigit():
                attrs[name] = int(value)
        direction = find(orbit, "orbitNumber")
        if direction is not None and direction.get("groundTrackDirection"):
            attrs["pass_direction"] = direction.get("groundTrackDirection")
    footprint = _footprint(text(root, "//frameSet/footPrint/posList"))
    if footprint:
        attrs["footprint"] = footprint
    return {k: v for k, v in attrs.items() if v not in (None, "")}


def _footprint(poslist: str | None) -> str | None:
    """The ``lat lon lat lon …`` ring as WKT (``POLYGON ((lon lat, …))``)."""
    if not poslist:
        return None
    values = poslist.split()
    if len(values) < 6 or len(values) % 2:
        return None
    pairs = [f"{values[i + 1]} {values[i]}" for i in range(0, len(values), 2)]
    return f"POLYGON (({', '.join(pairs)}))"
