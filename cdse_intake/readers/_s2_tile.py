"""The tile metadata of a Sentinel-2 SAFE product: ``GRANULE/<granule>/MTD_TL.xml``.

It gives the tile's sensing time, ids, mean sun angles and where the tile is (UTM CRS, size and
upper-left corner per resolution). Only single-tile (compact SAFE) products exist on CDSE; the
file may be absent from a partial product (:func:`read_tile` then returns None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import UnsupportedProduct
from . import xml
from ._s2_geocoding import TileGeocoding
from ._s2_members import read_xml
from ._times import parse_utc
from .source import ProductSource

__all__ = ["TileMetadata", "granule_of", "mgrs_tile", "read_tile", "to_float", "to_int"]


@dataclass(frozen=True)
class TileMetadata:
    """What ``MTD_TL.xml`` says."""

    path: str
    granule: str
    sensing_time: datetime | None
    tile_id: str | None
    datastrip_id: str | None
    mean_sun_zenith: float | None
    mean_sun_azimuth: float | None
    geocoding: TileGeocoding


def read_tile(source: ProductSource) -> TileMetadata | None:
    """``MTD_TL.xml`` of the product's granule, or None when the product lacks it."""
    tiles = source.find("GRANULE/*/MTD_TL.xml")
    if not tiles:
        return None
    if len(tiles) > 1:
        raise UnsupportedProduct(
            f"{source.location}: expected one granule with GRANULE/<granule>/MTD_TL.xml, found "
            f"{', '.join(tiles)}; only single-tile (compact SAFE) products are supported"
        )
    path = tiles[0]
    root = read_xml(source, path)
    sun = xml.find(root, "Geometric_Info/Tile_Angles/Mean_Sun_Angle")
    return TileMetadata(
        path=path,
        granule=path.rsplit("/", 1)[0],
        sensing_time=parse_utc(xml.text(root, "General_Info/SENSING_TIME")),
        tile_id=xml.text(root, "General_Info/TILE_ID"),
        datastrip_id=xml.text(root, "General_Info/DATASTRIP_ID"),
        mean_sun_zenith=to_float(xml.text(sun, "ZENITH_ANGLE")) if sun is not None else None,
        mean_sun_azimuth=to_float(xml.text(sun, "AZIMUTH_ANGLE")) if sun is not None else None,
        geocoding=_geocoding(root, f"{source.location}: {path}"),
    )


def granule_of(source: ProductSource, listed: list[str]) -> str:
    """The granule folder (``GRANULE/<granule>``) when ``MTD_TL.xml`` is absent: from the image
    list, else from the product's files."""
    for entry in listed:
        if m := re.match(r"(GRANULE/[^/]+)/", entry.lstrip("./")):
            return m.group(1)
    folders = sorted({f.split("/")[1] for f in source.find("GRANULE/*/*")})
    if len(folders) > 1:
        raise UnsupportedProduct(
            f"{source.location}: expected one granule folder under GRANULE/, found "
            f"{', '.join(folders)}; only single-tile (compact SAFE) products are supported"
        )
    return f"GRANULE/{folders[0]}" if folders else "GRANULE"


def mgrs_tile(*texts: str | None) -> str | None:
    """The MGRS tile (``31UNE``) in the first of ``texts`` naming one (``_T31UNE_``)."""
    for text in texts:
        if text and (m := re.search(r"_T(\d{2}[A-Z]{3})(?:_|$)", text)):
            return m.group(1)
    return None


def _geocoding(tile_xml: Any, where: str) -> TileGeocoding:
    geocoding = xml.find(tile_xml, "Geometric_Info/Tile_Geocoding")
    if geocoding is None:
        raise UnsupportedProduct(f"{where} has no Geometric_Info/Tile_Geocoding")
    code = xml.text(geocoding, "HORIZONTAL_CS_CODE") or ""
    match = re.search(r"(\d+)$", code)
    if match is None:
        raise UnsupportedProduct(f"{where}: HORIZONTAL_CS_CODE {code!r} is not an EPSG code")
    sizes = {}
    for element in xml.findall(geocoding, "Size"):
        res = to_int(element.get("resolution"))
        rows, cols = to_int(xml.text(element, "NROWS")), to_int(xml.text(element, "NCOLS"))
        if res and rows and cols:
            sizes[res] = (rows, cols)
    origins = {}
    for element in xml.findall(geocoding, "Geoposition"):
        res = to_int(element.get("resolution"))
        values = [to_float(xml.text(element, k)) for k in ("ULX", "ULY", "XDIM", "YDIM")]
        if res and all(v is not None for v in values):
            origins[res] = tuple(values)
    return TileGeocoding(
        epsg=int(match.group(1)),
        name=xml.text(geocoding, "HORIZONTAL_CS_NAME"),
        sizes=sizes,
        origins=origins,  # type: ignore[arg-type]
    )


def to_float(text: str | None) -> float | None:
    """The number in ``text``, None if absent or not a number."""
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def to_int(text: str | None) -> int | None:
    """The integer in ``text`` (``"10.0"`` too), None if absent or not a number."""
    value = to_float(text)
    return int(value) if value is not None else None
