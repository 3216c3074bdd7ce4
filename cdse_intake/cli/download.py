"""``cdse-intake download MANIFEST``: download a manifest's products.

Exit codes (:mod:`.exit_codes`): 0 every product verified or skipped, 2 bad arguments,
3 authentication failure, 4 CDSE unreachable, 5 the manifest cannot be written (a full disk:
the verified products stay in the cache), 6 unreadable manifest, 7 missing credentials,
8 some products failed, 130 interrupted. The manifest is updated after every product, so a
failed or interrupted run can simply be started again: verified products are skipped and partial
ones resume.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path
from typing import Any

from .exit_codes import ExitCode, describe, epilog, for_error

__all__ = ["EXIT_CODES", "add_parser", "run"]

#: The codes this subcommand can end with.
EXIT_CODES = (
    ExitCode.OK,
    ExitCode.USAGE,
    ExitCode.AUTH,
    ExitCode.SERVICE,
    ExitCode.ERROR,
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
        "--order-offline",
        action="store_true",
        help="order offline products (On-Demand Production API), wait, then download them",
    )
    parser.add_argument(
        "--max-connections", help="connections per account (default 4; 20 for service accounts)"
    )
    return parser


def _not_a_file(path: Path) -> str:
    """Why ``path`` is no regular file to read ("" when it is one)."""
    try:
        if path.is_file():
            return ""
        return "not a regular file" if path.exists() else "no such file"
    except (OSError, ValueError) as err:  # a name too long, a NUL in it
        return str(err)


def _is_dir(path: str) -> bool:
    try:
        return Path(path).is_dir()
    except (OSError, ValueError):
        return False


def _usage(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return ExitCode.USAGE


def run(args: argparse.Namespace) -> int:
    """Run ``cdse-intake download`` with parsed arguments; returns the exit code."""
    from ..config import check_via
    from ..errors import CDSEError, ConfigurationError
    from ..manifest import ManifestWriteError

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
    problem = _not_a_file(manifest)
    if problem:
        print(f"error: cannot read manifest {str(manifest)!r}: {problem}", file=sys.stderr)
        return ExitCode.INPUT
    dest = getattr(args, "dest", None)
    if dest is not None and _not_a_file(Path(dest)) != "no such file" and not _is_dir(dest):
        return _usage(f"--dest {dest!r} is not a folder")

    from ..downloads import download

    try:
        report = download(
            manifest,
            dest,
            progress=not getattr(args, "quiet", False),
            via=via,
            max_connections=max_connections,
            order_offline=getattr(args, "order_offline", False),
        )
    except KeyboardInterrupt:
        print("interrupted: run the same command again to resume", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except CDSEError as err:  # the manifest, settings, login; or the manifest cannot be written
        if getattr(args, "debug", False):
            traceback.print_exception(err, file=sys.stderr)
        text = describe(err)
        if isinstance(err, ManifestWriteError):
            text += (
                "; the products downloaded are verified in the cache: run the same command "
                "again once the manifest can be written (they are not fetched again)"
            )
        print(text, file=sys.stderr)
        return for_error(err)

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
