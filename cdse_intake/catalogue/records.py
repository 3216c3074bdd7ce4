"""Turn catalogue records (OData entities, STAC items) into :class:`~cdse_intake.product.Product`.

Both give the same Product for the same product: id, name, times, footprint, size and checksums
agree. Real-service quirks handled here: 3- or 6-digit fractional seconds, ``+00:00`` or ``Z``
(format changes of 2024-09-02 and 2025-03-17), ``null`` footprints of AUX products, an empty
``Checksum`` list, STAC ids without the ``.SAFE`` suffix.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..errors import ServiceError
from ..product import Asset, Product

__all__ = [
    "decode_odata_fields",
    "parse_datetime",
    "product_from_odata",
    "product_from_stac",
    "record_error",
]


def parse_datetime(text: str | None) -> datetime | None:
    """A UTC datetime from CDSE's ISO strings (any fraction length, ``Z`` or offset)."""
    if not text:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def product_from_odata(record: dict[str, Any]) -> Product:
    """A Product from an OData ``Products`` entity (with or without ``$expand=Attributes``)."""
    try:
        content = record.get("ContentDate") or {}
        return Product(
            id=record["Id"],
            name=record["Name"],
            start=parse_datetime(content.get("Start")),
            end=parse_datetime(content.get("End")),
            **decode_odata_fields(record),
        )
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        raise record_error(record, err) from err


def decode_odata_fields(record: dict[str, Any]) -> dict[str, Any]:
    """Every Product field of an OData entity but ``id``, ``name``, ``start`` and ``end``
    (plain dicts where the Product holds mappings); :func:`record_error` for a malformed one."""
    try:
        # A plain loop: this runs for every attribute of every product (the client's hot path).
        attributes: dict[str, Any] = {}
        for att in record.get("Attributes") or ():
            value = att.get("Value")
            if value.__class__ is str and att.get("ValueType") == "DateTimeOffset":
                value = parse_datetime(value)
            attributes[att["Name"]] = value
        assets = {}
        for asset in record.get("Assets") or []:
            key = str(asset.get("Type", "asset")).lower()
            assets[key] = Asset(href=asset["DownloadLink"], roles=(key,), type="image/jpeg")
        s3 = record.get("S3Path")
        return {
            "collection": _collection_from_s3(s3),
            "product_type": attributes.get("productType"),
            "footprint": record.get("GeoFootprint"),
            "size": record.get("ContentLength"),
            "checksums": {c["Algorithm"]: c["Value"] for c in record.get("Checksum") or []},
            "s3_path": s3,
            "online": record.get("Online"),
            "attributes": attributes,
            "assets": assets,
            "published": parse_datetime(record.get("PublicationDate")),
            "modified": parse_datetime(record.get("ModificationDate")),
        }
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        raise record_error(record, err) from err


def record_error(record: Any, err: BaseException) -> ServiceError:
    """The error for an OData entity that cannot be read, with its first 200 characters."""
    if isinstance(err, ServiceError):
        return err
    return ServiceError(
        f"the catalogue returned a product record that cannot be read ({err!r}): "
        f"{str(record)[:200]}"
    )


#: First S3Path folder -> OData collection (the OData record has no Collection field: §1.2).
_S3_ROOTS = {
    "Sentinel-1": "SENTINEL-1",
    "Sentinel-1-RTC": "SENTINEL-1-RTC",
    "Sentinel-2": "SENTINEL-2",
    "Sentinel-3": "SENTINEL-3",
    "Sentinel-5P": "SENTINEL-5P",
    "Sentinel-6": "SENTINEL-6",
    "CLMS": "CLMS",
    "Landsat-5": "LANDSAT-5",
    "Landsat-7": "LANDSAT-7",
    "Landsat-8": "LANDSAT-8",
    "Envisat": "ENVISAT",
    "SMOS": "SMOS",
    "Global-Mosaics": "GLOBAL-MOSAICS",
}


def _collection_from_s3(s3_path: str | None) -> str | None:
    if not s3_path:
        return None
    parts = s3_path.strip("/").split("/")
    return _S3_ROOTS.get(parts[1]) if len(parts) > 1 and parts[0] == "eodata" else None


def _checksum_from_multihash(value: str | None) -> tuple[str, str] | None:
    """``d50110<md5>`` (multihash MD5) -> ("MD5", hex); other codes are not CDSE's zip checksums."""
    if value and value.startswith("d50110") and len(value) == 6 + 32:
        return "MD5", value[6:]
    return None


def _single_file_asset(assets: dict[str, Any]) -> dict[str, Any] | None:
    """For an item without a product asset (Sentinel-5P's single netCDF): the one data asset
    served from an OData product, with its size (the file is the product)."""
    found = []
    for asset in assets.values():
        https = ((asset.get("alternate") or {}).get("https") or {}).get("href") or ""
        href = https if _odata_id(https) else asset.get("href", "")
        if _odata_id(href) and "file:size" in asset and "data" in (asset.get("roles") or ()):
            found.append({**asset, "href": href})
    return found[0] if len(found) == 1 else None


def product_from_stac(item: dict[str, Any]) -> Product:
    """A Product from a STAC item of the CDSE catalogue (``pystac.Item.to_dict()`` form)."""
    try:
        props = item.get("properties") or {}
        assets: dict[str, Asset] = {}
        product_asset = None
        for key, asset in (item.get("assets") or {}).items():
            alternate = ((asset.get("alternate") or {}).get("https") or {}).get("href")
            assets[key] = Asset(
                href=asset["href"],
                type=asset.get("type"),
                roles=tuple(asset.get("roles") or ()),
                title=asset.get("title"),
                size=asset.get("file:size"),
                alternate_href=alternate,
            )
            # CDSE's generator keys the whole product "Product" for S2 and S1 GRD items and
            # "product" for S1 SLC and Sentinel-3 ones; Sentinel-5P items have none (below).
            if key in ("Product", "product"):
                product_asset = asset
        if product_asset is None:
            product_asset = _single_file_asset(item.get("assets") or {})
        checksums: dict[str, str] = {}
        product_id = None
        size = None
        if product_asset is not None:
            found = _checksum_from_multihash(product_asset.get("file:checksum"))
            if found:
                checksums[found[0]] = found[1]
            size = product_asset.get("file:size")
            product_id = _odata_id(product_asset["href"])
        if product_id is None:  # an EOPF Zarr item's ``product`` is its S3 store: the OData
            product_id = _odata_id_of_files(item.get("assets") or {})  # id is in file hrefs
        name = _stac_name(item)
        s3_path = _s3_path(item)
        start = parse_datetime(props.get("start_datetime") or props.get("datetime"))
        return Product(
            id=product_id or item["id"],
            name=name,
            collection=_collection_from_s3(s3_path),
            product_type=props.get("product:type"),
            start=start,
            end=parse_datetime(props.get("end_datetime")) or start,
            footprint=item.get("geometry"),
            size=size,
            checksums=checksums,
            s3_path=s3_path,
            online=None,
            attributes=dict(props),
            assets=assets,
            published=parse_datetime(props.get("published")),
            modified=parse_datetime(props.get("updated")),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise ServiceError(
            f"the STAC catalogue returned an item that cannot be read ({err!r}): {str(item)[:200]}"
        ) from err


def _odata_id(href: str) -> str | None:
    start = href.find("Products(")
    if start < 0:
        return None
    end = href.find(")", start)
    return href[start + len("Products(") : end] if end > 0 else None


def _odata_id_of_files(assets: dict[str, Any]) -> str | None:
    """The OData id in a file asset's https alternate (``.../Products(<id>)/Nodes(...)``)."""
    for asset in assets.values():
        https = ((asset or {}).get("alternate") or {}).get("https") or {}
        found = _odata_id(str(https.get("href") or ""))
        if found:
            return found
    return None


def _enclosure(item: dict[str, Any]) -> str | None:
    for link in item.get("links") or []:
        if link.get("rel") == "enclosure":
            return link.get("href")
    return None


def _s3_path(item: dict[str, Any]) -> str | None:
    """The product's S3Path: the ``enclosure`` link of folder products, else cut from an asset.

    Single-file products (S5P netCDF, GeoTIFFs) have no enclosure (it is typed
    ``application/x-directory``): their data asset's ``s3://`` href ends with the product name.
    """
    href = _enclosure(item)
    if href and href.startswith("s3://"):
        return "/" + href.removeprefix("s3://").rstrip("/")
    stem = item.get("id", "")
    for asset in (item.get("assets") or {}).values():
        href = asset.get("href", "")
        if not href.startswith("s3://") or not stem:
            continue
        parts = href.removeprefix("s3://").split("/")
        for i, part in enumerate(parts):
            if part.startswith(stem):
                return "/" + "/".join(parts[: i + 1])
    return None


def _stac_name(item: dict[str, Any]) -> str:
    """The OData name: the enclosure's last path part (``…/<Name>.SAFE/``) or the item id."""
    s3 = _s3_path(item)
    if s3:
        return s3.rsplit("/", 1)[-1]
    return item["id"]
