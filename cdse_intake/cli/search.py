"""``cdse-intake collections`` and ``cdse-intake search``: the catalogue from the shell."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from .exit_codes import ExitCode

__all__ = ["add_parsers", "add_query_arguments", "query_kwargs", "run_collections", "run_search"]


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


def _cloud(text: str) -> float | tuple[float, float]:
    try:
        parts = [float(v) for v in text.split(",")]
    except ValueError:
        parts = []
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return (parts[0], parts[1])
    raise argparse.ArgumentTypeError(f"invalid cloud {text!r}: expected a maximum or min,max")


def add_query_arguments(parser: argparse.ArgumentParser) -> None:
    """The query options of ``search`` (collection, area, dates, cloud, tile, ...), also
    taken by the subcommands that search first (``load``)."""
    parser.add_argument("--collection", help="SENTINEL-2 or a STAC id such as sentinel-2-l2a")
    parser.add_argument("--product-type", action="append", help="e.g. S2MSI2A (repeatable)")
    area = parser.add_mutually_exclusive_group()
    area.add_argument("--bbox", type=_bbox, help="west,south,east,north in degrees")
    area.add_argument("--geometry", help="WKT, GeoJSON or a path to a GeoJSON/shapefile")
    parser.add_argument("--start", help="sensing start from (ISO date/time, UTC by default)")
    parser.add_argument("--end", help="sensing start before (a bare date includes that day)")
    parser.add_argument("--cloud", type=_cloud, help="max cloud %% or a range min,max")
    parser.add_argument("--tile", help="Sentinel-2 MGRS tile (31UFT) or Landsat path/row (198/026)")
    parser.add_argument("--orbit", type=int, help="absolute orbit number")
    parser.add_argument("--relative-orbit", type=int, help="relative orbit number")
    parser.add_argument("--orbit-direction", help="ascending or descending")
    parser.add_argument("--platform", help="e.g. S2A, S1C")
    parser.add_argument("--name-contains", help="part of the product name")
    parser.add_argument("--online", action="store_true", default=None, help="online products only")
    parser.add_argument("--processing-level", help="e.g. L1C, L2A, L2, LEVEL1 (its product types)")
    parser.add_argument(
        "--min-sea-percent", type=float, help="at least this %% of the footprint sea"
    )
    parser.add_argument("--min-land-percent", type=float, help="at least this %% of it land")
    parser.add_argument(
        "--sort", default="start", help="start, end, published, modified or cloud; - desc"
    )
    parser.add_argument("--limit", type=int, help="at most this many products")
    parser.add_argument(
        "--backend",
        default="odata",
        choices=["odata", "stac", "usgs"],
        help="odata (default), stac, or usgs (Landsat through USGS's M2M API: USGS_USERNAME, "
        "USGS_TOKEN)",
    )
    parser.add_argument("--no-cache", action="store_true", help="do not reuse recent results")


def add_parsers(sub: Any) -> None:
    """Add ``collections`` and ``search`` to a ``cdse-intake`` sub-parser set."""
    sub.add_parser(
        "collections",
        help="list the catalogue's collections and their product types",
        description="List collections (STAC id, OData name, product types) from the catalogue.",
    )
    find = sub.add_parser(
        "search",
        help="search the catalogue; print a table and optionally write a manifest",
        description="Search CDSE. Every option is a query field; invalid values fail before any "
        "request. Endpoints and credentials come from the CDSE_* environment.",
    )
    add_query_arguments(find)
    find.add_argument(
        "-o",
        "--output",
        help="write the manifest (CSV) here; an existing manifest is merged into (its rows keep "
        "their download state, new products are added, the query is added to its header)",
    )


def run_collections(args: argparse.Namespace) -> int:
    """Print the catalogue's collections."""
    from ..api import collections

    rows = collections()
    print(f"{'STAC id':<34} {'OData':<12} product types")
    for row in rows:
        print(f"{row['id']:<34} {row['odata'] or '-':<12} {', '.join(row['product_types'])}")
    return ExitCode.OK


def _output_problem(path: Path) -> str:
    """Why a manifest cannot be written at ``path`` ("" when it can): said before the search."""
    try:
        if path.is_dir():
            return "is a folder; give the manifest's file name"
        if os.path.lexists(path) and not path.is_file():
            return "is not a regular file"
        folder = path.parent
        while not os.path.lexists(folder) and folder != folder.parent:
            folder = folder.parent  # write_manifest creates the missing folders
        if not folder.is_dir():
            return f"{str(folder)!r} is not a folder"
        fd, probe = tempfile.mkstemp(prefix=".cdse-intake-", suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except (OSError, ValueError) as err:  # read-only, no permission, a NUL or too long a name
        return f"cannot write there: {getattr(err, 'strerror', None) or err}"
    return ""


def query_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """:func:`cdse_intake.search`'s keywords from the options of :func:`add_query_arguments`."""
    product_type = tuple(args.product_type) if args.product_type else None
    return dict(
        collection=args.collection,
        product_type=product_type[0] if product_type and len(product_type) == 1 else product_type,
        bbox=args.bbox,
        geometry=args.geometry,
        start=args.start,
        end=args.end,
        cloud=args.cloud,
        tile=args.tile,
        orbit=args.orbit,
        relative_orbit=args.relative_orbit,
        orbit_direction=args.orbit_direction,
        platform=args.platform,
        name_contains=args.name_contains,
        online=args.online,
        sort=args.sort,
        limit=args.limit,
        backend=args.backend,
        cache=not args.no_cache,
        processing_level=args.processing_level,
        min_sea_percent=args.min_sea_percent,
        min_land_percent=args.min_land_percent,
    )


def run_search(args: argparse.Namespace) -> int:
    """Search, print one line per product, and write the manifest when ``-o`` is given.

    ``-o`` is checked first: a folder, a device or a place that cannot be written is a usage
    error (exit 2), and an existing file that is not a manifest fails (exit 6), both before any
    request, leaving the file as it was; a manifest is merged into, never reset.
    """
    from ..api import search
    from ..manifest import read_manifest

    if args.output and args.backend == "usgs":
        print(
            f"error: -o {args.output!r}: manifests list CDSE products; USGS scenes are "
            "downloaded with cdse_intake.download(...) in Python (or search CDSE's LANDSAT-* "
            "collections for a manifest)",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    if args.output:
        problem = _output_problem(Path(args.output))
        if problem:
            print(f"error: -o {args.output!r}: {problem}", file=sys.stderr)
            return ExitCode.USAGE
        if os.path.lexists(args.output):
            read_manifest(args.output)  # ManifestError (exit 6) before any request
    results = search(**query_kwargs(args))
    results.warn_empty = False  # said below, as a line of its own
    print(f"{'name':<70} {'sensing start':<17} {'cloud':>6} {'MB':>9} online")
    count = 0
    for p in results:
        count += 1
        when = p.start.strftime("%Y-%m-%d %H:%M") if p.start else ""
        cloud = "" if p.cloud_cover is None else f"{p.cloud_cover:.1f}"
        size = "" if p.size is None else f"{p.size / 1e6:.1f}"
        online = "" if p.online is None else ("yes" if p.online else "no")
        print(f"{p.name:<70} {when:<17} {cloud:>6} {size:>9} {online}")
    print(f"{count} products", file=sys.stderr)
    if not count:  # explain() asks CDSE's catalogue: not for a USGS search
        why = "" if args.backend == "usgs" else f" {results.explain()}"
        print(f"nothing found.{why}", file=sys.stderr)
    if args.output:
        existed = os.path.lexists(args.output)
        path = results.to_manifest(args.output)
        if not existed:
            print(f"manifest written to {path}", file=sys.stderr)
        else:
            latest = read_manifest(path).searches[-1]
            print(
                f"manifest {path} merged: {latest.get('added', 0)} products added, "
                f"{latest.get('missing', 0)} no longer found (kept, InLastSearch=no); "
                "download states kept",
                file=sys.stderr,
            )
    return ExitCode.OK
