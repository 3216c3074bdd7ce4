"""Burst search through the client (cdse_intake.bursts) against the emulator: every filter
against a brute-force pass over the emulator's burst list, paging, clear errors for bad values,
and the burst coverage of an area."""

from __future__ import annotations

from datetime import timedelta

import pytest
import shapely

from cdse_intake.bursts import Burst, BurstQuery, burst_coverage, search_bursts
from cdse_intake.emulator import Emulator
from cdse_intake.emulator.bursts.records import table_for
from cdse_intake.errors import QueryError


@pytest.fixture(scope="module")
def emu():
    with Emulator(scale=0.02, deliver="all") as emulator:
        yield emulator


@pytest.fixture(scope="module")
def listed(emu):
    """The emulator's own bursts (what a brute-force filter runs over)."""
    return table_for(emu.catalogue).bursts


@pytest.fixture(scope="module")
def everything(emu):
    return search_bursts(endpoints=emu.endpoints)


def _search(emu, **criteria) -> list[Burst]:
    return search_bursts(endpoints=emu.endpoints, **criteria)


def test_an_unfiltered_search_pages_through_every_burst(emu, listed, everything):
    assert len(listed) > 1000  # more than one page of 1000
    assert sorted(b.id for b in everything) == sorted(b.id for b in listed)
    starts = [b.start for b in everything]
    assert starts == sorted(starts)
    small = _search(emu, limit=130)
    paged = search_bursts(BurstQuery.of(limit=130), endpoints=emu.endpoints, page_size=17)
    assert [b.id for b in paged] == [b.id for b in small] == [b.id for b in everything[:130]]


def _cases(listed):
    one = listed[len(listed) // 3]
    absolute = next(b for b in listed if b.mode == "EW").absolute_burst_id
    centre = shapely.Polygon(one.footprint).centroid
    box = (centre.x - 0.3, centre.y - 0.3, centre.x + 0.3, centre.y + 0.3)
    area = shapely.box(*box)
    start = one.start - timedelta(days=3)
    end = one.start + timedelta(days=3)
    return [
        ({"swath": one.swath}, lambda b: b.swath == one.swath),
        ({"swath": ["iw1", "EW2"]}, lambda b: b.swath in ("IW1", "EW2")),
        ({"polarisation": "hv"}, lambda b: b.polarisation == "HV"),
        ({"burst_id": one.burst_id}, lambda b: b.burst_id == one.burst_id),
        ({"absolute_burst_id": absolute}, lambda b: b.absolute_burst_id == absolute),
        ({"relative_orbit": one.relative_orbit}, lambda b: b.relative_orbit == one.relative_orbit),
        ({"orbit_direction": "desc"}, lambda b: b.direction == "DESCENDING"),
        ({"product_type": "EW_SLC__1S"}, lambda b: b.parent.product_type == "EW_SLC__1S"),
        ({"platform": "S1A"}, lambda b: b.platform == "A"),
        ({"parent": one.parent.name.removesuffix(".SAFE")}, lambda b: b.parent is one.parent),
        ({"parent": one.parent.id}, lambda b: b.parent is one.parent),
        ({"start": start, "end": end}, lambda b: start <= b.start < end),
        ({"bbox": box}, lambda b: shapely.Polygon(b.footprint).intersects(area)),
        ({"area": area.wkt, "swath": one.swath}, lambda b: b.swath == one.swath
         and shapely.Polygon(b.footprint).intersects(area)),
    ]  # fmt: skip


def test_each_filter_finds_what_a_brute_force_pass_finds(emu, listed):
    for criteria, wanted in _cases(listed):
        expected = sorted(b.id for b in listed if wanted(b))
        assert expected, criteria
        assert sorted(b.id for b in _search(emu, **criteria)) == expected, criteria


def test_records_carry_the_burst_facts(everything, listed):
    mine = {b.id: b for b in listed}
    for burst in everything[:50]:
        source = mine[burst.id]
        assert (burst.burst_id, burst.swath, burst.polarisation, burst.parent_name) == (
            source.burst_id,
            source.swath,
            source.polarisation,
            source.parent.name,
        )
        assert burst.geometry.equals(shapely.Polygon(source.footprint))


@pytest.mark.parametrize(
    ("criteria", "words"),
    [
        ({"swath": "IW4"}, "'IW4' is not one of IW1"),
        ({"swath": ["IW1", 7]}, "7 is not one of"),
        ({"polarisation": "VX"}, "'VX' is not one of VV"),
        ({"burst_id": "15804x"}, "burst_id='15804x'"),
        ({"burst_id": 0}, "burst_id=0"),
        ({"burst_id": 999_999}, "from 1 to 375887"),
        ({"relative_orbit": 176}, "relative_orbit=176: expected a whole number from 1 to 175"),
        ({"orbit_direction": "north"}, "orbit_direction='north'"),
        ({"platform": "S2A"}, "platform='S2A'"),
        ({"product_type": "IW_GRDH_1S"}, "'IW_GRDH_1S' is not one of IW_SLC__1S"),
        ({"product_type": "EW_SLC__1S", "swath": "IW1"}, "never occurs"),
        ({"parent": "S2A_MSIL1C_20240101T000000"}, "no Sentinel-1 IW or EW SLC product"),
        ({"start": "yesterday"}, "start='yesterday' is not a date"),
        ({"start": "2024-02-01", "end": "2024-01-01"}, "is not before end"),
        ({"bbox": (1, 2, 3)}, "expected 4"),
        ({"bbox": (0, 0, 1, 1), "area": "POINT (0 0)"}, "give one of area, bbox and geometry"),
        ({"limit": -3}, "limit=-3"),
        ({"swaths": "IW1"}, "swaths"),
    ],
)
def test_bad_values_are_clear_errors_before_any_request(criteria, words):
    with pytest.raises((QueryError, TypeError), match=None) as caught:
        search_bursts(endpoints={"catalogue": "http://127.0.0.1:9/odata/v1"}, **criteria)
    assert words in str(caught.value)


def test_burst_coverage_of_an_area(emu, listed):
    one = listed[len(listed) // 2]
    area = shapely.Polygon(one.footprint).centroid.buffer(0.1)
    found = burst_coverage(area, endpoints=emu.endpoints, swath=one.swath)
    expected = {
        (b.burst_id, b.relative_orbit, b.direction, b.swath)
        for b in listed
        if b.swath == one.swath and shapely.Polygon(b.footprint).intersects(area)
    }
    assert {(c.burst_id, c.relative_orbit, c.orbit_direction, c.swath) for c in found} == expected
    assert (one.burst_id, one.relative_orbit, one.direction, one.swath) in expected
    for cover in found:
        assert cover.bursts >= 1 and cover.footprint.intersects(area)
