"""Building a product's :class:`~.report.Outcome` when it failed or was skipped."""

from __future__ import annotations

import time
from pathlib import Path

from ..errors import CDSEError, ProductOffline
from ..product import Product
from .report import Outcome
from .retry import Stats

__all__ = ["failed", "offline", "skipped"]


def _reason(err: BaseException) -> str:
    if isinstance(err, CDSEError):
        return str(err)
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__


def offline(product: Product) -> ProductOffline:
    """The error of a product CDSE cannot deliver now (``Online: false``)."""
    return ProductOffline(
        f"{product.name} is offline (Online: false): CDSE cannot deliver it now; order it "
        "through the On-Demand Production API or try again once it is back online"
    )


def failed(
    product: Product,
    err: BaseException,
    *,
    stats: Stats | None = None,
    started: float | None = None,
    seconds: float | None = None,
    note: str = "",
) -> Outcome:
    """A failed outcome: the reason, bytes, time and retries so far (the time from its first
    connection slot, when it got one: see :attr:`~.retry.Stats.began`)."""
    if seconds is None:
        if stats is not None and stats.began is not None:
            seconds = stats.since_began(stats.began)
        else:
            seconds = 0.0 if started is None else time.monotonic() - started
    reason = _reason(err) + (f"; {note}" if note else "")
    return Outcome(
        id=product.id,
        name=product.name,
        status="failed",
        reason=reason,
        bytes=stats.bytes if stats else 0,
        seconds=round(seconds, 3),
        retries=stats.retries if stats else 0,
        error=type(err).__name__,
    )


def skipped(product: Product, path: Path, reason: str) -> Outcome:
    """A skipped outcome: the verified file is already at ``path``."""
    return Outcome(id=product.id, name=product.name, status="skipped", reason=reason, path=path)
