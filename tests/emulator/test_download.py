"""The download service: redirects, auth, headers, Range, session limit (cdse-api.md §2)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import time
import zipfile

import aiohttp
import blake3
import pytest
import yaml

from cdse_intake.emulator import Emulator
from cdse_intake.emulator.blob import add_large_product
from cdse_intake.emulator.catalogue import Catalogue
from cdse_intake.emulator.download.ranges import Unsatisfiable, parse_range

from .test_download_support import (
    SINGLE_DATA,
    Products,
    bearer,
    fetch,
    make_emulator,
    token,
    value_url,
)


# -- redirect and authentication (§2.1) ------------------------------------------------------------
def test_catalogue_redirects_value_and_zip_with_301(emu: Emulator, products: Products) -> None:
    pid = products.folder.id
    for action in ("$value", "$zip"):
        reply = fetch(
            f"{emu.urls.catalogue}/Products({pid})/{action}?token=abc", allow_redirects=False
        )
        assert reply.status == 301
        assert (
            reply.headers["Location"] == f"{emu.urls.download}/Products({pid})/{action}?token=abc"
        )
        assert reply.headers["Access-Control-Allow-Origin"] == "*"
    head = fetch(value_url(emu, products.folder, "catalogue"), "HEAD", allow_redirects=False)
    assert head.status == 301


def test_followed_redirect_drops_authorization_like_requests(
    emu: Emulator, products: Products
) -> None:
    """aiohttp, like requests, drops the header on the cross-host redirect: DAT-ZIP-604."""
    reply = fetch(value_url(emu, products.folder, "catalogue"), headers=bearer(emu))
    assert reply.url.startswith(emu.urls.download)
    assert reply.status == 401
    assert reply.json()["code"] == "DAT-ZIP-604"
    assert reply.json()["message"] == "Token not found"


def test_header_resent_after_manual_redirect_downloads(emu: Emulator, products: Products) -> None:
    first = fetch(value_url(emu, products.folder, "catalogue"), allow_redirects=False)
    reply = fetch(first.headers["Location"], headers=bearer(emu))
    assert reply.status == 200
    assert reply.body == products.folder.payload.data


def test_token_query_parameter_survives_the_redirect(emu: Emulator, products: Products) -> None:
    url = value_url(emu, products.folder, "catalogue") + f"?token={token(emu)}"
    reply = fetch(url)
    assert reply.status == 200
    assert reply.url.startswith(emu.urls.download)
    assert reply.body == products.folder.payload.data


def test_missing_and_invalid_tokens_get_401(emu: Emulator, products: Products) -> None:
    url = value_url(emu, products.folder)
    missing = fetch(url)
    assert (missing.status, missing.json()["code"]) == (401, "DAT-ZIP-604")
    assert list(missing.json()) == ["trace-id", "code", "message"]
    invalid = fetch(url, headers={"Authorization": "Bearer not-a-jwt"})
    assert (invalid.status, invalid.json()["code"]) == (401, "DAT-ZIP-603")


def test_expired_token_gets_dat_zip_109() -> None:
    emu, products = make_emulator(access_lifetime=0)  # every token is born expired
    try:
        reply = fetch(value_url(emu, products.folder), headers=bearer(emu))
        assert reply.status == 401
        assert reply.json()["code"] == "DAT-ZIP-109"
    finally:
        emu.stop()


# -- the successful answer (§2.2) ------------------------------------------------------------------
def test_folder_product_headers(emu: Emulator, products: Products) -> None:
    entry = products.folder
    reply = fetch(value_url(emu, entry), headers=bearer(emu))
    h = reply.headers
    assert reply.status == 200
    assert h["Content-Type"] == "application/zip"
    assert int(h["Content-Length"]) == entry.content_length == len(reply.body)
    assert h["accept-ranges"] == "bytes"
    assert h["content-disposition"] == f"attachment; filename={entry.stem}.zip"
    assert (h["x-cf-sessionlimit-limit"], h["x-cf-sessionlimit-remaining"]) == ("4", "3")
    assert h["Access-Control-Expose-Headers"] == (
        "x-cf-sessionlimit-limit,x-cf-sessionlimit-remaining,Content-Disposition"
    )
    assert h["vary"] == "Origin"
    version, trace, span, flags = h["traceparent"].split("-")
    assert (version, len(trace), len(span), flags) == ("00", 32, 16, "00")
    assert int(h["x-envoy-upstream-service-time"]) >= 1
    assert h["Access-Control-Allow-Origin"] == "*"
    with zipfile.ZipFile(io.BytesIO(reply.body)) as zf:
        assert zf.namelist()[0].startswith(f"{entry.name}/")


def test_single_file_product_is_raw_but_labelled_zip(emu: Emulator, products: Products) -> None:
    reply = fetch(value_url(emu, products.single), headers=bearer(emu))
    assert reply.status == 200
    assert reply.body == SINGLE_DATA
    assert reply.headers["Content-Type"] == "application/zip"
    assert reply.headers["content-disposition"] == f"attachment; filename={products.single.name}"


def test_headers_match_the_recorded_answer(
    emu: Emulator, products: Products, reference_dir
) -> None:
    """Every header of the real recorded $value answer is there (sentineleof cassette)."""
    cassette = reference_dir / "samples/api/sentineleof"
    recorded = yaml.safe_load(next(cassette.glob("test_download_mission_date*.yaml")).read_text())
    answer = next(i for i in recorded["interactions"] if "$value" in i["request"]["uri"])
    expected = {name.lower() for name in answer["response"]["headers"]} - {"connection"}
    reply = fetch(value_url(emu, products.single), headers=bearer(emu))
    assert expected <= {name.lower() for name in reply.headers}
    for name in ("Content-Type", "accept-ranges", "x-cf-sessionlimit-limit", "vary"):
        assert reply.headers[name] == answer["response"]["headers"][name][0]


def test_zip_on_the_download_host_is_the_same_product(emu: Emulator, products: Products) -> None:
    url = f"{emu.urls.download}/Products({products.folder.id})/$zip"
    reply = fetch(url, headers=bearer(emu))
    assert reply.status == 200
    assert reply.body == products.folder.payload.data


def test_request_log_records_user_and_bytes(emu: Emulator, products: Products) -> None:
    fetch(value_url(emu, products.folder), headers=bearer(emu))
    (rec,) = emu.state.requests(path=f"/odata/v1/Products({products.folder.id})/$value")
    assert rec.user == emu.username
    assert rec.bytes_sent == products.folder.content_length
    assert rec.status == 200


# -- Range (§2.2) ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "start", "stop"),
    [
        ("bytes=10-19", 10, 20),
        ("bytes=1000-", 1000, None),
        ("bytes=-50", -50, None),
        ("bytes=0-99999999", 0, None),
    ],
)
def test_range_gives_206(emu: Emulator, products: Products, spec: str, start, stop) -> None:
    data = products.folder.payload.data
    headers = {**bearer(emu), "Range": spec}
    reply = fetch(value_url(emu, products.folder), headers=headers)
    expected = data[start:stop]
    first = start % len(data)
    assert reply.status == 206
    assert reply.body == expected
    assert (
        reply.headers["Content-Range"] == f"bytes {first}-{first + len(expected) - 1}/{len(data)}"
    )
    assert int(reply.headers["Content-Length"]) == len(expected)


@pytest.mark.parametrize("spec", ["bytes={size}-", "bytes={size}-{end}", "bytes=-0"])
def test_unsatisfiable_range_gives_416(emu: Emulator, products: Products, spec: str) -> None:
    size = products.folder.content_length
    headers = {**bearer(emu), "Range": spec.format(size=size, end=size + 10)}
    reply = fetch(value_url(emu, products.folder), headers=headers)
    assert reply.status == 416
    assert reply.headers["Content-Range"] == f"bytes */{size}"


def test_unusable_range_header_is_ignored(emu: Emulator, products: Products) -> None:
    headers = {**bearer(emu), "Range": "bytes=0-9,20-29"}
    reply = fetch(value_url(emu, products.folder), headers=headers)
    assert reply.status == 200
    assert reply.body == products.folder.payload.data


def test_head_answers_headers_without_a_session(emu: Emulator, products: Products) -> None:
    reply = fetch(value_url(emu, products.folder), "HEAD", headers=bearer(emu))
    assert reply.status == 200
    assert reply.body == b""
    assert int(reply.headers["Content-Length"]) == products.folder.content_length
    assert reply.headers["x-cf-sessionlimit-remaining"] == "4"
    assert emu.state.peak_downloads[emu.username] == 0


# -- errors (§2.3) ---------------------------------------------------------------------------------
def test_malformed_and_unknown_ids(emu: Emulator, products: Products) -> None:
    auth = bearer(emu)
    bad = fetch(f"{emu.urls.download}/Products(not-a-uuid)/$value", headers=auth)
    assert (bad.status, bad.json()["code"]) == (422, "DAT-ZIP-111")
    unknown = fetch(
        f"{emu.urls.download}/Products(00000000-0000-4000-8000-000000000000)/$value", headers=auth
    )
    assert (unknown.status, unknown.json()["code"]) == (404, "DAT-ZIP-106")


def test_products_without_objects_get_dat_zip_915(emu: Emulator, products: Products) -> None:
    for entry in (products.metadata_only, products.offline):
        reply = fetch(value_url(emu, entry), headers=bearer(emu))
        assert reply.status == 404
        assert reply.json()["code"] == "DAT-ZIP-915"
        assert reply.json()["message"] == "No objects to stream"


def test_offline_fault_applies_to_downloads(emu: Emulator, products: Products) -> None:
    emu.faults.add("offline", products.folder.name)
    reply = fetch(value_url(emu, products.folder), headers=bearer(emu))
    assert (reply.status, reply.json()["code"]) == (404, "DAT-ZIP-915")


def test_unknown_download_path_is_malformed(emu: Emulator) -> None:
    reply = fetch(f"{emu.urls.download}/Whatever")
    assert (reply.status, reply.json()["code"]) == (400, "DAT-ZIP-104")


# -- the session limit (DAT-ZIP-100) ---------------------------------------------------------------
def test_fifth_concurrent_download_gets_429_and_slots_free_on_disconnect(
    emu: Emulator, products: Products
) -> None:
    emu.state.throttle = 20_000  # bytes/s: the four downloads stay open while the fifth asks
    auth = bearer(emu)
    url = value_url(emu, products.folder)

    async def scenario() -> tuple[list[int], int, dict]:
        connector = aiohttp.TCPConnector(limit=0, force_close=True)
        async with aiohttp.ClientSession(connector=connector) as session:
            opened = [await session.get(url, headers=auth) for _ in range(4)]
            fifth = await session.get(url, headers=auth)
            body = await fifth.json()
            statuses = [r.status for r in opened]
            remaining = [r.headers["x-cf-sessionlimit-remaining"] for r in opened]
            for resp in opened:
                resp.close()  # disconnect mid-body
            return statuses + [int(x) for x in remaining], fifth.status, body

    seen, fifth_status, body = asyncio.run(scenario())
    assert seen == [200, 200, 200, 200, 3, 2, 1, 0]
    assert fifth_status == 429
    assert body["code"] == "DAT-ZIP-100"
    assert body["message"] == "Max session number exceeded"
    assert list(body) == ["trace-id", "code", "message"]
    assert emu.state.peak_downloads[emu.username] == 4
    deadline = time.monotonic() + 10
    while emu.state.active_downloads[emu.username] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert emu.state.active_downloads[emu.username] == 0


def test_service_account_limit_is_its_own(emu: Emulator, products: Products) -> None:
    emu.add_account("service@example.org", "pw", max_sessions=20)
    reply = fetch(value_url(emu, products.single), headers=bearer(emu, "service@example.org"))
    assert reply.headers["x-cf-sessionlimit-limit"] == "20"
    assert reply.headers["x-cf-sessionlimit-remaining"] == "19"


# -- a large, file-backed product (benchmarks) -----------------------------------------------------
def test_large_product_is_a_real_zip_with_true_checksums(
    emu: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> None:
    directory = tmp_path_factory.mktemp("large")
    entry = add_large_product(emu.catalogue, 3_000_000, directory)
    assert entry.payload.path is not None
    written = os.stat(entry.payload.path).st_mtime_ns
    assert add_large_product(emu.catalogue, 3_000_000, directory) is entry  # reused, not rewritten
    assert os.stat(entry.payload.path).st_mtime_ns == written
    assert emu.catalogue.by_name[entry.name] is entry

    reply = fetch(value_url(emu, entry), headers=bearer(emu))
    assert reply.status == 200
    assert len(reply.body) == entry.content_length == 3_000_000
    assert hashlib.md5(reply.body).hexdigest() == entry.md5
    assert blake3.blake3(reply.body).hexdigest() == entry.blake3
    with zipfile.ZipFile(io.BytesIO(reply.body)) as zf:
        assert zf.testzip() is None
        (member,) = zf.namelist()
        assert member.startswith(entry.name.removesuffix(".zip") + "/")
    tail = fetch(value_url(emu, entry), headers={**bearer(emu), "Range": "bytes=-1000"})
    assert tail.body == reply.body[-1000:]
    (node,) = fetch(f"{emu.urls.download}/Products({entry.id})/Nodes").json()["result"]
    assert (node["Name"], node["ContentLength"]) == (entry.name, 3_000_000)


def test_large_product_content_is_deterministic(tmp_path_factory: pytest.TempPathFactory) -> None:
    first = add_large_product(Catalogue([]), 1_000_000, tmp_path_factory.mktemp("a"))
    second = add_large_product(Catalogue([]), 1_000_000, tmp_path_factory.mktemp("b"))
    assert (first.id, first.md5, first.blake3) == (second.id, second.md5, second.blake3)
    with pytest.raises(ValueError, match="too small"):
        add_large_product(Catalogue([]), 10, tmp_path_factory.mktemp("c"))


# -- Range parsing ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-0", (0, 1)),
        ("bytes=5-", (5, 100)),
        ("bytes=-1", (99, 100)),
        ("bytes=-500", (0, 100)),
        ("bytes=90-200", (90, 100)),
        ("bytes = 1-2", (1, 3)),
        ("bytes=5-4", None),
        ("items=0-5", None),
        ("bytes=0-1,3-4", None),
        ("bytes=-", None),
    ],
)
def test_parse_range(header: str | None, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=150-160", "bytes=-0"])
def test_parse_range_unsatisfiable(header: str) -> None:
    with pytest.raises(Unsatisfiable):
        parse_range(header, 100)
