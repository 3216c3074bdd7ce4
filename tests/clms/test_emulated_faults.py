"""What goes wrong with CLMS, against the emulator: each a clear error, nothing half-written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from cdse_intake import clms
from cdse_intake.config import Settings
from cdse_intake.errors import (
    CLMSAuthenticationError,
    CLMSResultExpired,
    CLMSTaskFailed,
)

from .emulated import BOX, LAND_COVER_2019, land_cover_job, requests

SCRIPT = f"""
from cdse_intake import clms
from cdse_intake.config import Settings
job = clms.request({LAND_COVER_2019!r}, bbox={BOX!r}, output_format="Geotiff")
print(job.task_id, flush=True)
job.wait(timeout=120)
"""


def _token_requests(emu) -> int:
    return len([r for r in emu.state.requests() if r.path.endswith("@@oauth2-token")])


def test_a_killed_run_is_picked_up_without_posting_again(land, cdse_emulator):
    land.delays = (0.4, 0.6)  # still in progress when the first run is killed
    child = subprocess.Popen(
        [sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    try:
        task_id = child.stdout.readline().strip()
        assert task_id, "the first run printed no task id"
        assert land.task(task_id)["Status"] in ("Queued", "In_progress")
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    job = land_cover_job()
    assert job.task_id == task_id
    assert len(requests(cdse_emulator, "@datarequest_post")) == 1
    job.wait(timeout=30)
    files = job.download()
    assert files[0].is_file() and land_cover_job().download() == files
    assert len(cdse_emulator.state.requests(path="/clmsdatadownload/*")) == 1


def test_polling_faster_than_clms_allows_waits_instead_of_failing(land, cdse_emulator, monkeypatch):
    monkeypatch.setenv("CDSE_CLMS_POLL_INTERVAL", "0.01")
    land.min_poll_interval = 0.5
    job = land_cover_job()
    status = job.wait(timeout=30)
    assert status.done
    polls = requests(cdse_emulator, "@datarequest_status_get")
    refused = [p for p in polls if p.status == 429]
    assert refused, "the emulator never refused a poll: the test polled too slowly"
    assert len(polls) < 12  # each 429 waited for its Retry-After: no tight loop


def test_asking_the_status_twice_in_a_row_waits_for_the_pace_clms_allows(land, cdse_emulator):
    # Seen in the suite: `cdse-intake clms status TASK` right after `clms jobs`/`wait` ended
    # with "CLMS rate limited the request" (exit 4); one status() now waits for Retry-After.
    land.min_poll_interval = 0.5
    job = land_cover_job()
    first = job.status()
    second = job.status()  # within 0.5 s of the first: a 429, then the poll again
    assert second.task_id == first.task_id
    polls = requests(cdse_emulator, "@datarequest_status_get")
    assert [p.status for p in polls][-3:] == [200, 429, 200]


def test_a_failed_task_is_reported_and_posted_again_only_when_asked(land, cdse_emulator):
    land.failure_share = 1.0
    job = land_cover_job()
    with pytest.raises(CLMSTaskFailed, match=r"Finished_nok.*resubmit=True") as info:
        job.wait(timeout=30)
    assert info.value.task_status == "Finished_nok" and info.value.task_id == job.task_id
    with pytest.raises(CLMSTaskFailed, match="resubmit=True"):
        land_cover_job()  # the record says it failed: not posted again by itself
    assert len(requests(cdse_emulator, "@datarequest_post")) == 1
    land.failure_share = 0.0
    again = land_cover_job(resubmit=True)
    assert again.task_id != job.task_id and again.wait(timeout=30).done
    assert len(requests(cdse_emulator, "@datarequest_post")) == 2


def test_a_lost_task_is_reported(land):
    job = land_cover_job()
    land.lose(job.task_id)
    with pytest.raises(CLMSTaskFailed, match="lost"):
        job.wait(timeout=30)


def test_an_expired_link_is_a_clear_error_and_leaves_nothing_half_written(land):
    job = land_cover_job()
    job.wait(timeout=30)
    land.expire_link(job.task_id)
    with pytest.raises(CLMSResultExpired, match=r"72 hours.*resubmit=True") as info:
        job.download()
    assert isinstance(info.value, FileNotFoundError)
    leftovers = list(job.result_dir.iterdir()) if job.result_dir.exists() else []
    assert leftovers == []
    with pytest.raises(CLMSResultExpired):
        land_cover_job()
    fresh = land_cover_job(resubmit=True)
    fresh.wait(timeout=30)
    assert fresh.download()[0].is_file()


def test_a_revoked_key_is_refused_clearly_and_keeps_no_job(land, cdse_emulator, tmp_path):
    key = land.issue_key()
    path = tmp_path / "other-key.json"
    path.write_text(json.dumps(key))
    land.revoke_key(key["client_id"])
    with pytest.raises(CLMSAuthenticationError, match="revoked") as info:
        clms.request(LAND_COVER_2019, bbox=BOX, service_key=path)
    assert key["private_key"].splitlines()[3] not in str(info.value)
    assert requests(cdse_emulator, "@datarequest_post") == []
    assert clms.jobs(service_key=path) == []


def test_an_expired_access_token_is_replaced_once(land, cdse_emulator):
    job = land_cover_job()
    before = _token_requests(cdse_emulator)
    land.expire_tokens()
    assert job.wait(timeout=30).done
    assert _token_requests(cdse_emulator) == before + 1


def test_a_request_clms_already_works_on_is_adopted(land, cdse_emulator, tmp_path):
    """Another cache (another machine, a lost job store): CLMS refuses the repeated request
    ("the same thing at least twice"), and the pending task is picked up instead."""
    land.delays = (1.0, 1.0)
    job = land_cover_job(time=None)
    other = land_cover_job(settings=Settings.from_env(cache_dir=tmp_path / "elsewhere"))
    assert other.task_id == job.task_id
    assert [r.status for r in requests(cdse_emulator, "@datarequest_post")] == [201, 400]
