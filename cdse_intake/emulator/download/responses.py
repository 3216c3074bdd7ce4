"""The download (zipper) host's headers and error answers (``reference/cdse-api.md`` §2.2, §2.3)."""

from __future__ import annotations

import secrets
import time
from typing import Any

from aiohttp import web

from ..http import CORS_HEADERS, STARTED, request_id, zipper_error
from ..http import retry_after as retry_after_header

__all__ = [
    "Problem",
    "download_headers",
    "problem_response",
    "redirect_headers",
    "status_response",
]

#: Headers a browser may read from a download answer (verbatim from the recorded answer, §2.2).
EXPOSE = "x-cf-sessionlimit-limit,x-cf-sessionlimit-remaining,Content-Disposition"


class Problem(Exception):
    """An error answer of the download service: ``{"trace-id", "code", "message"}`` JSON."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


# -- the zipper's errors (§2.3); what is not in the spec is marked [unverified] -------------------
TOKEN_NOT_FOUND = (401, "DAT-ZIP-604", "Token not found")
# The spec knows the code and "token is expired" only from client code handling it [unverified
# wording].
TOKEN_EXPIRED = (401, "DAT-ZIP-109", "Token is expired")
# A token that fails verification (bad signature, foreign audience, ended session): the 60x codes
# are the zipper's token family (604 not found, 609 audience not allowed); 603 is [unverified].
TOKEN_INVALID = (401, "DAT-ZIP-603", "Token is invalid")
SESSION_LIMIT = (429, "DAT-ZIP-100", "Max session number exceeded")
# A token of an OAuth service client (sh-…, client credentials): verbatim from user reports (§2.3).
AUDIENCE_NOT_ALLOWED = (401, "DAT-ZIP-609", "Token audience not allowed")
# An id that is a UUID but no product: 404 with a zipper code chosen here [unverified].
PRODUCT_NOT_FOUND = (404, "DAT-ZIP-106", "Product not found")
# No stored objects to deliver: reported verbatim for products the store does not hold (404
# DAT-ZIP-915 "No objects to stream", fadeoutsoftware/WASDI issue #801, 2026). The emulator answers
# it for offline (Online: false) and metadata-only products, whose $value answer the spec leaves
# open (§2.3, §9 question 3) [unverified for offline products].
NO_OBJECTS = (404, "DAT-ZIP-915", "No objects to stream")
# A Nodes path naming no node of the product [unverified code].
NODE_NOT_FOUND = (404, "DAT-ZIP-107", "Node not found")
# Quoted node names (``Nodes('GRANULE')``) and any other path it cannot parse; the report says
# "400/422", 400 is chosen [unverified].
MALFORMED_PATH = (400, "DAT-ZIP-104", "Malformed OData request path")
# §2.3 has the code; the message is [unverified].
BAD_UUID = (422, "DAT-ZIP-111", "Invalid UUID format")


def _envoy_time(request: web.Request) -> str:
    started = request.get(STARTED, time.perf_counter())
    return str(max(1, int((time.perf_counter() - started) * 1000)))


def download_headers(request: web.Request) -> dict[str, str]:
    """Headers of every download-host answer: W3C trace context, envoy timing, HSTS, CORS."""
    return {
        "Strict-Transport-Security": "max-age=15724800; includeSubDomains",
        **CORS_HEADERS,
        "Access-Control-Expose-Headers": EXPOSE,
        "traceparent": f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-00",
        "vary": "Origin",
        "x-envoy-upstream-service-time": _envoy_time(request),
    }


def redirect_headers(request: web.Request, location: str) -> dict[str, str]:
    """The catalogue host's headers on its 301 to the download host (§2.1)."""
    return {
        "Location": location,
        "request-id": request_id(request),
        "x-envoy-upstream-service-time": _envoy_time(request),
        "Strict-Transport-Security": "max-age=15724800; includeSubDomains",
        **CORS_HEADERS,
    }


def problem_response(request: web.Request, problem: Problem) -> web.Response:
    """The zipper's JSON error, with the download host's header set."""
    headers: dict[str, Any] = {**download_headers(request), **problem.headers}
    return zipper_error(request, problem.status, problem.code, problem.message, headers)


#: What envoy, in front of the zipper, answers when the upstream is overloaded or down.
ENVOY_BODY = "upstream connect error or disconnect/reset before headers. reset reason: overflow"


def status_response(request: web.Request, status: int, retry_after: float | None) -> web.Response:
    """A "status" fault's answer: the zipper's DAT-ZIP-100 JSON for 429, else envoy's text.

    The 5xx bodies are envoy's usual wording [unverified for CDSE]; ``Retry-After`` is sent in
    seconds (fractions kept, for fast tests) when the fault sets it.
    """
    headers = retry_after_header(retry_after) if retry_after is not None else {}
    if status == 429:
        return problem_response(request, Problem(*SESSION_LIMIT, headers=headers))
    if status >= 500:
        return web.Response(
            status=status,
            text=ENVOY_BODY,
            headers={**download_headers(request), **headers},
        )
    reason = web.Response(status=status).reason
    return problem_response(request, Problem(status, f"DAT-ZIP-{status}", reason, headers))
