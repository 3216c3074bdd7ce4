"""The emulated S3 store: the ``eodata`` bucket read through s3fs, boto3 and aiobotocore (§6).

A private :class:`S3Server` over the small sample catalogue for most tests; the session emulator
(``cdse_emulator``) for the S3 service inside an emulator (its keys, its request log, throttle).
"""

from __future__ import annotations

import asyncio
import io
import time
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
from cdse_intake.emulator.s3 import S3Server, objects
from cdse_intake.emulator.s3.store import single_file

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


#: One boto3 session for the module's clients: a new session loads botocore's service models
#: again (~0.5 s a client on a slow core, for each of ~140 tests).
SESSION = boto3.session.Session()


def client(server: S3Server, **kw) -> object:
    key, secret = server.credentials
    options = {"aws_access_key_id": key, "aws_secret_access_key": secret, **kw}
    return SESSION.client("s3", endpoint_url=server.endpoint, region_name="default", **options)


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


#: Every read the issued keys are granted, one call per S3 operation.
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


def test_batch_delete_is_refused(store: tuple[S3Server, Products]) -> None:
    server, products = store
    s3 = client(server)
    key = products.single.s3_key
    refused = lambda: s3.delete_objects(Bucket="eodata", Delete={"Objects": [{"Key": key}]})  # noqa: E731
    assert _refusal(refused) == (403, "AccessDenied")
    assert s3.get_object(Bucket="eodata", Key=key)["Body"].read() == SINGLE_DATA


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
    anonymous = SESSION.client(
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
    """Each server serves its own catalogue with its own keys."""
    _, products = sample_catalogue()
    with S3Server(Catalogue([products.single])) as other:
        s3 = client(other)
        keys = [obj["Key"] for obj in s3.list_objects_v2(Bucket="eodata")["Contents"]]
    assert keys == [products.single.s3_key]


def test_stop_ends_serving() -> None:
    catalogue, _ = sample_catalogue()
    server = S3Server(catalogue)
    endpoint = server.start()
    assert requests.get(endpoint, timeout=5).status_code == 403
    server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(endpoint, timeout=5)
    again = server.start()  # it can serve again
    assert requests.get(again, timeout=5).status_code == 403
    server.stop()


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


def test_session_emulator_serves_every_showcase_product(cdse_emulator: Emulator) -> None:
    """Each showcase product's keys are listed under its ``S3Path``; a few per product are read."""
    fs = _env_fs(cdse_emulator.env())
    assert fs.exists("eodata")
    sampled: dict[str, bytes] = {}
    for entry in cdse_emulator.catalogue.materialised:
        if not entry.online:
            continue
        stored = {f"eodata/{key}": bytes(body) for key, body in objects(entry)}
        assert set(fs.find(f"eodata/{entry.s3_key}")) == set(stored), entry.name
        picks = sorted(stored)[:: max(1, len(stored) // 3)]
        sampled.update((path, stored[path]) for path in picks)
    assert sampled
    assert fs.cat(sorted(sampled)) == sampled


def test_any_deliverable_product_is_there(cdse_emulator_factory) -> None:
    """Not only the showcase: any online product with a writer, built on request."""
    emu = cdse_emulator_factory(scale=0.02, deliver="all")
    fs = _env_fs(emu.env())
    showcase = {e.id for e in emu.catalogue.materialised}
    entry = next(
        e
        for e in reversed(emu.catalogue.entries)
        if e.online and e.id not in showcase and single_file(e) is True
    )
    data = fs.cat(f"eodata/{entry.s3_key}")
    assert data == entry.payload.data
    assert len(data) == entry.content_length
    others = [e for e in emu.catalogue.entries if e.id not in showcase]
    folder = next(e for e in others if single_file(e) is False)
    assert len(fs.find(f"eodata/{folder.s3_key}")) == len(folder.payload.files)
    absent = next(e for e in emu.catalogue.entries if single_file(e) is None)
    assert absent.payload is None
    assert not fs.exists(f"eodata/{absent.s3_key}")


def test_products_added_later_include_file_backed_ones(
    store: tuple[S3Server, Products], fs: s3fs.S3FileSystem, tmp_path
) -> None:
    server, _ = store
    big = add_large_product(Catalogue([]), 2_000_000, tmp_path)
    server.add(big)
    with open(big.payload.path, "rb") as f:
        assert fs.cat(f"eodata/{big.s3_key}") == f.read()


# -- what each operation answers -------------------------------------------------------------------
def test_presigned_urls(store: tuple[S3Server, Products]) -> None:
    server, products = store
    s3 = client(server)
    params = {"Bucket": "eodata", "Key": products.single.s3_key}
    url = s3.generate_presigned_url("get_object", Params=params, ExpiresIn=60)
    assert requests.get(url, timeout=10).content == SINGLE_DATA
    ranged = requests.get(url, headers={"Range": "bytes=10-19"}, timeout=10)
    assert (ranged.status_code, ranged.content) == (206, SINGLE_DATA[10:20])
    tampered = requests.get(url.replace("X-Amz-Expires=60", "X-Amz-Expires=61"), timeout=10)
    assert tampered.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in tampered.text
    wrong = client(server, aws_secret_access_key="wrong")
    assert (
        requests.get(wrong.generate_presigned_url("get_object", Params=params)).status_code == 403
    )
    short = s3.generate_presigned_url("get_object", Params=params, ExpiresIn=1)
    time.sleep(2.1)
    expired = requests.get(short, timeout=10)
    assert expired.status_code == 403 and "Request has expired" in expired.text
    listing = s3.generate_presigned_url("list_objects_v2", Params={"Bucket": "eodata"})
    assert products.single.s3_key in requests.get(listing, timeout=10).text


def test_anonymous_answers_are_s3_errors(store: tuple[S3Server, Products]) -> None:
    server, products = store
    reply = requests.get(f"{server.endpoint}/eodata/{products.single.s3_key}", timeout=10)
    assert reply.status_code == 403
    assert reply.headers["Content-Type"] == "application/xml"
    request_id = reply.headers["x-amz-request-id"]
    assert request_id.startswith("tx") and request_id.endswith("-default")
    assert "<Code>AccessDenied</Code>" in reply.text
    assert f"<RequestId>{request_id}</RequestId>" in reply.text
    head = requests.head(f"{server.endpoint}/eodata/{products.single.s3_key}", timeout=10)
    assert (head.status_code, head.content) == (403, b"")
    assert requests.put(f"{server.endpoint}/eodata/x", data=b"1", timeout=10).status_code == 403


def test_ranges(store: tuple[S3Server, Products]) -> None:
    server, products = store
    s3 = client(server)
    key = products.single.s3_key

    def get(spec: str) -> dict:
        return s3.get_object(Bucket="eodata", Key=key, Range=spec)

    size = len(SINGLE_DATA)
    middle = get("bytes=100-199")
    assert middle["Body"].read() == SINGLE_DATA[100:200]
    assert middle["ContentRange"] == f"bytes 100-199/{size}"
    assert middle["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert get("bytes=-16")["Body"].read() == SINGLE_DATA[-16:]
    assert get(f"bytes={size - 5}-")["Body"].read() == SINGLE_DATA[-5:]
    assert get(f"bytes=0-{size + 100}")["ContentLength"] == size
    assert get("bytes=0-1,5-6")["ResponseMetadata"]["HTTPStatusCode"] == 200  # ignored
    assert _refusal(lambda: get(f"bytes={size}-")) == (416, "InvalidRange")
    head = s3.head_object(Bucket="eodata", Key=key, Range="bytes=0-9")
    assert (head["ContentLength"], head["AcceptRanges"]) == (10, "bytes")


def test_object_headers_and_conditions(store: tuple[S3Server, Products]) -> None:
    import hashlib

    server, products = store
    s3 = client(server)
    key = f"{products.folder.s3_key}/manifest.safe"
    head = s3.head_object(Bucket="eodata", Key=key)
    etag = f'"{hashlib.md5(FOLDER_FILES["manifest.safe"]).hexdigest()}"'
    assert (head["ETag"], head["ContentLength"]) == (etag, len(FOLDER_FILES["manifest.safe"]))
    assert head["LastModified"] == products.folder.publication
    assert _refusal(lambda: s3.get_object(Bucket="eodata", Key=key, IfNoneMatch=etag))[0] == 304
    assert _refusal(lambda: s3.get_object(Bucket="eodata", Key=key, IfMatch='"0"')) == (
        412,
        "PreconditionFailed",
    )
    assert s3.get_object(Bucket="eodata", Key=key, IfMatch=etag)["ETag"] == etag
    typed = s3.get_object(Bucket="eodata", Key=key, ResponseContentType="text/xml")
    assert typed["ContentType"] == "text/xml"
    assert _refusal(lambda: s3.head_object(Bucket="eodata", Key=products.folder.s3_key))[0] == 404
    missing = lambda: s3.get_object(Bucket="eodata", Key=f"{key}.nope")  # noqa: E731
    assert _refusal(missing) == (404, "NoSuchKey")


def test_bucket_operations(store: tuple[S3Server, Products]) -> None:
    server, _ = store
    s3 = client(server)
    assert s3.get_bucket_location(Bucket="eodata")["LocationConstraint"] == "default"
    head = s3.head_bucket(Bucket="eodata")
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "default"
    assert _refusal(lambda: s3.list_objects_v2(Bucket="sentinel")) == (404, "NoSuchBucket")
    assert _refusal(lambda: s3.get_bucket_acl(Bucket="eodata")) == (403, "AccessDenied")


def test_unsigned_payload_is_accepted(store: tuple[S3Server, Products]) -> None:
    server, products = store
    s3 = client(server, config=Config(s3={"payload_signing_enabled": False}))
    sent: list[str] = []
    s3.meta.events.register(
        "before-send.s3", lambda request, **kw: sent.append(request.headers["X-Amz-Content-SHA256"])
    )
    assert s3.get_object(Bucket="eodata", Key=products.single.s3_key)["Body"].read()
    assert [v.decode() if isinstance(v, bytes) else v for v in sent] == ["UNSIGNED-PAYLOAD"]


def test_aiobotocore(store: tuple[S3Server, Products]) -> None:
    from aiobotocore.session import get_session

    server, products = store
    key, secret = server.credentials

    async def main() -> tuple[list[str], int, bytes]:
        async with get_session().create_client(
            "s3",
            endpoint_url=server.endpoint,
            region_name="default",
            aws_access_key_id=key,
            aws_secret_access_key=secret,
        ) as s3:
            listed = await s3.list_objects_v2(Bucket="eodata", Prefix="Sentinel-5P/")
            head = await s3.head_object(Bucket="eodata", Key=products.single.s3_key)
            got = await s3.get_object(
                Bucket="eodata", Key=products.single.s3_key, Range="bytes=0-3"
            )
            async with got["Body"] as body:
                data = await body.read()
        return [o["Key"] for o in listed["Contents"]], head["ContentLength"], data

    keys, size, data = asyncio.run(main())
    assert (keys, size, data) == ([products.single.s3_key], len(SINGLE_DATA), SINGLE_DATA[:4])


# -- inside the emulator ---------------------------------------------------------------------------
def test_requests_are_logged_and_throttled(cdse_emulator: Emulator) -> None:
    fs = _env_fs(cdse_emulator.env())
    entry = next(e for e in cdse_emulator.catalogue.materialised if e.family == "sentinel5p_l2")
    path = f"eodata/{entry.s3_key}"
    fs.info(path)  # built before timing
    cdse_emulator.state.throttle = 400_000
    started = time.perf_counter()
    data = fs.cat(path)
    assert time.perf_counter() - started >= 0.9 * len(data) / 400_000
    (get,) = cdse_emulator.state.requests(method="GET", path=f"/{path}")
    assert (get.status, get.bytes_sent) == (200, len(data))
    assert get.user == cdse_emulator.env()["CDSE_S3_ACCESS_KEY"]
