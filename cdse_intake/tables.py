"""Products as a pandas table: the columns scientists ask for, whatever the backend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .product import Product

__all__ = ["products_frame"]

#: Table column -> (OData attribute, STAC property): the same fact under its two names.
ATTRIBUTE_COLUMNS = {
    "cloud_cover": ("cloudCover", "eo:cloud_cover"),
    "orbit": ("orbitNumber", "sat:absolute_orbit"),
    "relative_orbit": ("relativeOrbitNumber", "sat:relative_orbit"),
    "orbit_direction": ("orbitDirection", "sat:orbit_state"),
    "platform": ("platformSerialIdentifier", "platform"),
    "tile": ("tileId", "grid:code"),
    "processing_level": ("processingLevel", "processing:level"),
    "processing_baseline": ("processingBaseline", "processing:version"),
    "processor_version": ("processorVersion", "processing:version"),
    "processing_date": ("processingDate", "processing:datetime"),
    "timeliness": ("timeliness", "product:timeliness"),
}


def _attribute(product: Product, odata: str, stac: str) -> Any:
    attrs = product.attributes
    value = attrs.get(odata, attrs.get(stac))
    if stac == "grid:code" and isinstance(value, str):
        value = value.removeprefix("MGRS-")
    if stac == "sat:orbit_state" and isinstance(value, str):
        value = value.upper()
    return value


def products_frame(
    products: Sequence[Product],
    query_ids: Sequence[str],
    download_root: str,
    *,
    land_fraction: bool = False,
) -> Any:
    """One row per product: identity, times, size, checksums, attributes, href, geometry (and
    with ``land_fraction`` the share of the footprint on land, :attr:`Product.land_fraction`)."""
    import pandas as pd

    rows = []
    for product, query_id in zip(products, query_ids, strict=True):
        row: dict[str, Any] = {
            "id": product.id,
            "name": product.name,
            "collection": product.collection,
            "product_type": product.product_type,
            "start": product.start,
            "end": product.end,
            "size": product.size,
        }
        for column, (odata, stac) in ATTRIBUTE_COLUMNS.items():
            row[column] = _attribute(product, odata, stac)
        if land_fraction:
            row["land_fraction"] = product.land_fraction
        row.update(
            {
                "online": product.online,
                "md5": product.checksums.get("MD5"),
                "blake3": product.checksums.get("BLAKE3"),
                "s3_path": product.s3_path,
                "filename": product.s3_path.rsplit("/", 1)[-1] if product.s3_path else product.name,
                "href": f"{download_root}/Products({product.id})/$value",
                "published": product.published,
                "geometry": product.geometry,
            }
        )
        if query_id:
            row["query_id"] = query_id
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in ("start", "end", "published"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame
