"""PUSH delivery: a notification POSTed to the subscriber's endpoint (DOC-Subscriptions).

Documented: the body (the notification without AckId), the endpoint's credentials given at
creation, three retries when the endpoint is unavailable, then the notification is lost.
Assumed [unverified]: HTTP Basic authentication with NotificationEpUsername/Password, any 2xx
answer as success, retries on a connection failure or any other status. Deliveries run on a
thread of their own, in publication order per subscription, so a slow endpoint never holds the
emulator's event loop.
"""

from __future__ import annotations

import base64
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from .store import Notification, Subscription, SubscriptionStore, notification_body

__all__ = ["deliver"]


def deliver(store: SubscriptionStore, sub: Subscription, note: Notification) -> threading.Thread:
    """Start delivering ``note`` to ``sub``'s endpoint; returns the delivering thread."""
    body = notification_body(sub, note, ack=False)
    headers = {"Content-Type": "application/json"}
    if sub.ep_username is not None or sub.ep_password is not None:
        pair = f"{sub.ep_username or ''}:{sub.ep_password or ''}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    url = sub.endpoint or ""
    thread = threading.Thread(
        target=_send, args=(store, sub, note, url, body, headers), daemon=True, name="cdse-push"
    )
    thread.start()
    return thread


def _send(
    store: SubscriptionStore,
    sub: Subscription,
    note: Notification,
    url: str,
    body: bytes,
    headers: dict[str, str],
) -> None:
    outcome: dict[str, Any] = {"subscription": sub.id, "product": note.product_id, "url": url}
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, no proxy
    for attempt in range(1, max(1, store.push_attempts) + 1):
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (http(s), checked)
        try:
            with opener.open(request, timeout=store.push_timeout) as resp:
                status = resp.status
        except urllib.error.HTTPError as err:
            status = err.code
        except (OSError, ValueError):
            status = None
        if status is not None and 200 <= status < 300:
            outcome.update(status=status, attempts=attempt, delivered=True)
            break
        outcome.update(status=status, attempts=attempt, delivered=False)
        if attempt < store.push_attempts:
            time.sleep(store.push_retry_delay)
    from datetime import UTC, datetime

    sub.last_notification = datetime.now(UTC)
    store.pushes.append(outcome)
