"""Response helpers shared by the emulator's services: CDSE's headers and error shapes."""

from __future__ import annotations

import math
import time
import uuid
from typing import Any

import orjson
from aiohttp import web

__all__ = [
    "BYTES_SENT",
    "CORS_HEADERS",
    "GRANT_TYPE",
    "REQUEST_ID",
    "STARTED",
    "USER",
    "bearer_token",
    "json_response",
    "odata_error",
    "request_id",
    "retry_after",
    "zipper_error",
]

#: Per-request values the services set and the request log reads.
USER = web.RequestKey("user", str)
GRANT_TYPE = web.RequestKey("grant_type", str)
BYTES_SENT = web.RequestKey("bytes_sent", int)
STARTED = web.RequestKey("started", float)
REQUEST_ID = web.RequestKey("request_id", str)

#: CORS headers the catalogue and download hosts send on every answer.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Allow-Methods": "GET, PUT, POST, DELETE, PATCH, OPTIONS",
    "Access-Control-Allow-Headers": (
        "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,"
        "Content-Type,Range,Authorization"
    ),
    "Access-Control-Max-Age": "1728000",
}


def request_id(request: web.Request) -> str:
    """The request's id (one per request, reused in the body and the ``request-id`` header)."""
    rid = request.get(REQUEST_ID)
    if rid is None:
        rid = request[REQUEST_ID] = str(uuid.uuid4())
    return rid


def json_response(
    request: web.Request,
    body: Any,
    status: int = 200,
    headers: dict[str, str] | None = None,
    *,
    catalogue_headers: bool = True,
) -> web.Response:
    """JSON with the real catalogue's header set (request-id, envoy timing, HSTS, CORS)."""
    out: dict[str, str] = {}
    if catalogue_headers:
        started = request.get(STARTED, time.perf_counter())
        out.update(
            {
                "request-id": request_id(request),
                "x-envoy-upstream-service-time": str(
                    max(1, int((time.perf_counter() - started) * 1000))
                ),
                "Strict-Transport-Security": "max-age=15724800; includeSubDomains",
                **CORS_HEADERS,
            }
        )
    if headers:
        out.update(headers)
    return web.Response(
        body=orjson.dumps(body), status=status, content_type="application/json", headers=out
    )


def odata_error(request: web.Request, status: int, message: str) -> web.Response:
    """The OData app's own error shape: ``{"detail": {"message", "request_id"}}``."""
    body = {"detail": {"message": message, "request_id": request_id(request)}}
    return json_response(request, body, status)


def zipper_error(
    request: web.Request, status: int, code: str, message: str, headers: dict | None = None
) -> web.Response:
    """The download service's error shape: ``{"code": "DAT-ZIP-...", "message": ...}``."""
    body = {"trace-id": uuid.uuid4().hex, "code": code, "message": message}
    return json_response(request, body, status, headers, catalogue_headers=False)


def retry_after(seconds: float) -> dict[str, str]:
    """A ``Retry-After`` header: whole seconds, as HTTP requires (RFC 9110 §10.2.3)."""
    return {"Retry-After": str(math.ceil(seconds))}


def bearer_token(request: web.Request) -> str | None:
    """The bearer token of the ``Authorization`` header, or of a ``token=`` query parameter."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query.get("token") or None
