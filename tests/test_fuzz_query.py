"""Fuzzing the query model: whatever a caller passes, ``Query`` (and ``search`` before any
request) either accepts it or raises ``QueryError`` naming the field — never a ``TypeError``,
``OverflowError``, ``RecursionError``, ``UnicodeDecodeError`` or a shapely error."""

from __future__ import annotations

import contextlib
import math
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdse_intake.errors import QueryError
from cdse_intake.query import Query

FIELDS = (
    "collection", "product_type", "geometry", "bbox", "start", "end", "cloud", "tile", "orbit",
    "relative_orbit", "orbit_direction", "platform", "processing_level", "processing_baseline",
    "timeliness", "name_contains", "name_startswith", "name_endswith", "online", "attributes",
    "sort", "limit", "min_sea_percent", "min_land_percent",
)  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=10),  # surrogates too
    st.binary(max_size=20),
    st.datetimes(),
    st.dates(),
    st.timedeltas(),
    st.just(np.datetime64("NaT")),
    st.just(np.datetime64("9999-12-31")),
    st.just(datetime.max),
    st.just(date.min),
    st.just(float("nan")),
    st.just(math.inf),
    st.just("POINT (1 2)"),
    st.just("POLYGON ((0 0, 1 0, 1 1, 0 0))"),
    st.just({"type": "Circle", "coordinates": [1, 2], "radius": 3}),
    st.just({"type": "Polygon", "coordinates": [[[0, 0], [1e308, 0], [1, 1], [0, 0]]]}),
    st.just({"type": "Polygon", "coordinates": "nope"}),
    st.just(timedelta(days=-1)),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=8), inner, max_size=3),
    ),
    max_leaves=8,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(FIELDS), values, max_size=4))
def test_any_input_is_accepted_or_refused_with_a_query_error(kwargs):
    with contextlib.suppress(QueryError):
        Query(**kwargs)


def _deep(depth: int):
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


def test_deeply_nested_input_is_a_query_error_not_a_recursion_error():
    for name in ("geometry", "attributes", "product_type", "cloud"):
        with contextlib.suppress(QueryError):
            Query(**{name: _deep(5000)})


def test_a_lone_surrogate_is_refused_not_dropped():
    for name in ("name_contains", "collection", "product_type"):
        with pytest.raises(QueryError, match=name):
            Query(**{name: "S2A\udc80"})
