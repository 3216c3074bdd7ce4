"""The errors of orders of offline products (all :class:`~cdse_intake.errors.CDSEError`)."""

from __future__ import annotations

from ...errors import CDSEError, QueryError

__all__ = ["OrderExpired", "OrderFailed", "OrderRefused", "OrderTimeout"]


class OrderFailed(CDSEError, RuntimeError):
    """CDSE could not produce the ordered product (``failed``) or the order was cancelled."""


class OrderExpired(OrderFailed, FileNotFoundError):
    """The order completed, but its product went offline again before it was downloaded."""


class OrderTimeout(CDSEError, TimeoutError):
    """An order was not completed within the time waited (it goes on: wait again later)."""


class OrderRefused(QueryError):
    """The product needs no order (it is online) or cannot be ordered; nothing was sent."""
