"""A file judged against its traces: the hash, the signature, the certificate chain.

Each trace is checked as trace-cli (``eu-cdse/trace-cli``, ``traceability.go`` ``ValidateTrace``)
checks it, and more strictly: the file's digest by the trace's algorithm must be the trace's
``product.hash``; the signature must verify over ``signature.message`` with the public key of
``signature.certificate``; the message must say the same hash (and name, size, event when it
says them) as the trace, or a valid signature over another product's message would vouch for
this one; and, when trust roots are given, the certificate must be issued by one of them (or be
one of them) and valid at the trace's timestamp. trace-cli does not check the chain at all.

CDSE's keys: live traces are signed ``RSA-SHA256`` with a certificate each trace carries. Which
CA issues those certificates is not published in CDSE's documentation that we found, so no root
is built in: without ``trust_roots`` the chain is not checked and a trace whose signature and
hash check out is ``unanchored`` (its authenticity rests on the HTTPS connection to
``trace.dataspace.copernicus.eu``), not ``verified``. Pass the CA's PEM (``trust_roots=``; the
CLI's ``--trust-roots``, default ``$CDSE_TRACE_ROOTS``) to anchor it; the emulator exports its
own root's PEM file there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from .trace_crypto import check_chain, check_signature, load_trust_roots
from .trace_records import Trace

__all__ = [
    "TRACE_FAILURES",
    "TRACE_VERDICTS",
    "TraceCheck",
    "check_chain",
    "check_signature",
    "judge",
    "load_trust_roots",
]

TRACE_VERDICTS = (
    "verified",  # hash, signature and chain (to a trusted root) check out
    "unanchored",  # hash and signature check out; no trusted root was given for the chain
    "hash mismatch",  # the file's digest is none of the traced ones: changed since
    "bad signature",  # a trace of this digest, but its signature fails or contradicts it
    "untrusted chain",  # a valid signature by a certificate no trusted root issued
    "unsigned",  # a trace of this digest without a signature
    "no trace",  # the service has no trace of the product
    "obsolete",  # a verified OBSOLETE trace: no longer recommended for use
    "deleted",  # the latest verified trace is a DELETE
    "unavailable",  # the service could not be asked (unreachable, malformed answer)
)
#: Verdicts that mean the file or its record cannot be trusted.
TRACE_FAILURES = frozenset({"hash mismatch", "bad signature", "untrusted chain", "unsigned"})


@dataclass(frozen=True)
class TraceCheck:
    """A file's verdict against the traces of its product name."""

    name: str
    """The trace name asked (``<Name>.SAFE.zip``)."""
    verdict: str
    """One of :data:`TRACE_VERDICTS`."""
    detail: str
    """The verdict in words."""
    event: str | None = None
    timestamp: datetime | None = None
    origin: str | None = None
    hash_algorithm: str | None = None
    expected: str | None = None
    """The traced digest (of the trace the verdict is about)."""
    actual: str | None = None
    """The file's digest."""
    signer: str | None = None
    """The signing certificate's subject."""
    obsolescence: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the file is the traced one with a valid signature (anchored or not)."""
        return self.verdict in ("verified", "unanchored")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["timestamp"] = self.timestamp.isoformat() if self.timestamp else None
        return out


def _subject(cert: Any) -> str | None:
    return cert.subject.rfc4514_string()[:200] if cert is not None else None


def _one(trace: Trace, roots: Sequence[Any] | None) -> tuple[str, str, Any]:
    """``(verdict, why, certificate)`` of one trace whose digest is the file's."""
    if trace.signature is None:
        return "unsigned", "the trace is not signed", None
    problem, cert = check_signature(trace)
    if problem:
        return "bad signature", problem, cert
    if roots is None:
        return "unanchored", "no trusted root was given to check the certificate", cert
    problem = check_chain(cert, roots, trace.timestamp)
    if problem:
        return "untrusted chain", problem, cert
    return "verified", "signed by a certificate of a trusted root", cert


_RANK = {"verified": 0, "unanchored": 0, "untrusted chain": 1, "bad signature": 2, "unsigned": 3}


def judge(
    name: str,
    traces: Iterable[Trace],
    digest: Callable[[str], str],
    roots: Sequence[Any] | None,
) -> TraceCheck:
    """The verdict of a file (``digest(algorithm)``: its hex digest) against ``name``'s traces.

    ``roots``: trusted certificates (None: the chain is not checked, at best ``unanchored``).
    """
    own = [t for t in traces if t.name == name]
    if not own:
        return TraceCheck(name, "no trace", "the trace service has no trace of this product")
    own.sort(key=lambda t: (t.timestamp is None, t.timestamp))
    digests = {a: digest(a) for a in {t.hash_algorithm for t in own}}
    matching = [t for t in own if digests[t.hash_algorithm] == t.hash]
    if not matching:
        shown = next((t for t in reversed(own) if t.event in ("CREATE", "COPY")), own[-1])
        return TraceCheck(
            name, "hash mismatch",
            f"the file's {shown.hash_algorithm} is not the traced one: changed since it was traced",
            event=shown.event, timestamp=shown.timestamp, origin=shown.origin,
            hash_algorithm=shown.hash_algorithm, expected=shown.hash,
            actual=digests[shown.hash_algorithm],
        )  # fmt: skip
    judged = [(t, *_one(t, roots)) for t in matching]
    good = [(t, v, cert) for t, v, _, cert in judged if v in ("verified", "unanchored")]
    if not good:
        trace, verdict, why, cert = min(judged, key=lambda j: _RANK[j[1]])
        return _check(name, trace, verdict, why, cert, digests)
    obsolete = [g for g in good if g[0].event == "OBSOLETE"]
    trace, verdict, cert = obsolete[-1] if obsolete else good[-1]
    if trace.event == "OBSOLETE":
        why = f"obsolete since {_day(trace)}: {trace.obsolescence or 'no reason given'}"
        return _check(name, trace, "obsolete", why, cert, digests)
    if trace.event == "DELETE":
        return _check(name, trace, "deleted", f"deleted on {_day(trace)}", cert, digests)
    why = "the file is the traced one; " + (
        "signed by a certificate of a trusted root"
        if verdict == "verified"
        else "signature valid, certificate not checked (no trusted root given)"
    )
    return _check(name, trace, verdict, why, cert, digests)


def _day(trace: Trace) -> str:
    return trace.timestamp.strftime("%Y-%m-%d") if trace.timestamp else "an unknown date"


def _check(
    name: str, trace: Trace, verdict: str, why: str, cert: Any, digests: dict[str, str]
) -> TraceCheck:
    return TraceCheck(
        name,
        verdict,
        why,
        event=trace.event,
        timestamp=trace.timestamp,
        origin=trace.origin,
        hash_algorithm=trace.hash_algorithm,
        expected=trace.hash,
        actual=digests.get(trace.hash_algorithm),
        signer=_subject(cert),
        obsolescence=trace.obsolescence,
    )
