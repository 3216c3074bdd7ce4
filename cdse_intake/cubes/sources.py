"""The products of a cube, each with where to read it and its family.

``load()`` takes search results, products, names/ids or local paths. With ``remote=None`` (the
default) or True a product is read from the cache when it is there, else by range from CDSE
(only the file tiles the cube needs); ``remote=False`` downloads every missing product first, in
one batch within the account's connection budget.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import UnsupportedProduct
from ..product import Product
from ..readers.api import resolve_source
from ..readers.families import Family, detect
from ..readers.source import ProductSource
from .request import CubeRequest

__all__ = ["Item", "items_of"]


@dataclass(frozen=True)
class Item:
    """One product of a cube: its source (picklable, no secret), family and catalogue record."""

    source: ProductSource
    family: Family
    product: Product | None

    @property
    def name(self) -> str:
        return self.product.name if self.product is not None else self.source.name

    @property
    def start(self) -> datetime | None:
        """The sensing start the catalogue gives (None for a local path: readers say)."""
        if self.product is None or self.product.start is None:
            return None
        start = self.product.start
        return start if start.tzinfo else start.replace(tzinfo=UTC)

    @property
    def centre_lon(self) -> float | None:
        """Longitude of the footprint's centre (for the solar day), when the catalogue gives it."""
        footprint = self.product.footprint if self.product is not None else None
        if not footprint:
            return None
        from shapely.geometry import shape

        return float(shape(footprint).centroid.x)


def items_of(source: Any, request: CubeRequest) -> list[Item]:
    """``source`` (SearchResults, Product(s), names, ids, paths) as :class:`Item`s, in order."""
    wanted = _as_list(source)
    if not wanted:
        raise ValueError(
            "load() was given no product; expected search results, products, product names "
            "or paths of local products"
        )
    products = [w for w in wanted if isinstance(w, Product)]
    if request.remote is False and products:
        from ..downloads import ensure_local

        ensure_local(products, request.context, progress=request.progress)
    items = []
    for thing in wanted:
        src: ProductSource = resolve_source(
            thing, request.context, remote=request.remote is not False, progress=request.progress
        )
        items.append(Item(src, detect(src), src.product))
    return items


def _as_list(source: Any) -> list[Product | str | os.PathLike[str]]:
    if isinstance(source, (Product, str, os.PathLike)):
        return [source]
    if isinstance(source, Iterable) and not isinstance(source, (bytes, dict)):
        out = list(source)
        for thing in out:
            if not isinstance(thing, (Product, str, os.PathLike)):
                raise TypeError(
                    f"load(): {thing!r} (a {type(thing).__name__}) is not a product; expected "
                    "Products, product names or ids, or paths of local products"
                )
        return out
    raise TypeError(
        f"load() cannot take {source!r} (a {type(source).__name__}); expected search results, "
        "a list of Products, product names or ids, or paths of local products"
    )


def one_family(items: Sequence[Item], families: dict[str, str]) -> str:
    """The cube module that loads ``items``; one family per cube, else a clear error."""
    keys = {families.get(i.family.key, "") for i in items}
    if "" in keys:
        unsupported = sorted({i.family.key for i in items if i.family.key not in families})
        example = next(i.name for i in items if i.family.key in unsupported)
        raise UnsupportedProduct(
            f"load(): {', '.join(unsupported)} products (e.g. {example}) cannot be loaded as a "
            f"cube yet; cubes are made of {', '.join(sorted(families))} products. Open them one "
            "by one with open_product()"
        )
    if len(keys) > 1:
        kinds = sorted({i.family.key for i in items})
        raise ValueError(
            f"load(): the products are of several families ({', '.join(kinds)}); a cube holds "
            "one family: search or select one collection"
        )
    return keys.pop()
