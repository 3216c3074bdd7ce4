"""Large writes of gathered chunks: byte-exact at their offset, hashed as written, resumable.

The downloader hands a ``.part`` the chunks it received (no joined copy) once several MB have
arrived; these tests hold the bytes on disk and the digest to what a plain copy and a hash of the
whole file give, including a resumed ``.part``, chunks past IOV_MAX and empty chunks.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
from pathlib import Path

import blake3
import pytest

from cdse_intake.downloads import writes
from cdse_intake.downloads.partfile import Expected, PartFile
from cdse_intake.downloads.writes import pwrite_all


def _chunks(data: bytes, seed: int, largest: int = 300_000) -> list[bytes]:
    """``data`` cut at random places, with a few empty chunks among them."""
    rng = random.Random(seed)
    out, at = [], 0
    while at < len(data):
        size = rng.choice([0, 1, 7, 4096, rng.randrange(1, largest)])
        out.append(data[at : at + size])
        at += size
    return out


def test_pwrite_all_writes_chunks_in_order_at_the_offset(tmp_path: Path) -> None:
    data = random.Random(1).randbytes(3_000_000)
    path = tmp_path / "f"
    path.write_bytes(b"HEAD")
    fd = os.open(path, os.O_RDWR)
    try:
        os.lseek(fd, 0, os.SEEK_SET)  # the file position must not matter
        end = pwrite_all(fd, _chunks(data, 2), 4)
        assert os.lseek(fd, 0, os.SEEK_CUR) == 0  # nor move
    finally:
        os.close(fd)
    assert end == 4 + len(data)
    assert path.read_bytes() == b"HEAD" + data


def test_more_chunks_than_one_pwritev_takes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(writes, "_IOV_MAX", 3)  # many batches, and cut ones
    chunks = [bytes([i % 251]) * (i % 5) for i in range(1000)]
    path = tmp_path / "f"
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        assert pwrite_all(fd, chunks, 0) == sum(map(len, chunks))
    finally:
        os.close(fd)
    assert path.read_bytes() == b"".join(chunks)


def test_short_writes_are_resumed(tmp_path: Path, monkeypatch) -> None:
    """A pwritev that writes less than asked (a signal, a full pipe) continues where it ended."""
    real = os.pwritev
    calls = []

    def short(fd, buffers, offset):
        calls.append(len(buffers))
        first = memoryview(buffers[0])
        return real(fd, [first[: max(1, len(first) // 2)]], offset)  # half of one buffer

    monkeypatch.setattr(os, "pwritev", short)
    data = random.Random(3).randbytes(50_000)
    path = tmp_path / "f"
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        pwrite_all(fd, _chunks(data, 4, largest=9000), 0)
    finally:
        os.close(fd)
    assert path.read_bytes() == data and len(calls) > 10


def test_a_write_that_writes_nothing_is_an_error_not_a_loop(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(os, "pwritev", lambda fd, buffers, offset: 0)
    fd = os.open(tmp_path / "f", os.O_RDWR | os.O_CREAT)
    try:
        with pytest.raises(OSError, match="at byte 5"):
            pwrite_all(fd, [b"abc"], 5)
    finally:
        os.close(fd)


@pytest.mark.parametrize("algorithm", ["BLAKE3", "MD5"])
def test_resumed_part_with_large_writes_is_byte_exact_and_verified(tmp_path, algorithm):
    """A ``.part`` cut mid-product, resumed, then fed gathered chunks: the file is the product,
    and the digest hashed while writing (overlapped with the next chunks) is the file's own."""
    data = random.Random(5).randbytes(9_000_123)
    digest = (
        blake3.blake3(data).hexdigest()
        if algorithm == "BLAKE3"
        else hashlib.md5(data, usedforsecurity=False).hexdigest()
    )
    expected = Expected("id-1", len(data), algorithm, digest)
    final = tmp_path / "product.zip"
    cut = 2_500_001

    async def first_run() -> None:
        part = PartFile(final, expected)
        await part.open()
        await part.write(_chunks(data[:cut], 6))
        await part.drain()
        part.close()  # interrupted: the .part and its sidecar stay

    async def second_run() -> str:
        part = PartFile(final, expected)
        assert await part.open() == cut  # resumed, the hash rebuilt from the .part
        rest = _chunks(data[cut:], 7)
        for i in range(0, len(rest), 40):
            await part.write(rest[i : i + 40])  # the next write starts before this one ends
        got = await part.verify()
        await part.commit()
        return got

    asyncio.run(first_run())
    assert final.with_name("product.zip.part").stat().st_size == cut
    assert asyncio.run(second_run()) == digest
    assert final.read_bytes() == data
    assert not final.with_name("product.zip.part").exists()


def test_a_wrong_byte_in_a_chunk_fails_verification(tmp_path):
    from cdse_intake.errors import ChecksumMismatch

    data = random.Random(8).randbytes(1_000_000)
    expected = Expected("id-2", len(data), "BLAKE3", blake3.blake3(data).hexdigest())
    bad = bytearray(data)
    bad[777_777] ^= 1

    async def run() -> None:
        part = PartFile(tmp_path / "p.zip", expected)
        await part.open()
        await part.write(_chunks(bytes(bad), 9))
        await part.verify()

    with pytest.raises(ChecksumMismatch, match="BLAKE3"):
        asyncio.run(run())
