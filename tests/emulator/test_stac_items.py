"""STAC items and collections of the emulator against the real ones (eometadatatool samples)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import pystac
import pytest
import requests

from cdse_intake.emulator.catalogue import Entry, Payload, fmt_time
from cdse_intake.emulator.server import Emulator, ServiceURLs
from cdse_intake.emulator.stac.collections import SPECS, collection_id
from cdse_intake.emulator.stac.items import ItemFactory
from cdse_intake.emulator.stac.missions import layout_of

S2_SAMPLE = "S2A_MSIL2A_20220217T183431_N0510_R027_T13VEK_20240516T022440.json"
S1_SAMPLE = "S1A_IW_GRDH_1SDV_20240607T000653_20240607T000718_054210_0697DA_6EE4_COG.json"


def _sample(reference_dir: Path, name: str) -> dict[str, Any]:
    return json.loads((reference_dir / "samples/api/eometadatatool" / name).read_text())


def _first(emu: Emulator, collection: str, product_type: str, **where: Any) -> Entry:
    return next(
        e
        for e in emu.catalogue.entries
        if e.collection == collection
        and e.product_type == product_type
        and e.payload is None
        and e.name.endswith(".SAFE")
        and all(e.attribute(k) == v for k, v in where.items())
    )


def _get_item(emu: Emulator, entry: Entry) -> dict[str, Any]:
    cid = collection_id(entry)
    r = requests.get(f"{emu.urls.stac}/collections/{cid}/items/{entry.stem}", timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/geo+json")
    return r.json()


def test_s2_l2a_item_has_the_real_shape(cdse_emulator: Emulator, reference_dir: Path):
    sample = _sample(reference_dir, S2_SAMPLE)
    entry = _first(cdse_emulator, "SENTINEL-2", "S2MSI2A")
    item = _get_item(cdse_emulator, entry)
    # Top level in the live service's order [NB-MIG], same keys as the generator's item.
    assert list(item) == [
        "id",
        "bbox",
        "type",
        "links",
        "assets",
        "geometry",
        "collection",
        "properties",
        "stac_extensions",
        "stac_version",
    ]
    assert set(item) == set(sample)
    assert set(item["properties"]) == set(sample["properties"])
    assert set(item["assets"]) == set(sample["assets"])
    assert item["stac_extensions"] == sample["stac_extensions"]
    for key in ("B04_10m", "TCI_10m", "SCL_20m", "safe_manifest", "granule_metadata", "Product"):
        assert set(item["assets"][key]) <= set(sample["assets"][key]), key
        assert next(iter(item["assets"][key])) == "href"
    props = item["properties"]
    # jsonb key order: shortest first (gsd, created, expires, updated, datetime, ...).
    assert list(props)[:5] == ["gsd", "created", "expires", "updated", "datetime"]
    assert [len(k) for k in props] == sorted(len(k) for k in props)
    assert props["platform"] == "sentinel-2" + entry.attribute("platformSerialIdentifier").lower()
    assert props["grid:code"] == f"MGRS-{entry.attribute('tileId')}"
    assert props["sat:orbit_state"] == "descending"
    assert props["eo:cloud_cover"] == entry.attribute("cloudCover")
    assert props["sat:relative_orbit"] == entry.attribute("relativeOrbitNumber")
    assert props["datetime"] == fmt_time(entry.start) == props["start_datetime"]
    assert props["published"] == fmt_time(entry.publication)
    assert props["auth:schemes"]["oidc"]["openIdConnectUrl"].startswith(cdse_emulator.urls.identity)
    assert props["storage:schemes"]["cdse-s3"]["platform"] == cdse_emulator.urls.s3
    assert sum(props["statistics"].values()) == pytest.approx(100.0, abs=1e-3)
    assert item["geometry"] == entry.footprint


def test_s2_asset_hrefs_follow_the_product_layout(cdse_emulator: Emulator):
    entry = _first(cdse_emulator, "SENTINEL-2", "S2MSI2A")
    item = _get_item(cdse_emulator, entry)
    b04 = item["assets"]["B04_10m"]
    tile = entry.attribute("tileId")
    prefix = f"s3://eodata/{entry.s3_key}/GRANULE/L2A_T{tile}_A"
    assert b04["href"].startswith(prefix) and b04["href"].endswith("_B04_10m.jp2")
    https = b04["alternate"]["https"]
    assert https["href"].startswith(
        f"{cdse_emulator.urls.download}/Products({entry.id})/Nodes({entry.name})/Nodes(GRANULE)/"
    )
    assert https["href"].endswith(
        "/Nodes(IMG_DATA)/Nodes(R10m)/Nodes(" + b04["href"].rsplit("/", 1)[-1] + ")/$value"
    )
    assert https["auth:refs"] == ["oidc"] and b04["auth:refs"] == ["s3"]
    assert b04["proj:code"].startswith("EPSG:32")
    product = item["assets"]["Product"]
    assert product["href"] == f"{cdse_emulator.urls.download}/Products({entry.id})/$value"
    assert product["type"] == "application/zip"
    assert product["roles"] == ["data", "metadata", "archive"]
    assert product["file:size"] == entry.content_length
    assert product["file:checksum"] == "d50110" + entry.md5
    thumb = item["assets"]["thumbnail"]
    assert thumb["href"] == f"{cdse_emulator.urls.catalogue}/Assets({entry.quicklook_id})/$value"
    links = {link["rel"]: link for link in item["links"]}
    assert [link["rel"] for link in item["links"]][:4] == ["collection", "parent", "root", "self"]
    assert links["enclosure"]["href"] == f"s3://eodata/{entry.s3_key}/"
    assert links["self"]["href"].endswith(f"/collections/sentinel-2-l2a/items/{entry.stem}")


def test_s1_grd_item_matches_the_sample(cdse_emulator: Emulator, reference_dir: Path):
    sample = _sample(reference_dir, S1_SAMPLE)
    entry = _first(cdse_emulator, "SENTINEL-1", "IW_GRDH_1S")
    item = _get_item(cdse_emulator, entry)
    assert set(item["properties"]) == set(sample["properties"])
    assert set(item["assets"]) == set(sample["assets"])
    props = item["properties"]
    assert props["sat:orbit_state"] == entry.attribute("orbitDirection").lower()
    assert props["sar:polarizations"] == ["VV", "VH"]
    assert props["product:timeliness_category"] == entry.attribute("timeliness")
    assert item["assets"]["vv"]["href"].startswith(f"s3://eodata/{entry.s3_key}/measurement/")
    assert item["assets"]["vv"]["href"].endswith(".tiff")
    assert item["assets"]["schema-noise-vh"]["href"].split("/")[-2] == "calibration"


@pytest.mark.parametrize(
    ("collection", "product_type", "cid", "product_key"),
    [
        ("SENTINEL-1", "IW_SLC__1S", "sentinel-1-slc", "product"),
        ("SENTINEL-3", "OL_1_EFR___", "sentinel-3-olci-1-efr-", "product"),
        ("SENTINEL-3", "SY_2_SYN___", "sentinel-3-syn-2-syn-", "product"),
        ("SENTINEL-5P", "L2__NO2___", "sentinel-5p-l2-no2-", "netcdf"),  # no product asset
        ("CLMS", "NDVI300", "clms_ndvi_global_300m_10daily_v2_cog", "data"),
    ],
)
def test_every_mission_gives_valid_items(
    cdse_emulator: Emulator, collection: str, product_type: str, cid: str, product_key: str
):
    entries = [
        e
        for e in cdse_emulator.catalogue.entries
        if e.collection == collection
        and e.product_type == product_type
        and collection_id(e) is not None
    ]
    entry = entries[len(entries) // 2]
    assert collection_id(entry).startswith(cid)
    item = _get_item(cdse_emulator, entry)
    parsed = pystac.Item.from_dict(item)
    assert parsed.id == entry.stem and parsed.collection_id == collection_id(entry)
    assert parsed.datetime is not None
    assert item["properties"]["product:type"] == product_type
    # The zipped product, or for single-file products the file itself (served as is).
    assert item["assets"][product_key]["file:size"] == entry.content_length
    assert "Product" not in item["assets"]  # "Product" is S1 GRD's and S2's key only
    for asset in item["assets"].values():
        assert asset["href"].startswith(
            ("s3://eodata/", cdse_emulator.urls.download, cdse_emulator.urls.catalogue)
        )


def test_aux_products_are_not_stac_items(cdse_emulator: Emulator):
    aux = next(e for e in cdse_emulator.catalogue.entries if e.product_type == "AUX_POEORB")
    assert collection_id(aux) is None
    r = requests.get(f"{cdse_emulator.urls.stac}/search", params={"ids": aux.stem}, timeout=30)
    assert r.json()["features"] == []


def test_collection_documents(cdse_emulator: Emulator, reference_dir: Path):
    sample = json.loads(
        (reference_dir / "samples/api/eometadatatool/collection-sentinel-2-l2a.json").read_text()
    )
    root = cdse_emulator.urls.stac
    doc = requests.get(f"{root}/collections/sentinel-2-l2a", timeout=30).json()
    for key in (
        "id",
        "type",
        "title",
        "extent",
        "license",
        "keywords",
        "providers",
        "summaries",
        "item_assets",
        "auth:schemes",
        "storage:schemes",
        "links",
        "description",
        "stac_version",
        "stac_extensions",
        "sci:doi",
    ):
        assert key in doc and key in sample, key
    # jsonb order, as live: the template's ``bands`` sort before ``links``
    assert list(doc)[:5] == ["id", "type", "bands", "links", "title"]
    assert set(doc["item_assets"]) == set(sample["item_assets"])
    collection = pystac.Collection.from_dict(doc)
    assert collection.extent.spatial.bboxes[0][0] >= -180
    every = requests.get(f"{root}/collections", timeout=60).json()
    assert every["numberReturned"] == len(every["collections"]) > 10
    found = requests.get(f"{root}/collections", params={"q": "synergy"}, timeout=60).json()
    # every Sentinel-3 Synergy collection says so in its description
    assert sorted(c["id"] for c in found["collections"]) == sorted(
        cid for cid in SPECS if cid.startswith("sentinel-3-syn-")
    )


# -- materialised products -----------------------------------------------------------------------

URLS = ServiceURLs(
    identity="http://127.0.0.1:1/auth/realms/CDSE",
    catalogue="http://127.0.0.1:1/odata/v1",
    download="http://127.0.0.2:2/odata/v1",
    stac="http://127.0.0.1:1/stac/v1",
    s3="http://127.0.0.1:3",
)


def _with_payload(entry: Entry, files: dict[str, bytes], single: bool = False) -> Entry:
    payload = Payload.from_files(entry.name, files, single_file=single)
    return dataclasses.replace(
        entry,
        payload=payload,
        content_length=payload.size,
        md5=payload.md5,
        attributes=list(entry.attributes),
        extra=dict(entry.extra),
    )


def test_materialised_entry_lists_every_real_file(cdse_emulator: Emulator):
    meta = _first(cdse_emulator, "SENTINEL-2", "S2MSI2A")
    tile, sensed = meta.attribute("tileId"), meta.name.split("_")[2]
    granule = f"GRANULE/L2A_T{tile}_A{meta.attribute('orbitNumber'):06d}_{sensed}"
    files = {
        "manifest.safe": b"<manifest/>",
        "MTD_MSIL2A.xml": b"<mtd/>",
        f"{granule}/MTD_TL.xml": b"<tl/>",
        f"{granule}/IMG_DATA/R10m/T{tile}_{sensed}_B04_10m.jp2": b"\x00" * 1000,
        f"{granule}/IMG_DATA/R20m/T{tile}_{sensed}_SCL_20m.jp2": b"\x01" * 500,
        f"{granule}/QI_DATA/MSK_CLDPRB_20m.jp2": b"\x02" * 10,
    }
    entry = _with_payload(meta, files)
    item = ItemFactory(URLS).item(entry, SPECS["sentinel-2-l2a"])
    assets = item["assets"]
    assert {
        "safe_manifest",
        "product_metadata",
        "granule_metadata",
        "B04_10m",
        "SCL_20m",
        "thumbnail",
        "Product",
    } <= set(assets)
    by_path = {a["file:local_path"]: a for a in assets.values() if "file:local_path" in a}
    for rel, data in files.items():
        asset = by_path[f"{entry.name}/{rel}"]
        assert asset["href"] == f"s3://eodata/{entry.s3_key}/{rel}"
        assert asset["file:size"] == len(data)
        assert asset["file:checksum"] == "d50110" + hashlib.md5(data).hexdigest()
        nodes = "/".join(f"Nodes({p})" for p in [entry.name, *rel.split("/")])
        assert asset["alternate"]["https"]["href"] == (
            f"{URLS.download}/Products({entry.id})/{nodes}/$value"
        )
    assert len(assets) == len(files) + 2  # + thumbnail + Product
    assert (
        assets["Product"]["file:checksum"] == "d50110" + hashlib.md5(entry.payload.data).hexdigest()
    )
    assert assets["Product"]["file:size"] == len(entry.payload.data)


def test_materialised_single_file_product(cdse_emulator: Emulator):
    meta = next(e for e in cdse_emulator.catalogue.entries if e.product_type == "L2__NO2___")
    data = b"\x89HDF\r\n\x1a\n" + b"\x00" * 100
    entry = _with_payload(meta, {meta.name: data}, single=True)
    item = ItemFactory(URLS).item(entry, SPECS[collection_id(entry)])
    netcdf = item["assets"]["netcdf"]
    assert netcdf["href"] == f"s3://eodata/{entry.s3_key}"
    assert netcdf["file:checksum"] == "d50110" + hashlib.md5(data).hexdigest()
    assert netcdf["alternate"]["https"]["href"].endswith(f"/Nodes({entry.name})/$value")
    assert netcdf["file:local_path"] == entry.name
    assert set(item["assets"]) == {"netcdf"}  # no product asset, no thumbnail (EOMETA S5P)
    assert [link["rel"] for link in item["links"]][4:] == ["version-history"]
    assert item["links"][4]["href"].endswith(f"/{entry.name}")  # the .nc itself, no .zip


def test_served_materialised_items_describe_their_payload(cdse_emulator: Emulator):
    served = [e for e in cdse_emulator.catalogue.materialised if collection_id(e) is not None]
    if not served:
        pytest.skip("no product family is materialised yet")
    for entry in served:
        item = _get_item(cdse_emulator, entry)
        layout = layout_of(entry, SPECS[collection_id(entry)].family)
        sizes = [a.get("file:size") for a in item["assets"].values() if a.get("file:checksum")]
        if layout.product_asset:
            assert item["assets"][layout.product_asset]["file:size"] == entry.content_length
        if entry.name.endswith(".zarr"):
            assert item["assets"]["product"]["type"] == "application/vnd+zarr"
        else:
            # every file (SEN3 manifests carry no sums, as on CDSE) + the zipped product
            expected = len(entry.payload.files) + (layout.product_asset is not None)
            expected -= not layout.manifest_sums
            assert len(sizes) == expected, entry.name


def test_serialised_items_equal_the_item_dicts_byte_for_byte(cdse_emulator: Emulator):
    """Pages are assembled from :meth:`ItemFactory.item_json` (file assets serialised from
    templates): the bytes must be exactly those of the item dict, key order included, for
    every kind of item (each collection, with and without sums, single files and folders)."""
    import orjson

    factory = ItemFactory(URLS)
    seen: dict[str, int] = {}
    for entry in cdse_emulator.catalogue.entries:
        cid = collection_id(entry)
        if cid is None or seen.get(cid, 0) >= 3:
            continue
        seen[cid] = seen.get(cid, 0) + 1
        spec = SPECS[cid]
        assert factory.item_json(entry, spec) == orjson.dumps(factory.item(entry, spec)), cid
    assert len(seen) >= 20
