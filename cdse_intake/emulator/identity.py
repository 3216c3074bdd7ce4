"""Emulated CDSE service (being written)."""

from aiohttp import web


def routes(ctx) -> list[web.RouteDef]:
    return []


def catalogue_routes(ctx) -> list[web.RouteDef]:
    return []
