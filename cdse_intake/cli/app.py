"""``cdse-intake``: the parser, the dispatch to one module per subcommand, and the exit codes.

Sub-commands (``cdse-intake COMMAND --help`` for each):

``emulator [run|start|stop]``  the built-in CDSE emulator (foreground, or background for a shell)
``demo``                       start an emulator and run the tour against it
``collections``                list the catalogue's collections with their product types
``search``                     search; print a table and optionally write a manifest
``download MANIFEST``          download a manifest's products, verified and resumable
``cache ls|verify|clean``      look after the product cache
``open PRODUCT``               open a product lazily and print its structure
``load ... -o cube.zarr``      search (or --manifest) and write the products as one cube
``clms search|request|...``    CLMS (land.copernicus.eu) datasets and data requests as jobs
``bursts search|coverage|extract``  Sentinel-1 SLC bursts: search, burst ids of an area, extraction
``order IDS [--wait]``, ``order cancel ID``, ``orders``  orders of offline products
``subscriptions list|create|...``  CDSE subscriptions to new products
``watch``                      print (and --download) new products as they are published

Every subcommand exits with a code of :mod:`.exit_codes` (README.md shows the table); an error
is one line on stderr, and ``--debug`` (before or after the subcommand) adds the full trace.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from . import bursts, cache, clms, download, emulator, load, orders, search, subscriptions
from . import open as open_cmd
from . import s3_keys as s3_keys_cmd
from .exit_codes import ExitCode, describe, epilog, for_error

__all__ = ["main"]


def _run_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo()


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "emulator": emulator.run,
    "demo": _run_demo,
    "collections": search.run_collections,
    "search": search.run_search,
    "download": download.run,
    "cache": cache.run,
    "open": open_cmd.run,
    "load": load.run,
    "clms": clms.run,
    "bursts": bursts.run,
    "order": orders.run_order,
    "orders": orders.run_orders,
    "subscriptions": subscriptions.run_subscriptions,
    "watch": subscriptions.run_watch,
    "s3-keys": s3_keys_cmd.run,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cdse-intake",
        description="The Copernicus Data Space Ecosystem from the command line.",
        epilog=epilog(),
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="on an error, print the full trace too (also accepted after the subcommand)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    emulator.add_parser(sub)
    sub.add_parser("demo", help="run the tour against a built-in emulator")
    search.add_parsers(sub)
    download.add_parser(sub)
    cache.add_parser(sub)
    open_cmd.add_parser(sub)
    load.add_parser(sub)
    clms.add_parser(sub)
    bursts.add_parser(sub)
    orders.add_parsers(sub)
    subscriptions.add_parsers(sub)
    s3_keys_cmd.add_parser(sub)
    return parser


def _split_debug(argv: Sequence[str]) -> tuple[list[str], bool]:
    """``argv`` without ``--debug`` (wherever it is, before a ``--``), and whether it was there."""
    args = list(argv)
    end = args.index("--") if "--" in args else len(args)
    kept = [a for a in args[:end] if a != "--debug"] + args[end:]
    return kept, len(kept) != len(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``cdse-intake``; returns the exit code (bad arguments too: 2).

    A user error or an environment problem (a full disk, an unreadable file, a refused
    password, CDSE down) is one line on stderr and its exit code (:mod:`.exit_codes`); with
    ``--debug`` the full trace comes first. Anything else is a bug, said as one line too.
    """
    args_list, debug = _split_debug(sys.argv[1:] if argv is None else argv)
    with contextlib.suppress(AttributeError, ValueError):  # a name no codec can print: \\x..
        if getattr(sys.stdout, "errors", None) == "strict":
            sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    try:
        args = _parser().parse_args(args_list)
    except SystemExit as done:  # argparse said what was wrong (2), or printed --help (0)
        return done.code if isinstance(done.code, int) else ExitCode.USAGE
    args.debug = debug
    try:
        return int(_COMMANDS[args.command](args))
    except BrokenPipeError:
        # `cdse-intake search ... | head`: the reader is gone; say nothing more, and keep the
        # interpreter from reporting the failed flush of stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.PIPE
    except (KeyboardInterrupt, Exception) as err:  # the CLI's last word: one line
        if debug and not isinstance(err, KeyboardInterrupt):
            traceback.print_exception(err, file=sys.stderr)
        print(describe(err), file=sys.stderr)
        return for_error(err)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
