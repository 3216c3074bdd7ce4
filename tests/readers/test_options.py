"""One vocabulary of reader options (issue 14): names, aliases, checks, the documented table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cdse_intake.readers.families import FAMILIES
from cdse_intake.readers.options import (
    OWN,
    VOCABULARY,
    check_bool,
    check_chunks,
    check_names,
    normalize,
)

ROOT = Path(__file__).resolve().parents[2]


def test_every_reader_option_is_in_the_vocabulary_or_documented_as_its_own():
    shared = {name for option in VOCABULARY for name in option.names}
    for family in FAMILIES:
        for name in family.options():
            assert name in shared or (family.key, name) in OWN, (family.key, name)
    for family_key, name in OWN:  # no stale rows
        assert name in next(f for f in FAMILIES if f.key == family_key).options()


def test_no_two_options_share_a_name():
    names = [name for option in VOCABULARY for name in option.names]
    assert len(names) == len(set(names))


def test_the_documented_table_is_up_to_date():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "reader_options.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_alias_reaches_the_reader_under_its_declared_name():
    assert normalize("sentinel-2", ["bands", "scale"], {"variables": ["B04"]}) == {"bands": ["B04"]}
    assert normalize("gridded", ["scale"], {"mask_and_scale": False}) == {"scale": False}
    assert normalize("sentinel-1", ["variables"], {"bands": "VV"}) == {"variables": "VV"}
    # a reader declaring both names keeps both (Sentinel-3: bands select whole bands)
    assert normalize("sentinel-3", ["variables", "bands"], {"bands": ["Oa01"]}) == {
        "bands": ["Oa01"]
    }
    # names outside the vocabulary are left to the caller to refuse
    assert normalize("sentinel-2", ["bands"], {"colour": 1}) == {"colour": 1}


def test_two_names_of_one_option_are_refused():
    with pytest.raises(TypeError, match="mask_and_scale= and scale= are the same option"):
        normalize("gridded", ["scale"], {"mask_and_scale": False, "scale": True})


def test_open_product_maps_aliases_and_refuses_unknown_options(tmp_path):
    import cdse_intake

    with pytest.raises(TypeError, match=r"has no option 'colour'.*accepts resolution, bands"):
        cdse_intake.open_product(_s2_folder(tmp_path), colour=1)


def _s2_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "S2A_MSIL2A_20230101T102343_N0509_R065_T31UNE_20230101T120000.SAFE"
    folder.mkdir()
    (folder / "MTD_MSIL2A.xml").write_text("<x/>")
    return folder


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [("auto", "auto"), (None, None), (256, 256), (-1, -1), ({}, "auto"), ({"line": 5}, {"y": 5})],
)
def test_check_chunks_accepts(chunks, expected):
    assert check_chunks(chunks, {"y": "y", "x": "x", "line": "y"}) == expected


@pytest.mark.parametrize(
    ("chunks", "message"),
    [
        ({"time": 1}, r"Sentinel-1 images have no dimension 'time'; expected y, x"),
        (0, "expected a positive size"),
        ("big", "expected 'auto'"),
        (True, "expected 'auto'"),
    ],
)
def test_check_chunks_refuses(chunks, message):
    with pytest.raises(ValueError, match=message):
        check_chunks(chunks, {"y": "y", "x": "x"}, what="Sentinel-1 images")


def test_check_names_and_bool():
    assert check_names("variables", "B04", "['B04']") == ["B04"]
    assert check_names("variables", ["B04", "B04", " B08"], "['B04']") == ["B04", "B08"]
    assert check_names("variables", None, "['B04']") is None
    for bad in ([], [3], "", 5):
        with pytest.raises(ValueError, match=r"variables=.*expected a name or a non-empty list"):
            check_names("variables", bad, "['B04']")
    assert check_bool("scale", False) is False
    with pytest.raises(ValueError, match="scale='no': expected True or False"):
        check_bool("scale", "no")
