"""`make demo` runs: the demo command completes its tour against the built-in emulator."""

from __future__ import annotations

import subprocess
import sys
import zipfile


def test_demo_round_trip(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "cdse_intake.cli", "demo"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "BLAKE3 matches the catalogue's checksum" in out.stdout
    # the tour: catalogue entries, the live collections, a product opened, a remote window
    for expected in ("sentinel2_l2a", "live catalogue offers", "Data variables:", "transferred of"):
        assert expected in out.stdout
    png = tmp_path / "demo-output" / "quicklook.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # downloaded into the demo's own product cache, never the user's
    (written,) = (tmp_path / "demo-output" / "cache" / "products").rglob("*.zip")
    with zipfile.ZipFile(written) as zf:
        assert zf.testzip() is None
        top = {name.split("/")[0] for name in zf.namelist()}
    assert top == {written.stem + ".SAFE"}  # the zip holds <Name>/ as CDSE delivers it
    assert not list((tmp_path / "demo-output").rglob("*.part*"))
    manifest = (tmp_path / "demo-output" / "wellington.csv").read_text()
    assert ",verified," in manifest  # the downloaded product's row
