"""Names from the server never become paths outside their folder (safety.py)."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest

from cdse_intake.cache.safety import check_member, check_zip, ensure_within, safe_filename
from cdse_intake.errors import DownloadError, UnsafePathError

# -- safe_filename ----------------------------------------------------------------------------

GOOD_NAMES = [
    "S2A_MSIL2A_20240102T101010_N0510_R022_T32TQM_20240102T120000.SAFE",
    "S5P_OFFL_L2__NO2____20211211T000000.nc",
    "S1A_OPER_AUX_POEORB_OPOD_20200102T005942.EOF",
    "con",  # a Windows device name, an ordinary file on POSIX
    "-leading-dash",
    ".hidden",
    "...",
    "with space",
    "ünïcödé_日本語_🛰",
    "a" * 255,
    "é" * 127,  # 254 bytes
]


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_safe_filename_accepts(name: str) -> None:
    assert safe_filename(name) == name


BAD_NAMES = [
    ("", "non-empty"),
    (".", "not . or .."),
    ("..", "not . or .."),
    ("/", "'/'"),
    ("a/b", "'/'"),
    ("../../etc/passwd", "'/'"),
    ("/etc/passwd", "'/'"),
    ("..\\..\\windows", "'\\\\'"),
    ("a\\b", "'\\\\'"),
    ("\\", "'\\\\'"),
    ("x\x00y", "control character"),
    ("\x00", "control character"),
    ("line\nbreak", "control character"),
    ("cr\r", "control character"),
    ("tab\there", "control character"),
    ("esc\x1b[31m", "control character"),
    ("del\x7f", "control character"),
    ("c1\x85", "control character"),
    ("sep\u2028", "control character"),
    ("surrogate\udc80", "control character"),
    ("a" * 256, "256 bytes"),
    ("é" * 128, "256 bytes"),
    ("🛰" * 64 + "x", "257 bytes"),
]


@pytest.mark.parametrize(("name", "why"), BAD_NAMES)
def test_safe_filename_refuses(name: str, why: str) -> None:
    with pytest.raises(UnsafePathError) as info:
        safe_filename(name)
    message = str(info.value)
    assert repr(name) in message  # the error names the value
    assert why in message
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("value", [None, 3, b"name", Path("x")])
def test_safe_filename_refuses_non_strings(value: object) -> None:
    with pytest.raises(UnsafePathError, match="expected a string"):
        safe_filename(value)  # type: ignore[arg-type]


# -- check_member -----------------------------------------------------------------------------

GOOD_MEMBERS = [
    "S2A.SAFE/",
    "S2A.SAFE/manifest.safe",
    "S2A.SAFE/GRANULE/L2A_T32/IMG_DATA/R10m/T32_B04_10m.jp2",
    "file.nc",
    "dir/..hidden/x",  # '..hidden' is a name, not the parent
    "dir/a..b",
    "ünï/日本.txt",
    "dir/a:b",  # a colon past the first component is no drive letter
]


@pytest.mark.parametrize("member", GOOD_MEMBERS)
def test_check_member_accepts(member: str) -> None:
    check_member(member)


BAD_MEMBERS = [
    ("", "relative path"),
    ("/etc/passwd", "absolute"),
    ("/", "absolute"),
    ("//server/share/x", "absolute"),
    ("../evil", "'..'"),
    ("a/../../evil", "'..'"),
    ("a/..", "'..'"),
    ("a/../", "'..'"),
    ("./a", "'.'"),
    ("a//b", "'empty'"),
    ("..\\evil", "backslash"),
    ("a\\..\\..\\evil", "backslash"),
    ("\\windows\\system32", "backslash"),
    ("C:/Windows/evil.dll", "drive letter"),
    ("c:evil", "drive letter"),
    ("D:\\evil", "drive letter"),
    ("a/b\x00.txt", "control character"),
    ("a/\nb", "control character"),
    ("a/" + "x" * 256, "exceeds 255 bytes"),
]


@pytest.mark.parametrize(("member", "why"), BAD_MEMBERS)
def test_check_member_refuses(member: str, why: str) -> None:
    with pytest.raises(UnsafePathError) as info:
        check_member(member)
    assert repr(member) in str(info.value)
    assert why in str(info.value)


# -- check_zip --------------------------------------------------------------------------------


def _zip(path: Path, members: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return path


def test_check_zip_accepts_a_product(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "p.zip",
        [
            ("P.SAFE/", b""),
            ("P.SAFE/manifest.safe", b"<xml/>"),
            ("P.SAFE/GRANULE/b.jp2", b"x" * 5000),
        ],
    )
    check_zip(path)
    check_zip(str(path))


def _info(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix: the high 16 bits of external_attr are st_mode
    info.external_attr = mode << 16
    return info


HOSTILE_ZIPS = [
    ("/etc/cron.d/evil", UnsafePathError, "absolute"),
    ("../../evil.sh", UnsafePathError, "'..'"),
    ("P.SAFE/../../evil", UnsafePathError, "'..'"),
    ("..\\..\\evil.bat", UnsafePathError, "backslash"),
    ("C:/evil.dll", UnsafePathError, "drive letter"),
    (_info("P.SAFE/link", stat.S_IFLNK | 0o777), UnsafePathError, "symlink"),
    (_info("P.SAFE/fifo", stat.S_IFIFO | 0o644), UnsafePathError, "special"),
    (_info("P.SAFE/dev", stat.S_IFCHR | 0o644), UnsafePathError, "special"),
]


@pytest.mark.parametrize(("member", "error", "why"), HOSTILE_ZIPS)
def test_check_zip_refuses_hostile_members(
    tmp_path: Path, member: str | zipfile.ZipInfo, error: type[Exception], why: str
) -> None:
    path = _zip(tmp_path / "evil.zip", [("P.SAFE/ok.txt", b"fine"), (member, b"/etc/passwd")])
    name = member.filename if isinstance(member, zipfile.ZipInfo) else member
    with pytest.raises(error) as info:
        check_zip(path)
    assert repr(name) in str(info.value)
    assert why in str(info.value)


def test_check_zip_accepts_regular_unix_modes(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "modes.zip",
        [
            (_info("P.SAFE/", stat.S_IFDIR | 0o755), b""),
            (_info("P.SAFE/run.sh", stat.S_IFREG | 0o755), b"#!/bin/sh"),
        ],
    )
    check_zip(path)


def test_check_zip_refuses_a_non_zip(tmp_path: Path) -> None:
    path = tmp_path / "html.zip"
    path.write_bytes(b"<html>502 Bad Gateway</html>")
    with pytest.raises(DownloadError, match=r"not a readable zip"):
        check_zip(path)


def test_check_zip_refuses_a_truncated_zip(tmp_path: Path) -> None:
    path = _zip(tmp_path / "t.zip", [("P.SAFE/a.bin", os.urandom(20000))])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DownloadError, match=str(path)):
        check_zip(path)


def test_check_zip_detects_a_corrupt_member(tmp_path: Path) -> None:
    payload = b"A" * 4000
    path = tmp_path / "c.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("P.SAFE/a.bin", payload)
    data = bytearray(path.read_bytes())
    offset = data.index(payload)
    data[offset + 100] ^= 0xFF  # flip a byte of the stored data: the CRC no longer matches
    path.write_bytes(bytes(data))
    with pytest.raises(DownloadError, match=r"'P.SAFE/a.bin' fails its CRC check"):
        check_zip(path)


def test_check_zip_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="cannot be read"):
        check_zip(tmp_path / "absent.zip")


# -- ensure_within ----------------------------------------------------------------------------


def test_ensure_within(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    assert ensure_within(root, root / "sub" / "f") == root / "sub" / "f"
    # a symlink as the LAST component is the entry itself, inside root
    (root / "link").symlink_to(outside)
    assert ensure_within(root, root / "link") == root / "link"
    # but a path THROUGH a symlinked folder is outside
    with pytest.raises(UnsafePathError, match="outside"):
        ensure_within(root, root / "link" / "f")
    with pytest.raises(UnsafePathError, match="outside"):
        ensure_within(root, root / ".." / "outside" / "f")
    with pytest.raises(UnsafePathError, match="outside"):
        ensure_within(root, tmp_path / "elsewhere")
