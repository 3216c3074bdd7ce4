"""Landsat metadata groups written as USGS writes them: ODL (``_MTL.txt``, ``_ANG.txt``), XML
(``_MTL.xml``) and JSON (``_MTL.json``).

A document is ``{group: {key: value}}`` (nested groups allowed); :class:`Text` values are quoted
in ODL (``SPACECRAFT_ID = "LANDSAT_8"``), plain ``str`` ones written bare (``WRS_PATH = 120``,
dates, numbers formatted by the caller). ODL indents two spaces per level and ends with ``END``;
the XML has the same tree under ``<LANDSAT_METADATA_FILE>``; the JSON gives every value as a
string (as real ``_MTL.json`` files do).
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape

__all__ = ["Text", "to_json", "to_odl", "to_xml"]

ROOT = "LANDSAT_METADATA_FILE"


class Text(str):
    """A value ODL writes in double quotes."""

    __slots__ = ()


def to_odl(groups: dict[str, Any], root: str | None = ROOT) -> bytes:
    lines: list[str] = []

    def emit(name: str, body: dict[str, Any], depth: int) -> None:
        pad = "  " * depth
        lines.append(f"{pad}GROUP = {name}")
        for key, value in body.items():
            if isinstance(value, dict):
                emit(key, value, depth + 1)
            else:
                text = f'"{value}"' if isinstance(value, Text) else str(value)
                lines.append(f"{pad}  {key} = {text}")
        lines.append(f"{pad}END_GROUP = {name}")

    if root is None:
        for name, body in groups.items():
            emit(name, body, 0)
    else:
        emit(root, groups, 0)
    lines.append("END")
    return ("\n".join(lines) + "\n").encode()


def to_xml(groups: dict[str, Any]) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f"<{ROOT}>"]

    def emit(body: dict[str, Any], depth: int) -> None:
        pad = "  " * depth
        for key, value in body.items():
            if isinstance(value, dict):
                lines.append(f"{pad}<{key}>")
                emit(value, depth + 1)
                lines.append(f"{pad}</{key}>")
            else:
                lines.append(f"{pad}<{key}>{escape(str(value))}</{key}>")

    emit(groups, 1)
    lines.append(f"</{ROOT}>")
    return ("\n".join(lines) + "\n").encode()


def to_json(groups: dict[str, Any]) -> bytes:
    def strings(body: dict[str, Any]) -> dict[str, Any]:
        return {k: strings(v) if isinstance(v, dict) else str(v) for k, v in body.items()}

    return json.dumps({ROOT: strings(groups)}, indent=2).encode()
