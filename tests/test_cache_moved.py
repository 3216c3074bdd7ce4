"""A destination folder moved elsewhere: missing is not corrupt, and it can be found again
(issue 15): ``cache verify`` says MISSING (exit 10) or CORRUPT (exit 9), ``--look-in`` and
``relink`` find moved products, ``forget --missing`` drops them, a download into the new place
adopts them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cdse_intake.cache import ProductCache, file_name
from cdse_intake.cache.markers import MARKER
from cdse_intake.cli import ExitCode, main
from cdse_intake.config import Settings
from cdse_intake.downloads import download
from cdse_intake.product import Product

from .test_download_common import materialised, value_requests


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("CDSE_CACHE_DIR", str(tmp_path / "cache"))  # for the CLI
    return Settings(cache_dir=tmp_path / "cache", retries=2)


@pytest.fixture
def moved(cdse_emulator, cdse_env, settings, tmp_path):
    """Three products downloaded into data/, then data/ moved to elsewhere/moved/."""
    products = materialised(cdse_emulator)[:3]
    report = download(products, tmp_path / "data", progress=False, settings=settings)
    assert report.ok
    (tmp_path / "elsewhere").mkdir()
    shutil.move(tmp_path / "data", tmp_path / "elsewhere" / "moved")
    return products, tmp_path / "elsewhere" / "moved"


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["cache", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_dest_folder_has_a_marker_of_its_products(cdse_emulator, cdse_env, settings, tmp_path):
    products = materialised(cdse_emulator)[:2]
    download(products, tmp_path / "data", progress=False, settings=settings)
    body = json.loads((tmp_path / "data" / MARKER).read_text())
    assert set(body["products"]) == {p.id for p in products}
    for p in products:
        item = body["products"][p.id]
        assert item["file"] == file_name(p) and item["size"] == p.size
        assert (item["algorithm"], item["checksum"]) == ("BLAKE3", p.checksums["BLAKE3"])
    # the cache's own folders get one too: a damaged index is rebuilt from them (index_db.py)
    download(products, progress=False, settings=settings)
    listed = {}
    for marker in (settings.cache_dir / "products").rglob(MARKER):
        listed.update(json.loads(marker.read_text())["products"])
    assert set(listed) == {p.id for p in products}


def test_verify_says_missing_not_corrupt(moved, settings, capsys):
    products, _ = moved
    code, out, err = cli(capsys, "verify")
    assert code == ExitCode.MISSING == 10
    assert [line.split()[0] for line in out.splitlines()[:-1]] == ["MISSING"] * 3
    assert out.splitlines()[-1] == "0 ok, 0 corrupt, 3 missing"
    assert "cache relink NEWDIR" in err and "forget --missing" in err
    # a corrupt file is worse than a missing one: 9
    cache = ProductCache(settings.cache_dir)
    download(products[:1], progress=False, settings=settings)  # into the cache again
    path = cache.lookup(products[0])
    data = bytearray(path.read_bytes())
    data[100] ^= 1
    path.write_bytes(bytes(data))
    code, out, _ = cli(capsys, "verify")
    assert code == ExitCode.MISMATCH == 9
    assert f"CORRUPT   {products[0].name}" in out
    assert out.splitlines()[-1] == "0 ok, 1 corrupt, 2 missing"


def test_verify_look_in_finds_the_moved_folder(moved, settings, capsys, cdse_emulator):
    products, folder = moved
    code, out, _ = cli(capsys, "verify", "--look-in", str(folder.parent))
    assert code == 0, out
    assert sum(line.startswith("found ") for line in out.splitlines()) == 3
    assert out.count("(was ") == 3 and f"3 found in {folder.parent}" in out
    assert out.splitlines()[-1] == "3 ok, 0 corrupt, 0 missing"
    cache = ProductCache(settings.cache_dir)
    for p in products:
        assert cache.lookup(p) == folder / file_name(p)
    # the next download finds them there: nothing is fetched
    before = len(value_requests(cdse_emulator))
    report = download(products, folder, progress=False, settings=settings)
    assert [o.status for o in report] == ["skipped"] * 3
    assert len(value_requests(cdse_emulator)) == before


def test_relink_checks_each_file_and_says_what_is_still_missing(moved, settings, capsys):
    products, folder = moved
    tampered = folder / file_name(products[1])
    data = bytearray(tampered.read_bytes())
    data[-10] ^= 1
    tampered.write_bytes(bytes(data))  # same name and size, other content: not the product
    (folder / MARKER).unlink()  # and no marker: found by file name alone
    code, out, err = cli(capsys, "relink", str(folder))
    assert code == ExitCode.MISSING
    lines = out.splitlines()
    assert sum(line.startswith("found") for line in lines) == 2
    assert [line for line in lines if line.startswith("MISSING")] == [
        f"MISSING   {products[1].name}  {ProductCache(settings.cache_dir).entry(products[1]).path}"
    ]
    assert "1 missing" in err
    # --id: only those products are looked for, and reported
    assert cli(capsys, "relink", str(folder), "--id", products[0].id)[0] == 0
    assert cli(capsys, "relink", str(folder), "--id", products[1].id)[0] == ExitCode.MISSING


def test_relink_adopts_what_the_index_forgot(moved, settings, capsys):
    products, folder = moved
    cache = ProductCache(settings.cache_dir)
    cache.clean()  # drops the entries whose file is gone
    assert cache.entries() == []
    code, out, _ = cli(capsys, "relink", str(folder.parent))
    assert code == 0
    assert out.count("adopted from its folder's marker") == 3
    for p in products:
        assert cache.lookup(p) == folder / file_name(p)  # size and checksum agree with CDSE's


def test_a_download_into_the_new_place_adopts_the_files(moved, settings, cdse_emulator):
    products, folder = moved
    before = len(value_requests(cdse_emulator))
    report = download(products, folder, progress=False, settings=settings)
    assert [o.status for o in report] == ["skipped"] * 3
    assert {o.reason for o in report} == {"the file already there matches its checksum"}
    assert len(value_requests(cdse_emulator)) == before
    cache = ProductCache(settings.cache_dir)
    assert [cache.lookup(p) for p in products] == [folder / file_name(p) for p in products]


def test_a_download_elsewhere_says_the_file_went_missing(moved, settings, caplog):
    products, _ = moved
    with caplog.at_level("WARNING", logger="cdse_intake.download"):
        report = download(products[:1], progress=False, settings=settings)
    assert report.ok
    assert "missing (moved or deleted?)" in caplog.text and "cache relink" in caplog.text


def test_forget_missing(moved, settings, capsys):
    products, folder = moved
    cache = ProductCache(settings.cache_dir)
    download(products[:1], progress=False, settings=settings)  # one back in the cache
    code, out, _ = cli(capsys, "forget", "--missing")
    assert code == 0
    assert out.splitlines()[-1] == "2 missing products forgotten (no file was touched)"
    assert [e.id for e in cache.entries()] == [products[0].id]
    assert all((folder / file_name(p)).is_file() for p in products)
    code, out, _ = cli(capsys, "verify")
    assert code == 0
    code, _, err = cli(capsys, "forget")
    assert code == ExitCode.USAGE and "give product ids or --missing" in err
    code, _, err = cli(capsys, "forget", "nope")
    assert code == ExitCode.USAGE and "'nope'" in err
    code, out, _ = cli(capsys, "forget", products[0].id)
    assert code == 0 and cache.entries() == []


def test_look_in_a_folder_that_does_not_exist(settings, capsys, tmp_path):
    code, _, err = cli(capsys, "verify", "--look-in", str(tmp_path / "nope"))
    assert code == ExitCode.USAGE
    assert "'" + str(tmp_path / "nope") + "'" in err and "not a folder" in err


# -- the cache alone (no emulator) -------------------------------------------------------------
def _stored(cache: ProductCache, tmp_path: Path, number: int, data: bytes) -> Product:
    import blake3

    product = Product(id=f"id-{number}", name=f"P{number}.nc", size=len(data))
    path = tmp_path / "dest" / product.name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    cache.record(product, path, "BLAKE3", blake3.blake3(data).hexdigest())
    return product


def test_check_tells_missing_from_corrupt(tmp_path):
    cache = ProductCache(tmp_path / "cache")
    good, gone, bad, short, folder = (_stored(cache, tmp_path, i, b"x" * 50) for i in range(5))
    (tmp_path / "dest" / gone.name).unlink()
    (tmp_path / "dest" / bad.name).write_bytes(b"y" * 50)
    (tmp_path / "dest" / short.name).write_bytes(b"x" * 49)
    (tmp_path / "dest" / folder.name).unlink()
    (tmp_path / "dest" / folder.name).mkdir()  # something else at its place: not missing
    states = {e.id: s for e, s in cache.check()}
    assert states == {
        good.id: "ok",
        gone.id: "missing",
        bad.id: "corrupt",
        short.id: "corrupt",
        folder.id: "corrupt",
    }
    assert {e.id: ok for e, ok in cache.verify()} == {i: s == "ok" for i, s in states.items()}


def test_a_damaged_marker_is_replaced_and_never_blocks_a_record(tmp_path):
    cache = ProductCache(tmp_path / "cache")
    (tmp_path / "dest").mkdir()
    (tmp_path / "dest" / MARKER).write_text("{not json")
    product = _stored(cache, tmp_path, 1, b"z" * 10)
    body = json.loads((tmp_path / "dest" / MARKER).read_text())
    assert list(body["products"]) == [product.id]


def test_a_marker_cannot_point_outside_its_folder(tmp_path):
    cache = ProductCache(tmp_path / "cache")
    product = _stored(cache, tmp_path, 1, b"z" * 10)
    cache.forget(product.id)
    marker = tmp_path / "dest" / MARKER
    body = json.loads(marker.read_text())
    body["products"][product.id]["file"] = "../../etc/passwd"
    marker.write_text(json.dumps(body))
    assert cache.relink([tmp_path / "dest"]) == []
    assert cache.entries() == []
