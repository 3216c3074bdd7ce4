"""Every Python and shell block of README.md runs as written, against the emulator.

Blocks run in document order in one process (Python blocks share a namespace; shell blocks see the
files the Python ones wrote), in a scratch folder holding ``catalog.yaml``, with the session
emulator's ``CDSE_*`` and an empty cache. A block preceded by ``<!-- readme-test: skip (why) -->``
holds placeholders and is not run; anything else that fails names its README line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from ._offline import GUARD

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\s*$")
SKIP = re.compile(r"^<!-- readme-test: skip \((.+)\) -->$")


@dataclass
class Block:
    line: int  # the line of the first code line, 1-based
    lang: str
    code: str
    skip: str | None


def blocks(text: str) -> list[Block]:
    found: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        skip = SKIP.match(before.strip())
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        found.append(
            Block(
                i + 2,
                opening.group(1),
                "\n".join(lines[i + 1 : end]) + "\n",
                skip.group(1) if skip else None,
            )
        )
        i = end + 1
    return found


def test_blocks_are_found_and_placeholders_marked():
    found = blocks(README.read_text())
    runnable = [b for b in found if b.lang in ("python", "bash") and not b.skip]
    assert len(runnable) >= 10
    for block in found:
        if block.lang in ("python", "bash") and "...." in block.code:
            assert block.skip, f"README.md:{block.line} has a placeholder ('....') but no skip mark"


def test_toml_blocks_parse():
    for block in blocks(README.read_text()):
        if block.lang == "toml":
            tomllib.loads(block.code)


def test_readme_runs_as_written(cdse_emulator_factory, tmp_path, background_emulators):
    # An emulator as a user's: every product it lists downloads (the suite's session one only
    # delivers a showcase).
    emu = cdse_emulator_factory(deliver="all")
    work = tmp_path / "reader"
    work.mkdir()
    shutil.copy(ROOT / "catalog.yaml", work / "catalog.yaml")
    runnable = [
        asdict(b) for b in blocks(README.read_text()) if b.lang in ("python", "bash") and not b.skip
    ]
    (tmp_path / "blocks.json").write_text(json.dumps({"guard": GUARD, "blocks": runnable}))
    env = {
        **background_emulators,  # an emulator a block starts never outlives the test
        **emu.env(),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "MPLBACKEND": "Agg",
        "PYTHONUNBUFFERED": "1",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-P",  # not tests/ on sys.path: tests/intake would shadow intake
            str(Path(__file__).with_name("_readme_runner.py")),
            str(tmp_path / "blocks.json"),
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-6000:]
    assert "README-DONE" in done.stdout
    assert "OFFLINE-BLOCKED: []" in done.stdout
    # What the blocks wrote: the manifest, the CLI's downloads, and the tour's search.
    assert (work / "paris.csv").is_file()
    assert len(list((work / "data").glob("*.zip"))) == 2, out[-3000:]
    assert "2 verified" in out or "2 skipped" in out
    # the tour's results.download(): every product verified, none failed
    assert re.search(r"<DownloadReport: \d+ verified, \d+ skipped, 0 failed", out), out[-3000:]


def test_the_readme_pytest_example_runs_in_a_users_project(tmp_path):
    """The fixture example of "The built-in emulator", as a test file in someone else's project."""
    (example,) = [b for b in blocks(README.read_text()) if "def test_" in b.code]
    (tmp_path / "test_example.py").write_text(example.code.replace("    ...\n", "    pass\n"))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "1 passed" in done.stdout


@pytest.mark.parametrize("marker", ["make demo", "make test"])
def test_the_two_setup_commands_come_first(marker):
    first = next(b for b in blocks(README.read_text()) if b.lang == "bash")
    assert marker in first.code
