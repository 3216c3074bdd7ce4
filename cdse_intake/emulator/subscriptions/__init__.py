"""CDSE's Subscriptions service (DOC-Subscriptions, cdse-api.md §1.1): PULL queues and PUSH
notifications of products published after a subscription was made, per user, within the
documented limits (1 running, 10 running and paused). :mod:`.store` holds the state,
:mod:`.handlers` the HTTP endpoints, :mod:`.push` the deliveries, :mod:`.publish` the
emulator's way to publish a new product now (``Emulator.publish``)."""

from __future__ import annotations

from .handlers import routes
from .publish import publish
from .store import SubscriptionStore, store_for

__all__ = ["SubscriptionStore", "publish", "routes", "store_for"]
