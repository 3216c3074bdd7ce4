"""The connection budget holds across tasks, threads, processes and dask workers (budget.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from cdse_intake.downloads.budget import ConnectionBudget, DaskBudget, account_key, make_budget
from cdse_intake.errors import ConfigurationError

# -- in one process -----------------------------------------------------------------------------


def test_layout_and_hashed_account(tmp_path: Path) -> None:
    budget = ConnectionBudget(tmp_path, "alice@example.com", 4)
    assert budget.directory == tmp_path / "slots" / account_key("alice@example.com")
    assert len(account_key("alice@example.com")) == 16
    assert "alice" not in str(budget.directory)
    with budget.hold() as k:
        assert 0 <= k < 4
        assert (budget.directory / f"{k}.lock").exists()
        assert budget.held == 1
    assert budget.held == 0


@pytest.mark.parametrize("limit", [0, -1, True, "4", 2.5, None])
def test_invalid_limit(tmp_path: Path, limit: object) -> None:
    with pytest.raises(ConfigurationError, match=repr(limit).replace("(", r"\(")):
        ConnectionBudget(tmp_path, "a", limit)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="whole number >= 1"):
        DaskBudget("a", limit)  # type: ignore[arg-type]


@pytest.mark.parametrize("account", ["", None])
def test_invalid_account(tmp_path: Path, account: object) -> None:
    with pytest.raises(ConfigurationError, match="account"):
        ConnectionBudget(tmp_path, account, 4)  # type: ignore[arg-type]


def test_asyncio_tasks_share_the_limit(tmp_path: Path) -> None:
    budget = ConnectionBudget(tmp_path, "acct", 3)
    active = 0
    peak = 0
    held_seen: list[int] = []

    async def task() -> None:
        nonlocal active, peak
        async with budget.slot():
            active += 1
            peak = max(peak, active)
            held_seen.append(budget.held)
            await asyncio.sleep(0.005)
            active -= 1

    async def main() -> None:
        await asyncio.gather(*(task() for _ in range(20)))

    asyncio.run(main())
    assert peak == 3  # the first three take a slot at once; nobody else gets one meanwhile
    assert max(held_seen) == 3
    assert len(held_seen) == 20
    assert budget.held == 0
    assert budget.available() == 3


def test_budget_objects_for_one_account_share_slots(tmp_path: Path) -> None:
    first = ConnectionBudget(tmp_path, "acct", 2)
    second = ConnectionBudget(tmp_path, "acct", 2)
    other_account = ConnectionBudget(tmp_path, "someone-else", 2)
    other_cache = ConnectionBudget(tmp_path / "elsewhere", "acct", 2)
    with first.hold(), second.hold():
        assert first.held == second.held == 2
        assert first.available() == 0
        assert other_account.available() == 2
        assert other_cache.available() == 2
    assert first.available() == 2


def test_waiting_does_not_block_the_event_loop(tmp_path: Path) -> None:
    budget = ConnectionBudget(tmp_path, "acct", 1)

    async def main() -> list[str]:
        events: list[str] = []
        with contextlib.ExitStack() as stack:
            stack.enter_context(budget.hold())  # the only slot, held synchronously

            async def waiter() -> None:
                async with budget.slot():
                    events.append("acquired")

            task = asyncio.create_task(waiter())
            for i in range(5):  # the loop keeps running while the waiter polls
                await asyncio.sleep(0.01)
                events.append(f"tick{i}")
            assert not task.done()
        await asyncio.wait_for(task, timeout=10)  # released at the end of the with block
        return events

    events = asyncio.run(main())
    assert events == ["tick0", "tick1", "tick2", "tick3", "tick4", "acquired"]


def test_cancelled_waiter_holds_nothing(tmp_path: Path) -> None:
    budget = ConnectionBudget(tmp_path, "acct", 1)

    async def main() -> None:
        with budget.hold():
            task = asyncio.create_task(_enter(budget))
            await asyncio.sleep(0.02)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        assert budget.held == 0
        assert budget.available() == 1

    asyncio.run(main())


async def _enter(budget: ConnectionBudget) -> None:
    async with budget.slot():
        raise AssertionError("the slot was busy")


def test_threads_share_the_limit(tmp_path: Path) -> None:
    budget = ConnectionBudget(tmp_path, "acct", 2)
    active = 0
    peak = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal active, peak
        for _ in range(5):
            with budget.hold():
                with lock:
                    active += 1
                    peak = max(peak, active)
                time.sleep(0.002)
                with lock:
                    active -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 1 <= peak <= 2
    assert budget.held == 0


def test_exception_in_block_releases(tmp_path: Path) -> None:
    budget = ConnectionBudget(tmp_path, "acct", 1)

    async def main() -> None:
        with pytest.raises(RuntimeError, match="boom"):
            async with budget.slot():
                raise RuntimeError("boom")

    asyncio.run(main())
    assert budget.available() == 1


def test_pickles(tmp_path: Path) -> None:
    budget = ConnectionBudget(tmp_path, "acct", 3)
    copy = pickle.loads(pickle.dumps(budget))
    assert (copy.directory, copy.limit, copy.account) == (budget.directory, 3, "acct")
    dask_copy = pickle.loads(pickle.dumps(DaskBudget("acct", 5)))
    assert (dask_copy.name, dask_copy.limit) == (f"cdse-{account_key('acct')}", 5)


def test_make_budget_outside_dask(tmp_path: Path) -> None:
    budget = make_budget(tmp_path, "acct", 4)
    assert isinstance(budget, ConnectionBudget)
    assert budget.limit == 4


def test_make_budget_does_not_import_distributed(tmp_path: Path) -> None:
    code = (
        "import sys; from cdse_intake.downloads.budget import make_budget; "
        f"b = make_budget({str(tmp_path)!r}, 'a', 4); "
        "print(type(b).__name__, 'distributed' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_env()
    )
    assert out.stdout.split() == ["ConnectionBudget", "False"]


# -- across processes ---------------------------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import asyncio, os, sys, time
    from pathlib import Path
    from cdse_intake.downloads.budget import ConnectionBudget

    cache, log, markers, go, tasks, rounds = sys.argv[1:7]
    budget = ConnectionBudget(cache, "shared-account", 4)
    markers = Path(markers)
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    deadline = time.monotonic() + 60
    while not os.path.exists(go):  # start barrier: every process begins together
        if time.monotonic() > deadline:
            sys.exit("no go signal")
        time.sleep(0.001)
    peak = 0

    async def worker(t):
        global peak
        for r in range(int(rounds)):
            async with budget.slot():
                mark = markers / f"{os.getpid()}-{t}"
                mark.touch()
                peak = max(peak, len(os.listdir(markers)))
                start = time.monotonic_ns()
                await asyncio.sleep(0.004)
                end = time.monotonic_ns()
                mark.unlink()
            os.write(fd, f"{os.getpid()} {t} {start} {end}\\n".encode())

    async def main():
        await asyncio.gather(*(worker(t) for t in range(int(tasks))))

    asyncio.run(main())
    print(peak)
    """
)


def _max_overlap(intervals: list[tuple[int, int]]) -> int:
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    active = peak = 0
    for _, step in events:  # at equal times, -1 sorts first: touching intervals do not overlap
        active += step
        peak = max(peak, active)
    return peak


def _env() -> dict[str, str]:
    root = str(Path(__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _report_after_fork(budget: ConnectionBudget, queue: object) -> None:
    queue.put((budget.held, budget.available()))  # type: ignore[attr-defined]


def test_a_forked_child_holds_nothing_of_its_parent(tmp_path: Path) -> None:
    import multiprocessing

    budget = ConnectionBudget(tmp_path, "acct", 4)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    with budget.hold(), budget.hold():
        child = context.Process(target=_report_after_fork, args=(budget, queue))
        child.start()
        held, available = queue.get(timeout=60)
        child.join(timeout=60)
        assert (held, available) == (0, 2)  # the parent's two slots stay the parent's
        assert budget.held == 2
        assert budget.available() == 2
    assert budget.available() == 4


def test_processes_never_exceed_the_limit(tmp_path: Path) -> None:
    cache, log, markers, go = (
        tmp_path / "cache",
        tmp_path / "log",
        tmp_path / "held",
        tmp_path / "go",
    )
    markers.mkdir()
    n_procs, tasks, rounds = 5, 3, 8
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", HOLDER, *map(str, (cache, log, markers, go, tasks, rounds))],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        for _ in range(n_procs)
    ]
    go.touch()
    peaks = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        peaks.append(int(out))
    lines = log.read_text().splitlines()
    assert len(lines) == n_procs * tasks * rounds
    intervals = [(int(s), int(e)) for _, _, s, e in (line.split() for line in lines)]
    # time.monotonic is one clock for every process on Linux, so intervals compare directly.
    assert _max_overlap(intervals) <= 4
    assert max(peaks) <= 4  # markers present at once, counted inside the slot
    assert ConnectionBudget(cache, "shared-account", 4).available() == 4


def test_the_overlap_count_sees_overlaps() -> None:
    # The check above can fail: overlapping intervals are counted, touching ones are not.
    assert _max_overlap([(0, 10), (5, 15), (6, 7), (14, 20)]) == 3
    assert _max_overlap([(0, 1), (1, 2), (2, 3)]) == 1


KILLABLE = textwrap.dedent(
    """
    import sys, time, contextlib
    from cdse_intake.downloads.budget import ConnectionBudget

    budget = ConnectionBudget(sys.argv[1], "shared-account", 4)
    with contextlib.ExitStack() as stack:
        held = [stack.enter_context(budget.hold()) for _ in range(int(sys.argv[2]))]
        print("holding", *sorted(held), flush=True)
        time.sleep(600)
    """
)


def test_sigkilled_holder_releases_its_slots(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    budget = ConnectionBudget(cache, "shared-account", 4)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLABLE, str(cache), "4"],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().split() == ["holding", "0", "1", "2", "3"]
        assert budget.available() == 0  # all four are held by the other process
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert budget.available() == 4

    async def take_all() -> list[int]:
        async with contextlib.AsyncExitStack() as stack:
            slots = [await stack.enter_async_context(budget.slot()) for _ in range(4)]
            assert budget.held == 4
            return sorted(slots)

    assert asyncio.run(asyncio.wait_for(take_all(), timeout=30)) == [0, 1, 2, 3]


def test_sigkilled_partial_holder(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    budget = ConnectionBudget(cache, "shared-account", 4)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLABLE, str(cache), "3"],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("holding")
        assert budget.available() == 1
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
    assert budget.available() == 4


# -- dask ---------------------------------------------------------------------------------------

_dask_active = 0
_dask_peak = 0
_dask_lock = threading.Lock()


def _dask_task(cache: str, use_async: bool) -> str:
    """Runs on a dask worker thread: takes a slot of the cluster-wide budget."""
    global _dask_active, _dask_peak
    budget = make_budget(cache, "dask-account", 2)

    def inside() -> None:
        global _dask_active, _dask_peak
        with _dask_lock:
            _dask_active += 1
            _dask_peak = max(_dask_peak, _dask_active)

    def leave() -> None:
        global _dask_active
        with _dask_lock:
            _dask_active -= 1

    if use_async:

        async def run() -> None:
            async with budget.slot():
                inside()
                await asyncio.sleep(0.02)
                leave()

        asyncio.run(run())
    else:
        with budget.hold():
            inside()
            time.sleep(0.02)
            leave()
    return type(budget).__name__


def test_dask_budget_limits_workers(tmp_path: Path, dask_client) -> None:
    global _dask_peak
    _dask_peak = 0
    client = dask_client(n_workers=1, threads_per_worker=4)
    futures = [client.submit(_dask_task, str(tmp_path), i % 2 == 0, pure=False) for i in range(12)]
    kinds = client.gather(futures)
    assert set(kinds) == {"DaskBudget"}
    assert 1 <= _dask_peak <= 2
    assert _dask_active == 0
