"""Land/sea shares of footprints (cdse_intake.landsea) and the min_sea_percent / min_land_percent
search bounds, against a brute-force sampling of the same GSHHG mask and the emulator."""

from __future__ import annotations

import math
import sys

import pytest

import cdse_intake
from cdse_intake import landsea
from cdse_intake.errors import QueryError
from cdse_intake.query import Query

pytest.importorskip("roaring_landmask")
np = pytest.importorskip("numpy")
shapely = pytest.importorskip("shapely")


def brute_force(parts: list) -> float:
    """Land share of unwrapped polygons (longitudes may pass 180°) sampled at the mask's own
    resolution on a grid of their own (from each polygon's corner), weighted by cos(latitude)."""
    step = landsea.MASK_RESOLUTION
    mask = landsea.mask()
    land = total = 0.0
    for part in parts:
        west, south, east, north = part.bounds
        xs, ys = np.meshgrid(
            np.arange(west + step / 2, east, step), np.arange(south + step / 2, north, step)
        )
        inside = shapely.contains_xy(part, xs.ravel(), ys.ravel())
        lon, lat = xs.ravel()[inside], ys.ravel()[inside]
        weight = np.cos(np.radians(lat))
        on_land = mask.contains_many((lon + 180) % 360 - 180, lat)
        land += float((weight * on_land).sum())
        total += float(weight.sum())
    return land / total


def frame(lon: float, lat: float, half_w: float, half_h: float) -> object:
    """A box of about ``2 half_w`` x ``2 half_h`` degrees of ground around a point."""
    half_w /= max(math.cos(math.radians(lat)), 0.2)
    return shapely.box(lon - half_w, lat - half_h, lon + half_w, lat + half_h)


#: Vanua Levu and Taveuni (Fiji), across the antimeridian: 178.5°E to 179.3°W.
FIJI = shapely.box(178.5, -17.5, 180.7, -16.0)
FIJI_FORMS = {
    "split at ±180": shapely.MultiPolygon(
        [shapely.box(178.5, -17.5, 180.0, -16.0), shapely.box(-180.0, -17.5, -179.3, -16.0)]
    ),
    "past 180": FIJI,
    "ring jumping the antimeridian": {
        "type": "Polygon",
        "coordinates": [
            [[178.5, -17.5], [-179.3, -17.5], [-179.3, -16.0], [178.5, -16.0], [178.5, -17.5]]
        ],
    },
}

#: Coastal footprints: Sentinel-2 tiles and a tilted Sentinel-1 scene (sampled at the mask's
#: resolution) and Sentinel-3 OLCI frames (on the coarser capped grid; the Greenland one spans
#: 11° of latitude, where leaving out the cos(latitude) weights moves the share by 2.5 points).
COASTAL = {
    "Lisbon S2 tile": (frame(-9.1, 38.7, 0.55, 0.45), [frame(-9.1, 38.7, 0.55, 0.45)]),
    "Dakar S2 tile": (frame(-17.4, 14.7, 0.55, 0.45), [frame(-17.4, 14.7, 0.55, 0.45)]),
    "Brittany S1 scene": (
        shapely.Polygon([(-5.6, 47.3), (-2.6, 47.6), (-2.9, 49.2), (-6.0, 48.9)]),
        [shapely.Polygon([(-5.6, 47.3), (-2.6, 47.6), (-2.9, 49.2), (-6.0, 48.9)])],
    ),
    **{f"Fiji, {name}": (geom, [FIJI]) for name, geom in FIJI_FORMS.items()},
    "Aegean S3 frame": (frame(24, 38, 6, 5.5), [frame(24, 38, 6, 5.5)]),
    "Greenland S3 frame": (frame(-45, 68, 6, 5.5), [frame(-45, 68, 6, 5.5)]),
}


@pytest.mark.parametrize("name", list(COASTAL))
def test_min_sea_percent_agrees_with_brute_force_on_coasts(name):
    footprint, parts = COASTAL[name]
    expected = brute_force(parts)
    assert 0.05 < expected < 0.95  # a real coast: inverted land and sea would fail below
    got = landsea.land_fraction(footprint)
    # Both sample the mask at 1/240° (the capped frames on a ~0.03° grid), on grids offset by up
    # to a cell: they differ only in the cells cut by the outline and (capped) in the coarse
    # sampling of the coast. Measured: at most 0.3 points (Dakar tile; frames at most 0.14),
    # where a wrong weighting, antimeridian or land/sea inversion costs 2.5 points or more.
    assert abs(got - expected) * 100 < 1.0
    sea = 100 * (1 - got)
    assert landsea.passes(got, min_sea_percent=sea - 0.01, min_land_percent=100 - sea - 0.01)
    assert not landsea.passes(got, min_sea_percent=sea + 0.01, min_land_percent=None)
    assert not landsea.passes(got, min_sea_percent=None, min_land_percent=100 - sea + 0.01)


def test_the_forms_of_an_antimeridian_footprint_agree():
    shares = [landsea.land_fraction(geom) for geom in FIJI_FORMS.values()]
    assert max(shares) - min(shares) < 0.0005
    # The unwrapped box's western half alone (all east of 178.5°) is not the whole story.
    assert abs(landsea.land_fraction(shapely.box(178.5, -17.5, 180.0, -16.0)) - shares[0]) > 0.005


def test_open_ocean_desert_and_lakes():
    assert landsea.land_fraction(shapely.box(-150, -5, -149, -4)) == 0.0  # mid-Pacific
    assert landsea.land_fraction(shapely.box(10, 24, 11, 25)) == 1.0  # Sahara
    # GSHHG level 1: lakes and inland seas are land.
    assert landsea.land_fraction(shapely.box(-87.6, 47.4, -86.6, 48.0)) == 1.0  # Lake Superior
    assert landsea.land_fraction(shapely.box(50, 41.5, 51, 42.5)) == 1.0  # Caspian Sea
    # Without area: the vertices decide.
    assert landsea.land_fraction(shapely.Point(-9.14, 38.72)) == 1.0  # Lisbon
    assert landsea.land_fraction({"type": "Point", "coordinates": [-20.0, 40.0]}) == 0.0


def test_many_footprints_at_once_equal_one_by_one():
    footprints = [geom for geom, _ in COASTAL.values()] + [shapely.box(10, 24, 11, 25)]
    together = landsea.land_fractions(footprints)
    assert together.shape == (len(footprints),)
    assert together == pytest.approx([landsea.land_fraction(g) for g in footprints], abs=1e-12)


def test_a_bigger_cap_converges_to_the_full_resolution():
    big = frame(24, 38, 6, 5.5)
    coarse = landsea.land_fraction(big, max_points=2_000)
    fine = landsea.land_fraction(big, max_points=20_000_000)  # every mask cell
    assert abs(landsea.land_fraction(big) - fine) < abs(coarse - fine) + 0.001
    with pytest.raises(ValueError, match="max_points"):
        landsea.land_fraction(big, max_points=0)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"min_sea_percent": 101}, "min_sea_percent=101"),
        ({"min_sea_percent": -0.5}, "min_sea_percent=-0.5"),
        ({"min_land_percent": "half"}, "min_land_percent='half'"),
        ({"min_land_percent": True}, "min_land_percent=True"),
        ({"min_sea_percent": float("nan")}, "min_sea_percent=nan"),
        ({"min_sea_percent": 60, "min_land_percent": 50}, "add up to more than 100"),
    ],
)
def test_bad_bounds_are_refused_before_any_request(fields, message):
    with pytest.raises(QueryError, match=message):
        Query(**fields)
    with pytest.raises(QueryError, match=message):
        cdse_intake.search(collection="SENTINEL-2", endpoints="http://127.0.0.1:9", **fields)


def test_bounds_are_query_fields():
    query = Query(min_sea_percent=np.int64(30), min_land_percent=20)
    assert (query.min_sea_percent, query.min_land_percent) == (30.0, 20.0)
    assert query.to_dict()["min_sea_percent"] == 30.0
    assert query == Query(min_sea_percent=30.0, min_land_percent=20.0)
    assert landsea.passes(None, min_sea_percent=None, min_land_percent=None)
    assert not landsea.passes(None, min_sea_percent=0, min_land_percent=None)


def test_a_missing_package_names_the_extra(monkeypatch):
    monkeypatch.setattr(landsea, "_mask", None)
    monkeypatch.setitem(sys.modules, "roaring_landmask", None)
    with pytest.raises(ImportError, match=r"cdse-intake\[landsea\]"):
        landsea.land_fraction(FIJI)


# -- searches against the emulator -----------------------------------------------------------

#: Lisbon (coast) and Madrid (inland) are both emulator sites.
IBERIA = {"bbox": (-10, 38, -3, 41), "start": "2024-01-01", "end": "2024-03-01"}


def search(emulator, **fields):
    return cdse_intake.search(endpoints=emulator.endpoints, cache=False, **fields)


def sea(product) -> float:
    return 100 * (1 - product.land_fraction)


@pytest.mark.parametrize("backend", ["odata", "stac"])
def test_min_sea_percent_keeps_exactly_the_products_at_sea_enough(cdse_emulator, backend):
    fields = {"collection": "SENTINEL-2", "product_type": "S2MSI2A", "backend": backend, **IBERIA}
    everything = list(search(cdse_emulator, **fields))
    shares = [sea(p) for p in everything]
    assert min(shares) < 20 < max(shares)  # both kinds are there
    kept = list(search(cdse_emulator, min_sea_percent=20, **fields))
    assert kept == [p for p in everything if sea(p) >= 20]
    assert 0 < len(kept) < len(everything)
    inland = list(search(cdse_emulator, min_land_percent=90, **fields))
    assert inland == [p for p in everything if 100 * p.land_fraction >= 90]
    assert set(inland).isdisjoint(kept) and inland


def test_the_limit_counts_the_products_kept(cdse_emulator):
    fields = {"collection": "SENTINEL-1", "product_type": "IW_GRDH_1S", "bbox": IBERIA["bbox"]}
    fields.update(start="2023-01-01", end="2023-07-01")
    everything = list(search(cdse_emulator, **fields))
    coastal = [p for p in everything if sea(p) >= 30]
    # A limit applied before the filter would keep fewer, or other, products.
    assert len(coastal) > 3 and everything[:3] != coastal[:3]
    assert list(search(cdse_emulator, min_sea_percent=30, limit=3, **fields)) == coastal[:3]
    newest = search(cdse_emulator, min_sea_percent=30, sort="-start", limit=2, **fields)
    assert list(newest) == sorted(coastal, key=lambda p: p.start, reverse=True)[:2]


def test_footprints_across_the_antimeridian_are_filtered(cdse_emulator):
    fields = {
        "collection": "SENTINEL-3",
        "product_type": "OL_1_EFR___",
        "bbox": (177, -19, -179, -17),
        "start": "2023-01-01",
        "end": "2023-01-10",
    }
    everything = list(search(cdse_emulator, **fields))
    assert everything and all(p.footprint["type"] == "MultiPolygon" for p in everything)
    east_part, west_part = shapely.geometry.shape(everything[0].footprint).geoms
    west, south, _, north = east_part.bounds
    unwrapped = shapely.box(west, south, west_part.bounds[2] + 360, north)
    assert abs(everything[0].land_fraction - brute_force([unwrapped])) * 100 < 1.0
    threshold = sea(everything[0]) - 0.01
    assert list(search(cdse_emulator, min_sea_percent=threshold, **fields)) == [
        p for p in everything if sea(p) >= threshold
    ]


@pytest.mark.filterwarnings("ignore:No products")  # the empty result is the point here
def test_products_without_footprint_are_left_out_by_a_bound(cdse_emulator):
    fields = {
        "collection": "SENTINEL-1",
        "product_type": "AUX_POEORB",
        "start": "2024-01-01",
        "end": "2024-01-05",
    }
    orbits = list(search(cdse_emulator, **fields))
    assert orbits and all(p.footprint is None and p.land_fraction is None for p in orbits)
    assert list(search(cdse_emulator, min_sea_percent=0, **fields)) == []


def test_the_column_is_computed_only_when_asked(cdse_emulator, monkeypatch):
    fields = {"collection": "SENTINEL-2", "product_type": "S2MSI2A", **IBERIA}
    bounded = search(cdse_emulator, min_sea_percent=20, **fields).to_dataframe()
    assert (bounded["land_fraction"] <= 0.8).all() and len(bounded)

    def no_mask():
        raise AssertionError("the mask was loaded")

    monkeypatch.setattr(landsea, "mask", no_mask)
    plain = search(cdse_emulator, **fields)
    assert "land_fraction" not in plain.to_dataframe().columns
    monkeypatch.undo()
    asked = plain.to_dataframe(land_fraction=True)
    assert asked["land_fraction"].tolist() == [p.land_fraction for p in plain]
