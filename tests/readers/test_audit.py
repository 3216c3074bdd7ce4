"""The readers audit (``scripts/reader_audit.py``): its table covers the catalogue, and its
classification of a few product types against a small emulator."""

from __future__ import annotations

import copy
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from cdse_intake.config import Settings, resolve
from cdse_intake.emulator.catalogue import build_catalogue
from cdse_intake.emulator.server import Emulator

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "reader_audit.py"


@pytest.fixture(scope="module")
def reader_audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reader_audit", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_docs_table_has_one_row_per_product_type_of_the_catalogue(reader_audit):
    rows = reader_audit.table_kinds(reader_audit.DOCS.read_text())
    catalogue = build_catalogue(42, 1.0, deliver="all")
    expected = {(e.collection, e.product_type) for e in catalogue.entries}
    assert len(rows) == len(set(rows))
    assert set(rows) == expected
    assert rows == sorted(rows)


def test_a_type_with_several_writers_takes_its_worst_outcome(reader_audit):
    Row = reader_audit.Row
    rows = [
        Row("SENTINEL-2", "S2MSI2A", "yes", "sentinel-2", "zip", "read"),
        Row("SENTINEL-2", "S2MSI2A", "no", "eopf-zarr", "zarr", "ValueError: bad"),
    ]
    merged = reader_audit.merge("SENTINEL-2", "S2MSI2A", rows, ["a", "b"])
    assert merged.opens == "no"
    assert merged.reader == "sentinel-2, eopf-zarr"
    assert "eopf-zarr: ValueError: bad" in merged.why


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    with Emulator(scale=0.02, deliver="all", s3=False) as emu:
        context = resolve(
            endpoints=emu.endpoints,
            settings=Settings(cache_dir=tmp_path_factory.mktemp("cache"), query_cache_age=0),
            credentials=(emu.username, emu.password),
        )
        yield emu, context


def test_the_audit_classifies_a_few_product_types(reader_audit, small):
    emu, context = small
    wanted = {
        ("SENTINEL-2", "S2MSI2A"),
        ("SENTINEL-5P", "L2__NO2___"),
        ("SENTINEL-6", "P4_1B_LR_____"),
    }
    entries = [e for e in emu.catalogue.entries if (e.collection, e.product_type) in wanted]
    # a type of which the emulator holds records only (as for a family with no writer)
    records_only = []
    for entry in entries:
        if entry.product_type == "P4_1B_LR_____":
            entry = copy.copy(entry)
            entry.extra = {**entry.extra, "metadata_only": True}
        records_only.append(entry)
    rows = {r.product_type: r for r in reader_audit.audit(records_only, context, workers=2)}

    assert list(rows) == ["S2MSI2A", "L2__NO2___", "P4_1B_LR_____"]
    s2 = rows["S2MSI2A"]
    assert s2.opens == "yes", s2
    assert "sentinel-2" in s2.reader.split(", ")
    assert "zip of a .SAFE folder: .jp2" in s2.format
    s5p = rows["L2__NO2___"]
    assert (s5p.opens, s5p.reader) == ("yes", "sentinel-5p"), s5p
    assert s5p.format == "single file (.nc)"
    none = rows["P4_1B_LR_____"]
    assert none.opens == "no"
    assert none.why == "no product bytes in the emulator (emulator family: sentinel6)"


def test_a_product_that_fails_to_open_is_a_no_with_its_reason(reader_audit, small, monkeypatch):
    emu, context = small
    no2 = [e for e in emu.catalogue.entries if e.product_type == "L2__NO2___"]
    (entry,) = reader_audit.pick(no2)

    def broken(*args, **kwargs):
        raise ValueError("cannot decode this\nsecond line")

    monkeypatch.setattr("cdse_intake.open_product", broken)
    row = reader_audit.audit_product(entry, context)
    assert (row.opens, row.reader) == ("no", "sentinel-5p")
    assert row.why == "ValueError: cannot decode this"


def test_check_fails_when_the_table_differs_and_passes_when_it_matches(
    reader_audit, tmp_path, monkeypatch, capsys
):
    rows = [reader_audit.Row("SENTINEL-5P", "L2__NO2___", "yes", "sentinel-5p", "nc", "read")]
    monkeypatch.setattr(reader_audit, "run", lambda workers: rows)
    out = tmp_path / "audit.md"
    assert reader_audit.main(["--output", str(out)]) == 0
    written = out.read_text()
    assert "| SENTINEL-5P | L2__NO2___ | yes | sentinel-5p | nc | read |" in written
    other_day = re.sub(r"on \d{4}-\d{2}-\d{2}", "on 1999-01-01", written)
    assert other_day != written
    out.write_text(other_day)  # the date is not part of the table
    assert reader_audit.main(["--check", "--output", str(out)]) == 0
    out.write_text(written.replace("| yes |", "| no |"))
    assert reader_audit.main(["--check", "--output", str(out)]) == 1
    assert "out of date" in capsys.readouterr().out


def test_extensions_leave_out_zarr_chunks_and_version_numbers(reader_audit):
    assert reader_audit._extension("GRANULE/IMG_DATA/B02.jp2") == ".jp2"
    assert reader_audit._extension("measurements/.zarray") == ".zarray"
    assert reader_audit._extension("quality/l1c/r10m/b02/0.1") == ""
    assert reader_audit._extension("c_gls_NDVI300_202401010000_GLOBE_OLCI_V2.0.1_nc") == ""
