"""The CLMS portal's routes (``https://land.copernicus.eu``): the token endpoint and the API.

Real (docs and recorded exchanges; clms.downloadtool services; ftw.tokenauth): ``POST
/@@oauth2-token``; ``GET /api/@search`` (anonymous); ``GET /api/@projections?uid=`` (no uid:
the four standard projections; an unknown uid: ``[]``, as ``get_available_gcs_values``);
``GET /api/@format_conversion_table``; ``GET /api/@get-download-file-urls`` (:mod:`.auxiliary`);
``POST /api/@datarequest_post`` -> 201 ``{"ErrorTaskIds": [], "TaskIds": [{"TaskID"}]}``
(prepackaged ``FileID`` items and area cuts become two tasks); ``GET /api/@datarequest_search``
(the caller's tasks keyed by TaskID); ``GET /api/@datarequest_status_get?TaskID=``; ``DELETE
/api/@datarequest_delete`` -> 204 (unknown id 403 "Error, TaskID not registered", another
user's 404 "Error, permission denied": the real code's codes). An expired bearer token answers
401 "Access token expired" on every route, the token endpoint included (hence the docs' advice
to send no Authorization there).

Assumed [unverified]: 404 ``Error, task not found`` for an unknown or foreign task in
``@datarequest_status_get``; 400 for a missing ``TaskID`` or an unknown ``status``; the 429 of
eager polling (``Retry-After``, ``{"msg", "status": "error"}``); 400 for a body that is not JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from ..http import GRANT_TYPE, USER, retry_after
from . import auxiliary
from .access import TokenExpired
from .datasets import GCS, catalogue, dataset
from .grants import GrantError, verify_grant
from .plone import (
    NO_STORE,
    downloadtool_error,
    json_bytes,
    plone_json,
    token_expired,
    unauthorized,
)
from .search import dataset_item, search
from .service import LandService
from .tasks import STATUSES
from .validate import CONVERSIONS, RequestError, validate

__all__ = ["routes"]

Handler = Callable[[web.Request], Any]


def _bearer(request: web.Request) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def routes(land: LandService) -> list[web.RouteDef]:
    """The land host's routes, bound to ``land``."""

    def authenticated(required: bool) -> Callable[[Handler], Handler]:
        def wrap(handler: Handler) -> Handler:
            async def run(request: web.Request) -> web.StreamResponse:
                try:
                    user = land.tokens.user(_bearer(request))
                except TokenExpired:
                    return token_expired()
                if user is None and required:
                    return unauthorized()
                if user is not None:
                    request[USER] = user
                return await handler(request)

            return run

        return wrap

    @authenticated(required=False)
    async def token(request: web.Request) -> web.Response:
        form = await request.post() if request.method == "POST" else {}
        request[GRANT_TYPE] = str(form.get("grant_type", ""))
        try:
            key = verify_grant(request.method, form, land.keys, land.clock)  # type: ignore[arg-type]
        except GrantError as err:
            return json_bytes(err.body(), err.status, NO_STORE)
        issued = land.tokens.issue(key.key_id, key.user_id)
        lifetime = issued.lifetime
        body = {"access_token": issued.token, "token_type": "Bearer",
                "expires_in": int(lifetime) if lifetime == int(lifetime) else lifetime}  # fmt: skip
        return json_bytes(dict(sorted(body.items())), 200, NO_STORE)

    @authenticated(required=False)
    async def do_search(request: web.Request) -> web.Response:
        return plone_json(search(request.query_string, f"{land.api_root}/@search"))

    @authenticated(required=False)
    async def content(request: web.Request) -> web.Response:
        slug = request.match_info["slug"]
        ds = next((d for d in catalogue() if d.slug == slug), None)
        if ds is None:
            body = {"message": "Resource not found: " + request.path, "type": "NotFound"}
            return plone_json(body, 404)
        return plone_json(dataset_item(ds, ["_all"], land.api_root))

    @authenticated(required=False)
    async def projections(request: web.Request) -> web.Response:
        uid = request.query.get("uid")
        if uid is None:
            return plone_json(list(GCS))
        ds = dataset(uid)
        return plone_json([] if ds is None else list(ds.projections))

    @authenticated(required=False)
    async def conversions(request: web.Request) -> web.Response:
        return plone_json(CONVERSIONS)

    @authenticated(required=True)
    async def file_urls(request: web.Request) -> web.Response:
        return auxiliary.answer(request.query, land.files_root)

    @authenticated(required=True)
    async def post(request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return plone_json({"message": "No JSON object could be decoded",
                               "type": "DeserializationError"}, 400)  # fmt: skip
        try:
            cuts = validate(body)
            ids = []
            for group in ([c for c in cuts if c.file], [c for c in cuts if not c.file]):
                if group:
                    task = land.tasks.add(request[USER], group, land.delays, land.failure_share)
                    ids.append({"TaskID": task.id})
        except RequestError as err:
            return downloadtool_error(400, str(err))
        return plone_json({"ErrorTaskIds": [], "TaskIds": ids}, 201)

    def too_eager(user: str) -> web.Response | None:
        wait = land.poll(user)
        if wait is None:
            return None
        message = f"Too many requests: poll at most every {land.min_poll_interval:g} s"
        return plone_json({"msg": message, "status": "error"}, 429, retry_after(wait))

    @authenticated(required=True)
    async def task_search(request: web.Request) -> web.Response:
        user = request[USER]
        refused = too_eager(user)
        if refused is not None:
            return refused
        status = request.query.get("status")
        if status and status not in STATUSES:
            return downloadtool_error(400, "Error, status not recognized")
        out = {}
        for task in land.tasks.of_user(user):
            await land.settle(task)
            shown = task.as_json(land.clock.now())
            if not status or shown["Status"] == status:
                out[task.id] = shown
        return plone_json(out)

    @authenticated(required=True)
    async def task_status(request: web.Request) -> web.Response:
        refused = too_eager(request[USER])
        if refused is not None:
            return refused
        task_id = request.query.get("TaskID")
        if not task_id:
            return downloadtool_error(400, "Error, TaskID not defined")
        task = land.tasks.get(task_id)
        if task is None or task.user != request[USER]:
            return downloadtool_error(404, "Error, task not found")
        await land.settle(task)
        return plone_json(task.as_json(land.clock.now()))

    @authenticated(required=True)
    async def delete(request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = {}
        task_id = body.get("TaskID") if isinstance(body, dict) else None
        if not task_id:
            return downloadtool_error(400, "Error, TaskID not defined")
        task = land.tasks.get(str(task_id))
        if task is None:
            return downloadtool_error(403, "Error, TaskID not registered")
        if task.user != request[USER]:
            return downloadtool_error(404, "Error, permission denied")
        land.tasks.cancel(task)
        return web.Response(status=204, content_type="application/json")

    return [
        web.route("*", "/@@oauth2-token", token),
        web.route("*", "/api/@@oauth2-token", token),
        web.get("/api/@search", do_search, allow_head=False),
        web.get("/api/en/products/{product}/{slug}", content, allow_head=False),
        web.get("/api/@projections", projections, allow_head=False),
        web.get("/api/@format_conversion_table", conversions, allow_head=False),
        web.get("/api/@get-download-file-urls", file_urls, allow_head=False),
        web.post("/api/@datarequest_post", post),
        web.get("/api/@datarequest_search", task_search, allow_head=False),
        web.get("/api/@datarequest_status_get", task_status, allow_head=False),
        web.delete("/api/@datarequest_delete", delete),
    ]
