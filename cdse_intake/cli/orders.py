"""``cdse-intake order`` and ``cdse-intake orders``: orders of offline products.

``order ID|NAME ... [--wait]`` orders offline products (kept in the job file under the cache,
so running it again waits for the same orders instead of ordering twice); ``order cancel ID``
cancels one; ``orders [--status S]`` lists the account's orders. Exit codes as every
subcommand's; a failed or cancelled order waited for is 8, a wait past ``--timeout`` 5.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .exit_codes import ExitCode, epilog, for_error

__all__ = ["add_parsers", "run_order", "run_orders"]

_STATUSES = ("queued", "in progress", "completed", "failed", "cancelled")


def add_parsers(subparsers: Any) -> None:
    """Add ``order`` and ``orders`` to an argparse ``add_subparsers()`` object."""
    order = subparsers.add_parser(
        "order",
        help="order offline products (On-Demand Production API); 'order cancel ID' cancels",
        description="Order offline products (Online: false) by id or name, or 'cancel ID'.",
        epilog=epilog(ExitCode.OK, ExitCode.USAGE, ExitCode.SERVICE, ExitCode.FAILED),
    )
    order.add_argument("products", nargs="+", help="product ids or names; or: cancel ORDER_ID")
    order.add_argument("--wait", action="store_true", help="wait until the orders have ended")
    order.add_argument("--timeout", type=float, help="seconds to wait at most (with --wait)")
    order.add_argument(
        "--max-orders", type=int, default=1, help="orders placed at once (CDSE's quota: 1)"
    )
    orders = subparsers.add_parser(
        "orders",
        help="list the account's orders of offline products",
        epilog=epilog(ExitCode.OK, ExitCode.USAGE, ExitCode.SERVICE),
    )
    orders.add_argument("--status", choices=_STATUSES, help="only orders with this status")


def _print(orders: Any) -> None:
    for o in orders:
        print(f"{o.id or '-'}\t{o.status}\t{o.product_name}\t{o.message}")


def _fail(err: BaseException) -> int:
    from ..errors import CDSEError

    print(
        str(err) if isinstance(err, CDSEError) else f"{type(err).__name__}: {err}", file=sys.stderr
    )
    from ..downloads.orders import OrderFailed

    return ExitCode.FAILED if isinstance(err, OrderFailed) else for_error(err)


def run_order(args: argparse.Namespace) -> int:
    """Run ``cdse-intake order``."""
    from ..downloads.orders import cancel_order, order
    from ..errors import CDSEError

    products = list(args.products)
    try:
        if products[0] == "cancel":
            if len(products) != 2:
                print("error: expected 'order cancel ORDER_ID' (one id)", file=sys.stderr)
                return ExitCode.USAGE
            _print([cancel_order(products[1])])
            return ExitCode.OK
        if args.timeout is not None and args.timeout <= 0:
            print(
                f"error: --timeout {args.timeout:g} is invalid; expected seconds > 0",
                file=sys.stderr,
            )
            return ExitCode.USAGE
        placed = order(products, wait=args.wait, timeout=args.timeout, max_orders=args.max_orders)
    except (CDSEError, TimeoutError) as err:
        return _fail(err)
    _print(placed)
    return ExitCode.OK


def run_orders(args: argparse.Namespace) -> int:
    """Run ``cdse-intake orders``."""
    from ..downloads.orders import list_orders
    from ..errors import CDSEError

    try:
        _print(list_orders(args.status))
    except CDSEError as err:
        return _fail(err)
    return ExitCode.OK
