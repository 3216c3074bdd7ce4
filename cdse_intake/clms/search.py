"""Dataset discovery over CLMS's ``@search`` (anonymous), batch after batch, and lookups.

CLMS answers 25 items per batch and links the next one (``batching.next``); a ``next`` that
repeats an address already read, or that does not move ``b_start`` forward, is an error rather
than a loop, and at most :data:`MAX_PAGES` batches are read.
"""

from __future__ import annotations

import difflib
from urllib.parse import parse_qs, urlsplit

from ..errors import CLMSQueryError, ServiceError
from ._http import CLMSSession
from .datasets import CLMSDataset, parse_dataset

__all__ = ["BATCH", "MAX_PAGES", "find_dataset", "search_datasets"]

BATCH = 25
#: Most batches read for one search (CLMS lists a few hundred datasets: ~20 batches).
MAX_PAGES = 400
FIELDS = ("UID", "dataset_full_format", "dataset_download_information")


def search_params(
    text: str | None, start: int = 0, uid: str | None = None
) -> list[tuple[str, str]]:
    """The query of the first ``@search`` request (repeated keys, in CLMS's order)."""
    params = [("portal_type", "DataSet")]
    params += [("metadata_fields", f) for f in FIELDS]
    if text:
        params.append(("SearchableText", text))
    if uid:
        params.append(("UID", uid))  # a catalogue index: one dataset, one request
    params += [("b_size", str(BATCH))]
    if start:
        params.append(("b_start", str(start)))
    return params


def _b_start(url: str) -> int:
    try:
        return int(parse_qs(urlsplit(url).query).get("b_start", ["0"])[0])
    except ValueError:
        return -1


def _same_root(session: CLMSSession, url: str) -> str:
    """``url`` of a batching link, put on the configured API root (the answer names the server
    by its own name, e.g. ``clms-prod.eea.europa.eu``, which may not be the one reached)."""
    root = urlsplit(session.root)
    parts = urlsplit(url)
    path = parts.path
    at = path.find("/@search")
    if at < 0:
        raise ServiceError(f"CLMS batching link {url.split('?')[0]} is not a @search address")
    return f"{root.scheme}://{root.netloc}{root.path}{path[at:]}?{parts.query}"


async def search_datasets(
    session: CLMSSession,
    text: str | None = None,
    *,
    limit: int | None = None,
    uid: str | None = None,
) -> list[CLMSDataset]:
    """Every dataset of ``@search`` (with ``SearchableText=text``, ``UID=uid`` when given)."""
    found: list[CLMSDataset] = []
    seen: set[str] = set()
    params = search_params(text, uid=uid)
    _, page = await session.request("GET", "@search", params=params, auth=False)
    start = 0
    for _ in range(MAX_PAGES):
        if not isinstance(page, dict) or not isinstance(page.get("items", []), list):
            raise ServiceError("a CLMS @search answer is not an object with items")
        found += [parse_dataset(item) for item in page.get("items", []) if isinstance(item, dict)]
        if limit is not None and len(found) >= limit:
            return found[:limit]
        batching = page.get("batching") or {}
        nxt = batching.get("next") if isinstance(batching, dict) else None
        if not nxt:
            return found
        url = _same_root(session, str(nxt))
        nxt_start = _b_start(url)
        if url in seen or nxt_start <= start:
            raise ServiceError(
                f"CLMS @search batching loops: next b_start={nxt_start} after b_start={start} "
                f"({len(found)} datasets read)"
            )
        seen.add(url)
        start = nxt_start
        _, page = await session.request("GET", url, auth=False)
    raise ServiceError(f"CLMS @search gave more than {MAX_PAGES} batches; refused")


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def find_dataset(datasets: list[CLMSDataset], name: str) -> CLMSDataset:
    """The dataset ``name`` names: its UID, its exact title, its slug, or its product slug
    when that product has a single dataset. Else :class:`CLMSQueryError` with the closest."""
    for d in datasets:
        if name == d.uid:
            return d
    wanted = _norm(name)
    exact = [d for d in datasets if _norm(d.title) == wanted or d.slug == name]
    if len(exact) == 1:
        return exact[0]
    product = [d for d in datasets if d.product == name]
    if len(product) == 1:
        return product[0]
    if len(product) > 1 or len(exact) > 1:
        many = exact if len(exact) > 1 else product
        listing = "; ".join(f"{d.title!r} ({d.uid})" for d in many[:15])
        more = f" and {len(many) - 15} more" if len(many) > 15 else ""
        raise CLMSQueryError(
            f"CLMS dataset name {name!r} matches {len(many)} datasets: {listing}{more}; give a "
            "title or UID"
        )
    names = {d.title: d for d in datasets} | {d.product: d for d in datasets if d.product}
    close = difflib.get_close_matches(name, list(names), n=5, cutoff=0.4)
    if not close:
        close = [t for t in names if wanted in _norm(t)][:5]
    hint = f"; closest: {', '.join(repr(c) for c in close)}" if close else ""
    raise CLMSQueryError(f"no CLMS dataset is named {name!r} (by UID, title or product){hint}")
