"""The cryptography of traces: trust roots read, a signature verified, a chain checked.

See :mod:`.trace_verify` for what is checked and why; this module needs the ``cryptography``
package (the ``clms`` and ``emulator`` extras install it), imported when first used.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError
from .trace_records import Trace

__all__ = ["check_chain", "check_signature", "load_trust_roots"]

_MAX_ROOTS_BYTES = 1 << 20


def _crypto() -> Any:
    try:
        from cryptography import x509
    except ImportError as err:  # pragma: no cover - installed with the clms/emulator extras
        raise ImportError(
            "verifying trace signatures needs the cryptography package: "
            "pip install 'cdse-intake[clms]' (or cryptography>=42)"
        ) from err
    return x509


def load_trust_roots(source: Any) -> tuple[Any, ...]:
    """X.509 certificates to anchor trace signatures: a PEM file's path, PEM text or bytes,
    a certificate, or a sequence of these. Anything else is a ConfigurationError naming it."""
    x509 = _crypto()
    if source is None:
        return ()
    if isinstance(source, x509.Certificate):
        return (source,)
    if isinstance(source, (list, tuple)):
        return tuple(cert for item in source for cert in load_trust_roots(item))
    if isinstance(source, str) and "-----BEGIN" in source:
        data, where = source.encode("ascii", "replace"), "the PEM text given"
    elif isinstance(source, bytes):
        data, where = source, "the PEM bytes given"
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        try:
            with path.open("rb") as fh:
                data = fh.read(_MAX_ROOTS_BYTES + 1)
        except OSError as err:
            raise ConfigurationError(
                f"trust_roots={str(source)!r} cannot be read ({err.strerror or err}); expected "
                "a PEM file of X.509 CA certificates"
            ) from None
        if len(data) > _MAX_ROOTS_BYTES:
            raise ConfigurationError(
                f"trust_roots={str(source)!r} is larger than {_MAX_ROOTS_BYTES} bytes; expected "
                "a PEM file of X.509 CA certificates"
            )
        where = f"trust_roots={str(source)!r}"
    else:
        raise ConfigurationError(
            f"trust_roots={source!r} is not usable; expected a PEM file path, PEM text or bytes, "
            "an x509.Certificate or a list of them"
        )
    try:
        certs = tuple(x509.load_pem_x509_certificates(data))
    except ValueError:
        certs = ()
    if not certs:
        raise ConfigurationError(f"{where} holds no PEM certificate; expected X.509 certificates")
    return certs


def _verify_raw(cert: Any, algorithm: str, signature: bytes, message: bytes) -> str | None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    key = cert.public_key()
    try:
        if algorithm == "RSA-SHA256" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        elif algorithm == "ECDSA-SHA256" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        else:
            kind = type(key).__name__.lstrip("_")
            return f"signature algorithm {algorithm!r} does not fit the certificate's {kind} key"
    except InvalidSignature:
        return "the signature does not verify over the signed message"
    return None


def _message_disagrees(trace: Trace) -> str | None:
    """What the signed message says differently from the trace (None: it agrees)."""
    assert trace.signature is not None
    try:
        said = json.loads(trace.signature.message)
    except ValueError:
        return "the signed message is not JSON"
    if not isinstance(said, dict):
        return "the signed message is not a JSON object"
    if str(said.get("hash", "")).lower() != trace.hash:
        return f"the signed message's hash {str(said.get('hash'))[:80]!r} is not the trace's"
    for key, value in (("name", trace.name), ("size", trace.size), ("event", trace.event)):
        if key in said and value is not None and said[key] != value:
            return f"the signed message's {key} {str(said[key])[:80]!r} is not the trace's"
    return None


def check_signature(trace: Trace) -> tuple[str | None, Any]:
    """``(problem, certificate)``: None when the trace's signature verifies and agrees."""
    x509 = _crypto()
    assert trace.signature is not None
    try:
        cert = x509.load_der_x509_certificate(trace.signature.certificate)
    except ValueError:
        return "the signing certificate is not a DER X.509 certificate", None
    sig = trace.signature
    problem = _verify_raw(cert, sig.algorithm, sig.signature, sig.message.encode("utf-8"))
    return problem or _message_disagrees(trace), cert


def _valid_at(cert: Any, when: datetime) -> bool:
    return cert.not_valid_before_utc <= when <= cert.not_valid_after_utc


def check_chain(cert: Any, roots: Sequence[Any], when: datetime | None) -> str | None:
    """None when ``cert`` is one of ``roots`` or directly issued by a CA among them, both valid
    at ``when`` (the trace's timestamp; now if it has none); else why not."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.x509 import BasicConstraints, ExtensionNotFound

    at = when.astimezone(UTC) if when and when.tzinfo else when or datetime.now(UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if not _valid_at(cert, at):
        return f"the signing certificate is not valid at {at:%Y-%m-%d %H:%M:%S}Z"
    for root in roots:
        if root == cert:
            return None
        try:
            cert.verify_directly_issued_by(root)  # issuer name and signature
            is_ca = root.extensions.get_extension_for_class(BasicConstraints).value.ca
        except (ValueError, TypeError, InvalidSignature, ExtensionNotFound):
            is_ca = False  # another issuer, a forged certificate, a key type, not a CA
        if is_ca and _valid_at(root, at):
            return None
    subject = cert.subject.rfc4514_string()[:120]
    return f"the signing certificate ({subject}) is not issued by a trusted root"
