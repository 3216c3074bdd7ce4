"""A catalogue entry as a STAC Item, in the real service's shape and key order.

The live service (pgstac) answers items as ``id, bbox, type, links, assets, geometry,
collection, properties, stac_extensions, stac_version`` with jsonb key order inside
``properties`` and ``assets`` [verified NB-MIG]; links are stac-fastapi's ``collection, parent,
root, self`` followed by the stored ``version-history`` and ``enclosure`` links (EOMETA). Inside
an asset the live answers start with ``href`` (pgstac re-hydrates the stored asset over the
collection's ``item_assets``); the remaining keys are in jsonb order here, an approximation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from ..catalogue import Entry
from .assets import AssetBuilder, is_single_file
from .collections import CollectionSpec
from .common import STAC_VERSION, auth_schemes, storage_schemes
from .cube import s5p_cube
from .jsonb import jsonb_order
from .missions import layout_of, stac_extensions
from .properties import item_properties

if TYPE_CHECKING:
    from ..server import ServiceURLs

__all__ = ["ItemFactory", "footprint_bbox"]

#: The CDSE traceability service (not emulated; the link is informative only).
TRACE_URL = "https://trace.dataspace.copernicus.eu/api/v1/traces/name/"


def footprint_bbox(geometry: dict[str, Any]) -> list[float]:
    """``[west, south, east, north]`` of a GeoJSON Polygon/MultiPolygon.

    A footprint split at the antimeridian (parts touching +180 and -180) gets a bbox whose west
    edge is greater than its east edge, as the STAC spec wants for such items.
    """
    polygons = (
        [geometry["coordinates"]]
        if geometry["type"] == "Polygon"
        else list(geometry["coordinates"])
    )
    boxes = []
    for polygon in polygons:
        xs = [p[0] for p in polygon[0]]
        ys = [p[1] for p in polygon[0]]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    south = min(b[1] for b in boxes)
    north = max(b[3] for b in boxes)
    east_parts = [b for b in boxes if b[2] >= 180.0]
    west_parts = [b for b in boxes if b[0] <= -180.0]
    if east_parts and west_parts and len(boxes) > 1:
        return [min(b[0] for b in east_parts), south, max(b[2] for b in west_parts), north]
    return [min(b[0] for b in boxes), south, max(b[2] for b in boxes), north]


class ItemFactory:
    """Turns entries into item dicts for one emulator's URLs."""

    def __init__(self, urls: ServiceURLs) -> None:
        self.urls = urls
        self.shared = {
            "auth:schemes": auth_schemes(urls.identity),
            "storage:schemes": storage_schemes(urls.s3),
        }
        self.asset_builder = AssetBuilder(urls)

    def properties(self, entry: Entry, spec: CollectionSpec) -> dict[str, Any]:
        """The raw (unordered) properties, also what filters and sorting look at."""
        return item_properties(entry, spec, self.shared)

    def item(self, entry: Entry, spec: CollectionSpec) -> dict[str, Any]:
        """The full item, as ``/collections/{id}/items/{itemId}`` answers it."""
        return self._item(entry, spec, serialised=False)

    def item_json(self, entry: Entry, spec: CollectionSpec) -> bytes:
        """:meth:`item` serialised (faster: file assets go from templates to bytes directly)."""
        return orjson.dumps(self._item(entry, spec, serialised=True))

    def _item(self, entry: Entry, spec: CollectionSpec, serialised: bool) -> dict[str, Any]:
        item_id = entry.stem
        layout = layout_of(entry, spec.family)
        coll_url = f"{self.urls.stac}/collections/{spec.id}"
        trace = f"{entry.name}.zip" if layout.zipped_trace else entry.name
        links: list[dict[str, Any]] = [
            {"rel": "collection", "type": "application/json", "href": coll_url},
            {"rel": "parent", "type": "application/json", "href": coll_url},
            {"rel": "root", "type": "application/json", "href": f"{self.urls.stac}/"},
            {
                "rel": "self",
                "type": "application/geo+json",
                "href": f"{coll_url}/items/{item_id}",
            },
            {
                "rel": "version-history",
                "href": f"{TRACE_URL}{trace}",
                "type": "application/json",
                "title": "Product history record from the CDSE traceability service",
            },
        ]
        if layout.enclosure and not is_single_file(entry):
            links.append(
                {
                    "rel": "enclosure",
                    "href": f"s3://eodata/{entry.s3_key}/",
                    "type": "application/x-directory",
                    "title": "S3 path to source directory",
                    "auth:refs": ["s3"],
                    "storage:refs": ["cdse-s3", "creodias-s3"],
                }
            )
        properties = self.properties(entry, spec)
        extensions = layout.extensions
        if spec.family == "s5p":  # the datacube fields come from the file itself
            cube = s5p_cube(entry)
            properties.update(cube)
            if not cube:
                extensions = tuple(e for e in extensions if e != "datacube")
        geometry = entry.footprint
        return {
            "id": item_id,
            "bbox": footprint_bbox(geometry) if geometry else None,
            "type": "Feature",
            "links": links,
            "assets": self.asset_builder.assets(entry, spec.family, serialised),
            "geometry": geometry,
            "collection": spec.id,
            "properties": jsonb_order(properties),
            "stac_extensions": stac_extensions(extensions),
            "stac_version": STAC_VERSION,
        }

    def item_assets(self, entry: Entry, spec: CollectionSpec) -> dict[str, Any]:
        """A collection's ``item_assets``: a representative item's assets without the
        per-product fields (hrefs, sizes, checksums, local paths)."""
        out = {}
        for key, asset in self.asset_builder.assets(entry, spec.family).items():
            template = {k: v for k, v in asset.items() if k != "href" and not k.startswith("file:")}
            alternates = template.get("alternate")
            if alternates:
                template["alternate"] = {
                    name: {k: v for k, v in alt.items() if k != "href"}
                    for name, alt in alternates.items()
                }
            out[key] = template
        return jsonb_order(out)
