"""``cdse-intake download MANIFEST``: download a manifest's products.

Exit codes (:mod:`.exit_codes`): 0 every product verified or skipped, 2 bad arguments,
3 authentication failure, 6 unreadable manifest, 7 missing credentials, 8 some products failed,
130 interrupted. The manifest is updated after every product, so a failed or interrupted run can
simply be started again: verified products are skipped and partial ones resume.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .exit_codes import ExitCode, epilog, for_error

__all__ = ["EXIT_CODES", "add_parser", "run"]

#: The codes this subcommand can end with.
EXIT_CODES = (
    ExitCode.OK,
    ExitCode.USAGE,
    ExitCode.AUTH,
    ExitCode.INPUT,
    ExitCode.CREDENTIALS,
    ExitCode.FAILED,
    ExitCode.INTERRUPTED,
)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``download`` sub-command to an argparse ``add_subparsers()`` object."""
    parser = subparsers.add_parser(
        "download",
        help="download the products of a manifest (verified, resumable)",
        description="Download every product of a manifest into the product cache (or --dest), "
        "verifying checksums; the manifest records each product's state.",
        epilog=epilog(*EXIT_CODES),
    )
    parser.add_argument("manifest", help="manifest file written by 'cdse-intake search -o'")
    parser.add_argument("--dest", help="folder for the files (default: the product cache)")
    parser.add_argument("--via", default="https", help="https ($value, default) or s3")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument(
        "--max-connections", help="connections per account (default 4; 20 for service accounts)"
    )
    return parser


def _usage(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return ExitCode.USAGE


def run(args: argparse.Namespace) -> int:
    """Run ``cdse-intake download`` with parsed arguments; returns the exit code."""
    from ..config import check_via
    from ..errors import CDSEError, ConfigurationError

    via = getattr(args, "via", None) or "https"
    try:
        check_via(via)
    except ConfigurationError as err:
        return _usage(f"--{err}")
    raw = getattr(args, "max_connections", None)
    max_connections = None
    if raw is not None:
        text = str(raw).strip()
        if not text.isdigit() or int(text) < 1:
            return _usage(f"--max-connections {raw!r} is invalid; expected a whole number >= 1")
        max_connections = int(text)
    manifest = Path(args.manifest)
    if not manifest.is_file():
        print(f"error: cannot read manifest {str(manifest)!r}: no such file", file=sys.stderr)
        return ExitCode.INPUT
    dest = getattr(args, "dest", None)
    if dest is not None and Path(dest).exists() and not Path(dest).is_dir():
        return _usage(f"--dest {dest!r} is not a folder")

    from ..downloads import download

    try:
        report = download(
            manifest,
            dest,
            progress=not getattr(args, "quiet", False),
            via=via,
            max_connections=max_connections,
        )
    except KeyboardInterrupt:
        print("interrupted: run the same command again to resume", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except CDSEError as err:  # before any product was fetched: the manifest, settings, login
        code = for_error(err)
        print(
            f"{'authentication failed' if code == ExitCode.AUTH else 'error'}: {err}",
            file=sys.stderr,
        )
        return code

    for outcome in report.failed:
        print(f"failed: {outcome.name}: {outcome.reason}", file=sys.stderr)
    print(report.summary(), file=sys.stderr)
    if report.credentials_missing:
        return ExitCode.CREDENTIALS
    if report.authentication_failed:
        return ExitCode.AUTH
    if report.failed:
        return ExitCode.FAILED
    return ExitCode.OK
