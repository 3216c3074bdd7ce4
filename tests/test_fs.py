"""cdse:// over HTTPS against the emulator: paths, listings, ranges, faults, errors, secrets."""

from __future__ import annotations

import hashlib
import pickle
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import fsspec
import pytest
from fsspec.registry import known_implementations

from cdse_intake.errors import ProductNotFound, ProductOffline, UnsafePathError
from cdse_intake.fs import CDSEFileSystem


@pytest.fixture(autouse=True)
def _fresh_instances():
    """fsspec caches filesystems per process; each test starts with none."""
    CDSEFileSystem.clear_instance_cache()
    yield
    CDSEFileSystem.clear_instance_cache()


@pytest.fixture
def fs(cdse_env) -> CDSEFileSystem:
    return fsspec.filesystem("cdse")


def folder_product(emu, prefix: str):
    return next(e for e in emu.catalogue.materialised if e.name.startswith(prefix))


def value_requests(emu, count: int = 0):
    """The logged ``$value`` requests; waits (5 s at most) until there are ``count`` of them.

    The emulator logs a request when its handler ends, which can be after the client got the
    whole answer (or, for a reset, after it already retried).
    """
    deadline = time.monotonic() + 5
    while True:
        found = [r for r in emu.state.requests() if r.path.endswith("$value")]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.01)


def test_the_entry_point_registers_the_protocol(cdse_env):
    assert "cdse" in known_implementations
    assert fsspec.get_filesystem_class("cdse") is CDSEFileSystem
    assert isinstance(fsspec.filesystem("cdse"), CDSEFileSystem)


@pytest.mark.parametrize("spelling", ["name", "stem", "id"])
def test_open_reads_the_product_as_delivered(cdse_emulator, cdse_env, spelling):
    entry = folder_product(cdse_emulator, "S2A_MSIL1C_2023")
    key = {"name": entry.name, "stem": entry.stem, "id": entry.id}[spelling]
    with fsspec.open(f"cdse://{key}") as f:
        data = f.read()
    assert hashlib.md5(data).hexdigest() == entry.md5
    # one catalogue look-up, then one GET of the whole product on the download host
    assert len(cdse_emulator.state.requests(path="/odata/v1/Products")) == (spelling != "id")
    (get,) = value_requests(cdse_emulator, 1)
    assert get.range is None and get.bytes_sent == entry.content_length


def test_single_file_product_is_the_file(cdse_emulator, fs):
    entry = folder_product(cdse_emulator, "S5P_")
    assert fs.cat(f"cdse://{entry.name}") == entry.payload.data
    assert fs.ls(entry.name, detail=False) == [entry.name]
    assert fs.isfile(entry.name)


def test_ls_find_and_info_match_the_payload(cdse_emulator, fs):
    entry = folder_product(cdse_emulator, "S2A_MSIL2A_2023")
    files = entry.payload.files
    assert sorted(fs.find(f"cdse://{entry.name}")) == sorted(f"{entry.name}/{r}" for r in files)

    top = fs.ls(entry.stem)  # listings echo the caller's spelling
    tops = {r.split("/")[0] for r in files}
    assert [e["name"] for e in top] == sorted(f"{entry.stem}/{t}" for t in tops)
    for item in top:
        rel = item["name"].split("/", 1)[1]
        assert item["type"] == ("file" if rel in files else "directory")
        assert item["size"] == len(files.get(rel, b""))

    band = next(r for r in files if r.endswith("B04_10m.jp2"))
    folder = band.rsplit("/", 1)[0]
    listed = fs.ls(f"{entry.id}/{folder}", detail=True)
    expected = sorted(r for r in files if r.startswith(folder + "/"))
    assert [e["name"] for e in listed] == [f"{entry.id}/{r}" for r in expected]
    assert [e["size"] for e in listed] == [len(files[r]) for r in expected]
    assert fs.info(f"{entry.name}/{band}") == {
        "name": f"{entry.name}/{band}",
        "size": len(files[band]),
        "type": "file",
    }
    assert fs.isdir(f"{entry.name}/{folder}")
    assert fs.ls(f"{entry.name}/{band}", detail=False) == [f"{entry.name}/{band}"]

    root = fs.info(entry.name)
    assert (root["type"], root["size"], root["id"]) == ("file", entry.content_length, entry.id)
    assert root["checksums"]["MD5"] == entry.md5


@pytest.mark.parametrize(
    ("start", "end"), [(0, 100), (100, 5000), (5000, None), (-300, None), (-300, -100), (7, 7)]
)
def test_cat_file_ranges_of_an_inner_file(cdse_emulator, fs, start, end):
    entry = folder_product(cdse_emulator, "S1")
    rel = next(r for r in entry.payload.files if r.startswith("measurement/"))
    data = fs.cat_file(f"cdse://{entry.name}/{rel}", start=start, end=end)
    assert data == entry.payload.files[rel][start:end]


def test_ranges_of_the_whole_product_and_past_its_end(cdse_emulator, fs):
    entry = folder_product(cdse_emulator, "S2A_MSIL1C_2023")
    size = entry.content_length
    assert fs.cat_file(entry.name, 1000, 3000) == entry.payload.data[1000:3000]
    assert fs.cat_file(entry.name, size - 10, size + 500) == entry.payload.data[-10:]
    assert fs.cat_file(entry.name, size + 1, size + 9) == b""
    assert sorted(r.range for r in value_requests(cdse_emulator, 2)) == sorted(
        ["bytes=1000-2999", f"bytes={size - 10}-{size - 1}"]
    )


def test_parallel_reads_of_one_account_stay_within_its_session_limit(cdse_emulator, fs):
    entry = folder_product(cdse_emulator, "S3A_OL")
    rels = sorted(r for r in entry.payload.files if r.endswith(".nc"))
    paths = [f"{entry.name}/{r}" for r in rels]
    other = fsspec.filesystem("cdse", block_size=2**16)  # another instance, the same account
    assert other is not fs
    cdse_emulator.state.throttle = 400_000  # 10 ms per read: the reads overlap
    with ThreadPoolExecutor(2) as pool:
        got = list(pool.map(lambda f: f.cat_ranges(paths, 10, 4010), [fs, other]))
    assert got == [[entry.payload.files[r][10:4010] for r in rels]] * 2
    assert not cdse_emulator.state.requests(status=429)
    assert cdse_emulator.state.peak_downloads[cdse_emulator.username] == 4


def test_unknown_products_and_paths_are_not_found(cdse_emulator, fs):
    entry = folder_product(cdse_emulator, "S2A_MSIL1C_2023")
    with pytest.raises(ProductNotFound, match="no CDSE product is named"):
        fs.info("S2A_MSIL1C_20990101T000000_N0509_R001_T31UNE_20990101T000000")
    with pytest.raises(FileNotFoundError):
        fs.open("cdse://00000000-0000-4000-8000-000000000000")
    with pytest.raises(FileNotFoundError, match="no 'NOPE'"):
        fs.cat_file(f"{entry.name}/NOPE")
    with pytest.raises(FileNotFoundError, match="case-sensitive: there is 'GRANULE'"):
        fs.info(f"{entry.name}/granule")
    assert not fs.exists(f"{entry.name}/GRANULE/nothing.jp2")
    with pytest.raises(IsADirectoryError):
        fs.open(f"{entry.name}/GRANULE")


@pytest.mark.parametrize("inner", ["../x", "GRANULE/../../etc/passwd", "a//b", "./x", "a\\..\\b"])
def test_unsafe_inner_paths_are_refused_before_any_request(cdse_emulator, fs, inner):
    entry = folder_product(cdse_emulator, "S2A_MSIL1C_2023")
    with pytest.raises(UnsafePathError, match="unsafe cdse:// path"):
        fs.cat_file(f"cdse://{entry.name}/{inner}")
    with pytest.raises(UnsafePathError):
        fs.info("cdse://../secret")
    assert not cdse_emulator.state.requests()


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("reset", {"after_bytes": 50_000}),
        ("truncate", {"after_bytes": 10_000}),
        ("status", {"status": 503, "retry_after": 0}),
        ("status", {"status": 429, "retry_after": 0}),
        ("ignore_range", {}),
    ],
)
def test_reads_survive_faults(cdse_emulator, fs, kind, params):
    entry = folder_product(cdse_emulator, "S2B_MSIL2A_2023")
    fault = cdse_emulator.faults.add(kind, product=entry.id, **params)
    assert fs.cat_file(entry.name, 100_000, 300_000) == entry.payload.data[100_000:300_000]
    assert fault.hits == 1
    expected = 1 if kind == "ignore_range" else 2
    gets = value_requests(cdse_emulator, expected)
    assert len(gets) == expected
    assert any(r.bytes_sent == 200_000 for r in gets) or kind == "ignore_range"


def test_get_file_resumes_after_a_reset(cdse_emulator, fs, tmp_path):
    entry = folder_product(cdse_emulator, "S1")
    cdse_emulator.faults.add("reset", product=entry.id, after_bytes=400_000)
    target = tmp_path / "product.zip"
    fs.get_file(f"cdse://{entry.name}", str(target))
    assert hashlib.md5(target.read_bytes()).hexdigest() == entry.md5
    first, resumed = sorted(value_requests(cdse_emulator, 2), key=lambda r: r.range or "")
    assert first.range is None and first.bytes_sent == 400_000
    # resumed where the received bytes ended (a reset may lose what was still in flight)
    resumed_at = int(resumed.range.removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_at <= 400_000
    assert resumed.bytes_sent == entry.content_length - resumed_at


def test_get_file_leaves_nothing_behind_on_failure(cdse_emulator, fs, tmp_path):
    entry = folder_product(cdse_emulator, "S1")
    cdse_emulator.faults.add("status", product=entry.id, status=404, times=None)
    target = tmp_path / "product.zip"
    with pytest.raises(FileNotFoundError):
        fs.get_file(entry.name, str(target))
    assert not target.exists()


def test_offline_products_are_refused_without_a_download(cdse_emulator, fs):
    entry = folder_product(cdse_emulator, "S2B_MSIL1C_2023")
    cdse_emulator.faults.add("offline", product=entry.id, times=None)
    assert fs.info(entry.name)["online"] is False
    with pytest.raises(ProductOffline, match="Online: false"):
        fs.open(entry.name)
    assert not value_requests(cdse_emulator)


def test_expired_tokens_are_refreshed_during_reads(cdse_emulator, fs):
    entry = folder_product(cdse_emulator, "S2A_MSIL2A_2023")
    rel = next(r for r in entry.payload.files if r.endswith("TCI_10m.jp2"))
    data = entry.payload.files[rel]
    with fs.open(f"{entry.name}/{rel}", block_size=4096, cache_type="none") as f:
        assert f.read(5000) == data[:5000]
        cdse_emulator.expire_tokens()
        assert f.read(5000) == data[5000:10000]
        cdse_emulator.faults.add("token_expiry", product=entry.id)
        f.seek(-100, 2)
        assert f.read() == data[-100:]
    grants = [r.grant_type for r in cdse_emulator.state.requests(path="/auth/*")]
    assert grants.count("refresh_token") == 2
    assert grants.count("password") <= 1  # the first login of this account in the process only
    assert [r.status for r in value_requests(cdse_emulator, 5)].count(401) == 2


def test_pickles_carry_no_secret_and_work_in_another_process(cdse_emulator, cdse_env):
    env = cdse_env
    entry = folder_product(cdse_emulator, "S2A_MSIL1C_2023")
    path = f"{entry.name}/manifest.safe"
    data = entry.payload.files["manifest.safe"]
    fs = CDSEFileSystem(
        credentials=(env["CDSE_USERNAME"], env["CDSE_PASSWORD"]),
        s3_keys=(env["CDSE_S3_ACCESS_KEY"], env["CDSE_S3_SECRET_KEY"]),
    )
    with fs.open(path) as f:
        assert f.read(100) == data[:100]
        token = fs._authenticated.tokens.get_token()
        blobs = [pickle.dumps(fs), pickle.dumps(f)]
    assert fs.storage_options["credentials"] == env["CDSE_USERNAME"]
    assert fs.storage_options["s3_keys"] == env["CDSE_S3_ACCESS_KEY"]
    for blob in [*blobs, fs.to_json().encode()]:
        for secret in (env["CDSE_PASSWORD"], env["CDSE_S3_SECRET_KEY"], token):
            assert secret.encode() not in blob
    # A dask worker: another process, with the account in its environment.
    code = (
        "import pickle, sys; fs, f = (pickle.loads(b) for b in pickle.load(sys.stdin.buffer)); "
        f"sys.stdout.buffer.write(fs.cat_file({path!r}) + f.read())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=pickle.dumps(blobs), capture_output=True, check=True
    )
    assert out.stdout == data + data[100:]  # the file reopens where it was


def test_a_json_copy_in_the_same_process_finds_the_given_secrets(
    cdse_emulator, cdse_env, monkeypatch
):
    """zarr rebuilds filesystems from their JSON; secrets given as arguments must still work."""
    env = cdse_env
    for name in ("CDSE_USERNAME", "CDSE_PASSWORD", "CDSE_S3_ACCESS_KEY", "CDSE_S3_SECRET_KEY"):
        monkeypatch.delenv(name)
    entry = folder_product(cdse_emulator, "S2A_MSIL1C_2023")
    path = f"{entry.name}/manifest.safe"
    for via in ("https", "s3"):
        fs = CDSEFileSystem(
            via,
            credentials=(env["CDSE_USERNAME"], env["CDSE_PASSWORD"]),
            s3_keys=(env["CDSE_S3_ACCESS_KEY"], env["CDSE_S3_SECRET_KEY"]),
        )
        copy = CDSEFileSystem.from_json(fs.to_json())
        assert copy is not fs
        assert copy.cat_file(path) == entry.payload.files["manifest.safe"]
    with pytest.raises(PermissionError, match="no CDSE credentials found for 'someone@else'"):
        CDSEFileSystem(credentials="someone@else").cat_file(path)


def test_another_password_is_another_instance(cdse_emulator, cdse_env):
    one = CDSEFileSystem(credentials=(cdse_emulator.username, "one"))
    assert CDSEFileSystem(credentials=(cdse_emulator.username, "one")) is one
    assert CDSEFileSystem(credentials=(cdse_emulator.username, "two")) is not one
