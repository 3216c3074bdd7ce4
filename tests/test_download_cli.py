"""``cdse-intake download MANIFEST``: exit codes, in process and in a subprocess (Ctrl-C too)."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from cdse_intake.cli.download import add_parser, run
from cdse_intake.manifest import rows_for, write_manifest

from .test_download_common import assert_final_files_verified, materialised

MB = 1_000_000

#: The real command line: ``cdse-intake download ...``.
CLI = [sys.executable, "-m", "cdse_intake.cli", "download"]


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cdse-intake")
    add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["download", *argv])


def test_wired_into_the_main_command(cdse_emulator, cdse_env, manifest):
    from cdse_intake.cli import main

    assert main(["download", str(manifest), "--quiet"]) == 0
    assert main(["download", str(manifest) + ".missing", "--quiet"]) == 6


@pytest.fixture
def manifest(cdse_emulator, tmp_path: Path) -> Path:
    return write_manifest(tmp_path / "m.csv", rows_for(materialised(cdse_emulator)[:3]))


def test_all_verified_is_0_and_again_is_0(cdse_emulator, cdse_env, manifest, capsys):
    assert run(parse(str(manifest), "--quiet")) == 0
    assert "3 verified" in capsys.readouterr().err
    assert run(parse(str(manifest), "--quiet")) == 0
    assert "3 skipped" in capsys.readouterr().err
    assert set(pd.read_csv(manifest, comment="#")["Downloaded"]) == {"verified"}


def test_dest_and_max_connections(cdse_emulator, cdse_env, manifest, tmp_path):
    dest = tmp_path / "out"
    args = parse(str(manifest), "--quiet", "--dest", str(dest), "--max-connections", "2")
    assert run(args) == 0
    assert assert_final_files_verified(dest, cdse_emulator) == 3
    assert cdse_emulator.state.peak_downloads[cdse_emulator.username] <= 2


@pytest.mark.parametrize(
    "extra",
    [["--via", "ftp"], ["--max-connections", "0"], ["--max-connections", "four"]],
)
def test_bad_arguments_are_2(cdse_env, manifest, extra, capsys):
    assert run(parse(str(manifest), "--quiet", *extra)) == 2
    assert extra[1] in capsys.readouterr().err


def test_dest_that_is_a_file_is_2(cdse_env, manifest, tmp_path):
    (tmp_path / "file").write_text("x")
    assert run(parse(str(manifest), "--quiet", "--dest", str(tmp_path / "file"))) == 2


def test_unreadable_manifest_is_6(cdse_env, tmp_path, capsys):
    assert run(parse(str(tmp_path / "missing.csv"), "--quiet")) == 6
    garbage = tmp_path / "garbage.csv"
    garbage.write_text("this,is\nnot,a manifest\n")
    assert run(parse(str(garbage), "--quiet")) == 6
    assert "not a manifest" in capsys.readouterr().err


def test_missing_credentials_is_7(cdse_emulator, cdse_env, manifest, monkeypatch, capsys):
    monkeypatch.delenv("CDSE_USERNAME")
    monkeypatch.delenv("CDSE_PASSWORD")
    assert run(parse(str(manifest), "--quiet")) == 7
    assert "no CDSE credentials found" in capsys.readouterr().err


def test_refused_credentials_is_3(cdse_emulator, cdse_env, manifest, monkeypatch):
    monkeypatch.setenv("CDSE_PASSWORD", "not-the-password")
    assert run(parse(str(manifest), "--quiet")) == 3


def test_failed_products_is_8(cdse_emulator, cdse_env, manifest, capsys):
    offline = pd.read_csv(manifest, comment="#")["Id"][1]
    cdse_emulator.faults.add("offline", product=offline, times=None)
    assert run(parse(str(manifest), "--quiet")) == 8
    assert "DAT-ZIP-915" in capsys.readouterr().err
    table = pd.read_csv(manifest, comment="#")
    assert list(table["Downloaded"]) == ["verified", "failed", "verified"]


def child_env(emu) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDSE_")}
    env.update(emu.env())
    env["CDSE_CACHE_DIR"] = os.environ["CDSE_CACHE_DIR"]
    env["CDSE_CONFIG"] = os.environ["CDSE_CONFIG"]
    return env


def test_subprocess_exit_code_and_interrupt(cdse_emulator, cdse_env, tmp_path):
    products = materialised(cdse_emulator)
    manifest = write_manifest(tmp_path / "all.csv", rows_for(products))
    env = child_env(cdse_emulator)
    cdse_emulator.state.throttle = 1 * MB  # a few seconds: time for a Ctrl-C in the middle
    child = subprocess.Popen(
        [*CLI, str(manifest), "--quiet"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Ctrl-C once the manifest records a first verified product (polled, with a deadline).
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and child.poll() is None:
        if "verified" in set(pd.read_csv(manifest, comment="#")["Downloaded"]):
            break
        time.sleep(0.05)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130, err[-2000:]
    assert "interrupted" in err
    table = pd.read_csv(manifest, comment="#", keep_default_na=False)
    done = table[table["Downloaded"] == "verified"]
    assert 1 <= len(done) < len(products)
    assert set(table["Downloaded"]) <= {"verified", "no"}
    assert all(Path(p).is_file() for p in done["LocalPath"])
    assert_final_files_verified(Path(os.environ["CDSE_CACHE_DIR"]) / "products", cdse_emulator)
    # Run again, to the end: 0, and every row verified.
    cdse_emulator.state.throttle = None
    again = subprocess.run(
        [*CLI, str(manifest), "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert set(pd.read_csv(manifest, comment="#")["Downloaded"]) == {"verified"}
