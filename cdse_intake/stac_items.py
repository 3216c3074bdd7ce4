"""Products as STAC items, for odc-stac, stackstac and other STAC tools.

:func:`product_item` makes a plain STAC Item dict from a :class:`~cdse_intake.product.Product`,
whichever catalogue found it; :func:`item_collection` wraps them in a ``pystac.ItemCollection``
(pystac imported on first use). Item ids follow CDSE's STAC catalogue: the product name without
its folder suffix (``.SAFE``, ``.SEN3``, ``.SEN6``, ``.zarr``; :attr:`Product.stem`), so an item
made from an OData search has the id CDSE's STAC gives the same product. OData attributes become
STAC extension fields where the mapping is plain (``cloudCover`` -> ``eo:cloud_cover``, ...);
the others keep their OData names. Every item gets a ``product`` asset: the whole product from
the download service (``<download>/Products(<id>)/$value``, a zip for folder products), with its
size and checksums, and its S3 path as the ``s3`` alternate. No credential is ever written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from .product import Product

__all__ = ["item_collection", "multihash", "product_item", "stac_collection_id"]

STAC_VERSION = "1.1.0"

_EXT = "https://stac-extensions.github.io"
#: Field prefix -> extension schema (the versions CDSE's STAC items declare).
EXTENSIONS = {
    "alternate": f"{_EXT}/alternate-assets/v1.2.0/schema.json",
    "auth": f"{_EXT}/authentication/v1.1.0/schema.json",
    "eo": f"{_EXT}/eo/v2.0.0/schema.json",
    "eopf": "https://cs-si.github.io/eopf-stac-extension/v1.2.0/schema.json",
    "file": f"{_EXT}/file/v2.1.0/schema.json",
    "grid": f"{_EXT}/grid/v1.1.0/schema.json",
    "processing": f"{_EXT}/processing/v1.2.0/schema.json",
    "product": f"{_EXT}/product/v1.0.0/schema.json",
    "proj": f"{_EXT}/projection/v2.0.0/schema.json",
    "sar": f"{_EXT}/sar/v1.3.0/schema.json",
    "sat": f"{_EXT}/sat/v1.1.0/schema.json",
    "storage": f"{_EXT}/storage/v2.0.0/schema.json",
    "view": f"{_EXT}/view/v1.1.0/schema.json",
}

#: OData attribute -> STAC field, value copied as is.
_PLAIN = {
    "cloudCover": "eo:cloud_cover",
    "orbitNumber": "sat:absolute_orbit",
    "relativeOrbitNumber": "sat:relative_orbit",
    "productType": "product:type",
    "processingBaseline": "processing:version",
}

#: Multihash function codes (https://github.com/multiformats/multicodec) of CDSE's algorithms.
_MULTIHASH = {"MD5": "d501", "SHA256": "12", "SHA3-256": "16", "BLAKE3": "1e"}

#: Product properties set from the record's own fields, never copied from its attributes.
_OWN = {"datetime", "start_datetime", "end_datetime"}


def multihash(algorithm: str, hex_digest: str) -> str | None:
    """``file:checksum`` form of a digest (``d50110<md5>``); None for an unknown algorithm."""
    code = _MULTIHASH.get(algorithm.upper())
    if code is None or not hex_digest:
        return None
    return f"{code}{len(hex_digest) // 2:02x}{hex_digest.lower()}"


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    v = value.astimezone(UTC)
    return v.strftime("%Y-%m-%dT%H:%M:%S.") + f"{v.microsecond:06d}Z"


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def _bbox(geometry: Mapping[str, Any] | None) -> list[float] | None:
    """``[west, south, east, north]``; an antimeridian-split MultiPolygon gets west > east."""
    if not geometry:
        return None
    kind = geometry.get("type")
    if kind in ("Polygon", "MultiPolygon"):
        polygons = [geometry["coordinates"]] if kind == "Polygon" else list(geometry["coordinates"])
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
    points: list[Any] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], int | float):
            points.append(coords)
        else:
            for c in coords or ():
                walk(c)

    walk(geometry.get("coordinates"))
    for part in geometry.get("geometries") or ():
        walk(part.get("coordinates"))
    if not points:
        return None
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return [min(xs), min(ys), max(xs), max(ys)]


def stac_collection_id(product: Product, candidates: Iterable[str] = ()) -> str | None:
    """The STAC collection holding ``product``: the one STAC collection of its OData collection
    and product type (told apart by timeliness in the name, CLMS by dataset and format), among
    ``candidates`` when given (the query's STAC ids); None when not known for sure."""
    from .collections import STAC_COLLECTIONS, in_stac_collection, shares_product_type

    if product.collection is None:
        return None
    product_type = product.product_type or product.attributes.get("productType")
    wanted = set(candidates)
    found = []
    for info in STAC_COLLECTIONS.values():
        if info.odata != product.collection or (wanted and info.id not in wanted):
            continue
        if info.product_types and product_type not in info.product_types:
            continue
        if info.timeliness and info.timeliness not in product.name.split("_"):
            continue
        if shares_product_type(info.id) and not in_stac_collection(
            info.id, product.name, product.s3_path
        ):
            continue
        found.append(info.id)
    return found[0] if len(found) == 1 else None


def _odata_properties(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """STAC fields from OData attributes (the obvious ones); the others under their names."""
    props: dict[str, Any] = {}
    rest = dict(attributes)
    for name, field in _PLAIN.items():
        if name in rest:
            props[field] = rest.pop(name)
    if "processorVersion" in rest:
        props.setdefault("processing:version", rest.pop("processorVersion"))
    if isinstance(rest.get("orbitDirection"), str):
        props["sat:orbit_state"] = rest.pop("orbitDirection").lower()
    short = rest.pop("platformShortName", None)
    serial = rest.pop("platformSerialIdentifier", None)
    if isinstance(short, str):
        props["constellation"] = short.lower()
        props["platform"] = f"{short}{serial}".lower() if isinstance(serial, str) else short.lower()
    instrument = rest.pop("instrumentShortName", None)
    if isinstance(instrument, str):
        props["instruments"] = [instrument.lower()]
    tile = rest.get("tileId")
    if isinstance(tile, str) and tile:
        props["grid:code"] = f"MGRS-{tile}"
    for name, value in rest.items():
        props.setdefault(name, value)
    return props


def _is_stac_record(product: Product) -> bool:
    return any(":" in key for key in product.attributes) or "datetime" in product.attributes


def _product_href(product: Product, download_root: str) -> str:
    return f"{download_root.rstrip('/')}/Products({product.id})/$value"


def _product_type(product: Product) -> str:
    from .product import is_single_file_name

    if not is_single_file_name(product.name):
        return "application/zip"
    lower = product.name.lower()
    for ending, media in (
        ((".nc", ".nc4"), "application/x-netcdf"),
        ((".tif", ".tiff"), "image/tiff; application=geotiff"),
        ((".zip",), "application/zip"),
        ((".json",), "application/json"),
        ((".jp2",), "image/jp2"),
    ):
        if lower.endswith(ending):
            return media
    return "application/octet-stream"


def _checksums(product: Product) -> dict[str, Any]:
    out: dict[str, Any] = {}
    hashes = [multihash(alg, value) for alg, value in product.checksums.items()]
    known = [h for h in hashes if h]
    md5 = multihash("MD5", product.checksums["MD5"]) if product.checksums.get("MD5") else None
    if md5 or known:
        out["file:checksum"] = md5 or known[0]
    if product.checksums:
        out["cdse:checksums"] = dict(product.checksums)
    return out


def product_item(
    product: Product,
    download_root: str | None = None,
    stac_root: str | None = None,
    stac_collections: Iterable[str] = (),
) -> dict[str, Any]:
    """A STAC Item dict for ``product`` (see the module's notes). ``download_root`` is the
    download service (``Endpoints.download``) for the ``product`` asset; without it, no such
    asset unless the product has one. ``stac_root`` (``Endpoints.stac``) gives the item its
    ``collection`` (with the ``collection`` and ``self`` links the STAC spec then asks for),
    when :func:`stac_collection_id` knows it. ``stac_collections``: the query's STAC ids."""
    start, end = product.start, product.end or product.start
    if _is_stac_record(product):
        props = {k: v for k, v in product.attributes.items() if k not in _OWN}
    else:
        props = _odata_properties(product.attributes)
    props = {k: _json_value(v) for k, v in props.items()}
    own = product.attributes if _is_stac_record(product) else {}
    props["datetime"] = own.get("datetime") or _iso(start)
    if start is not None:
        props["start_datetime"] = own.get("start_datetime") or _iso(start)
        props["end_datetime"] = own.get("end_datetime") or _iso(end)
    if product.published is not None:
        props.setdefault("published", _iso(product.published))
    if product.modified is not None:
        props.setdefault("updated", _iso(product.modified))
    if product.product_type:
        props.setdefault("product:type", product.product_type)

    assets: dict[str, dict[str, Any]] = {}
    for key, asset in product.assets.items():
        out: dict[str, Any] = {"href": asset.href}
        if asset.type:
            out["type"] = asset.type
        if asset.title:
            out["title"] = asset.title
        if asset.roles:
            out["roles"] = list(asset.roles)
        if asset.size is not None:
            out["file:size"] = asset.size
        if asset.alternate_href:
            out["alternate"] = {"https": {"href": asset.alternate_href}}
        assets[key] = out

    href = _product_href(product, download_root) if download_root else None
    whole = next(
        (
            key
            for key, a in assets.items()
            if key in ("Product", "product") or (href and a["href"] == href)
        ),
        None,
    )
    if whole is not None:  # the catalogue's own product asset: completed, not duplicated
        for field, value in _checksums(product).items():
            assets[whole].setdefault(field, value)
        if product.size is not None:
            assets[whole].setdefault("file:size", product.size)
    elif href:
        media = _product_type(product)
        zipped = media == "application/zip" and not product.name.lower().endswith(".zip")
        asset_out: dict[str, Any] = {
            "href": href,
            "type": media,
            "title": "Product (zip)" if zipped else "Product",
            "roles": ["data", "archive"] if zipped else ["data"],
        }
        if product.size is not None:
            asset_out["file:size"] = product.size
        asset_out.update(_checksums(product))
        if product.s3_path:
            s3 = {"href": "s3:/" + product.s3_path}
            if zipped:  # the folder itself: its files, not the zip
                s3 = {"href": s3["href"] + "/", "title": "the product's folder (not zipped)"}
            asset_out["alternate"] = {"s3": s3}
        assets["product"] = asset_out

    collection = stac_collection_id(product, stac_collections) if stac_root else None
    links: list[dict[str, Any]] = []
    if collection is not None and stac_root:
        url = f"{stac_root.rstrip('/')}/collections/{collection}"
        links = [
            {"rel": "collection", "type": "application/json", "href": url},
            {"rel": "parent", "type": "application/json", "href": url},
            {"rel": "root", "type": "application/json", "href": f"{stac_root.rstrip('/')}/"},
            {
                "rel": "self",
                "type": "application/geo+json",
                "href": f"{url}/items/{product.stem}",
            },
        ]
    item: dict[str, Any] = {
        "type": "Feature",
        "stac_version": STAC_VERSION,
        "stac_extensions": _extensions(props, assets),
        "id": product.stem,
        "geometry": dict(product.footprint) if product.footprint else None,
        "bbox": _bbox(product.footprint),
        "properties": props,
        "links": links,
        "assets": assets,
    }
    if item["bbox"] is None:
        del item["bbox"]
    if collection is not None:
        item["collection"] = collection
    return item


def _extensions(props: Mapping[str, Any], assets: Mapping[str, Mapping[str, Any]]) -> list[str]:
    prefixes = {k.split(":", 1)[0] for k in props if ":" in k}
    for asset in assets.values():
        prefixes.update(k.split(":", 1)[0] for k in asset if ":" in k)
        if "alternate" in asset:
            prefixes.add("alternate")
    return sorted(EXTENSIONS[p] for p in prefixes if p in EXTENSIONS)


def item_collection(
    products: Iterable[Product],
    download_root: str | None = None,
    stac_root: str | None = None,
    query_collection: str | None = None,
) -> Any:
    """A ``pystac.ItemCollection`` of :func:`product_item` items (needs pystac);
    ``query_collection``: the collection the search named (OData name or STAC id)."""
    try:
        import pystac
    except ImportError as err:
        raise ImportError("to_pystac() needs pystac: pip install pystac") from err
    ids: tuple[str, ...] = ()
    if query_collection:
        from .collections import resolve_collection
        from .errors import QueryError

        try:
            ids = resolve_collection(query_collection).stac_ids
        except QueryError:
            ids = ()
    features = [product_item(p, download_root, stac_root, ids) for p in products]
    return pystac.ItemCollection.from_dict(
        {"type": "FeatureCollection", "features": features}, preserve_dict=False
    )
