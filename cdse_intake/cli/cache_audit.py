"""``cdse-intake cache audit``: each cached product checked on disk and against the catalogue.

One line per product: ``current``, ``deleted (<cause>, <date>)``, ``obsolete: replaced by
<newer name>``, ``unknown`` (neither listed nor deleted), ``tampered`` (the file no longer has
the checksum recorded at download) or ``missing file``; ``--json`` prints the records instead.
Exit 0 when every product is current, else 9 (one is tampered), 10 (one is missing), 11 (one is
deleted, obsolete or unknown), in that order (:mod:`.exit_codes`). Nothing is changed.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, TextIO

from .exit_codes import ExitCode

if TYPE_CHECKING:
    from ..cache import ProductCache
    from ..downloads.cache_audit import AuditRecord

__all__ = ["add_parser", "exit_code", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``audit`` to the ``cache`` actions."""
    audit = sub.add_parser(
        "audit",
        help="check the cached products on disk and against the catalogue "
        "(exit 9: tampered, 10: missing, 11: deleted or replaced)",
    )
    audit.add_argument("ids", nargs="*", help="product ids to audit (default: all)")
    audit.add_argument("--json", action="store_true", help="print the records as JSON")
    audit.add_argument(
        "--no-hash", action="store_true", help="do not re-hash the files (blind to tampering)"
    )


def exit_code(records: list[AuditRecord]) -> ExitCode:
    """What the verdicts mean for the exit status (the worst first)."""
    verdicts = {r.verdict for r in records}
    if "tampered" in verdicts:
        return ExitCode.MISMATCH
    if "missing file" in verdicts:
        return ExitCode.MISSING
    if verdicts - {"current"}:
        return ExitCode.WITHDRAWN
    return ExitCode.OK


def run(cache: ProductCache, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Audit ``cache`` as ``args`` say; prints a table (or JSON) and returns the exit code."""
    from ..downloads.cache_audit import audit_cache
    from ..errors import ConfigurationError

    try:
        records = audit_cache(
            cache,
            ids=getattr(args, "ids", None) or None,
            hash_files=not getattr(args, "no_hash", False),
        )
    except ConfigurationError as error:
        print(f"cdse-intake cache audit: {error}", file=err)
        return ExitCode.USAGE
    if getattr(args, "json", False):
        json.dump([r.to_dict() for r in records], out, indent=2)
        print(file=out)
        return exit_code(records)
    if not records:
        print(f"no verified products in {cache.root}", file=out)
        return ExitCode.OK
    rows = [("VERDICT", "NAME", "ID")] + [(r.detail, r.name, r.id) for r in records]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    for row in rows:
        print(f"{row[0]:{widths[0]}}  {row[1]:{widths[1]}}  {row[2]}", file=out)
    counts: dict[str, int] = {}
    for record in records:
        counts[record.verdict] = counts.get(record.verdict, 0) + 1
    print(", ".join(f"{n} {verdict}" for verdict, n in counts.items()), file=out)
    return exit_code(records)
