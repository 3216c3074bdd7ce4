"""Orders of offline products (``Online: false``) through CDSE's On-Demand Production API,
kept in a job file under the cache so a restarted process waits for them again."""

from ._api import cancel_order, list_orders, order, refresh_order, wait_orders
from .errors import OrderExpired, OrderFailed, OrderRefused, OrderTimeout
from .model import Order

__all__ = [
    "Order",
    "OrderExpired",
    "OrderFailed",
    "OrderRefused",
    "OrderTimeout",
    "cancel_order",
    "list_orders",
    "order",
    "refresh_order",
    "wait_orders",
]
