"""SearchResults.to_pystac(): CDSE's products as a pystac ItemCollection, from either backend."""

from __future__ import annotations

import json
import socket
import urllib.parse
import urllib.request
from datetime import datetime

import pytest

import cdse_intake
from cdse_intake.catalogue.records import parse_datetime
from cdse_intake.stac_items import multihash

pystac = pytest.importorskip("pystac")

QUERY = {
    "collection": "sentinel-2-l1c",
    "tile": "31UNE",
    "start": "2023-01-01",
    "end": "2023-02-01",
}


def _raw_stac_items(stac_root: str, ids: list[str]) -> dict[str, dict]:
    """The emulator's own STAC answer for these item ids (``GET <stac>/search``)."""
    params = urllib.parse.urlencode({"ids": ",".join(ids), "limit": len(ids)})
    with urllib.request.urlopen(f"{stac_root}/search?{params}", timeout=60) as answer:
        body = json.loads(answer.read())
    return {feature["id"]: feature for feature in body["features"]}


def _when(text: str | None) -> datetime | None:
    return parse_datetime(text)


def _same_coords(a, b) -> bool:
    if isinstance(a, int | float):
        return abs(a - b) <= 1e-9
    return len(a) == len(b) and all(_same_coords(x, y) for x, y in zip(a, b, strict=True))


@pytest.fixture
def searched(cdse_emulator, cdse_env):
    stac = cdse_intake.search(**QUERY, backend="stac")
    odata = cdse_intake.search(**QUERY, backend="odata")
    assert len(stac) > 3
    return stac, odata


def test_stac_results_match_the_stac_answer(searched, cdse_env):
    stac, _ = searched
    items = stac.to_pystac()
    assert isinstance(items, pystac.ItemCollection)
    assert len(items) == len(stac)
    raw = _raw_stac_items(cdse_env["CDSE_STAC_URL"], [i.id for i in items])
    assert set(raw) == {i.id for i in items}
    for item, product in zip(items, stac, strict=True):
        answer = raw[item.id]
        assert item.id == product.stem == answer["id"]
        assert item.geometry["type"] == answer["geometry"]["type"]
        assert _same_coords(item.geometry["coordinates"], answer["geometry"]["coordinates"])
        assert _same_coords(item.bbox, answer["bbox"])
        for key in ("datetime", "start_datetime", "end_datetime"):
            assert _when(item.properties[key]) == _when(answer["properties"][key])
        assert item.collection_id == answer["collection"]
        # Every asset of CDSE's item is there, with its href; nothing else but ``product``.
        for key, asset in answer["assets"].items():
            assert item.assets[key].href == asset["href"]
        assert set(item.assets) - set(answer["assets"]) <= {"product"}
        for field in ("eo:cloud_cover", "sat:relative_orbit", "platform", "product:type"):
            assert item.properties[field] == answer["properties"][field]


def test_odata_results_give_the_same_items(searched):
    stac, odata = searched
    by_stac = {i.id: i for i in stac.to_pystac()}
    by_odata = {i.id: i for i in odata.to_pystac()}
    assert set(by_odata) == set(by_stac)
    for item_id, item in by_odata.items():
        other = by_stac[item_id]
        assert item.collection_id == other.collection_id == "sentinel-2-l1c"
        for key in ("datetime", "start_datetime", "end_datetime"):
            assert _when(item.properties[key]) == _when(other.properties[key])
        assert _same_coords(item.bbox, other.bbox)
        for field in (
            "eo:cloud_cover",
            "sat:absolute_orbit",
            "sat:relative_orbit",
            "sat:orbit_state",
            "platform",
            "constellation",
            "instruments",
            "product:type",
            "grid:code",
            "processing:version",
        ):
            if field in item.properties:  # what the OData record has (S2: no orbitDirection)
                assert item.properties[field] == other.properties[field], field
        for field in ("eo:cloud_cover", "sat:absolute_orbit", "platform", "product:type"):
            assert field in item.properties, field


def test_product_asset_points_at_the_download_service(searched, cdse_env):
    _, odata = searched
    download = cdse_env["CDSE_DOWNLOAD_URL"]
    for item, product in zip(odata.to_pystac(), odata, strict=True):
        asset = item.assets["product"]
        assert asset.href == f"{download}/Products({product.id})/$value"
        assert asset.media_type == "application/zip"
        assert asset.extra_fields["file:size"] == product.size
        assert asset.extra_fields["file:checksum"] == "d50110" + product.md5
        assert asset.extra_fields["alternate"]["s3"]["href"] == f"s3:/{product.s3_path}/"
        assert "quicklook" in item.assets


def test_items_validate_and_round_trip(searched, cdse_env, monkeypatch):
    stac, odata = searched
    for results in (stac, odata):
        collection = results.to_pystac()
        data = collection.to_dict()
        text = json.dumps(data)
        for secret in (
            cdse_env["CDSE_PASSWORD"],
            cdse_env.get("CDSE_S3_SECRET_KEY"),
            cdse_env.get("CDSE_S3_ACCESS_KEY"),
        ):
            assert not secret or secret not in text
        assert "token" not in text.lower()
        again = pystac.ItemCollection.from_dict(data)
        assert again.to_dict() == data
        # pystac carries the core schemas; extensions' schemas are on the network: validate the
        # core (never asking the network) and check the extension fields' structure.
        with monkeypatch.context() as patch:
            patch.setattr(socket, "create_connection", _no_network)
            for item in collection:
                core = pystac.Item.from_dict({**item.to_dict(), "stac_extensions": []})
                core.validate()
                assert all(url.startswith("https://") for url in item.stac_extensions)
                assert item.properties["eo:cloud_cover"] >= 0


def _no_network(*args, **kwargs):
    raise AssertionError(f"network asked: {args}")


def test_multihash():
    assert multihash("MD5", "ab" * 16) == "d50110" + "ab" * 16
    assert multihash("BLAKE3", "CD" * 32) == "1e20" + "cd" * 32
    assert multihash("CRC32", "00") is None
