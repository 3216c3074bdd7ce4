"""``cdse-intake cache ls|verify|relink|forget|clean|audit``: look after the product cache.

``ls`` prints one line per verified product; ``verify`` re-hashes them and prints ``ok``,
``CORRUPT`` (the file differs) or ``MISSING`` (no file where the index has it: moved or deleted)
for each, exiting 0 when all are ok, 9 when one is corrupt, else 10 when one is missing
(:mod:`.exit_codes`); with ``--look-in DIR`` it first finds moved files there, as ``relink DIR``
does (by the folder markers downloads leave, else by file name; each checked by size and
checksum). ``forget --missing`` (or ``forget ID ...``) drops index entries, never files;
``clean`` removes partial downloads and files the index does not know (``--everything``: all
products) and prints each path it removed; ``audit`` checks each product on disk and against
the catalogue (deleted, replaced by a newer processing: :mod:`.cache_audit`). The cache is
``Settings.from_env().cache_dir`` (``CDSE_CACHE_DIR``) unless the namespace has ``cache_dir``.

Each works on a damaged cache too (a read-only one, a damaged index set aside and rebuilt, stray
lock files): every problem the cache meets is one ``cdse-intake cache: warning: ...`` line on
standard error, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from . import cache_audit
from .exit_codes import ExitCode, epilog

if TYPE_CHECKING:
    from ..cache import CacheEntry, ProductCache

__all__ = ["add_parser", "run"]

COMMANDS = ("ls", "verify", "relink", "forget", "clean", "audit")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``cache ls|verify|clean`` to a ``cdse-intake`` sub-parser set; returns the parser."""
    parser = subparsers.add_parser(
        "cache",
        help="list, verify, relink, forget or clean the product cache",
        description="List, verify, find moved products of, forget or clean the product cache "
        "(CDSE_CACHE_DIR).",
        epilog=epilog(
            ExitCode.OK, ExitCode.USAGE, ExitCode.MISMATCH, ExitCode.MISSING, ExitCode.WITHDRAWN
        ),
    )
    sub = parser.add_subparsers(dest="cache_command", required=True, metavar="ACTION")
    sub.add_parser("ls", help="list the verified products")
    verify = sub.add_parser(
        "verify",
        help="re-hash the cached products (exit 9: one is corrupt, 10: one is missing)",
    )
    verify.add_argument("ids", nargs="*", help="product ids to verify (default: all)")
    verify.add_argument(
        "--look-in",
        action="append",
        metavar="DIR",
        help="first find missing (moved) products under DIR, as 'relink' does (repeatable)",
    )
    relink = sub.add_parser(
        "relink",
        help="find products moved with their folder under DIR (exit 10: some still missing)",
    )
    relink.add_argument("dirs", nargs="+", metavar="DIR", help="folders to look in")
    relink.add_argument("--id", action="append", dest="ids", help="only this product id")
    forget = sub.add_parser("forget", help="drop index entries (files are never touched)")
    forget.add_argument("ids", nargs="*", help="product ids to forget")
    forget.add_argument(
        "--missing", action="store_true", help="forget every product whose file is missing"
    )
    clean = sub.add_parser("clean", help="remove partial downloads and unindexed files")
    clean.add_argument("--everything", action="store_true", help="remove every cached product")
    cache_audit.add_parser(sub)
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


class _Lines(logging.Handler):
    """The cache's warnings as lines of this command's standard error."""

    def __init__(self, err: TextIO) -> None:
        super().__init__(logging.WARNING)
        self.err = err

    def emit(self, record: logging.LogRecord) -> None:
        text = " ".join(record.getMessage().split())
        print(f"cdse-intake cache: {record.levelname.lower()}: {text}", file=self.err)


@contextlib.contextmanager
def _warnings_to(err: TextIO) -> Iterator[None]:
    logger = logging.getLogger("cdse_intake.cache")
    handler = _Lines(err)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def run(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``cache <args.cache_command>``; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    with _warnings_to(err):
        return _run(args, out, err)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..cache import ProductCache
    from ..config import Settings

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

    if command in ("verify", "relink"):
        return _verify(cache, args, command, out, err)
    if command == "forget":
        return _forget(cache, args, out, err)
    if command == "audit":
        return cache_audit.run(cache, args, out, err)

    everything = bool(getattr(args, "everything", False))

    def show(path: Path) -> None:
        print(f"removed {path}", file=out)

    def refused(path: Path, error: OSError) -> None:
        print(f"cdse-intake cache clean: could not remove {path}: {error}", file=err)

    count = cache.clean(
        partial=True, unverified=True, everything=everything, on_remove=show, on_error=refused
    )
    print(f"{count} removed from {cache.root}", file=out)
    return ExitCode.OK


_WORDS = {"ok": "ok", "missing": "MISSING", "corrupt": "CORRUPT"}


def _verify(
    cache: ProductCache, args: argparse.Namespace, command: str, out: TextIO, err: TextIO
) -> int:
    """``verify`` (with ``--look-in``) and ``relink``: find moved files, then say what is left."""
    from ..errors import ConfigurationError

    ids = getattr(args, "ids", None) or None
    look_in = getattr(args, "dirs" if command == "relink" else "look_in", None) or []
    if look_in:
        try:
            found = cache.relink(look_in, ids)
        except ConfigurationError as error:
            print(f"cdse-intake cache {command}: {error}", file=err)
            return ExitCode.USAGE
        for item in found:
            was = f"(was {item.old})" if item.old else "(adopted from its folder's marker)"
            print(f"{'found':8}  {item.name}  {item.new}  {was}", file=out)
        print(f"{len(found)} found in {', '.join(map(str, look_in))}", file=out)
    if command == "relink":
        missing = [e for e, state in _states(cache, ids, hash_files=False) if state == "missing"]
        for entry in missing:
            print(f"{'MISSING':8}  {entry.name}  {entry.path}", file=out)
        _hint(len(missing), err)
        return ExitCode.MISSING if missing else ExitCode.OK
    results = _states(cache, ids, hash_files=True)
    counts = {state: 0 for state in _WORDS}
    for entry, state in results:
        counts[state] += 1
        print(f"{_WORDS[state]:8}  {entry.name}  {entry.path}", file=out)
    print(f"{counts['ok']} ok, {counts['corrupt']} corrupt, {counts['missing']} missing", file=out)
    _hint(counts["missing"], err)
    if counts["corrupt"]:
        return ExitCode.MISMATCH
    return ExitCode.MISSING if counts["missing"] else ExitCode.OK


def _states(
    cache: ProductCache, ids: list[str] | None, *, hash_files: bool
) -> list[tuple[CacheEntry, str]]:
    from ..cache.audit import is_missing

    if hash_files:
        return cache.check(ids)
    wanted = None if ids is None else set(ids)
    return [
        (e, "missing" if is_missing(e.path) else "ok")
        for e in cache.entries()
        if wanted is None or e.id in wanted
    ]


def _hint(missing: int, err: TextIO) -> None:
    if missing:
        print(
            f"{missing} missing: if they were moved, 'cdse-intake cache relink NEWDIR' finds them; "
            "'cdse-intake cache forget --missing' drops them from the index",
            file=err,
        )


def _forget(cache: ProductCache, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    ids = list(getattr(args, "ids", None) or [])
    if getattr(args, "missing", False):
        gone = cache.forget_missing(ids or None)
        for entry in gone:
            print(f"forgot  {entry.name}  {entry.path}", file=out)
        print(f"{len(gone)} missing products forgotten (no file was touched)", file=out)
        return ExitCode.OK
    if not ids:
        print("cdse-intake cache forget: give product ids or --missing", file=err)
        return ExitCode.USAGE
    known = {e.id: e for e in cache.entries()}
    unknown = [i for i in ids if i not in known]
    if unknown:
        print(
            f"cdse-intake cache forget: not in the index: {', '.join(map(repr, unknown))}; "
            "expected ids as 'cdse-intake cache ls' lists them",
            file=err,
        )
        return ExitCode.USAGE
    for product_id in ids:
        cache.forget(product_id)
        print(f"forgot  {known[product_id].name}  {known[product_id].path}", file=out)
    print(f"{len(ids)} forgotten (no file was touched)", file=out)
    return ExitCode.OK
