"""The shared handling of absent and broken member files (readers/_partial.py)."""

from __future__ import annotations

import warnings

import pytest

from cdse_intake import PartialProductWarning, UnsupportedProduct
from cdse_intake.readers._partial import check_member, listed, warn_missing


def test_missing_files_are_named_in_one_warning_of_their_own_category() -> None:
    with pytest.warns(PartialProductWarning, match=r"P\.SAFE: opened without 8 missing bands: "
                      r"B01, B02, B03, B04, B05, B06 and 2 more"):  # fmt: skip
        warn_missing("P.SAFE", [f"B0{i}" for i in range(1, 9)], "bands")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_missing("P.SAFE", [])  # nothing missing: no warning
    assert issubclass(PartialProductWarning, UserWarning)
    assert listed(["a", "b"]) == "a, b"


@pytest.mark.parametrize(
    ("name", "head", "problem"),
    [
        ("measurement/s1a-vv.tiff", b"", "is empty"),
        ("IMG_DATA/T31_B04.jp2", b"\x00\x00\x00\x0cjP", "not a JPEG 2000 file"),  # truncated
        ("IMG_DATA/T31_B04.jp2", b"<html>error</html>", "not a JPEG 2000 file"),
        ("Oa01_radiance.nc", b"PK\x03\x04zip.......", "not a NC"),
        ("MTD_MSIL2A.xml", b"\x00\x01garbage", "is not XML"),
        ("x.hdf", b"\x89HDF\r\n\x1a\n", "not a HDF4 file"),
    ],
)
def test_broken_members_are_refused_by_name(name: str, head: bytes, problem: str) -> None:
    with pytest.raises(UnsupportedProduct, match=problem) as caught:
        check_member("P.SAFE", name, head)
    assert name in str(caught.value) and "P.SAFE" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("a.tiff", b"II*\x00\x08\x00\x00\x00"),
        ("a.jp2", b"\x00\x00\x00\x0cjP  \r\n\x87\n\x00"),
        ("a.nc", b"\x89HDF\r\n\x1a\n\x00\x00"),
        ("a.nc", b"CDF\x01\x00\x00"),
        ("manifest.safe", b'\xef\xbb\xbf<?xml version="1.0"?>'),
        ("README", b"anything"),
    ],
)
def test_sound_members_pass(name: str, head: bytes) -> None:
    check_member("P.SAFE", name, head)
    with pytest.raises(UnsupportedProduct, match="is empty"):
        check_member("P.SAFE", name, head, size=0)
