"""``cdse-intake clms ...``: search, request (posted once), wait, download, jobs, cancel and the
exit codes, in process against the emulator's CLMS API."""

from __future__ import annotations

from pathlib import Path

from cdse_intake.cli.app import main

from ._land import posts

#: Land Cover 100 m, epoch 2019 (a Geotiff dataset of the CLMS documentation's examples).
LAND_COVER_2019 = "a8d945f0edd143a0a5240c28bafa23da"
BOX = ["2.35", "45.88", "2.6", "46.05"]


def request(*more: str) -> list[str]:
    return ["clms", "request", LAND_COVER_2019, "--bbox", *BOX, *more]


def test_search_prints_a_table_of_datasets(land, capsys):
    assert main(["clms", "search", "NDVI"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == ["UID", "formats", "title"]
    assert len(lines) > 2 and all("Vegetation Index" in line for line in lines[1:])
    assert all(len(line.split()[0]) == 32 and "Netcdf" in line for line in lines[1:])
    assert f"{len(lines) - 1} datasets" in err


def test_request_waits_downloads_and_is_posted_once(land, cdse_emulator, capsys, tmp_path):
    assert main(request("--download", str(tmp_path / "out"))) == 0
    out, err = capsys.readouterr()
    task = out.splitlines()[0]
    assert task.isdigit() and f"waiting for task {task}" in err
    assert f"task {task}: Finished_ok" in err
    folder = tmp_path / "out"
    assert out.splitlines()[1] == str(folder) and "files from" in err
    assert len(list(folder.glob("*.zip"))) == 1
    assert any(p.suffix == ".tif" for p in folder.rglob("*"))

    assert main(request()) == 0  # the same request: the same task, nothing posted
    assert capsys.readouterr().out.strip() == task
    assert posts(cdse_emulator) == 1

    assert main(["clms", "jobs"]) == 0
    out, err = capsys.readouterr()
    row = out.splitlines()[1].split()
    assert row[:3] == [task, "downloaded", "Finished_ok"] and "1 kept jobs" in err
    assert main(["clms", "status", task]) == 0
    assert capsys.readouterr().out.split()[:2] == [task, "Finished_ok"]
    fetched = len(cdse_emulator.state.requests(path="/clmsdatadownload/*"))
    assert main(["clms", "download", task, str(folder)]) == 0  # kept: nothing fetched again
    assert len(cdse_emulator.state.requests(path="/clmsdatadownload/*")) == fetched == 1


def test_status_download_and_cancel_by_task_id(land, cdse_emulator, capsys, tmp_path):
    land.delays = (0.5, 0.5)  # still queued when asked first
    assert main(request()) == 0
    task = capsys.readouterr().out.strip()
    assert main(["clms", "status"]) == 0
    assert capsys.readouterr().out.split()[:2] == [task, "Queued"]
    assert main(["clms", "download", task, str(tmp_path)]) == 0  # waits, then fetches
    assert any(Path(tmp_path).rglob("*.tif"))
    assert main(["clms", "cancel", task]) == 0
    assert "cancelled" in capsys.readouterr().err
    assert main(["clms", "jobs"]) == 0
    assert "0 kept jobs" in capsys.readouterr().err
    assert len(cdse_emulator.state.requests(path="/api/@datarequest_delete")) == 1


def test_errors_are_one_line_with_the_table_s_codes(land, cdse_emulator, capsys, monkeypatch):
    assert main(["clms", "request", LAND_COVER_2019, "--bbox", "1", "2", "3"]) == 2
    assert "--bbox: expected 4 arguments" in capsys.readouterr().err
    assert main(["clms", "request", LAND_COVER_2019, "--bbox", "1", "2", "3", "north"]) == 2
    assert "invalid bbox '1 2 3 north'" in capsys.readouterr().err
    assert main(request("--format", "GPKG")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "output_format='GPKG'" in err and "Geotiff" in err
    assert main(["clms", "status", "12345"]) == 2
    assert "not a job kept" in capsys.readouterr().err
    assert posts(cdse_emulator) == 0

    land.failure_share = 1.0
    assert main(request("--wait", "--timeout", "20")) == 8
    assert "Finished_nok" in capsys.readouterr().err
    land.failure_share = 0.0
    assert main(request("--resubmit", "--wait", "--timeout", "20")) == 0
    capsys.readouterr()

    land.delays = (30.0, 30.0)
    other = ["clms", "request", LAND_COVER_2019, "--bbox", "2.35", "45.88", "2.6", "46.1"]
    assert main([*other, "--wait", "--timeout", "0.5"]) == 5
    assert "is not finished yet; it is kept" in capsys.readouterr().err

    monkeypatch.delenv("CDSE_CLMS_SERVICE_KEY")
    assert main(["clms", "jobs"]) == 7
    assert "service key" in capsys.readouterr().err
    assert main(["--debug", "clms", "jobs", "--service-key", "/nonexistent.json"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "nonexistent.json" in err.splitlines()[-1]
