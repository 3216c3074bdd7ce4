"""The emulated OData catalogue (``/odata/v1`` on the catalogue host, cdse-api.md §1).

``$filter`` is parsed by a real recursive-descent parser (:mod:`.parser`) into a tree that is
evaluated over the catalogue's numpy columns (:mod:`.evaluate`); options, paging links
(:mod:`.options`) and records (:mod:`.render`) follow the recorded responses of the real service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from . import deleted, handlers

if TYPE_CHECKING:
    from ..server import ServiceContext

__all__ = ["routes"]


def routes(ctx: ServiceContext) -> list[web.RouteDef]:
    """Every route of the OData catalogue, relative to ``/odata/v1``."""
    return [*handlers.routes(ctx), *deleted.routes(ctx)]
