"""``cdse-intake clms ...``: the Copernicus Land Monitoring Service (CLMS) from the shell.

``search [TEXT]`` lists datasets (anonymous); ``request DATASET --bbox W S E N | --nuts CODE``
posts a cut once (the same request again prints the same task) and, with ``--wait`` or
``--download DIR``, polls politely (never faster than ``CDSE_CLMS_POLL_INTERVAL``) and fetches
the result; ``status [TASK]``, ``download TASK [DIR]``, ``cancel TASK`` and ``jobs`` work on the
jobs kept in the cache. Requests need a CLMS service key: ``--service-key FILE``,
``CDSE_CLMS_SERVICE_KEY`` or ``clms_service_key`` in the config file.

Exit codes (:mod:`.exit_codes`): 0 done, 2 a bad dataset, area, format or projection (nothing
posted), 3 the service key refused or unusable, 4 CLMS unreachable or answering errors, 5 a task
still running when ``--timeout`` ran out (it is kept) or another failure, 7 no service key,
8 the task failed (``--resubmit`` posts it again), 130 interrupted (the job is kept: run the same
command again).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path
from typing import Any

from .exit_codes import ExitCode, describe, epilog, for_error

__all__ = ["EXIT_CODES", "add_parser", "run"]

#: The codes ``cdse-intake clms`` can end with.
EXIT_CODES = (
    ExitCode.OK,
    ExitCode.USAGE,
    ExitCode.AUTH,
    ExitCode.SERVICE,
    ExitCode.ERROR,
    ExitCode.CREDENTIALS,
    ExitCode.FAILED,
    ExitCode.INTERRUPTED,
)
_KEY_HELP = "CLMS service key JSON file (default: CDSE_CLMS_SERVICE_KEY or the config file)"


def _bbox(values: list[str]) -> tuple[float, ...]:
    """``W S E N`` as four numbers (the range checks are the client's)."""
    try:
        numbers = tuple(float(v) for v in values)
    except ValueError:
        numbers = ()
    if len(numbers) != 4:
        raise argparse.ArgumentTypeError(
            f"invalid bbox {' '.join(values)!r}: expected four numbers W S E N (degrees)"
        )
    return numbers


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``clms`` and its subcommands to an argparse ``add_subparsers()`` object."""
    parser = subparsers.add_parser(
        "clms",
        help="CLMS (land.copernicus.eu): search datasets, request cuts, follow and fetch them",
        description="The Copernicus Land Monitoring Service download API: datasets, data "
        "requests kept as jobs in the cache (a request made twice is posted once).",
        epilog=epilog(*EXIT_CODES),
    )
    sub = parser.add_subparsers(dest="clms_command", required=True, metavar="COMMAND")
    find = sub.add_parser("search", help="list CLMS datasets (anonymous)")
    find.add_argument("text", nargs="?", help="words to look for, e.g. NDVI (default: all)")
    find.add_argument("--limit", type=int, help="at most this many datasets")

    req = sub.add_parser(
        "request",
        help="request a cut of a dataset; print its task id",
        description="Post a data request once (the same request again picks its task up) and "
        "print the task id; --wait polls politely until it is ready, --download fetches it.",
        epilog=epilog(*EXIT_CODES),
    )
    req.add_argument("dataset", help="dataset UID, exact title, or product slug")
    area = req.add_mutually_exclusive_group(required=True)
    area.add_argument(
        "--bbox", nargs=4, metavar=("W", "S", "E", "N"), help="west south east north, degrees"
    )
    area.add_argument("--nuts", help="a NUTS region code, e.g. ITC11")
    req.add_argument("--format", default="Geotiff", help="output format (default Geotiff)")
    req.add_argument("--crs", default="EPSG:4326", help="output projection (default EPSG:4326)")
    req.add_argument("--start", help="time range start (ISO date), for time series")
    req.add_argument("--end", help="time range end (a bare date includes that day)")
    req.add_argument("--layer", help="the layer, for datasets that have several")
    req.add_argument("--download-information", help="which file set, when there are several")
    req.add_argument("--resubmit", action="store_true", help="post again a failed or expired one")
    req.add_argument("--wait", action="store_true", help="wait until the result is ready")
    req.add_argument("--download", metavar="DIR", help="wait, then download the result into DIR")
    req.add_argument("--timeout", type=float, help="stop waiting after this many seconds")

    status = sub.add_parser("status", help="what CLMS says of a task (default: every kept job)")
    status.add_argument("task", nargs="?", help="task id (default: every kept job)")
    fetch = sub.add_parser("download", help="wait for a task's result and download it")
    fetch.add_argument("task", help="task id")
    fetch.add_argument("dir", nargs="?", help="folder (default: <cache>/clms/results/<task>)")
    fetch.add_argument("--timeout", type=float, help="stop waiting after this many seconds")
    cancel = sub.add_parser("cancel", help="cancel a task and forget its job and result")
    cancel.add_argument("task", help="task id")
    sub.add_parser("jobs", help="the kept jobs and their last known states (no request)")
    for command in (req, status, fetch, cancel, sub.choices["jobs"]):
        command.add_argument("--service-key", metavar="FILE", help=_KEY_HELP)
    return parser


# -- helpers -----------------------------------------------------------------------------------


def _key_missing(args: argparse.Namespace) -> bool:
    """No service key anywhere (argument, environment, config file): exit 7 before a request."""
    from ..config import resolve

    return not getattr(args, "service_key", None) and not resolve().settings.clms_service_key


def _job(task: str, service_key: str | None) -> Any:
    """The kept job of ``task`` (an error listing the kept ones when there is none)."""
    from .. import clms

    return clms.job(task, service_key=service_key)


def _wait(job: Any, timeout: float | None) -> Any:
    from ..config import resolve

    pace = resolve().settings.clms_poll_interval
    print(f"waiting for task {job.task_id} (a poll every {pace:g} s at most)...", file=sys.stderr)
    status = job.wait(timeout=timeout)
    print(f"task {job.task_id}: {status.status}", file=sys.stderr)
    return status


def _download(job: Any, folder: str | None, timeout: float | None) -> int:
    record = job.record or {}
    if record.get("state") not in ("finished", "downloaded"):
        _wait(job, timeout)
    files = job.download(Path(folder) if folder else None)
    size = sum(f.stat().st_size for f in files[:1])
    print(files[0].parent)
    print(f"{len(files) - 1} files from {files[0].name} ({size:,} bytes):", file=sys.stderr)
    for path in files[1:]:
        print(f"  {path.relative_to(files[0].parent)}", file=sys.stderr)
    return ExitCode.OK


def _line(job: Any) -> str:
    record = job.record or {}
    req = job.request
    where = " ".join(f"{v:g}" for v in req.bbox) if req.bbox else f"NUTS {req.nuts}"
    when = f" {req.time[0]:%Y-%m-%d}..{req.time[1]:%Y-%m-%d}" if req.time else ""
    state = record.get("state") or "?"
    said = record.get("task_status") or ""
    title = (req.title or req.dataset_uid)[:60]
    return f"{job.task_id:<14} {state:<11} {said:<13} {title:<60} {where}{when}"


# -- subcommands -------------------------------------------------------------------------------


def _search(args: argparse.Namespace) -> int:
    from .. import clms

    found = clms.search(args.text, limit=args.limit)
    print(f"{'UID':<32}  {'formats':<16} title")
    for dataset in found:
        row = dataset.to_dict()
        print(f"{dataset.uid:<32}  {','.join(row['formats']) or '-':<16} {dataset.title}")
    print(f"{len(found)} datasets", file=sys.stderr)
    return ExitCode.OK


def _request(args: argparse.Namespace) -> int:
    from .. import clms
    from ..errors import CLMSQueryError

    if args.end and not args.start:
        raise CLMSQueryError("--end needs --start: a time range is start and end")
    time = (args.start, args.end or _today()) if args.start else None
    job = clms.request(
        args.dataset,
        bbox=_bbox(args.bbox) if args.bbox else None,
        nuts=args.nuts,
        output_format=args.format,
        crs=args.crs,
        time=time,
        layer=args.layer,
        download_information=args.download_information,
        resubmit=args.resubmit,
        service_key=args.service_key,
    )
    print(job.task_id)
    print(f"task {job.task_id}: {job.request.describe()}", file=sys.stderr)
    sys.stdout.flush()  # the task id reaches a pipe before a long wait
    if args.download:
        return _download(job, args.download, args.timeout)
    if args.wait:
        _wait(job, args.timeout)
    return ExitCode.OK


def _today() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).date().isoformat()


def _status(args: argparse.Namespace) -> int:
    from .. import clms

    key = args.service_key
    chosen = [_job(args.task, key)] if args.task else clms.jobs(service_key=key)
    if not chosen:
        print("no kept CLMS jobs", file=sys.stderr)
    for job in chosen:  # each poll paced by the client (CLMS answers 429 to fast polling)
        status = job.status()
        extra = f" {status.download_url}" if status.done else f" {status.message or ''}"
        print(f"{job.task_id:<14} {status.status:<13}{extra.rstrip()}")
    return ExitCode.OK


def _fetch(args: argparse.Namespace) -> int:
    return _download(_job(args.task, args.service_key), args.dir, args.timeout)


def _cancel(args: argparse.Namespace) -> int:
    job = _job(args.task, args.service_key)
    job.cancel()
    print(f"task {job.task_id} cancelled; its job and result are forgotten", file=sys.stderr)
    return ExitCode.OK


def _jobs(args: argparse.Namespace) -> int:
    from .. import clms

    kept = clms.jobs(service_key=args.service_key)
    print(f"{'task':<14} {'state':<11} {'CLMS status':<13} {'dataset':<60} area, time")
    for job in kept:
        print(_line(job))
    print(f"{len(kept)} kept jobs", file=sys.stderr)
    return ExitCode.OK


_RUN = {
    "search": _search,
    "request": _request,
    "status": _status,
    "download": _fetch,
    "cancel": _cancel,
    "jobs": _jobs,
}


def _code(err: BaseException) -> ExitCode:
    """CLMS's own outcomes on the shared table; the rest as every subcommand maps them."""
    from ..errors import CLMSTaskFailed, CLMSWaitTimeout

    if isinstance(err, CLMSTaskFailed):
        return ExitCode.FAILED
    if isinstance(err, CLMSWaitTimeout):
        return ExitCode.ERROR
    return for_error(err)


def run(args: argparse.Namespace) -> int:
    """Run ``cdse-intake clms COMMAND`` with parsed arguments; returns the exit code."""
    from ..errors import CLMSError

    command = args.clms_command
    if command != "search" and _key_missing(args):
        print(
            "error: CLMS requests need a service key: pass --service-key FILE, set "
            "CDSE_CLMS_SERVICE_KEY, or clms_service_key under [settings] in the config file "
            "(create one on land.copernicus.eu: profile, API tokens)",
            file=sys.stderr,
        )
        return ExitCode.CREDENTIALS
    if getattr(args, "bbox", None):
        try:
            _bbox(args.bbox)
        except argparse.ArgumentTypeError as err:
            print(f"error: --{err}", file=sys.stderr)
            return ExitCode.USAGE
    try:
        return _RUN[command](args)
    except CLMSError as err:
        if getattr(args, "debug", False):
            traceback.print_exception(err, file=sys.stderr)
        text = describe(err)
        if _code(err) == ExitCode.AUTH and not text.startswith("authentication"):
            text = f"authentication failed: {err}"
        print(text, file=sys.stderr)
        return _code(err)
