"""The records of CDSE's Traceability Service, parsed strictly into frozen dataclasses.

What is documented (the service's OpenAPI, "Traceability Service - Copernicus Data Space
Ecosystem - v1", 1.11.x, as kept in ``eu-cdse/trace-cli`` ``api-spec/``; the CDSE documentation
page ``APIs/Traceability``):

- ``GET <trace>/v1/traces/name/<productname>`` answers a JSON **array** of traces ("up to 50");
  a trace is ``{"id", "event", "obsolescence", "hash_algorithm", "timestamp", "origin",
  "product": {"name", "hash", "size", "contents": [{"path", "hash"}] | null, "inputs": [...]},
  "signature": {"algorithm", "signature", "certificate", "message"}}``.
- ``event`` is one of ``CREATE`` (a new product), ``COPY`` (copied to a new location),
  ``DELETE`` (removed from a location), ``OBSOLETE`` ("no longer recommended for use", with the
  reason in ``obsolescence``).
- ``hash_algorithm``: ``BLAKE3`` (what CDSE uses), ``SHA256`` or ``SHA3`` (trace-cli's choices);
  hashes are lowercase hex.
- ``signature.signature`` and ``signature.certificate`` are base64; the certificate is the
  signer's X.509 certificate in DER. ``signature.message`` is the exact text that was signed: the
  compact JSON of the product (and, in trace-cli's later versions, the event), UTF-8.
  ``signature.algorithm`` is ``RSA-SHA256`` or ``ECDSA-SHA256`` (trace-cli signs with either;
  live CDSE traces say ``RSA-SHA256``).

Inferred, not documented: an unknown name answers ``[]`` or 404 (trace-cli treats a 404 of the
hash search as "no traces"; both are read as "no trace" here); the trace of an OData product
``<Name>`` is registered as ``<Name>.zip`` (CDSE's STAC items link ``version-history`` to
``.../traces/name/<Name>.SAFE.zip``).

A record that breaks this shape is a :class:`~cdse_intake.errors.ServiceError` naming the field
and what was expected: a hostile or broken server cannot slip a half-read trace through.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import ServiceError

__all__ = [
    "EVENTS",
    "HASH_ALGORITHMS",
    "MAX_TRACES",
    "SIGNATURE_ALGORITHMS",
    "Trace",
    "TraceSignature",
    "parse_trace",
    "parse_traces",
]

EVENTS = ("CREATE", "COPY", "DELETE", "OBSOLETE")
HASH_ALGORITHMS = ("BLAKE3", "SHA256", "SHA3")
SIGNATURE_ALGORITHMS = ("RSA-SHA256", "ECDSA-SHA256")
#: Most traces accepted for one name (the service documents "up to 50"): more is refused.
MAX_TRACES = 50
#: Longest signed message, certificate and signature accepted (a trace listing a product's
#: ~100 files is a few tens of kB).
MAX_MESSAGE_CHARS = 1 << 20
MAX_CERTIFICATE_BYTES = 16 << 10
MAX_SIGNATURE_BYTES = 1 << 10
_HEX = re.compile(r"[0-9a-f]{8,256}")


@dataclass(frozen=True)
class TraceSignature:
    """A trace's signature: ``signature`` over ``message`` (UTF-8) by ``certificate`` (DER)."""

    algorithm: str
    signature: bytes
    certificate: bytes
    message: str


@dataclass(frozen=True)
class Trace:
    """One trace of a product: an event of its life, signed by its origin."""

    id: str
    name: str
    """The traced file's name (``<Name>.SAFE.zip``)."""
    event: str
    """One of :data:`EVENTS`."""
    hash_algorithm: str
    hash: str
    """Lowercase hex digest of the file, by :attr:`hash_algorithm`."""
    size: int | None
    timestamp: datetime | None
    """When the trace was registered."""
    origin: str
    obsolescence: str | None
    """Why the product is obsolete (``OBSOLETE`` traces)."""
    signature: TraceSignature | None
    """None: the trace is not signed."""


def _fail(where: str, what: str, value: Any) -> ServiceError:
    shown = repr(value)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return ServiceError(f"the trace service answered a malformed trace: {where} is {shown}; "
                        f"expected {what}")  # fmt: skip


def _text(record: dict[str, Any], key: str, where: str, *, limit: int = 1024) -> str:
    value = record.get(key)
    if not isinstance(value, str) or len(value) > limit:
        raise _fail(f"{where}.{key}", f"a string of at most {limit} characters", value)
    return value


def _b64(value: Any, where: str, limit: int) -> bytes:
    if not isinstance(value, str) or len(value) > 2 * limit:
        raise _fail(where, f"base64 text of at most {limit} bytes", value)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _fail(where, "base64 text", value) from None


def _signature(value: Any) -> TraceSignature | None:
    if value is None or (isinstance(value, dict) and not value.get("signature")):
        return None  # unsigned (trace-cli registers such traces with an empty signature)
    if not isinstance(value, dict):
        raise _fail("signature", "an object with signature, algorithm, certificate, message", value)
    return TraceSignature(
        algorithm=_text(value, "algorithm", "signature", limit=64),
        signature=_b64(value.get("signature"), "signature.signature", MAX_SIGNATURE_BYTES),
        certificate=_b64(value.get("certificate"), "signature.certificate", MAX_CERTIFICATE_BYTES),
        message=_text(value, "message", "signature", limit=MAX_MESSAGE_CHARS),
    )


def _timestamp(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise _fail("timestamp", "an ISO 8601 date-time", value)
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _fail("timestamp", "an ISO 8601 date-time", value) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)  # no zone: UTC, as CDSE writes


def parse_trace(record: Any) -> Trace:
    """One trace record, checked field by field."""
    if not isinstance(record, dict):
        raise _fail("a trace", "a JSON object", record)
    product = record.get("product")
    if not isinstance(product, dict):
        raise _fail("product", "an object with name, hash and size", product)
    event = record.get("event")
    if event not in EVENTS:
        raise _fail("event", f"one of {', '.join(EVENTS)}", event)
    algorithm = record.get("hash_algorithm")
    if not isinstance(algorithm, str) or algorithm.upper() not in HASH_ALGORITHMS:
        raise _fail("hash_algorithm", f"one of {', '.join(HASH_ALGORITHMS)}", algorithm)
    digest = product.get("hash")
    if not isinstance(digest, str) or not _HEX.fullmatch(digest.lower()):
        raise _fail("product.hash", "a hexadecimal digest", digest)
    size = product.get("size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise _fail("product.size", "a whole number of bytes", size)
    obsolescence = record.get("obsolescence")
    if obsolescence is not None and not isinstance(obsolescence, str):
        raise _fail("obsolescence", "a string or null", obsolescence)
    origin = record.get("origin", "")
    return Trace(
        id=str(record.get("id", ""))[:128],
        name=_text(product, "name", "product"),
        event=event,
        hash_algorithm=algorithm.upper(),
        hash=digest.lower(),
        size=size,
        timestamp=_timestamp(record.get("timestamp")),
        origin=origin[:256] if isinstance(origin, str) else "",
        obsolescence=obsolescence[:1024] if obsolescence else None,
        signature=_signature(record.get("signature")),
    )


def parse_traces(body: Any, name: str) -> list[Trace]:
    """The traces of an answer for ``name``: a list of at most :data:`MAX_TRACES` records."""
    if not isinstance(body, list):
        raise _fail(f"the answer for {name!r}", "a JSON array of traces", body)
    if len(body) > MAX_TRACES:
        raise ServiceError(
            f"the trace service answered {len(body)} traces for {name!r}; at most {MAX_TRACES} "
            "are accepted (the service documents up to 50): refused"
        )
    return [parse_trace(record) for record in body]
