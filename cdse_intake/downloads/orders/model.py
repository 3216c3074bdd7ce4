"""The :class:`Order` record and the checks every order answer goes through.

The entity is CDSE's ``ProductionOrder`` (eu-cdse/documentation ``APIs/On-Demand Production
API.qmd``): ``Id``, ``Status`` (``queued``, ``in progress``, ``completed``, ``failed``; the ODIP
ICD adds ``cancelled``), ``StatusMessage``, ``SubmissionDate``, ``EstimatedDate``,
``CompletedDate``, ``EvictionDate``, ``InputProductReference.Reference`` (the product name),
``Priority``. A hostile or broken answer (unknown status, no id, odd types, huge strings) is a
:class:`~cdse_intake.errors.ServiceError` naming what was wrong, never a loop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...errors import ServiceError

__all__ = ["ACTIVE", "ENDED", "STATUSES", "Order", "parse_order"]

#: Statuses of orders the service holds; ``pending``: kept locally until the quota has room.
ACTIVE = ("queued", "in progress")
ENDED = ("completed", "failed", "cancelled")
STATUSES = ("pending", *ACTIVE, *ENDED)
_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
_MAX_TEXT = 2000


@dataclass(frozen=True)
class Order:
    """One order of one offline product (see :func:`cdse_intake.order`).

    ``status``: ``pending`` (not sent yet: the account's concurrent-order quota is full),
    ``queued``, ``in progress``, ``completed``, ``failed`` or ``cancelled``. ``id`` is CDSE's order
    id ("" while pending). Dates are CDSE's strings (UTC). :meth:`wait`, :meth:`cancel` and
    :meth:`refresh` ask the service with the context the order was made with.
    """

    id: str
    product_id: str
    product_name: str
    status: str
    message: str = ""
    submitted: str | None = None
    estimated: str | None = None
    completed: str | None = None
    eviction: str | None = None
    _context: Any = field(default=None, repr=False, compare=False)

    @property
    def done(self) -> bool:
        """Whether the order has ended (completed, failed or cancelled)."""
        return self.status in ENDED

    def wait(self, timeout: float | None = None) -> Order:
        """Poll (with backoff) until the order ends; the ended order. ``timeout`` seconds (None:
        no limit) then :class:`~.errors.OrderTimeout`; a failed or cancelled order raises
        :class:`~.errors.OrderFailed`."""
        from ._api import wait_orders

        return wait_orders([self], timeout=timeout, context=self._context)[0]

    def cancel(self) -> Order:
        """Cancel the order (a pending one is dropped locally); the cancelled order."""
        from ._api import cancel_order

        return cancel_order(self.id or self.product_id, context=self._context)

    def refresh(self) -> Order:
        """The order as the service (or the job file, while pending) has it now."""
        from ._api import refresh_order

        return refresh_order(self, context=self._context)

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "product_id": self.product_id,
            "product_name": self.product_name,
            "status": self.status,
            "message": self.message,
            "submitted": self.submitted,
            "estimated": self.estimated,
            "completed": self.completed,
            "eviction": self.eviction,
        }


def _text(value: Any, what: str, *, optional: bool = True) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > _MAX_TEXT:
        raise ServiceError(f"the order service answered a broken {what}: {str(value)[:80]!r}")
    return value


def parse_order(body: Any, product_id: str = "") -> Order:
    """An :class:`Order` from a ``ProductionOrder`` entity (bare or wrapped in ``value``)."""
    if isinstance(body, dict) and isinstance(body.get("value"), dict):
        body = body["value"]
    if not isinstance(body, dict):
        raise ServiceError(f"the order service answered no order: {str(body)[:80]!r}")
    ident = body.get("Id")
    if isinstance(ident, int) and not isinstance(ident, bool):
        ident = str(ident)
    if not isinstance(ident, str) or not _ID.fullmatch(ident):
        raise ServiceError(f"the order service answered an order without a usable id: {ident!r}")
    status = body.get("Status")
    if status not in STATUSES or status == "pending":
        raise ServiceError(
            f"the order service answered an unknown status {str(status)[:40]!r} for order "
            f"{ident}; expected one of {', '.join(STATUSES[1:])}"
        )
    ref = body.get("InputProductReference")
    name = ref.get("Reference") if isinstance(ref, dict) else None
    return Order(
        id=ident,
        product_id=product_id,
        product_name=_text(name, "product reference", optional=True) or "",
        status=status,
        message=_text(body.get("StatusMessage"), "status message") or "",
        submitted=_text(body.get("SubmissionDate"), "submission date"),
        estimated=_text(body.get("EstimatedDate"), "estimated date"),
        completed=_text(body.get("CompletedDate"), "completion date"),
        eviction=_text(body.get("EvictionDate"), "eviction date"),
    )


def from_record(record: dict[str, Any], context: Any = None) -> Order:
    """An :class:`Order` from a job file record (already checked by the store)."""
    fields = {k: record.get(k) for k in Order.__dataclass_fields__ if not k.startswith("_")}
    fields["message"] = fields["message"] or ""
    return Order(**fields, _context=context)
