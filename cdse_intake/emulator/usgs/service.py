"""The emulated M2M service's state: accounts, API keys, the rate limit, download requests.

Settable on ``emulator.usgs`` (a :class:`UsgsService`):

- ``preparation_delay``: seconds a requested download stays ``Preparing`` (``requested`` in
  ``download-retrieve``) before it is ``Available`` with its URL (0: available at once);
- ``rate_limit``: ``(requests, seconds)`` per API key (default 30 per second [unverified: USGS
  documents a rate limit and the ``RATE_LIMIT`` code, the number here is the emulator's]);
- ``force_rate_limit``: the next this many requests answer ``RATE_LIMIT`` (a test's switch);
- ``cut_after``: the next download body breaks after this many bytes (a cut connection);
- ``key_lifetime``: seconds an API key lives (USGS: 2 hours).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Download", "UsgsService"]


@dataclass
class Download:
    """One requested download of one scene's bundle."""

    id: int
    entity_id: str
    display_id: str
    product_id: str
    dataset: str
    label: str
    user: str
    requested: float
    url_key: str = field(default_factory=lambda: secrets.token_urlsafe(16))


class UsgsService:
    """Accounts, keys and downloads of the emulated M2M API (thread-safe)."""

    def __init__(
        self,
        *,
        preparation_delay: float = 0.0,
        rate_limit: tuple[int, float] = (30, 1.0),
        key_lifetime: float = 7200.0,
    ) -> None:
        self.preparation_delay = preparation_delay
        self.rate_limit = rate_limit
        self.key_lifetime = key_lifetime
        self.force_rate_limit = 0
        self.cut_after: int | None = None
        self._lock = threading.Lock()
        self._tokens: dict[str, str] = {}
        self._m2m: dict[str, bool] = {}
        self._keys: dict[str, tuple[str, float]] = {}
        self._calls: dict[str, deque[float]] = {}
        self._downloads: dict[int, Download] = {}
        self._by_url: dict[str, int] = {}
        self._next_id = 550_000_000

    # -- accounts and keys --------------------------------------------------------------------
    def add_account(self, username: str, token: str | None = None, *, m2m: bool = True) -> str:
        """An account with an application token (made when not given); ``m2m=False``: an
        account without machine-to-machine access (``AUTH_UNAUTHROIZED``)."""
        token = token or secrets.token_urlsafe(48)
        with self._lock:
            self._tokens[username] = token
            self._m2m[username] = m2m
        return token

    def login(self, username: Any, token: Any) -> tuple[str | None, str | None]:
        """``(api key, None)`` or ``(None, error code)``."""
        with self._lock:
            known = self._tokens.get(username) if isinstance(username, str) else None
            if known is None or not isinstance(token, str) or token != known:
                return None, "AUTH_INVALID"
            if not self._m2m.get(username, False):
                return None, "AUTH_UNAUTHROIZED"
            key = secrets.token_hex(32)
            self._keys[key] = (username, time.monotonic() + self.key_lifetime)
            return key, None

    def user_of(self, key: str | None) -> str | None:
        """The user of a live API key; None for a missing, unknown or expired one."""
        with self._lock:
            found = self._keys.get(key or "")
            if found is None or found[1] < time.monotonic():
                return None
            return found[0]

    def logout(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)

    def expire_keys(self) -> None:
        """Make every API key issued so far expired (as after two hours)."""
        with self._lock:
            self._keys = {k: (u, 0.0) for k, (u, _) in self._keys.items()}

    def limited(self, key: str) -> bool:
        """Whether this request of ``key`` goes past the rate limit (it is then refused)."""
        now = time.monotonic()
        with self._lock:
            if self.force_rate_limit > 0:
                self.force_rate_limit -= 1
                return True
            count, window = self.rate_limit
            calls = self._calls.setdefault(key, deque())
            while calls and calls[0] <= now - window:
                calls.popleft()
            if len(calls) >= count:
                return True
            calls.append(now)
            return False

    # -- downloads ---------------------------------------------------------------------------
    def request(self, user: str, label: str, scene: Any, dataset: str, product: str) -> Download:
        """A new download (or the same one when this label already asked for this scene)."""
        with self._lock:
            for d in self._downloads.values():
                if d.user == user and d.label == label and d.display_id == scene.name:
                    return d
            self._next_id += 1
            d = Download(
                self._next_id, scene.attribute("sceneId"), scene.name, product, dataset,
                label, user, time.monotonic(),
            )  # fmt: skip
            self._downloads[d.id] = d
            self._by_url[d.url_key] = d.id
            return d

    def ready(self, d: Download) -> bool:
        return time.monotonic() - d.requested >= self.preparation_delay

    def of_label(self, user: str, label: str | None) -> list[Download]:
        with self._lock:
            return [
                d
                for d in self._downloads.values()
                if d.user == user and (label is None or d.label == label)
            ]

    def by_url(self, url_key: str) -> Download | None:
        with self._lock:
            found = self._by_url.get(url_key)
            return None if found is None else self._downloads.get(found)

    def take_cut(self) -> int | None:
        with self._lock:
            cut, self.cut_after = self.cut_after, None
            return cut
