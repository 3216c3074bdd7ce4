"""A :class:`~cdse_intake.query.Query` as M2M ``scene-search`` calls, scenes as Products.

The dataset follows from the query's collection and product type (``LANDSAT-8``/``-9``:
``landsat_ot_c2_l1`` for ``L1TP``/``L1GT``, ``landsat_ot_c2_l2`` for ``L2SP``; ``LANDSAT-7``:
``landsat_etm_c2_*``; ``LANDSAT-4``/``-5``: ``landsat_tm_c2_*``) or is given (``dataset=``).
The filters: ``spatialFilter`` (``mbr``, the area's bounds; footprints are then checked against
the area itself), ``acquisitionFilter`` (dates; exact times checked here), ``cloudCoverFilter``
and, for the WRS path and row (``path=``/``row=``, or the attributes ``wrsPath``/``wrsRow``/
``pathNumber``/``rowNumber`` as CDSE names them), a ``metadataFilter`` whose filter ids are
looked up with ``dataset-filters`` (they differ per dataset). Pages of ``maxResults`` follow
``nextRecord`` until ``totalHits``; a page that does not advance ends the search with an error.

A scene becomes a :class:`~cdse_intake.product.Product` named by its ``displayId`` (the
Landsat product id, as CDSE names the same product), id ``usgs:<dataset>:<entityId>``,
attributes ``usgsDataset``, ``entityId``, ``cloudCover``, ``wrsPath``/``wrsRow``.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from ..errors import QueryError, ServiceError
from ..product import Product
from ..query import Query
from .api import M2M

__all__ = ["DATASETS", "PAGE_SIZE", "dataset_for", "is_usgs", "scene_filter", "search_async"]

PAGE_SIZE = 100
MAX_PAGES = 10_000
#: The Collection 2 datasets, by (mission group, level).
DATASETS = {
    "landsat_ot_c2_l1": ({"LANDSAT-8", "LANDSAT-9"}, {"L1TP", "L1GT"}),
    "landsat_ot_c2_l2": ({"LANDSAT-8", "LANDSAT-9"}, {"L2SP", "L2SR"}),
    "landsat_etm_c2_l1": ({"LANDSAT-7"}, {"L1TP", "L1GT"}),
    "landsat_etm_c2_l2": ({"LANDSAT-7"}, {"L2SP", "L2SR"}),
    "landsat_tm_c2_l1": ({"LANDSAT-4", "LANDSAT-5"}, {"L1TP", "L1GT"}),
    "landsat_tm_c2_l2": ({"LANDSAT-4", "LANDSAT-5"}, {"L2SP", "L2SR"}),
}
_PATH = ("wrsPath", "pathNumber")
_ROW = ("wrsRow", "rowNumber")
_UNSUPPORTED = (
    "tile", "orbit", "relative_orbit", "orbit_direction", "platform", "processing_baseline",
    "timeliness", "online", "min_sea_percent", "min_land_percent",
)  # fmt: skip


def is_usgs(product: Any) -> bool:
    """Whether ``product`` was found through USGS (and is downloaded from there)."""
    return isinstance(product, Product) and bool(product.attributes.get("usgsDataset"))


def dataset_for(query: Query, dataset: str | None = None) -> list[str]:
    """The datasets to search: ``dataset`` (checked), else those of the query's collection."""
    if dataset is not None:
        if not isinstance(dataset, str) or dataset.lower() not in DATASETS:
            raise QueryError(
                f"dataset={dataset!r} is not a USGS Landsat Collection 2 dataset; expected one "
                f"of {', '.join(DATASETS)}"
            )
        return [dataset.lower()]
    if not query.collection or not query.collection.startswith("LANDSAT-"):
        raise QueryError(
            f"collection={query.collection!r}: USGS serves Landsat; expected LANDSAT-5, "
            "LANDSAT-7, LANDSAT-8 or LANDSAT-9 (or dataset='landsat_ot_c2_l2', ...)"
        )
    levels = set(query.product_types) or {"L1TP", "L1GT", "L2SP", "L2SR"}
    found = [
        name
        for name, (missions, kinds) in DATASETS.items()
        if query.collection in missions and levels & kinds
    ]
    if not found:
        raise QueryError(
            f"product_type={query.product_type!r} of {query.collection} is in no USGS dataset; "
            "expected L1TP, L1GT or L2SP"
        )
    return found


def _wrs(query: Query, path: Any, row: Any) -> dict[str, int]:
    wanted: dict[str, Any] = {"WRS Path": path, "WRS Row": row}
    for flt in query.attributes:
        label = "WRS Path" if flt.name in _PATH else "WRS Row" if flt.name in _ROW else None
        if label is None or flt.op != "eq":
            raise QueryError(
                f"attributes[{flt.name!r}] ({flt.op}): a USGS search filters on the WRS path and "
                "row only (wrsPath/wrsRow or pathNumber/rowNumber, equal to a number)"
            )
        wanted[label] = flt.value
    out = {}
    for label, value in wanted.items():
        if value is None:
            continue
        text = str(value).strip()
        if isinstance(value, bool) or not text.isdigit() or not 1 <= int(text) <= 251:
            name = "path" if label == "WRS Path" else "row"
            raise QueryError(f"{name}={value!r} is not a WRS-2 {name}; expected a number 1-251")
        out[label] = int(text)
    return out


def scene_filter(query: Query, filter_ids: dict[str, str], wrs: dict[str, int]) -> dict[str, Any]:
    """The ``sceneFilter`` of ``query`` (``filter_ids``: ``dataset-filters`` id by label)."""
    out: dict[str, Any] = {}
    if query.geometry is not None:
        w, s, e, n = query.geometry.bounds
        out["spatialFilter"] = {
            "filterType": "mbr",
            "lowerLeft": {"latitude": s, "longitude": w},
            "upperRight": {"latitude": n, "longitude": e},
        }
    if query.start is not None or query.end is not None:
        start = query.start or datetime(1972, 1, 1, tzinfo=UTC)
        end = (query.end - timedelta(microseconds=1)) if query.end else datetime.now(UTC)
        out["acquisitionFilter"] = {
            "start": start.date().isoformat(),
            "end": end.date().isoformat(),
        }
    if query.cloud is not None:
        low, high = query.cloud
        out["cloudCoverFilter"] = {
            "min": math.floor(low), "max": math.ceil(high), "includeUnknown": False
        }  # fmt: skip
    if wrs:
        children = []
        for label, value in wrs.items():
            if label not in filter_ids:
                raise ServiceError(f"USGS dataset-filters lists no {label!r} filter")
            children.append(
                {"filterType": "value", "filterId": filter_ids[label], "value": str(value),
                 "operand": "="}
            )  # fmt: skip
        out["metadataFilter"] = {"filterType": "and", "childFilters": children}
    return out


def _time(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace(" ", "T").replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def to_product(scene: dict[str, Any], dataset: str) -> Product | None:
    """A scene of ``scene-search`` as a Product (None for one without ids)."""
    entity, name = scene.get("entityId"), scene.get("displayId")
    if not isinstance(entity, str) or not isinstance(name, str) or len(name) < 10:
        return None
    attributes: dict[str, Any] = {"usgsDataset": dataset, "entityId": entity, "sceneId": entity}
    for field in scene.get("metadata") or []:
        if isinstance(field, dict) and isinstance(field.get("fieldName"), str):
            attributes[field["fieldName"]] = field.get("value")
    for label, keys in (("WRS Path", _PATH), ("WRS Row", _ROW)):
        value = str(attributes.get(label, "")).strip()
        if value.isdigit():
            attributes[keys[0]], attributes[keys[1]] = f"{int(value):03d}", int(value)
    cloud = _number(scene.get("cloudCover"))
    if cloud is not None and cloud >= 0:  # USGS: -1 for unknown
        attributes["cloudCover"] = cloud
    times = scene.get("temporalCoverage") or {}
    footprint = scene.get("spatialCoverage")
    parts = name.split("_")
    return Product(
        id=f"usgs:{dataset}:{entity}",
        name=name,
        collection=f"LANDSAT-{int(name[2:4])}" if name[2:4].isdigit() else None,
        product_type=parts[1] if len(parts) > 1 else None,
        start=_time(times.get("startDate")),
        end=_time(times.get("endDate")),
        footprint=footprint if isinstance(footprint, dict) else None,
        online=True,
        attributes=attributes,
        published=_time(scene.get("publishDate")),
    )


def _keep(product: Product, query: Query) -> bool:
    """The exact checks the coarse USGS filters leave: mission, level, time, area, cloud."""
    if query.collection and product.collection != query.collection:
        return False
    if query.product_types and product.product_type not in query.product_types:
        return False
    if product.start is not None and (
        (query.start and product.start < query.start) or (query.end and product.start >= query.end)
    ):
        return False
    cloud = product.attributes.get("cloudCover")
    if query.cloud is not None and not (
        isinstance(cloud, float) and query.cloud[0] <= cloud <= query.cloud[1]
    ):
        return False
    for attr, test in (("name_contains", str.__contains__), ("name_startswith", str.startswith),
                       ("name_endswith", str.endswith)):  # fmt: skip
        wanted = getattr(query, attr)
        if wanted and not test(product.name, wanted):
            return False
    if query.geometry is not None and product.footprint:
        import shapely.geometry

        return bool(shapely.geometry.shape(product.footprint).intersects(query.geometry))
    return True


def check_supported(query: Query) -> None:
    """QueryError for the query fields USGS cannot filter on."""
    given = [name for name in _UNSUPPORTED if getattr(query, name) is not None]
    if given:
        raise QueryError(
            f"{', '.join(given)}: not supported by the USGS backend, which filters on "
            "collection, product_type, area, start/end, cloud, WRS path/row and the name"
        )


async def search_async(
    m2m: M2M,
    query: Query,
    *,
    dataset: str | None = None,
    path: Any = None,
    row: Any = None,
    page_size: int = PAGE_SIZE,
) -> list[Product]:
    """Every scene matching ``query`` in its datasets, sorted as the query asks."""
    check_supported(query)
    datasets = dataset_for(query, dataset)
    wrs = _wrs(query, path, row)
    found: dict[str, Product] = {}
    for name in datasets:
        ids: dict[str, str] = {}
        if wrs:
            filters = await m2m.call("dataset-filters", {"datasetName": name})
            for item in filters if isinstance(filters, list) else []:
                if isinstance(item, dict) and isinstance(item.get("fieldLabel"), str):
                    ids[item["fieldLabel"].strip()] = str(item.get("id"))
        payload = {"datasetName": name, "sceneFilter": scene_filter(query, ids, wrs),
                   "maxResults": page_size, "metadataType": "summary"}  # fmt: skip
        first = 1
        for _ in range(MAX_PAGES):
            page = await m2m.call("scene-search", {**payload, "startingNumber": first})
            if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                raise ServiceError(f"USGS scene-search of {name} answered no result list")
            for scene in page["results"]:
                product = to_product(scene, name) if isinstance(scene, dict) else None
                if product is not None and _keep(product, query):
                    found.setdefault(product.id, product)
            total, nxt = page.get("totalHits"), page.get("nextRecord")
            returned = len(page["results"])
            if not returned or not isinstance(total, int) or first - 1 + returned >= total:
                break
            if not isinstance(nxt, int) or nxt <= first:
                raise ServiceError(f"USGS scene-search of {name}: page at {first} does not advance")
            first = nxt
    key, direction = query.sort
    far = datetime.min.replace(tzinfo=UTC)
    products = sorted(found.values(), key=lambda p: (getattr(p, key, None) or far, p.name),
                      reverse=direction == "desc")  # fmt: skip
    return products[: query.limit] if query.limit else products
