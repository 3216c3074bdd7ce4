"""Parsing of STAC search parameters, CQL2 compilation and the fields extension (no server)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cdse_intake.emulator.catalogue import to_us
from cdse_intake.emulator.stac.cql import CompiledFilter, FilterError, compile_filter, query_to_cql2
from cdse_intake.emulator.stac.errors import StacError
from cdse_intake.emulator.stac.fields import apply_fields
from cdse_intake.emulator.stac.items import footprint_bbox
from cdse_intake.emulator.stac.jsonb import jsonb_order
from cdse_intake.emulator.stac.params import Fields, from_get, from_post, parse_instant


def _us(*args: int) -> int:
    return to_us(datetime(*args, tzinfo=UTC))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-31T10:00:00Z", _us(2024, 1, 31, 10)),
        ("2024-01-31t10:00:00z", _us(2024, 1, 31, 10)),
        ("2024-01-31T12:00:00+02:00", _us(2024, 1, 31, 10)),
        ("2024-01-31T05:30:00-04:30", _us(2024, 1, 31, 10)),
        ("2024-01-31T10:00:00.5Z", _us(2024, 1, 31, 10) + 500_000),
        ("2024-01-31T10:00:00.123456789Z", _us(2024, 1, 31, 10) + 123_456),
    ],
)
def test_rfc3339_instants(text: str, expected: int):
    assert parse_instant(text) == expected


def test_intervals_and_their_errors():
    assert from_get({"datetime": "../2024-01-01T00:00:00Z"}).interval == (
        None,
        _us(2024, 1, 1),
    )
    assert from_get({"datetime": "2024-01-01T00:00:00Z/"}).interval == (_us(2024, 1, 1), None)
    assert from_post({"datetime": "2024-01-01T00:00:00Z"}).interval == (
        _us(2024, 1, 1),
        _us(2024, 1, 1),
    )
    for bad in ("2024-01-01", "yesterday", "a/b/c", "../..", "2024-01-01T00:00:00"):
        with pytest.raises(StacError) as err:
            from_get({"datetime": bad})
        assert err.value.status == 400 and bad in err.value.description


def test_bbox_forms():
    assert from_get({"bbox": "170,-10,-170,10"}).bbox == (170, -10, -170, 10)
    assert from_post({"bbox": [1, 2, 0, 3, 4, 100]}).bbox == (1, 2, 3, 4)
    for bad in ({"bbox": [1, 2, 3]}, {"bbox": ["a", 1, 2, 3]}, {"bbox": [0, 95, 1, 96]}):
        with pytest.raises(StacError):
            from_post(bad)
    with pytest.raises(StacError, match="not both"):
        from_post({"bbox": [0, 0, 1, 1], "intersects": {"type": "Point", "coordinates": [0, 0]}})
    with pytest.raises(StacError, match="GeoJSON"):
        from_post({"intersects": {"type": "Polygon", "coordinates": "nope"}})


def test_sortby_and_fields_text_forms():
    # "+" arrives as a space when a client forgets to encode it.
    assert from_get({"sortby": " properties.eo:cloud_cover,-datetime"}).sortby == (
        ("eo:cloud_cover", False),
        ("datetime", True),
    )
    assert from_post({"sortby": [{"field": "id", "direction": "desc"}]}).sortby == (("id", True),)
    with pytest.raises(StacError, match="direction"):
        from_post({"sortby": [{"field": "id", "direction": "up"}]})
    assert from_get({"fields": "id,+properties.datetime,-geometry"}).fields == Fields(
        ("id", "properties.datetime"), ("geometry",)
    )


def test_limits():
    assert from_get({}).limit == 10
    assert from_post({"limit": 1000}).limit == 1000
    for bad in (0, 1001, -3, "x", 2.5, True):
        with pytest.raises(StacError, match="limit"):
            from_post({"limit": bad})


def test_filters_compile_to_cql2_json():
    text = compile_filter("eo:cloud_cover < 20 AND platform = 'sentinel-2a'", "cql2-text")
    assert text["op"] == "and"
    aliased = compile_filter({"op": "lte", "args": [{"property": "x"}, 1]}, "cql2-json")
    assert aliased == {"op": "<=", "args": [{"property": "x"}, 1.0]}
    with pytest.raises(FilterError, match="filter-lang"):
        compile_filter("x = 1", "cql-text")
    with pytest.raises(FilterError, match="FROB"):
        compile_filter("FROB(x) = 1", "cql2-text")
    with pytest.raises(FilterError):
        compile_filter({"op": "=", "args": [{"property": "x"}]}, "cql2-json")
    # POST and GET merge the query extension into the filter.
    merged = from_post({"filter": "x = 1", "filter-lang": "cql2-text", "query": {"y": {"gt": 2}}})
    assert merged.filter is not None and merged.filter["op"] == "and"


def test_query_extension_translation():
    clauses = query_to_cql2(
        {"eo:cloud_cover": {"gte": 5, "lt": 20}, "id": {"startsWith": "S2A_"}, "x": {"in": [1]}}
    )
    assert {"op": ">=", "args": [{"property": "eo:cloud_cover"}, 5]} in clauses
    assert {"op": "like", "args": [{"property": "id"}, "S2A\\_%"]} in clauses
    with pytest.raises(FilterError, match="unknown query operator"):
        query_to_cql2({"x": {"about": 3}})


def test_compiled_filter_reads_only_what_it_needs():
    compiled = CompiledFilter(
        compile_filter(
            "properties.eo:cloud_cover < 20 AND S_INTERSECTS(geometry, "
            "BBOX(0, 0, 1, 1)) AND id LIKE 'S2%'",
            "cql2-text",
        )
    )
    assert compiled.properties == ["eo:cloud_cover"] and compiled.needs_geometry
    square = {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]}
    item = {"id": "S2A_X", "properties": {"eo:cloud_cover": 3}, "geometry": square}
    assert compiled.matches(item)
    assert not compiled.matches({**item, "properties": {}})  # missing property: no match
    assert not compiled.matches({**item, "id": "S1A_X"})


def test_fields_extension_semantics():
    item = {
        "id": "a",
        "bbox": [0, 0, 1, 1],
        "type": "Feature",
        "links": [{"rel": "self"}],
        "assets": {"x": {"href": "h", "title": "t"}},
        "geometry": {"type": "Point", "coordinates": [0, 0]},
        "properties": {"datetime": "d", "eo:cloud_cover": 1},
    }
    assert apply_fields(item, None) is item
    dropped = apply_fields(item, Fields((), ("geometry", "properties.eo:cloud_cover")))
    assert list(dropped) == ["id", "bbox", "type", "links", "assets", "properties"]
    assert dropped["properties"] == {"datetime": "d"}
    kept = apply_fields(item, Fields(("assets.x.href", "properties.datetime"), ("assets",)))
    assert kept == {
        "assets": {"x": {"href": "h"}},
        "properties": {"datetime": "d"},
        "links": [{"rel": "self"}],
    }
    assert "eo:cloud_cover" in item["properties"]  # the cached item is untouched


def test_antimeridian_footprint_bbox_and_jsonb_order():
    split = {
        "type": "MultiPolygon",
        "coordinates": [
            [[[179.0, 1.0], [180.0, 1.0], [180.0, 2.0], [179.0, 2.0], [179.0, 1.0]]],
            [[[-180.0, 1.0], [-179.5, 1.0], [-179.5, 2.0], [-180.0, 2.0], [-180.0, 1.0]]],
        ],
    }
    assert footprint_bbox(split) == [179.0, 1.0, -179.5, 2.0]
    ordered = jsonb_order({"updated": 1, "gsd": 2, "created": 3, "datetime": {"b": 1, "a": 2}})
    assert list(ordered) == ["gsd", "created", "updated", "datetime"]
    assert list(ordered["datetime"]) == ["a", "b"]
