"""The emulated On-Demand Production API: orders of offline products (see :mod:`.book`)."""

from .api import routes
from .book import Order, OrderBook, order_book

__all__ = ["Order", "OrderBook", "order_book", "routes"]
