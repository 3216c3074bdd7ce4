"""A real third-party client, CDSETool, searching the emulated OData catalogue.

CDSETool hard-codes ``https://catalogue.dataspace.copernicus.eu/odata/v1`` in
``FeatureQuery._build_query_url``; the only change made here is that URL (a one-method subclass).
Everything after the first request follows the emulator's own ``@odata.nextLink``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

cdsetool_query = pytest.importorskip("cdsetool.query", reason="cdsetool is not installed")

REAL_ROOT = "https://catalogue.dataspace.copernicus.eu/odata/v1"


def _query(emu, collection: str, terms: dict, **options):
    class EmulatedFeatureQuery(cdsetool_query.FeatureQuery):
        def _build_query_url(self, include_count: bool = False) -> str:
            url = super()._build_query_url(include_count)
            assert url.startswith(REAL_ROOT)
            return emu.urls.catalogue + url.removeprefix(REAL_ROOT)

    return EmulatedFeatureQuery(collection, terms, options=options)


def test_query_features_pages_through_everything(cdse_emulator):
    terms = {
        "contentDateStartGt": "2023-03-01",
        "contentDateStartLt": "2023-05-01",
        "productType": "IW_GRDH_1S",
        "top": 200,
    }
    features = _query(cdse_emulator, "SENTINEL-1", terms, expand_attributes=True)
    ids = [f["Id"] for f in features]
    lo, hi = datetime(2023, 3, 1, tzinfo=UTC), datetime(2023, 5, 1, tzinfo=UTC)
    want = {
        e.id
        for e in cdse_emulator.catalogue
        if e.collection == "SENTINEL-1" and e.product_type == "IW_GRDH_1S" and lo < e.start < hi
    }
    assert len(want) > 400  # several pages of 200
    assert len(features) == len(ids) == len(set(ids)) == len(want) and set(ids) == want
    first = features[0]
    assert cdsetool_query.get_product_attribute(first, "productType") == "IW_GRDH_1S"
    pages = cdse_emulator.state.requests(path="/odata/v1/Products")
    assert len(pages) == len(want) // 200 + 1 and all(p.status == 200 for p in pages)


def test_attribute_and_geometry_filters(cdse_emulator):
    terms = {
        "contentDateStartGt": "2023-01-01",
        "contentDateStartLt": "2023-07-01",
        "cloudCover": "[0,20]",
        "geometry": "POLYGON((2.0 48.5,2.8 48.5,2.8 49.2,2.0 49.2,2.0 48.5))",
    }
    features = list(_query(cdse_emulator, "SENTINEL-2", terms, expand_attributes=True))
    assert features
    for feature in features:
        assert cdsetool_query.get_product_attribute(feature, "cloudCover") <= 20
