"""``audit_cache(verify_traces=True)`` and ``cdse-intake cache audit --traces`` end to end on the
emulator (issue 20): products downloaded into a cache, then one tampered with, one tampered with
together with its index entry, one deleted and one replaced after download; each caught by its
signed traces, the good one verified, the exit codes and bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator

import blake3
import pytest

from cdse_intake import audit_cache, verify_trace
from cdse_intake.cache import ProductCache
from cdse_intake.cli import ExitCode, main
from cdse_intake.config import Settings
from cdse_intake.downloads import download
from cdse_intake.emulator import Emulator
from cdse_intake.errors import ConfigurationError
from cdse_intake.product import Product

STRAY_ID = "0badc0de-0000-4000-8000-000000000000"
STRAY_NAME = "S2A_MSIL2A_20990101T000000_N9999_R001_T31UNE_20990101T000000.SAFE"


def tamper(path, at: int = 300) -> None:
    with open(path, "r+b") as fh:
        fh.seek(at)
        byte = fh.read(1)
        fh.seek(at)
        fh.write(bytes([byte[0] ^ 0xFF]))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    emu = Emulator(scale=0.02, deliver="all").start()
    root = tmp_path_factory.mktemp("audit-traces")
    env = emu.env()
    settings = Settings(cache_dir=root / "cache", retries=1)
    good, tampered, rewritten, deleted, replaced = [
        e for e in emu.catalogue.materialised if e.name.startswith("S2")
    ][:5]
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        keys = [e.id for e in (good, tampered, rewritten, deleted, replaced)]
        assert download(keys, progress=False, settings=settings).ok
    roots = env["CDSE_TRACE_ROOTS"]
    cache = ProductCache(settings.cache_dir)
    tamper(cache.entry(tampered.id).path)
    # changed with its index entry: the local check cannot see it, the signed trace can
    path = cache.entry(rewritten.id).path
    tamper(path)
    cache.record(
        Product(id=rewritten.id, name=rewritten.name),
        path,
        "BLAKE3",
        blake3.blake3(path.read_bytes()).hexdigest(),
    )
    emu.delete_product(deleted.id, cause="Corrupted product")
    newer = emu.reprocess_product(replaced.id)
    stray = root / "stray.zip"  # a product of no catalogue: no trace either
    stray.write_bytes(b"not from this catalogue")
    cache.record(Product(id=STRAY_ID, name=STRAY_NAME), stray, "BLAKE3",
                 blake3.blake3(stray.read_bytes()).hexdigest())  # fmt: skip
    yield {
        "emu": emu,
        "settings": settings,
        "roots": roots,
        "good": good,
        "tampered": tampered,
        "rewritten": rewritten,
        "deleted": deleted,
        "replaced": (replaced, newer),
    }
    emu.stop()


@pytest.fixture(scope="module")
def audited(world: dict) -> dict:
    emu = world["emu"]
    emu.state.reset_counters()
    records = audit_cache(
        endpoints=emu.endpoints,
        settings=world["settings"],
        verify_traces=True,
        trust_roots=world["roots"],
    )
    return {r.id: r for r in records}


def test_each_product_gets_its_trace_verdict(world, audited):
    good = audited[world["good"].id]
    assert (good.verdict, good.trace, good.ok) == ("current", "verified", True)
    assert good.detail == "current | trace verified"

    tampered = audited[world["tampered"].id]
    assert (tampered.verdict, tampered.trace, tampered.ok) == ("tampered", "hash mismatch", False)
    assert "BLAKE3 is not the traced one" in tampered.trace_detail

    rewritten = audited[world["rewritten"].id]  # the index agrees with the file: only the trace
    assert (rewritten.verdict, rewritten.trace, rewritten.ok) == (
        "current", "hash mismatch", False
    )  # fmt: skip
    assert rewritten.detail.startswith("current | trace hash mismatch (")

    deleted = audited[world["deleted"].id]
    assert (deleted.verdict, deleted.trace) == ("deleted", "deleted")
    old, newer = world["replaced"]
    replaced = audited[old.id]
    assert (replaced.verdict, replaced.trace) == ("obsolete", "obsolete")
    assert f"replaced by {newer.name}" in replaced.trace_detail
    stray = audited[STRAY_ID]
    assert (stray.verdict, stray.trace) == ("unknown", "no trace")
    assert (
        stray.detail.startswith("unknown to the catalogue") and "| trace no trace (" in stray.detail
    )


def test_one_trace_request_per_product(world, audited):
    asked = world["emu"].state.requests(path="/trace/api/*")
    assert len(asked) == len(audited) == 6
    assert {r.path.rsplit("/", 1)[1] for r in asked} == {
        f"{world[k].name}.zip" for k in ("good", "tampered", "rewritten", "deleted")
    } | {f"{world['replaced'][0].name}.zip", f"{STRAY_NAME}.zip"}


def test_without_traces_nothing_changes(world):
    emu = world["emu"]
    (record,) = audit_cache(ids=[world["rewritten"].id], endpoints=emu.endpoints,
                            settings=world["settings"])  # fmt: skip
    assert (record.verdict, record.trace, record.ok, record.detail) == (
        "current", None, True, "current"
    )  # fmt: skip


def test_untrusted_roots_and_faults(world):
    emu, settings, good = world["emu"], world["settings"], world["good"]

    def audit(**kw):
        (record,) = audit_cache(ids=[good.id], endpoints=emu.endpoints, settings=settings,
                                verify_traces=True, **kw)  # fmt: skip
        return record

    # no root: the signature is checked against the trace's own certificate only
    loose = audit()
    assert (loose.trace, loose.ok) == ("unanchored", True)
    emu.faults.add("trace_foreign", product=good.id)
    foreign = audit(trust_roots=world["roots"])
    assert (foreign.verdict, foreign.trace) == ("current", "untrusted chain")
    emu.faults.add("trace_signature", product=good.id)
    assert audit(trust_roots=world["roots"]).trace == "bad signature"
    emu.faults.add("trace_huge", product=f"{good.name}.zip")
    huge = audit()
    assert huge.trace == "unavailable" and "larger than" in huge.trace_detail
    emu.faults.add("status", product="trace", status=503, times=None)
    down = audit()
    assert down.trace == "unavailable" and "503" in down.trace_detail
    emu.faults.clear()


def test_verify_trace_of_one_cached_file(world):
    emu, settings = world["emu"], world["settings"]
    cache = ProductCache(settings.cache_dir)
    kw = {"endpoints": emu.endpoints, "settings": settings, "trust_roots": world["roots"]}
    good = verify_trace(cache.entry(world["good"].id).path, **kw)
    assert (good.verdict, good.event) == ("verified", "COPY")
    assert good.name == f"{world['good'].name}.zip" and good.expected == good.actual
    bad = verify_trace(cache.entry(world["tampered"].id).path, **kw)
    assert bad.verdict == "hash mismatch" and bad.expected != bad.actual


def test_bad_input_is_named(world, tmp_path):
    emu, settings = world["emu"], world["settings"]
    with pytest.raises(ConfigurationError, match="only applies with verify_traces=True"):
        audit_cache(endpoints=emu.endpoints, settings=settings, trust_roots=world["roots"])
    with pytest.raises(ConfigurationError, match="verify_traces='yes'"):
        audit_cache(endpoints=emu.endpoints, settings=settings, verify_traces="yes")
    with pytest.raises(ConfigurationError, match=r"absent\.pem"):
        audit_cache(endpoints=emu.endpoints, settings=settings, verify_traces=True,
                    trust_roots=tmp_path / "absent.pem")  # fmt: skip


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["cache", "audit", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def env(world: dict, monkeypatch: pytest.MonkeyPatch) -> dict:
    for key, value in world["emu"].env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CDSE_CACHE_DIR", str(world["settings"].cache_dir))
    monkeypatch.setenv("CDSE_RETRIES", "0")  # an error answer is final at once
    return world


def test_cli_traces(env, capsys, tmp_path, monkeypatch):
    code, out, _ = cli(capsys, "--traces")
    assert code == ExitCode.MISMATCH
    lines = out.splitlines()
    assert any(line.startswith("current | trace verified") and env["good"].name in line
               for line in lines)  # fmt: skip
    assert any(line.startswith("current | trace hash mismatch") for line in lines)
    code, out, _ = cli(capsys, "--traces", "--json", env["good"].id)
    (record,) = json.loads(out)
    assert (code, record["trace"], record["detail"]) == (
        ExitCode.OK, "verified", "current | trace verified"
    )  # fmt: skip
    code, _, _ = cli(capsys, "--traces", env["rewritten"].id)
    assert code == ExitCode.MISMATCH  # only the trace sees it
    code, _, _ = cli(capsys, env["rewritten"].id)
    assert code == ExitCode.OK  # without --traces it passes
    code, _, _ = cli(capsys, "--traces", env["deleted"].id)
    assert code == ExitCode.WITHDRAWN
    code, out, _ = cli(capsys, "--traces", STRAY_ID)
    assert code == ExitCode.WITHDRAWN and "trace no trace" in out
    env["emu"].faults.add("status", product="trace", status=503, times=None)
    code, out, _ = cli(capsys, "--traces", env["good"].id)
    env["emu"].faults.clear()
    assert code == ExitCode.SERVICE and "trace unavailable" in out
    code, _, err = cli(capsys, "--trust-roots", env["roots"])
    assert code == ExitCode.USAGE and "only applies with --traces" in err
    code, _, err = cli(capsys, "--traces", "--trust-roots", str(tmp_path / "no.pem"))
    assert code == ExitCode.USAGE and "no.pem" in err and "expected" in err
    monkeypatch.setenv("CDSE_TRACE_ROOTS", str(tmp_path / "gone.pem"))
    code, _, err = cli(capsys, "--traces", env["good"].id)
    assert code == ExitCode.USAGE and "gone.pem" in err and "CDSE_TRACE_ROOTS" in err
    monkeypatch.delenv("CDSE_TRACE_ROOTS")
    code, out, _ = cli(capsys, "--traces", env["good"].id)
    assert code == ExitCode.OK and "trace unanchored" in out
