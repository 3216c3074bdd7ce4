"""Per-call costs paid once per process, and a product's timer that excludes queueing.

A second ``download()`` in a process logs in no more (the shared login), opens no new cache
index and starts no new threads; a product that waits for a connection slot starts its timer
when it gets one, so its reported speed is its transfer's, not the queue's.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import pytest

from cdse_intake.config import Settings
from cdse_intake.downloads import download, process
from cdse_intake.downloads.accounts import Account
from cdse_intake.downloads.retry import Stats, transfer_verified

from .test_download_common import grants, materialised


class _Budget:
    """A cross-process budget stand-in: always a slot (the in-process gate does the queueing)."""

    @contextlib.asynccontextmanager
    async def slot(self):
        yield


class _Part:
    """The least of a PartFile that ``transfer_verified`` uses."""

    def __init__(self) -> None:
        self.length = 0
        self.complete = False

    async def verify(self) -> str:
        return "digest"


def test_a_queued_product_starts_its_timer_when_it_gets_a_slot() -> None:
    async def scenario() -> tuple[Stats, float, float]:
        account = Account("user", _Budget(), 1)
        released = asyncio.Event()
        stats = Stats()
        part = _Part()

        async def transfer() -> None:
            part.complete = True

        async with account.connection():  # another product holds the only slot
            task = asyncio.create_task(
                transfer_verified(transfer, account, part, stats, bar=None, retries=0)
            )
            for _ in range(20):  # the task runs up to the gate and waits there
                await asyncio.sleep(0)
            assert stats.began is None and not task.done()
            before_release = time.monotonic()
            released.set()
        assert await task == "digest"
        return stats, before_release, time.monotonic()

    stats, before_release, after = asyncio.run(scenario())
    assert stats.began is not None and before_release <= stats.began <= after
    # the seconds an outcome reports count from the slot, not from when it was queued
    assert stats.since_began(0.0) <= time.monotonic() - before_release


def test_stats_without_a_slot_count_from_the_fallback() -> None:
    stats = Stats()
    now = time.monotonic()
    assert stats.since_began(now - 100.0) >= 100.0


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", retries=2)


def test_a_second_call_logs_in_no_more_and_reuses_the_cache_and_threads(
    cdse_emulator, cdse_env, settings
) -> None:
    products = materialised(cdse_emulator)[:4]
    first = download(products[:2], progress=False, settings=settings)
    assert first.ok and len(first.verified) == 2
    assert grants(cdse_emulator, "password") <= 1  # the process's login may predate the test
    executor = process.file_executor()
    cache = process.product_cache(settings.cache_dir)
    logins = grants(cdse_emulator, "password") + grants(cdse_emulator, "refresh_token")
    second = download(products[2:], progress=False, settings=settings)
    assert second.ok and len(second.verified) == 2
    # no token request at all in the second call: the token is still valid
    assert grants(cdse_emulator, "password") + grants(cdse_emulator, "refresh_token") == logins
    assert process.file_executor() is executor
    assert process.product_cache(settings.cache_dir) is cache
    assert process.product_cache(str(settings.cache_dir) + "/") is cache
    assert all(cache.lookup(p) is not None for p in products)


def test_the_shared_state_is_made_again_in_a_forked_child(tmp_path: Path) -> None:
    import multiprocessing

    _PARENT[:] = [process.product_cache(tmp_path), process.file_executor()]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:  # forked here: the child holds copies of the parent's objects
        same = pool.apply(_same_in_child, (str(tmp_path),))
    assert same == (False, False)
    assert process.product_cache(tmp_path) is _PARENT[0]  # the parent keeps its own


_PARENT: list = []  # held, so no object made in the child can take their addresses


def _same_in_child(root: str) -> tuple[bool, bool]:
    return (process.product_cache(root) is _PARENT[0], process.file_executor() is _PARENT[1])
