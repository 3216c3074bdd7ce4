"""Burst extraction through the client against the emulator: the zip in the cache opens with
the Sentinel-1 reader and holds exactly the parent SLC's lines of that burst; the redirect gets
the token only where the configuration says CDSE is; an interrupted extraction resumes; and the
``cdse-intake bursts`` exit codes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from cdse_intake.bursts import extract_bursts, open_burst, search_bursts
from cdse_intake.cli import ExitCode, main
from cdse_intake.config import Settings
from cdse_intake.emulator import Emulator
from cdse_intake.errors import AuthenticationError
from cdse_intake.readers.api import open_product


@pytest.fixture(scope="module")
def emu():
    with Emulator(scale=0.02, deliver="all") as emulator:
        yield emulator


@pytest.fixture(scope="module")
def iw_bursts(emu):
    """The VV bursts of one IW SLC product."""
    found = search_bursts(endpoints=emu.endpoints, product_type="IW_SLC__1S", limit=60)
    parent = found[0].parent_id
    return [b for b in found if b.parent_id == parent and b.polarisation == "VV"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", retries=2)


def _extract(emu, bursts, settings, **kw):
    kw.setdefault("endpoints", emu.endpoints)
    return extract_bursts(bursts, credentials=(emu.username, emu.password), settings=settings, **kw)


def _posts(emu, burst) -> list:
    return emu.state.requests(method="POST", path=f"/odata/v1/Bursts({burst.id})/$value")


def test_an_extracted_burst_is_its_parents_lines(emu, iw_bursts, settings, tmp_path):
    burst = next(b for b in iw_bursts if b.swath == "IW2" and b.azimuth_time > iw_bursts[0].start)
    index = sorted({b.azimuth_time for b in iw_bursts if b.swath == "IW2"}).index(
        burst.azimuth_time
    )
    assert index >= 1  # not the first burst: line numbers must be re-based
    (done,) = _extract(emu, [burst], settings)
    assert done.status == "verified", done.error
    assert done.path == settings.cache_dir / "bursts" / f"{burst.name}.zip"
    entry = emu.catalogue.by_id[burst.parent_id]
    parent_zip = tmp_path / f"{entry.stem}.zip"
    parent_zip.write_bytes(bytes(entry.payload.view()))
    mine = open_burst(done, chunks=None)["IW2"].to_dataset()
    whole = open_product(parent_zip, chunks=None)["IW2"].to_dataset()
    lines = slice(index * burst.lines, (index + 1) * burst.lines)
    cut = whole.isel(y=lines)
    assert mine.sizes["y"] == burst.lines and mine.sizes["x"] == burst.samples
    assert np.array_equal(mine["VV"].values, cut["VV"].values)
    assert np.count_nonzero(mine["VV"].values) > 0
    assert np.array_equal(mine["azimuth_time"].values, cut["azimuth_time"].values)
    sigma = open_burst(done.path, chunks=None, calibration="sigma0")["IW2"]["VV"].values
    parent_sigma = open_product(parent_zip, chunks=None, calibration="sigma0")["IW2"].to_dataset()
    parent_sigma = parent_sigma["VV"]
    np.testing.assert_allclose(sigma, parent_sigma.isel(y=lines).values, rtol=1e-5)
    # Already there and whole: not asked again.
    before = len(_posts(emu, burst))
    (again,) = _extract(emu, [burst], settings)
    assert again.status == "present" and again.path == done.path
    assert len(_posts(emu, burst)) == before


def test_the_token_goes_to_configured_origins_only(emu, iw_bursts, settings):
    burst = iw_bursts[1]
    elsewhere = dataclasses.asdict(emu.endpoints)
    elsewhere["download"] = "http://127.0.0.9:9/odata/v1"  # not where the redirect goes
    (refused,) = _extract(emu, [burst], settings, endpoints=elsewhere)
    assert refused.status == "failed"
    assert isinstance(refused.error, AuthenticationError)
    assert "Token not found" in str(refused.error)
    on_download = [r for r in _posts(emu, burst) if r.host.startswith("127.0.0.2")]
    assert on_download and all(r.user is None and r.status == 401 for r in on_download)
    (done,) = _extract(emu, [burst], settings)  # the real download host is configured
    assert done.status == "verified"
    assert _posts(emu, burst)[-1].user == emu.username


def test_an_interrupted_extraction_resumes(emu, iw_bursts, tmp_path):
    burst = iw_bursts[2]
    settings = Settings(cache_dir=tmp_path / "cache", retries=0)
    emu.faults.add("truncate", burst.id, after_bytes=30_000, times=1)
    (cut,) = _extract(emu, [burst], settings)
    assert cut.status == "failed"
    part = settings.cache_dir / "bursts" / f"{burst.name}.zip.part"
    assert part.stat().st_size == 30_000
    (done,) = _extract(emu, [burst], settings)
    assert done.status == "verified", done.error
    size = done.path.stat().st_size
    assert done.bytes == size - 30_000
    assert _posts(emu, burst)[-1].range == "bytes=30000-"
    assert not part.exists()


def test_cli_exit_codes(emu, iw_bursts, monkeypatch, tmp_path, capsys):
    for key, value in emu.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CDSE_CACHE_DIR", str(tmp_path / "cache"))
    burst = iw_bursts[3]
    assert (
        main(["bursts", "search", "--burst-id", str(burst.burst_id), "--swath", burst.swath]) == 0
    )
    out = capsys.readouterr().out
    assert burst.id in out and all(f"\t{burst.swath}\t" in line for line in out.splitlines())
    assert main(["bursts", "search", "--swath", "IW9"]) == ExitCode.USAGE
    assert "'IW9' is not one of" in capsys.readouterr().err
    assert main(["bursts", "coverage", "--bbox", "0,40,10,50", "--swath", "IW1"]) == 0
    assert capsys.readouterr().out.startswith("burst_id\trelative_orbit")
    dest = tmp_path / "zips"
    assert main(["bursts", "extract", "--id", burst.id, "--dest", str(dest)]) == 0
    assert (dest / f"{burst.name}.zip").is_file()
    assert main(["bursts", "extract", "--id", "not-a-uuid"]) == ExitCode.USAGE
    assert main(["bursts", "extract"]) == ExitCode.USAGE
    unknown = "0badc0de-0000-4000-8000-000000000000"
    assert main(["bursts", "extract", "--id", unknown]) == ExitCode.ERROR
    monkeypatch.delenv("CDSE_PASSWORD")
    monkeypatch.delenv("CDSE_USERNAME")
    assert main(["bursts", "extract", "--id", burst.id]) == ExitCode.CREDENTIALS
