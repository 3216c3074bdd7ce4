"""The fields extension: keep (``include``) or drop (``exclude``) dotted paths of each item.

As the live service does [verified NB-MIG]: ``fields=-geometry`` drops only the geometry;
``include: ["assets"]`` answers only ``assets`` (and the links, which stac-fastapi adds after the
database answered, so they come last). A path both included and excluded is included, and so is
an included path below an excluded one (the more specific wins).
"""

from __future__ import annotations

from typing import Any

from .params import Fields

__all__ = ["apply_fields"]


def _tree(paths: tuple[str, ...]) -> dict[str, Any]:
    """Dotted paths as a nested dict; ``True`` marks a whole subtree."""
    root: dict[str, Any] = {}
    for path in paths:
        node = root
        parts = [p for p in path.strip().split(".") if p]
        for k, part in enumerate(parts):
            if k == len(parts) - 1:
                node[part] = True
            else:
                child = node.get(part)
                if child is True:
                    break
                node = node.setdefault(part, {})
    return root


def _keep(value: dict[str, Any], tree: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, sub in value.items():
        wanted = tree.get(key)
        if wanted is True:
            out[key] = sub
        elif isinstance(wanted, dict) and isinstance(sub, dict):
            out[key] = _keep(sub, wanted)
    return out


def _drop(value: dict[str, Any], tree: dict[str, Any], keep: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, sub in value.items():
        unwanted = tree.get(key)
        kept = keep.get(key)
        if unwanted is True and not kept:  # an included path (or sub-path) survives
            continue
        if isinstance(unwanted, dict) and isinstance(sub, dict):
            out[key] = _drop(sub, unwanted, kept if isinstance(kept, dict) else {})
        else:
            out[key] = sub
    return out


def apply_fields(item: dict[str, Any], fields: Fields | None) -> dict[str, Any]:
    """A copy of ``item`` reduced by ``fields`` (the item itself when there is nothing to do)."""
    if fields is None or (not fields.include and not fields.exclude):
        return item
    include = _tree(fields.include)
    exclude = _tree(fields.exclude)
    body = {k: v for k, v in item.items() if k != "links"}
    if include:
        body = _keep(body, include)
    if exclude:
        body = _drop(body, exclude, include)
    if exclude.get("links") is True and include.get("links") is not True:
        return body
    if include:
        return {**body, "links": item["links"]}
    out = {}
    for key, value in item.items():  # keep the links where they were
        if key == "links":
            out[key] = value
        elif key in body:
            out[key] = body[key]
    return out
