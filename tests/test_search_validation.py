"""A search is never silently wrong: table-driven over every collection and product type of the
emulator's catalogue, bad values fail with suggestions before any search request, good ones
return what a brute-force filter over the emulator's records returns, and an empty answer says
which constraint emptied it."""

from __future__ import annotations

import warnings
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

import cdse_intake
from cdse_intake.catalogue import live_vocabulary
from cdse_intake.catalogue.explain import explain_empty
from cdse_intake.catalogue.validate import check
from cdse_intake.config import Settings
from cdse_intake.errors import NothingFoundWarning, QueryError
from cdse_intake.query import Query
from cdse_intake.vocabulary import builtin, from_service, level_matches

START = datetime(2023, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def pairs(_cdse_emulator_session):
    """(collection, product type) -> the day of its first record and the records of that day."""
    first: dict[tuple[str, str], datetime] = {}
    for e in _cdse_emulator_session.catalogue:
        key = (e.collection, e.product_type)
        if key not in first or e.start < first[key]:
            first[key] = e.start
    days: dict[tuple[str, str], list] = defaultdict(list)
    for e in _cdse_emulator_session.catalogue:
        key = (e.collection, e.product_type)
        day = first[key].replace(hour=0, minute=0, second=0, microsecond=0)
        if day <= e.start < day + timedelta(days=1):
            days[key].append(e)
    return {key: (first[key], days[key]) for key in first}


def _search(emu, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NothingFoundWarning)
        return list(cdse_intake.search(endpoints=emu.endpoints, cache=False, **kwargs))


def test_every_product_type_of_every_collection_finds_its_records(cdse_emulator, pairs):
    assert len(pairs) > 100, "the emulator lists every product type CDSE has"
    wrong = []
    for (collection, product_type), (when, records) in sorted(pairs.items()):
        day = when.replace(hour=0, minute=0, second=0, microsecond=0)
        found = _search(
            cdse_emulator,
            collection=collection,
            product_type=product_type,
            start=day,
            end=day + timedelta(days=1) - timedelta(microseconds=1),
        )
        expected = {e.id for e in records}
        if {p.id for p in found} != expected:
            wrong.append((collection, product_type, len(found), len(expected)))
    assert not wrong


def test_a_mistyped_product_type_is_refused_with_the_right_one_suggested(pairs):
    vocabulary = builtin()
    for collection, product_type in sorted(pairs):
        typo = product_type[:-1] if len(product_type) > 4 else product_type + "X"
        if typo in vocabulary.product_types(None):
            continue  # a real type of its own (a prefix of another)
        with pytest.raises(QueryError) as caught:
            check(Query(collection=collection, product_type=typo), vocabulary)
        message = str(caught.value)
        assert repr(typo) in message and product_type in message, message


def test_a_product_type_of_another_collection_names_its_collection(pairs):
    vocabulary = builtin()
    by_collection = defaultdict(set)
    for collection, product_type in pairs:
        by_collection[collection].add(product_type)
    for collection in sorted(by_collection):
        other, types = next((c, t) for c, t in sorted(by_collection.items()) if c != collection)
        foreign = sorted(types - vocabulary.product_types(collection).keys())
        if not foreign:
            continue
        with pytest.raises(
            QueryError, match=f"is a product type of .*{other}.*not of {collection}"
        ):
            check(Query(collection=collection, product_type=foreign[0]), vocabulary)


def test_unknown_attribute_names_and_wrong_types_are_refused(pairs):
    vocabulary = builtin()
    for collection in sorted({c for c, _ in pairs}):
        attributes = vocabulary.attributes(collection)
        assert attributes, collection
        name = sorted(attributes)[0]
        with pytest.raises(QueryError, match=rf"{name}r'.*did you mean '{name}'"):
            check(Query(collection=collection, attributes={name + "r": "x"}), vocabulary)
        numeric = [n for n, t in attributes.items() if t in ("Integer", "Double")]
        if numeric:
            with pytest.raises(QueryError, match=f"{numeric[0]}.*expected a"):
                check(Query(collection=collection, attributes={numeric[0]: "abc"}), vocabulary)


def test_numbers_given_as_text_become_numbers():
    query = check(
        Query(collection="SENTINEL-1", attributes={"relativeOrbitNumber": "117"}), builtin()
    )
    (att,) = query.attributes
    assert (att.value, att.value_type) == (117, "Integer")


def test_fields_the_collection_cannot_answer_are_refused():
    with pytest.raises(QueryError, match="SENTINEL-1 products have no cloudCover"):
        check(Query(collection="SENTINEL-1", cloud=20), builtin())
    with pytest.raises(QueryError, match="no tileId"):
        check(Query(collection="SENTINEL-3", tile="31UFT"), builtin())


@pytest.mark.parametrize(
    ("collection", "level", "expected"),
    [
        ("SENTINEL-2", "L2A", {"S2MSI2A"}),
        ("SENTINEL-2", "l1c", {"S2MSI1C"}),
        ("SENTINEL-2", "LEVEL-2", {"S2MSI2A"}),
        ("SENTINEL-1", "LEVEL0", {"IW_RAW__0S", "EW_RAW__0S"}),
        ("SENTINEL-5P", "L1B", {"L1B_RA_BD1", "L1B_RA_BD8"}),
        ("SENTINEL-6", "L1B", {"P4_1B_LR_____"}),
    ],
)
def test_processing_levels_become_product_types(collection, level, expected):
    query = check(Query(collection=collection, processing_level=level), builtin())
    assert query.processing_level is None
    assert expected <= set(query.product_types)
    levels = builtin().product_types(collection)
    assert all(level_matches(level, levels[t]) for t in query.product_types)


def test_a_level_the_collection_has_not_lists_the_levels_it_has():
    with pytest.raises(QueryError, match=r"L3.*L1: S2MSI1C; L2: S2MSI2A"):
        check(Query(collection="SENTINEL-2", processing_level="L3"), builtin())
    with pytest.raises(QueryError, match="not a processing level"):
        check(Query(collection="SENTINEL-2", processing_level="best"), builtin())


def test_the_reported_level_search_finds_what_the_product_type_finds(cdse_emulator):
    """The issue's case: processing_level="L2A" found 0 where product_type found 12."""
    common = dict(collection="SENTINEL-2", tile="31UNE", start="2023-01-01", end="2023-01-31")
    by_level = _search(cdse_emulator, processing_level="L2A", **common)
    by_type = _search(cdse_emulator, product_type="S2MSI2A", **common)
    expected = {
        e.id
        for e in cdse_emulator.catalogue
        if e.product_type == "S2MSI2A"
        and e.attribute("tileId") == "31UNE"
        and START <= e.start < datetime(2023, 2, 1, tzinfo=UTC)
    }
    assert {p.id for p in by_level} == {p.id for p in by_type} == expected
    assert expected


def test_the_reported_silent_failures_now_raise(cdse_emulator):
    ep = cdse_emulator.endpoints
    for bad in (
        dict(product_type="S2MSI2"),
        dict(product_type="IW_GRDH_1S"),
        dict(attributes={"cloudCoverr": ("le", 20)}),
    ):
        with pytest.raises(QueryError):
            cdse_intake.search(
                "SENTINEL-2", start="2023-01-01", end="2023-01-31", endpoints=ep, **bad
            )
    # the escape hatch: sent as given, and the empty answer then says why
    found = cdse_intake.search(
        "SENTINEL-2", product_type="S2MSI2", start="2023-01-01", endpoints=ep, validate=False
    )
    with pytest.warns(NothingFoundWarning, match="S2MSI2"):
        assert len(found) == 0


def test_every_listed_collection_is_searchable_by_its_id(cdse_emulator):
    listed = cdse_intake.api.collections(cdse_emulator.endpoints)
    ids = [c["id"] for c in listed]
    assert len(ids) == len(builtin().stac) > 130
    by_type = defaultdict(set)
    for e in cdse_emulator.catalogue:
        by_type[(e.collection, e.product_type)].add(e.id)
    empty = []
    for stac_id in ids:
        query = Query(collection=stac_id, limit=2)
        found = _search(cdse_emulator, query=query)
        has_records = any(by_type.get((query.collection, t)) for t in query.product_types)
        if has_records and not found:
            empty.append(stac_id)
        for product in found:
            assert product.product_type in query.product_types, (stac_id, product.name)
    assert not empty


def test_the_snapshot_is_the_catalogue_s_vocabulary(cdse_emulator, pairs):
    live = live_vocabulary.fetch(cdse_emulator.urls.stac, cdse_emulator.urls.catalogue)
    snapshot = builtin()
    assert live.stac == snapshot.stac, "run scripts/record_vocabulary.py"
    for name, info in live.collections.items():
        assert dict(info.attributes) == dict(snapshot.collections[name].attributes), name
    missing = [p for p in pairs if p[1] not in snapshot.product_types(p[0])]
    assert not missing, f"product types missing from the snapshot: {missing}"


def test_the_live_vocabulary_is_remembered_and_the_snapshot_stands_in_offline(
    cdse_emulator, tmp_path, monkeypatch
):
    monkeypatch.setattr(live_vocabulary, "_memo", {})
    offline = live_vocabulary.current("http://127.0.0.1:9/stac", "http://127.0.0.1:9/odata", None)
    assert offline is builtin()  # nothing listens on port 9: refused at once
    stac, odata = cdse_emulator.urls.stac, cdse_emulator.urls.catalogue
    asked = live_vocabulary.current(stac, odata, tmp_path)
    assert asked.source == stac and list((tmp_path / "vocabulary").glob("*.json"))
    monkeypatch.setattr(live_vocabulary, "_memo", {})
    monkeypatch.setattr(live_vocabulary, "fetch", lambda *a, **k: pytest.fail("asked again"))
    assert live_vocabulary.current(stac, odata, tmp_path).stac == asked.stac  # from the file


def test_a_broken_answer_is_not_a_vocabulary():
    with pytest.raises(ValueError, match="collections"):
        from_service({"type": "FeatureCollection"}, {}, "x")


# -- the empty answer explains itself ------------------------------------------------------------


def test_a_constraint_that_excludes_everything_is_named(cdse_emulator):
    found = cdse_intake.search(
        "SENTINEL-2", tile="33UUU", start="2023-01-01", end="2023-02-01",
        endpoints=cdse_emulator.endpoints, cache=False,
    )  # fmt: skip
    with pytest.warns(NothingFoundWarning, match="tile='33UUU' alone matches no SENTINEL-2"):
        assert not list(found)


def test_the_most_selective_constraint_is_named_with_figures(cdse_emulator):
    query = Query(
        collection="SENTINEL-2", product_type="S2MSI2A", tile="31UNE", cloud=(0, 0.1),
        start="2023-01-01", end="2023-03-01",
    )  # fmt: skip
    message = explain_empty(query, cdse_emulator.endpoints, Settings())
    in_time = [
        e
        for e in cdse_emulator.catalogue
        if e.collection == "SENTINEL-2" and query.start <= e.start < query.end
    ]
    alone = {
        "tile='31UNE'": sum(e.attribute("tileId") == "31UNE" for e in in_time),
        "cloud=(0.0, 0.1)": sum(e.attribute("cloudCover") <= 0.1 for e in in_time),
        "product_type='S2MSI2A'": sum(e.product_type == "S2MSI2A" for e in in_time),
    }
    assert not any(
        e.attribute("tileId") == "31UNE" and e.attribute("cloudCover") <= 0.1
        and e.product_type == "S2MSI2A" for e in in_time
    )  # fmt: skip
    most = min(alone, key=alone.get)
    assert f"The most selective is {most}: {alone[most]} SENTINEL-2 products" in message, message


def test_an_empty_time_range_is_named(cdse_emulator):
    message = explain_empty(
        Query(collection="SENTINEL-2", start="2010-01-01", end="2010-02-01"),
        cdse_emulator.endpoints,
        Settings(),
    )
    assert message == (
        "No products: the time range 2010-01-01 to 2010-02-01 alone matches no SENTINEL-2 product."
    )


@pytest.mark.parametrize(
    "stac_id",
    [
        "clms_ndvi_global_300m_10daily_v2_cog",
        "clms_ndvi_global_300m_10daily_v2_nc",
        "clms_ndvi_global_300m_10daily_v3_cog",
        "clms_ndvi_global_300m_10daily_v3_nc",
    ],
)
def test_collections_sharing_a_product_type_are_told_apart(cdse_emulator, stac_id):
    """CLMS datasets (versions, formats) share productType NDVI300: an OData search by one
    STAC id returned all four, and a copy of the query (``replace``) forgot which it was."""
    kwargs = dict(collection=stac_id, start="2023-01-01", end="2023-04-01")
    by_odata = {p.id for p in _search(cdse_emulator, **kwargs)}
    by_stac = {p.id for p in _search(cdse_emulator, backend="stac", **kwargs)}
    assert by_odata == by_stac
    assert by_odata
    assert Query(collection=stac_id).replace(limit=3).stac_collections == (stac_id,)


def test_what_the_snapshot_lacks_is_asked_of_the_service(cdse_emulator, tmp_path, monkeypatch):
    """A product type newer than the shipped snapshot: the service's own answer admits it."""
    from dataclasses import replace

    from cdse_intake.config import Settings as S

    snapshot = builtin()
    s2 = snapshot.collections["SENTINEL-2"]
    older = replace(
        snapshot,
        collections={
            **snapshot.collections,
            "SENTINEL-2": replace(s2, product_types={"S2MSI1C": "L1"}),
        },
    )
    monkeypatch.setattr(live_vocabulary, "builtin", lambda: older)
    monkeypatch.setattr(live_vocabulary, "_memo", {})
    asked = []
    real_fetch = live_vocabulary.fetch
    monkeypatch.setattr(
        live_vocabulary, "fetch", lambda *a, **k: asked.append(a) or real_fetch(*a, **k)
    )
    settings = S(cache_dir=tmp_path)
    kwargs = dict(collection="SENTINEL-2", start="2023-01-01", end="2023-01-05")
    found = cdse_intake.search(
        product_type="S2MSI2A", endpoints=cdse_emulator.endpoints, settings=settings, **kwargs
    )
    assert len(found) > 0 and len(asked) == 1
    cdse_intake.search(product_type="S2MSI1C", endpoints=cdse_emulator.endpoints, **kwargs)
    with pytest.raises(QueryError, match="S2MSI3"):
        cdse_intake.search(
            product_type="S2MSI3", endpoints=cdse_emulator.endpoints, settings=settings, **kwargs
        )
    assert len(asked) == 1, "the service's answer is remembered"
