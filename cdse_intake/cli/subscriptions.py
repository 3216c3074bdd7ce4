"""``cdse-intake subscriptions list|create|delete|pause|resume`` and ``cdse-intake watch``.

``watch`` takes the search's query options, subscribes (reusing the user's subscription with
the same filter: CDSE allows one running), prints each product published from then on, and with
``--download`` downloads and verifies it. It ends with exit 0 after ``--timeout`` seconds or on
Ctrl-C, saying what it did; the subscription stays, so the next ``watch`` carries on with its
queue (``subscriptions delete ID`` ends it).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from .exit_codes import ExitCode, epilog
from .search import add_query_arguments, query_kwargs

__all__ = ["EXIT_CODES", "add_parsers", "run_subscriptions", "run_watch"]

EXIT_CODES = (
    ExitCode.OK,
    ExitCode.USAGE,
    ExitCode.AUTH,
    ExitCode.SERVICE,
    ExitCode.ERROR,
    ExitCode.CREDENTIALS,
    ExitCode.FAILED,
)
#: Options of ``search`` that a subscription does not take (what is decided after the answer).
_SEARCH_ONLY = ("sort", "backend", "cache")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"invalid seconds {text!r}: expected a number >= 0")
    return value


def _positive(text: str) -> float:
    value = _seconds(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"invalid seconds {text!r}: expected a number > 0")
    return value


def add_parsers(sub: Any) -> None:
    """Add ``subscriptions`` and ``watch`` to a ``cdse-intake`` sub-parser set."""
    subs = sub.add_parser(
        "subscriptions",
        help="CDSE subscriptions to new products: list, create, delete, pause, resume",
        description="Manage your CDSE subscriptions (at most 1 running and 10 in all).",
        epilog=epilog(*EXIT_CODES),
    )
    actions = subs.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("list", help="list your subscriptions")
    create = actions.add_parser("create", help="subscribe to new products matching a query")
    add_query_arguments(create)
    create.add_argument("--push", metavar="URL", help="POST notifications to this endpoint")
    create.add_argument("--push-username", help="the endpoint's username")
    create.add_argument(
        "--push-password-env",
        metavar="VAR",
        help="the environment variable holding the endpoint's password (never on the command "
        "line, where other users can read it)",
    )
    for name, text in (
        ("delete", "delete a subscription"),
        ("pause", "pause a subscription (its queue stays)"),
        ("resume", "run a paused subscription again"),
    ):
        actions.add_parser(name, help=text).add_argument("id", help="the subscription's id")
    watch = sub.add_parser(
        "watch",
        help="print (and --download) new products matching a query as they are published",
        description="Subscribe with the query options (or reuse your subscription with the "
        "same filter) and print each new product; exit 0 on --timeout or Ctrl-C.",
        epilog=epilog(*EXIT_CODES),
    )
    add_query_arguments(watch)
    watch.add_argument("--download", action="store_true", help="download and verify each one")
    watch.add_argument("--dest", help="folder for downloads (default: the product cache)")
    watch.add_argument("--timeout", type=_seconds, help="stop after this many seconds")
    watch.add_argument(
        "--poll", type=_positive, default=30.0, help="seconds between reads (default 30)"
    )


def _subscription_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    kwargs = query_kwargs(args)
    for name in _SEARCH_ONLY:
        kwargs.pop(name, None)
    return {k: v for k, v in kwargs.items() if v is not None}


def run_subscriptions(args: argparse.Namespace) -> int:
    from .. import subscriptions as api

    if args.action == "list":
        found = api.list_subscriptions()
        print(f"{'id':<36}  {'mode':<4}  {'status':<8}  filter")
        for sub in found:
            print(f"{sub.id:<36}  {sub.mode:<4}  {sub.status:<8}  {sub.info.filter or '(all)'}")
        return ExitCode.OK
    if args.action == "create":
        import os

        password = None
        if args.push_password_env:
            password = os.environ.get(args.push_password_env)
            if not password:
                from ..errors import QueryError

                raise QueryError(
                    f"--push-password-env {args.push_password_env}: that environment variable "
                    "is not set or empty"
                )
        sub = api.subscribe(
            mode="push" if args.push else "pull",
            endpoint=args.push,
            endpoint_username=args.push_username,
            endpoint_password=password,
            reuse=False,
            **_subscription_kwargs(args),
        )
        print(f"created {sub.mode} subscription {sub.id} ({sub.status})")
        return ExitCode.OK
    sub = api.get_subscription(args.id)
    if args.action == "delete":
        sub.delete()
        print(f"deleted subscription {sub.id}")
    else:
        getattr(sub, args.action)()
        print(f"subscription {sub.id} is {sub.status}")
    return ExitCode.OK


def run_watch(args: argparse.Namespace) -> int:
    from .. import subscriptions as api

    sub = api.subscribe(**_subscription_kwargs(args))
    print(f"watching with subscription {sub.id} (Ctrl-C to stop)", flush=True)
    seen = done = failed = 0
    started = time.monotonic()
    try:
        for product in sub.products(poll=args.poll, timeout=args.timeout):
            seen += 1
            print(f"new: {product.name}  {product.id}", flush=True)
            if args.download:
                ok = _download(product, args.dest)
                done += ok
                failed += not ok
    except KeyboardInterrupt:
        pass
    what = f"{seen} new product(s)"
    if args.download:
        what += f", {done} downloaded and verified, {failed} failed"
    print(f"stopped after {time.monotonic() - started:.0f} s: {what}; subscription {sub.id} kept")
    return ExitCode.FAILED if failed else ExitCode.OK


def _download(product: Any, dest: str | None) -> bool:
    """Download and verify one product; a line per outcome."""
    from ..downloads import download

    report = download(product, dest, progress=False)
    for o in report:
        if o.status == "failed":
            print(f"  failed: {o.name}: {o.reason}", file=sys.stderr, flush=True)
        else:
            print(f"  {o.status} ({o.algorithm or 'cache'}): {o.path}", flush=True)
    return report.ok and len(report) > 0
