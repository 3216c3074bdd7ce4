"""Parse the download service's OData paths: ``Products(<id>)[/Nodes(<a>)...]/(Nodes|$value|$zip)``.

Node paths have any depth, so the routes hand the whole tail to :func:`parse` instead of relying on
the router. Errors carry the zipper's codes (``reference/cdse-api.md`` §2.3) as :class:`Problem`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .responses import BAD_UUID, MALFORMED_PATH, Problem

__all__ = ["ProductPath", "parse"]

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_NODE = re.compile(r"Nodes\((?P<name>[^()/]+)\)")

Action = Literal["value", "zip", "list"]


@dataclass(frozen=True)
class ProductPath:
    """What a request asks for: the product, a node path inside it, and the action."""

    product_id: str
    nodes: tuple[str, ...]
    action: Action


def parse(product_id: str, tail: str) -> ProductPath:
    """Parse ``product_id`` (inside ``Products(...)``) and the path after ``Products(<id>)/``."""
    if not _UUID.fullmatch(product_id):
        raise Problem(*BAD_UUID)
    segments = tail.split("/")
    last = segments.pop()
    nodes = []
    for segment in segments:
        match = _NODE.fullmatch(segment)
        if match is None or match["name"][:1] in "'\"" or match["name"][-1:] in "'\"":
            raise Problem(*MALFORMED_PATH)
        nodes.append(match["name"])
    if last == "Nodes":
        action: Action = "list"
    elif last == "$value":
        action = "value"
    elif last == "$zip" and not nodes:
        action = "zip"
    else:
        raise Problem(*MALFORMED_PATH)
    return ProductPath(product_id.lower(), tuple(nodes), action)
