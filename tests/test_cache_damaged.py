"""A damaged cache degrades, never aborts (issue 16): the damaged-cache matrix.

Damages: a read-only cache folder, a read-only index file, a truncated index, an index of random
bytes, an index of a foreign schema, a product's lock file replaced by a directory or by a
symlink pointing outside the cache. Actions: downloading a product already verified, downloading
a new one, ``open_product`` of a cached one (small CLMS GeoTIFFs of the emulator's showcase),
``cdse-intake cache ls``, ``verify`` and ``clean``. Each ends without a traceback, each problem
in one line (a logged warning, a line of the CLI's output).

Read-only without root: ``chmod``. As root (permissions do not hold for root, seen with
``os.access`` after the ``chmod``), the same refusals are simulated: writes under the read-only
path (``os.open`` with write flags, ``open`` for writing, ``mkdir``, ``rename``/``replace``,
``unlink``, ``rmdir``, ``rmtree``) raise ``PermissionError`` (EACCES), and SQLite opens the index
read-only (``mode=ro``), so its writes fail as on a read-only file ("attempt to write a readonly
database").
"""

from __future__ import annotations

import argparse
import builtins
import errno
import io
import logging
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cdse_intake.cache import ProductCache
from cdse_intake.cli import cache as cache_cli
from cdse_intake.config import Settings
from cdse_intake.downloads import download
from cdse_intake.product import Product

from .test_download_common import product_of, value_requests

DAMAGES = (
    "readonly_dir",
    "readonly_index",
    "truncated_index",
    "random_index",
    "foreign_schema",
    "lock_dir",
    "lock_symlink",
)
ACTIONS = ("download_verified", "download_new", "open_product", "ls", "verify", "clean")
CORRUPT = ("truncated_index", "random_index", "foreign_schema")
READ_ONLY = ("readonly_dir", "readonly_index")


# -- the products and a cache holding one of them, verified ---------------------------------------
@pytest.fixture(scope="module")
def clms(_cdse_emulator_session) -> tuple[Product, Product]:
    """``old``: the showcase's CLMS GeoTIFF (in the template cache); ``new``: its smallest other
    product (an orbit file), never downloaded before the test."""
    showcase = [
        product_of(e)
        for e in _cdse_emulator_session.catalogue.materialised
        if e.online and e.content_length
    ]
    old = next(p for p in showcase if p.name.endswith(".tif"))
    new = min((p for p in showcase if p.id != old.id), key=lambda p: p.size)
    return old, new


@pytest.fixture(scope="module")
def template(_cdse_emulator_session, clms, tmp_path_factory) -> Path:
    """A healthy cache in which ``old`` was downloaded and verified (copied for each test)."""
    emu = _cdse_emulator_session
    root = tmp_path_factory.mktemp("template") / "cache"
    report = download(
        [clms[0]],
        progress=False,
        endpoints=emu.endpoints,
        settings=Settings(cache_dir=root),
        credentials=(emu.username, emu.password),
    )
    assert [o.status for o in report] == ["verified"]
    with sqlite3.connect(root / "index.sqlite") as conn:  # everything into the main file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return root


def _copy(template: Path, root: Path) -> None:
    shutil.copytree(template, root, symlinks=True, ignore=shutil.ignore_patterns("*-wal", "*-shm"))


# -- read-only, real or simulated (root) -----------------------------------------------------------
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class _ReadOnly:
    """Refuse writes under ``paths`` (folders: everything below; files: the file) as a
    read-only file system would, for a process whose permissions ``chmod`` cannot limit."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, paths: list[Path]) -> None:
        self.paths = [os.path.abspath(p) for p in paths]
        real_open, real_io_open = os.open, io.open
        real_mkdir, real_connect = os.mkdir, sqlite3.connect

        def covered(path) -> bool:
            if isinstance(path, int):
                return False
            text = os.path.abspath(os.fsdecode(path))
            return any(text == p or text.startswith(p + os.sep) for p in self.paths)

        def refuse(path) -> PermissionError:
            return PermissionError(errno.EACCES, "Permission denied (simulated)", os.fsdecode(path))

        def fake_open(path, flags, mode=0o777, *, dir_fd=None):
            if dir_fd is None and flags & _WRITE_FLAGS and covered(path):
                raise refuse(path)
            return real_open(path, flags, mode, dir_fd=dir_fd)

        def fake_io_open(file, mode="r", *args, **kwargs):
            if any(c in mode for c in "wax+") and covered(file):
                raise refuse(file)
            return real_io_open(file, mode, *args, **kwargs)

        def fake_mkdir(path, mode=0o777, *, dir_fd=None):
            if dir_fd is None and covered(path):
                if os.path.lexists(path):
                    raise FileExistsError(errno.EEXIST, "File exists", os.fsdecode(path))
                raise refuse(path)
            return real_mkdir(path, mode, dir_fd=dir_fd)

        def guard_paths(real):
            def fake(*args, **kwargs):
                for arg in args[:2]:
                    if not isinstance(arg, int) and covered(arg):
                        raise refuse(arg)
                return real(*args, **kwargs)

            return fake

        def fake_connect(database, *args, **kwargs):
            if not kwargs.get("uri") and covered(database):
                database, kwargs["uri"] = f"file:{os.fsdecode(database)}?mode=ro", True
            return real_connect(database, *args, **kwargs)

        monkeypatch.setattr(os, "open", fake_open)
        monkeypatch.setattr(io, "open", fake_io_open)
        monkeypatch.setattr(builtins, "open", fake_io_open)
        monkeypatch.setattr(os, "mkdir", fake_mkdir)
        for name in ("replace", "rename", "link", "symlink", "unlink", "remove", "rmdir"):
            monkeypatch.setattr(os, name, guard_paths(getattr(os, name)))
        monkeypatch.setattr(shutil, "rmtree", guard_paths(shutil.rmtree))
        monkeypatch.setattr(sqlite3, "connect", fake_connect)


def _make_read_only(monkeypatch: pytest.MonkeyPatch, path: Path, restore: list[Path]) -> str:
    """``chmod`` ``path`` (a folder: all below it) read-only; simulate it where that does not
    hold (root). Returns the mechanism used."""
    targets = [path] if path.is_file() else [path, *path.rglob("*")]
    for target in targets:
        if not target.is_symlink():
            mode = stat.S_IMODE(target.stat().st_mode)
            target.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
            restore.append(target)
    if not os.access(path, os.W_OK):
        return "chmod"
    _ReadOnly(monkeypatch, [path])
    return "simulated"


# -- the damages -----------------------------------------------------------------------------------
def _sqlite_file(path: Path, statements: list[str]) -> None:
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def _damage(kind: str, root: Path, products, outside: Path, monkeypatch, restore) -> str:
    index = root / "index.sqlite"
    locks = root / "locks"
    if kind == "readonly_dir":
        return _make_read_only(monkeypatch, root, restore)
    if kind == "readonly_index":
        return _make_read_only(monkeypatch, index, restore)
    if kind == "truncated_index":
        data = index.read_bytes()
        index.write_bytes(data[: len(data) // 2])  # page 1 (the schema) kept, the rows cut
    elif kind == "random_index":
        index.write_bytes(random.Random(16).randbytes(8192))
    elif kind == "foreign_schema":
        index.unlink()
        _sqlite_file(
            index,
            [
                "CREATE TABLE products (id TEXT, url TEXT)",
                "INSERT INTO products VALUES ('x', 'http://example.invalid')",
                "CREATE TABLE notes (body TEXT)",
            ],
        )
    locks.mkdir(exist_ok=True)
    for product in products:  # the healthy lock files the template's download left
        (locks / f"{product.id}.lock").unlink(missing_ok=True)
    if kind == "lock_dir":
        for product in products:
            (locks / f"{product.id}.lock").mkdir()
            (locks / f"{product.id}.lock" / "stray").write_text("x")
    elif kind == "lock_symlink":
        (outside / "precious.txt").write_text("precious")
        os.symlink(outside / "precious.txt", locks / f"{products[0].id}.lock")
        os.symlink(outside / "created-through-link", locks / f"{products[1].id}.lock")
    return "file"


def _run_cli(command: str, root: Path, **options) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    ns = argparse.Namespace(cache_command=command, cache_dir=root, **options)
    code = cache_cli.run(ns, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


# -- the matrix ------------------------------------------------------------------------------------
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("kind", DAMAGES)
def test_a_damaged_cache_degrades(
    kind, action, cdse_emulator, clms, template, tmp_path, monkeypatch, caplog
):
    old, new = clms
    root = tmp_path / "cache"
    outside = tmp_path / "outside"
    outside.mkdir()
    _copy(template, root)
    if action == "clean":  # something for clean to remove: a stale partial download of `old`
        folder = ProductCache(root).path_for(old).parent
        (folder / "stale.nc.part").write_bytes(b"partial")
        (folder / "stale.nc.part.json").write_text(f'{{"id": "{old.id}"}}')
        for name in ("stale.nc.part", "stale.nc.part.json"):
            os.utime(folder / name, (time.time() - 3600,) * 2)
    restore: list[Path] = []
    caplog.set_level(logging.INFO)
    settings = Settings(cache_dir=root)
    how = _damage(kind, root, (old, new), outside, monkeypatch, restore)
    damaged_index = (root / "index.sqlite").read_bytes()
    credentials = (cdse_emulator.username, cdse_emulator.password)
    try:
        out = err = ""
        if action in ("download_verified", "download_new"):
            product = old if action == "download_verified" else new
            report = download(
                [product],
                progress=False,
                endpoints=cdse_emulator.endpoints,
                settings=settings,
                credentials=credentials,
            )
            (outcome,) = list(report)
            fetched = value_requests(cdse_emulator)
            if action == "download_verified":
                assert outcome.status == "skipped", outcome
                assert fetched == [], "a verified product was downloaded again"
                assert outcome.path == ProductCache(root).path_for(old)
            elif kind == "readonly_dir":  # nowhere to write it: a clear per-product failure
                assert outcome.status == "failed"
                assert "read-only" in outcome.reason or "Permission denied" in outcome.reason
                assert "\n" not in outcome.reason
            else:
                assert outcome.status == "verified", outcome
                assert outcome.path.is_file()
                recorded = ProductCache(root).lookup(new)
                if kind == "readonly_index":  # served, not recorded: said so
                    assert recorded is None
                    assert any("could not record" in r.getMessage() for r in caplog.records)
                else:
                    assert recorded == outcome.path
        elif action == "open_product":
            from cdse_intake.readers import open_product

            ds = open_product(
                old, endpoints=cdse_emulator.endpoints, settings=settings, credentials=credentials
            )
            assert ds.attrs["cdse_source"] == str(ProductCache(root).path_for(old))
            assert value_requests(cdse_emulator) == []  # from the cache, not downloaded again
            assert ds.attrs["cdse_family"] == "geotiff"
        else:
            code, out, err = _run_cli(action, root)
            assert "Traceback" not in out + err
            assert code == 0, (out, err)
            if action in ("ls", "verify"):
                assert old.name in out  # re-verified from its marker when the index was rebuilt
            if action == "verify":
                assert "1 ok, 0 corrupt, 0 missing" in out
            if action == "clean":
                stale = ProductCache(root).path_for(old).with_name("stale.nc.part")
                if kind == "readonly_dir":
                    assert stale.exists()
                    assert "could not remove" in err
                else:
                    assert not stale.exists()
                # the verified product is never cleaned away
                assert ProductCache(root).path_for(old).is_file()
    finally:
        for path in reversed(restore):
            path.chmod(path.stat().st_mode | stat.S_IWUSR)

    # each problem is one clear line, never a traceback
    ours = [
        r
        for r in caplog.records
        if r.name.startswith("cdse_intake") and not r.name.startswith("cdse_intake.emulator")
    ]
    for record in ours:
        assert record.exc_info is None, f"a traceback was logged: {record.getMessage()}"
        assert "\n" not in record.getMessage()
        assert record.levelno < logging.ERROR, record.getMessage()
    assert "Traceback" not in err
    warned = [r.getMessage() for r in ours if r.levelno == logging.WARNING]
    if kind in CORRUPT:
        aside = [p for p in root.glob("index.sqlite.damaged-*") if not p.name.endswith("-shm")]
        aside = [p for p in aside if not p.name.endswith("-wal")]
        assert [p.read_bytes() for p in aside] == [damaged_index], "not set aside as it was"
        assert sum("set aside" in m for m in warned) == 1, warned
        if action in ("ls", "verify", "clean"):
            assert "set aside" in err  # the CLI says so in its own output
    if kind == "lock_symlink":
        assert (outside / "precious.txt").read_text() == "precious"
        assert not (outside / "created-through-link").exists()
    if kind in READ_ONLY:  # nothing written to a read-only index, however it was made so
        assert (root / "index.sqlite").read_bytes() == damaged_index, how


# -- locks and indexes left by a dead process ------------------------------------------------------
_HOLD = """
import sqlite3, sys, time, filelock
from cdse_intake.cache import ProductCache
cache = ProductCache(sys.argv[1])
lock = cache.lock(sys.argv[2]); lock.acquire()
conn = sqlite3.connect(cache.index_path, isolation_level=None)
conn.execute("BEGIN IMMEDIATE"); conn.execute("DELETE FROM products")
print("held", flush=True)
time.sleep(60)
"""


def test_locks_and_an_index_write_of_a_killed_process(cdse_emulator, clms, template, tmp_path):
    """kill -9 while holding the product lock and in an index write: the next run goes on."""
    old, new = clms
    root = tmp_path / "cache"
    _copy(template, root)
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(root), new.id], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "held"
    finally:
        proc.kill()
        proc.wait()
    report = download(
        [old, new],
        progress=False,
        endpoints=cdse_emulator.endpoints,
        settings=Settings(cache_dir=root),
        credentials=(cdse_emulator.username, cdse_emulator.password),
    )
    assert {o.name: o.status for o in report} == {old.name: "skipped", new.name: "verified"}
    assert ProductCache(root).lookup(old) is not None  # the killed delete was rolled back


# -- damage found later, and damage in a read-only cache -------------------------------------------
def test_an_index_damaged_while_in_use_is_rebuilt(clms, template, tmp_path, caplog):
    """Cut short in place after this process checked it: the next query sets it aside."""
    old, _ = clms
    root = tmp_path / "cache"
    _copy(template, root)
    cache = ProductCache(root)
    assert cache.lookup(old) is not None  # opened and checked
    cache.close()
    index = root / "index.sqlite"
    with open(index, "r+b") as fh:  # the same file (inode), cut short: no new check on open
        fh.truncate(index.stat().st_size // 2)
    assert [e.id for e in ProductCache(root).entries()] == [old.id]
    assert len(list(root.glob("index.sqlite.damaged-*"))) >= 1
    assert sum("set aside" in r.getMessage() for r in caplog.records) == 1


def test_a_damaged_index_in_a_read_only_cache_is_rebuilt_in_memory(
    clms, template, tmp_path, monkeypatch, caplog
):
    old, _ = clms
    root = tmp_path / "cache"
    _copy(template, root)
    (root / "index.sqlite").write_bytes(b"\0" * 4096)
    restore: list[Path] = []
    try:
        _make_read_only(monkeypatch, root, restore)
        cache = ProductCache(root)
        assert cache.lookup(old) == cache.path_for(old)  # served, re-verified from its marker
        code, out, err = _run_cli("verify", root)
    finally:
        for path in reversed(restore):
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    assert code == 0 and "1 ok, 0 corrupt, 0 missing" in out, (out, err)
    assert not list(root.glob("index.sqlite.damaged-*"))  # nothing could be moved
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum("index in memory" in m for m in warned) == 1, warned


def test_a_file_no_marker_vouches_for_is_not_trusted(clms, template, tmp_path):
    """Rebuilt from the markers only: a file whose checksum no longer matches stays out."""
    old, _ = clms
    root = tmp_path / "cache"
    _copy(template, root)
    path = ProductCache(root).path_for(old)
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF  # same size, other bytes
    path.write_bytes(bytes(data))
    (root / "index.sqlite").write_bytes(b"garbage")
    assert ProductCache(root).entries() == []
    code, out, _ = _run_cli("ls", root)
    assert code == 0 and "no verified products" in out
