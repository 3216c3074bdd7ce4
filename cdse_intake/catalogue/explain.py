"""Why a search found nothing: the query's most selective constraint, with figures.

An empty table says nothing; "tile='33UUU' alone matches no SENTINEL-2 product between
2023-01-01 and 2023-03-01" says where to look. Asked only when a search came back empty, from
OData's ``$count`` (``$top=0``: no records sent) whichever backend searched (both list the same
products): for each constraint of the query, how many products match it alone within the
collection and time range, and how many match the query without it. The constraint matching
the fewest alone is the most selective; zero alone means it excludes everything by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from ..config import Endpoints, Settings
from ..query import Query

__all__ = ["constraints", "explain_empty"]

#: Query fields that are constraints of their own (the collection and time range are the frame).
_FIELDS = (
    "product_type",
    "geometry",
    "cloud",
    "tile",
    "orbit",
    "relative_orbit",
    "orbit_direction",
    "platform",
    "processing_baseline",
    "timeliness",
    "name_contains",
    "name_startswith",
    "name_endswith",
    "online",
)
#: Fields applied to the products after the catalogue answered: OData cannot count them.
_LOCAL = ("min_sea_percent", "min_land_percent")

Count = Callable[[Query], int]


def _day(value: datetime | None, *, end: bool = False) -> str:
    if value is None:
        return "..."
    if end and value.hour == value.minute == value.second == value.microsecond == 0:
        value -= timedelta(days=1)  # a bare end date includes its day: show that day
    return value.date().isoformat() if value.time() == datetime.min.time() or end else str(value)


def _label(query: Query, name: str) -> str:
    value = getattr(query, name)
    if name == "geometry":
        return f"the area ({value.geom_type}, bounds {tuple(round(v, 3) for v in value.bounds)})"
    return f"{name}={value!r}"


def constraints(query: Query) -> list[tuple[str, Query, Query]]:
    """``(label, the frame with only this constraint, the query without it)`` per constraint;
    the frame is the query's collection and time range."""
    frame = Query(collection=query.collection, start=query.start, end=query.end)
    out: list[tuple[str, Query, Query]] = []
    for name in _FIELDS:
        if getattr(query, name) is not None:
            alone = frame.replace(**{name: getattr(query, name)})
            out.append((_label(query, name), alone, query.replace(**{name: None})))
    for index, att in enumerate(query.attributes):
        rest = query.attributes[:index] + query.attributes[index + 1 :]
        label = f"attributes[{att.name!r}] {att.op} {att.value!r}"
        out.append((label, frame.replace(attributes=(att,)), query.replace(attributes=rest)))
    if query.start is not None or query.end is not None:
        label = f"the time range {_day(query.start)} to {_day(query.end, end=True)}"
        alone = Query(collection=query.collection, start=query.start, end=query.end)
        out.append((label, alone, query.replace(start=None, end=None)))
    return out


def explain_empty(
    query: Query,
    endpoints: Endpoints,
    settings: Settings,
    *,
    count: Count | None = None,
) -> str:
    """A sentence naming the constraint that excludes everything, or the most selective one."""
    what = query.collection or "the catalogue"
    local = [f"{n}={getattr(query, n)!r}" for n in _LOCAL if getattr(query, n, None) is not None]
    if local:
        unfiltered = query.replace(**{n: None for n in _LOCAL if hasattr(query, n)})
        note = f" (before {', '.join(local)}, which is applied to the products found)"
    else:
        unfiltered, note = query, ""
    counter = count or _odata_counter(endpoints, settings)
    try:
        before = counter(unfiltered) if local else 0
        if before:
            return (
                f"No products pass {', '.join(local)}: the catalogue has {before} matching the "
                "rest of the query."
            )
        found = _figures(counter, constraints(unfiltered))
    except Exception as err:  # an explanation must never hide the (empty) answer itself
        return f"No products match the query{note} (could not count why: {err})."
    if not found:
        return f"No products in {what} at all{note}."
    label, alone, without = min(found, key=lambda f: (f[1], -f[2]))
    if alone == 0:
        frame = _frame(query, label)
        return f"No products: {label} alone matches no {what} product{frame}{note}."
    return (
        f"No products match all the constraints together{note}. The most selective is {label}: "
        f"{alone} {what} products match it alone, {without} match the query without it."
    )


def _frame(query: Query, label: str) -> str:
    if label.startswith("the time range") or (query.start is None and query.end is None):
        return ""
    return f" between {_day(query.start)} and {_day(query.end, end=True)}"


def _figures(count: Count, items: list[tuple[str, Query, Query]]) -> list[tuple[str, int, int]]:
    queries = [q for _, alone, without in items for q in (alone, without)]
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="cdse-explain") as pool:
        counts = list(pool.map(count, queries))
    return [(label, counts[2 * i], counts[2 * i + 1]) for i, (label, _, _) in enumerate(items)]


def _odata_counter(endpoints: Endpoints, settings: Settings) -> Count:
    """How many products OData lists for a query (``$count=true&$top=0``)."""
    from fsspec.asyn import get_loop, sync

    from ..errors import ServiceError
    from ..net.http import get_json, new_session
    from .odata_filter import build_filter

    async def counted(query: Query) -> int:
        params = [("$count", "true"), ("$top", "0")]
        text = build_filter(query)
        if text:
            params.append(("$filter", text))
        async with new_session(timeout=settings.timeout) as session:
            body = await get_json(session, f"{endpoints.catalogue}/Products", params=params)
        value = body.get("@odata.count") if isinstance(body, dict) else None
        if not isinstance(value, int) or isinstance(value, bool):
            raise ServiceError(f"the catalogue gave no @odata.count for {text!r}")
        return value

    def count(query: Query) -> int:
        return int(sync(get_loop(), counted, query, timeout=settings.timeout * 2))

    return count
