"""``cdse-intake emulator [run|start|stop]``: the built-in CDSE emulator from the shell.

``run`` (the default) serves in the foreground and prints one ``export CDSE_...=...`` line per
variable a client needs. ``start`` runs it in the background and returns once it serves, printing
the same lines, so one line gives a shell an emulator::

    eval "$(cdse-intake emulator start)"    # CDSE_* now point at it
    eval "$(cdse-intake emulator stop)"     # stops it and unsets them

(``eval "$(cdse-intake emulator &)"`` cannot work: the command substitution waits for the
background process's output pipe to close, which is never.) A background emulator keeps its log
and its ``env.sh`` in a private folder named by ``CDSE_EMULATOR_STATE``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .exit_codes import ExitCode, epilog

__all__ = ["add_parser", "run"]

STATE_VAR = "CDSE_EMULATOR_STATE"
PID_VAR = "CDSE_EMULATOR_PID"
ENV_FILE = "env.sh"
LOG_FILE = "emulator.log"
#: Building the catalogue takes ~10 s on a loaded 2-core machine; leave ample room.
START_TIMEOUT = 180.0
STOP_TIMEOUT = 30.0
INSTALL_HINT = "pip install 'cdse-intake[emulator]'"


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: expected a number 0-65535")
    return port


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not value > 0:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}: expected a number > 0")
    return value


def _faults(text: str) -> dict[str, float]:
    """``name=share,...`` (or ``none``), checked as the emulator checks it."""
    from ..emulator.records.delivery import parse_fault_shares

    try:
        return parse_fault_shares(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


#: The serving options, forwarded as they are from ``start`` to the background ``run``.
_OPTIONS: list[tuple[str, dict[str, Any]]] = [
    ("--host", {"default": "127.0.0.1", "help": "catalogue/identity/STAC host"}),
    ("--download-host", {"default": "127.0.0.2", "help": "download host (differs)"}),
    ("--port", {"type": _port, "default": 0, "help": "catalogue port (0: any free)"}),
    ("--download-port", {"type": _port, "default": 0, "help": "download port"}),
    ("--seed", {"type": int, "default": 42, "help": "catalogue seed"}),
    ("--scale", {"type": _positive, "default": 1.0, "help": "catalogue size factor"}),
    ("--throttle", {"type": _positive, "help": "cap each download at N MB/s"}),
    ("--access-lifetime", {"type": _positive, "default": 600.0, "help": "seconds"}),
    ("--refresh-lifetime", {"type": _positive, "default": 3600.0, "help": "seconds"}),
    ("--password", {"help": "demo account password (default: random)"}),
    (
        "--deliver",
        {
            "choices": ("all", "showcase"),
            "default": "all",
            "help": "which products download: every one (each built when first listed or "
            "fetched) or a few per family (fast listings of thousands)",
        },
    ),
    (
        "--faults",
        {
            "type": _faults,
            "help": "share of products carrying each fault, e.g. 'offline=0.05,unavailable=0' "
            "(others at 0; 'none': no faults; default: a small realistic share)",
        },
    ),
    (
        "--sizes",
        {
            "choices": ("small", "realistic"),
            "default": "small",
            "help": "product sizes: small (every product a few hundred KB) or realistic (the "
            "showcase's Sentinel-2 L2A products full-size, ~200 MB, built on first use)",
        },
    ),
]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add ``emulator`` to a ``cdse-intake`` sub-parser set; returns the parser."""
    parser = sub.add_parser(
        "emulator",
        help="run the built-in CDSE emulator on loopback (run, start, stop)",
        description="run: serve in the foreground; start: serve in the background and return "
        'once ready (eval "$(cdse-intake emulator start)"); stop: stop the background one '
        '(eval "$(cdse-intake emulator stop)"). Both print CDSE_* export/unset lines.',
        epilog=epilog(ExitCode.OK, ExitCode.USAGE, ExitCode.ERROR, ExitCode.INTERRUPTED),
    )
    parser.add_argument("action", nargs="?", default="run", choices=("run", "start", "stop"))
    for flag, options in _OPTIONS:
        parser.add_argument(flag, **options)
    parser.add_argument("--no-s3", action="store_true", help="do not start the S3 server")
    parser.add_argument("--state", help=f"stop: the emulator's state folder (default ${STATE_VAR})")
    parser.add_argument("--env-file", help=argparse.SUPPRESS)  # written by a background run
    return parser


def run(args: argparse.Namespace) -> int:
    """Run ``cdse-intake emulator <action>``; returns the exit code."""
    if args.action == "start":
        return _start(args)
    if args.action == "stop":
        return _stop(args)
    return _serve(args)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return ExitCode.ERROR


def _serve(args: argparse.Namespace) -> int:
    try:
        from ..emulator.server import Emulator, EmulatorStartError, check_address
    except ImportError as err:
        return _fail(f"the emulator needs the 'emulator' extra ({err}); install: {INSTALL_HINT}")
    env_file = Path(args.env_file) if args.env_file else None
    try:
        for host, port in ((args.host, args.port), (args.download_host, args.download_port)):
            if port:
                check_address(host, port)
        emu = Emulator(
            seed=args.seed,
            scale=args.scale,
            host=args.host,
            download_host=args.download_host,
            port=args.port,
            download_port=args.download_port,
            access_lifetime=args.access_lifetime,
            refresh_lifetime=args.refresh_lifetime,
            s3=not args.no_s3,
            password=args.password,
            deliver=args.deliver,
            sizes=args.sizes,
            faults=args.faults,
        )
    except (OSError, ValueError, EmulatorStartError) as err:
        return _fail(f"cannot start the emulator: {err}")
    if args.throttle:
        emu.state.throttle = args.throttle * 1_000_000

    def announce(emu: Any) -> None:
        lines = [f"export {key}={shlex.quote(value)}" for key, value in emu.env().items()]
        if env_file is not None:
            lines += [
                f"export {PID_VAR}={os.getpid()}",
                f"export {STATE_VAR}={shlex.quote(str(env_file.parent))}",
            ]
            _write_atomically(env_file, "\n".join(lines) + "\n")
        print("\n".join(lines), flush=True)
        print(f"# CDSE emulator: {len(emu.catalogue)} products; Ctrl-C to stop", flush=True)

    async def serve() -> None:
        task = asyncio.ensure_future(emu.serve_forever(on_ready=announce))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    try:
        asyncio.run(serve())
    except (OSError, EmulatorStartError) as err:
        return _fail(f"cannot start the emulator: {err}")
    finally:
        if env_file is not None:
            env_file.unlink(missing_ok=True)  # stopped: `stop` finds nothing left to stop
    return ExitCode.OK


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _forwarded(args: argparse.Namespace) -> list[str]:
    argv: list[str] = []
    for flag, _ in _OPTIONS:
        value = getattr(args, flag.lstrip("-").replace("-", "_"))
        if isinstance(value, dict):  # --faults, parsed: back to its text
            value = ",".join(f"{name}={share}" for name, share in value.items()) or "none"
        if value is not None:
            argv += [flag, str(value)]
    if args.no_s3:
        argv.append("--no-s3")
    return argv


def _start(args: argparse.Namespace) -> int:
    state = Path(tempfile.mkdtemp(prefix="cdse-emulator-"))
    env_file = state / ENV_FILE
    command = [sys.executable, "-m", "cdse_intake.cli", "emulator", "run"]
    command += [*_forwarded(args), "--env-file", str(env_file)]
    with open(state / LOG_FILE, "wb") as log:
        # Its own session and no inherited pipe: the caller's `$(...)` returns once we do.
        child = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while not env_file.exists():
        if child.poll() is not None:
            reason = _last_error(state / LOG_FILE) or f"it exited with status {child.returncode}"
            shutil.rmtree(state, ignore_errors=True)
            print(reason if reason.startswith("error:") else f"error: {reason}", file=sys.stderr)
            return ExitCode.ERROR
        if time.monotonic() > deadline:
            child.kill()
            child.wait()
            shutil.rmtree(state, ignore_errors=True)
            return _fail(f"the emulator did not start within {START_TIMEOUT:.0f} s")
        time.sleep(0.05)
    sys.stdout.write(env_file.read_text())
    sys.stdout.flush()
    print(
        f'# background CDSE emulator (pid {child.pid}); stop it with: eval "$(cdse-intake '
        'emulator stop)"',
        file=sys.stderr,
    )
    return ExitCode.OK


def _last_error(log: Path) -> str:
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    return (errors or lines or [""])[-1].strip()


def _read_env(path: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in path.read_text().splitlines():
        words = shlex.split(line, comments=True)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            key, _, value = words[1].partition("=")
            env[key] = value
    return env


def _is_emulator(pid: int) -> bool:
    """Whether ``pid`` is still a cdse_intake emulator (never signal a recycled pid)."""
    cmdline = Path(f"/proc/{pid}/cmdline")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    if cmdline.exists():  # Linux: check what it runs; elsewhere the env file must do
        return b"cdse_intake.cli" in cmdline.read_bytes()
    return True


def _remove_state(state: Path) -> None:
    """Remove the files ``start`` made (only those: --state may name any folder), and the folder."""
    for name in (ENV_FILE, LOG_FILE):
        (state / name).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        state.rmdir()


def _stop(args: argparse.Namespace) -> int:
    where = args.state or os.environ.get(STATE_VAR)
    if not where:
        print(
            f"error: no emulator to stop: {STATE_VAR} is not set and --state was not given "
            '(start one with: eval "$(cdse-intake emulator start)")',
            file=sys.stderr,
        )
        return ExitCode.USAGE
    state = Path(where)
    env_file = state / ENV_FILE
    if not env_file.is_file():
        print(f"# no emulator is running from {state}", file=sys.stderr)
        return ExitCode.OK
    env = _read_env(env_file)
    pid = int(env.get(PID_VAR, "0"))
    if pid > 0 and _is_emulator(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while _is_emulator(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _is_emulator(pid):
            os.kill(pid, signal.SIGKILL)
    _remove_state(state)
    print("\n".join(f"unset {key}" for key in env))
    print(f"# CDSE emulator (pid {pid}) stopped", file=sys.stderr)
    return ExitCode.OK
