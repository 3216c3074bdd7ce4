"""One product of the emulator found by search and downloaded as a user would, verified."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

from cdse_intake import Settings, download, search
from cdse_intake.emulator import Emulator
from cdse_intake.emulator.catalogue import Entry


def downloaded(emu: Emulator, entry: Entry, tmp_path: Path, collection: str) -> bytes:
    """``entry``'s bytes, searched (``collection``, its type and time) and downloaded over
    HTTPS; their size and MD5 are asserted equal to the search result's and the record's."""
    settings = Settings(cache_dir=tmp_path / "cache", query_cache_age=0)
    found = search(
        collection=collection,
        product_type=entry.product_type,
        start=entry.start - timedelta(seconds=1),
        end=entry.start + timedelta(seconds=1),
        endpoints=emu.endpoints,
        settings=settings,
    )
    (product,) = [p for p in found if p.id == entry.id]
    report = download(
        [product],
        tmp_path / "out",
        endpoints=emu.endpoints,
        settings=settings,
        credentials=(emu.username, emu.password),
        progress=False,
    )
    assert not report.failed, report.failed
    data = report.verified[0].path.read_bytes()
    assert len(data) == product.size == entry.content_length
    assert hashlib.md5(data).hexdigest() == product.checksums["MD5"] == entry.md5
    return data
