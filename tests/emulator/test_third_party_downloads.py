"""A real third-party CDSE client from PyPI, CDSETool, searching and downloading a random sample.

CDSETool is used unchanged but for its URLs. It writes the real CDSE addresses inline (the query
URL builder, the collection attributes, the download URLs, the identity discovery default), so
the one seam is the transport adapter class its ``Credentials.make_session`` mounts on every
session it makes: here a subclass that maps the three real service roots onto the emulator's and
refuses any other address (nothing can reach the real CDSE). Everything else is CDSETool's own:
``describe_collection``, ``query_features`` (``$count``, paging through ``@odata.nextLink``),
the password grant and JWKS check of ``Credentials``, ``download_features`` (HEAD to follow
redirects, then GET ``$value``, four at a time). The one option set is ``download_attempts=1``:
CDSETool sleeps about 60 s before every new attempt after a failed one.

With ``deliver="all"`` every online product of a family with a writer downloads, and a few carry a
fault (``extra["fault"]``). Records of the types no writer builds (Sentinel-6, Landsat, COP-DEM,
mosaics ...: listed with their real structure, no bytes) answer as unavailable products do
(``404 DAT-ZIP-915``). Nothing is excluded from the sample: a product with a fault or without
bytes must make CDSETool behave as that means. Each product is checked against the record the
emulator lists for it (``GET /odata/v1/Products(<id>)``): size, MD5 and BLAKE3 of the file
CDSETool wrote.

eodag, phidown and sentinelsat are not installed in this environment (and no dependency is added),
so CDSETool is the only third-party CDSE client exercised here.
"""

from __future__ import annotations

import hashlib
import io
import random
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import blake3
import pytest
import requests

from cdse_intake.emulator.payloads import deliverable

cdsetool_credentials = pytest.importorskip("cdsetool.credentials", reason="needs cdsetool")
cdsetool_download = pytest.importorskip("cdsetool.download", reason="needs cdsetool")
cdsetool_query = pytest.importorskip("cdsetool.query", reason="needs cdsetool")

SEED = 20260607
REAL_IDENTITY = "https://identity.dataspace.copernicus.eu/auth/realms/CDSE"
REAL_CATALOGUE = "https://catalogue.dataspace.copernicus.eu/odata/v1"
REAL_DOWNLOAD = "https://download.dataspace.copernicus.eu/odata/v1"
SENTINELS = {"SENTINEL-1", "SENTINEL-2", "SENTINEL-3", "SENTINEL-5P"}
FAULTS = {"unavailable", "offline", "no_checksum", "wrong_checksum"}
#: Folder products are delivered as a zip holding ``<Name>/`` (cdse-api.md §2.2); single-file
#: products raw, whatever CDSETool names the file (it always writes ``<Name>.zip``).
MAGIC = {
    ".nc": (b"\x89HDF\r\n\x1a\n",),
    ".tif": (b"II*\x00", b"MM\x00*"),
    ".EOF": (b"<?xml",),
    ".N1": (b"PRODUCT=",),  # Envisat
    ".hdf": (b"\x0e\x03\x13\x01",),  # HDF4 (TerraAqua MODIS)
}


@pytest.fixture(scope="module")
def emu():
    from cdse_intake.emulator.server import Emulator

    with Emulator(seed=42, scale=0.03, deliver="all", s3=False) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def credentials(emu) -> Iterator[Any]:
    """CDSETool pointed at ``emu``; its ``Credentials`` for the demo account."""
    routes = {
        REAL_IDENTITY: emu.urls.identity,
        REAL_CATALOGUE: emu.urls.catalogue,
        REAL_DOWNLOAD: emu.urls.download,
    }
    local = tuple(routes.values())

    class ToEmulator(cdsetool_credentials.HTTPAdapter):
        """CDSETool's adapter, sending what it addresses to the real CDSE to the emulator."""

        def send(self, request, *args, **kwargs):
            for real, here in routes.items():
                if request.url.startswith(real + "/"):
                    request.url = here + request.url[len(real) :]
                    break
            # Links the emulator wrote (nextLink, redirects) already point at it.
            if not request.url.startswith(local):
                raise AssertionError(f"CDSETool asked for {request.url}, not routed to emulator")
            kwargs["proxies"] = None  # loopback
            return super().send(request, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cdsetool_credentials, "HTTPAdapter", ToEmulator)
        yield cdsetool_credentials.Credentials(emu.username, emu.password)


class Log:
    """A CDSETool logger (its ``options["logger"]``) keeping what it is told."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def debug(self, msg: object, *args: Any, **kwargs: Any) -> None:
        self.lines.append(("debug", str(msg)))

    def info(self, msg: object, *args: Any, **kwargs: Any) -> None:
        self.lines.append(("info", str(msg)))

    def warning(self, msg: object, *args: Any, **kwargs: Any) -> None:
        self.lines.append(("warning", str(msg)))

    def error(self, msg: object, *args: Any, **kwargs: Any) -> None:
        self.lines.append(("error", str(msg)))


def _search(collection: str, terms: dict[str, Any]) -> list[dict[str, Any]]:
    """Every feature CDSETool finds; its ``@odata.count`` must agree with what it paged through."""
    query = cdsetool_query.query_features(collection, terms, options={"expand_attributes": True})
    features = list(query)
    assert len(query) == len(features)
    return features


def _download(credentials, features: list[dict], folder: Path) -> tuple[list, Log]:
    log = Log()
    options = {
        "credentials": credentials,
        "concurrency": 4,
        "download_attempts": 1,
        "logger": log,
    }
    results = list(cdsetool_download.download_features(features, str(folder), options))
    assert len(results) == len(features)
    return results, log


def _record(emu, product_id: str) -> dict[str, Any]:
    """The product as the emulator's OData entity endpoint lists it."""
    answer = requests.get(f"{emu.urls.catalogue}/Products({product_id})", timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _check_container(name: str, data: bytes, single_file: bool) -> None:
    """A folder product is a zip of ``<Name>/`` (whether its name ends in ``.SAFE`` or, as
    Landsat's and COP-DEM's, in nothing); a single-file product its raw file."""
    if not single_file:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.namelist()
            assert members and all(m.startswith(f"{name}/") for m in members), members[:3]
            assert zf.testzip() is None
        return
    suffix = "." + name.rsplit(".", 1)[-1]
    assert data.startswith(MAGIC[suffix]), (name, data[:8])


def _check(emu, credentials, feature: dict, results: list, log: Log, folder: Path) -> str:
    """What CDSETool did with one product is what its record and fault mean; returns the fault
    kind ("" for none)."""
    pid, name = feature["Id"], feature["Name"]
    entry = emu.catalogue.by_id[pid]
    fault = entry.extra.get("fault") or ("" if deliverable(entry) else "unavailable")
    assert fault in FAULTS | {""}
    record = _record(emu, pid)
    # The record CDSETool listed (with Attributes, and the Collection it adds) is the entity's.
    assert record.pop("@odata.context").startswith("$metadata#Products")
    assert {k: v for k, v in feature.items() if k not in ("Attributes", "Collection")} == record
    path = folder / f"{name}.zip"
    value_path = f"/odata/v1/Products({pid})/$value"
    gets = [r.status for r in emu.state.requests(method="GET", path=value_path)]
    if fault in ("unavailable", "offline"):
        # 404 DAT-ZIP-915: CDSETool logs the status, gives up (one attempt) and writes nothing.
        assert record["Online"] is (fault == "unavailable")
        assert gets == [404]
        assert None in results and name + ".zip" not in results and not path.exists()
        assert ("error", f"Failed to download {name}.zip") in log.lines
        answer = credentials.get_session().get(f"{emu.urls.download}/Products({pid})/$value")
        assert (answer.status_code, answer.json()["code"]) == (404, "DAT-ZIP-915")
        return fault
    assert record["Online"] is True
    assert gets == [200]
    assert name + ".zip" in results and path.is_file()
    data = path.read_bytes()
    assert len(data) == record["ContentLength"] > 0
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
    b3 = blake3.blake3(data).hexdigest()
    listed = {c["Algorithm"]: c["Value"] for c in record["Checksum"]}
    if fault == "no_checksum":
        assert record["Checksum"] == []
    elif fault == "wrong_checksum":
        # CDSETool verifies no checksum: it keeps the file, whose sums are not the listed ones.
        assert listed["MD5"] != md5 and listed["BLAKE3"] != b3
    else:
        assert listed == {"MD5": md5, "BLAKE3": b3}
    # In every case the bytes are the product's own (not a truncated or foreign body).
    payload = emu.catalogue.by_id[pid].payload
    assert (md5, b3) == (payload.md5, payload.blake3)
    _check_container(name, data, payload.single_file)
    return fault


def _searches(emu, rng: random.Random) -> dict[str, list[dict]]:
    """For every collection: CDSETool's search of the day around one random product of it, then
    the same narrowed to that product's type; both checked against the emulator's catalogue."""
    found = {}
    collections = sorted({e.collection for e in emu.catalogue})
    assert set(collections) >= SENTINELS
    for collection in collections:
        terms = cdsetool_query.describe_collection(collection)
        assert terms is not None and "productType" in terms
        anchor = rng.choice([e for e in emu.catalogue if e.collection == collection])
        lo = anchor.start.replace(microsecond=0) - timedelta(hours=12)
        hi = lo + timedelta(days=1)
        window = {"contentDateStartGe": lo, "contentDateStartLt": hi, "top": 20}
        features = _search(collection, window)
        want = {e.id for e in emu.catalogue if e.collection == collection and lo <= e.start < hi}
        ids = [f["Id"] for f in features]
        assert anchor.id in want and len(ids) == len(set(ids)) and set(ids) == want
        starts = [datetime.fromisoformat(f["ContentDate"]["Start"]) for f in features]
        assert starts == sorted(starts) and all(lo <= s < hi for s in starts)
        assert all(f["Collection"] == collection for f in features)
        kind = anchor.product_type
        typed = _search(collection, {**window, "productType": kind})
        attr = cdsetool_query.get_product_attribute
        assert typed == [f for f in features if attr(f, "productType") == kind]
        found[collection] = features
    return found


def test_a_random_sample_of_every_collection_downloads_as_listed(emu, credentials, tmp_path):
    rng = random.Random(SEED)
    found = _searches(emu, rng)
    sample = [f for fs in found.values() for f in rng.sample(fs, min(3, len(fs)))]
    assert len(sample) >= 8 and {f["Collection"] for f in sample} >= SENTINELS
    emu.state.reset_counters()
    results, log = _download(credentials, sample, tmp_path)
    faults = [_check(emu, credentials, f, results, log, tmp_path) for f in sample]
    downloaded = sorted(p.name for p in tmp_path.iterdir())
    assert downloaded == sorted(
        f["Name"] + ".zip"
        for f, k in zip(sample, faults, strict=True)
        if k not in ("unavailable", "offline")
    )
    assert emu.state.peak_downloads[emu.username] <= 4


def test_every_kind_of_fault_makes_cdsetool_do_what_it_means(emu, credentials, tmp_path):
    """The sample above meets faults by chance (under 2 % of products): here one random product
    of each kind, found by name with CDSETool's search, goes the same way."""
    rng = random.Random(SEED)
    by_kind: dict[str, list] = {}
    for entry in emu.catalogue:
        if kind := entry.extra.get("fault"):
            by_kind.setdefault(kind, []).append(entry)
    assert set(by_kind) == FAULTS
    picked = [rng.choice(by_kind[kind]) for kind in sorted(by_kind)]
    features = []
    for entry in picked:
        hits = _search(entry.collection, {"name": entry.name})
        assert [f["Id"] for f in hits] == [entry.id]
        features += hits
    emu.state.reset_counters()
    results, log = _download(credentials, features, tmp_path)
    faults = [_check(emu, credentials, f, results, log, tmp_path) for f in features]
    assert faults == sorted(by_kind)
    assert sum(r is None for r in results) == 2
    assert [line for line in log.lines if line[0] == "warning"] == [
        ("warning", "Status code 404, aborting")
    ] * 2
