"""``cdse-intake load``: the written cube equals ``cdse_intake.load``'s, bad values are refused
before any request, an existing output is kept, and a failed or interrupted write leaves
nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import cdse_intake
from cdse_intake.cli import ExitCode, main
from cdse_intake.cli import load as load_cmd

#: Tile 31UNE's granule south of Paris; January 2023 holds two showcase products with data.
BBOX = (2.3, 48.82, 2.4, 48.88)
QUERY = [
    "--collection", "sentinel-2-l2a", "--bbox", ",".join(map(str, BBOX)),
    "--start", "2023-01-01", "--end", "2023-01-06",
]  # fmt: skip
CUBE = ["--bands", "B04,B08", "--resolution", "20", "--quiet"]


def expected_cube(**kwargs: object) -> xr.Dataset:
    results = cdse_intake.search("sentinel-2-l2a", bbox=BBOX, start="2023-01-01", end="2023-01-06")
    assert len(results) == 2
    return results.load(bands=["B04", "B08"], resolution=20, bbox=BBOX, **kwargs).compute()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_the_written_zarr_holds_the_cube_of_load(cdse_env, tmp_path, capsys):
    out = tmp_path / "cube.zarr"
    assert main(["load", *QUERY, *CUBE, "-o", str(out)]) == ExitCode.OK
    summary = capsys.readouterr().out.strip().splitlines()
    written = xr.open_zarr(out).compute()
    want = expected_cube()
    assert set(written.data_vars) == {"B04", "B08"}
    for name in ("B04", "B08"):
        np.testing.assert_array_equal(written[name].values, want[name].values)
        assert written[name].dtype == want[name].dtype
    np.testing.assert_array_equal(written.time.values, want.time.values)
    np.testing.assert_array_equal(written.x.values, want.x.values)
    assert np.isfinite(written.B04.values).mean() > 0.1  # real pixels, not an empty grid
    assert len(summary) == 1
    assert summary[0].startswith(f"{out}: time=2, y={want.sizes['y']}, x={want.sizes['x']}; ")
    assert "B04, B08" in summary[0] and "MB on disk" in summary[0]
    assert leftovers(tmp_path) == []


def test_a_manifest_to_netcdf_keeps_the_searchs_area(cdse_env, tmp_path, capsys):
    manifest = tmp_path / "paris.csv"
    assert main(["search", *QUERY, "-o", str(manifest)]) == ExitCode.OK
    out = tmp_path / "cube.nc"
    assert main(["load", "--manifest", str(manifest), *CUBE, "-o", str(out)]) == ExitCode.OK
    with xr.open_dataset(out, engine="h5netcdf") as written:
        want = expected_cube()
        assert dict(written.sizes) == dict(want.sizes)  # the manifest's bbox is the extent
        np.testing.assert_array_equal(written.B08.values, want.B08.values)
    other = str(tmp_path / "other.zarr")
    both = main(["load", "--manifest", str(manifest), "--tile", "31UNE", "-o", other])
    assert both == ExitCode.USAGE
    assert "give --manifest or search options (--tile), not both" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--resolution", "-3"], "resolution='-3': expected a positive pixel size"),
        (["--resampling", "sharpest"], "resampling='sharpest': expected one of nearest"),
        (["--crs", "EPSG:999999"], "crs='EPSG:999999' is not a coordinate reference system"),
        (["--groupby", "week"], "groupby='week': expected one of 'solar_day'"),
        (["--chunks", "y=lots"], "--chunks 'y=lots': expected a size"),
        (["--via", "ftp"], "via"),
    ],
)
def test_a_bad_value_is_exit_2_before_any_request(
    cdse_env, cdse_emulator, tmp_path, capsys, args, message
):
    code = main(["load", *QUERY, *args, "-o", str(tmp_path / "cube.zarr")])
    assert code == ExitCode.USAGE == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert cdse_emulator.state.requests() == []  # refused before the search
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bands", "B04,B99"], "variables: 'B99' is not a Sentinel-2 band"),
        (["--mask", "sky"], "mask='sky': expected 'cloud', 'clear'"),
        (["--option", "calibration=sigma0"], "load() has no option 'calibration'"),
    ],
)
def test_a_value_the_family_refuses_is_exit_2_with_the_cubes_message(
    cdse_env, tmp_path, capsys, args, message
):
    code = main(["load", *QUERY, "--quiet", *args, "-o", str(tmp_path / "cube.zarr")])
    assert code == ExitCode.USAGE
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_output_name_without_a_format_is_refused(cdse_env, tmp_path, capsys):
    assert main(["load", *QUERY, "-o", str(tmp_path / "cube.tif")]) == ExitCode.USAGE
    assert "expected a name ending in .zarr or .nc" in capsys.readouterr().err


def test_an_existing_output_is_replaced_only_with_overwrite(cdse_env, tmp_path, capsys):
    out = tmp_path / "cube.zarr"
    assert main(["load", *QUERY, *CUBE, "-o", str(out)]) == ExitCode.OK
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    assert main(["load", *QUERY, "--bands", "B02", "--quiet", "-o", str(out)]) == ExitCode.USAGE
    assert "exists; give --overwrite to replace it" in capsys.readouterr().err
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    code = main(["load", *QUERY, "--bands", "B02", "--quiet", "--overwrite", "-o", str(out)])
    assert code == ExitCode.OK
    assert set(xr.open_zarr(out).data_vars) == {"B02"}
    assert leftovers(tmp_path) == []
    folder = tmp_path / "notes.zarr"  # a folder that is no Zarr store is never replaced
    folder.mkdir()
    (folder / "mine.txt").write_text("keep")
    code = main(["load", *QUERY, "--overwrite", "-o", str(folder)])
    assert code == ExitCode.USAGE
    assert (folder / "mine.txt").read_text() == "keep"


@pytest.mark.parametrize(
    ("failure", "code"),
    [(KeyboardInterrupt, ExitCode.INTERRUPTED), (RuntimeError, ExitCode.ERROR)],
)
def test_a_write_that_stops_halfway_leaves_no_output(
    cdse_env, tmp_path, monkeypatch, capsys, failure, code
):
    """Ctrl-C or an error once some chunks are on disk: no output, no partial sibling, and an
    output being overwritten stays as it was."""
    from cdse_intake import cubes

    real_load = cubes.load
    written: list[int] = []
    first = threading.Event()

    def failing_load(*args: object, **kwargs: object) -> xr.Dataset:
        cube = real_load(*args, **kwargs)

        def block(data: np.ndarray, block_info: dict | None = None) -> np.ndarray:
            if block_info[None]["chunk-location"][0] == 1:  # the second time step, once the
                first.wait(30)  # first is written
                time.sleep(0.2)
                raise failure("stopped while writing")
            written.append(1)
            first.set()
            return data

        meta = np.array((), dtype=cube.B08.dtype)
        cube["B08"] = cube.B08.copy(data=cube.B08.data.map_blocks(block, meta=meta))
        return cube

    monkeypatch.setattr(cubes, "load", failing_load)
    fresh = tmp_path / "fresh.zarr"
    assert main(["load", *QUERY, *CUBE, "-o", str(fresh)]) == code
    assert written, "the write should have started"
    assert not fresh.exists()
    assert leftovers(tmp_path) == []
    old = tmp_path / "old.nc"
    old.write_bytes(b"the cube of yesterday")
    assert main(["load", *QUERY, *CUBE, "--overwrite", "-o", str(old)]) == code
    assert old.read_bytes() == b"the cube of yesterday"
    assert leftovers(tmp_path) == []
    assert "Traceback" not in capsys.readouterr().err


def test_ctrl_c_in_the_shell_stops_the_write_and_removes_it(cdse_env, tmp_path):
    """A real SIGINT while chunks are being written: exit 130, nothing left in the folder."""
    out = tmp_path / "cube.zarr"
    slow = ["--crs", "EPSG:3035", "--resolution", "10", "--resampling", "bilinear"]
    process = subprocess.Popen(
        [sys.executable, "-m", "cdse_intake.cli", "load", *QUERY, *slow, "--chunks", "128",
         "--quiet", "-o", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".cube.zarr.partial-*/cube.zarr/*/*")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the write never started"
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == ExitCode.INTERRUPTED == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_progress_goes_to_stderr_unless_quiet(cdse_env, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(load_cmd, "PROGRESS_AFTER", 0.0)
    noisy = ["--bands", "B04", "--resolution", "20"]
    assert main(["load", *QUERY, *noisy, "-o", str(tmp_path / "a.zarr")]) == ExitCode.OK
    shown = capsys.readouterr()
    assert "Completed" in shown.err and "%" in shown.err
    assert "Completed" not in shown.out
    quiet = [*noisy, "--quiet"]
    assert main(["load", *QUERY, *quiet, "-o", str(tmp_path / "b.zarr")]) == ExitCode.OK
    assert "Completed" not in capsys.readouterr().err


def test_help_lists_the_exit_codes():
    done = subprocess.run(
        [sys.executable, "-m", "cdse_intake.cli", "load", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
        check=False,
    )
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "--overwrite" in text and "--manifest" in text and "--bands" in text
    assert "exit codes: 0 success" in text and "130 interrupted" in text


def test_a_partial_folder_made_again_by_a_late_chunk_is_removed_too(tmp_path):
    """What the Ctrl-C test above met under load: a chunk in flight landed after the partial
    folder was removed, and zarr's store made the folder again on its way to the chunk."""
    from cdse_intake.cli.load import _remove

    partial = tmp_path / ".cube.zarr.partial-x"
    (partial / "cube.zarr" / "B04").mkdir(parents=True)

    def late_chunk() -> None:
        time.sleep(0.3)
        (partial / "cube.zarr" / "B04").mkdir(parents=True, exist_ok=True)
        (partial / "cube.zarr" / "B04" / "0.0.0").write_bytes(b"chunk")

    writer = threading.Thread(target=late_chunk)
    writer.start()
    _remove(partial, settle=1.0)
    writer.join()
    assert list(tmp_path.iterdir()) == []
