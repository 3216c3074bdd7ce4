"""Listing the emulated ``eodata`` bucket: S3's order and paging, and products built only as needed.

The pages boto3 gets (ListObjectsV2 with continuation tokens, ListObjects with markers) must add
up to what a brute-force lister finds in the catalogue's objects, for every page size; a listing
must build no product with a delimiter (unless a single-file product is among the keys shown),
and only the few a page shows without one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import boto3
import botocore.exceptions
import pytest

from cdse_intake.emulator import Emulator
from cdse_intake.emulator.catalogue import Catalogue, Payload
from cdse_intake.emulator.payloads import STORE
from cdse_intake.emulator.s3 import S3Server, objects
from cdse_intake.emulator.s3.store import single_file

from .test_download_support import entry

DAY = "Test/L1/2024/03/01"


def _folder(name: str, files: dict[str, bytes], where: str = DAY, **kw):
    payload = Payload.from_files(name, files, single_file=False)
    return entry(name, payload, s3=f"/eodata/{where}/{name}", **kw)


def _single(name: str, data: bytes, where: str = DAY):
    return entry(name, Payload.from_files(name, {name: data}, True), s3=f"/eodata/{where}/{name}")


def tricky_catalogue() -> Catalogue:
    """Keys whose S3 order differs from their products' order ("P-2.SAFE/…" < "P.SAFE.zip" <
    "P.SAFE/…"), odd characters, an offline and a metadata-only product."""
    granules = {
        "manifest.safe": b"m",
        "A-B/c.txt": b"c",
        "GRANULE/G1/IMG/B01.jp2": b"1",
        "GRANULE/G1/IMG/B02.jp2": b"22",
        "GRANULE/G2/MTD.xml": b"x",
    }
    return Catalogue(
        [
            _folder("P.SAFE", granules),
            _single("P.SAFE.zip", b"zip"),
            _folder("P-2.SAFE", {"manifest.safe": b"m2", "x/y.bin": b"y"}),
            _single("Q.nc", b"q" * 10),
            _single("odd name+ü&=.nc", b"odd"),
            _folder("R.SAFE", {"manifest.safe": b"r"}, where="Test/L1/2024/03/02"),
            _folder("S.SAFE", {"a": b"s"}, where="Other"),
            _folder("Z.SAFE", {"manifest.safe": b"z"}, online=False),
            entry("M.SAFE", None, s3=f"/eodata/{DAY}/M.SAFE"),
        ]
    )


@pytest.fixture(scope="module")
def tricky() -> Iterator[tuple[S3Server, list[str]]]:
    catalogue = tricky_catalogue()
    keys = sorted(key for e in catalogue if e.online for key, _ in objects(e))
    with S3Server(catalogue) as server:
        yield server, keys


#: One boto3 session for the module's clients: a new session loads botocore's service models
#: again (~0.5 s a client on a slow core, for each of ~140 tests).
SESSION = boto3.session.Session()


def client(server: S3Server):
    key, secret = server.credentials
    return SESSION.client(
        "s3",
        endpoint_url=server.endpoint,
        region_name="default",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
    )


def reference(keys: list[str], prefix: str, delimiter: str, after: str) -> list[tuple[str, str]]:
    """``("key" | "prefix", value)`` in S3's order, found the slow way."""
    out: list[tuple[str, str]] = []
    for key in keys:
        if not key.startswith(prefix) or key <= after:
            continue
        cut = key.find(delimiter, len(prefix)) if delimiter else -1
        if cut < 0:
            out.append(("key", key))
            continue
        common = key[: cut + len(delimiter)]
        if common != after and ("prefix", common) not in out[-1:]:
            out.append(("prefix", common))
    return out


CASES = [
    ("", "", ""),
    ("", "/", ""),
    ("Test/", "/", ""),
    (f"{DAY}/", "/", ""),
    (f"{DAY}/", "", ""),
    (f"{DAY}/P", "/", ""),
    (f"{DAY}/P.SAFE/", "/", ""),
    (f"{DAY}/P.SAFE/GRANULE/", "/", ""),
    (f"{DAY}/P.SAFE/GRANULE/G1/IMG/B0", "", ""),
    ("", "SAFE", ""),  # a delimiter of several characters
    ("", "", f"{DAY}/P.SAFE.zip"),
    ("", "/", "Test/"),
    (f"{DAY}/", "/", f"{DAY}/P.SAFE/GRANULE/G1/IMG/B01.jp2"),
    ("Nope/", "/", ""),
    (f"{DAY}/odd name+ü&", "/", ""),
]


@pytest.mark.parametrize("page_size", [1, 2, 3, 1000])
@pytest.mark.parametrize(("prefix", "delimiter", "after"), CASES)
@pytest.mark.parametrize("version", ["v2", "v1"])
def test_pages_add_up_to_the_reference(tricky, version, prefix, delimiter, after, page_size):
    server, keys = tricky
    expected = reference(keys, prefix, delimiter, after)
    operation = "list_objects_v2" if version == "v2" else "list_objects"
    options = {"Prefix": prefix, "Delimiter": delimiter}
    options["StartAfter" if version == "v2" else "Marker"] = after
    pages = list(
        client(server)
        .get_paginator(operation)
        .paginate(Bucket="eodata", **options, PaginationConfig={"PageSize": page_size})
    )
    found_keys = [obj["Key"] for page in pages for obj in page.get("Contents", [])]
    found_prefixes = [p["Prefix"] for page in pages for p in page.get("CommonPrefixes", [])]
    assert found_keys == [v for kind, v in expected if kind == "key"]
    assert found_prefixes == [v for kind, v in expected if kind == "prefix"]
    sizes = [len(page.get("Contents", [])) + len(page.get("CommonPrefixes", [])) for page in pages]
    assert all(size == page_size for size in sizes[:-1]) and sizes[-1] <= page_size
    assert [page["IsTruncated"] for page in pages] == [True] * (len(pages) - 1) + [False]
    if version == "v2":
        assert [page["KeyCount"] for page in pages] == sizes


def test_listed_objects_have_size_etag_and_time(tricky) -> None:
    server, _ = tricky
    listed = client(server).list_objects_v2(Bucket="eodata", Prefix=f"{DAY}/P.SAFE/GRANULE/G1/")
    (b01, b02) = listed["Contents"]
    assert (b01["Size"], b02["Size"]) == (1, 2)
    assert b02["ETag"] == f'"{hashlib.md5(b"22").hexdigest()}"'
    assert b01["StorageClass"] == "STANDARD"
    assert b01["LastModified"].year == 2024


def test_listing_parameters_are_checked(tricky) -> None:
    server, _ = tricky
    s3 = client(server)
    capped = s3.list_objects_v2(Bucket="eodata", MaxKeys=5000)
    assert capped["MaxKeys"] == 1000
    with pytest.raises(botocore.exceptions.ClientError) as err:
        s3.list_objects_v2(Bucket="eodata", ContinuationToken="not base64!")
    assert err.value.response["Error"]["Code"] == "InvalidArgument"


# -- products are read only when a page shows their keys -----------------------------------------
@pytest.fixture(scope="module")
def many() -> Iterator[S3Server]:
    """300 folder products of 3 files and 30 single files over 10 days."""
    entries = []
    for day in range(1, 11):
        where = f"Big/2024/01/{day:02d}"
        for n in range(30):
            files = {"manifest.safe": b"m", f"DATA/{n}.bin": bytes([n]), "MTD.xml": b"x"}
            entries.append(_folder(f"F{day:02d}_{n:02d}.SAFE", files, where=where))
        entries += [_single(f"S{day:02d}_{n}.nc", b"nc", where=where) for n in range(3)]
    with S3Server(Catalogue(entries)) as server:
        yield server


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The products whose objects the server reads (built, for a lazily built product)."""
    from cdse_intake.emulator.s3.store import Index

    read: list[str] = []
    product_objects = Index.product_objects

    def counted(self, entry):
        read.append(entry.name)
        return product_objects(self, entry)

    monkeypatch.setattr(Index, "product_objects", counted)
    return read


def test_listing_with_a_delimiter_reads_only_single_files(many: S3Server, reads) -> None:
    s3 = client(many)
    top = s3.list_objects_v2(Bucket="eodata", Prefix="Big/2024/01/", Delimiter="/")
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == [
        f"Big/2024/01/{d:02d}/" for d in range(1, 11)
    ]
    day = s3.list_objects_v2(Bucket="eodata", Prefix="Big/2024/01/05/", Delimiter="/")
    assert len(day["CommonPrefixes"]) == 30
    assert [o["Key"] for o in day["Contents"]] == [f"Big/2024/01/05/S05_{n}.nc" for n in range(3)]
    assert sorted(reads) == [f"S05_{n}.nc" for n in range(3)]  # their size and ETag


def test_listing_without_a_delimiter_reads_only_the_page(many: S3Server, reads) -> None:
    s3 = client(many)
    first = s3.list_objects_v2(Bucket="eodata", MaxKeys=10)
    assert first["IsTruncated"] and first["KeyCount"] == 10
    assert reads == [f"F01_{n:02d}.SAFE" for n in range(4)]  # 3 + 3 + 3 + 1 keys
    reads.clear()
    second = s3.list_objects_v2(
        Bucket="eodata", MaxKeys=10, ContinuationToken=first["NextContinuationToken"]
    )
    assert reads == [f"F01_{n:02d}.SAFE" for n in range(3, 7)]
    assert second["Contents"][0]["Key"] == "Big/2024/01/01/F01_03.SAFE/MTD.xml"


# -- an emulator delivering every product: none built by a listing --------------------------------
@pytest.fixture(scope="module")
def delivering() -> Iterator[Emulator]:
    """An emulator whose every product with a writer is deliverable (built on first use)."""
    with Emulator(scale=0.02, deliver="all") as emu:
        yield emu


def _emulator_client(emu: Emulator):
    env = emu.env()
    return SESSION.client(
        "s3",
        endpoint_url=env["CDSE_S3_ENDPOINT"],
        region_name="default",
        aws_access_key_id=env["CDSE_S3_ACCESS_KEY"],
        aws_secret_access_key=env["CDSE_S3_SECRET_KEY"],
    )


def _under(emu: Emulator, prefix: str) -> list:
    """The online products under ``prefix``, in S3's order of their folders."""
    found = [
        e
        for e in emu.catalogue
        if e.online and e.s3_key.startswith(prefix) and single_file(e) is not None
    ]
    return sorted(found, key=lambda e: f"{e.s3_key}/")


def test_listing_with_a_delimiter_builds_nothing(delivering: Emulator) -> None:
    s3 = _emulator_client(delivering)
    last = _under(delivering, "Sentinel-2/MSI/L2A/")[-1]
    day = last.s3_key.rsplit("/", 1)[0] + "/"
    before = STORE.builds
    top = s3.list_objects_v2(Bucket="eodata", Delimiter="/")
    assert "Sentinel-2/" in [p["Prefix"] for p in top["CommonPrefixes"]]
    assert "Contents" not in top
    years = s3.list_objects_v2(Bucket="eodata", Prefix="Sentinel-2/MSI/L2A/", Delimiter="/")
    assert [p["Prefix"] for p in years["CommonPrefixes"]] == sorted(
        {e.s3_key[:24] for e in _under(delivering, "Sentinel-2/MSI/L2A/")}
    )  # "Sentinel-2/MSI/L2A/2023/"
    listed = s3.list_objects_v2(Bucket="eodata", Prefix=day, Delimiter="/")
    assert [p["Prefix"] for p in listed["CommonPrefixes"]] == [
        f"{e.s3_key}/" for e in _under(delivering, day)
    ]
    assert STORE.builds == before


def test_listing_without_a_delimiter_builds_only_the_page(delivering: Emulator) -> None:
    s3 = _emulator_client(delivering)
    prefix = "Sentinel-2/MSI/L1C/"
    before = STORE.builds
    first = s3.list_objects_v2(Bucket="eodata", Prefix=prefix, MaxKeys=40)
    pages = [first]
    if first["IsTruncated"]:
        token = first["NextContinuationToken"]
        pages.append(
            s3.list_objects_v2(Bucket="eodata", Prefix=prefix, MaxKeys=40, ContinuationToken=token)
        )
    assert STORE.builds - before <= 5  # at most 80 keys of ~18-file products
    expected: list[str] = []
    for product in _under(delivering, prefix):
        if len(expected) > 80:
            break
        expected += [key for key, _ in objects(product)]
    assert [o["Key"] for page in pages for o in page.get("Contents", [])] == expected[:80]
    assert [page["IsTruncated"] for page in pages] == [len(expected) > 40, len(expected) > 80][
        : len(pages)
    ]
