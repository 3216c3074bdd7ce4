"""The trace client (issue 20): CDSE's signed traces parsed strictly, a file judged against
them (hash, signature, chain), a hostile trace service kept bounded, bad input named."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import blake3
import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from cdse_intake import TraceCheck, verify_trace
from cdse_intake.catalogue.trace_records import MAX_TRACES, parse_trace, parse_traces
from cdse_intake.catalogue.trace_verify import TRACE_VERDICTS, judge, load_trust_roots
from cdse_intake.catalogue.traces import check_files, trace_name
from cdse_intake.emulator.traces.keys import Signer
from cdse_intake.errors import ConfigurationError, QueryError, ServiceError

NAME = "S2A_MSIL2A_20240101T101031_N0510_R022_T32TQM_20240101T120000.SAFE.zip"
DATA = b"the product's bytes" * 100
DIGEST = blake3.blake3(DATA).hexdigest()


@pytest.fixture(autouse=True)
def _no_roots_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CDSE_TRACE_ROOTS", raising=False)


@pytest.fixture(scope="module")
def ca() -> Signer:
    return Signer("Test")


@pytest.fixture(scope="module")
def foreign() -> Signer:
    return Signer("Foreign")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def record(
    signer: Signer,
    digest: str = DIGEST,
    event: str = "CREATE",
    *,
    name: str = NAME,
    when: str = "2024-01-01T12:00:00Z",
    message: str | None = None,
    sign: Callable[[bytes], bytes] | None = None,
    certificate: bytes | None = None,
    algorithm: str = "ECDSA-SHA256",
    reason: str | None = None,
) -> dict:
    said = {"name": name, "hash": digest, "size": len(DATA), "event": event}
    text = message if message is not None else json.dumps(said, separators=(",", ":"))
    return {
        "id": f"id-{event}",
        "event": event,
        "obsolescence": reason,
        "hash_algorithm": "BLAKE3",
        "timestamp": when,
        "origin": "cdse_csc@dataspace.copernicus.eu",
        "product": {"name": name, "hash": digest, "size": len(DATA)},
        "signature": {
            "algorithm": algorithm,
            "signature": b64((sign or signer.sign)(text.encode())),
            "certificate": b64(certificate or signer.certificate_der),
            "message": text,
        },
    }


def verdict(records: list[dict], roots, digest: str = DIGEST) -> TraceCheck:
    return judge(NAME, parse_traces(records, NAME), lambda _algorithm: digest, roots)


def leaf(ca: Signer, key, *, days: tuple[int, int] = (2000, 2100)) -> bytes:
    """A certificate for ``key`` issued by ``ca``'s root, valid in those years."""
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "leaf")]))
        .issuer_name(ca.root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(days[0], 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(days[1], 1, 1, tzinfo=UTC))
        .sign(ca.root_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


# -- names ----------------------------------------------------------------------------------------
def test_the_traced_name_is_the_delivered_file():
    assert trace_name("S2A_X.SAFE") == "S2A_X.SAFE.zip"
    assert trace_name("S3A_X.SEN3") == "S3A_X.SEN3.zip"
    assert trace_name("S5P_OFFL_L2__CO_____X.nc") == "S5P_OFFL_L2__CO_____X.nc"


@pytest.mark.parametrize("bad", ["", "  ", "a/b.SAFE", "x\n.SAFE", "..", "S" * 256, 5, None])
def test_a_bad_name_is_named_with_what_is_expected(bad):
    with pytest.raises(QueryError) as info:
        trace_name(bad)
    assert repr(bad)[:40] in str(info.value) and "expected" in str(info.value)


# -- parsing --------------------------------------------------------------------------------------
def test_a_trace_is_parsed_into_a_frozen_record(ca):
    trace = parse_trace(record(ca, reason=None))
    assert (trace.name, trace.event, trace.hash_algorithm, trace.hash) == (
        NAME, "CREATE", "BLAKE3", DIGEST
    )  # fmt: skip
    assert trace.size == len(DATA) and trace.timestamp == datetime(2024, 1, 1, 12, tzinfo=UTC)
    assert trace.signature is not None and trace.signature.certificate == ca.certificate_der
    with pytest.raises(AttributeError):
        trace.hash = "0"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda r: r.update(event="EXPLODE"), "event"),
        (lambda r: r.update(hash_algorithm="MD4"), "hash_algorithm"),
        (lambda r: r["product"].update(hash="not hex"), "product.hash"),
        (lambda r: r["product"].update(size=-1), "product.size"),
        (lambda r: r.update(product=[]), "product"),
        (lambda r: r.update(timestamp="yesterday"), "timestamp"),
        (lambda r: r["signature"].update(signature="%%%"), "signature.signature"),
        (lambda r: r["signature"].update(certificate=5), "signature.certificate"),
        (lambda r: r["signature"].update(message=None), "signature.message"),
    ],
)
def test_a_malformed_trace_names_the_field_and_what_is_expected(ca, change, named):
    bad = record(ca)
    change(bad)
    with pytest.raises(ServiceError, match="expected") as info:
        parse_trace(bad)
    assert f"{named} is" in str(info.value)


def test_an_answer_must_be_a_bounded_list(ca):
    with pytest.raises(ServiceError, match="a JSON array"):
        parse_traces({"traces": []}, NAME)
    with pytest.raises(ServiceError, match=f"at most {MAX_TRACES}"):
        parse_traces([record(ca)] * (MAX_TRACES + 1), NAME)


# -- verdicts -------------------------------------------------------------------------------------
def test_a_good_file_is_verified_and_unanchored_without_roots(ca):
    roots = (ca.root,)
    good = verdict([record(ca), record(ca, event="COPY", when="2024-01-02T00:00:00Z")], roots)
    assert (good.verdict, good.event, good.ok) == ("verified", "COPY", True)
    assert good.expected == good.actual == DIGEST and "CN=Test trace signing" in good.signer
    loose = verdict([record(ca)], None)
    assert (loose.verdict, loose.ok) == ("unanchored", True)
    assert "no trusted root" in loose.detail


def test_a_tampered_file_is_a_hash_mismatch(ca):
    other = blake3.blake3(DATA + b"!").hexdigest()
    check = verdict([record(ca)], (ca.root,), digest=other)
    assert (check.verdict, check.expected, check.actual, check.ok) == (
        "hash mismatch", DIGEST, other, False
    )  # fmt: skip


def test_a_bad_signature_or_a_signature_of_something_else_is_caught(ca, foreign):
    roots = (ca.root,)
    broken = record(ca, sign=lambda m: ca.sign(m + b"x"))
    assert verdict([broken], roots).verdict == "bad signature"
    # a valid signature, but over a message naming other bytes: it vouches for nothing here
    other = json.dumps({"name": NAME, "hash": "ab" * 32, "event": "CREATE"}, separators=(",", ":"))
    check = verdict([record(ca, message=other)], roots)
    assert check.verdict == "bad signature" and "hash" in check.detail
    # the certificate of another key than the one that signed
    swapped = record(ca, certificate=foreign.certificate_der)
    assert verdict([swapped], roots).verdict == "bad signature"
    # an RSA label on an EC key
    assert verdict([record(ca, algorithm="RSA-SHA256")], roots).verdict == "bad signature"


def test_an_untrusted_or_expired_chain_is_caught(ca, foreign):
    check = verdict([record(foreign)], (ca.root,))
    assert check.verdict == "untrusted chain" and "not issued by a trusted root" in check.detail
    assert verdict([record(foreign)], (foreign.root,)).verdict == "verified"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    old = leaf(ca, key, days=(2001, 2002))
    sign = lambda m: key.sign(m, padding.PKCS1v15(), hashes.SHA256())  # noqa: E731
    expired = record(ca, sign=sign, certificate=old, algorithm="RSA-SHA256")
    check = verdict([expired], (ca.root,))
    assert check.verdict == "untrusted chain" and "not valid at 2024-01-01" in check.detail


def test_rsa_sha256_as_cdse_signs(ca):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sign = lambda m: key.sign(m, padding.PKCS1v15(), hashes.SHA256())  # noqa: E731
    good = record(ca, sign=sign, certificate=leaf(ca, key), algorithm="RSA-SHA256")
    assert verdict([good], (ca.root,)).verdict == "verified"


def test_unsigned_obsolete_deleted_and_no_trace(ca):
    roots = (ca.root,)
    unsigned = record(ca)
    unsigned["signature"] = {"signature": "", "algorithm": "", "certificate": "", "message": ""}
    assert verdict([unsigned], roots).verdict == "unsigned"
    gone = [record(ca), record(ca, event="DELETE", when="2024-03-01T00:00:00Z")]
    check = verdict(gone, roots)
    assert (check.verdict, check.event) == ("deleted", "DELETE") and "2024-03-01" in check.detail
    old = [
        record(ca),
        record(ca, event="OBSOLETE", reason="replaced by S2A_NEWER", when="2024-02-01"),
    ]
    check = verdict(old, roots)
    assert check.verdict == "obsolete" and "replaced by S2A_NEWER" in check.detail
    assert verdict([], roots).verdict == "no trace"
    assert verdict([record(ca, name="S2B_OTHER.SAFE.zip")], roots).verdict == "no trace"
    forged = [record(ca), record(ca, event="OBSOLETE", sign=lambda m: ca.sign(m + b"x"))]
    assert verdict(forged, roots).verdict == "verified"  # an unverified event counts for nothing
    assert set(TRACE_VERDICTS) >= {"verified", "hash mismatch", "bad signature", "no trace"}


# -- trust roots ----------------------------------------------------------------------------------
def test_trust_roots_are_read_and_bad_ones_named(ca, tmp_path):
    pem = ca.root.public_bytes(serialization.Encoding.PEM)
    path = tmp_path / "roots.pem"
    path.write_bytes(pem)
    assert load_trust_roots(str(path)) == (ca.root,)
    assert load_trust_roots(pem) == load_trust_roots(pem.decode()) == (ca.root,)
    for bad, fragment in [
        (tmp_path / "absent.pem", "cannot be read"),
        (tmp_path, "cannot be read"),
        (b"not a certificate", "no PEM certificate"),
        (42, "trust_roots=42"),
    ]:
        with pytest.raises(ConfigurationError, match=fragment) as info:
            load_trust_roots(bad)
        assert "expected" in str(info.value)


# -- the service, hostile or not ----------------------------------------------------------------
@pytest.fixture
def server() -> Iterator[Callable[[Callable], str]]:
    """Serve one handler at ``/v1/traces/name/{name}`` on loopback; yields ``serve(handler)``."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    runners = []

    def serve(handler: Callable) -> str:
        async def start() -> str:
            app = web.Application()
            app.router.add_get("/api/v1/traces/name/{name:.+}", handler)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            runners.append(runner)
            return f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/api"

        return asyncio.run_coroutine_threadsafe(start(), loop).result(10)

    yield serve
    for runner in runners:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@pytest.fixture
def product(tmp_path: Path) -> Path:
    path = tmp_path / "S2A_MSIL2A_20240101T101031_N0510_R022_T32TQM_20240101T120000.zip"
    path.write_bytes(DATA)
    return path


def check_with(url: str, product: Path, tmp_path: Path, **kw) -> TraceCheck:
    return verify_trace(
        product,
        NAME.removesuffix(".zip"),
        endpoints={"trace": url},
        settings={"retries": 0, "timeout": 5, "cache_dir": str(tmp_path / "cache")},
        **kw,
    )


def test_verify_trace_against_a_service(server, product, tmp_path, ca):
    asked = []

    async def answer(request: web.Request) -> web.Response:
        asked.append(request.match_info["name"])
        return web.json_response([record(ca)])

    url = server(answer)
    pem = ca.root.public_bytes(serialization.Encoding.PEM)
    check = check_with(url, product, tmp_path, trust_roots=pem)
    assert (check.verdict, asked) == ("verified", [NAME])
    assert check_with(url, product, tmp_path).verdict == "unanchored"


@pytest.mark.parametrize(
    ("answer", "expected", "fragment"),
    [
        (lambda: web.json_response([]), "no trace", "no trace"),
        (lambda: web.json_response({"detail": "Not Found"}, status=404), "no trace", "no trace"),
        (lambda: web.json_response([{}] * (MAX_TRACES + 1)), "unavailable", "at most 50"),
        (lambda: web.Response(body=b"[" + b" " * (9 << 20) + b"]"), "unavailable", "larger than"),
        (lambda: web.Response(text="<html>oops</html>"), "unavailable", "a JSON array"),
        (lambda: web.json_response([{"event": "CREATE"}]), "unavailable", "product is"),
        (lambda: web.json_response({"detail": "down"}, status=503), "unavailable", "503"),
    ],
)
def test_a_hostile_or_broken_service_gives_unavailable(
    server, product, tmp_path, answer, expected, fragment
):
    async def handler(request: web.Request) -> web.Response:
        return answer()

    check = check_with(server(handler), product, tmp_path)
    assert check.verdict == expected and fragment in check.detail, check


def test_an_endless_answer_is_not_read_to_its_end(server, product, tmp_path):
    sent = []

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        await response.write(b"[")
        try:
            for _ in range(4096):  # 256 MiB offered
                await response.write(b" " * (1 << 16))
                sent.append(1)
        except (ConnectionError, RuntimeError):
            pass
        return response

    check = check_with(server(endless), product, tmp_path)
    assert check.verdict == "unavailable" and "larger than" in check.detail
    assert len(sent) < 1024  # far less than offered: the client stopped reading


def test_a_file_that_cannot_be_read_is_unavailable(server, ca):
    async def answer(request: web.Request) -> web.Response:
        return web.json_response([record(ca)])

    url = server(answer)

    def unreadable(algorithm: str) -> str:
        raise PermissionError(f"denied ({algorithm})")

    async def run() -> list[TraceCheck]:
        from cdse_intake.net.http import new_session

        async with new_session(timeout=5) as session:
            return await check_files(session, url, [(NAME[:-4], unreadable)], None, 0)

    (check,) = asyncio.run(run())
    assert check.verdict == "unavailable" and "denied (BLAKE3)" in check.detail


def test_bad_input_to_verify_trace_is_named(product, tmp_path, ca):
    settings = {"retries": 0, "cache_dir": str(tmp_path / "cache")}
    with pytest.raises(ConfigurationError, match="is not a file") as info:
        verify_trace(tmp_path / "absent.zip", "S2A_X.SAFE", settings=settings)
    assert "absent.zip" in str(info.value)
    with pytest.raises(ConfigurationError, match="not in the cache index"):
        verify_trace(product, settings=settings)
    with pytest.raises(QueryError, match="'a/b'"):
        verify_trace(product, "a/b", settings=settings)
    with pytest.raises(ConfigurationError, match="trust_roots="):
        verify_trace(product, "S2A_X.SAFE", trust_roots=tmp_path / "none.pem", settings=settings)
    with pytest.raises(ConfigurationError, match="trust_roots=5"):
        verify_trace(product, "S2A_X.SAFE", trust_roots=5, settings=settings)
