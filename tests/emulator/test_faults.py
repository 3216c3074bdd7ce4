"""Fault injection on downloads, as a client sees it (reset, truncate, corrupt, status, ...)."""

from __future__ import annotations

import asyncio
import hashlib
import time

import aiohttp
import pytest

from cdse_intake.emulator import Emulator

from .test_download_support import FOLDER_FILES, FOLDER_NAME, Products, bearer, fetch

RELATIVE = "GRANULE/L1C_T32TQM_A036512_20240301T103020/IMG_DATA/T32TQM_20240301T103019_B02.jp2"


def value(emu: Emulator, products: Products) -> str:
    return f"{emu.urls.download}/Products({products.folder.id})/$value"


def node_value(emu: Emulator, products: Products) -> str:
    parts = [FOLDER_NAME, *RELATIVE.split("/")]
    nodes = "".join(f"/Nodes({p})" for p in parts)
    return f"{emu.urls.download}/Products({products.folder.id}){nodes}/$value"


def read_until_error(url: str, headers: dict) -> tuple[int, int, bytes, BaseException | None]:
    """GET ``url`` reading the body in small pieces: (status, Content-Length, bytes, error)."""

    async def go() -> tuple[int, int, bytes, BaseException | None]:
        got = bytearray()
        async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as resp:
            try:
                async for chunk in resp.content.iter_chunked(4096):
                    got += chunk
            except (aiohttp.ClientError, ConnectionError) as err:
                return resp.status, resp.content_length or 0, bytes(got), err
            return resp.status, resp.content_length or 0, bytes(got), None

    return asyncio.run(go())


def test_reset_aborts_the_connection(emu: Emulator, products: Products) -> None:
    emu.faults.add("reset", products.folder.id, after_bytes=50_000)
    status, length, got, err = read_until_error(value(emu, products), bearer(emu))
    assert status == 200
    assert length == products.folder.content_length
    assert isinstance(err, aiohttp.ClientPayloadError | aiohttp.ClientConnectionError)
    assert len(got) <= 50_000
    assert got == products.folder.payload.data[: len(got)]
    # used up: the next download is whole
    assert fetch(value(emu, products), headers=bearer(emu)).body == products.folder.payload.data


def test_truncate_ends_the_body_early(emu: Emulator, products: Products) -> None:
    emu.faults.add("truncate", products.folder.name, after_bytes=12_345)
    status, length, got, err = read_until_error(value(emu, products), bearer(emu))
    assert status == 200
    assert length == products.folder.content_length
    assert isinstance(err, aiohttp.ClientPayloadError)
    assert got == products.folder.payload.data[:12_345]


def test_corrupt_flips_bytes_but_keeps_the_length(emu: Emulator, products: Products) -> None:
    emu.faults.add("corrupt", products.folder.id, after_bytes=1000)
    data = products.folder.payload.data
    reply = fetch(value(emu, products), headers=bearer(emu))
    assert reply.status == 200
    assert len(reply.body) == len(data) == int(reply.headers["Content-Length"])
    assert reply.body[:1000] == data[:1000]
    assert bytes(b ^ 0xFF for b in reply.body[1000:1100]) == data[1000:1100]
    assert hashlib.md5(reply.body).hexdigest() != products.folder.md5


@pytest.mark.parametrize(
    ("status", "retry_after", "header"), [(503, 7, "7"), (429, 0.25, "1"), (500, None, None)]
)
def test_status_fault(emu: Emulator, products: Products, status, retry_after, header) -> None:
    emu.faults.add("status", products.folder.id, status=status, retry_after=retry_after)
    reply = fetch(value(emu, products), headers=bearer(emu))
    assert reply.status == status
    assert reply.headers.get("Retry-After") == header
    if status == 429:
        assert reply.json()["code"] == "DAT-ZIP-100"
    assert fetch(value(emu, products), headers=bearer(emu)).status == 200


def test_status_fault_repeats_for_its_number_of_times(emu: Emulator, products: Products) -> None:
    emu.faults.add("status", status=503, times=2)
    statuses = [fetch(value(emu, products), headers=bearer(emu)).status for _ in range(3)]
    assert statuses == [503, 503, 200]


def test_ignore_range_sends_the_whole_body(emu: Emulator, products: Products) -> None:
    emu.faults.add("ignore_range", products.folder.id)
    headers = {**bearer(emu), "Range": "bytes=100-"}
    reply = fetch(value(emu, products), headers=headers)
    assert reply.status == 200
    assert "Content-Range" not in reply.headers
    assert reply.body == products.folder.payload.data
    assert fetch(value(emu, products), headers=headers).status == 206


def test_token_expiry_rejects_a_valid_token_once(emu: Emulator, products: Products) -> None:
    emu.faults.add("token_expiry", products.folder.id)
    auth = bearer(emu)
    first = fetch(value(emu, products), headers=auth)
    assert (first.status, first.json()["code"]) == (401, "DAT-ZIP-109")
    assert fetch(value(emu, products), headers=auth).status == 200


def test_faults_apply_to_node_downloads(emu: Emulator, products: Products) -> None:
    emu.faults.add("truncate", products.folder.id, after_bytes=777)
    status, _, got, err = read_until_error(node_value(emu, products), bearer(emu))
    assert (status, got) == (200, FOLDER_FILES[RELATIVE][:777])
    assert isinstance(err, aiohttp.ClientPayloadError)


def test_faults_for_another_product_do_not_apply(emu: Emulator, products: Products) -> None:
    emu.faults.add("status", products.single.id, status=503)
    assert fetch(value(emu, products), headers=bearer(emu)).status == 200


def _timed_download(url: str, headers: dict) -> tuple[int, float]:
    started = time.perf_counter()
    reply = fetch(url, headers=headers)
    return len(reply.body), time.perf_counter() - started


def test_slow_fault_and_throttle_pace_the_body(emu: Emulator, products: Products) -> None:
    """Paced downloads cannot end before size/rate: a lower bound the pacing guarantees.

    Speed itself is the benchmark's business (benchmarks/emulator_download.py); the unpaced
    control below only shows the bound is not met by accident, so the test can fail.
    """
    url, auth = value(emu, products), bearer(emu)
    size, free = _timed_download(url, auth)
    rate = 2_000_000.0  # bytes/s: the ~530 kB product takes >= ~0.25 s
    emu.faults.add("slow", products.folder.id, rate=rate)
    _, slow = _timed_download(url, auth)
    emu.state.throttle = rate
    _, throttled = _timed_download(url, auth)
    floor = (size - rate / 20) / rate  # the first paced write goes out at once
    assert slow >= floor
    assert throttled >= floor
    assert free < floor  # without pacing the same bytes do not take that long
