"""Per-file sizes and MD5s (STAC's per-file assets) are remembered like the product sums."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from cdse_intake.emulator import payloads
from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.payloads import deliverable, file_sums
from cdse_intake.emulator.sums import SumsStore


def test_file_listings_round_trip_and_a_damaged_row_is_computed_again(tmp_path: Path) -> None:
    store = SumsStore(tmp_path)
    listing = [("a/b.xml", 12, "0" * 32), ("c.jp2", 34, "1" * 32)]
    store.put_files("id-1", "NAME", listing)
    assert SumsStore(tmp_path).get_files("id-1", "NAME") == listing
    assert store.get_files("id-1", "OTHER") is None
    assert store._db is not None
    store._db.execute("UPDATE files SET listing = ?", (b"not zlib",))
    assert store.get_files("id-1", "NAME") is None


def test_file_sums_are_those_of_the_files_and_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(payloads, "SUMS", SumsStore(tmp_path))
    catalogue = build_catalogue(deliver="all")
    entry = next(e for e in catalogue.entries if e.family == "sentinel1_grd" and deliverable(e))
    files = file_sums(entry)
    payload = payloads.STORE.payload(entry)
    assert files == [
        (rel, len(data), hashlib.md5(data).hexdigest())
        for rel, data in sorted(payload.files.items())
    ]
    assert payloads.SUMS.get_files(entry.id, entry.name) == files
    single = next(
        e
        for e in catalogue.entries
        if e.family == "sentinel5p_l2" and deliverable(e) and not e.extra.get("fault")
    )
    assert file_sums(single) == [("", single.content_length, single.md5)]
    metadata_only = next(e for e in catalogue.entries if not deliverable(e))
    assert file_sums(metadata_only) is None
