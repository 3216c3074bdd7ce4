"""The emulator's catalogue looks like the real one: satellites only within their lives, orbit
files for every day a Sentinel-1 unit flies, orbit numbers that follow the orbit, footprints the
size of each mission's swath or tile."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from cdse_intake.emulator.catalogue import S1_UNITS, build_catalogue

#: When each unit delivered products (first day, last day or None), from ESA's mission pages.
LIVES = {
    ("SENTINEL-1", "A"): (datetime(2014, 4, 3, tzinfo=UTC), None),
    ("SENTINEL-1", "B"): (datetime(2016, 4, 25, tzinfo=UTC), datetime(2021, 12, 23, tzinfo=UTC)),
    ("SENTINEL-1", "C"): (datetime(2024, 12, 5, tzinfo=UTC), None),
    ("SENTINEL-2", "A"): (datetime(2015, 6, 23, tzinfo=UTC), None),
    ("SENTINEL-2", "B"): (datetime(2017, 3, 7, tzinfo=UTC), None),
    ("SENTINEL-2", "C"): (datetime(2024, 9, 5, tzinfo=UTC), None),
    ("SENTINEL-3", "A"): (datetime(2016, 2, 16, tzinfo=UTC), None),
    ("SENTINEL-3", "B"): (datetime(2018, 4, 25, tzinfo=UTC), None),
}


@pytest.fixture(scope="module")
def catalogue():
    return build_catalogue()


def _unit(entry) -> str | None:
    return entry.attribute("platformSerialIdentifier")


def test_every_product_was_acquired_while_its_satellite_flew(catalogue):
    outside = []
    for entry in catalogue:
        life = LIVES.get((entry.collection, _unit(entry)))
        if life is None or entry.product_type.startswith("AUX_"):  # orbit files: below
            continue
        first, last = life
        if entry.start < first or (last is not None and entry.start > last + timedelta(days=1)):
            outside.append(entry.name)
    assert outside == []
    units = {(e.collection, _unit(e)) for e in catalogue if e.collection == "SENTINEL-1"}
    assert ("SENTINEL-1", "B") not in units  # the catalogue starts after S1B's end


def test_every_flying_sentinel1_unit_has_a_precise_orbit_file_for_every_day(catalogue):
    poe = defaultdict(list)
    for entry in catalogue:
        if entry.product_type == "AUX_POEORB":
            poe[_unit(entry)].append(entry)
    s1_days = {e.start.date() for e in catalogue if e.product_type.startswith("IW_")}
    for unit, files in poe.items():
        first = S1_UNITS[unit][0].date()
        covered = set()
        for entry in files:
            assert entry.end - entry.start == timedelta(hours=26)
            assert entry.name.startswith(f"S1{unit}_OPER_AUX_POEORB_OPOD_")
            day = entry.start + timedelta(hours=1)  # D-1 22:59:42 .. D+1 00:59:42
            covered.add(day.date())
            assert entry.publication > entry.end  # published after the day it covers
        wanted = {d for d in s1_days if d >= first}
        assert wanted - covered == set(), f"S1{unit}: days without a POEORB"


def test_restituted_orbit_files_follow_one_another_per_orbit(catalogue):
    res = sorted(
        (e for e in catalogue if e.product_type == "AUX_RESORB" and _unit(e) == "A"),
        key=lambda e: e.start,
    )
    assert len(res) > 1000
    gaps = {round((b.start - a.start).total_seconds()) for a, b in itertools.pairwise(res)}
    assert gaps <= {5924, 5925}  # one per orbit of 98.6 minutes
    assert all(round((e.end - e.start).total_seconds()) == 11850 for e in res)


def test_sentinel1_orbit_numbers_follow_the_orbit(catalogue):
    for entry in catalogue:
        if not entry.product_type.startswith("IW_") or _unit(entry) != "A":
            continue
        absolute = entry.attribute("orbitNumber")
        days = (entry.start - datetime(2023, 1, 1, tzinfo=UTC)).total_seconds() / 86400
        assert abs(absolute - (46_531 + days * 175 / 12)) < 2, entry.name
        assert entry.attribute("relativeOrbitNumber") == 1 + (absolute - 73) % 175
        # (an EOPF product keeps its SAFE name, the one with the orbit, as legacy_name)
        assert f"_{absolute:06d}_" in entry.extra.get("legacy_name", entry.name)


@pytest.mark.parametrize(
    ("collection", "product_type", "km"),
    [
        ("SENTINEL-2", "S2MSI2A", (90, 200)),  # a 110 km tile
        ("SENTINEL-1", "IW_GRDH_1S", (150, 350)),  # the 250 km IW swath
    ],
)
def test_footprints_have_the_size_of_the_missions_swath(catalogue, collection, product_type, km):
    import shapely

    low, high = km
    for entry in list(e for e in catalogue if e.product_type == product_type)[::50]:
        shape = shapely.geometry.shape(entry.footprint)
        _west, south, _east, north = shape.bounds
        height_km = (north - south) * 111.0
        assert low <= height_km <= high, (entry.name, height_km)


@pytest.mark.parametrize("product_type", ["L2__NO2___", "L2__CO____"])
def test_sentinel5p_gives_one_product_per_orbit_and_type(catalogue, product_type):
    """14.2 orbits a day, consecutive orbit numbers, each orbit's sunlit half centred where it
    crosses the equator at 13:30 local solar time."""
    import shapely

    products = sorted(
        (e for e in catalogue if e.product_type == product_type), key=lambda e: e.start
    )
    orbits = [e.attribute("orbitNumber") for e in products]
    assert orbits == list(range(orbits[0], orbits[0] + len(orbits)))
    per_day = defaultdict(int)
    for entry in products:
        per_day[entry.start.date()] += 1
    whole_days = sorted(per_day)[1:-1]  # the first and last days of the period are partial
    assert {per_day[day] for day in whole_days} <= {14, 15}
    days = (products[-1].start - products[0].start).total_seconds() / 86400
    assert abs(len(products) / days - 14.2) < 0.05
    for entry in products[::97]:
        shape = shapely.geometry.shape(entry.footprint)
        crossing = entry.start + (entry.end - entry.start) / 4
        hours = crossing.hour + crossing.minute / 60 + crossing.second / 3600
        centre = shape.intersection(shapely.box(-180, -1, 180, 1)).centroid.x
        local = (hours + centre / 15) % 24
        if shape.geom_type == "Polygon":  # a strip split at the antimeridian has no one centre
            assert abs(local - 13.5) < 0.1, entry.name
        assert (shape.bounds[3] - shape.bounds[1]) > 160  # pole to pole


#: How often a site is seen, in days (median gap between acquisitions over one site), by product
#: type: Sentinel-2 a tile every 2-3 days at mid-latitudes (S2A and S2B, overlapping orbits),
#: Sentinel-1 every 6 days (S1A's 12-day repeat, ascending and descending passes), Sentinel-3
#: about daily (S3A and S3B, each every other day), EW over the polar seas twice a day.
REVISITS = {
    "S2MSI1C": (1.5, 3.5),
    "S2MSI2A": (1.5, 3.5),
    "IW_GRDH_1S": (5, 7),
    "IW_SLC__1S": (5, 7),
    "OL_1_EFR___": (0.5, 1.5),
    "SL_2_LST___": (0.5, 1.5),
    "SY_2_SYN___": (0.5, 1.5),
}


@pytest.mark.parametrize("product_type", sorted(REVISITS))
def test_each_site_is_seen_at_the_missions_revisit(catalogue, product_type):
    import statistics

    low, high = REVISITS[product_type]
    by_site = defaultdict(list)
    for entry in catalogue:
        if entry.product_type == product_type and not entry.name.endswith(".zarr"):
            by_site[entry.attribute("tileId") or _centre(entry)].append(entry.start)
    assert len(by_site) >= 8
    for site, starts in by_site.items():
        starts.sort()
        gaps = [(b - a).total_seconds() / 86400 for a, b in itertools.pairwise(starts)]
        assert low <= statistics.median(gaps) <= high, (product_type, site)


def _centre(entry) -> tuple[int, int]:
    """The footprint's centre rounded to a degree: the site of a product without tile id."""
    import shapely

    centre = shapely.geometry.shape(entry.footprint).centroid
    return round(centre.x), round(centre.y)
