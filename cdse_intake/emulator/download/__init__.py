"""The emulated download service (zipper): ``$value``, ``$zip`` and ``Nodes`` on loopback.

``routes(ctx)`` serve the download host (``…/odata/v1`` on 127.0.0.2); ``catalogue_routes(ctx)``
add to the catalogue host its 301 redirects of product downloads and the ``Nodes`` paths
(``reference/cdse-api.md`` §1.1, §1.10, §2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .service import DownloadService

if TYPE_CHECKING:
    from ..server import ServiceContext

__all__ = ["DownloadService", "catalogue_routes", "routes"]

_PRODUCT = "/Products({id})/{tail:.*}"


def _get_head(path: str, handler: Any) -> list[web.RouteDef]:
    # Explicit GET and HEAD routes: the server mounts RouteDefs with ``router.add_route``, which
    # does not take ``web.get``'s ``allow_head``.
    return [web.route("GET", path, handler), web.route("HEAD", path, handler)]


def routes(ctx: ServiceContext) -> list[web.RouteDef]:
    """The download host: every ``Products(<id>)/…`` path, and a JSON error for anything else."""
    service = DownloadService(ctx)
    return [
        *_get_head(_PRODUCT, service.product),
        web.route("*", "/{tail:.*}", service.unknown_path),
    ]


def catalogue_routes(ctx: ServiceContext) -> list[web.RouteDef]:
    """The catalogue host: 301 for ``$value``/``$zip`` (§2.1), ``Nodes`` served in place."""
    service = DownloadService(ctx)
    return [
        *_get_head("/Products({id})/{tail:\\$value|\\$zip}", service.redirect),
        *_get_head("/Products({id})/{tail:Nodes.*}", service.product),
    ]
