"""``cat.gui``: a search panel for an intake catalogue of cdse_intake."""

from __future__ import annotations

from typing import Any

from .panel import SearchPanel

__all__ = ["panel_for_catalog"]

#: The saved query's keywords -> the panel's inputs.
_QUERY_INPUTS = {
    "collection": "collection",
    "product_type": "product_type",
    "start": "start",
    "end": "end",
    "tile": "tile",
    "orbit": "orbit",
    "relative_orbit": "relative_orbit",
    "limit": "limit",
    "geometry": "area",
}
#: The collections catalogue's user parameters -> the panel's inputs.
_PARAMETER_INPUTS = {
    "area": "area",
    "since": "start",
    "until": "end",
    "max_cloud": "cloud",
    "product_kind": "product_type",
    "max_items": "limit",
}


def panel_for_catalog(cat: Any, **kwargs: Any) -> SearchPanel:
    """A SearchPanel for an intake catalogue of cdse_intake (``cat.gui``).

    A catalogue of search results gives a panel filled with its query and showing its products;
    the collections catalogue (``catalog.yaml``) one filled from its user parameters (``area``,
    ``since``, ``until``, ``max_cloud``, ``product_kind``, ``max_items``) when they are set.
    """
    from ..product import Product
    from ..results import _query_kwargs

    metadata = getattr(cat, "metadata", None) or {}
    saved = metadata.get("query")
    inputs: dict[str, Any] = {}
    if isinstance(saved, dict):
        query = _query_kwargs(saved)
        inputs = {mine: query[theirs] for theirs, mine in _QUERY_INPUTS.items() if theirs in query}
        if isinstance(inputs.get("product_type"), tuple):
            inputs["product_type"] = None
        cloud = query.get("cloud")
        if isinstance(cloud, (tuple, list)) and cloud[0] == 0:
            inputs["cloud"] = cloud[1]
        if metadata.get("backend") in ("odata", "stac"):
            inputs["backend"] = metadata["backend"]
    else:
        overrides = dict(getattr(cat, "_up_overrides", None) or {})
        inputs = {
            _PARAMETER_INPUTS[k]: v
            for k, v in overrides.items()
            if k in _PARAMETER_INPUTS and v is not None
        }
    inputs.update(kwargs)
    panel = SearchPanel(**inputs)
    if isinstance(saved, dict):
        products = []
        for name in cat:
            record = getattr(getattr(cat[name], "data", None), "record", None)
            if record:
                products.append(Product.from_dict(record))
        panel.state.show_products(products)
    return panel
