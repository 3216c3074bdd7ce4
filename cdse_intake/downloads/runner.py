"""Run the async downloader from synchronous code, cleanly interrupted by Ctrl-C.

Without a running event loop in the calling thread (scripts, the CLI, dask tasks) the coroutine
runs under :func:`asyncio.run`, whose SIGINT handling cancels it, so every ``finally`` (the
manifest's last write, closing ``.part`` files) runs before ``KeyboardInterrupt`` surfaces.
Inside Jupyter a loop already runs in the main thread: the coroutine then runs on fsspec's I/O
loop (a background thread) while the caller waits; a ``KeyboardInterrupt`` there cancels the
task and waits for its clean-up before being re-raised.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["run_sync"]

T = TypeVar("T")

#: Seconds an interrupted run may take to close its files and write its manifest.
CLEANUP_TIMEOUT = 60.0


def run_sync(factory: Callable[[], Awaitable[T]]) -> T:
    """Run the coroutine made by ``factory`` to completion and return its result."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        running = False
    else:
        running = True
    if running:
        return _in_background(factory)
    # Outside the except block: an error of the work must not carry "no running event loop"
    # as its context (it showed in every traceback users saw).
    return asyncio.run(_main(factory))


async def _main(factory: Callable[[], Awaitable[T]]) -> T:
    return await factory()


def _in_background(factory: Callable[[], Awaitable[T]]) -> T:
    from fsspec.asyn import get_loop

    loop = get_loop()
    result: concurrent.futures.Future[T] = concurrent.futures.Future()
    tasks: list[asyncio.Task[T]] = []

    def start() -> None:
        task = loop.create_task(_main(factory))
        tasks.append(task)

        def done(t: asyncio.Task[T]) -> None:
            if t.cancelled():
                result.set_exception(KeyboardInterrupt())
            elif t.exception() is not None:
                result.set_exception(t.exception())  # type: ignore[arg-type]
            else:
                result.set_result(t.result())

        task.add_done_callback(done)

    loop.call_soon_threadsafe(start)
    try:
        return result.result()
    except KeyboardInterrupt:
        if not result.done():
            loop.call_soon_threadsafe(lambda: [t.cancel() for t in tasks])
            concurrent.futures.wait([result], timeout=CLEANUP_TIMEOUT)
        raise
