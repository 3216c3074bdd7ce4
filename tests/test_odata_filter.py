"""The client's OData $filter builder: CDSE's grammar, escaping that cannot be broken."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdse_intake.catalogue.odata_filter import build_filter, build_orderby, literal
from cdse_intake.errors import QueryError
from cdse_intake.query import Query


def test_literals():
    assert literal("O'Brien") == "'O''Brien'"
    assert literal(True) == "true"
    assert literal(20) == "20"
    assert literal(20.0) == "20.0"
    assert literal(1e-7) == "0.0000001"
    assert literal(datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=UTC)) == "2024-01-02T03:04:05.000006Z"
    with pytest.raises(QueryError, match="NUL"):
        literal("a\x00b")
    with pytest.raises(QueryError, match="finite"):
        literal(float("nan"))


@given(st.text(min_size=1, max_size=40).filter(lambda s: "\x00" not in s))
def test_string_literal_round_trips(text):
    lit = literal(text)
    assert lit.startswith("'")
    assert lit.endswith("'")
    body = lit[1:-1]
    # Every quote inside is doubled: undoing that gives the original, and no lone quote remains.
    assert body.replace("''", "").count("'") == 0
    assert body.replace("''", "'") == text


def test_full_filter_shape():
    q = Query(
        collection="SENTINEL-2",
        product_type="S2MSI2A",
        bbox=(1, 2, 3, 4),
        start="2024-01-01",
        end="2024-01-31",
        cloud=20,
        tile="31UFT",
        name_contains="N0510",
    )
    assert build_filter(q) == (
        "Collection/Name eq 'SENTINEL-2' and Attributes/OData.CSC.StringAttribute/any("
        "att:att/Name eq 'productType' and att/OData.CSC.StringAttribute/Value eq 'S2MSI2A') and "
        "OData.CSC.Intersects(area=geography'SRID=4326;POLYGON ((3 2, 3 4, 1 4, 1 2, 3 2))') and "
        "ContentDate/Start ge 2024-01-01T00:00:00.000000Z and "
        "ContentDate/Start lt 2024-02-01T00:00:00.000000Z and "
        "Attributes/OData.CSC.DoubleAttribute/any(att:att/Name eq 'cloudCover' and "
        "att/OData.CSC.DoubleAttribute/Value le 20.0) and "
        "Attributes/OData.CSC.StringAttribute/any(att:att/Name eq 'tileId' and "
        "att/OData.CSC.StringAttribute/Value eq '31UFT') and contains(Name,'N0510')"
    )
    assert build_orderby(q) == "ContentDate/Start asc"
    assert build_orderby(q.replace(sort="-modified")) == "ModificationDate desc"


def test_s5p_timeliness_is_processing_mode():
    q = Query(collection="sentinel-5p-l2-no2-offl")
    assert "att/Name eq 'processingMode'" in build_filter(q)
    assert "att/Name eq 'timeliness'" in build_filter(Query(collection="sentinel-3-sl-2-lst-ntc"))


def test_injection_attempt_stays_a_literal():
    evil = "x') or Collection/Name eq ('SENTINEL-1"
    text = build_filter(Query(name_contains=evil))
    assert text == "contains(Name,'x'') or Collection/Name eq (''SENTINEL-1')"


def test_dates_before_the_year_1000_keep_four_digits():
    from datetime import UTC, datetime

    from cdse_intake.catalogue.odata_filter import literal

    assert literal(datetime(1, 1, 1, tzinfo=UTC)) == "0001-01-01T00:00:00.000000Z"
    assert literal(datetime(2023, 5, 1, 10, tzinfo=UTC)) == "2023-05-01T10:00:00.000000Z"
