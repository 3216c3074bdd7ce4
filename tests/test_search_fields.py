"""Every query field, on both backends, against a brute-force answer over the emulator's records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import shapely

import cdse_intake
from cdse_intake.emulator.catalogue_list import BY_ID
from cdse_intake.errors import NothingFoundWarning
from cdse_intake.query import Query

# One month: every case matches tens to hundreds of records (STAC items are ~55 kB each, as
# CDSE's: three months cost the suite ~35 s for no more coverage).
START, END = datetime(2023, 1, 1, tzinfo=UTC), datetime(2023, 2, 1, tzinfo=UTC)


def in_time(e) -> bool:
    return START <= e.start < END


def att(name):
    return lambda e: e.attribute(name)


# (search keywords, predicate over emulator entries); all within START..END.
#: The product types of the sentinel-1-grd and sentinel-1-slc STAC collections (IW, EW, SM).
S1_GRD = BY_ID["sentinel-1-grd"].product_types
S1_SLC = BY_ID["sentinel-1-slc"].product_types

CASES = {
    "product_type": (
        {"collection": "SENTINEL-3", "product_type": "SL_2_LST___"},
        lambda e: e.product_type == "SL_2_LST___",
    ),
    "bbox": (
        {"collection": "SENTINEL-2", "bbox": (12.0, 41.0, 13.0, 42.5)},
        lambda e: (
            e.collection == "SENTINEL-2"
            and shapely.geometry.shape(e.footprint).intersects(shapely.box(12.0, 41.0, 13.0, 42.5))
        ),
    ),
    "cloud_range": (
        {"collection": "sentinel-2-l1c", "cloud": (20, 40)},
        lambda e: e.product_type == "S2MSI1C" and 20 <= e.attribute("cloudCover") <= 40,
    ),
    "tile": (
        {"collection": "sentinel-2-l2a", "tile": "31UNE"},
        lambda e: e.product_type == "S2MSI2A" and e.attribute("tileId") == "31UNE",
    ),
    "orbit": (
        {"collection": "sentinel-1-grd", "orbit": 46613},
        lambda e: e.product_type in S1_GRD and e.attribute("orbitNumber") == 46613,
    ),
    "relative_orbit": (
        {"collection": "sentinel-1-grd", "relative_orbit": 37},
        lambda e: e.product_type in S1_GRD and e.attribute("relativeOrbitNumber") == 37,
    ),
    "orbit_direction": (
        {"collection": "sentinel-1-slc", "orbit_direction": "descending"},
        lambda e: e.product_type in S1_SLC and e.attribute("orbitDirection") == "DESCENDING",
    ),
    "platform": (
        {"collection": "sentinel-2-l2a", "platform": "S2B"},
        lambda e: e.product_type == "S2MSI2A" and e.attribute("platformSerialIdentifier") == "B",
    ),
    "processing_baseline": (
        {"collection": "sentinel-2-l1c", "processing_baseline": "05.09"},
        lambda e: e.product_type == "S2MSI1C" and e.attribute("processingBaseline") == "05.09",
    ),
    "name_startswith": (
        {"collection": "SENTINEL-1", "name_startswith": "S1A_IW_SLC"},
        lambda e: e.collection == "SENTINEL-1" and e.name.startswith("S1A_IW_SLC"),
    ),
    "name_endswith": (
        {"collection": "sentinel-5p-l2-co-nrti", "name_endswith": ".nc"},
        lambda e: e.product_type == "L2__CO____" and e.attribute("processingMode") == "NRTI",
    ),
    "timeliness": (
        {"collection": "sentinel-3-olci-1-efr-nrt"},
        lambda e: e.product_type == "OL_1_EFR___" and e.attribute("timeliness") == "NR",
    ),
    "attributes": (
        {"collection": "sentinel-2-l2a", "attributes": {"relativeOrbitNumber": ("le", 20)}},
        lambda e: e.product_type == "S2MSI2A" and e.attribute("relativeOrbitNumber") <= 20,
    ),
    "several_product_types": (
        {"collection": "SENTINEL-1", "product_type": ("IW_GRDH_1S", "IW_SLC__1S")},
        lambda e: e.product_type in ("IW_GRDH_1S", "IW_SLC__1S"),
    ),
}
ODATA_ONLY = {
    "online": (
        {"collection": "SENTINEL-5P", "online": True},
        lambda e: e.collection == "SENTINEL-5P" and e.online,
    ),
    "name_contains_quote": ({"collection": "SENTINEL-2", "name_contains": "O'Brien"}, None),
}


def brute_force(emu, predicate):
    return {e.id for e in emu.catalogue if e.footprint is not None and in_time(e) and predicate(e)
            and not e.name.endswith(".zarr")}  # fmt: skip


@pytest.mark.parametrize("backend", ["odata", "stac"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_field(cdse_emulator, cdse_env, backend, case):
    kwargs, predicate = CASES[case]
    found = cdse_intake.search(**kwargs, start=START, end=END, backend=backend, cache=False)
    want = brute_force(cdse_emulator, predicate)
    assert want, f"the case {case} should match something"
    assert {p.id for p in found} == want


@pytest.mark.parametrize("case", sorted(ODATA_ONLY))
def test_odata_only_fields(cdse_emulator, cdse_env, case):
    kwargs, predicate = ODATA_ONLY[case]
    results = cdse_intake.search(**kwargs, start=START, end=END, cache=False)
    if predicate is None:  # a quote in a value is a literal, not a syntax error or an injection
        with pytest.warns(NothingFoundWarning, match="alone matches no SENTINEL-2"):
            found = {p.id for p in results}
        assert found == set()
        return
    found = {p.id for p in results}
    assert found == brute_force(cdse_emulator, predicate)


def test_offline_products_are_filtered(cdse_emulator, cdse_env):
    query = Query(collection="SENTINEL-5P", start=START, end=datetime(2023, 1, 5, tzinfo=UTC))
    everything = list(cdse_intake.search(query=query, cache=False))
    cdse_emulator.faults.add("offline", product=everything[0].id, times=None)
    online = list(cdse_intake.search(query=query.replace(online=True), cache=False))
    assert {p.id for p in online} == {p.id for p in everything} - {everything[0].id}
