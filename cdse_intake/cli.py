"""The ``cdse-intake`` command line.

Sub-commands:

``cdse-intake emulator [--port N]``
    Start the built-in CDSE emulator in the foreground. Prints one ``export CDSE_...=...`` line per
    environment variable a client needs, then serves until interrupted (Ctrl-C / SIGTERM)::

        eval "$(cdse-intake emulator --port 8080 &)"   # or copy the lines into your shell

``cdse-intake demo``
    Start an emulator and run the tour against it.

``cdse-intake collections``
    List the catalogue's collections with their product types.

``cdse-intake search --collection ... --bbox ... --start ... --end ... --cloud ... -o m.csv``
    Search; print a table of the products and optionally write a manifest.

``cdse-intake download MANIFEST [--dest DIR] [--via https|s3]``
    Download a manifest's products, verified and resumable (exit codes in ``download_cli``).

``cdse-intake cache ls|verify|clean``
    Look after the product cache.

``cdse-intake open PRODUCT [--remote] [-g GROUP] [-o KEY=VALUE]``
    Open a product lazily and print its structure (exit codes in ``open_cli``).

Exit codes: 0 success, 2 bad arguments, 3 authentication failure, 4 service error,
5 other cdse_intake error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shlex
import signal
import sys
from collections.abc import Sequence

from . import cache_cli, download_cli, open_cli
from .errors import AuthenticationError, CDSEError, ConfigurationError, QueryError, ServiceError

__all__ = ["main"]

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_SERVICE = 4
EXIT_ERROR = 5
EXIT_INTERRUPTED = 130


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: expected a number 0-65535")
    return port


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not value > 0:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}: expected a number > 0")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cdse-intake",
        description="The Copernicus Data Space Ecosystem from the command line.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    emu = sub.add_parser(
        "emulator",
        help="run the built-in CDSE emulator on loopback",
        description="Run the CDSE emulator; prints the CDSE_* export lines, then serves.",
    )
    emu.add_argument("--host", default="127.0.0.1", help="catalogue/identity/STAC host")
    emu.add_argument("--download-host", default="127.0.0.2", help="download host (differs)")
    emu.add_argument("--port", type=_port, default=0, help="catalogue port (0: any free)")
    emu.add_argument("--download-port", type=_port, default=0, help="download port")
    emu.add_argument("--seed", type=int, default=42, help="catalogue seed")
    emu.add_argument("--scale", type=_positive, default=1.0, help="catalogue size factor")
    emu.add_argument("--no-s3", action="store_true", help="do not start the S3 server")
    emu.add_argument("--throttle", type=_positive, help="cap each download at N MB/s")
    emu.add_argument("--access-lifetime", type=_positive, default=600.0, help="seconds")
    emu.add_argument("--refresh-lifetime", type=_positive, default=3600.0, help="seconds")
    emu.add_argument("--password", help="demo account password (default: random)")

    sub.add_parser("demo", help="run the tour against a built-in emulator")

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
    find.add_argument("--collection", help="SENTINEL-2 or a STAC id such as sentinel-2-l2a")
    find.add_argument("--product-type", action="append", help="e.g. S2MSI2A (repeatable)")
    area = find.add_mutually_exclusive_group()
    area.add_argument("--bbox", type=_bbox, help="west,south,east,north in degrees")
    area.add_argument("--geometry", help="WKT, GeoJSON or a path to a GeoJSON/shapefile")
    find.add_argument("--start", help="sensing start from (ISO date/time, UTC by default)")
    find.add_argument("--end", help="sensing start before (a bare date includes that day)")
    find.add_argument("--cloud", type=_cloud, help="max cloud %% or a range min,max")
    find.add_argument("--tile", help="Sentinel-2 MGRS tile, e.g. 31UFT")
    find.add_argument("--orbit", type=int, help="absolute orbit number")
    find.add_argument("--relative-orbit", type=int, help="relative orbit number")
    find.add_argument("--orbit-direction", help="ascending or descending")
    find.add_argument("--platform", help="e.g. S2A, S1C")
    find.add_argument("--name-contains", help="part of the product name")
    find.add_argument("--online", action="store_true", default=None, help="online products only")
    find.add_argument("--sort", default="start", help="start, end, published or modified; - desc")
    find.add_argument("--limit", type=int, help="at most this many products")
    find.add_argument("--backend", default="odata", choices=["odata", "stac"])
    find.add_argument("--no-cache", action="store_true", help="do not reuse recent results")
    find.add_argument("-o", "--output", help="write the manifest (CSV) here")

    download_cli.add_parser(sub)
    cache_cli.add_parser(sub)
    open_cli.add_parser(sub)
    return parser


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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``cdse-intake``; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "emulator":
            return _run_emulator(args)
        if args.command == "demo":
            from .demo import run_demo

            return run_demo()
        if args.command == "collections":
            return _run_collections()
        if args.command == "search":
            return _run_search(args)
        if args.command == "download":
            return download_cli.run(args)
        if args.command == "cache":
            return cache_cli.run(args)
        if args.command == "open":
            return open_cli.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (QueryError, ConfigurationError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except AuthenticationError as err:
        print(f"authentication failed: {err}", file=sys.stderr)
        return EXIT_AUTH
    except ServiceError as err:
        print(f"service error: {err}", file=sys.stderr)
        return EXIT_SERVICE
    except CDSEError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_ERROR
    raise AssertionError(f"unhandled command {args.command!r}")  # argparse prevents this


def _run_collections() -> int:
    from .api import collections

    rows = collections()
    print(f"{'STAC id':<34} {'OData':<12} product types")
    for row in rows:
        print(f"{row['id']:<34} {row['odata'] or '-':<12} {', '.join(row['product_types'])}")
    return EXIT_OK


def _run_search(args: argparse.Namespace) -> int:
    from .api import search

    product_type = tuple(args.product_type) if args.product_type else None
    results = search(
        args.collection,
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
    )
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
    if args.output:
        path = results.to_manifest(args.output)
        print(f"manifest written to {path}", file=sys.stderr)
    return EXIT_OK


def _run_emulator(args: argparse.Namespace) -> int:
    from .emulator import Emulator

    emu = Emulator(
        seed=args.seed,
        scale=args.scale,
        host=args.host,
        download_host=args.download_host,
        port=args.port,
        download_port=args.download_port,
        access_lifetime=args.access_lifetime,
        refresh_lifetime=args.refresh_lifetime,
        s3=not args.no_s3,
        password=args.password,
    )
    if args.throttle:
        emu.state.throttle = args.throttle * 1_000_000

    def announce(emu: Emulator) -> None:
        for key, value in emu.env().items():
            print(f"export {key}={shlex.quote(value)}", flush=True)
        print(f"# CDSE emulator: {len(emu.catalogue)} products; Ctrl-C to stop", flush=True)

    async def serve() -> None:
        task = asyncio.ensure_future(emu.serve_forever(on_ready=announce))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(serve())
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
