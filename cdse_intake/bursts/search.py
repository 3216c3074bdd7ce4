"""Burst search: a :class:`~.query.BurstQuery` as ``GET /Bursts`` pages, and the burst
coverage of an area.

Pages are asked by ``$skip`` in ``ContentDate/Start`` order (CDSE adds Id as the implicit
second key, so pages neither repeat nor skip a burst) with ``$top`` up to 1000, CDSE's limit;
the server's ``@odata.nextLink`` is not followed (its host is the server's word, the next page's
URL is ours). Past ``$skip`` 10,000 CDSE answers no more (cdse-api.md §1.4): a query matching
more is an error asking to narrow it, never a silently cut list. Search is anonymous.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..config import Endpoints, Settings
from ..errors import QueryError, ServiceError
from ..net.http import get_json, new_session, with_retries
from .query import BurstQuery
from .record import Burst

__all__ = ["MAX_SKIP", "PAGE_SIZE", "Coverage", "coverage_of", "lookup_async", "search_async"]

PAGE_SIZE = 1000
MAX_SKIP = 10_000


async def search_async(
    query: BurstQuery,
    endpoints: Endpoints,
    settings: Settings,
    *,
    page_size: int = PAGE_SIZE,
    session: Any = None,
) -> list[Burst]:
    """Every burst matching ``query`` (up to ``query.limit``), in ContentDate/Start order."""
    if not 1 <= page_size <= PAGE_SIZE:
        raise ValueError(f"page_size={page_size!r}: expected 1 to {PAGE_SIZE}")
    if session is None:
        async with new_session(timeout=settings.timeout) as own:
            return await search_async(query, endpoints, settings, page_size=page_size, session=own)
    url = f"{endpoints.catalogue}/Bursts"
    text = query.filter()
    out: list[Burst] = []
    skip = 0
    while True:
        top = page_size if query.limit is None else min(page_size, query.limit - len(out))
        params = [("$orderby", "ContentDate/Start asc"), ("$top", str(top))]
        if text:
            params.insert(0, ("$filter", text))
        if skip:
            params.append(("$skip", str(skip)))
        body = await with_retries(
            lambda p=params: get_json(session, url, params=p),
            retries=settings.retries,
            what="burst search",
        )
        records = body.get("value") if isinstance(body, dict) else None
        if not isinstance(records, list):
            raise ServiceError(f"the Bursts answer has no 'value' list: {str(body)[:200]}")
        out.extend(Burst.from_odata(r) for r in records)
        if len(records) < top or (query.limit is not None and len(out) >= query.limit):
            return out
        skip += top
        if skip > MAX_SKIP:
            raise ServiceError(
                f"more than {skip} bursts match and CDSE pages no further than $skip "
                f"{MAX_SKIP}: narrow the query (a shorter period, a smaller area, a swath) "
                "or set a limit"
            )


async def lookup_async(ids: Iterable[str], endpoints: Endpoints, settings: Settings) -> list[Burst]:
    """The bursts with these ids (``GET /Bursts(<id>)``); QueryError for a malformed id,
    ProductNotFound (404) for an unknown one."""
    from urllib.parse import quote

    keys = []
    for value in ids:
        try:
            keys.append(str(uuid.UUID(str(value).strip())))
        except ValueError:
            raise QueryError(
                f"burst id {value!r} is not a UUID (the Id of a /Bursts record)"
            ) from None
    out = []
    async with new_session(timeout=settings.timeout) as session:
        for key in keys:
            url = f"{endpoints.catalogue}/Bursts({quote(key, safe='-')})"
            body = await with_retries(
                lambda u=url: get_json(session, u), retries=settings.retries, what="burst lookup"
            )
            if not isinstance(body, dict):
                raise ServiceError(f"the Bursts answer is no object: {str(body)[:200]}")
            out.append(Burst.from_odata(body))
    return out


@dataclass(frozen=True)
class Coverage:
    """One burst id over an area: the place bursts of this id, orbit and swath image."""

    burst_id: int
    relative_orbit: int
    orbit_direction: str
    swath: str
    bursts: int
    """How many bursts of the answer have this id (passes x polarisations)."""
    footprint: Any
    """The union of their footprints (shapely)."""


def coverage_of(bursts: Iterable[Burst]) -> list[Coverage]:
    """The burst ids among ``bursts`` with their relative orbit, direction and swath, in
    (relative orbit, swath, burst id) order."""
    import shapely

    groups: dict[tuple[int, int, str, str], list[Burst]] = {}
    for burst in bursts:
        key = (burst.relative_orbit, burst.burst_id, burst.orbit_direction, burst.swath)
        groups.setdefault(key, []).append(burst)
    out = []
    for (orbit, burst_id, direction, swath), members in groups.items():
        shapes = [b.geometry for b in members if b.footprint is not None]
        out.append(
            Coverage(
                burst_id=burst_id,
                relative_orbit=orbit,
                orbit_direction=direction,
                swath=swath,
                bursts=len(members),
                footprint=shapely.union_all(shapes) if shapes else None,
            )
        )
    return sorted(out, key=lambda c: (c.relative_orbit, c.swath, c.burst_id))
