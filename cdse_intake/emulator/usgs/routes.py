"""The M2M API's HTTP face: ``POST <root>/<endpoint>`` with JSON, answered in its envelope.

Every answer is ``{"requestId", "version", "sessionId", "data", "errorCode", "errorMessage"}``
with HTTP 200, errors included (as the real service answers them; an unknown endpoint is a 404
with the same envelope). ``login-token`` takes ``{"username", "token"}`` and gives the API key
in ``data``; every other endpoint wants it in ``X-Auth-Token``. Download URLs are served under
``/usgs/download/<key>`` with ``Content-Length`` and ``Range`` (206).
"""

from __future__ import annotations

import itertools
import json
import re
from collections import OrderedDict
from typing import Any

from aiohttp import web

from ..download.stream import BodyPlan, send_body
from . import scenes as sc
from .filters import Problem as _Problem
from .filters import scene_filter as _scene_filter
from .filters import whole as _whole
from .service import Download, UsgsService

__all__ = ["API_PREFIX", "DOWNLOAD_PREFIX", "routes"]

API_PREFIX = "/usgs/api/api/json/stable"
DOWNLOAD_PREFIX = "/usgs/download"
MESSAGES = {
    "AUTH_INVALID": "User credential verification failed",
    "AUTH_UNAUTHROIZED": "User does not have access to the machine-to-machine API",
    "AUTH_KEY_INVALID": "Invalid or expired authentication key (X-Auth-Token)",
    "RATE_LIMIT": "The current request has been rate limited; retry later",
}
_ids = itertools.count(1_000_000)
_RANGE = re.compile(r"bytes=(\d+)-(\d*)")


def _envelope(data: Any, code: str | None = None, message: str | None = None, status: int = 200):
    body = {
        "requestId": next(_ids),
        "version": "stable",
        "sessionId": None,
        "data": data,
        "errorCode": code,
        "errorMessage": message,
    }
    return web.json_response(body, status=status)


def routes(ctx: Any, service: UsgsService) -> list[web.RouteDef]:
    """The API's and the download URLs' routes (mounted at ``""`` on the main host)."""
    bundles: OrderedDict[str, bytes] = OrderedDict()
    root = ctx.urls.usgs.rsplit(API_PREFIX, 1)[0]

    def bundle(entry: Any) -> bytes:
        data = bundles.get(entry.name)
        if data is None:
            data = bundles[entry.name] = sc.bundle_of(entry)
            while len(bundles) > 16:
                bundles.popitem(last=False)
        return data

    def entries_of(dataset: Any) -> list[Any]:
        if not isinstance(dataset, str) or dataset.lower() not in sc.DATASETS:
            raise _Problem("DATASET_INVALID", f"Invalid dataset name: {dataset!r}")
        return sc.scenes(ctx.catalogue.entries, dataset.lower())

    async def api(request: web.Request) -> web.Response:
        endpoint = request.match_info["endpoint"]
        try:
            payload = json.loads(await request.read() or b"{}")
        except ValueError:
            return _envelope(None, "INPUT_FORMAT", "The request body is not valid JSON")
        if not isinstance(payload, dict):
            return _envelope(None, "INPUT_FORMAT", "The request body must be a JSON object")
        if endpoint == "login-token":
            key, code = service.login(payload.get("username"), payload.get("token"))
            return _envelope(key) if key else _envelope(None, code, MESSAGES[code])
        handler = HANDLERS.get(endpoint)
        if handler is None:
            return _envelope(None, "NOT_FOUND", f"Invalid endpoint: {endpoint}", status=404)
        key = request.headers.get("X-Auth-Token")
        user = service.user_of(key)
        if user is None:
            return _envelope(None, "AUTH_KEY_INVALID", MESSAGES["AUTH_KEY_INVALID"])
        if service.limited(key or ""):
            return _envelope(None, "RATE_LIMIT", MESSAGES["RATE_LIMIT"])
        try:
            return _envelope(handler(user, key, payload))
        except _Problem as problem:
            return _envelope(None, problem.code, str(problem))

    def logout(user: str, key: str, payload: dict[str, Any]) -> Any:
        service.logout(key)
        return None

    def dataset_search(user: str, key: str, payload: dict[str, Any]) -> Any:
        wanted = str(payload.get("datasetName") or "").lower()
        return [
            {"datasetAlias": name, "collectionName": name, "datasetId": sc.product_id(name)}
            for name in sc.DATASETS
            if wanted in name
        ]

    def dataset_filters(user: str, key: str, payload: dict[str, Any]) -> Any:
        entries_of(payload.get("datasetName"))
        return [
            {"id": fid, "fieldLabel": label, "fieldConfig": {"type": "Text"}, "searchSql": label}
            for label, fid in sc.FILTER_IDS.items()
        ]

    def scene_search(user: str, key: str, payload: dict[str, Any]) -> Any:
        entries = entries_of(payload.get("datasetName"))
        size = _whole(payload.get("maxResults", 100), "maxResults", 1, 50_000)
        first = _whole(payload.get("startingNumber", 1), "startingNumber", 1, 10**9)
        scene_filter = _scene_filter(payload.get("sceneFilter") or {})
        found = [e for e in entries if sc.matches(e, scene_filter)]
        page = found[first - 1 : first - 1 + size]
        end = first - 1 + len(page)
        dataset = str(payload["datasetName"]).lower()
        return {
            "results": [sc.scene_json(e, dataset) for e in page],
            "recordsReturned": len(page),
            "totalHits": len(found),
            "totalHitsAccuracy": "exact",
            "isCustomized": False,
            "numExcluded": 0,
            "startingNumber": first,
            "nextRecord": end + 1 if end < len(found) else end,
        }

    def download_options(user: str, key: str, payload: dict[str, Any]) -> Any:
        dataset = payload.get("datasetName")
        entries = {e.attribute("sceneId"): e for e in entries_of(dataset)}
        ids = payload.get("entityIds")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise _Problem("INPUT_PARAMETER_INVALID", "entityIds must be a list of entity ids")
        options = []
        for entity in ids:
            entry = entries.get(entity)
            if entry is None:
                continue
            options.append({
                "id": sc.product_id(str(dataset).lower()),
                "displayId": entry.name,
                "entityId": entity,
                "datasetId": sc.product_id(str(dataset).lower()),
                "available": True,
                "filesize": len(bundle(entry)),
                "productName": "Landsat Collection 2 Level-"
                f"{'1' if str(dataset).endswith('l1') else '2'} Product Bundle",
                "productCode": "D555",
                "bulkAvailable": True,
                "downloadSystem": "dds",
                "secondaryDownloads": [],
            })  # fmt: skip
        return options

    def download_request(user: str, key: str, payload: dict[str, Any]) -> Any:
        wanted = payload.get("downloads")
        label = payload.get("label") or "default"
        if not isinstance(wanted, list) or not isinstance(label, str):
            raise _Problem("INPUT_PARAMETER_INVALID", "downloads must be a list, label a string")
        available, preparing, failed = [], [], []
        for item in wanted:
            entity = item.get("entityId") if isinstance(item, dict) else None
            found = _scene(entity, item.get("productId") if isinstance(item, dict) else None)
            if found is None:
                failed.append({"entityId": entity, "reason": "Invalid entityId or productId"})
                continue
            entry, dataset = found
            d = service.request(user, label, entry, dataset, sc.product_id(dataset))
            row = {"downloadId": d.id, "eulaCode": None, "url": _url(d)}
            (available if service.ready(d) else preparing).append(row)
        return {
            "availableDownloads": available,
            "preparingDownloads": preparing,
            "duplicateProducts": [],
            "failed": failed,
            "newRecords": {},
            "numInvalidScenes": len(failed),
            "remainingLimits": [],
        }

    def _scene(entity: Any, product: Any) -> tuple[Any, str] | None:
        for dataset in sc.DATASETS:
            if product != sc.product_id(dataset):
                continue
            for entry in sc.scenes(ctx.catalogue.entries, dataset):
                if entry.attribute("sceneId") == entity:
                    return entry, dataset
        return None

    def _url(d: Download) -> str:
        return f"{root}{DOWNLOAD_PREFIX}/{d.url_key}"

    def download_retrieve(user: str, key: str, payload: dict[str, Any]) -> Any:
        available, requested = [], []
        for d in service.of_label(user, payload.get("label")):
            ready = service.ready(d)
            row = {
                "downloadId": d.id,
                "entityId": d.entity_id,
                "displayId": d.display_id,
                "label": d.label,
                "productCode": "D555",
                "statusCode": "A" if ready else "P",
                "statusText": "Available" if ready else "Preparing",
                "url": _url(d) if ready else None,
            }
            (available if ready else requested).append(row)
        return {"available": available, "requested": requested, "eulas": [], "queueSize": 0}

    HANDLERS = {
        "logout": logout,
        "dataset-search": dataset_search,
        "dataset-filters": dataset_filters,
        "scene-search": scene_search,
        "download-options": download_options,
        "download-request": download_request,
        "download-retrieve": download_retrieve,
    }

    async def file(request: web.Request) -> web.StreamResponse:
        d = service.by_url(request.match_info["key"])
        if d is None or not service.ready(d):
            return web.json_response({"error": "download not found or not ready"}, status=404)
        entry = next(e for e in ctx.catalogue.entries if e.name == d.display_id)
        data = memoryview(bundle(entry))
        start, status = 0, 200
        match = _RANGE.fullmatch(request.headers.get("Range", "").strip())
        if match:
            start = int(match[1])
            if start >= len(data):
                return web.Response(status=416, headers={"Content-Range": f"bytes */{len(data)}"})
            status = 206
        response = web.StreamResponse(status=status)
        response.content_type = "application/x-tar"
        response.content_length = len(data) - start
        response.headers["Content-Disposition"] = f'attachment; filename="{d.display_id}.tar"'
        response.headers["Accept-Ranges"] = "bytes"
        if status == 206:
            response.headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        await response.prepare(request)
        cut = service.take_cut()
        plan = BodyPlan(cut="truncate", cut_after=cut) if cut is not None else BodyPlan()
        await send_body(request, response, data[start:], plan)
        await response.write_eof()
        return response

    return [
        web.post(API_PREFIX + "/{endpoint}", api),
        web.get(DOWNLOAD_PREFIX + "/{key}", file),
    ]
