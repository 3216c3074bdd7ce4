"""The Traceability Service on loopback: ``<trace>/v1/traces/name/<name>`` and ``/status``.

As documented (the service's OpenAPI v1, ``eu-cdse/trace-cli`` ``api-spec/``): the answer for a
name is a JSON array of traces, each ``{"id", "event", "obsolescence", "hash_algorithm",
"timestamp", "origin", "product": {"name", "hash", "size"}, "signature": {"algorithm",
"signature", "certificate", "message"}}``, the signature base64 over ``message`` (the compact
JSON of the product and the event, as trace-cli signs it), the certificate base64 DER.

The emulator's choices (inferred, not documented): a product ``<Name>`` is traced as
``<Name>.zip`` (as CDSE's STAC ``version-history`` links say), a single-file product under its
own name; a live product has a ``CREATE`` trace (at its origin date) and a ``COPY`` trace (at
its publication, origin ``cdse_csc``, as live CDSE traces show); a deleted one also an
``OBSOLETE`` trace (cause "Obsolete product or Other", with the newer processing's name when
there is one) or a ``DELETE`` trace (any other cause), at its deletion date. A name with no
trace answers 404 ``{"detail": ...}`` (FastAPI's shape). The hash is the product's BLAKE3 as
the catalogue lists it (computed once per product, never per request). Signatures are ECDSA
P-256 by the emulator's own CA (:mod:`.keys`).

Faults (``emu.faults.add(kind, product=<id or name>)``): ``trace_signature`` (a signature
that does not verify), ``trace_hash`` (a consistently signed trace of other bytes),
``trace_foreign`` (signed under a CA the client does not trust), ``trace_huge`` (an endless
answer, :data:`HUGE_BYTES`), and ``status`` with product ``"trace"`` (an error answer).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import web

from ..deleted import OBSOLETE, deleted_for
from .keys import Signer, TraceKeys

__all__ = ["HUGE_BYTES", "routes", "trace_name"]

#: How much a ``trace_huge`` answer sends (more than any client should accept).
HUGE_BYTES = 64 << 20
_SINGLE_FILE = (".nc", ".nc4", ".tif", ".tiff", ".eof", ".n1", ".e1", ".e2", ".hdf", ".h5",
                ".he5", ".grib", ".grib2", ".grb", ".grb2", ".jp2", ".zip", ".tar", ".tgz",
                ".gz", ".json")  # fmt: skip
_NAMESPACE = uuid.UUID("6d1c3f0e-6a55-4e0b-9d1c-3a7f6b2d8e10")


def trace_name(product_name: str) -> str:
    """The name the product ``product_name`` is traced under."""
    return product_name if product_name.lower().endswith(_SINGLE_FILE) else f"{product_name}.zip"


def _iso(when: datetime) -> str:
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class TraceService:
    """Builds and signs the traces of the emulator's products."""

    def __init__(self, ctx: Any, keys: TraceKeys) -> None:
        self.ctx = ctx
        self.keys = keys

    def find(self, name: str) -> tuple[Any, Any]:
        """``(entry, deletion)`` of the product traced as ``name`` (``(None, None)``: none)."""
        for candidate in (name.removesuffix(".zip"), name):
            entry = self.ctx.catalogue.by_name.get(candidate)
            if entry is not None and trace_name(entry.name) == name:
                return entry, None
            state = deleted_for(self.ctx.catalogue).state
            gone = state.catalogue.by_name.get(candidate)
            if gone is not None and trace_name(gone.name) == name:
                return gone, state.deletions.get(gone.id)
        return None, None

    def traces(self, name: str) -> list[dict[str, Any]] | None:
        entry, deletion = self.find(name)
        if entry is None or not entry.blake3:
            return None  # unknown, or a product without checksum: never traced
        faults = self.ctx.faults
        keys = (entry.id, entry.name, name)
        digest = entry.blake3
        if faults.take("trace_hash", *keys):
            digest = _other(digest)
        signer = self.keys.foreign if faults.take("trace_foreign", *keys) else self.keys.signer
        broken = faults.take("trace_signature", *keys) is not None
        product = {"name": name, "hash": digest, "size": entry.content_length}
        events: list[tuple[str, datetime, str, str | None]] = [
            ("CREATE", entry.origin, "production@cdse-emulator.local", None),
            ("COPY", entry.publication, "cdse_csc@cdse-emulator.local", None),
        ]
        if deletion is not None:
            if deletion.cause == OBSOLETE:
                newer = self.ctx.catalogue.by_id.get(deletion.replaced_by or "")
                reason = f"replaced by {newer.name}" if newer is not None else deletion.cause
                events.append(("OBSOLETE", deletion.date, "cdse_csc@cdse-emulator.local", reason))
            else:
                events.append(("DELETE", deletion.date, "cdse_csc@cdse-emulator.local", None))
        return [
            _trace(entry.id, product, event, when, origin, reason, signer, broken)
            for event, when, origin, reason in events
        ]


def _other(digest: str) -> str:
    """Another digest of the same length (the trace of other bytes)."""
    return hashlib.sha256(f"other:{digest}".encode()).hexdigest()[: len(digest)]


def _trace(
    product_id: str,
    product: dict[str, Any],
    event: str,
    when: datetime,
    origin: str,
    reason: str | None,
    signer: Signer,
    broken: bool,
) -> dict[str, Any]:
    message = orjson.dumps({**product, "event": event})
    signature = signer.sign(message)
    if broken:  # a signature over other bytes
        signature = signer.sign(message + b" ")
    return {
        "id": str(uuid.uuid5(_NAMESPACE, f"{product_id}:{event}")),
        "product": product,
        "event": event,
        "obsolescence": reason,
        "hash_algorithm": "BLAKE3",
        "signature": {
            "signature": base64.b64encode(signature).decode(),
            "algorithm": "ECDSA-SHA256",
            "certificate": base64.b64encode(signer.certificate_der).decode(),
            "message": message.decode(),
        },
        "timestamp": _iso(when),
        "origin": origin,
    }


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(body), status=status, content_type="application/json")


async def _huge(request: web.Request) -> web.StreamResponse:
    """An answer of :data:`HUGE_BYTES` (no Content-Length): a client must stop reading."""
    response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
    await response.prepare(request)
    chunk = b'{"padding": "' + b"x" * (1 << 16) + b'"},'
    await response.write(b"[")
    sent = 1
    while sent < HUGE_BYTES:
        await response.write(chunk)
        sent += len(chunk)
    await response.write(b"{}]")
    return response


def routes(ctx: Any, keys: TraceKeys) -> list[web.RouteDef]:
    service = TraceService(ctx, keys)

    async def by_name(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        fault = ctx.faults.take("status", "trace", targeted=True)
        if fault is not None:
            headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after else None
            return web.Response(
                body=orjson.dumps({"detail": "Service unavailable"}),
                status=fault.status,
                content_type="application/json",
                headers=headers,
            )
        entry, _ = await asyncio.to_thread(service.find, name)
        keys = (name, *((entry.id, entry.name) if entry is not None else ()))
        if ctx.faults.take("trace_huge", *keys):
            return await _huge(request)
        found = await asyncio.to_thread(service.traces, name)
        if not found:
            return _json({"detail": f"No traces found for product name '{name}'."}, 404)
        return _json(found)

    async def status(request: web.Request) -> web.Response:
        return _json({"status": "ok", "service": "Traceability Service (CDSE emulator)"})

    return [
        web.get("/v1/traces/name/{name:.+}", by_name, allow_head=False),
        web.get("/status", status, allow_head=False),
    ]
