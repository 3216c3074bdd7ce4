"""STAC items per mission as CDSE's generator (eu-cdse/eometadatatool) writes them, the served
bytes behind their assets, and the landing page, conformance and service description.

Expected asset keys, roles, types and ``stac_extensions`` come from the real S1 GRD sample
(``reference/samples/api/eometadatatool``) and, for the other missions, from the generator's
templates and examples (``eometadatatool/stac/<template>/``, commit 34774b6).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pystac
import pytest
import requests
from pystac_client import Client

from cdse_intake.emulator.catalogue import Entry
from cdse_intake.emulator.payloads import deliverable
from cdse_intake.emulator.server import Emulator
from cdse_intake.emulator.stac.collections import collection_id

_EXT = "https://stac-extensions.github.io"
_EOPF = "https://cs-si.github.io/eopf-stac-extension/v1.2.0/schema.json"


def _ext(*names: str) -> list[str]:
    versions = {
        "alternate-assets": "v1.2.0",
        "authentication": "v1.1.0",
        "datacube": "v2.3.0",
        "eo": "v2.0.0",
        "file": "v2.1.0",
        "processing": "v1.2.0",
        "product": "v1.0.0",
        "projection": "v2.0.0",
        "raster": "v2.0.0",
        "sar": "v1.3.0",
        "sat": "v1.1.0",
        "storage": "v2.0.0",
        "timestamps": "v1.1.0",
        "view": "v1.1.0",
    }
    return [_EOPF] + [f"{_EXT}/{n}/{versions[n]}/schema.json" for n in names]


_COMMON = ("alternate-assets", "authentication")
#: ``stac_extensions`` of the generator's examples (S1 SLC IW, OLCI EFR, SLSTR LST, SYN, NO2).
EXTENSIONS = {
    "IW_SLC__1S": _ext(*_COMMON, "file", "processing", "product", "projection", "sar", "sat",
                       "storage", "timestamps", "view"),
    "OL_1_EFR___": _ext(*_COMMON, "eo", "file", "processing", "product", "projection", "sat",
                        "storage", "timestamps"),
    "SL_2_LST___": _ext(*_COMMON, "eo", "file", "processing", "product", "projection", "sat",
                        "storage", "timestamps"),
    "SY_2_SYN___": _ext(*_COMMON, "eo", "file", "processing", "product", "projection", "sat",
                        "storage", "timestamps"),
    "L2__NO2___": _ext(*_COMMON, "datacube", "file", "processing", "product", "projection",
                       "sat", "storage", "timestamps"),
}  # fmt: skip
OLCI_ANNOTATIONS = {
    "geo-coordinates": "Geo Coordinates Annotations",
    "instrument-data": "Instrument Data Annotations",
    "quality-flags": "Quality Flags Annotations",
    "tie-geo-coordinates": "Tie Geo Coordinates Annotations",
    "tie-geometries": "Tie Geometries Annotations",
    "tie-meteo": "Tie Meteo Annotations",
    "time-coordinates": "Time Coordinates Annotations",
}
LST_KEYS = {
    "LST_in", "LST_ancillary_ds", "cartesian_in", "cartesian_tx", "flags_in", "geodetic_in",
    "geodetic_tx", "geometry_tn", "indices_in", "met_tx", "time_in",
}  # fmt: skip
SYN_KEYS = {
    "flags", "geolocation", "syn_amin", "syn_angstrom_exp550", "syn_annot_rem", "syn_aot550",
    "syn_sdr_removed_pixel", "tiepoints_meteo", "tiepoints_olci", "tiepoints_slstr_n",
    "tiepoints_slstr_o", "time",
    *(f"syn_Oa{i:02d}_reflectance" for i in (*range(1, 13), 16, 17, 18, 21)),
    *(f"syn_S{i}{v}_reflectance" for i in (1, 2, 3, 5, 6) for v in "NO"),
}  # fmt: skip
COG = "image/tiff; application=geotiff; profile=cloud-optimized"
NETCDF = "application/netcdf"


@pytest.fixture(scope="module")
def every_product() -> Iterator[Emulator]:
    """A small private emulator delivering every product (the session's delivers a showcase)."""
    emu = Emulator(seed=4321, scale=0.02, s3=False, deliver="all").start()
    yield emu
    emu.stop()


def _showcase(emu: Emulator, product_type: str) -> Entry:
    """A product of ``product_type`` whose bytes the emulator serves."""
    return next(
        e
        for e in [*emu.catalogue.materialised, *emu.catalogue.entries]
        if e.product_type == product_type and collection_id(e) is not None and deliverable(e)
    )


def _item(emu: Emulator, entry: Entry) -> dict[str, Any]:
    url = f"{emu.urls.stac}/collections/{collection_id(entry)}/items/{entry.stem}"
    reply = requests.get(url, timeout=60)
    assert reply.status_code == 200, reply.text
    return reply.json()


def _trailing_links(item: dict[str, Any]) -> list[str]:
    """The generator's links (after stac-fastapi's collection, parent, root, self)."""
    assert [link["rel"] for link in item["links"][:4]] == ["collection", "parent", "root", "self"]
    return [link["rel"] for link in item["links"][4:]]


# -- items per mission ---------------------------------------------------------------------------


def test_s1_grd_assets_match_the_real_item(cdse_emulator: Emulator, reference_dir: Path):
    sample = json.loads(
        (
            reference_dir / "samples/api/eometadatatool"
            / "S1A_IW_GRDH_1SDV_20240607T000653_20240607T000718_054210_0697DA_6EE4_COG.json"
        ).read_text()
    )  # fmt: skip
    item = _item(cdse_emulator, _showcase(cdse_emulator, "IW_GRDH_1S"))
    assert set(item["assets"]) == set(sample["assets"])
    for key, real in sample["assets"].items():
        ours = item["assets"][key]
        for field in ("type", "title", "roles", "description", "sar:polarizations", "data_type"):
            assert ours.get(field) == real.get(field), (key, field)
    assert item["stac_extensions"] == sample["stac_extensions"]
    assert _trailing_links(item) == ["version-history", "enclosure"]


def test_s1_slc_item_follows_the_slc_template(cdse_emulator: Emulator):
    entry = _showcase(cdse_emulator, "IW_SLC__1S")
    item = _item(cdse_emulator, entry)
    beams, pols = ("iw1", "iw2", "iw3"), ("vv", "vh")
    expected = {"safe_manifest", "thumbnail", "product"}
    for beam in beams:
        for pol in pols:
            expected |= {f"{beam}-{pol}"} | {
                f"schema-{kind}-{beam}-{pol}" for kind in ("product", "calibration", "noise")
            }
    assets = item["assets"]
    assert set(assets) == expected
    assert assets["iw2-vv"]["roles"] == ["data", "iw2"] and assets["iw2-vv"]["type"] == COG
    assert assets["iw2-vv"]["data_type"] == "cint16" and assets["iw2-vv"]["sar:looks_range"] == 1
    assert assets["schema-noise-iw1-vh"]["roles"] == ["metadata", "iw1"]
    assert assets["schema-product-iw3-vv"]["title"] == "VV Product Schema"
    assert assets["safe_manifest"]["description"] == "General product metadata in XML format."
    assert assets["product"]["type"] == "application/zip"
    props = item["properties"]
    assert props["sar:beam_ids"] == list(beams)
    assert (props["sar:resolution_range"], props["sar:resolution_azimuth"]) == (5, 20)
    assert props["sat:anx_datetime"] < props["datetime"]
    assert "view:incidence_angle" not in props and "sar:pixel_spacing_range" not in props
    assert props["processing:software"]["Sentinel-1 IPF"] == entry.attribute("processorVersion")
    assert props["product:timeliness"] == "PT24H"
    assert item["stac_extensions"] == EXTENSIONS["IW_SLC__1S"]
    assert _trailing_links(item) == ["version-history"]  # the SLC template adds no enclosure


def test_olci_efr_item_follows_the_ol1_template(cdse_emulator: Emulator):
    item = _item(cdse_emulator, _showcase(cdse_emulator, "OL_1_EFR___"))
    assets = item["assets"]
    radiance = {f"Oa{i:02d}_radianceData" for i in range(1, 22)}
    assert set(assets) == {
        "xfdumanifest", "thumbnail", "product", "removed-pixels", *OLCI_ANNOTATIONS, *radiance,
    }  # fmt: skip
    for key, title in OLCI_ANNOTATIONS.items():
        assert (assets[key]["title"], assets[key]["type"], assets[key]["roles"]) == (
            title,
            NETCDF,
            ["data"],
        )
    oa17 = assets["Oa17_radianceData"]
    assert oa17["title"] == "TOA radiance for OLCI acquisition band Oa17"
    assert oa17["bands"][0]["name"] == "Oa17" and oa17["bands"][0]["eo:center_wavelength"] == 0.865
    manifest = assets["xfdumanifest"]
    assert manifest["title"] == "Product manifest" and "file:size" not in manifest  # as real
    assert assets["thumbnail"]["type"] == "image/jpeg"
    assert assets["thumbnail"]["file:local_path"].endswith(".SEN3/quicklook.jpg")
    props = item["properties"]
    assert props["gsd"] == 300 and props["proj:code"] is None
    assert set(props["statistics"]) >= {"saline_water", "bright", "dubious_samples"}
    assert "processing:facility" not in props and "eo:cloud_cover" not in props
    assert item["stac_extensions"] == EXTENSIONS["OL_1_EFR___"]
    assert _trailing_links(item) == ["version-history", "enclosure"]


def test_slstr_lst_and_synergy_items(cdse_emulator: Emulator):
    lst = _item(cdse_emulator, _showcase(cdse_emulator, "SL_2_LST___"))
    assert set(lst["assets"]) == LST_KEYS | {"xfdumanifest", "thumbnail", "product"}
    assert lst["assets"]["LST_in"]["processing:lineage"] == "Input bands: S8, S9"
    assert lst["assets"]["met_tx"]["title"] == (
        "Meteorological parameters regridded onto the 16km tie points"
    )
    assert lst["properties"]["gsd"] == 1000 and "land" in lst["properties"]["statistics"]
    assert lst["stac_extensions"] == EXTENSIONS["SL_2_LST___"]
    syn = _item(cdse_emulator, _showcase(cdse_emulator, "SY_2_SYN___"))
    assert set(syn["assets"]) == SYN_KEYS | {"xfdumanifest", "thumbnail", "product"}
    assert len(syn["assets"]["syn_aot550"]["bands"]) == 21
    assert syn["assets"]["syn_S1N_reflectance"]["bands"][0]["name"] == "SYN18"
    assert syn["assets"]["syn_S5O_reflectance"]["bands"][0]["name"] == "SYN27"
    assert syn["properties"]["instruments"] == ["olci", "slstr"]
    assert syn["stac_extensions"] == EXTENSIONS["SY_2_SYN___"]
    for item in (lst, syn):
        assert all(a["type"] == NETCDF for k, a in item["assets"].items() if k in SYN_KEYS)


@pytest.mark.parametrize(("product_type", "title", "gsd"), [
    ("L2__NO2___", "Nitrogen Dioxide Concentration", 3500),
    ("L2__CO____", "Carbon Monoxide Concentration", 7000),
])  # fmt: skip
def test_sentinel_5p_item_follows_the_s5p_template(
    every_product: Emulator, product_type: str, title: str, gsd: int
):
    entry = _showcase(every_product, product_type)
    item = _item(every_product, entry)
    assert list(item["assets"]) == ["netcdf"]  # no product asset, no thumbnail
    netcdf = item["assets"]["netcdf"]
    assert (netcdf["type"], netcdf["title"], netcdf["roles"]) == (NETCDF, title, ["data"])
    assert netcdf["data_type"] == "float32" and netcdf["nodata"] == 9.969209968386869e36
    assert netcdf["file:size"] == entry.content_length
    props = item["properties"]
    assert props["gsd"] == gsd and props["proj:code"] == "EPSG:4326"
    dims = props["cube:dimensions"]
    assert dims["scanline"]["axis"] == "y" and dims["ground_pixel"]["axis"] == "x"
    assert props["proj:shape"] == [dims["scanline"]["extent"][1], dims["ground_pixel"]["extent"][1]]
    assert dims["time"]["type"] == "temporal"
    variables = props["cube:variables"]
    assert variables["latitude"]["type"] == "auxiliary" and variables["qa_value"]["nodata"] == 255
    assert "s5p:processing_baseline" not in props and "sat:orbit_state" not in props
    assert item["stac_extensions"] == EXTENSIONS["L2__NO2___"]
    assert _trailing_links(item) == ["version-history"]
    assert item["links"][4]["href"].endswith(f"/{entry.name}")  # the .nc, no .zip


def test_clms_item_is_one_cog(cdse_emulator: Emulator):
    entry = _showcase(cdse_emulator, "NDVI300")
    item = _item(cdse_emulator, entry)
    assert list(item["assets"]) == ["data"]
    data = item["assets"]["data"]
    assert (data["type"], data["title"], data["proj:code"]) == (COG, entry.name, "EPSG:4326")
    assert (data["nodata"], data["raster:scale"]) == (255, 0.004)


# -- the bytes behind the assets -----------------------------------------------------------------


@pytest.mark.parametrize(
    "product_type",
    ["IW_GRDH_1S", "IW_SLC__1S", "OL_1_EFR___", "SY_2_SYN___", "L2__CO____", "NDVI300"],
)
def test_file_sizes_and_checksums_are_those_of_the_served_bytes(
    every_product: Emulator, product_type: str
):
    emu = every_product
    entry = _showcase(emu, product_type)
    item = _item(emu, entry)
    tokens = emu.tokens
    assert tokens is not None
    token = tokens.access_token(tokens.new_session(emu.username))
    checked = 0
    for key, asset in item["assets"].items():
        https = asset.get("alternate", {}).get("https", {}).get("href")
        if "file:checksum" not in asset or https is None:
            continue
        assert https.startswith(f"{emu.urls.download}/Products({entry.id})/Nodes(")
        reply = requests.get(https, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        assert reply.status_code == 200, (key, reply.text[:200])
        assert asset["file:size"] == len(reply.content), key
        assert asset["file:checksum"] == "d50110" + hashlib.md5(reply.content).hexdigest(), key
        checked += 1
    assert checked >= 1
    product = next((a for k, a in item["assets"].items() if k in ("Product", "product")), None)
    if product is not None:
        assert product["href"] == f"{emu.urls.download}/Products({entry.id})/$value"
        assert product["file:size"] == entry.content_length


# -- validation ----------------------------------------------------------------------------------

_PREFIXES = {
    "alternate": "alternate-assets", "auth": "authentication", "cube": "datacube", "eo": "eo",
    "eopf": "eopf-stac-extension", "file": "file", "grid": "grid", "processing": "processing",
    "product": "product", "proj": "projection", "raster": "raster", "sar": "sar", "sat": "sat",
    "storage": "storage", "view": "view", "classification": "classification",
}  # fmt: skip


def _field_names(value: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            out.add(key)
            if key not in ("cube:dimensions", "cube:variables", "statistics"):
                out |= _field_names(inner)
    elif isinstance(value, list):
        for inner in value:
            out |= _field_names(inner)
    return out


@pytest.mark.parametrize(
    "product_type",
    ["S2MSI2A", "IW_GRDH_1S", "IW_SLC__1S", "OL_1_EFR___", "SY_2_SYN___", "L2__CO____", "NDVI300"],
)
def test_items_validate(every_product: Emulator, product_type: str):
    """The core item schema (pystac, offline), and the extension fields' structure."""
    item = _item(every_product, _showcase(every_product, product_type))
    core = copy.deepcopy(item)
    core["stac_extensions"] = []  # extension schemas are remote: checked structurally below
    assert pystac.Item.from_dict(core).validate()
    declared = {url.split("/")[-3] for url in item["stac_extensions"]}
    used = {name.split(":")[0] for name in _field_names(item) if ":" in name}
    assert {_PREFIXES[p] for p in used} <= declared, used
    props = item["properties"]
    for asset in item["assets"].values():
        assert set(asset.get("auth:refs", [])) <= set(props["auth:schemes"])
        assert set(asset.get("storage:refs", [])) <= set(props["storage:schemes"])
        if "file:checksum" in asset:
            assert re.fullmatch(r"[0-9a-f]{6,}", asset["file:checksum"])
            assert isinstance(asset["file:size"], int) and asset["file:size"] > 0
        code = asset.get("proj:code")
        assert code is None or re.fullmatch(r"EPSG:\d+", code)
    assert all(p in ("VV", "VH", "HH", "HV") for p in props.get("sar:polarizations", []))


# -- landing page, conformance, service description ----------------------------------------------


def test_landing_page_links_and_service_description(cdse_emulator: Emulator):
    root = cdse_emulator.urls.stac
    landing = requests.get(f"{root}/", timeout=30).json()
    assert (landing["id"], landing["type"]) == ("cdse-stac", "Catalog")
    assert landing["title"] == "Copernicus Data Space Ecosystem (CDSE) asset-level STAC catalogue"
    rels = [link["rel"] for link in landing["links"]]
    assert rels[:6] == ["self", "root", "data", "conformance", "search", "search"]
    assert rels[6] == "http://www.opengis.net/def/rel/ogc/1.0/queryables"
    assert rels[-2:] == ["service-desc", "service-doc"] and "child" in rels
    links = {link["rel"]: link for link in landing["links"]}
    desc = requests.get(links["service-desc"]["href"], timeout=30)
    assert desc.status_code == 200
    assert desc.headers["Content-Type"].startswith("application/vnd.oai.openapi+json")
    spec = desc.json()
    assert spec["openapi"].startswith("3.") and spec["info"]["title"] == landing["title"]
    assert spec["paths"]["/search"].keys() == {"get", "post"}
    assert spec["paths"]["/search"]["get"]["operationId"] == "Search_search_get"
    for path in (
        "/",
        "/conformance",
        "/collections",
        "/collections/{collection_id}/items",
        "/collections/{collection_id}/items/{item_id}",
        "/queryables",
        "/_mgmt/ping",
    ):
        assert path in spec["paths"], path
        url = root + path.replace("{collection_id}", "sentinel-5p-l2-no2-offl")
        if "{item_id}" not in url:
            assert requests.get(url, timeout=60).status_code == 200, url
    doc = requests.get(links["service-doc"]["href"], timeout=30)
    assert doc.status_code == 200 and doc.headers["Content-Type"].startswith("text/html")
    assert "/search" in doc.text
    conformance = requests.get(f"{root}/conformance", timeout=30).json()["conformsTo"]
    assert conformance == landing["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30" in conformance
    client = Client.open(root)
    for name in ("CORE", "ITEM_SEARCH", "COLLECTIONS", "FILTER", "COLLECTION_SEARCH"):
        assert client.conforms_to(name), name


def test_collection_search_parameters(cdse_emulator: Emulator):
    root = cdse_emulator.urls.stac
    every = requests.get(f"{root}/collections", timeout=60).json()
    assert every["numberReturned"] == every["numberMatched"] == len(every["collections"])
    page = requests.get(f"{root}/collections", params={"limit": 3}, timeout=60).json()
    assert [c["id"] for c in page["collections"]] == [c["id"] for c in every["collections"][:3]]
    nxt = next(link for link in page["links"] if link["rel"] == "next")
    second = requests.get(nxt["href"], timeout=60).json()
    assert [c["id"] for c in second["collections"]] == [c["id"] for c in every["collections"][3:6]]
    far = requests.get(f"{root}/collections", params={"bbox": "170,80,171,81"}, timeout=60)
    assert far.json()["numberMatched"] < every["numberMatched"]


def test_search_envelope_has_number_returned_only(cdse_emulator: Emulator):
    root = cdse_emulator.urls.stac
    body = requests.get(
        f"{root}/search", params={"collections": "sentinel-1-grd", "limit": 2}, timeout=60
    ).json()
    assert list(body) == ["type", "features", "links", "numberReturned"]
    assert body["numberReturned"] == 2
    posted = requests.post(
        f"{root}/search", json={"collections": ["sentinel-1-grd"], "limit": 2, "fields": {}},
        timeout=60,
    ).json()  # fmt: skip
    assert "numberMatched" not in posted and posted["numberReturned"] == 2
