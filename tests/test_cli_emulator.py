"""``cdse-intake emulator``: started in the background by one shell line, stopped, clear errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def _shell(script: str, base: dict[str, str], **env: str) -> subprocess.CompletedProcess:
    """Run a bash script with the venv's ``cdse-intake`` on PATH, as a user's shell would."""
    environ = {**base, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **env}
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        capture_output=True,
        text=True,
        env=environ,
        timeout=240,
    )


def test_start_in_the_background_then_stop_from_one_shell(background_emulators) -> None:
    done = _shell(
        """
        eval "$(cdse-intake emulator start --no-s3)"  # the suite's catalogue: kept, loads in ~2 s
        echo "state=$CDSE_EMULATOR_STATE pid=$CDSE_EMULATOR_PID"
        collections=$(cdse-intake collections); echo "${collections:0:200}"
        python - <<'PY'
import os, urllib.request, json
issuer = os.environ["CDSE_IDENTITY_URL"]
url = issuer + "/.well-known/openid-configuration"
print("issuer-ok", json.load(urllib.request.urlopen(url, timeout=10))["issuer"] == issuer)
PY
        pid=$CDSE_EMULATOR_PID; state=$CDSE_EMULATOR_STATE
        eval "$(cdse-intake emulator stop)"
        echo "after-stop url=${CDSE_CATALOGUE_URL:-unset}"
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && echo "still-running" || echo "process-gone"
        test -e "$state" && echo "state-left" || echo "state-removed"
        """,
        background_emulators,
        PYTHON=sys.executable,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "issuer-ok True" in out
    assert "STAC id" in out  # `collections` reached the emulator
    assert "after-stop url=unset" in out
    assert "process-gone" in out
    assert "state-removed" in out


def test_stop_without_a_started_emulator_is_a_usage_error() -> None:
    env = {k: v for k, v in os.environ.items() if k != "CDSE_EMULATOR_STATE"}
    done = subprocess.run(
        [sys.executable, "-m", "cdse_intake.cli", "emulator", "stop"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert "no emulator to stop" in done.stderr
    assert "Traceback" not in done.stderr


def test_stop_never_deletes_a_folder_it_did_not_make(tmp_path: Path) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    done = subprocess.run(
        [sys.executable, "-m", "cdse_intake.cli", "emulator", "stop", "--state", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert precious.read_text() == "keep me"


@pytest.fixture
def busy_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


@pytest.mark.parametrize("action", ["run", "start"])
def test_a_busy_port_is_one_clear_line(busy_port: int, action: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cdse_intake.cli", "emulator", action, "--port", str(busy_port)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 5, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines[0] == (
        f"error: cannot start the emulator: port {busy_port} on 127.0.0.1 is already in use "
        "(another emulator or server?); choose another port, or 0 for any free port"
    ), done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""  # nothing for a shell's eval to run


def test_an_address_that_is_not_local_is_one_clear_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cdse_intake.cli", "emulator", "--host", "192.0.2.1", "--port", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 5
    assert "192.0.2.1 is not an address of this machine" in done.stderr
    assert "Traceback" not in done.stderr
