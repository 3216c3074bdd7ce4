"""The STAC API's HTTP handlers (cdse-api.md §4), mounted at ``/stac/v1``.

Every request first asks the fault registry for a ``status`` fault keyed ``"stac"``: that is how
tests make the WAF answer 429 (§2.4, FORUM-WAF). Searches and item rendering run in a worker
thread, so a large page does not stall the other emulated services sharing the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web

from .. import sums_pack
from ..http import CORS_HEADERS, retry_after
from . import params
from .collection_search import search_collections
from .documents import CONFORMANCE, collection_document, landing_page
from .errors import WAF_BODY, StacError, bad_request, not_found
from .fields import apply_fields
from .index import StacIndex
from .openapi import OPENAPI_TYPE, openapi_document, service_doc
from .params import SearchRequest
from .queryables import queryables_document
from .search import Page, Searcher

if TYPE_CHECKING:
    from ..server import ServiceContext

__all__ = ["routes"]

GEOJSON = "application/geo+json"
JSON = "application/json"

#: §4 [FORUM-LIMIT]: sentinel-2-l2a pages hold at most 200 items, because its items are large;
#: "limit=1000 without additional parameters" is an error there. The additional parameter is
#: taken to be the fields extension (the forum answer is cut short; unverified), and the error
#: body is stac-fastapi's 400 shape (unverified).
L2A_LIMIT = 200

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _response(
    body: Any, status: int = 200, content_type: str = JSON, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=orjson.dumps(body),
        status=status,
        content_type=content_type,
        headers={**CORS_HEADERS, **(headers or {})},
    )


class StacApi:
    """Handlers sharing one lazily built index over the emulator's catalogue."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.root = ctx.urls.stac
        self._index: StacIndex | None = None
        self._searcher: Searcher | None = None
        self._lock = threading.Lock()

    # -- plumbing --------------------------------------------------------------------------------
    def _ready(self) -> tuple[StacIndex, Searcher]:
        with self._lock:
            if self._index is None:
                self._index = StacIndex(self.ctx.catalogue, self.ctx.urls)
                self._searcher = Searcher(self._index)
            self._index.refresh()  # after Catalogue.add, the new entries are served too
            assert self._searcher is not None
            return self._index, self._searcher

    def warm(self) -> None:
        """Build the index and load the sums packs (checking a pack's fingerprint parses its
        writers' code) ahead of the first request; a failure is reported by that request."""
        with contextlib.suppress(Exception):
            index, _ = self._ready()
            for family in sorted({e.family for e in index.entries if e.family}):
                sums_pack.fresh_pack(family)

    async def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    def guarded(self, handler: Handler) -> Handler:
        """Fault injection first, then the handler; a :class:`StacError` becomes its answer."""

        @functools.wraps(handler)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            fault = self.ctx.faults.take("status", "stac", targeted=True)
            if fault is not None:
                headers = {}
                if fault.retry_after is not None:
                    headers.update(retry_after(fault.retry_after))
                if fault.status == 429:
                    body: dict[str, Any] = WAF_BODY
                else:
                    phrase = HTTPStatus(fault.status).phrase
                    body = {"code": phrase.replace(" ", ""), "description": phrase}
                return _response(body, fault.status, headers=headers)
            try:
                return await handler(request)
            except StacError as err:
                return _response(err.body(), err.status)

        return wrapper

    # -- catalogue documents ---------------------------------------------------------------------
    async def landing(self, request: web.Request) -> web.Response:
        index, _ = await self._run(self._ready)
        return _response(landing_page(self.root, index.specs()))

    async def conformance(self, request: web.Request) -> web.Response:
        return _response({"conformsTo": CONFORMANCE})

    async def collections(self, request: web.Request) -> web.Response:
        index, _ = await self._run(self._ready)
        docs = await self._run(self._all_collections, index)
        return _response(search_collections(docs, request.query, self.root, request.url))

    async def openapi(self, request: web.Request) -> web.Response:
        return _response(openapi_document(self.root), content_type=OPENAPI_TYPE)

    async def api_html(self, request: web.Request) -> web.Response:
        return web.Response(
            text=service_doc(self.root), content_type="text/html", headers=CORS_HEADERS
        )

    async def ping(self, request: web.Request) -> web.Response:
        return _response({"message": "PONG"})

    def _all_collections(self, index: StacIndex) -> list[dict[str, Any]]:
        return [self._collection(index, spec.id) for spec in index.specs()]

    def _collection(self, index: StacIndex, cid: str) -> dict[str, Any]:
        spec = index.spec(cid)
        if spec is None:
            raise not_found(f"Collection {cid} does not exist.")
        return index.document(f"collection:{cid}", lambda: collection_document(index, spec))

    async def collection(self, request: web.Request) -> web.Response:
        index, _ = await self._run(self._ready)
        cid = request.match_info["collection_id"]
        return _response(await self._run(self._collection, index, cid))

    async def queryables(self, request: web.Request) -> web.Response:
        index, _ = await self._run(self._ready)
        cid = request.match_info.get("collection_id")
        return _response(await self._run(self._queryables, index, cid))

    def _queryables(self, index: StacIndex, cid: str | None) -> dict[str, Any]:
        if cid is not None and index.spec(cid) is None:
            raise not_found(f"Collection {cid} does not exist.")
        cids = [cid] if cid is not None else list(index.members)

        def build() -> dict[str, Any]:
            present: set[str] = set()
            platforms: set[str] = set()
            product_types: set[str] = set()
            for one in cids:
                for row in index.sample(one, size=16):
                    present.update(row)
                platforms.update(index.platforms(one))
                product_types.update(index.product_types(one))
            schema_id = (
                f"{self.root}/collections/{cid}/queryables" if cid else f"{self.root}/queryables"
            )
            enums = {"platform": sorted(platforms), "product:type": sorted(product_types)}
            return queryables_document(schema_id, present, enums, global_view=cid is None)

        return index.document(f"queryables:{cid}", build)

    # -- items -----------------------------------------------------------------------------------
    async def item(self, request: web.Request) -> web.Response:
        index, _ = await self._run(self._ready)
        cid = request.match_info["collection_id"]
        item_id = request.match_info["item_id"]
        if index.spec(cid) is None:
            raise not_found(f"Collection {cid} does not exist.")
        where = index.locate(cid, item_id)
        if where is None:
            raise not_found(f"Item {item_id} in Collection {cid} does not exist.")
        data = await self._run(index.item_json, where)
        return web.Response(body=data, content_type=GEOJSON, headers=CORS_HEADERS)

    async def items(self, request: web.Request) -> web.Response:
        index, _ = await self._run(self._ready)
        cid = request.match_info["collection_id"]
        if index.spec(cid) is None:
            raise not_found(f"Collection {cid} does not exist.")
        search = params.from_get(request.query, collection=cid)
        return await self._search(request, search, "GET", collection=cid)

    async def search_get(self, request: web.Request) -> web.Response:
        return await self._search(request, params.from_get(request.query), "GET")

    async def search_post(self, request: web.Request) -> web.Response:
        try:
            body = orjson.loads(await request.read())
        except orjson.JSONDecodeError as err:
            raise bad_request(f"the search body is not valid JSON: {err}") from err
        return await self._search(request, params.from_post(body), "POST")

    async def _search(
        self,
        request: web.Request,
        search: SearchRequest,
        method: str,
        collection: str | None = None,
    ) -> web.Response:
        if (
            search.collections
            and "sentinel-2-l2a" in search.collections
            and search.limit > L2A_LIMIT
            and not (search.fields and (search.fields.include or search.fields.exclude))
        ):
            raise bad_request(
                f"limit {search.limit} is too large for collection sentinel-2-l2a: at most "
                f"{L2A_LIMIT} items per page (or reduce the items with the fields extension)"
            )
        _, searcher = await self._run(self._ready)
        body = await self._run(self._render, searcher, search, request, method, collection)
        return web.Response(body=body, content_type=GEOJSON, headers=CORS_HEADERS)

    def _render(
        self,
        searcher: Searcher,
        search: SearchRequest,
        request: web.Request,
        method: str,
        collection: str | None,
    ) -> bytes:
        page = searcher.page(search)
        index = searcher.index
        links = self._page_links(request, search, page, method, collection)
        # ``numberReturned`` only: the real API is stac-fastapi-pgstac (its OpenAPI's
        # ItemCollection has optional numberMatched/numberReturned and no ``context``), and
        # pgstac counts the matches only with its ``context`` setting on (default off; that
        # CDSE keeps it off is unverified).
        if search.fields is None:  # assembled from the cached item JSON
            features = b",".join(index.items_json(page.indices))
            return b"".join(
                (
                    b'{"type":"FeatureCollection","features":[',
                    features,
                    b'],"links":',
                    orjson.dumps(links),
                    b',"numberReturned":%d}' % len(page.indices),
                )
            )
        items = [
            apply_fields(orjson.loads(data), search.fields)
            for data in index.items_json(page.indices)
        ]
        body = {
            "type": "FeatureCollection",
            "features": items,
            "links": links,
            "numberReturned": len(items),
        }
        return orjson.dumps(body)

    def _page_links(
        self,
        request: web.Request,
        search: SearchRequest,
        page: Page,
        method: str,
        collection: str | None,
    ) -> list[dict[str, Any]]:
        coll_url = f"{self.root}/collections/{collection}" if collection else None
        paging: dict[str, dict[str, Any]] = {}
        for rel, token in (("next", page.next_token), ("previous", page.prev_token)):
            if token is None:
                continue
            if method == "GET":
                href = str(request.url.update_query({"token": token}))
                paging[rel] = {"rel": rel, "type": GEOJSON, "method": "GET", "href": href}
            else:
                paging[rel] = {
                    "rel": rel,
                    "type": GEOJSON,
                    "method": "POST",
                    "href": f"{self.root}/search",
                    "body": {**search.body, "token": token},
                    "merge": True,
                }
        # stac-fastapi's order: its link kinds alphabetically.
        links: list[dict[str, Any]] = []
        if coll_url:
            links.append({"rel": "collection", "type": JSON, "href": coll_url})
        if "next" in paging:
            links.append(paging["next"])
        if coll_url:
            links.append({"rel": "parent", "type": JSON, "href": coll_url})
        if "previous" in paging:
            links.append(paging["previous"])
        links.append({"rel": "root", "type": JSON, "href": f"{self.root}/"})
        self_href = str(request.url) if method == "GET" else f"{self.root}/search"
        links.append({"rel": "self", "type": GEOJSON, "href": self_href})
        return links


def routes(ctx: ServiceContext) -> list[web.RouteDef]:
    """The STAC API's routes, relative to its root (``/stac/v1``).

    ``web.route`` rather than ``web.get``: the server mounts ``RouteDef`` kwargs as they are, and
    ``web.get``'s ``allow_head`` is not an ``add_route`` argument.
    """
    api = StacApi(ctx)
    # The search index is built and the sums packs loaded now, as the emulator starts, not at
    # the first search: that search (a 1000-item page, budget 0.5 s) would wait for them (or,
    # warmed in the background, share the interpreter with the warming). Errors resurface there.
    api.warm()
    guard = api.guarded
    return [
        web.route("GET", "", guard(api.landing)),
        web.route("GET", "/", guard(api.landing)),
        web.route("GET", "/conformance", guard(api.conformance)),
        web.route("GET", "/api", guard(api.openapi)),
        web.route("GET", "/api.html", guard(api.api_html)),
        web.route("GET", "/_mgmt/ping", guard(api.ping)),
        web.route("GET", "/queryables", guard(api.queryables)),
        web.route("GET", "/collections", guard(api.collections)),
        web.route("GET", "/collections/{collection_id}", guard(api.collection)),
        web.route("GET", "/collections/{collection_id}/queryables", guard(api.queryables)),
        web.route("GET", "/collections/{collection_id}/items", guard(api.items)),
        web.route("GET", "/collections/{collection_id}/items/{item_id}", guard(api.item)),
        web.route("GET", "/search", guard(api.search_get)),
        web.route("POST", "/search", guard(api.search_post)),
    ]
