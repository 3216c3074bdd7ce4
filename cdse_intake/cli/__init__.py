"""The ``cdse-intake`` command line: one module per subcommand, one exit-code table.

Each subcommand module has ``add_parser(subparsers)`` and ``run(args) -> int``; ``main`` wires
them and turns an exception into its exit code (:mod:`.exit_codes`).
"""

from __future__ import annotations

from .app import main
from .exit_codes import ExitCode

__all__ = ["ExitCode", "main"]
