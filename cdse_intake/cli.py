"""The ``cdse-intake`` command line.

Sub-commands (more arrive with search, download and the catalogue):

``cdse-intake emulator [--port N]``
    Start the built-in CDSE emulator in the foreground. Prints one ``export CDSE_...=...`` line per
    environment variable a client needs, then serves until interrupted (Ctrl-C / SIGTERM)::

        eval "$(cdse-intake emulator --port 8080 &)"   # or copy the lines into your shell

``cdse-intake demo``
    Start an emulator and run the tour against it.

Exit codes: 0 success, 2 bad arguments, 3 authentication failure, 4 service error,
5 other cdse_intake error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shlex
import signal
import sys
from collections.abc import Sequence

from .errors import AuthenticationError, CDSEError, ConfigurationError, QueryError, ServiceError

__all__ = ["main"]

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_SERVICE = 4
EXIT_ERROR = 5
EXIT_INTERRUPTED = 130


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cdse-intake",
        description="The Copernicus Data Space Ecosystem from the command line.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    emu = sub.add_parser(
        "emulator",
        help="run the built-in CDSE emulator on loopback",
        description="Run the CDSE emulator; prints the CDSE_* export lines, then serves.",
    )
    emu.add_argument("--host", default="127.0.0.1", help="catalogue/identity/STAC host")
    emu.add_argument("--download-host", default="127.0.0.2", help="download host (differs)")
    emu.add_argument("--port", type=_port, default=0, help="catalogue port (0: any free)")
    emu.add_argument("--download-port", type=_port, default=0, help="download port")
    emu.add_argument("--seed", type=int, default=42, help="catalogue seed")
    emu.add_argument("--scale", type=_positive, default=1.0, help="catalogue size factor")
    emu.add_argument("--no-s3", action="store_true", help="do not start the S3 server")
    emu.add_argument("--throttle", type=_positive, help="cap each download at N MB/s")
    emu.add_argument("--access-lifetime", type=_positive, default=600.0, help="seconds")
    emu.add_argument("--refresh-lifetime", type=_positive, default=3600.0, help="seconds")
    emu.add_argument("--password", help="demo account password (default: random)")

    sub.add_parser("demo", help="run the tour against a built-in emulator")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``cdse-intake``; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "emulator":
            return _run_emulator(args)
        if args.command == "demo":
            from .demo import run_demo

            return run_demo()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (QueryError, ConfigurationError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except AuthenticationError as err:
        print(f"authentication failed: {err}", file=sys.stderr)
        return EXIT_AUTH
    except ServiceError as err:
        print(f"service error: {err}", file=sys.stderr)
        return EXIT_SERVICE
    except CDSEError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_ERROR
    raise AssertionError(f"unhandled command {args.command!r}")  # argparse prevents this


def _run_emulator(args: argparse.Namespace) -> int:
    from .emulator import Emulator

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
    )
    if args.throttle:
        emu.state.throttle = args.throttle * 1_000_000

    def announce(emu: Emulator) -> None:
        for key, value in emu.env().items():
            print(f"export {key}={shlex.quote(value)}", flush=True)
        print(f"# CDSE emulator: {len(emu.catalogue)} products; Ctrl-C to stop", flush=True)

    async def serve() -> None:
        task = asyncio.ensure_future(emu.serve_forever(on_ready=announce))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(serve())
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
