"""``search_deleted`` and ``deleted_product``: CDSE's DeletedProducts through the query model,
checked against the emulator's own deleted records; the DeletedProduct record round-trips."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cdse_intake import DeletedProduct, Product, deleted_product, search_deleted
from cdse_intake.catalogue.deleted import DeletedODataBackend
from cdse_intake.config import Settings
from cdse_intake.emulator import Emulator
from cdse_intake.emulator.deleted import deleted_for
from cdse_intake.errors import ProductNotFound, QueryError


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    emulator = Emulator(scale=0.02, deliver="all").start()
    yield emulator
    emulator.stop()


@pytest.fixture(scope="module")
def options(emu: Emulator, tmp_path_factory: pytest.TempPathFactory) -> dict:
    settings = Settings(cache_dir=tmp_path_factory.mktemp("cache"), retries=1)
    return {"endpoints": emu.endpoints, "settings": settings}


def records(emu: Emulator) -> list[tuple]:
    state = deleted_for(emu.catalogue).state
    return [(e, state.deletions[e.id]) for e in state.catalogue.entries]


def test_a_collection_in_start_order_with_deletion_fields(emu, options):
    found = search_deleted("SENTINEL-2", **options)
    expected = sorted(
        ((e, d) for e, d in records(emu) if e.collection == "SENTINEL-2"),
        key=lambda r: (r[0].start, r[0].id),
    )
    assert len(expected) >= 3
    assert [p.id for p in found] == [e.id for e, _ in expected]
    for product, (entry, deletion) in zip(found, expected, strict=True):
        assert isinstance(product, DeletedProduct)
        assert (product.name, product.start, product.collection) == (
            entry.name, entry.start, "SENTINEL-2"
        )  # fmt: skip
        assert (product.deletion_cause, product.deletion_date) == (deletion.cause, deletion.date)
        assert product.attributes["productType"] == entry.product_type
        assert product.s3_path is None and product.online is None  # not in deleted records


def test_windows_page_through_every_record(emu, options, monkeypatch):
    monkeypatch.setattr(DeletedODataBackend, "page_size", 3)
    found = search_deleted(sort="-end", **options)
    expected = sorted(records(emu), key=lambda r: r[0].end, reverse=True)
    assert len(found) == len(expected) > 6
    assert {p.id for p in found} == {e.id for e, _ in expected}
    assert [p.end for p in found] == [e.end for e, _ in expected]


def test_cause_dates_attributes_and_local_sort(emu, options):
    after, before = datetime(2023, 6, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)
    causes = ("Corrupted product", "Missing checksum")
    found = search_deleted(
        cause=causes, deleted_after=after, deleted_before=before, sort="-deletion_date", **options
    )
    expected = [
        e.id
        for e, d in sorted(records(emu), key=lambda r: r[1].date, reverse=True)
        if d.cause in causes and after <= d.date < before
    ]
    assert expected and [p.id for p in found] == expected
    assert (
        search_deleted(cause=causes, sort="deletion_date", limit=2, **options)[0].id
        == min(((d.date, e.id) for e, d in records(emu) if d.cause in causes))[1]
    )
    l2a = search_deleted("SENTINEL-2", product_type="S2MSI2A", **options)
    assert l2a and all(p.product_type == "S2MSI2A" for p in l2a)
    assert {p.id for p in l2a} == {
        e.id for e, _ in records(emu) if e.attribute("productType") == "S2MSI2A"
    }


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"backend": "stac"}, "backend='odata'"),
        ({"backend": "opensearch"}, "'opensearch'"),
        ({"cause": "Lost in space"}, "'Lost in space'"),
        ({"cause": ["Missing checksum", "gone"]}, "'gone'"),
        ({"sort": "published"}, "'published'"),
        ({"online": True}, "online="),
        ({"deleted_after": "last tuesday"}, "'last tuesday'"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_refused_before_any_request(emu, options, kwargs, named):
    emu.state.reset_counters()
    before = len(emu.state.requests())
    with pytest.raises(QueryError, match=named.replace("(", r"\(")):
        search_deleted(**kwargs, **options)
    assert len(emu.state.requests()) == before


def test_look_up_by_id_and_name(emu, options):
    entry, deletion = next((e, d) for e, d in records(emu) if e.name.endswith(".SAFE"))
    by_id = deleted_product(entry.id.upper(), **options)
    assert (by_id.id, by_id.deletion_cause, by_id.deletion_date) == (
        entry.id, deletion.cause, deletion.date
    )  # fmt: skip
    by_name = deleted_product(entry.name.removesuffix(".SAFE"), **options)
    assert by_name.name == entry.name
    with pytest.raises(ProductNotFound, match="00000000-0000-4000-8000-000000000000"):
        deleted_product("00000000-0000-4000-8000-000000000000", **options)
    with pytest.raises(ProductNotFound, match="NOT_A_PRODUCT"):
        deleted_product("NOT_A_PRODUCT", **options)


def test_a_product_deleted_at_run_time_is_found(emu, options):
    entry = emu.catalogue.materialised[0]
    emu.delete_product(entry.id, cause="Missing checksum")
    found = deleted_product(entry.name, **options)
    assert (found.id, found.deletion_cause) == (entry.id, "Missing checksum")
    assert found.deletion_date > datetime(2026, 1, 1, tzinfo=UTC)
    assert entry.id in {p.id for p in search_deleted(cause="Missing checksum", **options)}


def test_the_record_round_trips(tmp_path: Path):
    product = DeletedProduct(
        id="a3c1f1de-0000-4000-8000-000000000001",
        name="S2A_MSIL2A_20230101T100000_N0509_R001_T31UNE_20230101T120000.SAFE",
        start=datetime(2023, 1, 1, 10, tzinfo=UTC),
        attributes={"cloudCover": 3.5, "processingDate": datetime(2023, 1, 1, tzinfo=UTC)},
        checksums={"MD5": "0" * 32},
        deletion_date=datetime(2024, 5, 1, 12, tzinfo=UTC),
        deletion_cause="Corrupted product",
    )
    again = pickle.loads(pickle.dumps(product))
    assert type(again) is DeletedProduct and again.to_dict() == product.to_dict()
    restored = DeletedProduct.from_dict(product.to_dict())
    assert restored.deletion_date == product.deletion_date
    assert restored.attributes["processingDate"] == product.attributes["processingDate"]
    assert product == Product(id=product.id, name="other") and hash(product) == hash(product.id)
    assert "Corrupted product" in repr(product)
