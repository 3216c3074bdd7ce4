"""The payload store's disk tier: products built once per machine, bounded, never stale."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cdse_intake.emulator import payloads
from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.payload_disk import DiskTier
from cdse_intake.emulator.payloads import Payload, PayloadStore, deliverable


def _zip(name: str, n: int) -> Payload:
    files = {"manifest.safe": b"<xfdu/>", f"measurement/m{n}.tiff": bytes(range(256)) * (n + 1)}
    return Payload.from_files(name, files, single_file=False)


def test_a_kept_zip_is_mapped_back_with_its_files(tmp_path: Path) -> None:
    tier = DiskTier(tmp_path, "0123456789abcdef")
    built = _zip("P.SAFE", 3)
    kept = tier.put(7, "P.SAFE", built)
    assert (
        kept.path is not None and Path(kept.path).parent == tmp_path / "payloads-0123456789abcdef"
    )
    assert bytes(kept.view()) == built.data and kept.size == built.size
    assert {rel: bytes(data) for rel, data in kept.files.items()} == built.files
    again = DiskTier(tmp_path, "0123456789abcdef").get(7, "P.SAFE", single_file=False)
    assert again is not None and again.md5 == built.md5
    assert tier.get(8, "P.SAFE", single_file=False) is None
    with zipfile.ZipFile(kept.path) as zf:  # a real zip on disk
        assert zf.testzip() is None


def test_a_single_file_is_kept_raw(tmp_path: Path) -> None:
    tier = DiskTier(tmp_path, "0123456789abcdef")
    built = Payload.from_files("S5P.nc", {"S5P.nc": b"\x89HDF\r\n" + bytes(100)}, single_file=True)
    kept = tier.put(1, "S5P.nc", built)
    assert kept.single_file and bytes(kept.files["S5P.nc"]) == built.data == bytes(kept.data)


def test_the_tier_is_bounded_least_recently_used_first(tmp_path: Path) -> None:
    sizes = [_zip(f"P{n}.SAFE", n).size for n in range(4)]
    tier = DiskTier(tmp_path, "0123456789abcdef", max_bytes=sizes[0] + sizes[1] + sizes[2])
    for n in range(3):
        tier.put(n, f"P{n}.SAFE", _zip(f"P{n}.SAFE", n))
    assert tier.get(0, "P0.SAFE", single_file=False) is not None  # 0 is now the most recent
    tier.put(3, "P3.SAFE", _zip("P3.SAFE", 3))
    assert tier.used <= tier.max_bytes
    assert tier.get(1, "P1.SAFE", single_file=False) is None  # the least recently used went
    assert tier.get(0, "P0.SAFE", single_file=False) is not None
    assert sum(p.stat().st_size for p in tier.root.iterdir()) == tier.used


def test_too_big_for_the_tier_is_served_but_not_kept(tmp_path: Path) -> None:
    tier = DiskTier(tmp_path, "0123456789abcdef", max_bytes=10)
    built = _zip("P.SAFE", 1)
    assert tier.put(1, "P.SAFE", built) is built
    assert list(tier.root.iterdir()) == []


def test_other_fingerprints_and_unfinished_writes_are_removed(tmp_path: Path) -> None:
    stale = tmp_path / "payloads-ffffffffffffffff"
    stale.mkdir()
    (stale / "0000000000000001.zip").write_bytes(b"old bytes")
    mine = tmp_path / "payloads-0123456789abcdef"
    mine.mkdir()
    (mine / ".0000000000000002.zip.123.part").write_bytes(b"half")
    unrelated = tmp_path / "sums-0123456789abcdef.sqlite"
    unrelated.write_bytes(b"kept")
    DiskTier(tmp_path, "0123456789abcdef")
    assert not stale.exists()
    assert list(mine.iterdir()) == []
    assert unrelated.read_bytes() == b"kept"


def test_a_damaged_file_is_built_again(tmp_path: Path) -> None:
    tier = DiskTier(tmp_path, "0123456789abcdef")
    kept = tier.put(5, "P.SAFE", _zip("P.SAFE", 2))
    assert kept.path is not None
    Path(kept.path).write_bytes(b"not a zip")
    assert tier.get(5, "P.SAFE", single_file=False) is None


def test_a_product_is_built_once_per_machine(tmp_path: Path) -> None:
    entry = next(
        e
        for e in build_catalogue(deliver="all").entries
        if e.family == "sentinel1_grd" and deliverable(e)
    )
    first = PayloadStore(disk=DiskTier(tmp_path, "0123456789abcdef"))
    built = first.payload(entry)
    assert first.builds == 1
    later = PayloadStore(disk=DiskTier(tmp_path, "0123456789abcdef"))  # another run
    assert later.payload(entry).md5 == built.md5
    assert later.builds == 0


def test_a_bad_disk_budget_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CDSE_EMULATOR_CACHE", str(tmp_path))
    monkeypatch.setenv("CDSE_EMULATOR_PAYLOAD_DISK", "2GB")
    with pytest.raises(ValueError, match=r"CDSE_EMULATOR_PAYLOAD_DISK='2GB'.*bytes"):
        payloads._env_disk_tier()
    monkeypatch.setenv("CDSE_EMULATOR_PAYLOAD_DISK", "1000")
    tier = payloads._env_disk_tier()
    assert tier is not None and tier.max_bytes == 1000 and tier.root.parent == tmp_path
    monkeypatch.setenv("CDSE_EMULATOR_CACHE", "off")
    assert payloads._env_disk_tier() is None


def test_a_big_kept_product_is_mapped_not_read(tmp_path: Path) -> None:
    from cdse_intake.emulator.payload_disk import mapped_payload

    tier = DiskTier(tmp_path, "0123456789abcdef")
    kept = tier.put(9, "P.SAFE", _zip("P.SAFE", 4))
    assert kept.path is not None and isinstance(kept.data, bytes)  # small: bytes, as built
    mapped = mapped_payload(Path(kept.path), "P.SAFE", single_file=False, map_from=1)
    assert isinstance(mapped.data, memoryview)
    assert {rel: bytes(v) for rel, v in mapped.files.items()} == kept.files
