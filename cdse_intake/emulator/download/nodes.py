"""A product's ``Nodes`` tree (``reference/cdse-api.md`` §1.10), built from its payload's files.

The root has one node: the product folder ``<Name>`` (a ``.SAFE``, ``.SEN3``, ``.zarr``), or the
file itself for a single-file product. Folders have ``ContentLength`` 0 and their number of
children; files have their size and no children.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..catalogue import Entry, Payload

__all__ = ["Node", "find", "listing", "tree"]


@dataclass
class Node:
    """A folder (``children``) or a file (its ``data``, or the whole single-file ``payload``)."""

    name: str
    children: dict[str, Node] = field(default_factory=dict)
    data: bytes | None = None
    payload: Payload | None = None
    """Set for the one node of a single-file product: the file is the payload itself."""

    @property
    def is_file(self) -> bool:
        return self.data is not None or self.payload is not None

    @property
    def size(self) -> int:
        if self.payload is not None:
            return self.payload.size
        return len(self.data) if self.data is not None else 0

    def view(self) -> memoryview:
        if self.payload is not None:
            return self.payload.view()
        return memoryview(self.data or b"")


#: Trees built so far, by payload identity (payloads are mutable dataclasses, not hashable);
#: emptied past a bound so test sessions that build many catalogues do not keep them all alive.
_TREES: dict[int, tuple[Payload, Node]] = {}
_MAX_TREES = 64


def tree(entry: Entry) -> Node:
    """The invisible root above the product's one top node (built once per payload)."""
    payload = entry.payload
    assert payload is not None
    cached = _TREES.get(id(payload))
    if cached is None or cached[0] is not payload:
        if len(_TREES) >= _MAX_TREES:
            _TREES.clear()
        cached = _TREES[id(payload)] = (payload, _tree(entry.name, payload))
    return cached[1]


def _tree(name: str, payload: Payload) -> Node:
    root = Node("")
    if payload.single_file:
        root.children[name] = Node(name, payload=payload)
        return root
    top = root.children[name] = Node(name)
    for rel, data in payload.files.items():
        *folders, leaf = rel.split("/")
        here = top
        for folder in folders:
            here = here.children.setdefault(folder, Node(folder))
        here.children[leaf] = Node(leaf, data=data)
    return root


def find(root: Node, path: tuple[str, ...]) -> Node | None:
    """The node at ``path`` (node names from the product root down), or None."""
    here: Node | None = root
    for name in path:
        here = here.children.get(name) if here is not None else None
    return here


def listing(node: Node, uri_prefix: str) -> dict[str, Any]:
    """The ``{"result": [...]}`` answer listing ``node``'s children, sorted by name.

    ``uri_prefix`` is the URL of ``node`` itself (``…/Products(<id>)`` for the root, else
    ``…/Nodes(<a>)/…/Nodes(<node>)``); each child links to its own ``Nodes`` listing.
    """
    return {
        "result": [
            {
                "Id": child.name,
                "Name": child.name,
                "ContentLength": child.size,
                "ChildrenNumber": len(child.children),
                "Nodes": {"uri": f"{uri_prefix}/Nodes({child.name})/Nodes"},
            }
            for child in sorted(node.children.values(), key=lambda n: n.name)
        ]
    }
