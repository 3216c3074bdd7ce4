"""One exit-code table for every ``cdse-intake`` subcommand, shown as it is in README.md."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cdse_intake.cli import ExitCode, main
from cdse_intake.cli.exit_codes import MIGRATION, for_error, markdown_table
from cdse_intake.errors import (
    AuthenticationError,
    CDSEError,
    ConfigurationError,
    CredentialsMissing,
    ProductNotFound,
    QueryError,
    RateLimited,
    ServiceError,
    UnsupportedProduct,
)
from cdse_intake.manifest import ManifestError

ROOT = Path(__file__).resolve().parents[1]


def test_readme_shows_the_table():
    assert markdown_table() in (ROOT / "README.md").read_text()


def test_every_code_has_one_meaning():
    meanings = [code.meaning for code in ExitCode]
    assert len(set(meanings)) == len(meanings)
    assert len({int(c) for c in ExitCode}) == len(ExitCode)


def test_the_seed_scripts_codes_all_map():
    assert sorted(MIGRATION) == [0, 1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (QueryError("bad bbox"), ExitCode.USAGE),
        (ConfigurationError("bad url"), ExitCode.USAGE),
        (CredentialsMissing("none"), ExitCode.CREDENTIALS),
        (AuthenticationError("refused", status=401), ExitCode.AUTH),
        (ManifestError("garbage"), ExitCode.INPUT),
        (ServiceError("503", status=503), ExitCode.SERVICE),
        (RateLimited("429", status=429), ExitCode.SERVICE),
        (ProductNotFound("404", status=404), ExitCode.ERROR),
        (UnsupportedProduct("?"), ExitCode.ERROR),
        (CDSEError("other"), ExitCode.ERROR),
        (KeyboardInterrupt(), ExitCode.INTERRUPTED),
    ],
)
def test_errors_map_to_codes(error, code):
    assert for_error(error) == code


def test_main_maps_an_error_of_any_subcommand(monkeypatch, capsys):
    from cdse_intake.cli import app as main_module

    def refused(args: argparse.Namespace) -> int:
        raise AuthenticationError("invalid_grant: Invalid user credentials")

    monkeypatch.setitem(main_module._COMMANDS, "collections", refused)
    assert main(["collections"]) == ExitCode.AUTH == 3
    assert capsys.readouterr().err.startswith("authentication failed: invalid_grant")


def test_a_bad_query_from_the_shell_is_a_usage_error():
    done = subprocess.run(
        [sys.executable, "-m", "cdse_intake.cli", "search", "--bbox", "45.1,2.3,48.9,95.0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert "latitude 95.0 is outside -90..90" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", ["download", "cache", "open", "emulator"])
def test_help_lists_codes_from_the_table(command):
    done = subprocess.run(
        [sys.executable, "-m", "cdse_intake.cli", command, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "exit codes: 0 success" in text
    for code in ExitCode:
        if f"; {int(code)} " in text:
            assert " ".join(code.meaning.split()) in text


def test_output_piped_into_head_ends_quietly():
    done = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m cdse_intake.cli search --help | head -1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert "Traceback" not in done.stderr


def test_a_closed_pipe_is_exit_141_without_a_traceback():
    reader, writer = os.pipe()
    os.close(reader)  # nobody will read: the first write fails
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from cdse_intake.cli import main; "
            "from cdse_intake.cli import app; app._COMMANDS['collections'] = "
            "lambda a: print('x' * 200000) or 0; sys.exit(main(['collections']))",
        ],
        stdout=writer,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )
    os.close(writer)
    assert done.returncode == ExitCode.PIPE == 141
    assert "Traceback" not in done.stderr
    assert "BrokenPipe" not in done.stderr
