"""The query model: loose inputs normalised once; bad input fails early and clearly."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import shapely

from cdse_intake.errors import QueryError
from cdse_intake.query import AttributeFilter, Query

PARIS_WKT = "POLYGON ((2.2 48.8, 2.5 48.8, 2.5 48.9, 2.2 48.9, 2.2 48.8))"


def test_collection_names_both_ways():
    q = Query(collection="sentinel-2-l2a")
    assert (q.collection, q.product_type, q.stac_collections) == (
        "SENTINEL-2",
        "S2MSI2A",
        ("sentinel-2-l2a",),
    )
    q = Query(collection="Sentinel-2")
    assert q.collection == "SENTINEL-2"
    assert set(q.stac_collections) == {"sentinel-2-l1c", "sentinel-2-l2a"}
    q = Query(collection="SENTINEL-3", product_type="OL_1_EFR___", timeliness="NT")
    assert q.stac_collections == ("sentinel-3-olci-1-efr-ntc",)
    assert Query(product_type="IW_GRDH_1S").collection == "SENTINEL-1"


@pytest.mark.parametrize(
    "area",
    [
        (2.2, 48.8, 2.5, 48.9),
        PARIS_WKT,
        "SRID=4326;" + PARIS_WKT,
        json.loads(json.dumps(shapely.geometry.mapping(shapely.from_wkt(PARIS_WKT)))),
        {
            "type": "Feature",
            "properties": {},
            "geometry": json.loads(shapely.to_geojson(shapely.from_wkt(PARIS_WKT))),
        },
        shapely.from_wkt(PARIS_WKT),
    ],
)
def test_area_forms_normalise_to_the_same_geometry(area):
    key = "bbox" if isinstance(area, tuple) else "geometry"
    q = Query(**{key: area})
    assert q.geometry.equals(shapely.from_wkt(PARIS_WKT))


def test_area_from_geojson_file_and_points(tmp_path):
    path = tmp_path / "aoi.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [2, 48]}}
    ]}))  # fmt: skip
    assert Query(geometry=str(path)).geometry.equals(shapely.Point(2, 48))
    assert Query(geometry=path).geometry.geom_type == "Point"
    multi = "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))"
    assert Query(geometry=multi).geometry.geom_type == "MultiPolygon"


def test_antimeridian_bbox_is_split():
    q = Query(bbox=(170, -20, -170, -10))
    assert q.geometry.geom_type == "MultiPolygon"
    assert q.geometry.bounds == (-180, -20, 180, -10)
    assert q.geometry.area == pytest.approx(20 * 10)  # 20 degrees wide, not 340


def test_times_are_utc_and_date_only_end_is_inclusive():
    q = Query(start="2024-01-01", end=date(2024, 1, 31))
    assert q.start == datetime(2024, 1, 1, tzinfo=UTC)
    assert q.end == datetime(2024, 2, 1, tzinfo=UTC)
    q = Query(start=datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=2))))
    assert q.start == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert Query(end="2024-01-01T10:00:00Z").end == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert Query(start="2024-01-01").end is None  # open-ended


def test_cloud_sort_and_attributes():
    assert Query(cloud=20).cloud == (0.0, 20.0)
    assert Query(cloud=(5, 30)).cloud == (5.0, 30.0)
    assert Query(sort="-published").sort == ("published", "desc")
    q = Query(attributes={"orbitNumber": (">=", 100), "tileId": "31UFT", "x": ("lt", 1.5)})
    assert q.attributes == (
        AttributeFilter("orbitNumber", "ge", 100, "Integer"),
        AttributeFilter("tileId", "eq", "31UFT", "String"),
        AttributeFilter("x", "lt", 1.5, "Double"),
    )
    assert Query(platform="sentinel-1c").platform == "C"
    assert Query(platform="S5P").platform == "5P"
    assert Query(orbit_direction="desc").orbit_direction == "DESCENDING"
    assert Query(tile="t31uft").tile == "31UFT"


def test_replace_and_to_dict_round_trip():
    q = Query(collection="sentinel-2-l2a", bbox=(1, 2, 3, 4), start="2024-01-01", cloud=10)
    assert q.replace(limit=5).limit == 5
    assert q.replace(limit=5).stac_collections == ("sentinel-2-l2a",)
    d = q.to_dict()
    assert d["start"] == "2024-01-01T00:00:00Z"
    assert Query(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in d.items()}) == q


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": "2024-02-01", "end": "2024-01-01"}, "start='2024-02-01' is not before"),
        ({"start": "yesterday"}, "start='yesterday' is not a date"),
        ({"cloud": 120}, "cloud=120: 120.0 is outside 0-100"),
        ({"cloud": (30, 10)}, "minimum 30.0 is above the maximum"),
        ({"geometry": "POLYGON ((0 0, 1"}, "not valid WKT"),
        ({"geometry": "POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))"}, "Self-intersection"),
        ({"geometry": "LINESTRING (0 0, 1 1)"}, "a LineString is not an area"),
        ({"bbox": (45.1, 2.3, 48.9, 95.0)}, "latitude 95.0 is outside -90..90 (longitude and"),
        ({"bbox": (0, 10, 1, 5)}, "south (10.0) must be below north"),
        ({"bbox": (0, 1, 2)}, "has 3 numbers; expected 4"),
        ({"bbox": (-190, 1, 2, 3)}, "longitude -190.0 is outside"),
        ({"bbox": (1, 2, 3, 4), "geometry": PARIS_WKT}, "either bbox= or geometry="),
        ({"geometry": {"type": "Polygon"}}, "not a valid GeoJSON geometry"),
        ({"geometry": "/no/such/file.geojson"}, "does not exist"),
        ({"geometry": 42}, "is not an area"),
        ({"collection": "Sentinl2"}, "collection='Sentinl2' is not a CDSE collection; did you"),
        ({"collection": "sentinel-2-l2a", "product_type": "S2MSI1C"}, "is not in collection"),
        ({"tile": "31UF"}, "tile='31UF' is not a Sentinel-2 MGRS tile"),
        ({"orbit": -3}, "orbit=-3: expected a whole number >= 1"),
        ({"orbit": 2.5}, "orbit=2.5"),
        ({"limit": 0}, "limit=0"),
        ({"orbit_direction": "up"}, "orbit_direction='up'"),
        ({"platform": "S9Z"}, "platform='S9Z'"),
        ({"sort": "clouds"}, "sort='clouds': expected one of start"),
        ({"online": "yes"}, "online='yes'"),
        ({"name_contains": ""}, "name_contains=''"),
        ({"attributes": {"cloudCover": ("~", 3)}}, "expected a value or (op, value)"),
        ({"attributes": {"tileId": ("lt", "31UFT")}}, "String values only support eq and ne"),
        ({"attributes": {"1bad": 3}}, "'1bad' is not an attribute name"),
    ],
)
def test_bad_input_names_field_value_and_expectation(kwargs, message):
    with pytest.raises(QueryError) as info:
        Query(**kwargs)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_area_from_a_shapefile_in_another_crs(tmp_path):
    geopandas = pytest.importorskip("geopandas")
    frame = geopandas.GeoDataFrame(
        {"name": ["paris"]}, geometry=[shapely.from_wkt(PARIS_WKT)], crs="EPSG:4326"
    ).to_crs(3857)  # stored in web mercator: read back in lon/lat
    frame.to_file(tmp_path / "aoi.shp")
    geom = Query(geometry=str(tmp_path / "aoi.shp")).geometry
    assert geom.symmetric_difference(shapely.from_wkt(PARIS_WKT)).area < 1e-9  # ring order differs
