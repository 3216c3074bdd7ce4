"""The emulated Traceability Service over HTTP, checked without the client: the traces of a
live, a deleted and a replaced product, their signatures under the exported root, the 404 of an
unknown name, and each fault. A small private emulator (the session one takes ~20 s to start,
more than this file may take alone)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from cdse_intake.emulator import Emulator
from cdse_intake.emulator.traces import HUGE_BYTES


@pytest.fixture(scope="module")
def _private() -> Iterator[Emulator]:
    emu = Emulator(scale=0.02, s3=False).start()
    yield emu
    emu.stop()


@pytest.fixture
def service(_private: Emulator) -> Iterator[Emulator]:
    """The module's emulator with no faults."""
    _private.faults.clear()
    yield _private
    _private.faults.clear()


def get(url: str, limit: int | None = None) -> tuple[int, dict, object]:
    try:
        with urllib.request.urlopen(url, timeout=20) as resp:
            raw = resp.read(limit) if limit else resp.read()
            return resp.status, dict(resp.headers), raw if limit else json.loads(raw)
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.loads(err.read())


def traces_of(emu, name: str) -> tuple[int, object]:
    status, _, body = get(f"{emu.endpoints.trace}/v1/traces/name/{name}")
    return status, body


def s2(emu, n: int = 1) -> list:
    return [e for e in emu.catalogue.materialised if e.name.endswith(".SAFE")][:n]


def verify(trace: dict, root: x509.Certificate) -> bool:
    """The trace's signature and its certificate's issuer, checked with cryptography alone."""
    sig = trace["signature"]
    cert = x509.load_der_x509_certificate(base64.b64decode(sig["certificate"]))
    try:
        cert.verify_directly_issued_by(root)
        cert.public_key().verify(
            base64.b64decode(sig["signature"]), sig["message"].encode(), ec.ECDSA(hashes.SHA256())
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def root_of(emu) -> x509.Certificate:
    return x509.load_pem_x509_certificate(Path(emu.env()["CDSE_TRACE_ROOTS"]).read_bytes())


def test_a_live_product_has_signed_create_and_copy_traces(service):
    (entry,) = s2(service)
    status, body = traces_of(service, f"{entry.name}.zip")
    assert status == 200 and [t["event"] for t in body] == ["CREATE", "COPY"]
    root = root_of(service)
    for trace in body:
        assert trace["product"] == {
            "name": f"{entry.name}.zip", "hash": entry.blake3, "size": entry.content_length
        }  # fmt: skip
        assert trace["hash_algorithm"] == "BLAKE3" and trace["obsolescence"] is None
        assert trace["signature"]["algorithm"] == "ECDSA-SHA256"
        said = json.loads(trace["signature"]["message"])
        assert said == {**trace["product"], "event": trace["event"]}
        assert verify(trace, root)
        assert trace["timestamp"].endswith("Z") and trace["id"]
    assert body[0]["id"] != body[1]["id"]
    assert traces_of(service, f"{entry.name}.zip")[1][0]["id"] == body[0]["id"]  # stable


def test_an_unknown_name_answers_404(service):
    (entry,) = s2(service)
    for name in ("S2A_NOTHING.SAFE.zip", entry.name, f"{entry.name}.zip.zip", "x"):
        status, body = traces_of(service, name)
        assert status == 404 and "No traces found" in body["detail"], name


def test_the_status_endpoint_and_the_exported_settings(service):
    status, _, body = get(f"{service.endpoints.trace}/status")
    assert status == 200 and body["status"] == "ok"
    env = service.env()
    assert env["CDSE_TRACE_URL"] == service.endpoints.trace
    root = root_of(service)
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_deleted_and_replaced_products_get_delete_and_obsolete_traces(cdse_emulator_factory):
    emu = cdse_emulator_factory(scale=0.02)
    gone, old = s2(emu, 2)
    emu.delete_product(gone.id, cause="Corrupted product")
    newer = emu.reprocess_product(old.id)
    status, body = traces_of(emu, f"{gone.name}.zip")
    assert status == 200 and [t["event"] for t in body] == ["CREATE", "COPY", "DELETE"]
    status, body = traces_of(emu, f"{old.name}.zip")
    assert [t["event"] for t in body] == ["CREATE", "COPY", "OBSOLETE"]
    assert body[-1]["obsolescence"] == f"replaced by {newer.name}"
    assert all(verify(t, root_of(emu)) for t in body)
    assert [t["event"] for t in traces_of(emu, f"{newer.name}.zip")[1]] == ["CREATE", "COPY"]
    path = Path(emu.env()["CDSE_TRACE_ROOTS"])
    emu.stop()
    assert not path.exists()  # the root's file goes with the emulator


@pytest.mark.parametrize("kind", ["trace_signature", "trace_hash", "trace_foreign"])
def test_each_signing_fault(service, kind):
    (entry,) = s2(service)
    service.faults.add(kind, product=entry.id, times=None)
    _, body = traces_of(service, f"{entry.name}.zip")
    root = root_of(service)
    trace = body[0]
    if kind == "trace_hash":  # a consistent trace, of other bytes
        assert trace["product"]["hash"] != entry.blake3 and verify(trace, root)
        assert json.loads(trace["signature"]["message"])["hash"] == trace["product"]["hash"]
    else:
        assert trace["product"]["hash"] == entry.blake3 and not verify(trace, root)
    (other,) = [e for e in service.catalogue.materialised if e.name.endswith(".SAFE")][1:2]
    assert all(verify(t, root) for t in traces_of(service, f"{other.name}.zip")[1])


def test_error_and_endless_answers(service):
    (entry,) = s2(service)
    service.faults.add("status", product="trace", status=503, retry_after=2)
    url = f"{service.endpoints.trace}/v1/traces/name/{entry.name}.zip"
    status, headers, body = get(url)
    assert (status, headers.get("Retry-After")) == (503, "2")
    assert body == {"detail": "Service unavailable"}
    service.faults.add("trace_huge", product=entry.id)
    status, headers, head = get(url, limit=1 << 20)
    assert status == 200 and "Content-Length" not in headers and len(head) == 1 << 20
    assert HUGE_BYTES > 8 << 20  # more than the client reads
