"""Mutable state of one emulator: accounts, faults to inject, counters and the request log.

Shared by every service of the emulator; all mutation goes through methods that take a lock, since
tests read it from another thread while the server runs.
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Account", "EmulatorState", "Fault", "FaultKind", "FaultRegistry", "RequestRecord"]

FaultKind = Literal[
    "reset",  # close the connection after `after_bytes` bytes of the body
    "truncate",  # end the body cleanly after `after_bytes` bytes (Content-Length still full)
    "corrupt",  # flip bytes from `after_bytes` on (the checksum will not match)
    "status",  # answer `status` (429 with Retry-After `retry_after`, 503, 500, ...)
    "slow",  # cap the body at `rate` bytes/s for this connection
    "ignore_range",  # answer 200 with the whole body to a Range request
    "no_checksum",  # the catalogue lists the product with "Checksum": []
    "token_expiry",  # treat the bearer token as expired (401 DAT-ZIP-109), once per hit
    "offline",  # the catalogue lists the product as Online: false
    "trace_signature",  # the product's traces carry a signature that does not verify
    "trace_hash",  # the product's traces are signed for other bytes (another hash)
    "trace_foreign",  # the product's traces are signed under a CA the client does not trust
    "trace_huge",  # the trace service answers an endless body for the product
]


#: Longest wait of :meth:`EmulatorState.requests` for requests in flight (seconds).
SETTLE = 5.0


@dataclass
class Fault:
    """One fault to inject. ``product`` is an id or a name (None: every product).

    ``times`` is how many requests it hits before it is used up (None: every request);
    ``probability`` makes it hit at random with a seeded generator (for mixed-fault soaks).
    """

    kind: FaultKind
    product: str | None = None
    times: int | None = 1
    after_bytes: int = 0
    status: int = 503
    retry_after: float | None = None
    rate: float | None = None
    probability: float | None = None
    hits: int = 0


class FaultRegistry:
    """Faults for the next requests; services ask :meth:`take` whether one applies."""

    def __init__(self, seed: int = 0) -> None:
        import random

        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._rng = random.Random(seed)

    def add(self, kind: FaultKind, product: str | None = None, **params: Any) -> Fault:
        fault = Fault(kind=kind, product=product, **params)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, kind: FaultKind, *keys: str, targeted: bool = False) -> Fault | None:
        """The first live fault of ``kind`` for a product known by any of ``keys``; counts a hit.

        ``targeted``: only faults naming one of ``keys`` apply (the catalogue services ask for
        ``"odata"``/``"stac"`` this way, so a download fault for every product is not theirs).
        """
        with self._lock:
            for fault in self._faults:
                if fault.kind != kind:
                    continue
                if fault.product is None and targeted:
                    continue
                if fault.product is not None and fault.product not in keys:
                    continue
                if fault.times is not None and fault.hits >= fault.times:
                    continue
                if fault.probability is not None and self._rng.random() >= fault.probability:
                    continue
                fault.hits += 1
                return fault
        return None

    def peek(self, kind: FaultKind, *keys: str) -> Fault | None:
        """Like :meth:`take` without counting a hit (for catalogue-side faults)."""
        with self._lock:
            for fault in self._faults:
                if (
                    fault.kind == kind
                    and (fault.product is None or fault.product in keys)
                    and (fault.times is None or fault.hits < fault.times)
                ):
                    return fault
        return None

    def __iter__(self):
        with self._lock:
            return iter(list(self._faults))


@dataclass
class Account:
    """A user of the emulated CDSE."""

    username: str
    password: str
    totp_secret: str | None = None
    """Base32 TOTP secret: the account has 2FA and password grants need a ``totp`` code."""
    max_sessions: int = 4
    """Concurrent downloads allowed (CDSE: 4 for general users, 20 for service accounts)."""


@dataclass
class RequestRecord:
    """One request the emulator answered (for tests to assert on traffic)."""

    host: str
    method: str
    path: str
    query: str
    status: int
    user: str | None
    grant_type: str | None = None
    bytes_sent: int = 0
    range: str | None = None


@dataclass
class EmulatorState:
    """Accounts, faults, live counters and the request log of one emulator."""

    accounts: dict[str, Account] = field(default_factory=dict)
    faults: FaultRegistry = field(default_factory=FaultRegistry)
    log: collections.deque[RequestRecord] = field(
        default_factory=lambda: collections.deque(maxlen=200_000)
    )
    active_downloads: collections.Counter[str] = field(default_factory=collections.Counter)
    """Downloads in progress per user (the DAT-ZIP-100 session limit counts these)."""
    peak_downloads: collections.Counter[str] = field(default_factory=collections.Counter)
    """Highest number of simultaneous downloads seen per user."""
    throttle: float | None = None
    """Bytes/s cap per download connection for every product (CDSE: 20 MB/s); None: no cap."""
    clients: dict[str, str] = field(default_factory=dict, repr=False)
    """OAuth service clients (``sh-…``) and their secrets (client_credentials grants)."""
    temporary_keys: Any = None
    """S3 keys issued by the keys manager (:class:`.s3keys.KeyStore`), shared with S3."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _in_flight: int = field(default=0, repr=False)
    _settled: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def add_account(self, username: str, password: str, **kw: Any) -> Account:
        account = Account(username, password, **kw)
        with self._lock:
            self.accounts[username] = account
        return account

    def add_client(self, client_id: str, secret: str) -> None:
        """An OAuth service client whose client_credentials grants succeed."""
        with self._lock:
            self.clients[client_id] = secret

    def begin_request(self) -> None:
        """A request arrived (the server's middleware calls this, then :meth:`record`)."""
        with self._settled:
            self._in_flight += 1

    def record(self, rec: RequestRecord) -> None:
        """Log a finished request; with :meth:`begin_request`, it is no longer in flight."""
        self.log.append(rec)  # deque.append is atomic
        with self._settled:
            self._in_flight = max(0, self._in_flight - 1)
            self._settled.notify_all()

    def requests(self, **match: Any) -> list[RequestRecord]:
        """Logged requests whose fields equal ``match`` (``path`` may be a prefix with '*').

        Waits (up to :data:`SETTLE` seconds) for requests still in flight: a streamed download
        is logged once its handler returns, which can be just after the client has read the
        last byte, so a test reading the log right after a download would otherwise miss it.
        """
        with self._settled:
            self._settled.wait_for(lambda: self._in_flight == 0, timeout=SETTLE)
        out = []
        for rec in list(self.log):
            ok = True
            for key, value in match.items():
                have = getattr(rec, key)
                if isinstance(value, str) and value.endswith("*") and isinstance(have, str):
                    ok = have.startswith(value[:-1])
                else:
                    ok = have == value
                if not ok:
                    break
            if ok:
                out.append(rec)
        return out

    def begin_download(self, user: str) -> bool:
        """Count a download for ``user``; False (and nothing counted) past the session limit."""
        with self._lock:
            limit = self.accounts[user].max_sessions if user in self.accounts else 4
            if self.active_downloads[user] >= limit:
                return False
            self.active_downloads[user] += 1
            self.peak_downloads[user] = max(self.peak_downloads[user], self.active_downloads[user])
            return True

    def end_download(self, user: str) -> None:
        with self._lock:
            self.active_downloads[user] -= 1

    def reset_counters(self, settle: bool = True) -> None:
        """Forget the logged requests and peaks, once the requests in flight are logged (up to
        :data:`SETTLE` s; not with ``settle=False``): one answered before the reset must not be
        counted after it."""
        if settle:
            with self._settled:
                self._settled.wait_for(lambda: self._in_flight == 0, timeout=SETTLE)
        with self._lock:
            self.log.clear()
            self.peak_downloads.clear()
