"""``ensure_local``: every path that needs a local copy of products goes through it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdse_intake.cache import ProductCache
from cdse_intake.config import Settings, resolve
from cdse_intake.downloads import ensure_local
from cdse_intake.errors import DownloadError

from .test_download_common import bytes_sent_by_product, materialised, product_of


@pytest.fixture
def context(cdse_emulator, cdse_env, tmp_path: Path):
    return resolve(endpoints=cdse_emulator.endpoints, settings=Settings(cache_dir=tmp_path))


def test_downloads_what_is_missing_once_then_answers_from_the_cache(cdse_emulator, context):
    products = materialised(cdse_emulator)[:3]
    first = ensure_local([products[1]], context)
    cache = ProductCache(context.settings.cache_dir)
    assert first == [cache.lookup(products[1])]
    paths = ensure_local([*products, products[0]], context)  # order kept, duplicates too
    assert paths == [cache.lookup(p) for p in (*products, products[0])]
    assert all(p.is_file() for p in paths)
    # every product crossed the wire once, whole: the second call fetched only the two missing
    assert bytes_sent_by_product(cdse_emulator) == {p.id: p.size for p in products}
    cdse_emulator.state.reset_counters()
    assert ensure_local(products, context) == paths[:3]
    assert cdse_emulator.state.requests() == []  # the cache alone answered


def test_a_product_that_cannot_be_downloaded_is_named(cdse_emulator, context):
    good = materialised(cdse_emulator)[0]
    absent = next(e for e in cdse_emulator.catalogue.entries if e.payload is None and e.online)
    with pytest.raises(DownloadError, match=rf"1 of 2 product\(s\).*{absent.name}.*remote=True"):
        ensure_local([good, product_of(absent)], context)
    assert ProductCache(context.settings.cache_dir).lookup(good) is not None  # the good one kept
