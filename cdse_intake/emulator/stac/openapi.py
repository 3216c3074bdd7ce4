"""The ``service-desc`` (OpenAPI 3.1 JSON at ``/api``) and ``service-doc`` (HTML at ``/api.html``).

The real service publishes stac-fastapi's OpenAPI document (mirrored by api-evangelist/esa,
``openapi/_original/esa-copernicus-stac-openapi.json``): ``openapi 3.1.0``, the title and
description below, ``servers [{"url": "/v1"}]``, operation ids such as ``Search_search_get`` and
the GET parameters of the search, fields, sort, query, filter and token extensions; collections
take ``bbox, datetime, limit, q, offset`` (collection search). This one describes the read-only
endpoints the emulator serves, with the same operation ids (the real one also lists the
transaction, bulk-transaction endpoints, not emulated).
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlsplit

__all__ = ["DESCRIPTION", "OPENAPI_TYPE", "TITLE", "openapi_document", "service_doc"]

TITLE = "Copernicus Data Space Ecosystem (CDSE) asset-level STAC catalogue"
DESCRIPTION = (
    "A comprehensive and searchable catalog of Earth observation and scientific datasets that "
    "is actively maintained and updated by the Copernicus Data Space Ecosystem. The integrated "
    "STAC (SpatioTemporal Asset Catalog) API, which follows the open STAC specification, "
    "enables users to access detailed asset-level metadata, including spatial information, "
    "temporal coverage, and data specifications. This standardized interface facilitates "
    "efficient data discovery and retrieval across the extensive collection of environmental "
    "and scientific resources. More information: https://documentation.dataspace.copernicus.eu/"
)
#: stac-fastapi's ``MimeTypes.openapi``, the ``service-desc`` link type.
OPENAPI_TYPE = "application/vnd.oai.openapi+json;version=3.0"

_SEARCH_PARAMS = (
    ("collections", "Array of collection Ids to search for items."),
    ("ids", "Array of Item ids to return."),
    ("bbox", "Only return items intersecting this bounding box."),
    ("intersects", "Only return items intersecting this GeoJSON Geometry."),
    ("datetime", "Only return items that have a temporal property that intersects this value."),
    ("limit", "Limits the number of results that are included in each page of the response."),
    ("query", "Allows additional filtering based on the properties of Item objects"),
    ("sortby", "An array of property names, prefixed by either '+' or '-'."),
    ("fields", "Include or exclude fields from items body."),
    ("filter", "A CQL filter expression for filtering items."),
    ("filter-crs", "The coordinate reference system (CRS) used by spatial literals."),
    ("filter-lang", "The CQL filter encoding that the 'filter' value uses."),
    ("token", "The paging token of a next or previous link."),
)
_COLLECTION_PARAMS = (
    ("bbox", "Only return collections intersecting this bounding box."),
    ("datetime", "Only return collections whose temporal extent intersects this value."),
    ("limit", "Limits the number of results that are included in each page of the response."),
    ("q", "Parameter to perform free-text queries against STAC metadata"),
    ("offset", "The number of collections to skip."),
)
_PATH_ID = {"collection_id": "Collection ID", "item_id": "Item ID"}

#: (path, method, summary, operation id, query parameters, response type, schema name)
_OPERATIONS: tuple[tuple[str, str, str, str, tuple[tuple[str, str], ...], str, str], ...] = (
    ("/", "get", "Landing Page", "Landing_Page__get", (), "application/json", "LandingPage"),
    (
        "/conformance",
        "get",
        "Conformance Classes",
        "Conformance_Classes_conformance_get",
        (),
        "application/json",
        "Conformance",
    ),
    (
        "/collections",
        "get",
        "Get Collections",
        "Get_Collections_collections_get",
        _COLLECTION_PARAMS,
        "application/json",
        "Collections",
    ),
    (
        "/collections/{collection_id}",
        "get",
        "Get Collection",
        "Get_Collection_collections__collection_id__get",
        (),
        "application/json",
        "Collection",
    ),
    (
        "/collections/{collection_id}/items",
        "get",
        "Get Itemcollection",
        "Get_ItemCollection_collections__collection_id__items_get",
        tuple(p for p in _SEARCH_PARAMS if p[0] not in ("collections", "ids", "intersects")),
        "application/geo+json",
        "ItemCollection",
    ),
    (
        "/collections/{collection_id}/items/{item_id}",
        "get",
        "Get Item",
        "Get_Item_collections__collection_id__items__item_id__get",
        (),
        "application/geo+json",
        "Item",
    ),
    (
        "/search",
        "get",
        "Search",
        "Search_search_get",
        _SEARCH_PARAMS,
        "application/geo+json",
        "ItemCollection",
    ),
    (
        "/search",
        "post",
        "Search",
        "Search_search_post",
        (),
        "application/geo+json",
        "ItemCollection",
    ),
    (
        "/queryables",
        "get",
        "Queryables",
        "Queryables_queryables_get",
        (),
        "application/schema+json",
        "Queryables",
    ),
    (
        "/collections/{collection_id}/queryables",
        "get",
        "Collection Queryables",
        "Collection_Queryables_collections__collection_id__queryables_get",
        (),
        "application/schema+json",
        "Queryables",
    ),
    ("/_mgmt/ping", "get", "Ping", "ping__mgmt_ping_get", (), "application/json", "Ping"),
)

_SCHEMAS: dict[str, dict[str, Any]] = {
    "LandingPage": {"type": "object", "required": ["id", "description", "links", "conformsTo"]},
    "Conformance": {"type": "object", "required": ["conformsTo"]},
    "Collections": {"type": "object", "required": ["links", "collections"]},
    "Collection": {"type": "object", "required": ["id", "description", "links", "extent"]},
    "Item": {"type": "object", "required": ["type", "id", "geometry", "properties", "assets"]},
    "ItemCollection": {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "const": "FeatureCollection"},
            "features": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
            "links": {"type": "array"},
            "numberMatched": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
            "numberReturned": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        },
    },
    "Queryables": {"type": "object"},
    "Ping": {"type": "object"},
    "SearchPostRequest": {"type": "object"},
}


def openapi_document(root: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of the emulated endpoints under ``root`` (the STAC root URL)."""
    paths: dict[str, dict[str, Any]] = {}
    for path, method, summary, op_id, params, media, schema in _OPERATIONS:
        operation: dict[str, Any] = {
            "summary": summary,
            "description": "Endpoint.",
            "operationId": op_id,
        }
        parameters = [_path_param(name) for name in _PATH_ID if f"{{{name}}}" in path]
        parameters += [_query_param(name, text) for name, text in params]
        if parameters:
            operation["parameters"] = parameters
        if method == "post":
            ref = {"$ref": "#/components/schemas/SearchPostRequest"}
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref}},
            }
        ok = {"schema": {"$ref": f"#/components/schemas/{schema}"}}
        operation["responses"] = {
            "200": {"description": "Successful Response", "content": {media: ok}}
        }
        paths.setdefault(path, {})[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "description": DESCRIPTION, "version": "1.1.0"},
        "servers": [{"url": urlsplit(root).path.rstrip("/") or "/"}],
        "paths": paths,
        "components": {"schemas": _SCHEMAS},
    }


def _path_param(name: str) -> dict[str, Any]:
    text = _PATH_ID[name]
    schema = {"type": "string", "description": text, "title": text.replace("ID", "Id")}
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": text}


def _query_param(name: str, text: str) -> dict[str, Any]:
    kind = "integer" if name in ("limit", "offset") else "string"
    schema: dict[str, Any] = {"anyOf": [{"type": kind}, {"type": "null"}], "description": text}
    if name == "limit":
        schema["default"] = 10
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": text}


def service_doc(root: str) -> str:
    """A small HTML page listing the endpoints (the real one is stac-fastapi's Swagger UI)."""
    rows = []
    for path, method, summary, _, params, media, _ in _OPERATIONS:
        names = ", ".join(name for name, _ in params) or "-"
        rows.append(
            f"<tr><td>{method.upper()}</td><td><code>{html.escape(path)}</code></td>"
            f"<td>{html.escape(summary)}</td><td>{html.escape(names)}</td>"
            f"<td>{html.escape(media)}</td></tr>"
        )
    spec = html.escape(f"{root}/api")
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(TITLE)} - Swagger UI</title></head><body>"
        f"<h1>{html.escape(TITLE)}</h1><p>{html.escape(DESCRIPTION)}</p>"
        f"<p>OpenAPI description: <a href='{spec}'>{spec}</a></p>"
        "<table><tr><th>Method</th><th>Path</th><th>Summary</th><th>Query parameters</th>"
        f"<th>Response</th></tr>{''.join(rows)}</table></body></html>\n"
    )
