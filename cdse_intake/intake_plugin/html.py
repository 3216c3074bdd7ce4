"""Notebook display of CDSE catalogues: one table row per entry.

A catalogue of products (search results) renders as :class:`cdse_intake.SearchResults` does
(name, sensing start, cloud, size, online, footprint bounds); any other catalogue (collections,
the top-level catalogue file) as entry name, title, collection, product type and the user
parameters the entry uses.
"""

from __future__ import annotations

import html
import re
from typing import Any

from intake.readers.entry import Catalog, DataDescription, ReaderDescription

from .readers import CDSEProductReader

__all__ = ["catalog_html"]

_DATA_REF = re.compile(r"^\{data\(([^)]+)\)\}$")
_TEMPLATE = re.compile(r"^\{(\w+)\}$")


def catalog_html(cat: Catalog) -> str:
    """An HTML table of ``cat``'s entries (of its products, for search results)."""
    entries = {name: cat.entries.get(key) for name, key in cat.aliases.items()}
    readers = {name: e for name, e in entries.items() if isinstance(e, ReaderDescription)}
    if readers and all(e.reader == CDSEProductReader.qname() for e in readers.values()):
        return _products_html(cat, readers)
    return _entries_html(cat, readers)


def _data_kwargs(cat: Catalog, entry: ReaderDescription) -> dict[str, Any]:
    """The keywords of the datatype an entry reads (resolving ``{data(token)}`` references)."""
    data = entry.kwargs.get("data")
    if isinstance(data, str) and (match := _DATA_REF.match(data)):
        data = cat.data.get(match.group(1))
    if isinstance(data, DataDescription):
        return dict(data.kwargs)
    return {k: v for k, v in getattr(data, "__dict__", {}).items() if not k.startswith("_")}


def _products_html(cat: Catalog, readers: dict[str, ReaderDescription]) -> str:
    from ..config import Endpoints
    from ..product import Product
    from ..query import Query
    from ..results import SearchResults

    products = []
    for name, entry in readers.items():
        kwargs = _data_kwargs(cat, entry)
        record = kwargs.get("record")
        products.append(
            Product.from_dict(record) if record else Product(id="", name=kwargs.get("name", name))
        )
    table = SearchResults(
        Query(),
        backend=str(cat.metadata.get("backend", "odata")),
        endpoints=Endpoints(),
        products=products,
    )._repr_html_()
    query = cat.metadata.get("query") or {}
    shown = ", ".join(f"{k}={v}" for k, v in query.items() if k not in ("geometry", "sort"))
    title = cat.metadata.get("title") or query.get("collection") or "CDSE"
    return f"<p>Search of <b>{html.escape(str(title))}</b>: {html.escape(shown)}</p>{table}"


def _shown(value: Any, cat: Catalog) -> str:
    """A keyword value for display: a ``{parameter}`` template shows the parameter's default."""
    if isinstance(value, str) and (match := _TEMPLATE.match(value)):
        parameter = cat.user_parameters.get(match.group(1))
        value = getattr(parameter, "default", value)
    if value is None or value == "":
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def _entries_html(cat: Catalog, readers: dict[str, ReaderDescription]) -> str:
    rows = []
    for name, entry in readers.items():
        data = _data_kwargs(cat, entry)
        meta = entry.metadata
        used = sorted(
            m.group(1)
            for v in entry.kwargs.values()
            if isinstance(v, str) and (m := _TEMPLATE.match(v))
        )
        cells = (
            name,
            meta.get("title") or meta.get("description") or "",
            _shown(data.get("collection"), cat),
            _shown(entry.kwargs.get("product_type"), cat) or _shown(data.get("product_type"), cat),
            ", ".join(used),
        )
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    head = "".join(
        f"<th>{h}</th>" for h in ("entry", "title", "collection", "product type", "parameters")
    )
    description = cat.metadata.get("description") or ""
    return (
        f"<p><b>{len(rows)} entries</b> {html.escape(str(description))}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
