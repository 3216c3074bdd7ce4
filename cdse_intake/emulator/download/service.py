"""The download service: ``$value``/``$zip`` and ``Nodes`` (``reference/cdse-api.md`` §1.10, §2).

One :class:`DownloadService` per emulator serves both hosts: the catalogue host redirects product
downloads to the download host (301, §2.1) and serves ``Nodes`` itself; the download host checks
the bearer token, the account's session limit (DAT-ZIP-100) and the injected faults, then streams
the product or one of its files, with ``Range`` support.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from ..http import USER, bearer_token, json_response
from ..tokens import TokenError
from . import responses as r
from .nodes import Node, find, listing, tree
from .paths import ProductPath, parse
from .ranges import Unsatisfiable, parse_range
from .stream import BodyPlan, send_body

if TYPE_CHECKING:
    from ..catalogue import Entry
    from ..server import ServiceContext

__all__ = ["DownloadService"]

_TOKEN_ERRORS = {
    "missing": r.TOKEN_NOT_FOUND,
    "expired": r.TOKEN_EXPIRED,
    "invalid": r.TOKEN_INVALID,
    "revoked": r.TOKEN_INVALID,
    "audience": r.AUDIENCE_NOT_ALLOWED,
}


class DownloadService:
    """Request handlers of the download service over one emulator's context."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # -- catalogue host ----------------------------------------------------------------------------
    async def redirect(self, request: web.Request) -> web.Response:
        """``Products(<id>)/$value|$zip`` on the catalogue host: 301 to the download host.

        The real catalogue redirects without looking at the product or the token (a bad id is
        answered by the download host), and the query string (``?token=``) goes along.
        """
        tail = request.match_info["tail"]
        location = f"{self.ctx.urls.download}/Products({request.match_info['id']})/{tail}"
        if request.query_string:
            location += f"?{request.query_string}"
        return web.Response(status=301, headers=r.redirect_headers(request, location))

    # -- both hosts --------------------------------------------------------------------------------
    async def product(self, request: web.Request) -> web.StreamResponse:
        """Every ``Products(<id>)/…`` path of the download service."""
        try:
            path = parse(request.match_info["id"], request.match_info["tail"])
            if path.action == "list":
                return self._list(request, path)
            return await self._deliver(request, path)
        except r.Problem as problem:
            return r.problem_response(request, problem)

    async def unknown_path(self, request: web.Request) -> web.Response:
        """Anything else on the download host: a malformed OData path (CORS preflights pass)."""
        if request.method == "OPTIONS":
            return web.Response(status=204, headers=r.download_headers(request))
        return r.problem_response(request, r.Problem(*r.MALFORMED_PATH))

    # -- Nodes listing -----------------------------------------------------------------------------
    def _list(self, request: web.Request, path: ProductPath) -> web.Response:
        """``…/Nodes``: the children of a node; anonymous, as documented (§1.1)."""
        entry = self._entry(path)
        node = self._node(entry, path)
        base = f"{self.ctx.urls.download}/Products({entry.id})"
        uri = base + "".join(f"/Nodes({name})" for name in path.nodes)
        body = listing(node, uri)
        return json_response(
            request, body, headers=r.download_headers(request), catalogue_headers=False
        )

    # -- $value, $zip and Nodes(...)/$value --------------------------------------------------------
    async def _deliver(self, request: web.Request, path: ProductPath) -> web.StreamResponse:
        user = request[USER] = self._authorise(request)
        entry = self._entry(path)
        get = request.method == "GET"
        keys = (entry.id, entry.name)
        faults = self.ctx.faults
        if get and faults.take("token_expiry", *keys):
            raise r.Problem(*r.TOKEN_EXPIRED)
        node = self._node(entry, path) if path.nodes else None
        if node is not None and not node.is_file:
            raise r.Problem(*r.MALFORMED_PATH)  # $value of a folder [unverified]
        if get and (fault := faults.take("status", *keys)):
            return r.status_response(request, fault.status, fault.retry_after)

        assert entry.payload is not None
        view = node.view() if node is not None else entry.payload.view()
        size = len(view)
        requested = request.headers.get("Range")
        if get and requested and faults.take("ignore_range", *keys):
            requested = None
        try:
            span = parse_range(requested, size)
        except Unsatisfiable:
            headers = {**r.download_headers(request), "Content-Range": f"bytes */{size}"}
            return web.Response(status=416, headers=headers)
        start, stop = span if span is not None else (0, size)

        state = self.ctx.state
        limit = self._session_limit(user)
        if get and not state.begin_download(user):
            raise r.Problem(*r.SESSION_LIMIT, headers=_session_headers(limit, 0))
        try:
            response = web.StreamResponse(
                status=200 if span is None else 206,
                headers={
                    **r.download_headers(request),
                    "accept-ranges": "bytes",
                    "content-disposition": f"attachment; filename={_filename(entry, node)}",
                    **_session_headers(limit, limit - state.active_downloads[user]),
                },
            )
            if span is not None:
                response.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
            # §2.2: application/zip even for a raw single-file product. A file fetched through
            # Nodes is sent as octet-stream [unverified].
            response.content_type = (
                "application/zip" if node is None else "application/octet-stream"
            )
            response.content_length = stop - start
            try:
                await response.prepare(request)
                if get:
                    await send_body(request, response, view[start:stop], self._plan(entry))
            except ConnectionResetError:
                # The client went away (a reader that needed fewer bytes than it asked for
                # closes early), or a "reset" fault cut it off: nothing more to say (raising
                # would make aiohttp log an error for an ordinary event).
                return response
            await response.write_eof()
            return response
        finally:
            if get:
                state.end_download(user)

    # -- helpers -----------------------------------------------------------------------------------
    def _authorise(self, request: web.Request) -> str:
        try:
            claims = self.ctx.tokens.verify_access(bearer_token(request))
        except TokenError as err:
            raise r.Problem(*_TOKEN_ERRORS.get(err.reason, r.TOKEN_INVALID)) from err
        return claims["preferred_username"]

    def _entry(self, path: ProductPath) -> Entry:
        entry = self.ctx.catalogue.by_id.get(path.product_id)
        if entry is None:
            raise r.Problem(*r.PRODUCT_NOT_FOUND)
        offline = not entry.online or self.ctx.faults.peek("offline", entry.id, entry.name)
        if entry.payload is None or offline:
            raise r.Problem(*r.NO_OBJECTS)
        return entry

    def _node(self, entry: Entry, path: ProductPath) -> Node:
        node = find(tree(entry), path.nodes)
        if node is None:
            raise r.Problem(*r.NODE_NOT_FOUND)
        return node

    def _session_limit(self, user: str) -> int:
        account = self.ctx.state.accounts.get(user)
        return account.max_sessions if account is not None else 4

    def _plan(self, entry: Entry) -> BodyPlan:
        """Pacing and faults for one GET body (each fault found counts a hit)."""
        take = self.ctx.faults.take
        keys = (entry.id, entry.name)
        rates = [self.ctx.state.throttle]
        if slow := take("slow", *keys):
            rates.append(slow.rate)
        rate = min((x for x in rates if x), default=None)
        cut = cut_after = None
        if fault := take("reset", *keys):
            cut, cut_after = "reset", fault.after_bytes
        elif fault := take("truncate", *keys):
            cut, cut_after = "truncate", fault.after_bytes
        corrupt = take("corrupt", *keys)
        return BodyPlan(
            rate=rate,
            cut=cut,
            cut_after=cut_after or 0,
            corrupt_from=corrupt.after_bytes if corrupt else None,
        )


def _session_headers(limit: int, remaining: int) -> dict[str, str]:
    return {"x-cf-sessionlimit-limit": str(limit), "x-cf-sessionlimit-remaining": str(remaining)}


def _filename(entry: Entry, node: Node | None) -> str:
    """§2.2: ``<Name without .SAFE>.zip`` for a folder product, the raw name for a single file."""
    if node is not None:
        return node.name
    return entry.name if entry.payload and entry.payload.single_file else f"{entry.stem}.zip"
