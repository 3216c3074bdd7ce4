"""``cdse-intake cache ls|verify|clean``: look after the product cache from the shell.

``ls`` prints one line per verified product; ``verify`` re-hashes them and exits 0 when all
match, 9 otherwise (:mod:`.exit_codes`); ``clean`` removes partial downloads and files the index
does not know (``--everything``: all products) and prints each path it removed. The cache is
``Settings.from_env().cache_dir`` (``CDSE_CACHE_DIR``) unless the namespace has ``cache_dir``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from .exit_codes import ExitCode, epilog

__all__ = ["add_parser", "run"]

COMMANDS = ("ls", "verify", "clean")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``cache ls|verify|clean`` to a ``cdse-intake`` sub-parser set; returns the parser."""
    parser = subparsers.add_parser(
        "cache",
        help="list, verify or clean the product cache",
        description="List, verify or clean the product cache (CDSE_CACHE_DIR).",
        epilog=epilog(ExitCode.OK, ExitCode.USAGE, ExitCode.MISMATCH),
    )
    sub = parser.add_subparsers(dest="cache_command", required=True, metavar="ACTION")
    sub.add_parser("ls", help="list the verified products")
    verify = sub.add_parser("verify", help="re-hash the cached products (exit 9 on mismatch)")
    verify.add_argument("ids", nargs="*", help="product ids to verify (default: all)")
    clean = sub.add_parser("clean", help="remove partial downloads and unindexed files")
    clean.add_argument("--everything", action="store_true", help="remove every cached product")
    return parser


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def _table(rows: list[tuple[str, ...]], out: TextIO) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        line = "  ".join(
            cell.rjust(w) if i == 1 else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        print(line.rstrip(), file=out)


def run(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``cache <args.cache_command>``; returns the exit code."""
    from ..cache import ProductCache
    from ..config import Settings

    out = out or sys.stdout
    err = err or sys.stderr
    command = getattr(args, "cache_command", None)
    if command not in COMMANDS:
        print(
            f"cdse-intake cache: unknown action {command!r}; expected one of {', '.join(COMMANDS)}",
            file=err,
        )
        return ExitCode.USAGE
    root = getattr(args, "cache_dir", None) or Settings.from_env().cache_dir
    cache = ProductCache(Path(root))

    if command == "ls":
        entries = cache.entries()
        if not entries:
            print(f"no verified products in {cache.root}", file=out)
            return ExitCode.OK
        rows = [("NAME", "SIZE", "CHECKSUM", "VERIFIED", "PATH")]
        rows += [
            (
                e.name,
                _size(e.size),
                e.algorithm,
                e.verified_at.strftime("%Y-%m-%d %H:%M"),
                str(e.path),
            )
            for e in entries
        ]
        _table(rows, out)
        total = sum(e.size for e in entries)
        print(f"{len(entries)} products, {_size(total)} in {cache.root}", file=out)
        return ExitCode.OK

    if command == "verify":
        ids = getattr(args, "ids", None) or None
        results = cache.verify(ids)
        bad = 0
        for entry, ok in results:
            if not ok:
                bad += 1
            print(f"{'ok' if ok else 'MISMATCH':8}  {entry.name}  {entry.path}", file=out)
        print(f"{len(results) - bad} ok, {bad} mismatched", file=out)
        return ExitCode.OK if bad == 0 else ExitCode.MISMATCH

    everything = bool(getattr(args, "everything", False))

    def show(path: Path) -> None:
        print(f"removed {path}", file=out)

    count = cache.clean(partial=True, unverified=True, everything=everything, on_remove=show)
    print(f"{count} removed from {cache.root}", file=out)
    return ExitCode.OK
