"""``/queryables`` and ``/collections/{id}/queryables``: JSON Schema of the filterable fields.

Shape, titles and constraints as the live service answers [verified NB-MIG, cdse-api.md §4]:
draft-07, ``title: "STAC Queryables."``, ``additionalProperties: true``, jsonb key order. A
collection lists the fields its items have; enums are computed from the catalogue. Texts the
recording cut short are completed plausibly.
"""

from __future__ import annotations

from typing import Any

from .jsonb import jsonb_order

__all__ = ["queryables_document"]

_DATETIME = {
    "type": "string",
    "title": "Acquired",
    "format": "date-time",
    "pattern": "(\\+00:00|Z)$",
    "description": "Datetime",
}


def _definitions(enums: dict[str, list[str]], global_view: bool) -> dict[str, dict[str, Any]]:
    published = {"type": "string", "title": "Published", "format": "date-time"}
    if global_view:
        published |= {"pattern": "(\\+00:00|Z)$", "description": "Datetime"}
    else:
        published["description"] = "Publication date and time of a product in the catalogue"
    return {
        "id": {
            "type": "string",
            "title": "Item ID",
            "minLength": 1,
            "description": "Item identifier",
        },
        "datetime": dict(_DATETIME),
        "geometry": {
            "$ref": "https://geojson.org/schema/Feature.json",
            "title": "Item Geometry",
            "description": "Item Geometry",
        },
        "platform": {
            "enum": enums.get("platform", []),
            "type": "string",
            "title": "Platform",
            "description": "Satellite platform identifier",
        },
        "grid:code": {
            "type": "string",
            "title": "Grid Code",
            "pattern": "^[A-Z0-9]+-[-_.A-Za-z0-9]+$",
            "description": "Grid Code",
        },
        "published": published,
        "product:type": {
            "enum": enums.get("product:type", []),
            "type": "string",
            "title": "Product Type",
            "description": "Product Type",
        },
        "eo:snow_cover": {
            "type": "number",
            "title": "Snow Cover",
            "maximum": 100,
            "minimum": 0,
            "description": "Snow cover in percent",
        },
        "eo:cloud_cover": {
            "type": "number",
            "title": "Cloud Cover",
            "maximum": 100,
            "minimum": 0,
            "description": "Cloud cover in percent",
        },
        "sat:orbit_state": {
            "enum": ["ascending", "descending", "geostationary"],
            "type": "string",
            "title": "Orbit State",
            "description": "The state of the orbit: ascending or descending for polar orbiting "
            "satellites, geostationary for geosynchronous satellites",
        },
        "sar:polarizations": {
            "enum": ["HH", "HV", "VH", "VV"],
            "type": "string",
            "title": "SAR polarizations",
            "description": "SAR polarizations",
        },
        "processing:version": {
            "type": "string",
            "title": "Processing Version",
            "description": "Which software/processor version was used to generate the data",
        },
        "sat:relative_orbit": {
            "type": "integer",
            "title": "Relative Orbit",
            "minimum": 1,
            "description": "Satellite relative orbit number",
        },
        "sar:instrument_mode": {
            "enum": ["EW", "IW", "SM"],
            "type": "string",
            "title": "Instrument mode",
            "description": "SAR instrument mode",
        },
    }


#: Always listed (also for a collection whose items lack them: id, datetime, geometry).
_CORE = ("id", "datetime", "geometry")


def queryables_document(
    schema_id: str,
    present: set[str],
    enums: dict[str, list[str]],
    global_view: bool,
) -> dict[str, Any]:
    """The queryables schema. ``present``: property names the items carry; the global one
    lists every known field, a collection's those its items have (the live ``sentinel-2-l2a``
    queryables have no ``product:type``, so a collection's never lists it)."""
    definitions = _definitions(enums, global_view)
    names = [
        name
        for name in definitions
        if name in _CORE
        or (global_view and name in present)
        or (not global_view and name in present and name != "product:type")
    ]
    return jsonb_order(
        {
            "$id": schema_id,
            "type": "object",
            "title": "STAC Queryables.",
            "$schema": "http://json-schema.org/draft-07/schema#",
            "properties": {name: definitions[name] for name in names},
            "additionalProperties": True,
        }
    )
