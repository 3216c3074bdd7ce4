"""The ``realistic`` size profile: the showcase's Sentinel-2 L2A products are full-size SAFE
products, built on first use, listed with their true size and checksums, and readable."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import numpy as np
import pytest

from cdse_intake.emulator import sizes
from cdse_intake.emulator.server import Emulator


@pytest.fixture
def small_full_size(monkeypatch, tmp_path):
    # The mechanism at a tenth of the size (the real one is ~300 MB: benchmarks build it).
    monkeypatch.setattr(sizes, "S2_PIXELS", 1098)
    monkeypatch.setenv("CDSE_EMULATOR_CACHE", str(tmp_path / "emulator"))


def test_an_unknown_profile_is_refused():
    with pytest.raises(ValueError, match=r"sizes='huge'.*'small', 'realistic'"):
        Emulator(scale=0.02, sizes="huge")


def test_realistic_showcase_products_are_full_size(small_full_size, tmp_path):
    from cdse_intake import Settings, download, open_product, search

    with Emulator(scale=0.02, sizes="realistic") as emu, Emulator(scale=0.02) as small:
        full = [e for e in emu.catalogue.materialised if e.family == "sentinel2_l2a"]
        assert full and all(e.extra.get("sizes") == "realistic" for e in full)
        entry = full[0]
        # the other emulator of the process keeps the small product
        assert small.catalogue.by_id[entry.id].content_length < 5_000_000
        settings = Settings(cache_dir=tmp_path / "cache", query_cache_age=0)
        (product,) = [
            p
            for p in search(
                collection="SENTINEL-2",
                product_type="S2MSI2A",
                start=entry.start - timedelta(seconds=1),
                end=entry.end + timedelta(seconds=1),
                endpoints=emu.endpoints,
                settings=settings,
            )
            if p.id == entry.id
        ]
        assert product.size == entry.content_length > 5_000_000  # 1098 px at 10 m: ~8 MB
        report = download(
            [product],
            tmp_path / "out",
            endpoints=emu.endpoints,
            settings=settings,
            credentials=(emu.username, emu.password),
            progress=False,
        )
        assert not report.failed, report.failed
        path = report.verified[0].path
        data = path.read_bytes()
        assert len(data) == product.size
        assert hashlib.md5(data).hexdigest() == entry.md5
        opened = open_product(path)
        try:
            r10m = opened["r10m"].to_dataset()
            red = np.asarray(r10m["B04"].isel(x=slice(0, 4), y=slice(0, 4)).values)
            width = r10m.sizes["x"]
        finally:
            opened.close()
        assert red.shape[-2:] == (4, 4) and np.isfinite(red).all()
        assert width >= 1098
