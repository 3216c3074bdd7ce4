"""The product cache: layout, index, locks, verify, clean and its CLI (cache.py, cli/cache.py)."""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import blake3
import filelock
import pytest

from cdse_intake.cache import CacheEntry, ProductCache, file_name, hash_file, new_hasher
from cdse_intake.cache.locks import SafeLock
from cdse_intake.cli import ExitCode
from cdse_intake.cli import cache as cache_cli
from cdse_intake.errors import CDSEError, DownloadError, UnsafePathError
from cdse_intake.product import Product

WHEN = datetime(2024, 3, 5, 10, 20, 30, tzinfo=UTC)


def _product(
    i: int = 0,
    *,
    name: str | None = None,
    collection: str | None = "SENTINEL-2",
    start: datetime | None = WHEN,
    data: bytes | None = None,
) -> Product:
    checksums = {}
    if data is not None:
        checksums = {
            "MD5": hashlib.md5(data).hexdigest(),
            "BLAKE3": blake3.blake3(data).hexdigest(),
        }
    return Product(
        id=f"00000000-0000-0000-0000-{i:012d}",
        name=name
        if name is not None
        else f"S2A_MSIL2A_20240305T102030_N0510_R065_T32TQM_{i:04d}.SAFE",
        collection=collection,
        start=start,
        size=None if data is None else len(data),
        checksums=checksums,
    )


def _store(cache: ProductCache, product: Product, data: bytes) -> Path:
    """Put ``data`` at the product's cache path and record it verified (as the downloader does)."""
    path = cache.path_for(product)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    cache.record(product, path, "BLAKE3", blake3.blake3(data).hexdigest())
    return path


# -- layout -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "S2A_MSIL1C_20230223T093009_N0509_R107_T29DNB.SAFE",
            "S2A_MSIL1C_20230223T093009_N0509_R107_T29DNB.zip",
        ),
        ("S3A_SL_2_LST____20230824T000000.SEN3", "S3A_SL_2_LST____20230824T000000.zip"),
        ("S2A_MSIL2A_X.zarr", "S2A_MSIL2A_X.zip"),
        ("S5P_OFFL_L2__NO2____20211211.nc", "S5P_OFFL_L2__NO2____20211211.nc"),
        (
            "S1A_OPER_AUX_POEORB_OPOD_20200102T005942.EOF",
            "S1A_OPER_AUX_POEORB_OPOD_20200102T005942.EOF",
        ),
        ("S1A_AUX_INS_V20190228.SAFE.zip", "S1A_AUX_INS_V20190228.SAFE.zip"),
        ("S1A_OPER_AUX_GNSSRD_20140406", "S1A_OPER_AUX_GNSSRD_20140406"),
        # Folders whose names carry no suffix are delivered zipped too (Landsat, COP-DEM, SMOS)
        (
            "LC08_L1TP_195028_20230703_20230703_02_RT",
            "LC08_L1TP_195028_20230703_20230703_02_RT.zip",
        ),
        (
            "Copernicus_DSM_COG_10_N45_00_E006_00_DEM",
            "Copernicus_DSM_COG_10_N45_00_E006_00_DEM.zip",
        ),
        ("S6A_P4_2__LR_____20240101T000000.SEN6", "S6A_P4_2__LR_____20240101T000000.zip"),
        ("MER_RR__1PPEPA20080101_000000_000000.N1", "MER_RR__1PPEPA20080101_000000_000000.N1"),
    ],
)
def test_file_name_follows_content_disposition(name: str, expected: str) -> None:
    # cdse-api.md §2: a .SAFE product is delivered as "<name without .SAFE>.zip".
    assert file_name(_product(name=name)) == expected


def test_layout(tmp_path: Path) -> None:
    cache = ProductCache(tmp_path)
    product = _product(1)
    final = tmp_path / "products/SENTINEL-2/2024/03/05" / file_name(product)
    assert cache.path_for(product) == final
    assert cache.part_for(product) == final.with_name(final.name + ".part")
    assert cache.sidecar_for(product) == final.with_name(final.name + ".part.json")
    assert cache.quarantine_for(product) == tmp_path / "quarantine" / file_name(product)
    assert cache.index_path == tmp_path / "index.sqlite"


def test_layout_without_collection_or_date(tmp_path: Path) -> None:
    cache = ProductCache(tmp_path)
    product = _product(2, collection=None, start=None, name="x.nc")
    assert cache.path_for(product) == tmp_path / "products/other/undated/x.nc"


def test_layout_uses_the_utc_date(tmp_path: Path) -> None:
    late = datetime(2024, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=-2)))
    naive = datetime(2024, 1, 1, 23, 30)
    cache = ProductCache(tmp_path)
    assert (
        cache.path_for(_product(3, start=late)).parent
        == tmp_path / "products/SENTINEL-2/2024/01/02"
    )
    assert (
        cache.path_for(_product(3, start=naive)).parent
        == tmp_path / "products/SENTINEL-2/2024/01/01"
    )


def test_root_is_absolute_and_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert ProductCache("rel").root == tmp_path / "rel"
    assert ProductCache("~/c").root == Path.home() / "c"


HOSTILE = ["../../etc/passwd", "a/b.SAFE", "..\\evil.SAFE", "x\x00.nc", "..", "", "n" * 300]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_product_names_are_refused(tmp_path: Path, name: str) -> None:
    cache = ProductCache(tmp_path)
    product = _product(4, name=name)
    for method in (cache.path_for, cache.part_for, cache.sidecar_for, cache.quarantine_for):
        with pytest.raises(UnsafePathError) as info:
            method(product)
        assert repr(name) in str(info.value)
    assert not (tmp_path / "products").exists()


@pytest.mark.parametrize("collection", ["../x", "a/b", "..", "\x00"])
def test_hostile_collection_is_refused(tmp_path: Path, collection: str) -> None:
    with pytest.raises(UnsafePathError, match="unsafe file name"):
        ProductCache(tmp_path).path_for(_product(5, collection=collection))


@pytest.mark.parametrize("product_id", ["../../x", "a/b", ".."])
def test_hostile_id_is_refused_for_locks(tmp_path: Path, product_id: str) -> None:
    with pytest.raises(UnsafePathError):
        ProductCache(tmp_path).lock(product_id)


# -- hashing ----------------------------------------------------------------------------------


def test_hash_file(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    path = tmp_path / "f"
    path.write_bytes(data)
    assert hash_file(path, "MD5") == hashlib.md5(data).hexdigest()
    assert hash_file(path, "blake3") == blake3.blake3(data).hexdigest()
    assert hash_file(path, "size") == str(len(data))
    hasher = new_hasher("BLAKE3")
    hasher.update(data[:10])
    hasher.update(memoryview(data)[10:])
    assert hasher.hexdigest() == blake3.blake3(data).hexdigest()
    with pytest.raises(CDSEError, match=r"unknown checksum algorithm 'SHA1'"):
        new_hasher("SHA1")


# -- index ------------------------------------------------------------------------------------


def test_record_lookup_forget(tmp_path: Path) -> None:
    cache = ProductCache(tmp_path)
    data = b"zip bytes" * 100
    product = _product(6, data=data)
    assert cache.lookup(product) is None
    assert not cache.index_path.exists()  # a lookup creates nothing
    path = _store(cache, product, data)
    assert cache.lookup(product) == path
    assert cache.lookup(product.id) == path
    [entry] = cache.entries()
    assert entry == CacheEntry(
        id=product.id,
        name=product.name,
        path=path,
        size=len(data),
        algorithm="BLAKE3",
        checksum=blake3.blake3(data).hexdigest(),
        verified_at=entry.verified_at,
    )
    assert entry.verified_at.tzinfo is not None
    assert cache.forget(product.id) is True
    assert cache.forget(product.id) is False
    assert cache.lookup(product) is None
    assert path.exists()  # forget drops the entry, not the file


def test_lookup_misses_on_changes(tmp_path: Path) -> None:
    cache = ProductCache(tmp_path)
    data = b"a" * 1000
    product = _product(7, data=data)
    path = _store(cache, product, data)
    # re-published with other content: the catalogue's checksum or size no longer agrees
    changed = Product(id=product.id, name=product.name, checksums={"BLAKE3": "0" * 64})
    assert cache.lookup(changed) is None
    resized = Product(id=product.id, name=product.name, size=999)
    assert cache.lookup(resized) is None
    # a checksum of another algorithm cannot be compared: still a hit
    assert cache.lookup(Product(id=product.id, name=product.name, checksums={"MD5": "x"})) == path
    path.write_bytes(data + b"!")  # size changed on disk
    assert cache.lookup(product) is None
    path.unlink()
    assert cache.lookup(product) is None
    path.mkdir()  # a folder where the file was
    assert cache.lookup(product) is None


def test_lookup_makes_no_network_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ProductCache(tmp_path)
    data = b"payload"
    product = _product(8, data=data)
    path = _store(cache, product, data)

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("lookup touched the network")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    assert cache.lookup(product) == path


def test_record_checks_its_input(tmp_path: Path) -> None:
    cache = ProductCache(tmp_path)
    product = _product(9, data=b"12345")
    with pytest.raises(DownloadError, match="is missing"):
        cache.record(product, tmp_path / "absent", "MD5", "x")
    path = tmp_path / "short"
    path.write_bytes(b"123")
    with pytest.raises(DownloadError, match="has 3 bytes, the product 5"):
        cache.record(product, path, "MD5", "x")
    path.write_bytes(b"12345")
    with pytest.raises(CDSEError, match="unknown checksum algorithm 'CRC32'"):
        cache.record(product, path, "CRC32", "x")
    assert cache.record(product, path, "md5", "ABC").algorithm == "MD5"
    assert cache.entries()[0].checksum == "abc"


def test_record_replaces_and_keeps_outside_paths_absolute(tmp_path: Path) -> None:
    cache = ProductCache(tmp_path / "cache")
    product = _product(10)
    dest = tmp_path / "dest"
    dest.mkdir()
    outside = dest / file_name(product)
    outside.write_bytes(b"zz")
    cache.record(product, outside, "size", "2")
    assert cache.lookup(product) == outside
    inside = _store(cache, product, b"inside")
    assert cache.lookup(product) == inside
    assert len(cache.entries()) == 1


def test_the_cache_can_be_moved(tmp_path: Path) -> None:
    cache = ProductCache(tmp_path / "old")
    product = _product(11)
    _store(cache, product, b"moved")
    (tmp_path / "old").rename(tmp_path / "new")
    moved = ProductCache(tmp_path / "new")
    assert moved.lookup(product) == moved.path_for(product)


def test_index_is_wal(tmp_path: Path) -> None:
    import sqlite3

    cache = ProductCache(tmp_path)
    _store(cache, _product(12), b"x")
    with sqlite3.connect(cache.index_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_removed_cache_is_recreated(tmp_path: Path) -> None:
    import shutil

    cache = ProductCache(tmp_path / "c")
    product = _product(16)
    _store(cache, product, b"one")
    shutil.rmtree(tmp_path / "c")  # the user wipes the cache while this process runs
    assert cache.lookup(product) is None
    assert cache.entries() == []
    _store(cache, product, b"two")
    assert cache.lookup(product) == cache.path_for(product)
    assert len(ProductCache(tmp_path / "c").entries()) == 1


def test_close_and_reuse(tmp_path: Path) -> None:
    cache = ProductCache(tmp_path)
    product = _product(19)
    path = _store(cache, product, b"c")
    cache.close()
    cache.close()
    assert cache.lookup(product) == path


def test_threads_share_one_index(tmp_path: Path) -> None:
    import threading

    cache = ProductCache(tmp_path)
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(25):
                product = _product(1000 * (t + 1) + i, name=f"T{t}_{i}.nc")
                _store(cache, product, b"t")
                assert cache.lookup(product) is not None
        except BaseException as err:  # surfaced in the main thread below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(cache.entries()) == 200


def test_many_caches_open_a_new_index_at_once(tmp_path: Path) -> None:
    # Regression: switching a new index to WAL answers "database is locked" at once (no busy
    # handler) while another connection opens it; several downloads start together like this.
    import threading

    for round_ in range(5):
        root = tmp_path / f"r{round_}"
        root.mkdir()
        barrier = threading.Barrier(8)
        errors: list[BaseException] = []

        def work(
            t: int,
            root: Path = root,
            barrier: threading.Barrier = barrier,
            errors: list[BaseException] = errors,
        ) -> None:
            cache = ProductCache(root)  # its own connection, like separate download runs
            product = _product(2000 + t, name=f"N{t}.nc")
            path = root / f"f{t}"
            path.write_bytes(b"x")
            barrier.wait()
            try:
                cache.record(product, path, "size", "1")
                assert cache.lookup(product) == path
            except BaseException as err:
                errors.append(err)

        threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(ProductCache(root).entries()) == 8


def _forked_child(cache: ProductCache) -> None:
    # the parent's object, with the parent's open connection in its thread-local state
    assert cache.lookup(_product(17)) is not None
    _store(cache, _product(18), b"child")


def test_a_forked_child_opens_its_own_connection(tmp_path: Path) -> None:
    import multiprocessing

    cache = ProductCache(tmp_path)
    _store(cache, _product(17), b"parent")  # the parent's connection is open now
    child = multiprocessing.get_context("fork").Process(target=_forked_child, args=(cache,))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    assert cache.lookup(_product(18)) == cache.path_for(_product(18))
    assert len(cache.entries()) == 2


WRITER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from cdse_intake.cache import ProductCache
    from cdse_intake.product import Product

    root, worker, count, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    cache = ProductCache(root)
    deadline = time.monotonic() + 60
    while not os.path.exists(go):  # start barrier
        if time.monotonic() > deadline:
            sys.exit("no go signal")
        time.sleep(0.001)
    seen = 0
    for i in range(count):
        p = Product(id=f"w{worker}-{i}", name=f"P_{worker}_{i}.nc", collection="C")
        path = cache.path_for(p)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * (i + 1))
        cache.record(p, path, "size", str(i + 1))
        assert cache.lookup(p) == path
        seen = max(seen, len(cache.entries()))  # readers run while the others write
    print(seen)
    """
)


def _env() -> dict[str, str]:
    root = str(Path(__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}


def test_concurrent_writers_from_processes(tmp_path: Path) -> None:
    root, go = tmp_path / "cache", tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(root), str(w), "50", str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        for w in range(4)
    ]
    go.touch()
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert 50 <= int(out) <= 200
    cache = ProductCache(root)
    entries = cache.entries()
    assert len(entries) == 200
    assert {e.id for e in entries} == {f"w{w}-{i}" for w in range(4) for i in range(50)}
    assert all(ok for _, ok in cache.verify())
    import sqlite3

    with sqlite3.connect(cache.index_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# -- locks ------------------------------------------------------------------------------------


def test_product_locks_exclude_each_other(tmp_path: Path) -> None:
    cache = ProductCache(tmp_path)
    product = _product(13)
    first, second = cache.lock(product), cache.lock(product.id)
    assert isinstance(first, SafeLock)  # a filelock.FileLock that survives strays (locks.py)
    assert Path(first.lock_file) == tmp_path / "locks" / f"{product.id}.lock"
    with first:
        with pytest.raises(filelock.Timeout):
            second.acquire(timeout=0)
        cache.lock(_product(14)).acquire(timeout=0)  # another product is independent
    second.acquire(timeout=0)
    second.release()


LOCKER = textwrap.dedent(
    """
    import sys
    from cdse_intake.cache import ProductCache

    with ProductCache(sys.argv[1]).lock(sys.argv[2]):
        print("locked", flush=True)
        sys.stdin.readline()
    """
)


def test_product_lock_is_shared_by_processes(tmp_path: Path) -> None:
    cache = ProductCache(tmp_path)
    product = _product(15)
    proc = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(tmp_path), product.id],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        assert proc.stdout.readline() == "locked\n"
        with pytest.raises(filelock.Timeout):
            cache.lock(product).acquire(timeout=0)
    finally:
        proc.stdin.write("done\n")
        proc.stdin.close()
        proc.wait(timeout=30)
        proc.stdout.close()
    with cache.lock(product).acquire(timeout=10):
        pass


# -- verify -----------------------------------------------------------------------------------


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("P.SAFE/manifest.safe", b"M" * 2000)
    return buffer.getvalue()


def test_verify_detects_tampering(tmp_path: Path) -> None:
    cache = ProductCache(tmp_path)
    good, tampered, missing, truncated = (_product(i, data=b"d" * 100) for i in range(20, 24))
    paths = {p.id: _store(cache, p, b"d" * 100) for p in (good, tampered, missing, truncated)}
    zipped = _product(24)
    zip_data = _zip_bytes()
    zip_path = cache.path_for(zipped)
    zip_path.write_bytes(zip_data)
    cache.record(zipped, zip_path, "size", str(len(zip_data)))
    md5_product = _product(25)
    md5_path = cache.path_for(md5_product)
    md5_path.write_bytes(b"md5 data")
    cache.record(md5_product, md5_path, "MD5", hashlib.md5(b"md5 data").hexdigest().upper())

    assert all(ok for _, ok in cache.verify())
    data = bytearray(paths[tampered.id].read_bytes())
    data[50] ^= 1  # same size, one bit differs
    paths[tampered.id].write_bytes(bytes(data))
    paths[missing.id].unlink()
    paths[truncated.id].write_bytes(b"d" * 99)
    corrupt = bytearray(zip_data)
    corrupt[zip_data.index(b"M" * 10) + 5] ^= 0xFF  # the zip member's CRC fails, size unchanged
    zip_path.write_bytes(bytes(corrupt))

    results = {entry.id: ok for entry, ok in cache.verify()}
    assert results == {
        good.id: True,
        tampered.id: False,
        missing.id: False,
        truncated.id: False,
        zipped.id: False,
        md5_product.id: True,
    }
    assert [(e.id, ok) for e, ok in cache.verify([good.id, tampered.id, "unknown"])] == [
        (good.id, True),
        (tampered.id, False),
    ]


def test_empty_cache(tmp_path: Path) -> None:
    cache = ProductCache(tmp_path / "none")
    assert cache.entries() == []
    assert cache.verify() == []
    assert cache.forget("x") is False
    assert cache.clean(everything=True) == 0
    assert not (tmp_path / "none").exists()


# -- clean ------------------------------------------------------------------------------------


class Scene:
    """A cache with one of everything clean() must tell apart."""

    def __init__(self, tmp_path: Path) -> None:
        self.cache = cache = ProductCache(tmp_path / "cache")
        self.outside = tmp_path / "outside"
        self.outside.mkdir()
        self.precious = self.outside / "precious.txt"
        self.precious.write_text("never delete me")
        (self.outside / "inner.txt").write_text("nor me")

        self.verified = _product(30)
        self.verified_path = _store(cache, self.verified, b"verified")
        folder = self.verified_path.parent

        self.orphan = folder / "orphan.zip"
        self.orphan.write_bytes(b"no index entry")

        stale = _product(31, name="P_31.nc")
        self.part = cache.part_for(stale)
        self.part.write_bytes(b"half")
        cache.sidecar_for(stale).write_text(json.dumps({"id": stale.id, "size": 8}))
        self.loose_part = folder / "nosidecar.zip.part"
        self.loose_part.write_bytes(b"?")

        self.busy = _product(32, name="P_32.nc")
        self.busy_part = cache.part_for(self.busy)
        self.busy_part.write_bytes(b"in progress")
        self.busy_sidecar = cache.sidecar_for(self.busy)
        self.busy_sidecar.write_text(json.dumps({"id": self.busy.id}))
        self.busy_lock = cache.lock(self.busy)
        # renamed into place, sidecar not yet removed, not yet recorded: a download finishing
        self.busy_final = cache.path_for(self.busy)
        self.busy_final.write_bytes(b"in progress")

        s3 = _product(33, name="S3_33.SAFE")
        self.part_dir = cache.part_for(s3)
        (self.part_dir / "GRANULE").mkdir(parents=True)
        (self.part_dir / "GRANULE" / "b.jp2").write_bytes(b"j")

        self.quarantined = cache.quarantine_for(_product(34))
        self.quarantined.parent.mkdir(parents=True)
        self.quarantined.write_bytes(b"bad checksum")

        self.file_link = folder / "link.zip"
        self.file_link.symlink_to(self.precious)
        self.dir_link = folder / "linkdir"
        self.dir_link.symlink_to(self.outside, target_is_directory=True)

        gone = _product(35)
        _store(cache, gone, b"gone").unlink()
        self.gone = gone

        self.dest_product = _product(36)
        self.dest_file = self.outside / file_name(self.dest_product)
        self.dest_file.write_bytes(b"dest")
        cache.record(self.dest_product, self.dest_file, "size", "4")
        _age(cache.root)

    def outside_intact(self) -> None:
        assert self.precious.read_text() == "never delete me"
        assert (self.outside / "inner.txt").read_text() == "nor me"
        assert self.dest_file.read_bytes() == b"dest"


def _age(root: Path, seconds: float = 3600) -> None:
    """Make everything under ``root`` look ``seconds`` old (clean spares young unknown files)."""
    then = time.time() - seconds
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.utime(Path(folder) / name, (then, then), follow_symlinks=False)


def test_clean_default(tmp_path: Path) -> None:
    scene = Scene(tmp_path)
    cache = scene.cache
    removed: list[Path] = []
    with scene.busy_lock:
        count = cache.clean(on_remove=removed.append)
    assert count == len(removed)
    assert set(removed) == {
        scene.orphan,
        scene.part,
        cache.sidecar_for(_product(31, name="P_31.nc")),
        scene.loose_part,
        scene.part_dir,
        scene.quarantined,
        scene.file_link,
        scene.dir_link,
    }
    assert scene.verified_path.exists()
    assert cache.lookup(scene.verified) == scene.verified_path
    assert scene.busy_part.exists() and scene.busy_sidecar.exists()  # a running download
    assert scene.busy_final.exists()
    assert cache.entry(scene.gone) is None  # entries whose file is gone are dropped
    assert cache.lookup(scene.dest_product) == scene.dest_file
    scene.outside_intact()


def test_clean_partial_only(tmp_path: Path) -> None:
    scene = Scene(tmp_path)
    scene.cache.clean(partial=True, unverified=False)
    assert not scene.part.exists() and not scene.part_dir.exists()
    assert not scene.busy_part.exists()  # nobody holds its lock now
    assert scene.busy_final.exists()
    assert scene.orphan.exists() and scene.quarantined.exists() and scene.file_link.is_symlink()
    scene.outside_intact()


def test_clean_unverified_only(tmp_path: Path) -> None:
    scene = Scene(tmp_path)
    scene.cache.clean(partial=False, unverified=True)
    assert scene.part.exists() and scene.part_dir.exists()
    assert (scene.part_dir / "GRANULE" / "b.jp2").exists()  # a .part folder is no orphan
    assert not scene.orphan.exists() and not scene.quarantined.exists()
    assert not scene.busy_final.exists()  # nobody holds its lock: an orphan like any other
    assert not scene.file_link.is_symlink() and not scene.dir_link.is_symlink()
    scene.outside_intact()


def test_clean_everything(tmp_path: Path) -> None:
    scene = Scene(tmp_path)
    cache = scene.cache
    kept_index = cache.root / "indexes" / "jp2" / "0123.json"  # a remote JP2's tile-part index
    kept_index.parent.mkdir(parents=True)
    kept_index.write_text("{}")
    count = cache.clean(everything=True)
    assert count == 13  # everything the Scene made inside the root, and indexes/
    assert not (cache.root / "indexes").exists()
    assert not scene.verified_path.exists()
    assert cache.lookup(scene.verified) is None
    assert [e.id for e in cache.entries()] == [scene.dest_product.id]  # outside the root: kept
    assert list((cache.root / "products").iterdir()) == []  # empty folders pruned
    assert list((cache.root / "quarantine").iterdir()) == []
    scene.outside_intact()


def test_clean_keeps_tile_part_indexes_unless_everything(tmp_path: Path) -> None:
    cache = ProductCache(tmp_path)
    index = cache.root / "indexes" / "jp2" / "0123.json"
    index.parent.mkdir(parents=True)
    index.write_text("{}")
    assert cache.clean(min_age=0) == 0 and index.exists()
    assert cache.clean(everything=True) == 1 and not index.exists()


def test_clean_spares_young_unknown_files(tmp_path: Path) -> None:
    cache = ProductCache(tmp_path)
    folder = _store(cache, _product(37), b"v").parent
    fresh = folder / "just-renamed.zip"  # e.g. a download between rename and record
    fresh.write_bytes(b"x")
    loose = folder / "x.zip.part"  # no sidecar: cannot tell whose it is
    loose.write_bytes(b"x")
    tmp_sidecar = folder / "x.zip.part.json.123.tmp"
    tmp_sidecar.write_text("{")
    assert cache.clean() == 0
    assert cache.clean(min_age=0) == 3
    for path in (fresh, loose, tmp_sidecar):
        path.write_bytes(b"x")
    assert cache.clean(everything=True) == 4  # and the verified product


def test_clean_rechecks_the_index_before_removing(tmp_path: Path) -> None:
    cache = ProductCache(tmp_path)
    first = _product(38, name="A.nc")
    second = _product(39, name="B.nc")
    for p in (first, second):
        cache.path_for(p).parent.mkdir(parents=True, exist_ok=True)
        cache.path_for(p).write_bytes(b"x")
    _age(tmp_path)

    def record_second(path: Path) -> None:
        # another process records B while clean() is busy removing A
        if path.name == "A.nc":
            cache.record(second, cache.path_for(second), "size", "1")

    assert cache.clean(on_remove=record_second) == 1
    assert not cache.path_for(first).exists()
    assert cache.lookup(second) == cache.path_for(second)


def test_clean_never_walks_a_symlinked_products_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "file.zip.part").write_bytes(b"not ours")
    (outside / "stray.zip").write_bytes(b"not ours")
    root = tmp_path / "cache"
    root.mkdir()
    (root / "products").symlink_to(outside, target_is_directory=True)
    assert ProductCache(root).clean(everything=True) == 0
    assert (outside / "deep" / "file.zip.part").exists()
    assert (outside / "stray.zip").exists()


def test_clean_through_a_symlinked_root(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "alias").symlink_to(real, target_is_directory=True)
    cache = ProductCache(tmp_path / "alias")
    product = _product(40)
    path = _store(cache, product, b"ok")
    (path.parent / "orphan.nc").write_bytes(b"x")
    _age(real)
    assert cache.clean() == 1
    assert cache.lookup(product) == path


# -- the CLI ----------------------------------------------------------------------------------


def _run(command: str, **options: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cache_cli.run(argparse.Namespace(cache_command=command, **options), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_uses_the_configured_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDSE_CACHE_DIR", str(tmp_path / "envcache"))
    code, out, _ = _run("ls")
    assert code == 0
    assert f"no verified products in {tmp_path / 'envcache'}" in out


def test_cli_ls_verify_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDSE_CACHE_DIR", str(tmp_path))
    cache = ProductCache(tmp_path)
    first, second = _product(50), _product(51)
    first_path = _store(cache, first, b"a" * 1500)
    _store(cache, second, b"b" * 10)

    code, out, _ = _run("ls")
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["NAME", "SIZE", "CHECKSUM", "VERIFIED", "PATH"]
    assert first.name in lines[1] and "1.5 kB" in lines[1] and "BLAKE3" in lines[1]
    assert str(first_path) in lines[1]
    assert second.name in lines[2] and "10 B" in lines[2]
    assert lines[-1] == f"2 products, 1.5 kB in {tmp_path}"

    code, out, _ = _run("verify")
    assert code == 0
    assert out.splitlines()[-1] == "2 ok, 0 corrupt, 0 missing"

    first_path.write_bytes(b"A" * 1500)
    code, out, _ = _run("verify")
    assert code == ExitCode.MISMATCH == 9
    assert f"CORRUPT   {first.name}" in out
    assert out.splitlines()[-1] == "1 ok, 1 corrupt, 0 missing"
    code, out, _ = _run("verify", ids=[second.id])
    assert code == 0

    orphan = first_path.parent / "orphan.zip"
    orphan.write_bytes(b"x")
    _age(tmp_path / "products")
    code, out, _ = _run("clean")
    assert code == 0
    assert out.splitlines() == [f"removed {orphan}", f"1 removed from {tmp_path}"]
    code, out, _ = _run("clean", everything=True)
    assert code == 0
    assert out.splitlines()[-1] == f"2 removed from {tmp_path}"
    assert _run("ls")[1].startswith("no verified products")


def test_cli_unknown_action(tmp_path: Path) -> None:
    code, _, err = _run("frobnicate")
    assert code == 2
    assert "unknown action 'frobnicate'" in err and "ls, verify, relink, forget, clean" in err


def test_cli_parser() -> None:
    parser = argparse.ArgumentParser(prog="cdse-intake")
    sub = parser.add_subparsers(dest="command")
    cache_cli.add_parser(sub)
    args = parser.parse_args(["cache", "clean", "--everything"])
    assert (args.command, args.cache_command, args.everything) == ("cache", "clean", True)
    args = parser.parse_args(["cache", "verify", "id1", "id2"])
    assert args.ids == ["id1", "id2"]
    args = parser.parse_args(["cache", "verify", "--look-in", "a", "--look-in", "b"])
    assert (args.ids, args.look_in) == ([], ["a", "b"])
    args = parser.parse_args(["cache", "relink", "a", "b", "--id", "x"])
    assert (args.dirs, args.ids) == (["a", "b"], ["x"])
    args = parser.parse_args(["cache", "forget", "--missing"])
    assert (args.ids, args.missing) == ([], True)
    with pytest.raises(SystemExit):
        parser.parse_args(["cache", "nope"])
