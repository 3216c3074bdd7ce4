"""Per-file listings shipped with the sums packs (emulator/sums_files.py): paths as shared
templates, sizes and MD5s as arrays."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from cdse_intake.emulator.sums_files import Listings, decode, encode

S2 = "GRANULE/L2A_T31UNE_A030028_20230103T102531/IMG_DATA/R10m/T31UNE_20230103T102531_{}_10m.jp2"


def _rows(paths: list[str]) -> list[tuple[str, int, str]]:
    return [(p, len(p) * 1000, hashlib.md5(p.encode()).hexdigest()) for p in sorted(paths)]


def test_paths_round_trip_and_products_of_one_shape_share_a_template() -> None:
    one = [S2.format(b) for b in ("B02", "B03", "TCI")] + ["MTD_MSIL2A.xml", "manifest.safe"]
    other = [p.replace("31UNE", "60GNQ").replace("030028", "039458") for p in one]
    for paths in (one, other, [""], ["a b/ü {x}.nc"]):
        assert decode(*encode(paths)) == paths
    assert encode(one)[0] == encode(other)[0]
    assert "T31UNE" in encode(one)[1] and "T31UNE" not in encode(one)[0]


def test_listings_give_back_each_products_rows() -> None:
    products = [
        _rows([S2.format(b) for b in ("B02", "B03")] + ["manifest.safe"]),
        _rows([S2.replace("31UNE", "33TUN").format("B04"), "MTD_MSIL2A.xml"]),
        _rows(["time_coordinates.nc", "Oa01_radiance.nc", "xfdumanifest.xml"]),
    ]
    listings = Listings.build(products)
    assert len(listings.templates) == 3
    assert [listings.files(i) for i in range(3)] == products
    again = Listings.from_arrays({k: np.array(v) for k, v in listings.arrays().items()})
    assert again is not None and again.files(1) == products[1]
    assert Listings.from_arrays({}) is None


def test_a_listing_that_disagrees_with_its_rows_is_refused() -> None:
    listings = Listings.build([_rows(["a.nc", "b.nc"])])
    broken = Listings(**{**listings.__dict__, "starts": np.array([0, 1], dtype=np.uint32)})
    with pytest.raises(ValueError, match="2 paths for 1 files"):
        broken.files(0)
