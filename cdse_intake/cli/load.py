"""``cdse-intake load``: search (or read a manifest), load the products as one cube and write it.

``cdse-intake load --collection sentinel-2-l2a --bbox 2.3,48.8,2.4,48.9 --start 2023-05-01
--end 2023-06-01 --bands B04,B08,SCL --resolution 20 --mask cloud -o paris.zarr`` searches as
``search`` does (or takes ``--manifest`` of an earlier one), loads the cube with
:func:`cdse_intake.load` (the search's area is the cube's extent unless ``--bbox`` says
otherwise) and writes it to Zarr (``.zarr``) or netCDF (``.nc``, h5netcdf), with a progress bar
on stderr unless ``--quiet``. The output is written to a hidden sibling, checked, and renamed
into place only when complete: a failure or Ctrl-C leaves nothing behind, and an existing output
is replaced only with ``--overwrite``. Bad values are refused before any request (exit 2) with
the cube's own message.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .exit_codes import ExitCode, epilog
from .search import add_query_arguments, query_kwargs

__all__ = ["EXIT_CODES", "FORMATS", "add_parser", "run", "write_atomically"]

#: The codes this subcommand can end with.
EXIT_CODES = (
    ExitCode.OK,
    ExitCode.USAGE,
    ExitCode.AUTH,
    ExitCode.SERVICE,
    ExitCode.ERROR,
    ExitCode.INPUT,
    ExitCode.CREDENTIALS,
    ExitCode.INTERRUPTED,
)
#: Output suffix -> format.
FORMATS = {".zarr": "zarr", ".nc": "netcdf"}
#: Dask chunks of the written cube unless ``--chunks`` (Zarr needs regular chunks).
DEFAULT_CHUNKS = {"time": 1, "y": 1024, "x": 1024}
#: Seconds a write runs before its progress bar shows.
PROGRESS_AFTER = 0.5
#: Seconds the partial folder of a failed write must stay gone (a chunk in flight can land late).
SETTLE = 1.0
#: Query options that make no sense beside ``--manifest`` (``--bbox`` there is the cube's).
_SEARCH_ONLY = ("collection", "product_type", "geometry", "start", "end", "cloud", "tile")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``load`` to a ``cdse-intake`` sub-parser set; returns the parser."""
    parser = subparsers.add_parser(
        "load",
        help="search and write the products as one cube (Zarr or netCDF)",
        description="Search CDSE (the search options) or read --manifest, load the products as "
        "one (time, y, x) cube on one grid and write it to -o (.zarr or .nc), atomically.",
        epilog=epilog(*EXIT_CODES),
    )
    add_query_arguments(parser)
    parser.add_argument("--manifest", help="the products of an earlier 'search -o' instead")
    cube = parser.add_argument_group("the cube (cdse_intake.load)")
    cube.add_argument(
        "--bands", "--variables", dest="variables", help="e.g. B04,B08,SCL (default: all)"
    )
    cube.add_argument("--crs", help="e.g. EPSG:32631 or 4326 (default: the products' own)")
    cube.add_argument("--resolution", help="pixel size in the CRS's units (default: native)")
    cube.add_argument("--groupby", default="solar_day", help="solar_day (default), day or none")
    cube.add_argument("--mask", help="cloud, clear, or scene classes to drop, e.g. 3,8,9,10")
    cube.add_argument("--resampling", default="nearest", help="nearest (default), bilinear, ...")
    cube.add_argument("--chunks", help="y,x pixels per chunk (default 1024) or time=1,y=512,...")
    cube.add_argument(
        "--option", action="append", default=[], metavar="KEY=VALUE", help="a family option"
    )
    where = cube.add_mutually_exclusive_group()
    where.add_argument(
        "--remote", action="store_true", help="read by range from CDSE (default: cache, else range)"
    )
    where.add_argument("--download", action="store_true", help="download missing products first")
    cube.add_argument("--via", default="https", help="https (default) or s3")
    out = parser.add_argument_group("output")
    out.add_argument("-o", "--output", required=True, help="cube.zarr or cube.nc")
    out.add_argument("--overwrite", action="store_true", help="replace an existing output")
    out.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _usage(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return ExitCode.USAGE


def _options(pairs: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ValueError(f"--option {pair!r} is not KEY=VALUE with KEY a name")
        try:
            options[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            options[key.strip()] = value
    return options


def _mask(text: str | None) -> Any:
    """``cloud``, ``clear``, or classes as numbers or names (``3,8,CLOUD_SHADOW``)."""
    if text is None:
        return None
    values = [int(v) if v.strip().isdigit() else v.strip() for v in text.split(",") if v.strip()]
    return values[0] if len(values) == 1 and "," not in text else values


def _chunks(text: str | None) -> Any:
    if text is None:
        return dict(DEFAULT_CHUNKS)
    if text.strip().isdigit():
        return {"time": 1, "y": int(text), "x": int(text)}
    out: dict[str, Any] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        try:
            out[key.strip()] = int(value)
        except ValueError:
            sep = ""
        if not sep:
            raise ValueError(f"--chunks {text!r}: expected a size such as 1024 or time=1,y=512")
    return out


def _output_problem(path: Path, overwrite: bool) -> str:
    """Why the cube cannot be written at ``path`` ("" when it can): said before any request."""
    if path.suffix.lower() not in FORMATS:
        return f"expected a name ending in {' or '.join(FORMATS)} (the format)"
    try:
        if os.path.lexists(path):
            if not overwrite:
                return "exists; give --overwrite to replace it"
            if path.is_dir() and not _is_zarr(path):
                return "is a folder but no Zarr store; not replacing it"
        folder = path.parent
        if not folder.is_dir():
            return f"its folder {str(folder)!r} does not exist"
        fd, probe = tempfile.mkstemp(prefix=".cdse-intake-", suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except (OSError, ValueError) as err:  # read-only, no permission, a NUL or too long a name
        return f"cannot write there: {getattr(err, 'strerror', None) or err}"
    return ""


def _is_zarr(path: Path) -> bool:
    return any((path / marker).exists() for marker in (".zgroup", ".zattrs", "zarr.json"))


def _cube_keywords(args: argparse.Namespace) -> dict[str, Any]:
    groupby = args.groupby.strip().lower()
    crs = args.crs.strip() if args.crs else None
    return {
        "variables": args.variables,
        "crs": int(crs) if crs and crs.isdigit() else crs,
        "resolution": args.resolution,
        "groupby": None if groupby in ("none", "") else groupby,
        "mask": _mask(args.mask),
        "chunks": _chunks(args.chunks),
        "resampling": args.resampling.strip().lower(),
        "remote": True if args.remote else (False if args.download else None),
        "via": args.via,
        **_options(args.option),
    }


def _results(args: argparse.Namespace) -> Any:
    """The products: the manifest's, or the search's."""
    from ..api import search
    from ..results import SearchResults

    if args.manifest:
        return SearchResults.from_manifest(args.manifest)
    return search(**query_kwargs(args))


def _extent(args: argparse.Namespace, results: Any) -> tuple[float, ...] | None:
    """The cube's bbox: ``--bbox``, else the bounds of the search's (or manifest's) area."""
    if args.bbox is not None:
        return tuple(args.bbox)
    geometry = getattr(results.query, "geometry", None)
    return None if geometry is None else tuple(float(v) for v in geometry.bounds)


def run(args: argparse.Namespace) -> int:
    """Run ``cdse-intake load``; returns the exit code (errors of the core go to ``main``)."""
    from ..config import check_via, resolve
    from ..cubes import CubeRequest
    from ..errors import CDSEError, ConfigurationError

    output = Path(args.output)
    problem = _output_problem(output, args.overwrite)
    if problem:
        return _usage(f"-o {args.output!r}: {problem}")
    if getattr(args, "backend", None) == "usgs":
        return _usage(
            "--backend usgs: cubes are loaded from CDSE's products; search CDSE's LANDSAT-* "
            "collections (the same scenes), or download from USGS in Python and load the files"
        )
    if args.manifest:
        extra = [f"--{k.replace('_', '-')}" for k in _SEARCH_ONLY if getattr(args, k) is not None]
        if extra:
            return _usage(f"give --manifest or search options ({', '.join(extra)}), not both")
        if not Path(args.manifest).is_file():
            print(f"error: cannot read manifest {args.manifest!r}: no such file", file=sys.stderr)
            return ExitCode.INPUT
    try:
        check_via(args.via)
        keywords = _cube_keywords(args)
        # the cube's own checks of its arguments, before any request
        family_options = {k: keywords[k] for k in keywords if k not in _LOAD_KEYWORDS}
        CubeRequest.make(
            resolve(via=args.via),
            **{k: keywords[k] for k in _CHECKED},
            bbox=args.bbox,
            options=family_options,
        )
    except ConfigurationError as err:
        return _usage(f"--{err}")
    except (ValueError, TypeError) as err:
        return _usage(str(err))
    started = time.monotonic()
    results = _results(args)
    results.warn_empty = False
    products = list(results)
    if not products:
        explain = "" if args.manifest else f" {results.explain()}"
        print(f"error: no product to load.{explain}", file=sys.stderr)
        return ExitCode.ERROR
    print(f"loading {len(products)} products", file=sys.stderr)
    from ..cubes import load

    try:
        cube = load(results, bbox=_extent(args, results), progress=not args.quiet, **keywords)
    except (ValueError, TypeError) as err:  # the cube's checks: bands, mask, family options
        if isinstance(err, CDSEError):
            raise
        return _usage(str(err))
    size = write_atomically(cube, output, overwrite=args.overwrite, progress=not args.quiet)
    dims = ", ".join(f"{k}={v}" for k, v in cube.sizes.items())
    print(
        f"{output}: {dims}; {', '.join(map(str, cube.data_vars))}; "
        f"{size / 1e6:,.1f} MB on disk; {time.monotonic() - started:.1f} s"
    )
    return ExitCode.OK


#: What :func:`cdse_intake.load` takes beyond the family options.
_LOAD_KEYWORDS = frozenset(
    ("variables", "crs", "resolution", "groupby", "mask", "chunks", "resampling", "remote", "via")
)
#: Those :class:`~cdse_intake.cubes.CubeRequest` checks on its own (the family checks the rest).
_CHECKED = ("variables", "crs", "resolution", "groupby", "chunks", "resampling", "remote")


def write_atomically(
    cube: Any, path: Path, *, overwrite: bool = False, progress: bool = True
) -> int:
    """Write ``cube`` to ``path`` (Zarr or netCDF by suffix) and return its bytes on disk.

    The cube goes to a hidden sibling first (``.<name>.partial-<random>``), is read back and
    checked, then renamed into place (an existing output, with ``overwrite``, is set aside first
    and removed only once the new one is in place). On any failure or Ctrl-C the running tasks
    are stopped and the sibling removed: ``path`` is either the complete cube or as it was.
    """
    kind = FORMATS[path.suffix.lower()]
    cube = cube.copy(deep=False)
    for variable in cube.variables.values():
        variable.encoding = {}  # the readers' encodings (chunks, scale) are not the output's
    partial = Path(tempfile.mkdtemp(prefix=f".{path.name}.partial-", dir=path.parent))
    target = partial / path.name  # a private folder: stray writes after a failure land there
    failed = True
    try:
        _compute(cube, target, kind, progress)
        _check(cube, target, kind)
        _replace(target, path, overwrite)
        failed = False
    finally:
        # After a failure or Ctrl-C, zarr may still land a chunk that was in flight, and its
        # store creates the missing folders of the chunk's path: the partial folder comes back.
        _remove(partial, settle=SETTLE if failed else 0.0)
    return _size(path)


def _compute(cube: Any, target: Path, kind: str, progress: bool) -> None:
    """Run the write on a pool of our own, so a failure or Ctrl-C stops it before clean-up."""
    from concurrent.futures import ThreadPoolExecutor

    import dask
    from dask.diagnostics import ProgressBar

    if kind == "zarr":
        # Zarr v2: every Zarr reader opens it, and v3 has no string type (the product names)
        delayed = cube.to_zarr(target, mode="w-", zarr_format=2, consolidated=True, compute=False)
    else:
        delayed = cube.to_netcdf(target, engine="h5netcdf", compute=False)
    pool = ThreadPoolExecutor(os.cpu_count() or 4, thread_name_prefix="cdse-load-write")
    try:
        bar = ProgressBar(minimum=PROGRESS_AFTER, out=sys.stderr) if progress else None
        if bar is not None:
            with bar:
                dask.compute(delayed, scheduler="threads", pool=pool)
        else:
            dask.compute(delayed, scheduler="threads", pool=pool)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _check(cube: Any, target: Path, kind: str) -> None:
    """Read the written cube's structure back: every variable, with the cube's sizes."""
    import xarray as xr

    if kind == "zarr":
        opened = xr.open_zarr(target, consolidated=True)
    else:
        opened = xr.open_dataset(target, engine="h5netcdf")
    with opened:
        if dict(opened.sizes) != dict(cube.sizes) or set(opened.data_vars) != set(cube.data_vars):
            raise OSError(f"the cube written to {str(target)!r} does not read back as written")


def _replace(source: Path, path: Path, overwrite: bool) -> None:
    if not os.path.lexists(path):
        os.rename(source, path)
        return
    if not overwrite:  # appeared while the cube was written
        raise FileExistsError(17, "exists; give --overwrite to replace it", str(path))
    if source.is_file() and path.is_file():
        os.replace(source, path)  # atomic
        return
    aside = source.parent / f"{path.name}.old"
    os.rename(path, aside)
    try:
        os.rename(source, path)
    except BaseException:
        os.rename(aside, path)
        raise


def _remove(path: Path, patience: float = 10.0, settle: float = 0.0) -> None:
    """Remove the private partial folder, again while writes still land in it: zarr writes chunks
    from its own I/O thread, which can finish a chunk after our pool stopped (seen under load
    after a Ctrl-C: rmtree met a file created behind it, or a chunk written just after the
    folder was gone made it again). With ``settle``, the folder must stay gone that long."""
    import shutil
    import time

    deadline = time.monotonic() + patience
    gone_since: float | None = None
    while True:
        if os.path.lexists(path):
            shutil.rmtree(path, ignore_errors=True)
            gone_since = None
        now = time.monotonic()
        if not os.path.lexists(path):
            gone_since = now if gone_since is None else gone_since
            if now - gone_since >= settle:
                return
        if now > deadline:
            return
        time.sleep(0.05)


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
