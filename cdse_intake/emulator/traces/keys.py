"""The emulator's trace-signing keys: a small CA (root -> signing certificate), ECDSA P-256.

Real CDSE traces carry the signer's certificate (RSA-SHA256 in live traces); which CA issues it
is not published, so the emulator makes its own: a root, made once per emulator (a few
milliseconds), whose PEM a client is given as its trust root (``CDSE_TRACE_ROOTS``), and a
signing certificate it issues. A second, foreign CA signs the traces of the ``trace_foreign``
fault: a valid signature by a certificate the client's root did not issue.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["Signer", "TraceKeys"]

#: Validity of every certificate: wide enough for any product date of the catalogue.
NOT_BEFORE = datetime(2000, 1, 1, tzinfo=UTC)
NOT_AFTER = datetime(2100, 1, 1, tzinfo=UTC)


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CDSE emulator"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: str,
    issuer_key: ec.EllipticCurvePrivateKey,
    ca: bool,
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


class Signer:
    """A CA and the signing certificate it issued."""

    def __init__(self, label: str) -> None:
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        root_name = f"{label} trace root"
        self.root = _certificate(root_name, self.root_key, root_name, self.root_key, ca=True)
        self._key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(f"{label} trace signing", self._key, root_name, self.root_key, False)
        self.certificate_der = cert.public_bytes(serialization.Encoding.DER)

    def sign(self, message: bytes) -> bytes:
        """The DER ECDSA-SHA256 signature of ``message``."""
        return self._key.sign(message, ec.ECDSA(hashes.SHA256()))


class TraceKeys:
    """The emulator's signer, a foreign one made on first use, and the root's PEM file."""

    def __init__(self) -> None:
        self.signer = Signer("CDSE emulator")
        self._foreign: Signer | None = None
        self._folder: Path | None = None
        self._lock = threading.Lock()

    @property
    def foreign(self) -> Signer:
        with self._lock:
            if self._foreign is None:
                self._foreign = Signer("Foreign")
            return self._foreign

    @property
    def root_pem(self) -> bytes:
        return self.signer.root.public_bytes(serialization.Encoding.PEM)

    def root_path(self) -> Path:
        """A PEM file of the root (written on first use, removed by :meth:`close`)."""
        with self._lock:
            if self._folder is None or not self._folder.exists():
                self._folder = Path(tempfile.mkdtemp(prefix="cdse-trace-"))
                (self._folder / "trace-root.pem").write_bytes(self.root_pem)
            return self._folder / "trace-root.pem"

    def close(self) -> None:
        with self._lock:
            if self._folder is not None:
                shutil.rmtree(self._folder, ignore_errors=True)
                self._folder = None
