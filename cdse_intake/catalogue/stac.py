"""STAC search through pystac-client: a Query becomes CQL2-JSON searches of CDSE's STAC catalogue.

Pages are fetched as :mod:`.windowed` explains (windows of the sort field, concurrently), each
one a pystac-client search in a worker thread. CDSE's STAC rate limiter answers ``429`` (``WAF``);
pystac-client's urllib3 retry honours its ``Retry-After`` with exponential backoff.

Query fields map to STAC properties (cdse-api.md §4): cloud -> ``eo:cloud_cover``, tile ->
``grid:code`` (``MGRS-31UFT``), orbits -> ``sat:absolute_orbit`` / ``sat:relative_orbit``,
direction -> ``sat:orbit_state``, platform -> ``platform`` (``sentinel-2a``), product types ->
``product:type``, processing baseline -> ``processing:version``; timeliness is part of the
collection id. STAC has no name or online fields: name filters are applied to the results here,
and ``online=False`` is refused (STAC lists no archived products).
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from typing import Any

from ..errors import QueryError
from ..product import Product
from ..query import SORT_FIELDS, Query
from .records import product_from_stac
from .windowed import ONE_US, PAGE_SIZE, Window, WindowedSearch

__all__ = ["StacBackend", "build_cql2"]

#: OData attribute names -> STAC properties, for ``attributes=`` filters.
ATTRIBUTE_PROPERTIES = {
    "cloudCover": "eo:cloud_cover",
    "orbitNumber": "sat:absolute_orbit",
    "relativeOrbitNumber": "sat:relative_orbit",
    "orbitDirection": "sat:orbit_state",
    "productType": "product:type",
    "processingBaseline": "processing:version",
    "processorVersion": "processing:version",
    "platformShortName": "constellation",
}

#: Collections whose STAC pages are capped lower than 1000 (FORUM-LIMIT, cdse-api.md §4).
PAGE_CAPS = {"sentinel-2-l2a": 200}

_OPS = {"eq": "=", "ne": "<>", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def _timestamp(value: datetime) -> dict[str, str]:
    v = value.astimezone(UTC)
    return {"timestamp": v.strftime("%Y-%m-%dT%H:%M:%S.") + f"{v.microsecond:06d}Z"}


def _cmp(op: str, prop: str, value: Any) -> dict[str, Any]:
    if isinstance(value, datetime):
        value = _timestamp(value)
    return {"op": op, "args": [{"property": prop}, value]}


def _any(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    return clauses[0] if len(clauses) == 1 else {"op": "or", "args": clauses}


def _platform(query: Query) -> str | None:
    if query.platform is None:
        return None
    if query.platform == "5P":
        return "sentinel-5p"
    mission = (query.collection or "").lower()
    if not mission.startswith("sentinel-"):
        raise QueryError(
            f"platform={query.platform!r}: give the collection too for a STAC search "
            "(the STAC platform is e.g. 'sentinel-2a')"
        )
    return f"{mission.split('-')[0]}-{mission.split('-')[1]}{query.platform.lower()}"


def build_cql2(query: Query) -> list[dict[str, Any]]:
    """The CQL2-JSON clauses (to be and-ed) that express ``query`` on CDSE's STAC properties."""
    clauses: list[dict[str, Any]] = []
    if query.product_types:
        clauses.append(_any([_cmp("=", "product:type", t) for t in query.product_types]))
    if query.start is not None:
        clauses.append(_cmp(">=", "datetime", query.start))
    if query.end is not None:
        clauses.append(_cmp("<", "datetime", query.end))
    if query.cloud is not None:
        low, high = query.cloud
        if low > 0:
            clauses.append(_cmp(">=", "eo:cloud_cover", low))
        clauses.append(_cmp("<=", "eo:cloud_cover", high))
    simple: list[tuple[str, Any]] = [
        ("grid:code", f"MGRS-{query.tile}" if query.tile else None),
        ("sat:absolute_orbit", query.orbit),
        ("sat:relative_orbit", query.relative_orbit),
        ("sat:orbit_state", query.orbit_direction.lower() if query.orbit_direction else None),
        ("platform", _platform(query)),
        ("processing:version", query.processing_baseline),
        ("processing:level", query.processing_level),
    ]
    clauses += [_cmp("=", prop, value) for prop, value in simple if value is not None]
    for att in query.attributes:
        prop = ATTRIBUTE_PROPERTIES.get(att.name, att.name)
        value = att.value
        if prop == "sat:orbit_state" and isinstance(value, str):
            value = value.lower()
        clauses.append(_cmp(_OPS[att.op], prop, value))
    return clauses


class StacBackend(WindowedSearch):
    """Products matching a Query from CDSE's STAC catalogue, in the query's order."""

    name = "stac"

    def __init__(self, query: Query, **kwargs: Any) -> None:
        if query.online is False:
            raise QueryError(
                "online=False cannot be searched over STAC, which lists no archived products; "
                "use backend='odata'"
            )
        if query.collection and not query.stac_collections:
            raise QueryError(
                f"collection={query.collection!r} has no STAC collection known to cdse_intake; "
                "use backend='odata'"
            )
        wrs2 = [a.name for a in query.attributes if a.name in ("pathNumber", "rowNumber")]
        if wrs2:  # a Landsat path/row (tile=): CDSE's STAC has no Landsat scene collection
            raise QueryError(
                f"{' and '.join(wrs2)} (a Landsat WRS-2 path/row, tile=) cannot be searched over "
                "STAC: CDSE's Landsat collections are in OData only; use backend='odata'"
            )
        super().__init__(query, **kwargs)
        self.page_size = min(
            [PAGE_SIZE, *(PAGE_CAPS.get(c, PAGE_SIZE) for c in query.stac_collections)]
        )
        self._property = SORT_FIELDS[query.sort[0]][1]
        self._clauses = build_cql2(query)
        self.filters_locally = any(
            v is not None for v in (query.name_contains, query.name_startswith, query.name_endswith)
        )
        self._client: Any = None
        self._client_lock = threading.Lock()

    # -- the windowed search's hooks -------------------------------------------------------------
    def _service(self) -> str:
        return self.endpoints.stac

    def _accept(self, product: Product) -> bool:
        q = self.query
        name = product.name
        return (
            (q.name_contains is None or q.name_contains in name)
            and (q.name_startswith is None or name.startswith(q.name_startswith))
            and (q.name_endswith is None or name.endswith(q.name_endswith))
        )

    async def _fetch(
        self, window: Window, skip: int, top: int, desc: bool | None = None
    ) -> list[Product]:
        if skip:
            raise ValueError("STAC pages are fetched by window, not by offset")
        params = self._params(window, top, self._desc if desc is None else desc)
        items = await self._request(
            lambda: asyncio.to_thread(self._search, params, top), "STAC search", retries=0
        )
        return [product_from_stac(item) for item in items]

    async def _instant(self, instant: datetime, skip: int) -> list[Product]:
        """More than a page at one instant: follow the STAC next links through it."""
        params = self._params(Window(instant, instant + ONE_US), self.page_size, self._desc)
        items = await self._request(
            lambda: asyncio.to_thread(self._search, params, None), "STAC search", retries=0
        )
        return [product_from_stac(item) for item in items[skip:]]

    # -- pystac-client ---------------------------------------------------------------------------
    def _params(self, window: Window, top: int, desc: bool) -> dict[str, Any]:
        clauses = list(self._clauses)
        if window.low is not None:
            clauses.append(_cmp(">=", self._property, window.low))
        if window.high is not None:
            clauses.append(_cmp("<", self._property, window.high))
        direction = "desc" if desc else "asc"
        params: dict[str, Any] = {
            "method": "POST",
            "limit": min(top, self.page_size),
            "sortby": [
                {"field": f"properties.{self._property}", "direction": direction},
                {"field": "id", "direction": direction},
            ],
        }
        if self.query.stac_collections:
            params["collections"] = list(self.query.stac_collections)
        if self.query.geometry is not None:
            import shapely

            params["intersects"] = shapely.geometry.mapping(self.query.geometry)
        if clauses:
            params["filter"] = clauses[0] if len(clauses) == 1 else {"op": "and", "args": clauses}
            params["filter_lang"] = "cql2-json"
        return params

    def _open(self) -> Any:
        with self._client_lock:
            if self._client is None:
                from pystac_client import Client
                from urllib3.util.retry import Retry

                from .stac_io import bounded_stac_io

                retry = Retry(
                    total=self.settings.retries,
                    backoff_factor=0.5,
                    status_forcelist=(429, 500, 502, 503, 504),
                    allowed_methods=None,  # POST searches are safe to repeat
                    respect_retry_after_header=True,
                    raise_on_status=False,
                )
                # answers bounded after decompression, like every answer the client reads
                io = bounded_stac_io(max_retries=retry, timeout=self.settings.timeout)
                self._client = Client.open(self.endpoints.stac, stac_io=io)
            return self._client

    def _search(self, params: dict[str, Any], max_items: int | None) -> list[dict[str, Any]]:
        """One page (``max_items``) or every page (None) of a search; runs in a worker thread."""
        from pystac_client.exceptions import APIError

        from ..errors import CDSEError
        from ..net.http import error_from_response

        try:
            search = self._open().search(max_items=max_items, **params)
            return list(search.items_as_dicts())
        except APIError as err:
            if isinstance(err.__context__, CDSEError):  # refused by stac_io, wrapped as APIError
                raise err.__context__ from None
            status = getattr(err, "status_code", None) or 500
            raise error_from_response(status, _api_body(err), self.endpoints.stac) from err


def _api_body(err: Exception) -> Any:
    import json

    text = str(err)
    try:
        return json.loads(text)
    except ValueError:
        return {"message": text[:500]}
