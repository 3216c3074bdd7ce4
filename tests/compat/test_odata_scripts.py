"""The OData scripts' habits (000): query log, batch download from it, token file, exit codes."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from cdse_intake.compat.odata_download import main
from cdse_intake.compat.odata_scripts import (
    COLUMNS,
    SEPARATOR,
    odata_download,
    odata_query,
    read_log,
)
from cdse_intake.config import Settings
from cdse_intake.errors import QueryError

from ._brute import entries, md5, token_response, value_requests

# The scripts' documented example, moved to a place the emulator covers (Paris, tile 31UNE).
PARAMS = {
    "params_Collect": "SENTINEL-2",
    "params_Poly": "2.2 48.8, 2.5 48.8, 2.5 48.9, 2.2 48.9, 2.2 48.8",
    "params_StartTime": "2023-01-01T00:00:00.000",
    "params_StopTime": "2023-01-31T23:59:59.999",
    "params_Cloud": "50.00",
    "params_MaxRecords": "100",
}


@pytest.fixture
def endpoints_env(cdse_emulator, monkeypatch):
    """The emulator's endpoints in the environment, and no credentials."""
    for key, value in cdse_emulator.env().items():
        if (key.startswith("CDSE_") and "URL" in key) or key == "CDSE_S3_ENDPOINT":
            monkeypatch.setenv(key, value)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def settings(tmp_path: Path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", retries=1)


def test_query_log_has_the_scripts_name_header_and_columns(cdse_emulator, tmp_path):
    log = odata_query(**PARAMS, outdir=tmp_path, endpoints=cdse_emulator.endpoints)
    start, stop = PARAMS["params_StartTime"], PARAMS["params_StopTime"]
    assert log.name.startswith(f"OData_{start}_{stop}_query_")
    stamp = log.name.removeprefix(f"OData_{start}_{stop}_query_").removesuffix(".log")
    datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S")  # querying_Time
    head, _, table = log.read_text().partition(SEPARATOR + "\n")
    for name in PARAMS:
        assert any(line.startswith(f"{name} = ") for line in head.splitlines()), name
    assert f"params_Cloud = {PARAMS['params_Cloud']}" in head
    assert table.splitlines()[0] == "Id,Name,Checksum,Online,Downloaded"

    # The rows are the brute-force answer over the emulator's records, in start order.
    want = entries(
        cdse_emulator,
        collection="SENTINEL-2",
        start=datetime(2023, 1, 1, tzinfo=UTC),
        end=datetime(2023, 1, 31, 23, 59, 59, 999000, tzinfo=UTC),
        area="POLYGON((2.2 48.8, 2.5 48.8, 2.5 48.9, 2.2 48.9, 2.2 48.8))",
        cloud_max=50.0,
    )
    _, frame = read_log(log)
    assert list(frame.columns) == list(COLUMNS)
    assert 0 < len(want) <= 100
    assert list(frame["Id"]) == [e.id for e in want]
    assert list(frame["Name"]) == [e.name for e in want]
    assert list(frame["Online"]) == [e.online for e in want]
    assert not frame["Downloaded"].any()
    first = ast.literal_eval(frame["Checksum"][0])  # the text of CDSE's Checksum list
    assert {"Value": want[0].md5, "Algorithm": "MD5"} in first


def test_max_records_limits_and_bad_parameters_are_named(cdse_emulator, tmp_path):
    log = odata_query(
        **{**PARAMS, "params_MaxRecords": "3"}, outdir=tmp_path, endpoints=cdse_emulator.endpoints
    )
    assert len(read_log(log)[1]) == 3
    with pytest.raises(QueryError, match="params_StartTime='2023-01-01'"):
        odata_query(**{**PARAMS, "params_StartTime": "2023-01-01"}, outdir=tmp_path)
    with pytest.raises(QueryError, match="params_Poly"):
        odata_query(**{**PARAMS, "params_Poly": "2.2 48.8, 2.5"}, outdir=tmp_path)
    # vertices as a list (the ring is closed for the caller)
    listed = odata_query(
        **{**PARAMS, "params_Poly": [(2.2, 48.8), (2.5, 48.8), (2.5, 48.9), (2.2, 48.9)]},
        outdir=tmp_path / "list",
        endpoints=cdse_emulator.endpoints,
    )
    full = odata_query(**PARAMS, outdir=tmp_path / "full", endpoints=cdse_emulator.endpoints)
    assert list(read_log(listed)[1]["Id"]) == list(read_log(full)[1]["Id"])
    assert list(read_log(log)[1]["Id"]) == list(read_log(full)[1]["Id"])[:3]


def _small_log(emu, folder: Path, count: int = 2) -> Path:
    return odata_query(
        **{**PARAMS, "params_MaxRecords": str(count)}, outdir=folder, endpoints=emu.endpoints
    )


def test_download_with_the_token_file_verifies_and_marks_rows(
    cdse_emulator, endpoints_env, workdir
):
    log = _small_log(cdse_emulator, workdir)
    token = workdir / "CopernicusDataspace_token.json"
    token.write_text(json.dumps(token_response(cdse_emulator)))
    before = len(cdse_emulator.state.requests(grant_type="password"))
    code = odata_download(log, settings=settings(workdir))
    assert code == 0
    _, frame = read_log(log)
    assert frame["Downloaded"].all()
    by_id = {e.id: e for e in cdse_emulator.catalogue if e.id in set(frame["Id"])}
    for pid in frame["Id"]:
        entry = by_id[pid]
        stem = entry.name.removesuffix(".SAFE")
        assert md5(workdir / f"{stem}.zip") == entry.md5  # in the working folder, as the script
    # the token file was used: no password login
    assert len(cdse_emulator.state.requests(grant_type="password")) == before
    users = {r.user for r in value_requests(cdse_emulator)}
    assert users == {cdse_emulator.username}
    # a second run finds every row Downloaded: no transfer, exit 0
    sent = len(value_requests(cdse_emulator))
    assert main([str(log)]) == 0
    assert len(value_requests(cdse_emulator)) == sent


def test_our_credentials_work_without_a_token_file(cdse_emulator, cdse_env, workdir):
    log = _small_log(cdse_emulator, workdir, count=1)
    assert odata_download(log, dest=workdir / "out", settings=settings(workdir)) == 0
    assert read_log(log)[1]["Downloaded"].all()
    assert len(list((workdir / "out").glob("*.zip"))) == 1


def test_exit_1_without_argument_and_2_for_an_unreadable_log(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDSE_")}
    command = [sys.executable, "-m", "cdse_intake.compat.odata_download"]
    none = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert none.returncode == 1, none.stderr
    assert "Usage" in none.stderr
    missing = subprocess.run(
        [*command, str(tmp_path / "nope.log")], capture_output=True, text=True, env=env, timeout=60
    )
    assert missing.returncode == 2, missing.stderr
    garbage = tmp_path / "garbage.log"
    garbage.write_text("not a query log\n")
    assert main([str(garbage)]) == 2


def test_exit_3_without_token_file_or_credentials(cdse_emulator, endpoints_env, workdir):
    log = _small_log(cdse_emulator, workdir, count=1)
    assert main([str(log)]) == 3
    assert not read_log(log)[1]["Downloaded"].any()  # rewritten, still not downloaded
    assert odata_download(log, token_file=workdir / "elsewhere.json") == 3


def test_exit_4_when_the_token_cannot_be_refreshed(cdse_emulator, endpoints_env, workdir):
    log = _small_log(cdse_emulator, workdir, count=1)
    stale = {"access_token": "expired", "refresh_token": "revoked", "expires_in": 600}
    (workdir / "CopernicusDataspace_token.json").write_text(json.dumps(stale))
    assert odata_download(log, settings=settings(workdir)) == 4
    assert not read_log(log)[1]["Downloaded"].any()


def test_exit_5_for_a_session_error_and_the_log_keeps_what_worked(cdse_emulator, cdse_env, workdir):
    log = _small_log(cdse_emulator, workdir, count=1)
    head, frame = read_log(log)
    ghost = pd.DataFrame([[str(uuid.uuid4()), "S2A_MSIL2A_GHOST.SAFE", "[]", True, False]])
    ghost.columns = list(COLUMNS)
    from cdse_intake.compat.odata_scripts import write_log

    write_log(log, head, pd.concat([frame, ghost], ignore_index=True))
    assert odata_download(log, settings=settings(workdir)) == 5  # 404: not in {200, 401, 429}
    _, after = read_log(log)
    assert list(after["Downloaded"]) == [True, False]


def test_exit_6_for_a_local_error(cdse_emulator, cdse_env, workdir):
    log = _small_log(cdse_emulator, workdir, count=1)
    blocker = workdir / "not-a-folder"
    blocker.write_text("")
    assert odata_download(log, dest=blocker, settings=settings(workdir)) == 6
    assert not read_log(log)[1]["Downloaded"].any()
