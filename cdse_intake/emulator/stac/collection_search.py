"""``GET /collections`` with the collection-search parameters: ``q``, ``bbox``, ``datetime``,
``limit`` and ``offset`` (stac-fastapi-pgstac's collection search, as the real OpenAPI lists).

Pages of ``limit`` collections, :data:`DEFAULT_LIMIT` without one, and a ``next`` link carrying
the ``limit`` and ``offset``: the live service answered all its 140 collections in one response
(§4, ~Dec 2025) and, once it held 419, pages of 200 with such a link (a client's notes, 2026).
``q`` keeps the emulator's behaviour: any term in the id, title, description or keywords.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from yarl import URL

from .errors import bad_request
from .params import _interval, _numbers, parse_instant

__all__ = ["search_collections"]

JSON = "application/json"
#: Collections per page without ``limit`` (the live service's, seen with 419 collections).
DEFAULT_LIMIT = 200


def search_collections(
    docs: list[dict[str, Any]], query: Mapping[str, str], root: str, url: URL
) -> dict[str, Any]:
    """The ``/collections`` answer for ``docs`` (every collection document) and ``query``."""
    terms = [t.strip().lower() for t in query.get("q", "").split(",") if t.strip()]
    if terms:
        docs = [d for d in docs if any(t in _text(d) for t in terms)]
    if query.get("bbox"):
        box = _box(query["bbox"])
        docs = [d for d in docs if _overlaps(d["extent"]["spatial"]["bbox"][0], box)]
    if query.get("datetime"):
        lo, hi = _interval(query["datetime"])
        docs = [d for d in docs if _meets(d["extent"]["temporal"]["interval"][0], lo, hi)]
    offset = _int(query.get("offset"), "offset", 0)
    limit = _int(query.get("limit"), "limit", DEFAULT_LIMIT) or DEFAULT_LIMIT
    stop = offset + limit
    page = docs[offset:stop]
    links: list[dict[str, Any]] = [
        {"rel": "root", "type": JSON, "href": f"{root}/"},
        {"rel": "self", "type": JSON, "href": str(url)},
    ]
    if stop < len(docs):
        href = str(url.update_query({"limit": str(limit), "offset": str(stop)}))
        links.append({"rel": "next", "type": JSON, "href": href, "method": "GET"})
    if offset > 0:
        back = str(url.update_query({"limit": str(limit), "offset": str(max(0, offset - limit))}))
        links.append({"rel": "previous", "type": JSON, "href": back, "method": "GET"})
    return {
        "collections": page,
        "links": links,
        "numberMatched": len(docs),
        "numberReturned": len(page),
    }


def _text(doc: dict[str, Any]) -> str:
    parts = [doc.get("id", ""), doc.get("title", ""), doc.get("description", "")]
    parts += doc.get("keywords", [])
    return " ".join(parts).lower()


def _int(text: str | None, name: str, default: int | None) -> int | None:
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError as err:
        raise bad_request(f"{name} must be an integer, got {text!r}") from err
    if value < (1 if name == "limit" else 0):
        raise bad_request(f"{name} must be {'positive' if name == 'limit' else '>= 0'}")
    return value


def _box(text: str) -> tuple[float, float, float, float]:
    values = _numbers(text)
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4:
        raise bad_request(f"bbox must have 4 or 6 numbers, got {text!r}")
    return values[0], values[1], values[2], values[3]


def _overlaps(extent: list[float], box: tuple[float, float, float, float]) -> bool:
    west, south, east, north = extent[:4]
    bw, bs, be, bn = box
    if bs > north or bn < south:
        return False
    if bw > be:  # the box crosses the antimeridian
        return be >= west or bw <= east
    return bw <= east and be >= west


def _meets(interval: list[str | None], lo: int | None, hi: int | None) -> bool:
    start = parse_instant(interval[0]) if interval[0] else None
    end = parse_instant(interval[1]) if len(interval) > 1 and interval[1] else None
    if hi is not None and start is not None and start > hi:
        return False
    return not (lo is not None and end is not None and end < lo)
