"""Product names and ids to catalogue records: one OData query each, remembered.

A name becomes ``$filter=Name eq '<name>'`` (with ``or`` alternatives for a name given without
its ``.SAFE``/``.SEN3``/``.zarr`` suffix, so still one query); an id becomes ``Products(<id>)``
(the single entity, not wrapped in ``value``: cdse-api.md §1.1). Catalogue search is anonymous
(§2.1), so no token is sent. Concurrent look-ups of one key share one request, and every record is
kept for the life of the filesystem: a product's name, id, size and S3 path never change.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..errors import ProductNotFound
from ..net.http import get_json, with_retries
from ..product import Product, is_product_id, name_candidates
from .odata_filter import literal
from .records import product_from_odata

__all__ = ["ProductResolver"]


class ProductResolver:
    """Finds products in the OData catalogue at ``catalogue_url`` and remembers them."""

    def __init__(self, catalogue_url: str, retries: int) -> None:
        self.catalogue_url = catalogue_url
        self.retries = retries
        self._known: dict[str, Product] = {}
        self._pending: dict[str, asyncio.Future[Product]] = {}

    def clear(self) -> None:
        self._known.clear()

    async def resolve(self, session: Any, key: str) -> Product:
        """The product named (or with the id) ``key``; ProductNotFound when there is none."""
        known = self._known.get(key)
        if known is not None:
            return known
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._lookup(session, key))
            self._pending[key] = pending
            pending.add_done_callback(lambda _: self._pending.pop(key, None))
        # shielded: one cancelled caller must not cancel the look-up the others wait for
        return await asyncio.shield(pending)

    async def _lookup(self, session: Any, key: str) -> Product:
        if is_product_id(key):
            record = await self._entity(session, key.lower())
        else:
            record = await self._by_name(session, key)
        product = product_from_odata(record)
        for alias in (key, product.id, product.name):
            self._known[alias] = product
        return product

    async def _entity(self, session: Any, product_id: str) -> dict[str, Any]:
        url = f"{self.catalogue_url}/Products({product_id})"
        try:
            return await with_retries(
                lambda: get_json(session, url), retries=self.retries, what=f"looking up {url}"
            )
        except ProductNotFound as err:
            raise ProductNotFound(
                f"no CDSE product has the id {product_id!r}", status=err.status, url=err.url
            ) from err

    async def _by_name(self, session: Any, name: str) -> dict[str, Any]:
        candidates = name_candidates(name)
        params = {
            "$filter": " or ".join(f"Name eq {literal(c)}" for c in candidates),
            "$top": str(len(candidates)),
        }
        url = f"{self.catalogue_url}/Products"
        body = await with_retries(
            lambda: get_json(session, url, params=params),
            retries=self.retries,
            what=f"looking up product {name!r}",
        )
        records = {r.get("Name"): r for r in (body.get("value") or []) if isinstance(r, dict)}
        for candidate in candidates:  # the exact name first, then with each suffix
            if candidate in records:
                return records[candidate]
        tried = " or ".join(repr(c) for c in candidates)
        raise ProductNotFound(
            f"no CDSE product is named {tried}; expected a product name as the catalogue gives "
            "it (e.g. S2A_MSIL2A_…SAFE, with or without .SAFE/.SEN3/.zarr) or a product id",
            url=url,
        )
