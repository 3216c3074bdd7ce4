"""Product ids and names given to ``download()``, looked up in the catalogue.

``download("S2A_MSIL2A_…")`` or ``download("<uuid>")`` name products as ``open_product`` accepts
them: a name with or without ``.SAFE``/``.SEN3``/``.zarr``, or an id. Each key is one OData
request (anonymous, as catalogue search is: cdse-api.md §2.1), a few at a time; every key that
names no product is reported in one :class:`~cdse_intake.errors.ProductNotFound` before any
download starts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from ..catalogue.lookup import ProductResolver
from ..config import Endpoints, Settings
from ..errors import ProductNotFound
from ..product import Product

__all__ = ["lookup_products"]

#: Look-ups in flight at once (the catalogue's rate limit is per IP, not per account).
_PARALLEL = 4


async def lookup_products(
    keys: Sequence[str], endpoints: Endpoints, settings: Settings
) -> dict[str, Product]:
    """The product of each id or name in ``keys``; ProductNotFound naming every unknown one."""
    from ..net.http import new_session

    resolver = ProductResolver(endpoints.catalogue, settings.retries)
    gate = asyncio.Semaphore(_PARALLEL)
    found: dict[str, Product] = {}
    unknown: list[tuple[str, ProductNotFound]] = []

    async def one(session: object, key: str) -> None:
        async with gate:
            try:
                found[key] = await resolver.resolve(session, key)
            except ProductNotFound as err:
                unknown.append((key, err))

    async with new_session(timeout=settings.timeout) as session, asyncio.TaskGroup() as group:
        for key in dict.fromkeys(keys):
            group.create_task(one(session, key))
    if unknown:
        unknown.sort(key=lambda pair: list(keys).index(pair[0]))
        names = ", ".join(repr(key) for key, _ in unknown)
        first = unknown[0][1]
        which = "this id or name" if len(unknown) == 1 else "these ids or names"
        raise ProductNotFound(
            f"cannot download {names}: no CDSE product has {which} in {endpoints.catalogue}; "
            "expected product ids (UUIDs), product names (with or without .SAFE/.SEN3/.zarr), "
            "Products, SearchResults or manifest paths",
            status=first.status,
        ) from first
    return found
