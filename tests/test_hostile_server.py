"""A hostile server: every case ends bounded in time and memory, with a clear per-product error.

A small aiohttp server in the test (127.0.0.1, an OS-chosen port) plays identity, download and
catalogue hosts, and lies: sizes larger and smaller than the catalogue's, a body dripping 2
bytes/s, endless bodies, a gzip bomb as a search answer, zips with symlink members. Symlinks
are planted at a download's ``.part`` and final paths. Each case runs in a thread with a hard
limit, so a regression fails here instead of hanging the suite.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import stat
import threading
import time
import tracemalloc
import uuid
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from cdse_intake.auth import Credentials, TokenProvider
from cdse_intake.config import Endpoints, Settings
from cdse_intake.downloads import DownloadReport, download
from cdse_intake.downloads.accounts import Account
from cdse_intake.downloads.budget import make_budget
from cdse_intake.downloads.https import fetch_https
from cdse_intake.downloads.partfile import Expected, PartFile
from cdse_intake.downloads.retry import (
    ATTEMPTS_PER_RETRY,
    DeadlineExceeded,
    Limits,
    Stats,
    TooSlow,
    Truncated,
    with_retries,
)
from cdse_intake.errors import ConfigurationError, DownloadError, ServiceError
from cdse_intake.net.http import MAX_ANSWER_BYTES, MAX_ERROR_BYTES, get_json, new_session
from cdse_intake.net.transport import Transport
from cdse_intake.product import Product

KB = 1000
MB = 1 << 20


# -- the server -----------------------------------------------------------------------------------
@dataclass
class Item:
    """What the server holds for one product id and how it delivers it."""

    data: bytes
    behaviour: str = "honest"
    requests: int = 0


@dataclass
class Hostile:
    """The server's state (read by the tests) and its URL."""

    items: dict[str, Item] = field(default_factory=dict)
    url: str = ""
    search_hits: Counter[str] = field(default_factory=Counter)

    @property
    def endpoints(self) -> Endpoints:
        return Endpoints(
            identity=f"{self.url}/auth/realms/CDSE",
            catalogue=f"{self.url}/odata/v1",
            download=f"{self.url}/download/odata/v1",
            stac=f"{self.url}/stac/v1",
            s3=f"{self.url}/s3",
        )


def _gzip_bomb(expanded: int) -> bytes:
    """A gzip body of ~``expanded / 1000`` bytes that inflates to ``expanded`` bytes of JSON.

    Full flushes reset the compressor, so every 1 MiB of spaces compresses to the same block;
    the block is repeated instead of compressing a gigabyte here. No trailer: nobody reads that
    far (a client that does has already lost).
    """
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    head = comp.compress(b'{"value": [') + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(b" " * MB) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(b" " * MB) + comp.flush(zlib.Z_FULL_FLUSH)
    assert block == again
    return head + block * (expanded // MB)


BOMB = _gzip_bomb(1200 * MB)  # ~1.2 MB on the wire, 1.2 GB inflated


def _range_start(request: web.Request) -> int:
    value = request.headers.get("Range", "")
    return int(value.removeprefix("bytes=").split("-")[0]) if value else 0


async def _token(request: web.Request) -> web.Response:
    return web.json_response(
        {
            "access_token": "hostile-token",
            "expires_in": 600,
            "refresh_token": "hostile-refresh",
            "refresh_expires_in": 3600,
            "token_type": "Bearer",
        }
    )


def _app(state: Hostile) -> web.Application:
    async def value(request: web.Request) -> web.StreamResponse:
        item = state.items.get(request.match_info["id"])
        if item is None:
            return web.json_response({"code": "DAT-ZIP-915", "message": "no"}, status=404)
        item.requests += 1
        start = _range_start(request)
        data = item.data
        how = item.behaviour
        if start >= len(data) and how in ("short_chunked", "short_cl", "honest", "zip"):
            return web.Response(status=416, headers={"Content-Range": f"bytes */{len(data)}"})
        resp = web.StreamResponse(status=206 if start else 200)
        if start:
            resp.headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        if how in ("honest", "short_cl", "zip"):
            resp.content_length = len(data) - start
        else:
            resp.enable_chunked_encoding()
        await resp.prepare(request)
        try:
            if how == "endless":
                block = b"\0" * (64 * 1024)
                while True:  # ~6 MB/s, forever
                    await resp.write(block)
                    await asyncio.sleep(0.01)
            elif how == "drip":
                for byte in data[start:]:  # 2 bytes/s
                    await resp.write(bytes([byte]))
                    await asyncio.sleep(0.5)
            elif how == "long":
                await resp.write(data[start:])
                await resp.write(b"x" * 50_000)  # more than the catalogue says
            else:
                await resp.write(data[start:])
            await resp.write_eof()
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        return resp

    async def search(request: web.Request) -> web.StreamResponse:
        state.search_hits[request.path] += 1
        resp = web.StreamResponse(
            status=int(request.query.get("status", 200)),
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )
        await resp.prepare(request)
        try:
            view = memoryview(BOMB)
            for offset in range(0, len(view), 1 << 16):
                await resp.write(view[offset : offset + (1 << 16)])
            await resp.write_eof()
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        return resp

    app = web.Application()
    app.router.add_post("/auth/realms/CDSE/protocol/openid-connect/token", _token)
    app.router.add_get(r"/download/odata/v1/Products({id:[^)]+})/$value", value)
    app.router.add_get("/odata/v1/{tail:.*}", search)
    return app


@pytest.fixture
def hostile():
    """The hostile server, running on its own loop in a thread for the test."""
    state = Hostile()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    runner_box: list[web.AppRunner] = []

    async def start() -> None:
        runner = web.AppRunner(_app(state), shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        state.url = f"http://127.0.0.1:{port}"
        runner_box.append(runner)
        ready.set()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    assert ready.wait(10)
    yield state
    asyncio.run_coroutine_threadsafe(runner_box[0].cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


# -- helpers --------------------------------------------------------------------------------------
def add(
    state: Hostile,
    case: str,
    data: bytes,
    behaviour: str,
    *,
    size: int | str | None = "same",
    checksum: bool = True,
) -> Product:
    """A product the server delivers as ``behaviour``; ``size`` is what the catalogue says."""
    pid = str(uuid.uuid4())
    state.items[pid] = Item(data, behaviour)
    return Product(
        id=pid,
        name=f"S2A_MSIL1C_20240101T000000_N0510_R000_T00AAA_20240101T{case}.SAFE",
        size=len(data) if size == "same" else size,  # type: ignore[arg-type]
        checksums={"MD5": hashlib.md5(data).hexdigest()} if checksum else {},
    )


def settings(tmp_path: Path, **kw: Any) -> Settings:
    values: dict[str, Any] = {"cache_dir": tmp_path / "cache", "retries": 2, "timeout": 2.0}
    return Settings(**{**values, **kw})


@dataclass
class Bounded:
    report: Any
    seconds: float
    peak: int


def bounded(fn: Callable[[], Any], limit: float) -> Bounded:
    """``fn()`` in a thread; fails the test when it is not done within ``limit`` seconds.

    The peak of Python allocations meanwhile (tracemalloc) is kept for the memory asserts.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as err:  # re-raised in the test's thread
            box["error"] = err

    tracemalloc.start()
    started = time.monotonic()
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(limit)
    seconds = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert not thread.is_alive(), f"still running after {limit} s: unbounded"
    if "error" in box:
        raise box["error"]
    return Bounded(box.get("value"), seconds, peak)


def fetch(state: Hostile, products: list[Product], tmp_path: Path, limit: float, **kw: Any):
    dest = kw.pop("dest", tmp_path / "dest")
    chosen = settings(tmp_path, **kw)
    return bounded(
        lambda: download(
            products,
            dest,
            progress=False,
            settings=chosen,
            endpoints=state.endpoints,
            credentials=("hostile-user", "hostile-password"),
        ),
        limit,
    )


class _NoBar:
    def update(self, n: int = 1) -> None: ...
    def reset(self, total: int | None = None) -> None: ...
    def close(self) -> None: ...


def transfer(
    state: Hostile, product: Product, tmp_path: Path, limits: Limits, *, retries: int, timeout=2.0
) -> Any:
    """The HTTPS transfer of one product with explicit ``limits`` (the layer under Downloader)."""
    chosen = settings(tmp_path, timeout=timeout, retries=retries)
    stats = Stats()

    async def go() -> Any:
        async with new_session(timeout=timeout) as session:
            tokens = TokenProvider(
                Credentials("hostile-user", "hostile-password"), state.endpoints, chosen
            )
            budget = make_budget(chosen.cache_dir, "hostile-user", 1)
            account = Account("hostile-user", budget, 1, tokens=tokens)
            account.transport = Transport(session, state.endpoints, tokens)
            part = PartFile(tmp_path / "dest" / "product.zip", Expected.of(product))
            await part.open()
            try:
                return await fetch_https(
                    state.endpoints.download, product.id, account, part, stats, _NoBar(),
                    retries, limits,
                )  # fmt: skip
            finally:
                part.close()

    def call() -> Any:
        try:
            asyncio.run(go())
        except DownloadError as err:
            return err, stats
        raise AssertionError("the transfer succeeded")

    return bounded(call, 10)


def only_failure(report: DownloadReport, product: Product) -> Any:
    assert len(report) == 1
    outcome = report[0]
    assert outcome.name == product.name
    assert outcome.status == "failed", outcome
    return outcome


def payload(n: int) -> bytes:
    return os.urandom(n)


# -- sizes that lie -------------------------------------------------------------------------------
@pytest.mark.parametrize("behaviour", ["short_chunked", "short_cl"])
def test_catalogue_size_larger_than_the_body_is_a_product_error(hostile, tmp_path, behaviour):
    """The issue's endless re-download: 10 KB delivered, the catalogue says 12 KB."""
    product = add(hostile, "short", payload(10 * KB), behaviour, size=12 * KB)
    run = fetch(hostile, [product], tmp_path, limit=10)
    outcome = only_failure(run.report, product)
    assert "12000" in outcome.reason and "10000" in outcome.reason, outcome.reason
    assert "size" in outcome.reason.lower()
    assert hostile.items[product.id].requests <= 3
    assert run.seconds < 5
    assert not (tmp_path / "dest" / (product.name[:-5] + ".zip")).exists()


def test_catalogue_size_smaller_than_the_body_is_a_product_error(hostile, tmp_path):
    product = add(hostile, "long", payload(10 * KB), "long")
    run = fetch(hostile, [product], tmp_path, limit=10)
    outcome = only_failure(run.report, product)
    assert "more than" in outcome.reason and "10000" in outcome.reason, outcome.reason
    assert hostile.items[product.id].requests <= 2
    assert run.seconds < 5


def test_declared_length_that_contradicts_the_catalogue_fails_before_the_body(hostile, tmp_path):
    data = payload(2 * MB)
    product = add(hostile, "declared", data, "honest", size=len(data) + 1)
    run = fetch(hostile, [product], tmp_path, limit=10)
    outcome = only_failure(run.report, product)
    assert str(len(data)) in outcome.reason and str(len(data) + 1) in outcome.reason
    assert outcome.bytes == 0  # nothing transferred: the Content-Length said it all
    assert hostile.items[product.id].requests == 1


def test_endless_body_is_cut_at_the_expected_size(hostile, tmp_path):
    product = add(hostile, "endless", payload(100 * KB), "endless")
    run = fetch(hostile, [product], tmp_path, limit=10)
    outcome = only_failure(run.report, product)
    assert "more than" in outcome.reason, outcome.reason
    assert outcome.bytes <= 100 * KB + 2 * MB
    assert run.seconds < 5
    assert run.peak < 40 * MB, run.peak


def test_endless_body_of_unknown_size_stops_at_the_deadline(hostile, tmp_path):
    product = add(hostile, "endless-unknown", payload(100 * KB), "endless", size=None)
    run = transfer(hostile, product, tmp_path, Limits(deadline=1.5), retries=2)
    err, stats = run.report
    assert isinstance(err, DeadlineExceeded)
    assert "deadline of 1.5 s" in str(err) and "unknown size" in str(err), err
    assert 1.4 < stats.held < 2.5
    assert run.seconds < 4
    assert run.peak < 40 * MB, run.peak


# -- slow servers ---------------------------------------------------------------------------------
def test_dripping_server_is_abandoned_at_the_minimum_rate(hostile, tmp_path):
    """Settings' default minimum rate, measured over the read timeout (1 s here)."""
    product = add(hostile, "drip", payload(10 * KB), "drip")
    run = fetch(hostile, [product], tmp_path, limit=10, timeout=1.0, retries=1)
    outcome = only_failure(run.report, product)
    assert "bytes/s" in outcome.reason and "minimum of 1024" in outcome.reason, outcome.reason
    assert outcome.name == product.name and product.name[:-5] in outcome.reason
    assert hostile.items[product.id].requests == 2  # retried once (retries=1), then failed
    assert run.seconds < 6


def test_minimum_rate_is_configurable(hostile, tmp_path):
    product = add(hostile, "drip-rate", payload(10 * KB), "drip")
    limits = Limits(min_rate=50, window=0.6)
    run = transfer(hostile, product, tmp_path, limits, retries=1)
    err, stats = run.report
    assert "minimum of 50 bytes/s" in str(err), err
    assert isinstance(err.__cause__, TooSlow)
    assert stats.attempts == 2
    assert run.seconds < 4


def test_dripping_server_is_abandoned_at_the_deadline(hostile, tmp_path):
    product = add(hostile, "drip-deadline", payload(10 * KB), "drip")
    run = transfer(hostile, product, tmp_path, Limits(min_rate=0, deadline=1.0), retries=5)
    err, stats = run.report
    assert isinstance(err, DeadlineExceeded)
    assert "deadline of 1 s" in str(err) and "of 10000 received" in str(err), err
    assert stats.attempts == 1
    assert run.seconds < 3
    # The .part stays for a later run (what arrived is good).
    assert (tmp_path / "dest" / "product.zip.part").stat().st_size > 0


def test_settings_set_the_deadline_of_a_download(hostile, tmp_path):
    product = add(hostile, "drip-settings", payload(10 * KB), "drip")
    run = fetch(hostile, [product], tmp_path, limit=6, min_rate=0, transfer_deadline=1.0)
    outcome = only_failure(run.report, product)
    assert "deadline of 1 s" in outcome.reason, outcome.reason
    assert run.seconds < 4
    assert list((tmp_path / "dest").glob("*.part"))


def test_slot_is_released_after_a_drip(hostile, tmp_path):
    """One connection: a dripping product gives the slot back, the honest one then succeeds."""
    slow = add(hostile, "drip-slot", payload(10 * KB), "drip")
    good = add(hostile, "honest", payload(50 * KB), "honest")
    run = bounded(
        lambda: download(
            [slow, good],
            tmp_path / "dest",
            progress=False,
            settings=settings(tmp_path, timeout=1.0, retries=0),
            endpoints=hostile.endpoints,
            credentials=("hostile-user", "hostile-password"),
            max_connections=1,
        ),
        10,
    )
    statuses = {o.name: o.status for o in run.report}
    assert statuses == {slow.name: "failed", good.name: "verified"}
    assert run.seconds < 5


# -- symlinks -------------------------------------------------------------------------------------
def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    return victim


def test_symlink_planted_at_the_part_path_is_not_followed(hostile, tmp_path):
    data = payload(20 * KB)
    product = add(hostile, "partlink", data, "honest")
    dest = tmp_path / "dest"
    dest.mkdir()
    final = dest / (product.name[:-5] + ".zip")
    victim = _victim(tmp_path)
    final.with_name(final.name + ".part").symlink_to(victim)
    run = fetch(hostile, [product], tmp_path, limit=10)
    assert victim.read_bytes() == b"precious"
    assert [o.status for o in run.report] == ["verified"], run.report[0].reason
    assert not final.is_symlink() and stat.S_ISREG(final.lstat().st_mode)
    assert final.read_bytes() == data


def test_hard_link_planted_at_the_part_path_is_not_written_through(hostile, tmp_path):
    """A .part resumed in place would append to every file it is linked to: started afresh."""
    data = payload(20 * KB)
    product = add(hostile, "parthardlink", data, "honest")
    dest = tmp_path / "dest"
    dest.mkdir()
    final = dest / (product.name[:-5] + ".zip")
    victim = _victim(tmp_path)
    os.link(victim, final.with_name(final.name + ".part"))
    sidecar = {"algorithm": "MD5", "checksum": product.checksums["MD5"], "id": product.id}
    final.with_name(final.name + ".part.json").write_text(
        json.dumps({**sidecar, "size": len(data)})
    )
    run = fetch(hostile, [product], tmp_path, limit=10)
    assert victim.read_bytes() == b"precious"
    assert [o.status for o in run.report] == ["verified"], run.report[0].reason
    assert final.read_bytes() == data


def test_symlink_planted_at_the_sidecar_path_is_not_followed(hostile, tmp_path):
    data = payload(20 * KB)
    product = add(hostile, "sidecarlink", data, "honest")
    dest = tmp_path / "dest"
    dest.mkdir()
    final = dest / (product.name[:-5] + ".zip")
    victim = _victim(tmp_path)
    final.with_name(final.name + ".part.json").symlink_to(victim)
    for pid in (os.getpid(),):
        final.with_name(f"{final.name}.part.json.{pid}.tmp").symlink_to(victim)
    run = fetch(hostile, [product], tmp_path, limit=10)
    assert victim.read_bytes() == b"precious"
    assert [o.status for o in run.report] == ["verified"], run.report[0].reason
    assert final.read_bytes() == data


@pytest.mark.parametrize("matching", [True, False])
def test_symlink_planted_at_the_final_path_is_never_verified(hostile, tmp_path, matching):
    """Even a link to a file with the right bytes is not taken as the verified product."""
    data = payload(20 * KB)
    product = add(hostile, f"finallink{int(matching)}", data, "honest")
    dest = tmp_path / "dest"
    dest.mkdir()
    final = dest / (product.name[:-5] + ".zip")
    victim = tmp_path / "victim.bin"
    victim.write_bytes(data if matching else b"precious")
    final.symlink_to(victim)
    run = fetch(hostile, [product], tmp_path, limit=10)
    assert victim.read_bytes() == (data if matching else b"precious")
    assert [o.status for o in run.report] == ["verified"], run.report[0].reason
    assert not final.is_symlink() and stat.S_ISREG(final.lstat().st_mode)
    assert final.read_bytes() == data
    assert hostile.items[product.id].requests == 1


def _zip_with_symlink() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("PRODUCT.SAFE/manifest.safe", "<xml/>")
        link = zipfile.ZipInfo("PRODUCT.SAFE/evil")
        link.create_system = 3  # Unix: the mode in external_attr counts
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return buf.getvalue()


@pytest.mark.parametrize("checksum", [True, False])
def test_zip_with_a_symlink_member_is_refused_whatever_the_checksum(hostile, tmp_path, checksum):
    data = _zip_with_symlink()
    product = add(hostile, f"ziplink{int(checksum)}", data, "zip", checksum=checksum)
    run = fetch(hostile, [product], tmp_path, limit=10)
    outcome = only_failure(run.report, product)
    assert "symlink" in outcome.reason and "PRODUCT.SAFE/evil" in outcome.reason, outcome.reason
    assert outcome.error == "UnsafePathError"
    assert not list((tmp_path / "dest").glob("*.zip"))
    assert run.seconds < 5


# -- search and metadata answers ------------------------------------------------------------------
def test_gzip_bomb_as_a_json_answer_is_refused_within_the_limit(hostile):
    async def go() -> Any:
        async with new_session(timeout=5) as session:
            return await get_json(session, f"{hostile.url}/odata/v1/Products")

    def call() -> Any:
        with pytest.raises(ServiceError) as info:
            asyncio.run(go())
        return info.value

    run = bounded(call, 20)
    err = run.report
    assert "larger than" in str(err) and str(MAX_ANSWER_BYTES) in str(err), err
    assert err.status == 200
    assert run.peak < MAX_ANSWER_BYTES * 2.5, run.peak  # far from the 1.2 GB it inflates to
    assert run.seconds < 10


def test_gzip_bomb_as_a_search_answer_ends_the_search_with_a_clear_error(hostile):
    import cdse_intake

    def call() -> Any:
        found = cdse_intake.search(
            "SENTINEL-2",
            start="2024-01-01",
            end="2024-01-02",
            endpoints=hostile.endpoints,
            validate=False,
            settings={"retries": 0, "query_cache_age": 0},
            cache=False,
        )
        with pytest.raises(ServiceError) as info:
            list(found)
        return info.value

    run = bounded(call, 20)
    assert "larger than" in str(run.report), run.report
    assert run.peak < MAX_ANSWER_BYTES * 2.5, run.peak
    assert run.seconds < 10


def test_gzip_bomb_as_an_error_answer_is_read_only_in_part(hostile):
    async def go() -> Any:
        async with new_session(timeout=5) as session:
            return await get_json(session, f"{hostile.url}/odata/v1/Products", {"status": "503"})

    def call() -> Any:
        with pytest.raises(ServiceError) as info:
            asyncio.run(go())
        return info.value

    run = bounded(call, 10)
    assert run.report.status == 503
    assert run.peak < 16 * MB, run.peak  # it inflates to 1.2 GB
    assert MAX_ERROR_BYTES < MB
    assert run.seconds < 2


# -- the bounds themselves ------------------------------------------------------------------------
@dataclass
class _FakePart:
    length: int = 0
    final: Path = Path("product.zip")
    expected: Expected = field(default_factory=lambda: Expected("id", None, "size", ""))

    async def restart(self) -> None:
        self.length = 0


def test_progress_that_never_completes_is_bounded_by_attempts():
    """Each attempt adds a byte, then fails: a new series every time, yet a bounded number."""
    part, stats = _FakePart(), Stats()

    async def attempt() -> str:
        part.length += 1
        stats.bytes += 1
        raise Truncated("cut")

    async def no_sleep(_: float) -> None: ...

    with pytest.raises(DownloadError, match=r"gave up after 30 attempts \(at most 30"):
        asyncio.run(with_retries(attempt, part, stats, retries=2, sleep=no_sleep))
    assert stats.attempts == ATTEMPTS_PER_RETRY * 3


def test_bytes_received_are_bounded_by_the_size():
    part, stats = _FakePart(expected=Expected("id", 1000, "size", "1000")), Stats()

    async def attempt() -> str:
        part.length += 1
        stats.bytes += 1 << 20  # a server that resends the product over and over
        raise Truncated("cut")

    async def no_sleep(_: float) -> None: ...

    with pytest.raises(DownloadError, match=r"after receiving \d+ bytes in 3 attempts"):
        asyncio.run(with_retries(attempt, part, stats, retries=5, sleep=no_sleep))


def test_part_replaced_by_a_symlink_during_the_download_is_never_renamed(tmp_path):
    victim = _victim(tmp_path)
    final = tmp_path / "product.nc"
    part = PartFile(final, Expected("id", 4, "size", "4"))

    async def go() -> None:
        await part.open()
        await part.write(b"data")
        part.part.unlink()
        part.part.symlink_to(victim)  # swapped while the download runs
        await part.verify()
        await part.commit()

    with pytest.raises(DownloadError, match="replaced during the download"):
        asyncio.run(go())
    part.close()
    assert not final.exists() and victim.read_bytes() == b"precious"


def test_limits_are_settings(monkeypatch):
    assert Limits.of(Settings(cache_dir="/tmp/x")) == Limits()
    monkeypatch.setenv("CDSE_MIN_RATE", "2048")
    monkeypatch.setenv("CDSE_TRANSFER_DEADLINE", "90")
    chosen = Settings.from_env()
    assert (chosen.min_rate, chosen.transfer_deadline) == (2048.0, 90.0)
    assert Limits.of(chosen) == Limits(min_rate=2048.0, window=60.0, deadline=90.0)
    for name in ("min_rate", "transfer_deadline"):
        with pytest.raises(ConfigurationError, match=name):
            Settings(**{name: -1})


# -- the issue's own reproduction, against the emulator ------------------------------------------
def test_manifest_size_edited_upwards_fails_once_against_the_emulator(
    cdse_emulator, cdse_env, tmp_path
):
    """A manifest row whose Size was edited upwards: one request, one clear failure."""
    import dataclasses

    from cdse_intake.manifest import rows_for, write_manifest

    from .test_download_common import materialised, value_requests

    honest = min(materialised(cdse_emulator), key=lambda p: p.size)
    product = dataclasses.replace(honest, size=honest.size + 2000)
    manifest = write_manifest(tmp_path / "m.csv", rows_for([product]))
    before = len([r for r in value_requests(cdse_emulator) if product.id in r.path])
    run = bounded(
        lambda: download(
            manifest,
            progress=False,
            settings=settings(tmp_path, retries=5, timeout=30),
            manifest=manifest,
        ),
        20,
    )
    outcome = only_failure(run.report, product)
    assert f"says {honest.size} bytes, the catalogue says {product.size}" in outcome.reason
    assert outcome.error == "SizeMismatch"
    sent = [r for r in value_requests(cdse_emulator) if product.id in r.path][before:]
    assert len(sent) == 1
    assert run.seconds < 15  # the emulator may build the product's bytes first (~3 s)
