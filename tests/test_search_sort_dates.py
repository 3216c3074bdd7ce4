"""``sort`` by cloud cover (no catalogue orders by it: sorted here) and dates of every common
type (numpy, pandas, datetime, str), against the emulator."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

import cdse_intake
from cdse_intake.errors import QueryError
from cdse_intake.query import Query

AREA = dict(collection="SENTINEL-2", product_type="S2MSI2A", start="2023-01-01", end="2023-03-01")


@pytest.mark.parametrize("backend", ["odata", "stac"])
def test_sort_by_cloud_descending_with_a_limit(cdse_emulator, backend):
    expected = sorted(
        (
            e
            for e in cdse_emulator.catalogue
            if e.product_type == "S2MSI2A"
            and datetime(2023, 1, 1, tzinfo=UTC) <= e.start < datetime(2023, 3, 1, tzinfo=UTC)
        ),
        key=lambda e: -e.attribute("cloudCover"),
    )
    found = cdse_intake.search(
        **AREA, sort="-cloud", limit=7, backend=backend, endpoints=cdse_emulator.endpoints
    )
    clouds = [p.cloud_cover for p in found]
    assert len(clouds) == 7
    assert clouds == sorted(clouds, reverse=True)
    assert clouds == [e.attribute("cloudCover") for e in expected[:7]]


def test_sort_by_cloud_ascending_has_every_product(cdse_emulator):
    found = cdse_intake.search(**AREA, sort="cloud", endpoints=cdse_emulator.endpoints)
    by_start = cdse_intake.search(**AREA, endpoints=cdse_emulator.endpoints)
    clouds = [p.cloud_cover for p in found]
    assert clouds == sorted(clouds)
    assert {p.id for p in found} == {p.id for p in by_start} and len(found) > 20


@pytest.mark.parametrize(
    ("alias", "key"), [("-cloudCover", ("cloud", "desc")), ("eo:cloud_cover", ("cloud", "asc"))]
)
def test_sort_aliases(alias, key):
    assert Query(sort=alias).sort == key


def test_a_bad_sort_names_the_keys():
    with pytest.raises(QueryError, match=r"sort='-clouds'.*cloud"):
        Query(sort="-clouds")


@pytest.mark.parametrize(
    "value",
    [
        np.datetime64("2023-01-05"),
        np.datetime64("2023-01-05T00:00:00"),
        np.datetime64("2023-01-05T00:00:00.000000000"),
        pd.Timestamp("2023-01-05"),
        pd.Timestamp("2023-01-05T01:00", tz="Europe/Paris"),
        datetime(2023, 1, 5),
        date(2023, 1, 5),
        "2023-01-05",
        "2023-01-05T00:00:00Z",
    ],
    ids=repr,
)
def test_every_common_date_type(value):
    assert Query(start=value).start == datetime(2023, 1, 5, tzinfo=UTC)


def test_a_numpy_day_as_end_includes_the_day():
    assert Query(end=np.datetime64("2023-01-05")).end == datetime(2023, 1, 6, tzinfo=UTC)


def test_not_a_time_is_refused():
    with pytest.raises(QueryError, match="NaT"):
        Query(start=np.datetime64("NaT"))
