"""Background jobs of the core (cdse_intake.downloads.jobs): the generic Job handle, and a
download started with start_download, cancelled through its handle and resumed to a verified file.

Waits are on Events set by callbacks and on the jobs' own deadlines, never on sleeps.
"""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import CancelledError
from pathlib import Path

import pytest

from cdse_intake.cache import ProductCache
from cdse_intake.config import Settings, resolve
from cdse_intake.downloads.jobs import DownloadJob, start_download
from cdse_intake.downloads.progress import FileProgress
from cdse_intake.emulator.blob import add_large_product
from cdse_intake.jobs import Job

from .test_download_common import materialised, product_of, value_requests

#: Seconds any job may take before a test gives up (waits end as soon as it is done).
DEADLINE = 60.0


# -- the generic handle --------------------------------------------------------------------------
def test_a_job_gives_its_result_on_its_own_thread():
    seen: list[str] = []
    job = Job(lambda job: threading.current_thread().name, name="cdse-test-job")
    job.add_done_callback(lambda done: seen.append(threading.current_thread().name))
    assert not job.done() and not job.running()
    assert job.start() is job
    assert job.result(DEADLINE) == "cdse-test-job"
    assert job.wait(DEADLINE) and not job.running()
    assert seen == ["cdse-test-job"]  # done callbacks run on the job's thread, before wait ends
    job.add_done_callback(lambda done: seen.append("late"))  # already done: called at once
    assert seen == ["cdse-test-job", "late"]


def test_a_job_hands_its_error_to_whoever_asks_for_the_result():
    def work(job: Job[None]) -> None:
        raise ValueError("no such thing")

    job = Job(work).start()
    assert job.wait(DEADLINE)
    with pytest.raises(ValueError, match="no such thing"):
        job.result()


def test_cancel_runs_the_hooks_once_and_the_work_ends_as_cancelled():
    registered = threading.Event()
    stopped = threading.Event()
    calls: list[str] = []

    def work(job: Job[str]) -> str:
        job.on_cancel(lambda: (calls.append("hook"), stopped.set()))
        registered.set()
        assert stopped.wait(DEADLINE)  # a step that only the hook can end
        if job.cancelled():
            raise CancelledError
        return "finished"

    job = Job(work).start()
    assert registered.wait(DEADLINE)
    job.cancel()
    job.cancel()  # a second cancel changes nothing
    assert job.wait(DEADLINE)
    assert job.cancelled() and job.done()
    with pytest.raises(CancelledError, match="was cancelled"):
        job.result()
    assert calls == ["hook"]
    late: list[str] = []
    job.on_cancel(lambda: late.append("late"))  # registered after the cancel: runs at once
    assert late == ["late"]


# -- a download through its handle ---------------------------------------------------------------
MB = 1_000_000


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", retries=2)


@pytest.fixture
def large(cdse_emulator_factory, tmp_path_factory, monkeypatch):
    """A private emulator with an 8 MB product (the client writes ``.part`` files by the MiB, so
    a resume needs a product of several)."""
    emu = cdse_emulator_factory(scale=0.01, s3=False)
    entry = add_large_product(emu.catalogue, 8 * MB, tmp_path_factory.mktemp("blobs"))
    for key, value in emu.env().items():
        monkeypatch.setenv(key, value)
    return emu, product_of(entry)


def test_a_cancelled_download_keeps_its_part_and_the_next_one_resumes_it(large, settings):
    emu, product = large
    # 1 MB/s: the first MiB reaches the .part after about a second, the whole takes eight
    emu.faults.add("slow", product.name, rate=1 * MB, times=None)
    events: list[FileProgress] = []
    flowing = threading.Event()

    def progress(event: FileProgress) -> None:
        events.append(event)
        if event.status == "downloading" and event.bytes > 0:
            flowing.set()

    context = resolve(settings=settings)
    job = start_download([product], context, on_progress=progress)
    assert isinstance(job, DownloadJob) and job.thread.name == "cdse-download"
    assert flowing.wait(DEADLINE), "no byte arrived"
    assert not job.done()
    job.cancel()
    assert job.wait(DEADLINE / 2), "the download did not stop"
    with pytest.raises(CancelledError):
        job.result()
    assert job.cancelled()
    cache = ProductCache(settings.cache_dir)
    assert cache.lookup(product) is None
    assert not cache.path_for(product).exists()  # nothing unverified at the final path
    kept = cache.part_for(product).stat().st_size
    assert 0 < kept < product.size
    assert all(e.status == "downloading" for e in events)  # no outcome: it was stopped

    emu.faults.clear()
    emu.state.reset_counters()
    report = start_download([product], context).result(DEADLINE)
    (outcome,) = report
    assert outcome.status == "verified", outcome.reason
    resumed = int(outcome.reason.removeprefix("resumed at byte "))
    assert 0 < resumed <= kept
    assert outcome.bytes == product.size - resumed  # only the rest crossed the network
    # one Range request (the cancelled first request may be logged late, when the server sees
    # its connection closed)
    assert [r.range for r in value_requests(emu) if r.range] == [f"bytes={resumed}-"]
    data = cache.lookup(product).read_bytes()
    assert hashlib.md5(data).hexdigest() == product.md5
    assert not cache.part_for(product).exists()


def test_a_download_cancelled_at_once_ends_cancelled_and_unverified(
    cdse_emulator, cdse_env, settings
):
    product = materialised(cdse_emulator)[0]
    cdse_emulator.faults.add("slow", product.name, rate=20_000, times=None)
    job = start_download([product], resolve(settings=settings))
    job.cancel()
    assert job.wait(DEADLINE)
    with pytest.raises(CancelledError):
        job.result()
    assert ProductCache(settings.cache_dir).lookup(product) is None


def test_a_finished_download_reports_like_download(cdse_emulator, cdse_env, settings):
    products = materialised(cdse_emulator)[:2]
    finished = threading.Event()
    job = start_download(products, resolve(settings=settings))
    job.add_done_callback(lambda done: finished.set())
    assert finished.wait(DEADLINE)
    report = job.result()
    assert [o.status for o in report] == ["verified", "verified"]
    job.cancel()  # once done, a cancel changes nothing
    assert not job.cancelled() and job.result() is report
    again = start_download(products, resolve(settings=settings)).result(DEADLINE)
    assert [o.status for o in again] == ["skipped", "skipped"]  # verified in the cache
