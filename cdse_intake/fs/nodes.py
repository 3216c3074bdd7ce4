"""A product's contents over HTTP: the OData ``Nodes`` tree (cdse-api.md §1.10).

``…/Products(<id>)/Nodes`` lists the product's one top node (its folder ``<Name>``, or the file of
a single-file product); ``…/Nodes(<Name>)/Nodes(a)/Nodes`` lists a folder; ``…/Nodes(a)/…/$value``
downloads one file. Listings are anonymous (§1.1) and small; a folder has ``ContentLength`` 0 and
its ``ChildrenNumber``, a file its size and no children.

Inner paths are resolved one folder at a time against these listings, with exact
(case-sensitive) name matches, so a path that differs from the product's only in case is reported
missing rather than left to the server's own matching. Listings are remembered: products never
change once published. A listing body larger than :data:`MAX_LISTING_BYTES` is refused (the
largest real folders list a few hundred KB; a server sending without end must not fill memory).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ..errors import ProductNotFound, ServiceError
from ..net.http import decode_body, with_retries
from ..net.transport import Transport, read_bounded
from ..product import Product

__all__ = ["MAX_LISTING_BYTES", "Node", "NodeTree", "node_url"]

#: Largest ``Nodes`` listing body read (16 MiB: ~100,000 entries; real folders have hundreds).
MAX_LISTING_BYTES = 16 * 2**20


@dataclass(frozen=True)
class Node:
    """One entry of a ``Nodes`` listing."""

    name: str
    size: int
    children: int

    @property
    def is_dir(self) -> bool:
        # A folder is the node that has children; CDSE gives folders ContentLength 0 and no other
        # marker, so an empty folder would look like an empty file (none is known to exist).
        return self.children > 0


def node_url(download_url: str, product_id: str, nodes: Sequence[str], action: str) -> str:
    """``<download>/Products(<id>)/Nodes(a)/Nodes(b)/<action>`` (action ``Nodes`` or ``$value``)."""
    path = "".join(f"/Nodes({quote(name, safe='')})" for name in nodes)
    return f"{download_url}/Products({product_id}){path}/{action}"


class NodeTree:
    """Cached ``Nodes`` listings of products, and inner paths resolved against them."""

    def __init__(self, download_url: str, retries: int) -> None:
        self.download_url = download_url
        self.retries = retries
        self._listings: dict[tuple[str, tuple[str, ...]], list[Node]] = {}
        self._pending: dict[tuple[str, tuple[str, ...]], asyncio.Future[list[Node]]] = {}

    def clear(self) -> None:
        self._listings.clear()

    async def listing(
        self, transport: Transport, product: Product, nodes: tuple[str, ...]
    ) -> list[Node]:
        """The children of the node at ``nodes`` (``()``: the product's top node)."""
        key = (product.id, nodes)
        known = self._listings.get(key)
        if known is not None:
            return known
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._fetch(transport, product.id, nodes))
            self._pending[key] = pending
            pending.add_done_callback(lambda _: self._pending.pop(key, None))
        children = await asyncio.shield(pending)
        self._listings[key] = children
        return children

    async def top(self, transport: Transport, product: Product) -> Node:
        """The product's top node: its folder, or its only file."""
        found = await self.listing(transport, product, ())
        for node in found:
            if node.name == product.name:
                return node
        if len(found) == 1:
            return found[0]
        raise ServiceError(
            f"the Nodes listing of {product.name} has {len(found)} top nodes, expected the "
            "product's own folder or file"
        )

    async def resolve(
        self, transport: Transport, product: Product, inner: tuple[str, ...], shown: str
    ) -> tuple[tuple[str, ...], Node]:
        """The node path (top node first) and node of ``inner``; ProductNotFound if absent.

        ``shown`` is the path as the caller wrote it, for error messages.
        """
        node = await self.top(transport, product)
        nodes = (node.name,)
        for part in inner:
            if not node.is_dir:
                raise ProductNotFound(f"{shown}: {'/'.join(nodes)} is a file, not a folder")
            children = await self.listing(transport, product, nodes)
            match = next((c for c in children if c.name == part), None)
            if match is None:
                raise ProductNotFound(_missing(shown, part, children))
            node, nodes = match, (*nodes, part)
        return nodes, node

    async def _fetch(
        self, transport: Transport, product_id: str, nodes: tuple[str, ...]
    ) -> list[Node]:
        url = node_url(self.download_url, product_id, nodes, "Nodes")

        async def attempt() -> Any:
            async with transport.get(url) as resp:
                body = await read_bounded(resp, MAX_LISTING_BYTES, f"the Nodes listing {url}")
                return decode_body(body)  # a non-JSON body: ServiceError below

        body = await with_retries(attempt, retries=self.retries, what=f"listing {url}")
        return _parse(body, url)


def _parse(body: Any, url: str) -> list[Node]:
    result = body.get("result") if isinstance(body, dict) else None
    if not isinstance(result, list):
        raise ServiceError(f"the Nodes listing {url} has no 'result' list: {str(body)[:200]}")
    try:
        return [
            Node(
                str(n["Name"]), int(n.get("ContentLength") or 0), int(n.get("ChildrenNumber") or 0)
            )
            for n in result
        ]
    except (KeyError, TypeError, ValueError) as err:
        raise ServiceError(f"the Nodes listing {url} cannot be read ({err!r})") from err


def _missing(shown: str, part: str, children: list[Node]) -> str:
    text = f"{shown}: no {part!r} in the product"
    near = [c.name for c in children if c.name.casefold() == part.casefold()]
    if near:
        return f"{text} (names are case-sensitive: there is {near[0]!r})"
    names = ", ".join(repr(c.name) for c in children[:8])
    more = ", ..." if len(children) > 8 else ""
    return (
        f"{text}; that folder holds {names}{more}" if children else f"{text}; that folder is empty"
    )
