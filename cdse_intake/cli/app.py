"""``cdse-intake``: the parser, the dispatch to one module per subcommand, and the exit codes.

Sub-commands (``cdse-intake COMMAND --help`` for each):

``emulator [run|start|stop]``  the built-in CDSE emulator (foreground, or background for a shell)
``demo``                       start an emulator and run the tour against it
``collections``                list the catalogue's collections with their product types
``search``                     search; print a table and optionally write a manifest
``download MANIFEST``          download a manifest's products, verified and resumable
``cache ls|verify|clean``      look after the product cache
``open PRODUCT``               open a product lazily and print its structure

Every subcommand exits with a code of :mod:`.exit_codes` (README.md shows the table).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from . import cache, download, emulator, search
from . import open as open_cmd
from .exit_codes import ExitCode, epilog, for_error

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
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cdse-intake",
        description="The Copernicus Data Space Ecosystem from the command line.",
        epilog=epilog(),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    emulator.add_parser(sub)
    sub.add_parser("demo", help="run the tour against a built-in emulator")
    search.add_parsers(sub)
    download.add_parser(sub)
    cache.add_parser(sub)
    open_cmd.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``cdse-intake``; returns the exit code."""
    from ..errors import CDSEError

    args = _parser().parse_args(argv)
    try:
        return int(_COMMANDS[args.command](args))
    except BrokenPipeError:
        # `cdse-intake search ... | head`: the reader is gone; say nothing more, and keep the
        # interpreter from reporting the failed flush of stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.PIPE
    except (KeyboardInterrupt, CDSEError) as err:
        code = for_error(err)
        text = "interrupted" if code == ExitCode.INTERRUPTED else f"error: {err}"
        if code == ExitCode.AUTH:
            text = f"authentication failed: {err}"
        elif code == ExitCode.SERVICE:
            text = f"service error: {err}"
        print(text, file=sys.stderr)
        return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
