"""Landsat searches take the same Query as Sentinel ones: the WRS-2 path/row as ``tile``
(``"198026"``, ``"198/026"``, ``(198, 26)``), cloud cover, processing level, platform; the
products found download verified and open; STAC (no Landsat collection on CDSE) refuses clearly."""

from __future__ import annotations

import pytest

import cdse_intake
from cdse_intake.catalogue.odata_filter import build_filter
from cdse_intake.errors import NothingFoundWarning, QueryError
from cdse_intake.query import Query


def _names(results) -> set[str]:
    return {p.name for p in results}


def test_path_row_forms_are_one_filter():
    forms = ["198026", "198/026", "198/26", " 198-026 ", (198, 26)]
    queries = [Query(collection="LANDSAT-8", tile=form) for form in forms]
    assert len({q.attributes for q in queries}) == 1
    assert queries[0].tile is None
    assert [(a.name, a.value, a.value_type) for a in queries[0].attributes] == [
        ("pathNumber", 198, "Integer"),
        ("rowNumber", 26, "Integer"),
    ]
    text = build_filter(queries[0])
    assert "att/Name eq 'pathNumber' and att/OData.CSC.IntegerAttribute/Value eq 198" in text
    assert "att/Name eq 'rowNumber' and att/OData.CSC.IntegerAttribute/Value eq 26" in text
    # a new tile replaces the path/row of the old one, other conditions stay
    moved = queries[0].replace(tile="199/027", cloud=20)
    assert [(a.name, a.value) for a in moved.attributes] == [("pathNumber", 199), ("rowNumber", 27)]
    assert Query(tile="31UFT").tile == "31UFT"  # Sentinel-2 tiles as before


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"tile": "999026"}, r"tile='999026': path 999, row 26 is not a Landsat WRS-2 path/row"),
        ({"tile": (198, 26, 1)}, r"tile=\(198, 26, 1\): a Landsat path/row is two whole numbers"),
        ({"tile": "19802"}, r"tile='19802' is not a Sentinel-2 MGRS tile .* nor a Landsat WRS-2"),
        (
            {"collection": "SENTINEL-2", "tile": "198026"},
            r"tile='198026' is a Landsat WRS-2 path/row, but SENTINEL-2 products",
        ),
        (
            {"collection": "LANDSAT-9", "tile": "31UFT"},
            r"tile='31UFT' is a Sentinel-2 MGRS tile; LANDSAT-9 scenes are on the WRS-2 grid",
        ),
        (
            {"collection": "LANDSAT-8", "platform": "landsat-9"},
            r"platform='landsat-9' is LANDSAT-9, not in collection 'LANDSAT-8'",
        ),
    ],
)
def test_bad_values_are_named(fields, match):
    with pytest.raises(QueryError, match=match):
        Query(**fields)


@pytest.mark.parametrize("platform", ["landsat-9", "Landsat 9", "L9", "LC09"])
def test_a_landsat_platform_is_its_collection(platform):
    query = Query(platform=platform)
    assert (query.collection, query.platform) == ("LANDSAT-9", None)
    assert Query(platform="S2A").platform == "A"


def test_path_row_cloud_level_and_platform_search(landsat_series):
    l2, l1 = landsat_series["l2"], landsat_series["l1"]
    path, row = l2[0].attribute("pathNumber"), l2[0].attribute("rowNumber")
    every = {e.name for e in l2 + l1}
    for tile in (f"{path:03d}{row:03d}", f"{path}/{row}", (path, row)):
        assert _names(cdse_intake.search(collection="LANDSAT-8", tile=tile)) == every
    # the same through a Landsat platform, without collection=
    assert _names(cdse_intake.search(platform="landsat-8", tile=(path, row))) == every
    assert _names(cdse_intake.search(platform="LC09", tile=(path, row))) == {
        e.name for e in landsat_series["l9"]
    }
    assert _names(
        cdse_intake.search(collection="LANDSAT-8", tile=(path, row), processing_level="L2")
    ) == {e.name for e in l2}
    assert _names(
        cdse_intake.search(collection="LANDSAT-8", tile=(path, row), processing_level="L1")
    ) == {e.name for e in l1}
    cloud = sorted(e.attribute("cloudCover") for e in l2)[2]
    found = cdse_intake.search(
        collection="LANDSAT-8", tile=(path, row), processing_level="L2", cloud=cloud
    )
    assert _names(found) == {e.name for e in l2 if e.attribute("cloudCover") <= cloud}
    assert len(found) == 3
    # another path/row: none of them
    with pytest.warns(NothingFoundWarning, match=r"attributes\['rowNumber'\] eq"):
        assert not _names(cdse_intake.search(collection="LANDSAT-8", tile=(path, row + 1)))


def test_stac_has_no_landsat_collection(landsat_series):
    with pytest.raises(QueryError, match=r"'LANDSAT-8' has no STAC collection .*backend='odata'"):
        list(cdse_intake.search(collection="LANDSAT-8", tile="115057", backend="stac"))
    with pytest.raises(QueryError, match=r"pathNumber and rowNumber \(a Landsat WRS-2 path/row"):
        list(cdse_intake.search(tile="115/057", backend="stac"))


def test_found_products_download_verified_and_open(landsat_series, tmp_path):
    l2 = landsat_series["l2"]
    path, row = l2[0].attribute("pathNumber"), l2[0].attribute("rowNumber")
    results = cdse_intake.search(
        collection="LANDSAT-8", tile=f"{path}/{row}", processing_level="L2", limit=2
    )
    report = cdse_intake.download(results, tmp_path, progress=False)
    assert [o.status for o in report] == ["verified", "verified"]
    ds = cdse_intake.open_product(report[0].path, variables=["SR_B4", "QA_PIXEL"])
    assert ds.attrs["landsat_product_id"] == report[0].name
    assert (int(ds.attrs["wrs_path"]), int(ds.attrs["wrs_row"])) == (path, row)
    assert ds.SR_B4.attrs["units"] == "1"
