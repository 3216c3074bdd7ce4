"""``audit_cache`` and ``cdse-intake cache audit``: each cached product checked on disk and
against the catalogue (issue 20): current, deleted with its cause, obsolete with its
replacement, tampered, missing file, unknown; the table, ``--json`` and the exit codes."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cdse_intake import AuditRecord, audit_cache
from cdse_intake.cache import ProductCache
from cdse_intake.cli import ExitCode, main
from cdse_intake.config import Settings
from cdse_intake.downloads import download
from cdse_intake.emulator import Emulator
from cdse_intake.errors import ConfigurationError
from cdse_intake.product import Product

UNKNOWN_ID = "0badc0de-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Six cached products, then: one deleted, two reprocessed, one tampered with, one file
    removed, one left alone; and a product of no catalogue in the index."""
    emu = Emulator(scale=0.02, deliver="all").start()
    root = tmp_path_factory.mktemp("audit")
    settings = Settings(cache_dir=root / "cache", retries=1)
    s2 = [e for e in emu.catalogue.materialised if e.name.startswith("S2")][:4]
    s1 = [e for e in emu.catalogue.materialised if "_GRDH_" in e.name][:1]
    current, deleted, obsolete, tampered = s2
    (s1_obsolete,) = s1
    missing = next(e for e in emu.catalogue.materialised if e.name.startswith("S3"))
    with pytest.MonkeyPatch.context() as mp:
        for key, value in emu.env().items():
            mp.setenv(key, value)
        keys = [e.id for e in (*s2, s1_obsolete, missing)]
        assert download(keys, progress=False, settings=settings).ok
    emu.delete_product(deleted.id, cause="Corrupted product")
    newer = emu.reprocess_product(obsolete.id)
    s1_newer = emu.reprocess_product(s1_obsolete.name)
    cache = ProductCache(settings.cache_dir)
    with open(cache.entry(tampered.id).path, "r+b") as fh:
        fh.seek(200)
        fh.write(b"tampered")
    os.remove(cache.entry(missing.id).path)
    stray = root / "stray.zip"
    stray.write_bytes(b"not from this catalogue")
    cache.record(
        Product(id=UNKNOWN_ID, name="S2A_MSIL2A_20990101T000000_N9999_R001_T31UNE_20990101T000000"),
        stray,
        "MD5",
        hashlib.md5(stray.read_bytes()).hexdigest(),
    )
    yield {
        "emu": emu,
        "settings": settings,
        "current": current,
        "deleted": deleted,
        "obsolete": (obsolete, newer),
        "s1": (s1_obsolete, s1_newer),
        "tampered": tampered,
        "missing": missing,
    }
    emu.stop()


@pytest.fixture
def env(world: dict, monkeypatch: pytest.MonkeyPatch) -> dict:
    for key, value in world["emu"].env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CDSE_CACHE_DIR", str(world["settings"].cache_dir))
    return world


@pytest.fixture(scope="module")
def audited(world: dict) -> dict[str, AuditRecord]:
    emu = world["emu"]
    records = audit_cache(endpoints=emu.endpoints, settings=world["settings"])
    return {r.id: r for r in records}


def test_one_verdict_per_cached_product(world, audited):
    emu = world["emu"]
    assert len(audited) == 7
    assert audited[world["current"].id].verdict == "current"
    assert audited[world["current"].id].detail == "current"

    gone = audited[world["deleted"].id]
    assert (gone.verdict, gone.deletion_cause) == ("deleted", "Corrupted product")
    assert gone.detail == f"deleted (Corrupted product, {gone.deletion_date:%Y-%m-%d})"
    assert world["deleted"].id not in emu.catalogue.by_id

    for old, new in (world["obsolete"], world["s1"]):
        record = audited[old.id]
        assert (record.verdict, record.replaced_by, record.replaced_by_id) == (
            "obsolete", new.name, new.id
        )  # fmt: skip
        assert record.detail == f"obsolete: replaced by {new.name}"
        assert record.deletion_cause == "Obsolete product or Other"

    tampered = audited[world["tampered"].id]
    assert (tampered.verdict, tampered.catalogue) == ("tampered", "current")
    assert tampered.algorithm in tampered.detail
    assert audited[world["missing"].id].verdict == "missing file"
    assert audited[UNKNOWN_ID].verdict == "unknown"


def test_the_catalogue_is_asked_in_batches_and_the_cache_is_not_changed(world):
    emu = world["emu"]
    cache = ProductCache(world["settings"].cache_dir)
    before = [(e.id, e.path, e.checksum) for e in cache.entries()]
    emu.state.reset_counters()
    audit_cache(cache, endpoints=emu.endpoints, settings=world["settings"])
    asked = emu.state.requests(path="/odata/v1/*")
    # one search of /Products by name, one of /DeletedProducts, one successor search for each
    # of the two obsolete products: never one request per product
    assert len(asked) == 4
    assert [(e.id, e.path, e.checksum) for e in cache.entries()] == before


def test_ids_and_quick_mode(world):
    emu, settings = world["emu"], world["settings"]
    tampered = world["tampered"].id
    (quick,) = audit_cache(ids=[tampered], hash_files=False, endpoints=emu.endpoints,
                           settings=settings)  # fmt: skip
    assert quick.verdict == "current"  # not re-hashed: blind to tampering
    with pytest.raises(ConfigurationError, match="'nope'"):
        audit_cache(ids=["nope"], endpoints=emu.endpoints, settings=settings)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["cache", "audit", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_table_and_exit_code(env, capsys):
    code, out, _ = cli(capsys)
    assert code == ExitCode.MISMATCH  # the worst: a tampered file
    lines = out.splitlines()
    assert lines[0].split() == ["VERDICT", "NAME", "ID"]
    assert any(
        line.startswith("deleted (Corrupted product, ") and env["deleted"].name in line
        for line in lines
    )
    old, new = env["obsolete"]
    assert any(f"obsolete: replaced by {new.name}" in line and old.name in line for line in lines)
    summary = sorted(lines[-1].split(", "))
    assert summary == sorted(
        ["1 current", "1 deleted", "2 obsolete", "1 unknown", "1 tampered", "1 missing file"]
    )


@pytest.mark.parametrize(
    ("which", "code"),
    [
        ("current", ExitCode.OK),
        ("deleted", ExitCode.WITHDRAWN),
        ("obsolete", ExitCode.WITHDRAWN),
        ("tampered", ExitCode.MISMATCH),
        ("missing", ExitCode.MISSING),
    ],
)
def test_cli_exit_codes(env, capsys, which, code):
    entry = env[which][0] if which == "obsolete" else env[which]
    got, out, _ = cli(capsys, entry.id)
    assert got == code, out


def test_cli_json(env, capsys):
    code, out, _ = cli(capsys, "--json", env["deleted"].id, UNKNOWN_ID)
    assert code == ExitCode.WITHDRAWN
    body = json.loads(out)
    assert sorted(r["verdict"] for r in body) == ["deleted", "unknown"]
    record = next(r for r in body if r["verdict"] == "deleted")
    assert record["id"] == env["deleted"].id and record["deletion_cause"] == "Corrupted product"
    assert record["deletion_date"].startswith(record["detail"][-11:-1])
    assert Path(record["path"]).name.endswith(".zip")


def test_cli_bad_id_names_it(env, capsys):
    code, out, err = cli(capsys, "not-a-product")
    assert code == ExitCode.USAGE
    assert "'not-a-product'" in err and out == ""


@pytest.mark.parametrize(
    ("old", "new", "same"),
    [
        (
            "S2B_MSIL1C_20230104T102130_N0509_R004_T31UNE_20230104T193728.SAFE",
            "S2B_MSIL1C_20230104T102130_N0511_R004_T31UNE_20250101T000000.SAFE",
            True,
        ),
        (  # another tile of the same datatake is not a reprocessing
            "S2B_MSIL1C_20230104T102130_N0509_R004_T31UNE_20230104T193728.SAFE",
            "S2B_MSIL1C_20230104T102130_N0511_R004_T31UNF_20250101T000000.SAFE",
            False,
        ),
        (
            "S3A_OL_1_EFR____20230101T062605_20230101T062905_20230102T071741_0179_051_351_0900_LN1_O_NT_002.SEN3",
            "S3A_OL_1_EFR____20230101T062605_20230101T062905_20250102T071741_0179_051_351_0900_LN1_O_NT_003.SEN3",
            True,
        ),
        (
            "S1A_IW_GRDH_1SDV_20230101T090236_20230101T090301_046536_0B781B_40A1.SAFE",
            "S1A_IW_GRDH_1SDV_20230101T090236_20230101T090301_046536_0B781B_9C2E.SAFE",
            True,
        ),
        (
            "S5P_OFFL_L2__NO2____20230101T014124_20230101T032248_27001_03_020600_20230101T131026.nc",
            "S5P_RPRO_L2__NO2____20230101T014124_20230101T032248_27001_03_020400_20240914T211113.nc",
            True,
        ),
        (
            "LC08_L1TP_105059_20240524_20240525_02_T1",
            "LC08_L1TP_105059_20240524_20240601_02_T1",
            False,
        ),
    ],
)
def test_a_lineage_is_what_processings_share(old, new, same):
    from cdse_intake.catalogue.standing import lineage

    assert (lineage(old) is not None and lineage(old) == lineage(new)) is same
