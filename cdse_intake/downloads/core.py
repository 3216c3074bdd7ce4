"""The Downloader: every product verified, resumable, within quota, and reported.

A run first sorts the products without any network call: unsafe names fail, products already
verified at their place are skipped, offline ones (``Online: false``) fail with
:class:`~cdse_intake.errors.ProductOffline`. The rest go to a queue served by ``2 * limit``
workers per account, at most ``limit`` of them holding a connection. A worker takes a product
whose cross-process lock it can get (so two processes sharing a cache never fetch the same
product: the second finds it verified), fetches it into a ``.part`` holding a connection slot
only while bytes flow, verifies, renames, records it in the cache index and updates the
manifest. Every product ends with an :class:`Outcome`.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..auth.shared import token_providers
from ..cache import file_name
from ..cache.safety import safe_filename
from ..config import Context, Endpoints, Settings, check_via, resolve
from ..errors import (
    AuthenticationError,
    CDSEError,
    ChecksumMismatch,
    ConfigurationError,
    ProductNotFound,
    ProductOffline,
    UnsafePathError,
)
from ..product import Product
from . import outcomes
from .accounts import Account, start_logins
from .https import fetch_https
from .partfile import Expected, PartFile
from .plan import Plan, Request, collect
from .present import present
from .process import file_executor, product_cache, record_verified, warm_index
from .progress import FileProgress, Progress
from .report import DownloadReport, Outcome
from .retry import Limits, Stats, is_network_error
from .runner import run_sync
from .s3 import is_single_object

__all__ = ["Downloader", "download"]

log = logging.getLogger("cdse_intake.download")

#: Longest pause of a worker whose remaining products are all being fetched by other processes.
_MAX_PICK_DELAY = 0.2


class Downloader:
    """Downloads products into the cache (or ``dest``) with a shared connection budget.

    ``max_connections`` (default ``Settings.max_connections``, 4) is the budget per account;
    ``credentials`` is one account (Credentials, ``(user, password)``, a mapping, a
    TokenProvider) or a list of them, used round-robin; None: the environment or ``.netrc``.
    ``on_progress`` is called with a :class:`~.progress.FileProgress` when each file starts, as
    its bytes arrive and when it ends (on the download's event loop thread: keep it quick).
    """

    def __init__(
        self,
        dest: str | os.PathLike[str] | None = None,
        *,
        via: str = "https",
        endpoints: Endpoints | None = None,
        settings: Settings | None = None,
        credentials: Any = None,
        max_connections: int | None = None,
        progress: bool = True,
        on_progress: Callable[[FileProgress], None] | None = None,
    ) -> None:
        self.via = check_via(via)
        self.endpoints = Endpoints.coerce(endpoints, from_env=False)
        self.settings = Settings.coerce(settings, from_env=False)
        limit = self.settings.max_connections if max_connections is None else max_connections
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ConfigurationError(
                f"max_connections={max_connections!r} is invalid; expected a whole number >= 1"
            )
        self.limit = limit
        self.cache = product_cache(self.settings.cache_dir)  # one per folder and process
        self.dest = None if dest is None else Path(dest).expanduser().absolute()
        self.credentials = credentials
        self.progress = progress
        self.on_progress = on_progress

    @classmethod
    def for_context(
        cls, context: Context, dest: str | os.PathLike[str] | None = None, **options: Any
    ) -> Downloader:
        """A downloader with a resolved :class:`~cdse_intake.config.Context`'s endpoints,
        settings, credentials and transport; ``options`` as for the constructor."""
        return cls(
            dest,
            via=context.via,
            endpoints=context.endpoints,
            settings=context.settings,
            credentials=context.credentials,
            **options,
        )

    def __repr__(self) -> str:
        where = self.dest or self.cache.root
        return f"Downloader({str(where)!r}, via={self.via!r}, max_connections={self.limit})"

    def __getstate__(self) -> dict[str, Any]:
        # Secrets never travel (dask): each account goes by its username, remembered in this
        # process and found again in another one's environment or .netrc; TokenProviders and
        # Credentials pickle without secrets themselves.
        from ..auth.shared import public_credentials

        state = self.__dict__.copy()
        state["credentials"] = public_credentials(self.credentials, self.endpoints.identity)
        return state

    def target(self, product: Product) -> Path:
        """Where ``product``'s verified file goes (UnsafePathError for a hostile name)."""
        if self.dest is None:
            return self.cache.path_for(product)
        return self.dest / file_name(product)

    # -- public ----------------------------------------------------------------------------------
    def download(
        self,
        items: Any,
        *,
        manifest: str | os.PathLike[str] | None = None,
        order_offline: bool = False,
    ) -> DownloadReport:
        """Download ``items`` (see :func:`download`); blocks until every product has an outcome."""
        request = collect(items, manifest)
        if order_offline:
            from .orders.offline import download_ordering

            return run_sync(lambda: download_ordering(self, request))
        return run_sync(lambda: self._run(request))

    async def download_async(
        self, items: Any, *, manifest: str | os.PathLike[str] | None = None
    ) -> DownloadReport:
        """:meth:`download` as a coroutine, for callers with their own event loop.

        Cancelling its task stops every transfer (``.part`` files stay for a resume, the manifest
        is written), as Ctrl-C does for :meth:`download`.
        """
        return await self._run(collect(items, manifest))

    async def _run(self, request: Request) -> DownloadReport:
        found: dict[str, Product] = {}
        if request.keys:  # product ids and names: the catalogue's records, before any transfer
            from .keys import lookup_products

            found = await lookup_products(request.keys, self.endpoints, self.settings)
        return await _Run(self, request.plan(found)).run()


class _Run:
    """The state of one run: outcomes, progress, manifest, workers."""

    def __init__(self, downloader: Downloader, plan: Plan) -> None:
        self.d = downloader
        self.plan = plan
        self.outcomes: dict[str, Outcome] = {}
        self.credentials_missing = False
        self.authentication_failed = False
        self.bars = Progress(downloader.progress, len(plan.products), downloader.on_progress)
        # The process's file threads (their cache index connections stay open between runs);
        # this run's own calls are tracked so that it ends only once they have.
        self.executor = file_executor()
        self._calls: set[concurrent.futures.Future[Any]] = set()
        self.https_unavailable: AuthenticationError | None = None
        self.uncached = False  # a queued product has no verified copy: a transfer is coming

    # -- bookkeeping -------------------------------------------------------------------------------
    def finish(self, outcome: Outcome) -> None:
        self.outcomes[outcome.id] = outcome
        if outcome.status == "failed":
            log.warning("%s: failed: %s", outcome.name, outcome.reason)
        else:
            log.info("%s: %s (%s)", outcome.name, outcome.status, outcome.path)
        path = str(outcome.path) if outcome.ok and outcome.path else ""
        for recorder in self.plan.recorders:
            recorder.update(outcome.id, outcome.status, path, outcome.reason)
            with contextlib.suppress(RuntimeError):  # no running loop: the final flush writes
                recorder.flush_soon()
        self.bars.done(outcome.status, outcome)

    def report(self) -> DownloadReport:
        return DownloadReport(
            [self.outcomes[p.id] for p in self.plan.products if p.id in self.outcomes],
            credentials_missing=self.credentials_missing,
            authentication_failed=self.authentication_failed,
        )

    def _submit(self, fn: Callable[..., Any], *args: Any) -> concurrent.futures.Future[Any]:
        """``fn(*args)`` in the process's file threads; the run waits for it before it ends."""
        future = self.executor.submit(fn, *args)
        self._calls.add(future)
        future.add_done_callback(self._calls.discard)
        return future

    async def _in_thread(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.wrap_future(self._submit(fn, *args))

    # -- the run ---------------------------------------------------------------------------------
    async def run(self) -> DownloadReport:
        recorders = self.plan.recorders
        try:
            for recorder in recorders:
                recorder.flush_soon()
            queue = await self._in_thread(self._triage)
            for recorder in recorders:
                recorder.flush_soon()
            if queue:
                self._submit(warm_index, self.d.cache)  # while the first bytes arrive
                await self._fetch_all(queue)
            for recorder in recorders:
                await recorder.wait()
        finally:
            concurrent.futures.wait(list(self._calls))  # work a cancellation left in a thread
            for recorder in recorders:
                recorder.flush()  # every exit path, Ctrl-C included, leaves a current manifest
            self.bars.close()
        return self.report()

    def _triage(self) -> list[tuple[Product, Path]]:
        """Outcomes that need no network; the products left to fetch (runs in a thread)."""
        queue = []
        for product in self.plan.products:
            try:
                safe_filename(product.id)
                target = self.d.target(product)
            except UnsafePathError as err:
                self.finish(outcomes.failed(product, err))
                continue
            found = self.d.cache.lookup(product)
            if found is None:
                self._warn_if_moved(product, target)
            if found is not None and found == target:
                self.finish(outcomes.skipped(product, target, "already verified"))
            elif product.online is False and found is None and not target.is_file():
                self.finish(outcomes.failed(product, outcomes.offline(product)))
            else:
                queue.append((product, target))
                self.uncached = self.uncached or found is None
        return queue

    def _warn_if_moved(self, product: Product, target: Path) -> None:
        """Say so when the verified file the index knows is gone (a moved folder?)."""
        from ..cache.audit import is_missing

        entry = self.d.cache.entry(product)
        if entry is not None and not target.is_file() and is_missing(entry.path):
            log.warning(
                "%s: its verified file %s is missing (moved or deleted?): downloading it again; "
                "'cdse-intake cache relink DIR' finds a moved folder",
                product.name,
                entry.path,
            )

    async def _fetch_all(self, queue: list[tuple[Product, Path]]) -> None:
        from ..net.http import new_session
        from ..net.transport import Transport

        try:
            accounts_ = self._accounts()
        except AuthenticationError as err:  # no credentials / keys at all
            self.credentials_missing = True
            for product, _ in queue:
                self.finish(outcomes.failed(product, err))
            return
        workers = sum(_workers(a.limit) for a in accounts_)
        pending = collections.deque(queue)
        async with contextlib.AsyncExitStack() as stack:
            if self.uncached:  # something to transfer: log in while the first files open
                stack.callback(start_logins(accounts_))
            if any(a.tokens is not None for a in accounts_):
                session = await stack.enter_async_context(
                    new_session(timeout=self.d.settings.timeout, limit=workers + 4)
                )
                for account in accounts_:
                    if account.tokens is not None:
                        account.transport = Transport(session, self.d.endpoints, account.tokens)
            try:
                for account in accounts_:
                    if account.s3 is not None:  # may make temporary keys: may be refused
                        await stack.enter_async_context(account.s3)
            except CDSEError as err:
                for product, _ in queue:
                    self.finish(outcomes.failed(product, err))
                return
            async with asyncio.TaskGroup() as group:
                for account in accounts_:
                    for _ in range(_workers(account.limit)):
                        group.create_task(self._worker(account, pending))

    def _accounts(self) -> list[Account]:
        """The run's accounts; AuthenticationError when there is nothing to log in with."""
        from .budget import make_budget

        limit = self.d.limit
        try:
            providers = token_providers(self.d.credentials, self.d.endpoints, self.d.settings)
        except AuthenticationError as err:
            if self.d.via != "s3":
                raise
            providers, self.https_unavailable = [], err
        if self.d.via == "s3":
            from .s3 import S3Source

            tokens = providers[0] if providers else None
            source = S3Source.resolve(self.d.endpoints.s3, self.d.settings.timeout, tokens)
            name = tokens.username if tokens is not None else source.account
            budget = make_budget(None, name, limit, origin=self.d.endpoints.s3)
            return [Account(name, budget, limit, tokens=tokens, s3=source)]
        # One budget per account and service, whatever the cache: the cdse:// reads of
        # fs.filesystem take their connections from the same one.
        origin = self.d.endpoints.download
        budgets = [make_budget(None, t.username, limit, origin=origin) for t in providers]
        return [
            Account(t.username, b, limit, tokens=t) for t, b in zip(providers, budgets, strict=True)
        ]

    async def _pick(self, pending: collections.deque[tuple[Product, Path]]) -> Any:
        """The next product whose lock this process gets (None when none is left)."""
        import filelock

        delay = 0.005
        while pending:
            for _ in range(len(pending)):
                product, target = pending.popleft()
                lock = self.d.cache.lock(product)
                try:
                    lock.acquire(timeout=0)
                except filelock.Timeout:
                    pending.append((product, target))  # another process has it: later
                    continue
                return product, target, lock
            await asyncio.sleep(delay)
            delay = min(delay * 2, _MAX_PICK_DELAY)
        return None

    async def _worker(self, account: Account, pending: collections.deque[Any]) -> None:
        while (picked := await self._pick(pending)) is not None:
            product, target, lock = picked
            try:
                outcome = await self._one(product, target, account)
            finally:
                lock.release()
            self.finish(outcome)

    async def _one(self, product: Product, target: Path, account: Account) -> Outcome:
        """Bring one product to its target: skipped, verified or failed (never raises)."""
        started = time.monotonic()
        try:
            local = await self._in_thread(present, self.d.cache, product, target)
            if local is not None:
                return local
            return await self._fetch(product, target, account, started)
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as err:
            if isinstance(err, AuthenticationError):
                self.authentication_failed = True
            if not isinstance(err, CDSEError | OSError):
                log.exception("unexpected error downloading %s", product.name)
            return outcomes.failed(product, err, seconds=time.monotonic() - started)

    async def _fetch(
        self, product: Product, target: Path, account: Account, started: float
    ) -> Outcome:
        expected = Expected.of(product)
        limits = Limits.of(self.d.settings)  # attempts, bytes, minimum rate, deadline
        part = PartFile(target, expected, self.executor)
        stats = Stats()
        await part.open()
        resumed = part.length
        bar = self.bars.file(product.name, expected.size, resumed, id=product.id)
        try:
            if account.s3 is not None and is_single_object(product):
                digest = await account.s3.fetch(
                    product, account, part, stats, bar, self.d.settings.retries, limits
                )
            elif account.transport is None:
                assert self.https_unavailable is not None
                self.credentials_missing = True
                raise self.https_unavailable  # a folder product via S3 needs $value (see s3.py)
            else:
                digest = await fetch_https(
                    self.d.endpoints.download,
                    product.id,
                    account,
                    part,
                    stats,
                    bar,
                    self.d.settings.retries,
                    limits,
                )
            await part.commit()
            await self._in_thread(
                record_verified, self.d.cache, product, target, expected.algorithm, digest
            )
        except ChecksumMismatch as err:
            where = await part.quarantine(self.d.cache.quarantine_for(product))
            return outcomes.failed(
                product, err, stats=stats, started=started, note=f"quarantined: {where}"
            )
        except (ProductNotFound, ProductOffline, UnsafePathError) as err:
            part.discard()  # final: nothing to resume
            return outcomes.failed(product, err, stats=stats, started=started)
        except CDSEError as err:
            if isinstance(err, AuthenticationError) and err is not self.https_unavailable:
                self.authentication_failed = True
            return outcomes.failed(product, err, stats=stats, started=started)  # the .part stays
        except OSError as err:
            if not is_network_error(err):
                part.discard()  # a local disk error leaves an untrustworthy .part
            return outcomes.failed(product, err, stats=stats, started=started)
        finally:
            part.close()
            bar.close()
        # From the first connection slot: the wait for one behind other products is queueing,
        # not this product's transfer (its speed would read half the others' in a full batch).
        seconds = stats.since_began(started)
        note = f"resumed at byte {resumed}" if resumed else ""
        return Outcome(
            id=product.id,
            name=product.name,
            status="verified",
            reason=note,
            path=target,
            bytes=stats.bytes,
            seconds=round(seconds, 3),
            mb_s=round(stats.bytes / seconds / 1e6, 2) if seconds > 0 else 0.0,
            retries=stats.retries,
            algorithm=expected.algorithm,
        )


# -- helpers ---------------------------------------------------------------------------------------
def _workers(limit: int) -> int:
    """Workers per account: twice its connections. While a product is opened, verified (fsync),
    renamed and indexed, no connection held, another one keeps its slot busy; for small
    products that work takes as long as the transfer, so one spare worker left slots idle."""
    return 2 * limit


def download(
    items: Any,
    dest: str | os.PathLike[str] | None = None,
    *,
    progress: bool = True,
    via: str = "https",
    endpoints: Endpoints | None = None,
    settings: Settings | None = None,
    credentials: Any = None,
    manifest: str | os.PathLike[str] | None = None,
    max_connections: int | None = None,
    on_progress: Callable[[FileProgress], None] | None = None,
    order_offline: bool = False,
) -> DownloadReport:
    """Download products, verified, resumable and within CDSE's connection quota.

    ``items``: SearchResults, a Product, a product id (UUID), a product name (with or without
    ``.SAFE``/``.SEN3``/``.zarr``, as :func:`~cdse_intake.open_product` takes it), the path of a
    manifest (then updated after every product), or a list mixing them. Ids and names are
    looked up in the catalogue first; unknown ones raise
    :class:`~cdse_intake.errors.ProductNotFound` naming them before any download starts.
    ``dest``: a folder for the files (default: the product cache under ``Settings.cache_dir``);
    either way verified products are recorded in the cache
    index and skipped next time without a network call. ``via``: ``"https"`` (``$value``) or
    ``"s3"`` (the ``eodata`` bucket with S3 keys). ``manifest``: a manifest file to record the
    states in (created if absent). ``on_progress``: a callback given a
    :class:`~cdse_intake.downloads.progress.FileProgress` per step of every file (see
    :class:`Downloader`). ``order_offline``: order the offline products (``Online: false``)
    through the On-Demand Production API, wait, then download them (see
    :mod:`~cdse_intake.downloads.orders`); else they fail with ProductOffline. Returns a
    :class:`DownloadReport`; failures are reported in it, not raised.
    """
    context = resolve(endpoints=endpoints, settings=settings, credentials=credentials, via=via)
    downloader = Downloader.for_context(
        context,
        dest,
        max_connections=max_connections,
        progress=progress,
        on_progress=on_progress,
    )
    return downloader.download(items, manifest=manifest, order_offline=order_offline)
