"""A search written into an existing manifest merges into it: nothing is reset (issue 15)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

import cdse_intake
from cdse_intake.manifest import (
    ManifestError,
    merge_manifest,
    read_manifest,
    rows_for,
    write_manifest,
)
from cdse_intake.product import Product

from .test_cli_search import cli

PARIS = "2.2,48.8,2.5,48.9"
FIRST = ("--start", "2023-01-01", "--end", "2023-02-15")
SECOND = ("--start", "2023-02-01", "--end", "2023-03-15")


def _ids(start: str, end: str) -> list[str]:
    found = cdse_intake.search(
        "sentinel-2-l2a",
        bbox=tuple(float(v) for v in PARIS.split(",")),
        start=start,
        end=end,
        cache=False,
    )
    return [p.id for p in found]


def _table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, comment="#", keep_default_na=False, dtype=str)


def _mark(path: Path, states: dict[str, tuple[str, str, str]]) -> None:
    """Give rows a download state, as a download run would have recorded it."""
    manifest = read_manifest(path)
    for row in manifest.rows:
        if row.product.id in states:
            row.downloaded, row.local_path, row.reason = states[row.product.id]
    write_manifest(
        path,
        manifest.rows,
        query=manifest.query,
        backend=manifest.backend,
        endpoint=manifest.endpoint,
        created=manifest.created,
        searches=manifest.searches,
    )


def test_a_second_search_merges_into_the_manifest(cdse_env, tmp_path):
    first, second = _ids("2023-01-01", "2023-02-15"), _ids("2023-02-01", "2023-03-15")
    both = [i for i in first if i in second]
    gone = [i for i in first if i not in second]
    new = [i for i in second if i not in first]
    assert both and gone and new, "the two searches must overlap and differ"
    path = tmp_path / "m.csv"
    out = cli("search", "--collection", "sentinel-2-l2a", "--bbox", PARIS, *FIRST, "-o", str(path))
    assert out.returncode == 0, out.stderr
    states = {
        both[0]: ("verified", str(tmp_path / "a.zip"), ""),
        gone[0]: ("verified", str(tmp_path / "b.zip"), "resumed at byte 10"),
        first[-1]: ("failed", "", "HTTP 404 DAT-ZIP-915"),
    }
    _mark(path, states)

    out = cli("search", "--collection", "sentinel-2-l2a", "--bbox", PARIS, *SECOND, "-o", str(path))
    assert out.returncode == 0, out.stderr
    table = _table(path)
    # every product of both searches, the first's rows first, in their order
    assert list(table["Id"]) == first + new
    for product_id, (state, local, reason) in states.items():
        row = table[table["Id"] == product_id].iloc[0]
        assert (row["Downloaded"], row["LocalPath"], row["Reason"]) == (state, local, reason)
    untouched = set(first + new) - set(states)
    assert set(table[table["Id"].isin(untouched)]["Downloaded"]) == {"no"}
    # the rows say which products the last search found, and when each was last seen
    assert set(table[table["Id"].isin(second)]["InLastSearch"]) == {"yes"}
    assert set(table[table["Id"].isin(gone)]["InLastSearch"]) == {"no"}
    seen = table.set_index("Id")["LastSeen"]
    assert len({seen[i] for i in gone}) == 1 and seen[gone[0]] < seen[new[0]]
    assert seen[both[0]] == seen[new[0]]
    # the header records both queries; the latest is the manifest's query
    manifest = read_manifest(path)
    assert [s["query"]["start"][:10] for s in manifest.searches] == ["2023-01-01", "2023-02-01"]
    assert [s["found"] for s in manifest.searches] == [len(first), len(second)]
    assert [s["added"] for s in manifest.searches] == [len(first), len(new)]
    assert manifest.query["start"].startswith("2023-02-01")
    assert "added" in out.stderr and str(len(new)) in out.stderr


def test_to_manifest_keeps_states_and_is_idempotent(cdse_env, tmp_path):
    results = cdse_intake.search(
        "sentinel-2-l2a", bbox=(2.2, 48.8, 2.5, 48.9), start="2023-01-01", end="2023-02-15"
    )
    path = results.to_manifest(tmp_path / "m.csv")
    _mark(path, {results[0].id: ("verified", "/data/x.zip", "")})
    results.to_manifest(path)
    table = _table(path)
    assert list(table["Id"]) == [p.id for p in results]
    assert table["Downloaded"][0] == "verified" and table["LocalPath"][0] == "/data/x.zip"
    assert set(table["Downloaded"][1:]) == {"no"}
    assert set(table["InLastSearch"]) == {"yes"}
    assert len(read_manifest(path).searches) == 2


def _product(number: int, **changes) -> Product:
    return Product(id=f"00000000-0000-0000-0000-{number:012d}", name=f"P{number}.SAFE", **changes)


def test_merge_refreshes_the_records_but_not_the_states(tmp_path):
    path = tmp_path / "m.csv"
    merge_manifest(path, [_product(1, online=True), _product(2)], query={"collection": "A"})
    _mark(path, {_product(1).id: ("verified", "/x/P1.zip", "")})
    merge_manifest(path, [_product(1, online=False, size=7), _product(3)], query={"tile": "B"})
    manifest = read_manifest(path)
    by_id = {row.product.id: row for row in manifest.rows}
    assert [r.product.name for r in manifest.rows] == ["P1.SAFE", "P2.SAFE", "P3.SAFE"]
    one = by_id[_product(1).id]
    assert (one.downloaded, one.local_path, one.product.online, one.product.size) == (
        "verified",
        "/x/P1.zip",
        False,
        7,
    )
    assert by_id[_product(2).id].in_last_search == "no"
    assert manifest.query == {"tile": "B"}
    assert [s["query"] for s in manifest.searches] == [{"collection": "A"}, {"tile": "B"}]


def test_an_older_manifest_gets_its_query_into_the_history(tmp_path):
    path = write_manifest(tmp_path / "m.csv", rows_for([_product(1)]), query={"collection": "A"})
    merge_manifest(path, [_product(2)], query={"collection": "B"})
    manifest = read_manifest(path)
    assert [s["query"] for s in manifest.searches] == [{"collection": "A"}, {"collection": "B"}]
    assert manifest.rows[0].in_last_search == "no" and manifest.rows[1].in_last_search == "yes"


def test_a_file_that_is_not_a_manifest_is_never_overwritten(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("my,own\ntable,1\n")
    with pytest.raises(ManifestError, match="not a manifest"):
        merge_manifest(path, [_product(1)], query={})
    assert path.read_text() == "my,own\ntable,1\n"
    out = cli("search", "--collection", "SENTINEL-2", "--limit", "1", "-o", str(path))
    assert out.returncode == 6 and "not a manifest" in out.stderr
    assert path.read_text() == "my,own\ntable,1\n"


def test_a_failed_write_leaves_the_old_manifest(tmp_path, monkeypatch):
    path = tmp_path / "m.csv"
    merge_manifest(path, [_product(1)], query={"collection": "A"})
    before = path.read_bytes()

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        merge_manifest(path, [_product(2)], query={"collection": "B"})
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.csv"]


def test_the_search_history_is_json_in_the_header(tmp_path):
    path = tmp_path / "m.csv"
    merge_manifest(path, [_product(1)], query={"collection": "A"}, backend="odata")
    lines = [line for line in path.read_text().splitlines() if line.startswith("# search: ")]
    assert len(lines) == 1
    entry = json.loads(lines[0].removeprefix("# search: "))
    assert entry["query"] == {"collection": "A"} and entry["backend"] == "odata"
    assert read_manifest(path).rows[0].in_last_search == "yes"


def test_a_search_merged_during_a_download_loses_nothing(tmp_path):
    """A download records into the manifest while a search merges into it: both survive."""
    from cdse_intake.downloads.plan import collect

    one, two, three, four = (_product(i) for i in range(1, 5))
    path = merge_manifest(tmp_path / "m.csv", [one, two], query={"collection": "A"})
    request = collect(str(path))  # the download reads the manifest ...
    merge_manifest(path, [two, three], query={"collection": "B"})  # ... a search merges ...
    (recorder,) = request.plan().recorders  # ... and the download starts recording
    recorder.update(one.id, "verified", "/x/P1.zip", "")
    recorder.flush()
    merge_manifest(path, [three, four], query={"collection": "C"})  # another, mid-download
    recorder.update(two.id, "failed", "", "HTTP 503")
    recorder.flush()
    manifest = read_manifest(path)
    states = {row.product.name: (row.downloaded, row.in_last_search) for row in manifest.rows}
    assert states == {
        "P1.SAFE": ("verified", "no"),
        "P2.SAFE": ("failed", "no"),
        "P3.SAFE": ("no", "yes"),
        "P4.SAFE": ("no", "yes"),
    }
    assert [s["query"]["collection"] for s in manifest.searches] == ["A", "B", "C"]
    assert manifest.query == {"collection": "C"}
