"""OData search: a Query becomes ``GET /Products`` pages (split as :mod:`.windowed` explains)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..collections import in_stac_collection, shares_product_type
from ..errors import ServiceError
from ..net.http import get_json, paused_gc
from ..product import Product
from ..query import Query
from .odata_filter import build_filter, literal
from .odata_product import products_from_odata
from .windowed import ONE_US, PAGE_SIZE, Window, WindowedSearch

MAX_SKIP = 10_000  # CDSE's maximum $skip (cdse-api.md §1.4)

__all__ = ["ODataBackend"]


class ODataBackend(WindowedSearch):
    """Products matching a Query from the OData catalogue, in the query's order."""

    name = "odata"
    #: cdsodatacli's pace and a second's worth at once: at most 30 + 30 * 60 = 1830 requests
    #: in any minute, under CDSE's documented 2000 (cdse-api.md §2.4); with 4 connections the
    #: rate binds only where a page takes under 0.13 s (the emulator, not CDSE).
    default_rate = 30.0
    burst = 30

    def __init__(
        self, query: Query, *, expand: Sequence[str] = ("Attributes", "Assets"), **kwargs: Any
    ) -> None:
        super().__init__(query, **kwargs)
        self._expand = tuple(expand)
        self._base_filter = build_filter(query)
        # One STAC collection among several sharing its product type (CLMS datasets): OData
        # cannot tell them apart, its products are picked here.
        ids = query.stac_collections
        self._only = ids[0] if len(ids) == 1 and shares_product_type(ids[0]) else None
        self.filters_locally = self._only is not None

    def _accept(self, product: Product) -> bool:
        return self._only is None or in_stac_collection(self._only, product.name, product.s3_path)

    async def _instant(self, instant: Any, skip: int) -> list[Product]:
        """More than a page at one instant: page through it with ``$skip``."""
        out: list[Product] = []
        window = Window(instant, instant + ONE_US)
        while skip <= MAX_SKIP:
            page = await self._fetch(window, skip=skip, top=PAGE_SIZE)
            out.extend(page)
            if len(page) < PAGE_SIZE:
                return out
            skip += PAGE_SIZE
        raise ServiceError(
            f"more than {MAX_SKIP + PAGE_SIZE} products share {self._field} = {instant}: "
            "CDSE cannot page through them; narrow the query"
        )

    # -- requests --------------------------------------------------------------------------------
    def _params(self, window: Window, skip: int, top: int, desc: bool) -> list[tuple[str, str]]:
        clauses = [self._base_filter] if self._base_filter else []
        if window.low is not None:
            clauses.append(f"{self._field} ge {literal(window.low)}")
        if window.high is not None:
            clauses.append(f"{self._field} lt {literal(window.high)}")
        params = []
        if clauses:
            params.append(("$filter", " and ".join(clauses)))
        params += [
            ("$orderby", f"{self._field} {'desc' if desc else 'asc'}"),
            ("$top", str(top)),
        ]
        if skip:
            params.append(("$skip", str(skip)))
        params += [("$expand", e) for e in self._expand]
        return params

    async def _fetch(
        self, window: Window, skip: int, top: int, desc: bool | None = None
    ) -> list[Product]:
        url = f"{self.endpoints.catalogue}/Products"
        params = self._params(window, skip, top, self._desc if desc is None else desc)

        body = await self._request(
            lambda: get_json(self._session, url, params=params), "catalogue search"
        )
        try:
            records = body["value"]
        except (KeyError, TypeError) as err:
            raise ServiceError(
                f"the catalogue answered without 'value': {str(body)[:200]}"
            ) from err
        with paused_gc():
            return products_from_odata(records)
