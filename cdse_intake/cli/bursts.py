"""``cdse-intake bursts search|coverage|extract``: Sentinel-1 SLC bursts from the shell.

``search`` prints one line per burst (tab-separated: id, name, burst id, swath, polarisation,
relative orbit, direction, sensing start); ``coverage`` the burst ids over an area;
``extract`` has CDSE cut bursts (``--id``, repeatable, or the bursts a query finds) into the
cache or ``--dest``, verified and resumable, and prints each zip's path.

Exit codes (:mod:`.exit_codes`): 0 done, 2 a bad argument or query value (nothing was sent),
3 credentials refused, 4 CDSE answered with an error, 7 no credentials, 8 some bursts failed
(the others are done; run again to resume), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .exit_codes import ExitCode, epilog

__all__ = ["EXIT_CODES", "add_parser", "run"]

EXIT_CODES = (
    ExitCode.OK,
    ExitCode.USAGE,
    ExitCode.AUTH,
    ExitCode.SERVICE,
    ExitCode.CREDENTIALS,
    ExitCode.FAILED,
    ExitCode.INTERRUPTED,
)


def _bbox(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4:
        raise argparse.ArgumentTypeError(
            f"invalid bbox {text!r}: expected four numbers west,south,east,north"
        )
    return values


def _query_arguments(parser: argparse.ArgumentParser) -> None:
    area = parser.add_mutually_exclusive_group()
    area.add_argument("--bbox", type=_bbox, help="west,south,east,north in degrees")
    area.add_argument("--geometry", help="WKT, GeoJSON or a path to a GeoJSON/shapefile")
    parser.add_argument("--start", help="sensing start from (ISO date/time, UTC by default)")
    parser.add_argument("--end", help="sensing start before (a bare date includes that day)")
    parser.add_argument("--swath", action="append", help="IW1..IW3, EW1..EW5 (repeatable)")
    parser.add_argument("--polarisation", action="append", help="VV, VH, HH, HV (repeatable)")
    parser.add_argument("--burst-id", help="ESA's relative burst id, e.g. 15804")
    parser.add_argument("--absolute-burst-id", help="ESA's absolute burst id")
    parser.add_argument("--relative-orbit", help="relative orbit number, 1..175")
    parser.add_argument("--orbit-direction", help="ascending or descending")
    parser.add_argument("--platform", help="S1A .. S1D")
    parser.add_argument("--product-type", action="append", help="IW_SLC__1S or EW_SLC__1S")
    parser.add_argument("--parent", help="the parent SLC product's name or id")
    parser.add_argument("--limit", help="at most this many bursts")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``bursts`` and its subcommands to a ``cdse-intake`` sub-parser set."""
    parser = subparsers.add_parser(
        "bursts",
        help="Sentinel-1 SLC bursts: search, coverage of an area, extraction",
        description="Search CDSE's Sentinel-1 SLC bursts and have them extracted on request.",
        epilog=epilog(*EXIT_CODES),
    )
    sub = parser.add_subparsers(dest="bursts_command", required=True, metavar="ACTION")
    find = sub.add_parser("search", help="list the bursts a query finds")
    _query_arguments(find)
    cover = sub.add_parser("coverage", help="which burst ids, orbits and swaths image an area")
    _query_arguments(cover)
    extract = sub.add_parser("extract", help="extract bursts into the cache (or --dest)")
    extract.add_argument("--id", action="append", dest="ids", help="a burst Id (repeatable)")
    _query_arguments(extract)
    extract.add_argument("--dest", help="folder for the zips (default: <cache>/bursts)")
    return parser


def _criteria(args: argparse.Namespace) -> dict[str, Any]:
    names = (
        "bbox",
        "geometry",
        "start",
        "end",
        "swath",
        "polarisation",
        "burst_id",
        "absolute_burst_id",
        "relative_orbit",
        "orbit_direction",
        "platform",
        "product_type",
        "parent",
        "limit",
    )
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


def run(args: argparse.Namespace) -> int:
    """Run ``cdse-intake bursts ...``; errors go to the CLI's one-line handler."""
    from .. import bursts

    criteria = _criteria(args)
    action = args.bursts_command
    if action == "search":
        found = bursts.search_bursts(**criteria)
        if not found:
            print("no bursts match", file=sys.stderr)
        for b in found:
            print(
                f"{b.id}\t{b.name}\t{b.burst_id}\t{b.swath}\t{b.polarisation}\t"
                f"{b.relative_orbit}\t{b.orbit_direction}\t{b.start:%Y-%m-%dT%H:%M:%S.%fZ}"
            )
        return ExitCode.OK
    if action == "coverage":
        print("burst_id\trelative_orbit\torbit_direction\tswath\tbursts")
        for c in bursts.burst_coverage(criteria.pop("geometry", None), **criteria):
            print(f"{c.burst_id}\t{c.relative_orbit}\t{c.orbit_direction}\t{c.swath}\t{c.bursts}")
        return ExitCode.OK
    return _extract(args, criteria)


def _extract(args: argparse.Namespace, criteria: dict[str, Any]) -> int:
    from .. import bursts
    from ..bursts.search import lookup_async
    from ..config import resolve
    from ..downloads.runner import run_sync
    from ..errors import AuthenticationError, CredentialsMissing, QueryError

    if args.ids and criteria:
        raise QueryError("give --id or query options, not both")
    if args.ids:
        context = resolve()
        found = run_sync(lambda: lookup_async(args.ids, context.endpoints, context.settings))
    elif criteria:
        found = bursts.search_bursts(**criteria)
    else:
        raise QueryError("say which bursts: --id, or query options such as --burst-id --swath")
    done = bursts.extract_bursts(found, args.dest)
    failed = [d for d in done if not d.ok]
    for d in done:
        if d.ok:
            print(d.path)
        else:
            print(f"failed: {d.burst.name}: {d.error}", file=sys.stderr)
    if not failed:
        return ExitCode.OK
    if any(isinstance(d.error, CredentialsMissing) for d in failed):
        return ExitCode.CREDENTIALS
    if any(isinstance(d.error, AuthenticationError) for d in failed):
        return ExitCode.AUTH
    return ExitCode.FAILED
