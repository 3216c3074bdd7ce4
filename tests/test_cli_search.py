"""The search and collections commands, and the CLI's exit codes."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cdse_intake.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )


def test_search_prints_a_table_and_writes_a_manifest(cdse_env, tmp_path):
    out = cli(
        "search", "--collection", "sentinel-2-l2a", "--bbox", "2.2,48.8,2.5,48.9",
        "--start", "2023-01-01", "--end", "2023-02-01", "--cloud", "80",
        "-o", str(tmp_path / "m.csv"),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split()[:3] == ["name", "sensing", "start"]
    assert all("S2" in line and "MSIL2A" in line for line in lines[1:])
    table = pd.read_csv(tmp_path / "m.csv", comment="#")
    assert len(table) == len(lines) - 1
    assert f"{len(table)} products" in out.stderr


def test_collections_lists_product_types(cdse_env):
    out = cli("collections")
    assert out.returncode == 0, out.stderr
    assert any(
        line.startswith("sentinel-2-l2a") and "SENTINEL-2" in line and "S2MSI2A" in line
        for line in out.stdout.splitlines()
    )


def test_exit_codes(cdse_env, cdse_emulator):
    bad = cli("search", "--collection", "SENTINEL-2", "--cloud", "120")
    assert bad.returncode == 2
    assert "cloud=120" in bad.stderr
    usage = cli("search", "--bbox", "1,2,3")
    assert usage.returncode == 2
    assert "invalid bbox '1,2,3'" in usage.stderr
    cdse_emulator.faults.add("status", product="odata", status=503, times=None)
    down = cli("search", "--collection", "SENTINEL-2", "--limit", "2", "--no-cache",
               env={"CDSE_RETRIES": "0"})  # fmt: skip
    assert down.returncode == 4
    assert "503" in down.stderr


def test_a_search_that_finds_nothing_says_why(cdse_env):
    out = cli(
        "search", "--collection", "SENTINEL-2", "--processing-level", "L2A", "--tile", "33UUU",
        "--start", "2023-01-01", "--end", "2023-02-01", "--no-cache",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[1:] == []
    assert "nothing found. No products: tile='33UUU' alone matches no SENTINEL-2" in out.stderr
    assert "Traceback" not in out.stderr and "Warning" not in out.stderr


def test_a_mistyped_product_type_is_refused_with_a_suggestion(cdse_env):
    out = cli("search", "--collection", "SENTINEL-2", "--product-type", "S2MSI2")
    assert out.returncode == 2
    assert "did you mean 'S2MSI2A'" in out.stderr
