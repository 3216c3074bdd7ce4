"""Per-run costs kept off a small product's critical path: the index records, its creation and
the login.

The records of a batch take turns within the process (the marker's file lock, polled every
50 ms, only waits for other processes), a new cache's index is created while the first bytes
arrive, the login starts as soon as a run knows it has something to fetch -- never when every
product is already verified (no network call then) -- and a product's last write is finished
after its connection slot is free for the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path

import pytest

from cdse_intake.auth.shared import token_providers
from cdse_intake.cache import ProductCache
from cdse_intake.config import Settings, resolve
from cdse_intake.downloads import download, process
from cdse_intake.downloads.accounts import Account, start_login, start_logins
from cdse_intake.downloads.retry import SizeMismatch, Stats, transfer_verified

from .test_download_common import grants, materialised


class _CountingCache:
    """A cache whose ``record`` notes how many calls overlap (and waits a little in each)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.inside = 0
        self.most = 0
        self.calls = 0
        self._count = threading.Lock()
        self.entered = threading.Event()

    def record(self, product, path, algorithm, checksum):
        with self._count:
            self.inside += 1
            self.calls += 1
            self.most = max(self.most, self.inside)
        self.entered.set()
        threading.Event().wait(0.01)  # long enough for the other threads to arrive
        with self._count:
            self.inside -= 1
        return (product, path, algorithm, checksum)


def test_records_of_one_cache_take_turns_within_the_process(tmp_path: Path) -> None:
    cache = _CountingCache(tmp_path)
    threads = [
        threading.Thread(target=process.record_verified, args=(cache, i, tmp_path, "MD5", "x"))
        for i in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.calls == 6
    assert cache.most == 1


def test_records_of_two_caches_do_not_wait_for_each_other(tmp_path: Path) -> None:
    first, second = _CountingCache(tmp_path / "a"), _CountingCache(tmp_path / "b")
    release = threading.Event()

    class _Holding(_CountingCache):
        def record(self, *args):
            self.entered.set()
            release.wait(10)
            return args

    holding = _Holding(tmp_path / "a")
    holder = threading.Thread(
        target=process.record_verified, args=(holding, 1, tmp_path, "MD5", "x")
    )
    holder.start()
    try:
        assert holding.entered.wait(10)
        # another cache's record is not queued behind the one of ``a`` that is still running
        assert process.record_verified(second, 2, tmp_path, "MD5", "x")[0] == 2
    finally:
        release.set()
        holder.join()
    assert process.record_verified(first, 3, tmp_path, "MD5", "x")[0] == 3


def test_record_verified_returns_the_index_entry(cdse_emulator, tmp_path: Path) -> None:
    product = materialised(cdse_emulator)[0]
    cache = ProductCache(tmp_path / "cache")
    path = tmp_path / "cache" / "file.zip"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x" * (product.size or 1))
    entry = process.record_verified(cache, product, path, "MD5", "ABC")
    assert entry.id == product.id and entry.checksum == "abc"
    assert cache.entry(product) is not None


def test_warm_index_creates_a_new_cache_index(tmp_path: Path) -> None:
    cache = ProductCache(tmp_path / "new" / "cache")
    assert not cache.index_path.exists()
    process.warm_index(cache)
    assert cache.index_path.is_file()
    assert cache.entries() == []
    process.warm_index(cache)  # already there: nothing to do
    assert cache.index_path.is_file()


def test_warm_index_leaves_a_failure_to_the_record(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = ProductCache(blocker / "cache")  # its folder cannot be made
    process.warm_index(cache)  # no error here
    assert not cache.index_path.exists()


def test_a_failed_early_login_is_retrieved_and_not_raised() -> None:
    class _Refused:
        async def headers_async(self) -> dict[str, str]:
            raise RuntimeError("refused")

    async def scenario() -> BaseException | None:
        loop = asyncio.get_running_loop()
        seen: list[dict] = []
        loop.set_exception_handler(lambda _loop, context: seen.append(context))
        task = start_login(_Refused())
        with pytest.raises(RuntimeError):
            await task
        assert not seen
        return task.exception()

    assert isinstance(asyncio.run(scenario()), RuntimeError)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", retries=2)


def _expire_the_shared_tokens(settings: Settings) -> None:
    context = resolve(settings=settings)
    for tokens in token_providers(context.credentials, context.endpoints, context.settings):
        tokens.invalidate()


def test_a_run_with_everything_verified_makes_no_token_request(
    cdse_emulator, cdse_env, settings
) -> None:
    products = materialised(cdse_emulator)[:2]
    first = download(products, progress=False, settings=settings)
    assert first.ok and len(first.verified) == 2
    assert ProductCache(settings.cache_dir).index_path.is_file()
    _expire_the_shared_tokens(settings)
    before = grants(cdse_emulator, "password") + grants(cdse_emulator, "refresh_token")
    again = download(products, progress=False, settings=settings)
    assert again.ok and len(again.skipped) == 2
    assert grants(cdse_emulator, "password") + grants(cdse_emulator, "refresh_token") == before


class _Budget:
    @contextlib.asynccontextmanager
    async def slot(self):
        yield


class _DrainingPart:
    """A part whose last write is still running when the transfer returns."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.length = 0
        self.complete = False
        self.active_while_draining: list[int] = []
        self.drained = False

    async def drain(self) -> None:
        self.active_while_draining.append(self.account.gate.active)
        await asyncio.sleep(0)
        self.drained = True

    async def verify(self) -> str:
        assert self.drained  # verified only once every byte is in the file
        return "digest"


def test_the_last_write_is_drained_after_the_connection_slot_is_free() -> None:
    async def scenario() -> _DrainingPart:
        account = Account("user", _Budget(), 1)
        part = _DrainingPart(account)

        async def transfer() -> None:
            assert account.gate.active == 1  # bytes flow within the slot
            part.complete = True

        assert await transfer_verified(transfer, account, part, Stats(), None, 0) == "digest"
        return part

    part = asyncio.run(scenario())
    assert part.active_while_draining == [0]


def test_the_last_write_is_drained_when_the_transfer_fails() -> None:
    async def scenario() -> _DrainingPart:
        account = Account("user", _Budget(), 1)
        part = _DrainingPart(account)

        async def transfer() -> None:
            raise SizeMismatch("the server sent more")  # final: not retried

        with pytest.raises(SizeMismatch):
            await transfer_verified(transfer, account, part, Stats(), None, 3)
        return part

    part = asyncio.run(scenario())
    assert part.drained and part.active_while_draining == [0]


def test_a_run_that_only_copies_verified_files_makes_no_token_request(
    cdse_emulator, cdse_env, settings, tmp_path: Path
) -> None:
    products = materialised(cdse_emulator)[:2]
    assert download(products, progress=False, settings=settings).ok
    _expire_the_shared_tokens(settings)  # any token request would now reach the emulator
    before = grants(cdse_emulator, "password") + grants(cdse_emulator, "refresh_token")
    copied = download(products, tmp_path / "elsewhere", progress=False, settings=settings)
    assert copied.ok and len(copied.skipped) == 2
    assert all("copied" in o.reason for o in copied.skipped)
    assert grants(cdse_emulator, "password") + grants(cdse_emulator, "refresh_token") == before


def test_start_logins_starts_the_https_accounts_only_and_cancels_them() -> None:
    class _Slow:
        def __init__(self) -> None:
            self.started = 0

        async def headers_async(self) -> dict[str, str]:
            self.started += 1
            await asyncio.Event().wait()  # a login that never ends
            return {}

    async def scenario() -> tuple[_Slow, _Slow]:
        https, s3 = _Slow(), _Slow()
        accounts = [
            Account("a", _Budget(), 1, tokens=https),
            Account("b", _Budget(), 1, tokens=s3, s3=object()),
            Account("c", _Budget(), 1),
        ]
        cancel = start_logins(accounts)
        await asyncio.sleep(0)
        cancel()
        await asyncio.sleep(0)
        return https, s3

    https, s3 = asyncio.run(scenario())  # ends: no login left pending
    assert (https.started, s3.started) == (1, 0)
