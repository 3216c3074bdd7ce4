"""``GET /api/@search``: Plone's catalogue search over the land datasets, in batches.

Real (plone.restapi ``@search`` and ``HypermediaBatch``; the recorded answer): ``portal_type``
filters by type (``DataSet``); ``SearchableText`` is a ZCTextIndex query (words, all required,
case-insensitive, ``*`` as a suffix wildcard); ``metadata_fields`` (repeated; ``_all`` for every
field) adds fields to the default ``@id, @type, description, review_state, title`` (the recorded
items also carry ``image_field``); results come in batches of ``b_size`` (default 25) from
``b_start``; ``batching`` (only when there is more than one batch) has ``@id`` and
``first``/``last``/``next``/``prev`` links, the query string of the request with ``b_start`` put
first; ``items_total`` counts all matches. Assumed [unverified]: ``batching.@id`` and the top
``@id`` drop the batching parameters; ``UID`` also filters (a catalogue index).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode

from .datasets import Dataset, catalogue

__all__ = ["BATCH", "dataset_item", "search"]

BATCH = 25
_WORD = re.compile(r"\w+\*?")
_BATCHING = ("b_start", "b_size", "sort_on", "sort_order", "sort_limit")


def search(query_string: str, base: str) -> dict[str, Any]:
    """The ``@search`` answer for ``query_string`` at ``base`` (``http://host/api/@search``)."""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    query: dict[str, list[str]] = {}
    for key, value in pairs:
        query.setdefault(key, []).append(value)
    hits = [d for d in catalogue() if _matches(d, query)]
    start = max(0, _int(query, "b_start", 0))
    size = max(1, _int(query, "b_size", BATCH))
    fields = query.get("metadata_fields", [])
    canonical = _url(base, [(k, v) for k, v in pairs if k not in _BATCHING])
    out: dict[str, Any] = {"@id": canonical}
    if len(hits) > size:

        def link(b: int) -> str:
            return _url(base, [("b_start", str(b))] + [(k, v) for k, v in pairs if k != "b_start"])

        batching = {
            "@id": canonical,
            "first": link(0),
            "last": link((len(hits) - 1) // size * size),
        }
        if start + size < len(hits):
            batching["next"] = link(start + size)
        if start > 0:
            batching["prev"] = link(max(0, start - size))
        out["batching"] = batching
    root = base.rsplit("/@search", 1)[0]
    out["items"] = [dataset_item(d, fields, root) for d in hits[start : start + size]]
    out["items_total"] = len(hits)
    return out


def _url(base: str, pairs: Sequence[tuple[str, str]]) -> str:
    return f"{base}?{urlencode(pairs)}" if pairs else base


def _int(query: Mapping[str, list[str]], key: str, default: int) -> int:
    try:
        return int(query.get(key, [default])[0])
    except ValueError:
        return default


def _matches(ds: Dataset, query: Mapping[str, list[str]]) -> bool:
    types = query.get("portal_type")
    if types and "DataSet" not in types:
        return False
    uids = query.get("UID")
    if uids and ds.uid not in uids:
        return False
    for text in query.get("SearchableText", []):
        words = {w.lower() for w in _WORD.findall(ds.searchable())}
        for term in _WORD.findall(text.lower()):
            if term.endswith("*"):
                if not any(w.startswith(term[:-1]) for w in words):
                    return False
            elif term not in words:
                return False
    return True


def dataset_item(ds: Dataset, fields: Sequence[str], root: str) -> dict[str, Any]:
    """One search result (or, with ``["_all"]``, the dataset object) of ``ds``."""
    item: dict[str, Any] = {
        "@id": f"{root}/en/products/{ds.product}/{ds.slug}",
        "@type": "DataSet",
        "description": ds.description,
        "image_field": ds.image,
        "review_state": ds.review_state,
        "title": ds.title,
    }
    every = "_all" in fields
    extra = {
        "UID": ds.uid,
        "dataset_full_format": ds.full_format,
        "dataset_download_information": {"items": [i.as_json() for i in ds.infos]},
        "downloadable_files": {"items": [f.as_json() for f in ds.files]},
        "download_limit_temporal_extent": ds.max_days,
        "mapviewer_istimeseries": ds.timeseries,
    }
    for key, value in extra.items():
        if every or key in fields:
            item[key] = value
    return item
