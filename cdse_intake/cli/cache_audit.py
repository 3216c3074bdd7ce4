"""``cdse-intake cache audit``: each cached product checked on disk and against the catalogue.

One line per product: ``current``, ``deleted (<cause>, <date>)``, ``obsolete: replaced by
<newer name>``, ``unknown`` (neither listed nor deleted), ``tampered`` (the file no longer has
the checksum recorded at download) or ``missing file``; ``--json`` prints the records instead.
Exit 0 when every product is current, else 9 (one is tampered), 10 (one is missing), 11 (one is
deleted, obsolete or unknown), in that order (:mod:`.exit_codes`). Nothing is changed.

``--traces`` also judges each file against CDSE's signed traces of it (``| trace verified``,
``| trace hash mismatch (...)``, ...): a trace failure (hash mismatch, bad signature, untrusted
chain, unsigned) exits 9 as a tampered file does; no trace, or a trace saying obsolete or
deleted, exits 11; a trace service that cannot be asked, 4. ``--trust-roots PEM`` names the CA
certificates that anchor the signatures (default: the file ``$CDSE_TRACE_ROOTS`` names, as the
emulator exports it; none: the signatures are checked against each trace's own certificate).
"""

from __future__ import annotations

import argparse
import json
import os
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
    audit.add_argument(
        "--traces",
        action="store_true",
        help="also verify each file against CDSE's signed traces (hash, signature, chain)",
    )
    audit.add_argument(
        "--trust-roots",
        metavar="PEM",
        default=None,
        help="CA certificates anchoring the trace signatures (default: CDSE_TRACE_ROOTS)",
    )


def exit_code(records: list[AuditRecord]) -> ExitCode:
    """What the verdicts mean for the exit status (the worst first)."""
    from ..catalogue.trace_verify import TRACE_FAILURES

    verdicts = {r.verdict for r in records}
    traces = {r.trace for r in records} - {None}
    if "tampered" in verdicts or traces & TRACE_FAILURES:
        return ExitCode.MISMATCH
    if "missing file" in verdicts:
        return ExitCode.MISSING
    if "unavailable" in traces:
        return ExitCode.SERVICE
    if verdicts - {"current"} or traces - {"verified", "unanchored"}:
        return ExitCode.WITHDRAWN
    return ExitCode.OK


def _trust_roots(args: argparse.Namespace) -> str | None:
    """``--trust-roots``, else ``$CDSE_TRACE_ROOTS`` (only with ``--traces``)."""
    if not getattr(args, "traces", False):
        return None
    return getattr(args, "trust_roots", None) or os.environ.get("CDSE_TRACE_ROOTS") or None


def run(cache: ProductCache, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Audit ``cache`` as ``args`` say; prints a table (or JSON) and returns the exit code."""
    from ..downloads.cache_audit import audit_cache
    from ..errors import ConfigurationError

    if getattr(args, "trust_roots", None) and not getattr(args, "traces", False):
        print("cdse-intake cache audit: --trust-roots only applies with --traces", file=err)
        return ExitCode.USAGE
    try:
        records = audit_cache(
            cache,
            ids=getattr(args, "ids", None) or None,
            hash_files=not getattr(args, "no_hash", False),
            verify_traces=bool(getattr(args, "traces", False)),
            trust_roots=_trust_roots(args),
        )
    except ConfigurationError as error:
        from_env = (
            getattr(args, "traces", False)
            and not getattr(args, "trust_roots", None)
            and "trust_roots=" in str(error)
        )
        where = " (from the environment variable CDSE_TRACE_ROOTS)" if from_env else ""
        print(f"cdse-intake cache audit: {error}{where}", file=err)
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
