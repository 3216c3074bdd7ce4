"""The emulated S3 store: the ``eodata`` bucket read through s3fs and boto3 (cdse-api.md §6)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import boto3
import botocore.exceptions
import pytest
import requests
import s3fs
from botocore import UNSIGNED
from botocore.config import Config

from cdse_intake.emulator import Emulator
from cdse_intake.emulator.blob import add_large_product
from cdse_intake.emulator.catalogue import Catalogue
from cdse_intake.emulator.s3 import S3Server, _read_actions, objects

from .test_download_support import FOLDER_FILES, SINGLE_DATA, Products, sample_catalogue


@pytest.fixture(scope="module")
def store() -> Iterator[tuple[S3Server, Products]]:
    catalogue, products = sample_catalogue()
    with S3Server(catalogue, host="127.0.0.1") as server:
        yield server, products


@pytest.fixture(scope="module")
def fs(store: tuple[S3Server, Products]) -> s3fs.S3FileSystem:
    server, _ = store
    key, secret = server.credentials
    return s3fs.S3FileSystem(
        anon=False,
        key=key,
        secret=secret,
        endpoint_url=server.endpoint,
        client_kwargs={"region_name": "default"},
        skip_instance_cache=True,
    )


def client(server: S3Server, **kw) -> object:
    key, secret = server.credentials
    options = {"aws_access_key_id": key, "aws_secret_access_key": secret, **kw}
    return boto3.session.Session().client(
        "s3", endpoint_url=server.endpoint, region_name="default", **options
    )


def test_endpoint_is_loopback_with_an_os_chosen_port(store: tuple[S3Server, Products]) -> None:
    server, _ = store
    assert server.endpoint.startswith("http://127.0.0.1:")
    assert int(server.endpoint.rsplit(":", 1)[1]) > 0


def test_folder_product_is_a_prefix_of_its_zip_members(
    store: tuple[S3Server, Products], fs: s3fs.S3FileSystem
) -> None:
    _, products = store
    entry = products.folder
    prefix = f"eodata/{entry.s3_key}"
    found = {path.removeprefix(prefix + "/"): fs.cat(path) for path in fs.find(prefix)}
    with zipfile.ZipFile(io.BytesIO(entry.payload.data)) as zf:
        members = {
            i.filename.removeprefix(entry.name + "/"): zf.read(i)
            for i in zf.infolist()
            if not i.is_dir()
        }
    assert found == members == FOLDER_FILES
    assert fs.ls(prefix, detail=False) == sorted(
        f"{prefix}/{top}" for top in ("DATASTRIP", "GRANULE", "MTD_MSIL1C.xml", "manifest.safe")
    )


def test_single_file_product_is_one_object(
    store: tuple[S3Server, Products], fs: s3fs.S3FileSystem
) -> None:
    _, products = store
    path = f"eodata/{products.single.s3_key}"
    assert fs.info(path)["size"] == len(SINGLE_DATA)
    assert fs.cat(path) == SINGLE_DATA
    with fs.open(path, "rb") as f:  # a range read, as a lazy reader does
        f.seek(100)
        assert f.read(50) == SINGLE_DATA[100:150]


def test_top_level_prefixes_and_no_offline_products(
    store: tuple[S3Server, Products], fs: s3fs.S3FileSystem
) -> None:
    _, products = store
    assert fs.ls("eodata", detail=False) == ["eodata/Sentinel-2", "eodata/Sentinel-5P"]
    assert not fs.exists(f"eodata/{products.offline.s3_key}")
    assert not fs.exists(f"eodata/{products.metadata_only.s3_key}")


def test_boto3_lists_and_reads(store: tuple[S3Server, Products]) -> None:
    server, products = store
    s3 = client(server)
    entry = products.folder
    listed = s3.list_objects_v2(Bucket="eodata", Prefix=entry.s3_key + "/")
    keys = sorted(obj["Key"] for obj in listed["Contents"])
    assert keys == sorted(f"{entry.s3_key}/{rel}" for rel in FOLDER_FILES)
    rel = "manifest.safe"
    body = s3.get_object(Bucket="eodata", Key=f"{entry.s3_key}/{rel}")["Body"].read()
    assert body == FOLDER_FILES[rel]
    ranged = s3.get_object(Bucket="eodata", Key=products.single.s3_key, Range="bytes=0-7")
    assert ranged["Body"].read() == SINGLE_DATA[:8]


#: Every read the issued keys are granted, one call per S3 operation. moto checks the IAM policy
#: against the IAM permission name up to 5.2.5 (s3:ListBucket ...) and against the operation name
#: from 5.2.6 on (s3:ListObjectsV2, s3:HeadObject ...): each call here must pass with either.
READS = {
    "ListObjectsV2": lambda s3, key: s3.list_objects_v2(Bucket="eodata", Prefix="Sentinel-"),
    "ListObjects": lambda s3, key: s3.list_objects(Bucket="eodata", Prefix="Sentinel-"),
    "GetObject": lambda s3, key: s3.get_object(Bucket="eodata", Key=key)["Body"].read(),
    "HeadObject": lambda s3, key: s3.head_object(Bucket="eodata", Key=key),
    "HeadBucket": lambda s3, key: s3.head_bucket(Bucket="eodata"),
    "GetBucketLocation": lambda s3, key: s3.get_bucket_location(Bucket="eodata"),
    "ListBuckets": lambda s3, key: s3.list_buckets(),
    "GetObjectAttributes": lambda s3, key: s3.get_object_attributes(
        Bucket="eodata", Key=key, ObjectAttributes=["ObjectSize"]
    ),
}

#: Writes, each refused with 403 AccessDenied (CDSE's keys are read-only, §6).
WRITES = {
    "PutObject": lambda s3, key: s3.put_object(Bucket="eodata", Key="Sentinel-2/new", Body=b"x"),
    "DeleteObject": lambda s3, key: s3.delete_object(Bucket="eodata", Key=key),
    "CopyObject": lambda s3, key: s3.copy_object(
        Bucket="eodata", Key="Sentinel-2/copy", CopySource={"Bucket": "eodata", "Key": key}
    ),
    "CreateMultipartUpload": lambda s3, key: s3.create_multipart_upload(
        Bucket="eodata", Key="Sentinel-2/multipart"
    ),
    "PutObjectAcl": lambda s3, key: s3.put_object_acl(Bucket="eodata", Key=key, ACL="public-read"),
    "PutObjectTagging": lambda s3, key: s3.put_object_tagging(
        Bucket="eodata", Key=key, Tagging={"TagSet": [{"Key": "k", "Value": "v"}]}
    ),
    "CreateBucket": lambda s3, key: s3.create_bucket(Bucket="another"),
    "DeleteBucket": lambda s3, key: s3.delete_bucket(Bucket="eodata"),
    "PutBucketPolicy": lambda s3, key: s3.put_bucket_policy(Bucket="eodata", Policy="{}"),
}


def _refusal(call) -> tuple[int, str]:
    """``(HTTP status, error code)`` of a call expected to fail."""
    with pytest.raises(botocore.exceptions.ClientError) as err:
        call()
    response = err.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


@pytest.mark.parametrize("operation", sorted(READS))
def test_issued_keys_may_call_every_read_operation(
    store: tuple[S3Server, Products], operation: str
) -> None:
    server, products = store
    READS[operation](client(server), products.single.s3_key)  # no ClientError


@pytest.mark.parametrize("operation", sorted(WRITES))
def test_keys_are_read_only(store: tuple[S3Server, Products], operation: str) -> None:
    server, products = store
    s3 = client(server)
    key = products.single.s3_key
    assert _refusal(lambda: WRITES[operation](s3, key)) == (403, "AccessDenied")
    # Nothing changed: the object is intact, no key or bucket was added.
    assert s3.get_object(Bucket="eodata", Key=key)["Body"].read() == SINGLE_DATA
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["eodata"]
    listed = s3.list_objects_v2(Bucket="eodata", Prefix="Sentinel-2/")
    assert not {"Sentinel-2/new", "Sentinel-2/copy", "Sentinel-2/multipart"} & {
        obj["Key"] for obj in listed["Contents"]
    }


def test_batch_delete_deletes_nothing(store: tuple[S3Server, Products]) -> None:
    server, products = store
    s3 = client(server)
    key = products.single.s3_key
    reply = s3.delete_objects(Bucket="eodata", Delete={"Objects": [{"Key": key}]})
    assert not reply.get("Deleted")
    assert [(e["Key"], e["Code"]) for e in reply["Errors"]] == [(key, "AccessDenied")]
    assert s3.get_object(Bucket="eodata", Key=key)["Body"].read() == SINGLE_DATA


def test_policy_names_reads_only() -> None:
    """The keys' policy, under both of moto's naming schemes, holds no write action."""
    actions = _read_actions()
    assert {"s3:ListBucket", "s3:GetObject", "s3:ListObjectsV2", "s3:HeadObject"} <= set(actions)
    writes = ("s3:Put", "s3:Delete", "s3:Create", "s3:Copy", "s3:Upload", "s3:Restore")
    assert not [a for a in actions if a.startswith(writes) or "*" in a]


@pytest.mark.parametrize("operation", ["ListObjectsV2", "GetObject", "HeadObject"])
def test_wrong_secret_is_refused(store: tuple[S3Server, Products], operation: str) -> None:
    server, products = store
    s3 = client(server, aws_secret_access_key="wrong")
    status, code = _refusal(lambda: READS[operation](s3, products.single.s3_key))
    assert status == 403
    if operation != "HeadObject":  # a HEAD reply has no body, hence no error code
        assert code == "SignatureDoesNotMatch"


@pytest.mark.parametrize("which", ["altered", "never issued"])
@pytest.mark.parametrize("operation", ["ListObjectsV2", "GetObject", "HeadObject"])
def test_unknown_access_key_is_refused(
    store: tuple[S3Server, Products], operation: str, which: str
) -> None:
    """A well-formed access key that the emulator did not issue, even with the right secret."""
    server, products = store
    issued, _ = server.credentials
    if which == "altered":
        unknown = issued[:-1] + ("A" if issued[-1] != "A" else "B")
    else:
        unknown = "AKIAIOSFODNN7EXAMPLE"
    s3 = client(server, aws_access_key_id=unknown)
    status, code = _refusal(lambda: READS[operation](s3, products.single.s3_key))
    assert status == 403
    if operation != "HeadObject":
        assert code == "InvalidAccessKeyId"


def test_wrong_or_missing_credentials_are_refused(store: tuple[S3Server, Products]) -> None:
    server, _ = store
    with pytest.raises(botocore.exceptions.ClientError) as err:
        client(server, aws_secret_access_key="wrong").list_objects_v2(Bucket="eodata")
    assert err.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    anonymous = boto3.session.Session().client(
        "s3",
        endpoint_url=server.endpoint,
        region_name="default",
        config=Config(signature_version=UNSIGNED),
    )
    with pytest.raises(botocore.exceptions.ClientError) as err:
        anonymous.list_objects_v2(Bucket="eodata")
    assert err.value.response["Error"]["Code"] == "AccessDenied"
    assert requests.get(f"{server.endpoint}/eodata", timeout=10).status_code == 403


def test_two_servers_hold_their_own_bucket() -> None:
    """moto's state is per process: each server runs its own, so both have an ``eodata``."""
    _, products = sample_catalogue()
    with S3Server(Catalogue([products.single])) as other:
        s3 = client(other)
        keys = [obj["Key"] for obj in s3.list_objects_v2(Bucket="eodata")["Contents"]]
    assert keys == [products.single.s3_key]


def test_stop_ends_the_child_process() -> None:
    catalogue, _ = sample_catalogue()
    server = S3Server(catalogue)
    endpoint = server.start()
    process = server._process
    server.stop()
    assert process is not None and process.returncode is not None
    with pytest.raises(requests.ConnectionError):
        requests.get(endpoint, timeout=5)


def _env_fs(env: dict[str, str]) -> s3fs.S3FileSystem:
    return s3fs.S3FileSystem(
        key=env["CDSE_S3_ACCESS_KEY"],
        secret=env["CDSE_S3_SECRET_KEY"],
        endpoint_url=env["CDSE_S3_ENDPOINT"],
        client_kwargs={"region_name": "default"},
        skip_instance_cache=True,
    )


def test_emulator_env_reaches_its_store() -> None:
    """An emulator's CDSE_S3_* settings read the products of its catalogue."""
    emu = Emulator(scale=0.001)
    emu.catalogue, products = sample_catalogue()
    with emu:
        fs = _env_fs(emu.env())
        assert fs.cat(f"eodata/{products.single.s3_key}") == SINGLE_DATA
        assert len(fs.find(f"eodata/{products.folder.s3_key}")) == len(FOLDER_FILES)


def test_session_emulator_stores_every_materialised_product(cdse_emulator: Emulator) -> None:
    """Every key of every materialised online product is listed; a few per product are read."""
    fs = _env_fs(cdse_emulator.env())
    assert fs.exists("eodata")
    expected: dict[str, bytes] = {}
    sampled: list[str] = []
    for entry in cdse_emulator.catalogue.materialised:
        if entry.online:
            stored = {f"eodata/{key}": body for key, body in objects(entry)}
            expected.update(stored)
            sampled += sorted(stored)[:: max(1, len(stored) // 3)]
    assert set(fs.find("eodata")) == set(expected)
    if sampled:
        assert fs.cat(sampled) == {path: expected[path] for path in sampled}


def test_products_added_later_include_file_backed_ones(
    store: tuple[S3Server, Products], fs: s3fs.S3FileSystem, tmp_path
) -> None:
    server, _ = store
    big = add_large_product(Catalogue([]), 2_000_000, tmp_path)
    server.add(big)
    with open(big.payload.path, "rb") as f:
        assert fs.cat(f"eodata/{big.s3_key}") == f.read()
