"""``cdse-intake open``: open a product lazily and print its structure (nothing is computed).

Useful to check what a product holds before writing code: ``cdse-intake open S2A_MSIL2A_… -g r10m``
prints the Dataset of the 10 m bands; ``--remote`` reads only metadata from CDSE instead of
downloading the product; ``-o key=value`` passes reader options (``resolution=10``,
``calibration=sigma0``; values are parsed as JSON when they parse, else kept as text).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from .exit_codes import ExitCode, epilog, for_error

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``open`` to a ``cdse-intake`` sub-parser set; returns the parser."""
    parser = subparsers.add_parser(
        "open",
        help="open a product lazily and print its variables, groups and attributes",
        description="Open a product (name, id, cdse:// URL or local path) lazily and print it.",
        epilog=epilog(ExitCode.OK, ExitCode.USAGE, ExitCode.AUTH, ExitCode.SERVICE, ExitCode.ERROR),
    )
    parser.add_argument("product", help="product name or id, cdse://<name>, or a local path")
    parser.add_argument("--remote", action="store_true", help="read from CDSE, do not download")
    parser.add_argument("-g", "--group", help="print the Dataset of this group of a tree")
    parser.add_argument("--via", default="https", help="https (default) or s3")
    parser.add_argument(
        "-o",
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a reader option, e.g. resolution=10 (repeatable)",
    )
    return parser


def _options(pairs: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ValueError(f"--option {pair!r} is not KEY=VALUE with KEY a name")
        try:
            options[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            options[key.strip()] = value
    return options


def run(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``cdse-intake open``; returns the exit code."""
    from ..config import check_via
    from ..errors import CDSEError, ConfigurationError
    from ..readers import open_product

    out = out or sys.stdout
    err = err or sys.stderr
    try:
        check_via(args.via)
    except ConfigurationError as exc:
        print(f"error: --{exc}", file=err)
        return ExitCode.USAGE
    try:
        options = _options(args.option)
    except ValueError as exc:
        print(f"error: {exc}", file=err)
        return ExitCode.USAGE
    try:
        result = open_product(
            args.product, remote=args.remote, group=args.group, via=args.via, **options
        )
    except TypeError as exc:  # an option the reader does not have
        print(f"error: {exc}", file=err)
        return ExitCode.USAGE
    except (CDSEError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=err)
        return for_error(exc)
    print(result, file=out)
    return ExitCode.OK
