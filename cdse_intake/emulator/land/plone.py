"""Response shapes of the CLMS portal (Plone 6 with plone.restapi and clms.downloadtool).

Real: plone.restapi serialises JSON with sorted keys (every recorded answer lists its keys in
alphabetical order) and ``Content-Type: application/json``; clms.downloadtool's services answer
their errors as ``{"msg": <message>, "status": "error"}`` with the status code they set (400 for
validation), the auxiliary API (``@get-download-file-urls``) some as ``{"message": ...,
"status": "error"}``. Assumed [unverified]: the two-space indentation (plone.restapi's
``json.dumps(..., indent=2, sort_keys=True)``) and the 401 of an anonymous request to a protected
service, ``{"message": "You are not authorized to access this resource.", "type":
"Unauthorized"}`` (plone.restapi's error serialiser).
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

__all__ = ["downloadtool_error", "json_bytes", "plone_json", "token_expired", "unauthorized"]

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def plone_json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON as plone.restapi writes it: sorted keys, indented."""
    text = json.dumps(body, indent=2, sort_keys=True, separators=(",", ": "))
    # bytes, so that aiohttp adds no "; charset=utf-8" (the recorded header has none)
    return web.Response(
        body=text.encode(), status=status, content_type="application/json", headers=headers
    )


def downloadtool_error(status: int, message: str, key: str = "msg") -> web.Response:
    """clms.downloadtool's error: ``{"msg": message, "status": "error"}``."""
    return plone_json({key: message, "status": "error"}, status)


def unauthorized() -> web.Response:
    """An anonymous request to a service that needs a logged-in user."""
    body = {"message": "You are not authorized to access this resource.", "type": "Unauthorized"}
    return plone_json(body, 401)


def token_expired() -> web.Response:
    """ftw.tokenauth's answer to an expired bearer token (RFC 6750 §3.1)."""
    body = {"error": "invalid_token", "error_description": "Access token expired"}
    return json_bytes(body, 401)


def json_bytes(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """Compact JSON (as ``json.dumps`` writes it), ``Content-Type: application/json``."""
    return web.Response(
        body=json.dumps(body).encode(),
        status=status,
        content_type="application/json",
        headers=headers,
    )
