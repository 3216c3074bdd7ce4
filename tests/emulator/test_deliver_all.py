"""An emulator with ``deliver="all"``: every product of a family with a writer downloads.

A seeded random sample of online products, one per collection and product type, is found with
the client's search (the records as the OData service lists them), downloaded over HTTPS,
checked against the listed size, MD5 and BLAKE3, and opened with ``open_product`` (values read).
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
from datetime import timedelta

import blake3
import numpy as np
import pytest

from cdse_intake import Settings, download, open_product, search
from cdse_intake.emulator.payloads import deliverable

SEED = 2026


@pytest.fixture(scope="module")
def emu():
    from cdse_intake.emulator.server import Emulator

    with Emulator(seed=SEED, scale=0.02, deliver="all") as emulator:
        yield emulator


def _sample(emu) -> list:
    """One random online product of each (collection, product type, writer): the EOPF Zarr
    products share S2MSI2A with the SAFE ones."""
    rng = random.Random(SEED)
    kinds: dict[tuple[str, str, str], list] = {}
    for entry in emu.catalogue:
        if entry.online and deliverable(entry) and not entry.extra.get("fault"):
            kinds.setdefault((entry.collection, entry.product_type, entry.family), []).append(entry)
    return [rng.choice(entries) for _, entries in sorted(kinds.items())]


def _first_values(opened) -> np.ndarray:
    """Some values of the first numeric variable with data (a Dataset or a DataTree)."""
    trees = [opened] if not hasattr(opened, "subtree") else [n.to_dataset() for n in opened.subtree]
    for ds in trees:
        for var in ds.data_vars.values():
            if var.size and var.dtype.kind in "iufc":
                return np.asarray(var.isel({d: slice(0, 4) for d in var.dims}).values)
    raise AssertionError("no numeric variable with values")


def test_the_sample_covers_every_deliverable_kind(emu):
    from cdse_intake.emulator.products import BUILDERS

    sample = _sample(emu)
    assert {e.collection for e in sample} >= {
        "SENTINEL-1", "SENTINEL-2", "SENTINEL-3", "SENTINEL-5P", "CLMS"
    }  # fmt: skip
    assert {e.family for e in sample} == set(BUILDERS)  # every writer, EOPF Zarr included


def test_a_random_product_of_every_kind_downloads_verified_and_opens(emu, tmp_path, monkeypatch):
    settings = Settings(cache_dir=tmp_path / "cache", query_cache_age=0)
    for key, value in emu.env().items():  # the S3 keys among them
        monkeypatch.setenv(key, value)
    account = (emu.username, emu.password)
    failures = []
    for entry in _sample(emu):
        found = search(
            collection=entry.collection,
            product_type=entry.product_type,
            start=entry.start - timedelta(seconds=1),
            end=entry.start + timedelta(seconds=1),
            endpoints=emu.endpoints,
            settings=settings,
        )
        (product,) = [p for p in found if p.id == entry.id]
        # the record as listed equals the bytes served
        assert product.size == entry.content_length and product.checksums["MD5"] == entry.md5
        report = download(
            [product],
            tmp_path / "out",
            endpoints=emu.endpoints,
            settings=settings,
            credentials=account,
            progress=False,
        )
        if report.failed:
            failures.append((entry.product_type, report.failed[0].reason))
            continue
        path = report.verified[0].path
        data = path.read_bytes()
        assert len(data) == product.size
        assert hashlib.md5(data).hexdigest() == product.checksums["MD5"]
        assert blake3.blake3(data).hexdigest() == product.checksums["BLAKE3"]
        over_s3 = download(
            [product],
            tmp_path / "s3",
            via="s3",
            endpoints=emu.endpoints,
            settings=Settings(cache_dir=tmp_path / "cache-s3", query_cache_age=0),
            progress=False,
        )
        if over_s3.failed:
            failures.append((entry.product_type, "s3: " + over_s3.failed[0].reason))
        else:
            s3_path = over_s3.verified[0].path
            assert s3_path.stat().st_size > 0
        opened = open_product(path, chunks=None)
        try:
            if "data_note" in opened.attrs:  # metadata only by design (Sentinel-1 Level-0)
                assert not opened.data_vars, entry.product_type
                continue
            values = _first_values(opened)
        finally:
            opened.close()
        assert values.size > 0, entry.product_type
    assert failures == []


def test_listing_a_product_gives_the_sizes_of_its_bytes(emu):
    entry = next(e for e in _sample(emu) if e.collection == "SENTINEL-2")
    data = bytes(entry.payload.view())  # kept in memory or mapped from the disk tier
    assert entry.content_length == len(data)
    assert entry.md5 == hashlib.md5(data).hexdigest()
    assert entry.blake3 == blake3.blake3(data).hexdigest()


def test_sums_are_remembered_on_disk_per_fingerprint(tmp_path):
    from cdse_intake.emulator.sums import SumsStore, fingerprint

    store = SumsStore(tmp_path)
    assert store.get("id-1", "A.SAFE") is None
    store.put("id-1", "A.SAFE", (12, "a" * 32, "b" * 64))
    again = SumsStore(tmp_path)  # a later run
    assert again.get("id-1", "A.SAFE") == (12, "a" * 32, "b" * 64)
    assert again.get("id-1", "B.SAFE") is None  # keyed by name too: a renamed product differs
    assert (tmp_path / f"sums-{fingerprint()}.sqlite").is_file()
    assert SumsStore(tmp_path, enabled=False).get("id-1", "A.SAFE") is None


def test_a_listed_product_is_not_built_again_in_a_later_run(emu, monkeypatch):
    from cdse_intake.emulator import payloads

    entry = next(e for e in _sample(emu) if e.collection == "SENTINEL-1")
    listed = (entry.content_length, entry.md5, entry.blake3)
    fresh = dataclasses.replace(entry, attributes=list(entry.attributes))  # a new run's record
    fresh.payload = None  # its bytes come from the store, as for any catalogue record
    for name in ("content_length", "md5", "blake3"):
        setattr(fresh, name, payloads.LAZY)
    builds = payloads.STORE.builds
    payloads.STORE.clear()
    assert (fresh.content_length, fresh.md5, fresh.blake3) == listed
    assert payloads.STORE.builds == builds  # from the disk, not built


def _with_fault(emu, fault: str):
    return next(e for e in emu.catalogue if e.extra.get("fault") == fault)


def test_faults_are_a_small_deterministic_share():
    from cdse_intake.emulator.catalogue import FAULT_SHARES, build_catalogue

    cat = build_catalogue(seed=SEED, scale=0.02, deliver="all")
    faulty = [e for e in cat if e.extra.get("fault")]
    assert 0 < len(faulty) < 0.05 * len(cat)
    assert {e.extra["fault"] for e in faulty} == set(FAULT_SHARES)
    assert not any(e.extra.get("showcase") for e in faulty)  # the showcase always works
    again = build_catalogue(seed=SEED, scale=0.02, deliver="all")
    assert [e.id for e in again if e.extra.get("fault")] == [e.id for e in faulty]


def test_each_fault_behaves_as_on_the_real_service(emu, tmp_path):
    import requests

    settings = Settings(cache_dir=tmp_path / "cache", query_cache_age=0)
    account = (emu.username, emu.password)
    offline = _with_fault(emu, "offline")
    assert offline.online is False
    record = requests.get(f"{emu.urls.catalogue}/Products({offline.id})", timeout=30).json()
    assert record["Online"] is False
    bare = _with_fault(emu, "no_checksum")
    record = requests.get(f"{emu.urls.catalogue}/Products({bare.id})", timeout=30).json()
    assert record["Checksum"] == [] and record["ContentLength"] == len(bare.payload.data)

    token = requests.post(
        f"{emu.urls.identity}/protocol/openid-connect/token",
        data={"grant_type": "password", "client_id": "cdse-public", "username": account[0],
              "password": account[1]},
        timeout=30,
    ).json()["access_token"]  # fmt: skip
    gone = _with_fault(emu, "unavailable")
    answer = requests.get(
        f"{emu.urls.download}/Products({gone.id})/$value",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 404 and answer.json()["code"] == "DAT-ZIP-915"

    wrong = _with_fault(emu, "wrong_checksum")
    (product,) = search(
        collection=wrong.collection,
        name_contains=wrong.name,
        online=True,
        endpoints=emu.endpoints,
        settings=settings,
    )
    report = download(
        [product], tmp_path / "out", endpoints=emu.endpoints, settings=settings,
        credentials=account, progress=False,
    )  # fmt: skip
    assert [o.error for o in report.failed] == ["ChecksumMismatch"]
