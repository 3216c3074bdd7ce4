"""``Nodes``: listing a product's tree and fetching single files (cdse-api.md §1.10)."""

from __future__ import annotations

import io
import zipfile

import pytest

from cdse_intake.emulator import Emulator

from .test_download_support import (
    FOLDER_FILES,
    FOLDER_NAME,
    GRANULE,
    SINGLE_DATA,
    Products,
    bearer,
    fetch,
    value_url,
)


def walk(url: str) -> dict[str, int]:
    """Every file under a ``…/Nodes`` listing URL, following the ``uri`` links: path -> size."""
    files: dict[str, int] = {}
    pending = [("", url)]
    while pending:
        prefix, listing_url = pending.pop()
        reply = fetch(listing_url)
        assert reply.status == 200, reply.body
        for node in reply.json()["result"]:
            assert list(node) == ["Id", "Name", "ContentLength", "ChildrenNumber", "Nodes"]
            assert node["Id"] == node["Name"]
            path = f"{prefix}{node['Name']}"
            if node["ChildrenNumber"]:
                assert node["ContentLength"] == 0
                pending.append((f"{path}/", node["Nodes"]["uri"]))
            else:
                files[path] = node["ContentLength"]
    return files


def test_root_lists_the_product_folder(emu: Emulator, products: Products) -> None:
    pid = products.folder.id
    reply = fetch(f"{emu.urls.download}/Products({pid})/Nodes")
    assert reply.status == 200
    assert reply.json() == {
        "result": [
            {
                "Id": FOLDER_NAME,
                "Name": FOLDER_NAME,
                "ContentLength": 0,
                "ChildrenNumber": 4,  # manifest.safe, MTD_MSIL1C.xml, GRANULE, DATASTRIP
                "Nodes": {"uri": f"{emu.urls.download}/Products({pid})/Nodes({FOLDER_NAME})/Nodes"},
            }
        ]
    }


def test_listing_is_anonymous_and_the_same_on_both_hosts(emu: Emulator, products: Products) -> None:
    path = f"/Products({products.folder.id})/Nodes({FOLDER_NAME})/Nodes(GRANULE)/Nodes"
    on_download = fetch(emu.urls.download + path)
    on_catalogue = fetch(emu.urls.catalogue + path)
    assert on_download.status == on_catalogue.status == 200
    assert on_download.json() == on_catalogue.json()
    (granule,) = on_download.json()["result"]
    assert granule["Name"] == GRANULE
    assert granule["ChildrenNumber"] == 3


def test_tree_holds_exactly_the_files_of_the_zip(emu: Emulator, products: Products) -> None:
    files = walk(f"{emu.urls.download}/Products({products.folder.id})/Nodes")
    with zipfile.ZipFile(io.BytesIO(products.folder.payload.data)) as zf:
        members = {i.filename: i.file_size for i in zf.infolist() if not i.is_dir()}
    assert files == members
    assert files == {f"{FOLDER_NAME}/{rel}": len(data) for rel, data in FOLDER_FILES.items()}


def test_each_file_downloads_through_nodes(emu: Emulator, products: Products) -> None:
    auth = bearer(emu)
    base = f"{emu.urls.download}/Products({products.folder.id})"
    with zipfile.ZipFile(io.BytesIO(products.folder.payload.data)) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            url = base + "".join(f"/Nodes({p})" for p in info.filename.split("/")) + "/$value"
            reply = fetch(url, headers=auth)
            assert reply.status == 200, info.filename
            assert reply.body == zf.read(info)
            name = info.filename.rsplit("/", 1)[-1]
            assert reply.headers["content-disposition"] == f"attachment; filename={name}"
            assert reply.headers["accept-ranges"] == "bytes"


def test_node_file_supports_range_and_needs_a_token(emu: Emulator, products: Products) -> None:
    rel = f"GRANULE/{GRANULE}/IMG_DATA/T32TQM_20240301T103019_B02.jp2"
    url = (
        f"{emu.urls.catalogue}/Products({products.folder.id})/Nodes({FOLDER_NAME})"
        + "".join(f"/Nodes({p})" for p in rel.split("/"))
        + "/$value"
    )
    assert fetch(url).json()["code"] == "DAT-ZIP-604"
    reply = fetch(url, headers={**bearer(emu), "Range": "bytes=-100"})
    assert reply.status == 206
    assert reply.body == FOLDER_FILES[rel][-100:]


def test_listing_a_file_is_empty(emu: Emulator, products: Products) -> None:
    base = f"{emu.urls.download}/Products({products.folder.id})/Nodes({FOLDER_NAME})"
    url = f"{base}/Nodes(manifest.safe)/Nodes"
    assert fetch(url).json() == {"result": []}


def test_single_file_product_has_one_file_node(emu: Emulator, products: Products) -> None:
    entry = products.single
    (node,) = fetch(f"{emu.urls.download}/Products({entry.id})/Nodes").json()["result"]
    assert (node["Name"], node["ContentLength"], node["ChildrenNumber"]) == (
        entry.name,
        len(SINGLE_DATA),
        0,
    )
    reply = fetch(
        f"{emu.urls.download}/Products({entry.id})/Nodes({entry.name})/$value", headers=bearer(emu)
    )
    assert reply.body == SINGLE_DATA == fetch(value_url(emu, entry), headers=bearer(emu)).body


@pytest.mark.parametrize(
    ("tail", "status", "code"),
    [
        ("Nodes('{name}')/Nodes", 400, "DAT-ZIP-104"),
        ('Nodes("{name}")/Nodes', 400, "DAT-ZIP-104"),
        ("Nodes({name})/Nodes(NOPE)/Nodes", 404, "DAT-ZIP-107"),
        ("Nodes({name})/Nodes(GRANULE)/$value", 400, "DAT-ZIP-104"),
        ("Nodes({name})/Stuff", 400, "DAT-ZIP-104"),
    ],
)
def test_bad_node_paths(emu: Emulator, products: Products, tail: str, status: int, code: str):
    url = f"{emu.urls.download}/Products({products.folder.id})/{tail.format(name=FOLDER_NAME)}"
    reply = fetch(url, headers=bearer(emu))
    assert (reply.status, reply.json()["code"]) == (status, code)


def test_nodes_of_products_without_objects(emu: Emulator, products: Products) -> None:
    reply = fetch(f"{emu.urls.download}/Products({products.metadata_only.id})/Nodes")
    assert (reply.status, reply.json()["code"]) == (404, "DAT-ZIP-915")
