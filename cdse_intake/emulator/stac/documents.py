"""The catalogue-level documents: landing page, conformance, collections.

Landing page and links as stac-fastapi builds them (§4: the CDSE STAC is FastAPI-based; its
OpenAPI, mirrored by api-evangelist/esa, is stac-fastapi-pgstac's with collection search);
collections in the shape of the real ones (EOMETA templates and samples: texts, keywords,
providers, licence, thumbnail, bands, auth and storage schemes, summaries, item_assets, from
the collection's row in :mod:`..catalogue_list`), with jsonb key order as the live service
answers [NB-MIG], extents and exact summaries computed from the catalogue's items.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..catalogue import EPOCH, Entry, fmt_time
from ..catalogue_list import DESIGNATORS as MORE_DESIGNATORS
from ..catalogue_list import LICENSES, PROVIDERS, THUMBNAILS, CollectionRow
from ..payloads import deliverable
from .collection_bands import bands_of
from .collections import CollectionSpec
from .common import DESIGNATORS, STAC_VERSION, auth_schemes, storage_schemes
from .index import StacIndex
from .jsonb import jsonb_order
from .openapi import DESCRIPTION, OPENAPI_TYPE, TITLE

__all__ = ["CONFORMANCE", "collection_document", "landing_page"]

_STAC_API = "https://api.stacspec.org"
_OGC = "http://www.opengis.net/spec"
_CQL2 = f"{_OGC}/cql2/1.0/conf"

#: stac-fastapi-pgstac's conformance classes for the extensions the real service's OpenAPI
#: shows (search: fields, sort, query, filter, token paging; collections: collection search
#: with free text; features: the same per collection), as its ``conformance.py`` and extension
#: modules name them, plus the CQL2 classes the emulator's filter implements. Left out: the
#: transaction classes (the real OpenAPI lists transaction endpoints; not emulated). The live
#: ``/conformance`` list itself is unverified.
CONFORMANCE = [
    f"{_STAC_API}/v1.0.0/core",
    f"{_STAC_API}/v1.0.0/ogcapi-features",
    f"{_STAC_API}/v1.0.0/collections",
    f"{_STAC_API}/v1.0.0/item-search",
    f"{_OGC}/ogcapi-features-1/1.0/conf/core",
    f"{_OGC}/ogcapi-features-1/1.0/conf/oas30",
    f"{_OGC}/ogcapi-features-1/1.0/conf/geojson",
    f"{_STAC_API}/v1.0.0/item-search#query",
    f"{_STAC_API}/v1.0.0/item-search#sort",
    f"{_STAC_API}/v1.0.0/item-search#fields",
    f"{_STAC_API}/v1.0.0-rc.2/item-search#filter",
    f"{_STAC_API}/v1.0.0/ogcapi-features#query",
    f"{_STAC_API}/v1.0.0/ogcapi-features#sort",
    f"{_STAC_API}/v1.0.0/ogcapi-features#fields",
    f"{_OGC}/ogcapi-features-3/1.0/conf/filter",
    f"{_OGC}/ogcapi-features-3/1.0/conf/features-filter",
    f"{_STAC_API}/v1.0.0-rc.1/collection-search",
    f"{_STAC_API}/v1.0.0-rc.1/collection-search#free-text",
    f"{_OGC}/ogcapi-common-2/1.0/conf/simple-query",
    f"{_CQL2}/cql2-text",
    f"{_CQL2}/cql2-json",
    f"{_CQL2}/basic-cql2",
    f"{_CQL2}/basic-spatial-functions",
    f"{_CQL2}/basic-spatial-functions-plus",
    f"{_CQL2}/spatial-functions",
    f"{_CQL2}/temporal-functions",
    f"{_CQL2}/advanced-comparison-operators",
    f"{_CQL2}/case-insensitive-comparison",
    f"{_CQL2}/accent-insensitive-comparison",
    f"{_CQL2}/array-functions",
    f"{_CQL2}/property-property",
    f"{_CQL2}/arithmetic",
]

QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"


def landing_page(root: str, specs: list[CollectionSpec]) -> dict[str, Any]:
    """``GET /``: stac-fastapi's landing page: its links, the queryables link, one ``child`` per
    collection, then ``service-desc`` and ``service-doc`` (stac-fastapi's order and titles);
    id ``cdse-stac`` (live, per a client's test), title and description of the real OpenAPI."""
    links: list[dict[str, Any]] = [
        {"rel": "self", "type": "application/json", "href": f"{root}/"},
        {"rel": "root", "type": "application/json", "href": f"{root}/"},
        {"rel": "data", "type": "application/json", "href": f"{root}/collections"},
        {
            "rel": "conformance",
            "type": "application/json",
            "title": "STAC/OGC conformance classes implemented by this server",
            "href": f"{root}/conformance",
        },
        {
            "rel": "search",
            "type": "application/geo+json",
            "title": "STAC search",
            "href": f"{root}/search",
            "method": "GET",
        },
        {
            "rel": "search",
            "type": "application/geo+json",
            "title": "STAC search",
            "href": f"{root}/search",
            "method": "POST",
        },
        {
            "rel": QUERYABLES_REL,
            "type": "application/schema+json",
            "title": "Queryables available for this Catalog",
            "href": f"{root}/queryables",
            "method": "GET",
        },
    ]
    links += [
        {
            "rel": "child",
            "type": "application/json",
            "title": spec.title,
            "href": f"{root}/collections/{spec.id}",
        }
        for spec in specs
    ]
    links += [
        {
            "rel": "service-desc",
            "type": OPENAPI_TYPE,
            "title": "OpenAPI service description",
            "href": f"{root}/api",
        },
        {
            "rel": "service-doc",
            "type": "text/html",
            "title": "OpenAPI service documentation",
            "href": f"{root}/api.html",
        },
    ]
    return {
        "type": "Catalog",
        "id": "cdse-stac",
        "title": TITLE,
        "description": DESCRIPTION,
        "stac_version": STAC_VERSION,
        "conformsTo": CONFORMANCE,
        "links": links,
        "stac_extensions": [],
    }


def collection_links(root: str, cid: str, license_key: str = "sentinel") -> list[dict[str, Any]]:
    """The links stac-fastapi-pgstac adds to a collection (alphabetical by kind), then the
    stored ones: licence (the template's, if any) and queryables."""
    url = f"{root}/collections/{cid}"
    links: list[dict[str, Any]] = [
        {"rel": "items", "type": "application/geo+json", "href": f"{url}/items"},
        {"rel": "parent", "type": "application/json", "href": f"{root}/"},
        {"rel": "root", "type": "application/json", "href": f"{root}/"},
        {"rel": "self", "type": "application/json", "href": url},
    ]
    licence = LICENSES[license_key]
    if licence is not None:
        href, title = licence
        links.append({"rel": "license", "href": href, "type": "application/pdf", "title": title})
    links.append(
        {
            "rel": QUERYABLES_REL,
            "href": f"{url}/queryables",
            "type": "application/schema+json",
            "title": "Queryables",
        }
    )
    return links


def collection_document(index: StacIndex, spec: CollectionSpec) -> dict[str, Any]:
    """``GET /collections/{id}``: the collection as its template writes it (the table row), with
    extents and summaries from its items when the catalogue holds any."""
    urls = index.factory.urls
    row = spec.row
    members = index.members[spec.id]
    bands = bands_of(row)
    body: dict[str, Any] = {
        "stac_version": STAC_VERSION,
        "stac_extensions": _extensions(spec, bands is not None),
        "id": spec.id,
        "type": "Collection",
        "title": spec.title,
        "description": spec.description,
        **row.extra,
        "extent": _extent(index, row, members),
        "license": row.license_id,
        "keywords": list(row.keywords),
        "providers": [dict(p) for p in PROVIDERS[row.provider]],
        "auth:schemes": auth_schemes(urls.identity),
        "storage:schemes": storage_schemes(urls.s3),
        "summaries": _summaries(index, spec),
    }
    if row.thumbnail is not None:
        href, title = row.thumbnail
        media = "image/png" if href.endswith(".png") else "image/jpeg"
        thumbnail = {"href": THUMBNAILS + href, "type": media, "title": title}
        thumbnail |= {"roles": ["thumbnail"], "proj:code": None, "proj:shape": [360, 640]}
        body["assets"] = {"thumbnail": thumbnail}
    if bands is not None:
        body["bands"] = bands
    if len(members):
        body["item_assets"] = index.factory.item_assets(_representative(index, members), spec)
    if spec.doi:
        body["sci:doi"] = spec.doi
    if row.citation:
        body["sci:citation"] = row.citation
    # jsonb order puts ``links`` 4th, as the live collections show; the links themselves keep
    # stac-fastapi's key order (rel, type, href).
    out = jsonb_order({**body, "links": None})
    out["links"] = collection_links(urls.stac, spec.id, row.license)
    return out


def _extensions(spec: CollectionSpec, bands: bool) -> list[str]:
    """The template's extensions: the framework's, and those the document's fields use."""
    row = spec.row
    names = ["authentication", "alternate-assets", "processing", "product", "projection"]
    names.append("storage")
    if row.platforms or spec.family in ("s1", "s2", "s3", "s5p"):
        names.append("sat")
    if spec.family == "s1" or row.id == "sentinel-1-global-mosaics":
        names.append("sar")
    if row.id.startswith("sentinel-6") or row.id.startswith("sentinel-3-sr"):
        names.append("altimetry")
    if bands:
        names.append("eo")
    if row.doi or row.citation:
        names.append("scientific")
    if any(key.startswith("ceosard:") for key in row.extra):
        names.append("ceos-ard")
    return [_EXTENSION_URLS[name] for name in names]


_EXT = "https://stac-extensions.github.io"
_EXTENSION_URLS = {
    "authentication": f"{_EXT}/authentication/v1.1.0/schema.json",
    "alternate-assets": f"{_EXT}/alternate-assets/v1.2.0/schema.json",
    "processing": f"{_EXT}/processing/v1.2.0/schema.json",
    "product": f"{_EXT}/product/v0.1.0/schema.json",
    "projection": f"{_EXT}/projection/v2.0.0/schema.json",
    "storage": f"{_EXT}/storage/v2.0.0/schema.json",
    "sat": f"{_EXT}/sat/v1.1.0/schema.json",
    "sar": f"{_EXT}/sar/v1.3.0/schema.json",
    "altimetry": f"{_EXT}/altimetry/v0.1.0/schema.json",
    "eo": f"{_EXT}/eo/v2.0.0/schema.json",
    "scientific": f"{_EXT}/scientific/v1.0.0/schema.json",
    "ceos-ard": f"{_EXT}/ceos-ard/v0.2.0/schema.json",
}


def _extent(index: StacIndex, row: CollectionRow, members: np.ndarray) -> dict[str, Any]:
    """From the items when the catalogue holds some (open-ended for ongoing missions, as the
    templates), else the template's."""
    if not len(members):
        return {
            "spatial": {"bbox": [list(row.bbox)]},
            "temporal": {"interval": [[row.start, row.end]]},
        }
    catalogue = index.catalogue
    first = _time(int(catalogue.start_us[members].min()))
    last = None if row.end is None else _time(int(catalogue.end_us[members].max()))
    return {
        "spatial": {"bbox": [_spatial_extent(index, members)]},
        "temporal": {"interval": [[first, last]]},
    }


def _representative(index: StacIndex, members: np.ndarray) -> Entry:
    """A metadata-only member (its assets follow the full real layout, and nothing is built to
    describe it), else the first."""
    for i in members:
        entry = index.entries[int(i)]
        if entry.__dict__.get("_payload") is None and not deliverable(entry):
            return entry
    return index.entries[int(members[0])]


def _time(us: int) -> str:
    from datetime import timedelta

    return fmt_time(EPOCH + timedelta(microseconds=us))


def _spatial_extent(index: StacIndex, members: np.ndarray) -> list[float]:
    bounds = index.catalogue.bounds[members]
    bounds = bounds[~np.isnan(bounds[:, 0])]
    if len(bounds) == 0:
        return [-180.0, -90.0, 180.0, 90.0]
    return [
        float(bounds[:, 0].min()),
        float(bounds[:, 1].min()),
        float(bounds[:, 2].max()),
        float(bounds[:, 3].max()),
    ]


def _distinct(rows: list[dict[str, Any]], name: str) -> list[Any]:
    values = {row[name] for row in rows if isinstance(row.get(name), str | int | float)}
    return sorted(values)


def _summaries(index: StacIndex, spec: CollectionSpec) -> dict[str, Any]:
    """Platforms and product types exactly (catalogue columns, else the table's); the other
    summaries from an even sample of the items, and the table's."""
    row = spec.row
    rows = index.sample(spec.id)
    platforms = index.platforms(spec.id)
    summaries: dict[str, Any] = {}
    if platforms:
        summaries["platform"] = platforms
    if spec.instruments:
        summaries["instruments"] = list(spec.instruments)
    if spec.processing_level:
        summaries["processing:level"] = [spec.processing_level]
    summaries["product:type"] = index.product_types(spec.id) or list(row.product_types)
    if row.constellation:
        summaries["constellation"] = [row.constellation]
    designators = [
        DESIGNATORS.get(p) or MORE_DESIGNATORS[p]
        for p in platforms
        if p in DESIGNATORS or p in MORE_DESIGNATORS
    ]
    if designators:
        summaries["sat:platform_international_designator"] = designators
    if spec.gsd:
        summaries["gsd"] = [spec.gsd]
    if spec.timeliness:
        summaries["product:timeliness"] = [spec.timeliness]
    for name in ("product:timeliness_category", "sat:orbit_state", "processing:version"):
        values = _distinct(rows, name)
        if values:
            summaries[name] = values
    if spec.family == "s1" and rows:
        summaries |= {
            "sar:polarizations": ["VV", "VH", "HH", "HV"],
            "sar:frequency_band": ["C"],
            "sar:instrument_mode": _distinct(rows, "sar:instrument_mode"),
            "sar:center_frequency": [5.405],
            "sar:observation_direction": ["right"],
        }
    return summaries
