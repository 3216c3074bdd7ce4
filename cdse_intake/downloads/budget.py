"""The connection budget: at most N download connections per account, across processes.

CDSE allows 4 concurrent download sessions per account (20 for service accounts); a fifth gets
``429 DAT-ZIP-100`` (cdse-api.md §2). Every process that downloads with the same cache shares
one budget, so two notebooks, a CLI run and a script together stay under the quota.

:class:`ConnectionBudget` is ``limit`` lock files under
``<cache_dir>/slots/<sha256(account)[:16]>/<k>.lock``; a slot is held by an exclusive ``flock``
on one of them (the ``filelock`` package). The OS drops the lock when the holder dies, so even a
SIGKILLed process never leaks a slot. Waiting polls the slots without blocking the event loop.

:class:`DaskBudget` is the same on a dask cluster, where workers may sit on different machines
and share no disk: a ``distributed.Semaphore`` held by the scheduler. :func:`make_budget` picks
the right one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import random
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError

__all__ = ["ConnectionBudget", "DaskBudget", "account_key", "in_dask_worker", "make_budget"]

_FIRST_DELAY = 0.005
_MAX_DELAY = 0.2

# Slot indices held by this process, per slot folder: another ConnectionBudget object for the
# same account (or a task on another thread) must not even try them. flock would refuse anyway
# (each attempt opens its own descriptor), this only saves system calls.
_HELD: dict[str, set[int]] = {}
_HELD_LOCK = threading.Lock()


def _after_fork_in_child() -> None:
    # A forked child holds none of its parent's slots (its parent releases them), and the lock
    # may have been taken by another thread of the parent at the moment of the fork.
    global _HELD_LOCK
    _HELD_LOCK = threading.Lock()
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def account_key(account: str) -> str:
    """The account's folder/semaphore name: a hash, so no user name appears on disk."""
    return hashlib.sha256(account.encode("utf-8")).hexdigest()[:16]


def _check_limit(limit: Any) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ConfigurationError(
            f"connection limit {limit!r} is invalid; expected a whole number >= 1"
        )
    return limit


class ConnectionBudget:
    """``limit`` connection slots for ``account``, shared by every process using ``cache_dir``.

    ``async with budget.slot(): ...`` holds one slot for the block (``with budget.hold():`` is
    the same for threads without an event loop). ``budget.held`` counts the slots this process
    holds for the account.
    """

    def __init__(self, cache_dir: str | os.PathLike[str], account: str, limit: int) -> None:
        if not isinstance(account, str) or not account:
            raise ConfigurationError(f"account {account!r} is invalid; expected a non-empty name")
        self.limit = _check_limit(limit)
        self.account = account
        self.directory = Path(cache_dir).expanduser() / "slots" / account_key(account)
        self._key = str(self.directory)

    def __repr__(self) -> str:
        return f"ConnectionBudget({str(self.directory)!r}, limit={self.limit}, held={self.held})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.directory.parent.parent, self.account, self.limit))

    @property
    def held(self) -> int:
        """Slots of this account held by this process now."""
        with _HELD_LOCK:
            return len(_HELD.get(self._key, ()))

    def available(self) -> int:
        """Slots free right now in all processes (a snapshot, for diagnostics and tests)."""
        taken: list[tuple[int, Any]] = []
        try:
            # Hold each free slot until the count is done, so the next pass finds another one.
            while len(taken) < self.limit and (won := self._try_acquire()) is not None:
                taken.append(won)
            return len(taken)
        finally:
            for won in taken:
                self._release(won)

    def _try_acquire(self) -> tuple[int, Any] | None:
        """One non-blocking pass over the slots; (index, lock) on success."""
        import filelock

        self.directory.mkdir(parents=True, exist_ok=True)
        # Start at a random slot so waiters do not all hammer slot 0.
        start = random.randrange(self.limit)
        for k in (*range(start, self.limit), *range(start)):
            with _HELD_LOCK:
                held = _HELD.setdefault(self._key, set())
                if k in held:
                    continue
                held.add(k)  # reserved: another thread of this process skips it
            lock = filelock.FileLock(self.directory / f"{k}.lock", thread_local=False)
            try:
                lock.acquire(timeout=0)
            except BaseException as err:
                with _HELD_LOCK:
                    _HELD[self._key].discard(k)
                if isinstance(err, filelock.Timeout):
                    continue
                raise
            return k, lock
        return None

    def _release(self, won: tuple[int, Any]) -> None:
        k, lock = won
        try:
            lock.release(force=True)
        finally:
            with _HELD_LOCK:
                _HELD[self._key].discard(k)

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[int]:
        """Hold one slot for the block (yields its index); waits without blocking the loop."""
        delay = _FIRST_DELAY
        while (won := self._try_acquire()) is None:
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, _MAX_DELAY)
        try:
            yield won[0]
        finally:
            self._release(won)

    @contextlib.contextmanager
    def hold(self) -> Iterator[int]:
        """Hold one slot for the block, blocking this thread while waiting."""
        delay = _FIRST_DELAY
        while (won := self._try_acquire()) is None:
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, _MAX_DELAY)
        try:
            yield won[0]
        finally:
            self._release(won)


class DaskBudget:
    """``limit`` connection slots for ``account`` across a dask cluster (a distributed.Semaphore).

    Same interface as :class:`ConnectionBudget`. The semaphore lives on the scheduler, so every
    worker, on any machine, shares it; its name is derived from the account hash, so budgets
    built independently in different tasks are the same semaphore.
    """

    def __init__(self, account: str, limit: int, *, name: str | None = None) -> None:
        if not isinstance(account, str) or not account:
            raise ConfigurationError(f"account {account!r} is invalid; expected a non-empty name")
        self.limit = _check_limit(limit)
        self.account = account
        self.name = name or f"cdse-{account_key(account)}"
        self._semaphore: Any = None
        self._held = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"DaskBudget({self.name!r}, limit={self.limit}, held={self.held})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_dask, (self.account, self.limit, self.name))

    @property
    def held(self) -> int:
        """Slots this object holds now."""
        return self._held

    def _sem(self) -> Any:
        with self._lock:
            if self._semaphore is None:
                from distributed import Semaphore

                self._semaphore = Semaphore(max_leases=self.limit, name=self.name)
            return self._semaphore

    def _acquire(self) -> None:
        self._sem().acquire()
        with self._lock:
            self._held += 1

    def _release(self) -> None:
        with self._lock:
            self._held -= 1
        self._sem().release()

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one lease for the block; the blocking dask calls run off the event loop."""
        # The semaphore's synchronous API needs a thread that is not running an event loop.
        acquiring = asyncio.ensure_future(asyncio.to_thread(self._acquire))
        try:
            await asyncio.shield(acquiring)
        except asyncio.CancelledError:
            # The thread may still win the lease after we stop waiting: give it straight back.
            acquiring.add_done_callback(
                lambda f: None if f.cancelled() or f.exception() else self._release()
            )
            raise
        try:
            yield None
        finally:
            await asyncio.to_thread(self._release)

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Hold one lease for the block, blocking this thread while waiting."""
        self._acquire()
        try:
            yield None
        finally:
            self._release()


def _rebuild_dask(account: str, limit: int, name: str) -> DaskBudget:
    return DaskBudget(account, limit, name=name)


def in_dask_worker() -> bool:
    """True when called from a task running on a dask worker."""
    distributed = sys.modules.get("distributed")
    if distributed is None:  # a worker has imported it; importing it here would cost ~0.3 s
        return False
    try:
        distributed.get_worker()
    except ValueError:
        return False
    return True


def make_budget(
    cache_dir: str | os.PathLike[str], account: str, limit: int
) -> ConnectionBudget | DaskBudget:
    """The budget for ``account``: a DaskBudget inside a dask worker, else a ConnectionBudget."""
    if in_dask_worker():
        return DaskBudget(account, limit)
    return ConnectionBudget(cache_dir, account, limit)
