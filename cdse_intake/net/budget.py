"""The connection budget: at most N connections per account, across processes and caches.

CDSE allows 4 concurrent download sessions per account (20 for service accounts); a fifth gets
``429 DAT-ZIP-100`` (cdse-api.md §2). The budget belongs to the account, not to a cache: every
process of the user on the machine shares it, whichever cache it uses, and downloads and
``cdse://`` reads (:mod:`cdse_intake.fs`) take their connections from the same slots, so two
notebooks, a CLI run and a script together stay under the quota.

:class:`ConnectionBudget` is ``limit`` lock files under
``<user state dir>/slots/<key>/<k>.lock`` (:func:`cdse_intake.config.state_dir`, a folder
private to the user; ``<key>`` a hash of the case-folded account name and, when given, the
download service's origin, so no user name appears on disk and the same name on another service
is another account); a slot is held by an exclusive ``flock`` on one of them (the ``filelock``
package). The OS drops the lock when the holder dies, so even a SIGKILLed process never leaks a
slot. Waiting polls the slots without blocking the event loop.

:class:`DaskBudget` is the same on a dask cluster, where workers may sit on different machines
and share no disk: a ``distributed.Semaphore`` held by the scheduler, and inside each lease a slot
of the machine's :class:`ConnectionBudget` (so a worker and a plain process of the same user on
one machine share it too). :func:`make_budget` picks the right one: a DaskBudget in a dask task,
in a process hosting a dask worker (also on threads outside its tasks, such as fsspec's I/O
thread) and in a process with a dask client (a notebook driving a cluster), else a
ConnectionBudget.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import random
import stat
import sys
import threading
import time
import weakref
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from ..config import origin_of, state_dir
from ..errors import ConfigurationError

__all__ = [
    "ConnectionBudget",
    "DaskBudget",
    "account_key",
    "in_dask_worker",
    "make_budget",
    "slots_root",
]

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


def account_key(account: str, origin: str | None = None) -> str:
    """The account's folder/semaphore name: a hash, so no user name appears on disk.

    Account names are case-insensitive (Keycloak's are: one account, one quota). ``origin``
    (the download service's URL or origin) tells the same name on two services apart.
    """
    text = account.casefold()
    if origin:
        found = origin_of(origin)
        text = f"{'://'.join(map(str, found)) if found else origin}\n{text}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def slots_root() -> Path:
    """Where every budget of the user's accounts lives: the user's state folder."""
    return state_dir()


# Slot folders already checked in this process (created private, owned by the user).
_CHECKED: set[str] = set()


def _private_dir(path: Path) -> None:
    """Create ``path`` (0700) and refuse one that is a link or belongs to another user."""
    key = str(path)
    if key in _CHECKED:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)  # cleaned away meanwhile?
        return
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.lstat()
    foreign = hasattr(os, "getuid") and info.st_uid != os.getuid()
    if not stat.S_ISDIR(info.st_mode) or foreign:
        raise ConfigurationError(
            f"the connection slots folder {path} is not a folder of this user's (a link, or "
            "owned by someone else); remove it so that it can be made again"
        )
    if info.st_mode & 0o077:
        os.chmod(path, 0o700)
    _CHECKED.add(key)


def _check_limit(limit: Any) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ConfigurationError(
            f"connection limit {limit!r} is invalid; expected a whole number >= 1"
        )
    return limit


class ConnectionBudget:
    """``limit`` connection slots for ``account``, shared by every process of the user.

    ``root`` is the folder of the slots (None: :func:`slots_root`, the user's state folder,
    which is what every caller but tests wants); ``origin`` the download service (its URL), so
    the same name on another service is another budget.

    ``async with budget.slot(): ...`` holds one slot for the block (``with budget.hold():`` is
    the same for threads without an event loop). ``budget.held`` counts the slots this process
    holds for the account.
    """

    def __init__(
        self,
        root: str | os.PathLike[str] | None,
        account: str,
        limit: int,
        *,
        origin: str | None = None,
    ) -> None:
        if not isinstance(account, str) or not account:
            raise ConfigurationError(f"account {account!r} is invalid; expected a non-empty name")
        self.limit = _check_limit(limit)
        self.account = account
        self.origin = origin
        self.root = slots_root() if root is None else Path(root).expanduser()
        self.directory = self.root / "slots" / account_key(account, origin)
        self._key = str(self.directory)

    def __repr__(self) -> str:
        return f"ConnectionBudget({str(self.directory)!r}, limit={self.limit}, held={self.held})"

    def __reduce__(self) -> tuple[Any, ...]:
        # The root travels as given: None is the receiving user's own state folder.
        root = None if self.root == slots_root() else self.root
        return (_rebuild_local, (root, self.account, self.limit, self.origin))

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

        _private_dir(self.directory.parent)
        self.directory.mkdir(mode=0o700, exist_ok=True)
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
    worker, on any machine, shares it; its name is derived from the account key, so budgets
    built independently in different tasks are the same semaphore. Inside each lease a slot of
    this machine's :class:`ConnectionBudget` is held too, so processes outside the cluster on the
    same machine are counted as well (lease first, then slot: nobody waits for a lease while
    holding a slot, so the two never deadlock).

    ``binding`` is ``(scheduler_rpc, loop)`` of the worker or client to talk through (found by
    :func:`make_budget`); None binds late, in a task of a worker.
    """

    def __init__(
        self,
        account: str,
        limit: int,
        *,
        name: str | None = None,
        origin: str | None = None,
        binding: tuple[Any, Any] | None = None,
    ) -> None:
        if not isinstance(account, str) or not account:
            raise ConfigurationError(f"account {account!r} is invalid; expected a non-empty name")
        self.limit = _check_limit(limit)
        self.account = account
        self.origin = origin
        self.name = name or f"cdse-{account_key(account, origin)}"
        self.machine = ConnectionBudget(None, account, limit, origin=origin)
        self._binding = binding
        self._semaphore: Any = None
        self._held = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"DaskBudget({self.name!r}, limit={self.limit}, held={self.held})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_dask, (self.account, self.limit, self.name, self.origin))

    @property
    def held(self) -> int:
        """Slots this object holds now."""
        return self._held

    def _sem(self) -> Any:
        with self._lock:
            if self._semaphore is None:
                from distributed import Semaphore

                scheduler, loop = self._binding or (None, None)
                self._semaphore = Semaphore(
                    max_leases=self.limit, name=self.name, scheduler_rpc=scheduler, loop=loop
                )
            return self._semaphore

    def _acquire(self) -> None:
        try:
            self._sem().acquire()
        except ValueError as err:
            if "max leases" not in str(err):
                raise
            # distributed: "Inconsistent max leases: 4, expected: 1"
            raise ConfigurationError(
                f"max_connections={self.limit} for {self.account}, but this dask cluster's "
                f"connection budget for the account was made with another limit ({err}); a "
                "cluster shares one budget per account: use the same max_connections, or a new "
                "cluster"
            ) from None
        with self._lock:
            self._held += 1

    def _release(self) -> None:
        with self._lock:
            self._held -= 1
        self._sem().release()

    @contextlib.asynccontextmanager
    async def _lease(self) -> AsyncIterator[None]:
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

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one lease (and a slot of this machine) for the block, waiting off the loop."""
        async with self._lease(), self.machine.slot():
            yield None

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Hold one lease (and a slot of this machine) for the block, blocking this thread."""
        self._acquire()
        try:
            with self.machine.hold():
                yield None
        finally:
            self._release()


def _rebuild_local(
    root: Path | None, account: str, limit: int, origin: str | None
) -> ConnectionBudget:
    return ConnectionBudget(root, account, limit, origin=origin)


def _rebuild_dask(account: str, limit: int, name: str, origin: str | None = None) -> DaskBudget:
    return DaskBudget(account, limit, name=name, origin=origin)


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


def _dask_binding() -> tuple[Any, Any] | None:
    """``(scheduler_rpc, loop)`` of the dask cluster this code runs in or drives, else None.

    A task's worker first; then a running worker hosted by this process (code on threads that
    are not the worker's tasks: fsspec's I/O loop reading ``cdse://`` for a task); then the
    process's dask client (a notebook driving a cluster). Never imports distributed.
    """
    distributed = sys.modules.get("distributed")
    if distributed is None:  # a worker or a client has imported it; importing costs ~0.3 s
        return None
    try:
        worker = distributed.get_worker()
        return worker.scheduler, worker.loop
    except ValueError:
        pass
    for worker in list(distributed.Worker._instances):
        if getattr(getattr(worker, "status", None), "name", "") == "running":
            return worker.scheduler, worker.loop
    try:
        client = distributed.default_client()
    except ValueError:
        return None
    if getattr(client, "status", "") != "running" or getattr(client, "asynchronous", False):
        return None  # an asynchronous client cannot be waited on from our threads
    return client.scheduler, client.loop


# One DaskBudget per cluster loop and semaphore: each new Semaphore is a scheduler round trip.
_DASK: weakref.WeakKeyDictionary[Any, dict[tuple[str, int], DaskBudget]] = (
    weakref.WeakKeyDictionary()
)


def make_budget(
    cache_dir: str | os.PathLike[str] | None,
    account: str,
    limit: int,
    *,
    origin: str | None = None,
) -> ConnectionBudget | DaskBudget:
    """The budget for ``account``: a DaskBudget on (or driving) a dask cluster, else a
    ConnectionBudget in the user's state folder.

    ``cache_dir`` is not used: the budget is the account's, whatever the cache (the argument
    stays for callers written when it was per cache). ``origin``: the download service (its
    URL), which with the account names the budget.
    """
    binding = _dask_binding()
    if binding is None:
        return ConnectionBudget(None, account, limit, origin=origin)
    name = f"cdse-{account_key(account, origin)}"
    with _HELD_LOCK:
        try:
            known = _DASK.setdefault(binding[1], {})
        except TypeError:  # a loop that takes no weak reference: no reuse
            known = {}
        budget = known.get((name, limit))
        if budget is None:
            budget = DaskBudget(account, limit, name=name, origin=origin, binding=binding)
            known[(name, limit)] = budget
        return budget
